"""The numba-compiled time evolution of the analog core together with digital event routing.

One call of :func:`evolve` advances the whole chip from ``t_start`` to ``t_end`` (FPGA cycles,
floats) with a fixed integration step. Within each step it

1. routes the events that enter the crossbar in the step (FPGA spikes, background sources) through
   the crossbar nodes onto PADI buses (one event per bus per clock; excess events wait in a FIFO,
   and are dropped and counted when it is full) and onto the L2 outputs (recorded for the FPGA);
2. delivers the bus events due in the step to the synapse drivers (row-select compare under mask),
   their two rows (row modes), and every synapse whose 6-bit label matches: the weight charges the
   neuron's excitatory or inhibitory input, or, in bypass mode, fires the neuron directly;
3. integrates all 512 membranes over the step (exact exponential update of the linear part) and
   emits spikes, which enter the crossbar through the neuron event outputs at the step's end.

Parameters and state are arrays over all circuits (rows indexed by the constants below), so the
kernel never allocates per step. Output buffers grow by doubling when full, so nothing is lost.
"""

from __future__ import annotations

import numba
import numpy as np

CYCLE_S = 8e-9  # one FPGA clock cycle (125 MHz)

# -- neuron parameter rows (float) ------------------------------------------------------------------
P_C_MEM = 0          # membrane capacitance [F]
P_G_LEAK = 1         # leak conductance [S]
P_V_LEAK = 2         # leak potential [V]
P_V_RESET = 3        # reset potential [V]
P_V_THRESHOLD = 4    # threshold [V]
P_G_RESET = 5        # reset conductance [S]
P_TAU_EXC = 6        # excitatory synaptic time constant [s]
P_TAU_INH = 7        # inhibitory synaptic time constant [s]
P_AMP_EXC = 8        # excitatory current per weight LSB [A]
P_AMP_INH = 9        # inhibitory current per weight LSB [A]
P_T_REFRACTORY = 10  # refractory period [cycles]
P_T_RESET = 11       # reset duration (refractory minus hold-off) [cycles]
P_I_OFFSET = 12      # constant current onto the membrane [A], signed
N_PARAMS = 13

# -- neuron flag rows (int) -------------------------------------------------------------------------
F_FIRE = 0           # threshold comparator and fire signal enabled
F_SPIKE_OUT = 1      # spikes leave through the event output
F_BYPASS_EXC = 2
F_BYPASS_INH = 3
F_SYNIN_EXC = 4      # excitatory synaptic input enabled
F_SYNIN_INH = 5
F_LABEL = 6          # 14-bit label sent with a spike: (event output << 8) | address_out
F_EVENT_OUTPUT = 7   # crossbar input of the neuron's event output (column // 32)
N_FLAGS = 8

# -- neuron state rows (float) ----------------------------------------------------------------------
S_V = 0              # membrane potential [V]
S_I_EXC = 1          # excitatory synaptic current [A]
S_I_INH = 2          # inhibitory synaptic current [A]
S_RESET_UNTIL = 3    # absolute cycle until which the reset holds the membrane
S_REFRACTORY_UNTIL = 4  # absolute cycle until which no new spike can be fired
N_STATE = 5

# -- per-step decay factors for a full integration step (float), see decay_factors() ---------------
D_LEAK = 0
D_RESET = 1
D_EXC = 2
D_INH = 3
N_DECAY = 4

V_RAIL_LOW = 0.0
V_RAIL_HIGH = 1.2

# routing timing (cycles)
LATENCY_TO_BUS = 4       # crossbar input -> synapse driver
LATENCY_TO_L2 = 6        # crossbar input -> FPGA
FIFO_CYCLES = 64         # how long an event may wait for its bus before it is dropped

# counter rows (int64 array ``counters``)
C_DROPPED_TOTAL = 0      # every dropped event, whatever the drop-counter enables say
C_ROUTED = 1
N_COUNTERS = 2


def decay_factors(P: np.ndarray, dt_cycles: float) -> np.ndarray:
    """exp(-dt/tau) of membrane (leak and reset) and synaptic inputs for one full step."""
    h = dt_cycles * CYCLE_S
    D = np.empty((N_DECAY, P.shape[1]))
    D[D_LEAK] = np.exp(-h * P[P_G_LEAK] / P[P_C_MEM])
    D[D_RESET] = np.exp(-h * P[P_G_RESET] / P[P_C_MEM])
    D[D_EXC] = np.exp(-h / P[P_TAU_EXC])
    D[D_INH] = np.exp(-h / P[P_TAU_INH])
    return D


@numba.njit(cache=True)
def _grow2(buf, n):
    if n < buf.shape[0]:
        return buf
    new = np.empty((buf.shape[0] * 2, buf.shape[1]), dtype=buf.dtype)
    new[:n] = buf[:n]
    return new


@numba.njit(cache=True)
def _xorshift(x):
    x ^= (x << np.uint32(13)) & np.uint32(0xFFFFFFFF)
    x ^= x >> np.uint32(17)
    x ^= (x << np.uint32(5)) & np.uint32(0xFFFFFFFF)
    return x & np.uint32(0xFFFFFFFF)


@numba.njit(cache=True)
def _route(time, label, inp, xbar_valid, xbar_mask, xbar_target, xbar_drop_en, out_count_en,
           bus_enable, bus_free, l2_free, drop_counter, out_counter, counters,
           pending, n_pending, record, records, n_records):
    """One event (14-bit label) entering crossbar input ``inp`` at cycle ``time``."""
    for o in range(12):
        if not xbar_valid[inp, o]:
            continue
        if (label & xbar_mask[inp, o]) != xbar_target[inp, o]:
            continue
        if o < 8:
            if not bus_enable[o]:
                continue
            arrival = time + LATENCY_TO_BUS
            deliver = max(arrival, bus_free[o])
            if deliver - arrival > FIFO_CYCLES:
                counters[C_DROPPED_TOTAL] += 1
                if xbar_drop_en[inp, o]:
                    drop_counter[inp] = min(drop_counter[inp] + 1, 0xFFFF)
                continue
            bus_free[o] = deliver + 1
            pending = _grow2(pending, n_pending[0])
            pending[n_pending[0], 0] = deliver
            pending[n_pending[0], 1] = o
            pending[n_pending[0], 2] = label
            n_pending[0] += 1
        else:
            link = o - 8
            arrival = time + LATENCY_TO_L2
            deliver = max(arrival, l2_free[link])
            if deliver - arrival > FIFO_CYCLES:
                counters[C_DROPPED_TOTAL] += 1
                if xbar_drop_en[inp, o]:
                    drop_counter[inp] = min(drop_counter[inp] + 1, 0xFFFF)
                continue
            l2_free[link] = deliver + 1
            if record:
                records = _grow2(records, n_records[0])
                records[n_records[0], 0] = deliver
                records[n_records[0], 1] = (link << 14) | label
                n_records[0] += 1
        counters[C_ROUTED] += 1
        if out_count_en[o]:
            out_counter[o] = min(out_counter[o] + 1, 0xFFFFFF)
    return pending, records


@numba.njit(cache=True, error_model="numpy")
def evolve(t_start, t_end, dt_cycles, P, D, F, S, spike_count,
           ext_events, ext_pos,
           bg_config, bg_state,
           xbar_valid, xbar_mask, xbar_target, xbar_drop_en, out_count_en, bus_enable,
           drv_receiver, drv_mask, drv_mode_top, drv_mode_bottom,
           weights, labels, col_exc, col_inh,
           bus_free, l2_free, drop_counter, out_counter, counters,
           pending, n_pending, record, records, n_records):
    """Advance the chip from ``t_start`` to ``t_end`` (cycles). Returns (pending, records) buffers
    (possibly re-allocated); ``ext_pos[0]`` is advanced past the consumed external events.

    ``ext_events[k] = (cycle, 16-bit label)`` sorted by cycle. ``bg_config[b] = (enable, random,
    period, rate, mask, label)``, ``bg_state[b] = (next cycle, rng state)``. ``pending[k] =
    (delivery cycle, bus, label)``; ``records[k] = (cycle, label)``.
    """
    n_neurons = P.shape[1]
    spiked = np.empty(n_neurons, dtype=np.int64)
    t = t_start
    while t < t_end - 1e-9:
        step_end = min(t + dt_cycles, t_end)
        h = (step_end - t) * CYCLE_S

        # 1. events entering the crossbar in [t, step_end)
        while ext_pos[0] < ext_events.shape[0] and ext_events[ext_pos[0], 0] < step_end:
            time = ext_events[ext_pos[0], 0]
            label = ext_events[ext_pos[0], 1]
            pending, records = _route(time, label & 0x3FFF, 8 + ((label >> 14) & 3), xbar_valid,
                                      xbar_mask, xbar_target, xbar_drop_en, out_count_en, bus_enable,
                                      bus_free, l2_free, drop_counter, out_counter, counters,
                                      pending, n_pending, record, records, n_records)
            ext_pos[0] += 1
        for b in range(8):
            if bg_config[b, 0] == 0:
                continue
            while bg_state[b, 0] < step_end:
                time = bg_state[b, 0]
                bg_state[b, 0] += bg_config[b, 2] + 1
                label = bg_config[b, 5]
                if bg_config[b, 1] != 0:
                    r = _xorshift(np.uint32(bg_state[b, 1]))
                    bg_state[b, 1] = r
                    if (r & 0xFF) > bg_config[b, 3]:
                        continue
                    mask = bg_config[b, 4]
                    label = (label & ~mask) | ((r >> 8) & mask)
                pending, records = _route(time, label & 0x3FFF, 12 + b, xbar_valid, xbar_mask,
                                          xbar_target, xbar_drop_en, out_count_en, bus_enable,
                                          bus_free, l2_free, drop_counter, out_counter, counters,
                                          pending, n_pending, record, records, n_records)

        # 2. deliver bus events due in this step, earliest first (bypass spikes they cause then
        #    compete for the L2 links in causal order)
        while True:
            k = -1
            for j in range(n_pending[0]):
                if pending[j, 0] < step_end and (k < 0 or pending[j, 0] < pending[k, 0]):
                    k = j
            if k < 0:
                break
            deliver = pending[k, 0]
            o = pending[k, 1]
            label = pending[k, 2]
            n_pending[0] -= 1
            pending[k, 0] = pending[n_pending[0], 0]
            pending[k, 1] = pending[n_pending[0], 1]
            pending[k, 2] = pending[n_pending[0], 2]
            hemi = o // 4
            bus = o % 4
            row_select = (label >> 6) & 31
            syn_label = label & 63
            for sub in range(32):
                d = hemi * 128 + 4 * sub + bus
                if not drv_receiver[d]:
                    continue
                if ((row_select ^ sub) & drv_mask[d]) != 0:
                    continue
                local = 4 * sub + bus
                for half in range(2):
                    if half == 0:
                        row = 2 * local + 1
                        mode = drv_mode_top[d]
                    else:
                        row = 2 * local
                        mode = drv_mode_bottom[d]
                    if mode == 0:
                        continue
                    for c in range(256):
                        if labels[hemi, row, c] != syn_label:
                            continue
                        w = weights[hemi, row, c]
                        n = hemi * 256 + c
                        for kind in range(2):
                            if kind == 0 and ((mode & 1) == 0 or not col_exc[hemi, c]):
                                continue
                            if kind == 1 and ((mode & 2) == 0 or not col_inh[hemi, c]):
                                continue
                            if F[F_BYPASS_EXC + kind, n] != 0:
                                if w > 0:
                                    if spike_count[n] < 256:
                                        spike_count[n] += 1
                                    if F[F_SPIKE_OUT, n] != 0:
                                        pending, records = _route(
                                            deliver, F[F_LABEL, n], F[F_EVENT_OUTPUT, n], xbar_valid,
                                            xbar_mask, xbar_target, xbar_drop_en, out_count_en,
                                            bus_enable, bus_free, l2_free, drop_counter, out_counter,
                                            counters, pending, n_pending, record, records, n_records)
                            elif F[F_SYNIN_EXC + kind, n] != 0:
                                S[S_I_EXC + kind, n] += w * P[P_AMP_EXC + kind, n]

        # 3. membranes (full steps use the precomputed decay factors)
        full = step_end - t > dt_cycles - 1e-9
        n_spiked = 0
        for n in range(n_neurons):
            in_reset = step_end <= S[S_RESET_UNTIL, n]
            if in_reset:
                g = P[P_G_RESET, n]
                v_target = P[P_V_RESET, n]
                decay = D[D_RESET, n] if full else np.exp(-h * g / P[P_C_MEM, n])
            else:
                g = P[P_G_LEAK, n]
                v_target = P[P_V_LEAK, n]
                decay = D[D_LEAK, n] if full else np.exp(-h * g / P[P_C_MEM, n])
            i_exc = S[S_I_EXC, n]
            i_inh = S[S_I_INH, n]
            current = i_exc - i_inh + P[P_I_OFFSET, n]
            v = S[S_V, n]
            if g > 0.0:
                v_inf = v_target + current / g
                v = v_inf + (v - v_inf) * decay
            else:
                v += current * h / P[P_C_MEM, n]
            if v < V_RAIL_LOW:
                v = V_RAIL_LOW
            elif v > V_RAIL_HIGH:
                v = V_RAIL_HIGH
            if i_exc != 0.0:
                S[S_I_EXC, n] = i_exc * (D[D_EXC, n] if full else np.exp(-h / P[P_TAU_EXC, n]))
            if i_inh != 0.0:
                S[S_I_INH, n] = i_inh * (D[D_INH, n] if full else np.exp(-h / P[P_TAU_INH, n]))
            if (F[F_FIRE, n] != 0 and v >= P[P_V_THRESHOLD, n]
                    and step_end >= S[S_REFRACTORY_UNTIL, n]):
                v = P[P_V_RESET, n] if P[P_G_RESET, n] > 0.0 else v
                S[S_RESET_UNTIL, n] = step_end + P[P_T_RESET, n]
                S[S_REFRACTORY_UNTIL, n] = step_end + P[P_T_REFRACTORY, n]
                if spike_count[n] < 256:
                    spike_count[n] += 1
                if F[F_SPIKE_OUT, n] != 0:
                    spiked[n_spiked] = n
                    n_spiked += 1
            S[S_V, n] = v
        # spikes enter the crossbar at the end of the step (outside the hot loop above)
        spike_time = np.int64(np.floor(step_end + 0.5))
        for k in range(n_spiked):
            n = spiked[k]
            pending, records = _route(
                spike_time, F[F_LABEL, n], F[F_EVENT_OUTPUT, n], xbar_valid, xbar_mask, xbar_target,
                xbar_drop_en, out_count_en, bus_enable, bus_free, l2_free, drop_counter, out_counter,
                counters, pending, n_pending, record, records, n_records)
        t = step_end
    return pending, records
