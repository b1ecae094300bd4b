"""Beyond the real calix, whose calibrations all run on the host: the leak and threshold
potentials of all 512 neurons calibrated by the two embedded processors, each on its own
hemisphere at once, with a ``libnux_vm`` kernel (:data:`KERNEL`).

The kernel writes its neurons' CapMem cells over the PPU's bus (the ``set_capmem``
built-in: a cell of every neuron from a vector, in steps of 4 LSB), reads their membranes with the CADC (``get_analog_readouts``) and counts their
spikes (``get_rate_counters``), with the host's algorithms made per-lane:

1. the leak at the threshold's target, the threshold far above (a binary search of
   ``v_leak`` on the mean of ``READS`` CADC reads);
2. the threshold: a binary search of ``v_threshold`` (inverted) on the spikes in a window: the
   neuron fires a few spikes exactly when its threshold lies at its leak (the host's
   :class:`~calix.spiking.neuron.ThresholdCalib`);
3. the leak at its own target.

The host prepares the neurons (``state``: membrane time constant, reset, refractory settings
as calibrated, the threshold comparator and the fire signal on), loads the program into both
PPUs, starts them, waits until both sleep and reads the results. The searches have the host's
step count (10 halvings of 0..1022, then the neighbours), one CapMem write per neuron and step.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

import halco
import lola
import stadls
import libnux_vm
from ..common import helpers as h
from ..common.base import ParameterCalibResult
from ..errors import CalibError, TargetError
from .neuron_helpers import FIRING

log = logging.getLogger(__name__)

#: the spikes in the window at the threshold's edge (the host's ThresholdCalib)
SPIKES_AT_EDGE = 3

KERNEL = """
// calix's leak and threshold calibration on one PPU, with the vector unit: per-lane binary
// searches over the hemisphere's 256 neurons of a CapMem value in steps of 4 (an 8-bit lane v
// is the cell's value 4 v: 0..1020), 1 + 7 halvings from the middle, the best read kept
int32 neurons = 0;                  // this PPU's hemisphere (the handle of all its neurons)
vec_u8 leak_target;
vec_u8 threshold_target;
uint32 settle_cycles = 15000;       // after a CapMem write, before reading (PPU cycles)
uint32 window_cycles = 50000;       // spike-counting window
vec_u8 v_leak;
vec_u8 v_threshold;
vec_u8 leak_error;                  // |mean read - target| of the best v_leak [CADC LSB]
vec_u8 threshold_error;             // |spikes - SPIKES| of the best v_threshold
int32 done = 0;

void wait(uint32 cycles) {
    uint32 t0 = now();
    while (now() - t0 < cycles) { }
}

// one CapMem row (0 v_leak, 2 v_threshold) of every neuron: 4 v
void write_row(int32 cell, vec_u8 v) { set_capmem(neurons, cell, v); }

// the mean of four CADC reads: pairs rounded up, then their mean rounded down (no bias on
// average, within 0.5 LSB)
vec_u8 mean_up(vec_u8 a, vec_u8 b) { return (a >> 1) + (b >> 1) + ((a | b) & (vec_u8)1); }
vec_u8 mean_down(vec_u8 a, vec_u8 b) { return (a >> 1) + (b >> 1) + (a & b & (vec_u8)1); }
vec_u8 membranes() {
    vec_u8 a = get_analog_readouts(neurons);
    vec_u8 b = get_analog_readouts(neurons);
    vec_u8 c = get_analog_readouts(neurons);
    vec_u8 d = get_analog_readouts(neurons);
    return mean_down(mean_up(a, b), mean_up(c, d));
}

// v +- step without leaving 0..255
vec_u8 move(vec_u8 v, vec_u8 down, uint8 step) {
    vec_u8 s = (vec_u8)step;
    vec_u8 lower = select(v < s, (vec_u8)0, v - s);
    vec_u8 higher = select(v > (vec_u8)(255 - step), (vec_u8)255, v + s);
    return select(down, lower, higher);
}

vec_u8 distance(vec_u8 a, vec_u8 b) { return select(a > b, a - b, b - a); }

// v_leak so that the membranes read `target`
vec_u8 search_leak(vec_u8 target) {
    vec_u8 v = (vec_u8)128;
    vec_u8 best = v;
    vec_u8 best_error = (vec_u8)255;
    uint8 step = 64;
    for (int32 k = 0; k < 8; k++) {
        write_row(0, v);
        wait(settle_cycles);
        vec_u8 r = membranes();
        vec_u8 e = distance(r, target);
        vec_u8 better = e < best_error;
        best = select(better, v, best);
        best_error = select(better, e, best_error);
        v = move(v, r > target, step);
        if (step > 1) { step = step >> 1; }
    }
    write_row(0, best);
    leak_error = best_error;
    return best;
}

// v_threshold at the edge of firing (inverted: higher, fewer spikes), the leak at the
// threshold's target
vec_u8 search_threshold() {
    vec_u8 v = (vec_u8)128;
    vec_u8 best = v;
    vec_u8 best_error = (vec_u8)255;
    vec_u8 edge = (vec_u8)SPIKES;
    uint8 step = 64;
    for (int32 k = 0; k < 8; k++) {
        write_row(2, v);
        wait(settle_cycles);
        get_rate_counters(neurons, true);
        wait(window_cycles);
        vec_u8 c = get_rate_counters(neurons, true);
        vec_u8 e = distance(c, edge);
        vec_u8 better = e < best_error;
        best = select(better, v, best);
        best_error = select(better, e, best_error);
        v = move(v, c < edge, step);
        if (step > 1) { step = step >> 1; }
    }
    write_row(2, best);
    threshold_error = best_error;
    return best;
}

void start() {
    write_row(2, (vec_u8)255);            // no spikes while the leak finds the threshold's level
    search_leak(threshold_target);
    v_threshold = search_threshold();
    write_row(2, (vec_u8)255);            // the threshold out of the way again
    v_leak = search_leak(leak_target);
    write_row(2, v_threshold);
    done = 1;
}
"""


def _program() -> Any:
    return libnux_vm.compile(KERNEL.replace("SPIKES", str(SPIKES_AT_EDGE)))


#: a neuron succeeds if its best leak read lies within this [CADC LSB] of its target and its
#: best spike count within this of the edge's (the host's tolerances: 2 LSB)
LEAK_TOLERANCE = 2
SPIKE_TOLERANCE = 1


def calibrate_on_ppus(connection: stadls.Connection, state: lola.AtomicNeuronArray,
                      leak: Any, threshold: Any, tau_mem: float = 10e-6
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leak and threshold potentials (targets [CADC LSB], one value or 512) of the neurons
    ``state`` configures, searched by both PPUs at once; ``tau_mem`` [s] (the longest
    membrane time constant) sets the waits. ``state`` gets the calibrated ``leak_v_leak`` and
    ``threshold_v_threshold``; returns (leak, threshold) CapMem values [512] and whether each
    neuron reached both (its best reads within ``LEAK_TOLERANCE`` and ``SPIKE_TOLERANCE``). The
    CADC must read the membranes (``helpers.enable_cadc_membranes``)."""
    leak = np.broadcast_to(np.asarray(leak, dtype=float), (h.N_NEURONS,))
    threshold = np.broadcast_to(np.asarray(threshold, dtype=float), (h.N_NEURONS,))
    for name, value in (("leak", leak), ("threshold", threshold)):
        if not np.all((value >= 0) & (value <= 255)):
            raise TargetError(f"the {name} targets must lie in 0..255 CADC LSB")
    if not 0 < tau_mem <= 1e-3:
        raise TargetError(f"tau_mem is the longest membrane time constant in seconds, not {tau_mem!r}")
    program = _program()
    settle_us = max(60.0, 8.0 * tau_mem * 1e6)
    window_us = max(200.0, 20.0 * tau_mem * 1e6)
    configured = state.copy()
    for name, value in FIRING.items():
        configured[name] = value
    configured["refractory_period_refractory_time"] = 10
    configured["refractory_period_reset_holdoff"] = 0
    configured["threshold_v_threshold"] = 1022
    builder = stadls.PlaybackProgramBuilder()
    configured.write(builder)
    stadls.load_ppu_program(builder, program)
    for ppu in halco.iter_all(halco.PPUOnDLS):
        half = slice(256 * ppu.value(), 256 * (ppu.value() + 1))
        stadls.write_symbol(builder, program, "neurons", ppu.value(), ppu)
        stadls.write_symbol(builder, program, "leak_target", np.rint(leak[half]).astype(np.uint8), ppu)
        stadls.write_symbol(builder, program, "threshold_target", np.rint(threshold[half]).astype(np.uint8), ppu)
        stadls.write_symbol(builder, program, "settle_cycles", int(settle_us * 250), ppu)
        stadls.write_symbol(builder, program, "window_cycles", int(window_us * 250), ppu)
    stadls.start_ppu(builder)
    tickets = []
    for ppu in halco.iter_all(halco.PPUOnDLS):
        stadls.wait_for_ppu_sleep(builder, ppu)
        tickets.append({name: stadls.read_symbol(builder, program, name, ppu)
                        for name in ("v_leak", "v_threshold", "leak_error", "threshold_error", "done")})
        tickets[-1]["status"] = stadls.read_runtime_status(builder, program, ppu)
    stadls.stop_ppu(builder)
    h.run(connection, builder)
    for ppu, t in zip(halco.iter_all(halco.PPUOnDLS), tickets):
        t["status"].get().raise_for_trap()
        if not t["done"].get():
            raise CalibError(f"the calibration kernel on {ppu!r} did not finish")
    # the kernel's lanes hold a quarter of the CapMem value
    v_leak = 4 * np.concatenate([t["v_leak"].get() for t in tickets]).astype(np.int64)
    v_threshold = 4 * np.concatenate([t["v_threshold"].get() for t in tickets]).astype(np.int64)
    success = ((np.concatenate([t["leak_error"].get() for t in tickets]) <= LEAK_TOLERANCE)
               & (np.concatenate([t["threshold_error"].get() for t in tickets]) <= SPIKE_TOLERANCE))
    state["leak_v_leak"] = v_leak
    state["threshold_v_threshold"] = v_threshold
    return v_leak, v_threshold, success


class PPULeakThresholdStep:
    """The PPUs' search as a step of :func:`~calix.spiking.neuron.calibrate_neurons`:
    ``run(connection, algorithm, (leak, threshold))`` (the algorithm is the kernel's own, the
    argument is ignored) leaves ``state`` calibrated and returns its
    :class:`~calix.common.base.ParameterCalibResult` (the CapMem values of the threshold,
    success of both)."""

    def __init__(self, state: lola.AtomicNeuronArray, tau_mem: float) -> None:
        self.state = state
        self.tau_mem = float(tau_mem)
        self.result: ParameterCalibResult | None = None

    def run(self, connection: stadls.Connection, algorithm: Any, target: tuple) -> ParameterCalibResult:
        leak, threshold = target
        _, v_threshold, success = calibrate_on_ppus(connection, self.state, leak, threshold, self.tau_mem)
        if not success.all():
            log.warning("PPU calibration: neurons %s are off their leak or threshold target",
                        np.flatnonzero(~success)[:20].tolist())
        self.result = ParameterCalibResult(v_threshold, success)
        return self.result
