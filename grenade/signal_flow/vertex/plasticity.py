"""A plasticity rule: a kernel the emulated PPUs run on a timer, over the synapse and neuron
views connected to it.

The kernel's entry point is ``void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons,
int32 period)``, the signature of the real grenade's kernels (their handle arrays become handle
numbers here): the PPU of each hemisphere the rule's views lie on calls it once per timer
period with

- ``synapses``: the handle of the first of the rule's synapse views on that hemisphere; the
  k-th of them (in the order of the rule's inputs) is ``synapses + k``. Each view holds the
  rows and columns of one projection's synapses on the hemisphere, so that a rule reaches only
  the synapses it was given;
- ``neurons``: likewise the handle of the first neuron view, the k-th is ``neurons + k``;
- ``period``: the index of the period.

A handle of a kind the rule has no view of on that hemisphere names a view of the other
hemisphere: a kernel that uses it stops with a trap (``other_hemisphere``, in
``ExecutionHealth.ppu_traps``), so that a rule never reaches synapses or neurons it was not
given.
"""

from __future__ import annotations

from typing import Any, ClassVar, Sequence

import attrs
import numpy as np

import libnux_vm
from libnux_vm.runtime import DISPATCH_CYCLES
from libnux_vm.typesys import INT32, VOID
from ...errors import InvalidVertexError
from ..port import ConnectionType, Port, PortRestriction
from .base import EntityOnChip, Vertex, chip_field

#: the signature every plasticity kernel has
KERNEL_SIGNATURE = "void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period)"


def timer_problem(start: Any, period: Any, num_periods: Any) -> str | None:
    """Why a kernel timer (PPU cycles, 250 MHz) cannot be, or None."""
    for name, value in (("start", start), ("period", period), ("num_periods", num_periods)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            return f"{name} is an int (PPU cycles, 250 per us), not {type(value).__name__} {value!r}"
    if start < 0 or num_periods < 0 or period <= DISPATCH_CYCLES:
        return (f"needs start >= 0, period > {DISPATCH_CYCLES} PPU cycles (a shorter period is over "
                f"before the scheduler has called the kernel) and num_periods >= 0, not start={start}, "
                f"period={period}, num_periods={num_periods}")
    return None


def compile_kernel(kernel: Any, timers: Sequence[libnux_vm.Timer] = (), observables: Sequence[str] = (),
                   error: type[Exception] = InvalidVertexError,
                   what: str = "a plasticity rule") -> libnux_vm.Program:
    """The kernel compiled with ``timers``, checked to define ``PLASTICITY_RULE_KERNEL`` with
    :data:`KERNEL_SIGNATURE` and every name of ``observables`` as a global. Raises ``error``
    (the caller layer's), its message starting with ``what``: for syntax and type errors with
    the line and a caret (the ``libnux_vm.CompileError`` is chained), or naming what is missing."""
    if not isinstance(kernel, str):
        raise error(f"{what}: a kernel is libnux_vm source text (str), not {type(kernel).__name__}")
    try:
        program = libnux_vm.compile(kernel, timers=timers)
    except libnux_vm.CompileError as err:
        raise error(f"{what}: the kernel does not compile:\n{err}") from err
    except libnux_vm.HostValueError as err:
        raise error(f"{what}: {err}") from err
    symbol = program.symbols.get("PLASTICITY_RULE_KERNEL")
    if symbol is None or symbol.kind != "function":
        raise error(f"{what}: the kernel defines no PLASTICITY_RULE_KERNEL function; it needs "
                    f"{KERNEL_SIGNATURE}")
    if tuple(symbol.type.params) != (INT32,) * 3 or symbol.type.ret != VOID:
        raise error(f"{what}: PLASTICITY_RULE_KERNEL is {symbol.type}; it must be {KERNEL_SIGNATURE} "
                    "(the handles of its synapse and neuron views and the period index)")
    for name in observables:
        found = program.symbols.get(name)
        if found is None or found.kind != "global" or name.startswith("__"):
            raise error(f"{what}: observable {name!r} is not a global of the kernel")
    return program


@attrs.frozen
class KernelTimer:
    """When a kernel runs: ``start``, then every ``period`` PPU cycles (250 MHz),
    ``num_periods`` times; checked on construction (raising the subclass's ``error``)."""

    start: int = 0
    period: int = 25000
    num_periods: int = 1
    error: ClassVar[type[Exception]] = InvalidVertexError

    def __attrs_post_init__(self) -> None:
        problem = timer_problem(self.start, self.period, self.num_periods)
        if problem:
            raise self.error(f"{type(self).__name__}: {problem}")


@attrs.frozen
class Timer(KernelTimer):
    """When a plasticity rule vertex's kernel runs: ``start``, then every ``period`` PPU
    cycles (250 MHz), ``num_periods`` times."""


def _sizes(what: str):
    def convert(values: Any) -> tuple[int, ...]:
        out = tuple(values)
        if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in out):
            raise InvalidVertexError(f"PlasticityRule.{what} are the column counts (ints >= 1) of its "
                                     f"views, not {list(out)}")
        return tuple(int(n) for n in out)
    return convert


@attrs.frozen(eq=False)
class PlasticityRule(EntityOnChip):
    """``kernel`` (libnux_vm source with :data:`KERNEL_SIGNATURE`) run on ``timer`` by the PPU
    of each hemisphere its views lie on; its inputs are synapse views (``synapse_view_sizes``:
    columns of each) then neuron views (``neuron_view_sizes``). ``observables`` name kernel
    globals read back after every batch entry (``OutputData.observables``: its results; the
    rule has no output port to connect); ``id`` tells rules apart."""

    kernel: str
    timer: Timer = attrs.field(factory=Timer)
    synapse_view_sizes: tuple[int, ...] = attrs.field(default=(), converter=_sizes("synapse_view_sizes"))
    neuron_view_sizes: tuple[int, ...] = attrs.field(default=(), converter=_sizes("neuron_view_sizes"))
    observables: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    id: int = 0
    chip_on_executor: int = chip_field()
    no_output = ("a plasticity rule's results are its observables, read back into "
                 "OutputData.observables[rule vertex]; it has no output to connect")

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.kernel, str):
            raise InvalidVertexError(f"PlasticityRule.kernel is libnux_vm source text, not "
                                     f"{type(self.kernel).__name__}")
        if not isinstance(self.timer, Timer):
            raise InvalidVertexError(f"PlasticityRule.timer is a grenade Timer, not {self.timer!r}")
        if not self.synapse_view_sizes and not self.neuron_view_sizes:
            raise InvalidVertexError("a plasticity rule needs at least one synapse or neuron view")
        if any(not isinstance(o, str) for o in self.observables):
            raise InvalidVertexError(f"PlasticityRule.observables are names of kernel globals, not "
                                     f"{list(self.observables)}")

    def inputs(self) -> tuple[Port, ...]:
        return (tuple(Port(n, ConnectionType.SynapticInput) for n in self.synapse_view_sizes)
                + tuple(Port(n, ConnectionType.MembraneVoltage) for n in self.neuron_view_sizes))

    def output(self) -> Port:
        return Port(0, ConnectionType.Int8)

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        if restriction is not None:
            return "a plasticity rule takes whole synapse and neuron views (no port restriction)"
        return None

    def apply_config(self, chip: object) -> None:
        """Nothing in the chip's configuration: the executor loads and starts the PPU program."""
