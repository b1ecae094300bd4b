"""The abstract network: what runs on the chip, described by populations of placed neurons,
spike sources, projections with weights, recordings and plasticity rules (grenade's classic
``network`` layer).

Populations are placed by the user: a :class:`Neuron` sits at a ``halco.LogicalNeuronOnDLS``
(single-compartment neurons at one atomic neuron). A :class:`Projection` holds its connections
as a numpy structured array (:data:`CONNECTION_DTYPE`), so that networks of 10^5 synapses are
built and routed without a Python object per synapse. Weights are whole numbers >= 0 and may
exceed the 6-bit hardware weight: the router splits them over several synapses.

Descriptors are dense indices in insertion order: ``PopulationOnExecutionInstance`` is the index
of a population in its execution instance (as in grenade), the ``*OnNetwork`` forms pair it with
the :class:`~grenade.common.ExecutionInstanceID`.
"""

from __future__ import annotations

import enum
from typing import Any, Iterable, Mapping, Sequence

import attrs
import numpy as np

import halco
from ..common import ExecutionInstanceID
from ..errors import InvalidNetworkError
from ..signal_flow.vertex.plasticity import KernelTimer
from ..signal_flow.vertex.readout import ReadoutSource, readout_source

#: one logical connection: (pre neuron, pre compartment) -> (post neuron, post compartment), weight
CONNECTION_DTYPE = np.dtype([("index_pre", np.int64), ("compartment_pre", np.int64),
                             ("index_post", np.int64), ("compartment_post", np.int64),
                             ("weight", np.int64)])


# -- receptors -------------------------------------------------------------------------------------

@attrs.frozen(order=True)
class Receptor:
    """A synaptic input of a compartment: ``type`` excitatory or inhibitory (the row mode of
    the synapses that reach it); ``id`` tells several receptors of one type apart."""

    class Type(enum.IntEnum):
        excitatory = 0
        inhibitory = 1

    type: "Receptor.Type" = attrs.field(default=0, converter=lambda t: Receptor.Type(t))
    id: int = 0


EXCITATORY = Receptor(Receptor.Type.excitatory)
INHIBITORY = Receptor(Receptor.Type.inhibitory)


# -- on-chip populations -----------------------------------------------------------------------------

@attrs.frozen
class SpikeMaster:
    """The atomic neuron (index into its compartment's list) whose spikes are the compartment's
    spikes, and whether they are recorded."""

    neuron_on_compartment: int = 0
    enable_record_spikes: bool = False


@attrs.frozen
class Compartment:
    """``spike_master`` (None: the compartment does not spike) and, per atomic neuron of the
    compartment, the receptors it offers."""

    spike_master: SpikeMaster | None = None
    receptors: tuple[frozenset[Receptor], ...] = attrs.field(
        default=(), converter=lambda rs: tuple(frozenset(r) for r in rs))


@attrs.frozen
class Neuron:
    """A placed (possibly multi-compartment) neuron: its ``coordinate`` and its compartments."""

    coordinate: halco.LogicalNeuronOnDLS
    compartments: Mapping[halco.CompartmentOnLogicalNeuron, Compartment] = attrs.field(
        converter=lambda c: dict(sorted(c.items())))

    def atomic_neurons(self, compartment: halco.CompartmentOnLogicalNeuron) -> tuple[halco.AtomicNeuronOnDLS, ...]:
        return self.coordinate.get_placed_compartments()[compartment]


def single_compartment(atomic: halco.AtomicNeuronOnDLS) -> halco.LogicalNeuronOnDLS:
    """The placement of a one-circuit neuron at ``atomic``."""
    pattern = halco.LogicalNeuronCompartments({0: [halco.AtomicNeuronOnLogicalNeuron()]})
    return halco.LogicalNeuronOnDLS(pattern, atomic)


@attrs.frozen
class Population:
    """Neurons on the chip, each already placed."""

    neurons: tuple[Neuron, ...] = attrs.field(converter=tuple)

    @classmethod
    def from_atomic_neurons(cls, atomic_neurons: Iterable[halco.AtomicNeuronOnDLS | int],
                            record_spikes: bool | Sequence[bool] = True,
                            receptors: Iterable[Receptor] = (EXCITATORY, INHIBITORY)) -> "Population":
        """One single-compartment neuron per atomic neuron (coordinates or AtomicNeuronOnDLS
        enums), each a spike master offering ``receptors``."""
        atoms = [a if isinstance(a, halco.AtomicNeuronOnDLS) else halco.AtomicNeuronOnDLS.from_enum(a)
                 for a in atomic_neurons]
        record = np.broadcast_to(np.asarray(record_spikes, dtype=bool), (len(atoms),))
        receptor_set = frozenset(receptors)
        neurons = [Neuron(single_compartment(a), {halco.CompartmentOnLogicalNeuron(0): Compartment(
            SpikeMaster(0, bool(r)), (receptor_set,))}) for a, r in zip(atoms, record)]
        return cls(neurons)

    def __len__(self) -> int:
        return len(self.neurons)

    def atomic_neurons(self) -> list[halco.AtomicNeuronOnDLS]:
        """Every atomic neuron the population occupies."""
        return [a for n in self.neurons for a in n.coordinate.get_atomic_neurons()]

    def compartment_atoms(self) -> list[dict[int, list[int]]]:
        """Per neuron: compartment enum -> the AtomicNeuronOnDLS enums of its atomic neurons
        (in the compartment's order): the one table of where each compartment lies, for the
        router, the graph builder and the extraction."""
        return [{comp.value(): [a.to_enum() for a in atoms]
                 for comp, atoms in sorted(n.coordinate.get_placed_compartments().items())}
                for n in self.neurons]


# -- off-chip and background sources -----------------------------------------------------------------

def _record_flags(flags: Any) -> tuple[bool, ...] | None:
    return None if flags is None else tuple(bool(f) for f in np.atleast_1d(flags))


class _SourcePopulation:
    """What source populations share: ``size`` neurons, each recorded or not (default not)."""

    size: int
    enable_record_spikes: tuple[bool, ...] | None

    def __attrs_post_init__(self) -> None:
        if self.enable_record_spikes is None:
            object.__setattr__(self, "enable_record_spikes", (False,) * int(self.size))

    def __len__(self) -> int:
        return int(self.size)


@attrs.frozen
class ExternalSourcePopulation(_SourcePopulation):
    """Spike sources on the host (the FPGA plays their spikes in); ``enable_record_spikes`` per
    neuron loops their spikes back into the recording."""

    size: int
    enable_record_spikes: tuple[bool, ...] = attrs.field(default=None, converter=_record_flags)


@attrs.frozen
class BackgroundSourceConfig:
    """A background spike generator: a spike every ``period + 1`` clock cycles, with
    ``enable_random`` a Poisson-like train (a spike in a bin with probability ``(rate + 1) / 256``)
    and random low label bits spreading it over the population; ``seed`` of its generator."""

    period: int = 100
    rate: int = 255
    seed: int = 0x9E3779B9
    enable_random: bool = False


@attrs.frozen
class BackgroundSourcePopulation(_SourcePopulation):
    """On-chip background spike sources on one PADI bus per hemisphere (``coordinate``:
    HemisphereOnDLS -> PADIBusOnPADIBusBlock); a Poisson population's size is a power of two."""

    size: int
    coordinate: Mapping[halco.HemisphereOnDLS, halco.PADIBusOnPADIBusBlock]
    config: BackgroundSourceConfig = attrs.field(factory=BackgroundSourceConfig)
    enable_record_spikes: tuple[bool, ...] = attrs.field(default=None, converter=_record_flags)


AnyPopulation = Population | ExternalSourcePopulation | BackgroundSourcePopulation


# -- projections ----------------------------------------------------------------------------------------

def connections_array(connections: Any) -> np.ndarray:
    """Connections as a :data:`CONNECTION_DTYPE` array from such an array, an ``(n, 5)`` integer
    array (pre, pre compartment, post, post compartment, weight) or ``(n, 3)`` (pre, post,
    weight; compartments 0)."""
    if isinstance(connections, np.ndarray) and connections.dtype == CONNECTION_DTYPE:
        return connections.copy()
    arr = np.asarray(connections)
    if arr.size == 0:
        return np.zeros(0, dtype=CONNECTION_DTYPE)
    if arr.ndim != 2 or arr.shape[1] not in (3, 5):
        raise InvalidNetworkError(f"connections must be an (n, 5) array (pre, pre compartment, post, "
                                  f"post compartment, weight) or (n, 3) (pre, post, weight), not "
                                  f"shape {arr.shape}")
    if arr.dtype.kind == "f":
        whole = np.isfinite(arr) & (arr == np.round(arr))
        if not whole.all():
            bad = int(np.flatnonzero((~whole).any(axis=1))[0])
            raise InvalidNetworkError(f"connection {bad}: {arr[bad].tolist()} holds a value that is "
                                      f"not a whole number (weights are whole numbers >= 0)")
    elif arr.dtype.kind not in "iu":
        raise InvalidNetworkError(f"connections must hold integers, not {arr.dtype}")
    arr = arr.astype(np.int64)
    out = np.zeros(len(arr), dtype=CONNECTION_DTYPE)
    if arr.shape[1] == 3:
        out["index_pre"], out["index_post"], out["weight"] = arr[:, 0], arr[:, 1], arr[:, 2]
    else:
        for i, name in enumerate(CONNECTION_DTYPE.names):
            out[name] = arr[:, i]
    return out


@attrs.frozen(eq=False)
class Projection:
    """Connections from ``population_pre`` to ``population_post`` (descriptors in the same
    execution instance) onto the post compartments' ``receptor``. ``connections`` is a
    :data:`CONNECTION_DTYPE` array (anything :func:`connections_array` takes)."""

    receptor: Receptor
    connections: np.ndarray = attrs.field(converter=connections_array)
    population_pre: int
    population_post: int

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Projection):
            return NotImplemented
        return (self.receptor == other.receptor and self.population_pre == other.population_pre
                and self.population_post == other.population_post
                and np.array_equal(self.connections, other.connections))

    def same_topology(self, other: "Projection") -> bool:
        """Whether ``other`` differs at most in weights that need as many hardware synapses."""
        if not isinstance(other, Projection) or len(self.connections) != len(other.connections):
            return False
        fields = ["index_pre", "compartment_pre", "index_post", "compartment_post"]
        return (self.receptor == other.receptor and self.population_pre == other.population_pre
                and self.population_post == other.population_post
                and all(np.array_equal(self.connections[f], other.connections[f]) for f in fields)
                and np.array_equal(synapses_needed(self.connections["weight"]),
                                   synapses_needed(other.connections["weight"])))


def synapses_needed(weights: np.ndarray) -> np.ndarray:
    """Hardware synapses per connection: ``max(1, ceil(weight / 63))``."""
    return np.maximum(1, -(-np.asarray(weights, dtype=np.int64) // 63))


# -- recordings and plasticity ---------------------------------------------------------------------------

@attrs.frozen(order=True)
class AtomicNeuronOnExecutionInstance:
    """One atomic neuron of a population: (population, neuron on it, compartment, atomic neuron
    on the compartment)."""

    population: int
    neuron_on_population: int = 0
    compartment_on_neuron: int = 0
    atomic_neuron_on_compartment: int = 0


def _readout_source(value: Any) -> "ReadoutSource":
    return readout_source(value, InvalidNetworkError)


@attrs.frozen
class RecordedNeuron:
    """A neuron a readout records, and which of its potentials (``source``; the CADC reads
    membranes only)."""

    coordinate: AtomicNeuronOnExecutionInstance
    source: ReadoutSource = attrs.field(default=ReadoutSource.membrane, converter=_readout_source)


@attrs.frozen
class MADCRecording:
    """The membrane ADC records one or two neurons (in columns of different parity)."""

    neurons: tuple[RecordedNeuron, ...] = attrs.field(converter=tuple)


@attrs.frozen
class CADCRecording:
    """The columnar ADC reads the membranes of the given neurons every ``period_us`` during the
    run, each read with its time (0: once, after the run)."""

    neurons: tuple[RecordedNeuron, ...] = attrs.field(converter=tuple)
    period_us: float = 0.0


@attrs.frozen
class PlasticityTimer(KernelTimer):
    """When a plasticity rule's kernel runs: at ``start`` and then every ``period`` (PPU cycles,
    250 MHz) for ``num_periods`` times."""

    error = InvalidNetworkError


@attrs.frozen
class PlasticityRule:
    """A kernel in the libnux_vm language (entry point ``void PLASTICITY_RULE_KERNEL(int32
    synapses, int32 neurons, int32 period)``) run on the PPUs on a ``timer``; it sees the
    synapses of ``projections`` and the neurons of ``populations`` (descriptors in its
    execution instance) through handles: on each PPU, ``synapses + k`` is the k-th of the
    projections with synapses on that hemisphere (in the order given; the rows and columns of
    that projection's synapses), ``neurons + k`` likewise for the populations (see
    :mod:`grenade.signal_flow.vertex.plasticity`). Each batch entry starts from the configured
    weights and the kernel's initial globals."""

    kernel: str
    timer: PlasticityTimer = attrs.field(factory=PlasticityTimer)
    projections: tuple[int, ...] = attrs.field(default=(), converter=tuple)
    populations: tuple[int, ...] = attrs.field(default=(), converter=tuple)
    #: globals of the kernel read back after the run (name -> per batch entry values)
    observables: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    id: int = 0


# -- the network -----------------------------------------------------------------------------------------

def relay_connections(connections: Any) -> np.ndarray:
    """Relayed connections as a :data:`CONNECTION_DTYPE` array: anything
    :func:`connections_array` takes, or an ``(n, 2)`` array of (pre, post) pairs (weight 1)."""
    arr = connections if isinstance(connections, np.ndarray) else np.asarray(connections)
    if arr.dtype != CONNECTION_DTYPE and arr.ndim == 2 and arr.shape[1] == 2:
        arr = np.concatenate([arr, np.ones((len(arr), 1), dtype=arr.dtype)], axis=1)
    return connections_array(arr)


@attrs.frozen
class InterExecutionInstanceProjection:
    """Spikes recorded in one instance played into another (later) one, delayed by
    ``delay_us``: each spike of pre neuron ``index_pre`` (population ``population_pre`` =
    (instance, population)) becomes a spike of source ``index_post`` of the external source
    population ``population_post`` of the later instance. ``connections`` are (pre, post)
    pairs, or rows of :func:`connections_array` with weight 1: a relay copies spikes, the
    weights are those of the later instance's projections from the source population."""

    connections: np.ndarray = attrs.field(converter=relay_connections)
    population_pre: tuple[ExecutionInstanceID, int]
    population_post: tuple[ExecutionInstanceID, int]
    delay_us: float = 0.0


@attrs.define
class ExecutionInstance:
    """What runs in one execution instance."""

    populations: list = attrs.field(factory=list)
    projections: list = attrs.field(factory=list)
    madc_recording: MADCRecording | None = None
    cadc_recording: CADCRecording | None = None
    plasticity_rules: list = attrs.field(factory=list)


@attrs.define
class Network:
    """A network: its execution instances, the projections between them and the instances in
    an order in which every one comes after those it takes spikes from."""

    execution_instances: dict[ExecutionInstanceID, ExecutionInstance] = attrs.field(factory=dict)
    inter_execution_instance_projections: list = attrs.field(factory=list)
    topologically_sorted_execution_instance_ids: list = attrs.field(factory=list)
