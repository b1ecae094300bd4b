"""The spiking neuron calibration brings the mismatched neurons of an emulated chip to their
targets: checked by what they do afterwards (resting potential, firing rate), not by the
measurements the calibration itself used."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import calibrate_neurons
import calix
import halco
import lola
import stadls

TARGET = calibrate_neurons.TARGET


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    cache = tmp_path_factory.mktemp("calix-cache")
    with stadls.ManagedConnection(chip_id=0) as connection:
        result = calix.calibrate(TARGET, cache_paths=[cache], connection=connection)
    return result, cache


def test_every_neuron_reaches_its_targets(calibrated):
    result, _ = calibrated
    assert result.success_mask().all()
    leaks = np.array([n.leak.v_leak for n in result.neurons.values()])
    assert leaks.std() > 10            # the mismatch is compensated neuron by neuron


def test_calibrated_neurons_fire_alike_and_at_the_expected_rate(calibrated):
    # a leak above the threshold: they fire regularly, with an interspike interval of
    # t_ref + tau ln((leak - reset) / (leak - threshold))
    result, _ = calibrated
    rates = calibrate_neurons.firing_rates(result)
    assert np.median(rates) == pytest.approx(1e3 / calibrate_neurons.EXPECTED_ISI_US, rel=0.1)
    assert rates.std() / rates.mean() < 0.06           # 3 % seen
    # the same CapMem values for every neuron (the calibrated medians) spread widely (28 %)
    same = calibrate_neurons.firing_rates(capmem=calibrate_neurons.median_capmem(result))
    assert same.std() / same.mean() > 0.2


def test_the_example_prints_and_plots(tmp_path, calibrated, monkeypatch):
    result, cache = calibrated
    monkeypatch.setattr(calibrate_neurons, "run", lambda **kw: {
        "result": result, "calibrated": calibrate_neurons.firing_rates(result),
        "uncalibrated": calibrate_neurons.firing_rates(capmem=calibrate_neurons.median_capmem(result))})
    out = calibrate_neurons.main(tmp_path / "rates.png")
    assert (tmp_path / "rates.png").stat().st_size > 10_000 and out["result"] is result


def test_the_result_is_cached_applied_and_a_chip(calibrated):
    result, cache = calibrated
    files = list(cache.glob("*.pkl"))
    assert len(files) == 1
    with stadls.ManagedConnection(chip_id=0) as connection:
        again = calix.calibrate(TARGET, cache_paths=[cache], connection=connection)
    assert again.neurons == result.neurons            # loaded, not recomputed
    other = calix.NeuronCalibTarget(leak=90)
    assert calix.cache.cache_key(other, None, 0) != files[0].stem
    assert calix.cache.cache_key(TARGET, None, 1) != files[0].stem     # another chip
    chip = result.to_chip()
    assert isinstance(chip, lola.Chip)
    coord = halco.AtomicNeuronOnDLS.from_enum(7)
    assert chip.neuron_block.atomic_neurons[7] == result.neurons[coord]
    assert pickle.loads(pickle.dumps(result)).neurons == result.neurons


def test_bad_targets_are_refused():
    for kwargs, match in [({"leak": 300}, r"leak must lie in 0\.\.255"),
                          ({"tau_mem": 1e-6}, "tau_mem must lie in"),
                          ({"leak": np.zeros(3)}, "512 numbers"), ({"leak": "80"}, "a number"),
                          ({"membrane_capacitance": 64}, "0..63"),
                          ({"threshold": float("nan")}, "finite")]:
        with pytest.raises(calix.TargetError, match=match):
            calix.NeuronCalibTarget(**kwargs)
    with pytest.raises(calix.TargetError, match="NeuronCalibTarget"):
        calix.calibrate_neurons(None, target=5)
