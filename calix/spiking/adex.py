"""Calibration of the adaptation and the exponential term (AdEx neurons; beyond the real
calix, which calibrates LIF neurons), on neurons whose leak, membrane time constant, reset and
threshold are calibrated, with the CADC and the spike counters:

    tau_w dw/dt = a (V - V_adapt) - w,   w += b per spike,   I = ... - w + I_0 exp((V - V_exp) / dT)

- :class:`AdaptationReferenceCalib` (``adaptation_v_leak``): ``V_adapt`` at the leak potential
  (the adaptation does not move the rest): with a strong ``a`` the rest reads the leak's target.
- :class:`AdaptationStrengthCalib` (``adaptation_i_bias_a``): ``a`` relative to the leak
  conductance, ``a / g_L``: an offset current moves the rest by ``I / g_L`` without and by
  ``I / (g_L + a)`` with the adaptation (the calibrated offset current), so ``a / g_L`` is the
  ratio of the two shifts less one.
- :class:`AdaptationTimeConstantCalib` (``adaptation_i_bias_tau``): ``tau_w``. After a step of
  the offset current the membrane first follows the current, then ``w`` pulls it back: the
  slower relaxation's rate ``r`` and the measured ``a / g_L`` (``rho``) give ``1 / tau_w = r (1 /
  tau_m - r) / ((1 + rho) / tau_m - r)``, the exact slow root of the two-variable system.
- :class:`SpikeTriggeredAdaptationCalib` (``adaptation_i_bias_b``): ``b / g_L`` [CADC LSB], the
  hyperpolarisation one spike leaves: a pulse of offset current makes every neuron spike once;
  ``w`` decays through the refractory time (the reset holds the membrane), then the membrane
  answers it: its depression ``D`` a time ``t`` after the reset gives ``b / g_L = D / K`` with
  ``K = exp(-t_ref / tau_w)`` times the two-exponential response at ``t`` of the calibrated
  time constants.
- :class:`ExponentialOnsetCalib` (``exponential_v_exp``): the exponential's onset as the
  rheobase potential ``V_T - dT``: the leak at that potential, the neuron is at the edge of
  runaway firing (the threshold comparator far above resets it), as the threshold calibration
  finds its edge.

The strength and the time constant are proportional to their biases (their rates are), so
they use :class:`~calix.common.algorithms.SecantPrediction`; the others binary searches.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

import halco
import haldls
import lola
import stadls
from ..common import helpers as h
from ..common.algorithms import SecantPrediction
from ..errors import CalibError
from .neuron_helpers import FIRING, NeuronStateCalib
from .offset_current import measure_offset_current

log = logging.getLogger(__name__)

#: the adaptation's strength while its reference is searched (a several times g_L)
A_FOR_REFERENCE = 600
#: and while its time constant is measured (a step's slow part: rho / (1 + rho) of it; a stronger
#: one makes the two-variable system ring unless tau_w is many tau_mem)
A_FOR_TAU = 250
#: the adaptation's fastest time constant bias while other parts are measured
TAU_FAST = 1022
#: the rest's shift [CADC LSB] the offset current makes without adaptation (for a / g_L; the
#: time constant's measurement, whose slow part is a fraction of it, takes ``STEP_SHIFT``)
OFFSET_SHIFT = 80.0
STEP_SHIFT = 140.0
#: the height above the leak [CADC LSB] the spike-triggered adaptation's pulse makes its spike
#: at (a threshold further up is lowered for it), and the nominal CapMem LSB of the threshold per
#: CADC LSB (0.78 mV per CapMem LSB, ~4.8 mV per calibrated CADC LSB)
SPIKE_HEIGHT = 30.0
THRESHOLD_CAPMEM_PER_LSB = 6.0
#: the exponential term's strength (``exponential_i_bias``) its onset is calibrated at
EXPONENTIAL_STRENGTH = 300
#: reads averaged per rest (a / g_L is a ratio of shifts: 1 LSB of noise is 2 % of it)
READS = 12
#: reads of a step's final value per relaxation
FINAL_READS = 8
_SOURCE = lola.AtomicNeuron.ConstantCurrent.Type.source


def _rest(builder: stadls.PlaybackProgramBuilder, settle_us: float) -> Any:
    h.wait_us(builder, settle_us)
    reads = [h.read_membranes(builder) for _ in range(READS)]
    return lambda: np.mean([r() for r in reads], axis=0)


class _AdexCalib(NeuronStateCalib):
    """``tau_mem`` [s] (the longest calibrated) sets the settling waits."""

    def __init__(self, state: lola.AtomicNeuronArray, tau_mem: float, inverted: bool = False) -> None:
        super().__init__(state, inverted=inverted)
        self.tau_mem = float(tau_mem)
        self.settle_us = max(60.0, 8.0 * self.tau_mem * 1e6)

    def offset_current(self, connection: stadls.Connection, shift: float = OFFSET_SHIFT) -> np.ndarray:
        """The offset current [CapMem LSB] per neuron that moves its rest by ``shift`` [CADC
        LSB] without adaptation (from a measurement of the source's effect)."""
        per_lsb, ok = measure_offset_current(connection, self.state, self.settle_us)
        if not ok.all():
            raise CalibError(f"{self.field}: the offset current of neurons "
                             f"{np.flatnonzero(~ok)[:10].tolist()} does not move their membrane")
        return np.clip(np.rint(shift / per_lsb), 1, 1022).astype(np.int64)


class _PredictedAdexCalib(_AdexCalib):
    """An AdEx part whose result is close to linear in its bias: predicted from two
    ``probes`` (CapMem LSB) and refined once."""

    probes: tuple[int, int] = (0, 0)

    def algorithm(self, seed: int) -> SecantPrediction:
        return SecantPrediction(self.probes, refinements=1)


class AdaptationReferenceCalib(_AdexCalib):
    """``adaptation_v_leak`` so that the rest with a strong adaptation reads ``target`` (the
    leak's target): there the adaptation draws no current. Within 2 LSB counts as reached."""

    field = "adaptation_v_leak"
    tolerance = 2.0

    def prelude(self, connection):
        self.prepare(connection, threshold_enable=False, adaptation_enable=True,
                     adaptation_enable_pulse=False, adaptation_invert_a=False,
                     adaptation_i_bias_a=A_FOR_REFERENCE, adaptation_i_bias_tau=TAU_FAST,
                     constant_current_enable=False)

    def measure_results(self, connection, builder):
        rest = _rest(builder, self.settle_us)
        h.run(connection, builder)
        return rest()


class AdaptationStrengthCalib(_PredictedAdexCalib):
    """``adaptation_i_bias_a`` so that ``a / g_L`` is ``target`` (module docstring); within 10 %
    (or 0.02) counts as reached."""

    field = "adaptation_i_bias_a"
    tolerance = 0.1
    relative_tolerance = True
    probes = (100, 500)

    def prelude(self, connection):
        current = self.offset_current(connection)
        self.prepare(connection, threshold_enable=False, adaptation_enable=False,
                     adaptation_enable_pulse=False, adaptation_invert_a=False,
                     adaptation_i_bias_tau=TAU_FAST, constant_current_enable=False,
                     constant_current_type=_SOURCE, constant_current_i_offset=current)
        builder = stadls.PlaybackProgramBuilder()
        off = _rest(builder, self.settle_us)
        self._switch(builder, "constant_current_enable", True)
        on = _rest(builder, self.settle_us)
        self._switch(builder, "adaptation_enable", True)
        self._switch(builder, "constant_current_enable", False)
        h.run(connection, builder)
        self.shift_without = on() - off()

    def _switch(self, builder: stadls.PlaybackProgramBuilder, name: str, value: bool) -> None:
        self.measurement[name] = value
        self.measurement.write(builder, fields=[name])

    def measure_results(self, connection, builder):
        off = _rest(builder, self.settle_us)
        self._switch(builder, "constant_current_enable", True)
        on = _rest(builder, self.settle_us)
        self._switch(builder, "constant_current_enable", False)
        h.run(connection, builder)
        shift = on() - off()
        return self.shift_without / np.where(shift > 0.5, shift, 0.5) - 1.0


class AdaptationTimeConstantCalib(_PredictedAdexCalib):
    """``adaptation_i_bias_tau`` so that ``tau_w`` is ``target`` seconds (its result is the rate
    ``1 / tau_w``, proportional to the bias); within 10 % counts as reached."""

    field = "adaptation_i_bias_tau"
    tolerance = 0.1
    relative_tolerance = True
    probes = (40, 160)

    def run(self, connection, algorithm, target=None):
        # the search is on the rate; the target is a time constant
        return super().run(connection, algorithm, None if target is None else 1.0 / np.asarray(target))

    #: relaxations averaged per measurement
    repetitions = 4

    def prelude(self, connection):
        self.current = self.offset_current(connection, STEP_SHIFT)
        # the offset current stays enabled; its cells step it (512 CapMem words: 16 us on the
        # bus, where the 512 NeuronConfigs of an enable take far longer)
        self.prepare(connection, threshold_enable=False, adaptation_enable=False,
                     adaptation_enable_pulse=False, adaptation_invert_a=False,
                     adaptation_i_bias_a=A_FOR_TAU, constant_current_enable=True,
                     constant_current_type=_SOURCE, constant_current_i_offset=0)
        builder = stadls.PlaybackProgramBuilder()
        off = _rest(builder, self.settle_us)
        self._current(builder, self.current)
        on = _rest(builder, self.settle_us)
        self._current(builder, 0)
        self.measurement["adaptation_enable"] = True
        self.measurement.write(builder, fields=["adaptation_enable"])
        h.run(connection, builder)
        self.shift_without = on() - off()

    def _current(self, builder: stadls.PlaybackProgramBuilder, value: Any) -> None:
        self.measurement["constant_current_i_offset"] = value
        self.measurement.write(builder, fields=["constant_current_i_offset"])

    def delays_us(self) -> np.ndarray:
        """Reads after the step: from 7 membrane time constants (its fast part is gone: it
        would bend the slow part's slope) through three of the longest target adaptation time
        constants (a read of all neurons takes 8.2 us: they are at least 10 us apart)."""
        longest = 1e6 / float(np.min(self.target))             # the target is a rate
        start = 7.0 * self.tau_mem * 1e6
        return start + np.linspace(0.0, max(3.0 * longest, 200.0), 20)

    def measure_results(self, connection, builder):
        delays = self.delays_us()
        final_us = delays[-1] + 5.0 * (delays[-1] - delays[0]) / 3.0
        rests, sweeps, finals = [], [], []
        for _ in range(self.repetitions):
            self._current(builder, 0)
            rests.append(_rest(builder, final_us))
            builder.write(halco.TimerOnDLS(), haldls.Timer())
            self._current(builder, self.current)
            sweep = []
            for delay in delays.tolist():
                builder.wait_until(int(round(delay * 125)))
                sweep.append(h.read_membranes(builder))
            builder.wait_until(int(round(final_us * 125)))
            # the final value sets every distance: many reads of it (the late, small distances
            # would bend the slope with its error)
            finals.extend(h.read_membranes(builder) for _ in range(FINAL_READS))
            sweeps.append(sweep)
        self._current(builder, 0)
        h.run(connection, builder)
        rest = np.mean([r() for r in rests], axis=0)
        values = np.mean([[r() for r in sweep] for sweep in sweeps], axis=0) - rest
        final = np.mean([r() for r in finals], axis=0) - rest
        rho = self.shift_without / np.where(final > 0.5, final, 0.5) - 1.0
        # the slow part falls from above to the final value
        tau_slow = h.fit_time_constant(delays * 1e-6, -values, -final, np.ones_like(values, dtype=bool))
        r = 1.0 / np.where(tau_slow > 0, tau_slow, np.inf)
        inv_m = 1.0 / self.tau_mem
        return r * (inv_m - r) / np.maximum((1.0 + rho) * inv_m - r, 1e-12)


def _two_exponential(t: float, tau_w: np.ndarray, tau_m: float) -> np.ndarray:
    """The membrane's response [per unit of b / g_L] at ``t`` to a jump of ``w`` at 0."""
    equal = np.isclose(tau_w, tau_m)
    ratio = tau_w / np.where(equal, 1.0, tau_w - tau_m)
    return np.where(equal, t / tau_m * np.exp(-t / tau_m),
                    ratio * (np.exp(-t / tau_w) - np.exp(-t / tau_m)))


class SpikeTriggeredAdaptationCalib(_PredictedAdexCalib):
    """``adaptation_i_bias_b`` so that one spike leaves ``b / g_L`` = ``target`` [CADC LSB] of
    hyperpolarisation (module docstring); ``tau_w`` [512, s] as calibrated, ``leak`` and
    ``threshold`` [CADC LSB] the calibrated targets."""

    field = "adaptation_i_bias_b"
    #: the response's model takes tau_w as calibrated (within 10 %): 20 % count as reached
    tolerance = 0.2
    relative_tolerance = True
    probes = (50, 300)
    #: the offset-current pulse that makes the neurons spike once [us] (a write of the 512
    #: ``i_offset`` cells takes 16 us on the bus: every neuron's pulse lasts at least that), and
    #: the refractory time that holds them in reset beyond it (no second spike) [us]
    pulse_us = 8.0
    refractory_us = 30.0

    def __init__(self, state: lola.AtomicNeuronArray, tau_mem: float, tau_w: np.ndarray,
                 leak: Any = 80.0, threshold: Any = 140.0) -> None:
        super().__init__(state, tau_mem)
        self.tau_w = np.broadcast_to(np.asarray(tau_w, dtype=float), (h.N_NEURONS,))
        #: the calibrated leak and threshold [CADC LSB]: when the pulse makes the spike
        self.state_targets = (np.asarray(leak, dtype=float), np.asarray(threshold, dtype=float))
        self.spike_delay = np.zeros(h.N_NEURONS)
        self.reachable = np.ones(h.N_NEURONS, dtype=bool)

    def prelude(self, connection):
        from .targets import refractory_settings

        per_lsb, _ = measure_offset_current(connection, self.state, self.settle_us)
        # the pulse needs to reach the threshold quickly: one far above the leak is lowered to
        # SPIKE_HEIGHT above it (nominally: it only makes the spike, b does not depend on it)
        leak, threshold = (np.broadcast_to(t, (h.N_NEURONS,)) for t in self.state_targets)
        lowered = np.minimum(threshold, leak + SPIKE_HEIGHT)
        self.v_threshold = np.clip(np.rint(self.state["threshold_v_threshold"]
                                           - (threshold - lowered) * THRESHOLD_CAPMEM_PER_LSB), 0, 1022)
        self.spike_delay = self.spike_delay_from(per_lsb, leak, lowered)
        # the pulse lasts until the slowest neuron has spiked, the reset beyond it
        self.reachable = np.isfinite(self.spike_delay)
        if not self.reachable.any():
            raise CalibError(f"{self.field}: the offset current cannot drive any membrane from its "
                             f"leak to its threshold: lower the threshold")
        slowest_us = float(np.max(self.spike_delay[self.reachable])) * 1e6
        self.pulse_us = max(type(self).pulse_us, 1.5 * slowest_us + 2.0)
        self.refractory_us = max(type(self).refractory_us, self.pulse_us + 20.0)
        scale, ticks = refractory_settings(np.array([self.refractory_us * 1e-6]))
        h.set_refractory_clock(connection, scale)       # the calibration's result sets it back
        # the read: 6 membrane time constants after the reset ended (its transient is gone)
        self.after_reset_us = 6.0 * self.tau_mem * 1e6
        self.read_us = self.refractory_us + self.after_reset_us
        self.prepare(connection, adaptation_enable=True, adaptation_enable_pulse=True,
                     adaptation_invert_b=False, adaptation_i_bias_a=0,
                     constant_current_enable=True, constant_current_type=_SOURCE,
                     constant_current_i_offset=0, refractory_period_reset_holdoff=0,
                     refractory_period_refractory_time=int(ticks[0]),
                     threshold_v_threshold=self.v_threshold.astype(np.int64), **FIRING)
        self.counts = None

    #: pulses (spikes) averaged per measurement, and reads after each
    repetitions = 8
    reads = 2

    def measure_results(self, connection, builder):
        settle_us = 6.0 * float(np.max(self.tau_w)) * 1e6      # w of the previous spike is gone
        rests, reads, counts = [], [], []
        for _ in range(self.repetitions):
            rests.append(_rest(builder, settle_us))
            h.reset_spike_counters(builder)
            builder.write(halco.TimerOnDLS(), haldls.Timer())
            self.measurement["constant_current_i_offset"] = 1022
            self.measurement.write(builder, fields=["constant_current_i_offset"])
            builder.wait_until(int(round(self.pulse_us * 125)))
            self.measurement["constant_current_i_offset"] = 0
            self.measurement.write(builder, fields=["constant_current_i_offset"])
            builder.wait_until(int(round(self.read_us * 125)))
            reads.extend(h.read_membranes(builder) for _ in range(self.reads))
            counts.append(h.read_spike_counts(builder))
        h.run(connection, builder)
        self.counts = np.array([c() for c in counts])
        depression = np.mean([r() for r in rests], axis=0) - np.mean([r() for r in reads], axis=0)
        # w jumped at the spike, when the pulse had driven the membrane to the threshold
        k = np.exp(-self.refractory_us * 1e-6 / self.tau_w) * \
            _two_exponential(self.after_reset_us * 1e-6 - np.where(self.reachable, self.spike_delay, 0.0),
                             self.tau_w, self.tau_mem)
        # a neuron that did not spike exactly once per pulse says nothing about b
        return np.where((self.counts == 1).all(axis=0) & self.reachable, depression / k, np.nan)

    def spike_delay_from(self, per_lsb: np.ndarray, leak: np.ndarray, threshold: np.ndarray) -> np.ndarray:
        """When the pulse's current (1022 LSB) drives each membrane from its rest ``leak`` to
        ``threshold`` [CADC LSB] [s]: the full current moves the rest by ``1022 per_lsb`` LSB,
        reached with the membrane time constant."""
        full = 1022.0 * per_lsb
        fraction = np.clip((threshold - leak) / np.maximum(full, 1e-9), 0.0, None)
        # beyond 0.9 of the way the spike comes late and uncertain: such a neuron fails
        return np.where(fraction < 0.9, -self.tau_mem * np.log1p(-np.minimum(fraction, 0.9)), np.inf)


class ExponentialOnsetCalib(NeuronStateCalib):
    """``exponential_v_exp`` so that the neuron is at the edge of runaway firing when its leak
    lies at ``target`` [CADC LSB], the rheobase potential ``V_T - dT`` (the exponential's
    strength ``exponential_i_bias`` as ``state`` sets it; the threshold comparator at
    ``spike_threshold`` CapMem resets the runaway). Inverted: a higher onset, fewer spikes."""

    field = "exponential_v_exp"
    #: spikes in the window at the edge: few, as the rate near the onset of runaway firing is
    #: small (a saddle-node: it rises from zero); more would put the edge above the onset
    spikes_at_edge = 1.0
    #: the threshold comparator's CapMem value, far above the onsets but below the supply (a
    #: comparator above it would never see the runaway): it only ends a runaway
    spike_threshold = 700

    def __init__(self, state: lola.AtomicNeuronArray, tau_mem: float) -> None:
        super().__init__(state, inverted=True)
        self.window_us = max(400.0, 40.0 * tau_mem * 1e6)
        self.settle_us = max(60.0, 8.0 * tau_mem * 1e6)
        self.level_success = np.ones(self.n_instances, dtype=bool)

    def prelude(self, connection):
        from .neuron import leak_at          # the leak's own calibration

        level = leak_at(connection, self.state, self.target, self.settle_us, seed=23)
        self.level_success = level.success
        self.prepare(connection, leak_v_leak=level.calibrated_parameters,
                     threshold_v_threshold=self.spike_threshold, exponential_enable=True,
                     exponential_i_bias=EXPONENTIAL_STRENGTH, adaptation_enable=False,
                     refractory_period_refractory_time=10, refractory_period_reset_holdoff=0,
                     **FIRING)
        self.target = np.full(self.n_instances, self.spikes_at_edge)

    def measure_results(self, connection, builder):
        h.wait_us(builder, self.settle_us)
        h.reset_spike_counters(builder)
        h.wait_us(builder, self.window_us)
        counts = h.read_spike_counts(builder)
        h.run(connection, builder)
        return counts()

    def postlude(self, connection):
        super().postlude(connection)
        self.result.success &= self.level_success


def adex_steps(state: lola.AtomicNeuronArray, parts: dict[str, np.ndarray], leak: np.ndarray,
               threshold: np.ndarray, tau_mem: float) -> list[tuple[str, Any, Any]]:
    """The AdEx calibrations ``parts`` (:meth:`NeuronCalibTarget.adex`) ask for, as (name,
    calibration, target), on neurons calibrated to ``leak`` and ``threshold`` [CADC LSB]
    (``state`` is left alone until they run; :func:`adex_settings` are the switches after)."""
    steps: list[tuple[str, Any, Any]] = []
    if any(k in parts for k in ("adaptation_a", "adaptation_tau", "adaptation_b")):
        steps.append(("adaptation reference", AdaptationReferenceCalib(state, tau_mem), leak))
    if "adaptation_a" in parts:
        steps.append(("adaptation a", AdaptationStrengthCalib(state, tau_mem), parts["adaptation_a"]))
    if "adaptation_tau" in parts:
        steps.append(("adaptation tau_w", AdaptationTimeConstantCalib(state, tau_mem), parts["adaptation_tau"]))
    if "adaptation_b" in parts:
        steps.append(("adaptation b", SpikeTriggeredAdaptationCalib(
            state, tau_mem, parts["adaptation_tau"], leak, threshold), parts["adaptation_b"]))
    if "exponential_onset" in parts:
        steps.append(("exponential onset", ExponentialOnsetCalib(state, tau_mem), parts["exponential_onset"]))
    return steps


def adex_settings(parts: dict[str, np.ndarray]) -> dict[str, Any]:
    """The switches (and fixed biases) of the calibrated AdEx neuron: the adaptation where a, b
    or tau_w is asked for (b's pulse where b is; a part not asked for has its bias 0), the
    exponential at ``EXPONENTIAL_STRENGTH`` where its onset is."""
    adaptation = any(k in parts for k in ("adaptation_a", "adaptation_tau", "adaptation_b"))
    out: dict[str, Any] = {"adaptation_enable": adaptation,
                           "adaptation_enable_pulse": "adaptation_b" in parts,
                           "adaptation_invert_a": False, "adaptation_invert_b": False,
                           "exponential_enable": "exponential_onset" in parts}
    if "adaptation_a" not in parts:
        out["adaptation_i_bias_a"] = 0
    if "adaptation_b" not in parts:
        out["adaptation_i_bias_b"] = 0
    if "exponential_onset" in parts:
        out["exponential_i_bias"] = EXPONENTIAL_STRENGTH
    return out
