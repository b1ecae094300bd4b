"""Neurons in the graph: a view of neuron columns of one row, and their event outputs."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

import halco
import lola
from ...errors import InvalidVertexError
from ..port import ConnectionType, Port, PortRestriction
from .base import EntityOnChip, Vertex, chip_field, restricted


def _columns(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=np.int64).reshape(-1)
    if len(np.unique(arr)) != len(arr) or (arr.size and (arr.min() < 0 or arr.max() > 255)):
        raise InvalidVertexError(f"neuron columns must be unique and lie in 0..255, not {arr.tolist()}")
    return arr


@attrs.frozen
class NeuronConfig:
    """What a neuron view configures of one neuron: its spike ``label`` (the 8-bit AddressOut;
    None: its spikes do not leave) and ``enable_reset``: whether the executor resets it
    (``NeuronReset``: membrane to the reset potential, refractory period) before the
    realtime section of every batch entry, as grenade's neuron resets; without, the neuron
    starts each entry where the previous one (or the configuration) left it."""

    label: int | None = None
    enable_reset: bool = True

    def __attrs_post_init__(self) -> None:
        label = self.label
        if label is not None and (isinstance(label, bool) or not isinstance(label, (int, np.integer))
                                  or not 0 <= label <= 255):
            raise InvalidVertexError(f"a neuron's label (AddressOut) is an int 0..255 or None, not {label!r}")
        if not isinstance(self.enable_reset, (bool, np.bool_)):
            raise InvalidVertexError(f"NeuronConfig.enable_reset is a bool, not {self.enable_reset!r}")


@attrs.frozen(eq=False)
class NeuronView(EntityOnChip):
    """Neurons at ``columns`` of neuron ``row`` (= synram); each input is the synaptic input of
    (a restriction of) a synapse view onto exactly these columns."""

    columns: np.ndarray = attrs.field(converter=_columns)
    configs: tuple[NeuronConfig, ...] = attrs.field(converter=tuple)
    row: halco.NeuronRowOnDLS = attrs.field(
        converter=lambda r: r if isinstance(r, halco.NeuronRowOnDLS) else halco.NeuronRowOnDLS(r))
    chip_on_executor: int = chip_field()
    variadic_input = True

    def __attrs_post_init__(self) -> None:
        if len(self.configs) != len(self.columns):
            raise InvalidVertexError(f"NeuronView: {len(self.configs)} configs for "
                                     f"{len(self.columns)} columns")

    def inputs(self) -> tuple[Port, ...]:
        return (Port(len(self.columns), ConnectionType.SynapticInput),)

    def output(self) -> Port:
        return Port(len(self.columns), ConnectionType.MembraneVoltage)

    def atomic_neurons(self) -> list[halco.AtomicNeuronOnDLS]:
        return [halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(int(c)), self.row) for c in self.columns]

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        # the synaptic input comes from a synapse view (the port type says so): its synram and
        # (restricted) columns must be these neurons'
        if source.output().type is ConnectionType.SynapticInput:
            if source.synram.value() != self.row.value():
                return f"the synapse view lies on synram {source.synram.value()}, the neurons on row {self.row.value()}"
            columns = restricted(source.columns, restriction)
            if not np.array_equal(columns, self.columns):
                return (f"the synapse view's columns {columns.tolist()[:8]}... do not equal the neuron "
                        f"columns {self.columns.tolist()[:8]}...")
        return None

    def apply_config(self, chip: lola.Chip) -> None:
        neurons = chip.neuron_block.atomic_neurons
        for column, config in zip(self.columns.tolist(), self.configs):
            neuron = neurons[self.row.value() * 256 + column]
            routing = neuron.event_routing
            if config.label is not None:
                routing.address = int(config.label)
            routing.enable_digital = config.label is not None
            neuron.event_routing = routing


@attrs.frozen(eq=False)
class NeuronEventOutputView(EntityOnChip):
    """The event outputs of groups of neurons: ``neurons`` maps a neuron row to its column
    groups, one input port (a neuron view's output) per group; the output carries one channel
    per distinct event output (column // 32) the groups use."""

    neurons: dict = attrs.field(converter=lambda d: {
        int(r): tuple(tuple(int(c) for c in g) for g in groups) for r, groups in sorted(d.items())})
    chip_on_executor: int = chip_field()

    def groups(self) -> list[tuple[int, tuple[int, ...]]]:
        return [(row, group) for row, groups in self.neurons.items() for group in groups]

    def event_outputs(self) -> list[int]:
        """Crossbar inputs (NeuronEventOutputOnDLS enums) the neurons' spikes enter."""
        columns = {c for _, g in self.groups() for c in g}
        return sorted({c // 32 for c in columns})

    def inputs(self) -> tuple[Port, ...]:
        return tuple(Port(len(g), ConnectionType.MembraneVoltage) for _, g in self.groups())

    def output(self) -> Port:
        return Port(len(self.event_outputs()), ConnectionType.CrossbarInputLabel)

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        if isinstance(source, NeuronView):
            row, group = self.groups()[index]
            columns = restricted(source.columns, restriction)
            if source.row.value() != row or columns.tolist() != list(group):
                return (f"input {index} is row {row} columns {list(group)[:8]}..., the neuron view "
                        f"gives row {source.row.value()} columns {columns.tolist()[:8]}...")
        return None

    def apply_config(self, chip: lola.Chip) -> None:
        """Nothing to configure: the crossbar nodes route the outputs."""
