"""The synaptic input strengths of the HAGEN neurons (calix's ``hagen.neuron_synin``): every
neuron's excitatory and inhibitory input integrates the same amplitude from the same events, so
that a neuron's result is the difference of its two sums with equal weight.

- :class:`ExcSynBiasCalib`: ``excitatory_input_i_bias_gm`` so that the amplitude of
  ``n_events`` events onto the excitatory input is the median of all neurons at the reference
  bias (``HagenNeuronCalibTarget.i_synin_gm``);
- :class:`InhSynBiasCalib`: ``inhibitory_input_i_bias_gm`` so that the same events onto the
  inhibitory input pull the membrane down by that amplitude.

As in calix, the number of events is chosen in the prelude so that the median amplitude lies
well inside the CADC's range (about :data:`AMPLITUDE` LSB from the baseline). Unlike calix,
the neurons integrate without leak while they are measured (the HAGEN mode's use, by default:
the match holds where they integrate; a leak kept in use adds the residual spread of the
calibrated membrane time constants).

The synaptic inputs' reference potentials (calix's ``ExcSynReferenceCalib`` and
``InhSynReferenceCalib``, :mod:`calix.spiking.synin_reference`, re-exported here) stay at 0 in
the HAGEN flow: the cells' reset value, at which the emulated input OTAs drive no idle current
(``emulator/MODEL.md``: a designed simplification, as for the synapse DAC bias); a calibrated
reference would leave the residual of a step of the shift, which the leakless integration
collects.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

import lola
import stadls
from ..common import helpers as h
from ..common.base import Calib, ParameterRange
from ..errors import CalibError, CalibNotSuccessful
from ..spiking.synaptic_input import clear_synapses, configure_synapses
from ..spiking.synin_reference import ExcSynReferenceCalib, InhSynReferenceCalib  # noqa: F401
from .neuron_helpers import integrator_settings, read_amplitudes

log = logging.getLogger(__name__)

#: the median amplitude [CADC LSB] the prelude aims for: the baseline (about 120) leaves room
#: for twice it in either direction
AMPLITUDE = 70.0
#: events of the first measurement, from which the number for AMPLITUDE is predicted
PROBE_EVENTS = 8
#: at most this many events per measurement
MAX_EVENTS = 64
#: events follow each other by this many synaptic time constants, about as in the HAGEN mode's
#: use (``examples/mac_matrix_vector.py``: 2 us, the longest time constant 2.5 us): the inputs
#: are matched where their currents overlap as they will there
SPACING_TAU = 1.0


class SynIntegrationCalib(Calib):
    """A calibration measured by integrating events onto every neuron's ``kind`` input:
    ``state`` (a ``lola.AtomicNeuronArray``) holds the neurons as calibrated so far, measured as
    integrators (:func:`~calix.hagen.neuron_helpers.integrator_settings`) with the leak at
    ``leak_i_bias`` and the input's strength ``gm``; ``tau_syn`` [s] is the longest synaptic
    time constant (events are spaced by :data:`SPACING_TAU` of them, reads wait five)."""

    repetitions = 4

    def __init__(self, parameter_range: ParameterRange, n_instances: int, state: lola.AtomicNeuronArray,
                 kind: str, gm: Any, tau_syn: float, leak_i_bias: Any = 0, inverted: bool = False,
                 errors: tuple[str, str] | None = None) -> None:
        super().__init__(parameter_range, n_instances, inverted=inverted, errors=errors)
        if not 0 < tau_syn <= 1e-4:
            raise CalibError(f"tau_syn is the longest synaptic time constant in seconds, "
                             f"0 < tau_syn <= 1e-4, not {tau_syn!r}")
        self.state = state
        self.kind = kind
        self.settings = integrator_settings(kind, gm, leak_i_bias)
        self.spacing_us = SPACING_TAU * tau_syn * 1e6
        self.quiet_us = 5.0 * tau_syn * 1e6
        self.n_events = PROBE_EVENTS
        self.measurement = state.copy()

    def configure_measurement(self, connection: stadls.Connection) -> None:
        """Write the neurons as integrators and the synapses the events take."""
        self.measurement = self.state.copy()
        for name, value in self.settings.items():
            self.measurement[name] = value
        builder = stadls.PlaybackProgramBuilder()
        self.measurement.write(builder)
        configure_synapses(builder)
        h.wait_us(builder, 20.0)
        h.run(connection, builder)

    def amplitudes(self, connection: stadls.Connection, builder: stadls.PlaybackProgramBuilder) -> np.ndarray:
        """Append the integrations to ``builder``, run it: the amplitude [512] of every neuron."""
        values = read_amplitudes(builder, self.kind, self.n_events, self.spacing_us, self.quiet_us,
                                 self.repetitions)
        h.run(connection, builder)
        return values()

    def choose_events(self, connection: stadls.Connection) -> np.ndarray:
        """Measure with :data:`PROBE_EVENTS` events and set ``n_events`` for a median amplitude
        of about :data:`AMPLITUDE`; returns the amplitudes measured with it."""
        self.n_events = PROBE_EVENTS
        probe = np.median(self.amplitudes(connection, stadls.PlaybackProgramBuilder()))
        if not probe > 1.0:
            raise CalibNotSuccessful(f"{type(self).__name__}: the {self.kind} inputs integrate no "
                                     f"amplitude ({probe:.1f} CADC LSB median from {PROBE_EVENTS} "
                                     f"events): are the synapse DAC bias and the inputs on?")
        self.n_events = int(np.clip(round(PROBE_EVENTS * AMPLITUDE / probe), 1, MAX_EVENTS))
        log.info("%s: %d events (%.1f LSB median from %d)", type(self).__name__, self.n_events,
                 probe, PROBE_EVENTS)
        return self.amplitudes(connection, stadls.PlaybackProgramBuilder())

    def postlude(self, connection: stadls.Connection) -> None:
        builder = stadls.PlaybackProgramBuilder()
        clear_synapses(builder)
        h.run(connection, builder)


class SynBiasCalib(SynIntegrationCalib):
    """``{kind}_input_i_bias_gm`` of every neuron so that ``n_events`` events integrate the
    target amplitude; without a target, the median of all neurons at ``reference_gm``. Results
    within 3 % count as reached."""

    tolerance = 0.03
    relative_tolerance = True
    kind_name = ""

    def __init__(self, state: lola.AtomicNeuronArray, reference_gm: int, tau_syn: float,
                 leak_i_bias: Any = 0, parameter_range: ParameterRange = ParameterRange(*h.CAPMEM_RANGE)) -> None:
        self.field = f"{self.kind_name}_input_i_bias_gm"
        super().__init__(parameter_range, h.N_NEURONS, state, self.kind_name, reference_gm, tau_syn,
                         leak_i_bias, errors=(
                             f"{self.field} of neurons {{0}} reached the lower bound {{1}}",
                             f"{self.field} of neurons {{0}} reached the upper bound {{1}}"))
        self.reference_gm = int(reference_gm)

    def prelude(self, connection: stadls.Connection) -> None:
        self.configure_measurement(connection)
        if self.target is None:
            self.target = float(np.median(self.choose_events(connection)))
            log.info("%s: matching every neuron to %.1f LSB from %d events", self.field, self.target,
                     self.n_events)

    def configure_parameters(self, builder: stadls.PlaybackProgramBuilder,
                             parameters: np.ndarray) -> stadls.PlaybackProgramBuilder:
        self.measurement.set(self.field, parameters)
        self.measurement.write(builder, fields=[self.field])
        h.wait_us(builder, 20.0)             # the new biases settle
        return builder

    def measure_results(self, connection: stadls.Connection,
                        builder: stadls.PlaybackProgramBuilder) -> np.ndarray:
        return self.amplitudes(connection, builder)

    def postlude(self, connection: stadls.Connection) -> None:
        self.state[self.field] = self.result.calibrated_parameters
        super().postlude(connection)


class ExcSynBiasCalib(SynBiasCalib):
    """The excitatory inputs' strengths: every neuron to the median at ``reference_gm``."""

    kind_name = "excitatory"


class InhSynBiasCalib(SynBiasCalib):
    """The inhibitory inputs' strengths, matched to an excitatory calibration's target
    (``match``: its amplitude and number of events), or to their own median."""

    kind_name = "inhibitory"

    def __init__(self, state: lola.AtomicNeuronArray, reference_gm: int, tau_syn: float,
                 leak_i_bias: Any = 0, match: ExcSynBiasCalib | None = None,
                 parameter_range: ParameterRange = ParameterRange(*h.CAPMEM_RANGE)) -> None:
        super().__init__(state, reference_gm, tau_syn, leak_i_bias, parameter_range)
        self.match = match

    def prelude(self, connection: stadls.Connection) -> None:
        if self.match is not None:
            if self.match.target is None:
                raise CalibError("InhSynBiasCalib matches an ExcSynBiasCalib that has no target yet: "
                                 "run it first")
            self.target = self.match.target
            self.n_events = self.match.n_events
        super().prelude(connection)
