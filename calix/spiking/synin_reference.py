"""The synaptic inputs' reference potentials (calix's ``ExcSynReferenceCalib`` and
``InhSynReferenceCalib``): an enabled input's OTA compares its synaptic line with a reference
and, without any event, drives the current of that comparison's offset onto the membrane; the
reference shift ``*_input_i_shift_reference`` is searched so that this idle current vanishes.

calix compares the resting potential with the input enabled against the one with it disabled.
Here the idle current is measured where it matters most and shows best: on the neuron as an
integrator (no leak, the smallest capacitance), as every synaptic-input measurement here uses
it, the membrane drifts at ``I / C`` from a reset; the search brings its read
:data:`DRIFT_US` after the reset to the read without the inputs, to within a step of the shift.
A leak would divide the idle current by its conductance: the rest of a neuron with a weak leak
resolves it only to about 0.1 nA, which drifts an integrating membrane by tens of mV over the
synaptic measurements' windows.

As in calix, each input is calibrated at its final strength (``i_bias_gm``, after the strength
calibration: the OTA's current scales with its bias), the inhibitory input alone, then the
excitatory one with the inhibitory input enabled at its calibrated reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import halco
import haldls
import lola
import stadls
from ..common import helpers as h
from .neuron_helpers import NeuronStateCalib
from .synaptic_input import KINDS

#: the time over which the integrating membrane's drift is measured [us]: one step of the
#: shift (17 pA at i_bias_gm 500) then drifts it by about 1.7 LSB
DRIFT_US = 40.0
#: the reset potential the drift starts from (CapMem; mid CADC range)
V_START = 500
#: the smallest membrane capacitance (0.1 pF: the fastest drift for a current, as the synaptic
#: measurements integrate on it)
CAPACITANCE = 0
#: reads averaged per neuron (about 1 LSB noise each)
REPETITIONS = 4


class SynReferenceCalib(NeuronStateCalib):
    """``*_input_i_shift_reference`` of the ``kind`` input so that an integrating membrane,
    :data:`DRIFT_US` after a reset, reads what it reads with both inputs disabled (calix's
    target: the reads without synaptic input, measured in the prelude unless given); results
    within 3 LSB (about 30 pA, two steps of the shift at i_bias_gm 500) count as reached. The
    read alone, not its distance from a first one, is compared: a membrane that an uncalibrated
    idle current drove to a CADC end reads there, on the right side of the target."""

    tolerance = 3.0                          # CADC LSB
    kind = ""

    def __init__(self, state: lola.AtomicNeuronArray) -> None:
        self.field = f"{self.kind}_input_i_shift_reference"
        # a larger shift raises the reference: less excitatory current (the membrane ends
        # lower), less inhibitory current (it ends higher)
        super().__init__(state, inverted=self.kind == "excitatory")

    def enabled(self) -> tuple[str, ...]:
        """The inputs enabled while this one is calibrated (calix's order: inhibitory alone)."""
        return KINDS if self.kind == "excitatory" else (self.kind,)

    def _prepare(self, connection: stadls.Connection, enabled: tuple[str, ...]) -> None:
        self.prepare(connection, threshold_enable=False, leak_i_bias=0, reset_v_reset=V_START,
                     reset_i_bias=1022, membrane_capacitance_capacitance=CAPACITANCE,
                     **{f"{kind}_input_enable": kind in enabled for kind in KINDS})

    def prelude(self, connection: stadls.Connection) -> None:
        if self.target is None:
            self._prepare(connection, ())
            self.target = self.measure_results(connection, stadls.PlaybackProgramBuilder())
        self._prepare(connection, self.enabled())

    def measure_results(self, connection, builder):
        reads = []
        for _ in range(REPETITIONS):
            builder.write(halco.TimerOnDLS(), haldls.Timer())
            h.reset_neurons(builder)
            builder.wait_until(int(round(DRIFT_US * 125)))
            reads.append(h.read_membranes(builder))
        h.run(connection, builder)
        return np.mean([r() for r in reads], axis=0)


class ExcSynReferenceCalib(SynReferenceCalib):
    """The excitatory input's reference shift (inverted: a larger shift, a lower rest)."""

    kind = "excitatory"


class InhSynReferenceCalib(SynReferenceCalib):
    """The inhibitory input's reference shift (a larger shift, a higher rest)."""

    kind = "inhibitory"


def synin_reference_steps(state: lola.AtomicNeuronArray) -> list[tuple[str, NeuronStateCalib, Any]]:
    """Both references in calix's order, as (name, calibration, target): each to the reads
    without synaptic input, measured in its prelude."""
    return [("reference inhibitory", InhSynReferenceCalib(state), None),
            ("reference excitatory", ExcSynReferenceCalib(state), None)]
