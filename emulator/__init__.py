"""emulator: the BrainScaleS-2 chip (revision 3), its two PPUs and its FPGA, in software.

An :class:`Emulator` is a connection: ``run(instructions) -> RunResult`` over the haldls wire
format, plus ``revision`` and ``chip_id``. Its chip starts in the reset state (memories hold the
containers' defaults, the CapMem does not drive its cells, event recording is off).
"""

from __future__ import annotations

import numpy as np

import haldls
from . import errors
from .chip import DEFAULT_DT_US, Chip
from .fpga import FPGA, RunResult
from .mismatch import Mismatch


class Emulator:
    """An emulated chip with its FPGA, usable as a stadls connection."""

    def __init__(self, chip_id: int = 0, dt_us: float = DEFAULT_DT_US, mismatch: Mismatch | None = None,
                 noise: bool = True, ppu_quantum_us: float = 0.0) -> None:
        self.chip = Chip(chip_id=chip_id, dt_us=dt_us, mismatch=mismatch, noise=noise,
                         ppu_quantum_us=ppu_quantum_us)
        self.fpga = FPGA(self.chip)
        self.revision = haldls.REVISION
        self.chip_id = self.chip.chip_id
        self.closed = False

    @property
    def identity(self) -> tuple:
        """What makes this emulated chip itself: its id, the chip its mismatch comes from
        (-1: none), whether it has noise and its integration step. Calibrations are cached by
        it."""
        return ("emulator", int(self.chip_id), int(self.chip.mismatch.chip_id), bool(self.chip.noise),
                float(self.chip.dt_cycles))

    def run(self, instructions: np.ndarray) -> RunResult:
        """Execute an instruction array and return responses, recorded spikes and MADC samples;
        a closed connection refuses (:class:`~emulator.errors.ConnectionClosedError`)."""
        if self.closed:
            raise errors.ConnectionClosedError(f"{self!r} is closed (its ManagedConnection was left): "
                                               "open a new connection to run programs")
        return self.fpga.execute(instructions)

    def close(self) -> None:
        """Close the connection: later runs raise; the chip's state can still be inspected."""
        self.closed = True

    def __repr__(self) -> str:
        return f"Emulator(chip_id={self.chip_id}, revision={self.revision})"


__all__ = ["Chip", "DEFAULT_DT_US", "Emulator", "FPGA", "Mismatch", "RunResult", "errors"]
