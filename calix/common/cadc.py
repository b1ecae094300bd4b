"""CADC calibration (calix's ``common.cadc``): every CADC channel of the chip (top and bottom,
causal and acausal, 1024 in all) converts a given range of voltages to a given range of codes,
and all channels read the same code for the same voltage.

A CADC channel is a single-slope ADC: a ramp per quadrant (CapMem block) starts at the voltage
of the quadrant's ``cadc_v_ramp_offset`` cell and rises at a rate set by its
``cadc_i_ramp_slope`` current; each channel's comparator (with its own offset) latches the
counter where the ramp crosses its input, and a digital offset per channel
(``CADCChannelConfig.offset``) is added. The calibration connects every channel to one reference
voltage, the CapMem cell ``stp_v_charge_0`` shown at CapMem block 0's debug output and joined
to the CADC debug lines through pad 0 (:mod:`~calix.common.cadc_helpers`), and then, as the real
calix:

1. :class:`RampOffsetCalib`: a binary search per quadrant on the ramp start, so that the lower
   end of ``dynamic_range`` (CapMem LSB of the reference) reads ``read_range.lower`` on
   average over the quadrant's channels;
2. :class:`RampSlopeCalib`: a binary search per quadrant on the ramp current, so that the upper
   end reads ``read_range.upper``;
3. :class:`ChannelOffsetCalib`: one prediction of the digital offset of each channel, so that
   all channels read the same code in the middle of the dynamic range.

Beyond the real calix: steps 1 and 2 are repeated (``CADCCalibOptions.ramp_passes``, default
3), since the ramp start found in step 1 at a guessed slope moves the lower end once step 2
changes the slope (by about 5 LSB for the default target, 0.5 LSB after a second pass); the
offsets average many reads per channel (``offset_reads``, the emulated CADC's read noise is
1 LSB); and the target of step 3 lies halfway between two codes, so that every channel's
noise-free reading of the mid-range voltage is one of those two codes.
"""

from __future__ import annotations

import logging
import numbers
from dataclasses import dataclass, field
from typing import Any

import attrs
import numpy as np

import halco
import haldls
import stadls
from . import cadc_helpers
from .algorithms import BinarySearch, LinearPrediction
from .base import Calib, CalibResult, ParameterRange, TopLevelCalibTarget, checked_target_and_options
from .helpers import run
from ..errors import TargetError

log = logging.getLogger(__name__)

#: the hardware's ranges: CapMem values of the reference, CADC codes
CAPMEM_RANGE = ParameterRange(0, 1022)
CADC_RANGE = ParameterRange(0, 255)
#: calix's feasible ranges: outside them the calibration may not succeed (a warning)
FEASIBLE_DYNAMIC_RANGE = ParameterRange(70, 550)
FEASIBLE_READ_RANGE = ParameterRange(20, 220)
#: ramp current during the first ramp start search (calix's value: a steep ramp)
PRELUDE_RAMP_SLOPE = 350
#: a median read this far from the middle of the CADC range means the ramps went wrong
ALLOWED_MEDIAN_DEVIATION = 50


def _range(name: str, hard: ParameterRange, feasible: ParameterRange, unit: str) -> Any:
    """An attrs converter: ``(lower, upper)`` ints inside ``hard``, lower < upper, as a
    ParameterRange; a warning outside ``feasible``."""

    def convert(value: Any) -> ParameterRange:
        where = f"CADCCalibTarget.{name}"
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
            raise TargetError(f"{where} must be two ints (lower, upper) in {unit} "
                              f"{hard.lower}..{hard.upper}, not {value!r:.60}")
        bounds = []
        for v in value:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Integral, np.integer)):
                raise TargetError(f"{where} must be two ints (lower, upper) in {unit} "
                                  f"{hard.lower}..{hard.upper}, not {value!r:.60}")
            bounds.append(int(v))
        lower, upper = bounds
        if not (hard.lower <= lower <= hard.upper and hard.lower <= upper <= hard.upper):
            raise TargetError(f"{where} = ({lower}, {upper}) lies outside the allowed "
                              f"{hard.lower}..{hard.upper} {unit}")
        if lower >= upper:
            raise TargetError(f"{where} = ({lower}, {upper}): the lower end must lie below the "
                              f"upper one (both in {hard.lower}..{hard.upper} {unit})")
        if lower < feasible.lower or upper > feasible.upper:
            log.warning("%s = (%d, %d) %s reaches outside the feasible %d..%d: the calibration "
                        "may not succeed", where, lower, upper, unit, feasible.lower, feasible.upper)
        return ParameterRange(lower, upper)
    return convert


@attrs.define
class CADCCalibTarget(TopLevelCalibTarget):
    """Targets of the CADC calibration (calix's ``CADCCalibTarget``).

    ``dynamic_range``: (lower, upper) CapMem LSB of the reference voltage (``stp_v_charge_0``,
    2 mV per LSB on the emulated chip): the voltages that should read ``read_range``; default
    (70, 550), 0.14..1.10 V. ``read_range``: (lower, upper) CADC codes read there; default
    (20, 220), leaving room below and above for the channels' offsets. Both are validated on
    construction and assignment (two ints, lower < upper, inside 0..1022 and 0..255; a warning
    outside calix's feasible 70..550 and 20..220).

    ``calibrate(connection, options)`` runs :func:`calibrate` (``options``: a
    :class:`CADCCalibOptions` or None)."""

    dynamic_range: ParameterRange = attrs.field(
        default=(70, 550), converter=_range("dynamic_range", CAPMEM_RANGE, FEASIBLE_DYNAMIC_RANGE,
                                            "CapMem LSB"))
    read_range: ParameterRange = attrs.field(
        default=(20, 220), converter=_range("read_range", CADC_RANGE, FEASIBLE_READ_RANGE,
                                            "CADC LSB"))

    def calibrate(self, connection: stadls.Connection, options: Any = None) -> "CADCCalibResult":
        return calibrate(connection, self, options)


def _int_in(low: int, high: int) -> Any:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)) \
                or not low <= value <= high:
            raise TargetError(f"CADCCalibOptions.{attribute.name} must be an int {low}..{high}, "
                              f"not {value!r}")
    return check


def _bool(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TargetError(f"CADCCalibOptions.{attribute.name} must be True or False, not {value!r}")


@attrs.frozen
class CADCCalibOptions:
    """Options of the CADC calibration.

    ``calibrate_offsets``: calibrate the channels' digital offsets (calix's option; off, the
    offsets stay 0). ``ramp_passes``: how often the ramp start and slope searches run, each
    pass starting from the slope the previous one found (1: the real calix). ``offset_reads``:
    reads of every channel averaged for the offsets (their error is about 1 LSB /
    sqrt(offset_reads))."""

    calibrate_offsets: bool = attrs.field(default=True, validator=_bool)
    ramp_passes: int = attrs.field(default=3, validator=_int_in(1, 5))
    offset_reads: int = attrs.field(default=100, validator=_int_in(1, 1000))


def _zeros(n: int, dtype: type = np.int64) -> np.ndarray:
    return np.zeros(n, dtype=dtype)


@dataclass
class CADCCalibResult(CalibResult):
    """The calibrated CADC: per quadrant (CapMemBlockOnDLS) the ramp start ``v_ramp_offset``
    and current ``i_ramp_slope`` (CapMem LSB), per channel (CADCChannelConfigOnDLS order) the
    digital ``channel_offset`` and whether it reached its targets (``success``: a failed
    quadrant fails all its channels). :meth:`apply` configures and enables the CADC as after
    the calibration."""

    v_ramp_offset: np.ndarray = field(default_factory=lambda: _zeros(cadc_helpers.N_QUADRANTS))
    i_ramp_slope: np.ndarray = field(default_factory=lambda: _zeros(cadc_helpers.N_QUADRANTS))
    channel_offset: np.ndarray = field(default_factory=lambda: _zeros(cadc_helpers.N_CHANNELS))
    success: np.ndarray = field(default_factory=lambda: _zeros(cadc_helpers.N_CHANNELS, bool))

    def success_mask(self) -> np.ndarray:
        """[1024] booleans in CADCChannelConfigOnDLS enum order."""
        return np.asarray(self.success, dtype=bool)

    def apply(self, builder: stadls.PlaybackProgramBuilder | stadls.PlaybackProgramBuilderDumper) -> None:
        """Both CADCs on, the ramp cells of every quadrant (with calix's fixed ramp biases) and
        every channel's digital offset."""
        self.check_builder(builder)
        cadc_helpers.enable_cadcs(builder)
        cadc_helpers.capmem_set_quadrant_cells(builder, {
            **cadc_helpers.RAMP_BIASES,
            halco.CapMemCellOnCapMemBlock.cadc_v_ramp_offset: self.v_ramp_offset,
            halco.CapMemCellOnCapMemBlock.cadc_i_ramp_slope: self.i_ramp_slope})
        cadc_helpers.set_channel_offsets(builder, self.channel_offset)


class _QuadrantRampCalib(Calib):
    """A ramp cell of each quadrant searched so that the reference, at ``reference`` CapMem
    LSB, reads ``target`` on average over the quadrant's channels."""

    cell: halco.CapMemCellOnCapMemBlock

    def __init__(self, target: float, reference: int, errors: tuple[str, str]) -> None:
        super().__init__(CAPMEM_RANGE, cadc_helpers.N_QUADRANTS, inverted=True, errors=errors)
        self.target = target
        self.reference = int(reference)

    def reference_cells(self) -> dict:
        return {cadc_helpers.REFERENCE_CELL: self.reference}

    def prelude(self, connection: stadls.Connection) -> None:
        builder = cadc_helpers.capmem_set_quadrant_cells(stadls.PlaybackProgramBuilder(),
                                                         self.reference_cells())
        run(connection, builder)

    def configure_parameters(self, builder: stadls.PlaybackProgramBuilder,
                             parameters: np.ndarray) -> stadls.PlaybackProgramBuilder:
        return cadc_helpers.capmem_set_quadrant_cells(builder, {self.cell: parameters})

    def measure_results(self, connection: stadls.Connection,
                        builder: stadls.PlaybackProgramBuilder) -> np.ndarray:
        reads = cadc_helpers.read_cadcs(builder)
        run(connection, builder)
        return cadc_helpers.quadrant_means(reads()[0])


class RampOffsetCalib(_QuadrantRampCalib):
    """Step 1: the ramp start (``cadc_v_ramp_offset``) of each quadrant, so that the lower end of
    the dynamic range (``dynamic_range_min``, CapMem LSB of the reference) reads ``target``. The
    ramp current is set to ``i_ramp_slope`` first (None: left as it is)."""

    cell = halco.CapMemCellOnCapMemBlock.cadc_v_ramp_offset

    def __init__(self, target: float = 20, dynamic_range_min: int = 70,
                 i_ramp_slope: Any = PRELUDE_RAMP_SLOPE) -> None:
        super().__init__(target, dynamic_range_min, errors=(
            "ramp start of quadrants {0} at {1}: choose a greater lower end of the dynamic range "
            "(70 is feasible)",
            "ramp start of quadrants {0} at {1}: check the lower end of the dynamic range"))
        self.i_ramp_slope = i_ramp_slope

    def reference_cells(self) -> dict:
        cells = super().reference_cells()
        if self.i_ramp_slope is not None:
            cells[halco.CapMemCellOnCapMemBlock.cadc_i_ramp_slope] = self.i_ramp_slope
        return cells


class RampSlopeCalib(_QuadrantRampCalib):
    """Step 2: the ramp current (``cadc_i_ramp_slope``) of each quadrant, so that the upper end
    of the dynamic range (``dynamic_range_max``) reads ``target``."""

    cell = halco.CapMemCellOnCapMemBlock.cadc_i_ramp_slope

    def __init__(self, target: float = 220, dynamic_range_max: int = 550) -> None:
        super().__init__(target, dynamic_range_max, errors=(
            "ramp current of quadrants {0} at {1}: the upper end of the dynamic range must lie "
            "well above the lower one",
            "ramp current of quadrants {0} at {1}: choose a lower upper end of the dynamic range "
            "(up to about 600)"))


class ChannelOffsetCalib(Calib):
    """Step 3: the digital offset of every channel, so that all read the same at the middle of
    the dynamic range (``dynamic_range_mid``, CapMem LSB of the reference). One
    :class:`LinearPrediction` from reads at offset 0; each measurement averages ``reads`` reads
    per channel. The target is the median channel's reading, placed halfway between two codes
    (``floor(median) + 0.5``): the integer offsets then put every channel's noise-free reading
    on one of those two codes, as long as its measurement is off by less than half a code."""

    tolerance = 1.0        # LSB: a channel whose calibrated reading is further off fails

    def __init__(self, dynamic_range_mid: int = 310, reads: int = 100) -> None:
        super().__init__(ParameterRange(-128, 127), cadc_helpers.N_CHANNELS, errors=(
            "digital offsets of channels {0} at {1}: their reads lie far above the others",
            "digital offsets of channels {0} at {1}: their reads lie far below the others"))
        self.dynamic_range_mid = int(dynamic_range_mid)
        self.reads = int(reads)
        #: averaged reads [1024] before the offsets were calibrated (offsets 0)
        self.initial_results: np.ndarray | None = None

    @staticmethod
    def find_target_read(reads: np.ndarray) -> float:
        """The target: halfway between the codes around the median read, with a warning if it
        lies far from the middle of the CADC range."""
        median = float(np.median(reads))
        middle = (CADC_RANGE.upper + 1) / 2
        if abs(median - middle) > ALLOWED_MEDIAN_DEVIATION:
            log.warning("ChannelOffsetCalib: the median read is %.1f where about %d is expected: "
                        "check that the ramp calibrations worked", median, middle)
        return float(np.floor(median)) + 0.5

    def prelude(self, connection: stadls.Connection) -> None:
        builder = cadc_helpers.capmem_set_quadrant_cells(
            stadls.PlaybackProgramBuilder(), {cadc_helpers.REFERENCE_CELL: self.dynamic_range_mid})
        self.configure_parameters(builder, np.zeros(self.n_instances, dtype=np.int64))
        self.initial_results = self.measure_results(connection, builder)
        self.target = self.find_target_read(self.initial_results)

    def configure_parameters(self, builder: stadls.PlaybackProgramBuilder,
                             parameters: np.ndarray) -> stadls.PlaybackProgramBuilder:
        return cadc_helpers.set_channel_offsets(builder, parameters)

    def measure_results(self, connection: stadls.Connection,
                        builder: stadls.PlaybackProgramBuilder) -> np.ndarray:
        reads = cadc_helpers.read_cadcs(builder, self.reads)
        run(connection, builder)
        return reads().mean(axis=0)

    def postlude(self, connection: stadls.Connection) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        before = self.initial_results
        builder = stadls.PlaybackProgramBuilder()
        after = self.measure_results(connection, builder)
        log.info("CADC channels at reference %d LSB: std %.2f -> %.2f LSB, range %.1f -> %.1f LSB "
                 "(means of %d reads)", self.dynamic_range_mid, before.std(), after.std(),
                 np.ptp(before), np.ptp(after), self.reads)


def calibrate(connection: stadls.Connection, target: CADCCalibTarget | None = None,
              options: CADCCalibOptions | None = None) -> CADCCalibResult:
    """Calibrate all 1024 CADC channels of the chip behind ``connection`` to ``target``
    (default :class:`CADCCalibTarget`): the ramps of the four quadrants, then the channels'
    digital offsets (module docstring). The CADC is left calibrated, enabled and switched back
    from the reference to its columns; the result says which channels failed (they are logged
    with their quadrant's settings)."""
    target, options = checked_target_and_options("calix.common.cadc.calibrate", target, options,
                                                 CADCCalibTarget, CADCCalibOptions)
    builder = cadc_helpers.configure_chip(stadls.PlaybackProgramBuilder())
    cadc_helpers.configure_readout_cadc_debug(builder)
    run(connection, builder)

    result = CADCCalibResult(target=target, options=options)
    slope: Any = PRELUDE_RAMP_SLOPE
    for _ in range(options.ramp_passes):
        offset = RampOffsetCalib(target.read_range.lower, target.dynamic_range.lower, slope).run(
            connection, BinarySearch())
        ramp = RampSlopeCalib(target.read_range.upper, target.dynamic_range.upper).run(
            connection, BinarySearch())
        slope = None                # the next pass keeps the slope just found
    result.v_ramp_offset = offset.calibrated_parameters
    result.i_ramp_slope = ramp.calibrated_parameters
    quadrants_ok = offset.success & ramp.success
    result.success = cadc_helpers.convert_success_masks(quadrants_ok)
    if not quadrants_ok.all():
        log.warning("CADC ramps of quadrants %s did not reach their targets (ramp start %s, "
                    "current %s LSB): their channels are marked failed",
                    np.flatnonzero(~quadrants_ok).tolist(),
                    result.v_ramp_offset[~quadrants_ok].tolist(),
                    result.i_ramp_slope[~quadrants_ok].tolist())
    log.info("CADC ramps: start %s, current %s (CapMem LSB per quadrant)",
             result.v_ramp_offset.tolist(), result.i_ramp_slope.tolist())

    if options.calibrate_offsets:
        mid = (target.dynamic_range.lower + target.dynamic_range.upper) // 2
        offsets = ChannelOffsetCalib(mid, options.offset_reads).run(
            connection, LinearPrediction(probe_parameters=0, offset=-(CADC_RANGE.upper // 2),
                                         slope=1.0))
        result.channel_offset = offsets.calibrated_parameters
        failed = ~offsets.success
        if failed.any():
            log.warning("CADC channels %s (CADCChannelConfigOnDLS) did not reach the common "
                        "reading: their offsets %s are marked failed", np.flatnonzero(failed).tolist(),
                        result.channel_offset[failed].tolist())
        result.success = result.success & offsets.success
    run(connection, cadc_helpers.disconnect_readout_cadc_debug(stadls.PlaybackProgramBuilder()))
    return result
