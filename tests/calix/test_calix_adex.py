"""The AdEx parts (adaptation reference, a, tau_w, b, the exponential's onset) of calibrated
neurons, checked against the emulator's ground truth."""

from __future__ import annotations

import numpy as np
import pytest

import calix
import emulator.core as core
from calix.spiking.biological import BiologicalUnits
from emulator import Emulator, ground_truth

TARGET = calix.NeuronCalibTarget(threshold=180, adaptation_a=0.5, adaptation_tau=100e-6,
                                 adaptation_b=10.0, exponential_onset=120)


@pytest.fixture(scope="module")
def calibrated():
    connection = Emulator(chip_id=2)
    result = calix.calibrate_neurons(connection, TARGET)
    return connection, result, ground_truth.parameters(connection.chip)


def test_adaptation_and_exponential_reach_their_targets(calibrated):
    connection, result, P = calibrated
    chip = connection.chip
    # the adaptation draws nothing at rest: its reference is the leak's
    reference = ground_truth.cadc_reads(chip, P[core.P_V_ADAPT])
    assert np.median(reference) == pytest.approx(80, abs=0.5) and reference.std() < 1.5
    rho = P[core.P_A] / P[core.P_G_LEAK]
    assert np.mean(np.abs(rho / 0.5 - 1) < 0.1) >= 0.95                  # 98 % seen
    tau_w = P[core.P_TAU_W]
    assert np.median(tau_w) == pytest.approx(100e-6, rel=0.05)
    assert np.mean(np.abs(tau_w / 100e-6 - 1) < 0.15) >= 0.9             # 89 % within 10 %
    b = ground_truth.cadc_reads(chip, P[core.P_V_LEAK] + P[core.P_B] / P[core.P_G_LEAK]) - \
        ground_truth.cadc_reads(chip, P[core.P_V_LEAK])
    assert np.median(b) == pytest.approx(10, rel=0.05)
    assert np.mean(np.abs(b / 10 - 1) < 0.2) >= 0.95                     # 99 % seen
    dT = P[core.P_DELTA_T]
    onset = P[core.P_V_EXP] + dT * np.log(P[core.P_G_LEAK] * dT / P[core.P_I_EXP])
    rheobase = ground_truth.cadc_reads(chip, onset - dT)
    assert np.mean(np.abs(rheobase - 120) <= 3) >= 0.98                  # all seen
    neuron = next(iter(result.neurons.values()))
    assert neuron.adaptation.enable and neuron.adaptation.enable_pulse and neuron.exponential.enable
    # the leak stays where it was calibrated
    leak = ground_truth.cadc_reads(chip, P[core.P_V_LEAK])
    assert np.mean(np.abs(leak - 80) <= 2) >= 0.98


def test_adex_targets_are_checked():
    with pytest.raises(calix.TargetError, match="adaptation_b needs adaptation_tau"):
        calix.NeuronCalibTarget(adaptation_b=5.0).adex()
    with pytest.raises(calix.TargetError, match="adaptation_tau must be at least 4 tau_mem"):
        calix.NeuronCalibTarget(tau_mem=20e-6, adaptation_tau=50e-6).adex()
    with pytest.raises(calix.TargetError, match="adaptation_a must lie in 0..20"):
        calix.NeuronCalibTarget(adaptation_a=-1.0)
    assert calix.NeuronCalibTarget().adex() == {}
    assert calix.NeuronCalibTarget(exponential_onset=120).key() != calix.NeuronCalibTarget().key()


def test_adex_parameters_in_biological_units():
    units = BiologicalUnits()
    # PyNN's EIF_cond_exp_isfa_ista: a 4 nS, b 0.0805 nA, tau_w 144 ms, cm 0.281 nF, tau_m 9.3667;
    # delta_T is the chip's (1.05 mV at the default scale: its circuit's slope)
    delta_t = units.chip_delta_t()
    target = units.to_target({"v_rest": -70.6, "v_thresh": -50.4, "delta_T": delta_t, "tau_m": 9.3667,
                              "a": 4.0, "b": 0.0805, "tau_w": 144.0, "cm": 0.281, "v_spike": -40.0})
    g_leak = 0.281 / 9.3667                                                  # uS
    assert target.per_neuron("adaptation_a")[0] == pytest.approx(4e-3 / g_leak)
    assert target.per_neuron("adaptation_b")[0] == pytest.approx(0.0805 / g_leak / 0.25)
    assert target.per_neuron("adaptation_tau")[0] == pytest.approx(144e-6)
    assert target.per_neuron("exponential_onset")[0] == pytest.approx((-50.4 - delta_t + 95) / 0.25)
    assert target.per_neuron("threshold")[0] == pytest.approx((-40.0 + 95) / 0.25)     # v_spike
    back = units.from_target(target, cm=0.281)
    for name, value in (("a", 4.0), ("b", 0.0805), ("tau_w", 144.0), ("v_thresh", -50.4),
                        ("v_spike", -40.0), ("delta_T", delta_t)):
        assert back[name] == pytest.approx(np.full(512, value)), name
    with pytest.raises(calix.TargetError, match="delta_T = 2 mV cannot be reached on the chip: the chip's "
                                                "exponential slope is 1.05 mV"):
        units.to_target({"delta_T": 2.0, "v_thresh": -50.0})
    with pytest.raises(calix.TargetError, match="a and b need cm"):
        units.to_target({"delta_T": delta_t, "a": 4.0})
    with pytest.raises(calix.TargetError, match=r"no calix target .*\['cm'\]"):
        units.to_target({"cm": 0.281})
