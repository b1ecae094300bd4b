"""A compiled program: the memory image, its symbols, the layout and the line table.

Memory layout (byte addresses in the PPU's 16 KiB SRAM; all regions 4-byte aligned)::

    0x0000  header, 16 words: magic b"LNVM", version, code_lo, code_hi (word addresses),
            data_lo, data_hi, stack_lo, stack_hi (byte addresses), then the runtime's entry
            (:mod:`libnux_vm.runtime`): start_pc (word address of ``start``, or 0xFFFFFFFF),
            start_returns (1 if ``start`` returns int32), runtime (byte address of
            ``__runtime``), timers (byte address of ``__timers``), n_timers, mailbox (byte
            address of ``__mailbox``), views (byte address of ``__views``), n_views
    0x0040  code: one 32-bit word per instruction (PUSHW takes two)
    data_lo globals, in source order: a scalar in one word (its value widened to 32 bit), an
            array packed at its element width (bool/8 bit: 1 byte, 16 bit: 2, 32 bit: 4,
            vector: 256), a vector in 256 bytes with lane i at byte i (64 little-endian words)
    stack_lo the stack, growing up to stack_hi = 16384: frames and the operand stack

The image describes itself: :func:`load` rebuilds a :class:`Program` (layout and entry, no
symbols or source lines) from the memory words alone, which is how an emulated PPU starts.

``Program.image`` holds the header, the code and the initial values of the globals (the bytes
[0, data_hi)); the stack region is not stored. The image plus the minimum stack must fit in
16384 bytes.

A call frame, in words from the frame pointer ``fp``: the arguments at ``fp - 2 - n`` ..
``fp - 3`` (a vector argument takes 64 words), the return address at ``fp - 2``, the caller's
``fp`` at ``fp - 1``, the locals from ``fp`` on (zeroed on entry), then the operand stack.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from . import isa
from .errors import TRAP_KINDS, ImageError, Trap, UnknownSymbolError
from .typesys import INT32, VOID, FunctionType
from .values import global_bytes, global_value
from .views import FIRST_VIEW, MAX_VIEWS, OWN_HEMISPHERE, VIEW_WORDS
from .vm import RED_ZONE_WORDS

MEMORY_BYTES = 16384          #: the PPU's internal SRAM
HEADER_WORDS = 16
MAGIC = int.from_bytes(b"LNVM", "little")
VERSION = 3
NO_ENTRY = 0xFFFFFFFF
#: words of the runtime's state ``__runtime`` (see :mod:`libnux_vm.runtime`)
RUNTIME_FIELDS = ("state", "exit_code", "trap_kind", "trap_pc", "calls", "missed", "end_time",
                  "reserved")
#: words of one entry of the timer table ``__timers``
TIMER_FIELDS = ("entry_pc", "n_args", "start", "period", "num_periods", "calls", "missed",
                "synapses", "neurons")
RUNTIME_WORDS = len(RUNTIME_FIELDS)
TIMER_WORDS = len(TIMER_FIELDS)
#: words of the mailbox ``__mailbox``: the number of values logged, then the first 63 values
MAILBOX_WORDS = 64
#: the most timers one program may have (libnux's ``Scheduler<32>``)
MAX_TIMERS = 32
#: the argument counts of an entry point: start() and timer functions (), (s, n), (s, n, k)
_ENTRY_ARGS = (0, 2, 3)
#: values of ``__runtime.state``
LOADED, RUNNING, DONE, TRAPPED = 0, 1, 2, 3
STATE_NAMES = {LOADED: "loaded", RUNNING: "running", DONE: "done", TRAPPED: "trapped"}


def trap_code(kind: str) -> int:
    """``__runtime.trap_kind`` of a trap kind (1 + its index in TRAP_KINDS)."""
    return TRAP_KINDS.index(kind) + 1 if kind in TRAP_KINDS else len(TRAP_KINDS) + 1


def trap_kind(code: int) -> str | None:
    """The trap kind of a ``__runtime.trap_kind`` word (None for 0)."""
    if code == 0:
        return None
    return TRAP_KINDS[code - 1] if code <= len(TRAP_KINDS) else "invalid_instruction"


@dataclass(frozen=True)
class Mailbox:
    """The values a kernel logged (``log_int``) into PPU memory, in order, and the number
    that came after the mailbox was full (``dropped``, counted, not kept)."""
    values: list
    dropped: int


@dataclass(frozen=True)
class RuntimeStatus:
    """What a PPU's runtime left in ``__runtime`` (:data:`RUNTIME_FIELDS`), decoded:
    ``state`` is "loaded", "running", "done" or "trapped" (or, read with the memory's header,
    "no program" or "another program"); ``trap`` the :class:`Trap` (with
    the source line, from the program's line table) or None; times in PPU cycles."""
    state: str
    exit_code: int
    calls: int
    missed: int
    end_time: int
    trap: Trap | None

    def raise_for_trap(self) -> None:
        """Raise the trap, if the program stopped on one."""
        if self.trap is not None:
            raise self.trap


@dataclass(frozen=True)
class Symbol:
    """A global variable or a function.

    ``address`` is a byte address in PPU memory (for a function: of its first instruction),
    ``size`` is in bytes (for a function: of its code), ``type`` a :mod:`libnux_vm.typesys`
    type (for a function: a ``FunctionType`` with ``ret`` and ``params``)."""
    name: str
    kind: str            # "global" or "function"
    address: int
    size: int
    type: object


@dataclass(frozen=True)
class Layout:
    """Region boundaries: code in words, everything else in bytes."""
    code_lo: int
    code_hi: int
    data_lo: int
    data_hi: int
    stack_lo: int
    stack_hi: int

    @property
    def stack_bytes(self) -> int:
        return self.stack_hi - self.stack_lo



@dataclass(frozen=True)
class Entry:
    """What the runtime (:mod:`libnux_vm.runtime`) starts: ``start`` (a function symbol, or
    None), the timer functions (one symbol per timer, in table order), and the byte addresses
    of ``__runtime``, ``__timers``, ``__mailbox`` and ``__views`` (with ``n_views`` views,
    :mod:`libnux_vm.views`)."""
    start_symbol: Symbol | None
    timer_symbols: tuple
    runtime_address: int
    timers_address: int
    mailbox_address: int
    views_address: int = 0
    n_views: int = 0


def header(layout: Layout, entry: Entry) -> np.ndarray:
    """The 16 header words of an image."""
    start = entry.start_symbol
    words = [MAGIC, VERSION, layout.code_lo, layout.code_hi, layout.data_lo, layout.data_hi,
             layout.stack_lo, layout.stack_hi,
             NO_ENTRY if start is None else start.address // 4,
             int(start is not None and start.type.ret != VOID),
             entry.runtime_address, entry.timers_address, len(entry.timer_symbols),
             entry.mailbox_address, entry.views_address, entry.n_views]
    return np.array(words, dtype="<u4")


@dataclass(frozen=True, eq=False)
class Program:
    """The result of :func:`libnux_vm.compile`.

    ``image`` (bytes, at most 16384) is what gets loaded at address 0 of PPU memory;
    ``symbols`` maps names to :class:`Symbol`; ``lines`` gives the source line of every code word
    (index: word address - ``layout.code_lo``)."""
    image: bytes
    symbols: dict
    layout: Layout
    lines: np.ndarray
    source: str
    entry: Entry

    @property
    def code(self) -> np.ndarray:
        return np.frombuffer(self.image, dtype="<i4")[self.layout.code_lo:self.layout.code_hi]

    def line_at(self, pc: int) -> int | None:
        """Source line of the instruction at word address ``pc`` (or None)."""
        i = pc - self.layout.code_lo
        return int(self.lines[i]) if 0 <= i < len(self.lines) and self.lines[i] > 0 else None

    def function_at(self, pc: int) -> str | None:
        """Name of the function whose code holds word address ``pc`` (or None)."""
        funcs = sorted((s.address // 4, s.name, s.size // 4) for s in self.symbols.values()
                       if s.kind == "function")
        i = bisect.bisect_right([f[0] for f in funcs], pc) - 1
        if i >= 0 and pc < funcs[i][0] + funcs[i][2]:
            return funcs[i][1]
        return None

    def decode_global(self, name: str, raw: bytes) -> int | bool | np.ndarray:
        """The value of global ``name`` from its bytes (e.g. read back from PPU memory)."""
        sym = self.global_symbol(name)
        raw = np.frombuffer(bytes(raw), np.uint8)
        if raw.size < sym.size:
            raise ValueError(f"global '{name}' takes {sym.size} bytes, got {raw.size}")
        return global_value(raw, sym.type)

    def encode_global(self, name: str, value: object) -> bytes:
        """The bytes of global ``name`` holding ``value`` (checked against its type), padded
        to whole words, to write into PPU memory at its address."""
        sym = self.global_symbol(name)
        raw = global_bytes(value, sym.type, f"global '{name}'")
        return raw + bytes(sym.size - len(raw))

    def runtime_status(self, raw: bytes, ppu: int | None = None,
                       header: bytes | None = None) -> RuntimeStatus:
        """Decode the bytes of ``__runtime`` read back from the memory of PPU ``ppu`` (0 top,
        1 bottom; named in the trap's message when given). With ``header``, the first
        ``HEADER_WORDS`` words of that memory read back with it: memory without the magic word
        has "no program" (a PPU never loaded reads zeros, which would decode as "loaded"), one
        whose header is not this program's holds "another program"."""
        if header is not None:
            words = np.frombuffer(bytes(header), dtype="<u4")
            if words.size < 1 or int(words[0]) != MAGIC:
                return RuntimeStatus("no program", 0, 0, 0, 0, None)
            own = np.frombuffer(bytes(self.image[:HEADER_WORDS * 4]), dtype="<u4")
            if not np.array_equal(words[:own.size], own):
                return RuntimeStatus("another program", 0, 0, 0, 0, None)
        words = dict(zip(RUNTIME_FIELDS, (int(w) for w in self.decode_global("__runtime", raw))))
        kind = trap_kind(words["trap_kind"])
        trap = None
        if kind is not None:
            pc = words["trap_pc"]
            line = self.line_at(pc)
            who = "the PPU" if ppu is None else f"PPU {('top', 'bottom')[ppu]}"
            trap = Trap(kind, f"stopped the runtime of {who}", line=line,
                        function=self.function_at(pc), pc=pc, cycles=0,
                        source_line=self.source_line(line))
        return RuntimeStatus(STATE_NAMES.get(words["state"], f"invalid ({words['state']})"),
                             words["exit_code"] - (1 << 32) * (words["exit_code"] >> 31),
                             words["calls"], words["missed"], words["end_time"], trap)

    def decode_mailbox(self, raw: bytes) -> "Mailbox":
        """Decode the bytes of ``__mailbox`` (read back from PPU memory): the values the
        kernel logged with ``log_int``, and how many did not fit."""
        words = self.decode_global("__mailbox", raw)
        count = int(words[0]) & 0xFFFFFFFF
        kept = min(count, MAILBOX_WORDS - 1)
        return Mailbox([int(v) for v in words[1:1 + kept]], count - kept)

    def symbol(self, name: str, kind: str) -> Symbol:
        """The :class:`Symbol` of the global or function (``kind``) ``name``; raises
        :class:`~libnux_vm.errors.UnknownSymbolError` naming those there are."""
        sym = self.symbols.get(name)
        if sym is None or sym.kind != kind:
            known = sorted(s.name for s in self.symbols.values()
                           if s.kind == kind and not s.name.startswith("__"))
            raise UnknownSymbolError(f"the program has no {kind} named {name!r}; its {kind}s "
                                     f"are: {', '.join(known) or 'none'}")
        return sym

    def global_symbol(self, name: str) -> Symbol:
        """The :class:`Symbol` of global ``name`` (see :meth:`symbol`)."""
        return self.symbol(name, "global")

    def source_line(self, line: int | None) -> str | None:
        lines = self.source.split("\n")
        return lines[line - 1] if line is not None and 1 <= line <= len(lines) else None

    def disassemble(self) -> str:
        """The code as text, one instruction per line, with function labels."""
        starts = {s.address // 4: s.name for s in self.symbols.values() if s.kind == "function"}
        out = []
        for text in isa.disassemble(self.code, self.layout.code_lo):
            addr = int(text.split(":")[0])
            if addr in starts:
                out.append(f"{starts[addr]}:")
            out.append("  " + text)
        return "\n".join(out)


def load(memory: bytes | np.ndarray) -> Program:
    """The :class:`Program` whose image is at the start of ``memory`` (bytes or a uint8 array
    of PPU memory), from its header alone: layout and entry, no symbols, no source lines.

    Raises :class:`~libnux_vm.errors.ImageError` when the memory does not hold a valid image."""
    raw = np.frombuffer(bytes(memory), dtype=np.uint8)
    if raw.size < HEADER_WORDS * 4:
        raise ImageError(f"a program image starts with a {HEADER_WORDS * 4}-byte header; the "
                         f"memory holds only {raw.size} bytes")
    h = raw[:HEADER_WORDS * 4].view("<u4").astype(np.int64)
    if h[0] != MAGIC:
        raise ImageError(f"no program image: the memory starts with 0x{int(h[0]):08x}, not the "
                         f"magic word 0x{MAGIC:08x} (b'LNVM'); was the program loaded?")
    if h[1] != VERSION:
        raise ImageError(f"image version {int(h[1])} is not supported (this VM runs version "
                         f"{VERSION}); compile the program again")
    layout = Layout(*(int(x) for x in h[2:8]))
    ok = (HEADER_WORDS <= layout.code_lo <= layout.code_hi and layout.code_hi * 4 <= layout.data_lo
          <= layout.data_hi <= layout.stack_lo <= layout.stack_hi == MEMORY_BYTES
          and layout.data_hi <= raw.size
          and all(x % 4 == 0 for x in (layout.data_lo, layout.data_hi, layout.stack_lo)))
    if not ok:
        raise ImageError(f"the image header is corrupt: {layout} (regions must follow each "
                         f"other, 4-byte aligned, the stack ending at {MEMORY_BYTES})")
    start_pc, start_returns, runtime, timers, n_timers, mailbox, views, n_views = \
        (int(x) for x in h[8:16])
    words = raw[:layout.data_hi].view("<u4")

    def block(address, n_words):
        return (address % 4 == 0 and layout.data_lo <= address
                and address + n_words * 4 <= layout.data_hi)

    if not (block(runtime, RUNTIME_WORDS) and block(mailbox, MAILBOX_WORDS)
            and n_timers <= MAX_TIMERS and (n_timers == 0 or block(timers, n_timers * TIMER_WORDS))
            and n_views <= MAX_VIEWS and (n_views == 0 or block(views, n_views * VIEW_WORDS))
            and start_returns in (0, 1)):
        raise ImageError("the image header is corrupt: its runtime block, mailbox, timer table "
                         "or view table lies outside the data region or is not word-aligned, or "
                         f"it has more than {MAX_TIMERS} timers or {MAX_VIEWS} views")

    def function(name, pc, ret, n_args):
        if not layout.code_lo <= pc < layout.code_hi:
            raise ImageError(f"the image header is corrupt: {name} at word {pc} lies outside "
                             f"the code ({layout.code_lo}..{layout.code_hi - 1})")
        if n_args not in _ENTRY_ARGS:
            raise ImageError(f"{name} takes {n_args} arguments; a timer function takes 0, 2 "
                             "(synapses, neurons) or 3 (..., period)")
        # the runtime's call must fit the stack: the arguments, the frame link, the red zone
        if layout.stack_lo // 4 + n_args + 2 > MEMORY_BYTES // 4 - RED_ZONE_WORDS:
            raise ImageError(f"the stack ({layout.stack_bytes} bytes from byte "
                             f"{layout.stack_lo}) is too small to call {name}")
        return Symbol(name, "function", pc * 4, 0, FunctionType(ret, (INT32,) * n_args))

    start = None if start_pc == NO_ENTRY else function("start", start_pc,
                                                       INT32 if start_returns else VOID, 0)
    table = timers // 4 + np.arange(n_timers) * TIMER_WORDS
    timer_symbols = tuple(function(f"timer {i}", int(words[table[i]]), VOID,
                                   int(words[table[i] + 1]))
                          for i in range(n_timers))
    for i in range(n_timers):
        for field in ("synapses", "neurons"):
            handle = int(words[table[i] + TIMER_FIELDS.index(field)])
            if handle != OWN_HEMISPHERE and not FIRST_VIEW <= handle < FIRST_VIEW + n_views:
                raise ImageError(f"timer {i} passes {field} handle {handle}, which is no view "
                                 f"of the image ({FIRST_VIEW}..{FIRST_VIEW + n_views - 1}, or "
                                 f"0x{OWN_HEMISPHERE:08x} for the PPU's hemisphere)")
    symbols = {} if start is None else {"start": start}
    return Program(raw[:layout.data_hi].tobytes(), symbols, layout,
                   np.zeros(layout.code_hi - layout.code_lo, dtype=np.int32), "",
                   Entry(start, timer_symbols, runtime, timers, mailbox, views, n_views))
