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
from typing import Any

import attrs
import numpy as np

import halco
import lola
import stadls
import grenade.network as gn
from grenade.common import SPEEDUP, biological_ms_to_cycles
from grenade.execution import ExecutionInstanceHooks
from .projections import resolve
from .recording import SnippetData, parse_device, recorded_analog
from .standardmodels.cells import ANALOG_RECORDABLES, NeuronCellType, SpikeSourcePoissonOnChip

log = logging.getLogger(__name__)

#: the CADC's sample period during a run [us of hardware time]
CADC_PERIOD_US = 1.0
_ANALOG_OUTPUT_NORMAL = lola.AtomicNeuron.EventRouting.AnalogOutputMode.normal
_RECEPTORS = {"excitatory": gn.EXCITATORY, "inhibitory": gn.INHIBITORY}


def ms_to_cycles(times_ms: Any) -> np.ndarray:
    """Hardware milliseconds to FPGA cycles (1 ms = 125000 cycles), rounded to whole cycles."""
    return biological_ms_to_cycles(np.asarray(times_ms, dtype=float) * SPEEDUP)


def cycles_to_ms(cycles: Any) -> np.ndarray:
    """FPGA cycles to hardware milliseconds."""
    return gn.to_biological_ms(cycles) / SPEEDUP


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
    """A PyNN population in the grenade network: its descriptor and kind."""

    population: Any
    descriptor: int
    kind: str                      # "neurons", "external" or "background"


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

    @property
    def runtime_cycles(self) -> int:
        return int(ms_to_cycles(self.runtime))


# -- the network ---------------------------------------------------------------------------------

def _background_population(population: Any, hemispheres: set[int], bus: int) -> gn.BackgroundSourcePopulation:
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
    period, rate, _ = SpikeSourcePoissonOnChip.generator_config(float(rates[0]), size)
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
                reach.setdefault(id(pre), set()).update((post.atomic_neurons[cells] // 256).tolist())
    return reach


def build_network(state: Any) -> NetworkPlan:
    """The grenade network of the current PyNN network."""
    builder = gn.NetworkBuilder()
    entries: list[PopulationEntry] = []
    spikes: dict[int, tuple[Any, list[int]]] = {}
    reach = _background_reach(state)
    bus = 0
    for population in state.populations:
        celltype = population.celltype
        recorded = population.recorder.recorded_cells("spikes")
        if recorded:
            spikes[id(population)] = (population, recorded)
        flags = np.isin(np.asarray(population.all_cells, dtype=np.int64), recorded)
        if isinstance(celltype, NeuronCellType):
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
                                             buses[bus] if buses is not None else bus)
            bus += 1
        entries.append(PopulationEntry(population, builder.add(element), kind))
    descriptor = {id(e.population): e.descriptor for e in entries}
    projections = []
    for projection in state.projections:
        projections.append((projection, _add_projection(builder, projection, descriptor)))
    analog = recorded_analog(state)
    madc = [a for a in analog if a[3] == "madc"]
    cadc = [a for a in analog if a[3] == "cadc"]
    source = {(id(a[0]), a[1]): ANALOG_RECORDABLES[a[2]] for a in analog}
    if madc:
        builder.add(gn.MADCRecording([gn.RecordedNeuron(gn.AtomicNeuronOnExecutionInstance(
            descriptor[id(p)], i), source[(id(p), i)]) for p, i, _, _ in madc]))
    if cadc:
        builder.add(gn.CADCRecording([gn.RecordedNeuron(gn.AtomicNeuronOnExecutionInstance(
            descriptor[id(p)], i), source[(id(p), i)]) for p, i, _, _ in cadc], period_us=CADC_PERIOD_US))
    return NetworkPlan(builder.done(), entries, projections, analog, spikes)


def _add_projection(builder: gn.NetworkBuilder, projection: Any,
                    descriptor: dict[int, int]) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """One grenade projection per (pre population, post population) pair of a PyNN
    projection's connections; connections between the same two cells are merged (their
    weights add up on the chip). Returns (grenade projection, PyNN connections, merged index)."""
    if not len(projection):
        return []
    pre_pops, pre_owner, pre_index = resolve(projection.pre)
    post_pops, post_owner, post_index = resolve(projection.post)
    owners_pre, owners_post = pre_owner[projection._pre], post_owner[projection._post]
    cells_pre, cells_post = pre_index[projection._pre], post_index[projection._post]
    weights = np.abs(projection._weights).astype(np.int64)
    out = []
    for a, b in sorted(set(zip(owners_pre.tolist(), owners_post.tolist()))):
        members = np.flatnonzero((owners_pre == a) & (owners_post == b))
        keys = cells_pre[members] * (post_pops[b].size + 1) + cells_post[members]
        unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        merged = np.bincount(inverse, weights=weights[members]).astype(np.int64)
        connections = np.stack([cells_pre[members][first], cells_post[members][first], merged], axis=1)
        index = builder.add(gn.Projection(_RECEPTORS[projection.receptor_type], connections,
                                          descriptor[id(pre_pops[a])], descriptor[id(post_pops[b])]))
        out.append((index, members, inverse))
    return out


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
        atoms = population.atomic_neurons.tolist()
        built = _cell_neurons(population, [neurons[a] for a in atoms])
        for i, (atom, neuron) in enumerate(zip(atoms, built)):
            source = sources.get((id(population), i))
            if source is not None:
                neuron = copy.deepcopy(neuron)
                readout = neuron.readout
                readout.source = source
                neuron.readout = readout
            neurons[atom] = neuron
    return chip


def _inputs(state: Any, plan: NetworkPlan, t_start: float, runtime: float) -> dict[int, list[np.ndarray]]:
    end_cycles = int(ms_to_cycles(runtime))
    out = {}
    for entry in plan.entries:
        if entry.kind != "external":
            continue
        population = entry.population
        ids = np.asarray(population.all_cells, dtype=np.int64)
        times = population.celltype.spike_times(population.hardware_parameters(), ids, t_start,
                                                t_start + runtime, state.rng_seed)
        per_cell = []
        for t in times:
            cycles = ms_to_cycles(np.asarray(t, dtype=float) - t_start)
            per_cell.append(cycles[(cycles >= 0) & (cycles < end_cycles)])
        out[entry.descriptor] = per_cell
    return out


def plan_snippet(state: Any, t_start: float, runtime: float) -> Snippet:
    """A snapshot of the network as a realtime snippet from ``t_start`` lasting ``runtime``
    [hardware ms]."""
    apply_initial_config(state)
    plan = build_network(state)
    return Snippet(t_start, runtime, plan, build_chip(state, plan), _inputs(state, plan, t_start, runtime))


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
    """Each PyNN projection's ``placed_connections``: per connection its synapses."""
    if not graph.network.execution_instances:
        for projection, _ in plan.projections:
            projection._placed = [[] for _ in range(len(projection))]
        return
    routed = graph.routing.execution_instances[gn.ExecutionInstanceID(0)].connections
    for projection, parts in plan.projections:
        placed: list[list[Any]] = [[] for _ in range(len(projection))]
        for index, members, inverse in parts:
            synapses = routed.get(index)
            if synapses is None:
                continue
            by_connection: dict[int, list[Any]] = {}
            for c, row, column in zip(synapses["connection"].tolist(), synapses["synapse_row"].tolist(),
                                      synapses["synapse_on_row"].tolist()):
                by_connection.setdefault(c, []).append(PlacedSynapse(
                    halco.SynapseRowOnDLS.from_enum(row), halco.SynapseOnSynapseRow(column)))
            for member, merged in zip(members.tolist(), inverse.tolist()):
                placed[member] = by_connection.get(merged, [])
        projection._placed = placed


def prepare(state: Any) -> None:
    """Map the current network (placement, initial configuration, routing) without running."""
    apply_initial_config(state)
    route(state, build_network(state))


def _hooks(state: Any) -> ExecutionInstanceHooks | None:
    injected = state.injected_config
    return None if injected is None else injected.to_hooks()


def execute(state: Any, snippet: Snippet) -> None:
    """Run one snippet and hand its recordings to the recorders."""
    plan = snippet.plan
    t_stop = snippet.t_start + snippet.runtime
    spikes: dict = {}
    madc: dict = {}
    cadc: dict = {}
    if plan.network.execution_instances:
        graph = route(state, plan)
        inputs = gn.InputGenerator(graph)
        for descriptor, times in snippet.inputs.items():
            inputs.add(times, descriptor)
        inputs.set_runtime(snippet.runtime_cycles)
        executor = state.executor()
        readout = state.injected_readout
        if readout is not None:
            state.pre_realtime_read = _read(executor, readout.pre_realtime)
        output = gn.run(executor, graph, snippet.chip, inputs.done(), _hooks(state))
        if readout is not None:
            state.post_realtime_read = _read(executor, readout.post_realtime)
        spikes = gn.extract_neuron_spikes(output, graph)[0]
        madc = gn.extract_madc_samples(output, graph)[0]
        cadc = gn.extract_cadc_samples(output, graph)[0]
    _distribute(state, plan, snippet.t_start, t_stop, spikes, madc, cadc)


def _read(executor: Any, coordinates: Any) -> dict:
    """Read ``coordinates`` from the chip now (a program of its own)."""
    if not coordinates:
        return {}
    builder = stadls.PlaybackProgramBuilder()
    tickets = {c: builder.read(c) for c in coordinates}
    stadls.run(executor.connection(0), builder.done())
    return {c: t.get() for c, t in tickets.items()}


def _distribute(state: Any, plan: NetworkPlan, t_start: float, t_stop: float, spikes: dict,
                madc: dict, cadc: dict) -> None:
    data: dict[int, SnippetData] = {}

    def of(population: Any) -> SnippetData:
        return data.setdefault(id(population), SnippetData(t_start, t_stop))

    for key, (population, cells) in plan.spikes.items():
        descriptor = plan.entry(population).descriptor
        snippet = of(population)
        for cell in cells:
            index = int(population.id_to_index(cell))
            cycles = spikes.get((descriptor, index, 0))
            times = cycles_to_ms(cycles) + t_start if cycles is not None else np.zeros(0)
            snippet.spikes[cell] = times
    for population, index, variable, device in plan.analog:
        key = gn.AtomicNeuronOnExecutionInstance(plan.entry(population).descriptor, index)
        kind, _ = parse_device(device)
        if kind == "madc":
            cycles, values = madc.get(key, (np.zeros(0, dtype=np.int64), np.zeros(0)))
            times = cycles_to_ms(cycles) + t_start
        elif kind == "cadc":
            if key not in cadc:
                continue
            if isinstance(cadc[key], tuple):           # periodic reads: (times [cycles], codes)
                cycles, values = cadc[key]
                times = cycles_to_ms(cycles) + t_start
            else:                                      # one read at the end of the snippet
                times, values = np.array([t_stop]), np.array([cadc[key]])
        else:
            continue                     # a pad: the signal leaves the chip, nothing comes back
        cell = int(population.all_cells[index])
        of(population).signals.setdefault(variable, {})[cell] = (times, np.asarray(values, dtype=float), device)
    for population in state.populations:
        population.recorder.add_snippet(data.get(id(population), SnippetData(t_start, t_stop)))


__all__ = ["NetworkPlan", "PlacedSynapse", "Snippet", "build_chip", "build_network", "cycles_to_ms", "execute",
           "ms_to_cycles", "plan_snippet", "prepare", "route"]
