"""Calibration by hand and by calix (fp_calibration, pb2/examples/calibhxneuron.py) on the
emulated chip, in hardware time.

- ``iterative``: leak-over-threshold HXNeurons fire at rates spread by the circuits' mismatch;
  each round scales every neuron's leak conductance by the target rate over its rate (set,
  run, count, reset): the spread narrows.
- ``calibrated``: the automated alternative, ``CalibHXNeuronCuba``: calix calibrates each
  circuit to the population's parameters when the network is mapped (cached on disk), so the
  same parameters give the same behaviour. After ``run(None, RunCommand.PREPARE)``
  ``actual_hwparams`` can be edited in place: neurons 0 and 2 get their leak potential far above
  the threshold and fire; the others rest silently at ``v_rest``.

``main()`` saves ``rate_calibration.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from pynn_frontend import RunCommand
from _pynn_setup import LOT, figure
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

#: the calibrated neurons' targets (those of PyNN's IF_curr_exp defaults: v_rest -65 mV is 120
#: CADC LSB, tau_m 20 ms biological is 20 us)
TARGETS = dict(v_rest=120, v_reset=120, v_thresh=180, tau_m=20, tau_syn_E=5, tau_syn_I=5, tau_refrac=0.1)


def iterative(n: int = 16, rounds: int = 4, runtime: float = 0.1) -> dict[str, Any]:
    """The rates [kHz] of ``n`` neurons after each round of the multiplicative update."""
    pynn.setup()
    pop = pynn.Population(n, pynn.cells.HXNeuron(**{**LOT, "refractory_period_refractory_time": 20}))
    pop.record("spikes")
    bias = np.full(n, 150.0)
    history, target = [], None
    for _ in range(rounds):
        pop.set(leak_i_bias=bias)
        pynn.run(runtime)
        rates = np.array([len(s) for s in pop.get_data(clear=True).segments[0].spiketrains]) / runtime
        pynn.reset()
        target = rates.mean() if target is None else target
        history.append(rates)
        bias = np.clip(bias * target / np.maximum(rates, 1.0), 0, 1022)
    pynn.end()
    return {"rates": history, "spreads": [float(r.std() / r.mean()) for r in history]}


def calibrated(cache: Any = None, runtime: float = 0.1) -> dict[str, Any]:
    """Four CalibHXNeuronCuba: their calibrated CapMem values, and their spike counts and rest
    [CADC LSB] with neurons 0 and 2 edited to a leak above the threshold."""
    pynn.setup(calibration_cache=cache)
    pop = pynn.Population(4, pynn.cells.CalibHXNeuronCuba(**TARGETS))
    pop.record(["spikes", "v"], device="cadc")
    pynn.run(None, RunCommand.PREPARE)              # calibrates (about 20 s, once: cached)
    leaks = [n.leak.v_leak for n in pop.calib_hwparams]
    pop.actual_hwparams[0].leak.v_leak = 1022
    pop[2:3].actual_hwparams[0].leak.v_leak = 1022
    pynn.run(runtime)
    segment = pop.get_data().segments[0]
    counts = [len(s) for s in segment.spiketrains]
    rest = [float(np.mean(s.magnitude[20:])) for s in segment.irregularlysampledsignals]
    pynn.end()
    return {"calibrated_v_leak": leaks, "counts": counts, "mean_v": rest}


def plot(results: dict[str, Any], path: Path) -> None:
    fig, axes = figure(1, 2, (12, 4.6))
    history = results["iterative"]["rates"]
    for i, rates in enumerate(history):
        axes[0, 0].hist(rates, bins=12, histtype="step", label=f"round {i + 1}")
    axes[0, 0].set(title="iterative calibration of the rates", xlabel="rate [kHz of hardware time]", ylabel="neurons")
    _plotting.biological_rate_axis(axes[0, 0], "x")
    axes[0, 0].legend(fontsize=8)
    cal = results["calibrated"]
    counts = np.asarray(cal["counts"])
    axes[0, 1].bar([0, 2], counts[[0, 2]], color="tab:red", label="edited to fire (leak_v_leak = 1022)")
    axes[0, 1].bar([1, 3], counts[[1, 3]], color="tab:blue", label="as calibrated")
    axes[0, 1].set(title="CalibHXNeuronCuba, neurons 0 and 2 edited to fire", xlabel="neuron", ylabel="spikes",
                   xticks=range(4))
    axes[0, 1].legend(fontsize=8)
    _plotting.save(fig, path, dpi=80)


def main(path: Path | str | None = None, cache: Any = None) -> dict[str, Any]:
    """Both rate calibrations, plotted to ``path`` (default ``rate_calibration.png`` in the plot
    folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "rate_calibration.png")
    results = {"iterative": iterative(), "calibrated": calibrated(cache)}
    plot(results, path)
    spreads = ", ".join(f"{s:.2f}" for s in results["iterative"]["spreads"])
    print(f"iterative: rate spread (s.d./mean) per round {spreads}; calibrated: leak_v_leak "
          f"{results['calibrated']['calibrated_v_leak']} for one target, spikes {results['calibrated']['counts']}; "
          f"plot: {path}")
    return results


if __name__ == "__main__":
    main()
