"""Additive STDP on the PPU: causally paired synapses grow, anti-causally paired ones shrink.

Every neuron of the top hemisphere is in bypass mode and fires once per event of a "teacher"
input (row 9, weight 63). Two more inputs reach every neuron through rows whose synapses do not
drive the neurons (inhibitory rows into excitatory bypass) but whose correlation sensors see
their events: input 0 (row 1) always spikes 2 us *before* the teacher, input 1 (row 0) 2 us
*after* it. Both start at weight 32.

The kernel is libnux's ``examples/stdp.cpp`` rule: at its first call it resets the sensors of
the two rows and stores their readings as baselines; at every later call, per synapse,
``c = baseline_causal - causal`` and ``a = baseline_acausal - acausal`` (a sensor's reading falls
as correlation accumulates), ``w += (c - a) * eta`` (Q0.7 product, saturating), clamped to
0..63, then the sensors are reset.

``main()`` prints the mean weight of the two rows after every period.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import libnux_vm
import stadls
from _neuron_setup import atomic, init_builder
from _plasticity_setup import TOP, route_inputs, send_spikes, set_weights

CAUSAL, ANTI_CAUSAL, TEACHER = 0, 1, 2     # inputs (rows 1, 0 and 9)
PERIOD_US = 100.0
PAIRS_PER_PERIOD = 4
PAIR_DELAY_US = 2.0
N_PERIODS = 8
ETA = 64                                   # learning rate in Q0.7: 0.5

KERNEL = f"""
int8 eta = {ETA};
vec_u8 baseline_causal[2];
vec_u8 baseline_acausal[2];
vec_u8 weight_log[{N_PERIODS}];            // row of input 0 after each period
vec_u8 weight_log_anti[{N_PERIODS}];       // row of input 1

int32 input_row(int32 i) {{ return 8 * (i / 2) + 1 - i % 2; }}

void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {{
    for (int32 i = 0; i < 2; i++) {{
        int32 row = input_row(i);
        if (period == 0) {{                  // baselines right after a reset
            reset_correlation(synapses, row);
            baseline_causal[i] = get_causal_correlation(synapses, row);
            baseline_acausal[i] = get_acausal_correlation(synapses, row);
            continue;
        }}
        vec_s8 c = (vec_s8) baseline_causal[i] - (vec_s8) get_causal_correlation(synapses, row);
        vec_s8 a = (vec_s8) baseline_acausal[i] - (vec_s8) get_acausal_correlation(synapses, row);
        reset_correlation(synapses, row);
        vec_s8 w = (vec_s8) get_weights(synapses, row) + (c - a) * eta;
        vec_u8 u = (vec_u8) w;                  // back to 0..255 (saturated below at 0)
        set_weights(synapses, row, select(u > 63, 63, u));
    }}
    if (period > 0) {{
        weight_log[period - 1] = get_weights(synapses, input_row(0));
        weight_log_anti[period - 1] = get_weights(synapses, input_row(1));
    }}
}}
"""


def _configure(builder: stadls.PlaybackProgramBuilder) -> None:
    route_inputs(builder, 3)
    RowMode = haldls.SynapseDriverConfig.RowMode
    builder.write(halco.SynapseDriverOnDLS(0), haldls.SynapseDriverConfig(
        enable_receiver=True, row_mode_top=RowMode.inhibitory, row_mode_bottom=RowMode.inhibitory))
    builder.write(halco.SynapseDriverOnDLS(4), haldls.SynapseDriverConfig(
        enable_receiver=True, row_mode_top=RowMode.excitatory))
    set_weights(builder, np.array([[32] * 256, [32] * 256, [63] * 256]))
    for c in range(256):
        n = atomic(c)
        builder.write(n.to_neuron_config_on_dls(), haldls.NeuronConfig(enable_bypass_excitatory=True))
        builder.write(n.to_neuron_backend_config_on_dls(), haldls.NeuronBackendConfig(
            address_out=c, enable_spike_out=True))
    for block in range(2):
        for cell, value in ((halco.CapMemCellOnCapMemBlock.syn_i_bias_store, 500),
                            (halco.CapMemCellOnCapMemBlock.syn_i_bias_ramp, 500)):
            builder.write(halco.CapMemCellOnDLS(cell, halco.CapMemBlockOnDLS(block)), haldls.CapMemCell(value=value))
    builder.write(halco.CADCConfigOnDLS.top, haldls.CADCConfig(enable=True))


def run(n_periods: int = N_PERIODS, eta: int = ETA, chip_id: int = 0, **connection) -> dict:
    """Weights of the causal and the anti-causal row after each period ([n_periods, 256])."""
    kernel = libnux_vm.compile(KERNEL, timers=[
        libnux_vm.Timer.from_us(PERIOD_US / 2, PERIOD_US, n_periods + 1)])
    builder = init_builder()
    _configure(builder)
    stadls.load_ppu_program(builder, kernel, TOP)
    stadls.write_symbol(builder, kernel, "eta", eta, TOP)
    stadls.start_ppu(builder, TOP)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    # pairs in every period after the first kernel call (which takes the baselines)
    times, labels = [], []
    for k in range(n_periods * PAIRS_PER_PERIOD):
        t = PERIOD_US * (1 + k // PAIRS_PER_PERIOD) + (k % PAIRS_PER_PERIOD + 0.5) * PERIOD_US / PAIRS_PER_PERIOD
        times += [t - PAIR_DELAY_US, t, t + PAIR_DELAY_US]
        labels += [CAUSAL, TEACHER, ANTI_CAUSAL]
    send_spikes(builder, np.round(np.array(times) * 125).astype(int), np.array(labels))
    builder.wait_until(int(PERIOD_US * (n_periods + 1) * 125))
    stadls.wait_for_ppu_sleep(builder, TOP)
    causal = stadls.read_symbol(builder, kernel, "weight_log", TOP)
    anti = stadls.read_symbol(builder, kernel, "weight_log_anti", TOP)
    status = stadls.read_runtime_status(builder, kernel, TOP)
    playback = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, playback)
    status.get().raise_for_trap()
    return {"causal": causal.get()[:n_periods].astype(int), "anti_causal": anti.get()[:n_periods].astype(int),
            "post_spikes": len(playback.spikes), "status": status.get()}


def main() -> dict:
    result = run()
    print(f"additive STDP on the PPU ({result['status'].calls} kernel calls, "
          f"{result['post_spikes']} post spikes of 256 neurons)")
    print("period  mean weight causal row  anti-causal row")
    for k, (c, a) in enumerate(zip(result["causal"], result["anti_causal"])):
        print(f"{k + 1:6d}  {c.mean():22.1f}  {a.mean():15.1f}")
    return result


if __name__ == "__main__":
    main()
