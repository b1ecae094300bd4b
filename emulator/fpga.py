"""The emulated FPGA: executes a playback program's instruction array against a 125 MHz clock.

Word writes and reads cross the chip bus at a realistic cost (:data:`WRITE_CYCLES`,
:data:`READ_CYCLES` per word, so configuring a whole chip takes milliseconds of hardware time).
Consecutive writes (or reads) form a burst that is applied to the chip in one vectorized step at
the burst's start; the chip evolves lazily, exactly up to each point where the program observes or
changes it. Blocking instructions (wait-until, polling) that would block longer than the
instruction timeout end the program with a TIMEOUT response.

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


def _runs(opcodes: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of maximal runs of equal opcodes."""
    if len(opcodes) == 0:
        return []
    change = np.flatnonzero(np.diff(opcodes)) + 1
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
        address_list = instructions["address"].tolist()
        data_list = instructions["data"].tolist()
        timeout = self._timeout()
        for start, stop in _runs(opcodes):
            if timed_out:
                break
            op = op_list[start]
            if op == wire.Opcode.WRITE:
                chunk = instructions[start:stop]
                advance(t)
                chip.write_words(chunk["address"], chunk["data"].astype(np.uint32))
                t += WRITE_CYCLES * len(chunk)
                timeout = self._timeout()
            elif op == wire.Opcode.READ:
                chunk = instructions[start:stop]
                advance(t)
                data = self._read(chunk["address"], t)
                times = t + READ_LATENCY + READ_CYCLES * np.arange(len(chunk))
                response(wire.ResponseKind.READ_DATA, data, chunk["address"], times)
                t += READ_CYCLES * len(chunk)
            else:
                for index in range(start, stop):
                    if op == wire.Opcode.TIMER_RESET:
                        advance(t)  # events before the reset keep the old time base
                        self.timer_base = t
                        t += 1
                    elif op == wire.Opcode.WAIT_UNTIL:
                        target = self.timer_base + data_list[index]
                        if target - t > timeout:
                            response(wire.ResponseKind.TIMEOUT, np.array([index]), np.array([0]), np.array([t]))
                            timed_out = True
                            break
                        t = max(t, target)
                    elif op == wire.Opcode.SPIKE_PACK:
                        count = address_list[index]
                        if not 1 <= count <= 3:
                            raise InstructionError(f"instruction {index}: spike pack of {count} labels (1..3 allowed)")
                        chip.inject(t, wire.unpack_labels(count, data_list[index]))
                        t += SPIKE_PACK_CYCLES
                    elif op == wire.Opcode.BARRIER:
                        t += 1  # writes complete within their burst: nothing is outstanding
                    elif op == wire.Opcode.POLLING_BLOCK:
                        t, ok = self._poll(t, bool(data_list[index]), advance)
                        if not ok:
                            response(wire.ResponseKind.TIMEOUT, np.array([index]), np.array([0]), np.array([t]))
                            timed_out = True
                            break
                    elif op == wire.Opcode.HALT:
                        break
                    else:
                        raise InstructionError(f"instruction {index}: unknown opcode {op}")
        advance(t)
        response(wire.ResponseKind.HALT, np.array([0]), np.array([0]), np.array([t]))
        result_spikes = np.concatenate(spikes) if spikes else np.zeros(0, dtype=wire.SPIKE_FROM_CHIP_DTYPE)
        result_spikes = result_spikes[np.argsort(result_spikes["chip_time"], kind="stable")]
        info = {"fpga_cycles": t - start_time, "chip_time_end": t, "wall_execute_s": _time.perf_counter() - wall_start - wall_evolve,
                "wall_evolve_s": wall_evolve, "dropped_events": int(chip.counters[0]) - dropped_before,
                "timed_out": timed_out}
        result_madc = np.concatenate(madc) if madc else np.zeros(0, dtype=wire.MADC_SAMPLE_DTYPE)
        return RunResult(np.concatenate(responses), result_spikes, result_madc, info)

    def _read(self, addresses: np.ndarray, t: int) -> np.ndarray:
        timer = addresses == A.TIMER_READOUT
        out = np.zeros(len(addresses), dtype=np.uint32)
        if np.any(~timer):
            out[~timer] = self.chip.read_words(addresses[~timer])
        out[timer] = (t - self.timer_base) & 0xFFFFFFFF
        return out

    def _poll(self, t: int, expect_equal: bool, advance) -> tuple[int, bool]:
        cfg = self.chip.fields(haldls.PollingOmnibusBlockConfig)
        address, mask, target = int(cfg["address"][0]), int(cfg["mask"][0]), int(cfg["target"][0])
        deadline = t + self._timeout()
        while True:
            advance(t)
            word = int(self._read(np.array([address], dtype=np.uint32), t)[0])
            if ((word & mask) == target) == expect_equal:
                return t, True
            if t + POLL_INTERVAL > deadline:
                return deadline, False
            t += POLL_INTERVAL
