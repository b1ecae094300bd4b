"""The synapse drivers' STP offsets (calix.spiking.stp), checked against the emulator's ground
truth: the true strengths of the drivers' STP events (their gain times 1 + offset / 30) match
within each CapMem quadrant after the calibration."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import calix
import halco
import lola
import stadls
from calix.common import cadc
from calix.spiking import stp
from calix_ground_truth import initialized_emulator
from emulator import Emulator, ground_truth


def quadrant_spread(strengths: np.ndarray, mask: np.ndarray | None = None) -> float:
    relative = strengths / stp.quadrant_medians(strengths)
    return float(np.std(relative if mask is None else relative[mask]))


@pytest.fixture(scope="module")
def calibrated():
    connection = initialized_emulator(chip_id=3)
    cadc.calibrate(connection)
    before = ground_truth.synapse_driver_gains(connection.chip) * (1 + stp.DEFAULT_OFFSET / 30)
    target = calix.STPCalibTarget(v_charge_0=[90, 100, 110, 120])
    result = calix.calibrate_stp(connection, target)
    return connection, result, before


def test_the_drivers_stp_strengths_match_within_their_quadrants(calibrated):
    connection, result, before = calibrated
    ok = result.success_mask()
    assert ok.mean() >= 0.9 and result.offsets.min() >= 0 and result.offsets.max() <= 15
    # the result is applied with STP off: the truth of the calibrated offsets
    after = ground_truth.synapse_driver_gains(connection.chip) * (1 + result.offsets / 30)
    assert quadrant_spread(before) > 0.07
    assert quadrant_spread(after, ok) < 0.015
    # a driver at an end of the offsets may need more than they reach: it counts as failed
    assert not ok[(result.offsets == 0) | (result.offsets == 15)].any()
    assert np.allclose(ground_truth.stp_efficacies(connection.chip), after)


def test_the_result_applies_pickles_is_a_chip_and_json(calibrated):
    _, result, _ = calibrated
    chip = result.to_chip()
    assert isinstance(chip, lola.Chip)
    leaves = dict(chip.leaves())
    block = leaves[halco.SynapseDriverBlockOnDLS(1)]
    assert [block.synapse_drivers[i].offset for i in range(128)] == result.offsets[128:].tolist()
    assert not any(block.synapse_drivers[i].enable_stp for i in range(128))     # ready, but off
    cell = halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock.stp_v_charge_0, halco.CapMemBlockOnDLS(3))
    assert leaves[cell].value == 120
    again = pickle.loads(pickle.dumps(result))
    assert np.array_equal(again.offsets, result.offsets) and again.target == result.target
    back = calix.STPCalibResult.from_json(result.to_json())
    assert np.array_equal(back.offsets, result.offsets) and np.array_equal(back.success, result.success)
    assert back.target == result.target and back.options == result.options
    a, b = stadls.PlaybackProgramBuilderDumper(), stadls.PlaybackProgramBuilderDumper()
    result.apply(a)
    back.apply(b)
    assert list(a.done().squash()) == list(b.done().squash())


def test_targets_options_and_results_are_checked():
    assert calix.STPCalibTarget().v_recover_1 == (50,) * 4
    assert calix.STPCalibTarget(v_charge_1=np.int64(300)) == calix.STPCalibTarget(v_charge_1=[300] * 4)
    assert calix.STPCalibTarget().key() != calix.STPCalibTarget(v_recover_0=401).key()
    with pytest.raises(calix.TargetError, match=r"STPCalibTarget.v_charge_0 must lie in 0..1022 CapMem LSB, got 1023"):
        calix.STPCalibTarget(v_charge_0=1023)
    with pytest.raises(calix.TargetError, match=r"STPCalibOptions.i_ramp must be an int .* or 4 ints"):
        calix.STPCalibOptions(i_ramp=[600, 600])
    with pytest.raises(calix.TargetError, match="v_stp must be an int"):
        calix.STPCalibOptions(v_stp=180.5)
    with pytest.raises(calix.TargetError, match="offsets must lie in 0..15"):
        calix.STPCalibResult(target=calix.STPCalibTarget(), options=calix.STPCalibOptions(),
                             offsets=np.full(256, 16)).apply(stadls.PlaybackProgramBuilderDumper())
    with pytest.raises(calix.TargetError, match="needs a calix.STPCalibTarget"):
        calix.calibrate_stp(initialized_emulator(), target=calix.CorrelationCalibTarget())
    with pytest.raises(calix.TargetError, match="STPCalibOptions or None"):
        calix.calibrate_stp(initialized_emulator(), options=calix.STPCalibTarget())


def test_no_charge_is_an_error_not_a_calibration():
    # a chip fresh from reset: its CapMem drives nothing, so no ramp rises and no event charges
    # a neuron; the calibration says so instead of matching noise
    with pytest.raises(calix.CalibError, match="is the CADC calibrated and enabled"):
        calix.calibrate_stp(Emulator(chip_id=1))
