"""The grenade examples run and show what they describe."""

from __future__ import annotations

import numpy as np
import pytest

import grenade_batch
import grenade_feedforward
import grenade_recurrent
import grenade_two_chips


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One calibration per chip for all the examples' tests."""
    return [tmp_path_factory.mktemp("calix")]


def test_inhibition_lowers_the_excitatory_rate(cache, tmp_path):
    result = grenade_feedforward.main(tmp_path / "ff.png", cache)
    with_inh, without = result["with"]["rate_khz"], result["without"]["rate_khz"]
    assert with_inh["exc"] < 0.7 * without["exc"]
    assert with_inh["inh"] == pytest.approx(without["inh"], rel=0.1)   # the same drive
    assert with_inh["exc"] > 1.0 and with_inh["inh"] > 1.0
    assert (tmp_path / "ff.png").stat().st_size > 10_000


def test_recurrent_excitation_outlasts_the_input(cache, tmp_path):
    result = grenade_recurrent.main(tmp_path / "rec.png", cache)
    recurrent, feedforward = result["recurrent"], result["feedforward"]
    assert recurrent["after_input"] > 3 * feedforward["after_input"]
    assert recurrent["during_input"] > 100
    assert recurrent["health"].dropped_events == 0


def test_a_batch_with_changing_weights_is_routed_once(cache):
    result = grenade_batch.run(cache)
    assert result["routings"] == 1
    rates = result["rates_khz"]
    for scale, r in rates.items():
        driven = np.diag(r)
        assert driven.min() > 5 * (r.sum() - driven.sum()) / 12     # each entry drives its quarter
    means = [np.diag(rates[s]).mean() for s in grenade_batch.SCALES]
    assert means[0] < means[1] < means[2]
    cycles = [result["timings"][s][1] for s in grenade_batch.SCALES]
    assert cycles[1] < cycles[0] / 3 and cycles[2] < cycles[0] / 3    # only the changed weights


def test_two_instances_run_on_two_chips(cache):
    result = grenade_two_chips.run(cache)
    assert result["counts"][0] > 1000 and result["counts"][1] > 1000
    assert result["wall_s"] > 0 and result["busy_s"] > 0
