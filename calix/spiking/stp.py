"""Short-term plasticity (calix's ``calix.spiking.synapse_driver``): every synapse driver's STP
``offset``, so that with STP on the drivers of a CapMem quadrant deliver events of one strength.

A synapse driver with STP scales each event by its state (resources or utilization) plus an
offset of its own (``SynapseDriverConfig.offset``, 0..15). The drivers' own strengths differ
(fixed-pattern mismatch), and so do the strengths of their STP events. As the real calix,
:class:`STPOffsetCalib` measures every driver with a static STP state, the one of a fully
recovered driver (the real calix: ``v_charge = v_recover = v_stp``; here: ``utilization = 0``,
which never depletes the resources), takes the median driver of each CapMem quadrant at offset
7 as that quadrant's target and searches each driver's offset so that
its events reach it (a :class:`SecantPrediction`: the strength is linear in the offset).

The measurement uses the neurons as integrators of their excitatory input, as the synaptic
input calibration (:mod:`~calix.spiking.synaptic_input`): no leak, no threshold, a reset to a
low potential. Every synapse of both synrams has weight :data:`WEIGHT`; an FPGA event through
one driver per hemisphere (the crossbar passes L2 input 0's events to the PADI bus their label
bits 11..12 name, the drivers compare all five row-select bits) charges all 256 neurons of its
hemisphere, and the CADC reads them :data:`SETTLE_US` later. A driver's strength is the charge
of its event averaged over the 256 neurons (every driver of a hemisphere is measured on the
same neurons, so theirs is a common factor). The 128 drivers of each hemisphere follow one
another, both hemispheres at once; the membranes are reset every :data:`EVENTS_PER_RESET`
events. The neurons, synapses, crossbar and buses are reconfigured for this: apply the neuron
calibration again afterwards (:func:`calix.calibrate_spiking` does).

The STP voltages of :class:`STPCalibTarget` and the ramp current and measurement voltage of
:class:`STPCalibOptions` are written per quadrant as calix does. (The emulated chip stores them
without effect: its STP model has no voltages, ``emulator/MODEL.md``.)
"""

from __future__ import annotations

import logging
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
from ..common.cadc_helpers import N_QUADRANTS, capmem_set_quadrant_cells
from ..errors import CalibError, TargetError

log = logging.getLogger(__name__)

N_DRIVERS = halco.SynapseDriverOnDLS.size
DRIVERS_PER_HEMISPHERE = halco.SynapseDriverOnSynapseDriverBlock.size
#: the driver's STP offset (4 bit)
OFFSET_RANGE = ParameterRange(0, 15)
#: the offset at which the quadrants' median drivers set the targets (calix: the middle)
DEFAULT_OFFSET = OFFSET_RANGE.upper // 2
#: CapMem value range of the STP cells
CAPMEM_RANGE = ParameterRange(0, 1022)
#: the CapMem block (quadrant) of every driver, SynapseDriverOnDLS order
QUADRANT_OF_DRIVER = np.asarray(halco.enum_map(halco.SynapseDriverOnDLS, halco.CapMemBlockOnDLS))

#: the synapses' label and weight while measuring
LABEL = 7
WEIGHT = 2
#: the neurons while measuring: integrators of an excitatory input with the shortest time
#: constant (largest tau bias, small capacitance) and a strength at which one event of
#: ``WEIGHT`` through a driver's two synapses charges a membrane by about 15 CADC LSB, far
#: below the input's saturation; reset to about 30 LSB
INTEGRATOR = {"leak_i_bias": 0, "threshold_enable": False, "reset_v_reset": 50, "reset_i_bias": 1022,
              "membrane_capacitance_capacitance": 0, "excitatory_input_enable": True,
              "excitatory_input_i_bias_gm": 800, "excitatory_input_i_bias_tau": 1022,
              "excitatory_input_enable_small_capacitance": True,
              "excitatory_input_enable_high_resistance": False, "excitatory_input_enable_coba_mode": False,
              "inhibitory_input_enable": False, "event_routing_enable_bypass_excitatory": False,
              "event_routing_enable_bypass_inhibitory": False}
#: time from an event to the read of its charge [us]: about ten of the input's time constants
SETTLE_US = 15.0
#: events integrated between two resets of the membranes (four keep them within the CADC's range)
EVENTS_PER_RESET = 4
#: time from the resets to the reads of the start potentials [us]
RESET_US = 5.0
#: time a read of all membranes takes (128 words of 8 FPGA cycles: 8.2 us), before the next event
READ_US = 10.0
#: reads at a CADC end: the charge is not measured there
CLIPPED = (1.0, 254.0)
#: the offsets of the two probes of the search: a driver's strength is linear in its offset
#: (calix searches with a BinarySearch, six measurements; these probes and one prediction
#: from them reach the same offsets in three)
PROBES = (3, 12)
#: a driver's events this far from the target (relative) count as not calibrated: about two
#: offset steps (1/30 of a factor of about 1.2: the best offset is within half a step)
TOLERANCE = 0.05


def _per_quadrant(owner: str) -> Callable[[Any], tuple]:
    """An attrs converter: one CapMem value (0..1022) or one per quadrant (CapMemBlockOnDLS), as
    a tuple of four ints."""

    def convert(value: Any) -> tuple:
        arr = np.asarray(value)
        if arr.dtype.kind not in "iu" or arr.shape not in ((), (N_QUADRANTS,)):
            raise TargetError(f"{owner} must be an int (CapMem LSB) or {N_QUADRANTS} ints (one per "
                              f"CapMemBlockOnDLS), not {arr.dtype} of shape {arr.shape}")
        outside = (arr < CAPMEM_RANGE.lower) | (arr > CAPMEM_RANGE.upper)
        if outside.any():
            raise TargetError(f"{owner} must lie in {CAPMEM_RANGE.lower}..{CAPMEM_RANGE.upper} "
                              f"CapMem LSB, got {np.ravel(arr)[np.argmax(np.ravel(outside))]}")
        return tuple(int(v) for v in np.broadcast_to(arr, (N_QUADRANTS,)))
    return convert


def _cell(name: str, default: int, owner: str) -> Any:
    return attrs.field(default=(default,) * N_QUADRANTS, converter=_per_quadrant(f"{owner}.{name}"))


@attrs.define
class STPCalibTarget:
    """The STP voltages per CapMem quadrant (calix's ``STPCalibTarget``; CapMem LSB, one value
    or one per CapMemBlockOnDLS): two voltage sets, a driver's ``select_target_voltages``
    choosing one. ``v_charge_*`` is the fully modulated state, ``v_recover_*`` the recovered
    one; calix's defaults make set 0 facilitating (100, 400) and set 1 depressing (330, 50).
    They are not calibrated (calix neither): the calibration matches the drivers' offsets and
    writes these."""

    v_charge_0: tuple = _cell("v_charge_0", 100, "STPCalibTarget")
    v_recover_0: tuple = _cell("v_recover_0", 400, "STPCalibTarget")
    v_charge_1: tuple = _cell("v_charge_1", 330, "STPCalibTarget")
    v_recover_1: tuple = _cell("v_recover_1", 50, "STPCalibTarget")

    def key(self) -> bytes:
        """Bytes that identify the target (part of a cache key)."""
        return repr(attrs.astuple(self)).encode()


@attrs.frozen
class STPCalibOptions:
    """Biases of the STP circuits per CapMem quadrant (calix's ``STPCalibOptions``; CapMem LSB,
    one value or one per CapMemBlockOnDLS): ``i_ramp``, the ramp current of the STP pulse-width
    modulation (also written to ``stp_i_calib``), and ``v_stp``, the static STP voltage at
    which the drivers' strengths are matched (between ``v_charge`` and ``v_recover``)."""

    i_ramp: tuple = _cell("i_ramp", 600, "STPCalibOptions")
    v_stp: tuple = _cell("v_stp", 180, "STPCalibOptions")


def _offsets(value: Any) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" or arr.shape != (N_DRIVERS,):
        raise TargetError(f"STPCalibResult.offsets must be {N_DRIVERS} ints (one per "
                          f"SynapseDriverOnDLS), not {arr.dtype} of shape {arr.shape}")
    if arr.min() < OFFSET_RANGE.lower or arr.max() > OFFSET_RANGE.upper:
        raise TargetError(f"STPCalibResult.offsets must lie in {OFFSET_RANGE.lower}.."
                          f"{OFFSET_RANGE.upper}, got {int(arr.min())}..{int(arr.max())}")
    return arr.astype(np.int64)


def capmem_cells(target: STPCalibTarget, options: STPCalibOptions) -> dict:
    """The STP cells of every quadrant as calix writes them (``stp_i_bias_comparator`` at its
    maximum)."""
    cell = halco.CapMemCellOnCapMemBlock
    return {cell.stp_i_ramp: options.i_ramp, cell.stp_i_calib: options.i_ramp,
            cell.stp_v_charge_0: target.v_charge_0, cell.stp_v_recover_0: target.v_recover_0,
            cell.stp_v_charge_1: target.v_charge_1, cell.stp_v_recover_1: target.v_recover_1,
            cell.stp_i_bias_comparator: CAPMEM_RANGE.upper}


@dataclass
class STPCalibResult(CalibResult):
    """The calibrated STP offsets: ``offsets`` [256] per SynapseDriverOnDLS and whether each
    driver reached its quadrant's target (``success``); ``seconds``: the wall time of the
    calibration that made it. :meth:`apply` writes the STP cells of every quadrant (target and
    options) and every driver's configuration with its offset, STP off and nothing else
    enabled, as calix: STP is ready to be used, but disabled."""

    offsets: np.ndarray = field(default_factory=lambda: np.full(N_DRIVERS, DEFAULT_OFFSET, dtype=np.int64))
    success: np.ndarray = field(default_factory=lambda: np.ones(N_DRIVERS, dtype=bool))
    seconds: float = float("nan")

    def success_mask(self) -> np.ndarray:
        """[256] booleans in SynapseDriverOnDLS enum order."""
        return np.asarray(self.success, dtype=bool)

    def apply(self, builder: stadls.PlaybackProgramBuilder | stadls.PlaybackProgramBuilderDumper) -> None:
        self.check_builder(builder)
        capmem_set_quadrant_cells(builder, capmem_cells(self.target, self.options))
        offsets = _offsets(self.offsets)
        for block in halco.iter_all(halco.SynapseDriverBlockOnDLS):
            drivers = offsets[block.value() * DRIVERS_PER_HEMISPHERE:(block.value() + 1) * DRIVERS_PER_HEMISPHERE]
            builder.write(block, lola.SynapseDriverBlock(
                synapse_drivers=[haldls.SynapseDriverConfig(offset=int(o)) for o in drivers.tolist()]))


def _driver_words(offsets: np.ndarray) -> np.ndarray:
    """The measurement configuration of all 256 drivers with ``offsets``, as words."""
    mode = haldls.SynapseDriverConfig.RowMode.excitatory
    return haldls.SynapseDriverConfig.encode_array(
        N_DRIVERS, enable_receiver=True, row_address_compare_mask=0b11111, row_mode_top=mode,
        row_mode_bottom=mode, enable_stp=True, utilization=0, offset=np.asarray(offsets, dtype=np.int64))


def _crossbar(builder: stadls.PlaybackProgramBuilder, measuring: bool) -> None:
    """L2 input 0's nodes to the eight PADI buses: pass only the events whose label bits
    11..12 name the bus (``measuring``), or haldls's defaults; its loopback to the FPGA off
    while measuring."""
    l2 = halco.CrossbarInputOnDLS(8)
    for output in range(8):
        node = haldls.CrossbarNode(mask=0b11 << 11, target=(output % 4) << 11) if measuring \
            else haldls.CrossbarNode()
        builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(output), l2), node)
    builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8), l2),
                  haldls.CrossbarNode.drop_all() if measuring else haldls.CrossbarNode())
    for padi in halco.iter_all(halco.CommonPADIBusConfigOnDLS):
        builder.write(padi, haldls.CommonPADIBusConfig(enable_spl1=[measuring] * 4))


def _synapses(builder: stadls.PlaybackProgramBuilder, weight: int, label: int) -> None:
    matrix = lola.SynapseMatrix()
    matrix.weights = np.full(matrix.weights.shape, weight)
    matrix.labels = np.full(matrix.labels.shape, label)
    for synram in halco.iter_all(halco.SynapseMatrixOnDLS):
        builder.write(synram, matrix)


def quadrant_medians(values: np.ndarray) -> np.ndarray:
    """Each driver's quadrant median of ``values`` [256] (SynapseDriverOnDLS order)."""
    medians = np.array([np.nanmedian(values[QUADRANT_OF_DRIVER == q]) for q in range(N_QUADRANTS)])
    return medians[QUADRANT_OF_DRIVER]


class STPOffsetCalib(Calib):
    """Every driver's STP offset (0..15), so that its events with STP on (at a static STP state)
    reach the median of its CapMem quadrant's drivers at offset :data:`DEFAULT_OFFSET` (module
    docstring). ``v_stp`` and ``i_ramp`` (CapMem LSB, one or one per quadrant) are the static
    STP voltage and the ramp current written while measuring. Results within
    :data:`TOLERANCE` (relative) count as reached."""

    tolerance = TOLERANCE
    relative_tolerance = True

    def __init__(self, v_stp: Any = 180, i_ramp: Any = 600) -> None:
        super().__init__(OFFSET_RANGE, N_DRIVERS, inverted=False, errors=(
            "STP offsets of synapse drivers {0} at {1}: their events are stronger than the others' "
            "even without an offset",
            "STP offsets of synapse drivers {0} at {1}: their events stay weaker than the others'"))
        self.v_stp = _per_quadrant("STPOffsetCalib.v_stp")(v_stp)
        self.i_ramp = _per_quadrant("STPOffsetCalib.i_ramp")(i_ramp)
        #: the drivers' strengths at the default offset, measured by the prelude [256]
        self.initial_results: np.ndarray | None = None

    def configure_parameters(self, builder: stadls.PlaybackProgramBuilder,
                             parameters: np.ndarray) -> stadls.PlaybackProgramBuilder:
        builder.write_array(haldls.SynapseDriverConfig, np.arange(N_DRIVERS), _driver_words(parameters))
        return builder

    def prelude(self, connection: stadls.Connection) -> None:
        cell = halco.CapMemCellOnCapMemBlock
        builder = capmem_set_quadrant_cells(stadls.PlaybackProgramBuilder(), {
            cell.stp_v_charge_0: self.v_stp, cell.stp_v_recover_0: self.v_stp,
            cell.stp_i_ramp: self.i_ramp, cell.stp_i_calib: self.i_ramp,
            cell.stp_i_bias_comparator: CAPMEM_RANGE.upper})
        neurons = lola.AtomicNeuronArray()
        for name, value in INTEGRATOR.items():
            neurons[name] = value
        neurons.write(builder)
        h.enable_cadc_membranes(builder)
        _crossbar(builder, measuring=True)
        _synapses(builder, WEIGHT, LABEL)
        self.configure_parameters(builder, np.full(N_DRIVERS, DEFAULT_OFFSET))
        h.wait_us(builder, 20.0)            # the CapMem settles
        self.initial_results = self.measure_results(connection, builder)
        measured = self.initial_results[np.isfinite(self.initial_results)]
        if not (measured.size and np.median(measured) > 3.0):
            raise CalibError(f"STPOffsetCalib: the synapse drivers' events charge the neurons by "
                             f"{np.median(measured) if measured.size else np.nan:.1f} CADC LSB "
                             f"(median): is the CADC calibrated and enabled?")
        if self.target is None:
            self.target = quadrant_medians(self.initial_results)

    def measure_results(self, connection: stadls.Connection,
                        builder: stadls.PlaybackProgramBuilder) -> np.ndarray:
        """The charge [CADC LSB] of one event through each driver, averaged over its
        hemisphere's 256 neurons [256] (NaN: every read of the driver was clipped)."""
        reads, after = [], []
        for driver in range(DRIVERS_PER_HEMISPHERE):
            if driver % EVENTS_PER_RESET == 0:
                h.reset_neurons(builder)
                h.wait_us(builder, RESET_US)              # times from here on: after the resets
                time = RESET_US
                reads.append(h.read_membranes(builder))
            time += READ_US
            builder.wait_until(int(round(time * 125)))
            sub, bus = divmod(driver, 4)
            builder.write(halco.SpikePack1ToChipOnDLS(),
                          haldls.SpikePack1ToChip([bus << 11 | sub << 6 | LABEL]))
            time += SETTLE_US
            builder.wait_until(int(round(time * 125)))
            reads.append(h.read_membranes(builder))
            after.append(len(reads) - 1)
        h.run(connection, builder)
        values = np.array([r() for r in reads])                   # [reads, 512]
        values[(values <= CLIPPED[0]) | (values >= CLIPPED[1])] = np.nan
        after = np.array(after)
        charge = values[after] - values[after - 1]                # [128 drivers, 512 neurons]
        per_hemisphere = charge.reshape(DRIVERS_PER_HEMISPHERE, 2, -1)
        with warnings.catch_warnings():                           # all clipped: NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            strength = np.nanmean(per_hemisphere, axis=2)          # [driver, hemisphere]
        return strength.T.reshape(N_DRIVERS)

    def postlude(self, connection: stadls.Connection) -> None:
        builder = stadls.PlaybackProgramBuilder()
        _synapses(builder, 0, 0)
        _crossbar(builder, measuring=False)
        h.run(connection, builder)


def relative_spread(strengths: np.ndarray) -> float:
    """The standard deviation of the drivers' strengths [256] relative to their quadrant's
    median."""
    return float(np.nanstd(strengths / quadrant_medians(strengths)))


def calibrate_stp(connection: stadls.Connection, target: STPCalibTarget | None = None,
                  options: STPCalibOptions | None = None) -> STPCalibResult:
    """Calibrate all 256 synapse drivers' STP offsets (module docstring); the result is left
    applied (STP disabled, calix's). The CADC must be calibrated and enabled; the neurons are
    reconfigured. Drivers that did not reach their quadrant's target are logged and marked in
    ``success``."""
    target, options = checked_target_and_options("calibrate_stp", target, options,
                                                 STPCalibTarget, STPCalibOptions)
    start = time.perf_counter()
    calib = STPOffsetCalib(v_stp=options.v_stp, i_ramp=options.i_ramp)
    algorithm = SecantPrediction(PROBES)
    found = calib.run(connection, algorithm)
    result = STPCalibResult(target=target, options=options, offsets=found.calibrated_parameters,
                            success=found.success)
    log.info("STP offsets: the drivers' strengths spread by %.1f %% -> %.1f %% (s.d. relative to "
             "their quadrant's median)", 100 * relative_spread(calib.initial_results),
             100 * relative_spread(algorithm.final_results))
    failed = np.flatnonzero(~found.success)
    if failed.size:
        log.warning("STP offsets of synapse drivers %s (SynapseDriverOnDLS) did not reach their "
                    "quadrant's strength: offsets %s", failed.tolist(),
                    result.offsets[failed].tolist())
    result.apply_to(connection)
    result.seconds = time.perf_counter() - start
    return result
