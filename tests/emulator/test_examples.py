"""The examples run on the emulated chip and show the behaviour they describe."""

from __future__ import annotations

import re

import numpy as np

import bypass_relay
import leak_over_threshold
import psp_to_threshold


def test_bypass_relays_input_train():
    result = bypass_relay.run(n_spikes=1000)
    inputs, outputs, labels = result["input_us"], result["output_us"], result["labels"]
    # match every input to the first output after it with the expected label
    good = outputs[labels == result["expected_label"]]
    idx = np.searchsorted(good, inputs)
    idx = np.minimum(idx, len(good) - 1)
    latency = good[idx] - inputs
    matched = np.count_nonzero((latency >= 0) & (latency <= 10.0))  # within 0.01 ms
    assert matched >= 0.98 * len(inputs)
    assert len(outputs) <= len(inputs) * 1.02


def test_leak_over_threshold_rate_rises_with_leak_and_falls_with_refractory_time():
    result = leak_over_threshold.run([800, 900, 1000, 1000, 1000], [255, 255, 255, 128, 32])
    rates = result["rates_khz"]
    assert np.all(result["recorded"] >= 5)
    assert rates[0] < rates[1] < rates[2]          # higher leak potential -> faster
    assert rates[2] < rates[3] < rates[4]          # shorter refractory time -> faster
    for times in result["spike_times_us"]:
        isi = np.diff(times[1:])                    # regular firing after the first charge-up
        assert np.std(isi) < 0.05 * np.mean(isi)
    assert np.array_equal(result["counter"], result["recorded"])


def test_leak_below_threshold_stays_silent():
    result = leak_over_threshold.run([500], [255])
    assert result["recorded"][0] == 0 and result["counter"][0] == 0


def test_psps_sum_over_threshold():
    isolated = [100.0, 300.0, 500.0]
    burst = [700.0 + k for k in range(8)]
    out = psp_to_threshold.run(isolated + burst)
    assert np.count_nonzero(out < 690) == 0
    assert np.count_nonzero((out >= 700) & (out < 760)) >= 1
    assert len(psp_to_threshold.run(burst, weight=0)) == 0   # no weight, no PSPs


def test_make_demo_runs_every_part_and_saves_its_plots(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    demo = Path(__file__).resolve().parents[2] / "examples" / "demo.py"
    import os

    plots = tmp_path / "figures"                                         # the one plot folder
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "BSS2_PLOT_DIR": str(plots)}
    done = subprocess.run([sys.executable, str(demo)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    for plot in ("adex_firing_patterns.png", "dendritic_branches.png",
                 "plasticity_homeostasis.png", "mac_matrix_vector.png", "calibrate_neurons.png", "calibration_spread.png",
                 "grenade_feedforward.png", "grenade_recurrent.png", "single_neuron.png", "homeostasis.png"):
        assert (plots / plot).stat().st_size > 10_000, plot
    assert not list(tmp_path.glob("*.png")) and f"all plots are in {plots}" in done.stdout
    assert "additive STDP on the PPU" in done.stdout and "calibrated:" in done.stdout
    reached = re.search(r"neuron calibration of chip 0: (\d+)% of the 512", done.stdout)
    assert reached and int(reached.group(1)) >= 98
    # the true spreads shrink: PSP heights from ~20 % to a few
    psp = re.search(r"PSP height \[[^\]]*\] +before +([\d.]+)%, after +([\d.]+)%", done.stdout)
    assert psp and float(psp.group(1)) > 15 and float(psp.group(2)) < 5
    assert "hardware synapses routed" in done.stdout and "recurrent network" in done.stdout
    assert "leak over threshold:" in done.stdout and "homeostasis on the PPU" in done.stdout
