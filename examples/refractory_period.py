"""Refractory period: set by the backend's counter (``refractory_time`` ticks) and the clock it
counts (``CommonNeuronBackendConfig.clock_scale_slow/fast``: 250 MHz / 2**(scale+1)).

A neuron with its leak potential far above the threshold and a fast leak fires again almost as
soon as its refractory period is over, so its inter-spike interval is the refractory period plus
a short charging time. Doubling the counter or halving the clock doubles the period.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls
from _neuron_setup import atomic, configure_neuron, init_builder

NEURON = atomic(50)


def isi(refractory_time: int, clock_scale: int, fast_clock: bool = False, chip_id: int = 0, **connection) -> float:
    """Mean inter-spike interval [us]."""
    builder = init_builder(clock_scale_slow=clock_scale)
    if fast_clock:
        builder.write(halco.CommonNeuronBackendConfigOnDLS(0),
                      haldls.CommonNeuronBackendConfig(clock_scale_fast=clock_scale, clock_scale_slow=0))
    configure_neuron(builder, NEURON, dict(v_leak=1022, i_bias_leak=1000, v_threshold=100, v_reset=200,
                                           i_bias_reset=1022),
                     dict(membrane_capacitor_size=20, enable_threshold_comparator=True, enable_fire=True,
                          enable_reset_multiplication=True, enable_leak_multiplication=True),
                     dict(address_out=NEURON.x.value(), refractory_time=refractory_time, reset_holdoff=0,
                          select_input_clock=int(fast_clock), enable_spike_out=True))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 400)
    program = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, program)
    times = program.spikes["fpga_time"][(program.spikes["label"] & 0xFF) == NEURON.x.value()] / 125.0
    return float(np.mean(np.diff(times[2:])))


def expected_us(refractory_time: int, clock_scale: int) -> float:
    return refractory_time / (250e6 / 2 ** (clock_scale + 1)) * 1e6


def main() -> None:
    for tr, scale in ((50, 3), (100, 3), (100, 4), (200, 4)):
        print(f"refractory_time={tr:3d}, clock scale {scale}: ISI {isi(tr, scale):6.2f} us "
              f"(refractory period {expected_us(tr, scale):6.2f} us)")
    print(f"fast clock, scale 2, refractory_time=100: ISI {isi(100, 2, fast_clock=True):6.2f} us "
          f"(refractory period {expected_us(100, 2):6.2f} us)")


if __name__ == "__main__":
    main()
