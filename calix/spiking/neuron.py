"""The spiking neuron calibration: leak, reset and threshold potentials and the membrane time
constant of all 512 neurons at once, each a :class:`~calix.base.Calib` searched with a
:class:`~calix.algorithms.NoisyBinarySearch` over its CapMem cell, measured with the CADC.

- **Leak** (``v_leak``): the membrane at rest, threshold off.
- **Membrane time constant** (``i_bias_leak``, inverted): after a reset to a low potential,
  CADC reads at fractions of the target ``tau_mem`` follow ``V_leak + (V_0 - V_leak)
  exp(-t / tau)``; ``tau`` is the least-squares slope of the log distance.
- **Reset** (``v_reset``): the leak far above the threshold and a long refractory period keep
  the neuron in reset almost all the time; the median of CADC reads is the reset potential.
- **Threshold** (``v_threshold``): the leak above it, a short refractory period: the membrane
  saws between reset and threshold; the largest of many CADC reads is the threshold.

:func:`calibrate_neurons` first calibrates both synaptic inputs (time constants, strengths:
:mod:`~calix.spiking.synaptic_input`, their reference potentials:
:mod:`~calix.spiking.synin_reference`, then the conductance-based ones' reference and reversal
potentials: :mod:`~calix.spiking.coba`, as calix does before the membrane), then leak, membrane
time constant, reset, threshold, leak again, the AdEx parts a target asks for
(:mod:`~calix.spiking.adex`), and measures how far the offset current moves each calibrated
neuron (:mod:`~calix.spiking.offset_current`); it returns a
:class:`~calix.results.NeuronCalibResult`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

import halco
import haldls
import lola
import stadls
from ..common import helpers as h
from ..common.algorithms import NoisyBinarySearch
from ..common.progress import Progress
from ..errors import TargetError
from .adex import adex_settings, adex_steps
from .coba import coba_steps
from .neuron_helpers import FIRING, NeuronStateCalib
from .offset_current import measure_offset_current
from .ppu_calibration import PPULeakThresholdStep
from .results import NeuronCalibResult
from .synapse_dac import SynapseDACBiasStep
from .synaptic_input import KINDS, SynAmplitudeCalib, synaptic_input_steps
from .synin_reference import synin_reference_steps
from .targets import NeuronCalibTarget, as_target, per_input, refractory_settings

log = logging.getLogger(__name__)

#: leak conductance bias used until the membrane time constant is calibrated
DEFAULT_I_BIAS_LEAK = 500
#: CapMem values of the settings the measurements need
V_LEAK_FAR_ABOVE = 1022
V_THRESHOLD_OFF = 1022
V_RESET_LOW = 150      # about 44 LSB: far below the leak, clear of the CADC's clipping at 0
#: backend clock (250 MHz / 2**(scale + 1)) while the reset potential is measured
RESET_CLOCK_SCALE = 6


class LeakPotentialCalib(NeuronStateCalib):
    """``v_leak`` so that the resting membrane reads ``target`` CADC LSB (after ``settle_us``
    of hardware time, several membrane time constants)."""

    field = "leak_v_leak"
    settle_us = 60.0
    tolerance = 2.0                      # CADC LSB

    def prelude(self, connection):
        self.prepare(connection)

    def measure_results(self, connection, builder):
        h.wait_us(builder, self.settle_us)
        reads = [h.read_membranes(builder) for _ in range(3)]
        h.run(connection, builder)
        return np.mean([r() for r in reads], axis=0)


def leak_at(connection: stadls.Connection, state: lola.AtomicNeuronArray, target: Any,
            settle_us: float, seed: int) -> Any:
    """The ``v_leak`` [512] that puts every neuron's rest at ``target`` CADC LSB (a
    :class:`LeakPotentialCalib` on a copy of ``state``, which is left as it is), as a
    ``ParameterCalibResult``: the level a firing measurement starts from."""
    level = LeakPotentialCalib(state.copy())
    level.settle_us = settle_us
    return level.run(connection, NoisyBinarySearch(seed=seed), target)


class MembraneTimeConstantCalib(NeuronStateCalib):
    """``i_bias_leak`` so that the membrane relaxes to the leak with time constant ``target``
    seconds (a larger bias: a shorter time constant).

    For the measurement the leak is raised and the reset lowered (the time constant does not
    depend on them), so every membrane relaxes over some 150 LSB. After the rest is read, one
    cycle per delay: reset every neuron, read all 512 membranes ``delay`` later (a read of the
    128 CADC quads takes 8.2 us, so a cycle samples one delay). The delays span three of the
    longest target time constants, spaced finely enough for the shortest. The slope of the
    log distance to the rest is ``-1 / tau``; a constant delay of a neuron's reset and read
    (its quad's place in a burst) does not change it. Results within 10 % count as reached."""

    field = "leak_i_bias"
    tolerance = 0.1
    relative_tolerance = True
    #: the first delay after the timer reset: after the 128 resets (4.1 us on the bus)
    first_delay = 4.5e-6
    v_leak_measure = 800
    v_reset_measure = 150
    #: relaxations averaged per measurement: one spreads the fits by ~4 % (the membrane's and
    #: the CADC's noise), a few neurons by 15 %
    repetitions = 2

    def __init__(self, state: lola.AtomicNeuronArray) -> None:
        super().__init__(state, inverted=True)

    def prelude(self, connection):
        self.prepare(connection, leak_v_leak=self.v_leak_measure, reset_v_reset=self.v_reset_measure)

    def delays(self) -> np.ndarray:
        """Delays after the timer reset [s], the resets right after it."""
        target = np.asarray(self.target, dtype=float)
        shortest, longest = float(target.min()), float(target.max())
        n = int(np.clip(np.ceil(3.0 * longest / (shortest / 3.0)) + 1, 7, 24))
        return self.first_delay + np.linspace(0.0, 3.0 * longest, n)

    def measure_results(self, connection, builder):
        delays = self.delays()
        h.wait_us(builder, 8.0 * float(np.max(self.target)) * 1e6)   # the new bias settles
        rests = [h.read_membranes(builder) for _ in range(self.repetitions)]
        samples = []
        for _ in range(self.repetitions):
            for delay in delays.tolist():
                builder.write(halco.TimerOnDLS(), haldls.Timer())
                h.reset_neurons(builder)
                builder.wait_until(int(round(delay * 125e6)))
                samples.append(h.read_membranes(builder))
        h.run(connection, builder)
        values = np.array([r() for r in samples]).reshape(self.repetitions, len(delays), -1).mean(axis=0)
        return h.fit_time_constant(delays, values, np.mean([r() for r in rests], axis=0))

    def postlude(self, connection):
        super().postlude(connection)
        builder = stadls.PlaybackProgramBuilder()     # the potentials as calibrated again
        self.state.write(builder, fields=["leak_v_leak", "reset_v_reset"])
        h.run(connection, builder)


class ResetPotentialCalib(NeuronStateCalib):
    """``v_reset`` so that the membrane in reset reads ``target`` CADC LSB."""

    field = "reset_v_reset"
    tolerance = 3.0                      # CADC LSB

    def prelude(self, connection):
        self.prepare(connection, leak_v_leak=V_LEAK_FAR_ABOVE, threshold_v_threshold=0,
                     refractory_period_refractory_time=255, refractory_period_reset_holdoff=0,
                     **FIRING)
        # 255 ticks of a 2 MHz clock: 130 us in reset for every few us of charging
        h.set_refractory_clock(connection, RESET_CLOCK_SCALE)

    def postlude(self, connection):
        super().postlude(connection)
        h.set_refractory_clock(connection, 0)

    def measure_results(self, connection, builder):
        h.wait_us(builder, 5.0)
        reads = []
        for k in range(9):
            builder.wait_until(int((5.0 + 3.7 * k) * 125))
            reads.append(h.read_membranes(builder))
        h.run(connection, builder)
        return np.median([r() for r in reads], axis=0)


class ThresholdCalib(NeuronStateCalib):
    """``v_threshold`` so that the neuron fires just when its membrane reaches ``target``
    CADC LSB (a spike-counter method, as calix's NeuronThresholdCalib).

    The leak potential is first calibrated to the threshold target itself; then a neuron fires
    (a few spikes in ``window_us``) exactly when its threshold lies below that level. The
    search (inverted: a higher threshold, fewer spikes) finds the edge, to a fraction of an LSB
    (the membrane noise smears it). A CADC maximum of the sawtooth would miss the sharp peak
    and set the threshold too high."""

    field = "threshold_v_threshold"
    #: spikes in the window at the edge: a membrane that reaches the threshold slowly
    spikes_at_edge = 3.0

    def __init__(self, state: lola.AtomicNeuronArray, tau_mem: float = 10e-6) -> None:
        super().__init__(state, inverted=True)
        # the window grows with the time constant, so that 3 spikes mean the same distance
        # of the leak above the threshold, (leak - reset) exp(-window / (3 tau))
        self.window_us = max(200.0, 20.0 * tau_mem * 1e6)
        self.settle_us = max(60.0, 8.0 * tau_mem * 1e6)
        #: whether the leak could be set to the threshold target (else the neuron fails)
        self.level_success = np.ones(self.n_instances, dtype=bool)

    def prelude(self, connection):
        level = leak_at(connection, self.state, self.target, self.settle_us, seed=17)
        self.level_success = level.success
        self.leak_at_threshold = level.calibrated_parameters
        self.prepare(connection, leak_v_leak=self.leak_at_threshold,
                     refractory_period_refractory_time=10, refractory_period_reset_holdoff=0,
                     **FIRING)
        self.target = np.full(self.n_instances, self.spikes_at_edge)

    def measure_results(self, connection, builder):
        h.reset_spike_counters(builder)
        h.wait_us(builder, self.window_us)
        counts = h.read_spike_counts(builder)
        h.run(connection, builder)
        return counts()

    def postlude(self, connection):
        super().postlude(connection)
        self.result.success &= self.level_success


def calibrate_neurons(connection: stadls.Connection, target: NeuronCalibTarget | None = None,
                      seed: int = 0, initialize: bool = True, on_ppu: bool = False) -> NeuronCalibResult:
    """Calibrate all 512 neurons on ``connection`` to ``target`` (default
    :class:`NeuronCalibTarget`): both synaptic inputs, then the membrane; returns the result,
    which is also left configured (synaptic inputs enabled). A neuron succeeds if every step
    reached its target (within each step's tolerance). ``initialize``: start from
    ``stadls.SystemInit`` (False: the chip is initialized, its CADC perhaps calibrated, as in
    :class:`~calix.spiking.SpikingCalibTarget`). ``on_ppu``: the leak and threshold potentials
    are searched by the two PPUs (:mod:`~calix.spiking.ppu_calibration`) after the reset."""
    target = as_target(target)
    if not (hasattr(connection, "run") and hasattr(connection, "revision")):
        raise TargetError(f"calibrate_neurons needs a connection (stadls.ManagedConnection), "
                          f"not {type(connection).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TargetError(f"seed must be an int >= 0, not {seed!r}")
    state = lola.AtomicNeuronArray()
    state["leak_v_leak"] = 500
    state["reset_v_reset"] = 400
    state["threshold_v_threshold"] = V_THRESHOLD_OFF
    state["leak_i_bias"] = DEFAULT_I_BIAS_LEAK
    state["reset_i_bias"] = 1022
    state["membrane_capacitance_capacitance"] = target.membrane_capacitance
    if not isinstance(initialize, (bool, np.bool_)):
        raise TargetError(f"initialize must be True or False, not {initialize!r}")
    builder = stadls.generate(stadls.SystemInit())[0] if initialize else stadls.PlaybackProgramBuilder()
    h.enable_cadc_membranes(builder)
    h.run(connection, builder)
    tau_max = float(np.max(target.per_neuron("tau_mem")))
    # calix's order: the synaptic inputs (their own integrator settings, independent of the
    # membrane's), then the membrane; the leak last, with everything else in place
    reversal, reference = target.coba_inputs()
    tau_syn = target.per_neuron("tau_syn")
    steps = synaptic_input_steps(state, tau_syn, target.cuba_synin)
    # calix's step 5: the synapse DAC bias between the time constants and the strengths
    dac = SynapseDACBiasStep(state, target.synapse_dac_bias,
                             per_input(target.cuba_synin.i_synin_gm)[0], float(np.max(tau_syn)))
    steps.insert(len(KINDS), ("synapse DAC bias", dac, None))
    # the references at the inputs' final strengths (calix's calibrate_synin_references)
    steps += synin_reference_steps(state)
    steps += coba_steps(state, reversal, reference, float(np.max(tau_syn)))
    if on_ppu:
        # the membrane's time constant and reset do not depend on the leak's potential (their
        # measurements set their own); the PPUs then find leak and threshold
        steps += [("tau_mem", MembraneTimeConstantCalib(state), target.per_neuron("tau_mem")),
                  ("reset", ResetPotentialCalib(state), target.per_neuron("reset")),
                  ("leak and threshold on the PPUs", PPULeakThresholdStep(state, tau_max),
                   (target.per_neuron("leak"), target.per_neuron("threshold")))]
    else:
        steps += [("leak", LeakPotentialCalib(state), target.per_neuron("leak")),
                  ("tau_mem", MembraneTimeConstantCalib(state), target.per_neuron("tau_mem")),
                  ("reset", ResetPotentialCalib(state), target.per_neuron("reset")),
                  ("threshold", ThresholdCalib(state, tau_max), target.per_neuron("threshold")),
                  ("leak", LeakPotentialCalib(state), target.per_neuron("leak"))]
    if target.tau_icc is not None:
        # calix's optional step 10 (calix.multicomp builds on this module)
        from ..multicomp import ICCStep

        steps.append(("tau_icc", ICCStep(state), target.per_neuron("tau_icc")))
    # the AdEx parts last, on the calibrated membrane
    adex = target.adex()
    steps += adex_steps(state, adex, target.per_neuron("leak"), target.per_neuron("threshold"), tau_max)
    settle_us = max(60.0, 8.0 * tau_max * 1e6)
    success = np.ones(h.N_NEURONS, dtype=bool)
    report = []                         # (step, wall seconds, fraction of neurons that reached it)
    with Progress("neuron calibration", len(steps) + 1) as progress:
        for i, (name, calib, value) in enumerate(steps):
            log.info("neuron calibration %d/%d: %s", i + 1, len(steps), name)
            progress.step(name)
            start = time.perf_counter()
            # a calibration may want its own search (a prediction from probes, say)
            algorithm = (calib.algorithm(int(seed) + i) if hasattr(calib, "algorithm")
                         else NoisyBinarySearch(seed=int(seed) + i))
            if isinstance(calib, LeakPotentialCalib):
                calib.settle_us = settle_us
            result = calib.run(connection, algorithm, value)
            report.append((name, time.perf_counter() - start, float(np.mean(result.success))))
            success &= result.success
        progress.step("offset current")
        start = time.perf_counter()
        offset_shift, offset_ok = measure_offset_current(connection, state, settle_us)
        report.append(("offset current", time.perf_counter() - start, float(np.mean(offset_ok))))
    scale, ticks = refractory_settings(target.per_neuron("refractory_time"))
    for name, value in {**FIRING, **adex_settings(adex)}.items():
        state[name] = value
    state["refractory_period_refractory_time"] = ticks
    state["refractory_period_reset_holdoff"] = 0
    charge = [np.nan, np.nan]
    for name, calib, _ in steps:
        if isinstance(calib, SynAmplitudeCalib):
            charge[KINDS.index(calib.kind)] = calib.charge_per_weight(target.membrane_capacitance)
    result = NeuronCalibResult.from_array(target, state, scale, success, charge_per_weight=tuple(charge),
                                          offset_current_per_lsb=np.where(offset_ok, offset_shift, np.nan))
    result.steps = report
    result.syn_i_bias_dac = dac.syn_i_bias_dac
    result.apply_to(connection)
    return result
