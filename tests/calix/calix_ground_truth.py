"""Ground truth of the emulated chip for the calibration tests (``emulator.ground_truth``),
taken on an emulator as a connection: never the measurements a calibration used."""

from __future__ import annotations

import numpy as np

import lola
import stadls
from calix.common import helpers
from emulator import Emulator, ground_truth
from emulator.ground_truth import AMPLITUDE, KINDS, TAU, event_charges, psp_heights  # noqa: F401

event_charge = event_charges


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
    return ground_truth.parameters(connection.chip)


def cadc_reads(connection: Emulator, voltages: np.ndarray) -> np.ndarray:
    """What each neuron's own CADC channel reads for ``voltages`` [512] V (no noise, unrounded)."""
    return ground_truth.cadc_reads(connection.chip, voltages)


def relative_spread(values: np.ndarray) -> float:
    return float(np.std(values) / np.mean(values))
