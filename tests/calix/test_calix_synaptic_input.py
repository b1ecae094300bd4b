"""The synaptic input calibration: time constants and strengths of both inputs of all 512
neurons, checked against the emulated chip's ground truth (its true time constants, currents
and capacitances), not against the integrator measurements the calibration used."""

from __future__ import annotations

import numpy as np
import pytest

import calix
import emulator.core as core
import lola
import stadls
from calix.common import helpers
from calix.spiking import synaptic_input as synin
from calix.spiking.targets import (CalibratedCubaSynapticInput, CalibratedMatchingCubaSynapticInput,
                                   UncalibratedCubaSynapticInput)
from calix_ground_truth import (AMPLITUDE, TAU, cadc_reads, event_charge, initialized_emulator,
                                relative_spread, true_parameters)

TAU_SYN = {"excitatory": 5e-6, "inhibitory": 8e-6}


@pytest.fixture(scope="module")
def calibrated():
    connection = initialized_emulator(3, cadc_membranes=True)
    state = lola.AtomicNeuronArray()
    state["membrane_capacitance_capacitance"] = 63
    uncalibrated = state.copy()
    for kind in synin.KINDS:
        uncalibrated[f"{kind}_input_i_bias_tau"] = 500
        uncalibrated[f"{kind}_input_i_bias_gm"] = 500
    success = synin.calibrate_synaptic_inputs(
        connection, state, [TAU_SYN["excitatory"], TAU_SYN["inhibitory"]], seed=1)
    return connection, state, success, uncalibrated


def test_time_constants_reach_their_targets(calibrated):
    connection, state, success, _ = calibrated
    assert success.mean() >= 0.98
    P = true_parameters(connection, state)
    for kind, target in TAU_SYN.items():
        ratio = P[TAU[kind]] / target
        assert np.median(ratio) == pytest.approx(1.0, abs=0.05)
        assert np.mean(np.abs(ratio - 1.0) < 0.1) >= 0.98
        assert relative_spread(P[TAU[kind]]) < 0.05
        assert state[f"{kind}_input_i_bias_tau"].std() > 20     # compensated neuron by neuron


def test_strengths_match_across_neurons_and_between_the_inputs(calibrated):
    connection, state, _, uncalibrated = calibrated
    P = true_parameters(connection, state)
    before = true_parameters(connection, uncalibrated)
    for kind in synin.KINDS:
        assert relative_spread(event_charge(P, kind)) < 0.05                  # 3.6 % seen
        assert relative_spread(event_charge(before, kind)) > 0.2              # 29 % seen
    # matched inputs: one event integrates the same charge on either input
    charge = {k: P[AMPLITUDE[k]] * P[TAU[k]] for k in synin.KINDS}
    assert np.median(charge["inhibitory"] / charge["excitatory"]) == pytest.approx(1.0, abs=0.05)
    # the measurement's synapses are cleared afterwards
    assert not connection.chip.weights.any()


def test_the_cuba_variants():
    connection = initialized_emulator(0, cadc_membranes=True)
    state = lola.AtomicNeuronArray()
    steps = synin.synaptic_input_steps(state, np.full((2, 512), 6e-6),
                                       UncalibratedCubaSynapticInput([300, 700]))
    assert [name for name, *_ in steps] == ["tau_syn excitatory", "tau_syn inhibitory"]
    assert (state["excitatory_input_i_bias_gm"] == 300).all() and (state["inhibitory_input_i_bias_gm"] == 700).all()
    steps = synin.synaptic_input_steps(state, np.full((2, 512), 6e-6), CalibratedCubaSynapticInput([300, 700]))
    gm = {name: calib for name, calib, _ in steps if name.startswith("i_synin_gm")}
    assert gm["i_synin_gm excitatory"].reference_gm == 300 and gm["i_synin_gm inhibitory"].reference_gm == 700
    assert gm["i_synin_gm inhibitory"].match is None
    steps = synin.synaptic_input_steps(state, np.full((2, 512), 6e-6), CalibratedMatchingCubaSynapticInput(400))
    gm = {name: calib for name, calib, _ in steps if name.startswith("i_synin_gm")}
    assert gm["i_synin_gm inhibitory"].match is gm["i_synin_gm excitatory"]
    # the inhibitory input cannot match an excitatory one that has no target yet
    with pytest.raises(calix.CalibError, match="calibrate it first"):
        gm["i_synin_gm inhibitory"].run(connection, calix.NoisyBinarySearch())
    # an unmatched input is matched to its own median, and that is a charge well above the noise
    calib = gm["i_synin_gm excitatory"]
    with pytest.raises(calix.CalibError, match="are the synaptic time constants calibrated"):
        calib.prelude(connection)          # time constants of ~1 ms: far more charge than 6 us
    state["excitatory_input_i_bias_tau"] = 400
    calib.prelude(connection)
    assert 20 < calib.target < 150
    calib.result = calix.ParameterCalibResult(np.full(512, 400), np.ones(512, dtype=bool))
    calib.postlude(connection)
    assert not connection.chip.weights.any()


def test_bad_input_is_refused():
    state = lola.AtomicNeuronArray()
    with pytest.raises(ValueError, match="kind is one of"):
        synin.SynTimeConstantCalib(state, "modulatory")
    with pytest.raises(calix.TargetError, match="tau_syn must be a number or one per input"):
        calix.NeuronCalibTarget(tau_syn=np.ones(3) * 5e-6)
    with pytest.raises(calix.TargetError, match=r"tau_syn must lie in 1e-07..0.0001 s, got 0.5 \(at index \(1, 7\)\)"):
        calix.NeuronCalibTarget(tau_syn=np.where(np.arange(1024).reshape(2, 512) == 519, 0.5, 5e-6))
    with pytest.raises(calix.TargetError, match="cuba_synin is one of"):
        calix.NeuronCalibTarget(cuba_synin=500)
    with pytest.raises(calix.TargetError, match="i_synin_gm must be an int"):
        CalibratedMatchingCubaSynapticInput([300, 400])
    with pytest.raises(calix.TargetError, match="i_synin_gm must be an int"):
        CalibratedCubaSynapticInput(5.5)
    with pytest.raises(calix.TargetError, match="must lie in 0..1022 CapMem LSB, got 2000"):
        UncalibratedCubaSynapticInput(np.full(512, 2000))


def test_targets_compare_and_key_by_their_synaptic_inputs():
    base = calix.NeuronCalibTarget()
    assert base == calix.NeuronCalibTarget(tau_syn=10e-6, cuba_synin=CalibratedMatchingCubaSynapticInput(500))
    assert base != calix.NeuronCalibTarget(tau_syn=[10e-6, 5e-6])
    assert base != calix.NeuronCalibTarget(cuba_synin=CalibratedCubaSynapticInput(500))
    assert base.key() != calix.NeuronCalibTarget(cuba_synin=CalibratedMatchingCubaSynapticInput(501)).key()
    assert calix.NeuronCalibTarget(tau_syn=[5e-6, 8e-6]).per_neuron("tau_syn").shape == (2, 512)


def test_the_ground_truth_reads_each_neuron_through_its_own_channel():
    # the tests' ground truth of CADC reads: on the uncalibrated CADC (channels differ by
    # several LSB) the leak potentials read as the emulator's true leak potentials convert
    connection = initialized_emulator(1, cadc_membranes=True)
    state = lola.AtomicNeuronArray()
    state["leak_v_leak"], state["leak_i_bias"], state["threshold_v_threshold"] = 500, 500, 1022
    builder = stadls.PlaybackProgramBuilder()
    state.write(builder)
    helpers.wait_us(builder, 100.0)
    reads = [helpers.read_membranes(builder) for _ in range(20)]
    helpers.run(connection, builder)
    measured = np.mean([r() for r in reads], axis=0)
    truth = cadc_reads(connection, true_parameters(connection)[core.P_V_LEAK])
    assert np.std(measured - truth) < 1.0            # 0.44 seen; a channel off by one: ~6
