"""Parameter transfer: from configuration words (NeuronConfig, CapMem cells, NeuronBackendConfig,
CommonNeuronBackendConfig) to the physical parameters of the 512 circuits.

CapMem cells hold 10-bit values 0..1022. A voltage cell drives ``offset + span * value / 1022``;
a current cell drives about ``value`` nA. Each parameter then goes through its circuit (an OTA
conductance, an RC time constant, a capacitor bank) and through the circuit's own fixed-pattern
deviation (:mod:`emulator.mismatch`). The transfer functions are documented in ``MODEL.md``.
"""

from __future__ import annotations

import numpy as np

import halco
from . import core
from .mismatch import Mismatch

# voltage cells: name -> (offset [V], span [V] over 0..1022)
VOLTAGE_TRANSFER = {
    "v_leak": (0.20, 0.85),
    "v_reset": (0.15, 0.85),
    "v_threshold": (0.55, 0.80),
    "v_exp": (0.35, 0.85),
    "e_rev": (0.00, 1.20),
    "v_adapt": (0.20, 0.85),
}
G_PER_LSB = 1e-9                # S per LSB of leak/reset OTA bias
DIVISION = 1 / 8                # enable_*_division
MULTIPLICATION = 8.0            # enable_*_multiplication
C_MEM_MIN = 0.1e-12             # F with no capacitor switched in
C_MEM_PER_STEP = 34e-15         # F per membrane_capacitor_size step (63 -> 2.24 pF)
TAU_SYN_CHARGE = 5e-3           # s*LSB: tau_syn = TAU_SYN_CHARGE / i_bias_tau
TAU_SYN_MAX = 1e-3              # s, for a bias of 0 (the RC barely discharges)
SMALL_CAPACITANCE_FACTOR = 0.5
HIGH_RESISTANCE_FACTOR = 4.0
AMP_PER_WEIGHT_GM = 8e-13       # A per (weight LSB x gm LSB)
I_SAT_PER_GM = 1e-10            # A per gm LSB: the synaptic input OTA's saturation current
OFFSET_CURRENT_PER_LSB = 1e-10  # A per LSB of i_mem_offset
A_PER_LSB = 0.5e-9              # S per LSB of i_bias_adapt_a
B_PER_LSB = 0.1e-9              # A per LSB of i_bias_adapt_b
TAU_W_CHARGE = 20e-3            # s*LSB: tau_w = TAU_W_CHARGE / i_bias_adapt_tau
TAU_W_MAX = 5e-3                # s
I_EXP_PER_LSB = 0.1e-9          # A per LSB of i_bias_exp (current at V = v_exp)
DELTA_T = 0.02                  # V, slope of the exponential term
MEMBRANE_NOISE = 1.5e-3         # V, stationary std of the membrane noise
V_SYNIN_REF = 0.6               # V, readout level of an idle synaptic input
PPU_CLOCK_HZ = 250e6
FPGA_CLOCK_HZ = 125e6

# CapMem rows in halco v3 order
ROW = halco.CAPMEM_ROW_NAMES


def voltage(name: str, value: np.ndarray) -> np.ndarray:
    offset, span = VOLTAGE_TRANSFER[name]
    return offset + span * np.asarray(value) / 1022.0


def _scale(division: np.ndarray, multiplication: np.ndarray) -> np.ndarray:
    """Division and multiplication switches; both together cancel."""
    scale = np.where(division & ~multiplication, DIVISION, 1.0)
    return np.where(multiplication & ~division, MULTIPLICATION, scale)


def _time_constant(charge: float, bias: np.ndarray, maximum: float) -> np.ndarray:
    return np.minimum(np.where(bias > 0, charge / np.maximum(bias, 1), maximum), maximum)


def clock_frequency(scale: np.ndarray) -> np.ndarray:
    """Frequency [Hz] of a neuron backend clock with ``clock_scale`` s: 250 MHz / 2**(s+1)."""
    return PPU_CLOCK_HZ / 2.0 ** (np.asarray(scale) + 1)


def neuron_parameters(config: dict[str, np.ndarray], backend: dict[str, np.ndarray],
                      common: dict[str, np.ndarray], capmem: np.ndarray,
                      capmem_enabled: np.ndarray, mismatch: Mismatch) -> tuple[np.ndarray, np.ndarray]:
    """Parameter (float) and flag (int) matrices over the 512 circuits in AtomicNeuronOnDLS order.

    ``config`` and ``backend`` are decoded field arrays in atomic-neuron order, ``common`` the
    CommonNeuronBackendConfig fields per block, ``capmem[row, neuron]`` the driven cell values and
    ``capmem_enabled[neuron]`` whether the neuron's CapMem block drives its cells.
    """
    n = capmem.shape[1]
    cap = np.where(capmem_enabled[None, :], capmem, 0).astype(np.float64)
    off, gain = mismatch.offset, mismatch.gain
    P = np.zeros((core.N_PARAMS, n))
    F = np.zeros((core.N_FLAGS, n), dtype=np.int64)

    P[core.P_C_MEM] = (C_MEM_MIN + C_MEM_PER_STEP * config["membrane_capacitor_size"]) * gain["c_mem"]
    P[core.P_G_LEAK] = cap[ROW["i_bias_leak"]] * G_PER_LSB * gain["g_leak"] * _scale(
        config["enable_leak_division"], config["enable_leak_multiplication"])
    P[core.P_G_RESET] = cap[ROW["i_bias_reset"]] * G_PER_LSB * gain["g_reset"] * _scale(
        config["enable_reset_division"], config["enable_reset_multiplication"])
    P[core.P_V_LEAK] = voltage("v_leak", cap[ROW["v_leak"]]) + off["v_leak"]
    P[core.P_V_RESET] = voltage("v_reset", cap[ROW["v_reset"]]) + off["v_reset"]
    P[core.P_V_THRESHOLD] = voltage("v_threshold", cap[ROW["v_threshold"]]) + off["v_threshold"]
    for kind, short in (("exc", "excitatory"), ("inh", "inhibitory")):
        tau = _time_constant(TAU_SYN_CHARGE, cap[ROW[f"i_bias_synin_{kind}_tau"]], TAU_SYN_MAX)
        tau = tau * np.where(config[f"enable_synaptic_input_{short}_small_capacitance"], SMALL_CAPACITANCE_FACTOR, 1.0)
        tau = tau * np.where(config[f"enable_synaptic_input_{short}_high_resistance"], HIGH_RESISTANCE_FACTOR, 1.0)
        P[core.P_TAU_EXC if kind == "exc" else core.P_TAU_INH] = tau * gain[f"tau_{kind}"]
        P[core.P_AMP_EXC if kind == "exc" else core.P_AMP_INH] = (
            AMP_PER_WEIGHT_GM * cap[ROW[f"i_bias_synin_{kind}_gm"]] * gain[f"amp_{kind}"])
        P[core.P_I_SAT_EXC if kind == "exc" else core.P_I_SAT_INH] = (
            I_SAT_PER_GM * cap[ROW[f"i_bias_synin_{kind}_gm"]] * gain[f"amp_{kind}"])
        P[core.P_E_REV_EXC if kind == "exc" else core.P_E_REV_INH] = (
            voltage("e_rev", cap[ROW[f"e_synin_{kind}_rev"]]) + off[f"e_rev_{kind}"])
        P[core.P_COBA_EXC if kind == "exc" else core.P_COBA_INH] = cap[ROW[f"i_bias_synin_{kind}_coba"]] / 1022.0
        F[core.F_COBA_EXC if kind == "exc" else core.F_COBA_INH] = config[
            f"enable_synaptic_input_{short}_coba_mode"]
    sign = np.where(config["invert_membrane_offset"], -1.0, 1.0)
    P[core.P_I_OFFSET] = np.where(config["enable_membrane_offset"],
                                  sign * OFFSET_CURRENT_PER_LSB * cap[ROW["i_mem_offset"]] * gain["i_offset"], 0.0)

    # adaptation: tau_w dw/dt = a (V - v_adapt) - w; w += b at a spike; -w onto the membrane
    P[core.P_A] = np.where(config["invert_adaptation_a"], -1.0, 1.0) * A_PER_LSB * cap[ROW["i_bias_adapt_a"]] * gain["a"]
    P[core.P_B] = np.where(config["invert_adaptation_b"], -1.0, 1.0) * B_PER_LSB * cap[ROW["i_bias_adapt_b"]] * gain["b"]
    P[core.P_TAU_W] = _time_constant(TAU_W_CHARGE, cap[ROW["i_bias_adapt_tau"]], TAU_W_MAX) * gain["tau_w"]
    P[core.P_V_ADAPT] = voltage("v_adapt", cap[ROW["v_adapt_leak"]]) + off["v_adapt"]
    P[core.P_V_ADAPT_REF] = voltage("v_adapt", cap[ROW["v_adapt_ref"]])
    F[core.F_ADAPTATION] = config["enable_adaptation"]
    F[core.F_ADAPTATION_PULSE] = backend["enable_adaptation_pulse"]

    # exponential term: I_exp exp((V - v_exp) / delta_T)
    P[core.P_I_EXP] = I_EXP_PER_LSB * cap[ROW["i_bias_exp"]] * gain["i_exp"]
    P[core.P_V_EXP] = voltage("v_exp", cap[ROW["v_exp"]]) + off["v_exp"]
    P[core.P_DELTA_T] = DELTA_T
    F[core.F_EXPONENTIAL] = config["enable_exponential"]

    P[core.P_NOISE] = MEMBRANE_NOISE
    P[core.P_V_SYNIN_REF] = V_SYNIN_REF

    # refractory counter: ticks of the selected backend clock of the neuron's block
    block = halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronBackendConfigBlockOnDLS)
    slow = clock_frequency(common["clock_scale_slow"])[block]
    fast = clock_frequency(common["clock_scale_fast"])[block]
    f_clock = np.where(backend["select_input_clock"] == 1, fast, slow)
    cycles_per_tick = FPGA_CLOCK_HZ / f_clock
    refractory_ticks = backend["refractory_time"].astype(np.float64)
    reset_ticks = np.maximum(refractory_ticks - backend["reset_holdoff"], 1.0)
    P[core.P_T_REFRACTORY] = np.maximum(refractory_ticks, 1.0) * cycles_per_tick
    P[core.P_T_RESET] = reset_ticks * cycles_per_tick

    F[core.F_FIRE] = config["enable_fire"] & config["enable_threshold_comparator"]
    F[core.F_SPIKE_OUT] = backend["enable_spike_out"]
    F[core.F_BYPASS_EXC] = config["enable_bypass_excitatory"]
    F[core.F_BYPASS_INH] = config["enable_bypass_inhibitory"]
    F[core.F_SYNIN_EXC] = config["enable_synaptic_input_excitatory"]
    F[core.F_SYNIN_INH] = config["enable_synaptic_input_inhibitory"]
    F[core.F_PAUSE] = config["enable_pause"]
    F[core.F_READOUT_SOURCE] = config["readout_source"]
    F[core.F_EVENT_OUTPUT] = halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronEventOutputOnDLS)
    F[core.F_LABEL] = (F[core.F_EVENT_OUTPUT] << 8) | backend["address_out"]
    F[core.F_BITS] = core.flag_bits(F)
    return P, F
