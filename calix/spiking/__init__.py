"""Calibration of the spiking mode (calix's ``calix.spiking``): the LIF neuron calibration of
all 512 neurons (:mod:`~calix.spiking.neuron`), its target and options
(:mod:`~calix.spiking.targets`) and its result (:mod:`~calix.spiking.results`)."""

from . import neuron, results, targets
from .neuron import (LeakPotentialCalib, MembraneTimeConstantCalib, ResetPotentialCalib,
                     ThresholdCalib, calibrate_neurons)
from .results import NeuronCalibResult
from .targets import NeuronCalibOptions, NeuronCalibTarget

__all__ = ["LeakPotentialCalib", "MembraneTimeConstantCalib", "NeuronCalibOptions",
           "NeuronCalibResult", "NeuronCalibTarget", "ResetPotentialCalib", "ThresholdCalib",
           "calibrate_neurons", "neuron", "results", "targets"]
