"""Exceptions raised by calix. Every one derives from :class:`CalibError` and a builtin."""

from __future__ import annotations


class CalibError(Exception):
    """Base class of every calix error."""


class CalibNotSuccessful(CalibError, RuntimeError):
    """A calibration ended without reaching its target for some instances (they are named)."""


class AlgorithmError(CalibError, RuntimeError):
    """An algorithm was used wrongly (not hooked to a calibration, run twice at once)."""


class ExcessiveNoiseError(CalibError, ValueError):
    """A NoisyBinarySearch was given more noise than its first step can absorb."""


class TooFewSamplesError(CalibError, RuntimeError):
    """A measurement got fewer samples than it needs (e.g. too few spikes to time)."""


class TargetError(CalibError, ValueError):
    """A calibration target (or option) has the wrong type, shape or an impossible value."""
