"""benchmarks/pynn.py: both paths of the overhead comparison run the same network, and the peer
network's shared inputs are what every simulator can play (no timing asserted here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved                     # the benchmark edits sys.path when loaded
    return module


@pytest.fixture(scope="module")
def bench():
    return _load("pynn")


def test_pynn_and_grenade_build_the_same_network(bench, monkeypatch) -> None:
    monkeypatch.setattr(bench, "RUNTIME_MS", 0.05)             # a short run: the test is about the network
    trains = bench.spike_trains(16, np.random.default_rng(3))
    p = bench.by_pynn(8, trains, 0.5, seed=5)
    connections = p["connections"]
    table = np.asarray(connections[:, :3], dtype=np.int64)
    g = bench.by_grenade(8, trains, table)
    # PyNN drew the connections; grenade routes exactly those, one synapse each (weights <= 63)
    assert len(table) > 10 and g["synapses"] == len(table)
    assert set(np.unique(table[:, 2])) <= set(range(1, 64))
    # the network does work: both paths see the neurons fire
    assert p["spikes"] > 0 and g["spikes"] > 0
    assert {"map", "route", "placed", "run", "extract", "get_data"} <= set(p)


def test_peer_inputs_are_playable_by_every_simulator(bench, tmp_path) -> None:
    path = tmp_path / "inputs.npz"
    bench.peer_inputs(path, n_neurons=20, n_inputs=10, duration_ms=200.0, input_rate_hz=100.0)
    data = np.load(path)
    assert int(data["n_exc"]) == 16 and int(data["n_inh"]) == 4
    bounds = np.concatenate([[0], np.cumsum(data["input_counts"])])
    assert bounds[-1] == len(data["input_times"]) > 0
    for a, b in zip(bounds[:-1], bounds[1:]):
        times = data["input_times"][a:b]
        # strictly increasing on the 0.1 ms grid (Brian2 refuses two spikes in one step), inside the run
        assert np.all(np.diff(times) > 0) and np.allclose(times * 10, np.round(times * 10))
        assert times.size == 0 or (times.min() >= 1.0 and times.max() <= 199.0)
    sizes = {"input": 10, "exc": 16, "inh": 4}
    for pre in ("input", "exc", "inh"):
        for post in ("exc", "inh"):
            pairs = data[f"{pre}_{post}"]
            assert pairs.shape[1] == 2 and pairs[:, 0].max() < sizes[pre] and pairs[:, 1].max() < sizes[post]


def test_peer_statistics_and_missing_environment(bench, tmp_path) -> None:
    peer = _load("_pynn_peer_network")

    class Train:
        def __init__(self, times):
            self.magnitude = np.asarray(times, dtype=float)

    stats = peer.population_stats([Train([10, 20, 30, 40]), Train([]), Train([100, 300, 400])], 1000.0)
    assert stats["spikes"] == 7 and stats["silent"] == 1
    assert stats["rate_hz"] == pytest.approx(7 / 3)
    assert stats["cv_isi"] == pytest.approx(np.mean([0.0, 0.5 / 1.5]))
    assert "no interpreter" in bench.missing_peer(tmp_path / "none" / "python", "nest")
