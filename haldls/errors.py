"""Exceptions raised by haldls. Every one derives from :class:`HaldlsError` and a builtin."""

from __future__ import annotations


class HaldlsError(Exception):
    """Base class of every haldls error."""


class FieldValueError(HaldlsError, ValueError):
    """A container field was given a value outside its range."""


class FieldTypeError(HaldlsError, TypeError):
    """A container field was given a value of the wrong type."""


class CoordinateMismatchError(HaldlsError, TypeError):
    """A container was placed at a coordinate of a type it does not live at."""


class DecodeError(HaldlsError, ValueError):
    """Words could not be decoded into a container (wrong count, bits out of range)."""


class AccessError(HaldlsError, TypeError):
    """A container was read though it is write-only, or written though it is read-only."""


class UnknownContainerError(HaldlsError, LookupError):
    """No container is registered under a name or for a coordinate type."""


class NotSerializableError(HaldlsError, TypeError):
    """Something that is neither a container nor a coordinate was given to be serialized."""


class AbstractContainerError(HaldlsError, TypeError):
    """An abstract container base (``haldls.Container``, one without a coordinate type) was
    instantiated."""
