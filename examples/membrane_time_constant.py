"""Membrane time constant: the membrane relaxes to its leak potential with tau = C / g_leak.

The leak potential is switched from high to low while the MADC records the membrane; an
exponential fit to the decay gives tau. A larger leak bias means a larger leak conductance and a
shorter time constant; leak division (conductance / 8) makes it eight times longer.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls
from stadls import enable_madc_recording, madc_trace
from _neuron_setup import atomic, configure_neuron, init_builder, madc_samples, write_capmem

NEURON = atomic(7)


def measure_tau(i_bias_leak: int, division: bool = False, chip_id: int = 0, **connection) -> float:
    """Fitted membrane time constant [us] for a leak bias."""
    builder = init_builder()
    configure_neuron(builder, NEURON, dict(v_leak=900, i_bias_leak=i_bias_leak),
                     dict(membrane_capacitor_size=63, enable_leak_division=division, enable_readout=True))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 300)                      # settle at the high leak potential
    enable_madc_recording(builder, NEURON, number_of_samples=madc_samples(1000))   # to 1300 us
    builder.wait_until(125 * 310)
    write_capmem(builder, NEURON, v_leak=300)          # step down at t = 310 us
    builder.wait_until(125 * 1300)
    program = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, program)
    t, value = madc_trace(program)
    after = t >= 310.0
    t, value = t[after] - t[after][0], value[after]
    final = np.median(value[-500:])
    start = value[:5].mean()
    # fit log(v - v_inf) over the part well above the noise floor
    y = value - final
    use = y > 0.05 * (start - final)
    slope = np.polyfit(t[use], np.log(y[use]), 1)[0]
    return -1.0 / slope


def main() -> None:
    for bias, division in ((150, False), (300, False), (600, False), (300, True)):
        tau = measure_tau(bias, division)
        print(f"i_bias_leak={bias:4d}{' with division' if division else '':>14}: tau_mem = {tau:6.2f} us")


if __name__ == "__main__":
    main()
