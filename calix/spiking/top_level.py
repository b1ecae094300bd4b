"""The spiking mode's whole calibration flow (calix's ``calix.spiking.calibrate``): the CADC
first, so that every later measurement reads calibrated LSB, then the neurons with their
synaptic inputs, then the synapse drivers' STP offsets, and the correlation sensors last (their
biases disturb other CADC reads). (The potentials' refinement of the real flow is not here
yet.)"""

from __future__ import annotations

import logging
from typing import Any

import stadls
from ..common import cadc
from ..common.base import checked_target_and_options
from ..common.helpers import run
from .correlation import calibrate_correlation
from .neuron import calibrate_neurons
from .results import SpikingCalibResult
from .stp import calibrate_stp
from .targets import SpikingCalibOptions, SpikingCalibTarget

log = logging.getLogger(__name__)


def calibrate_spiking(connection: stadls.Connection, target: SpikingCalibTarget | None = None,
                      options: SpikingCalibOptions | None = None) -> SpikingCalibResult:
    """Initialize the chip, calibrate its CADC, then its 512 neurons (on the calibrated CADC),
    then the STP offsets (unless ``target.stp_target`` is None) and last the correlation
    sensors (if ``target.correlation_target`` is given); the result is left applied."""
    target, options = checked_target_and_options("calibrate_spiking", target, options,
                                                 SpikingCalibTarget, SpikingCalibOptions)
    builder, _ = stadls.generate(stadls.SystemInit())
    run(connection, builder)
    log.info("spiking calibration: CADC")
    cadc_result = cadc.calibrate(connection, target.cadc_target, options.cadc_options)
    log.info("spiking calibration: neurons")
    neuron_result = calibrate_neurons(connection, target.neuron_target,
                                      seed=options.neuron_options.seed, initialize=False,
                                      on_ppu=options.neuron_options.on_ppu)
    stp_result = correlation_result = None
    if target.stp_target is not None:
        log.info("spiking calibration: STP offsets")
        stp_result = calibrate_stp(connection, target.stp_target, options.stp_options)
    if target.correlation_target is not None:
        log.info("spiking calibration: correlation sensors")
        correlation_result = calibrate_correlation(connection, target.correlation_target,
                                                   options.correlation_options)
    result = SpikingCalibResult(target=target, options=options, cadc_result=cadc_result,
                                neuron_result=neuron_result, stp_result=stp_result,
                                correlation_result=correlation_result)
    result.apply_to(connection)
    return result
