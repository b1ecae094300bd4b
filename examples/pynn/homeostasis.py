"""Homeostatic plasticity (ts_11-plasticity_homeostasis) on the emulated chip, in hardware time:
a rule on the PPUs drives every neuron's firing rate to a target by changing its input weight.

One on-chip Poisson source (``SpikeSourcePoissonOnChip``, 600 kHz of hardware time) drives
16 leaky integrate-and-fire neurons (``HXNeuron(plasticity_rule=rule)``, DAC values) through
an all-to-all ``PlasticSynapse(weight=0, plasticity_rule=rule)``. Every period (50 us of
hardware time, 50 ms of biological time) the kernel reads and resets each neuron's spike
counter and moves the neuron's weight by ``STEP`` towards the target:
``w += STEP * sign(target - count)``, kept in 0..63, as the tutorial's rule. The neurons start
silent (weight 0) and differ (each circuit's mismatch), so each finds its own weight. The
weights and the counts of every period are the rule's observables.

``main()`` saves ``homeostasis.png`` (counts and weights over time) and prints the rates of the
first and the last periods.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from _pynn_setup import figure
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

N_NEURONS = 16
#: the input [hardware Hz]
INPUT_RATE = 6e5
#: the rule's period and its calls [hardware ms]
PERIOD = 0.05
START = 0.05
N_PERIODS = 19
RUNTIME = START + N_PERIODS * PERIOD
#: spikes per period the rule aims at (4 in 50 us: 80 kHz hardware, 80 Hz biological)
TARGET = 4
#: the weight change per period
STEP = 3
#: a neuron that integrates its input and fires (DAC values, no calibration): the leak below
#: the threshold, so that it is silent without input
NEURON = dict(leak_v_leak=650, leak_i_bias=300, threshold_v_threshold=300, threshold_enable=True,
              reset_v_reset=400, reset_i_bias=1022, reset_enable_multiplication=True,
              membrane_capacitance_capacitance=63, refractory_period_refractory_time=40,
              excitatory_input_enable=True, excitatory_input_i_bias_tau=400, excitatory_input_i_bias_gm=1000)

KERNEL = """
uint8 target = {target};          // spikes per period
uint8 step = {step};              // weight change per period

void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {{
    vec_u8 counts = get_rate_counters(neurons, true);   // spikes since the last call, then reset
    vec_u8 too_few = counts < target;
    vec_u8 too_many = counts > target;
    for (int32 i = 0; view_row(synapses, i) >= 0; i++) {{
        int32 row = view_row(synapses, i);
        vec_u8 w = get_weights(synapses, row);
        vec_u8 up = select(w < 63 - step, w + step, 63);
        vec_u8 down = select(w > step, w - step, 0);
        w = select(too_few, up, select(too_many, down, w));
        set_weights(synapses, row, w);
        record_w(synapses, row, w);
    }}
    record_counts(neurons, counts);
}}
"""


class Homeostasis(pynn.PlasticityRule):
    """The tutorial's rule: the kernel is generated with the target (spikes per period)."""

    def __init__(self, timer: pynn.Timer, target: int, step: int = STEP) -> None:
        packed = pynn.PlasticityRule.ObservablePerSynapse.LayoutPerRow.packed_active_columns
        observables = {
            "w": pynn.PlasticityRule.ObservablePerSynapse(pynn.PlasticityRule.ObservablePerSynapse.Type.uint8, packed),
            "counts": pynn.PlasticityRule.ObservablePerNeuron(
                pynn.PlasticityRule.ObservablePerNeuron.Type.uint8,
                pynn.PlasticityRule.ObservablePerNeuron.Layout.packed_active_columns)}
        super().__init__(timer, observables)
        if not 0 <= target < 256:
            raise ValueError(f"target is a number of spikes per period in [0, 256), not {target!r}")
        self.target, self.step = int(target), int(step)

    def generate_kernel(self) -> str:
        return KERNEL.format(target=self.target, step=self.step)


def run(target: int = TARGET, n_neurons: int = N_NEURONS, n_periods: int = N_PERIODS,
        seed: int = 1234) -> dict[str, Any]:
    """Counts [periods, neurons] and weights [periods, neurons] after each call of the rule,
    the calls' times [hardware ms] and the recorded spike trains."""
    pynn.setup()
    rule = Homeostasis(pynn.Timer(start=START, period=PERIOD, num_periods=n_periods), target)
    source = pynn.Population(1, pynn.cells.SpikeSourcePoissonOnChip(rate=INPUT_RATE, seed=seed))
    neurons = pynn.Population(n_neurons, pynn.cells.HXNeuron(plasticity_rule=rule, **NEURON))
    neurons.record("spikes")
    projection = pynn.Projection(source, neurons, pynn.AllToAllConnector(),
                                 pynn.PlasticSynapse(weight=0, plasticity_rule=rule))
    pynn.run(START + n_periods * PERIOD)
    weights = projection.get_data("w")[0]              # the first (only) snippet
    counts = neurons.get_plasticity_data("counts")[0]
    trains = [np.asarray(t.magnitude) for t in neurons.get_data("spikes").segments[0].spiketrains]
    initial = projection.get("weight", format="array")
    pynn.end()
    return {"times": np.array([e.time.value() / 125 / 1000 for e in counts]),       # FPGA cycles -> ms
            "periods": np.array([e.period for e in counts]),
            "counts": np.array([e.data for e in counts], dtype=int),
            "weights": np.array([e.data for e in weights], dtype=int),
            "trains": trains, "target": target, "initial_weights": initial}


def binned_rates(trains: list[np.ndarray], runtime: float = RUNTIME,
                 width: float = PERIOD) -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's firing rates: spikes counted in bins of ``width`` [hardware ms]; (bin
    starts [ms], rates [kHz of hardware time, neurons x bins])."""
    edges = np.arange(0.0, runtime + width / 2, width)
    counts = np.array([np.histogram(t, bins=edges)[0] for t in trains])
    return edges[:-1], counts / width


def plot(results: dict[str, Any], path: Path) -> None:
    """Rates [kHz of hardware time, biological Hz on the right] against the target (spikes per
    period as the same rate) and weights, over hardware time [us, biological ms on top]."""
    fig, axes = figure(1, 2, (12, 4.6))
    us = results["times"] * 1e3                        # hardware ms -> us
    ax = axes[0, 0]
    starts, rates = binned_rates(results["trains"])
    ax.step(starts * 1e3, rates.T, where="post", color="gray", alpha=0.4, lw=0.8)
    ax.plot([], [], color="gray", alpha=0.4, lw=0.8, label="one neuron")
    ax.step(starts * 1e3, rates.mean(axis=0), where="post", color="k", lw=2, label="mean")
    ax.axhline(results["target"] / PERIOD, color="tab:blue",
               label=f"target: {results['target']} spikes per {PERIOD * 1e3:g} us = {results['target'] / PERIOD:g} kHz")
    ax.set(title="firing rate per period", xlabel="hardware time [us]", ylabel="rate [kHz of hardware time]")
    _plotting.biological_time_axis(ax)
    _plotting.biological_rate_axis(ax, "y")
    ax.legend(fontsize=7)
    ax = axes[0, 1]
    ax.plot(us, results["weights"], color="gray", alpha=0.5, lw=0.8)
    ax.plot([], [], color="gray", alpha=0.5, lw=0.8, label="one synapse")
    ax.set(title="weight set by the rule", xlabel="hardware time [us]", ylabel="weight [LSB]")
    _plotting.biological_time_axis(ax)
    ax.legend(fontsize=7)
    _plotting.save(fig, path, dpi=80)


def main(path: Path | str | None = None) -> dict[str, Any]:
    """The tutorial's homeostasis network, plotted to ``path`` (default ``homeostasis.png`` in
    the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "homeostasis.png")
    results = run()
    plot(results, path)
    _, rates = binned_rates(results["trains"])
    spikes = rates * PERIOD                            # spikes per period, per neuron and bin
    last = spikes[:, -5:].mean(axis=1)
    print(f"homeostasis on the PPU: spikes per {PERIOD * 1e3:g} us period (target {results['target']}): "
          f"{spikes[:, 1].mean():.1f} in the second period, {last.mean():.1f} in the last five (neurons "
          f"{last.min():.1f}..{last.max():.1f}); weights {results['weights'][-1].min()}.."
          f"{results['weights'][-1].max()}; plot: {path}")
    return results


if __name__ == "__main__":
    main()
