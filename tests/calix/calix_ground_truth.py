"""Ground truth of the emulated chip for the calibration tests (``emulator.ground_truth``),
taken on an emulator as a connection: never the measurements a calibration used."""

from __future__ import annotations

import numpy as np

import halco
import lola
import stadls
from calix.common import helpers
from calix.common.cadc_helpers import capmem_set_quadrant_cells
from emulator import Emulator, ground_truth
from emulator.ground_truth import AMPLITUDE, KINDS, TAU, event_charges, psp_heights  # noqa: F401

event_charge = event_charges


def initialized_emulator(chip_id: int = 0, cadc_membranes: bool = False,
                         syn_i_bias_dac: np.ndarray | None = None) -> Emulator:
    """A fresh emulated chip after stadls.SystemInit (the shared biases the circuits need),
    with every membrane on the CADC if ``cadc_membranes`` and the quadrants' synapse DAC
    biases ``syn_i_bias_dac`` [4] if given (a calibration's)."""
    connection = Emulator(chip_id=chip_id)
    builder, _ = stadls.generate(stadls.SystemInit())
    if cadc_membranes:
        helpers.enable_cadc_membranes(builder)
    if syn_i_bias_dac is not None:
        capmem_set_quadrant_cells(builder, {halco.CapMemCellOnCapMemBlock.syn_i_bias_dac: syn_i_bias_dac})
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
    return ground_truth.parameters(connection.chip)


def cadc_reads(connection: Emulator, voltages: np.ndarray) -> np.ndarray:
    """What each neuron's own CADC channel reads for ``voltages`` [512] V (no noise, unrounded)."""
    return ground_truth.cadc_reads(connection.chip, voltages)


def relative_spread(values: np.ndarray) -> float:
    return float(np.std(values) / np.mean(values))
