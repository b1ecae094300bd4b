"""The numba-compiled time evolution of the analog core together with digital event routing.

One call of :func:`evolve` advances the whole chip from ``t_start`` to ``t_end`` (FPGA cycles,
floats) with a fixed integration step. Within each step it

1. routes the events that enter the crossbar in the step (FPGA spikes, background sources) through
   the crossbar nodes onto PADI buses (one event per bus per clock; excess events wait in a FIFO,
   and are dropped and counted when it is full) and onto the L2 outputs (recorded for the FPGA);
2. delivers the bus events due in the step, earliest first, to the synapse drivers (row-select
   compare under mask, short-term plasticity), their two rows (row modes), and every synapse whose
   6-bit label matches: the weight charges the neuron's excitatory or inhibitory input, or, in
   bypass mode, fires the neuron directly; the synapse's correlation sensor sees a pre spike;
3. integrates all 512 AdEx membranes over the step (exponential Euler: the linear part exactly,
   the exponential, adaptation and conductance-based terms held over the step; temporal noise as
   an Ornstein-Uhlenbeck term), emits spikes, which enter the crossbar through the neuron event
   outputs at the step's end and reach the correlation sensors of their column as post spikes;
4. samples the MADC's selected readout signals at its sample times.

Parameters and state are arrays over all circuits (rows indexed by the constants below), so the
kernel does not allocate per step. Output buffers grow by doubling when full, so nothing is lost.
The equations and the parameter transfer are documented in ``emulator/MODEL.md``.
"""

from __future__ import annotations

import numba
import numpy as np

from .compartments import couple as _couple

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
P_A = 13             # sub-threshold adaptation [S], signed
P_B = 14             # spike-triggered adaptation [A], signed
P_TAU_W = 15         # adaptation time constant [s]
P_V_ADAPT = 16       # reference potential of the adaptation OTA [V]
P_I_EXP = 17         # exponential current at V = V_exp [A]
P_V_EXP = 18         # exponential onset [V]
P_DELTA_T = 19       # exponential slope [V]
P_E_REV_EXC = 20     # excitatory conductance-based reference potential [V] (no modulation there)
P_E_REV_INH = 21     # inhibitory conductance-based reference potential [V]
P_COBA_EXC = 22      # slope [1/V] of the conductance-based modulation (reversal: reference + 1/slope)
P_COBA_INH = 23
P_NOISE = 24         # stationary std of the membrane noise [V]
P_V_SYNIN_REF = 25   # readout level of an idle synaptic input [V]
P_V_ADAPT_REF = 26   # readout level of an idle adaptation state [V]
P_I_SAT_EXC = 27     # saturation current of the excitatory synaptic input OTA [A]
P_I_SAT_INH = 28
P_REF_EXC = 29       # the excitatory input OTA's offset [V]: I_SAT * offset / V_OTA_LINEAR flows idle
P_REF_INH = 30
N_PARAMS = 31

# -- neuron flag rows (int) -------------------------------------------------------------------------
F_FIRE = 0           # threshold comparator and fire signal enabled
F_SPIKE_OUT = 1      # spikes leave through the event output
F_BYPASS_EXC = 2
F_BYPASS_INH = 3
F_SYNIN_EXC = 4      # excitatory synaptic input enabled
F_SYNIN_INH = 5
F_LABEL = 6          # 14-bit label sent with a spike: (event output << 8) | address_out
F_EVENT_OUTPUT = 7   # crossbar input of the neuron's event output (column // 32)
F_ADAPTATION = 8     # adaptation current onto the membrane
F_ADAPTATION_PULSE = 9  # spike-triggered increment b
F_EXPONENTIAL = 10
F_COBA_EXC = 11
F_COBA_INH = 12
F_PAUSE = 13         # synaptic input and exponential term gated off during reset
F_READOUT_SOURCE = 14  # 0 membrane, 1 exc. synaptic input, 2 inh. synaptic input, 3 adaptation
F_BITS = 15          # the membrane loop's switches as one bit field (see flag_bits())
N_FLAGS = 16

BIT_FIRE = 1
BIT_ADAPTATION = 2
BIT_ADAPTATION_PULSE = 4
BIT_EXPONENTIAL = 8
BIT_COBA_EXC = 16
BIT_COBA_INH = 32
BIT_PAUSE = 64


def flag_bits(F: np.ndarray) -> np.ndarray:
    """Pack the per-neuron switches the membrane loop reads into one integer per neuron."""
    return ((F[F_FIRE] != 0) * BIT_FIRE | (F[F_ADAPTATION] != 0) * BIT_ADAPTATION
            | (F[F_ADAPTATION_PULSE] != 0) * BIT_ADAPTATION_PULSE
            | (F[F_EXPONENTIAL] != 0) * BIT_EXPONENTIAL | (F[F_COBA_EXC] != 0) * BIT_COBA_EXC
            | (F[F_COBA_INH] != 0) * BIT_COBA_INH | (F[F_PAUSE] != 0) * BIT_PAUSE).astype(np.int64)

# -- neuron state rows (float) ----------------------------------------------------------------------
S_V = 0              # membrane potential [V]
S_I_EXC = 1          # excitatory synaptic current [A]
S_I_INH = 2          # inhibitory synaptic current [A]
S_RESET_UNTIL = 3    # absolute cycle until which the reset holds the membrane
S_REFRACTORY_UNTIL = 4  # absolute cycle until which no new spike can be fired
S_W = 5              # adaptation current [A]
S_LAST_SPIKE = 6     # absolute cycle of the last spike (-1: none)
N_STATE = 7

# -- per-step factors for a full integration step (float), see step_factors() ----------------------
D_LEAK = 0
D_RESET = 1
D_EXC = 2
D_INH = 3
D_W = 4
D_NOISE_LEAK = 5     # noise std added per step while leaking
D_NOISE_RESET = 6
N_DECAY = 7

V_RAIL_LOW = 0.0
V_RAIL_HIGH = 1.2
#: the synaptic input OTA's linear input range [V]: an offset of this much drives its whole
#: saturation current (before the saturation's compression)
V_OTA_LINEAR = 0.3
EXP_ARGUMENT_MAX = 20.0  # exp() argument cap: the rails clamp the membrane long before
EXP_ARGUMENT_MIN = -16.0  # exp() argument floor: the term is then < 1.2e-7 of I_exp

# routing timing (cycles)
LATENCY_TO_BUS = 4       # crossbar input -> synapse driver
LATENCY_TO_L2 = 6        # crossbar input -> FPGA
FIFO_CYCLES = 64         # how long an event may wait for its bus before it is dropped

# counter rows (int64 array ``counters``)
C_DROPPED_TOTAL = 0      # every dropped event, whatever the drop-counter enables say
C_ROUTED = 1
N_COUNTERS = 2

# synapse driver int config columns
DI_RECEIVER = 0
DI_MASK = 1
DI_MODE_TOP = 2
DI_MODE_BOTTOM = 3
DI_STP = 4
DI_FACILITATE = 5
DI_RECOVERY = 6
DI_HAGEN = 7         # HAGEN modulation: the 5 low address bits set the activation (MAC mode)
N_DI = 8
HAGEN_ACTIVATION_MAX = 32   # address 0 in the low bits: the longest pulse
# synapse driver float config columns
DF_U = 0             # utilization 0..1
DF_OFFSET = 1        # amplitude offset added to the STP factor
DF_TAU_REC = 2       # recovery time constant [cycles]
DF_HAGEN_SHIFT = 3   # HAGEN mode: the driver's DAC offset, added to the activation [activation LSB]
N_DF = 4
# synapse driver state columns
DS_R = 0             # available resources (depression) 0..1
DS_U = 1             # current utilization (facilitation)
DS_LAST = 2          # cycle of the last event (-1: none)
N_DS = 3

# correlation parameters per CapMem block (hemisphere * 2 + column // 128)
CP_ETA = 0           # increment per pre/post pair at zero delay [CADC LSB]
CP_TAU = 1           # decay time of the pairing [cycles]
N_CP = 2

# MADC configuration and state
MC_PERIOD = 0        # cycles between samples
MC_ALTERNATE = 1     # samples per source before switching (0: source 0 only)
MC_NEURON_0 = 2      # neuron driving the line of source 0 (-1: none)
MC_NEURON_1 = 3
MC_GAIN = 4          # LSB per volt
MC_OFFSET = 5        # LSB
MC_NOISE = 6         # LSB (std)
N_MC = 7
MS_ACTIVE = 0
MS_NEXT = 1          # cycle of the next sample
MS_REMAINING = 2     # samples left (-1: continuous)
MS_SOURCE = 3
MS_COUNT = 4         # samples taken from the current source
N_MS = 5

NOISE_TABLE_BITS = 14
NOISE_TABLE_SIZE = 1 << NOISE_TABLE_BITS  # 128 kB: stays in the L2 cache


def noise_table(seed: int) -> np.ndarray:
    """Standard normal samples the kernel draws its membrane noise from."""
    return np.random.default_rng([seed, 0x4015E]).standard_normal(NOISE_TABLE_SIZE)


def step_factors(P: np.ndarray, dt_cycles: float) -> np.ndarray:
    """Decay factors exp(-dt/tau) and per-step noise amplitudes for one full step."""
    h = dt_cycles * CYCLE_S
    D = np.empty((N_DECAY, P.shape[1]))
    D[D_LEAK] = np.exp(-h * P[P_G_LEAK] / P[P_C_MEM])
    D[D_RESET] = np.exp(-h * P[P_G_RESET] / P[P_C_MEM])
    D[D_EXC] = np.exp(-h / P[P_TAU_EXC])
    D[D_INH] = np.exp(-h / P[P_TAU_INH])
    D[D_W] = np.exp(-h / P[P_TAU_W])
    D[D_NOISE_LEAK] = P[P_NOISE] * np.sqrt(1.0 - D[D_LEAK] ** 2)
    D[D_NOISE_RESET] = P[P_NOISE] * np.sqrt(1.0 - D[D_RESET] ** 2)
    return D


# exp(x) on [EXP_ARGUMENT_MIN, EXP_ARGUMENT_MAX]: a table at steps of 1/16 times a fifth-order
# Taylor polynomial of the remainder (relative error < 1e-10); 2.5x faster than libm's exp here
_EXP_STEP = 16.0
_EXP_TABLE = np.exp(np.arange(int(EXP_ARGUMENT_MIN * _EXP_STEP), int(EXP_ARGUMENT_MAX * _EXP_STEP) + 2) / _EXP_STEP)


@numba.njit(cache=True, inline="always")
def _noise_index(key, n):
    """The noise table entry of neuron ``n`` in the step with ``key``: a counter-based hash
    (splitmix64's finaliser) of the step's key and the neuron, so that every neuron draws
    independently of the others and of its own earlier steps (a fixed per-neuron lag into the
    table gave every pair of neurons a frozen correlation)."""
    z = key + np.uint64(n) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.int64(z >> np.uint64(64 - NOISE_TABLE_BITS))


@numba.njit(cache=True, inline="always")
def _rail(v):
    """``v`` clamped to the supply rails; a NaN stays NaN (``min``/``max`` would turn it into a
    rail silently), so that the chip reports it after the evolution."""
    return V_RAIL_LOW if v < V_RAIL_LOW else (V_RAIL_HIGH if v > V_RAIL_HIGH else v)


@numba.njit(cache=True, fastmath=True, inline="always")
def _table_exp(x):
    xs = (x - EXP_ARGUMENT_MIN) * _EXP_STEP
    j = int(xs)
    f = (xs - j) / _EXP_STEP
    return _EXP_TABLE[j] * (1.0 + f * (1.0 + f * (0.5 + f * (1.0 / 6.0 + f * (1.0 / 24.0 + f / 120.0)))))


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
def _route(time, label, inp, routing, pending, n_pending, record, records, n_records):
    """One event (14-bit label) entering crossbar input ``inp`` at cycle ``time``."""
    (xbar_valid, xbar_mask, xbar_target, xbar_drop_en, out_count_en, bus_enable, bus_free,
     l2_free, drop_counter, out_counter, counters) = routing
    for o in range(12):
        if not xbar_valid[inp, o]:
            continue
        if (label & xbar_mask[inp, o]) != xbar_target[inp, o]:
            continue
        if o < 8 and not bus_enable[o]:
            continue
        if o < 8:
            arrival = time + LATENCY_TO_BUS
            deliver = max(arrival, bus_free[o])
        else:
            arrival = time + LATENCY_TO_L2
            deliver = max(arrival, l2_free[o - 8])
        if deliver - arrival > FIFO_CYCLES:
            counters[C_DROPPED_TOTAL] += 1
            if xbar_drop_en[inp, o]:
                drop_counter[inp] = (drop_counter[inp] + 1) & 0xFFFF  # wraps, as the real counter
            continue
        if o < 8:
            bus_free[o] = deliver + 1
            pending = _grow2(pending, n_pending[0])
            pending[n_pending[0], 0] = deliver
            pending[n_pending[0], 1] = o
            pending[n_pending[0], 2] = label
            n_pending[0] += 1
        else:
            l2_free[o - 8] = deliver + 1
            if record:
                records = _grow2(records, n_records[0])
                records[n_records[0], 0] = deliver
                records[n_records[0], 1] = ((o - 8) << 14) | label
                n_records[0] += 1
        counters[C_ROUTED] += 1
        if out_count_en[o]:
            out_counter[o] = (out_counter[o] + 1) & 0xFFFFFF  # wraps, as the real counter
    return pending, records


@numba.njit(cache=True)
def label_index(labels):
    """The synapses of each row grouped by label (``labels`` [hemisphere, row, column], 6-bit):
    ``columns[h, row, bounds[h, row, l]:bounds[h, row, l + 1]]`` are the columns of label ``l``
    in ascending order (a counting sort per row). An event then visits only the synapses its
    label selects, in the order a scan of the row would, so every sum comes out the same."""
    n_hemispheres, n_rows, n_columns = labels.shape
    columns = np.empty((n_hemispheres, n_rows, n_columns), dtype=np.int64)
    bounds = np.zeros((n_hemispheres, n_rows, 65), dtype=np.int64)
    fill = np.empty(64, dtype=np.int64)
    for h in range(n_hemispheres):
        for row in range(n_rows):
            counts = bounds[h, row]
            for c in range(n_columns):
                counts[labels[h, row, c] + 1] += 1
            for label in range(64):
                counts[label + 1] += counts[label]
                fill[label] = counts[label]
            for c in range(n_columns):
                label = labels[h, row, c]
                columns[h, row, fill[label]] = c
                fill[label] += 1
    return columns, bounds


@numba.njit(cache=True)
def _charge(current, amplitude, base, matching, row_weights, row_gain, factor):
    """Synaptic input of one row: every synapse whose label matches (``matching``: their
    columns, ascending) charges its neuron's input."""
    for c in matching:
        current[base + c] += row_weights[c] * factor * row_gain[c] * amplitude[base + c]


@numba.njit(cache=True)
def _correlate_pre(acausal_row, last_pre_row, corr_param, hemi, acausal_en, last_spike, matching, now):
    """A pre spike at the matching synapses of a row (``matching``: their columns, ascending):
    anti-causal pairing with the last post spike."""
    for c in matching:
        blk = hemi * 2 + c // 128
        if corr_param[blk, CP_ETA] <= 0.0:
            continue
        post = last_spike[hemi * 256 + c]
        if acausal_en[c] and post >= 0.0:
            acausal_row[c] += corr_param[blk, CP_ETA] * np.exp(-(now - post) / corr_param[blk, CP_TAU])
        last_pre_row[c] = now


@numba.njit(cache=True)
def _correlate_post(n, now, S, causal, last_pre, corr_param, causal_en):
    """A post spike of neuron ``n``: causal pairing with the last pre spike of every synapse in its
    column; the neuron's last spike time is what later pre spikes pair with."""
    S[S_LAST_SPIKE, n] = now
    hemi = n // 256
    c = n % 256
    blk = hemi * 2 + c // 128
    if corr_param[blk, CP_ETA] > 0.0 and causal_en[hemi, c]:
        for row in range(256):
            if last_pre[hemi, row, c] >= 0.0:
                causal[hemi, row, c] += corr_param[blk, CP_ETA] * np.exp(
                    -(now - last_pre[hemi, row, c]) / corr_param[blk, CP_TAU])


@numba.njit(cache=True)
def readout_voltage(P, F, S, n):
    """The signal neuron ``n`` puts on its readout line, as a voltage."""
    source = F[F_READOUT_SOURCE, n]
    if source == 0:
        return S[S_V, n]
    if source == 1:
        return P[P_V_SYNIN_REF, n] - S[S_I_EXC, n] * 2e6   # the synaptic input dips with current
    if source == 2:
        return P[P_V_SYNIN_REF, n] + S[S_I_INH, n] * 2e6
    return P[P_V_ADAPT_REF, n] + S[S_W, n] * 2e6


@numba.njit(cache=True)
def _stp_factor(drv_float, drv_int, drv_state, d, now):
    """Amplitude factor of an event at driver ``d`` under short-term plasticity; updates its state."""
    u0 = drv_float[d, DF_U]
    last = drv_state[d, DS_LAST]
    if last < 0.0:   # first event: resources full, utilization at its base value
        drv_state[d, DS_R] = 1.0
        drv_state[d, DS_U] = u0
    elif drv_int[d, DI_RECOVERY] != 0 and drv_float[d, DF_TAU_REC] > 0.0:
        decay = np.exp(-(now - last) / drv_float[d, DF_TAU_REC])
        drv_state[d, DS_R] = 1.0 - (1.0 - drv_state[d, DS_R]) * decay
        drv_state[d, DS_U] = u0 + (drv_state[d, DS_U] - u0) * decay
    drv_state[d, DS_LAST] = now
    if drv_int[d, DI_FACILITATE] != 0:
        u = drv_state[d, DS_U]
        factor = u / max(u0, 1.0 / 15.0)
        drv_state[d, DS_U] = u + u0 * (1.0 - u)
    else:
        r = drv_state[d, DS_R]
        factor = r
        drv_state[d, DS_R] = r - u0 * r
    return factor + drv_float[d, DF_OFFSET]


#: fast-math without its "no NaN / no infinity" assumptions: the clamps below then hold for a
#: NaN too (under full fastmath a comparison with NaN may be folded away), at ~no cost
FAST_MATH_KEEPING_NAN = {"nsz", "arcp", "contract", "afn", "reassoc"}


@numba.njit(cache=True, fastmath=FAST_MATH_KEEPING_NAN, error_model="numpy", nogil=True)
def evolve(t_start, t_end, dt_cycles, seed, neurons, routing, drivers, synapses, correlation,
           inputs, madc, buffers, compartments):
    """Advance the chip from ``t_start`` to ``t_end`` (cycles).

    Returns the (possibly re-allocated) ``(pending, records, madc_samples)`` buffers; counts are in
    the one-element arrays of ``buffers``. See the module docstring for the order of work.
    """
    P, D, F, S, spike_count, noise_table = neurons
    drv_int, drv_float, drv_state = drivers
    weights, label_columns, label_bounds, syn_gain, col_exc, col_inh, amp_eff, any_bypass = synapses
    causal, acausal, last_pre, corr_param, corr_causal_en, corr_acausal_en = correlation
    ext_events, ext_pos, bg_config, bg_state = inputs
    madc_config, madc_state = madc
    pending, n_pending, record, records, n_records, madc_buf, n_madc = buffers
    mc_active, mc_group, mc_segment, mc_tied, mc_g = compartments
    mc_scratch = np.zeros((4, P.shape[1]))
    np.random.seed(seed)
    # membrane noise: standard normals from a table at xorshift64-random positions (a normal
    # generator per neuron and step would cost more than the whole membrane update)
    rand = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) | np.uint64(1)

    n_neurons = P.shape[1]
    spiked = np.empty(n_neurons, dtype=np.int64)
    # 1-d views of the rows the membrane loop touches every step
    s_v, s_i_exc, s_i_inh, s_w = S[S_V], S[S_I_EXC], S[S_I_INH], S[S_W]
    s_reset_until, s_refractory_until = S[S_RESET_UNTIL], S[S_REFRACTORY_UNTIL]
    p_g_reset, p_v_reset, p_g_leak, p_v_leak = P[P_G_RESET], P[P_V_RESET], P[P_G_LEAK], P[P_V_LEAK]
    p_c_mem, p_i_offset, p_v_threshold = P[P_C_MEM], P[P_I_OFFSET], P[P_V_THRESHOLD]
    p_v_exp = P[P_V_EXP]
    p_inv_delta_t = 1.0 / P[P_DELTA_T]
    p_inv_g_leak = 1.0 / np.maximum(P[P_G_LEAK], 1e-30)
    p_inv_g_reset = 1.0 / np.maximum(P[P_G_RESET], 1e-30)
    # switches folded into the parameters, so that the update needs no branches on them
    bits = F[F_BITS]
    p_fire = ((bits & BIT_FIRE) != 0).astype(np.float64)
    p_pause = ((bits & BIT_PAUSE) != 0).astype(np.float64)
    p_adapt_on = ((bits & BIT_ADAPTATION) != 0).astype(np.float64)
    p_a_eff = P[P_A] * p_adapt_on
    p_b_eff = P[P_B] * ((bits & BIT_ADAPTATION_PULSE) != 0)
    p_i_exp_eff = P[P_I_EXP] * ((bits & BIT_EXPONENTIAL) != 0)
    p_coba_exc_eff = P[P_COBA_EXC] * ((bits & BIT_COBA_EXC) != 0)
    p_coba_inh_eff = P[P_COBA_INH] * ((bits & BIT_COBA_INH) != 0)
    p_e_rev_exc, p_e_rev_inh, p_v_adapt = P[P_E_REV_EXC], P[P_E_REV_INH], P[P_V_ADAPT]
    p_inv_i_sat_exc = 1.0 / np.maximum(P[P_I_SAT_EXC], 1e-30)
    p_inv_i_sat_inh = 1.0 / np.maximum(P[P_I_SAT_INH], 1e-30)
    # an enabled input's OTA drives its offset's current with no event (0 when disabled)
    p_idle_exc = P[P_I_SAT_EXC] * P[P_REF_EXC] / V_OTA_LINEAR
    p_idle_inh = P[P_I_SAT_INH] * P[P_REF_INH] / V_OTA_LINEAR
    i_exp_now = np.zeros(n_neurons)
    tmp = np.empty((5, n_neurons))
    noisy = np.any(D[D_NOISE_LEAK] > 0.0) or np.any(D[D_NOISE_RESET] > 0.0)
    d_leak, d_reset, d_exc, d_inh, d_w = D[D_LEAK], D[D_RESET], D[D_EXC], D[D_INH], D[D_W]
    d_noise_leak, d_noise_reset = D[D_NOISE_LEAK], D[D_NOISE_RESET]
    t = t_start
    while t < t_end - 1e-9:
        step_end = min(t + dt_cycles, t_end)
        h = (step_end - t) * CYCLE_S

        # 1. events entering the crossbar in [t, step_end)
        while ext_pos[0] < ext_events.shape[0] and ext_events[ext_pos[0], 0] < step_end:
            time = ext_events[ext_pos[0], 0]
            label = ext_events[ext_pos[0], 1]
            pending, records = _route(time, label & 0x3FFF, 8 + ((label >> 14) & 3), routing,
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
                pending, records = _route(time, label & 0x3FFF, 12 + b, routing, pending, n_pending,
                                          record, records, n_records)

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
            for sub in range(32):
                d = hemi * 128 + 4 * sub + bus
                if drv_int[d, DI_RECEIVER] == 0:
                    continue
                if ((row_select ^ sub) & drv_int[d, DI_MASK]) != 0:
                    continue
                factor = 1.0
                syn_label = label & 63
                if drv_int[d, DI_HAGEN] != 0:
                    # the low 5 bits set the pulse length (activation 32 - bits, shifted by the
                    # driver's DAC offset, within the pulse's window): the charge is
                    # proportional to it; only the address MSB reaches the synapses' labels
                    activation = HAGEN_ACTIVATION_MAX - (label & 31) + drv_float[d, DF_HAGEN_SHIFT]
                    factor = min(max(activation, 0.0), HAGEN_ACTIVATION_MAX) / HAGEN_ACTIVATION_MAX
                    syn_label = label & 32
                if drv_int[d, DI_STP] != 0:
                    factor *= _stp_factor(drv_float, drv_int, drv_state, d, float(deliver))
                local = 4 * sub + bus
                for half in range(2):
                    if half == 0:
                        row = 2 * local + 1
                        mode = drv_int[d, DI_MODE_TOP]
                    else:
                        row = 2 * local
                        mode = drv_int[d, DI_MODE_BOTTOM]
                    if mode == 0:
                        continue
                    base = hemi * 256
                    # the row's synapses of the event's label
                    matching = label_columns[hemi, row, label_bounds[hemi, row, syn_label]:
                                             label_bounds[hemi, row, syn_label + 1]]
                    row_weights = weights[hemi, row]
                    row_gain = syn_gain[hemi, row]
                    # synaptic input: effective amplitudes are zero where the input, the column
                    # current switch is off or the neuron is in bypass mode
                    if mode & 1:
                        _charge(s_i_exc, amp_eff[0], base, matching, row_weights, row_gain, factor)
                    if mode & 2:
                        _charge(s_i_inh, amp_eff[1], base, matching, row_weights, row_gain, factor)
                    if any_bypass[hemi]:
                        for c in matching:
                            n = base + c
                            if row_weights[c] <= 0:
                                continue
                            if ((mode & 1) and col_exc[hemi, c] and F[F_BYPASS_EXC, n] != 0) or (
                                    (mode & 2) and col_inh[hemi, c] and F[F_BYPASS_INH, n] != 0):
                                if spike_count[n] < 256:
                                    spike_count[n] += 1
                                _correlate_post(n, float(deliver), S, causal, last_pre, corr_param,
                                                corr_causal_en)
                                if F[F_SPIKE_OUT, n] != 0:
                                    pending, records = _route(
                                        deliver, F[F_LABEL, n], F[F_EVENT_OUTPUT, n], routing,
                                        pending, n_pending, record, records, n_records)
                    if corr_param[2 * hemi, CP_ETA] > 0.0 or corr_param[2 * hemi + 1, CP_ETA] > 0.0:
                        _correlate_pre(acausal[hemi, row], last_pre[hemi, row], corr_param, hemi,
                                       corr_acausal_en[hemi], S[S_LAST_SPIKE], matching, float(deliver))

        # 3. membranes. Full steps use the precomputed factors; a partial step (at the end of a
        #    call) recomputes them. The exponential term is evaluated in its own tight loop, the
        #    update itself is written with selects rather than branches where it can be.
        if step_end - t > dt_cycles - 1e-9:
            f_leak, f_reset, f_exc, f_inh, f_w = d_leak, d_reset, d_exc, d_inh, d_w
        else:
            for n in range(n_neurons):
                tmp[0, n] = np.exp(-h * p_g_leak[n] / p_c_mem[n])
                tmp[1, n] = np.exp(-h * p_g_reset[n] / p_c_mem[n])
                tmp[2, n] = np.exp(-h / P[P_TAU_EXC, n])
                tmp[3, n] = np.exp(-h / P[P_TAU_INH, n])
                tmp[4, n] = np.exp(-h / P[P_TAU_W, n])
            f_leak, f_reset, f_exc, f_inh, f_w = tmp[0], tmp[1], tmp[2], tmp[3], tmp[4]
        for n in range(n_neurons):
            if p_i_exp_eff[n] > 0.0:
                arg = (s_v[n] - p_v_exp[n]) * p_inv_delta_t[n]
                i_exp_now[n] = p_i_exp_eff[n] * _table_exp(min(max(arg, EXP_ARGUMENT_MIN), EXP_ARGUMENT_MAX))
        noise_key = rand
        rand ^= rand << np.uint64(13)
        rand ^= rand >> np.uint64(7)
        rand ^= rand << np.uint64(17)
        n_spiked = 0
        for n in range(n_neurons):
            v = s_v[n]
            in_reset = step_end <= s_reset_until[n]
            g = p_g_reset[n] if in_reset else p_g_leak[n]
            inv_g = p_inv_g_reset[n] if in_reset else p_inv_g_leak[n]
            v_target = p_v_reset[n] if in_reset else p_v_leak[n]
            decay = f_reset[n] if in_reset else f_leak[n]
            # the synaptic input OTAs saturate (x / (1 + |x| / I_sat)), then the conductance-based
            # mode scales their bias with the membrane's distance to the reference potential
            # (none there, zero at the reversal potential, never negative: a bias current)
            i_exc = s_i_exc[n] + p_idle_exc[n]
            i_exc = i_exc / (1.0 + abs(i_exc) * p_inv_i_sat_exc[n])
            i_exc *= max(1.0 + p_coba_exc_eff[n] * (p_e_rev_exc[n] - v), 0.0)
            i_inh = s_i_inh[n] + p_idle_inh[n]
            i_inh = i_inh / (1.0 + abs(i_inh) * p_inv_i_sat_inh[n])
            i_inh *= max(1.0 + p_coba_inh_eff[n] * (v - p_e_rev_inh[n]), 0.0)
            gate = 0.0 if (in_reset and p_pause[n] != 0.0) else 1.0
            w_adapt = s_w[n]
            current = p_i_offset[n] + gate * (i_exc - i_inh + i_exp_now[n]) - p_adapt_on[n] * w_adapt
            w_inf = p_a_eff[n] * (v - p_v_adapt[n])
            s_w[n] = w_inf + (w_adapt - w_inf) * f_w[n]
            # with a conductance the linear part is exact; without one the membrane integrates
            v_inf = v_target + current * inv_g
            v = (v_inf + (v - v_inf) * decay) if g > 0.0 else (v + current * h / p_c_mem[n])
            v = _rail(v)
            s_i_exc[n] *= f_exc[n]
            s_i_inh[n] *= f_inh[n]
            s_v[n] = v
        if mc_active:
            _couple(s_v, p_c_mem, mc_group, mc_segment, mc_tied, mc_g, h, mc_scratch[0], mc_scratch[1],
                    mc_scratch[2], mc_scratch[3])
        if noisy:
            for n in range(n_neurons):
                noise = d_noise_reset[n] if step_end <= s_reset_until[n] else d_noise_leak[n]
                s_v[n] = _rail(s_v[n] + noise * noise_table[_noise_index(noise_key, n)])
        for n in range(n_neurons):
            if (p_fire[n] != 0.0 and s_v[n] >= p_v_threshold[n]
                    and step_end >= s_refractory_until[n]):
                if p_g_reset[n] > 0.0:
                    s_v[n] = p_v_reset[n]
                s_reset_until[n] = step_end + P[P_T_RESET, n]
                s_refractory_until[n] = step_end + P[P_T_REFRACTORY, n]
                s_w[n] += p_b_eff[n]
                if spike_count[n] < 256:
                    spike_count[n] += 1
                spiked[n_spiked] = n
                n_spiked += 1
        # spikes: post pulses to the correlation sensors and, if enabled, out through the crossbar
        spike_time = np.int64(np.floor(step_end + 0.5))
        for k in range(n_spiked):
            n = spiked[k]
            _correlate_post(n, float(spike_time), S, causal, last_pre, corr_param, corr_causal_en)
            if F[F_SPIKE_OUT, n] != 0:
                pending, records = _route(spike_time, F[F_LABEL, n], F[F_EVENT_OUTPUT, n], routing,
                                          pending, n_pending, record, records, n_records)

        # 4. MADC samples due in this step
        if madc_state[MS_ACTIVE] != 0.0:
            while madc_state[MS_NEXT] < step_end and madc_state[MS_REMAINING] != 0.0:
                source = int(madc_state[MS_SOURCE])
                n = int(madc_config[MC_NEURON_0 + source])
                if n >= 0:
                    volts = readout_voltage(P, F, S, n)
                else:
                    volts = 0.0
                value = volts * madc_config[MC_GAIN] + madc_config[MC_OFFSET]
                value += madc_config[MC_NOISE] * np.random.standard_normal()
                code = min(max(int(np.floor(value + 0.5)), 0), 1023)
                madc_buf = _grow2(madc_buf, n_madc[0])
                madc_buf[n_madc[0], 0] = np.int64(np.floor(madc_state[MS_NEXT] + 0.5))
                madc_buf[n_madc[0], 1] = code
                madc_buf[n_madc[0], 2] = source
                n_madc[0] += 1
                madc_state[MS_NEXT] += madc_config[MC_PERIOD]
                if madc_state[MS_REMAINING] > 0.0:
                    madc_state[MS_REMAINING] -= 1.0
                if madc_config[MC_ALTERNATE] > 0.0:
                    madc_state[MS_COUNT] += 1.0
                    if madc_state[MS_COUNT] >= madc_config[MC_ALTERNATE]:
                        madc_state[MS_COUNT] = 0.0
                        madc_state[MS_SOURCE] = 1.0 - madc_state[MS_SOURCE]
            if madc_state[MS_REMAINING] == 0.0:
                madc_state[MS_ACTIVE] = 0.0
        t = step_end
    return pending, records, madc_buf
