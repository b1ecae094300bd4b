"""Event routing on the chip: the FPGA links, background sources, crossbar nodes, PADI buses and
synapse drivers. Each applies its configuration to a ``lola.Chip`` (``apply_config``)."""

from __future__ import annotations

import attrs

import halco
import haldls
import lola
from ..port import ConnectionType, Port, PortRestriction
from .base import EntityOnChip, Vertex, chip_field, int_field
from .neuron import NeuronEventOutputView

_ROW_MODE = haldls.SynapseDriverConfig.RowMode


def _coordinate(kind: type):
    def convert(value: object) -> object:
        return value if isinstance(value, kind) else kind.from_enum(value)
    return convert


@attrs.frozen(eq=False)
class CrossbarL2Input(EntityOnChip):
    """Spikes from the FPGA entering the crossbar (the four L2 links shown merged)."""

    chip_on_executor: int = chip_field()
    variadic_input = True

    def inputs(self) -> tuple[Port, ...]:
        return (Port(1, ConnectionType.TimedSpikeToChipSequence),)

    def output(self) -> Port:
        return Port(1, ConnectionType.CrossbarInputLabel)

    def apply_config(self, chip: lola.Chip) -> None:
        """Nothing to configure: the FPGA always feeds the L2 inputs."""


@attrs.frozen(eq=False)
class BackgroundSpikeSource(EntityOnChip):
    """An on-chip background spike generator at ``coordinate`` with ``config``."""

    coordinate: halco.BackgroundSpikeSourceOnDLS = attrs.field(
        converter=_coordinate(halco.BackgroundSpikeSourceOnDLS))
    config: haldls.BackgroundSpikeSource = attrs.field(factory=haldls.BackgroundSpikeSource)
    chip_on_executor: int = chip_field()

    def output(self) -> Port:
        return Port(1, ConnectionType.CrossbarInputLabel)

    def crossbar_input(self) -> halco.CrossbarInputOnDLS:
        return self.coordinate.to_crossbar_input_on_dls()

    def apply_config(self, chip: lola.Chip) -> None:
        chip.background_spike_sources[self.coordinate.value()] = self.config


@attrs.frozen(eq=False)
class CrossbarNode(EntityOnChip):
    """The crossbar node at ``coordinate``: an event passes iff ``(label & mask) == target``."""

    coordinate: halco.CrossbarNodeOnDLS = attrs.field(converter=_coordinate(halco.CrossbarNodeOnDLS))
    config: haldls.CrossbarNode = attrs.field(factory=haldls.CrossbarNode)
    chip_on_executor: int = chip_field()

    def inputs(self) -> tuple[Port, ...]:
        return (Port(1, ConnectionType.CrossbarInputLabel),)

    def output(self) -> Port:
        return Port(1, ConnectionType.CrossbarOutputLabel)

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        node_input = self.coordinate.y.value()
        if isinstance(source, BackgroundSpikeSource) and source.crossbar_input().value() != node_input:
            return (f"background source {source.coordinate.value()} enters the crossbar at input "
                    f"{source.crossbar_input().value()}, this node takes input {node_input}")
        if isinstance(source, CrossbarL2Input) and not 8 <= node_input < 12:
            return f"the FPGA enters at crossbar inputs 8..11, this node takes input {node_input}"
        if isinstance(source, NeuronEventOutputView):
            outputs = source.event_outputs()
            if restriction is not None:
                outputs = outputs[restriction.min:restriction.max + 1]
            if outputs != [node_input]:
                return (f"the neuron view's event outputs (restricted) are {outputs}, this node "
                        f"takes input {node_input} only")
        return None

    def apply_config(self, chip: lola.Chip) -> None:
        chip.crossbar.nodes[self.coordinate.to_enum()] = self.config


@attrs.frozen(eq=False)
class PADIBus(EntityOnChip):
    """A PADI bus (``coordinate``) carrying crossbar events to its 32 synapse drivers."""

    coordinate: halco.PADIBusOnDLS = attrs.field(converter=_coordinate(halco.PADIBusOnDLS))
    chip_on_executor: int = chip_field()
    variadic_input = True

    def inputs(self) -> tuple[Port, ...]:
        return (Port(1, ConnectionType.CrossbarOutputLabel),)

    def output(self) -> Port:
        return Port(1, ConnectionType.SynapseDriverInputLabel)

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        if isinstance(source, CrossbarNode) and source.coordinate.x.value() != self.coordinate.to_enum():
            return (f"crossbar node {source.coordinate!r} feeds output {source.coordinate.x.value()}, "
                    f"this is PADI bus {self.coordinate.to_enum()}")
        return None

    def apply_config(self, chip: lola.Chip) -> None:
        block, bus = self.coordinate.parent.value(), self.coordinate.local.value()
        padi = chip.synapse_driver_blocks[block].padi_bus
        enable = list(padi.enable_spl1)
        enable[bus] = True
        chip.synapse_driver_blocks[block].padi_bus = attrs.evolve(padi, enable_spl1=enable)


@attrs.frozen(eq=False)
class SynapseDriver(EntityOnChip):
    """A synapse driver (``coordinate``): it passes events whose row-select address matches its
    position on the bus under ``row_address_compare_mask`` to its two rows, whose modes are
    ``row_modes`` (top, bottom)."""

    coordinate: halco.SynapseDriverOnDLS = attrs.field(converter=_coordinate(halco.SynapseDriverOnDLS))
    row_address_compare_mask: int = int_field("SynapseDriver.row_address_compare_mask (5 bits)", 0, 0b11111,
                                              default=0b11111)
    row_modes: tuple = attrs.field(default=(_ROW_MODE.excitatory, _ROW_MODE.excitatory),
                                   converter=lambda m: tuple(_ROW_MODE(x) for x in m))
    enable_address_out: bool = True
    chip_on_executor: int = chip_field()

    def inputs(self) -> tuple[Port, ...]:
        return (Port(1, ConnectionType.SynapseDriverInputLabel),)

    def output(self) -> Port:
        return Port(1, ConnectionType.SynapseInputLabel)

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        if isinstance(source, PADIBus) and source.coordinate != self.coordinate.to_padi_bus_on_dls():
            return (f"synapse driver {self.coordinate.to_enum()} sits on PADI bus "
                    f"{self.coordinate.to_padi_bus_on_dls().to_enum()}, not on "
                    f"{source.coordinate.to_enum()}")
        return None

    def apply_config(self, chip: lola.Chip) -> None:
        block, local = self.coordinate.parent.value(), self.coordinate.local.value()
        drivers = chip.synapse_driver_blocks[block].synapse_drivers
        drivers[local] = attrs.evolve(
            drivers[local], enable_receiver=True, row_address_compare_mask=self.row_address_compare_mask,
            row_mode_top=self.row_modes[0], row_mode_bottom=self.row_modes[1],
            enable_address_out=self.enable_address_out)


@attrs.frozen(eq=False)
class CrossbarL2Output(EntityOnChip):
    """Events leaving the crossbar to the FPGA, recorded as timed spikes (one per execution
    instance: connect every crossbar node to an L2 output to it)."""

    chip_on_executor: int = chip_field()
    variadic_input = True
    one_per_execution_instance = "the FPGA records each spike that leaves the chip once"

    def inputs(self) -> tuple[Port, ...]:
        return (Port(1, ConnectionType.CrossbarOutputLabel),)

    def output(self) -> Port:
        return Port(1, ConnectionType.TimedSpikeFromChipSequence)

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        if isinstance(source, CrossbarNode) and source.coordinate.x.value() < 8:
            return (f"crossbar node {source.coordinate!r} feeds a PADI bus, not an L2 output "
                    "(outputs 8..11)")
        return None

    def apply_config(self, chip: lola.Chip) -> None:
        """Nothing to configure: the executor turns event recording on."""
