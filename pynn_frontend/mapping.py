"""From the PyNN network to grenade and back: a realtime snippet is planned (the abstract
network, the chip configuration and the input spikes of its time window, a snapshot of the
populations' parameters, the weights and the recording settings), then routed (reusing the
last routing while only weights change), run on the chip and its recordings handed back to
the populations' recorders.

Times: hardware milliseconds here, FPGA cycles (125 MHz) in grenade; converted with grenade's
helpers (``grenade.common.biological_ms_to_cycles``, ``grenade.network.to_biological_ms``)
at the 1000x speed-up.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import numpy as np

import halco
import lola
import stadls
import grenade.network as gn
from grenade.common import SPEEDUP, biological_ms_to_cycles
from . import calibration, current_injection, mc_mapping, plasticity_mapping
from .projections import resolve
from .recording import SnippetData, madc_to_cadc_lsb, parse_device, recorded_analog
from .standardmodels.calibrated import CalibratedCellType
from .errors import DelayError, NotCalibratedError
from .morphology import McNeuronBase
from .standardmodels.cells import (ANALOG_RECORDABLES, ExternalNeuron, NeuronCellType, SpikeSourcePoissonOnChip,
                                   showing)

log = logging.getLogger(__name__)

#: the CADC's shortest sample period during a run [us of hardware time] (pynn_frontend: the
#: recording's sampling interval, in hardware time, instead)
CADC_PERIOD_US = 1.0
#: FPGA cycles one read of a CADC sample quad (one word over the chip's bus) takes
CADC_READ_CYCLES = 8
#: headroom of the CADC's period over the time its reads take
CADC_PERIOD_MARGIN = 1.5
_ANALOG_OUTPUT_NORMAL = lola.AtomicNeuron.EventRouting.AnalogOutputMode.normal
_RECEPTORS = {"excitatory": gn.EXCITATORY, "inhibitory": gn.INHIBITORY}


def ms_to_cycles(times_ms: Any, time_scale: float = 1.0) -> np.ndarray:
    """Milliseconds to FPGA cycles (1 hardware ms = 125000 cycles), rounded to whole cycles;
    ``time_scale``: the user's ms per hardware ms (1, or the speed-up for biological time)."""
    return biological_ms_to_cycles(np.asarray(times_ms, dtype=float) * (SPEEDUP / time_scale))


def cycles_to_ms(cycles: Any, time_scale: float = 1.0) -> np.ndarray:
    """FPGA cycles to milliseconds (hardware ms times ``time_scale``)."""
    return gn.to_biological_ms(cycles) * (time_scale / SPEEDUP)


@attrs.frozen
class PlacedSynapse:
    """A hardware synapse a connection uses: its row (``halco.SynapseRowOnDLS``) and column
    (``halco.SynapseOnSynapseRow``)."""

    synapse_row: Any
    synapse_on_row: Any

    def to_synapse_on_dls(self) -> Any:
        return halco.SynapseOnDLS(halco.SynapseOnSynram(self.synapse_on_row, self.synapse_row.to_synapse_row_on_synram()),
                                  self.synapse_row.to_synram_on_dls())


@attrs.define
class PopulationEntry:
    """A PyNN population in the grenade network: its descriptor and kind; a spike source also
    has a delayed copy (``delay_cycles`` > 0) per delay of its connections."""

    population: Any
    descriptor: int
    kind: str                      # "neurons", "external" or "background"
    delay_cycles: int = 0


@attrs.define
class NetworkPlan:
    """The grenade network of the PyNN network at one moment, and how to read it back."""

    network: gn.Network
    entries: list[PopulationEntry]
    #: per PyNN projection: [(grenade projection index, merged connection per PyNN connection)]
    projections: list[tuple[Any, list[tuple[int, np.ndarray, np.ndarray]]]]
    #: (population, index, variable, device) of every analog recording
    analog: list[tuple[Any, int, str, str]]
    #: population -> IDs recording spikes
    spikes: dict[int, tuple[Any, list[int]]]
    #: the analog recording sites of multi-compartment cells (pynn_frontend.mc_mapping.Site)
    sites: list = attrs.field(factory=list)
    #: the plasticity rules of the snippet (pynn_frontend.plasticity_mapping.MappedRule)
    rules: list = attrs.field(factory=list)

    def entry(self, population: Any) -> PopulationEntry:
        for e in self.entries:
            if e.population is population:
                return e
        raise KeyError(population.label)


@attrs.define
class Snippet:
    """A realtime snippet ready to run."""

    t_start: float
    runtime: float
    plan: NetworkPlan
    chip: lola.Chip
    #: external source descriptor -> spike times [cycles after the snippet's start] per cell
    inputs: dict[int, list[np.ndarray]]
    #: the user's ms per hardware ms
    time_scale: float = 1.0
    #: the timed writes of current sources (pynn_frontend.current_injection.Injection) or None
    currents: Any = None

    @property
    def runtime_cycles(self) -> int:
        return int(ms_to_cycles(self.runtime, self.time_scale))


# -- the network ---------------------------------------------------------------------------------

def _background_population(population: Any, hemispheres: set[int], bus: int,
                           time_scale: float) -> gn.BackgroundSourcePopulation:
    values = population.hardware_parameters()
    rates, seeds = np.asarray(values["rate"], dtype=float), np.asarray(values["seed"], dtype=float)
    for name, arr in (("rate", rates), ("seed", seeds)):
        if not np.all(arr == arr[0]):
            raise ValueError(f"SpikeSourcePoissonOnChip population {population.label!r}: {name} must be the "
                             f"same for every cell (one generator per population), not {np.unique(arr).tolist()}")
    if population.size > SpikeSourcePoissonOnChip.MAX_SIZE:
        raise ValueError(f"SpikeSourcePoissonOnChip population {population.label!r} has {population.size} "
                         f"cells; a generator spreads over at most {SpikeSourcePoissonOnChip.MAX_SIZE}")
    size = 1 << int(np.ceil(np.log2(population.size))) if population.size > 1 else 1
    period, rate, _ = SpikeSourcePoissonOnChip.generator_config(float(rates[0]) * time_scale, size)
    recorded = set(population.recorder.recorded_cells("spikes"))
    flags = [int(c) in recorded for c in population.all_cells] + [False] * (size - population.size)
    coordinate = {halco.HemisphereOnDLS(h): halco.PADIBusOnPADIBusBlock(bus) for h in sorted(hemispheres)}
    config = gn.BackgroundSourceConfig(period=period, rate=rate, seed=int(seeds[0]), enable_random=True)
    return gn.BackgroundSourcePopulation(size, coordinate, config, enable_record_spikes=flags)


def _background_reach(state: Any) -> dict[int, set[int]]:
    """Per on-chip Poisson population (by id): the hemispheres of the neurons it projects to."""
    reach: dict[int, set[int]] = {}
    for projection in state.projections:
        pre_pops, pre_owner, _ = resolve(projection.pre)
        post_pops, post_owner, post_index = resolve(projection.post)
        owners_pre, owners_post = pre_owner[projection._pre], post_owner[projection._post]
        for k, pre in enumerate(pre_pops):
            if not isinstance(pre.celltype, SpikeSourcePoissonOnChip):
                continue
            for t, post in enumerate(post_pops):
                cells = post_index[projection._post[(owners_pre == k) & (owners_post == t)]]
                reach.setdefault(id(pre), set()).update(np.ravel(post.atomic_neurons[cells] // 256).tolist())
    return reach


def delay_cycles(state: Any, projection: Any) -> np.ndarray:
    """Per connection its delay in FPGA cycles (biological time: rounded to the time step, as
    NEST does); DelayError if a connection from a neuron on the chip has a delay (the chip has
    no programmable delay: only a spike source's spikes can be played in later)."""
    delays = projection._delays
    if not delays.size or not np.any(delays):
        return np.zeros(len(delays), dtype=np.int64)
    steps = np.round(delays / state.dt) * state.dt
    cycles = np.asarray(ms_to_cycles(steps, state.time_scale), dtype=np.int64)
    pre_pops, pre_owner, _ = resolve(projection.pre)
    for k, pre in enumerate(pre_pops):
        delayed = (pre_owner[projection._pre] == k) & (cycles > 0)
        if delayed.any() and not (isinstance(pre.celltype, ExternalNeuron) and pre.celltype.host_spikes):
            raise DelayError(
                f"projection {projection.label!r}: delay {float(delays[delayed][0]):g} ms from population "
                f"{pre.label!r}, but the chip has no programmable delay between its neurons (nor from on-chip "
                "Poisson sources): only spikes of SpikeSourceArray and SpikeSourcePoisson can be delayed; "
                "use delay=0 (the chip's own latency is well below a biological ms)")
    return cycles


def cadc_period_us(state: Any, atoms: list[int]) -> float:
    """The CADC's sample period for reading the neurons ``atoms`` (AtomicNeuronOnDLS enums)
    [us of hardware time]: the shortest period (:data:`CADC_PERIOD_US`; in biological time the
    sampling interval of the recordings) unless the reads of all their sample quads take
    longer; then those reads with :data:`CADC_PERIOD_MARGIN` (samples are taken on time)."""
    quad_of = halco.enum_map(halco.SynapseOnSynapseRow, halco.SynapseQuadColumnOnDLS)
    quads = {(a // 256, int(quad_of[a % 256])) for a in atoms}
    needed = CADC_PERIOD_MARGIN * CADC_READ_CYCLES * len(quads) / 125.0
    shortest = CADC_PERIOD_US
    if state.biological:
        intervals = [r.sampling_interval or state.dt for r in state.recorders
                     if any(d == "cadc" for _, d in r.analog.values())]
        shortest = min(intervals, default=state.dt) * 1000.0 / state.time_scale
    return max(shortest, needed)


def check_network(state: Any) -> None:
    """What can be refused before the (perhaps long) calibration: synapse types that cannot run
    yet, delays the chip cannot make, cell types calix cannot calibrate yet."""
    for projection in state.projections:
        reason = projection.synapse_type.not_runnable
        if reason is not None:
            raise NotCalibratedError(f"projection {projection.label!r}: {reason}")
        delay_cycles(state, projection)
    populations = calibration.calibrated_populations(state)
    for population in populations:
        population.celltype.check_runnable()
    if populations:
        calibration.build_target(state, populations, calibration.check_globals(populations))


def build_network(state: Any, window: tuple[float, float] | None = None) -> NetworkPlan:
    """The grenade network of the current PyNN network; ``window``: the snippet's (start,
    runtime) [the user's ms], which the plasticity rules' timers need (None: mapping only)."""
    builder = gn.NetworkBuilder()
    entries: list[PopulationEntry] = []
    spikes: dict[int, tuple[Any, list[int]]] = {}
    reach = _background_reach(state)
    delays = {id(p): delay_cycles(state, p) for p in state.projections}
    delayed: dict[int, set[int]] = {}
    for projection in state.projections:
        pre_pops, pre_owner, _ = resolve(projection.pre)
        for k, pre in enumerate(pre_pops):
            used = delays[id(projection)][pre_owner[projection._pre] == k]
            delayed.setdefault(id(pre), set()).update(used[used > 0].tolist())
    bus = 0
    for population in state.populations:
        celltype = population.celltype
        recorded = population.recorder.recorded_cells("spikes")
        multicompartment = isinstance(celltype, McNeuronBase)
        if recorded and not multicompartment:          # those record per compartment (mc_mapping)
            spikes[id(population)] = (population, recorded)
        flags = np.isin(np.asarray(population.all_cells, dtype=np.int64), recorded)
        if multicompartment:
            kind = "neurons"
            element = mc_mapping.grenade_population(population)
        elif isinstance(celltype, NeuronCellType):
            kind = "neurons"
            element = gn.Population.from_atomic_neurons(population.atomic_neurons.tolist(), record_spikes=flags)
        elif getattr(celltype, "host_spikes", True):
            kind = "external"
            element = gn.ExternalSourcePopulation(population.size, enable_record_spikes=flags)
        else:
            kind = "background"
            buses = state.background_permutation
            if buses is not None and bus >= len(buses):
                raise ValueError(f"backgroundPermutation lists {len(buses)} PADI buses; population "
                                 f"{population.label!r} is on-chip Poisson population {bus + 1}")
            element = _background_population(population, reach.get(id(population), {0}),
                                             buses[bus] if buses is not None else bus, state.time_scale)
            bus += 1
        entries.append(PopulationEntry(population, builder.add(element), kind))
        for cycles in sorted(delayed.get(id(population), ())):
            copy_ = gn.ExternalSourcePopulation(population.size)
            entries.append(PopulationEntry(population, builder.add(copy_), kind, cycles))
    descriptor = {(id(e.population), e.delay_cycles): e.descriptor for e in entries}
    projections = []
    for projection in state.projections:
        projections.append((projection, _add_projection(state, builder, projection, descriptor,
                                                         delays[id(projection)])))
    rules = plasticity_mapping.add_rules(state, builder, descriptor, projections, window)
    analog = recorded_analog(state)
    madc = [a for a in analog if a[3] == "madc"]
    cadc = [a for a in analog if a[3] == "cadc"]
    source = {(id(a[0]), a[1]): ANALOG_RECORDABLES[a[2]] for a in analog}
    sites = mc_mapping.recorded_sites(state, [int(p.atomic_neurons[i]) % 256 for p, i, _, _ in madc])
    mc_madc = [s for s in sites if s.device == "madc"]
    mc_cadc = [s for s in sites if s.device == "cadc"]
    if madc or mc_madc:
        builder.add(gn.MADCRecording([gn.RecordedNeuron(gn.AtomicNeuronOnExecutionInstance(
            descriptor[id(p), 0], i), source[(id(p), i)]) for p, i, _, _ in madc]
            + [s.recorded_neuron(descriptor[id(s.population), 0]) for s in mc_madc]))
    if cadc or mc_cadc:
        builder.add(gn.CADCRecording([gn.RecordedNeuron(gn.AtomicNeuronOnExecutionInstance(
            descriptor[id(p), 0], i), source[(id(p), i)]) for p, i, _, _ in cadc]
            + [s.recorded_neuron(descriptor[id(s.population), 0]) for s in mc_cadc],
            period_us=cadc_period_us(state, [int(p.atomic_neurons[i]) for p, i, _, _ in cadc]
                                     + [s.atom for s in mc_cadc])))
    return NetworkPlan(builder.done(), entries, projections, analog, spikes, sites, rules)


def hardware_weights(state: Any, projection: Any) -> np.ndarray:
    """The hardware weight [LSB] of each connection of ``projection``: its weight's magnitude,
    or for a cell type with biological weights (nA) their translation through the
    calibration, rounded to whole LSB (a warning counts non-zero weights that round to 0)."""
    weights = np.abs(projection._weights)
    post_pops, post_owner, post_index = resolve(projection.post)
    owners, cells = post_owner[projection._post], post_index[projection._post]
    out = weights.astype(float)
    translated = np.zeros(len(weights), dtype=bool)
    for t, post in enumerate(post_pops):
        celltype = post.celltype
        if not getattr(celltype, "biological_weights", False):
            continue
        members = owners == t
        receptor = 0 if projection.receptor_type == "excitatory" else 1
        reference = state.calibration.reference(receptor)[np.asarray(post.atomic_neurons)[cells[members]]]
        out[members] = celltype.hardware_weights(weights[members], projection.receptor_type, cells[members],
                                                 post.hardware_parameters(), state.calibration.charge_per_weight,
                                                 reference)
        translated |= members
    rounded = np.round(out).astype(np.int64)
    lost = translated & (weights > 0) & (rounded == 0)
    if lost.any():
        log.warning("projection %r: %d of %d weights are below half a hardware weight LSB and become 0 on "
                    "the chip (smallest: %g)", projection.label, int(lost.sum()), len(weights),
                    float(weights[lost].min()))
    return rounded


def _add_projection(state: Any, builder: gn.NetworkBuilder, projection: Any, descriptor: dict[tuple[int, int], int],
                    delays: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """One grenade projection per (pre population, post population, delay) of a PyNN
    projection's connections (a delayed connection starts at the source's delayed copy);
    connections between the same two cells are merged (their weights add up on the chip).
    Returns (grenade projection, PyNN connections, merged index)."""
    if not len(projection):
        return []
    pre_pops, pre_owner, pre_index = resolve(projection.pre)
    post_pops, post_owner, post_index = resolve(projection.post)
    owners_pre, owners_post = pre_owner[projection._pre], post_owner[projection._post]
    cells_pre, cells_post = pre_index[projection._pre], post_index[projection._post]
    weights = hardware_weights(state, projection)
    out = []
    # the (pre population, post population, delay) groups in sorted order, from one integer
    # per connection (a Python set of 1e5 tuples takes 30 ms)
    delay_values, delay_index = np.unique(delays, return_inverse=True)
    group = (owners_pre * len(post_pops) + owners_post) * len(delay_values) + delay_index.ravel()
    single = bool(np.all(group == group[0]))
    for g in ([int(group[0])] if single else np.unique(group).tolist()):
        pair, d_index = divmod(g, len(delay_values))
        a, b = divmod(pair, len(post_pops))
        d = int(delay_values[d_index])
        members = np.arange(len(group)) if single else np.flatnonzero(group == g)
        keys = cells_pre[members] * (post_pops[b].size + 1) + cells_post[members]
        first, inverse = _first_and_inverse(keys)
        merged = np.bincount(inverse, weights=weights[members]).astype(np.int64)
        pre_compartment, post_compartment = getattr(projection, "_compartments", (0, 0))
        connections = np.stack([cells_pre[members][first], np.full(len(first), pre_compartment),
                                cells_post[members][first], np.full(len(first), post_compartment), merged], axis=1)
        index = builder.add(gn.Projection(_RECEPTORS[projection.receptor_type], connections,
                                          descriptor[id(pre_pops[a]), d], descriptor[id(post_pops[b]), 0]))
        out.append((index, members, inverse))
    return out


def _first_and_inverse(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_index=True, return_inverse=True)[1:]``; in linear time for
    sorted keys (a projection's connections are sorted by pre and post cell: a plain
    population's keys are)."""
    if len(keys) and np.all(keys[1:] >= keys[:-1]):
        new = np.empty(len(keys), dtype=bool)
        new[0] = True
        np.not_equal(keys[1:], keys[:-1], out=new[1:])
        return np.flatnonzero(new), np.cumsum(new) - 1
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return first, inverse.ravel()


# -- the chip configuration -------------------------------------------------------------------------

def apply_initial_config(state: Any) -> None:
    """Populations still waiting for the initial configuration take their parameters from it."""
    chip = state.initial_chip()
    if chip is None:
        return
    for population in state.populations:
        if getattr(population, "_initial_config_pending", False):
            population.apply_initial_config(chip)


def _cell_neurons(population: Any, base: list[lola.AtomicNeuron]) -> list[lola.AtomicNeuron]:
    """The AtomicNeurons of a population's cells, analog output on; kept until its parameters
    change (the objects are shared by the snippets' configurations: not to be changed)."""
    cached = getattr(population, "_neuron_cache", None)
    if cached is not None and cached[0] == population.version:
        return cached[1]
    built = population.celltype.atomic_neurons(population.hardware_parameters(), base)
    for neuron in built:
        routing = neuron.event_routing
        routing.analog_output = _ANALOG_OUTPUT_NORMAL
        neuron.event_routing = routing
    population._neuron_cache = (population.version, built)
    return built


def _calibrated_neurons(population: Any) -> list[lola.AtomicNeuron]:
    """Copies of a calibrated population's ``actual_hwparams`` (edited in place by users),
    analog output on."""
    built = copy.deepcopy(list(population._calibration.actual))
    for neuron in built:
        routing = neuron.event_routing
        routing.analog_output = _ANALOG_OUTPUT_NORMAL
        neuron.event_routing = routing
    return built


def build_chip(state: Any, plan: NetworkPlan) -> lola.Chip:
    """The chip configuration of a snippet: the base configuration with every placed cell's
    AtomicNeuron, its analog output on and its readout showing its recorded variable."""
    chip = state.base_chip()
    sources = {(id(p), i): ANALOG_RECORDABLES[v] for p, i, v, _ in plan.analog}
    neurons = chip.neuron_block.atomic_neurons
    for entry in plan.entries:
        if entry.kind != "neurons":
            continue
        population = entry.population
        if isinstance(population.celltype, McNeuronBase):
            mc_mapping.configure(population, neurons, plan.sites)
            continue
        atoms = population.atomic_neurons.tolist()
        if isinstance(population.celltype, CalibratedCellType):
            built = _calibrated_neurons(population)
        else:
            built = _cell_neurons(population, [neurons[a] for a in atoms])
        for i, (atom, neuron) in enumerate(zip(atoms, built)):
            source = sources.get((id(population), i))
            if source is not None:
                neuron = showing(neuron, source)
            neurons[atom] = neuron
    return plasticity_mapping.configure_chip(plan.rules, chip)


def _inputs(state: Any, plan: NetworkPlan, t_start: float, runtime: float) -> dict[int, list[np.ndarray]]:
    """Per spike source entry the spike times of its cells [cycles after the snippet's start]:
    the times in the snippet's window, a delayed copy's later by its delay (what would arrive
    after the window is lost)."""
    end_cycles = int(ms_to_cycles(runtime, state.time_scale))
    sent: dict[int, list[np.ndarray]] = {}
    out = {}
    for entry in plan.entries:
        if entry.kind != "external":
            continue
        population = entry.population
        if id(population) not in sent:
            ids = np.asarray(population.all_cells, dtype=np.int64)
            times = population.celltype.spike_times(population.hardware_parameters(), ids, t_start,
                                                    t_start + runtime, state.rng_seed)
            sent[id(population)] = [ms_to_cycles(np.asarray(t, dtype=float) - t_start, state.time_scale)
                                    for t in times]
        per_cell = []
        for cycles in sent[id(population)]:
            cycles = cycles + entry.delay_cycles
            per_cell.append(cycles[(cycles >= 0) & (cycles < end_cycles)])
        out[entry.descriptor] = per_cell
    return out


def plan_snippet(state: Any, t_start: float, runtime: float) -> Snippet:
    """A snapshot of the network as a realtime snippet from ``t_start`` lasting ``runtime``
    [the user's ms]: the calibrated populations are calibrated first."""
    apply_initial_config(state)
    check_network(state)
    calibration.calibrate(state)
    plan = build_network(state, (t_start, runtime))
    chip = build_chip(state, plan)
    currents = current_injection.plan(state, plan, chip, t_start, runtime)
    return Snippet(t_start, runtime, plan, chip, _inputs(state, plan, t_start, runtime), state.time_scale, currents)


# -- routing and running --------------------------------------------------------------------------------

def route(state: Any, plan: NetworkPlan) -> gn.NetworkGraph:
    """The network graph of ``plan``; the last routing is reused if only weights changed."""
    network = plan.network
    if state.routed is not None:
        old_network, old_routing, old_graph = state.routed
        if not gn.requires_routing(network, old_network):
            if network == old_network:
                graph = old_graph
            else:
                routing = gn.update_weights(old_routing, network)
                graph = gn.build_network_graph(network, routing)
                state.routed = (network, routing, graph)
            _placed(plan, graph)
            return graph
    routing = gn.route(network)
    graph = gn.build_network_graph(network, routing)
    state.routed = (network, routing, graph)
    _placed(plan, graph)
    return graph


def _placed(plan: NetworkPlan, graph: gn.NetworkGraph) -> None:
    """Each PyNN projection's ``placed_connections`` of this routing, as a
    :class:`PlacedConnections` that builds its synapses when first read (most runs never read
    them, and a network of 1e5 synapses takes about a second to build them)."""
    routed = graph.routing.execution_instances[gn.ExecutionInstanceID(0)].connections \
        if graph.network.execution_instances else {}
    for projection, parts in plan.projections:
        projection._placed = PlacedConnections(
            len(projection), [(members, inverse, routed.get(index)) for index, members, inverse in parts])


class PlacedConnections(Sequence):
    """Per connection of a PyNN projection, its hardware synapses (:class:`PlacedSynapse`) in
    one routing: built from the routing's arrays when first read, then kept. ``parts``: per
    grenade projection of the PyNN projection (PyNN connection indices, their merged
    connection in the grenade projection, the routing's hardware synapses of the grenade
    projection (grenade's PLACED_CONNECTION_DTYPE array; None: not routed))."""

    def __init__(self, size: int, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]) -> None:
        self._size = size
        self._parts = parts
        self._lists: list[list[PlacedSynapse]] | None = None

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index: Any) -> Any:
        return self.lists()[index]

    def __iter__(self) -> Iterator[list[PlacedSynapse]]:
        return iter(self.lists())

    def lists(self) -> list[list[PlacedSynapse]]:
        """The synapses of every connection, a connection's in the routing's order (lists
        shared by connections merged into one: not to be changed)."""
        if self._lists is None:
            self._lists = self._build()
            self._parts = []                  # the arrays are not needed any more
        return self._lists

    def _build(self) -> list[list[PlacedSynapse]]:
        placed: list[list[PlacedSynapse]] = [[] for _ in range(self._size)]
        for members, inverse, synapses in self._parts:
            if synapses is None or not len(members):
                continue
            # the synapses by merged connection, each connection's in the routing's order
            order = np.argsort(synapses["connection"], kind="stable")
            connection = synapses["connection"][order]
            row_enums, row_index = np.unique(synapses["synapse_row"][order], return_inverse=True)
            column_enums, column_index = np.unique(synapses["synapse_on_row"][order], return_inverse=True)
            # one coordinate object per distinct row and column (coordinates are immutable)
            rows = [halco.SynapseRowOnDLS.from_enum(r) for r in row_enums.tolist()]
            columns = [halco.SynapseOnSynapseRow(c) for c in column_enums.tolist()]
            synapse_list = [PlacedSynapse(rows[r], columns[c])
                            for r, c in zip(row_index.ravel().tolist(), column_index.ravel().tolist())]
            n_merged = int(max(int(inverse.max()) + 1, int(connection[-1]) + 1 if len(connection) else 0))
            bounds = np.concatenate([[0], np.cumsum(np.bincount(connection, minlength=n_merged))]).tolist()
            by_merged = [synapse_list[bounds[m]:bounds[m + 1]] for m in range(n_merged)]
            for member, merged in zip(members.tolist(), inverse.ravel().tolist()):
                placed[member] = by_merged[merged]
        return placed


def prepare(state: Any) -> None:
    """Map the current network (placement, initial configuration, calibration, routing)
    without running."""
    apply_initial_config(state)
    check_network(state)
    calibration.calibrate(state)
    route(state, build_network(state))


def execute(state: Any, snippet: Snippet) -> None:
    """Run one snippet and hand its recordings to the recorders."""
    plan = snippet.plan
    t_stop = snippet.t_start + snippet.runtime
    spikes: dict = {}
    madc: dict = {}
    cadc: dict = {}
    if plan.network.execution_instances and snippet.runtime_cycles > 0:      # a run of 0 ms runs nothing
        graph = route(state, plan)
        plasticity_mapping.check_routing(plan.rules, graph)
        inputs = gn.InputGenerator(graph)
        for descriptor, times in snippet.inputs.items():
            inputs.add(times, descriptor)
        inputs.set_runtime(snippet.runtime_cycles)
        executor = state.executor()
        readout = state.injected_readout
        if readout is not None:
            state.pre_realtime_read = _read(executor, readout.pre_realtime)
        output = gn.run(executor, graph, snippet.chip, inputs.done(), current_injection.hooks(state, snippet))
        if readout is not None:
            state.post_realtime_read = _read(executor, readout.post_realtime)
        spikes = gn.extract_neuron_spikes(output, graph)[0]
        madc = gn.extract_madc_samples(output, graph)[0]
        cadc = gn.extract_cadc_samples(output, graph)[0]
        plasticity_mapping.collect(state, snippet, graph, output)
    else:
        plasticity_mapping.collect(state, snippet, None, None)
    _distribute(state, snippet, spikes, madc, cadc)


def _read(executor: Any, coordinates: Any) -> dict:
    """Read ``coordinates`` from the chip now (a program of its own)."""
    if not coordinates:
        return {}
    builder = stadls.PlaybackProgramBuilder()
    tickets = {c: builder.read(c) for c in coordinates}
    stadls.run(executor.connection(0), builder.done())
    return {c: t.get() for c, t in tickets.items()}


def _distribute(state: Any, snippet_: Snippet, spikes: dict, madc: dict, cadc: dict) -> None:
    """The snippet's recordings to the recorders: spike times and analog samples in the user's
    ms from the segment's start. In biological time, a spike source's spikes are those it sent
    (not their loop-back through the chip), and the voltages of cell types in biological units
    are mV."""
    plan, time_scale, t_start = snippet_.plan, snippet_.time_scale, snippet_.t_start
    t_stop = t_start + snippet_.runtime
    data: dict[int, SnippetData] = {}

    def of(population: Any) -> SnippetData:
        return data.setdefault(id(population), SnippetData(t_start, t_stop))

    for key, (population, cells) in plan.spikes.items():
        descriptor = plan.entry(population).descriptor
        snippet = of(population)
        sent = snippet_.inputs.get(descriptor) if state.biological else None
        for cell in cells:
            index = int(population.id_to_index(cell))
            cycles = spikes.get((descriptor, index, 0)) if sent is None else sent[index]
            times = cycles_to_ms(cycles, time_scale) + t_start if cycles is not None else np.zeros(0)
            snippet.spikes[cell] = times
    for population, index, variable, device in plan.analog:
        key = gn.AtomicNeuronOnExecutionInstance(plan.entry(population).descriptor, index)
        kind, _ = parse_device(device)
        if kind == "madc":
            cycles, values = madc.get(key, (np.zeros(0, dtype=np.int64), np.zeros(0)))
            times = cycles_to_ms(cycles, time_scale) + t_start
        elif kind == "cadc":
            if key not in cadc:
                continue
            if isinstance(cadc[key], tuple):           # periodic reads: (times [cycles], codes)
                cycles, values = cadc[key]
                times = cycles_to_ms(cycles, time_scale) + t_start
            else:                                      # one read at the end of the snippet
                times, values = np.array([t_stop]), np.array([cadc[key]])
        else:
            continue                     # a pad: the signal leaves the chip, nothing comes back
        cell = int(population.all_cells[index])
        values = np.asarray(values, dtype=float)
        if getattr(population.celltype, "biological_weights", False) and variable == "v":
            lsb = values if kind == "cadc" else madc_to_cadc_lsb(values, state.calibration.result.cadc_result.target)
            values = population.celltype.potential_to_biological(lsb)
        of(population).signals.setdefault(variable, {})[cell] = (times, values, device)
    mc_mapping.distribute(state, snippet_, spikes, madc, cadc, of)
    for population in state.populations:
        population.recorder.add_snippet(data.get(id(population), SnippetData(t_start, t_stop)))


__all__ = ["NetworkPlan", "PlacedConnections", "PlacedSynapse", "Snippet", "build_chip", "build_network",
           "cycles_to_ms", "execute", "ms_to_cycles", "plan_snippet", "prepare", "route"]
