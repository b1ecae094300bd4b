"""pynn_frontend: the time PyNN adds over grenade, and a 512-neuron network against pyNN.brian2/nest.

1. The same experiment built twice, once through ``pynn_frontend`` (hardware time, HXNeuron
   cells: no calibration in the timing) and once directly in grenade (``NetworkBuilder`` ->
   ``route`` -> ``run`` -> ``extract_neuron_spikes``): N neurons, spike-array sources playing
   pre-generated Poisson trains, random connectivity of about 1e3, 1e4 and 1e5 synapses,
   spike recording of all neurons, :data:`RUNTIME_MS` of hardware time. The PyNN side's
   connectivity comes from PyNN's ``FixedProbabilityConnector``; the grenade side is given the
   very connections PyNN drew (and the same weights, spike times and neuron parameters), so both
   run the same network. Printed: the wall time of each phase, of which the emulator, and the
   overhead: the time PyNN adds, relative to grenade's, ``(PyNN - grenade) / grenade``;
   ``--profile`` adds cProfile's top functions of the PyNN side of the largest network.
2. A 512-neuron network (80 % excitatory / 20 % inhibitory ``IF_curr_exp``, sparse random
   connectivity, Poisson input) for 1 s of biological time, end to end, with
   ``pynn_frontend.biological`` and the same script (``_pynn_peer_network.py``) on
   ``pyNN.brian2`` and ``pyNN.nest``, each in its own environment (``make bench``: ``.venv-bench``
   with Python 3.13 and Brian2 2.11, ``.venv-nest`` with Python 3.11 and NEST 3.10); inputs and
   connectivity are generated here once and shared through a file. Printed per simulator: wall
   times, total spikes and the rate per population (mean, spread over neurons, mean ISI CV).

Run: ``make bench`` or ``python benchmarks/pynn.py [--part 1|2] [--profile]``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator

# benchmarks/ holds files named after the packages they measure (grenade.py): keep the folder
# from shadowing them
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402

import lola  # noqa: E402
import grenade.network as gn  # noqa: E402
from grenade.execution import JITGraphExecutor  # noqa: E402
import pynn_frontend as pynn  # noqa: E402
from pynn_frontend import mapping  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: hardware time of each run of part 1 [ms] (0.2 ms: 200 ms of biological time)
RUNTIME_MS = 0.2
#: spike-array sources' rate [kHz of hardware time] (20 Hz biological)
SOURCE_RATE_KHZ = 20.0
#: part 1's networks: expected synapses -> (neurons, sources, connection probability)
NETWORKS = {1_000: (64, 32, 0.5), 10_000: (256, 80, 0.49), 100_000: (512, 256, 0.763)}
#: an uncalibrated LIF neuron that fires under input and is silent without (HXNeuron's fields)
NEURON = dict(leak_v_leak=500, leak_i_bias=200, threshold_v_threshold=300, threshold_enable=True,
              reset_v_reset=500, reset_i_bias=1022, membrane_capacitance_capacitance=63,
              refractory_period_refractory_time=20, excitatory_input_enable=True,
              excitatory_input_i_bias_tau=200, excitatory_input_i_bias_gm=1000)
#: the seed of everything random here
SEED = 1234


# -- part 1: PyNN against grenade --------------------------------------------------------------

def spike_trains(n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Poisson trains of ``n`` sources at :data:`SOURCE_RATE_KHZ` [sorted hardware ms]."""
    counts = rng.poisson(SOURCE_RATE_KHZ * RUNTIME_MS, n)
    return [np.sort(rng.uniform(0.0, RUNTIME_MS * 0.98, c)) for c in counts]


class PhaseTimer:
    """Wall time spent in named functions while active (patched module attributes)."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.outputs: list[Any] = []

    @contextlib.contextmanager
    def patched(self, targets: dict[str, tuple[Any, str]]) -> Iterator["PhaseTimer"]:
        originals = []
        for phase, (module, name) in targets.items():
            original = getattr(module, name)
            originals.append((module, name, original))
            setattr(module, name, self._timed(phase, original))
        try:
            yield self
        finally:
            for module, name, original in originals:
                setattr(module, name, original)

    def _timed(self, phase: str, function: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            result = function(*args, **kwargs)
            self.times[phase] = self.times.get(phase, 0.0) + time.perf_counter() - t0
            if phase == "run":
                self.outputs.append(result)
            return result
        return wrapper


def by_pynn(n_neurons: int, trains: list[np.ndarray], p: float, seed: int) -> dict:
    """The experiment through pynn_frontend; wall times [s] of its phases, the connections it
    drew (pre, post, weight) and the spike count."""
    timer = PhaseTimer()
    targets = {"map": (mapping, "plan_snippet"), "route": (mapping, "route"), "placed": (mapping, "_placed"),
               "run": (gn, "run"), "extract": (gn, "extract_neuron_spikes")}
    with timer.patched(targets):
        t0 = time.perf_counter()
        pynn.setup()
        neurons = pynn.Population(n_neurons, pynn.cells.HXNeuron(**NEURON))
        sources = pynn.Population(len(trains), pynn.SpikeSourceArray(spike_times=trains))
        rng = pynn.NumpyRNG(seed=seed)
        projection = pynn.Projection(
            sources, neurons, pynn.FixedProbabilityConnector(p, rng=rng),
            pynn.StaticSynapse(weight=pynn.RandomDistribution("uniform_int", low=1, high=63, rng=rng)),
            receptor_type="excitatory")
        neurons.record("spikes")
        t1 = time.perf_counter()
        pynn.run(RUNTIME_MS)
        t2 = time.perf_counter()
        with warnings.catch_warnings():
            # the chip records spikes until its last events are out, a little after the
            # runtime; PyNN drops those with a warning, which says nothing about the timing here
            warnings.filterwarnings("ignore", "Recorded at least one spike after t_stop")
            spiketrains = neurons.get_data("spikes").segments[0].spiketrains
        t3 = time.perf_counter()
        connections = np.asarray(projection.get("weight", format="list", with_address=True))
        pynn.end()
    times = timer.times
    run_other = (t2 - t1) - sum(times.get(k, 0.0) for k in ("map", "route", "run", "extract"))
    emulator = sum(o.timing[gn.ExecutionInstanceID(0)].run_s for o in timer.outputs)
    # mapping.route calls mapping._placed (Projection.placed_connections' bookkeeping): apart
    return {"network": t1 - t0, "map": times["map"], "route": times["route"] - times["placed"],
            "placed": times["placed"], "run": times["run"],
            "extract": times["extract"], "other": run_other, "get_data": t3 - t2, "total": t3 - t0,
            "emulator": emulator, "connections": connections,
            "spikes": int(sum(len(s) for s in spiketrains))}


def neuron_chip(atoms: np.ndarray) -> lola.Chip:
    """The chip configuration a grenade user writes: the NEURON parameters (analog output on,
    as pynn_frontend sets it) on the circuits ``atoms``."""
    array = lola.AtomicNeuronArray()
    for name, value in {**NEURON, "event_routing_analog_output": 1}.items():
        array[name] = np.full(512, value)
    neuron = array.atomic_neuron(0)
    chip = lola.Chip()
    for atom in atoms.tolist():
        chip.neuron_block.atomic_neurons[atom] = neuron
    return chip


def by_grenade(n_neurons: int, trains: list[np.ndarray], connections: np.ndarray) -> dict:
    """The same experiment written directly in grenade; wall times [s] of its phases."""
    t0 = time.perf_counter()
    builder = gn.NetworkBuilder()
    atoms = np.arange(n_neurons)
    neurons = builder.add(gn.Population.from_atomic_neurons(atoms.tolist(), record_spikes=[True] * n_neurons))
    sources = builder.add(gn.ExternalSourcePopulation(len(trains)))
    builder.add(gn.Projection(gn.EXCITATORY, connections.astype(np.int64), sources, neurons))
    network = builder.done()
    chip = neuron_chip(atoms)
    t1 = time.perf_counter()
    routing = gn.route(network)
    graph = gn.build_network_graph(network, routing)
    t2 = time.perf_counter()
    generator = gn.InputGenerator(graph)
    generator.add([np.round(t * 125_000.0).astype(np.int64) for t in trains], sources)
    generator.set_runtime(int(round(RUNTIME_MS * 125_000)))
    data = generator.done()
    t3 = time.perf_counter()
    with JITGraphExecutor() as executor:
        output = gn.run(executor, graph, chip, data)
    t4 = time.perf_counter()
    spikes = gn.extract_neuron_spikes(output, graph)[0]
    t5 = time.perf_counter()
    return {"network": t1 - t0, "route": t2 - t1, "input": t3 - t2, "run": t4 - t3, "extract": t5 - t4,
            "total": t5 - t0, "emulator": output.timing[gn.ExecutionInstanceID(0)].run_s,
            "spikes": int(sum(len(v) for v in spikes.values())),
            "synapses": int(sum(len(c) for c in routing.execution_instances[gn.ExecutionInstanceID(0)]
                                .connections.values()))}


def compare(synapses: int, repeats: int = 3) -> tuple[dict, dict, int]:
    """Both paths for the network of about ``synapses`` synapses: the fastest of ``repeats``
    runs of each (the machine's noise is larger than some of the differences)."""
    n_neurons, n_sources, p = NETWORKS[synapses]
    trains = spike_trains(n_sources, np.random.default_rng(SEED + synapses))
    gc.collect()
    p_runs = [by_pynn(n_neurons, trains, p, SEED)]
    table = p_runs[0]["connections"][:, :3].astype(np.int64)  # PyNN's (pre, post, weight): grenade's columns
    gc.collect()
    g_runs = [by_grenade(n_neurons, trains, table)]
    for _ in range(repeats - 1):                              # alternating: no bias from the order
        gc.collect()                                          # neither pays for the other's garbage
        p_runs.append(by_pynn(n_neurons, trains, p, SEED))
        gc.collect()
        g_runs.append(by_grenade(n_neurons, trains, table))
    return min(p_runs, key=lambda r: r["total"]), min(g_runs, key=lambda r: r["total"]), len(table)


def part1(profile: bool) -> None:
    print(f"1. PyNN (pynn_frontend, HXNeuron, hardware time) against grenade directly: "
          f"{RUNTIME_MS} ms of hardware time, spike-array sources at {SOURCE_RATE_KHZ:g} kHz, "
          "all neurons' spikes recorded; the fastest of 3 runs of each [ms]")
    by_pynn(8, spike_trains(4, np.random.default_rng(0)), 0.5, SEED)        # warm-up: the emulator's compiled code
    for synapses in NETWORKS:
        p, g, n_connections = compare(synapses)
        n_neurons, n_sources, _ = NETWORKS[synapses]
        # what PyNN adds, relative to what the same experiment costs in grenade
        overhead = (p["total"] - g["total"]) / g["total"]
        outside = (p["total"] - p["emulator"] - (g["total"] - g["emulator"])) / g["total"]
        print(f"{n_neurons} neurons <- {n_sources} sources: {n_connections} connections "
              f"({g['synapses']} synapses), spikes out: PyNN {p['spikes']}, grenade {g['spikes']}")
        print(f"   PyNN:    network {p['network'] * 1e3:7.1f}, map {p['map'] * 1e3:7.1f}, route "
              f"{p['route'] * 1e3:6.1f} + placed_connections {p['placed'] * 1e3:6.1f}, run "
              f"{p['run'] * 1e3:7.1f} (emulator {p['emulator'] * 1e3:7.1f}), extract {p['extract'] * 1e3:5.1f}, "
              f"rest of run {p['other'] * 1e3:6.1f}, get_data {p['get_data'] * 1e3:5.1f}: total "
              f"{p['total'] * 1e3:7.1f}")
        print(f"   grenade: network + chip {g['network'] * 1e3:7.1f}, route {g['route'] * 1e3:7.1f}, input "
              f"{g['input'] * 1e3:6.1f}, run {g['run'] * 1e3:7.1f} (emulator {g['emulator'] * 1e3:7.1f}), "
              f"extract {g['extract'] * 1e3:5.1f}: total {g['total'] * 1e3:7.1f}")
        print(f"   PyNN's overhead: {overhead:.1%} of grenade's total (target < 10 %); "
              f"the emulator aside: {p['total'] - p['emulator']:.3f} s vs {g['total'] - g['emulator']:.3f} s "
              f"({outside:.1%} of grenade's total); without Projection.placed_connections' bookkeeping "
              f"(mapping._placed) {(p['total'] - p['placed'] - g['total']) / g['total']:.1%}")
    if profile:
        n_neurons, n_sources, p = NETWORKS[100_000]
        trains = spike_trains(n_sources, np.random.default_rng(SEED + 100_000))
        profiler = cProfile.Profile()
        profiler.enable()
        by_pynn(n_neurons, trains, p, SEED)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print("   cProfile of the PyNN side (100k synapses), by cumulative time:")
        print("\n".join("   " + line for line in out.getvalue().splitlines()[6:]))


# -- part 2: a 512-neuron network on three simulators --------------------------------------------

def peer_inputs(path: Path, n_neurons: int = 512, n_inputs: int = 128, duration_ms: float = 1000.0,
                input_rate_hz: float = 25.0, seed: int = SEED) -> None:
    """The network's inputs and connectivity, written once for every simulator (npz):
    ``input_times``/``input_counts`` (the Poisson trains [biological ms], concatenated) and the
    connection lists ``<pre>_<post>`` (rows: pre index, post index) of the projections."""
    rng = np.random.default_rng(seed)
    n_exc = int(round(0.8 * n_neurons))
    # on the 0.1 ms grid of every simulator's time step, at most one spike per step (Brian2
    # refuses two in one step of a source)
    trains = [np.unique(np.round(rng.uniform(1.0, duration_ms - 1.0, c), 1))
              for c in rng.poisson(input_rate_hz * duration_ms / 1000.0, n_inputs)]
    counts = np.array([len(t) for t in trains])
    times = np.concatenate(trains)
    sizes = {"input": n_inputs, "exc": n_exc, "inh": n_neurons - n_exc}
    probabilities = {("input", "exc"): 0.2, ("input", "inh"): 0.2, ("exc", "exc"): 0.05, ("exc", "inh"): 0.05,
                     ("inh", "exc"): 0.1, ("inh", "inh"): 0.1}
    lists = {}
    for (pre, post), prob in probabilities.items():
        i, j = np.nonzero(rng.random((sizes[pre], sizes[post])) < prob)
        lists[f"{pre}_{post}"] = np.stack([i, j], axis=1)
    np.savez(path, input_times=times, input_counts=counts, duration_ms=duration_ms,
             n_exc=n_exc, n_inh=n_neurons - n_exc, **lists)


def run_peer(python: str, simulator: str, inputs: Path, env: dict | None = None) -> dict | str:
    """Run the peer script under ``python`` with ``simulator``; its JSON result, or why not."""
    proc = subprocess.run([python, str(HERE / "_pynn_peer_network.py"), simulator, str(inputs)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return f"failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    for line in proc.stdout.splitlines()[::-1]:
        if line.startswith("{"):
            return json.loads(line)
    return f"printed no result:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"


def missing_peer(python: Path, simulator: str) -> str | None:
    """Why ``pyNN.<simulator>`` cannot run under ``python`` (None if it can)."""
    if not python.exists():
        return f"no interpreter at {python} (`make bench` creates it)"
    proc = subprocess.run([str(python), "-c", f"import pyNN, {simulator}"], capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        return f"{python} cannot import pyNN and {simulator}: {last}"
    return None


def part2(venv_bench: Path, venv_nest: Path) -> bool:
    """The peer comparison; False if pynn_frontend's side failed (a missing peer is skipped)."""
    print("2. 512 IF_curr_exp neurons (410 exc, 102 inh), 128 Poisson inputs at 25 Hz, sparse random "
          "connectivity, 1 s of biological time, the same script (_pynn_peer_network.py) on each "
          "simulator [wall s]")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "peer_inputs.npz"
        peer_inputs(inputs)
        runs = [("pynn_frontend.biological", Path(sys.executable), {**os.environ, "PYTHONPATH": str(ROOT)})]
        for simulator, venv in (("brian2", venv_bench), ("nest", venv_nest)):
            runs.append((simulator, venv / "bin" / "python", None))
        for simulator, python, env in runs:
            if env is None:
                reason = missing_peer(python, simulator)
                if reason is not None:
                    print(f"   pyNN.{simulator}: skipped: {reason}")
                    continue
            result = run_peer(str(python), simulator, inputs, env)
            if isinstance(result, str):
                print(f"   {simulator}: {result}")
                ok = False
                continue
            pops = "; ".join(f"{name} {r['spikes']} spikes, {r['rate_hz']:.1f} Hz (sd over neurons "
                             f"{r['rate_sd_hz']:.1f}, {r['silent']} silent, ISI CV {r['cv_isi']:.2f})"
                             for name, r in result["populations"].items())
            extra = "".join(f", {k} {v:.2f}" for k, v in result.get("extra", {}).items())
            print(f"   {result['simulator']}: total {result['total_s']:.2f} (import {result['import_s']:.2f}, "
                  f"build {result['build_s']:.2f}, run {result['run_s']:.2f}{extra}, get_data "
                  f"{result['get_data_s']:.2f}); {result['synapses']} synapses")
            print(f"      {pops}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["1", "2", "both"], default="both")
    parser.add_argument("--profile", action="store_true", help="cProfile the PyNN side of the largest network")
    parser.add_argument("--venv-bench", type=Path, default=ROOT / ".venv-bench", help="Brian2's environment")
    parser.add_argument("--venv-nest", type=Path, default=ROOT / ".venv-nest", help="NEST's environment")
    args = parser.parse_args()
    if args.part in ("1", "both"):
        part1(args.profile)
    if args.part in ("2", "both") and not part2(args.venv_bench, args.venv_nest):
        sys.exit(1)


if __name__ == "__main__":
    main()
