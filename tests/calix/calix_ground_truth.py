"""Ground truth of the emulated chip for the calibration tests: the circuits' true parameters
(``emulator.chip.P``, from the true transfer functions and the chip's mismatch) and what follows
from them, never the measurements a calibration used."""

from __future__ import annotations

import numpy as np

import emulator.core as core
import halco
import lola
import stadls
from calix.common import helpers
from emulator import Emulator

KINDS = ("excitatory", "inhibitory")
AMPLITUDE = {"excitatory": core.P_AMP_EXC, "inhibitory": core.P_AMP_INH}
TAU = {"excitatory": core.P_TAU_EXC, "inhibitory": core.P_TAU_INH}


def initialized_emulator(chip_id: int = 0, cadc_membranes: bool = False) -> Emulator:
    """A fresh emulated chip after stadls.SystemInit (the shared biases the circuits need),
    with every membrane on the CADC if ``cadc_membranes``."""
    connection = Emulator(chip_id=chip_id)
    builder, _ = stadls.generate(stadls.SystemInit())
    if cadc_membranes:
        helpers.enable_cadc_membranes(builder)
    helpers.run(connection, builder)
    return connection


def true_parameters(connection: Emulator, state: lola.AtomicNeuronArray | None = None) -> np.ndarray:
    """The emulated neurons' true parameters [parameter, neuron], after configuring ``state``
    with both synaptic inputs enabled (None: as configured)."""
    if state is not None:
        builder = stadls.PlaybackProgramBuilder()
        configured = state.copy()
        for kind in KINDS:
            configured[f"{kind}_input_enable"] = True
        configured.write(builder)
        helpers.run(connection, builder)
    connection.chip._update_parameters()
    return connection.chip.P.copy()


def psp_heights(P: np.ndarray, kind: str) -> np.ndarray:
    """The peak [V] of one weight-LSB PSP of each neuron (the neuron's part, without the
    synapse's own mismatch): the current I0 exp(-t / tau_s) on a leaky membrane."""
    tau_s = P[TAU[kind]]
    tau_m = P[core.P_C_MEM] / P[core.P_G_LEAK]
    t = np.linspace(0.0, 10.0, 20001)[:, None] * np.maximum(tau_s, tau_m)
    equal = np.isclose(tau_m, tau_s, rtol=1e-6)
    shape = np.where(equal, t / tau_s * np.exp(-t / tau_s),
                     (np.exp(-t / tau_m) - np.exp(-t / tau_s)) / np.where(equal, 1.0, tau_m - tau_s) * tau_m)
    return P[AMPLITUDE[kind]] * tau_s / P[core.P_C_MEM] * shape.max(axis=0)


def event_charge(P: np.ndarray, kind: str) -> np.ndarray:
    """The potential [V] one weight-LSB event integrates on a neuron without leak."""
    return P[AMPLITUDE[kind]] * P[TAU[kind]] / P[core.P_C_MEM]


def relative_spread(values: np.ndarray) -> float:
    return float(np.std(values) / np.mean(values))


def neuron_channels() -> np.ndarray:
    """The causal CADC channel (CADCChannelConfigOnDLS enum) reading each neuron [512]."""
    _, neurons = helpers._cadc_layout()
    quad = halco.enum_map(halco.SynapseOnSynapseRow, halco.SynapseQuadColumnOnDLS)
    entry = halco.enum_map(halco.SynapseOnSynapseRow, halco.EntryOnQuad)
    column = np.empty((len(np.unique(quad)), 4), dtype=np.int64)     # [quad, entry] -> column
    column[quad, entry] = np.arange(len(quad))
    out = np.empty(512, dtype=np.int64)
    for i, row in enumerate(neurons.reshape(-1, 4)):
        synram, q = divmod(i, column.shape[0])
        out[row] = synram * 512 + column[q]
    return out


def cadc_reads(connection: Emulator, voltages: np.ndarray) -> np.ndarray:
    """What each neuron's own CADC channel reads for ``voltages`` [512] V, without noise and
    unrounded (the chip's present ramps and offsets)."""
    channels = neuron_channels()
    full = np.zeros(1024)
    full[channels] = voltages
    return connection.chip.readout.channel_codes(full, rounded=False)[channels]
