"""grenade: routing, build + run + decode, and the overhead over a hand-written stadls program.

Networks (reference: issue "grenade", item 7):

a. 256 external sources -> 256 neurons, all to all (65536 synapses), Poisson input;
b. 512 neurons with random recurrent connectivity p = 0.1, and 64 external sources (p = 0.1);
c. both synapse arrays full: 256 sources -> 512 neurons, all to all (131072 synapses);
d. seed 001, Figure 8: 12 neurons in bypass mode, each driven by a regular 1 MHz spike train for
   ``--seconds`` of hardware time (1 s: 1.2e7 recorded spikes); input generation and output
   extraction timed and their peak memory measured against the spike train's minimal footprint
   (8-byte times), the emulator's time reported separately.

For a-c the same experiment is also written by hand with stadls (the same chip configuration,
spike train and decoding of recorded spikes by label), so grenade's overhead is what it adds.

Run: ``python benchmarks/grenade.py`` (``--seconds 0.05`` for a short d).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

# this file is named after the package it measures: keep its folder from shadowing it
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np

import halco
import lola
import stadls
import grenade.network as gn
from grenade.execution import JITGraphExecutor

RUNTIME = 1000 * 125                    # 1 ms of hardware time for a-c


def lif_chip() -> lola.Chip:
    """Uncalibrated LIF neurons with both synaptic inputs (the same CapMem values for all)."""
    chip = lola.Chip()
    neurons = lola.AtomicNeuronArray()
    for name, value in {"leak_v_leak": 500, "leak_i_bias": 300, "reset_v_reset": 300,
                        "reset_i_bias": 1022, "threshold_v_threshold": 250, "threshold_enable": True,
                        "event_routing_analog_output": 1, "membrane_capacitance_capacitance": 63,
                        "refractory_period_refractory_time": 20, "excitatory_input_enable": True,
                        "excitatory_input_i_bias_tau": 300, "excitatory_input_i_bias_gm": 600,
                        "inhibitory_input_enable": True, "inhibitory_input_i_bias_tau": 300,
                        "inhibitory_input_i_bias_gm": 300}.items():
        neurons[name] = value
    chip.neuron_block.atomic_neurons = neurons.to_atomic_neurons()
    return chip


def all_to_all(n_pre: int, n_post: int, rng: np.random.Generator) -> np.ndarray:
    pre, post = np.divmod(np.arange(n_pre * n_post), n_post)
    return np.stack([pre, post, rng.integers(10, 40, len(pre))], axis=1)


def random_sparse(n_pre: int, n_post: int, p: float, rng: np.random.Generator) -> np.ndarray:
    pre, post = np.nonzero(rng.random((n_pre, n_post)) < p)
    return np.stack([pre, post, rng.integers(1, 30, len(pre))], axis=1)


def networks(rng: np.random.Generator) -> dict:
    out = {}
    b = gn.NetworkBuilder()
    n = b.add(gn.Population.from_atomic_neurons(range(256)))
    s = b.add(gn.ExternalSourcePopulation(256))
    b.add(gn.Projection(gn.EXCITATORY, all_to_all(256, 256, rng), s, n))
    out["a: 256 sources -> 256 neurons, all to all"] = (b.done(), s, 256, 10.0)
    b = gn.NetworkBuilder()
    n = b.add(gn.Population.from_atomic_neurons(range(512)))
    s = b.add(gn.ExternalSourcePopulation(64))
    b.add(gn.Projection(gn.EXCITATORY, random_sparse(64, 512, 0.1, rng), s, n))
    b.add(gn.Projection(gn.EXCITATORY, random_sparse(512, 512, 0.1, rng), n, n))
    out["b: 512 neurons recurrent p=0.1, 64 sources"] = (b.done(), s, 64, 50.0)
    b = gn.NetworkBuilder()
    n = b.add(gn.Population.from_atomic_neurons(range(512)))
    s = b.add(gn.ExternalSourcePopulation(256))
    b.add(gn.Projection(gn.EXCITATORY, all_to_all(256, 512, rng), s, n))
    out["c: 256 sources -> 512 neurons (both arrays full)"] = (b.done(), s, 256, 10.0)
    return out


def poisson(rng: np.random.Generator, n: int, rate_khz: float, cycles: int) -> list[np.ndarray]:
    mean = rate_khz * cycles / 125_000.0
    return [np.sort(rng.integers(0, cycles - 200, rng.poisson(mean))) for _ in range(n)]


def by_grenade(network, sources, trains, chip):
    t0 = time.perf_counter()
    routing = gn.route(network)
    t1 = time.perf_counter()
    graph = gn.build_network_graph(network, routing)
    generator = gn.InputGenerator(graph)
    generator.add(trains, sources)
    generator.set_runtime(RUNTIME)
    data = generator.done()
    t2 = time.perf_counter()
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, chip, data)
    t3 = time.perf_counter()
    spikes = gn.extract_neuron_spikes(out, graph)[0]
    t4 = time.perf_counter()
    timing = out.timing[gn.ExecutionInstanceID(0)]
    return {"route": t1 - t0, "prepare": t2 - t1, "run": t3 - t2, "extract": t4 - t3,
            "total": t4 - t0, "emulator": timing.run_s, "spikes": sum(len(v) for v in spikes.values()),
            "config": graph.configuration(0, chip), "graph": graph, "data": data,
            "synapses": sum(len(c) for c in routing.execution_instances[gn.ExecutionInstanceID(0)].connections.values())}


def by_hand(config: lola.Chip, times: np.ndarray, labels: np.ndarray, spike_labels: dict):
    """The same experiment in stadls: init, the chip configuration, the spikes, decoding."""
    t0 = time.perf_counter()
    builder, _ = stadls.generate(stadls.SystemInit())
    builder.write(halco.ChipOnDLS(), config)
    builder.write(halco.TimerOnDLS(), stadls.builder.haldls.Timer())
    builder.write_spike_train(times, labels)
    builder.wait_until(RUNTIME)
    program = builder.done()
    with stadls.ManagedConnection() as connection:
        t1 = time.perf_counter()
        stadls.run(connection, program)
        t2 = time.perf_counter()
    recorded = program.spikes["label"]
    known = np.isin(recorded, np.fromiter(spike_labels, dtype=np.int64))
    t3 = time.perf_counter()
    return {"total": t3 - t0, "emulator": t2 - t1, "spikes": int(known.sum())}


def figure_8(seconds: float) -> None:
    """12 bypass neurons, each driven by a regular 1 MHz train (seed 001, Figure 8)."""
    cycles = int(seconds * 125e6)
    builder = gn.NetworkBuilder()
    atoms = list(range(0, 12 * 16, 16))
    neurons = builder.add(gn.Population.from_atomic_neurons(atoms))
    sources = builder.add(gn.ExternalSourcePopulation(12))
    builder.add(gn.Projection(gn.EXCITATORY, [[i, i, 63] for i in range(12)], sources, neurons))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    chip = lola.Chip()
    for a in atoms:
        chip.neuron_block.atomic_neurons[a].event_routing = lola.AtomicNeuron.EventRouting.bypass_exc()
    trains = [np.arange(2 * i, cycles - 200, 125, dtype=np.int64) for i in range(12)]  # 1 MHz each
    footprint = sum(t.nbytes for t in trains)
    n_spikes = sum(len(t) for t in trains)
    tracemalloc.start()
    t0 = time.perf_counter()
    generator = gn.InputGenerator(graph)
    generator.add(trains, sources)
    generator.set_runtime(cycles)
    data = generator.done()
    t_input = time.perf_counter() - t0
    peak_input = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    with JITGraphExecutor() as executor:
        t0 = time.perf_counter()
        out = gn.run(executor, graph, chip, data)
        t_run = time.perf_counter() - t0
    del data
    tracemalloc.start()
    t0 = time.perf_counter()
    spikes = gn.extract_neuron_spikes(out, graph)[0]
    t_extract = time.perf_counter() - t0
    peak_extract = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    relayed = sum(len(spikes.get((neurons, i, 0), ())) for i in range(12))
    timing = out.timing[gn.ExecutionInstanceID(0)]
    print(f"d: seed 001 Figure 8, 12 bypass neurons at 1 MHz for {seconds:g} s of hardware time: "
          f"{n_spikes:.3g} input spikes, {relayed:.3g} recorded and extracted "
          f"({relayed / n_spikes:.1%}), dropped on the chip: {out.health[gn.ExecutionInstanceID(0)].dropped_events}")
    print(f"   input generation {t_input:.2f} s + output extraction {t_extract:.2f} s = "
          f"{t_input + t_extract:.2f} s (target < 1 s for 1.2e7 spikes); peak memory "
          f"{peak_input / footprint:.2f}x and {peak_extract / footprint:.2f}x the train's "
          f"{footprint / 1e6:.0f} MB (target <= 2x)")
    print(f"   the emulator: {timing.run_s:.1f} s for {seconds:g} s of hardware time "
          f"(program build {timing.build_s:.1f} s, decode {timing.decode_s:.2f} s; "
          f"run() total {t_run:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="hardware time of d [s]")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    chip = lif_chip()
    with stadls.ManagedConnection() as connection:        # load the emulator's compiled code
        builder, _ = stadls.generate(stadls.SystemInit())
        stadls.run(connection, builder.done())
    for name, (network, sources, n_sources, rate) in networks(rng).items():
        trains = poisson(rng, n_sources, rate, RUNTIME)
        # the least of three runs of each: the machine's noise is larger than the difference
        g = min((by_grenade(network, sources, trains, chip) for _ in range(3)), key=lambda r: r["total"])
        spikes = g["data"].data[g["graph"].translations[gn.ExecutionInstanceID(0)].event_input][0]
        labels = g["graph"].translations[gn.ExecutionInstanceID(0)].spike_labels
        h = min((by_hand(g["config"], spikes["time"], spikes["label"], labels) for _ in range(3)),
                key=lambda r: r["total"])
        overhead = (g["total"] - h["total"]) / g["total"]
        print(f"{name}: {g['synapses']} synapses, {len(spikes)} input events, {g['spikes']} spikes out")
        print(f"   routing {g['route'] * 1e3:.0f} ms; graph + input {g['prepare'] * 1e3:.0f} ms; "
              f"build + run + decode {g['run']:.2f} s (emulator {g['emulator']:.2f} s); extraction "
              f"{g['extract'] * 1e3:.0f} ms")
        print(f"   grenade {g['total']:.2f} s vs hand-written stadls {h['total']:.2f} s (emulator "
              f"{h['emulator']:.2f} s, {h['spikes']} spikes): overhead {overhead:.1%} (target < 10 %)")
    figure_8(args.seconds)


if __name__ == "__main__":
    main()
