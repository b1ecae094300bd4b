"""What the neuron calibrations share (calix's ``neuron_helpers``): the settings of a firing
neuron and :class:`NeuronStateCalib`, a search over one field of every neuron of a
``lola.AtomicNeuronArray`` that holds the neurons as calibrated so far."""

from __future__ import annotations

from typing import Any

import lola
import stadls
from ..common import helpers as h
from ..common.base import Calib, ParameterRange

_NORMAL = lola.AtomicNeuron.EventRouting.AnalogOutputMode.normal
#: the settings of a neuron that fires: threshold comparator, fire signal, a strong reset
FIRING = {"threshold_enable": True, "event_routing_analog_output": _NORMAL,
          "reset_enable_multiplication": True}


class NeuronStateCalib(Calib):
    """Search one CapMem field (a flat ``lola.AtomicNeuronArray`` name) of every neuron.
    ``state`` holds the neurons as calibrated so far (updated as the calibrations go); each
    measurement configures a copy of it with its own settings (:meth:`prepare`)."""

    field: str = ""

    def __init__(self, state: lola.AtomicNeuronArray, inverted: bool = False) -> None:
        super().__init__(ParameterRange(*h.CAPMEM_RANGE), h.N_NEURONS, inverted=inverted,
                         errors=(f"{self.field} of neurons {{0}} reached the lower bound {{1}}",
                                 f"{self.field} of neurons {{0}} reached the upper bound {{1}}"))
        self.state = state
        self.measurement = state.copy()

    def configure_parameters(self, builder, parameters):
        self.measurement.set(self.field, parameters)
        self.measurement.write(builder, fields=[self.field])
        return builder

    def prepare(self, connection: stadls.Connection, **settings: Any) -> None:
        """Write every neuron as calibrated so far with ``settings`` (flat field -> one value
        or 512) on top, for this measurement."""
        self.measurement = self.state.copy()
        for name, value in settings.items():
            self.measurement[name] = value
        builder = stadls.PlaybackProgramBuilder()
        self.measurement.write(builder)
        h.run(connection, builder)

    def postlude(self, connection: stadls.Connection) -> None:
        self.state[self.field] = self.result.calibrated_parameters
