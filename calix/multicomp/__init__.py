"""Calibration of the multi-compartment neurons' parts (calix's ``calix.multicomp``): the
inter-compartment conductance (:mod:`~calix.multicomp.neuron_icc_bias`), calibrated by the
spiking neuron calibration when ``NeuronCalibTarget.tau_icc`` is given."""

from . import neuron_icc_bias
from .neuron_icc_bias import ICCCalib, ICCStep

__all__ = ["ICCCalib", "ICCStep", "neuron_icc_bias"]
