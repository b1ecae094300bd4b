"""A standalone PPU: the program's image in 16 KiB of memory, and the VM that runs it.

``Machine(program).call("fib", 10)`` runs one function to completion (or to a trap) and
returns its value. Globals live in the machine's memory, so they keep their values between
calls; ``read_global`` and ``write_global`` access them from the host. ``cycles`` counts the PPU
cycles (250 MHz, 4 ns each) of all calls so far, by the cost table of :mod:`libnux_vm.isa`.

Chip built-ins: when the interpreter stops at ``HOSTCALL`` (status ``vm.HOST_CALL``), the
machine pops the arguments, charges the built-in's cost against the same budget and checks the
handle, row and other arguments, all as its declaration says (:mod:`libnux_vm.builtins`). It
answers the call itself if the declaration gives an answer (and the host does not override
it), else calls ``host.<name>(...)``; it pushes the result and resumes the interpreter at the
next instruction. A :class:`~libnux_vm.errors.HostError` from the checks or the host becomes a
:class:`~libnux_vm.errors.Trap` at the line of the call.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Generator

import numpy as np

from . import isa, vm
from .builtins import BY_ID, ROWS, Builtin
from .errors import HostError, HostValueError, Trap
from .host import Host, no_chip
from .program import MEMORY_BYTES, Program, Symbol
from .semantics import from_word
from .typesys import VOID, VectorType, value_words
from .views import FIRST_VIEW, VIEW_WORDS, decode_view
from .values import DTYPES as _DTYPES, global_bytes, global_value, to_words as _to_words

PPU_CYCLES_PER_US = 250
#: default cycle budget of one call: 10 ms of PPU time at 250 MHz
DEFAULT_CYCLE_BUDGET = 2_500_000

_HEMISPHERES = ("top", "bottom")


@dataclass(frozen=True)
class HostCall:
    """A chip built-in the kernel issued: what :meth:`Machine.run` yields.

    ``args`` are Python values without the handle (already checked); ``issued`` and ``done`` are
    the machine's cycle counts when the call started and when its cost has been paid;
    ``columns`` is the mask (256 booleans) of the columns a write may change, None for all."""
    builtin: Builtin
    args: tuple
    issued: int
    done: int
    columns: np.ndarray | None = None

    def dispatch(self, host: Host) -> object:
        """Carry the call out on ``host``; returns the built-in's result. A host without the
        built-in's method raises a ``"no_chip"`` HostError."""
        method = getattr(host, self.builtin.name, None)
        if method is None:
            raise no_chip(host, self.builtin.name)
        if self.columns is not None:
            return method(*self.args, columns=self.columns)
        return method(*self.args)


def host_answers(host: object, builtin: Builtin) -> bool:
    """Whether ``host`` carries out ``builtin`` rather than the machine: always for a built-in
    without the machine's answer, and for one the host may answer if its class overrides
    :class:`~libnux_vm.host.Host`'s method."""
    if builtin.answer is None:
        return True
    if not builtin.host_may_answer:
        return False
    base = getattr(Host, builtin.name, None)
    return getattr(type(host), builtin.name, base) is not base


def drive(run: Generator[HostCall, object, object], host: Host) -> object:
    """Run a :meth:`Machine.run` generator to its end, carrying out every built-in on
    ``host`` at once; returns the function's value (a Trap propagates)."""
    try:
        request = next(run)
        while True:
            try:
                result = request.dispatch(host)
            except HostError as err:
                request = run.throw(err)
                continue
            request = run.send(result)
    except StopIteration as stop:
        return stop.value


class Machine:
    """One PPU running one :class:`~libnux_vm.program.Program`.

    ``host`` (a :class:`~libnux_vm.host.Host`, or None) runs the chip built-ins the kernel
    calls (:mod:`libnux_vm.builtins`); without one, a built-in call traps with kind
    ``"no_chip"``. The host's cycle cost of a built-in counts against the budget.

    ``cycle_budget`` is the most PPU cycles one :meth:`call` may take before it traps with
    kind ``"cycle_budget"``.

    ``memory`` (optional) is the PPU memory to run in: a writable uint8 array of 16384 bytes
    that already holds the program's image (an emulated PPU passes its SRAM); by default the
    machine has its own, loaded with the image."""

    def __init__(self, program: Program, host: Host | None = None,
                 cycle_budget: int = DEFAULT_CYCLE_BUDGET, memory: np.ndarray | None = None
                 ) -> None:
        if not isinstance(program, Program):
            raise TypeError(f"Machine needs a libnux_vm Program, not {type(program).__name__}")
        if isinstance(host, numbers.Integral) and not isinstance(host, bool):
            raise TypeError("the second argument of Machine is the host; pass the budget as "
                            "cycle_budget=...")
        self.program = program
        #: what runs the chip built-ins (a :class:`~libnux_vm.host.Host`), or None
        self.host = host
        self.cycle_budget = _check_budget(cycle_budget)
        if memory is None:
            self.memory = np.zeros(MEMORY_BYTES, dtype=np.uint8)
        else:
            if (not isinstance(memory, np.ndarray) or memory.dtype != np.uint8
                    or memory.shape != (MEMORY_BYTES,) or not memory.flags.c_contiguous
                    or not memory.flags.writeable):
                raise HostValueError(f"memory must be a writable, contiguous uint8 array of "
                                     f"{MEMORY_BYTES} bytes, not {getattr(memory, 'dtype', memory)!r}"
                                     f" of shape {getattr(memory, 'shape', None)}")
            self.memory = memory
        self._s8 = self.memory.view(np.int8)
        self._w32 = self.memory.view("<i4")
        self._regs = np.zeros(5, dtype=np.int64)
        self._info = np.zeros(2, dtype=np.int64)
        lay = program.layout
        self._layout = np.array([lay.code_lo, lay.code_hi, lay.stack_lo // 4, lay.data_lo,
                                 lay.stack_hi], dtype=np.int64)
        self.cycles = 0
        self.last_call_cycles = 0
        #: bytecode instructions executed by all calls so far
        self.instructions = 0
        if memory is None:
            self.reset()

    def reset(self) -> None:
        """Reload the image: globals get their initial values again (``cycles`` is kept)."""
        self.memory[:] = 0
        self.memory[:len(self.program.image)] = np.frombuffer(self.program.image, np.uint8)

    # ------------------------------------------------------------------ calls
    def call(self, name: str, *args: object, cycle_budget: int | None = None) -> object:
        """Run function ``name`` with ``args``; return its value.

        Scalars come back as ``int`` (``bool`` for bool), vectors as a numpy array of 256
        lanes (uint8 for vec_u8, int8 for vec_s8), void as ``None``. Raises
        :class:`~libnux_vm.errors.Trap` on a runtime fault. Built-ins go to ``host``."""
        return drive(self.run(name, *args, cycle_budget=cycle_budget), self.host)

    def run(self, name: str, *args: object, cycle_budget: int | None = None
            ) -> Generator[HostCall, object, object]:
        """Run function ``name`` as a generator that stops at every chip built-in.

        It yields a :class:`HostCall` (the built-in, its arguments, the machine's cycle count
        when it was issued) and expects its result sent back (``None`` for void), or a
        :class:`~libnux_vm.errors.HostError` thrown in; it returns the function's value. This
        lets a driver (the emulated chip) carry out each built-in at the hardware time it
        happens; :meth:`call` drives it with ``host`` at once."""
        return self.run_symbol(self._symbol(name, "function"), *args, cycle_budget=cycle_budget)

    def run_symbol(self, sym: Symbol, *args: object, cycle_budget: int | None = None
                   ) -> Generator[HostCall, object, object]:
        """:meth:`run` for a function :class:`Symbol` (e.g. an entry of a loaded image)."""
        name = sym.name
        params = sym.type.params
        if len(args) != len(params):
            raise HostValueError(f"function '{name}' takes {len(params)} arguments "
                                 f"({sym.type}) but {len(args)} were given")
        words = [w for i, (a, t) in enumerate(zip(args, params))
                 for w in _to_words(a, t, f"argument {i + 1} of '{name}'")]
        budget = self.cycle_budget if cycle_budget is None else _check_budget(cycle_budget)
        stack_lo = self.program.layout.stack_lo // 4
        sp = stack_lo + len(words)
        if sp + 2 > MEMORY_BYTES // 4 - vm.RED_ZONE_WORDS:
            raise HostValueError(f"the arguments of '{name}' do not fit the stack")
        return self._run(sym, words, budget)

    def _run(self, sym, words, budget):
        stack_lo = self.program.layout.stack_lo // 4
        sp = stack_lo + len(words)
        self._w32[stack_lo:sp] = words
        self._w32[sp] = vm.RET_ADDRESS_HOST
        self._w32[sp + 1] = 0
        sp += 2
        self._regs[:] = (sym.address // 4, sp, sp, 0, 0)
        start_cycles = self.cycles
        start_instructions = self.instructions
        self.last_call_cycles = 0
        while True:
            status = vm.run(self.memory, self._s8, self._w32, isa.COSTS, isa.POPS,
                            self._regs, self._info, self._layout, budget)
            self.last_call_cycles = int(self._regs[3])
            self.cycles = start_cycles + self.last_call_cycles
            self.instructions = start_instructions + int(self._regs[4])
            if status != vm.HOST_CALL:
                break
            request = self._host_request(budget, start_cycles)
            if request is None:           # answered by the machine
                continue
            if isinstance(request, int):
                status = request
                break
            try:
                result = yield request
            except HostError as err:
                raise self._host_trap(err.kind, err.detail) from None
            self._push_result(request.builtin, result)
        if status != vm.OK:
            raise self._trap(status, budget)
        ret = sym.type.ret
        if ret == VOID:
            return None
        result = self._w32[stack_lo:stack_lo + value_words(ret)]
        if isinstance(ret, VectorType):
            return result.view(_DTYPES[(1, ret.signed)]).copy()
        return from_word(int(result[0]), ret)

    def _host_request(self, budget: int, start_cycles: int) -> HostCall | int | None:
        """The :class:`HostCall` the interpreter stopped at, with its cost charged and its
        arguments checked; None if the machine answered it (the result is pushed); or a trap
        status (with ``regs[0]`` at the HOSTCALL). Raises a Trap for bad arguments."""
        pc, sp = int(self._regs[0]), int(self._regs[1])
        builtin = BY_ID.get(int(self._info[0]))
        if builtin is None:
            self._regs[0] = pc - 1
            return vm.T_INVALID_INSTRUCTION
        issued = int(self._regs[3]) - int(isa.COSTS[vm.HOSTCALL])
        cycles = issued + builtin.cost
        if cycles > budget:
            self._regs[0] = pc - 1
            return vm.T_CYCLE_BUDGET
        self._regs[3] = cycles
        self.last_call_cycles = cycles
        self.cycles = start_cycles + cycles
        base = sp - builtin.arg_words
        if base < self.program.layout.stack_lo // 4:
            self._regs[0] = pc - 1
            return vm.T_INVALID_INSTRUCTION
        w32 = self._w32
        args = [w32[base + lo:base + hi].view(lanes).copy() if lanes is not None
                else from_word(int(w32[base + lo]), t)
                for lo, hi, lanes, t in builtin.arg_slots]
        self._regs[1] = base
        if self.host is None:
            raise self._host_trap("no_chip", f"the kernel calls the chip built-in "
                                             f"'{builtin.name}' and needs a chip, but this "
                                             "Machine has no host (pass host=..., e.g. a "
                                             "libnux_vm.host.MemoryHost)")
        rows = columns = None
        if builtin.handle is not None:
            handle = args.pop(0)
            rows, columns = self._view(builtin, handle)
        if builtin.row_arg:
            if not 0 <= args[0] < ROWS:
                raise self._host_trap("out_of_bounds", f"row {args[0]} of '{builtin.name}' is "
                                                       f"outside 0..{ROWS - 1}")
            if builtin.in_view and rows is not None and not rows[args[0]]:
                raise self._host_trap("out_of_bounds", f"row {args[0]} of '{builtin.name}' is "
                                      f"not one of the rows of {builtin.handle} handle {handle} "
                                      f"({_ranges(rows)})")
        if builtin.check is not None:
            try:
                builtin.check(args, columns)
            except HostError as err:
                raise self._host_trap(err.kind, err.detail) from None
        if builtin.answer is not None:
            answer = builtin.answer(args, rows, columns, self.cycles)
            if not host_answers(self.host, builtin):
                self._push_result(builtin, answer)
                return None
            args.append(answer)
        return HostCall(builtin, tuple(args), start_cycles + issued, self.cycles,
                        columns if builtin.writes else None)

    def _view(self, builtin: Builtin, handle: int):
        """(row mask, column mask) of ``handle`` (None, None: a whole hemisphere); traps for
        a handle that names nothing or a view of the other hemisphere."""
        own = getattr(self.host, "hemisphere", 0)
        entry = self.program.entry
        what = f"{builtin.handle} handle {handle} of '{builtin.name}'"
        rows = columns = None
        if handle in (0, 1):
            hemisphere = handle
        elif FIRST_VIEW <= handle < FIRST_VIEW + entry.n_views:
            at = entry.views_address // 4 + (handle - FIRST_VIEW) * VIEW_WORDS
            hemisphere, rows, columns = decode_view(self._w32[at:at + VIEW_WORDS].view("<u4"))
            if hemisphere not in (0, 1):
                raise self._host_trap("out_of_bounds", f"{what} names view "
                                      f"{handle - FIRST_VIEW}, whose hemisphere word is "
                                      f"{hemisphere} (0 top, 1 bottom)")
        else:
            views = (f", {FIRST_VIEW}..{FIRST_VIEW + entry.n_views - 1} the program's views"
                     if entry.n_views else "")
            raise self._host_trap("out_of_bounds", f"{what} names nothing: 0 and 1 are the "
                                  f"whole hemispheres (top, bottom){views}")
        if hemisphere != own:
            raise self._host_trap(
                "other_hemisphere", f"'{builtin.name}' was given the {builtin.handle} of "
                f"hemisphere {hemisphere} ({_HEMISPHERES[hemisphere]}), but this PPU serves "
                f"hemisphere {own} ({_HEMISPHERES[own]}); each PPU reaches only its own "
                "hemisphere")
        return rows, columns

    def _push_result(self, builtin: Builtin, result: object) -> None:
        ret = builtin.ret
        if ret == VOID:
            return
        sp = int(self._regs[1])
        words = _to_words(result, ret, f"the result of the host's '{builtin.name}'")
        self._w32[sp:sp + len(words)] = words
        self._regs[1] = sp + len(words)

    def _host_trap(self, kind: str, detail: str) -> Trap:
        pc = int(self._regs[0]) - 1       # the HOSTCALL
        line = self.program.line_at(pc)
        return Trap(kind, detail, line=line, function=self.program.function_at(pc), pc=pc,
                    cycles=self.last_call_cycles, source_line=self.program.source_line(line))

    def _trap(self, status: int, budget: int) -> Trap:
        kind = vm.STATUS_KINDS.get(status, "invalid_instruction")
        pc = int(self._regs[0])
        detail = {
            "out_of_bounds": f"index {_index_text(int(self._info[0]))} is outside "
                             f"0..{self._info[1] - 1}",
            "stack_overflow": f"the stack ({self.program.layout.stack_bytes} bytes) is "
                              "exhausted; is there unbounded recursion?",
            "division_by_zero": "the divisor is 0",
            "cycle_budget": f"the call used up its budget of {budget} PPU cycles "
                            f"({budget / PPU_CYCLES_PER_US:g} us at 250 MHz); is there an "
                            "endless loop?",
            "missing_return": "the function ended without returning a value",
            "out_of_range": f"shift amount {self._info[0]} is outside 0..{self._info[1] - 1}",
        }.get(kind, "the program image is corrupt (an instruction or address is invalid)")
        line = self.program.line_at(pc)
        return Trap(kind, detail, line=line, function=self.program.function_at(pc), pc=pc,
                    cycles=self.last_call_cycles, source_line=self.program.source_line(line))

    # ------------------------------------------------------------------ globals
    def read_global(self, name: str) -> int | bool | np.ndarray:
        """Value of global ``name``: an int (bool for bool), or a numpy array (a copy) for an
        array (shape (N,), or (N, 256) for an array of vectors) or a vector (256 lanes)."""
        sym = self._symbol(name, "global")
        return global_value(self.memory[sym.address:sym.address + sym.size], sym.type)

    def write_global(self, name: str, value: object) -> None:
        """Set global ``name``. The value must fit its type: an int for a scalar, an array-like
        of the right shape for an array, a scalar (broadcast) or 256 values for a vector."""
        sym = self._symbol(name, "global")
        raw = global_bytes(value, sym.type, f"global '{name}'")
        self.memory[sym.address:sym.address + len(raw)] = np.frombuffer(raw, np.uint8)

    def _symbol(self, name: str, kind: str) -> Symbol:
        return self.program.symbol(name, kind)


#: the largest cycle budget: the VM counts cycles in 64 bits (2**62 cycles are 584 years)
MAX_CYCLE_BUDGET = 2 ** 62


def _check_budget(budget) -> int:
    if (not isinstance(budget, numbers.Integral) or isinstance(budget, bool)
            or not 0 < budget <= MAX_CYCLE_BUDGET):
        raise HostValueError(f"cycle_budget must be a number of PPU cycles in "
                             f"1..{MAX_CYCLE_BUDGET} (2**62), not {budget!r}")
    return int(budget)


def _index_text(index: int) -> str:
    """An index word as the VM saw it; a negative one may have been a large uint32."""
    return f"{index} (or {index + 2 ** 32} as uint32)" if index < 0 else str(index)


def _ranges(mask: np.ndarray) -> str:
    """The set indices of a mask as ranges: "0..3, 8, 10..12"."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return "none"
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    stops = np.concatenate([idx[breaks], [idx[-1]]])
    return ", ".join(f"{a}" if a == b else f"{a}..{b}" for a, b in zip(starts, stops))
