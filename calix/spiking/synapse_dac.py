"""The synapse DAC bias in the spiking flow (calix's ``neuron_calib_parts.
calibrate_synapse_dac_bias``, step 5 of the spiking neuron calibration): every quadrant's
``syn_i_bias_dac`` is set to the target, then searched so that each quadrant's synapses drive
the weakest quadrant's current (:class:`calix.hagen.DACBiasCalibCADC`, measured on the
neurons as integrators of their excitatory input at its uncalibrated strength).

It runs after the synaptic time constants and before the strengths: the per-neuron strength
calibration then matches neurons within a quadrant, starting from quadrants that already agree,
so that the strengths of all neurons need the same range of ``i_synin_gm``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import halco
import lola
import stadls
from ..common.algorithms import BinarySearch
from ..common.base import ParameterCalibResult
from ..common.cadc_helpers import capmem_set_quadrant_cells
from ..common.helpers import run, wait_us

DAC_CELL = halco.CapMemCellOnCapMemBlock.syn_i_bias_dac
#: the measurement's membranes start here (CapMem LSB, about 40 CADC LSB on the spiking range):
#: the integrated amplitude (~70 LSB) stays inside the range
V_START = 130


class SynapseDACBiasStep:
    """One step of :func:`~calix.spiking.neuron.calibrate_neurons`: ``run`` calibrates the four
    quadrants' ``syn_i_bias_dac`` (CapMem LSB, searched in 1..1022) from ``synapse_dac_bias``
    on the neurons of ``state`` (their excitatory inputs at strength ``gm`` CapMem LSB and time
    constants up to ``tau_syn`` seconds; ``gm``: one value or 512), leaves them written and keeps them in
    :attr:`syn_i_bias_dac` [4]; a neuron succeeds with its quadrant."""

    def __init__(self, state: lola.AtomicNeuronArray, synapse_dac_bias: int, gm: Any,
                 tau_syn: float) -> None:
        self.state = state
        self.synapse_dac_bias = int(synapse_dac_bias)
        self.gm = gm
        self.tau_syn = float(tau_syn)
        self.syn_i_bias_dac = np.full(halco.CapMemBlockOnDLS.size, self.synapse_dac_bias, dtype=np.int64)

    def algorithm(self, seed: int) -> BinarySearch:
        """The search (the quadrants' medians over 128 neurons are not noisy)."""
        return BinarySearch()

    def run(self, connection: stadls.Connection, algorithm: Any, target: Any = None) -> ParameterCalibResult:
        from ..hagen.neuron_helpers import QUADRANT          # hagen builds on spiking's inputs
        from ..hagen.synapse import DACBiasCalibCADC

        measured = self.state.copy()
        measured["reset_v_reset"] = V_START
        calib = DACBiasCalibCADC(measured, self.synapse_dac_bias, self.gm, self.tau_syn)
        result = calib.run(connection, algorithm)
        self.syn_i_bias_dac = result.calibrated_parameters.astype(np.int64)
        builder = stadls.PlaybackProgramBuilder()
        capmem_set_quadrant_cells(builder, {DAC_CELL: self.syn_i_bias_dac})
        wait_us(builder, 20.0)
        run(connection, builder)
        return ParameterCalibResult(np.asarray(self.syn_i_bias_dac)[QUADRANT], result.success[QUADRANT])
