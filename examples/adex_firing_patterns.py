"""AdEx firing patterns under a current step: tonic, adapting and bursting.

The same neuron circuit is configured three times. A constant current (the membrane offset
current) is switched on at 50 us and off at 450 us while the MADC records the membrane:

- tonic: exponential term on, adaptation off: regular spikes;
- adapting: spike-triggered adaptation (b) with a slow time constant: the intervals grow;
- bursting: a reset potential just below the exponential onset plus strong spike-triggered
  adaptation: groups of spikes separated by pauses.

``main()`` prints the inter-spike intervals and saves ``adex_firing_patterns.png``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import halco
import haldls
import stadls
import _plotting
from stadls import enable_madc_recording, madc_trace
from _neuron_setup import atomic, configure_neuron, init_builder, madc_samples

NEURON = atomic(16)
STEP_ON_US, STEP_OFF_US, END_US = 50.0, 450.0, 500.0

BASE = dict(v_leak=400, i_bias_leak=200, v_threshold=600, v_reset=350, i_bias_reset=1022,
            v_exp=500, i_bias_exp=200, i_mem_offset=900, v_adapt_leak=400,
            i_bias_adapt_tau=60, i_bias_adapt_a=0, i_bias_adapt_b=0)
PATTERNS = {
    "tonic": dict(capmem={}, adaptation=False),
    "adapting": dict(capmem=dict(i_bias_adapt_b=120), adaptation=True),
    "bursting": dict(capmem=dict(v_reset=760, i_bias_adapt_b=100, i_bias_adapt_tau=100), adaptation=True),
}


def run_pattern(name: str, chip_id: int = 0, **connection) -> dict:
    """Membrane trace and spike times [us] of one pattern."""
    pattern = PATTERNS[name]
    builder = init_builder()
    config = dict(membrane_capacitor_size=63, enable_threshold_comparator=True, enable_fire=True,
                  enable_reset_multiplication=True, enable_exponential=True,
                  enable_adaptation=pattern["adaptation"], enable_readout=True)
    backend = dict(address_out=NEURON.x.value(), refractory_time=4, reset_holdoff=0, enable_spike_out=True,
                   enable_adaptation_pulse=pattern["adaptation"])
    configure_neuron(builder, NEURON, {**BASE, **pattern["capmem"]}, config, backend)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    enable_madc_recording(builder, NEURON, number_of_samples=madc_samples(END_US))
    builder.wait_until(int(STEP_ON_US * 125))
    builder.write(NEURON.to_neuron_config_on_dls(), haldls.NeuronConfig(**config, enable_membrane_offset=True))
    builder.wait_until(int(STEP_OFF_US * 125))
    builder.write(NEURON.to_neuron_config_on_dls(), haldls.NeuronConfig(**config))
    builder.wait_until(int(END_US * 125))
    program = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, program)
    t, v = madc_trace(program)
    spikes = program.spikes
    mine = (spikes["label"] & 0xFF) == NEURON.x.value()
    return {"t_us": t, "madc": v, "spikes_us": spikes["fpga_time"][mine] / 125.0}


def plot(results: dict, path: Path) -> None:
    """Membranes [mV, MADC codes on the right] over hardware time [us] (biological ms on top),
    with the spikes and the current step."""
    plt = _plotting.pyplot()
    fig, axes = plt.subplots(len(results), 1, figsize=(8, 2.4 * len(results) + 0.4), sharex=True)
    for ax, (name, r) in zip(axes, results.items()):
        membrane_mv = stadls.units.madc_code_to_mv(r["madc"])
        ax.plot(r["t_us"], membrane_mv, lw=0.7, label="membrane (MADC)")
        ax.plot(r["spikes_us"], np.full(len(r["spikes_us"]), membrane_mv.max() + 15), "|", color="k",
                ms=8, label="spike (event output)")
        ax.axvspan(STEP_ON_US, STEP_OFF_US, color="0.9", zorder=-1, label="current step on")
        ax.set_ylabel("membrane [mV]")
        _plotting.lsb_axis(ax, "madc")
        ax.set_title(f"{name}: {len(r['spikes_us'])} spikes", fontsize=9)
    axes[0].legend(loc="lower right", fontsize=7, framealpha=0.9)
    _plotting.biological_time_axis(axes[0])
    axes[-1].set_xlabel("hardware time [us]")
    _plotting.save(fig, path)


def main(path: Path | None = None) -> dict:
    """Run the three patterns, print their intervals and plot them to ``path`` (default
    ``adex_firing_patterns.png`` in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "adex_firing_patterns.png")
    results = {name: run_pattern(name) for name in PATTERNS}
    for name, r in results.items():
        isi = np.diff(r["spikes_us"])
        print(f"{name:9s}: {len(r['spikes_us']):3d} spikes, ISI [us] {np.round(isi[:12], 1).tolist()}")
    plot(results, path)
    print(f"MADC traces saved to {path}")
    return results


if __name__ == "__main__":
    main()
