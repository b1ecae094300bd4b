"""The HAGEN mode's whole calibration (calix's ``calix.hagen.calibrate`` for integration on the
membranes): the CADC on the HAGEN range, the neurons (with the synapse DAC bias) on the
calibrated CADC, then the synapse drivers' HAGEN DAC offsets on the calibrated neurons.

calix calibrates the synapse drivers first, on the synaptic-input lines with a CADC of a
smaller range; the emulated CADC reads only membranes, so here the drivers are measured on the
calibrated integrators (the ratio of two amplitudes of the same synapses: the neurons' gains
cancel), after them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

import lola
import stadls
from ..common import cadc
from ..common.base import CalibResult, checked_target_and_options
from ..common.helpers import run
from . import neuron, synapse_driver
from .targets import HagenCalibOptions, HagenCalibTarget

log = logging.getLogger(__name__)


@dataclass
class HagenCalibResult(CalibResult):
    """The HAGEN calibration (calix's ``HagenCalibResult``): ``cadc_result`` (a
    :class:`calix.CADCCalibResult`), ``neuron_result`` (a
    :class:`~calix.hagen.neuron.HagenNeuronCalibResult`, with the synapse DAC bias) and
    ``synapse_driver_result`` (a :class:`~calix.hagen.synapse_driver.SynapseDriverCalibResult`);
    :meth:`apply` applies them in that order. ``steps``: (part, wall seconds, fraction of
    circuits that reached it)."""

    cadc_result: Any = None
    neuron_result: Any = None
    synapse_driver_result: Any = None
    steps: list | None = None

    def success_mask(self) -> np.ndarray:
        """[512] in AtomicNeuronOnDLS order: the neuron reached its targets (the drivers' are
        ``synapse_driver_result.success_mask()``, the CADC channels' ``cadc_result``'s)."""
        return self.neuron_result.success_mask()

    def apply(self, builder: stadls.PlaybackProgramBuilder | stadls.PlaybackProgramBuilderDumper) -> None:
        self.check_builder(builder)
        self.cadc_result.apply(builder)
        self.neuron_result.apply(builder)
        self.synapse_driver_result.apply(builder)


def calibrate(connection: stadls.Connection, target: HagenCalibTarget | None = None,
              options: HagenCalibOptions | None = None) -> HagenCalibResult:
    """Initialize the chip, calibrate its CADC to ``target.cadc_target``, its neurons to
    ``target.neuron_target`` and its synapse drivers (module docstring); the result is left
    applied."""
    target, options = checked_target_and_options("calix.hagen.calibrate", target, options,
                                                 HagenCalibTarget, HagenCalibOptions)
    steps = []
    builder, _ = stadls.generate(stadls.SystemInit())
    run(connection, builder)
    start = time.perf_counter()
    log.info("HAGEN calibration: CADC")
    cadc_result = cadc.calibrate(connection, target.cadc_target, options.cadc_options)
    steps.append(("CADC", time.perf_counter() - start, float(cadc_result.success_mask().mean())))
    start = time.perf_counter()
    log.info("HAGEN calibration: neurons")
    neuron_result = neuron.calibrate(connection, target.neuron_target, options.neuron_options,
                                     disable_leakage=options.neuron_disable_leakage)
    steps.append(("neurons", time.perf_counter() - start, float(neuron_result.success_mask().mean())))
    start = time.perf_counter()
    log.info("HAGEN calibration: synapse drivers")
    state = lola.AtomicNeuronArray.from_atomic_neurons(neuron_result.neurons)
    driver_result = synapse_driver.calibrate(connection, state, options.synapse_driver_options,
                                             neuron.TAU_SYN_AT_MINIMUM)
    steps.append(("synapse drivers", time.perf_counter() - start,
                  float(driver_result.success_mask().mean())))
    result = HagenCalibResult(target=target, options=options, cadc_result=cadc_result,
                              neuron_result=neuron_result, synapse_driver_result=driver_result,
                              steps=steps)
    result.apply_to(connection)
    return result
