"""PSP amplitude: grows with the (summed) synaptic weight and saturates; in conductance-based mode it
shrinks as the membrane approaches the reversal potential.

One input spike every 150 us; between spikes the weight (or the leak potential, for the
conductance-based case) is rewritten. The MADC records the membrane; each PSP's amplitude is the
maximum in the 30 us after its input minus the level just before it.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls
from stadls import enable_madc_recording, madc_trace
from _neuron_setup import (
    atomic, configure_neuron, init_builder, madc_samples, route_input, set_weight, spike,
    write_capmem,
)

COLUMN = 12
NEURON = atomic(COLUMN)
PERIOD_US = 150.0
START_US = 100.0  # the membrane first settles at its leak potential


def _neuron(builder, coba: bool) -> None:
    capmem = dict(v_leak=400, i_bias_leak=400, i_bias_synin_exc_tau=400, i_bias_synin_exc_gm=1000)
    if coba:
        # the reference at the leak of 400 (0.53 V): no modulation there; the modulation's
        # slope 3.5 / V puts the reversal potential 0.29 V above it, at 0.82 V
        capmem.update(e_synin_exc_rev=454, i_bias_synin_exc_coba=356)
    configure_neuron(builder, NEURON, capmem, dict(
        membrane_capacitor_size=63, enable_synaptic_input_excitatory=True,
        enable_synaptic_input_excitatory_small_capacitance=True,
        enable_synaptic_input_excitatory_coba_mode=coba, enable_readout=True))


def _amplitudes(program, n: int) -> np.ndarray:
    t, v = madc_trace(program)
    v = np.convolve(v, np.ones(29) / 29, mode="same")   # ~1 us running mean against the noise
    out = []
    for k in range(n):
        t0 = START_US + k * PERIOD_US
        before = v[(t > t0 - 5) & (t < t0)].mean()
        out.append(v[(t >= t0) & (t < t0 + 30)].max() - before)
    return np.array(out)


def psp_vs_weight(weights: list[int], chip_id: int = 0, **connection) -> np.ndarray:
    """PSP amplitude [MADC LSB] for each (summed) weight; above 63 several events add up."""
    builder = init_builder()
    label = route_input(builder, COLUMN, weights[0])
    _neuron(builder, coba=False)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    enable_madc_recording(builder, NEURON, number_of_samples=madc_samples(START_US + PERIOD_US * len(weights)))
    for k, w in enumerate(weights):
        # weights above 63 are split over several events in consecutive clock cycles, as the
        # real dynamic-range experiment sums synapses
        n_events = max(1, -(-w // 63))
        builder.wait_until(int((START_US - 15 + k * PERIOD_US) * 125))
        set_weight(builder, COLUMN, int(round(w / n_events)))
        builder.wait_until(int((START_US + k * PERIOD_US) * 125))
        for _ in range(n_events):
            builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([label]))
    builder.wait_until(int((START_US + PERIOD_US * len(weights)) * 125))
    program = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, program)
    return _amplitudes(program, len(weights))


def coba_psp_vs_leak(v_leaks: list[int], chip_id: int = 0, **connection) -> np.ndarray:
    """Conductance-based PSP amplitude [MADC LSB] at each leak potential (v_leak 400 is the
    reference, the reversal lies at about the potential of v_leak 735)."""
    builder = init_builder()
    label = route_input(builder, COLUMN, 40)
    _neuron(builder, coba=True)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    enable_madc_recording(builder, NEURON, number_of_samples=madc_samples(START_US + PERIOD_US * len(v_leaks)))
    for k, vl in enumerate(v_leaks):
        builder.wait_until(int((START_US - 100 + k * PERIOD_US) * 125))
        write_capmem(builder, NEURON, v_leak=vl)
        spike(builder, START_US + k * PERIOD_US, label)
    builder.wait_until(int((START_US + PERIOD_US * len(v_leaks)) * 125))
    program = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, program)
    return _amplitudes(program, len(v_leaks))


def main() -> None:
    weights = [0, 8, 16, 32, 63, 126, 252]
    amplitudes = psp_vs_weight(weights)
    print("current-based PSP amplitude by weight: " +
          ", ".join(f"w={w}: {a:.0f}" for w, a in zip(weights, amplitudes)) + " MADC LSB")
    leaks = [300, 400, 500, 600]
    coba = coba_psp_vs_leak(leaks)
    print("conductance-based PSP amplitude by leak potential (reference 400, reversal ~735): " +
          ", ".join(f"v_leak={vl}: {a:.0f}" for vl, a in zip(leaks, coba)) + " MADC LSB")


if __name__ == "__main__":
    main()
