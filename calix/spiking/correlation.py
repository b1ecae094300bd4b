"""Correlation sensors (calix's ``calix.spiking.correlation``): the amplitude and the time
constant of the synapses' correlation sensors, per CapMem quadrant.

Each synapse has a causal and an acausal sensor. A pre spike followed by a post spike ``d``
later lowers the causal sensor's reading by ``a exp(-d / tau)`` (the amplitude ``a`` in CADC
LSB per pair at zero delay), a post spike followed by a pre spike the acausal one. The
quadrant's shared CapMem currents set both: ``syn_i_bias_store`` the amplitude,
``syn_i_bias_ramp`` the time constant (a larger current, a faster decay). As the real calix,
:class:`AmplitudeCalib` searches the store current and then :class:`TimeConstantCalib` the ramp
current of every quadrant so that the quadrant's synapses reach :class:`CorrelationCalibTarget`
(the real calix takes the median synapse, here their mean: CADC reads are integers, and a
median of integer differences would be quantised). Both are linear (the amplitude in the store
current, the decay rate ``1 / tau`` in the ramp current), so each is a
:class:`SecantPrediction` from two probes (calix: a binary search).

:class:`CorrelationMeasurement` measures all four quadrants at once with pre/post pairs at
eight delays at the same time: the synapse drivers compare the upper three bits of an event's
row address, so that an FPGA event reaches one of eight groups of 16 drivers (32 synapse rows)
per hemisphere, each group with its own delay; a ``BlockPostPulse`` is the post spike of every
column of a half of both hemispheres. In the causal phase each group's pre spike precedes the
post pulse by its delay, in the acausal phase it follows it, ``n_pairs`` times each; the CADC
reads every row of each group in every fourth quad of columns before (after a ``CorrelationReset``) and
after each phase. The mean drop of a group's sensors over the pairs at its delay gives, fitted
over the eight delays (``log`` of the drops, weighted by their square), the quadrant's amplitude
and time constant. The sensors pair nearest neighbours (a post spike with the last pre spike,
a pre spike with the last post spike), so a new pair may follow soon after the last one.

The synapses (all labels :data:`LABEL`, weights 0), the synapse drivers, the PADI buses, the
crossbar's L2 input 0 and the column switches are reconfigured for the measurement; the
synapses are cleared afterwards. It runs last in the spiking flow, as in calix: the
correlation biases disturb other CADC reads. (The real calix also sets two board voltages,
``v_res_meas`` and ``v_reset``, and can calibrate each synapse's calibration bits for hours;
the emulated chip has neither: ``emulator/MODEL.md``.)
"""

from __future__ import annotations

import enum
import logging
import math
import numbers
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import attrs
import numpy as np

import halco
import haldls
import lola
import stadls
from ..common import helpers as h
from ..common.algorithms import SecantPrediction
from ..common.base import Calib, CalibResult, ParameterRange, checked_target_and_options
from ..common import cadc_helpers
from ..common.cadc_helpers import N_QUADRANTS, capmem_set_quadrant_cells
from ..errors import CalibError, TargetError

log = logging.getLogger(__name__)

#: the quadrants' CapMem currents (the ramp current 0 would never decay)
STORE_RANGE = ParameterRange(0, 1022)
RAMP_RANGE = ParameterRange(1, 1022)
#: calix's settings before calibration (its CorrelationCalibResult's defaults)
DEFAULT_RAMP, DEFAULT_STORE = 80, 70
#: the correlation output bias calix writes
I_BIAS_COROUT = 600
#: the synapses' label while measuring (calix's)
LABEL = 15
#: the row-select bits the drivers compare: the upper three, eight groups of 16 drivers
GROUP_MASK = 0b11100
N_GROUPS = 8
#: the pre/post delays of the groups, in target time constants
DELAYS = np.array([0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3])
#: the sensors' summed drop at zero delay over a phase's pairs [CADC LSB]: the number of pairs
#: is this over the target amplitude
TOTAL_DROP = 10.0
PAIRS_RANGE = (4, 200)
#: the synapse rows read per group (all 32) and the quad columns read (every fourth): 1024
#: sensors per group and quadrant, whose mean gain (15 % each) is then the quadrant's within
#: 0.5 %
ROWS_PER_GROUP = 32
QUADS = np.arange(0, halco.SynapseQuadColumnOnDLS.size, 4)
#: reads averaged for the sensors' readings after a reset
BASELINE_READS = 2
#: a first guess of the amplitude [CADC LSB per pair] per store LSB and of the time constant
#: times the ramp current [s * LSB]: only for the probes (the searches measure)
AMPLITUDE_PER_STORE = 1.0 / 150.0
TIME_CONSTANT_TIMES_RAMP = 5e-3
#: the quadrants' results this far from the target (relative) count as not calibrated
TOLERANCE = 0.05
#: reads at a CADC end do not count
CLIPPED = (1.0, 254.0)

#: name -> (feasible range: a warning outside, hard range: an error outside, unit)
RANGES = {"amplitude": ((0.2, 2.0), (0.02, 20.0), "CADC LSB per pair"),
          "time_constant": ((2e-6, 30e-6), (0.2e-6, 1e-3), "s")}


def _number(owner: str, name: str) -> Callable[[Any, Any, Any], None]:
    (low, high), (hard_low, hard_high), unit = RANGES[name]

    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise TargetError(f"{owner}.{name} must be a finite number ({unit}), not {value!r}")
        if not hard_low <= value <= hard_high:
            raise TargetError(f"{owner}.{name} must lie in {hard_low:g}..{hard_high:g} {unit}, "
                              f"got {value:g}")
        if not low <= value <= high:
            log.warning("%s.%s = %g %s lies outside the feasible %g..%g: the sensors may not reach "
                        "it", owner, name, value, unit, low, high)
    return check


@attrs.define
class CorrelationCalibTarget:
    """Targets of the correlation sensors (calix's ``CorrelationCalibTarget``) for all synapses:
    ``amplitude``, the drop of a sensor's reading per pre/post pair at zero delay (CADC LSB,
    default 0.5, feasible 0.2..2.0), and ``time_constant``, its decay with the delay (seconds,
    default 5 us, feasible 2..30 us). A value outside the feasible range is allowed with a
    warning, outside 0.02..20 LSB and 0.2 us..1 ms it is an error. (The emulated sensors'
    ramp current reaches down to about 4.9 us only: ``emulator/MODEL.md``.)"""

    amplitude: float = attrs.field(default=0.5, validator=_number("CorrelationCalibTarget", "amplitude"))
    time_constant: float = attrs.field(default=5e-6,
                                       validator=_number("CorrelationCalibTarget", "time_constant"))

    def key(self) -> bytes:
        """Bytes that identify the target (part of a cache key)."""
        return repr((float(self.amplitude), float(self.time_constant))).encode()


def _branches(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, CorrelationCalibOptions.Branches):
        raise TargetError(f"CorrelationCalibOptions.branches is one of "
                          f"{[b.name for b in CorrelationCalibOptions.Branches]} "
                          f"(CorrelationCalibOptions.Branches), not {value!r}")


@attrs.frozen
class CorrelationCalibOptions:
    """Options of the correlation calibration (calix's ``CorrelationCalibOptions``):
    ``branches``, the sensors whose amplitude and time constant are calibrated (causal,
    acausal or both: one current serves both, calix's default)."""

    class Branches(enum.Enum):
        """The correlation branches a calibration considers."""
        CAUSAL = 0
        ACAUSAL = 1
        BOTH = 2

    branches: "CorrelationCalibOptions.Branches" = attrs.field(default=Branches.BOTH, validator=_branches)

    def measured_branches(self) -> tuple[int, ...]:
        """The CADC channel types (0 causal, 1 acausal) this option measures."""
        return {self.Branches.CAUSAL: (0,), self.Branches.ACAUSAL: (1,), self.Branches.BOTH: (0, 1)}[self.branches]



def _read_layout() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The synapse rows read (``ROWS_PER_GROUP`` of each group) [64], their groups [64] and the
    synapse columns of the quad columns read [len(QUADS), 4] (by EntryOnQuad)."""
    rows_per_driver_group = halco.SynapseRowOnSynram.size // N_GROUPS
    step = rows_per_driver_group // ROWS_PER_GROUP
    rows = np.arange(0, halco.SynapseRowOnSynram.size, step)
    columns = np.asarray(halco.enum_map(halco.SynapseQuadColumnOnDLS, halco.SynapseOnSynapseRow))[QUADS]
    return rows, rows // rows_per_driver_group, columns


def sample_enums(branch: int, rows: np.ndarray, quads: np.ndarray) -> np.ndarray:
    """CADCSampleQuadOnDLS enums of triggered reads of channel type ``branch`` (0 causal, 1
    acausal) at ``rows`` x ``quads`` of both synrams [synram, row, quad] (flattened)."""
    # nested enums: synram, readout type, channel type, SynapseQuadOnSynram (row * 64 + quad)
    synram = np.arange(halco.SynramOnDLS.size)[:, None, None]
    local = rows[None, :, None] * halco.SynapseQuadColumnOnDLS.size + quads[None, None, :]
    return (synram * halco.CADCSampleQuadOnSynram.size
            + int(halco.CADCReadoutType.trigger_read) * halco.CADCSampleQuadUnspecifiedReadoutOnSynram.size
            + branch * halco.SynapseQuadOnSynram.size + local).ravel()


def reset_enums(rows: np.ndarray, quads: np.ndarray) -> np.ndarray:
    """CorrelationResetOnDLS enums of ``rows`` x ``quads`` of both synrams."""
    synram = np.arange(halco.SynramOnDLS.size)[:, None, None]
    local = rows[None, :, None] * halco.SynapseQuadColumnOnDLS.size + quads[None, None, :]
    return (synram * halco.SynapseQuadOnSynram.size + local).ravel()


def fit_exponential(delays: np.ndarray, drops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(a, tau)`` of ``drops[..., k] = a exp(-delays[k] / tau)`` (last axis), least squares of
    the logarithm weighted by the squared drop (a read's noise is the same at every drop, so a
    small drop's log is the less certain); drops <= 0 do not count; NaN without two."""
    drops = np.asarray(drops, dtype=float)
    usable = np.isfinite(drops) & (drops > 0)
    w = np.where(usable, drops, 0.0) ** 2
    y = np.log(np.where(usable, drops, 1.0))
    d = np.broadcast_to(delays, drops.shape)
    sw = w.sum(axis=-1)
    enough = usable.sum(axis=-1) >= 2
    sw_safe = np.where(sw > 0, sw, 1.0)
    md, my = (w * d).sum(axis=-1) / sw_safe, (w * y).sum(axis=-1) / sw_safe
    cov = (w * (d - md[..., None]) * (y - my[..., None])).sum(axis=-1)
    var = (w * (d - md[..., None]) ** 2).sum(axis=-1)
    slope = np.where(enough & (var > 0), cov / np.where(var > 0, var, 1.0), np.nan)
    amplitude = np.exp(my - slope * md)
    with np.errstate(divide="ignore"):
        tau = np.where(slope < 0, -1.0 / slope, np.inf)
    return np.where(enough, amplitude, np.nan), np.where(np.isnan(slope), np.nan, tau)


class CorrelationMeasurement:
    """Amplitude and time constant of the correlation sensors of every quadrant at once
    (module docstring), for targets ``amplitude`` [CADC LSB per pair] and ``time_constant``
    [s] (the delays and the number of pairs are chosen for them) and the sensors of
    ``branches`` (0 causal, 1 acausal)."""

    def __init__(self, amplitude: float, time_constant: float, branches: tuple[int, ...] = (0, 1)) -> None:
        self.delays = DELAYS * float(time_constant)                 # [s] per group
        self.n_pairs = int(np.clip(np.ceil(TOTAL_DROP / float(amplitude)), *PAIRS_RANGE))
        self.branches = tuple(branches)
        #: the time between two pairs of a group [s]: the longest delay and a margin
        self.period = 1.25 * float(self.delays.max()) + 1e-6
        self.rows, self.groups, self.columns = _read_layout()
        #: the sensors' readings after a reset, per measured branch [synram, row, column]
        self.baselines: dict[int, np.ndarray] | None = None

    @staticmethod
    def configure(builder: stadls.PlaybackProgramBuilder) -> stadls.PlaybackProgramBuilder:
        """The chip set up for the measurement: every synapse label :data:`LABEL`, weight 0;
        every driver receiving from its bus, its group by the row address, both rows
        excitatory; the buses open to the crossbar, L2 input 0 passing to all eight; the column
        switches connecting each column's sensors (and nothing else) to its CADC channels; the
        correlation output bias."""
        capmem_set_quadrant_cells(builder, {halco.CapMemCellOnCapMemBlock.syn_i_bias_corout: I_BIAS_COROUT})
        matrix = lola.SynapseMatrix()
        matrix.labels = np.full(matrix.labels.shape, LABEL)
        for synram in halco.iter_all(halco.SynapseMatrixOnDLS):
            builder.write(synram, matrix)
        mode = haldls.SynapseDriverConfig.RowMode.excitatory
        driver = haldls.SynapseDriverConfig(enable_receiver=True, row_address_compare_mask=GROUP_MASK,
                                            row_mode_top=mode, row_mode_bottom=mode)
        for block in halco.iter_all(halco.SynapseDriverBlockOnDLS):
            builder.write(block, lola.SynapseDriverBlock(
                synapse_drivers=[driver] * halco.SynapseDriverOnSynapseDriverBlock.size,
                padi_bus=haldls.CommonPADIBusConfig(enable_spl1=[True] * 4)))
        l2 = halco.CrossbarInputOnDLS(8)
        for output in range(8):
            builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(output), l2), haldls.CrossbarNode())
        connect_sensors(builder)
        return builder

    @staticmethod
    def clear(builder: stadls.PlaybackProgramBuilder) -> stadls.PlaybackProgramBuilder:
        """Undo the measurement's synapses, drivers and buses (haldls's defaults)."""
        for synram in halco.iter_all(halco.SynapseMatrixOnDLS):
            builder.write(synram, lola.SynapseMatrix())
        for block in halco.iter_all(halco.SynapseDriverBlockOnDLS):
            builder.write(block, lola.SynapseDriverBlock())
        return builder

    def _phase(self, builder: stadls.PlaybackProgramBuilder, branch: int) -> None:
        """``n_pairs`` pairs at every group's delay: pre spikes before (``branch`` 0) or after
        (1) each post pulse."""
        order = np.argsort(self.delays)
        sign = -1.0 if branch == 0 else 1.0
        labels = (np.arange(N_GROUPS) * (GROUP_MASK & -GROUP_MASK)) << 6 | LABEL
        start = float(self.delays.max()) + 1e-6
        builder.write(halco.TimerOnDLS(), haldls.Timer())
        for pair in range(self.n_pairs):
            post = start + pair * self.period
            pre = np.rint((post + sign * self.delays[order[::-1] if branch == 0 else order]) * 125e6)
            pre_labels = labels[order[::-1] if branch == 0 else order]
            if branch == 1:
                builder.wait_until(int(round(post * 125e6)))
                for block in halco.iter_all(halco.BlockPostPulseOnDLS):
                    builder.write(block, haldls.BlockPostPulse())
            builder.write_spike_train(pre.astype(np.int64), pre_labels)
            if branch == 0:
                builder.wait_until(int(round(post * 125e6)))
                for block in halco.iter_all(halco.BlockPostPulseOnDLS):
                    builder.write(block, haldls.BlockPostPulse())
        builder.wait_until(int(round((start + self.n_pairs * self.period) * 125e6)))

    def _reads(self, builder: stadls.PlaybackProgramBuilder, branch: int) -> Callable[[], np.ndarray]:
        """Append reads of the measured sensors of ``branch``; returns a function giving them
        [synram, row, column] (NaN where clipped) once the program has run."""
        ticket = builder.read_array(haldls.CADCSampleQuad, sample_enums(branch, self.rows, QUADS))

        def values() -> np.ndarray:
            shape = (halco.SynramOnDLS.size, len(self.rows), len(QUADS) * 4)
            reads = ticket.get()["samples"].reshape(shape).astype(float)
            return np.where((reads > CLIPPED[0]) & (reads < CLIPPED[1]), reads, np.nan)
        return values

    def _reset(self, builder: stadls.PlaybackProgramBuilder) -> None:
        resets = reset_enums(self.rows, QUADS)
        builder.write_array(haldls.CorrelationReset, resets, haldls.CorrelationReset.encode_array(len(resets)))

    def read_baselines(self, connection: stadls.Connection) -> None:
        """Read the measured sensors after a reset, ``BASELINE_READS`` times averaged: what
        every measurement's drops are taken from (they do not depend on the currents)."""
        builder = stadls.PlaybackProgramBuilder()
        self._reset(builder)
        reads = {branch: [self._reads(builder, branch) for _ in range(BASELINE_READS)]
                 for branch in self.branches}
        h.run(connection, builder)
        self.baselines = {branch: np.mean([r() for r in values], axis=0) for branch, values in reads.items()}

    def measure(self, connection: stadls.Connection,
                builder: stadls.PlaybackProgramBuilder | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Run the pairs (after ``builder``, e.g. new biases); returns the amplitude [CADC LSB
        per pair] and the time constant [s] of each quadrant [4] (CapMemBlockOnDLS), fitted over
        the groups' mean drops of the measured branches."""
        builder = stadls.PlaybackProgramBuilder() if builder is None else builder
        if self.baselines is None:
            self.read_baselines(connection)
        after = {}
        for branch in self.branches:
            self._reset(builder)
            self._phase(builder, branch)
            after[branch] = self._reads(builder, branch)
        h.run(connection, builder)
        # the read columns' quadrant within their hemisphere (0 left, 1 right)
        side = self.columns.ravel() // (halco.SynapseOnSynapseRow.size // 2)
        per_group = []
        for branch in self.branches:
            drop = self.baselines[branch] - after[branch]()            # [synram, row, column]
            means = np.empty((halco.SynramOnDLS.size, 2, N_GROUPS))
            with warnings.catch_warnings():                       # all clipped: NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                for g in range(N_GROUPS):
                    rows = drop[:, self.groups == g]
                    for half in range(2):
                        means[:, half, g] = np.nanmean(rows[:, :, side == half], axis=(1, 2))
            per_group.append(means.reshape(N_QUADRANTS, N_GROUPS))      # quadrant 2 * synram + half
        # the branches' groups side by side: one fit per quadrant over all of them
        total, tau = fit_exponential(np.tile(self.delays, len(per_group)), np.concatenate(per_group, axis=1))
        return total / self.n_pairs, tau


def connect_sensors(builder: Any) -> Any:
    """Every column's causal and acausal sensors to its CADC channels, and nothing else
    (``enable_internal_causal`` and ``enable_internal_acausal`` on, as the real calix's
    correlation measurement sets them): vectorized on a PlaybackProgramBuilder, one container
    each on a Dumper."""
    return cadc_helpers.write_column_switches(builder, cadc_helpers.SENSORS_CONNECTED)


class _CorrelationCalib(Calib):
    """A current of each quadrant searched while ``measurement`` measures; ``cells`` are the
    other correlation currents written in the prelude."""

    cell: halco.CapMemCellOnCapMemBlock
    tolerance = TOLERANCE
    relative_tolerance = True

    def __init__(self, parameter_range: ParameterRange, measurement: CorrelationMeasurement,
                 cells: dict, errors: tuple[str, str]) -> None:
        super().__init__(parameter_range, N_QUADRANTS, inverted=False, errors=errors)
        self.measurement = measurement
        self.cells = cells
        #: the amplitudes and time constants of the last measurement [4] each
        self.last: tuple[np.ndarray, np.ndarray] | None = None

    def prelude(self, connection: stadls.Connection) -> None:
        builder = CorrelationMeasurement.configure(stadls.PlaybackProgramBuilder())
        capmem_set_quadrant_cells(builder, self.cells)
        h.run(connection, builder)

    def configure_parameters(self, builder: stadls.PlaybackProgramBuilder,
                             parameters: np.ndarray) -> stadls.PlaybackProgramBuilder:
        capmem_set_quadrant_cells(builder, {self.cell: parameters})
        h.wait_us(builder, 20.0)                   # the new currents settle
        return builder

    def _measure(self, connection: stadls.Connection, builder: stadls.PlaybackProgramBuilder) -> tuple:
        self.last = self.measurement.measure(connection, builder)
        return self.last


class AmplitudeCalib(_CorrelationCalib):
    """The store current (``syn_i_bias_store``) of each quadrant, so that its sensors' mean
    amplitude is the target [CADC LSB per pair at zero delay]; the ramp current is
    ``i_bias_ramp`` (one or one per quadrant) meanwhile."""

    cell = halco.CapMemCellOnCapMemBlock.syn_i_bias_store

    def __init__(self, measurement: CorrelationMeasurement, target: float, i_bias_ramp: Any) -> None:
        super().__init__(STORE_RANGE, measurement, {halco.CapMemCellOnCapMemBlock.syn_i_bias_ramp: i_bias_ramp},
                         errors=("correlation store currents of quadrants {0} at {1}: their sensors "
                                 "are stronger than the target even at the lowest current",
                                 "correlation store currents of quadrants {0} at {1}: choose a smaller "
                                 "amplitude"))
        self.target = float(target)

    def measure_results(self, connection, builder):
        return self._measure(connection, builder)[0]


class TimeConstantCalib(_CorrelationCalib):
    """The ramp current (``syn_i_bias_ramp``) of each quadrant, so that its sensors decay with
    the target time constant [s]; the store current is ``i_bias_store`` meanwhile. The search
    works on the decay rate ``1 / tau`` (linear in the current): :meth:`measure_results` gives
    rates [1/s] and the target is the target's rate."""

    cell = halco.CapMemCellOnCapMemBlock.syn_i_bias_ramp

    def __init__(self, measurement: CorrelationMeasurement, target: float, i_bias_store: Any) -> None:
        super().__init__(RAMP_RANGE, measurement, {halco.CapMemCellOnCapMemBlock.syn_i_bias_store: i_bias_store},
                         errors=("correlation ramp currents of quadrants {0} at {1}: choose a shorter "
                                 "time constant",
                                 "correlation ramp currents of quadrants {0} at {1}: the sensors decay "
                                 "slower than the target even at the largest current (the emulated "
                                 "ones reach down to about 4.9 us)"))
        self.target = 1.0 / float(target)

    def measure_results(self, connection, builder):
        with np.errstate(divide="ignore"):
            return 1.0 / self._measure(connection, builder)[1]


def _per_quadrant(default: int) -> Any:
    return field(default_factory=lambda: np.full(N_QUADRANTS, default, dtype=np.int64))


@dataclass
class CorrelationCalibResult(CalibResult):
    """The calibrated correlation sensors (calix's ``CorrelationCalibResult``): per quadrant
    (CapMemBlockOnDLS) the ramp and store currents ``i_bias_ramp`` and ``i_bias_store``
    (CapMem LSB; defaults: calix's 80 and 70), the ``amplitudes`` [CADC LSB per pair] and
    ``time_constants`` [s] last measured with them, and whether the quadrant reached both
    targets (``success``); ``seconds``: the wall time of the calibration that made it.
    :meth:`apply` writes the currents of every quadrant and connects the sensors to the CADC
    (the column switches' defaults)."""

    i_bias_ramp: np.ndarray = _per_quadrant(DEFAULT_RAMP)
    i_bias_store: np.ndarray = _per_quadrant(DEFAULT_STORE)
    amplitudes: np.ndarray = field(default_factory=lambda: np.full(N_QUADRANTS, np.nan))
    time_constants: np.ndarray = field(default_factory=lambda: np.full(N_QUADRANTS, np.nan))
    success: np.ndarray = field(default_factory=lambda: np.zeros(N_QUADRANTS, dtype=bool))
    seconds: float = float("nan")

    def success_mask(self) -> np.ndarray:
        """[4] booleans in CapMemBlockOnDLS enum order."""
        return np.asarray(self.success, dtype=bool)

    def apply(self, builder: stadls.PlaybackProgramBuilder | stadls.PlaybackProgramBuilderDumper) -> None:
        self.check_builder(builder)
        cell = halco.CapMemCellOnCapMemBlock
        capmem_set_quadrant_cells(builder, {cell.syn_i_bias_corout: I_BIAS_COROUT,
                                            cell.syn_i_bias_ramp: self.i_bias_ramp,
                                            cell.syn_i_bias_store: self.i_bias_store})
        connect_sensors(builder)


def _probes(guess: float, parameter_range: ParameterRange) -> tuple[int, int]:
    """Two different probes around ``guess``: 0.6 and 1.2 times it, inside the range."""
    low, high = parameter_range
    first = int(np.clip(round(0.6 * guess), low, high - 1))
    return first, int(np.clip(max(round(1.2 * guess), first + 1), low + 1, high))


def calibrate_correlation(connection: stadls.Connection, target: CorrelationCalibTarget | None = None,
                          options: CorrelationCalibOptions | None = None) -> CorrelationCalibResult:
    """Calibrate the correlation sensors' amplitude, then their time constant, per quadrant
    (module docstring); the result is left applied and says which quadrants reached both
    targets (the others are logged). The CADC must be calibrated and enabled, and no neuron
    may spike meanwhile (a spike is a post pulse)."""
    target, options = checked_target_and_options("calibrate_correlation", target, options,
                                                 CorrelationCalibTarget, CorrelationCalibOptions)
    start = time.perf_counter()
    measurement = CorrelationMeasurement(target.amplitude, target.time_constant, options.measured_branches())
    ramp = int(np.clip(round(TIME_CONSTANT_TIMES_RAMP / target.time_constant), *RAMP_RANGE))
    searches = [SecantPrediction(_probes(target.amplitude / AMPLITUDE_PER_STORE, STORE_RANGE)),
                SecantPrediction(_probes(ramp, RAMP_RANGE))]
    store = AmplitudeCalib(measurement, target.amplitude, ramp).run(connection, searches[0])
    if np.isnan(searches[0].final_results).all():
        raise CalibError("calibrate_correlation: no correlation sensor's reading dropped with its "
                         "pre/post pairs: is the CADC calibrated and enabled?")
    ramps = TimeConstantCalib(measurement, target.time_constant, store.calibrated_parameters).run(
        connection, searches[1])
    with np.errstate(divide="ignore"):
        time_constants = 1.0 / searches[1].final_results
    result = CorrelationCalibResult(
        target=target, options=options, i_bias_ramp=ramps.calibrated_parameters,
        i_bias_store=store.calibrated_parameters, amplitudes=searches[0].final_results,
        time_constants=time_constants, success=store.success & ramps.success)
    log.info("correlation sensors: store %s, ramp %s (CapMem LSB per quadrant): amplitudes %s "
             "CADC LSB per pair, time constants %s us", result.i_bias_store.tolist(),
             result.i_bias_ramp.tolist(), np.round(result.amplitudes, 3).tolist(),
             np.round(result.time_constants * 1e6, 2).tolist())
    failed = np.flatnonzero(~result.success)
    if failed.size:
        log.warning("correlation sensors of quadrants %s (CapMemBlockOnDLS) did not reach their "
                    "targets (amplitude %g, time constant %g s)", failed.tolist(), target.amplitude,
                    target.time_constant)
    builder = CorrelationMeasurement.clear(stadls.PlaybackProgramBuilder())
    result.apply(builder)
    h.run(connection, builder)
    result.seconds = time.perf_counter() - start
    return result
