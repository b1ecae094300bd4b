"""The HAGEN calibration (calix.hagen): one calibration of chip 0, applied to a fresh emulated
chip and checked against its ground truth (the quadrants' synapse DAC currents, each neuron's
true input charges, the drivers' true activation offsets, the baseline), never against the
measurements the calibration used."""

from __future__ import annotations

import logging
import pickle
import time

import numpy as np
import pytest

import calix
import emulator.core as core
import lola
import stadls
from calix.common import helpers
from calix.hagen import neuron as hagen_neuron
from calix_ground_truth import cadc_reads, initialized_emulator
from emulator import Emulator, ground_truth
from emulator.ground_truth import event_charges

TARGET = calix.HagenCalibTarget()


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """The session's HAGEN cache (tests/emulator/test_mac.py calibrates chip 0 the same way)."""
    return [tmp_path_factory.getbasetemp() / "calix-hagen"]


@pytest.fixture(scope="module")
def result(cache):
    return calix.calibrate(TARGET, cache_paths=cache, connection=Emulator(chip_id=0))


@pytest.fixture(scope="module")
def applied(result):
    """A fresh chip 0 with the result applied, and its true parameters."""
    connection = initialized_emulator(0)
    builder = stadls.PlaybackProgramBuilder()
    result.apply(builder)
    helpers.run(connection, builder)
    return connection, ground_truth.parameters(connection.chip)


def test_the_quadrants_synapse_dac_currents_come_together(result, applied):
    connection, _ = applied
    gain = connection.chip.mismatch.synapse_dac_gain         # all quadrants at the same bias
    after = ground_truth.synapse_dac_factors(connection.chip)
    assert 600 < result.neuron_result.syn_i_bias_dac.min() and result.neuron_result.syn_i_bias_dac.max() <= 1022
    assert np.ptp(after) / after.mean() < 0.5 * np.ptp(gain) / gain.mean()
    assert np.ptp(after) / after.mean() < 0.15


def test_every_neuron_integrates_the_same_charge_on_both_inputs(result, applied):
    connection, P = applied
    assert result.success_mask().mean() >= 0.98
    exc, inh = event_charges(P, "excitatory"), event_charges(P, "inhibitory")
    assert np.std(exc) / np.mean(exc) < 0.04
    assert np.std(inh / exc) < 0.05 and np.mean(inh / exc) == pytest.approx(1.0, abs=0.01)
    # the same neurons at the median strength differ by their mismatch, ~25 %
    state = lola.AtomicNeuronArray.from_atomic_neurons(result.neuron_result.neurons)
    for kind in ("excitatory", "inhibitory"):
        state[f"{kind}_input_i_bias_gm"] = int(np.median(state[f"{kind}_input_i_bias_gm"]))
    builder = stadls.PlaybackProgramBuilder()
    state.write(builder)
    helpers.run(connection, builder)
    raw = ground_truth.parameters(connection.chip)
    raw_exc, raw_inh = event_charges(raw, "excitatory"), event_charges(raw, "inhibitory")
    assert np.std(raw_exc) / np.mean(raw_exc) > 0.15 and np.std(raw_inh / raw_exc) > 0.2
    builder = stadls.PlaybackProgramBuilder()
    result.apply(builder)
    helpers.run(connection, builder)


def test_the_neurons_integrate_without_leak_from_the_leak_target(applied):
    connection, P = applied
    assert not P[core.P_G_LEAK].any()
    baseline = cadc_reads(connection, P[core.P_V_RESET])
    assert np.median(baseline) == pytest.approx(120, abs=1.0)
    assert np.std(baseline) < 1.5


def test_every_driver_sends_its_activation(result, applied):
    connection, _ = applied
    raw = connection.chip.mismatch.hagen_dac_offset
    shifts = ground_truth.hagen_activation_shifts(connection.chip)
    assert raw.std() > 0.7
    assert shifts.std() < 0.3 and abs(shifts.mean()) < 0.3
    assert np.abs(shifts).max() < 1.0
    assert result.synapse_driver_result.success_mask().mean() >= 0.98


def test_the_result_becomes_a_chip_pickles_and_round_trips_json(result):
    chip = result.to_chip()                     # (applied to a Dumper)
    assert isinstance(chip, lola.Chip)
    coord = list(result.neuron_result.neurons)[7]
    assert chip.neuron_block.atomic_neurons[7] == result.neuron_result.neurons[coord]
    drivers = chip.synapse_driver_blocks[1].synapse_drivers
    assert [d.hagen_dac_offset for d in drivers] == result.synapse_driver_result.hagen_dac_offset[128:].tolist()
    assert all(d.enable_hagen_dac and d.enable_hagen_modulation for d in drivers)
    again = pickle.loads(pickle.dumps(result))
    assert np.array_equal(again.neuron_result.syn_i_bias_dac, result.neuron_result.syn_i_bias_dac)
    text = result.to_json()
    back = calix.HagenCalibResult.from_json(text)
    assert back.neuron_result.neurons == result.neuron_result.neurons and back.target == result.target
    assert back.options == result.options and back.chip == result.chip
    for part, name in (("neuron_result", "syn_i_bias_dac"), ("synapse_driver_result", "hagen_dac_offset"),
                       ("synapse_driver_result", "success"), ("cadc_result", "channel_offset")):
        assert np.array_equal(getattr(getattr(back, part), name), getattr(getattr(result, part), name))
    assert back.steps == result.steps and back.neuron_result.steps == result.neuron_result.steps
    with pytest.raises(calix.TargetError, match="not a SpikingCalibResult"):
        calix.SpikingCalibResult.from_json(text)


def test_the_cache_returns_the_result_at_once(result, cache):
    start = time.perf_counter()
    again = calix.calibrate(TARGET, cache_paths=cache, connection=Emulator(chip_id=0))
    assert time.perf_counter() - start < 1.0
    assert np.array_equal(again.synapse_driver_result.hagen_dac_offset,
                          result.synapse_driver_result.hagen_dac_offset)
    assert [step for step, _, _ in again.steps] == ["CADC", "neurons", "synapse drivers"]


def test_targets_have_calix_defaults_and_check_their_ranges(caplog):
    target = calix.HagenNeuronCalibTarget()
    assert (target.leak, target.tau_mem, target.tau_syn, target.i_synin_gm, target.target_noise,
            target.synapse_dac_bias) == (120, 60e-6, 0.32e-6, 450, None, 1022)
    assert TARGET.cadc_target.dynamic_range == (150, 500)
    assert calix.HagenCalibOptions().neuron_disable_leakage is True
    assert calix.SynapseDriverCalibOptions().offset_test_activation == 3
    assert calix.HagenNeuronCalibTarget(tau_syn=0).per_neuron("tau_syn").shape == (2, 512)
    with pytest.raises(calix.TargetError, match=r"leak must lie in 0\.\.255 CADC LSB, got 300 \(at index \(5,\)\)"):
        calix.HagenNeuronCalibTarget(leak=np.r_[np.full(5, 120), 300, np.full(506, 120)])
    with pytest.raises(calix.TargetError, match="tau_syn must lie in .* or 0 \\(the minimum\\)"):
        calix.HagenNeuronCalibTarget(tau_syn=[1e-6, 1e-3])
    with pytest.raises(calix.TargetError, match="tau_mem must be a number or 512"):
        calix.HagenNeuronCalibTarget(tau_mem=np.ones(3) * 60e-6)
    with pytest.raises(calix.TargetError, match=r"synapse_dac_bias must be an int \(CapMem LSB\) in 1\.\.1022"):
        calix.HagenNeuronCalibTarget(synapse_dac_bias=1022.0)
    with pytest.raises(calix.TargetError, match="i_synin_gm must lie in 1..1022"):
        calix.HagenNeuronCalibTarget(i_synin_gm=0)
    with pytest.raises(calix.TargetError, match="target_noise must be None"):
        calix.HagenNeuronCalibTarget(target_noise=1.5)
    with pytest.raises(calix.TargetError, match="offset_test_activation must be a HAGEN activation"):
        calix.SynapseDriverCalibOptions(offset_test_activation=32)
    with pytest.raises(calix.TargetError, match="neuron_target must be a calix.HagenNeuronCalibTarget"):
        calix.HagenCalibTarget(neuron_target=calix.NeuronCalibTarget())
    with pytest.raises(calix.TargetError, match="neuron_disable_leakage must be True or False"):
        calix.HagenCalibOptions(neuron_disable_leakage=1)
    with pytest.raises(calix.TargetError, match="HagenCalibOptions or None"):
        calix.calibrate_hagen(Emulator(chip_id=0), options=calix.SpikingCalibOptions())
    with pytest.raises(calix.TargetError, match="one membrane time constant for all neurons"):
        hagen_neuron.calibrate(Emulator(chip_id=0), calix.HagenNeuronCalibTarget(
            tau_mem=np.linspace(30e-6, 60e-6, 512)))
    with caplog.at_level(logging.WARNING):
        calix.HagenNeuronCalibTarget(leak=90, i_synin_gm=700)
    assert "leak = 90..90 CADC LSB lies outside the feasible 100..140" in caplog.text
    assert "i_synin_gm = 700..700 CapMem LSB lies outside the feasible 30..600" in caplog.text
    assert TARGET == calix.HagenCalibTarget()
    assert TARGET.key() != calix.HagenCalibTarget(neuron_target=calix.HagenNeuronCalibTarget(leak=110)).key()


def test_neurons_that_keep_their_leak_get_its_time_constant_and_a_calibrated_tau_syn():
    """The neuron calibration alone (on the nominal CADC: its targets are in whatever LSB the
    CADC reads), the leak kept at 30 us and the excitatory time constant calibrated to 4 us
    (its measurement starts inside the HAGEN CADC's range too), the inhibitory at its minimum;
    against the true membrane and synaptic time constants."""
    connection = initialized_emulator(1, cadc_membranes=True)
    target = calix.HagenNeuronCalibTarget(tau_mem=30e-6, tau_syn=[4e-6, 0.0], i_synin_gm=350)
    result = hagen_neuron.calibrate(connection, target, disable_leakage=False)
    P = ground_truth.parameters(connection.chip)
    ok = result.success_mask()
    assert ok.mean() >= 0.95
    assert [name for name, _, _ in result.steps] == [
        "tau_syn excitatory", "synapse DAC bias", "leak", "tau_mem", "i_synin_gm excitatory",
        "i_synin_gm inhibitory", "leak", "reset"]
    tau_mem = ground_truth.membrane_time_constants(P)[ok]
    assert np.median(tau_mem) == pytest.approx(30e-6, rel=0.05) and np.std(tau_mem) / 30e-6 < 0.1
    tau_exc = P[core.P_TAU_EXC][ok]
    assert np.median(tau_exc) == pytest.approx(4e-6, rel=0.05)
    assert np.mean(np.abs(tau_exc / 4e-6 - 1) < 0.1) >= 0.95
    state = lola.AtomicNeuronArray.from_atomic_neurons(result.neurons)
    assert (state["inhibitory_input_i_bias_tau"] == 1022).all()
    assert np.median(cadc_reads(connection, P[core.P_V_LEAK])[ok]) == pytest.approx(120, abs=1.5)
    exc, inh = event_charges(P, "excitatory"), event_charges(P, "inhibitory")
    assert np.std(inh[ok] / exc[ok]) < 0.05
