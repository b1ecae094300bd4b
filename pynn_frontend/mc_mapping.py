"""Multi-compartment cells (:mod:`pynn_frontend.morphology`) on the chip: their placement
(the logical neuron's pattern at the first free place, in ``neuronPermutation`` order), their
grenade population (``grenade.network.Neuron`` at a ``halco.LogicalNeuronOnDLS``: every
compartment a spike master at its first circuit, offering both receptors on every circuit), the
chip configuration of their circuits (the parameters on top of the base configuration, the
morphology's switches from the ``lola.LogicalNeuron`` placed there), the recording sites
(cell, compartment -> one of the compartment's circuits) and the data read back.

A cell's circuits are stored as one row of AtomicNeuronOnDLS enums
(``population.atomic_neurons``: cells x circuits): its compartments' circuits in the order of
the compartments and their ``positions``, then the bridge circuits that only carry the shared
line.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any, Callable

import attrs
import numpy as np

import halco
import grenade.network as gn
from lola.morphology import STRUCTURAL
from .errors import AnalogRecordingError, PlacementError
from .morphology import McNeuronBase
from .standardmodels.cells import ANALOG_RECORDABLES, showing

_ANALOG_OUTPUT_NORMAL = None          # set on first use (lola's enum)
_RECEPTORS = frozenset((gn.EXCITATORY, gn.INHIBITORY))


def setup_pattern(cls: type) -> None:
    """The placement tables of a new multi-compartment type: ``circuit_slots`` (per circuit
    of a cell's row: compartment, index in the logical compartment), ``circuits_per_cell``,
    ``spike_master`` (per compartment: the logical index of its first circuit)."""
    logical = {c.value(): list(ns) for c, ns in cls.logical_compartments.get_compartments().items()}
    slots = []
    for compartment, position in zip(cls.circuit_compartment.tolist(), cls.circuit_position.tolist()):
        slots.append((compartment, logical[compartment].index(halco.AtomicNeuronOnLogicalNeuron.from_enum(position))))
    n_own = len(cls.compartments)
    for compartment in sorted(c for c in logical if c >= n_own):          # bridges: the shared line only
        slots.extend((compartment, j) for j in range(len(logical[compartment])))
    cls.circuit_slots = slots
    cls.circuits_per_cell = len(slots)
    cls.spike_master = [slots[int(first)][1] for first in cls.first_circuit]
    cls.logical_sizes = {c: len(ns) for c, ns in logical.items()}


def coordinate(cls: type, atoms: np.ndarray) -> halco.LogicalNeuronOnDLS:
    """The LogicalNeuronOnDLS of a cell placed on ``atoms`` (its row): the pattern anchored
    at the top-left corner of the circuits it covers."""
    coords = [halco.AtomicNeuronOnDLS.from_enum(int(a)) for a in atoms]
    anchor = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(min(c.x.value() for c in coords)),
                                     halco.NeuronRowOnDLS(min(c.y.value() for c in coords)))
    return halco.LogicalNeuronOnDLS(cls.logical_compartments, anchor)


def _row(cls: type, coord: halco.LogicalNeuronOnDLS) -> list[int]:
    placed = coord.get_placed_compartments()
    return [placed[halco.CompartmentOnLogicalNeuron(c)][j].to_enum() for c, j in cls.circuit_slots]


def place(placement: Any, cls: type, size: int, label: str | None) -> np.ndarray:
    """Rows of AtomicNeuronOnDLS enums of ``size`` new cells of ``cls`` (taken from
    ``placement``): each at the first anchor, in the permutation's order, where all its
    circuits are free; PlacementError (nothing taken) if one does not fit."""
    from . import simulator

    if simulator.state.biological:
        raise TypeError(f"{cls.__name__} is a multi-compartment neuron in hardware units: use it through "
                        "pynn_frontend (hardware time), not pynn_frontend.biological")
    free = placement.free()
    available = set(free.tolist())
    out = np.empty((size, cls.circuits_per_cell), dtype=np.int64)
    for i in range(size):
        for anchor in free.tolist():
            if anchor not in available:
                continue
            try:
                coord = halco.LogicalNeuronOnDLS(cls.logical_compartments, halco.AtomicNeuronOnDLS.from_enum(anchor))
            except halco.errors.HalcoError:          # off the grid or across the column 127/128 boundary
                continue
            row = _row(cls, coord)
            if all(a in available for a in row):
                out[i] = row
                available.difference_update(row)
                break
        else:
            columns = cls.logical_compartments.get_right_most_column().value() \
                - cls.logical_compartments.get_left_most_column().value() + 1
            raise PlacementError(
                f"population {label!r}: {cls.__name__} neuron {i} of {size} does not fit: its pattern spans "
                f"{columns} columns with {cls.circuits_per_cell} circuits, and no free place of the "
                f"{len(free)} circuits left holds it (a logical neuron cannot cross the column 127/128 boundary)")
    placement.taken.extend(out.ravel().tolist())
    return out


def grenade_population(population: Any) -> gn.Population:
    """The grenade population of a multi-compartment population: every own compartment a
    spike master at its first circuit (recorded where spikes are recorded at it) offering
    both receptors on every circuit; bridge compartments neither spike nor receive."""
    from . import simulator
    from .projections import resolve

    cls = type(population.celltype)
    for projection in simulator.state.projections:
        ends = [p for obj in (projection.pre, projection.post) for p in resolve(obj)[0]]
        if getattr(projection.synapse_type, "plasticity_rule", None) is not None and population in ends:
            raise NotImplementedError(f"projection {projection.label!r}: plasticity rules on the synapses of "
                                      f"multi-compartment cells ({cls.__name__}) are not supported; use a "
                                      "StaticSynapse")
    recorder = population.recorder
    recorded = set(recorder.recorded_cells("spikes"))
    n_own = len(cls.compartments)
    neurons = []
    for cell, atoms in zip(population.all_cells, population.atomic_neurons):
        sites = recorder.spike_locations.get(int(cell), (0,)) if int(cell) in recorded else ()
        compartments = {}
        for c, size in cls.logical_sizes.items():
            key = halco.CompartmentOnLogicalNeuron(c)
            if c < n_own:
                compartments[key] = gn.Compartment(gn.SpikeMaster(cls.spike_master[c], c in sites), [_RECEPTORS] * size)
            else:
                compartments[key] = gn.Compartment(None, [frozenset()] * size)
        neurons.append(gn.Neuron(coordinate(cls, atoms), compartments))
    return gn.Population(neurons)


def _circuit_neurons(population: Any, neurons: Any) -> list[tuple[int, Any]]:
    """(atom, AtomicNeuron) of every circuit of the population: its parameters on the base
    configuration's neuron of the circuit, the morphology's switches from the placed logical
    neuron, analog output on. Kept until the parameters change (shared by the snippets'
    configurations: not to be changed)."""
    global _ANALOG_OUTPUT_NORMAL
    cached = getattr(population, "_mc_neuron_cache", None)
    if cached is not None and cached[0] == population.version:
        return cached[1]
    import lola

    if _ANALOG_OUTPUT_NORMAL is None:
        _ANALOG_OUTPUT_NORMAL = lola.AtomicNeuron.EventRouting.AnalogOutputMode.normal
    celltype = population.celltype
    cls = type(celltype)
    n = cls.n_circuits
    own_bases, bridges = [], []
    for atoms in population.atomic_neurons:
        placed = cls.logical_neuron.placed_neurons(coordinate(cls, atoms))
        for k, atom in enumerate(atoms.tolist()):
            base = copy.deepcopy(neurons[atom])
            switches = base.multicompartment
            morphology = placed[halco.AtomicNeuronOnDLS.from_enum(atom)].multicompartment
            for name in STRUCTURAL:
                setattr(switches, name, getattr(morphology, name))
            base.multicompartment = switches
            (own_bases if k < n else bridges).append((atom, base))
    built = celltype.atomic_neurons(population.hardware_parameters(), [b for _, b in own_bases])
    out = [(atom, neuron) for (atom, _), neuron in zip(own_bases, built)] + bridges
    for _, neuron in out:
        routing = neuron.event_routing
        routing.analog_output = _ANALOG_OUTPUT_NORMAL
        neuron.event_routing = routing
    population._mc_neuron_cache = (population.version, out)
    return out


def configure(population: Any, neurons: Any, sites: list["Site"]) -> None:
    """Write the population's circuits into ``neurons`` (a chip's
    ``neuron_block.atomic_neurons``), each recorded circuit's readout showing its variable."""
    sources = {s.atom: ANALOG_RECORDABLES[s.variable] for s in sites if s.population is population}
    for atom, neuron in _circuit_neurons(population, neurons):
        source = sources.get(atom)
        if source is not None:
            neuron = showing(neuron, source)
        neurons[atom] = neuron


@attrs.define
class Site:
    """An analog recording site of a multi-compartment cell: the compartment of cell
    ``index`` and the circuit (``circuit``: index in the logical compartment, ``atom``: its
    AtomicNeuronOnDLS enum) whose readout shows ``variable`` to ``device``."""

    population: Any
    index: int
    compartment: int
    circuit: int
    atom: int
    variable: str
    device: str

    def recorded_neuron(self, descriptor: int) -> gn.RecordedNeuron:
        return gn.RecordedNeuron(self.key(descriptor), ANALOG_RECORDABLES[self.variable])

    def key(self, descriptor: int) -> gn.AtomicNeuronOnExecutionInstance:
        return gn.AtomicNeuronOnExecutionInstance(descriptor, self.index, self.compartment, self.circuit)


def _candidates(cls: type, atoms: np.ndarray, compartment: int) -> list[tuple[int, int]]:
    """(logical index, atom) of a compartment's circuits, its first circuit first."""
    own = [(j, int(atoms[k])) for k, (c, j) in enumerate(cls.circuit_slots) if c == compartment]
    first = cls.spike_master[compartment]
    return sorted(own, key=lambda item: item[0] != first)


def recorded_sites(state: Any, madc_columns: list[int]) -> list[Site]:
    """Every analog recording site of the multi-compartment populations. A site is read at
    the compartment's first circuit; for the MADC, whose two channels take circuits in columns
    of different parity, another circuit of the compartment (it shares the membrane) is taken
    where that makes the parities differ (``madc_columns``: the columns of the point neurons
    the MADC records)."""
    pending = []
    for population in state.populations:
        celltype = population.celltype
        if not isinstance(celltype, McNeuronBase):
            continue
        cls, recorder = type(celltype), population.recorder
        for cell, (variable, device) in sorted(recorder.analog.items()):
            if variable not in ANALOG_RECORDABLES:
                continue
            index = int(population.id_to_index(cell))
            for compartment in recorder.locations.get(cell, (0,)):
                pending.append((population, index, compartment,
                                _candidates(cls, population.atomic_neurons[index], compartment), variable, device))
    choice = [p[3][0] for p in pending]
    madc = [i for i, p in enumerate(pending) if p[5] == "madc"]
    if len(madc) + len(madc_columns) > 2:
        raise AnalogRecordingError(f"the MADC records at most two sites; {len(madc) + len(madc_columns)} are asked "
                                   "for (use device='cadc' for more)")
    if len(madc) + len(madc_columns) == 2:
        options = [[(None, c)] for c in madc_columns] + [pending[i][3] for i in madc]
        for combination in itertools.product(*options):
            if combination[0][1] % 256 % 2 != combination[1][1] % 256 % 2:
                for i, picked in zip(madc, combination[len(madc_columns):]):
                    choice[i] = picked
                break
        else:
            raise AnalogRecordingError(
                "the MADC's two recording sites must lie in columns of different parity (one even, one odd); no "
                "circuits of the recorded compartments do")
    return [Site(p[0], p[1], p[2], c[0], c[1], p[4], p[5]) for p, c in zip(pending, choice)]


def distribute(state: Any, snippet: Any, spikes: dict, madc: dict, cadc: dict,
               of: Callable[[Any], Any]) -> None:
    """The multi-compartment populations' recordings of a snippet into their snippet data
    (``of(population)``): spike times and signals keyed by (cell ID, compartment)."""
    from .mapping import cycles_to_ms
    from .recording import parse_device

    plan, time_scale, t_start = snippet.plan, snippet.time_scale, snippet.t_start
    t_stop = t_start + snippet.runtime
    for entry in plan.entries:
        population = entry.population
        if entry.kind != "neurons" or not isinstance(population.celltype, McNeuronBase):
            continue
        recorder = population.recorder
        data = of(population)
        for cell in recorder.recorded_cells("spikes"):
            index = int(population.id_to_index(cell))
            for compartment in recorder.spike_locations.get(cell, (0,)):
                cycles = spikes.get((entry.descriptor, index, compartment))
                data.spikes[(cell, compartment)] = cycles_to_ms(cycles, time_scale) + t_start \
                    if cycles is not None else np.zeros(0)
    for site in plan.sites:
        key = site.key(plan.entry(site.population).descriptor)
        kind, _ = parse_device(site.device)
        if kind == "madc":
            cycles, values = madc.get(key, (np.zeros(0, dtype=np.int64), np.zeros(0)))
            times = cycles_to_ms(cycles, time_scale) + t_start
        elif kind == "cadc":
            if key not in cadc:
                continue
            if isinstance(cadc[key], tuple):
                cycles, values = cadc[key]
                times = cycles_to_ms(cycles, time_scale) + t_start
            else:
                times, values = np.array([t_stop]), np.array([cadc[key]])
        else:
            continue                     # a pad: the signal leaves the chip
        cell = int(site.population.all_cells[site.index])
        of(site.population).signals.setdefault(site.variable, {})[(cell, site.compartment)] = (
            times, np.asarray(values, dtype=float), site.device)


__all__ = ["Site", "configure", "coordinate", "distribute", "grenade_population", "place", "recorded_sites",
           "setup_pattern"]
