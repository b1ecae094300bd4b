"""The integrator neuron (first part of tp_00-introduction) on the emulated chip, in hardware
time: a neuron without leak adds up its synaptic inputs, so that its membrane climbs and falls
in steps, a staircase.

The tutorial's neuron comes from calix's HAGEN calibration (an integrator: leak off, the
synaptic inputs short, no threshold). Here one HXNeuron is configured the same way with DAC
values: ``leak_i_bias=0`` (no leak: a step holds), the synaptic inputs' time constants short
(the step rises within a couple of microseconds), the threshold off. Two SpikeSourceArrays
deliver 12 excitatory and 3 inhibitory spikes on a 5 us grid, weights +63 and -63. Every
excitatory spike lifts the membrane by one step, every inhibitory one lowers it (by less here:
the previous excitatory input still adds its tail, and this circuit's inhibitory input is the
weaker); between the spikes it stays where it is. (The tutorial runs 50 us; the emulated
chip's shortest synaptic time constant is 2.4 us, so the grid is 5 us, for each step to settle
before the next, and the run 80 us.)

``main()`` saves ``integrator.png``: the membrane with the input times.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from _pynn_setup import figure
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

RUNTIME = 80e-3                                 # [hardware ms]
GRID = 5e-3                                     # the inputs' spacing [hardware ms]
#: the inputs in order on the grid: four excitatory, one inhibitory, three times
ORDER = "eeeeieeeeieeeei"
WEIGHT = 63
#: an integrator: no leak, no threshold, short synaptic inputs; the membrane starts at the
#: reset potential (every run begins with a neuron reset) and climbs from there
NEURON = dict(leak_i_bias=0, leak_v_leak=300, reset_v_reset=300, reset_i_bias=1022,
              membrane_capacitance_capacitance=63, threshold_enable=False,
              excitatory_input_enable=True, excitatory_input_i_bias_tau=1022, excitatory_input_i_bias_gm=1000,
              excitatory_input_enable_small_capacitance=True,
              inhibitory_input_enable=True, inhibitory_input_i_bias_tau=1022, inhibitory_input_i_bias_gm=1000,
              inhibitory_input_enable_small_capacitance=True)


def input_times(order: str = ORDER, grid: float = GRID) -> tuple[list[float], list[float]]:
    """The excitatory and the inhibitory spike times [hardware ms]: input ``k`` of ``order``
    at ``(k + 1) grid``."""
    times = (np.arange(len(order)) + 1) * grid
    return ([float(t) for t, kind in zip(times, order) if kind == "e"],
            [float(t) for t, kind in zip(times, order) if kind == "i"])


def integrate(order: str = ORDER, runtime: float = RUNTIME, weight: int = WEIGHT) -> dict[str, Any]:
    """The integrator's membrane (times [ms], MADC) under the inputs of ``order``."""
    excitatory, inhibitory = input_times(order)
    pynn.setup()
    neuron = pynn.Population(1, pynn.cells.HXNeuron(**NEURON), label="integrator")
    exc = pynn.Population(1, pynn.SpikeSourceArray(spike_times=excitatory), label="excitatory input")
    inh = pynn.Population(1, pynn.SpikeSourceArray(spike_times=inhibitory), label="inhibitory input")
    pynn.Projection(exc, neuron, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=weight),
                    receptor_type="excitatory")
    pynn.Projection(inh, neuron, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=-weight),
                    receptor_type="inhibitory")
    neuron.record("v")
    pynn.run(runtime)
    signal = neuron.get_data().segments[0].irregularlysampledsignals[0]
    pynn.end()
    return {"t": signal.times.magnitude, "v": signal.magnitude[:, 0], "excitatory": excitatory,
            "inhibitory": inhibitory}


def levels(results: dict[str, Any], grid: float = GRID) -> np.ndarray:
    """The membrane's level [MADC] before the first input and after each: the mean over the
    third of a grid interval before the next input (the step has settled by then)."""
    t, v = results["t"], results["v"]
    inputs = sorted(results["excitatory"] + results["inhibitory"])
    ends = inputs + [inputs[-1] + grid]
    return np.array([v[(t >= end - grid / 3) & (t < end)].mean() for end in ends])


def plot(results: dict[str, Any], path: Path) -> None:
    fig, axes = figure(1, 1, (9, 4.6))
    ax = axes[0, 0]
    ax.plot(results["t"] * 1e3, _plotting.units.madc_code_to_mv(results["v"]), lw=0.7, label="membrane (MADC)")
    for times, color, label in ((results["excitatory"], "tab:red", "excitatory input (w = +63)"),
                                (results["inhibitory"], "tab:blue", "inhibitory input (w = -63)")):
        for k, s in enumerate(times):
            ax.axvline(s * 1e3, color=color, lw=0.6, ls="--", label=label if k == 0 else None)
    ax.set(title="an integrator neuron: a staircase", xlabel="hardware time [us]", ylabel="membrane [mV]")
    _plotting.biological_time_axis(ax)
    _plotting.lsb_axis(ax, "madc")
    ax.legend(fontsize=8, loc="upper left")
    _plotting.save(fig, path, dpi=80)


def main(path: Path | str | None = None) -> dict[str, Any]:
    """The integrator's staircase, plotted to ``path`` (default ``integrator.png`` in the plot
    folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "integrator.png")
    results = integrate()
    results["levels"] = levels(results)
    plot(results, path)
    steps = np.round(np.diff(results["levels"]), 1).tolist()
    print(f"steps at the inputs [MADC]: {steps}; plot: {path}")
    return results


if __name__ == "__main__":
    main()
