"""Calibration of the conductance-based (COBA) synaptic inputs: the reference potential (where
the input's current is the current-based one, ``*_input_v_rev_coba``) and the modulation's
strength (``*_input_i_bias_coba``), which puts the reversal potential at ``reference + 1 /
slope`` (excitatory; below the reference for inhibitory), as calix's ``COBAReferenceCalib`` and
``COBABiasCalib`` do.

Both are measured with the neuron as an integrator (:mod:`~calix.spiking.synaptic_input`).
With the modulation ``1 + k (V_ref - V)`` the distance ``u = E - V`` of the membrane to the
reversal potential ``E = V_ref + 1 / k`` shrinks by the same factor ``r = exp(-k Q)`` whatever
the start, where ``Q`` [CADC LSB] is the current-based charge of the events: from two starts
``a``, ``b`` (reset potentials near the target reference),

    r = (V_end_b - V_end_a) / (V_0b - V_0a),   E = (V_end_a - r V_0a) / (1 - r),   k = -ln(r) / Q,

so one measurement gives every neuron's reference and slope, in CADC LSB, exactly (no
linearisation of the membrane's travel). ``Q`` is measured once with the modulation off.
A start beyond the reversal potential integrates nothing; such a neuron's reference lies far
on the other side of the target, and is reported so (the searches stay monotonic).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

import lola
import stadls
from ..common import helpers as h
from ..common.algorithms import SecantPrediction
from ..errors import CalibError
from .synaptic_input import (DRIVER_GROUPS, KINDS, _IntegratorCalib, integrator_settings,
                             measurement_capacitance)

log = logging.getLogger(__name__)

#: the strength of the modulation while the reference is searched: a reversal ~30 LSB from it
#: (a strong modulation: the reversal, and so the reference, is well resolved)
COBA_BIAS_FOR_REFERENCE = 800
#: the two starts, relative to the target reference, towards the reversal (+) and away (-)
#: [CADC LSB]: both on the near side of any reachable reversal (>= 18 LSB from the reference),
#: far apart (the slope's error is the reads' over their distance), within ``START_RANGE``
STARTS = (-80.0, 5.0)
START_RANGE = (15.0, 240.0)
#: reset potentials (CapMem) at which the reset's transfer to CADC LSB is measured
RESET_PROBES = (200, 800)
#: a start whose end moved less than this [CADC LSB] integrated nothing (beyond the reversal)
NO_CHARGE = 2.0


class _COBACalib(_IntegratorCalib):
    """The two-start measurement of :mod:`calix.spiking.coba`; ``reference`` [512] CADC LSB is
    where the starts are placed, ``gm`` and ``tau_syn`` [s] set the measurement's capacitance
    (as the strength calibration chose it)."""

    repetitions = 4

    def __init__(self, state: lola.AtomicNeuronArray, kind: str, reference: np.ndarray,
                 tau_syn: float, inverted: bool) -> None:
        super().__init__(state, kind, inverted=inverted)
        self.sign = 1.0 if kind == "excitatory" else -1.0
        self.reference = np.broadcast_to(np.asarray(reference, dtype=float), (h.N_NEURONS,)).copy()
        self.tau_syn = float(tau_syn)
        gm = float(np.median(state[f"{kind}_input_i_bias_gm"]))
        self.capacitance = measurement_capacitance(gm, self.tau_syn)
        self.reset_capmem = np.zeros((2, h.N_NEURONS), dtype=np.int64)
        self.cuba_charge = np.zeros(h.N_NEURONS)

    def coba_settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def settings(self) -> dict[str, Any]:
        gm = self.state[f"{self.kind}_input_i_bias_gm"]
        return {**integrator_settings(self.kind, gm, self.capacitance), **self.coba_settings()}

    def _runs(self, builder: stadls.PlaybackProgramBuilder) -> tuple[list, list]:
        """``repetitions`` reads of the start and of the end after the events."""
        settle_us = 8.0 * self.tau_syn * 1e6
        groups, spacing_us = tuple(range(DRIVER_GROUPS)), 3.0 * self.tau_syn * 1e6
        starts = [self._charge(builder, 0.0, settle_us, ()) for _ in range(self.repetitions)]
        ends = [self._charge(builder, settle_us, settle_us, groups, spacing_us)
                for _ in range(self.repetitions)]
        return starts, ends

    def _set_reset(self, builder: stadls.PlaybackProgramBuilder, capmem: Any) -> None:
        self.measurement["reset_v_reset"] = capmem
        self.measurement.write(builder, fields=["reset_v_reset"])
        h.wait_us(builder, 20.0)

    def prelude(self, connection: stadls.Connection) -> None:
        super().prelude(connection)
        # the reset's transfer per neuron (CapMem -> CADC LSB), to place the starts
        builder = stadls.PlaybackProgramBuilder()
        reads = []
        for capmem in RESET_PROBES:
            self._set_reset(builder, capmem)
            reads.append([self._charge(builder, 0.0, 1.0, ()) for _ in range(2)])
        h.run(connection, builder)
        low, high = (np.mean([r() for r in probe], axis=0) for probe in reads)
        slope = (high - low) / (RESET_PROBES[1] - RESET_PROBES[0])
        if not np.all(slope > 0.05):
            raise CalibError(f"{self.field}: the reset potential does not move the membrane "
                             f"(neurons {np.flatnonzero(~(slope > 0.05))[:10].tolist()})")
        for i, offset in enumerate(STARTS):
            start = np.clip(self.reference + self.sign * offset, *START_RANGE)
            self.reset_capmem[i] = np.clip(np.rint(RESET_PROBES[0] + (start - low) / slope), 0, 1022)
        # the current-based charge of the events, the modulation off
        coba = self.measurement[f"{self.kind}_input_enable_coba_mode"].copy()
        builder = stadls.PlaybackProgramBuilder()
        self.measurement[f"{self.kind}_input_enable_coba_mode"] = False
        self.measurement.write(builder, fields=[f"{self.kind}_input_enable_coba_mode"])
        self._set_reset(builder, self.reset_capmem[0])
        starts, ends = self._runs(builder)
        self.measurement[f"{self.kind}_input_enable_coba_mode"] = coba
        self.measurement.write(builder, fields=[f"{self.kind}_input_enable_coba_mode"])
        h.run(connection, builder)
        self.cuba_charge = self.sign * (np.mean([r() for r in ends], axis=0)
                                        - np.mean([r() for r in starts], axis=0))
        if not np.median(self.cuba_charge) > 5.0:
            raise CalibError(f"{self.field}: the synaptic inputs integrate no charge "
                             f"({np.median(self.cuba_charge):.1f} LSB median)")

    def reference_and_slope(self, connection: stadls.Connection,
                            builder: stadls.PlaybackProgramBuilder) -> tuple[np.ndarray, np.ndarray]:
        """Every neuron's reference potential [CADC LSB] and modulation slope [1 / LSB]; a
        neuron whose far start lies beyond its reversal gets a reference of -inf (excitatory;
        +inf inhibitory) and a slope of +inf."""
        runs = []
        for i in range(len(STARTS)):
            self._set_reset(builder, self.reset_capmem[i])
            runs.append(self._runs(builder))
        h.run(connection, builder)
        v0, v1 = (np.array([[np.mean([r() for r in reads], axis=0) for reads in run] for run in runs])
                  .transpose(1, 0, 2))                  # [start] of start and end reads
        beyond = np.abs(v1[1] - v0[1]) < NO_CHARGE
        r = np.clip((v1[1] - v1[0]) / np.where(v0[1] != v0[0], v0[1] - v0[0], 1.0), 1e-3, 1.0 - 1e-6)
        reversal = (v1[0] - r * v0[0]) / (1.0 - r)
        slope = -np.log(r) / np.maximum(self.cuba_charge, 1e-9)
        reference = reversal - self.sign / slope
        reference = np.where(beyond, -self.sign * np.inf, reference)
        slope = np.where(beyond, np.inf, slope)
        return reference, slope


class COBAReferenceCalib(_COBACalib):
    """``*_input_v_rev_coba`` so that the modulation vanishes at ``target`` [CADC LSB]: there
    the conductance-based input is the current-based one (within 4 LSB). The modulation's
    strength is fixed meanwhile (``COBA_BIAS_FOR_REFERENCE``)."""

    field_name = "v_rev_coba"
    tolerance = 4.0

    def __init__(self, state: lola.AtomicNeuronArray, kind: str, reference: np.ndarray,
                 tau_syn: float) -> None:
        super().__init__(state, kind, reference, tau_syn, inverted=False)

    def coba_settings(self) -> dict[str, Any]:
        return {f"{self.kind}_input_enable_coba_mode": True,
                f"{self.kind}_input_i_bias_coba": COBA_BIAS_FOR_REFERENCE}

    def measure_results(self, connection, builder):
        return self.reference_and_slope(connection, builder)[0]


class COBABiasCalib(_COBACalib):
    """``*_input_i_bias_coba`` so that the reversal potential lies ``target`` [CADC LSB] from
    the (calibrated) reference: the modulation's slope ``k`` (its result, 1 / LSB) is 1 /
    target. The slope is proportional to the bias, so :meth:`algorithm` interpolates from two
    probes and refines twice (a search would take a dozen). Results within 10 % count as
    reached."""

    field_name = "i_bias_coba"
    tolerance = 0.1
    relative_tolerance = True
    #: a far reversal modulates the charge little: its slope needs more reads (with the
    #: secant: 8 give 4.1 % s.d. at 230 LSB, 12 about 3 %)
    repetitions = 12
    #: the two biases the slope is measured at first (reversals ~250 and ~40 LSB away)
    probes = (100, 600)

    def __init__(self, state: lola.AtomicNeuronArray, kind: str, reference: np.ndarray,
                 tau_syn: float) -> None:
        super().__init__(state, kind, reference, tau_syn, inverted=False)

    def algorithm(self, seed: int) -> SecantPrediction:
        """The search this calibration wants (``seed``: unused, no noise needed)."""
        return SecantPrediction(self.probes, refinements=2)

    def coba_settings(self) -> dict[str, Any]:
        return {f"{self.kind}_input_enable_coba_mode": True,
                f"{self.kind}_input_v_rev_coba": self.state[f"{self.kind}_input_v_rev_coba"]}

    def measure_results(self, connection, builder):
        return self.reference_and_slope(connection, builder)[1]


def coba_steps(state: lola.AtomicNeuronArray, reversal: np.ndarray, reference: np.ndarray,
               tau_syn: float) -> list[tuple[str, Any, Any]]:
    """The COBA calibrations of the inputs with a reversal potential (``reversal``: [2][512]
    CADC LSB, NaN: current-based), as (name, calibration, target): the reference potential
    (``reference`` [2][512] LSB), then the slope that puts the reversal there (1 / distance)."""
    steps: list[tuple[str, Any, Any]] = []
    for i, kind in enumerate(KINDS):
        on = np.isfinite(reversal[i])
        state[f"{kind}_input_enable_coba_mode"] = on
        if not on.any():
            continue
        if not on.all():
            raise CalibError(f"the {kind} input is conductance-based for some neurons only: give "
                             f"e_coba_reversal for all of them or for none")
        sign = 1.0 if kind == "excitatory" else -1.0
        distance = sign * (reversal[i] - reference[i])
        steps.append((f"e_coba_reference {kind}", COBAReferenceCalib(state, kind, reference[i], tau_syn),
                      reference[i]))
        steps.append((f"e_coba_reversal {kind}", COBABiasCalib(state, kind, reference[i], tau_syn),
                      1.0 / distance))
    return steps
