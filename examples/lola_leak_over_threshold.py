"""Leak over threshold written with ``lola.AtomicNeuron``, as in seed 001, Figure 7.

The leak parameters are exactly those of the figure (``v_leak = 650``, ``i_bias = 420``, leak
division on: a slow membrane); threshold, reset, refractory period and event routing make it fire.
One AtomicNeuron value is written to eight circuits; their rates differ by fixed-pattern noise.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import lola
import stadls
from _neuron_setup import atomic, init_builder

RUNTIME_US = 1000.0


def figure7_neuron() -> lola.AtomicNeuron:
    neuron = lola.AtomicNeuron()
    neuron.leak.v_leak = 650
    neuron.leak.i_bias = 420
    neuron.leak.enable_division = True
    neuron.threshold.enable = True
    neuron.threshold.v_threshold = 150
    neuron.reset.v_reset = 300
    neuron.reset.i_bias = 1022
    neuron.reset.enable_multiplication = True
    neuron.membrane_capacitance.capacitance = 63
    neuron.refractory_period.refractory_time = 100
    neuron.event_routing.analog_output = lola.AtomicNeuron.EventRouting.AnalogOutputMode.normal
    neuron.event_routing.enable_digital = True
    return neuron


def run(columns: list[int], chip_id: int = 0) -> dict:
    """Rates [kHz] of the Figure-7 neuron in the given columns (top row)."""
    builder = init_builder()
    neurons = [atomic(c) for c in columns]
    for coord in neurons:
        neuron = figure7_neuron()
        neuron.event_routing.address = coord.x.value()
        builder.write(coord, neuron)
    readback = builder.read(neurons[0])
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(int(RUNTIME_US * 125))
    program = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id) as conn:
        stadls.run(conn, program)
    spikes = program.spikes[program.spikes["fpga_time"] > 0]
    rates = []
    for coord in neurons:
        t = spikes["fpga_time"][(spikes["label"] & 0xFF) == coord.x.value()] / 125.0
        rates.append(1e3 / np.mean(np.diff(t)) if len(t) > 2 else 0.0)
    return {"rates_khz": np.array(rates), "readback": readback.get()}


def main() -> None:
    result = run(list(range(8)))
    print("Figure-7 neuron (v_leak=650, i_bias=420, division) written as lola.AtomicNeuron to 8 circuits:")
    print("  rates [kHz]: " + ", ".join(f"{r:.1f}" for r in result["rates_khz"]))
    print(f"  read back from circuit 0 equals what was written: {result['readback'] == _expected(0)}")


def _expected(column: int) -> lola.AtomicNeuron:
    neuron = figure7_neuron()
    neuron.event_routing.address = column
    return neuron


if __name__ == "__main__":
    main()
