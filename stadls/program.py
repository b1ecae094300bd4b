"""Playback programs and the tickets that give access to their read results."""

from __future__ import annotations

from typing import Any

import numpy as np

from haldls import wire
from .errors import TicketNotReadyError


class _ReadSlot:
    """Where a ticket's words will be: a range of READ_DATA responses of one program."""

    __slots__ = ("program", "start", "count")

    def __init__(self, start: int, count: int) -> None:
        self.program: PlaybackProgram | None = None
        self.start = start
        self.count = count


class ContainerTicket:
    """A future for a container read: valid once the program has run."""

    __slots__ = ("_coordinate", "_container_type", "_slot")

    def __init__(self, coordinate: Any, container_type: type, slot: _ReadSlot) -> None:
        self._coordinate = coordinate
        self._container_type = container_type
        self._slot = slot

    def get_coordinate(self) -> Any:
        """The coordinate that was read."""
        return self._coordinate

    coordinate = property(get_coordinate)

    def _responses(self) -> np.ndarray | None:
        return _responses(self._slot)

    def valid(self) -> bool:
        """Whether the result is available."""
        return self._responses() is not None

    def get(self) -> Any:
        """The container read back; raises :class:`TicketNotReadyError` before the program ran."""
        responses = self._responses()
        if responses is None:
            raise TicketNotReadyError(
                f"ticket for {self._container_type.__qualname__} at {self._coordinate!r} has no data: "
                "run its program first"
            )
        return self._container_type.decode_read(self._coordinate, responses["data"].astype(np.uint32))

    @property
    def fpga_time(self) -> int:
        """FPGA time (cycles) of the last response word."""
        responses = self._responses()
        if responses is None:
            raise TicketNotReadyError(f"ticket for {self._coordinate!r} has no data yet")
        return int(responses["fpga_time"][-1])

    def __repr__(self) -> str:
        state = "valid" if self.valid() else "pending"
        return f"ContainerTicket({self._container_type.__qualname__} at {self._coordinate!r}, {state})"


class ArrayTicket:
    """A future for a vectorized read (:meth:`PlaybackProgramBuilder.read_array`) of many
    containers of one type: valid once the program has run."""

    __slots__ = ("_container_type", "_enums", "_slot")

    def __init__(self, container_type: type, enums: np.ndarray, slot: _ReadSlot) -> None:
        self._container_type = container_type
        self._enums = enums
        self._slot = slot

    @property
    def enums(self) -> np.ndarray:
        """The enums of the coordinates that were read."""
        return self._enums.copy()

    def valid(self) -> bool:
        """Whether the result is available."""
        return _responses(self._slot) is not None

    def words(self) -> np.ndarray:
        """The words read, uint32 ``[n, n_words]``; raises :class:`TicketNotReadyError` before
        the program ran."""
        responses = _responses(self._slot)
        if responses is None:
            raise TicketNotReadyError(
                f"ticket for {len(self._enums)} {self._container_type.__qualname__} has no data: "
                "run its program first")
        return responses["data"].astype(np.uint32).reshape(len(self._enums), -1)

    def get(self) -> dict[str, np.ndarray]:
        """The decoded field arrays (``container.decode_array``)."""
        return self._container_type.decode_array(self.words())

    def __repr__(self) -> str:
        state = "valid" if self.valid() else "pending"
        return (f"ArrayTicket({len(self._enums)} {self._container_type.__qualname__}, {state})")


def _responses(slot: _ReadSlot) -> np.ndarray | None:
    """The READ_DATA responses of a slot, or None before its program ran."""
    program = slot.program
    if program is None or program._read_data is None:
        return None
    data = program._read_data
    if len(data) < slot.start + slot.count:
        return None
    return data[slot.start:slot.start + slot.count]


class PlaybackProgram:
    """An immutable instruction stream plus, after :func:`stadls.run`, its results.

    ``spikes`` and ``madc_samples`` are structured numpy arrays (see :mod:`haldls.wire`).
    """

    def __init__(self, instructions: np.ndarray, n_reads: int, revision: int) -> None:
        self.instructions = instructions
        self.instructions.flags.writeable = False
        self.n_reads = n_reads
        self.revision = revision
        self._read_data: np.ndarray | None = None
        self.spikes = np.zeros(0, dtype=wire.SPIKE_FROM_CHIP_DTYPE)
        self.madc_samples = np.zeros(0, dtype=wire.MADC_SAMPLE_DTYPE)
        self.run_time_info: dict[str, Any] = {}

    def _clear_results(self) -> None:
        """Forget a previous run's results (a new run starts: if it fails, nothing stale
        remains to be read)."""
        self._read_data = None
        self.spikes = np.zeros(0, dtype=wire.SPIKE_FROM_CHIP_DTYPE)
        self.madc_samples = np.zeros(0, dtype=wire.MADC_SAMPLE_DTYPE)
        self.run_time_info = {}

    def _set_results(self, responses: np.ndarray, spikes: np.ndarray, madc_samples: np.ndarray,
                     info: dict[str, Any]) -> None:
        self._read_data = responses[responses["kind"] == wire.ResponseKind.READ_DATA]
        self.spikes = spikes
        self.madc_samples = madc_samples
        self.run_time_info = info

    def empty(self) -> bool:
        return len(self.instructions) == 0

    def __len__(self) -> int:
        return len(self.instructions)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PlaybackProgram):
            return NotImplemented
        return self.revision == other.revision and np.array_equal(self.instructions, other.instructions)

    def __repr__(self) -> str:
        return (f"PlaybackProgram({len(self.instructions)} instructions, {self.n_reads} reads, "
                f"revision {self.revision})")
