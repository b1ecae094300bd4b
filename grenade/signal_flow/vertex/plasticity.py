"""A plasticity rule: a kernel the emulated PPUs run on a timer, over the synapse and neuron
views connected to it."""

from __future__ import annotations

import attrs

from ...errors import InvalidVertexError
from ..port import ConnectionType, Port, PortRestriction
from .base import EntityOnChip, Vertex, chip_field


@attrs.frozen
class Timer:
    """When the kernel runs: ``start``, then every ``period`` PPU cycles (250 MHz),
    ``num_periods`` times."""

    start: int = 0
    period: int = 25000
    num_periods: int = 1


@attrs.frozen(eq=False)
class PlasticityRule(EntityOnChip):
    """``kernel`` (libnux_vm source with ``PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons,
    int32 period)``) run on ``timer`` by the PPU of each hemisphere its views lie on; its inputs
    are synapse views (``synapse_view_sizes``: columns of each) then neuron views
    (``neuron_view_sizes``). ``observables`` name kernel globals read back after every batch
    entry; ``id`` tells rules apart."""

    kernel: str
    timer: Timer = attrs.field(factory=Timer)
    synapse_view_sizes: tuple[int, ...] = attrs.field(default=(), converter=tuple)
    neuron_view_sizes: tuple[int, ...] = attrs.field(default=(), converter=tuple)
    observables: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    id: int = 0
    chip_on_executor: int = chip_field()

    def __attrs_post_init__(self) -> None:
        if not self.synapse_view_sizes and not self.neuron_view_sizes:
            raise InvalidVertexError("a plasticity rule needs at least one synapse or neuron view")

    def inputs(self) -> tuple[Port, ...]:
        return (tuple(Port(n, ConnectionType.SynapticInput) for n in self.synapse_view_sizes)
                + tuple(Port(n, ConnectionType.MembraneVoltage) for n in self.neuron_view_sizes))

    def output(self) -> Port:
        return Port(len(self.observables), ConnectionType.Int8)

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        if restriction is not None:
            return "a plasticity rule takes whole synapse and neuron views (no port restriction)"
        return None

    def apply_config(self, chip: object) -> None:
        """Nothing in the chip's configuration: the executor loads and starts the PPU program."""
