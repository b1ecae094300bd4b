"""Units a scientist reads: hardware time against biological time, ADC codes against millivolts.

The chip runs 1000 times faster than biology: 1 us of hardware time is 1 ms of biological time,
and a rate of 1 kHz in hardware time is 1 Hz in biological time. Its two ADCs read voltages as
codes (LSB); with the nominal transfers documented in ``emulator/MODEL.md`` ("Readouts"):

- CADC (8 bit, the nominal ramp that :class:`stadls.ChipInit` writes,
  :data:`stadls.NOMINAL_CADC_RAMP`): ``V = 100 mV + 4 mV * code``;
- MADC (10 bit): ``V = code * 1200 mV / 1023``.

These are nominal: a chip's mismatch (comparator offsets, ramp and MADC gain) moves a single
channel by a few LSB, and a CADC that calix calibrated has the transfer of its calibration
target instead. The conversions are linear and neither round nor clip, so averages, amplitudes
and plot-axis margins outside the code range map on the same line.

>>> hardware_us_to_biological_ms(np.array([0.0, 100.0]))    # 100 us of hardware: 100 ms
array([  0., 100.])
>>> cadc_code_to_mv(np.array([0, 100]))
array([100., 500.])

Every function takes a number or an array of numbers and refuses NaN and infinities
(:class:`~stadls.errors.UnitConversionError`) and anything that is not a real number, bools
included (:class:`~stadls.errors.ArgumentTypeError`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .errors import ArgumentTypeError, UnitConversionError

#: the chip's speed-up over biology (emulator/MODEL.md, first paragraph; grenade.common.SPEEDUP)
SPEEDUP = 1000

# The nominal ADC transfers, copied from emulator/MODEL.md ("Readouts") and emulator/readout.py
# (CADC_V_MIN, CADC_V_PER_LSB, MADC_V_PER_LSB): this layer must not import the emulator, so
# tests/stadls/test_units.py checks that the two agree.
#: mV that the nominal CADC reads as code 0 (the ramp start, 50 * 2 mV)
CADC_MV_AT_CODE_0 = 100.0
#: mV per CADC code with the nominal ramp (400 * 10 uV per counter tick)
CADC_MV_PER_LSB = 4.0
#: the CADC's largest code (8 bit)
CADC_CODE_MAX = 255
#: mV per MADC code: 10 bit over the 1.2 V rail
MADC_MV_PER_LSB = 1200.0 / 1023.0
#: the MADC's largest code (10 bit)
MADC_CODE_MAX = 1023


def _values(name: str, value: ArrayLike) -> np.ndarray | float:
    """``value`` as float64 (a Python or numpy scalar stays a scalar), after refusing
    non-numbers and non-finite entries by the parameter's ``name``."""
    array = np.asarray(value)
    # bools are ints to numpy: True as "1 us" or "code 1" is a mistake, as in every layer
    if array.dtype.kind not in "iuf":
        raise ArgumentTypeError(
            f"{name} must be a real number or an array of real numbers (int or float), "
            f"got {type(value).__name__} of dtype {array.dtype}")
    array = array.astype(np.float64)
    finite = np.isfinite(array)
    if not finite.all():
        bad = array[~finite] if array.ndim else array
        raise UnitConversionError(
            f"{name} must be finite, got {np.count_nonzero(~finite)} non-finite value(s) "
            f"(e.g. {np.ravel(bad)[0]!r}); NaN or an infinity has no time or voltage")
    return float(array) if array.ndim == 0 else array


# -- time -------------------------------------------------------------------------------------------
def hardware_us_to_biological_ms(t_us: ArrayLike) -> np.ndarray | float:
    """Hardware time [us] as biological time [ms] (1 us of hardware is 1 ms of biology)."""
    return _values("t_us", t_us) * SPEEDUP / 1000.0


def biological_ms_to_hardware_us(t_ms: ArrayLike) -> np.ndarray | float:
    """Biological time [ms] as hardware time [us]."""
    return _values("t_ms", t_ms) * 1000.0 / SPEEDUP


def hardware_to_biological_time(t: ArrayLike) -> np.ndarray | float:
    """Hardware time as biological time in the same unit (hardware ms -> biological ms: x 1000)."""
    return _values("t", t) * SPEEDUP


def biological_to_hardware_time(t: ArrayLike) -> np.ndarray | float:
    """Biological time as hardware time in the same unit (biological ms -> hardware ms: / 1000)."""
    return _values("t", t) / SPEEDUP


def hardware_khz_to_biological_hz(rate_khz: ArrayLike) -> np.ndarray | float:
    """A rate in hardware time [kHz] as a rate in biological time [Hz] (the same number)."""
    return _values("rate_khz", rate_khz) * 1000.0 / SPEEDUP


def biological_hz_to_hardware_khz(rate_hz: ArrayLike) -> np.ndarray | float:
    """A rate in biological time [Hz] as a rate in hardware time [kHz] (the same number)."""
    return _values("rate_hz", rate_hz) * SPEEDUP / 1000.0


# -- CADC -------------------------------------------------------------------------------------------
def cadc_code_to_mv(code: ArrayLike) -> np.ndarray | float:
    """A CADC code [LSB] as the voltage [mV] the nominal CADC reads as it: 100 mV + 4 mV * code."""
    return CADC_MV_AT_CODE_0 + CADC_MV_PER_LSB * _values("code", code)


def mv_to_cadc_code(v_mv: ArrayLike) -> np.ndarray | float:
    """The nominal CADC's code [LSB, unrounded, unclipped] for a voltage [mV]."""
    return (_values("v_mv", v_mv) - CADC_MV_AT_CODE_0) / CADC_MV_PER_LSB


def cadc_lsb_to_mv(difference: ArrayLike) -> np.ndarray | float:
    """A difference of CADC codes (an amplitude, a spread) [LSB] as a voltage difference [mV]."""
    return CADC_MV_PER_LSB * _values("difference", difference)


def mv_to_cadc_lsb(difference_mv: ArrayLike) -> np.ndarray | float:
    """A voltage difference [mV] as a difference of nominal CADC codes [LSB]."""
    return _values("difference_mv", difference_mv) / CADC_MV_PER_LSB


# -- MADC (no offset: codes and code differences convert alike) ---------------------------------
def madc_code_to_mv(code: ArrayLike) -> np.ndarray | float:
    """An MADC code or code difference [LSB] as a voltage [mV]: code * 1200 mV / 1023."""
    return MADC_MV_PER_LSB * _values("code", code)


def mv_to_madc_code(v_mv: ArrayLike) -> np.ndarray | float:
    """The MADC's code [LSB, unrounded, unclipped] for a voltage or voltage difference [mV]."""
    return _values("v_mv", v_mv) / MADC_MV_PER_LSB


__all__ = [
    "CADC_CODE_MAX", "CADC_MV_AT_CODE_0", "CADC_MV_PER_LSB", "MADC_CODE_MAX", "MADC_MV_PER_LSB",
    "SPEEDUP", "biological_hz_to_hardware_khz", "biological_ms_to_hardware_us",
    "biological_to_hardware_time", "cadc_code_to_mv", "cadc_lsb_to_mv",
    "hardware_khz_to_biological_hz", "hardware_to_biological_time", "hardware_us_to_biological_ms",
    "madc_code_to_mv", "mv_to_cadc_code", "mv_to_cadc_lsb", "mv_to_madc_code",
]
