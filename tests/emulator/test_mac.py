"""Non-spiking (HAGEN) mode: activations in event addresses, integrator neurons, CADC results."""

from __future__ import annotations

import numpy as np
import pytest

import calix
import halco
import haldls
import mac_matrix_vector as mac
from emulator import Mismatch

IDEAL = {"mismatch": Mismatch.ideal(), "noise": False}


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    """calix's HAGEN calibration of chip 0, cached for the session (the calix tests share it)."""
    return mac.calibrate(chip_id=0, cache_paths=[tmp_path_factory.getbasetemp() / "calix-hagen"])


def single_input_weights(weight: int = 40) -> np.ndarray:
    w = np.zeros((mac.N_INPUTS, mac.N_OUTPUTS), dtype=np.int64)
    w[5, :128] = weight                 # input 5: excitatory onto columns 0..127
    w[5, 128:] = -weight                # inhibitory onto 128..255
    return w


def test_activations_are_hxtorchs_event_addresses():
    x = np.zeros(mac.N_INPUTS, dtype=np.int64)
    x[[0, 5, 127]] = 31, 1, 17
    drivers, labels = mac.event_labels(x)
    assert drivers.tolist() == [0, 5, 127]                 # activation 0 sends nothing
    assert labels.tolist() == [0 << 14 | 0 << 6 | 1, 1 << 14 | 1 << 6 | 31, 3 << 14 | 31 << 6 | 15]


def test_charge_is_proportional_to_activation_and_signed_by_the_row(monkeypatch):
    # events 8 us apart (3 tau_syn): their currents do not pile up into the OTA's saturation
    monkeypatch.setattr(mac, "EVENT_INTERVAL", 1000)
    x = np.zeros((4, mac.N_INPUTS), dtype=np.int64)
    x[:, 5] = 4, 8, 16, 31
    result = mac.multiply(x, single_input_weights(20), num_sends=16, **IDEAL)
    exc, inh = result[:, :128].mean(axis=1), result[:, 128:].mean(axis=1)
    assert exc[0] >= 3 and np.all(np.diff(exc) > 0) and np.all(np.diff(inh) < 0)
    np.testing.assert_allclose(exc / exc[-1], x[:, 5] / 31, atol=0.06)
    np.testing.assert_allclose(inh, -exc, atol=1.0)        # ideal chip: the two rows match
    assert np.ptp(result[:, :128], axis=1).max() <= 1        # every column alike


def test_events_closer_than_tau_syn_saturate_the_synaptic_input(monkeypatch):
    x = np.zeros((1, mac.N_INPUTS), dtype=np.int64)
    x[0, 5] = 31
    results = []
    for interval in (1000, 60):
        monkeypatch.setattr(mac, "EVENT_INTERVAL", interval)
        results.append(mac.multiply(x, single_input_weights(), num_sends=16, **IDEAL)[0, 0])
    assert results[1] < 0.8 * results[0]


def test_without_hagen_modulation_the_address_bits_are_a_label(monkeypatch):
    x = np.zeros((2, mac.N_INPUTS), dtype=np.int64)
    x[0, 5], x[1, 5] = 10, 31                # addresses 22 and 1: no synapse has those labels
    configure = mac.configure

    def configure_without_modulation(builder, weights, calibration=None):
        configure(builder, weights, calibration)
        mode = haldls.SynapseDriverConfig.RowMode
        builder.write(halco.SynapseDriverOnDLS(5), haldls.SynapseDriverConfig(
            enable_receiver=True, row_mode_top=mode.excitatory, row_mode_bottom=mode.inhibitory))

    monkeypatch.setattr(mac, "configure", configure_without_modulation)
    assert np.abs(mac.multiply(x, single_input_weights(), num_sends=4, **IDEAL)).max() <= 1


def test_an_ideal_chip_multiplies_linearly():
    rng = np.random.default_rng(3)
    weights = rng.integers(-63, 64, (mac.N_INPUTS, mac.N_OUTPUTS))
    x = rng.integers(0, 32, (3, mac.N_INPUTS)) * (rng.random((3, mac.N_INPUTS)) < 0.25)
    result = mac.multiply(x, weights, num_sends=4, **IDEAL)
    exact = x @ weights
    assert np.corrcoef(exact.ravel(), result.ravel())[0, 1] > 0.99
    gain = mac.fit_gain(x, weights, result) / 4
    assert 1e-3 < gain < 3e-3                      # about hxtorch's 0.002 per send
    np.testing.assert_allclose(mac.multiply(x, -weights, num_sends=4, **IDEAL), -result, atol=2)


def test_calix_hagen_calibration_makes_a_mismatched_chip_multiply_linearly(calibration):
    rng = np.random.default_rng(7)
    weights = rng.integers(-63, 64, (mac.N_INPUTS, mac.N_OUTPUTS))
    x = rng.integers(0, 32, (3, mac.N_INPUTS)) * (rng.random((3, mac.N_INPUTS)) < 0.25)
    exact = x @ weights
    raw = mac.multiply(x, weights, num_sends=mac.NUM_SENDS)
    calibrated = mac.multiply(x, weights, num_sends=mac.CALIBRATED_SENDS, calibration=calibration)
    r_raw = np.corrcoef(exact.ravel(), raw.ravel())[0, 1]
    r_cal = np.corrcoef(exact.ravel(), calibrated.ravel())[0, 1]
    assert r_raw < 0.85 and r_cal > 0.985
    assert np.abs(calibrated).max() < 120                   # inside the CADC's range


def test_a_calibration_of_another_chip_is_refused(calibration):
    x = np.zeros((1, mac.N_INPUTS), dtype=np.int64)
    with pytest.raises(calix.TargetError, match="made on"):
        mac.multiply(x, np.zeros((mac.N_INPUTS, mac.N_OUTPUTS), dtype=np.int64), calibration=calibration,
                     chip_id=1)
    with pytest.raises(ValueError, match="calix.HagenCalibResult"):
        mac.multiply(x, np.zeros((mac.N_INPUTS, mac.N_OUTPUTS), dtype=np.int64), calibration=(1, 2))


def test_main_saves_the_plot(tmp_path, calibration):
    out = mac.main(tmp_path / "mac.png", calibration)
    assert (tmp_path / "mac.png").stat().st_size > 10_000
    assert out["calibrated"]["correlation"] > 0.98 > out["uncalibrated"]["correlation"]


@pytest.mark.parametrize("x, weights, match", [
    (np.full((1, 128), 32), np.zeros((128, 256), int), r"activations must lie in 0\.\.31"),
    (np.full((1, 128), -1), np.zeros((128, 256), int), r"activations must lie in 0\.\.31"),
    (np.zeros((1, 64), int), np.zeros((128, 256), int), r"shape \(n, 128\)"),
    (np.zeros((1, 128)), np.zeros((128, 256), int), "integers"),
    (np.zeros((1, 128), int), np.full((128, 256), 64), r"-63\.\.63"),
    (np.zeros((1, 128), int), np.zeros((128, 255), int), r"shape \(128, 256\)"),
])
def test_bad_input_is_refused(x, weights, match):
    with pytest.raises(ValueError, match=match):
        mac.multiply(x, weights)
