"""Two independent execution instances on two emulated chips, running concurrently.

The same feed-forward network (32 Poisson sources onto 128 neurons) is placed in execution
instance 0 on chip id 0 and in instance 1 on chip id 7: nothing flows between them, so the
executor runs them at the same time, each on its own connection. The two chips have their own
fixed-pattern mismatch (and their own calibration), so their spike counts differ a little.

``run()`` gives the spikes of both and the wall time; ``main()`` prints them.
"""

from __future__ import annotations

import time

import numpy as np

import grenade.network as gn
from _grenade_setup import lif_chip, poisson_trains, random_connections
from grenade.execution import JITGraphExecutor

CHIP_IDS = (0, 7)
N_SOURCES, N_NEURONS = 32, 128
RUNTIME = 2000 * 125                 # 2 ms of hardware time: long enough to see the overlap


def run(cache_paths: list | None = None, seed: int = 9) -> dict:
    rng = np.random.default_rng(seed)
    connections = random_connections(rng, N_SOURCES, N_NEURONS, 0.3, 50)
    builder = gn.NetworkBuilder()
    pops = {}
    for instance in (0, 1):
        neurons = builder.add(gn.Population.from_atomic_neurons(range(N_NEURONS)), instance)
        sources = builder.add(gn.ExternalSourcePopulation(N_SOURCES), instance)
        builder.add(gn.Projection(gn.EXCITATORY, connections, sources, neurons), instance)
        pops[instance] = (neurons, sources)
    network = builder.done()
    # instance i runs on chip i of the executor
    graph = gn.build_network_graph(network, gn.route(network), chips={0: 0, 1: 1})
    trains = poisson_trains(np.random.default_rng(seed + 1), N_SOURCES, 100.0, RUNTIME - 500)
    inputs = gn.InputGenerator(graph)
    for instance in (0, 1):
        inputs.add(trains, pops[instance][1], instance)
        inputs.set_runtime(RUNTIME, instance)
    configs = {i: lif_chip(chip_id, cache_paths) for i, chip_id in enumerate(CHIP_IDS)}
    with JITGraphExecutor(chip_ids=CHIP_IDS) as executor:
        gn.run(executor, graph, configs, inputs.done())        # configures both chips
        t0 = time.perf_counter()
        out = gn.run(executor, graph, configs, inputs.done())
        wall = time.perf_counter() - t0
    counts = {i: sum(len(t) for k, t in gn.extract_neuron_spikes(out, graph, i)[0].items()
                     if k[0] == pops[i][0]) for i in (0, 1)}
    busy = sum(t.run_s for t in out.timing.values())
    return {"counts": counts, "wall_s": wall, "busy_s": busy}


def main(cache_paths: list | None = None) -> dict:
    result = run(cache_paths)
    print(f"two instances on chips {CHIP_IDS}: {result['counts'][0]} and {result['counts'][1]} spikes; "
          f"{result['wall_s']:.2f} s wall for {result['busy_s']:.2f} s of emulation "
          f"({result['busy_s'] / result['wall_s']:.1f}x: they ran concurrently)")
    return result


if __name__ == "__main__":
    main()
