"""Short-term plasticity in the synapse drivers: successive events of a train get weaker
(depression) or, in the renewing mode, stronger (facilitation).

Six input spikes 4 us apart reach one synapse through a driver with STP enabled. The MADC records
the neuron's excitatory synaptic input (readout source ``exc_synin``, a voltage that drops with
the input current); the size of each step is that event's effective strength.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls
from stadls import enable_madc_recording, madc_trace
from _neuron_setup import atomic, configure_neuron, init_builder, madc_samples, route_input, spike

COLUMN = 40
NEURON = atomic(COLUMN)
TIMES_US = [100.0 + 4.0 * k for k in range(6)]


def step_heights(facilitating: bool = False, stp: bool = True, chip_id: int = 0, **connection) -> np.ndarray:
    """Step of the synaptic input readout [MADC LSB] at each input spike."""
    builder = init_builder()
    builder.write(halco.CommonSTPConfigOnDLS.top, haldls.CommonSTPConfig(
        recovery_clock_speed=1, enable_recovery_clock=True))
    driver = haldls.SynapseDriverConfig(enable_stp=stp, enable_renewing=facilitating, enable_recovery=True,
                                        utilization=4 if facilitating else 8, recovery=15)
    label = route_input(builder, COLUMN, 40, driver=driver)
    configure_neuron(builder, NEURON, dict(v_leak=400, i_bias_leak=300, i_bias_synin_exc_tau=400,
                                           i_bias_synin_exc_gm=900),
                     dict(membrane_capacitor_size=63, enable_synaptic_input_excitatory=True,
                          enable_synaptic_input_excitatory_small_capacitance=True, enable_readout=True,
                          readout_source=haldls.NeuronConfig.ReadoutSource.exc_synin))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    enable_madc_recording(builder, NEURON, number_of_samples=madc_samples(160))
    for t in TIMES_US:
        spike(builder, t, label)
    builder.wait_until(160 * 125)
    program = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, program)
    t, v = madc_trace(program)
    heights = []
    for t0 in TIMES_US:
        before = v[(t > t0 - 0.5) & (t <= t0)].mean()
        after = v[(t > t0) & (t < t0 + 0.6)].min()
        heights.append(before - after)
    return np.array(heights)


def main() -> None:
    for name, kwargs in (("static", dict(stp=False)), ("depressing", {}), ("facilitating", dict(facilitating=True))):
        h = step_heights(**kwargs)
        print(f"{name:12s}: event strengths {np.round(h, 1).tolist()} MADC LSB")


if __name__ == "__main__":
    main()
