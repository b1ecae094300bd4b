"""The inter-compartment conductance calibration (calix.multicomp): every circuit's
C_mem / g_icc at its target, checked against the emulator's true capacitances and conductances."""

from __future__ import annotations

import numpy as np
import pytest

import calix
import lola
import stadls
from calix.common.algorithms import NoisyBinarySearch
from calix.multicomp import ICCStep, neuron_icc_bias
from calix_ground_truth import initialized_emulator
from test_calix_neuron import true_icc_time_constants

TAU_ICC = np.where(np.arange(512) % 3 == 0, 8e-6, 15e-6)     # two targets, mixed over the pairs


@pytest.fixture(scope="module")
def calibrated():
    connection = initialized_emulator(3)
    calix.common.cadc.calibrate(connection)
    builder = stadls.PlaybackProgramBuilder()
    calix.common.helpers.enable_cadc_membranes(builder)        # the CADC reads the membranes
    calix.common.helpers.run(connection, builder)
    state = lola.AtomicNeuronArray()
    state["membrane_capacitance_capacitance"] = 63
    result = ICCStep(state).run(connection, NoisyBinarySearch(), TAU_ICC)
    return state, result


def test_every_circuit_follows_its_neighbour_with_its_target_time_constant(calibrated):
    state, result = calibrated
    assert result.success.mean() >= 0.97
    assert np.array_equal(state["multicompartment_i_bias_nmda"], result.calibrated_parameters)
    tau = true_icc_time_constants(3, result.calibrated_parameters)
    assert np.mean(np.abs(tau / TAU_ICC - 1.0) < 0.1) >= 0.97       # 99 % seen
    # one bias for all (each target's median) leaves the circuits' mismatch: ~25 %
    uniform = np.where(TAU_ICC == 8e-6, np.median(result.calibrated_parameters[TAU_ICC == 8e-6]),
                       np.median(result.calibrated_parameters[TAU_ICC == 15e-6]))
    assert np.mean(np.abs(true_icc_time_constants(3, uniform) / TAU_ICC - 1.0) < 0.1) < 0.6


def test_the_measurement_pairs_neighbours_without_crossing_the_block_boundary():
    for parity in (0, 1):
        settings = neuron_icc_bias.pass_settings(parity)
        measured = settings["multicompartment_enable_conductance"]
        helper = settings["multicompartment_connect_soma"]
        assert np.array_equal(measured, ~helper) and measured.sum() == 256
        joined = np.flatnonzero(settings["multicompartment_connect_soma_right"])
        column = joined % 256
        assert joined.size == 256 and not np.any(column == 127) and not np.any(column == 255)
        # each join links one measured circuit and its helper
        assert np.all(measured[joined] != measured[joined + 1])


def test_bad_targets_are_refused():
    with pytest.raises(calix.TargetError, match=r"tau_icc must lie in 2e-06\.\.0\.002 s"):
        calix.NeuronCalibTarget(tau_icc=1e-6)
    with pytest.raises(calix.TargetError, match="tau_icc must be a number or 512 numbers"):
        calix.NeuronCalibTarget(tau_icc=np.ones(3) * 1e-5)
    assert calix.NeuronCalibTarget(tau_icc=1e-5).key() != calix.NeuronCalibTarget().key()
    assert np.isnan(calix.NeuronCalibTarget().per_neuron("tau_icc")).all()
