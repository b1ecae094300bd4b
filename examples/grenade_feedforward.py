"""A routed feed-forward network: 64 Poisson sources drive an excitatory population (100 neurons,
top row) and an inhibitory one (25 neurons, bottom row); the inhibitory neurons inhibit the
excitatory ones. Described with grenade's network layer, placed and routed by the router, run
just in time on the emulated chip, and read back by population and neuron.

``run(inhibition)`` gives the spikes; ``main()`` runs it with and without the inhibitory
projection, prints the rates and saves the raster plot ``grenade_feedforward.png``.
Times are hardware time: 1 us on the chip is 1 ms of biological time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import _plotting
import grenade.network as gn
from _grenade_setup import lif_chip, poisson_trains, random_connections, raster
from grenade.execution import JITGraphExecutor

N_SOURCES, N_EXC, N_INH = 64, 100, 25
#: each source fires at 200 kHz of hardware time (200 Hz biological)
SOURCE_RATE_KHZ = 200.0
RUNTIME = 200 * 125                     # 200 us of hardware time (200 ms biological)


def build(inhibitory_weight: int, seed: int = 1) -> tuple[gn.Network, dict]:
    rng = np.random.default_rng(seed)
    builder = gn.NetworkBuilder()
    exc = builder.add(gn.Population.from_atomic_neurons(range(N_EXC)))
    inh = builder.add(gn.Population.from_atomic_neurons(range(256, 256 + N_INH)))
    sources = builder.add(gn.ExternalSourcePopulation(N_SOURCES))
    builder.add(gn.Projection(gn.EXCITATORY, random_connections(rng, N_SOURCES, N_EXC, 0.2, 40), sources, exc))
    builder.add(gn.Projection(gn.EXCITATORY, random_connections(rng, N_SOURCES, N_INH, 0.2, 40), sources, inh))
    if inhibitory_weight:
        builder.add(gn.Projection(gn.INHIBITORY, random_connections(rng, N_INH, N_EXC, 0.5, inhibitory_weight),
                                  inh, exc))
    return builder.done(), {"exc": exc, "inh": inh, "sources": sources}


def run(inhibitory_weight: int = 10, cache_paths: list | None = None, seed: int = 1) -> dict:
    network, pops = build(inhibitory_weight, seed)
    routing = gn.route(network)
    graph = gn.build_network_graph(network, routing)
    inputs = gn.InputGenerator(graph)
    inputs.add(poisson_trains(np.random.default_rng(seed + 1), N_SOURCES, SOURCE_RATE_KHZ, RUNTIME - 500), pops["sources"])
    inputs.set_runtime(RUNTIME)
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, lif_chip(cache_paths=cache_paths), inputs.done())
    spikes = gn.extract_neuron_spikes(out, graph)[0]
    rate = {name: sum(len(t) for k, t in spikes.items() if k[0] == pops[name]) / n / (RUNTIME / 125e3)
            for name, n in (("exc", N_EXC), ("inh", N_INH))}
    synapses = sum(len(c) for c in routing.execution_instances[gn.ExecutionInstanceID(0)].connections.values())
    return {"spikes": spikes, "populations": pops, "rate_khz": rate, "synapses": synapses,
            "timing": out.timing[gn.ExecutionInstanceID(0)]}


def main(path: Path | None = None, cache_paths: list | None = None) -> dict:
    """Run the network with and without inhibition, print the rates and plot the raster to
    ``path`` (default ``grenade_feedforward.png`` in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "grenade_feedforward.png")
    with_inh = run(10, cache_paths)
    without = run(0, cache_paths)
    print(f"feed-forward network: {with_inh['synapses']} hardware synapses routed, "
          f"{with_inh['timing'].run_s:.2f} s on the emulated chip")
    for name, result in (("with inhibition", with_inh), ("without", without)):
        r = result["rate_khz"]
        print(f"  {name:>15}: excitatory {r['exc']:.1f} kHz, inhibitory {r['inh']:.1f} kHz "
              f"(hardware time; the same in Hz of biological time)")
    _plot(with_inh, path)
    print(f"raster plot saved as {path}")
    return {"with": with_inh, "without": without}


def _plot(result: dict, path: Path) -> None:
    plt = _plotting.pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.4))
    pops = result["populations"]
    raster(ax, result["spikes"], pops["exc"], color="C0", label="excitatory population (100)")
    raster(ax, result["spikes"], pops["inh"], offset=N_EXC, color="C3", label="inhibitory population (25)")
    ax.set(xlabel="hardware time [us]", ylabel="neuron",
           title=f"feed-forward network, {N_SOURCES} Poisson sources at {SOURCE_RATE_KHZ:g} kHz "
                 f"({SOURCE_RATE_KHZ:g} Hz biological)")
    _plotting.biological_time_axis(ax)
    ax.legend(loc="upper right", fontsize=8)
    _plotting.save(fig, path)


if __name__ == "__main__":
    main()
