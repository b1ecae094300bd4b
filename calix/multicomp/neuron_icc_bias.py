"""The inter-compartment conductance (calix's ``calix.multicomp.neuron_icc_bias``): every
neuron's ``multicompartment_i_bias_nmda`` so that ``tau_icc = C_mem / g_icc`` is the target,
the time constant with which a compartment follows its neighbour through the conductance.

Measured in two passes over pairs of neighbours in a row (even columns measured with their right
neighbour, then odd columns with their left one; no pair crosses the 127/128 boundary). The
measured circuit has no leak, its conductance on and its piece of the somatic line joined to its
neighbour's (``connect_soma_right`` of the left one); the neighbour is tied to that line
(``connect_soma``) and held at a high potential by its strongest leak (x8, 1022: ~8 uS against
the conductance's ~0.04..0.45 uS over the feasible range). After a reset to a low potential the
measured membrane relaxes to its neighbour's with ``C_mem / g_icc`` (longer by ``1 + g_icc /
G_neighbour``, under 6 % at 5 us), read as the membrane time constant is
(:class:`~calix.spiking.neuron.MembraneTimeConstantCalib`: reset, CADC reads at delays, the log
distance's slope).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import halco
import lola
import stadls
from ..common.algorithms import NoisyBinarySearch
from ..common.base import ParameterCalibResult
from ..common.helpers import run
from ..spiking.neuron import MembraneTimeConstantCalib

#: column of every neuron (AtomicNeuronOnDLS order) within its row
COLUMN = np.arange(halco.AtomicNeuronOnDLS.size) % halco.NeuronColumnOnDLS.size
#: the neighbour's potential [CapMem LSB] and the measured membrane's start
V_NEIGHBOUR, V_START = 800, 150


def pass_settings(measured_parity: int) -> dict[str, Any]:
    """The measurement's settings (flat AtomicNeuronArray field -> 512 values) for the pass
    measuring the neurons in columns of ``measured_parity`` (0: even, 1: odd)."""
    measured = COLUMN % 2 == measured_parity
    helper = ~measured
    # the left neuron of each pair joins its line piece to the right one's
    left = measured if measured_parity == 0 else helper
    return {
        "leak_i_bias": np.where(measured, 0, 1022),
        "leak_enable_multiplication": helper,
        "leak_v_leak": V_NEIGHBOUR,
        "reset_v_reset": np.where(measured, V_START, V_NEIGHBOUR),
        "reset_i_bias": 1022,
        "threshold_enable": False,
        "excitatory_input_enable": False,
        "inhibitory_input_enable": False,
        "membrane_capacitance_capacitance": np.where(helper, 63, -1),   # -1: keep (see below)
        "multicompartment_enable_conductance": measured,
        "multicompartment_enable_conductance_division": False,
        "multicompartment_enable_conductance_multiplication": False,
        "multicompartment_connect_soma": helper,
        "multicompartment_connect_soma_right": left,
        "multicompartment_connect_right": False,
        "multicompartment_connect_vertical": False,
    }


class ICCCalib(MembraneTimeConstantCalib):
    """``multicompartment_i_bias_nmda`` of the neurons in columns of ``measured_parity`` so
    that their compartment follows its neighbour with ``target`` seconds (a larger bias: a
    shorter time constant; module docstring). Only they are searched (the other half reads
    as on target and keeps its bias); results within 10 % count as reached."""

    field = "multicompartment_i_bias_nmda"

    def __init__(self, state: lola.AtomicNeuronArray, measured_parity: int) -> None:
        super().__init__(state)
        self.measured_parity = int(measured_parity)

    def prelude(self, connection: stadls.Connection) -> None:
        settings = pass_settings(self.measured_parity)
        capacitance = settings.pop("membrane_capacitance_capacitance")
        settings["membrane_capacitance_capacitance"] = np.where(
            capacitance < 0, self.state["membrane_capacitance_capacitance"], capacitance)
        self.prepare(connection, **settings)

    def measure_results(self, connection: stadls.Connection, builder: stadls.PlaybackProgramBuilder) -> np.ndarray:
        # the other half reads a stand-in that reaches its target at mid-range: its search
        # idles there instead of ending at a bound (its bias is kept, see postlude)
        measured = COLUMN % 2 == self.measured_parity
        stand_in = (np.broadcast_to(np.asarray(self.target, dtype=float), measured.shape) * 512.0
                    / np.maximum(self.measurement[self.field], 1))
        return np.where(measured, super().measure_results(connection, builder), stand_in)

    def postlude(self, connection: stadls.Connection) -> None:
        measured = COLUMN % 2 == self.measured_parity
        self.state[self.field] = np.where(measured, self.result.calibrated_parameters, self.state[self.field])
        builder = stadls.PlaybackProgramBuilder()
        self.state.write(builder)                     # the neurons as calibrated, switches off
        run(connection, builder)


class ICCStep:
    """The step of :func:`~calix.spiking.neuron.calibrate_neurons` for ``tau_icc``: both passes
    of :class:`ICCCalib`, each with its own search; ``run`` returns the merged result (a
    neuron succeeds with its pass)."""

    def __init__(self, state: lola.AtomicNeuronArray) -> None:
        self.state = state
        self.seed = 0

    def algorithm(self, seed: int) -> NoisyBinarySearch:
        """The first pass's search (the second gets the next seed)."""
        self.seed = int(seed)
        return NoisyBinarySearch(seed=self.seed)

    def run(self, connection: stadls.Connection, algorithm: Any, target: Any) -> ParameterCalibResult:
        parameters = np.zeros(halco.AtomicNeuronOnDLS.size, dtype=np.int64)
        success = np.zeros(halco.AtomicNeuronOnDLS.size, dtype=bool)
        for parity, search in ((0, algorithm), (1, NoisyBinarySearch(seed=self.seed + 1))):
            measured = COLUMN % 2 == parity
            result = ICCCalib(self.state, parity).run(connection, search, target)
            parameters[measured] = result.calibrated_parameters[measured]
            success[measured] = result.success[measured]
        return ParameterCalibResult(parameters, success)
