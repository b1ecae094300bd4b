"""One network, many inputs, several weight settings, routed once.

A batch of four input patterns (each a different quarter of 64 sources active) runs in one
execution with the configuration written once; then the weights are scaled three times. Only
weights change, so the router's result is reused (``requires_routing`` is False and
``update_weights`` puts the new weights onto the same synapses): the routing ran once, and each
later run writes only the synapse words that changed.

``run()`` gives the excitatory rate per weight scale and pattern; ``main()`` prints them.
"""

from __future__ import annotations

import time

import numpy as np

import grenade.network as gn
from _grenade_setup import lif_chip, poisson_trains
from grenade.execution import JITGraphExecutor

N_SOURCES, N_NEURONS = 64, 64
RUNTIME = 100 * 125
SCALES = (0.5, 1.0, 1.5)
BASE_WEIGHT = 40


def network(scale: float) -> tuple[gn.Network, int, int]:
    """Source i drives neurons i, i+1, i+2 (mod 64) with weight ``BASE_WEIGHT * scale``."""
    builder = gn.NetworkBuilder()
    neurons = builder.add(gn.Population.from_atomic_neurons(range(N_NEURONS)))
    sources = builder.add(gn.ExternalSourcePopulation(N_SOURCES))
    pre = np.repeat(np.arange(N_SOURCES), 3)
    post = (pre + np.tile(np.arange(3), N_SOURCES)) % N_NEURONS
    weight = np.full(len(pre), int(round(BASE_WEIGHT * scale)))
    builder.add(gn.Projection(gn.EXCITATORY, np.stack([pre, post, weight], axis=1), sources, neurons))
    return builder.done(), neurons, sources


def patterns(rng: np.random.Generator) -> list[list[np.ndarray]]:
    """Four batch entries: in entry k only sources 16k..16k+15 fire (300 kHz)."""
    out = []
    for k in range(4):
        trains = poisson_trains(rng, N_SOURCES, 300.0, RUNTIME - 500)
        out.append([t if 16 * k <= i < 16 * (k + 1) else np.zeros(0, dtype=np.int64)
                    for i, t in enumerate(trains)])
    return out


def run(cache_paths: list | None = None, seed: int = 5) -> dict:
    chip = lif_chip(cache_paths=cache_paths)
    inputs_per_entry = patterns(np.random.default_rng(seed))
    routed = None
    routings = 0
    rates, timings = {}, {}
    with JITGraphExecutor() as executor:
        for scale in SCALES:
            net, neurons, sources = network(scale)
            if routed is None or gn.requires_routing(net, routed[0]):
                routing = gn.route(net)
                routings += 1
            else:
                routing = gn.update_weights(routed[1], net)
            routed = (net, routing)
            graph = gn.build_network_graph(net, routing)
            generator = gn.InputGenerator(graph, batch_size=len(inputs_per_entry))
            generator.add(inputs_per_entry, sources)
            generator.set_runtime(RUNTIME)
            t0 = time.perf_counter()
            out = gn.run(executor, graph, chip, generator.done())
            timings[scale] = (time.perf_counter() - t0, out.timing[gn.ExecutionInstanceID(0)].hardware_cycles)
            spikes = gn.extract_neuron_spikes(out, graph)
            # rate [kHz] of each quarter of the neurons in each batch entry
            rates[scale] = np.array([[sum(len(entry.get((neurons, n, 0), ())) for n in range(16 * q, 16 * q + 16))
                                      / 16 / (RUNTIME / 125e3) for q in range(4)] for entry in spikes])
    return {"rates_khz": rates, "routings": routings, "timings": timings}


def main(cache_paths: list | None = None) -> dict:
    result = run(cache_paths)
    print(f"batch of 4 input patterns, weights scaled {SCALES}: routed {result['routings']} time(s)")
    for scale, rates in result["rates_khz"].items():
        wall, cycles = result["timings"][scale]
        diagonal = np.diag(rates)
        print(f"  weights x{scale}: the driven quarter fires at {diagonal.mean():5.1f} kHz, the others "
              f"at {(rates.sum() - diagonal.sum()) / 12:4.1f} kHz ({wall:.2f} s, {cycles} FPGA cycles "
              f"incl. {'the whole configuration' if scale == SCALES[0] else 'only the changed weights'})")
    return result


if __name__ == "__main__":
    main()
