"""Leak and threshold calibrated by the two PPUs (a libnux_vm kernel on each hemisphere),
checked against the emulator's ground truth like the host's calibration."""

from __future__ import annotations

import numpy as np
import pytest

import calix
import emulator.core as core
from calix.spiking import ppu_calibration
from emulator import Emulator, ground_truth


@pytest.fixture(scope="module")
def calibrated():
    connection = Emulator(chip_id=1)
    options = calix.NeuronCalibOptions(on_ppu=True)
    return connection, calix.calibrate(calix.NeuronCalibTarget(), options=options, cache_paths=[],
                                       connection=connection)


def test_the_ppus_bring_leak_and_threshold_to_their_targets(calibrated):
    connection, result = calibrated
    assert result.success_mask().mean() >= 0.98
    assert [name for name, *_ in result.steps][-2:] == ["leak and threshold on the PPUs", "offset current"]
    P = ground_truth.parameters(connection.chip)
    leak = ground_truth.cadc_reads(connection.chip, P[core.P_V_LEAK])
    threshold = ground_truth.cadc_reads(connection.chip, P[core.P_V_THRESHOLD])
    assert np.mean(np.abs(leak - 80) <= 2) >= 0.98 and np.median(leak) == pytest.approx(80, abs=0.5)
    assert np.mean(np.abs(threshold - 140) <= 3) >= 0.98 and np.median(threshold) == pytest.approx(140, abs=0.5)
    # the kernel writes CapMem in steps of 4 (its vector lanes hold a quarter)
    neurons = np.array([n.leak.v_leak for n in result.neurons.values()])
    assert (neurons % 4 == 0).all() and neurons.std() > 10


def test_bad_targets_and_options_are_refused():
    with pytest.raises(calix.TargetError, match="on_ppu must be True or False"):
        calix.NeuronCalibOptions(on_ppu="yes")
    with pytest.raises(calix.TargetError, match="leak targets must lie in 0..255"):
        ppu_calibration.calibrate_on_ppus(Emulator(), None, 300, 140)
    assert calix.common.cache.cache_key(calix.NeuronCalibTarget(), calix.NeuronCalibOptions(on_ppu=True), 0) != \
        calix.common.cache.cache_key(calix.NeuronCalibTarget(), calix.NeuronCalibOptions(), 0)
