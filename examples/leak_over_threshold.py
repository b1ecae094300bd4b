"""Leak over threshold: a neuron whose leak potential lies above its threshold fires regularly.

The membrane charges towards the leak potential, is reset when it crosses the threshold, is held
at the reset potential during the refractory period, and charges again: a sawtooth and a regular
spike train. The parameters are those of the real single-neuron tutorial (``leak_v_leak=1000``,
``leak_i_bias=150``, ``threshold_v_threshold=300``, ``reset_v_reset=400``, capacitance 63,
refractory time 255 ticks of the 7.8 MHz backend clock, strong reset).

Several neurons run at once, each with its own leak potential or refractory time; their rates come
from the spikes recorded by the FPGA and, independently, from the neurons' spike counters.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls
from _neuron_setup import atomic, init_builder, write_capmem

RUNTIME_US = 400.0


def configure(builder, neuron: halco.AtomicNeuronOnDLS, v_leak: int, refractory_time: int) -> None:
    write_capmem(builder, neuron, v_leak=v_leak, i_bias_leak=150, v_threshold=300, v_reset=400,
                 i_bias_reset=1022)
    builder.write(neuron.to_neuron_config_on_dls(), haldls.NeuronConfig(
        membrane_capacitor_size=63, enable_threshold_comparator=True, enable_fire=True,
        enable_reset_multiplication=True))
    builder.write(neuron.to_neuron_backend_config_on_dls(), haldls.NeuronBackendConfig(
        address_out=neuron.x.value() % 256, refractory_time=refractory_time, enable_spike_out=True))


def run(v_leak: list[int], refractory_time: list[int], chip_id: int = 0) -> dict:
    """One neuron per (v_leak, refractory_time) pair, in columns 0, 1, ...; returns rates [kHz]."""
    if len(v_leak) != len(refractory_time):
        raise ValueError("v_leak and refractory_time need one entry per neuron")
    neurons = [atomic(i) for i in range(len(v_leak))]
    builder = init_builder()
    for neuron, vl, tr in zip(neurons, v_leak, refractory_time):
        configure(builder, neuron, vl, tr)
        builder.write(neuron.to_spike_counter_reset_on_dls(), haldls.SpikeCounterReset())
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(int(RUNTIME_US * 125))
    counters = [builder.read(n.to_spike_counter_read_on_dls()) for n in neurons]
    program = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id) as connection:
        stadls.run(connection, program)
    spikes = program.spikes
    in_window = (spikes["fpga_time"] > 0) & (spikes["fpga_time"] <= RUNTIME_US * 125)
    addresses = spikes["label"][in_window] & 0xFF
    times = [spikes["fpga_time"][in_window][addresses == n.x.value()] / 125.0 for n in neurons]
    # rate from the mean inter-spike interval: finer than counting spikes in the window
    rates = np.array([1e3 / np.mean(np.diff(t)) if len(t) > 2 else 0.0 for t in times])
    counted = np.array([t.get().count for t in counters])
    return {"rates_khz": rates, "spike_times_us": times, "counter": counted,
            "recorded": np.array([len(t) for t in times])}


def main() -> None:
    v_leak = [700, 800, 900, 1000, 1000, 1000]
    refractory = [255, 255, 255, 255, 128, 32]
    result = run(v_leak, refractory)
    print(f"leak over threshold, {RUNTIME_US:.0f} us of hardware time:")
    for vl, tr, rate, n, counted in zip(v_leak, refractory, result["rates_khz"], result["recorded"],
                                         result["counter"]):
        print(f"  v_leak={vl:4d} refractory_time={tr:3d}: {rate:6.1f} kHz "
              f"({n} spikes recorded, spike counter {counted})")


if __name__ == "__main__":
    main()
