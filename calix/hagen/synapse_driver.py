"""The synapse drivers' HAGEN DACs (calix's ``hagen.synapse_driver``): every driver turns the
activation in an event's address into a pulse through its own DAC, whose offset shifts the
activation; ``hagen_dac_offset`` (with ``enable_hagen_dac``) compensates it, so that every
driver gives the same activation the same pulse.

:class:`HagenDACOffsetCalib` measures, for every driver, the amplitude its synapses integrate on
the neurons at the test activation (``SynapseDriverCalibOptions.offset_test_activation``) and
at the longest pulse (the plateau the offset's largest setting reaches at the lowest address);
their ratio, times 32, is the activation the driver really sends (the neurons' and synapses'
gains cancel in it). A binary search on the 64 offset codes (a larger code, a shorter pulse)
brings it to the test activation.

As calix's ``SynapseDriverMeasurement``, drivers are measured in parallel, each on its own
columns: :data:`PARALLEL` drivers per hemisphere at once, each on every ``PARALLEL``-th
column (8 columns spread over the row); both hemispheres at once (the crossbar sends an event to
the hemisphere its label's bit 13 names). Unlike calix, the amplitudes are integrated on the
neurons' membranes (the emulated CADC reads no synaptic-input line), and the STP ramp current
per quadrant (calix's ``STPRampCalib``) is not calibrated: the emulated HAGEN pulse does not
come from an STP ramp (``emulator/MODEL.md``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import halco
import haldls
import lola
import stadls
from ..common import helpers as h
from ..common.algorithms import BinarySearch
from ..common.base import Calib, CalibResult, ParameterRange
from ..errors import CalibNotSuccessful, TargetError
from .neuron_helpers import integrate, integrator_settings
from .targets import SynapseDriverCalibOptions

log = logging.getLogger(__name__)

N_DRIVERS = halco.SynapseDriverOnDLS.size
#: synapse drivers per hemisphere
N_LOCAL = halco.SynapseDriverOnSynapseDriverBlock.size
#: the HAGEN activation of the longest nominal pulse (address bits 0)
ACTIVATION_MAX = 32
#: the DAC offset codes
OFFSET_RANGE = ParameterRange(0, 63)
#: drivers measured at once per hemisphere, each on every PARALLEL-th column
PARALLEL = 32
#: the weight of every measurement synapse (the input stays far from its saturation)
WEIGHT = 8
#: the median amplitude [CADC LSB] at the longest pulse the number of events is chosen for
AMPLITUDE_MAX = 80.0
#: events per driver of the first measurement, from which the number for AMPLITUDE_MAX follows
PROBE_EVENTS = 6
#: a driver's events follow each other by this many synaptic time constants (the rest of the
#: previous current, 14 %, adds little to the next: the amplitudes stay nearly linear)
SPACING_TAU = 2.0
#: the label bit that selects the hemisphere at the crossbar (calix: 13)
HEMISPHERE_BIT = 13
_L2_INPUTS = [halco.CrossbarInputOnDLS(8 + j) for j in range(4)]


@dataclass
class SynapseDriverCalibResult(CalibResult):
    """The calibrated synapse drivers: ``hagen_dac_offset`` [256] (SynapseDriverOnDLS order) and
    ``success`` [256] (False: the driver's offset lies beyond the range the code corrects).
    :meth:`apply` writes both hemispheres' synapse driver blocks ready for the HAGEN mode as
    hxtorch uses it: every driver receiving (full row-select mask), HAGEN modulation and DAC on
    with its offset, top row excitatory, bottom row inhibitory; every PADI bus accepting events
    from the crossbar."""

    hagen_dac_offset: np.ndarray = field(default_factory=lambda: np.full(N_DRIVERS, 32, dtype=np.int64))
    success: np.ndarray = field(default_factory=lambda: np.ones(N_DRIVERS, dtype=bool))

    def success_mask(self) -> np.ndarray:
        """[256] booleans in SynapseDriverOnDLS order."""
        return np.asarray(self.success, dtype=bool)

    def synapse_driver_block(self, hemisphere: int) -> lola.SynapseDriverBlock:
        """The calibrated block of ``hemisphere`` (0 top, 1 bottom)."""
        if hemisphere not in (0, 1):
            raise TargetError(f"hemisphere is 0 (top) or 1 (bottom), not {hemisphere!r}")
        block = lola.SynapseDriverBlock()
        mode = haldls.SynapseDriverConfig.RowMode
        offsets = np.asarray(self.hagen_dac_offset, dtype=np.int64)[hemisphere * N_LOCAL:(hemisphere + 1) * N_LOCAL]
        block.synapse_drivers = [haldls.SynapseDriverConfig(
            enable_receiver=True, enable_address_out=False, enable_hagen_modulation=True,
            enable_hagen_dac=True, hagen_dac_offset=int(o), row_mode_top=mode.excitatory,
            row_mode_bottom=mode.inhibitory) for o in offsets.tolist()]
        block.padi_bus = haldls.CommonPADIBusConfig(enable_spl1=[True] * 4)
        return block

    def apply(self, builder: stadls.PlaybackProgramBuilder | stadls.PlaybackProgramBuilderDumper) -> None:
        self.check_builder(builder)
        for block in halco.iter_all(halco.SynapseDriverBlockOnDLS):
            builder.write(block, self.synapse_driver_block(block.value()))


def hagen_labels(drivers: np.ndarray, codes: Any) -> np.ndarray:
    """The spike labels that send address ``codes`` (the activation's code: 32 - activation)
    through ``drivers`` (SynapseDriverOnDLS enums) with the crossbar of
    :func:`configure_crossbar`: SPL1 address = the driver's PADI bus, bit 13 its hemisphere,
    row select = its index on the bus (the drivers compare all five bits)."""
    drivers = np.asarray(drivers, dtype=np.int64)
    hemisphere, local = np.divmod(drivers, N_LOCAL)
    return ((local % 4) << 14) | (hemisphere << HEMISPHERE_BIT) | ((local // 4) << 6) | np.asarray(codes)


def configure_crossbar(builder: Any) -> Any:
    """L2 input j reaches PADI bus j of the hemisphere the label's bit 13 names (calix's
    ``preconfigure_crossbar``), nothing else; every PADI bus accepts crossbar events."""
    for j, source in enumerate(_L2_INPUTS):
        for output in halco.iter_all(halco.CrossbarOutputOnDLS):
            if output.value() in (j, 4 + j):
                hemisphere = output.value() // 4
                config = haldls.CrossbarNode(mask=1 << HEMISPHERE_BIT, target=hemisphere << HEMISPHERE_BIT)
            elif output.value() < 8 or output.value() == source.value():
                config = haldls.CrossbarNode.drop_all()
            else:
                continue                                    # no node there
            builder.write(halco.CrossbarNodeOnDLS(output, source), config)
    for block in halco.iter_all(halco.CommonPADIBusConfigOnDLS):
        builder.write(block, haldls.CommonPADIBusConfig(enable_spl1=[True] * 4))
    return builder


def restore_crossbar(builder: Any) -> Any:
    """The L2 inputs' crossbar nodes and the PADI buses at their defaults again."""
    for source in _L2_INPUTS:
        for output in halco.iter_all(halco.CrossbarOutputOnDLS):
            if output.value() < 8 or output.value() == source.value():
                builder.write(halco.CrossbarNodeOnDLS(output, source), haldls.CrossbarNode())
    for block in halco.iter_all(halco.CommonPADIBusConfigOnDLS):
        builder.write(block, haldls.CommonPADIBusConfig())
    return builder


def measurement_synapses(weight: int = WEIGHT) -> lola.SynapseMatrix:
    """The synapses of a measurement, the same in both synrams: driver d's top (excitatory) row
    has ``weight`` on every PARALLEL-th column from column ``d % PARALLEL``, label 0."""
    synapses = lola.SynapseMatrix()
    slot = np.arange(N_LOCAL) % PARALLEL
    weights = np.zeros((256, 256), dtype=np.int64)
    weights[1::2] = np.where(np.arange(256)[None, :] % PARALLEL == slot[:, None], weight, 0)
    synapses.weights = weights
    return synapses


def _columns() -> np.ndarray:
    """[PARALLEL, 256 // PARALLEL] the columns of each slot."""
    return np.arange(256).reshape(256 // PARALLEL, PARALLEL).T


def configure_drivers(builder: Any, offsets: np.ndarray) -> Any:
    """All 256 drivers receiving (full row-select mask), HAGEN modulation and DAC on with
    ``offsets`` [256], top rows excitatory, bottom rows off."""
    mode = haldls.SynapseDriverConfig.RowMode
    builder.write_array(haldls.SynapseDriverConfig, np.arange(N_DRIVERS), haldls.SynapseDriverConfig.encode_array(
        N_DRIVERS, enable_receiver=True, enable_address_out=False, enable_hagen_modulation=True,
        enable_hagen_dac=True, hagen_dac_offset=np.asarray(offsets, dtype=np.int64),
        row_mode_top=int(mode.excitatory), row_mode_bottom=int(mode.disabled)))
    return builder


def send_labels(builder: stadls.PlaybackProgramBuilder, labels: list[int]) -> None:
    """Spike packs of up to three ``labels`` each, at once."""
    packs = ((halco.SpikePack1ToChipOnDLS, haldls.SpikePack1ToChip),
             (halco.SpikePack2ToChipOnDLS, haldls.SpikePack2ToChip),
             (halco.SpikePack3ToChipOnDLS, haldls.SpikePack3ToChip))
    for k in range(0, len(labels), 3):
        coord, container = packs[len(labels[k:k + 3]) - 1]
        builder.write(coord(), container(labels[k:k + 3]))


def read_driver_amplitudes(builder: stadls.PlaybackProgramBuilder, code: int, n_events: int,
                           spacing_us: float, quiet_us: float, repetitions: int = 1) -> Any:
    """Append the runs that send ``n_events`` events of address ``code`` through every driver
    (PARALLEL per hemisphere at a time, ``spacing_us`` apart per driver) and read each
    integration; returns a function giving the amplitudes [256 drivers, 256 // PARALLEL
    columns] (CADC LSB, mean over ``repetitions``) once the program has run."""
    columns = _columns()
    runs = []
    for _ in range(repetitions):
        for run in range(N_LOCAL // PARALLEL):
            local = run * PARALLEL + np.arange(PARALLEL)
            labels = hagen_labels(np.concatenate([local, N_LOCAL + local]), code).tolist()
            runs.append((run, *integrate(builder, lambda b, i, labels=labels: send_labels(b, labels),
                                         n_events, spacing_us, quiet_us)))

    def values() -> np.ndarray:
        out = np.zeros((repetitions, 2, N_LOCAL, columns.shape[1]))
        for i, (run, before, after) in enumerate(runs):
            amplitude = (after() - before()).reshape(2, 256)
            local = run * PARALLEL + np.arange(PARALLEL)
            out[i // (N_LOCAL // PARALLEL)][:, local] = amplitude[:, columns]
        return out.mean(axis=0).reshape(N_DRIVERS, columns.shape[1])
    return values


class HagenDACOffsetCalib(Calib):
    """``hagen_dac_offset`` of every synapse driver (inverted: a larger code, a shorter pulse),
    so that the activation it really sends at ``test_activation`` is ``test_activation``: the
    ratio of its amplitudes there and at the longest pulse, times 32. ``state``: the neurons
    (calibrated integrators; their excitatory inputs are measured). Results within half an
    activation LSB count as reached (the measurement resolves about a quarter)."""

    tolerance = 1.0

    def __init__(self, state: lola.AtomicNeuronArray, test_activation: int = 3, tau_syn: float = 2.5e-6,
                 repetitions: int = 1) -> None:
        super().__init__(OFFSET_RANGE, N_DRIVERS, inverted=True, errors=(
            "HAGEN DAC offsets of synapse drivers {0} reached {1}: their pulses are too long to "
            "correct", "HAGEN DAC offsets of synapse drivers {0} reached {1}: their pulses are "
            "too short to correct"))
        if isinstance(test_activation, bool) or not isinstance(test_activation, (int, np.integer)) \
                or not 1 <= test_activation <= 31:
            raise TargetError(f"test_activation is a HAGEN activation 1..31, not {test_activation!r}")
        self.state = state
        self.test_activation = int(test_activation)
        self.spacing_us = SPACING_TAU * tau_syn * 1e6
        self.quiet_us = 5.0 * tau_syn * 1e6
        self.repetitions = int(repetitions)
        self.n_events = PROBE_EVENTS
        #: amplitudes [256, columns] at the longest pulse (the prelude measures them)
        self.maximum_amplitudes: np.ndarray | None = None

    def _amplitudes(self, connection: stadls.Connection, builder: stadls.PlaybackProgramBuilder,
                    activation: int) -> np.ndarray:
        values = read_driver_amplitudes(builder, ACTIVATION_MAX - activation, self.n_events,
                                        self.spacing_us, self.quiet_us, self.repetitions)
        h.run(connection, builder)
        return values()

    def measure_maximum_amplitudes(self, connection: stadls.Connection) -> np.ndarray:
        """The amplitudes [256, columns] of the longest pulse: address 0 (activation 32) at the
        smallest offset code (the DAC's largest shift up: the pulse reaches its window's end)."""
        builder = configure_drivers(stadls.PlaybackProgramBuilder(), np.full(N_DRIVERS, OFFSET_RANGE.lower))
        return self._amplitudes(connection, builder, ACTIVATION_MAX)

    def prelude(self, connection: stadls.Connection) -> None:
        measurement = self.state.copy()
        for name, value in integrator_settings("excitatory", self.state["excitatory_input_i_bias_gm"]).items():
            measurement[name] = value
        builder = stadls.PlaybackProgramBuilder()
        measurement.write(builder)
        configure_crossbar(builder)
        for synram in halco.iter_all(halco.SynapseMatrixOnDLS):
            builder.write(synram, measurement_synapses())
        h.wait_us(builder, 20.0)
        h.run(connection, builder)
        self.n_events = PROBE_EVENTS
        probe = float(np.median(self.measure_maximum_amplitudes(connection)))
        if not probe > 1.0:
            raise CalibNotSuccessful(f"HagenDACOffsetCalib: the synapse drivers' events integrate no "
                                     f"amplitude ({probe:.1f} CADC LSB median): are the neurons' "
                                     f"excitatory inputs calibrated?")
        self.n_events = int(np.clip(round(PROBE_EVENTS * AMPLITUDE_MAX / probe), 1, 64))
        self.maximum_amplitudes = self.measure_maximum_amplitudes(connection)
        self.target = float(self.test_activation)
        log.info("HagenDACOffsetCalib: %d events per driver, %.1f LSB median at the longest pulse",
                 self.n_events, float(np.median(self.maximum_amplitudes)))

    def configure_parameters(self, builder: stadls.PlaybackProgramBuilder,
                             parameters: np.ndarray) -> stadls.PlaybackProgramBuilder:
        return configure_drivers(builder, parameters)

    def measure_results(self, connection: stadls.Connection,
                        builder: stadls.PlaybackProgramBuilder) -> np.ndarray:
        """The activation [256] every driver sends at ``test_activation``."""
        amplitudes = self._amplitudes(connection, builder, self.test_activation)
        return ACTIVATION_MAX * amplitudes.sum(axis=1) / np.maximum(self.maximum_amplitudes.sum(axis=1), 1e-9)

    def postlude(self, connection: stadls.Connection) -> None:
        builder = stadls.PlaybackProgramBuilder()
        restore_crossbar(builder)
        for synram in halco.iter_all(halco.SynapseMatrixOnDLS):
            builder.write(synram, lola.SynapseMatrix())
        h.run(connection, builder)


def calibrate(connection: stadls.Connection, state: lola.AtomicNeuronArray,
              options: SynapseDriverCalibOptions | None = None, tau_syn: float = 2.5e-6) -> SynapseDriverCalibResult:
    """Calibrate the HAGEN DAC offsets of all 256 synapse drivers on ``connection``, measured on
    the neurons of ``state`` (calibrated integrators; ``tau_syn`` [s]: their longest synaptic
    time constant). The measurement's crossbar nodes, PADI buses and synapses are reset
    afterwards; the drivers keep their calibrated offsets."""
    options = SynapseDriverCalibOptions() if options is None else options
    if not isinstance(options, SynapseDriverCalibOptions):
        raise TargetError(f"the synapse driver options are a calix.hagen.SynapseDriverCalibOptions "
                          f"or None, not {type(options).__name__}")
    calibration = HagenDACOffsetCalib(state, options.offset_test_activation, tau_syn, options.repetitions)
    result = calibration.run(connection, BinarySearch())
    if not result.success.all():
        log.warning("synapse drivers %s did not reach the test activation %d: their offsets %s are "
                    "marked failed", np.flatnonzero(~result.success).tolist(),
                    options.offset_test_activation, result.calibrated_parameters[~result.success].tolist())
    return SynapseDriverCalibResult(target=None, options=options,
                                    hagen_dac_offset=result.calibrated_parameters.astype(np.int64),
                                    success=result.success.copy())
