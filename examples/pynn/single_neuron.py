"""The single-neuron tutorial (ts_00-single_neuron, fp_singleNeuron) on the emulated chip:
one HXNeuron configured with DAC values, times in hardware milliseconds.

- ``silent_neuron``: without a threshold the membrane rests at ``leak_v_leak``
  (set, run, get the data, reset: a sweep);
- ``leak_over_threshold``: the leak far above the threshold: a regular sawtooth, charging
  towards the leak, reset at the threshold, held during the refractory period;
- ``fixed_pattern``: identically configured neurons fire differently (each circuit's mismatch);
  each is recorded in turn through a PopulationView;
- ``external_stimulation``: spikes of two SpikeSourceArrays through an excitatory and an
  inhibitory projection: EPSPs and IPSPs, stacking when the spikes come close together;
- ``f_i_curve``: the offset current swept: no spikes below the rheobase, then a rate that
  rises with the current.

``main()`` runs all of them and saves ``single_neuron.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from _pynn_setup import INTEGRATOR, LOT, figure, smooth, spike_times, sweep, trace, window
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

#: the leak potentials of the silent neuron's sweep [DAC]
V_LEAKS = (200, 400, 600, 800)
#: a single excitatory spike, then three close together; the same for inhibition [hardware ms]
EXCITATORY = ([0.03], [0.07, 0.072, 0.074])
INHIBITORY = ([0.05], [0.1, 0.102, 0.104])
#: the offset currents of the f-I curve [DAC]
CURRENTS = (0, 200, 400, 600, 800)


def silent_neuron(v_leaks: tuple[int, ...] = V_LEAKS) -> dict[str, Any]:
    """The mean membrane [MADC] at each ``leak_v_leak`` and the last trace."""
    pynn.setup()
    pop = pynn.Population(1, pynn.cells.HXNeuron(leak_i_bias=1022, membrane_capacitance_capacitance=63))
    pop.record("v")
    means = sweep(pop, v_leaks, lambda v_leak: pop.set(leak_v_leak=v_leak), 0.03,
                  lambda: float(window(*trace(pop), 0.01, 0.03).mean()))
    pynn.end()
    return {"v_leaks": list(v_leaks), "means": means}


def leak_over_threshold(runtime: float = 0.1) -> dict[str, Any]:
    """The leak-over-threshold neuron's trace and spike times [hardware ms]."""
    pynn.setup()
    pop = pynn.Population(1, pynn.cells.HXNeuron(**LOT))
    pop.record(["v", "spikes"])
    pynn.run(runtime)
    t, v = trace(pop)
    spikes = spike_times(pop)[0]
    pynn.end()
    return {"t": t, "v": v, "spikes": spikes}


def fixed_pattern(n: int = 10, step: int = 3) -> dict[str, Any]:
    """``n`` leak-over-threshold neurons: the spike trains of all, the membranes of every
    ``step``-th, each recorded in its own run (one neuron at a time on the MADC)."""
    pynn.setup()
    pop = pynn.Population(n, pynn.cells.HXNeuron(**LOT))
    pop.record("spikes")
    traces = []
    for i in range(0, n, step):
        pynn.PopulationView(pop, [i]).record(["v"])
        pynn.run(0.06)
        traces.append(trace(pop))
        pynn.reset()
        pop.record(None)
        pop.record("spikes")
    trains = spike_times(pop, 0)
    pynn.end()
    return {"traces": traces, "trains": trains}


def external_stimulation(weight: int = 40) -> dict[str, Any]:
    """An integrating neuron's membrane under excitatory and inhibitory input spikes."""
    pynn.setup()
    pop = pynn.Population(1, pynn.cells.HXNeuron(**INTEGRATOR))
    exc = pynn.Population(1, pynn.SpikeSourceArray(spike_times=EXCITATORY[0] + EXCITATORY[1]))
    inh = pynn.Population(1, pynn.SpikeSourceArray(spike_times=INHIBITORY[0] + INHIBITORY[1]))
    pynn.Projection(exc, pop, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=weight), receptor_type="excitatory")
    pynn.Projection(inh, pop, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=-weight),
                    receptor_type="inhibitory")
    pop.record("v")
    pynn.run(0.13)
    t, v = trace(pop)
    pynn.end()
    return {"t": t, "v": v}


def f_i_curve(currents: tuple[int, ...] = CURRENTS, runtime: float = 0.1) -> dict[str, Any]:
    """Spike counts in ``runtime`` at each ``constant_current_i_offset``."""
    pynn.setup()
    pop = pynn.Population(1, pynn.cells.HXNeuron(
        leak_v_leak=300, leak_i_bias=50, threshold_v_threshold=350, threshold_enable=True, reset_v_reset=300,
        reset_i_bias=1022, membrane_capacitance_capacitance=63, refractory_period_refractory_time=50,
        constant_current_enable=True))
    pop.record("spikes")
    counts = sweep(pop, currents, lambda current: pop.set(constant_current_i_offset=current), runtime,
                   lambda: len(spike_times(pop)[0]))
    pynn.end()
    return {"currents": list(currents), "counts": counts, "rates_khz": [c / runtime for c in counts]}


def plot(results: dict[str, Any], path: Path) -> None:
    """Membranes in mV (MADC codes on the right) over hardware time [us] (biological ms on
    top); rates in kHz of hardware time (biological Hz on the right)."""
    mv = _plotting.units.madc_code_to_mv
    fig, axes = figure(2, 3, (15, 7.6))
    lot = results["leak_over_threshold"]
    ax = axes[0, 0]
    ax.plot(lot["t"] * 1e3, mv(lot["v"]), lw=0.8, label="membrane (MADC)")
    ax.plot(lot["spikes"] * 1e3, np.full(len(lot["spikes"]), mv(lot["v"].max() + 20)), "|", color="k",
            label="spike")
    ax.set(title="leak over threshold", xlabel="hardware time [us]", ylabel="membrane [mV]")
    ax.legend(loc="lower right", fontsize=7)
    silent = results["silent_neuron"]
    axes[0, 1].plot(silent["v_leaks"], mv(np.asarray(silent["means"], dtype=float)), "o-")
    axes[0, 1].set(title="silent neuron", xlabel="leak_v_leak [DAC]", ylabel="mean membrane [mV]")
    for t, v in results["fixed_pattern"]["traces"]:
        axes[0, 2].plot(t * 1e3, mv(v), lw=0.8)
    axes[0, 2].set(title="fixed-pattern variation (one colour per neuron)", xlabel="hardware time [us]",
                   ylabel="membrane [mV]")
    stim = results["external_stimulation"]
    axes[1, 0].plot(stim["t"] * 1e3, mv(smooth(stim["v"])), lw=0.8, label="membrane (smoothed)")
    for times, color, kind in ((EXCITATORY, "tab:green", "excitatory"), (INHIBITORY, "tab:red", "inhibitory")):
        for k, s in enumerate(times[0] + times[1]):
            axes[1, 0].axvline(s * 1e3, color=color, lw=0.5, label=f"{kind} input spike" if k == 0 else None)
    axes[1, 0].set(title="EPSPs and IPSPs", xlabel="hardware time [us]", ylabel="membrane [mV]")
    axes[1, 0].legend(loc="lower right", fontsize=7)
    for ax in (axes[0, 0], axes[0, 1], axes[0, 2], axes[1, 0]):
        _plotting.lsb_axis(ax, "madc")
    for ax in (axes[0, 0], axes[0, 2], axes[1, 0]):
        _plotting.biological_time_axis(ax)
    fi = results["f_i_curve"]
    axes[1, 1].plot(fi["currents"], fi["rates_khz"], "o-")
    axes[1, 1].set(title="f-I curve", xlabel="constant_current_i_offset [DAC]",
                   ylabel="rate [kHz of hardware time]")
    _plotting.biological_rate_axis(axes[1, 1], "y")
    isis = [np.mean(np.diff(s)) * 1e3 for s in results["fixed_pattern"]["trains"] if len(s) > 1]
    axes[1, 2].bar(range(len(isis)), isis)
    axes[1, 2].set(title="the same parameters, ten neurons", xlabel="neuron", ylabel="mean ISI [us of hardware time]")
    _plotting.biological_time_axis(axes[1, 2], which="y")
    _plotting.save(fig, path, dpi=80)


def main(path: Path | str | None = None) -> dict[str, Any]:
    """The tutorial's five experiments, plotted to ``path`` (default ``single_neuron.png`` in
    the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "single_neuron.png")
    results = {"silent_neuron": silent_neuron(), "leak_over_threshold": leak_over_threshold(),
               "fixed_pattern": fixed_pattern(), "external_stimulation": external_stimulation(),
               "f_i_curve": f_i_curve()}
    plot(results, path)
    lot = results["leak_over_threshold"]["spikes"]
    print(f"leak over threshold: {len(lot)} spikes in 100 us; f-I: {results['f_i_curve']['counts']} spikes "
          f"at currents {list(CURRENTS)}; plot: {path}")
    return results


if __name__ == "__main__":
    main()
