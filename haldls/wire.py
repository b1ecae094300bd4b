"""The wire format between host and FPGA: instruction and response records as numpy dtypes.

A playback program is an array of :data:`INSTRUCTION_DTYPE` records executed in order by the FPGA;
what comes back is an array of :data:`RESPONSE_DTYPE` records plus the recorded spikes
(:data:`SPIKE_FROM_CHIP_DTYPE`) and MADC samples (:data:`MADC_SAMPLE_DTYPE`).
Times are FPGA clock cycles (125 MHz, 8 ns).
"""

from __future__ import annotations

import enum

import numpy as np

FPGA_CLOCK_CYCLES_PER_US = 125
PPU_CLOCK_CYCLES_PER_US = 250
#: FPGA registers have bit 31 set; everything below is on the chip.
FPGA_ADDRESS_BIT = 1 << 31


class Opcode(enum.IntEnum):
    """FPGA instructions (the to-FPGA dictionary of the real system, flattened)."""

    WRITE = 0          #: word write: address, data
    READ = 1           #: word read: address; one READ_DATA response
    TIMER_RESET = 2    #: reset the playback timer to 0
    WAIT_UNTIL = 3     #: block until timer >= data
    SPIKE_PACK = 4     #: inject labels: address = count (1..3), data = labels, 16 bits each, first lowest
    BARRIER = 5        #: wait until the channels in the data mask are idle
    POLLING_BLOCK = 6  #: block until (word at polling address & mask) matches the target
    HALT = 7           #: end of program (appended by run)


class ResponseKind(enum.IntEnum):
    """Response records (the from-FPGA dictionary, flattened)."""

    READ_DATA = 0  #: data = the word read, address = where it came from
    TIMEOUT = 1    #: a blocking instruction timed out; data = its index in the program
    HALT = 2       #: the program ended


class BarrierMask(enum.IntFlag):
    """Channels a barrier waits for (values of the real timing::Barrier mask)."""

    omnibus = 1
    jtag = 2
    systime = 4
    multi_fpga = 8
    systime_correction = 16


INSTRUCTION_DTYPE = np.dtype([("opcode", np.uint8), ("address", np.uint32), ("data", np.uint64)])
RESPONSE_DTYPE = np.dtype(
    [("kind", np.uint8), ("address", np.uint32), ("data", np.uint32), ("fpga_time", np.uint64)]
)
SPIKE_FROM_CHIP_DTYPE = np.dtype(
    [("label", np.uint16), ("fpga_time", np.uint64), ("chip_time", np.uint64)]
)
MADC_SAMPLE_DTYPE = np.dtype(
    [("value", np.uint16), ("channel", np.uint8), ("fpga_time", np.uint64), ("chip_time", np.uint64)]
)


def instructions(n: int) -> np.ndarray:
    """An empty (zeroed) instruction array of length ``n``."""
    return np.zeros(n, dtype=INSTRUCTION_DTYPE)


def omnibus_writes(addresses: np.ndarray, words: np.ndarray) -> np.ndarray:
    """WRITE instructions for word ``words[i]`` at ``addresses[i]``."""
    addresses = np.asarray(addresses, dtype=np.uint32).reshape(-1)
    words = np.asarray(words, dtype=np.uint32).reshape(-1)
    if addresses.shape != words.shape:
        raise ValueError(f"{addresses.size} addresses for {words.size} words")
    out = instructions(addresses.size)
    out["opcode"] = Opcode.WRITE
    out["address"] = addresses
    out["data"] = words
    return out


def omnibus_reads(addresses: np.ndarray) -> np.ndarray:
    """READ instructions for each address."""
    addresses = np.asarray(addresses, dtype=np.uint32).reshape(-1)
    out = instructions(addresses.size)
    out["opcode"] = Opcode.READ
    out["address"] = addresses
    return out


def single(opcode: Opcode, address: int = 0, data: int = 0) -> np.ndarray:
    """One instruction."""
    out = instructions(1)
    out[0] = (opcode, address, data)
    return out


def pack_labels(labels: list[int]) -> int:
    """Labels of a spike pack in one 48-bit payload, first label in the lowest 16 bits."""
    data = 0
    for i, label in enumerate(labels):
        data |= int(label) << (16 * i)
    return data


def unpack_labels(count: int, data: int) -> list[int]:
    """Inverse of :func:`pack_labels`."""
    return [(int(data) >> (16 * i)) & 0xFFFF for i in range(count)]
