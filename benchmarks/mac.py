"""The non-spiking mode: what one 128 x 256 matrix-vector product costs on the emulator, and
(``--hagen``) how well it follows ``x @ W`` before and after calix's HAGEN calibration.

A batch of vectors (25 % of the 128 activations non-zero, each vector sent 4 times, one event
every ``mac.EVENT_INTERVAL`` cycles) is multiplied with a random matrix on the emulated analog
core (``examples/mac_matrix_vector.py``): the wall time of building and running the playback
program, and the hardware time it spans, per vector. The configuration (the whole synapse
array, 256 neurons) is paid once per batch and reported separately.

``--hagen [--chips 0,1,2,3,4]``: per chip id, calix's HAGEN calibration (``calix.HagenCalibTarget()``,
no cache): its wall time per part, the fraction of neurons and drivers that reached their
targets, the ground truth after it (the spread of the quadrants' synapse DAC currents, of the
neurons' excitatory charges and of their inhibitory-to-excitatory ratio, the drivers' true
activation offsets) and the correlation of the MAC result with ``x @ W`` uncalibrated and
calibrated (8 random vectors).

Run: ``python benchmarks/mac.py [--hagen]`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

# this folder holds a calix.py of its own: the calix package comes first
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

import mac_matrix_vector as mac  # noqa: E402


def cost() -> None:
    rng = np.random.default_rng(0)
    weights = rng.integers(-63, 64, (mac.N_INPUTS, mac.N_OUTPUTS))
    mac.multiply(np.zeros((1, mac.N_INPUTS), dtype=np.int64), weights)   # numba warm-up
    timings = {}
    for n in (1, 16):
        x = rng.integers(0, 32, (n, mac.N_INPUTS)) * (rng.random((n, mac.N_INPUTS)) < 0.25)
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            mac.multiply(x, weights, num_sends=mac.NUM_SENDS)
            best = min(best, time.perf_counter() - t0)
        timings[n] = best
        events = int(np.count_nonzero(x)) * mac.NUM_SENDS
        print(f"{n:2d} vector(s), {events} events: {best * 1e3:.0f} ms wall (the least of 3)")
    per_vector = (timings[16] - timings[1]) / 15
    hardware_us = (0.25 * mac.N_INPUTS * mac.NUM_SENDS * mac.EVENT_INTERVAL
                   + mac.SETTLE_CYCLES + 300) / 125
    print(f"per vector: {per_vector * 1e3:.1f} ms wall for about {hardware_us:.0f} us of hardware "
          f"time; the configuration and the first vector: {timings[1] * 1e3:.0f} ms")


def hagen(chips: list[int]) -> None:
    import calix
    import stadls
    from calix.common import helpers
    from emulator import Emulator, ground_truth

    calix.set_progress(False)
    rng = np.random.default_rng(7)
    weights = rng.integers(-63, 64, (mac.N_INPUTS, mac.N_OUTPUTS))
    x = rng.integers(0, 32, (8, mac.N_INPUTS)) * (rng.random((8, mac.N_INPUTS)) < 0.25)
    exact = (x @ weights).ravel()
    print("chip  calib [s] (CADC/neurons/drivers)  neurons drivers  DAC spread  charge  inh/exc  "
          "driver offset  r uncalibrated  r calibrated")
    rows = []
    for chip in chips:
        start = time.perf_counter()
        result = calix.calibrate(calix.HagenCalibTarget(), cache_paths=[],
                                 connection=Emulator(chip_id=chip))
        wall = time.perf_counter() - start
        truth = Emulator(chip_id=chip)
        builder, _ = stadls.generate(stadls.SystemInit())
        result.apply(builder)
        helpers.run(truth, builder)
        P = ground_truth.parameters(truth.chip)
        dac = ground_truth.synapse_dac_factors(truth.chip)
        exc, inh = ground_truth.event_charges(P, "excitatory"), ground_truth.event_charges(P, "inhibitory")
        shifts = ground_truth.hagen_activation_shifts(truth.chip)
        raw = mac.multiply(x, weights, mac.NUM_SENDS, chip_id=chip)
        calibrated = mac.multiply(x, weights, mac.CALIBRATED_SENDS, result, chip_id=chip)
        r_raw = np.corrcoef(exact, raw.ravel())[0, 1]
        r_cal = np.corrcoef(exact, calibrated.ravel())[0, 1]
        parts = "/".join(f"{seconds:.1f}" for _, seconds, _ in result.steps)
        print(f"{chip:4d}  {wall:9.1f} ({parts:>14})  {result.success_mask().mean():7.1%} "
              f"{result.synapse_driver_result.success_mask().mean():7.1%}  {np.ptp(dac) / dac.mean():9.1%}  "
              f"{exc.std() / exc.mean():6.1%}  {(inh / exc).std():7.1%}  "
              f"{shifts.mean():+.2f} +- {shifts.std():.2f}  {r_raw:14.3f}  {r_cal:12.3f}", flush=True)
        rows.append((wall, r_raw, r_cal))
    walls, r_raw, r_cal = np.array(rows).T
    print(f"calibration {walls.mean():.1f} s on average; r {r_raw.min():.3f}..{r_raw.max():.3f} "
          f"uncalibrated, {r_cal.min():.3f}..{r_cal.max():.3f} calibrated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hagen", action="store_true", help="calix's HAGEN calibration per chip id")
    parser.add_argument("--chips", default="0,1,2,3,4", help="chip ids for --hagen (comma-separated)")
    args = parser.parse_args()
    if args.hagen:
        hagen([int(c) for c in args.chips.split(",")])
    else:
        cost()


if __name__ == "__main__":
    main()
