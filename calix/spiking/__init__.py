"""Calibration of the spiking mode (calix's ``calix.spiking``): the LIF neuron calibration of
all 512 neurons (:mod:`~calix.spiking.neuron`) with their synaptic inputs
(:mod:`~calix.spiking.synaptic_input`, their reference potentials:
:mod:`~calix.spiking.synin_reference`), its target and options (:mod:`~calix.spiking.targets`),
its result (:mod:`~calix.spiking.results`) and the translation of biological parameters into
targets (:mod:`~calix.spiking.biological`); the synapse drivers' STP offsets
(:mod:`~calix.spiking.stp`) and the correlation sensors (:mod:`~calix.spiking.correlation`)."""

from . import (biological, coba, correlation, neuron, results, stp, synaptic_input, synin_reference,
               targets, top_level)
from .adex import (AdaptationReferenceCalib, AdaptationStrengthCalib, AdaptationTimeConstantCalib,
                   ExponentialOnsetCalib, SpikeTriggeredAdaptationCalib)
from .biological import BiologicalUnits
from .coba import COBABiasCalib, COBAReferenceCalib
from .correlation import (CorrelationCalibOptions, CorrelationCalibResult, CorrelationCalibTarget,
                          calibrate_correlation)
from .neuron import (LeakPotentialCalib, MembraneTimeConstantCalib, ResetPotentialCalib,
                     ThresholdCalib, calibrate_neurons)
from .results import NeuronCalibResult, SpikingCalibResult
from .stp import STPCalibOptions, STPCalibResult, STPCalibTarget, STPOffsetCalib, calibrate_stp
from .synaptic_input import SynAmplitudeCalib, SynTimeConstantCalib, calibrate_synaptic_inputs
from .synin_reference import ExcSynReferenceCalib, InhSynReferenceCalib, SynReferenceCalib
from .targets import (CalibratedCubaSynapticInput, CalibratedMatchingCubaSynapticInput,
                      NeuronCalibOptions, NeuronCalibTarget, SpikingCalibOptions,
                      SpikingCalibTarget, UncalibratedCubaSynapticInput)
from .top_level import calibrate_spiking

__all__ = ["AdaptationReferenceCalib", "AdaptationStrengthCalib", "AdaptationTimeConstantCalib",
           "ExponentialOnsetCalib", "SpikeTriggeredAdaptationCalib", "adex", "neuron_helpers",
           "SpikingCalibOptions", "SpikingCalibResult", "SpikingCalibTarget", "calibrate_spiking",
           "top_level", "COBABiasCalib", "COBAReferenceCalib", "coba", "BiologicalUnits", "CalibratedCubaSynapticInput", "CalibratedMatchingCubaSynapticInput",
           "LeakPotentialCalib", "MembraneTimeConstantCalib", "NeuronCalibOptions",
           "NeuronCalibResult", "NeuronCalibTarget", "ResetPotentialCalib", "SynAmplitudeCalib",
           "SynTimeConstantCalib", "ThresholdCalib", "UncalibratedCubaSynapticInput",
           "biological", "calibrate_neurons", "calibrate_synaptic_inputs", "neuron", "results",
           "synaptic_input", "targets", "correlation", "CorrelationCalibOptions",
           "CorrelationCalibResult", "CorrelationCalibTarget", "calibrate_correlation", "stp",
           "STPCalibOptions", "STPCalibResult", "STPCalibTarget", "STPOffsetCalib", "calibrate_stp",
           "ExcSynReferenceCalib", "InhSynReferenceCalib", "SynReferenceCalib", "synin_reference"]
