"""The non-spiking mode: what one 128 x 256 matrix-vector product costs on the emulator.

A batch of vectors (25 % of the 128 activations non-zero, each vector sent 4 times, one event
per microsecond) is multiplied with a random matrix on the emulated analog core
(``examples/mac_matrix_vector.py``): the wall time of building and running the playback
program, and the hardware time it spans, per vector. The configuration (the whole synapse
array, 256 neurons) is paid once per batch and reported separately.

Run: ``python benchmarks/mac.py`` (or ``make bench``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

import mac_matrix_vector as mac  # noqa: E402


def main() -> None:
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


if __name__ == "__main__":
    main()
