"""Calibration results: per neuron an AtomicNeuron and whether it reached its target; they
apply to a builder (or a Dumper), become a ``lola.Chip`` and pickle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

import halco
import haldls
import lola
from .base import CalibResult
from .helpers import N_NEURONS


@dataclass
class NeuronCalibResult(CalibResult):
    """``neurons``: AtomicNeuronOnDLS -> calibrated lola.AtomicNeuron (a working LIF neuron:
    threshold on, fire signal, the calibrated potentials, leak and reset biases, capacitance
    and refractory time); ``success``: AtomicNeuronOnDLS -> whether every part reached its
    target; ``clock_scale_slow``: the backend clock the refractory times count (both blocks)."""
    neurons: dict = field(default_factory=dict)
    success: dict = field(default_factory=dict)
    clock_scale_slow: int = 0

    @classmethod
    def from_state(cls, target: Any, state: dict[str, np.ndarray], capacitance: int,
                   clock_scale_slow: int, refractory_ticks: np.ndarray,
                   success: np.ndarray) -> "NeuronCalibResult":
        neurons, ok = {}, {}
        for n in range(N_NEURONS):
            coord = halco.AtomicNeuronOnDLS.from_enum(n)
            neuron = lola.AtomicNeuron()
            neuron.leak.v_leak = int(state["v_leak"][n])
            neuron.leak.i_bias = int(state["i_bias_leak"][n])
            neuron.reset.v_reset = int(state["v_reset"][n])
            neuron.reset.i_bias = int(state["i_bias_reset"][n])
            neuron.reset.enable_multiplication = True
            neuron.threshold.v_threshold = int(state["v_threshold"][n])
            neuron.threshold.enable = True
            neuron.event_routing.analog_output = lola.AtomicNeuron.EventRouting.AnalogOutputMode.normal
            neuron.membrane_capacitance.capacitance = int(capacitance)
            neuron.refractory_period.refractory_time = int(refractory_ticks[n])
            neuron.refractory_period.reset_holdoff = 0
            neurons[coord] = neuron
            ok[coord] = bool(success[n])
        return cls(target=target, neurons=neurons, success=ok, clock_scale_slow=int(clock_scale_slow))

    def success_mask(self) -> np.ndarray:
        """[512] booleans in AtomicNeuronOnDLS enum order."""
        return np.array([self.success[halco.AtomicNeuronOnDLS.from_enum(n)] for n in range(N_NEURONS)])

    def apply(self, builder: Any) -> None:
        self.check_builder(builder)
        for block in halco.iter_all(halco.CommonNeuronBackendConfigOnDLS):
            builder.write(block, haldls.CommonNeuronBackendConfig(clock_scale_slow=self.clock_scale_slow))
        for coord, neuron in self.neurons.items():
            builder.write(coord, neuron)
