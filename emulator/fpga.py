"""The emulated FPGA: executes a playback program's instruction array against a 125 MHz clock.

Word writes and reads cross the chip bus at a realistic cost (:data:`WRITE_CYCLES`,
:data:`READ_CYCLES` per word, so configuring a whole chip takes milliseconds of hardware time).
Consecutive writes (or reads) form a burst that is applied to the chip in one vectorized step at
the burst's start; the chip evolves lazily, exactly up to each point where the program observes or
changes it. Blocking instructions (wait-until, polling) that would block longer than the
instruction timeout end the program with a TIMEOUT response; a poll that can never be met (a
PPU's sleep bit while that PPU is held in reset or runs no program) ends it at once, with the
reason in ``info["timeout_reason"]``.

Times in results: ``fpga_time`` counts cycles since the program's last timer reset (the time base
of ``Timer.Value``); ``chip_time`` is the absolute cycle since the emulated chip powered up.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np

import haldls
from haldls import wire
from haldls.v3 import addresses as A
from .chip import Chip
from .errors import InstructionError

WRITE_CYCLES = 4        # one omnibus word write over the link
READ_CYCLES = 8         # one omnibus word read issued
READ_LATENCY = 100      # until its data is back at the FPGA
SPIKE_PACK_CYCLES = 1
POLL_INTERVAL = 125     # cycles between two polls of a PollingOmnibusBlock (1 us)
FPGA_ADDRESS_BIT = wire.FPGA_ADDRESS_BIT


@dataclass
class RunResult:
    """What the FPGA sends back for one program."""

    responses: np.ndarray
    spikes: np.ndarray
    madc_samples: np.ndarray
    info: dict = field(default_factory=dict)


#: opcodes that neither read nor write the chip's memory: a run of them is executed at once
_STREAM = (wire.Opcode.WAIT_UNTIL, wire.Opcode.SPIKE_PACK, wire.Opcode.BARRIER)


def _runs(opcodes: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of maximal runs of equal opcodes; waits, spike packs and barriers form
    mixed runs of their own (the time stream of an experiment)."""
    if len(opcodes) == 0:
        return []
    classes = np.where(np.isin(opcodes, _STREAM), 255, opcodes)
    change = np.flatnonzero(np.diff(classes)) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [len(opcodes)]])
    return list(zip(starts.tolist(), stops.tolist()))


class FPGA:
    """Executes instruction arrays on a :class:`Chip`."""

    def __init__(self, chip: Chip) -> None:
        self.chip = chip
        self.timer_base = 0

    def _record_enabled(self) -> bool:
        return bool(self.chip.fields(haldls.EventRecordingConfig)["enable_event_recording"][0])

    def _timeout(self) -> int:
        return int(self.chip.fields(haldls.InstructionTimeoutConfig)["value"][0])

    def execute(self, instructions: np.ndarray) -> RunResult:
        if instructions.dtype != wire.INSTRUCTION_DTYPE:
            raise InstructionError(f"instructions must have dtype {wire.INSTRUCTION_DTYPE}, got {instructions.dtype}")
        chip = self.chip
        t = chip.time
        start_time = t
        self.timeout_reason: str | None = None
        responses: list[np.ndarray] = []
        spikes: list[np.ndarray] = []
        madc: list[np.ndarray] = []
        wall_evolve = 0.0
        wall_start = _time.perf_counter()
        opcodes = instructions["opcode"]
        timed_out = False
        dropped_before = int(chip.counters[0])

        def advance(to: int) -> None:
            nonlocal wall_evolve
            t0 = _time.perf_counter()
            rec, samples = chip.advance_to(to, self._record_enabled())
            if len(samples) and self._record_enabled():
                out = np.zeros(len(samples), dtype=wire.MADC_SAMPLE_DTYPE)
                out["value"], out["channel"], out["chip_time"] = samples[:, 1], samples[:, 2], samples[:, 0]
                out["fpga_time"] = samples[:, 0] - self.timer_base
                madc.append(out)
            if len(rec):
                out = np.zeros(len(rec), dtype=wire.SPIKE_FROM_CHIP_DTYPE)
                out["label"], out["chip_time"] = rec[:, 1], rec[:, 0]
                out["fpga_time"] = rec[:, 0] - self.timer_base
                spikes.append(out)
            wall_evolve += _time.perf_counter() - t0

        def response(kind: int, data: np.ndarray, addresses: np.ndarray, times: np.ndarray) -> None:
            out = np.zeros(len(data), dtype=wire.RESPONSE_DTYPE)
            out["kind"], out["data"], out["address"] = kind, data, addresses
            out["fpga_time"] = times - self.timer_base
            responses.append(out)

        op_list = opcodes.tolist()
        data_list = instructions["data"].tolist()
        timeout = self._timeout()
        halted = False
        for start, stop in _runs(opcodes):
            if timed_out or halted:
                break
            op = op_list[start]
            if op == wire.Opcode.WRITE:
                chunk = instructions[start:stop]
                wide = np.flatnonzero(chunk["data"] > 0xFFFFFFFF)
                if wide.size:
                    raise InstructionError(
                        f"instruction {start + int(wide[0])}: WRITE of {int(chunk['data'][wide[0]])}"
                        f" does not fit a 32-bit chip word")
                advance(t)
                chip.write_words(chunk["address"], chunk["data"].astype(np.uint32),
                                 t + WRITE_CYCLES * np.arange(len(chunk)), advance)
                t += WRITE_CYCLES * len(chunk)
                timeout = self._timeout()
            elif op == wire.Opcode.READ:
                chunk = instructions[start:stop]
                advance(t)
                data = self._read(chunk["address"], t)
                times = t + READ_LATENCY + READ_CYCLES * np.arange(len(chunk))
                response(wire.ResponseKind.READ_DATA, data, chunk["address"], times)
                t += READ_CYCLES * len(chunk)
            elif op in _STREAM:
                t, timeout_index = self._stream(instructions[start:stop], t, timeout)
                if timeout_index is not None:
                    index = start + timeout_index
                    response(wire.ResponseKind.TIMEOUT, np.array([index]), np.array([0]), np.array([t]))
                    timed_out = True
            else:
                for index in range(start, stop):
                    if op == wire.Opcode.TIMER_RESET:
                        advance(t)  # events before the reset keep the old time base
                        self.timer_base = t
                        t += 1
                    elif op == wire.Opcode.POLLING_BLOCK:
                        t, ok = self._poll(t, bool(data_list[index]), advance)
                        if not ok:
                            response(wire.ResponseKind.TIMEOUT, np.array([index]), np.array([0]), np.array([t]))
                            timed_out = True
                            break
                    elif op == wire.Opcode.HALT:
                        halted = True   # the rest of the program is not executed
                        break
                    else:
                        raise InstructionError(f"instruction {index}: unknown opcode {op}")
        if self.timeout_reason is None:
            advance(t)
        # else: a wait that could never be met ended the program at once; the chip is left
        # where it blocked (the gap between two programs is not modelled either)
        response(wire.ResponseKind.HALT, np.array([0]), np.array([0]), np.array([t]))
        result_spikes = np.concatenate(spikes) if spikes else np.zeros(0, dtype=wire.SPIKE_FROM_CHIP_DTYPE)
        result_spikes = result_spikes[np.argsort(result_spikes["chip_time"], kind="stable")]
        info = {"fpga_cycles": t - start_time, "chip_time_end": t, "wall_execute_s": _time.perf_counter() - wall_start - wall_evolve,
                "wall_evolve_s": wall_evolve, "dropped_events": int(chip.counters[0]) - dropped_before,
                "timed_out": timed_out, "timeout_reason": self.timeout_reason, "ppu_traps": [m for p in chip.ppus for m in p.reports]}
        for p in chip.ppus:
            p.reports.clear()
        result_madc = np.concatenate(madc) if madc else np.zeros(0, dtype=wire.MADC_SAMPLE_DTYPE)
        return RunResult(np.concatenate(responses), result_spikes, result_madc, info)

    def _stream(self, chunk: np.ndarray, t0: int, timeout: int) -> tuple[int, int | None]:
        """Execute waits, spike packs and barriers at once: t after a wait is max(t, target), a
        pack is injected at the current time and costs SPIKE_PACK_CYCLES, a barrier one cycle.
        Returns the time afterwards and the index of a wait that timed out (or None)."""
        ops = chunk["opcode"]
        data = chunk["data"].astype(np.int64)
        is_wait = ops == wire.Opcode.WAIT_UNTIL
        cost = np.where(is_wait, 0, np.where(ops == wire.Opcode.SPIKE_PACK, SPIKE_PACK_CYCLES, 1))
        before = np.concatenate([[0], np.cumsum(cost)[:-1]])        # cost spent before each
        target = self.timer_base + data
        floor = np.maximum.accumulate(np.maximum(np.where(is_wait, target - before, t0), t0))
        floor_before = np.concatenate([[t0], floor[:-1]])
        t_before = before + floor_before
        late = np.flatnonzero(is_wait & (target - t_before > timeout))
        stop = len(chunk) if len(late) == 0 else int(late[0])
        packs = np.flatnonzero(ops[:stop] == wire.Opcode.SPIKE_PACK)
        if len(packs):
            counts = chunk["address"][packs].astype(np.int64)
            bad = np.flatnonzero((counts < 1) | (counts > 3))
            if len(bad):
                raise InstructionError(
                    f"spike pack of {int(counts[bad[0]])} labels (1..3 allowed) in instruction stream")
            for k in range(3):
                sel = counts > k
                labels = (data[packs[sel]] >> (16 * k)) & 0xFFFF
                self.chip.inject_many(t_before[packs[sel]], labels)
        if stop < len(chunk):
            return int(t_before[stop]), stop
        return int(before[-1] + cost[-1] + floor[-1]), None

    def _read(self, addresses: np.ndarray, t: int) -> np.ndarray:
        """The words of a burst of reads issued from cycle ``t``, one every READ_CYCLES: the
        chip's state at the burst's start, the timer at each read's own issue cycle."""
        timer = addresses == A.TIMER_READOUT
        out = np.zeros(len(addresses), dtype=np.uint32)
        if np.any(~timer):
            out[~timer] = self.chip.read_words(addresses[~timer])
        issued = t + READ_CYCLES * np.flatnonzero(timer)
        out[timer] = (issued - self.timer_base) & 0xFFFFFFFF
        return out

    def _never_true(self, address: int, mask: int, target: int, expect_equal: bool) -> str | None:
        """Why a poll of a PPU's sleep bit can never be met while the FPGA blocks (a PPU held
        in reset or running no program stays awake), or None."""
        sleep = int(haldls.PPUStatusRegister(sleep=True).encode()[0])
        if not (mask & sleep and expect_equal and target & sleep):
            return None
        for ppu in self.chip.ppus:
            if address == int(A.PPU_STATUS[ppu.hemisphere]):
                reason = ppu.never_sleeps()
                return None if reason is None else f"waiting for the PPU to sleep: {reason}"
        return None

    def _poll(self, t: int, expect_equal: bool, advance) -> tuple[int, bool]:
        cfg = self.chip.fields(haldls.PollingOmnibusBlockConfig)
        address, mask, target = int(cfg["address"][0]), int(cfg["mask"][0]), int(cfg["target"][0])
        deadline = t + self._timeout()
        reason = self._never_true(address, mask, target, expect_equal)
        if reason is not None:        # the poll would only run into the timeout
            self.timeout_reason = reason
            return deadline, False
        while True:
            advance(t)
            word = int(self._read(np.array([address], dtype=np.uint32), t)[0])
            if ((word & mask) == target) == expect_equal:
                return t, True
            if t + POLL_INTERVAL > deadline:
                return deadline, False
            t += POLL_INTERVAL
