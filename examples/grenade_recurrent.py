"""A recurrent network routed on the chip: 128 excitatory neurons connected among themselves
(p = 0.1) and to 32 inhibitory neurons, which inhibit them back; 32 Poisson sources drive the
network for the first 100 us only. The recurrent connections run on the chip: neuron spikes go
through the crossbar back onto the PADI buses, as in grenade's routing of internal sources.

``run(recurrent_weight)`` gives the spikes; ``main()`` compares the network with and without its
recurrent excitation (activity outlasting the input), prints the rates and saves
``grenade_recurrent.png``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import _plotting
import grenade.network as gn
from _grenade_setup import lif_chip, poisson_trains, random_connections, raster
from grenade.execution import JITGraphExecutor

N_EXC, N_INH, N_SOURCES = 128, 32, 32
INPUT_END = 100 * 125               # the sources stop after 100 us
RUNTIME = 300 * 125


def run(recurrent_weight: int = 40, cache_paths: list | None = None, seed: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    builder = gn.NetworkBuilder()
    exc = builder.add(gn.Population.from_atomic_neurons(range(N_EXC)))
    inh = builder.add(gn.Population.from_atomic_neurons(range(256, 256 + N_INH)))
    sources = builder.add(gn.ExternalSourcePopulation(N_SOURCES))
    builder.add(gn.Projection(gn.EXCITATORY, random_connections(rng, N_SOURCES, N_EXC, 0.25, 63), sources, exc))
    if recurrent_weight:
        builder.add(gn.Projection(gn.EXCITATORY, random_connections(rng, N_EXC, N_EXC, 0.3, recurrent_weight,
                                                                    exclude_self=True), exc, exc))
    builder.add(gn.Projection(gn.EXCITATORY, random_connections(rng, N_EXC, N_INH, 0.1, 30), exc, inh))
    builder.add(gn.Projection(gn.INHIBITORY, random_connections(rng, N_INH, N_EXC, 0.2, 20), inh, exc))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    inputs = gn.InputGenerator(graph)
    inputs.add(poisson_trains(np.random.default_rng(seed + 1), N_SOURCES, 250.0, INPUT_END), sources)
    inputs.set_runtime(RUNTIME)
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, lif_chip(cache_paths=cache_paths), inputs.done())
    spikes = gn.extract_neuron_spikes(out, graph)[0]
    exc_times = np.concatenate([t for k, t in spikes.items() if k[0] == exc] or [np.zeros(0)])
    return {"spikes": spikes, "exc": exc, "inh": inh,
            "during_input": int(np.count_nonzero(exc_times < INPUT_END)),
            "after_input": int(np.count_nonzero(exc_times >= INPUT_END)),
            "health": out.health[gn.ExecutionInstanceID(0)]}


def main(path: Path | None = None, cache_paths: list | None = None) -> dict:
    """Run the network with and without recurrent excitation, print the spike counts and plot
    the raster to ``path`` (default ``grenade_recurrent.png`` in the plot folder,
    examples/_plotting.py)."""
    path = _plotting.plot_path(path, "grenade_recurrent.png")
    recurrent = run(40, cache_paths)
    feedforward = run(0, cache_paths)
    print("recurrent network (128 excitatory, 32 inhibitory neurons; input for the first 100 us):")
    for name, r in (("with recurrent excitation", recurrent), ("without", feedforward)):
        print(f"  {name:>26}: {r['during_input']} excitatory spikes during the input, "
              f"{r['after_input']} after it")
    _plot(recurrent, path)
    print(f"raster plot saved as {path}")
    return {"recurrent": recurrent, "feedforward": feedforward}


def _plot(result: dict, path: Path) -> None:
    plt = _plotting.pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.4))
    raster(ax, result["spikes"], result["exc"], color="C0", label="excitatory (recurrent)")
    raster(ax, result["spikes"], result["inh"], offset=N_EXC, color="C3", label="inhibitory")
    ax.axvspan(0, INPUT_END / 125, color="0.9", zorder=0, label="Poisson input on")
    ax.set(xlabel="hardware time [us]", ylabel="neuron", title="a recurrent network on the emulated chip")
    _plotting.biological_time_axis(ax)
    ax.legend(loc="upper right", fontsize=8)
    _plotting.save(fig, path)


if __name__ == "__main__":
    main()
