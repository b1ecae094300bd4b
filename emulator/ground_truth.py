"""The emulated chip's ground truth: what its circuits truly are (their parameters after the
transfer functions and the chip's mismatch, ``core.P_*``) and what follows from them. A real
chip has no such thing: calibrations never use it, their tests, benchmarks and demonstrations
check against it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import halco
from . import core

if TYPE_CHECKING:
    from .chip import Chip

#: the synaptic inputs' true parameters
KINDS = ("excitatory", "inhibitory")
AMPLITUDE = {"excitatory": core.P_AMP_EXC, "inhibitory": core.P_AMP_INH}
TAU = {"excitatory": core.P_TAU_EXC, "inhibitory": core.P_TAU_INH}


def parameters(chip: "Chip") -> np.ndarray:
    """The circuits' true parameters [core.P_*, neuron] as the chip is configured now."""
    chip._update_parameters()
    return chip.P.copy()


def membrane_channels() -> np.ndarray:
    """The causal CADC channel (CADCChannelConfigOnDLS enum) that reads each neuron's membrane
    [512] (the channel of the neuron's column in its hemisphere)."""
    per_synram = halco.CADCChannelConfigOnSynram.size
    columns = halco.CADCChannelColumnOnSynram.size
    neuron = np.arange(halco.AtomicNeuronOnDLS.size)
    return (neuron // columns) * per_synram + neuron % columns


def cadc_reads(chip: "Chip", voltages: np.ndarray) -> np.ndarray:
    """What each neuron's own CADC channel reads for ``voltages`` [512] V: without noise,
    unrounded, with the chip's present ramps and digital offsets."""
    channels = membrane_channels()
    full = np.zeros(halco.CADCChannelConfigOnDLS.size)
    full[channels] = voltages
    return chip.readout.channel_codes(full, rounded=False)[channels]


def membrane_time_constants(P: np.ndarray) -> np.ndarray:
    """C / g_leak [s] of every neuron."""
    return P[core.P_C_MEM] / P[core.P_G_LEAK]


def event_charges(P: np.ndarray, kind: str) -> np.ndarray:
    """The potential [V] one weight-LSB event integrates on each neuron without leak (the
    neuron's part: without the synapse's own mismatch and the input's saturation)."""
    return P[AMPLITUDE[kind]] * P[TAU[kind]] / P[core.P_C_MEM]


REFERENCE = {"excitatory": core.P_REF_EXC, "inhibitory": core.P_REF_INH}
SATURATION = {"excitatory": core.P_I_SAT_EXC, "inhibitory": core.P_I_SAT_INH}


def idle_rest_shifts(P: np.ndarray, kind: str) -> np.ndarray:
    """How far [V] the ``kind`` input's idle current (its OTA's offset, no event) moves each
    neuron's rest: the current through the input's saturation, over the leak conductance;
    positive is up (an inhibitory input's current subtracts)."""
    idle = P[SATURATION[kind]] * P[REFERENCE[kind]] / core.V_OTA_LINEAR
    through = idle / (1.0 + np.abs(idle) / np.maximum(P[SATURATION[kind]], 1e-30))
    return (1.0 if kind == "excitatory" else -1.0) * through / P[core.P_G_LEAK]


def psp_heights(P: np.ndarray, kind: str) -> np.ndarray:
    """The peak [V] of one weight-LSB PSP of each neuron (the neuron's part): the current
    ``I0 exp(-t / tau_s)`` on the leaky membrane, its peak found on a fine grid."""
    tau_s = P[TAU[kind]]
    tau_m = membrane_time_constants(P)
    t = np.linspace(0.0, 10.0, 20001)[:, None] * np.maximum(tau_s, tau_m)
    equal = np.isclose(tau_m, tau_s, rtol=1e-6)
    shape = np.where(equal, t / tau_s * np.exp(-t / tau_s),
                     (np.exp(-t / tau_m) - np.exp(-t / tau_s)) / np.where(equal, 1.0, tau_m - tau_s) * tau_m)
    return P[AMPLITUDE[kind]] * tau_s / P[core.P_C_MEM] * shape.max(axis=0)


def synapse_dac_factors(chip: "Chip") -> np.ndarray:
    """The factor [4] (per CapMem block: NW, NE, SW, SE) on the currents of each quadrant's
    synapses from its synapse DAC bias (``syn_i_bias_dac``) and the quadrant's mismatch, as the
    chip is configured now."""
    from . import transfer

    return transfer.synapse_dac_factor(chip.capmem_value(halco.CapMemCellOnCapMemBlock.syn_i_bias_dac),
                                       chip.mismatch.synapse_dac_gain)


def hagen_activation_shifts(chip: "Chip") -> np.ndarray:
    """The shift [256] (SynapseDriverOnDLS order, activation LSB) each synapse driver adds to
    a HAGEN-mode activation as configured now: its DAC's offset plus the correction of its
    ``hagen_dac_offset`` where ``enable_hagen_dac`` is set. A driver with shift s turns
    activation a into the pulse of ``clip(a + s, 0, 32)``."""
    chip._update_parameters()
    return chip._driver_config[1][:, core.DF_HAGEN_SHIFT].copy()


def synapse_driver_gains(chip: "Chip") -> np.ndarray:
    """The strength [256] (SynapseDriverOnDLS order) of an event through each synapse driver,
    relative to a driver and synapses without mismatch: the mean gain of the 512 synapses of
    its two rows (2d and 2d + 1), the driver's own deviation included."""
    gains = chip.mismatch.synapse_gain                     # [synram, row, column]
    drivers = halco.SynapseDriverOnSynapseDriverBlock.size
    return gains.reshape(gains.shape[0], drivers, 2, gains.shape[2]).mean(axis=(2, 3)).reshape(-1)


def stp_efficacies(chip: "Chip") -> np.ndarray:
    """The strength [256] of each driver's event with short-term plasticity on, as configured
    now, from a fully recovered driver (full resources; a facilitating one at its base
    utilization): its gain times the STP factor ``1 + offset / 30``."""
    chip._update_parameters()
    return synapse_driver_gains(chip) * (1.0 + chip._driver_config[1][:, core.DF_OFFSET])


def correlation_amplitudes(chip: "Chip") -> np.ndarray:
    """How far each correlation sensor's output falls [V] per pre/post pair at zero delay, as
    configured now [branch (causal, acausal), synram, row, column]: its quadrant's amplitude
    (``syn_i_bias_store``) times its own gain."""
    from . import readout

    chip._update_parameters()
    eta = chip._correlation_config[0][:, core.CP_ETA]      # [CapMem block] nominal CADC LSB
    columns = np.arange(halco.SynapseOnSynapseRow.size)
    block = 2 * np.arange(halco.SynramOnDLS.size)[:, None] + columns[None, :] // (columns.size // 2)
    return eta[block][None, :, None, :] * chip.mismatch.correlation_gain * readout.CADC_V_PER_LSB


def correlation_time_constants(chip: "Chip") -> np.ndarray:
    """The correlation sensors' time constant [s] in each quadrant (CapMemBlockOnDLS order) as
    configured now (``syn_i_bias_ramp``; every sensor of a quadrant has its quadrant's)."""
    from . import transfer

    chip._update_parameters()
    return chip._correlation_config[0][:, core.CP_TAU] / transfer.FPGA_CLOCK_HZ


def cadc_codes_per_volt(chip: "Chip") -> np.ndarray:
    """How many codes [1024] (CADCChannelConfigOnDLS order) each CADC channel's reading rises
    per volt of its input, with its present ramp (the inverse of the ramp's step; NaN where
    the ramp does not rise)."""
    low = chip.readout.channel_codes(0.4, rounded=False)
    high = chip.readout.channel_codes(0.6, rounded=False)
    return (high - low) / 0.2
