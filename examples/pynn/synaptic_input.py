"""Synaptic input (fp_synapticInput) and the dynamic range (ts_06) on the emulated chip: one
integrating HXNeuron, one input spike, the weight swept (hardware time, DAC values).

- ``psp_versus_weight``: weights -63..63, the receptor type chosen by the sign: the PSP's peak
  is about linear in the weight and flips its sign with it;
- ``dynamic_range``: weights 0..288 (above 63 grenade spreads a weight over several synapses):
  the PSP grows with the weight and saturates.

Each weight is one run: ``set -> run -> get_data(clear=True) -> reset``. ``main()`` saves
``synaptic_input.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from _pynn_setup import INTEGRATOR, figure, smooth, sweep, trace, window
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

SPIKE = 0.03                                   # the input spike [hardware ms]
SIGNED_WEIGHTS = (-63, -42, -21, 21, 42, 63)
LARGE_WEIGHTS = (0, 64, 128, 192, 288)


def _response(pop: Any) -> tuple[np.ndarray, np.ndarray]:
    """The smoothed membrane after the spike, relative to the mean before it."""
    t, v = trace(pop)
    v = smooth(v)
    return t, v - window(t, v, SPIKE - 0.01, SPIKE).mean()


def psp_versus_weight(weights: tuple[int, ...] = SIGNED_WEIGHTS) -> dict[str, Any]:
    """The PSP's peak (the maximum, or the minimum for inhibition) [MADC] per weight."""
    pynn.setup()
    pop = pynn.Population(1, pynn.cells.HXNeuron(**INTEGRATOR))
    source = pynn.Population(1, pynn.SpikeSourceArray(spike_times=[SPIKE]))
    exc = pynn.Projection(source, pop, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=0), receptor_type="excitatory")
    inh = pynn.Projection(source, pop, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=0), receptor_type="inhibitory")
    pop.record("v")

    def apply(w: int) -> None:
        exc.set(weight=max(w, 0))
        inh.set(weight=min(w, 0))

    traces = sweep(pop, weights, apply, 0.06, lambda: _response(pop))
    pynn.end()
    peaks = []
    for w, (t, response) in zip(weights, traces):
        after = window(t, response, SPIKE, SPIKE + 0.02)
        peaks.append(float(after.max() if w > 0 else after.min()))
    return {"weights": list(weights), "peaks": peaks, "traces": traces}


def dynamic_range(weights: tuple[int, ...] = LARGE_WEIGHTS, neuron: int = 5) -> dict[str, Any]:
    """The PSP's height [MADC] per weight (up to 288: five synapses), on circuit ``neuron``."""
    pynn.setup(neuronPermutation=[neuron])
    pop = pynn.Population(1, pynn.cells.HXNeuron(**INTEGRATOR))
    source = pynn.Population(1, pynn.SpikeSourceArray(spike_times=[SPIKE]))
    proj = pynn.Projection(source, pop, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=0))
    pop.record("v")
    heights = sweep(pop, weights, lambda w: proj.set(weight=w), 0.05,
                    lambda: float(window(*_response(pop), SPIKE, SPIKE + 0.015).max()))
    pynn.end()
    return {"weights": list(weights), "heights": heights}


def plot(results: dict[str, Any], path: Path) -> None:
    # MADC code differences in mV (1200 mV / 1023 per LSB), the codes on the right
    mv = _plotting.units.madc_code_to_mv
    fig, axes = figure(1, 3, (15, 4.6))
    psp = results["psp_versus_weight"]
    for w, (t, response) in zip(psp["weights"], psp["traces"]):
        axes[0, 0].plot(t * 1e3, mv(response), lw=0.8, label=f"w = {w}")
    axes[0, 0].set(title="PSPs", xlabel="hardware time [us]", ylabel="membrane - rest [mV]")
    _plotting.biological_time_axis(axes[0, 0])
    axes[0, 0].legend(fontsize=7)
    axes[0, 1].plot(psp["weights"], mv(np.asarray(psp["peaks"], dtype=float)), "o-")
    axes[0, 1].set(title="PSP peak vs weight", xlabel="weight (sign: receptor type)", ylabel="peak [mV]")
    dyn = results["dynamic_range"]
    axes[0, 2].plot(dyn["weights"], mv(np.asarray(dyn["heights"], dtype=float)), "o-")
    axes[0, 2].set(title="dynamic range", xlabel="weight (>63: parallel synapses)", ylabel="PSP height [mV]")
    for ax in axes[0]:
        _plotting.lsb_axis(ax, "madc", difference=True)
    _plotting.save(fig, path, dpi=80)


def main(path: Path | str | None = None) -> dict[str, Any]:
    """PSPs against the weight, plotted to ``path`` (default ``synaptic_input.png`` in the plot
    folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "synaptic_input.png")
    results = {"psp_versus_weight": psp_versus_weight(), "dynamic_range": dynamic_range()}
    plot(results, path)
    peaks = ", ".join(f"{w}: {p:.0f}" for w, p in zip(SIGNED_WEIGHTS, results["psp_versus_weight"]["peaks"]))
    print(f"PSP peaks per weight [MADC]: {peaks}; plot: {path}")
    return results


if __name__ == "__main__":
    main()
