"""Exceptions raised by the emulator. Every one derives from :class:`EmulatorError` and a builtin."""

from __future__ import annotations


class EmulatorError(Exception):
    """Base class of every emulator error."""


class UnmappedAddressError(EmulatorError, ValueError):
    """An instruction addressed a word that no hardware unit occupies."""


class InstructionError(EmulatorError, ValueError):
    """An instruction record is malformed (unknown opcode, bad spike pack size)."""


class ConfigurationError(EmulatorError, ValueError):
    """The chip was configured in a way the hardware cannot do (e.g. MADC sources of equal parity)."""


class ArgumentError(EmulatorError, ValueError, TypeError):
    """An argument of the emulator (``Emulator(chip_id=..., dt_us=...)``) has the wrong type or
    lies outside its range."""


class ConnectionClosedError(EmulatorError, RuntimeError):
    """A program was sent to a connection that has been closed."""


class NumericalError(EmulatorError, ArithmeticError):
    """The emulated circuits' state became NaN or infinite: an emulator failure, reported with
    the neurons and state variables concerned rather than passed on silently."""
