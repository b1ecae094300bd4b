"""Parameter transfer: from configuration words (NeuronConfig, CapMem cells, NeuronBackendConfig,
CommonNeuronBackendConfig) to the physical parameters of the 512 circuits.

CapMem cells hold 10-bit values 0..1022. A voltage cell drives ``offset + span * value / 1022``;
a current cell drives about ``value`` nA. Each parameter then goes through its circuit (an OTA
conductance, an RC time constant, a capacitor bank) and through the circuit's own fixed-pattern
deviation (:mod:`emulator.mismatch`). The transfer functions are documented in ``MODEL.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import halco
from . import core
from .mismatch import ALL_GAINS, ALL_VOLTAGES, Mismatch

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
COBA_SLOPE = 10.0               # 1/V: the conductance-based modulation's slope at the largest bias
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
SHARED_V_PER_LSB = 2e-3         # V per LSB of a shared (global) voltage cell, its raw output
V_RAIL = 1.2                    # V, the analog supply: no potential reaches above it
#: the synapse DAC bias (``syn_i_bias_dac``) at which a quadrant's synapses drive the currents
#: of ``AMP_PER_WEIGHT_GM`` (times the quadrant's mismatch); 0, the cell's reset value, stands
#: for the nominal bias without mismatch (MODEL.md)
SYNAPSE_DAC_NOMINAL = 600
#: activation LSB per ``hagen_dac_offset`` code, and the code of no correction (MODEL.md)
HAGEN_DAC_OFFSET_STEP = 0.125
HAGEN_DAC_OFFSET_ZERO = 32
#: the synaptic input OTAs' reference: ``i_bias_synin_*_shift`` moves it by this much per LSB
#: [V]; at SYNIN_SHIFT_NOMINAL it sits at its design level (calix's default, 310), so that an
#: enabled input drives only its mismatch's offset current; 0, the cell's reset value, stands
#: for the design level without mismatch (MODEL.md)
SYNIN_SHIFT_V_PER_LSB = 0.1e-3
SYNIN_SHIFT_NOMINAL = 310

# CapMem rows in halco v3 order
ROW = halco.CAPMEM_ROW_NAMES


@dataclass(frozen=True)
class Voltage:
    """A voltage cell: ``offset + span * value / 1022`` [V]."""

    offset: float
    span: float

    def __call__(self, value: np.ndarray) -> np.ndarray:
        return self.offset + self.span * np.asarray(value) / 1022.0


@dataclass(frozen=True)
class Linear:
    """A current or conductance: ``per_lsb * value``."""

    per_lsb: float

    def __call__(self, value: np.ndarray) -> np.ndarray:
        return self.per_lsb * np.asarray(value, dtype=np.float64)


@dataclass(frozen=True)
class TimeConstant:
    """An RC discharged by a bias current: ``charge / value``, at most ``maximum`` [s]."""

    charge: float
    maximum: float

    def __call__(self, value: np.ndarray) -> np.ndarray:
        value = np.asarray(value, dtype=np.float64)
        return np.minimum(np.where(value > 0, self.charge / np.maximum(value, 1), self.maximum),
                          self.maximum)


#: voltage cells' transfer functions, by the physical quantity (MODEL.md)
VOLTAGE = {
    "v_leak": Voltage(0.20, 0.85), "v_reset": Voltage(0.15, 0.85),
    "v_threshold": Voltage(0.55, 0.80), "v_exp": Voltage(0.35, 0.85),
    "e_rev": Voltage(0.00, 1.20), "v_adapt": Voltage(0.20, 0.85),
}


def shared_voltage(value: np.ndarray) -> np.ndarray:
    """The voltage [V] a shared (global) CapMem voltage cell drives, and any cell at the
    CapMem's debug output: ``value * 2 mV``, at most the 1.2 V rail (calix's CADC reference
    range 70..550 LSB is 0.14..1.10 V)."""
    return np.minimum(np.asarray(value, dtype=np.float64) * SHARED_V_PER_LSB, V_RAIL)


def voltage(name: str, value: np.ndarray) -> np.ndarray:
    """The potential [V] a voltage cell of kind ``name`` (a :data:`VOLTAGE` key) drives."""
    return VOLTAGE[name](value)


@dataclass(frozen=True)
class Transfer:
    """One physical parameter of the circuits, declared as PyNN declares its translations:
    ``parameter`` (a ``core.P_*`` index) is ``function(source)``, where the source is a CapMem
    row (``row``, a ``halco.CAPMEM_ROW_NAMES`` name) or a NeuronConfig field (``config``); times
    the neuron's fixed-pattern gain ``mismatch.gain[gain]`` or plus its offset
    ``mismatch.offset[offset]``; times ``factor`` for each NeuronConfig switch in
    ``switches`` that is set (``{field: factor}``; 0 gates the parameter, -1 flips its sign)."""

    parameter: int
    function: Any
    row: str | None = None
    config: str | None = None
    gain: str | None = None
    offset: str | None = None
    switches: tuple[tuple[str, float], ...] = ()
    #: a switch that must be set for the parameter to act (else 0)
    enable: str | None = None
    #: a source of 0, the cell's reset value, gives 0 without mismatch (see MODEL.md)
    zero_is_nominal: bool = False


def _synin_reference_offset(value: np.ndarray) -> np.ndarray:
    """The input OTA's offset [V] from its reference shift: positive drives current into the
    input (the excitatory one excites, the inhibitory one inhibits); a larger shift, a lower one."""
    return (SYNIN_SHIFT_NOMINAL - np.asarray(value, dtype=np.float64)) * SYNIN_SHIFT_V_PER_LSB


def _coba_slope(value: np.ndarray) -> np.ndarray:
    """The conductance-based modulation's slope [1/V]: COBA_SLOPE at the largest bias."""
    return np.asarray(value, dtype=np.float64) / 1022.0 * COBA_SLOPE


def _synaptic_input(kind: str, polarity: str) -> tuple[Transfer, ...]:
    p = {name: getattr(core, f"P_{name}_{kind.upper()}")
         for name in ("TAU", "AMP", "I_SAT", "E_REV", "COBA", "REF")}
    return (
        Transfer(p["TAU"], TimeConstant(TAU_SYN_CHARGE, TAU_SYN_MAX), row=f"i_bias_synin_{kind}_tau",
                 gain=f"tau_{kind}", switches=(
                     (f"enable_synaptic_input_{polarity}_small_capacitance", SMALL_CAPACITANCE_FACTOR),
                     (f"enable_synaptic_input_{polarity}_high_resistance", HIGH_RESISTANCE_FACTOR))),
        Transfer(p["AMP"], Linear(AMP_PER_WEIGHT_GM), row=f"i_bias_synin_{kind}_gm", gain=f"amp_{kind}"),
        Transfer(p["I_SAT"], Linear(I_SAT_PER_GM), row=f"i_bias_synin_{kind}_gm", gain=f"amp_{kind}"),
        Transfer(p["E_REV"], VOLTAGE["e_rev"], row=f"e_synin_{kind}_rev", offset=f"e_rev_{kind}"),
        Transfer(p["COBA"], _coba_slope, row=f"i_bias_synin_{kind}_coba", gain=f"coba_{kind}"),
        Transfer(p["REF"], _synin_reference_offset, row=f"i_bias_synin_{kind}_shift",
                 offset=f"synin_ref_{kind}", enable=f"enable_synaptic_input_{polarity}",
                 zero_is_nominal=True),
    )


#: every analog parameter of the circuits, from its CapMem row or NeuronConfig field
TRANSFERS: tuple[Transfer, ...] = (
    Transfer(core.P_C_MEM, lambda size: C_MEM_MIN + C_MEM_PER_STEP * size,
             config="membrane_capacitor_size", gain="c_mem"),
    Transfer(core.P_G_LEAK, Linear(G_PER_LSB), row="i_bias_leak", gain="g_leak",
             switches=(("enable_leak_division", DIVISION), ("enable_leak_multiplication", MULTIPLICATION))),
    Transfer(core.P_G_RESET, Linear(G_PER_LSB), row="i_bias_reset", gain="g_reset",
             switches=(("enable_reset_division", DIVISION), ("enable_reset_multiplication", MULTIPLICATION))),
    Transfer(core.P_V_LEAK, VOLTAGE["v_leak"], row="v_leak", offset="v_leak"),
    Transfer(core.P_V_RESET, VOLTAGE["v_reset"], row="v_reset", offset="v_reset"),
    Transfer(core.P_V_THRESHOLD, VOLTAGE["v_threshold"], row="v_threshold", offset="v_threshold"),
    *_synaptic_input("exc", "excitatory"),
    *_synaptic_input("inh", "inhibitory"),
    Transfer(core.P_I_OFFSET, Linear(OFFSET_CURRENT_PER_LSB), row="i_mem_offset", gain="i_offset",
             enable="enable_membrane_offset", switches=(("invert_membrane_offset", -1.0),)),
    # adaptation: tau_w dw/dt = a (V - v_adapt) - w; w += b at a spike; -w onto the membrane
    Transfer(core.P_A, Linear(A_PER_LSB), row="i_bias_adapt_a", gain="a",
             switches=(("invert_adaptation_a", -1.0),)),
    Transfer(core.P_B, Linear(B_PER_LSB), row="i_bias_adapt_b", gain="b",
             switches=(("invert_adaptation_b", -1.0),)),
    Transfer(core.P_TAU_W, TimeConstant(TAU_W_CHARGE, TAU_W_MAX), row="i_bias_adapt_tau", gain="tau_w"),
    Transfer(core.P_V_ADAPT, VOLTAGE["v_adapt"], row="v_adapt_leak", offset="v_adapt"),
    Transfer(core.P_V_ADAPT_REF, VOLTAGE["v_adapt"], row="v_adapt_ref"),
    # exponential term: I_exp exp((V - v_exp) / delta_T)
    Transfer(core.P_I_EXP, Linear(I_EXP_PER_LSB), row="i_bias_exp", gain="i_exp"),
    Transfer(core.P_V_EXP, VOLTAGE["v_exp"], row="v_exp", offset="v_exp"),
)
#: CapMem rows that no parameter of the membrane model reads: i_bias_nmda is the
#: inter-compartment conductance (:mod:`emulator.compartments`)
ROWS_ELSEWHERE = {"i_bias_nmda": "g_nmda"}
#: constant parameters of every circuit
CONSTANTS = {core.P_DELTA_T: DELTA_T, core.P_NOISE: MEMBRANE_NOISE, core.P_V_SYNIN_REF: V_SYNIN_REF}
#: flags copied from NeuronConfig (``config:``) and NeuronBackendConfig (``backend:``) fields
FLAGS = {
    core.F_COBA_EXC: "config:enable_synaptic_input_excitatory_coba_mode",
    core.F_COBA_INH: "config:enable_synaptic_input_inhibitory_coba_mode",
    core.F_ADAPTATION: "config:enable_adaptation",
    core.F_ADAPTATION_PULSE: "backend:enable_adaptation_pulse",
    core.F_EXPONENTIAL: "config:enable_exponential",
    core.F_SPIKE_OUT: "backend:enable_spike_out",
    core.F_BYPASS_EXC: "config:enable_bypass_excitatory",
    core.F_BYPASS_INH: "config:enable_bypass_inhibitory",
    core.F_SYNIN_EXC: "config:enable_synaptic_input_excitatory",
    core.F_SYNIN_INH: "config:enable_synaptic_input_inhibitory",
    core.F_PAUSE: "config:enable_pause",
    core.F_READOUT_SOURCE: "config:readout_source",
}


def _check_tables() -> None:
    """Every CapMem row is read once (or listed in ROWS_ELSEWHERE), every parameter is set once
    and every mismatch key is used: the table, the CapMem rows and the mismatch agree."""
    rows = [t.row for t in TRANSFERS if t.row is not None]
    read = set(rows) | set(ROWS_ELSEWHERE)
    if read != set(ROW):
        raise RuntimeError(f"TRANSFERS and the CapMem rows differ: {sorted(read ^ set(ROW))}")
    parameters = [t.parameter for t in TRANSFERS] + list(CONSTANTS)
    if len(parameters) != len(set(parameters)):
        raise RuntimeError("a parameter is set twice in TRANSFERS")
    gains = {t.gain for t in TRANSFERS if t.gain} | {g for g in ROWS_ELSEWHERE.values() if g}
    offsets = {t.offset for t in TRANSFERS if t.offset}
    if gains != set(ALL_GAINS) or offsets != set(ALL_VOLTAGES):
        raise RuntimeError(f"TRANSFERS and the mismatch keys differ: gains {gains ^ set(ALL_GAINS)}, "
                           f"offsets {offsets ^ set(ALL_VOLTAGES)}")


_check_tables()


def synapse_dac_factor(value: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """The factor on the synaptic currents of each quadrant for its synapse DAC bias ``value``
    (``syn_i_bias_dac`` [4], CapMem LSB) and the quadrants' mismatch ``gain`` [4]: the DAC's
    current is proportional to its bias, ``gain * value / SYNAPSE_DAC_NOMINAL``; a bias of 0
    (never written: the cell's reset value) gives the nominal currents, factor 1, so that
    experiments that never set it behave as before it was modelled."""
    value = np.asarray(value, dtype=np.float64)
    return np.where(value == 0, 1.0, np.asarray(gain) * value / SYNAPSE_DAC_NOMINAL)


def hagen_activation_shift(enable_hagen_dac: np.ndarray, hagen_dac_offset: np.ndarray,
                           offset: np.ndarray) -> np.ndarray:
    """The shift [activation LSB] each synapse driver's HAGEN DAC adds to the activation it
    turns into a pulse: its own ``offset`` (mismatch) plus, with ``enable_hagen_dac``, the
    correction ``HAGEN_DAC_OFFSET_STEP * (HAGEN_DAC_OFFSET_ZERO - hagen_dac_offset)`` (a larger
    code, a shorter pulse)."""
    correction = HAGEN_DAC_OFFSET_STEP * (HAGEN_DAC_OFFSET_ZERO - np.asarray(hagen_dac_offset, dtype=np.float64))
    return np.asarray(offset, dtype=np.float64) + np.where(enable_hagen_dac, correction, 0.0)


def clock_frequency(scale: np.ndarray) -> np.ndarray:
    """Frequency [Hz] of a neuron backend clock with ``clock_scale`` s: 250 MHz / 2**(s+1)."""
    return PPU_CLOCK_HZ / 2.0 ** (np.asarray(scale) + 1)


def _transfer(t: Transfer, source: np.ndarray, config: dict[str, np.ndarray], mismatch: Mismatch,
              neurons: slice | np.ndarray) -> np.ndarray:
    """Parameter ``t`` of the circuits ``neurons`` (an index into the 512) from its ``source``
    values of those circuits. The full and the incremental computation
    (:func:`update_neuron_parameters`) both go through here, element by element the same
    operations, so that their results are bit-identical."""
    value = t.function(source)
    if t.gain is not None:
        value = value * _at(mismatch.gain[t.gain], neurons)
    if t.offset is not None:
        value = value + _at(mismatch.offset[t.offset], neurons)
    for switch, factor in t.switches:
        value = value * np.where(config[switch][neurons], factor, 1.0)
    if t.enable is not None:
        value = np.where(config[t.enable][neurons], value, 0.0)
    if t.zero_is_nominal:
        value = np.where(np.asarray(source) == 0, 0.0, value)
    return value


def _at(values: np.ndarray | float, neurons: slice | np.ndarray) -> np.ndarray | float:
    """A per-circuit mismatch array at ``neurons`` (a scalar deviation applies to all)."""
    return values[neurons] if np.ndim(values) else values


#: CapMem row index -> the transfers (TRANSFERS entries) that read it
TRANSFERS_OF_ROW: dict[int, tuple[Transfer, ...]] = {
    ROW[name]: tuple(t for t in TRANSFERS if t.row == name) for name in ROW}


def update_neuron_parameters(P: np.ndarray, row: int, neurons: np.ndarray, values: np.ndarray,
                             enabled: np.ndarray, config: dict[str, np.ndarray],
                             mismatch: Mismatch) -> list[int]:
    """Recompute in place the parameters ``P`` (as from :func:`neuron_parameters`) that read
    CapMem row ``row`` (a ``halco.CAPMEM_ROW_NAMES`` index), for the circuits ``neurons``
    (AtomicNeuronOnDLS enums) only, after their cells of that row changed: ``values`` are those
    cells' driven values [CapMem LSB] and ``enabled`` whether their blocks drive them; ``config``
    and ``mismatch`` as for :func:`neuron_parameters`. Returns the parameter indices
    (``core.P_*``) rewritten; the result is bit-identical to a full :func:`neuron_parameters`."""
    cap = np.where(enabled, values, 0).astype(np.float64)
    written = []
    for t in TRANSFERS_OF_ROW[row]:
        P[t.parameter, neurons] = _transfer(t, cap, config, mismatch, neurons)
        written.append(t.parameter)
    return written


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
    P = np.zeros((core.N_PARAMS, n))
    F = np.zeros((core.N_FLAGS, n), dtype=np.int64)
    for t in TRANSFERS:
        P[t.parameter] = _transfer(t, cap[ROW[t.row]] if t.row is not None else config[t.config],
                                   config, mismatch, slice(None))
    for parameter, value in CONSTANTS.items():
        P[parameter] = value
    for flag, source in FLAGS.items():
        kind, field = source.split(":")
        F[flag] = (config if kind == "config" else backend)[field]

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
    F[core.F_EVENT_OUTPUT] = halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronEventOutputOnDLS)
    F[core.F_LABEL] = (F[core.F_EVENT_OUTPUT] << 8) | backend["address_out"]
    F[core.F_BITS] = core.flag_bits(F)
    return P, F
