"""Multi-compartment neurons (common_task_multicompartment, ts_03) on the emulated chip, in
hardware time: a chain of four compartments, each two circuits (the first joins the shared line
through a conductance towards its right neighbour, the second by a switch from its left
neighbour), made with ``create_mc_neuron`` and ``single_active_circuit=True``.

Ten spike sources inject into one compartment after another (``AllToAllConnector(
location_selector="comp_n")``); the membrane of each compartment is recorded in turn
(``record("v", locations=["comp_n"])``, run, ``get_data(clear=True)``, ``record(None)``,
``reset()``), once per conductance (``pop.set(multicompartment_i_bias_nmda=g)``). The EPSP is
largest where the input arrives and attenuates along the chain; a larger conductance between
the compartments attenuates it less.

``main()`` saves ``multicompartment.png``: a grid of EPSPs, the injection site down, the
recording site across.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from pynn_frontend.morphology import Compartment, SharedLineConnection, create_mc_neuron
from _pynn_setup import figure, smooth, window
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

LENGTH = 4                                     # compartments in the chain
INPUTS = 10                                    # spike sources per compartment, firing together
ISI = 0.1                                      # hardware ms between the inputs
WEIGHT = 31
CONDUCTANCES = (200, 800)                      # multicompartment_i_bias_nmda (CapMem LSB)
#: every compartment's circuits: a slow leak, small capacitance, strong excitatory input
NEURON = dict(leak_v_leak=400, leak_i_bias=100, membrane_capacitance_capacitance=20, excitatory_input_enable=True,
              excitatory_input_i_bias_tau=150, excitatory_input_i_bias_gm=1000, threshold_enable=False)


def chain_type(length: int = LENGTH) -> type:
    """The tutorial's compartment chain as a cell type: compartment n is circuits 2n and 2n+1,
    labelled ``comp_n``; the shared line is closed between neighbours."""
    compartments = []
    for n in range(length):
        positions = [2 * n, 2 * n + 1]
        compartments.append(Compartment(
            positions=positions, label=f"comp_{n}",
            connect_shared_line=None if n == 0 else [positions[0]],             # a switch to the left
            connect_conductance=None if n == length - 1 else [(positions[1], 200)]))   # a conductance right
    connections = [SharedLineConnection(start=2 * n + 1, stop=2 * n + 2, row=0) for n in range(length - 1)]
    return create_mc_neuron("CompartmentChain", compartments=compartments, connections=connections,
                            single_active_circuit=True)


def spike_times(length: int = LENGTH) -> np.ndarray:
    """When each compartment gets its input [hardware ms]."""
    return np.arange(length) * ISI + 0.5 * ISI


def record_membrane_traces(pop: Any, projections: list, weight: int, conductance: int) -> list[tuple]:
    """The tutorial's loop: the weight and conductance set, then per compartment one run
    recording its membrane; (times [ms], MADC values) per compartment."""
    pop.set(multicompartment_i_bias_nmda=conductance)
    for projection in projections:
        projection.set(weight=weight)
    traces = []
    for n in range(len(projections)):
        pop.record(["v"], locations=[f"comp_{n}"])
        pynn.run(len(projections) * ISI)
        signal = pop.get_data(clear=True).segments[-1].irregularlysampledsignals[0]
        assert signal.annotations["source_locations"] == [f"comp_{n}"]
        traces.append((signal.times.magnitude, signal.magnitude[:, 0]))
        pop.record(None)
        pynn.reset()
    return traces


def epsps(traces: list[tuple], times: np.ndarray) -> np.ndarray:
    """[injection site][recording site]: the EPSP's height [MADC] over the mean of the 10 us
    before the input (smoothed: the MADC's noise)."""
    out = np.zeros((len(times), len(traces)))
    for m, (t, v) in enumerate(traces):
        v = smooth(v)
        for i, spike in enumerate(times):
            out[i, m] = window(t, v, spike, spike + 0.03).max() - window(t, v, spike - 0.01, spike).mean()
    return out


def experiment(conductances: tuple[int, ...] = CONDUCTANCES, weight: int = WEIGHT) -> dict[str, Any]:
    """The chain, its inputs and per conductance the traces and EPSP heights."""
    pynn.setup()
    chain = chain_type()
    pop = pynn.Population(1, chain(**NEURON))
    times = spike_times()
    projections = []
    for n, spike in enumerate(times):
        inputs = pynn.Population(INPUTS, pynn.cells.SpikeSourceArray(spike_times=[spike]))
        projections.append(pynn.Projection(inputs, pop, pynn.AllToAllConnector(location_selector=f"comp_{n}"),
                                           synapse_type=pynn.StaticSynapse()))
    results: dict[str, Any] = {"spike_times": times, "conductances": list(conductances), "traces": {}, "epsps": {}}
    for g in conductances:
        traces = record_membrane_traces(pop, projections, weight, g)
        results["traces"][g] = traces
        results["epsps"][g] = epsps(traces, times)
    results["atoms"] = pop.atomic_neurons.tolist()
    pynn.end()
    return results


def plot(results: dict[str, Any], path: Path) -> None:
    times = results["spike_times"]
    n = len(times)
    # EPSPs in mV (the MADC's 1200 mV / 1023 per LSB); 16 small panels: no second axes
    mv_per_lsb = _plotting.units.MADC_MV_PER_LSB
    fig, axes = figure(n, n, (9, 7.4))
    shades = dict(zip(results["conductances"], np.linspace(0.65, 0.0, len(results["conductances"]))))
    for g, traces in results["traces"].items():
        for i, spike in enumerate(times):
            for m, (t, v) in enumerate(traces):
                keep = (t >= spike - 0.01) & (t < spike + 0.045)
                base = window(t, v, spike - 0.01, spike).mean()
                axes[i, m].plot((t[keep] - spike) * 1e3, mv_per_lsb * (smooth(v)[keep] - base), color=str(shades[g]), lw=1,
                                label=f"i_bias_nmda = {g}" if (i, m) == (0, 0) else None)
    top = max(float(e.max()) for e in results["epsps"].values()) * 1.1 * mv_per_lsb
    for i in range(n):
        for m in range(n):
            ax = axes[i, m]
            ax.set_ylim(-0.1 * top, top)
            if i == n - 1:
                ax.set_xlabel(f"hardware time after input [us]\nrecorded at comp_{m}", fontsize=8)
            if m == 0:
                ax.set_ylabel(f"input at comp_{i}\nEPSP [mV]", fontsize=8)
            ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("EPSPs along a chain of four compartments: input site (rows) and recording site (columns)\n"
                 f"MADC: {mv_per_lsb:.3f} mV per LSB", fontsize=10)
    _plotting.save(fig, path, dpi=100)


def main(path: Path | str | None = None) -> dict[str, Any]:
    """EPSPs along the chain, plotted to ``path`` (default ``multicompartment.png`` in the plot
    folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "multicompartment.png")
    results = experiment()
    plot(results, path)
    for g, heights in results["epsps"].items():
        print(f"i_bias_nmda = {g}: EPSP heights [MADC] (input site down, recording site across)\n"
              f"{np.round(heights, 1)}")
    print(f"plot: {path}")
    return results


if __name__ == "__main__":
    main()
