"""Calibration of the HAGEN (non-spiking) mode, the analog multiply-accumulate (calix's
``calix.hagen``): the neurons integrate their synaptic inputs, each synapse driver turns an
event's 5-bit activation into a pulse, the CADC reads the membranes.

:class:`HagenCalibTarget` (``calix.calibrate`` dispatches on it) runs :func:`calibrate`: the
CADC on the HAGEN range (:mod:`calix.common.cadc`), the neurons with the synapse DAC bias
(:mod:`~calix.hagen.neuron`, :mod:`~calix.hagen.synapse`, :mod:`~calix.hagen.neuron_synin`)
and the synapse drivers' DAC offsets (:mod:`~calix.hagen.synapse_driver`); its
:class:`HagenCalibResult` applies to a builder, becomes a ``lola.Chip``, pickles and converts
to JSON::

    import calix, stadls
    with stadls.ManagedConnection(chip_id=0) as connection:
        result = calix.calibrate(calix.HagenCalibTarget(), connection=connection)
    builder = stadls.PlaybackProgramBuilder()
    result.apply(builder)                # integrators, DAC biases, drivers in HAGEN mode
"""

from . import neuron, neuron_helpers, neuron_synin, synapse, synapse_driver, targets, top_level
from .neuron import HagenNeuronCalibResult, HagenSynTimeConstantCalib
from .neuron_synin import ExcSynBiasCalib, InhSynBiasCalib
from .synapse import DACBiasCalibCADC
from .synapse_driver import HagenDACOffsetCalib, SynapseDriverCalibResult
from .targets import (HagenCalibOptions, HagenCalibTarget, HagenNeuronCalibTarget,
                      SynapseDriverCalibOptions)
from .top_level import HagenCalibResult, calibrate

__all__ = ["DACBiasCalibCADC", "ExcSynBiasCalib", "HagenCalibOptions", "HagenCalibResult",
           "HagenCalibTarget", "HagenDACOffsetCalib", "HagenNeuronCalibResult",
           "HagenNeuronCalibTarget", "HagenSynTimeConstantCalib", "InhSynBiasCalib",
           "SynapseDriverCalibOptions", "SynapseDriverCalibResult", "calibrate", "neuron",
           "neuron_helpers", "neuron_synin", "synapse", "synapse_driver", "targets", "top_level"]
