"""calix: calibration of the emulated BrainScaleS-2 chip (the real stack's calix).

The layout is the real calix's: :mod:`calix.common` (the :class:`Calib` framework, the search
algorithms, measurement helpers, the cache) and :mod:`calix.spiking` (the spiking neuron
calibration). A calibration (:class:`Calib`) sets integer parameters (CapMem cells) of many
circuits at once and measures what they do; an algorithm searches the parameters that give the
target; :func:`calibrate` takes any target (a :class:`TopLevelCalibTarget`, which knows how to
calibrate itself), caches the result, which applies to a builder and becomes a ``lola.Chip``::

    import calix, stadls
    with stadls.ManagedConnection(chip_id=0) as connection:
        result = calix.calibrate(calix.NeuronCalibTarget(leak=80, tau_mem=10e-6),
                                 connection=connection)
    builder = stadls.PlaybackProgramBuilder()
    result.apply(builder)                # calibrated LIF neurons on any later experiment

The CADC calibration (:class:`CADCCalibTarget`, :mod:`calix.common.cadc`) brings the ramps
of the four quadrants and the offsets of all 1024 CADC channels to a common transfer function.
The spiking neuron calibration (:func:`calibrate_neurons`) brings the mismatched emulated neurons
to their targets: both synaptic inputs (time constants, strengths matched across the neurons),
leak, reset and threshold potentials (CADC LSB) and the membrane time constant;
:class:`BiologicalUnits` translates biological parameters (mV, ms, nA, nF) into its targets.
:func:`calibrate_stp` matches the synapse drivers' STP strengths per quadrant
(:class:`STPCalibTarget`), :func:`calibrate_correlation` the correlation sensors' amplitude and
time constant (:class:`CorrelationCalibTarget`); :class:`SpikingCalibTarget` runs them after the
neurons, as calix's spiking flow.
:func:`set_progress` switches the progress bar of long calibrations. The HAGEN (non-spiking)
calibration (:class:`HagenCalibTarget`, :mod:`calix.hagen`) prepares the chip for the analog
multiply-accumulate: the CADC, the synapse DAC biases, integrating neurons with matched inputs
and the synapse drivers' DAC offsets.
"""

from . import common, errors, hagen, multicomp, spiking
from .common import CADCCalibOptions, CADCCalibResult, CADCCalibTarget
from .common import (Algorithm, BinarySearch, Calib, CalibResult, LinearPrediction, LinearSearch,
                     NoisyBinarySearch, ParameterCalibResult, ParameterRange,
                     PolynomialPrediction, PredictiveModel, TopLevelCalibTarget, calibrate)
from .hagen import (HagenCalibOptions, HagenCalibResult, HagenCalibTarget,
                    HagenNeuronCalibTarget, SynapseDriverCalibOptions)
from .hagen import calibrate as calibrate_hagen
from .errors import (AlgorithmError, CalibError, CalibNotSuccessful, ExcessiveNoiseError,
                     TargetError, TooFewSamplesError)
from .common.progress import set_progress
from .spiking import (BiologicalUnits, CalibratedCubaSynapticInput,
                      CalibratedMatchingCubaSynapticInput, LeakPotentialCalib,
                      MembraneTimeConstantCalib, NeuronCalibOptions, NeuronCalibResult,
                      NeuronCalibTarget, ResetPotentialCalib, SpikingCalibOptions,
                      SpikingCalibResult, SpikingCalibTarget, SynAmplitudeCalib,
                      SynTimeConstantCalib, ThresholdCalib, UncalibratedCubaSynapticInput,
                      calibrate_neurons, calibrate_spiking, calibrate_synaptic_inputs)
from .spiking import (CorrelationCalibOptions, CorrelationCalibResult, CorrelationCalibTarget,
                      STPCalibOptions, STPCalibResult, STPCalibTarget, calibrate_correlation,
                      calibrate_stp)

__all__ = ["CADCCalibTarget", "CADCCalibOptions", "CADCCalibResult",
           "calibrate", "calibrate_neurons", "NeuronCalibTarget", "NeuronCalibOptions",
           "NeuronCalibResult", "Calib", "Algorithm", "CalibResult", "ParameterCalibResult",
           "ParameterRange", "TopLevelCalibTarget", "BinarySearch", "NoisyBinarySearch",
           "LinearSearch", "PredictiveModel", "PolynomialPrediction", "LinearPrediction",
           "LeakPotentialCalib", "MembraneTimeConstantCalib", "ResetPotentialCalib",
           "ThresholdCalib", "CalibError", "CalibNotSuccessful", "AlgorithmError",
           "ExcessiveNoiseError", "TooFewSamplesError", "TargetError", "common", "errors",
           "spiking", "BiologicalUnits", "CalibratedCubaSynapticInput",
           "CalibratedMatchingCubaSynapticInput", "UncalibratedCubaSynapticInput",
           "SynAmplitudeCalib", "SynTimeConstantCalib", "calibrate_synaptic_inputs", "set_progress",
           "SpikingCalibOptions", "SpikingCalibResult", "SpikingCalibTarget", "calibrate_spiking",
           "hagen", "multicomp", "HagenCalibOptions", "HagenCalibResult", "HagenCalibTarget",
           "HagenNeuronCalibTarget", "SynapseDriverCalibOptions", "calibrate_hagen",
           "CorrelationCalibOptions", "CorrelationCalibResult", "CorrelationCalibTarget",
           "STPCalibOptions", "STPCalibResult", "STPCalibTarget", "calibrate_correlation",
           "calibrate_stp"]
