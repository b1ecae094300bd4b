"""The synapse DAC bias (calix's ``common.synapse.DACBiasCalibCADC``): one CapMem cell per
quadrant (``syn_i_bias_dac``) sets the current every synapse of the quadrant drives; quadrants
differ at the same setting. The bias of every quadrant is searched so that the median amplitude
of its neurons matches the weakest quadrant's at the target bias.

calix measures the synapses' pull on the synaptic-input lines; the emulated CADC reads only the
membranes, so here the neurons integrate the events (their own mismatch averages out in the
median over a quadrant's 128 neurons, to about 3 %).
"""

from __future__ import annotations

import logging

import numpy as np

import halco
import lola
import stadls
from ..common.base import ParameterRange
from ..common.cadc_helpers import capmem_set_quadrant_cells
from ..common.helpers import wait_us
from .neuron_helpers import quadrant_medians
from .neuron_synin import SynIntegrationCalib

log = logging.getLogger(__name__)

DAC_CELL = halco.CapMemCellOnCapMemBlock.syn_i_bias_dac
#: the searched range: 0, the cell's reset value, is the emulated chip's nominal bias without
#: mismatch (emulator/MODEL.md), not a setting a calibration may choose
DAC_RANGE = ParameterRange(1, 1022)
#: the target lies this fraction below the weakest quadrant's median: every quadrant then
#: reaches it below the target bias (a quadrant just as weak would otherwise end at the bias, a
#: bound, and fail)
TARGET_MARGIN = 0.03


class DACBiasCalibCADC(SynIntegrationCalib):
    """``syn_i_bias_dac`` of the four quadrants, so that the median amplitude of every quadrant's
    neurons is the least of the quadrants' medians at ``synapse_dac_bias``, less
    :data:`TARGET_MARGIN` (the target can be reached: no quadrant needs more than the target
    bias). ``state``: the neurons (their excitatory input is measured at strength ``gm``);
    ``tau_syn`` [s]: the longest synaptic time constant."""

    #: one integration per measurement: the median over a quadrant's 128 neurons averages the
    #: reads' noise
    repetitions = 1

    def __init__(self, state: lola.AtomicNeuronArray, synapse_dac_bias: int = 1022, gm: int = 450,
                 tau_syn: float = 2.5e-6) -> None:
        super().__init__(DAC_RANGE, halco.CapMemBlockOnDLS.size, state, "excitatory", gm, tau_syn,
                         errors=("synapse DAC bias of quadrants {0} reached the lower bound {1}",
                                 "synapse DAC bias of quadrants {0} reached the upper bound {1}"))
        self.synapse_dac_bias = int(synapse_dac_bias)
        #: the quadrants' median amplitudes at ``synapse_dac_bias``, measured in the prelude
        self.initial_results: np.ndarray | None = None

    def prelude(self, connection: stadls.Connection) -> None:
        self.configure_measurement(connection)
        self.configure_parameters_now(connection, np.full(self.n_instances, self.synapse_dac_bias))
        self.initial_results = quadrant_medians(self.choose_events(connection))
        self.target = float(np.min(self.initial_results)) * (1.0 - TARGET_MARGIN)
        log.info("synapse DAC bias: quadrant medians %s LSB at %d, target %.1f",
                 np.round(self.initial_results, 1).tolist(), self.synapse_dac_bias, self.target)

    def configure_parameters(self, builder: stadls.PlaybackProgramBuilder,
                             parameters: np.ndarray) -> stadls.PlaybackProgramBuilder:
        capmem_set_quadrant_cells(builder, {DAC_CELL: parameters})
        wait_us(builder, 20.0)
        return builder

    def measure_results(self, connection: stadls.Connection,
                        builder: stadls.PlaybackProgramBuilder) -> np.ndarray:
        return quadrant_medians(self.amplitudes(connection, builder))
