"""The peer network of ``benchmarks/pynn.py``, one PyNN script for every simulator.

512 ``IF_curr_exp`` neurons (80 % excitatory, 20 % inhibitory) with sparse random recurrent
connectivity, driven by Poisson spike trains played from ``SpikeSourceArray`` sources, for the
inputs file's duration (1 s of biological time). Inputs and connection lists come from the file
(``benchmarks/pynn.py`` writes it once), so every simulator runs the same network on the same
input. Runs in the simulator's own environment (``make bench``): ``pynn_frontend.biological``
in the project's ``.venv``, ``pyNN.brian2`` in ``.venv-bench``, ``pyNN.nest`` in ``.venv-nest``.
Prints one JSON line: wall times [s] of the phases, synapses, and per population its spikes,
mean rate and spread over neurons [Hz], silent neurons and mean ISI coefficient of variation.

Usage: ``python _pynn_peer_network.py pynn_frontend.biological|brian2|nest inputs.npz``.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

# this folder holds files named after packages (grenade.py): keep it from shadowing them
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402

#: the neurons' parameters (PyNN's units: mV, ms, nF, nA), the same for both populations: an
#: offset current brings them 10 mV below threshold, the inputs' fluctuations make them fire
#: (the emulated chip's synaptic inputs saturate: on it, strong synaptic drive alone fires the
#: neurons far less than the ideal LIF)
CELL = dict(tau_m=20.0, cm=1.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_refrac=2.0,
            tau_syn_E=5.0, tau_syn_I=5.0, i_offset=0.5)
#: weights [nA] (inhibitory ones negative, as PyNN's current-based synapses take them)
WEIGHTS = {"input": 0.12, "exc": 0.1, "inh": -0.5}

def population_stats(spiketrains: list, duration_ms: float) -> dict:
    """Spikes, mean rate and its spread over neurons [Hz], silent neurons, mean ISI CV (of the
    neurons with at least 3 spikes)."""
    times = [np.asarray(st.magnitude, dtype=float) for st in spiketrains]
    counts = np.array([len(t) for t in times])
    rates = counts / (duration_ms / 1000.0)
    cvs = [float(np.std(np.diff(t)) / np.mean(np.diff(t))) for t in times if len(t) >= 3]
    return {"spikes": int(counts.sum()), "rate_hz": float(rates.mean()), "rate_sd_hz": float(rates.std()),
            "silent": int((counts == 0).sum()), "cv_isi": float(np.mean(cvs)) if cvs else float("nan")}


def main() -> None:
    simulator, path = sys.argv[1], sys.argv[2]
    data = np.load(path)
    duration = float(data["duration_ms"])
    t0 = time.perf_counter()
    sim = importlib.import_module(simulator if "." in simulator else f"pyNN.{simulator}")
    t1 = time.perf_counter()
    sim.setup(timestep=0.1)
    bounds = np.concatenate([[0], np.cumsum(data["input_counts"])])
    trains = [data["input_times"][a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    pops = {"input": sim.Population(len(trains), sim.SpikeSourceArray(
                spike_times=[sim.Sequence(t) for t in trains]), label="input"),
            "exc": sim.Population(int(data["n_exc"]), sim.IF_curr_exp(**CELL), label="exc"),
            "inh": sim.Population(int(data["n_inh"]), sim.IF_curr_exp(**CELL), label="inh")}
    synapses = 0
    for pre in ("input", "exc", "inh"):
        for post in ("exc", "inh"):
            pairs = data[f"{pre}_{post}"]
            synapses += len(pairs)
            sim.Projection(pops[pre], pops[post], sim.FromListConnector(pairs.tolist()),
                           sim.StaticSynapse(weight=WEIGHTS[pre]),
                           receptor_type="inhibitory" if pre == "inh" else "excitatory")
    pops["exc"].record("spikes")
    pops["inh"].record("spikes")
    t2 = time.perf_counter()
    extra: dict[str, float] = {}
    if simulator.startswith("pynn_frontend"):
        # the calibration (from calix's cache after the first time) apart: timed where the
        # backend calls it, the script runs as on any simulator
        calibration = importlib.import_module("pynn_frontend.calibration")
        calibrate = calibration.calibrate

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return calibrate(*args, **kwargs)
            finally:
                key = "of which calibration (calix's cache after the first time)"
                extra[key] = extra.get(key, 0.0) + time.perf_counter() - start
        calibration.calibrate = timed
    sim.run(duration)
    t3 = time.perf_counter()
    populations = {name: population_stats(pops[name].get_data("spikes").segments[0].spiketrains, duration)
                   for name in ("exc", "inh")}
    t4 = time.perf_counter()
    sim.end()
    name = simulator if "." in simulator else f"pyNN.{simulator}"
    print(json.dumps({"simulator": name, "import_s": t1 - t0, "build_s": t2 - t1, "run_s": t3 - t2,
                      "get_data_s": t4 - t3, "total_s": t4 - t0, "extra": extra, "synapses": synapses,
                      "populations": populations}))


if __name__ == "__main__":
    main()
