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


def test_the_result_round_trips_through_json(calibrated):
    _, result = calibrated
    text = result.to_json()
    again = calix.SpikingCalibResult.from_json(text)
    assert again.neurons == result.neurons
    assert again.target == result.target and again.chip == result.chip
    assert np.array_equal(again.cadc_result.channel_offset, result.cadc_result.channel_offset)
    assert np.array_equal(again.neuron_result.offset_current_per_lsb,
                          result.neuron_result.offset_current_per_lsb, equal_nan=True)
    assert again.neuron_result.charge_per_weight == result.neuron_result.charge_per_weight
    assert again.neuron_result.steps == result.neuron_result.steps
    a, b = stadls.PlaybackProgramBuilderDumper(), stadls.PlaybackProgramBuilderDumper()
    result.apply(a)
    again.apply(b)
    assert list(a.done().squash()) == list(b.done().squash())
    with pytest.raises(calix.TargetError, match="not a NeuronCalibResult"):
        calix.NeuronCalibResult.from_json(text)
    with pytest.raises(calix.TargetError, match="not a calix JSON result"):
        calix.NeuronCalibResult.from_json("{}")
    evil = text.replace("calix.spiking.results:SpikingCalibResult", "os:system")
    with pytest.raises(calix.TargetError, match="not calix's, lola's or halco's"):
        calix.SpikingCalibResult.from_json(evil)


def test_stp_is_calibrated_by_default_and_applied_after_the_neurons(calibrated):
    import halco

    _, result = calibrated
    assert isinstance(result.stp_result, calix.STPCalibResult) and result.correlation_result is None
    assert result.stp_result.success_mask().mean() >= 0.9
    dumper = stadls.PlaybackProgramBuilderDumper()
    result.apply(dumper)
    kinds = [type(coord).__name__ for coord, _ in dumper.done()]
    assert kinds.index("SynapseDriverBlockOnDLS") > max(i for i, k in enumerate(kinds) if k == "AtomicNeuronOnDLS")
    block = dict(result.to_chip().leaves())[halco.SynapseDriverBlockOnDLS(0)]
    assert [block.synapse_drivers[i].offset for i in range(128)] == result.stp_result.offsets[:128].tolist()
    again = calix.SpikingCalibResult.from_json(result.to_json())
    assert np.array_equal(again.stp_result.offsets, result.stp_result.offsets)
    assert again.target.stp_target == result.target.stp_target


def test_the_flow_runs_stp_after_the_neurons_and_the_correlation_sensors_last(monkeypatch):
    from calix.spiking import top_level

    calls = []

    class Part:
        def __init__(self, name):
            self.name = name

        def apply(self, builder):
            calls.append("apply " + self.name)

    def step(name):
        def run(*args, **kwargs):
            calls.append(name)
            return Part(name)
        return run

    monkeypatch.setattr(top_level.cadc, "calibrate", step("cadc"))
    for name in ("neurons", "stp", "correlation"):
        monkeypatch.setattr(top_level, f"calibrate_{name}", step(name))
    target = calix.SpikingCalibTarget(correlation_target=calix.CorrelationCalibTarget())
    result = calix.calibrate_spiking(Emulator(chip_id=0), target)
    parts = ["cadc", "neurons", "stp", "correlation"]
    assert calls == parts + ["apply " + p for p in parts]
    assert result.correlation_result.name == "correlation"
    calls.clear()
    calix.calibrate_spiking(Emulator(chip_id=0), calix.SpikingCalibTarget(stp_target=None))
    assert calls == ["cadc", "neurons", "apply cadc", "apply neurons"]


def test_the_stp_and_correlation_targets_are_checked():
    with pytest.raises(calix.TargetError, match="stp_target must be a calix.STPCalibTarget or None"):
        calix.SpikingCalibTarget(stp_target=calix.CorrelationCalibTarget())
    with pytest.raises(calix.TargetError, match="correlation_target must be a calix.CorrelationCalibTarget or None"):
        calix.SpikingCalibTarget(correlation_target=calix.STPCalibTarget())
    with pytest.raises(calix.TargetError, match="stp_options must be a calix.STPCalibOptions"):
        calix.SpikingCalibOptions(stp_options=calix.CorrelationCalibOptions())
    plain = calix.SpikingCalibTarget()
    keys = {plain.key(), calix.SpikingCalibTarget(stp_target=None).key(),
            calix.SpikingCalibTarget(correlation_target=calix.CorrelationCalibTarget()).key(),
            calix.SpikingCalibTarget(stp_target=calix.STPCalibTarget(v_charge_0=99)).key()}
    assert len(keys) == 4 and plain == calix.SpikingCalibTarget()
