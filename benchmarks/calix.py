"""calix: speed and robustness of the whole spiking calibration on several chip ids.

For each chip id: ``calix.SpikingCalibTarget`` (the CADC, then the neurons with their synaptic
inputs; conductance-based with ``--coba``), the wall time of every part, the fraction of
neurons each part says reached its target, and, against the emulator's ground truth (the true
potentials read through each neuron's own calibrated CADC channel, the true time constants and
PSP heights), the fraction within the tolerances: leak 2 LSB, reset 3 LSB, threshold 3 LSB,
tau_mem and tau_syn 10 %, and the spread of the PSP heights of one weight. Then a cache hit's
time. (STP and the correlation sensors are not calibrated yet.)

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
from emulator.ground_truth import (KINDS, TAU, cadc_reads, membrane_time_constants, parameters,
                                   psp_heights)


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
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chips", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--coba", action="store_true", help="conductance-based inputs as well")
    args = parser.parse_args()
    calix.set_progress(False)
    neuron_target = calix.NeuronCalibTarget(e_coba_reversal=[300, 40] if args.coba else None)
    target = calix.SpikingCalibTarget(neuron_target=neuron_target)
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
        print(f"chip {chip}: {total:.1f} s in all (CADC {total - neuron_seconds:.1f} s), "
              f"{result.success_mask().mean():.1%} of the neurons reached every target; "
              f"cache hit {hit * 1e3:.0f} ms")
        for name, seconds, reached in result.neuron_result.steps:
            print(f"    {name:<24} {seconds:6.1f} s   reached {reached:6.1%}")
        truth = truth_report(connection, result)
        print("    ground truth: " + ", ".join(
            f"{k} {v:.1%}" if not k.startswith("PSP") else f"{k} {v:.1%} (s.d.)" for k, v in truth.items()))
    print(f"mean over {len(totals)} chips: {np.mean(totals):.1f} s per full calibration")


if __name__ == "__main__":
    main()
