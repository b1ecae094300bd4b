"""Exceptions raised by libnux_vm. Every one derives from :class:`LibnuxVMError` and a builtin.

- :class:`CompileError` (a ``ValueError``): the source text is wrong (syntax, names, types,
  constants, size). It carries ``line`` and ``column`` (1-based, or ``None`` when the error has no
  single place, e.g. an image that is too large) and its message shows the source line with a caret.
- :class:`Trap` (a ``RuntimeError``): a kernel stopped at run time (out-of-bounds index, stack
  overflow, division by zero, cycle budget exceeded, ...). It carries ``kind``, ``line`` and ``pc``.
- :class:`HostError` (a :class:`Trap`): a chip built-in failed in the host (no chip attached,
  a row out of range); the machine re-raises it as a :class:`Trap` with the line of the call.
- :class:`HostValueError` (a ``ValueError``): the host passed a value that does not fit (an
  argument or a global's value out of range, the wrong number of arguments, a wrong shape).
- :class:`UnknownSymbolError` (a ``LookupError``): the host named a function or global that the
  program does not define.
- :class:`BuiltinDeclarationError` (a ``ValueError``): a chip built-in is declared inconsistently
  (:mod:`libnux_vm.builtins`).
"""

from __future__ import annotations


class LibnuxVMError(Exception):
    """Base class of every libnux_vm error."""


#: longest source line shown whole under an error; longer ones are cut around the column
EXCERPT_CHARS = 120


def caret_excerpt(source_line: str, column: int) -> str:
    """Return ``source_line`` and, under it, a caret under ``column`` (1-based).

    Tabs before the column are kept in the caret line so that the caret lines up in a terminal.
    A line longer than :data:`EXCERPT_CHARS` is shown as the part around the column, with
    "..." where it is cut."""
    column = max(column, 1)
    if len(source_line) > EXCERPT_CHARS:
        start = max(0, min(column - 1 - EXCERPT_CHARS // 2, len(source_line) - EXCERPT_CHARS))
        end = start + EXCERPT_CHARS
        lead = "..." if start else ""
        source_line = lead + source_line[start:end] + ("..." if end < len(source_line) else "")
        column += len(lead) - start
    prefix = "".join(ch if ch == "\t" else " " for ch in source_line[:column - 1])
    return f"    {source_line}\n    {prefix}^"


class CompileError(LibnuxVMError, ValueError):
    """The source text of a kernel is not a valid program.

    Attributes: ``reason`` (the message without location), ``line`` and ``column`` (1-based, or
    ``None``), ``source_line`` (the text of that line, or ``None``)."""

    def __init__(self, reason: str, *, source: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        self.source_line = None
        if source is not None and line is not None:
            lines = source.split("\n")
            if 1 <= line <= len(lines):
                self.source_line = lines[line - 1].rstrip("\r")
        super().__init__(self._render())

    def _render(self) -> str:
        if self.line is None:
            return self.reason
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        text = f"{where}: {self.reason}"
        if self.source_line is not None and self.column:
            text += "\n" + caret_excerpt(self.source_line, self.column)
        return text


class Trap(LibnuxVMError, RuntimeError):
    """A kernel stopped with a runtime fault.

    Attributes: ``kind`` (one of :data:`TRAP_KINDS`), ``line`` (source line of the faulting
    instruction, or ``None``), ``function`` (name of the function it was in, or ``None``), ``pc``
    (word address of the faulting instruction) and ``cycles`` (PPU cycles spent by that call)."""

    def __init__(self, kind: str, detail: str, *, line: int | None, function: str | None,
                 pc: int, cycles: int, source_line: str | None = None) -> None:
        self.kind = kind
        self.detail = detail
        self.line = line
        self.function = function
        self.pc = pc
        self.cycles = cycles
        where = f"line {line}" if line is not None else f"pc {pc}"
        if function is not None:
            where += f" in function '{function}'"
        text = f"{TRAP_TITLES.get(kind, kind)} at {where}: {detail}"
        if source_line is not None:
            text += f"\n    {line} | {source_line.strip()}"
        super().__init__(text)


#: Every value of :attr:`Trap.kind`, with the words that start its message.
TRAP_TITLES = {"out_of_bounds": "out-of-bounds index", "stack_overflow": "stack overflow",
               "division_by_zero": "division by zero", "cycle_budget": "cycle budget exceeded",
               "memory_fault": "memory fault", "invalid_instruction": "invalid instruction",
               "missing_return": "missing return", "no_chip": "no chip attached",
               "other_hemisphere": "other hemisphere", "invalid_timer": "invalid timer",
               "out_of_range": "value out of range"}
TRAP_KINDS = tuple(TRAP_TITLES)


class HostError(Trap):
    """Raised by a :class:`~libnux_vm.host.Host` method: a :class:`Trap` (``kind`` is one of
    :data:`TRAP_KINDS`, e.g. ``"no_chip"`` or ``"out_of_bounds"``) without a place yet.

    The :class:`~libnux_vm.machine.Machine` that made the call turns it into a :class:`Trap`
    naming the line, function and pc of the built-in's call."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(kind, detail, line=None, function=None, pc=-1, cycles=0)


class HostValueError(LibnuxVMError, ValueError):
    """A value given by the host (argument, global) does not fit the declared type or shape."""


class BuiltinDeclarationError(LibnuxVMError, ValueError):
    """A chip built-in's declaration (:class:`~libnux_vm.builtins.Builtin`) is inconsistent:
    a bad name, type, parameter order, cost or combination of properties."""


class ImageError(LibnuxVMError, ValueError):
    """PPU memory does not hold a valid program image (no magic word, another version, a
    corrupt header)."""


class UnknownSymbolError(LibnuxVMError, LookupError):
    """The host named a function or global the program does not define."""
