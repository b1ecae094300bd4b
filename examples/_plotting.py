"""Shared by the examples' plots: one output folder, the axes a scientist reads, one footnote.

- Every plot goes to one folder: ``$BSS2_PLOT_DIR`` when set, else ``plots/`` under the current
  directory; it is created when the first plot is saved (:func:`plot_dir`, :func:`plot_path`).
- Time is plotted in hardware time with biological time on a second x axis
  (:func:`biological_time_axis`; the chip runs 1000x faster than biology, ``stadls.units``).
- ADC voltages are plotted in mV through the documented transfers (``stadls.units``: nominal
  CADC ``100 mV + 4 mV * code``, MADC ``1200 mV / 1023`` per code) with the codes [LSB] on a
  second y axis (:func:`lsb_axis`).
- Every figure carries the same footnote on the speed-up (:func:`save`).

``units`` is :mod:`stadls.units`, here for the examples' conversions.

Plotting is an optional extra: without matplotlib, :func:`plot_path` and :func:`pyplot` raise
:class:`PlottingUnavailableError` naming ``pip install -e '.[plot]'`` (an example checks before
its experiment runs, not after).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from stadls import units

#: the environment variable that moves every example's plots
PLOT_DIR_ENV = "BSS2_PLOT_DIR"
#: the folder (under the current directory) without it
DEFAULT_PLOT_DIR = "plots"
#: the footnote of every figure
SPEEDUP_NOTE = "hardware time runs 1000x faster than biology: 1 us hardware = 1 ms biological, 1 kHz = 1 Hz"
INSTALL_HINT = "pip install -e '.[plot]'"


class PlottingUnavailableError(ImportError):
    """matplotlib, the optional ``plot`` extra, is not installed."""


def require_matplotlib() -> None:
    """Raise :class:`PlottingUnavailableError` (naming the install command) unless matplotlib imports."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise PlottingUnavailableError(
            f"the examples' plots need matplotlib, the optional 'plot' extra: run {INSTALL_HINT} "
            f"(or `make demo`, which installs it)") from error


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (files only, no display needed)."""
    require_matplotlib()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_dir() -> Path:
    """The folder every example saves its plots to (``$BSS2_PLOT_DIR``, else ``./plots``),
    created if missing."""
    folder = Path(os.environ.get(PLOT_DIR_ENV) or DEFAULT_PLOT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def plot_path(path: Path | str | None, name: str) -> Path:
    """Where an example's ``main(path)`` saves: ``path`` when given (its folder created), else
    ``name`` in :func:`plot_dir`. Checks first that matplotlib is installed, so that an example
    fails before its experiment runs, not after."""
    require_matplotlib()
    if path is None:
        return plot_dir() / name
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _axis_function(convert: Callable[[Any], Any]) -> Callable[[np.ndarray], np.ndarray]:
    """``convert`` (a :mod:`stadls.units` function, which refuses non-finite values) as an axis
    transform: matplotlib passes non-finite limits while it lays out an empty or log axis, and
    they map to themselves."""
    def function(values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        out = values.copy()
        finite = np.isfinite(values)
        if finite.any():
            out[finite] = convert(values[finite])
        return out
    return function


def _secondary(ax: Any, which: str, functions: tuple, label: str) -> Any:
    """A second x axis on top (``which`` 'x') or y axis on the right ('y') of ``ax``."""
    if which not in ("x", "y"):
        raise ValueError(f"which must be 'x' or 'y', got {which!r}")
    if which == "x":
        secondary = ax.secondary_xaxis("top", functions=functions)
        secondary.set_xlabel(label, fontsize=8)
    else:
        secondary = ax.secondary_yaxis("right", functions=functions)
        secondary.set_ylabel(label, fontsize=8)
    secondary.tick_params(labelsize=7)
    return secondary


#: hardware time unit -> (to biological, back, biological unit)
_TIME = {"us": (units.hardware_us_to_biological_ms, units.biological_ms_to_hardware_us, "ms"),
         "ms": (units.hardware_to_biological_time, units.biological_to_hardware_time, "ms"),
         "s": (units.hardware_to_biological_time, units.biological_to_hardware_time, "s")}


def biological_time_axis(ax: Any, hardware_unit: str = "us", which: str = "x") -> Any:
    """A second axis of ``ax`` (``which``: 'x', on top, or 'y', on the right), whose x (y) is
    hardware time in ``hardware_unit`` ('us', 'ms' or 's'), in biological time (us -> ms; ms
    and s stay in their unit, x 1000)."""
    if hardware_unit not in _TIME:
        raise ValueError(f"hardware_unit must be one of {sorted(_TIME)}, got {hardware_unit!r}")
    forward, inverse, unit = _TIME[hardware_unit]
    return _secondary(ax, which, (_axis_function(forward), _axis_function(inverse)), f"biological time [{unit}]")


def hardware_time_axis(ax: Any, which: str = "x") -> Any:
    """A second axis of ``ax`` (``which`` as in :func:`biological_time_axis`), whose x (y) is
    biological time [ms] (a PyNN example in biological time), in hardware time [us]."""
    return _secondary(ax, which, (_axis_function(units.biological_ms_to_hardware_us),
                                  _axis_function(units.hardware_us_to_biological_ms)), "hardware time [us]")


def biological_rate_axis(ax: Any, which: str = "x") -> Any:
    """A second axis (``which``: 'x', on top, or 'y', on the right) of ``ax``, whose ``which``
    is a rate in hardware time [kHz], as the rate in biological time [Hz] (the same number)."""
    return _secondary(ax, which, (_axis_function(units.hardware_khz_to_biological_hz),
                                  _axis_function(units.biological_hz_to_hardware_khz)), "biological rate [Hz]")


#: (ADC, difference) -> (mV to LSB, LSB to mV)
_VOLTAGE = {("cadc", False): (units.mv_to_cadc_code, units.cadc_code_to_mv),
            ("cadc", True): (units.mv_to_cadc_lsb, units.cadc_lsb_to_mv),
            ("madc", False): (units.mv_to_madc_code, units.madc_code_to_mv),
            ("madc", True): (units.mv_to_madc_code, units.madc_code_to_mv)}


def lsb_axis(ax: Any, adc: str, difference: bool = False, which: str = "y") -> Any:
    """A second axis of ``ax`` (``which``: 'y' on the right, 'x' on top), whose y (x) is a
    voltage [mV] from the ``adc`` ('cadc' or 'madc') through its nominal transfer, in the ADC's
    codes [LSB]; ``difference``: a voltage difference (an amplitude), which the CADC's offset
    does not shift."""
    if (adc, difference) not in _VOLTAGE:
        raise ValueError(f"adc must be 'cadc' or 'madc', got {adc!r}")
    to_lsb, to_mv = _VOLTAGE[(adc, difference)]
    return _secondary(ax, which, (_axis_function(to_lsb), _axis_function(to_mv)),
                      f"{adc.upper()} code{' difference' if difference else ''} [LSB]")


def linear_lsb_axis(ax: Any, mv_per_lsb: float, mv_at_zero: float, label: str, which: str = "y") -> Any:
    """A second axis of ``ax`` (``which`` as in :func:`lsb_axis`; y or x in mV) in codes of an
    ADC with the linear transfer ``mv_at_zero + mv_per_lsb * code`` (e.g. a CADC that calix
    calibrated: :func:`calibrated_cadc_transfer`; ``mv_at_zero = 0`` for differences)."""
    return _secondary(ax, which, (lambda v: (np.asarray(v) - mv_at_zero) / mv_per_lsb,
                                  lambda c: mv_at_zero + mv_per_lsb * np.asarray(c)), label)


#: mV per LSB of the CapMem cell that is calix's CADC reference (a shared voltage cell's raw
#: output, x * 2 mV: emulator/MODEL.md)
CAPMEM_REFERENCE_MV_PER_LSB = 2.0


def calibrated_cadc_transfer(target: Any = None) -> tuple[float, float]:
    """(mV per LSB, mV at code 0) of a CADC that calix calibrated to ``target`` (a
    ``calix.CADCCalibTarget``; default calix's default: 140..1100 mV read as 20..220)."""
    import calix

    target = calix.CADCCalibTarget() if target is None else target
    (v_low, v_high), (low, high) = target.dynamic_range, target.read_range
    mv_per_lsb = (v_high - v_low) * CAPMEM_REFERENCE_MV_PER_LSB / (high - low)
    return mv_per_lsb, v_low * CAPMEM_REFERENCE_MV_PER_LSB - low * mv_per_lsb


def save(fig: Any, path: Path, note: str = SPEEDUP_NOTE, dpi: int = 110) -> Path:
    """Lay ``fig`` out with ``note`` as its footnote, save it to ``path`` (``dpi`` dots per
    inch) and close it."""
    fig.text(0.01, 0.005, note, fontsize=7, color="0.35", ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=dpi)
    pyplot().close(fig)
    return path


__all__ = ["DEFAULT_PLOT_DIR", "INSTALL_HINT", "PLOT_DIR_ENV", "PlottingUnavailableError", "SPEEDUP_NOTE", "units",
           "biological_rate_axis", "biological_time_axis", "calibrated_cadc_transfer", "hardware_time_axis",
           "linear_lsb_axis", "lsb_axis", "plot_dir", "plot_path", "pyplot", "require_matplotlib", "save"]
