"""Exceptions raised by stadls. Every one derives from :class:`StadlsError` and a builtin."""

from __future__ import annotations


class StadlsError(Exception):
    """Base class of every stadls error."""


class TicketNotReadyError(StadlsError, RuntimeError):
    """A ticket's result was requested before its program ran."""


class IncompleteResultError(StadlsError, RuntimeError):
    """A run ended without data for every ticket."""


class RevisionMismatchError(StadlsError, ValueError):
    """A program built for one chip revision was run on a connection to another."""


class FPGAError(StadlsError, RuntimeError):
    """The FPGA reported an error during a run (e.g. an instruction timeout)."""


class BuilderError(StadlsError, ValueError):
    """A builder was used in a way the program format does not allow."""


class ArgumentTypeError(StadlsError, TypeError):
    """An argument of a stadls function has the wrong type (a float where FPGA cycles, an
    integer, are needed; something that is not a program, a builder or a connection)."""


class SerializationError(StadlsError, ValueError):
    """An archived program could not be read back."""


class PPUTrapWarning(StadlsError, UserWarning):
    """A PPU program stopped on a trap (or could not start) during a run; the run's other
    results are complete. The program's ``__runtime`` (``read_runtime_status``) says more."""


class UnitConversionError(StadlsError, ValueError):
    """A value given to a :mod:`stadls.units` conversion is not a finite number (NaN or an
    infinity has no time or voltage)."""


class ArgumentValueError(StadlsError, ValueError):
    """An argument of a stadls function has the right type but a value outside its range (a
    synapse label above 63, a CapMem value above 1022, an array of the wrong length)."""
