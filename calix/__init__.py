"""calix: calibration of the emulated BrainScaleS-2 chip (the real stack's calix).

A calibration (:class:`Calib`) sets integer parameters (CapMem cells) of many circuits at once
and measures what they do; an algorithm (:mod:`calix.algorithms`) searches the parameters that
give the target; results (:class:`NeuronCalibResult`) apply to a builder, become a
``lola.Chip`` and are cached by :func:`calibrate`::

    import calix, stadls
    with stadls.ManagedConnection(chip_id=0) as connection:
        result = calix.calibrate(calix.NeuronCalibTarget(leak=80, tau_mem=10e-6),
                                 connection=connection)
    builder = stadls.PlaybackProgramBuilder()
    result.apply(builder)                # calibrated LIF neurons on any later experiment

The spiking neuron calibration (:func:`calibrate_neurons`) brings the mismatched emulated neurons
to their targets: leak, reset and threshold potentials (CADC LSB) and the membrane time
constant.
"""

from .algorithms import (BinarySearch, LinearPrediction, LinearSearch, NoisyBinarySearch,
                         PolynomialPrediction, PredictiveModel)
from .base import Algorithm, Calib, CalibResult, ParameterCalibResult, ParameterRange
from .cache import calibrate
from .errors import (AlgorithmError, CalibError, CalibNotSuccessful, ExcessiveNoiseError,
                     TargetError, TooFewSamplesError)
from .neuron import (LeakPotentialCalib, MembraneTimeConstantCalib, ResetPotentialCalib,
                     ThresholdCalib, calibrate_neurons)
from .results import NeuronCalibResult
from .targets import NeuronCalibTarget

__all__ = ["calibrate", "calibrate_neurons", "NeuronCalibTarget", "NeuronCalibResult", "Calib",
           "Algorithm", "CalibResult", "ParameterCalibResult", "ParameterRange", "BinarySearch",
           "NoisyBinarySearch", "LinearSearch", "PredictiveModel", "PolynomialPrediction",
           "LinearPrediction", "LeakPotentialCalib", "MembraneTimeConstantCalib",
           "ResetPotentialCalib", "ThresholdCalib", "CalibError", "CalibNotSuccessful",
           "AlgorithmError", "ExcessiveNoiseError", "TooFewSamplesError", "TargetError"]
