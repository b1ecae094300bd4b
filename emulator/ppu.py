"""The two embedded processors (PPUs), one per hemisphere, running libnux_vm images.

A PPU's 16 KiB SRAM *is* the chip's ``PPUMemoryWord`` words of its hemisphere (byte 4n+k of a
program image is bits 8k..8k+7 of word n): the host loads an image with ``PPUMemoryBlock``
writes and reads a kernel's globals back with reads while it runs. Writing
``PPUControlRegister(inhibit_reset=True)`` releases the PPU from reset: it loads the program
from its memory (:func:`libnux_vm.load`) and runs the libnux runtime (``start()``, then the
timers, :mod:`libnux_vm.runtime`); ``inhibit_reset=False`` holds it in reset again.
``PPUStatusRegister.sleep`` is set when the runtime has finished (or stopped on a trap).

Timing: the PPU clock is 250 MHz, two PPU cycles per FPGA cycle. Every chip built-in a kernel
calls (:class:`ChipHost`) happens at the FPGA cycle its PPU time maps to: for those declared
``at_chip_time`` (:class:`libnux_vm.builtins.Builtin`) the chip's analog evolution is split
there (:meth:`emulator.chip.Chip.advance_to`), so weights, resets and spikes take effect, and
counters and CADC readings are taken, at the hardware time they happen. The others act in
their order without splitting the evolution, which costs ~60 us each: reading weights (only
writes change them, and the FPGA's writes wait for the PPUs), a spike (injected with its own
time), the mailbox, a wake-up, going to sleep. The PPUs run only while the FPGA moves the
chip's time (during a playback program), like all of the emulated hardware.

A kernel reaches only its own hemisphere (its handles are checked by the machine); a trap stops
the runtime, is written to its ``__runtime`` words, and listed in the FPGA's run info
(``ppu_traps``); it never stops the emulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import haldls
import libnux_vm
from libnux_vm import HostError
from libnux_vm.builtins import checked_capmem_cell
from libnux_vm.host import checked_label, checked_weights, column_index
from libnux_vm.program import MAGIC as IMAGE_MAGIC

if TYPE_CHECKING:
    from .chip import Chip

HEMISPHERES = ("top", "bottom")
#: PPU cycles per FPGA cycle (250 MHz / 125 MHz)
PPU_CYCLES_PER_FPGA_CYCLE = 2
_COLUMN_QUADS = np.arange(256).reshape(64, 4)


class ChipHost(libnux_vm.Host):
    """The chip built-ins of one PPU, on the emulated chip's state of its hemisphere (``now``
    is the machine's: the PPU's cycle count)."""

    def __init__(self, chip: "Chip", hemisphere: int) -> None:
        self.chip = chip
        self.hemisphere = hemisphere
        self._neurons = hemisphere * 256 + np.arange(256)
        #: the running program's ``__mailbox`` words in PPU memory (set when the PPU starts)
        self.mailbox: np.ndarray | None = None
        #: FPGA cycle of the built-in being carried out
        self.time = 0

    def get_weights(self, row: int) -> np.ndarray:
        return self.chip.weights[self.hemisphere, row].astype(np.uint8)

    def set_weights(self, row: int, values: np.ndarray, columns: np.ndarray | None = None
                    ) -> None:
        cols = column_index(columns)
        self.chip.weights[self.hemisphere, row, cols] = checked_weights(values, columns)[cols]

    def _cadc_row(self, channel: int, row: int) -> np.ndarray:
        """CADC conversion of all 256 columns of one channel type (0 causal, 1 acausal)."""
        chip = self.chip
        if not chip.fields(haldls.CADCConfig)["enable"][self.hemisphere]:
            return np.zeros(256, dtype=np.uint8)
        n = len(_COLUMN_QUADS)
        codes = chip.readout._convert(np.full(n, self.hemisphere), np.full(n, channel),
                                      np.full(n, row), _COLUMN_QUADS)
        chip.readout.cadc_buffer[self.hemisphere, channel, row] = codes.ravel()
        return codes.ravel().astype(np.uint8)

    def get_causal_correlation(self, row: int) -> np.ndarray:
        return self._cadc_row(0, row)

    def get_acausal_correlation(self, row: int) -> np.ndarray:
        return self._cadc_row(1, row)

    def reset_correlation(self, row: int, columns: np.ndarray | None = None) -> None:
        chip, cols = self.chip, column_index(columns)
        chip.causal[self.hemisphere, row, cols] = 0.0
        chip.acausal[self.hemisphere, row, cols] = 0.0
        chip.last_pre[self.hemisphere, row, cols] = -1.0

    def get_rate_counters(self, reset: bool, columns: np.ndarray | None = None) -> np.ndarray:
        counts = self.chip.spike_count[self._neurons]
        out = np.minimum(counts, 255).astype(np.uint8)
        if reset:
            self.chip.spike_count[self._neurons[column_index(columns)]] = 0
        return out

    def get_analog_readouts(self) -> np.ndarray:
        # the causal channels of row 0 see the neurons where the columns switch them in
        return self._cadc_row(0, 0)

    def set_capmem(self, cell: int, values: np.ndarray, columns: np.ndarray | None = None) -> None:
        # the PPU reaches its hemisphere's CapMem over its bus, as the FPGA does: the cell of
        # each neuron of its columns (in the blocks of the hemisphere's two quadrants)
        cols = column_index(columns)
        self.chip.write_neuron_capmem(self._neurons[cols], checked_capmem_cell(cell),
                                      4 * np.asarray(values, dtype=np.int64)[cols])

    def reset_neurons(self, columns: np.ndarray | None = None) -> None:
        self.chip._reset_membranes(self._neurons[column_index(columns)])

    def send_spike(self, label: int) -> None:
        self.chip.inject(max(self.time, self.chip.time), [checked_label(label)])

    def log_int(self, value: int) -> None:
        # word 0 counts every value; the values that fit follow it (libnux's mailbox)
        box = self.mailbox
        count = int(box[0]) & 0xFFFFFFFF
        if count + 1 < len(box):
            box[count + 1] = value
        box[0] = min(count + 1, 0x7FFFFFFF)


class PPU:
    """One PPU: its memory (a view of the chip's PPU memory words), reset line and runtime."""

    def __init__(self, chip: "Chip", hemisphere: int) -> None:
        self.chip = chip
        self.hemisphere = hemisphere
        words = chip.region_of[haldls.PPUMemoryWord].words
        #: the PPU's SRAM, 16384 bytes shared with the chip's PPUMemoryWord words
        self.memory = words[hemisphere * 4096:(hemisphere + 1) * 4096].reshape(-1).view(np.uint8)
        self.host = ChipHost(chip, hemisphere)
        self.running = False
        self.sleeping = False
        self.runtime: libnux_vm.Runtime | None = None
        #: why the last start failed (no valid image), or None
        self.fault: str | None = None
        #: traps and faults not yet reported by the FPGA (messages)
        self.reports: list[str] = []
        self._run = None
        self._pending: libnux_vm.HostCall | None = None
        self._start_time = 0
        #: FPGA cycle of the next thing the PPU does (a built-in, or going to sleep), or None
        self.next_time: int | None = None

    def __repr__(self) -> str:
        state = "sleeping" if self.sleeping else "running" if self.running else "in reset"
        return f"PPU({HEMISPHERES[self.hemisphere]}, {state})"

    # -- reset line --------------------------------------------------------------------------
    def set_inhibit_reset(self, inhibit: bool) -> None:
        if inhibit and not self.running:
            self._start()
        elif not inhibit:
            self.running = self.sleeping = False
            self._run = self._pending = self.next_time = None

    def _start(self) -> None:
        self.running, self.sleeping, self.fault = True, False, None
        self._start_time = self.chip.write_time
        if int(self.memory[:4].view("<u4")[0]) != IMAGE_MAGIC:
            # no runtime at all: the PPU executes whatever its memory holds and never sleeps
            self.fault = (f"PPU {HEMISPHERES[self.hemisphere]}: no program: its memory does not start "
                          f"with a program image's magic word (load_ppu_program writes one before "
                          f"start_ppu)")
            self.reports.append(self.fault)
            self._run = self._pending = self.next_time = None
            return
        try:
            program = libnux_vm.load(self.memory)
            machine = libnux_vm.Machine(program, host=self.host, memory=self.memory)
            self.runtime = libnux_vm.Runtime(machine, self.hemisphere)
        except Exception as err:      # a corrupt image (header, timer table): its runtime stops
            self._fail(f"cannot start: {err}")
            return
        box = program.entry.mailbox_address
        self.host.mailbox = self.memory[box:box + 4 * libnux_vm.MAILBOX_WORDS].view("<i4")
        self._run = self.runtime.run()
        self._resume(None, None)

    def _fail(self, reason: str) -> None:
        """Stop the PPU (it sleeps, as after a trap) and report why."""
        self.fault = f"PPU {HEMISPHERES[self.hemisphere]}: {reason}"
        self.reports.append(self.fault)
        self.sleeping = True
        self._run = self._pending = self.next_time = None

    # -- time --------------------------------------------------------------------------------
    def _fpga_time(self, ppu_cycles: int) -> int:
        return self._start_time + -(-ppu_cycles // PPU_CYCLES_PER_FPGA_CYCLE)

    def _resume(self, result, error: HostError | None) -> None:
        try:
            if error is not None:
                self._pending = self._run.throw(error)
            else:
                self._pending = self._run.send(result) if self._pending else next(self._run)
            self.next_time = self._fpga_time(self._pending.issued)
        except StopIteration as stop:
            self._pending = None
            self.next_time = self._fpga_time(stop.value)
        except Exception as err:   # the chip stays usable whatever the PPU memory holds
            self._fail(f"runtime fault: {type(err).__name__}: {err}")

    def never_sleeps(self) -> str | None:
        """Why this PPU cannot go to sleep while the FPGA blocks (nothing else then acts on
        it), or None if it may: held in reset, or running no program."""
        name = HEMISPHERES[self.hemisphere]
        if not self.running:
            return f"PPU {name} is held in reset (start_ppu releases it; load_ppu_program first)"
        if not self.sleeping and self.next_time is None and self._run is None:
            return self.fault or f"PPU {name} runs no program"
        return None

    @property
    def needs_chip_time(self) -> bool:
        """Whether the chip must have evolved to :attr:`next_time` before :meth:`act`."""
        builtin = getattr(self._pending, "builtin", None)
        return builtin is not None and builtin.at_chip_time

    def act(self) -> None:
        """Do what is due at :attr:`next_time` (the chip is there, if :attr:`needs_chip_time`):
        the pending built-in, then run the kernel to its next one; or go to sleep."""
        self.host.time = self.next_time
        request = self._pending
        if request is None:
            self.sleeping, self.next_time, self._run = True, None, None
            trap = self.runtime.trap
            if trap is not None:
                self.reports.append(f"PPU {HEMISPHERES[self.hemisphere]}: {trap}")
            return
        try:
            result = request.dispatch(self.host)
        except HostError as err:
            self._resume(None, err)
            return
        except Exception as err:
            name = getattr(getattr(request, "builtin", None), "name", type(request).__name__)
            self._fail(f"runtime fault in {name}: {type(err).__name__}: {err}")
            return
        self._resume(result, None)


def status_words(ppus: list[PPU], rows: np.ndarray) -> np.ndarray:
    """PPUStatusRegister words of the PPUs ``rows``."""
    return haldls.PPUStatusRegister.encode_array(
        len(rows), sleep=np.array([ppus[r].sleeping for r in rows], dtype=bool))
