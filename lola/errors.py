"""Exceptions raised by lola. Every one derives from :class:`LolaError` and a builtin."""

from __future__ import annotations


class LolaError(Exception):
    """Base class of every lola error."""


class LolaValueError(LolaError, ValueError):
    """A field of a logical container was given a value outside its range (or words that decode
    to one)."""


class LolaTypeError(LolaError, TypeError):
    """A field of a logical container was given a value of the wrong type."""


class MorphologyError(LolaError, ValueError):
    """A multi-compartment morphology is invalid (names the neurons and the reason)."""


class LockedSwitchError(LolaError, AttributeError):
    """A structural switch of a LogicalNeuron was changed after ``Morphology.done()``."""
