"""PyNN's STDPMechanism on the chip, in biological time: causal pairs potentiate, acausal ones
depress.

A "teacher" spike source makes four IF_curr_exp neurons fire every 40 ms (a strong static
synapse; they fire about 6 ms after its spike, :data:`LATENCY`). Two more sources reach the
neurons through an STDP projection (additive SpikePairRule, tau 20 ms): source 0 fires 5 ms
*before* each of these post spikes, source 1 5 ms *after* them. The chip's correlation sensors see the pairs, the PPU's kernel turns them into
weight changes (pynn_frontend.stdp), and ``projection.get('weight', ...)`` reads the learned
weights back after each run. Run in steps, the weights' course is plotted.

``main()`` prints the mean weights after each step and saves ``stdp.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend.biological as sim
from _pynn_setup import figure
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

N_POST = 4
PERIOD, LEAD = 40.0, 5.0                        # ms: teacher interval, pre/post distance
LATENCY = 6.0                                   # ms from the teacher's spike to the post spikes
STEPS, STEP = 4, 400.0                          # runs of 400 ms (10 pairings each)
W0, W_MAX, A = 0.2, 0.4, 0.1                    # nA, nA, learning rate


def run(cache: Any = None, steps: int = STEPS) -> dict[str, Any]:
    sim.setup(calibration_cache=cache)
    teach = np.arange(PERIOD / 2, steps * STEP, PERIOD)
    teacher = sim.Population(1, sim.SpikeSourceArray(spike_times=teach), label="teacher")
    post_spikes = teach + LATENCY
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[post_spikes - LEAD, post_spikes + LEAD]), label="pre")
    post = sim.Population(N_POST, sim.IF_curr_exp(), label="post")
    sim.Projection(teacher, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=10.0))
    stdp = sim.STDPMechanism(sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=A, A_minus=A),
                             sim.AdditiveWeightDependence(w_min=0.0, w_max=W_MAX), weight=W0)
    projection = sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label="stdp")
    weights = [projection.get("weight", format="array")]
    for _ in range(steps):
        sim.run(STEP)
        weights.append(projection.get("weight", format="array"))
    sim.end()
    return {"times": np.arange(steps + 1) * STEP, "weights": np.array(weights)}


def main(path: Path | str | None = None, cache: Any = None, steps: int = STEPS) -> dict[str, Any]:
    """Run the pairing in ``steps`` runs and plot the weights to ``path`` (default ``stdp.png`` in
    the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "stdp.png")
    result = run(cache, steps)
    times, weights = result["times"], result["weights"]
    fig, axes = figure(1, 1, (7, 4.4))
    ax = axes[0, 0]
    for row, (name, color) in enumerate(((f"pre {LEAD:g} ms before post (causal)", "tab:red"),
                                         (f"pre {LEAD:g} ms after post (acausal)", "tab:blue"))):
        ax.plot(times, weights[:, row, :], color=color, lw=0.8, alpha=0.5)
        ax.plot(times, weights[:, row, :].mean(axis=1), "o-", color=color, label=name)
    ax.axhline(W_MAX, color="k", ls=":", lw=0.8, label="w_max")
    ax.set(title="additive STDP on the chip's correlation sensors", xlabel="biological time [ms]",
           ylabel="weight [nA]", ylim=(-0.05, W_MAX + 0.1))
    _plotting.hardware_time_axis(ax)
    ax.legend(fontsize=8)
    _plotting.save(fig, path, dpi=80)
    means = weights.mean(axis=2)
    print("mean weight [nA] after each run: causal " + " ".join(f"{m:.2f}" for m in means[:, 0])
          + ", acausal " + " ".join(f"{m:.2f}" for m in means[:, 1]) + f"; plot: {path}")
    return result


if __name__ == "__main__":
    main()
