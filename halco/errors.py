"""Exceptions raised by halco. Every one derives from :class:`HalcoError` and a builtin."""

from __future__ import annotations


class HalcoError(Exception):
    """Base class of every halco error."""


class OutOfRangeError(HalcoError, ValueError, OverflowError):
    """A coordinate was constructed with a value outside its range."""


class CoordinateTypeError(HalcoError, TypeError):
    """A coordinate of one type was given where another type is required."""


class InvalidCoordinateError(HalcoError, ValueError):
    """A combination of values does not name a coordinate (e.g. a crossbar pair without a node)."""
