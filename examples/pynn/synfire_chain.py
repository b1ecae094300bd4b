"""The synfire chain (fp_synfireChain) on the emulated chip, in hardware time: eight links of
seven excitatory and seven inhibitory HXNeurons (DAC values, no calibration).

Each link's excitatory population excites the next link's excitatory and inhibitory
populations all-to-all; each link's inhibitory population inhibits the excitatory one of its
own link (feed-forward inhibition: it fires a little after the excitatory neurons, since its
neurons are slower, and ends the link's activity). A stimulus of seven spikes at one time
starts the first link. The activity travels down the chain as a pulse packet: every link
fires once, a few microseconds after the previous one. As in the tutorial, the membrane of
the first excitatory neuron is recorded (MADC) besides the spikes of all. Without the
inhibition (its weight 0) the excitatory neurons fire again and again and the activity grows
from link to link.

``main()`` saves ``synfire_chain.png``: the rasters (excitatory and inhibitory neurons of each
link) with and without the inhibition, and the recorded membrane.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from _pynn_setup import figure
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

LINKS = 8
LINK_SIZE = 7                               # neurons per population of a link
STIMULUS_TIME = 0.01                        # [hardware ms]
RUNTIME = 0.05                              # [hardware ms]
#: weights (DAC): stimulus, exc -> next exc, exc -> next inh, inh -> own exc (inhibitory)
WEIGHTS = dict(stimulus=63, exc_exc=63, exc_inh=63, inh_exc=63)
#: the excitatory neurons: a small capacitance (seven inputs at weight 63 fire them), fast
#: synaptic inputs; the leak far below the threshold, so that only input fires them
EXCITATORY = dict(leak_v_leak=400, leak_i_bias=60, threshold_v_threshold=250, threshold_enable=True,
                  reset_v_reset=300, reset_i_bias=1022, membrane_capacitance_capacitance=8,
                  refractory_period_refractory_time=250,
                  excitatory_input_enable=True, excitatory_input_i_bias_tau=500, excitatory_input_i_bias_gm=1000,
                  inhibitory_input_enable=True, inhibitory_input_i_bias_tau=300, inhibitory_input_i_bias_gm=1000)
#: the inhibitory neurons: twice the capacitance: they reach the threshold later
INHIBITORY = {**EXCITATORY, "membrane_capacitance_capacitance": 16}


def run_chain(links: int = LINKS, runtime: float = RUNTIME, weights: dict[str, int] = WEIGHTS) -> dict[str, Any]:
    """The chain's spike trains (per link: the excitatory and the inhibitory population's, each
    a list of arrays [hardware ms]) and the first excitatory neuron's membrane (times [ms], MADC)."""
    pynn.setup()
    exc = [pynn.Population(LINK_SIZE, pynn.cells.HXNeuron(**EXCITATORY), label=f"exc{i}") for i in range(links)]
    inh = [pynn.Population(LINK_SIZE, pynn.cells.HXNeuron(**INHIBITORY), label=f"inh{i}") for i in range(links)]
    stimulus = pynn.Population(LINK_SIZE, pynn.SpikeSourceArray(spike_times=[STIMULUS_TIME]), label="stimulus")
    all_to_all = pynn.AllToAllConnector()

    def connect(pre: Any, post: Any, weight: int, receptor: str) -> None:
        sign = 1 if receptor == "excitatory" else -1
        pynn.Projection(pre, post, all_to_all, pynn.StaticSynapse(weight=sign * weight), receptor_type=receptor)

    connect(stimulus, exc[0], weights["stimulus"], "excitatory")
    connect(stimulus, inh[0], weights["stimulus"], "excitatory")
    for i in range(links):
        if i + 1 < links:
            connect(exc[i], exc[i + 1], weights["exc_exc"], "excitatory")
            connect(exc[i], inh[i + 1], weights["exc_inh"], "excitatory")
        connect(inh[i], exc[i], weights["inh_exc"], "inhibitory")
    for population in exc + inh:
        population.record("spikes")
    exc[0][0:1].record("v")
    pynn.run(runtime)

    def trains(population: Any) -> list[np.ndarray]:
        return [np.asarray(st.magnitude) for st in population.get_data("spikes").segments[0].spiketrains]

    signal = exc[0].get_data().segments[0].irregularlysampledsignals[0]
    out = {"exc": [trains(p) for p in exc], "inh": [trains(p) for p in inh],
           "t": signal.times.magnitude, "v": signal.magnitude[:, 0]}
    pynn.end()
    return out


def link_times(trains: list[list[np.ndarray]]) -> np.ndarray:
    """The mean spike time of each link [hardware ms] (NaN for a silent link)."""
    return np.array([np.concatenate(t).mean() if sum(len(s) for s in t) else np.nan for t in trains])


def _raster(ax: Any, results: dict[str, Any], title: str) -> None:
    row = 0
    for exc, inh in zip(results["exc"], results["inh"]):
        for trains, color in ((exc, "tab:red"), (inh, "tab:blue")):
            for train in trains:
                ax.plot(train * 1e3, np.full(len(train), row), "|", color=color, ms=4)
                row += 1
        ax.axhline(row - 0.5, color="0.8", lw=0.5)
    ax.axvline(STIMULUS_TIME * 1e3, color="k", ls="--", lw=0.8, label="stimulus")
    ax.plot([], [], "|", color="tab:red", label="excitatory")
    ax.plot([], [], "|", color="tab:blue", label="inhibitory")
    ax.set(title=title, xlabel="hardware time [us]", ylabel="neuron (link by link, exc then inh)")
    _plotting.biological_time_axis(ax)
    ax.legend(fontsize=8, loc="lower right")


def plot(results: dict[str, Any], path: Path) -> None:
    fig, axes = figure(3, 1, (9, 11))
    _raster(axes[0, 0], results, "synfire chain: a pulse packet travels through the links")
    _raster(axes[1, 0], results["without_inhibition"],
            "the same chain without its feed-forward inhibition: the activity runs away")
    axes[2, 0].plot(results["t"] * 1e3, _plotting.units.madc_code_to_mv(results["v"]), lw=0.7)
    axes[2, 0].set(title="first excitatory neuron of link 0: the stimulus fires it, its link inhibits it",
                   xlabel="hardware time [us]", ylabel="membrane [mV]")
    _plotting.biological_time_axis(axes[2, 0])
    _plotting.lsb_axis(axes[2, 0], "madc")
    _plotting.save(fig, path, dpi=80)


def main(path: Path | str | None = None, links: int = LINKS, runtime: float = RUNTIME) -> dict[str, Any]:
    """The chain with and without feed-forward inhibition, plotted to ``path`` (default
    ``synfire_chain.png`` in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "synfire_chain.png")
    results = run_chain(links, runtime)
    results["without_inhibition"] = run_chain(links, runtime, {**WEIGHTS, "inh_exc": 0})
    results["exc_times"] = link_times(results["exc"])
    results["inh_times"] = link_times(results["inh"])
    plot(results, path)
    counts = [sum(len(s) for s in trains) for trains in results["exc"]]
    print(f"excitatory spikes per link {counts}; mean spike time per link [us] "
          f"{np.round(results['exc_times'] * 1e3, 1).tolist()}; plot: {path}")
    return results


if __name__ == "__main__":
    main()
