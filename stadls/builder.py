"""Builders of playback programs: relative-time (``PlaybackProgramBuilder``) and absolute-time."""

from __future__ import annotations

from typing import Any

import numpy as np

import halco
import haldls
import lola
from haldls import wire
from .errors import ArgumentTypeError, BuilderError
from .program import ArrayTicket, ContainerTicket, PlaybackProgram, _ReadSlot


def _container_type_for_read(coord: Any) -> type:
    ctype = lola.container_for(coord)
    if not hasattr(ctype, "encode_read"):
        raise haldls.errors.AccessError(f"{ctype.__qualname__} at {type(coord).__name__} cannot be "
                                        "read (read its atomic neurons instead)")
    return ctype


#: FPGA times and durations are 32-bit cycle counts
_CYCLES_MAX = 2 ** 32 - 1


def cycles(value: Any, what: str) -> int:
    """``value`` as FPGA cycles (an integer 0..2**32-1, or a ``haldls.Timer.Value``); nothing
    is rounded: a float, a bool or a string is a :class:`~stadls.errors.ArgumentTypeError`."""
    if isinstance(value, haldls.Timer.Value):
        value = value.value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"{what} must be an integer number of FPGA cycles (125 per us), "
                                f"not {type(value).__name__} {value!r}")
    if not 0 <= value <= _CYCLES_MAX:
        raise BuilderError(f"{what} must lie in 0..{_CYCLES_MAX} FPGA cycles, not {value}")
    return int(value)


def check_revision(revision: Any) -> int:
    if isinstance(revision, (bool, np.bool_)) or not isinstance(revision, (int, np.integer)):
        raise ArgumentTypeError(f"revision must be an int chip revision (this stack: "
                                f"{haldls.REVISION}), not {type(revision).__name__} {revision!r}")
    return int(revision)


def check_spike_train(times: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """``times`` (FPGA cycles, integers 0..2**32-1) and ``labels`` (0..0xFFFF) as 1-d arrays of
    one length, or the error that names what is wrong."""
    times, labels = np.asarray(times), np.asarray(labels)
    if times.shape != labels.shape or times.ndim != 1:
        raise BuilderError(f"write_spike_train: times and labels must be 1-d of one length, "
                           f"not {times.shape} and {labels.shape}")
    for name, values, hi in (("times", times, _CYCLES_MAX), ("labels", labels, 0xFFFF)):
        if values.size and values.dtype.kind not in "iu":
            raise ArgumentTypeError(f"write_spike_train: {name} must be integers, not {values.dtype}")
        if values.size and (values.min() < 0 or values.max() > hi):
            raise BuilderError(f"write_spike_train: {name} must lie in 0..{hi}")
    return times, labels


def _claim(placements: dict[int, Any], coord: Any, config: Any) -> None:
    """Record in ``placements`` (AtomicNeuronOnDLS enum -> LogicalNeuronOnDLS) the atomic
    neurons a logical neuron written at ``coord`` occupies; a builder error if another
    placement in the same program holds one of them (the second would silently rewrite the
    first one's compartment switches). Writing the same placement again is fine."""
    if not hasattr(config, "placed_neurons"):
        return
    atoms = sorted(a.to_enum() for a in coord.get_atomic_neurons())   # the coordinate knows them
    _merge_placements(placements, dict.fromkeys(atoms, coord), "write")


def _merge_placements(placements: dict[int, Any], other: dict[int, Any], what: str) -> None:
    clash = sorted(a for a, c in other.items() if placements.get(a, c) != c)
    if clash:
        raise BuilderError(
            f"{what}: the logical neuron at {other[clash[0]]} overlaps the one at "
            f"{placements[clash[0]]} in this program (atomic neurons {clash[:8]}"
            f"{' ...' if len(clash) > 8 else ''}); a second placement would rewrite the first "
            f"one's compartment switches: place it elsewhere, or in another program")
    placements.update(other)


class PlaybackProgramBuilder:
    """Collects writes, reads and waits into an instruction stream for the FPGA.

    >>> builder = PlaybackProgramBuilder()
    >>> builder.write(halco.TimerOnDLS(), haldls.Timer())
    >>> builder.block_until(halco.TimerOnDLS(), haldls.Timer.Value(125 * 100))   # 100 us
    >>> program = builder.done()
    """

    def __init__(self, revision: int = haldls.REVISION) -> None:
        self.revision = check_revision(revision)
        self._chunks: list[np.ndarray] = []
        self._slots: list[_ReadSlot] = []
        self._n_reads = 0
        self._n_instructions = 0
        #: the logical neurons' placements written so far (atomic enum -> LogicalNeuronOnDLS)
        self._placements: dict[int, Any] = {}

    # -- commands --------------------------------------------------------------------------------
    def _append(self, instructions: np.ndarray) -> None:
        if len(instructions):
            self._chunks.append(instructions)
            self._n_instructions += len(instructions)

    def write(self, coord: Any, config: Any, reference: Any = None) -> None:
        """Write ``config`` at ``coord``; with ``reference``, only words that differ from it."""
        if isinstance(config, type):
            raise BuilderError(f"write: {config.__qualname__} is a container class; write an instance, "
                               f"e.g. {config.__qualname__}()")
        if not hasattr(config, "encode_write"):
            raise BuilderError(f"write: {type(config).__name__} is not a container")
        if reference is None:
            instructions = config.encode_write(coord)     # checks the coordinate first
            _claim(self._placements, coord, config)
            self._append(instructions)
            return
        if type(reference) is not type(config):
            raise BuilderError(
                f"differential write: reference is {type(reference).__name__}, "
                f"config is {type(config).__name__}"
            )
        if not getattr(config, "differential_write", False):
            raise BuilderError(f"{type(config).__qualname__} does not support differential writes")
        new = config.encode_write(coord)
        old = reference.encode_write(coord)
        changed = (new["address"] != old["address"]) | (new["data"] != old["data"])
        self._append(new[changed])

    def write_array(self, container: type, enums: Any, words: np.ndarray) -> None:
        """Vectorized write of many containers of one type: ``words[n, n_words]`` (from
        ``container.encode_array``) at the coordinates with enums ``enums[n]``. Words whose
        bits decode outside a field's range raise (haldls FieldValueError or DecodeError)."""
        enums = self._checked_enums(container, enums, "write_array")
        if not container.writable:
            raise haldls.errors.AccessError(f"{container.__qualname__} is read-only and cannot be written")
        if not container.plain_write:
            raise BuilderError(f"write_array: {container.__qualname__} is not written as plain "
                               f"words; write it with write()")
        words = np.asarray(words)
        if words.shape != (len(enums), container.n_words):
            raise BuilderError(
                f"write_array: {len(enums)} coordinates need words of shape "
                f"({len(enums)}, {container.n_words}), got {words.shape}")
        if words.size and words.dtype.kind not in "iu":
            raise ArgumentTypeError(f"write_array: words must be integers, not {words.dtype}")
        container.check_words(words)        # the words must hold valid fields: raises if not
        self._append(wire.omnibus_writes(container.addresses_array(enums).ravel(), words.ravel()))

    def _checked_enums(self, container: type, enums: Any, what: str) -> np.ndarray:
        if not (isinstance(container, type) and issubclass(container, haldls.Container)):
            raise BuilderError(f"{what}: {container!r} is not a haldls container type")
        enums = np.asarray(enums).reshape(-1)
        if enums.size and enums.dtype.kind not in "iu":
            raise ArgumentTypeError(f"{what}: enums must be integers, not {enums.dtype}")
        enums = enums.astype(np.int64)
        if len(enums) and (enums.min() < 0 or enums.max() >= container.coordinate_type.size):
            raise BuilderError(
                f"{what}: enums must lie in [0, {container.coordinate_type.size - 1}] "
                f"for {container.coordinate_type.__name__}")
        return enums

    def read_array(self, container: type, enums: Any) -> ArrayTicket:
        """Vectorized read of many containers of one type at the coordinates with enums
        ``enums[n]``; the ticket gives their words ``[n, n_words]`` or decoded field arrays."""
        enums = self._checked_enums(container, enums, "read_array")
        if not container.readable:
            raise haldls.errors.AccessError(f"{container.__qualname__} is write-only and cannot be read")
        if not container.plain_write:
            raise BuilderError(f"read_array: {container.__qualname__} is not plain words; read it "
                               f"with read()")
        count = len(enums) * container.n_words
        slot = _ReadSlot(self._n_reads, count)
        self._slots.append(slot)
        self._n_reads += count
        self._append(wire.omnibus_reads(container.addresses_array(enums).ravel()))
        return ArrayTicket(container, enums, slot)

    def read(self, coord: Any) -> ContainerTicket:
        """Read the container at ``coord``; the ticket is valid after the program ran."""
        ctype = _container_type_for_read(coord)
        instructions = ctype.encode_read(coord)
        count = ctype.read_response_count(coord)
        slot = _ReadSlot(self._n_reads, count)
        self._slots.append(slot)
        self._n_reads += count
        self._append(instructions)
        return ContainerTicket(coord, ctype, slot)

    def block_until(self, coord: Any, condition: Any) -> None:
        """Wait for a condition: ``Timer.Value(t)``, ``Barrier.omnibus``, ``PollingOmnibusBlock()``."""
        if not getattr(condition, "is_block_until", False):
            raise BuilderError(f"block_until: {type(condition).__qualname__} is not a wait condition")
        self._append(condition.encode_block_until(coord))

    def wait_until(self, time_cycles: int) -> None:
        """Shorthand for ``block_until(TimerOnDLS(), Timer.Value(time_cycles))``."""
        self.block_until(halco.TimerOnDLS(), haldls.Timer.Value(cycles(time_cycles, "wait_until")))

    def write_spike_train(self, times: Any, labels: Any) -> None:
        """Spikes from the FPGA at ``times`` (FPGA cycles after the last timer reset, whole
        numbers >= 0) with ``labels`` (16-bit ``halco.SpikeLabel`` values), vectorized: per
        distinct time one wait and the labels in spike packs of up to three, in the order given
        among equal times. The same as ``wait_until`` and ``SpikePackNToChip`` writes, one per
        time, without a Python call per spike."""
        times, labels = check_spike_train(times, labels)
        if not times.size:
            return
        if np.any(times[1:] < times[:-1]):         # most trains come sorted: no sort then
            order = np.argsort(times, kind="stable")
            times, labels = times[order], labels[order]
        first = np.empty(len(times), dtype=bool)
        first[0] = True
        np.not_equal(times[1:], times[:-1], out=first[1:])
        starts = np.flatnonzero(first)                            # first spike of each time
        sizes = np.diff(np.append(starts, len(times)))
        # position of each spike among those of its time, then in its pack (0..2)
        slot = (np.arange(len(times)) - np.repeat(starts, sizes)) % 3
        pack_starts = np.flatnonzero(first | (slot == 0))
        n_packs = len(pack_starts)
        # the labels of a pack sit in disjoint 16-bit fields: their sum is the payload
        shifted = labels.astype(np.uint64) << (slot.astype(np.uint64) * np.uint64(16))
        payload = np.add.reduceat(shifted, pack_starts)
        count = np.diff(np.append(pack_starts, len(times)))
        pack_group = np.cumsum(first[pack_starts]) - 1             # the time of each pack
        # one wait per distinct time, before its first pack
        out = wire.instructions(n_packs + len(starts))
        pack_position = np.arange(n_packs) + pack_group + 1
        wait_position = pack_position[first[pack_starts]] - 1
        out["opcode"][wait_position] = wire.Opcode.WAIT_UNTIL
        out["data"][wait_position] = times[starts]
        out["opcode"][pack_position] = wire.Opcode.SPIKE_PACK
        out["address"][pack_position] = count
        out["data"][pack_position] = payload
        self._append(out)

    # -- composition -----------------------------------------------------------------------------
    def merge_back(self, other: "PlaybackProgramBuilder") -> None:
        """Move ``other``'s commands to the end of this builder; its tickets stay valid."""
        if not isinstance(other, PlaybackProgramBuilder):
            raise BuilderError(f"merge_back: expected a PlaybackProgramBuilder, got {type(other).__name__}")
        if other is self:
            raise BuilderError("merge_back: cannot merge a builder into itself")
        self._check_revision(other)
        _merge_placements(self._placements, other._placements, "merge_back")
        for slot in other._slots:
            slot.start += self._n_reads
        self._slots.extend(other._slots)
        self._n_reads += other._n_reads
        for chunk in other._chunks:
            self._append(chunk)
        other._reset()

    def merge_front(self, other: "PlaybackProgramBuilder") -> None:
        """Move ``other``'s commands to the front of this builder."""
        if not isinstance(other, PlaybackProgramBuilder):
            raise BuilderError(f"merge_front: expected a PlaybackProgramBuilder, got {type(other).__name__}")
        if other is self:
            raise BuilderError("merge_front: cannot merge a builder into itself")
        self._check_revision(other)
        _merge_placements(self._placements, other._placements, "merge_front")
        for slot in self._slots:
            slot.start += other._n_reads
        self._slots = other._slots + self._slots
        self._n_reads += other._n_reads
        self._chunks = other._chunks + self._chunks
        self._n_instructions += other._n_instructions
        other._reset()

    def copy_back(self, other: "PlaybackProgramBuilder") -> None:
        """Append a copy of ``other``'s commands (``self`` too: its commands twice); ``other``
        must be write-only and stays as it is."""
        if not isinstance(other, PlaybackProgramBuilder):
            raise BuilderError(f"copy_back: expected a PlaybackProgramBuilder, got {type(other).__name__}")
        if not other.is_write_only():
            raise BuilderError("copy_back: the other builder contains reads; use merge_back")
        self._check_revision(other)
        _merge_placements(self._placements, other._placements, "copy_back")
        for chunk in list(other._chunks):
            self._append(chunk.copy())

    def _check_revision(self, other: "PlaybackProgramBuilder") -> None:
        if other.revision != self.revision:
            raise BuilderError(f"cannot combine builders of revisions {self.revision} and {other.revision}")

    # -- state -----------------------------------------------------------------------------------
    def empty(self) -> bool:
        return self._n_instructions == 0

    def is_write_only(self) -> bool:
        return self._n_reads == 0

    def size_to_fpga(self) -> int:
        """Number of instructions."""
        return self._n_instructions

    def _reset(self) -> None:
        self._chunks, self._slots, self._n_reads, self._n_instructions = [], [], 0, 0
        self._placements = {}

    def instructions(self) -> np.ndarray:
        """The instructions so far (a copy)."""
        return np.concatenate(self._chunks) if self._chunks else wire.instructions(0)

    def done(self) -> PlaybackProgram:
        """The finished program; the builder is empty afterwards."""
        program = PlaybackProgram(self.instructions(), self._n_reads, self.revision)
        for slot in self._slots:
            slot.program = program
        self._reset()
        return program

    def __repr__(self) -> str:
        return f"PlaybackProgramBuilder({self._n_instructions} instructions, {self._n_reads} reads)"


class AbsoluteTimePlaybackProgramBuilder:
    """Commands at absolute times (FPGA cycles after the timer reset), sorted at :meth:`done`.

    ``done()`` returns a :class:`PlaybackProgramBuilder` that resets the timer once and waits until
    each command's time before issuing it; commands at equal times keep their insertion order.
    """

    def __init__(self, revision: int = haldls.REVISION) -> None:
        self.revision = check_revision(revision)
        self._commands: list[tuple[int, int, str, Any, Any, Any]] = []
        self._tickets: list[tuple[int, ContainerTicket]] = []
        #: spike trains: (times, labels) arrays, kept as arrays (never one command per spike)
        self._trains: list[tuple[np.ndarray, np.ndarray]] = []
        self._placements: dict[int, Any] = {}

    def write_spike_train(self, time_offset: Any, times: Any, labels: Any) -> None:
        """Spikes from the FPGA at ``time_offset + times`` (FPGA cycles) with ``labels``
        (16-bit spike labels), kept as arrays. At :meth:`done` a spike at the time of a command
        follows the command."""
        offset = self._time(time_offset)
        times, labels = check_spike_train(times, labels)       # raises for bad input, now
        if times.size:
            shifted = times.astype(np.int64) + offset
            cycles(int(shifted.max()), "the last spike time")
            self._trains.append((shifted, labels.astype(np.int64)))

    def copy_back(self, other: "AbsoluteTimePlaybackProgramBuilder", offset: int = 0) -> None:
        """Add a copy of ``other``'s writes and spike trains, shifted by ``offset`` cycles;
        ``other`` must be write-only (no reads) and stays as it is."""
        if not isinstance(other, AbsoluteTimePlaybackProgramBuilder):
            raise BuilderError(f"copy_back: expected an AbsoluteTimePlaybackProgramBuilder, got "
                               f"{type(other).__name__}")
        if any(kind != "write" for _, _, kind, *_ in other._commands):
            raise BuilderError("copy_back: the other builder contains reads; use merge_back")
        if other.revision != self.revision:
            raise BuilderError(f"cannot combine builders of revisions {self.revision} and "
                               f"{other.revision}")
        offset = int(offset)
        _merge_placements(self._placements, other._placements, "copy_back")
        for time, _, kind, coord, payload, ref in list(other._commands):
            self._commands.append((cycles(time + offset, f"a command at {time} shifted by {offset}"),
                                   len(self._commands), kind, coord, payload.copy(), ref))
        for times, labels in list(other._trains):
            shifted = times + offset
            if shifted.size and shifted.min() < 0:
                raise BuilderError(f"copy_back: offset {offset} moves a spike before time 0")
            self._trains.append((shifted, labels.copy()))

    @staticmethod
    def _time(time: Any) -> int:
        return cycles(time, "the command time")

    def write(self, time: Any, coord: Any, config: Any, reference: Any = None) -> None:
        """Write at ``time`` (cycles, or a ``Timer.Value``). The write is encoded now: its
        coordinate, access and reference are checked, and later changes to ``config`` do not
        change it."""
        t = self._time(time)
        encoded = PlaybackProgramBuilder(self.revision)
        encoded.write(coord, config, reference)       # raises now; the words are kept as written
        _merge_placements(self._placements, encoded._placements, "write")
        self._commands.append((t, len(self._commands), "write", coord, encoded.instructions(), None))

    def read(self, time: Any, coord: Any) -> ContainerTicket:
        """Read at ``time``; the returned ticket is valid after the final program ran."""
        ctype = _container_type_for_read(coord)
        if not ctype.readable:
            ctype.encode_read(coord)  # raises
        slot = _ReadSlot(0, ctype.read_response_count(coord))
        ticket = ContainerTicket(coord, ctype, slot)
        self._commands.append((self._time(time), len(self._commands), "read", coord, ticket, None))
        return ticket

    def merge_back(self, other: "AbsoluteTimePlaybackProgramBuilder", offset: int = 0) -> None:
        """Take ``other``'s commands, shifted by ``offset`` cycles (which may be negative, as
        long as every command stays at a time >= 0)."""
        if not isinstance(other, AbsoluteTimePlaybackProgramBuilder):
            raise BuilderError(f"merge_back: expected an AbsoluteTimePlaybackProgramBuilder, got "
                               f"{type(other).__name__}")
        if other is self:
            raise BuilderError("merge_back: cannot merge a builder into itself")
        if other.revision != self.revision:
            raise BuilderError(f"cannot combine builders of revisions {self.revision} and "
                               f"{other.revision}")
        if isinstance(offset, (bool, np.bool_)) or not isinstance(offset, (int, np.integer)):
            raise ArgumentTypeError(f"merge_back: offset must be an integer number of FPGA "
                                    f"cycles, not {type(offset).__name__} {offset!r}")
        _merge_placements(self._placements, other._placements, "merge_back")
        shifted = [(cycles(time + int(offset), f"a command at {time} shifted by {offset}"),
                    kind, coord, payload, ref)
                   for time, _, kind, coord, payload, ref in other._commands]
        for time, kind, coord, payload, ref in shifted:
            self._commands.append((time, len(self._commands), kind, coord, payload, ref))
        for times, labels in other._trains:
            shifted_times = times + int(offset)
            if shifted_times.size and shifted_times.min() < 0:
                raise BuilderError(f"merge_back: offset {offset} moves a spike before time 0")
            self._trains.append((shifted_times, labels))
        other._commands = []
        other._trains = []
        other._placements = {}

    def empty(self) -> bool:
        return not self._commands and not self._trains

    def done(self) -> PlaybackProgramBuilder:
        """A relative-time builder with the timer reset, a wait before every command, and the
        spike trains interleaved (vectorized) between the commands."""
        builder = PlaybackProgramBuilder(self.revision)
        builder.write(halco.TimerOnDLS(), haldls.Timer())
        if self._trains:
            times = np.concatenate([t for t, _ in self._trains])
            labels = np.concatenate([lb for _, lb in self._trains])
            if np.any(times[1:] < times[:-1]):
                order = np.argsort(times, kind="stable")
                times, labels = times[order], labels[order]
        else:
            times = labels = np.zeros(0, dtype=np.int64)
        done = 0
        for time, _, kind, coord, payload, ref in sorted(self._commands, key=lambda c: (c[0], c[1])):
            before = int(np.searchsorted(times, time, side="left"))
            if before > done:
                builder.write_spike_train(times[done:before], labels[done:before])
                done = before
            builder.wait_until(time)
            if kind == "write":
                builder._append(payload)
            else:
                ticket: ContainerTicket = payload
                fresh = builder.read(coord)
                ticket._slot = fresh._slot
        if done < len(times):
            builder.write_spike_train(times[done:], labels[done:])
        self._commands = []
        self._trains = []
        return builder
