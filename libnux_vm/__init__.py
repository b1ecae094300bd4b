"""libnux_vm: a small C-like kernel language for the PPUs, its compiler and its VM.

The language (parsed with lark, checked before anything runs) has functions, globals that keep
their value between calls, typed locals, ``if/else``, ``for``, ``while``, ``do/while``, ``break``,
``continue``, ``return``, the scalar types ``bool int8 uint8 int16 uint16 int32 uint32``
(``int`` is ``int32``), the 256-lane vector types ``vec_u8`` (modulo) and ``vec_s8``
(saturating, Q0.7 multiply), fixed-size arrays ``T name[N]``, casts, and C's operators with C's
precedence. It compiles to a bytecode image of at most 16 KiB that a numba-compiled stack
machine runs, counting PPU cycles (250 MHz)::

    program = libnux_vm.compile(source)      # CompileError with line, column and a caret
    machine = libnux_vm.Machine(program)
    machine.call("fib", 10)                  # -> 55; Trap on a runtime fault
    machine.read_global("counter"); machine.write_global("counter", 3); machine.cycles

Chip built-ins (``get_weights``, ``set_weights``, ``get_rate_counters``, ``now``, ... each one
declaration in :mod:`libnux_vm.builtins`) compile to a ``HOSTCALL`` instruction that the Machine
checks and hands to its host, or answers itself (``has_row``, ``column_mask``, ``now``):
``Machine(program, host=MemoryHost())`` (a numpy model of the chip, :mod:`libnux_vm.host`);
without a host they trap with kind ``"no_chip"``.

The PPU runtime (:mod:`libnux_vm.runtime`) is what an emulated PPU runs from its memory alone
(:func:`load` rebuilds the program from the image): ``start()`` once, then the program's
:class:`Timer` s (``compile(source, timers=[Timer(start, period, num_periods)])``, calling
``PLASTICITY_RULE_KERNEL`` by default) earliest deadline first, counting missed periods::

    runtime = libnux_vm.Runtime(libnux_vm.Machine(program, host=MemoryHost()))
    runtime.run_to_end()                     # or drive runtime.run() built-in by built-in

A timer may hand its kernel views instead of whole hemispheres, as grenade's plasticity rules
do: ``Timer(..., synapses=SynapseView(0, rows=..., columns=...), neurons=NeuronView(0, ...))``
(:mod:`libnux_vm.views`): the kernel may use only the view's rows, and its writes reach only
the view's columns.

Only numpy, numba and lark are imported: the package knows nothing of a real chip.
"""

from .compiler import MIN_STACK_BYTES, compile
from .builtins import BUILTINS
from .errors import (TRAP_KINDS, BuiltinDeclarationError, CompileError, HostError,
                     HostValueError, ImageError, LibnuxVMError, Trap, UnknownSymbolError)
from .host import Host, MemoryHost
from .machine import DEFAULT_CYCLE_BUDGET, PPU_CYCLES_PER_US, HostCall, Machine, drive
from .program import (MAILBOX_WORDS, MEMORY_BYTES, Entry, Layout, Mailbox, Program, RuntimeStatus,
                      Symbol, load)
from .runtime import KERNEL, Runtime, Timer, Wakeup
from .views import NeuronView, SynapseView

__all__ = ["compile", "Program", "Symbol", "Layout", "Machine", "CompileError", "Trap",
           "HostValueError", "UnknownSymbolError", "LibnuxVMError", "TRAP_KINDS",
           "MEMORY_BYTES", "MIN_STACK_BYTES", "DEFAULT_CYCLE_BUDGET", "PPU_CYCLES_PER_US",
           "Host", "MemoryHost", "HostError", "BUILTINS", "HostCall", "drive", "Entry", "load",
           "ImageError", "KERNEL", "Runtime", "Timer", "Wakeup", "MAILBOX_WORDS", "Mailbox",
           "RuntimeStatus", "SynapseView", "NeuronView", "BuiltinDeclarationError"]
