"""The correlation sensors' calibration (calix.spiking.correlation), checked against the
emulator's ground truth: each quadrant's mean amplitude (in the calibrated CADC's LSB) and its
time constant are the targets."""

from __future__ import annotations

import logging
import pickle

import numpy as np
import pytest

import calix
import halco
import lola
import stadls
from calix.common import cadc, helpers
from calix.spiking import correlation
from calix_ground_truth import initialized_emulator
from emulator import Emulator, ground_truth

TARGET = calix.CorrelationCalibTarget(amplitude=0.8, time_constant=8e-6)


def true_quadrants(connection: Emulator, branches: tuple[int, ...] = (0, 1)) -> tuple[np.ndarray, np.ndarray]:
    """Each quadrant's mean amplitude of ``branches`` [CADC LSB per pair, as the calibrated CADC
    reads it] and time constant [s], as configured now."""
    chip = connection.chip
    volts = ground_truth.correlation_amplitudes(chip)                     # [branch, synram, row, column]
    per_volt = ground_truth.cadc_codes_per_volt(chip).reshape(2, 2, 256)  # [synram, branch, column]
    lsb = volts * per_volt.transpose(1, 0, 2)[:, :, None, :]
    side = np.arange(256) // 128
    means = [lsb[list(branches), s][:, :, side == half].mean() for s in range(2) for half in range(2)]
    return np.array(means), ground_truth.correlation_time_constants(chip)


@pytest.fixture(scope="module")
def calibrated():
    connection = initialized_emulator(chip_id=2)
    cadc.calibrate(connection)
    builder = stadls.PlaybackProgramBuilder()
    calix.CorrelationCalibResult(target=TARGET).apply(builder)       # calix's defaults: 80, 70
    helpers.run(connection, builder)
    before = true_quadrants(connection)
    result = calix.calibrate_correlation(connection, TARGET)
    return connection, result, before


def test_every_quadrants_sensors_reach_the_targets(calibrated):
    connection, result, (amplitude_before, tau_before) = calibrated
    assert result.success_mask().all()
    amplitude, tau = true_quadrants(connection)
    # calix's default currents: amplitudes 40 % low and time constants eight times too long
    assert np.all(np.abs(amplitude_before / 0.8 - 1) > 0.3) and np.all(tau_before > 5 * 8e-6)
    assert amplitude == pytest.approx(np.full(4, 0.8), rel=0.02)
    assert tau == pytest.approx(np.full(4, 8e-6), rel=0.02)
    # what the calibration measured is what the sensors do
    assert result.amplitudes == pytest.approx(amplitude, rel=0.02)
    assert result.time_constants == pytest.approx(tau, rel=0.02)


def test_one_branch_is_measured_alone(calibrated):
    connection, result, _ = calibrated
    helpers.run(connection, correlation.CorrelationMeasurement.configure(stadls.PlaybackProgramBuilder()))
    options = calix.CorrelationCalibOptions(branches=calix.CorrelationCalibOptions.Branches.ACAUSAL)
    assert options.measured_branches() == (1,)
    measurement = correlation.CorrelationMeasurement(0.8, 8e-6, options.measured_branches())
    amplitude, tau = measurement.measure(connection)
    assert set(measurement.baselines) == {1}
    true_amplitude, true_tau = true_quadrants(connection, (1,))
    assert amplitude == pytest.approx(true_amplitude, rel=0.03) and tau == pytest.approx(true_tau, rel=0.03)
    helpers.run(connection, correlation.CorrelationMeasurement.clear(stadls.PlaybackProgramBuilder()))


def test_the_result_applies_pickles_is_a_chip_and_json(calibrated):
    _, result, _ = calibrated
    chip = result.to_chip()
    assert isinstance(chip, lola.Chip)
    leaves = dict(chip.leaves())
    for block in halco.iter_all(halco.CapMemBlockOnDLS):
        ramp = halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock.syn_i_bias_ramp, block)
        assert leaves[ramp].value == result.i_bias_ramp[block.value()]
    assert leaves[halco.ColumnCorrelationQuadOnDLS(7)].enable_internal_acausal == [True] * 4
    again = pickle.loads(pickle.dumps(result))
    assert np.array_equal(again.i_bias_store, result.i_bias_store) and again.target == TARGET
    back = calix.CorrelationCalibResult.from_json(result.to_json())
    assert back.target == TARGET and back.options == result.options
    assert np.array_equal(back.i_bias_ramp, result.i_bias_ramp)
    assert np.array_equal(back.time_constants, result.time_constants)
    a, b = stadls.PlaybackProgramBuilderDumper(), stadls.PlaybackProgramBuilderDumper()
    result.apply(a)
    back.apply(b)
    assert list(a.done().squash()) == list(b.done().squash())


def test_targets_and_options_are_checked(caplog):
    with pytest.raises(calix.TargetError, match=r"amplitude must lie in 0.02..20 CADC LSB per pair, got 50"):
        calix.CorrelationCalibTarget(amplitude=50)
    with pytest.raises(calix.TargetError, match=r"time_constant must be a finite number \(s\), not True"):
        calix.CorrelationCalibTarget(time_constant=True)
    with pytest.raises(calix.TargetError, match="time_constant must be a finite number"):
        calix.CorrelationCalibTarget(time_constant=float("nan"))
    with caplog.at_level(logging.WARNING, logger="calix.spiking.correlation"):
        calix.CorrelationCalibTarget(time_constant=50e-6)
    assert "outside the feasible 2e-06..3e-05" in caplog.text
    with pytest.raises(calix.TargetError, match=r"branches is one of \['CAUSAL', 'ACAUSAL', 'BOTH'\]"):
        calix.CorrelationCalibOptions(branches="causal")
    assert calix.CorrelationCalibTarget().key() != TARGET.key()
    with pytest.raises(calix.TargetError, match="needs a calix.CorrelationCalibTarget"):
        calix.calibrate_correlation(initialized_emulator(), calix.STPCalibTarget())
    with pytest.raises(calix.TargetError, match="CorrelationCalibOptions or None"):
        calix.calibrate_correlation(initialized_emulator(), options=calix.STPCalibOptions())


def test_no_correlation_is_an_error_not_a_calibration():
    # a chip fresh from reset: no CapMem current, no ramp; nothing drops
    with pytest.raises(calix.CalibError, match="is the CADC calibrated and enabled"):
        calix.calibrate_correlation(Emulator(chip_id=0))


def test_read_and_reset_coordinates_and_the_fit():
    rows, quads = np.array([3, 200]), np.array([0, 63])
    enums = correlation.sample_enums(1, rows, quads)
    expected = [halco.CADCSampleQuadOnDLS.of(halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(int(q)),
                                                                      halco.SynapseRowOnSynram(int(r))),
                                             halco.CADCChannelType.acausal,
                                             halco.CADCReadoutType.trigger_read, s).to_enum()
                for s in range(2) for r in rows for q in quads]
    assert enums.tolist() == expected
    resets = correlation.reset_enums(rows, quads)
    assert resets[-1] == halco.CorrelationResetOnDLS(halco.SynapseQuadOnSynram(
        halco.SynapseQuadColumnOnDLS(63), halco.SynapseRowOnSynram(200)), halco.SynramOnDLS(1)).to_enum()
    delays = np.array([1.0, 2.0, 4.0])
    drops = np.stack([3.0 * np.exp(-delays / 2.0), [5.0, 0.0, -1.0]])
    amplitude, tau = correlation.fit_exponential(delays, drops)
    assert amplitude[0] == pytest.approx(3.0) and tau[0] == pytest.approx(2.0)
    assert np.isnan(amplitude[1]) and np.isnan(tau[1])          # one usable drop: no fit
