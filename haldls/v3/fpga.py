"""FPGA-side containers, spike injection and the block-until conditions of playback programs."""

from __future__ import annotations

from typing import Any

import numpy as np

import halco
from .. import wire
from .._container import Container
from .._fields import Array, Bool, UInt, at
from ..errors import FieldValueError
from . import addresses as A


class Timer(Container, coordinate=halco.TimerOnDLS, words=1):
    """The FPGA playback timer (125 MHz). Writing resets it (only ``value=0`` may be written);
    reading returns its 32-bit value. ``Timer.Value(t)`` waits until the timer reaches ``t``."""

    value = UInt(32, at(0, 0))
    plain_write = False          # a write is a TIMER_RESET instruction

    def encode_write(self, coord: Any) -> np.ndarray:
        self.check_coordinate(coord)
        if self.value != 0:
            raise FieldValueError(
                f"Timer can only be written with value 0 (a reset), got {self.value}"
            )
        return wire.single(wire.Opcode.TIMER_RESET)

    @classmethod
    def _addresses(cls, enums):
        return np.full((len(enums), 1), A.TIMER_READOUT)

    class Value(Container, coordinate=halco.TimerOnDLS, words=1, readable=False, block_until=True):
        """Block until the timer reaches ``value`` FPGA cycles (125 per microsecond)."""

        fpga_clock_cycles_per_us = wire.FPGA_CLOCK_CYCLES_PER_US
        value = UInt(32, at(0, 0))

        def encode_block_until(self, coord: Any) -> np.ndarray:
            self.check_coordinate(coord)
            return wire.single(wire.Opcode.WAIT_UNTIL, data=self.value)


class Barrier(Container, coordinate=halco.BarrierOnFPGA, words=1, readable=False, block_until=True):
    """Block until the selected channels are idle (e.g. all word writes have reached the chip)."""

    enable_omnibus = Bool(at(0, 0))
    enable_jtag = Bool(at(0, 1))
    enable_systime = Bool(at(0, 2))
    enable_multi_fpga = Bool(at(0, 3))
    enable_systime_correction = Bool(at(0, 4))

    def encode_block_until(self, coord: Any) -> np.ndarray:
        self.check_coordinate(coord)
        return wire.single(wire.Opcode.BARRIER, data=int(self.encode()[0]))


Barrier.omnibus = Barrier(enable_omnibus=True)
Barrier.jtag = Barrier(enable_jtag=True)
Barrier.systime = Barrier(enable_systime=True)
Barrier.multi_fpga = Barrier(enable_multi_fpga=True)
Barrier.systime_correction = Barrier(enable_systime_correction=True)


class PollingOmnibusBlockConfig(Container, coordinate=halco.PollingOmnibusBlockConfigOnFPGA, words=3):
    """Address, mask and target for :class:`PollingOmnibusBlock` (FPGA executor +6..8)."""

    address = UInt(32, at(0, 0))
    mask = UInt(32, at(1, 0))
    target = UInt(32, at(2, 0))

    @classmethod
    def _addresses(cls, enums):
        return A.POLLING_OMNIBUS_BLOCK_CONFIG + np.zeros((len(enums), 1), dtype=np.int64) + np.arange(3)


class PollingOmnibusBlock(
    Container, coordinate=halco.PollingOmnibusBlockOnFPGA, words=1, readable=False, block_until=True
):
    """Block until ``(word at config.address & mask) == target`` (or ``!=`` if not expecting equality)."""

    enable_expects_equality = Bool(at(0, 0), default=True)

    def encode_block_until(self, coord: Any) -> np.ndarray:
        self.check_coordinate(coord)
        return wire.single(wire.Opcode.POLLING_BLOCK, data=int(self.enable_expects_equality))


class EventRecordingConfig(Container, coordinate=halco.EventRecordingConfigOnFPGA, words=1):
    """Whether spikes and MADC samples from the chip are recorded and returned."""

    enable_event_recording = Bool(at(0, 0))

    @classmethod
    def _addresses(cls, enums):
        return np.full((len(enums), 1), A.EVENT_RECORDING_CONFIG)


class InstructionTimeoutConfig(Container, coordinate=halco.InstructionTimeoutConfigOnFPGA, words=1):
    """FPGA cycles a blocking instruction may wait before the program is aborted with a timeout.

    The default, 125_000_000 cycles, is 1 s of wall-clock time on the FPGA."""

    value = UInt(32, at(0, 0), default=125_000_000)

    @classmethod
    def _addresses(cls, enums):
        return np.full((len(enums), 1), A.INSTRUCTION_TIMEOUT_CONFIG)


class FPGADeviceDNA(Container, coordinate=halco.FPGADeviceDNAOnFPGA, words=2, writable=False):
    """The FPGA's 57-bit device identifier (read-only)."""

    value = UInt(57, at(0, 0, 32, value_lo=0), at(1, 0, 25, value_lo=32))

    @classmethod
    def _addresses(cls, enums):
        return A.FPGA_DEVICE_DNA + np.zeros((len(enums), 1), dtype=np.int64) + np.arange(2)


class _SpikePackWrite:
    """Spike packs are not chip words: they become one SPIKE_PACK instruction."""

    plain_write = False

    def encode_write(self, coord: Any) -> np.ndarray:
        self.check_coordinate(coord)
        return wire.single(wire.Opcode.SPIKE_PACK, address=len(self.labels),
                           data=wire.pack_labels(list(self.labels)))


def _label(i: int):
    return [at(i, 0)]


class SpikePack1ToChip(_SpikePackWrite, Container, coordinate=halco.SpikePack1ToChipOnDLS, words=1,
                       readable=False):
    """Inject one spike label (a 16-bit SpikeLabel value) at the current time."""

    labels = Array(UInt(16, at(0, 0)), 1, _label)


class SpikePack2ToChip(_SpikePackWrite, Container, coordinate=halco.SpikePack2ToChipOnDLS, words=2,
                       readable=False):
    """Inject two spike labels in the same clock cycle."""

    labels = Array(UInt(16, at(0, 0)), 2, _label)


class SpikePack3ToChip(_SpikePackWrite, Container, coordinate=halco.SpikePack3ToChipOnDLS, words=3,
                       readable=False):
    """Inject three spike labels in the same clock cycle."""

    labels = Array(UInt(16, at(0, 0)), 3, _label)
