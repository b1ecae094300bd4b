"""calix: speed and robustness of the whole spiking calibration on several chip ids.

For each chip id: ``calix.SpikingCalibTarget`` (the CADC, then the neurons with their synaptic
inputs; conductance-based with ``--coba``), the wall time of every part, the fraction of
neurons each part says reached its target, and, against the emulator's ground truth (the true
potentials read through each neuron's own calibrated CADC channel, the true time constants and
PSP heights), the fraction within the tolerances: leak 2 LSB, reset 3 LSB, threshold 3 LSB,
tau_mem and tau_syn 10 %, the spread of the PSP heights of one weight, and the rest shift the
synaptic inputs' idle currents cause (the reference potentials: within 1 LSB). Then a cache hit's
time. The synapse drivers' STP offsets are part of it (calix's flow): their time, the drivers
that reached their quadrant's strength and, by the ground truth, the spread of the drivers' STP
strengths within their quadrants before (every offset at calix's default) and after. With
``--correlation`` the correlation sensors last (calix's default target): their time, and each
quadrant's true mean amplitude and time constant before (calix's default currents) and after.

With ``--ppu``: the leak and threshold potentials searched by the host (calix's
ThresholdCalib, then the leak) against the same searches by the two PPUs at once
(``calix.spiking.ppu_calibration``), on the neurons as the host calibrated everything else:
wall time, hardware time, the ground truth's fractions within the tolerances.

Run: ``python benchmarks/calix.py`` (``--chips 0 1`` for fewer).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

# this file is named after the package it measures: keep its folder from shadowing it
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np

import calix
import emulator.core as core
import stadls
from emulator import Emulator
from emulator.ground_truth import (KINDS, TAU, cadc_codes_per_volt, cadc_reads, correlation_amplitudes,
                                   correlation_time_constants, idle_rest_shifts, membrane_time_constants,
                                   parameters, psp_heights, synapse_driver_gains)


def truth_report(connection: Emulator, result: calix.SpikingCalibResult) -> dict[str, float]:
    """Fractions of all 512 neurons within the tolerances, by the emulator's ground truth."""
    target = result.neuron_result.target
    builder = stadls.PlaybackProgramBuilder()
    result.apply(builder)                               # as calibrated, the chip as it is
    stadls.run(connection, builder.done())
    P = parameters(connection.chip)
    out = {}
    for name, parameter, tolerance in (("leak", core.P_V_LEAK, 2.0), ("reset", core.P_V_RESET, 3.0),
                                       ("threshold", core.P_V_THRESHOLD, 3.0)):
        read = cadc_reads(connection.chip, P[parameter])
        out[name] = float(np.mean(np.abs(read - target.per_neuron(name)) <= tolerance))
    tau_mem = membrane_time_constants(P)
    out["tau_mem"] = float(np.mean(np.abs(tau_mem / target.per_neuron("tau_mem") - 1) <= 0.1))
    for i, kind in enumerate(KINDS):
        out[f"tau_syn {kind[:3]}"] = float(np.mean(np.abs(P[TAU[kind]] / target.per_neuron("tau_syn")[i] - 1) <= 0.1))
        heights = psp_heights(P, kind)
        out[f"PSP spread {kind[:3]}"] = float(np.std(heights) / np.mean(heights))
    # both inputs' idle currents (their OTAs' offsets) move the rest by less than 1 LSB
    idle = sum(idle_rest_shifts(P, kind) for kind in KINDS)
    out["idle < 1 LSB"] = float(np.mean(np.abs(cadc_reads(connection.chip, P[core.P_V_LEAK] + idle)
                                                - cadc_reads(connection.chip, P[core.P_V_LEAK])) < 1.0))
    return out


def stp_report(connection: Emulator, stp: calix.STPCalibResult) -> str:
    """The STP calibration's time and, by the ground truth, the spread of the drivers' STP
    strengths relative to their quadrant's median, at calix's default offset and calibrated."""
    from calix.spiking.stp import DEFAULT_OFFSET, relative_spread

    gains = synapse_driver_gains(connection.chip)
    ok = stp.success_mask()
    after = gains * (1 + stp.offsets / 30)
    return (f"    STP offsets {stp.seconds:13.1f} s   reached {ok.mean():6.1%}; ground truth: the "
            f"drivers' STP strengths spread {relative_spread(gains * (1 + DEFAULT_OFFSET / 30)):.1%} "
            f"-> {relative_spread(after):.1%} (s.d. within quadrants; {relative_spread(np.where(ok, after, np.nan)):.1%} "
            f"of those that reached it)")


def correlation_report(connection: Emulator, correlation: calix.CorrelationCalibResult) -> str:
    """The correlation calibration's time and, by the ground truth, each quadrant's mean
    amplitude [CADC LSB per pair] and time constant before (calix's default currents) and
    after."""
    def truth(result: calix.CorrelationCalibResult) -> tuple[np.ndarray, np.ndarray]:
        builder = stadls.PlaybackProgramBuilder()
        result.apply(builder)
        stadls.run(connection, builder.done())
        volts = correlation_amplitudes(connection.chip)
        lsb = volts * cadc_codes_per_volt(connection.chip).reshape(2, 2, 256).transpose(1, 0, 2)[:, :, None, :]
        half = np.arange(256) // 128
        return (np.array([lsb[:, s][:, :, half == h].mean() for s in range(2) for h in range(2)]),
                correlation_time_constants(connection.chip))

    before = truth(calix.CorrelationCalibResult(target=correlation.target))
    after = truth(correlation)
    fmt = lambda values, scale=1.0: "/".join(f"{v * scale:.3g}" for v in values)  # noqa: E731
    return (f"    correlation {correlation.seconds:13.1f} s   reached {correlation.success_mask().mean():6.1%} of "
            f"the quadrants; ground truth: amplitudes {fmt(before[0])} -> {fmt(after[0])} CADC LSB, time "
            f"constants {fmt(before[1], 1e6)} -> {fmt(after[1], 1e6)} us (per quadrant; target "
            f"{correlation.target.amplitude:g}, {correlation.target.time_constant * 1e6:g} us)")


def leak_and_threshold_truth(connection: Emulator, leak: float, threshold: float) -> str:
    P = parameters(connection.chip)
    reads = {"leak": (cadc_reads(connection.chip, P[core.P_V_LEAK]), leak, 2.0),
             "threshold": (cadc_reads(connection.chip, P[core.P_V_THRESHOLD]), threshold, 3.0)}
    return ", ".join(f"{k} {np.mean(np.abs(r - t) <= tol):.1%} within {tol:g} LSB (s.d. {r.std():.2f})"
                     for k, (r, t, tol) in reads.items())


def compare_ppu(chip: int) -> None:
    """Host against PPU search of leak and threshold on one chip."""
    from calix.common import helpers
    from calix.common.algorithms import NoisyBinarySearch
    from calix.spiking import neuron, ppu_calibration
    import lola

    target = calix.NeuronCalibTarget()
    connection = Emulator(chip_id=chip)
    result = calix.calibrate_neurons(connection, target)
    calibrated = lola.AtomicNeuronArray.from_atomic_neurons(result.neurons)
    tau = float(np.max(target.per_neuron("tau_mem")))
    leak, threshold = float(target.leak), float(target.threshold)
    for who in ("host", "PPUs"):
        state = calibrated.copy()
        state["leak_v_leak"], state["threshold_v_threshold"] = 500, 1022
        state["threshold_enable"] = False          # as in the flow: the searches switch it
        builder = stadls.PlaybackProgramBuilder()
        helpers.enable_cadc_membranes(builder)
        helpers.run(connection, builder)
        start, hardware = time.perf_counter(), connection.chip.time
        if who == "host":
            neuron.ThresholdCalib(state, tau).run(connection, NoisyBinarySearch(seed=1), target.per_neuron("threshold"))
            calib = neuron.LeakPotentialCalib(state)
            calib.settle_us = max(60.0, 8.0 * tau * 1e6)
            calib.run(connection, NoisyBinarySearch(seed=2), target.per_neuron("leak"))
        else:
            ppu_calibration.calibrate_on_ppus(connection, state, leak, threshold, tau)
        wall, hw_ms = time.perf_counter() - start, (connection.chip.time - hardware) / 125e3
        final = state.copy()
        for name, value in neuron.FIRING.items():
            final[name] = value
        builder = stadls.PlaybackProgramBuilder()
        final.write(builder)
        helpers.run(connection, builder)
        print(f"    {who:<5} leak and threshold: {wall:5.1f} s wall, {hw_ms:6.2f} ms of hardware time; "
              + leak_and_threshold_truth(connection, leak, threshold))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chips", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--coba", action="store_true", help="conductance-based inputs as well")
    parser.add_argument("--ppu", action="store_true", help="leak and threshold: host against the PPUs")
    parser.add_argument("--correlation", action="store_true", help="the correlation sensors as well")
    args = parser.parse_args()
    calix.set_progress(False)
    if args.ppu:
        for chip in args.chips:
            print(f"chip {chip}:")
            compare_ppu(chip)
        return
    neuron_target = calix.NeuronCalibTarget(e_coba_reversal=[300, 40] if args.coba else None)
    target = calix.SpikingCalibTarget(neuron_target=neuron_target, correlation_target=(
        calix.CorrelationCalibTarget() if args.correlation else None))
    totals = []
    for chip in args.chips:
        connection = Emulator(chip_id=chip)
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            result = calix.calibrate(target, cache_paths=[cache], connection=connection)
            total = time.perf_counter() - start
            start = time.perf_counter()
            calix.calibrate(target, cache_paths=[cache], connection=connection)
            hit = time.perf_counter() - start
        totals.append(total)
        neuron_seconds = sum(s for _, s, _ in result.neuron_result.steps)
        later_seconds = sum(part.seconds for part in (result.stp_result, result.correlation_result)
                            if part is not None)
        print(f"chip {chip}: {total:.1f} s in all (CADC {total - neuron_seconds - later_seconds:.1f} s), "
              f"{result.success_mask().mean():.1%} of the neurons reached every target; "
              f"cache hit {hit * 1e3:.0f} ms")
        for name, seconds, reached in result.neuron_result.steps:
            print(f"    {name:<24} {seconds:6.1f} s   reached {reached:6.1%}")
        truth = truth_report(connection, result)
        print("    ground truth: " + ", ".join(
            f"{k} {v:.1%}" if not k.startswith("PSP") else f"{k} {v:.1%} (s.d.)" for k, v in truth.items()))
        print(stp_report(connection, result.stp_result))
        if result.correlation_result is not None:
            print(correlation_report(connection, result.correlation_result))
    print(f"mean over {len(totals)} chips: {np.mean(totals):.1f} s per full calibration")


if __name__ == "__main__":
    main()
