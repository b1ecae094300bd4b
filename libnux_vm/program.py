"""A compiled program: the memory image, its symbols, the layout and the line table.

Memory layout (byte addresses in the PPU's 16 KiB SRAM; all regions 4-byte aligned)::

    0x0000  header, 8 words: magic b"LNVM", version, code_lo, code_hi (word addresses),
            data_lo, data_hi, stack_lo, stack_hi (byte addresses)
    0x0020  code: one 32-bit word per instruction (PUSHW takes two)
    data_lo globals, in source order: a scalar in one word (its value widened to 32 bit), an
            array packed at its element width (bool/8 bit: 1 byte, 16 bit: 2, 32 bit: 4,
            vector: 256), a vector in 256 bytes with lane i at byte i (64 little-endian words)
    stack_lo the stack, growing up to stack_hi = 16384: frames and the operand stack

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

MEMORY_BYTES = 16384          #: the PPU's internal SRAM
HEADER_WORDS = 8
MAGIC = int.from_bytes(b"LNVM", "little")
VERSION = 1


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

    def header(self) -> np.ndarray:
        return np.array([MAGIC, VERSION, self.code_lo, self.code_hi, self.data_lo, self.data_hi,
                         self.stack_lo, self.stack_hi], dtype="<i4")


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
