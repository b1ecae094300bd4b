"""AdEx firing patterns (common_task_adex_complex_dynamics, ts_08, fp_adex) on the emulated chip,
in hardware time: one neuron circuit with its exponential term and adaptation, four parameter
sets, four responses to the same current step.

As in the tutorial, ``setup(neuronPermutation=[k, k + 1])`` places two HXNeurons side by side.
Neuron 0 is the AdEx neuron; ``multicompartment_connect_right=True`` shorts its membrane onto
neuron 1, a readout dummy whose capacitance and leak are off, so the MADC's two channels show
both state variables at once: ``pop[0:1].record(["adaptation", "spikes"])`` (the adaptation
current as the neuron's readout shows it) and ``pop[1:2].record(["v"])`` (the shared membrane).
The parameters are set through ``setattr`` on the cell's ID; the step is the offset current
switched between three realtime snippets (``run(..., RunCommand.APPEND)`` twice, then
``EXECUTE``): off for 0.1 ms, on for 0.6 ms, off for 0.3 ms.

- ``subthreshold``: a strong sub-threshold adaptation (``adaptation_i_bias_a``) with a slow
  leak: no spikes; the membrane overshoots at the step's onset and rings down to its level,
  and undershoots after the step;
- ``transient``: sub-threshold adaptation strong enough that a few spikes at the onset charge
  the adaptation current above the step: the neuron falls silent;
- ``adaptation``: spike-triggered adaptation (``adaptation_i_bias_b``) with a slow time
  constant: the inter-spike intervals grow until the adaptation current levels off;
- ``bursting``: the reset above the exponential term's onset: after a reset the exponential
  term fires the neuron again at once, each spike adds to the adaptation current, until it
  stops the burst and must decay before the next: groups of spikes, long pauses between them.

``main()`` saves ``adex_patterns.png``: one panel per pattern with the membrane, the spikes and
the adaptation current.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from pynn_frontend import RunCommand
from _pynn_setup import figure
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

#: the tutorial's snippets: current off, on, off [hardware ms]
TIMING = (0.1, 0.6, 0.3)
#: the two neighbouring circuits (an even and an odd column: the MADC's two channels)
NEURONS = (16, 17)

#: every pattern's AdEx neuron (DAC values): exponential term and adaptation on, a short
#: refractory time, the synaptic inputs paused during it
BASE = dict(leak_v_leak=400, leak_i_bias=200, threshold_v_threshold=600, threshold_enable=True,
            reset_v_reset=350, reset_i_bias=1022, reset_enable_multiplication=True,
            membrane_capacitance_capacitance=63, refractory_period_refractory_time=4,
            refractory_period_enable_pause=True,
            exponential_enable=True, exponential_v_exp=500, exponential_i_bias=200,
            adaptation_enable=True, adaptation_enable_pulse=True, adaptation_v_leak=400, adaptation_v_ref=400,
            adaptation_i_bias_tau=60, adaptation_i_bias_a=0, adaptation_i_bias_b=0,
            constant_current_i_offset=900, multicompartment_connect_right=True)
#: what each pattern changes
PATTERNS: dict[str, dict[str, int]] = {
    "subthreshold": dict(leak_i_bias=50, adaptation_i_bias_a=600, adaptation_i_bias_tau=200,
                         constant_current_i_offset=200),
    "transient": dict(adaptation_i_bias_a=1000, adaptation_i_bias_b=80, adaptation_i_bias_tau=100),
    "adaptation": dict(adaptation_i_bias_b=120),
    "bursting": dict(reset_v_reset=760, adaptation_i_bias_b=100, adaptation_i_bias_tau=100),
}
#: the readout dummy: no capacitance, no leak, no spikes of its own
DUMMY = dict(leak_i_bias=0, membrane_capacitance_capacitance=0, threshold_enable=False)


def _concatenate(signals: list) -> tuple[np.ndarray, np.ndarray]:
    """One (times [ms], values) from a segment's signals (one per snippet)."""
    return (np.concatenate([s.times.magnitude for s in signals]),
            np.concatenate([s.magnitude[:, 0] for s in signals]))


def run_pattern(parameters: dict[str, int], timing: tuple[float, float, float] = TIMING,
                neurons: tuple[int, int] = NEURONS) -> dict[str, Any]:
    """The AdEx neuron with ``BASE`` and ``parameters`` under the current step ``timing`` (off,
    on, off [hardware ms]): its spike times [ms], the membrane (times [ms], MADC) and the
    adaptation readout (times [ms], MADC)."""
    pynn.setup(neuronPermutation=list(neurons))
    pop = pynn.Population(2, pynn.cells.HXNeuron())
    adex, dummy = pop[0], pop[1]
    for name, value in {**BASE, **parameters}.items():
        setattr(adex, name, value)
    for name, value in DUMMY.items():
        setattr(dummy, name, value)
    pop[0:1].record(["adaptation", "spikes"])
    pop[1:2].record(["v"])
    commands = (RunCommand.APPEND, RunCommand.APPEND, RunCommand.EXECUTE)
    for enabled, runtime, command in zip((False, True, False), timing, commands):
        adex.constant_current_enable = enabled
        pynn.run(runtime, command)
    segment = pop[0:1].get_data().segments[0]
    # one spike train per snippet, all of the one cell
    spikes = np.sort(np.concatenate([st.magnitude for st in segment.spiketrains]))
    t_w, w = _concatenate(segment.irregularlysampledsignals)
    t, v = _concatenate(pop[1:2].get_data().segments[0].irregularlysampledsignals)
    pynn.end()
    return {"spikes": spikes, "t": t, "v": v, "t_w": t_w, "w": w,
            "step": (timing[0], timing[0] + timing[1])}


def plot(results: dict[str, Any], path: Path) -> None:
    # both MADC signals in mV (1200 mV / 1023 per LSB); the right axis is the adaptation's
    mv = _plotting.units.madc_code_to_mv
    fig, axes = figure(len(results), 1, (9, 2.6 * len(results) + 0.4))
    for ax, (name, r) in zip(axes[:, 0], results.items()):
        ax.plot(r["t"] * 1e3, mv(r["v"]), lw=0.7, color="tab:blue", label="membrane (neuron 1)")
        ax.plot(r["spikes"] * 1e3, np.full(len(r["spikes"]), mv(1040)), "|", color="k", ms=8, label="spikes")
        ax.axvspan(r["step"][0] * 1e3, r["step"][1] * 1e3, color="0.92", zorder=-1, label="offset current on")
        ax.set(ylabel="membrane [mV]", ylim=(mv(200), mv(1070)),
               title=f"{name}: {len(r['spikes'])} spikes (MADC: {_plotting.units.MADC_MV_PER_LSB:.3f} mV per LSB)")
        twin = ax.twinx()
        twin.plot(r["t_w"] * 1e3, mv(r["w"]), lw=0.7, color="tab:orange", label="adaptation (neuron 0)")
        twin.set_ylabel("adaptation [mV]", color="tab:orange")
        lines = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        # on the twin, which is drawn over ax
        twin.legend(lines, [line.get_label() for line in lines], fontsize=7, loc="lower right", framealpha=0.9)
    _plotting.biological_time_axis(axes[0, 0])
    axes[-1, 0].set_xlabel("hardware time [us]")
    _plotting.save(fig, path, dpi=80)


def main(path: Path | str | None = None, timing: tuple[float, float, float] = TIMING) -> dict[str, Any]:
    """The three AdEx patterns, plotted to ``path`` (default ``adex_patterns.png`` in the plot
    folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "adex_patterns.png")
    results = {name: run_pattern(parameters, timing) for name, parameters in PATTERNS.items()}
    plot(results, path)
    for name, r in results.items():
        isi = np.round(np.diff(r["spikes"]) * 1e3, 1).tolist()
        print(f"{name:12s}: {len(r['spikes']):2d} spikes, intervals [us] {isi}")
    print(f"plot: {path}")
    return results


if __name__ == "__main__":
    main()
