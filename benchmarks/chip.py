"""Writing and reading a whole ``lola.Chip``: encode time, instruction count, emulator execution.

Run: ``python benchmarks/chip.py`` (or ``make bench``).
"""

from __future__ import annotations

import time

import numpy as np

import halco
import lola
import stadls


def main() -> None:
    rng = np.random.default_rng(0)
    chip = lola.Chip.default_neuron_bypass()
    for matrix in chip.synapse_matrices:
        matrix.weights = rng.integers(0, 64, (256, 256))
        matrix.labels = rng.integers(0, 64, (256, 256))
    t0 = time.perf_counter()
    instructions = chip.encode_write(halco.ChipOnDLS())
    t_encode = time.perf_counter() - t0
    print(f"Chip.encode_write: {len(instructions)} instructions in {t_encode * 1e3:.0f} ms")
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.ChipOnDLS(), chip)
    ticket = builder.read(halco.ChipOnDLS())
    program = builder.done()
    with stadls.ManagedConnection() as connection:
        t0 = time.perf_counter()
        info = stadls.run(connection, program)
        t_run = time.perf_counter() - t0
    t0 = time.perf_counter()
    equal = ticket.get() == chip
    t_decode = time.perf_counter() - t0
    print(f"write + read back on the emulator: {t_run * 1e3:.0f} ms wall "
          f"({info['fpga_cycles'] / 125e3:.1f} ms of hardware time); decode {t_decode * 1e3:.0f} ms; equal: {equal}")


if __name__ == "__main__":
    main()
