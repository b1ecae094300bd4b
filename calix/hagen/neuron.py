"""The HAGEN neuron calibration (calix's ``hagen.neuron``): all 512 neurons as integrators of
their synaptic inputs, each neuron's two inputs of equal strength, all neurons alike.

In order (calix's, with the synaptic time constants first, before the synapse DAC bias is
raised: their measurement's charge is chosen for the nominal synapse current):

1. the synaptic time constants (``tau_syn``; a target up to ``TAU_SYN_MINIMUM``: each input's
   minimum, the largest bias),
2. the synapse DAC bias per quadrant (:class:`~calix.hagen.synapse.DACBiasCalibCADC`),
3. the leak potential; unless ``disable_leakage``, the membrane time constant through the leak
   bias (a neuron that leaks more integrates less),
4. the excitatory inputs' strength (every neuron to the median at ``i_synin_gm``), then the
   inhibitory ones to the same amplitude (:mod:`~calix.hagen.neuron_synin`), measured without
   leak,
5. unless ``disable_leakage``, the leak potential again; the reset potential at the leak
   target (the baseline the integration starts from),
6. the leak off, if ``disable_leakage`` (calix's ``HagenCalibOptions.neuron_disable_leakage``).

calix calibrates the membrane time constant in any case and matches the inputs with the leak
on before it switches the leak off; here the inputs are matched as they integrate without it,
and a leak that will be off needs no time constant.

The potentials and the membrane time constant reuse the spiking calibration's
:class:`~calix.spiking.LeakPotentialCalib`, :class:`~calix.spiking.MembraneTimeConstantCalib`
and :class:`~calix.spiking.ResetPotentialCalib`; the synaptic time constant its
:class:`~calix.spiking.SynTimeConstantCalib`, with the excitatory measurement starting inside
the HAGEN CADC range.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import halco
import lola
import stadls
from ..common import helpers as h
from ..common.algorithms import BinarySearch, NoisyBinarySearch
from ..common.base import checked_target_and_options
from ..common.cadc_helpers import capmem_set_quadrant_cells
from ..common.progress import Progress
from ..errors import TargetError
from ..spiking.neuron import LeakPotentialCalib, MembraneTimeConstantCalib, ResetPotentialCalib
from ..spiking.results import NeuronCalibResult
from ..spiking.synaptic_input import KINDS, SynTimeConstantCalib
from ..spiking.targets import NeuronCalibOptions
from .neuron_helpers import QUADRANT
from .neuron_synin import ExcSynBiasCalib, InhSynBiasCalib
from .synapse import DAC_CELL, DACBiasCalibCADC
from .targets import TAU_SYN_MINIMUM, HagenNeuronCalibTarget

log = logging.getLogger(__name__)

#: the synaptic time constants' bias at their minimum
I_BIAS_TAU_MINIMUM = 1022
#: the longest synaptic time constant [s] at the minimum (the emulated input: about 1.2 us with
#: the small capacitance, its mismatch stretches a few neurons' to 2.5 us)
TAU_SYN_AT_MINIMUM = 2.5e-6
#: the membrane time constant's measurement starts (reset) and relaxes (leak) inside the HAGEN
#: CADC range (CapMem LSB: about 0.44 V and 0.95 V)
TAU_MEM_RESET = 350
TAU_MEM_LEAK = 900
#: the excitatory time constant's measurement starts here (CapMem LSB of the reset, about
#: 0.44 V): the HAGEN CADC reads from 0.3 V
TAU_SYN_START_EXCITATORY = 350


@dataclass
class HagenNeuronCalibResult(NeuronCalibResult):
    """The calibrated HAGEN neurons (a :class:`calix.NeuronCalibResult`: ``neurons``,
    ``success``, ``steps``) and the synapse DAC bias ``syn_i_bias_dac`` [4] of each quadrant
    (CapMemBlockOnDLS order). :meth:`apply` also connects every membrane to its CADC channel
    (the integration is read there)."""

    syn_i_bias_dac: np.ndarray = field(default_factory=lambda: np.zeros(halco.CapMemBlockOnDLS.size,
                                                                           dtype=np.int64))

    def apply(self, builder: stadls.PlaybackProgramBuilder | stadls.PlaybackProgramBuilderDumper) -> None:
        super().apply(builder)
        capmem_set_quadrant_cells(builder, {DAC_CELL: self.syn_i_bias_dac})
        h.enable_cadc_membranes(builder)


class HagenSynTimeConstantCalib(SynTimeConstantCalib):
    """:class:`~calix.spiking.SynTimeConstantCalib` with the excitatory measurement starting at
    ``TAU_SYN_START_EXCITATORY`` (the HAGEN CADC does not read the spiking one's start)."""

    def settings(self) -> dict[str, Any]:
        settings = super().settings()
        if self.kind == "excitatory":
            settings["reset_v_reset"] = TAU_SYN_START_EXCITATORY
        return settings


def initial_state(target: HagenNeuronCalibTarget) -> lola.AtomicNeuronArray:
    """The neurons before the calibration: potentials mid-range, the leak at a medium bias, the
    threshold off, both inputs with their small capacitance at the minimum time constant, the
    largest membrane capacitance."""
    state = lola.AtomicNeuronArray()
    state["leak_v_leak"] = 500
    state["reset_v_reset"] = 500
    state["leak_i_bias"] = 500
    state["reset_i_bias"] = 1022
    state["threshold_v_threshold"] = 1022
    state["threshold_enable"] = False
    state["membrane_capacitance_capacitance"] = 63
    for kind in KINDS:
        state[f"{kind}_input_enable_small_capacitance"] = True
        state[f"{kind}_input_i_bias_tau"] = I_BIAS_TAU_MINIMUM
        state[f"{kind}_input_i_bias_gm"] = target.i_synin_gm
    return state


def calibrate(connection: stadls.Connection, target: HagenNeuronCalibTarget | None = None,
              options: NeuronCalibOptions | None = None,
              disable_leakage: bool = True) -> HagenNeuronCalibResult:
    """Calibrate all 512 neurons on ``connection`` for integration (module docstring); the
    CADC must be calibrated (:func:`calix.common.cadc.calibrate`, the HAGEN range) and the
    synapse DAC bias at its reset value. Returns the result, which is left configured."""
    target, options = checked_target_and_options("the HAGEN neuron calibration", target, options,
                                                 HagenNeuronCalibTarget, NeuronCalibOptions)
    if not isinstance(disable_leakage, (bool, np.bool_)):
        raise TargetError(f"disable_leakage must be True or False, not {disable_leakage!r}")
    tau_mem = target.per_neuron("tau_mem")
    if not np.all(tau_mem == tau_mem[0]):
        raise TargetError("HagenNeuronCalibTarget.tau_mem: this calibration takes one membrane time "
                          "constant for all neurons (as calix's), not one per neuron")
    state = initial_state(target)
    builder = stadls.PlaybackProgramBuilder()
    h.enable_cadc_membranes(builder)
    state.write(builder)
    h.run(connection, builder)

    tau_syn = target.per_neuron("tau_syn")
    minimum = tau_syn <= TAU_SYN_MINIMUM
    if minimum.any():
        log.info("HAGEN neurons: synaptic time constant targets up to %g s take the minimum (the "
                 "emulated input reaches about 1.2 us)", TAU_SYN_MINIMUM)
    tau_longest = max(TAU_SYN_AT_MINIMUM, float(np.max(np.where(minimum, 0.0, tau_syn))))
    leak = target.per_neuron("leak")
    steps: list[tuple[str, Any, Any, Any]] = []
    for i, kind in enumerate(KINDS):
        if not minimum[i].all():
            steps.append((f"tau_syn {kind}", HagenSynTimeConstantCalib(state, kind),
                          np.where(minimum[i], TAU_SYN_MINIMUM, tau_syn[i]), NoisyBinarySearch))
    dac = DACBiasCalibCADC(state, target.synapse_dac_bias, target.i_synin_gm, tau_longest)
    tau_calib = MembraneTimeConstantCalib(state)
    tau_calib.v_reset_measure, tau_calib.v_leak_measure = TAU_MEM_RESET, TAU_MEM_LEAK
    tau_calib.repetitions = 1           # calix: the time constants need only roughly match
    steps += [("synapse DAC bias", dac, None, BinarySearch),
              ("leak", LeakPotentialCalib(state), leak, NoisyBinarySearch)]
    final: list[tuple[str, Any]] = []
    if not disable_leakage:
        # with the leak off in use, its bias (the membrane time constant) and potential have
        # no effect: both are calibrated only for neurons that keep it
        steps.append(("tau_mem", tau_calib, tau_mem, NoisyBinarySearch))
        final_leak = LeakPotentialCalib(state)
        final_leak.settle_us = max(60.0, 8.0 * float(tau_mem[0]) * 1e6)
        final.append(("leak", final_leak))
    final.append(("reset", ResetPotentialCalib(state)))
    success = np.ones(h.N_NEURONS, dtype=bool)
    report = []
    with Progress("HAGEN neuron calibration", len(steps) + 2 + len(final)) as progress:
        def run_step(i: int, name: str, calib: Any, value: Any, algorithm: type) -> Any:
            progress.step(name)
            log.info("HAGEN neuron calibration: %s", name)
            start = time.perf_counter()
            search = algorithm(seed=int(options.seed) + i) if algorithm is NoisyBinarySearch else algorithm()
            result = calib.run(connection, search, value)
            # a quadrant's result (the synapse DAC bias) holds for each of its neurons
            ok = result.success if result.success.shape == success.shape else result.success[QUADRANT]
            report.append((name, time.perf_counter() - start, float(np.mean(ok))))
            return result, ok

        for i, (name, calib, value, algorithm) in enumerate(steps):
            result, ok = run_step(i, name, calib, value, algorithm)
            success &= ok
            if calib is dac:
                syn_i_bias_dac = result.calibrated_parameters.astype(np.int64)
            elif isinstance(calib, SynTimeConstantCalib):
                # neurons whose target is the minimum keep the largest bias
                field_name = f"{calib.kind}_input_i_bias_tau"
                state[field_name] = np.where(minimum[KINDS.index(calib.kind)], I_BIAS_TAU_MINIMUM,
                                             state[field_name])
        excitatory = ExcSynBiasCalib(state, target.i_synin_gm, tau_longest)
        inhibitory = InhSynBiasCalib(state, target.i_synin_gm, tau_longest, match=excitatory)
        n = len(steps)
        for i, (name, calib) in enumerate((("i_synin_gm excitatory", excitatory),
                                           ("i_synin_gm inhibitory", inhibitory))):
            success &= run_step(n + i, name, calib, None, NoisyBinarySearch)[1]
        for kind in KINDS:
            state[f"{kind}_input_enable"] = True
        for i, (name, calib) in enumerate(final):
            success &= run_step(n + 2 + i, name, calib, leak, NoisyBinarySearch)[1]
    if disable_leakage:
        state["leak_i_bias"] = 0
    result = HagenNeuronCalibResult.from_array(target, state, 0, success, options=options)
    result.syn_i_bias_dac = syn_i_bias_dac
    result.steps = report
    result.apply_to(connection)
    return result
