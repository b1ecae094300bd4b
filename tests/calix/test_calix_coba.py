"""The conductance-based synaptic inputs: reference and reversal potentials of every neuron,
checked against the emulator's ground truth (its true reference potentials and modulation
slopes, read through each neuron's own CADC channel)."""

from __future__ import annotations

import numpy as np
import pytest

import calix
import emulator.core as core
from calix.spiking.biological import BiologicalUnits
from calix_ground_truth import cadc_reads, true_parameters
from emulator import Emulator

REVERSAL = (380.0, 60.0)        # excitatory above, inhibitory below the reference
REFERENCE = 110.0               # the default: the middle of leak (80) and threshold (140)


def true_reference_and_distance(connection: Emulator) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per input the true reference [CADC LSB] and the reversal's distance from it [LSB]."""
    P = true_parameters(connection)
    out = {}
    for kind, E, K in (("excitatory", core.P_E_REV_EXC, core.P_COBA_EXC),
                       ("inhibitory", core.P_E_REV_INH, core.P_COBA_INH)):
        reference = cadc_reads(connection, P[E])
        lsb_per_volt = (cadc_reads(connection, P[E] + 0.05) - reference) / 0.05
        out[kind] = (reference, lsb_per_volt / P[K])
    return out


@pytest.fixture(scope="module")
def calibrated():
    connection = Emulator(chip_id=2)
    target = calix.NeuronCalibTarget(tau_syn=5e-6, e_coba_reversal=list(REVERSAL))
    return connection, calix.calibrate_neurons(connection, target)


def test_reference_and_reversal_reach_their_targets(calibrated):
    connection, result = calibrated
    assert result.success_mask().mean() >= 0.98
    for i, (kind, (reference, distance)) in enumerate(true_reference_and_distance(connection).items()):
        assert np.median(reference) == pytest.approx(REFERENCE, abs=0.5)
        assert np.std(reference) < 1.0                                # 0.6 seen
        wanted = abs(REVERSAL[i] - REFERENCE)
        assert np.median(distance) == pytest.approx(wanted, rel=0.03)
        assert np.mean(np.abs(distance / wanted - 1.0) < 0.1) >= 0.97    # 4 % / 1.7 % s.d. seen
    neuron = next(iter(result.neurons.values()))
    assert neuron.excitatory_input.enable_coba_mode and neuron.inhibitory_input.enable_coba_mode


def test_targets_of_conductance_based_inputs_are_checked():
    with pytest.raises(calix.TargetError, match="inhibitory reversal must lie at least 20 CADC LSB below"):
        calix.NeuronCalibTarget(e_coba_reversal=[380, 100]).coba_inputs()    # reference 110
    with pytest.raises(calix.TargetError, match="excitatory reversal must lie at least 20 CADC LSB above"):
        calix.NeuronCalibTarget(e_coba_reversal=[120, np.nan]).coba_inputs()
    partial = np.full((2, 512), np.nan)
    partial[0, :10] = 300.0
    with pytest.raises(calix.TargetError, match="conductance-based for some neurons only"):
        calix.NeuronCalibTarget(e_coba_reversal=partial).coba_inputs()
    with pytest.raises(calix.TargetError, match="e_coba_reference must lie in 0..255"):
        calix.NeuronCalibTarget(e_coba_reference=300)
    # one input conductance-based, the other current-based
    reversal, reference = calix.NeuronCalibTarget(e_coba_reversal=[300, np.nan]).coba_inputs()
    assert np.isfinite(reversal[0]).all() and np.isnan(reversal[1]).all()
    assert reference == pytest.approx(np.full((2, 512), REFERENCE))
    assert calix.NeuronCalibTarget(e_coba_reversal=[300, np.nan]) != calix.NeuronCalibTarget()


def test_reversal_potentials_and_conductances_in_biological_units():
    units = BiologicalUnits()
    target = units.to_target({"v_rest": -65.0, "v_thresh": -50.0, "e_rev_E": 0.0, "e_rev_I": -70.0})
    reversal, reference = target.coba_inputs()
    assert reversal[:, 0] == pytest.approx([380.0, 100.0])
    assert reference[:, 0] == pytest.approx([150.0, 150.0])       # -57.5 mV
    assert units.from_target(target)["e_rev_I"] == pytest.approx(np.full(512, -70.0))
    assert "e_rev_E" not in units.from_target(calix.NeuronCalibTarget())    # current-based
    # 0.01 uS at 57.5 mV from the reference drives 0.575 nA
    hw = units.conductance_to_hardware(0.01, e_rev=0.0, reference=-57.5, tau_syn=5.0, cm=1.0,
                                       charge_per_weight=2.0)
    assert hw == pytest.approx(units.weight_to_hardware(0.575, 5.0, 1.0, 2.0))
    assert units.conductance_to_biological(hw, 0.0, -57.5, 5.0, 1.0, 2.0) == pytest.approx(0.01)
    with pytest.raises(calix.TargetError, match="e_rev must differ from the reference"):
        units.conductance_to_hardware(0.01, -57.5, -57.5, 5.0, 1.0, 2.0)
