"""Neuron bypass (the hardware tests neuron_bypass_mode and recording, and the relay neurons of
ts_02 / ts_10) on the emulated chip, in hardware time: ``setup(enable_neuron_bypass=True)`` puts
every neuron into the ``lola.Chip.default_neuron_bypass()`` preset, so that each excitatory
input spike comes straight out as an output spike, without leaky integration.

Ten Poisson sources (200 kHz of hardware time for 0.5 ms: about 1000 spikes) drive ten
``HXNeuron`` one to one at weight 63; an eleventh neuron gets no input. The sources' and the
neurons' spikes are recorded: at least 98 % of the input spikes come out of their neuron within
0.01 ms (the hardware tests' criterion), no neuron fires without an input, and the silent
neuron still returns its (empty) spike train.

``main()`` saves ``bypass.png``: input and output spikes of a few neurons, and the latencies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from _pynn_setup import figure, spike_times
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

NEURONS = 10
RATE = 2e5                                     # Hz of hardware time (200 Hz of biology)
RUNTIME = 0.5                                  # hardware ms
TOLERANCE = 0.01                               # hardware ms: an output within this is a relay


def latencies(inputs: list[np.ndarray], outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per input spike (all neurons) the delay to the first output spike of its neuron at or
    after it (inf if none), and per output spike the delay after the last input before it
    (inf if none): how input and output spikes pair up."""
    forward, backward = [], []
    for i, o in zip(inputs, outputs):
        if not len(i):
            backward.append(np.full(len(o), np.inf))
            continue
        if len(o):
            k = np.searchsorted(o, i)
            forward.append(np.where(k < len(o), o[np.minimum(k, len(o) - 1)] - i, np.inf))
        else:
            forward.append(np.full(len(i), np.inf))
        k = np.searchsorted(i, o, side="right") - 1
        backward.append(np.where(k >= 0, o - i[np.maximum(k, 0)], np.inf))
    return np.concatenate(forward or [np.zeros(0)]), np.concatenate(backward or [np.zeros(0)])


def experiment(neurons: int = NEURONS, rate: float = RATE, runtime: float = RUNTIME) -> dict[str, Any]:
    """The relay experiment: the spike times of sources and neurons, and their pairing."""
    pynn.setup(enable_neuron_bypass=True)
    sources = pynn.Population(neurons, pynn.SpikeSourcePoisson(rate=rate, start=0.0, duration=runtime))
    relays = pynn.Population(neurons + 1, pynn.cells.HXNeuron())           # the last one gets no input
    pynn.Projection(sources, relays[0:neurons], pynn.OneToOneConnector(), pynn.StaticSynapse(weight=63))
    sources.record("spikes")
    relays.record("spikes")
    pynn.run(runtime)
    inputs, outputs = spike_times(sources), spike_times(relays)
    pynn.end()
    forward, backward = latencies(inputs, outputs[:neurons])
    return {"inputs": inputs, "outputs": outputs, "input_spikes": int(sum(len(s) for s in inputs)),
            "relayed": float(np.mean(forward <= TOLERANCE)) if forward.size else 0.0,
            "unexplained": int(np.sum(backward > TOLERANCE)), "latencies": forward[np.isfinite(forward)],
            "silent": outputs[neurons]}


def plot(results: dict[str, Any], path: Path) -> None:
    fig, axes = figure(1, 2, (10, 3.4))
    raster, hist = axes[0]
    for n, (i, o) in enumerate(zip(results["inputs"][:5], results["outputs"][:5])):
        raster.plot(i, np.full(len(i), n + 0.12), "|", color="tab:blue", ms=7, label="input" if n == 0 else None)
        raster.plot(o, np.full(len(o), n - 0.12), "|", color="tab:red", ms=7, label="output" if n == 0 else None)
    raster.set_xlim(0, 0.1)
    raster.set_xlabel("hardware time [ms]")
    _plotting.biological_time_axis(raster, "ms")
    raster.set_ylabel("neuron")
    raster.set_title("bypass neurons relay their input spikes")
    raster.legend(fontsize=8, loc="upper right")
    # the latencies are tens of ns, far below the 10 us tolerance: shown in ns
    hist.hist(results["latencies"] * 1e6, bins=30, color="tab:gray")
    hist.set_xlabel("input -> output latency [ns of hardware time]")
    hist.set_ylabel("input spikes")
    hist.set_title(f"{100 * results['relayed']:.1f} % of {results['input_spikes']} relayed within "
                   f"{TOLERANCE:g} ms ({TOLERANCE * 1e6:g} ns)", fontsize=10)
    _plotting.save(fig, path, dpi=100)


def main(path: Path | str | None = None) -> dict[str, Any]:
    """Relay input spikes through bypass neurons and plot them to ``path`` (default
    ``bypass.png`` in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "bypass.png")
    results = experiment()
    plot(results, path)
    print(f"{results['input_spikes']} input spikes, {100 * results['relayed']:.1f} % relayed within {TOLERANCE} ms "
          f"(median latency {np.median(results['latencies']) * 1e3:.2f} us), {results['unexplained']} output spikes "
          f"without an input; plot: {path}")
    return results


if __name__ == "__main__":
    main()
