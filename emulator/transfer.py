"""Parameter transfer: from configuration words (NeuronConfig, CapMem cells, NeuronBackendConfig,
CommonNeuronBackendConfig) to the physical parameters of the 512 circuits.

CapMem cells hold 10-bit values 0..1022. A voltage cell drives ``offset + slope * value``; a
current cell drives ``value * 1 nA`` (about 1 uA full scale). Each parameter then goes through its
circuit: a conductance from an OTA bias, a time constant from an RC bias, a capacitance from the
capacitor switches. The transfer functions are documented in ``emulator/MODEL.md``.
"""

from __future__ import annotations

import numpy as np

import halco
from . import core

# voltage cells: name -> (offset [V], full-scale span [V]) over 0..1022
VOLTAGE_TRANSFER = {
    "v_leak": (0.20, 0.85),
    "v_reset": (0.15, 0.85),
    "v_threshold": (0.55, 0.80),
}
CURRENT_PER_LSB = 1e-9          # A per CapMem LSB of a current cell
G_PER_LSB = 1e-9                # S per LSB of leak/reset OTA bias (i.e. 1 V effective)
LEAK_DIVISION = 1 / 8           # enable_*_division
LEAK_MULTIPLICATION = 8.0       # enable_*_multiplication
C_MEM_MIN = 0.1e-12             # F with no capacitor switched in
C_MEM_PER_STEP = 34e-15         # F per membrane_capacitor_size step (63 -> 2.24 pF)
TAU_SYN_CHARGE = 5e-3           # s*LSB: tau_syn = TAU_SYN_CHARGE / i_bias_tau
TAU_SYN_MAX = 1e-3              # s, for a bias of 0 (the RC barely discharges)
SMALL_CAPACITANCE_FACTOR = 0.5
HIGH_RESISTANCE_FACTOR = 4.0
AMP_PER_WEIGHT_GM = 8e-13       # A per (weight LSB x gm LSB)
OFFSET_CURRENT_PER_LSB = 1e-10  # A per LSB of i_mem_offset
PPU_CLOCK_HZ = 250e6
FPGA_CLOCK_HZ = 125e6

# CapMem rows in halco v3 order
ROW = halco.CAPMEM_ROW_NAMES


def voltage(name: str, value: np.ndarray) -> np.ndarray:
    offset, span = VOLTAGE_TRANSFER[name]
    return offset + span * value / 1022.0


def _conductance_scale(division: np.ndarray, multiplication: np.ndarray) -> np.ndarray:
    scale = np.ones(division.shape)
    scale = np.where(division & ~multiplication, LEAK_DIVISION, scale)
    return np.where(multiplication & ~division, LEAK_MULTIPLICATION, scale)


def _tau_syn(bias: np.ndarray, small_cap: np.ndarray, high_res: np.ndarray) -> np.ndarray:
    tau = np.where(bias > 0, TAU_SYN_CHARGE / np.maximum(bias, 1), TAU_SYN_MAX)
    tau = np.minimum(tau, TAU_SYN_MAX)
    tau = tau * np.where(small_cap, SMALL_CAPACITANCE_FACTOR, 1.0)
    return tau * np.where(high_res, HIGH_RESISTANCE_FACTOR, 1.0)


def clock_frequency(scale: np.ndarray) -> np.ndarray:
    """Frequency [Hz] of a neuron backend clock with ``clock_scale`` s: 250 MHz / 2**(s+1)."""
    return PPU_CLOCK_HZ / 2.0 ** (np.asarray(scale) + 1)


def neuron_parameters(config: dict[str, np.ndarray], backend: dict[str, np.ndarray],
                      common: dict[str, np.ndarray], capmem: np.ndarray,
                      capmem_enabled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parameter (float) and flag (int) matrices over the 512 circuits in AtomicNeuronOnDLS order.

    ``config`` and ``backend`` are decoded field arrays in atomic-neuron order, ``common`` the
    CommonNeuronBackendConfig fields per block, ``capmem[row, neuron]`` the driven cell values and
    ``capmem_enabled[neuron]`` whether the neuron's CapMem block drives its cells.
    """
    n = capmem.shape[1]
    cap = np.where(capmem_enabled[None, :], capmem, 0).astype(np.float64)
    P = np.zeros((core.N_PARAMS, n))
    F = np.zeros((core.N_FLAGS, n), dtype=np.int64)

    P[core.P_C_MEM] = C_MEM_MIN + C_MEM_PER_STEP * config["membrane_capacitor_size"]
    P[core.P_G_LEAK] = cap[ROW["i_bias_leak"]] * G_PER_LSB * _conductance_scale(
        config["enable_leak_division"], config["enable_leak_multiplication"])
    P[core.P_G_RESET] = cap[ROW["i_bias_reset"]] * G_PER_LSB * _conductance_scale(
        config["enable_reset_division"], config["enable_reset_multiplication"])
    P[core.P_V_LEAK] = voltage("v_leak", cap[ROW["v_leak"]])
    P[core.P_V_RESET] = voltage("v_reset", cap[ROW["v_reset"]])
    P[core.P_V_THRESHOLD] = voltage("v_threshold", cap[ROW["v_threshold"]])
    P[core.P_TAU_EXC] = _tau_syn(cap[ROW["i_bias_synin_exc_tau"]],
                                 config["enable_synaptic_input_excitatory_small_capacitance"],
                                 config["enable_synaptic_input_excitatory_high_resistance"])
    P[core.P_TAU_INH] = _tau_syn(cap[ROW["i_bias_synin_inh_tau"]],
                                 config["enable_synaptic_input_inhibitory_small_capacitance"],
                                 config["enable_synaptic_input_inhibitory_high_resistance"])
    P[core.P_AMP_EXC] = AMP_PER_WEIGHT_GM * cap[ROW["i_bias_synin_exc_gm"]]
    P[core.P_AMP_INH] = AMP_PER_WEIGHT_GM * cap[ROW["i_bias_synin_inh_gm"]]
    sign = np.where(config["invert_membrane_offset"], -1.0, 1.0)
    P[core.P_I_OFFSET] = np.where(config["enable_membrane_offset"],
                                  sign * OFFSET_CURRENT_PER_LSB * cap[ROW["i_mem_offset"]], 0.0)

    # refractory counter: ticks of the selected backend clock of the neuron's block
    block = np.arange(n) % 256 // 128
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
    column = np.arange(n) % 256
    F[core.F_EVENT_OUTPUT] = column // 32
    F[core.F_LABEL] = (F[core.F_EVENT_OUTPUT] << 8) | backend["address_out"]
    return P, F
