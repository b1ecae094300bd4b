"""The plasticity examples: kernels on the emulated PPU change the network as their rules say."""

from __future__ import annotations

import numpy as np

import plasticity_homeostasis
import plasticity_image
import plasticity_stdp


def test_additive_stdp_potentiates_causal_and_depresses_anti_causal_synapses():
    result = plasticity_stdp.run(n_periods=5)
    causal, anti = result["causal"].mean(axis=1), result["anti_causal"].mean(axis=1)
    assert (np.diff(causal) > 0).all() and (np.diff(anti) < 0).all()
    assert causal[-1] > 50 and anti[-1] < 12
    assert (result["causal"][-1] > result["anti_causal"][-1]).all()    # every single synapse
    assert result["status"].calls == 6 and result["status"].missed == 0


def test_stdp_without_learning_rate_leaves_the_weights():
    result = plasticity_stdp.run(n_periods=2, eta=0)
    assert (result["causal"] == 32).all() and (result["anti_causal"] == 32).all()


def test_homeostasis_drives_spike_counts_to_the_target(tmp_path):
    path = tmp_path / "homeostasis.png"
    result = plasticity_homeostasis.main(path)
    assert path.stat().st_size > 10_000
    counts, target = result["counts"], result["target"]
    # the kernel's counters match the recorded spikes (up to spikes at the period boundaries:
    # the kernel reads a few PPU cycles after them, the recording has the routing latency)
    mismatch = np.abs(counts - result["recorded"]).sum()
    assert mismatch <= 0.02 * result["recorded"].sum(), mismatch
    first_sd, last_sd = counts[0].std(), counts[-3:].mean(axis=0).std()
    assert last_sd < 0.5 * first_sd
    near = lambda c: np.mean(np.abs(c - target) <= 1)                # noqa: E731
    assert near(counts[-3:].mean(axis=0)) > near(counts[0]) + 0.25
    assert result["status"].missed == 0


def test_without_homeostasis_the_rates_stay_spread():
    result = plasticity_homeostasis.run(homeostasis=False, n_periods=8)
    counts = result["counts"]
    assert counts[-3:].mean(axis=0).std() > 0.7 * counts[0].std()
    assert (np.diff(result["weights"], axis=0) == 0).all()


def test_image_written_into_the_weights_gives_matching_rates(tmp_path):
    path = tmp_path / "image.png"
    m = plasticity_image.match(plasticity_image.main(path))
    assert path.stat().st_size > 10_000
    assert m["correlation"] > 0.8
    assert m["bright"] > 5 * m["dark"]
