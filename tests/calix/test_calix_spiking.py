"""The spiking mode's whole calibration (CADC, then the neurons on the calibrated CADC),
checked against the emulator's ground truth: the true leak potentials, read by each neuron's
own CADC channel without noise, are the targets."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import calix
import emulator.core as core
import lola
import stadls
from calix_ground_truth import cadc_reads, true_parameters
from emulator import Emulator


@pytest.fixture(scope="module")
def calibrated():
    connection = Emulator(chip_id=4)
    target = calix.SpikingCalibTarget(neuron_target=calix.NeuronCalibTarget(leak=100, tau_syn=6e-6))
    result = calix.calibrate(target, cache_paths=[], connection=connection)
    return connection, result


def test_leaks_read_their_target_on_the_calibrated_cadc(calibrated):
    connection, result = calibrated
    assert result.success_mask().mean() >= 0.98
    assert result.cadc_result.success_mask().all()
    truth = cadc_reads(connection, true_parameters(connection)[core.P_V_LEAK])
    ok = result.success_mask()
    assert np.median(truth[ok]) == pytest.approx(100, abs=0.5)
    assert np.std(truth[ok]) < 1.0


def test_the_result_applies_in_order_pickles_and_is_a_chip(calibrated):
    _, result = calibrated
    dumper = stadls.PlaybackProgramBuilderDumper()
    result.apply(dumper)
    chip = result.to_chip()
    assert isinstance(chip, lola.Chip)
    assert chip.neuron_block.atomic_neurons[5] == result.neurons[list(result.neurons)[5]]
    again = pickle.loads(pickle.dumps(result))
    assert np.array_equal(again.cadc_result.channel_offset, result.cadc_result.channel_offset)


def test_targets_and_options_are_checked():
    with pytest.raises(calix.TargetError, match="neuron_target must be a calix.NeuronCalibTarget"):
        calix.SpikingCalibTarget(neuron_target=calix.CADCCalibTarget())
    with pytest.raises(calix.TargetError, match="cadc_options must be a calix.CADCCalibOptions"):
        calix.SpikingCalibOptions(cadc_options=calix.NeuronCalibOptions())
    with pytest.raises(calix.TargetError, match="SpikingCalibOptions or None"):
        calix.calibrate_spiking(Emulator(chip_id=0), options=calix.NeuronCalibOptions())
    assert calix.SpikingCalibTarget() == calix.SpikingCalibTarget()
    assert calix.SpikingCalibTarget().key() != calix.SpikingCalibTarget(
        neuron_target=calix.NeuronCalibTarget(leak=90)).key()
    with pytest.raises(calix.TargetError, match="initialize must be True or False"):
        calix.calibrate_neurons(Emulator(chip_id=0), initialize="no")
