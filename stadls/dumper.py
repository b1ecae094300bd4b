"""The Dumper: a builder that records (coordinate, container) pairs instead of encoding them.

It is the portable form of an experiment: inspectable, serializable (JSON and a compact binary
form) and convertible back to a :class:`PlaybackProgramBuilder` that encodes to the very same
instructions, so an archived experiment replays bit-identically.

The compact binary form is :mod:`haldls.archive`.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import numpy as np

import halco
import haldls
import lola
from haldls import archive
from haldls.serialization import converter
from .builder import PlaybackProgramBuilder, _claim, check_revision, cycles
from .errors import ArgumentTypeError, BuilderError, SerializationError



def _check_pair(pair: Any, i: int) -> tuple[Any, Any]:
    """``pair`` as a (coordinate, container) that can be replayed: the container lives at the
    coordinate (a write encodes, a wait condition encodes as a wait)."""
    try:
        coord, value = pair
    except (TypeError, ValueError):
        raise BuilderError(f"command {i} must be a (coordinate, container) pair, not "
                           f"{pair!r:.80}") from None
    if getattr(value, "is_block_until", False):
        value.encode_block_until(coord)
    elif hasattr(value, "encode_write"):
        value.encode_write(coord)
    else:
        raise BuilderError(f"command {i}: {type(value).__name__} is neither a container nor a "
                           "wait condition")
    return coord, value


class DumperDone:
    """The recorded commands: ``values`` is a list of ``(coordinate, container)`` pairs, where the
    container is a configuration (a write) or a wait condition (a block_until); every pair is
    checked to replay (its container lives at its coordinate)."""

    def __init__(self, values: list[tuple[Any, Any]] | None = None, revision: int = haldls.REVISION) -> None:
        if values is not None and not isinstance(values, (list, tuple)):
            raise ArgumentTypeError(f"DumperDone takes a list of (coordinate, container) pairs, "
                                    f"not {type(values).__name__}")
        self.values = [_check_pair(pair, i) for i, pair in enumerate(values or [])]
        self.revision = check_revision(revision)

    def tolist(self) -> list[tuple[Any, Any]]:
        return list(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(self.values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DumperDone):
            return NotImplemented
        return self.revision == other.revision and self.values == other.values

    def remove_block_until(self) -> "DumperDone":
        """A copy without the wait conditions."""
        return DumperDone([(c, v) for c, v in self.values if not getattr(v, "is_block_until", False)],
                          self.revision)

    def squash(self) -> "DumperDone":
        """A copy that keeps only the last write per coordinate, at its last position (waits dropped)."""
        last: dict[Any, int] = {}
        writes = self.remove_block_until().values
        for i, (coord, _) in enumerate(writes):
            last[coord] = i
        return DumperDone([writes[i] for i in sorted(last.values())], self.revision)

    # -- JSON -------------------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps({
            "revision": self.revision,
            "values": [[converter.unstructure(c, type(c)), _unstructure(v)] for c, v in self.values],
        })

    @classmethod
    def from_json(cls, text: str) -> "DumperDone":
        try:
            data = json.loads(text)
            revision = data["revision"]
            if type(revision) is not int:
                raise SerializationError(f"the revision must be an int, not {revision!r}")
            values = [(converter.structure(c, halco.Coordinate), _structure(v)) for c, v in data["values"]]
            return cls(values, revision)
        except SerializationError:
            raise
        except (KeyError, TypeError, ValueError, LookupError, OverflowError) as err:
            raise SerializationError(f"not a serialized DumperDone: {err}") from err

    # -- compact binary ------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The compact binary form (:mod:`haldls.archive`)."""
        return archive.dump(self.values, self.revision)

    @classmethod
    def from_bytes(cls, data: bytes) -> "DumperDone":
        try:
            values, revision = archive.load(data, _container_by_name)
            return cls(values, revision)
        except (haldls.errors.HaldlsError, BuilderError, halco.errors.HalcoError) as err:
            raise SerializationError(f"not a serialized DumperDone: {err}") from err


class PlaybackProgramBuilderDumper:
    """A builder with the write/block_until surface of :class:`PlaybackProgramBuilder` that records
    what it is given. Reads are not possible (there is no hardware to answer them)."""

    def __init__(self, revision: int = haldls.REVISION) -> None:
        self.revision = check_revision(revision)
        self._values: list[tuple[Any, Any]] = []
        self._placements: dict[int, Any] = {}        # as the builder's: no overlapping placements

    def write(self, coord: Any, config: Any, reference: Any = None) -> None:
        """Record a write. A ``reference`` is checked as the builder checks it, but the
        recording holds the whole configuration: a replay writes every word."""
        # the builder's checks (a container, coordinate type, access, the reference) at build time
        PlaybackProgramBuilder(self.revision).write(coord, config, reference)
        _claim(self._placements, coord, config)
        if hasattr(config, "placed_neurons"):   # a LogicalNeuron: record its placed atomic neurons
            for atomic_coord, atomic in sorted(config.placed_neurons(coord).items()):
                self._values.append((atomic_coord, _copy(atomic)))
            return
        if hasattr(config, "leaves"):           # a composite (lola.Chip, ...): its leaves in order
            self._values.extend((c, _copy(leaf)) for c, leaf in config.leaves())
            return
        self._values.append((coord, _copy(config)))

    def block_until(self, coord: Any, condition: Any) -> None:
        if not getattr(condition, "is_block_until", False):
            raise BuilderError(f"block_until: {type(condition).__qualname__} is not a wait condition")
        condition.encode_block_until(coord)
        self._values.append((coord, _copy(condition)))

    def wait_until(self, time_cycles: int) -> None:
        self.block_until(halco.TimerOnDLS(), haldls.Timer.Value(cycles(time_cycles, "wait_until")))

    def read(self, coord: Any) -> None:
        raise BuilderError("the Dumper records writes and waits only; reads need a PlaybackProgramBuilder")

    def _other(self, other: Any, what: str) -> "PlaybackProgramBuilderDumper":
        if not isinstance(other, PlaybackProgramBuilderDumper):
            raise BuilderError(f"{what}: expected a PlaybackProgramBuilderDumper, got "
                               f"{type(other).__name__}")
        if other.revision != self.revision:
            raise BuilderError(f"cannot combine dumpers of revisions {self.revision} and "
                               f"{other.revision}")
        return other

    def merge_back(self, other: "PlaybackProgramBuilderDumper") -> None:
        if self._other(other, "merge_back") is self:
            raise BuilderError("merge_back: cannot merge a dumper into itself")
        self._values.extend(other._values)
        other._values = []

    def merge_front(self, other: "PlaybackProgramBuilderDumper") -> None:
        if self._other(other, "merge_front") is self:
            raise BuilderError("merge_front: cannot merge a dumper into itself")
        self._values = other._values + self._values
        other._values = []

    def copy_back(self, other: "PlaybackProgramBuilderDumper") -> None:
        """Append a copy of ``other``'s commands (``self`` too: its commands twice)."""
        self._other(other, "copy_back")
        self._values.extend([(c, _copy(v)) for c, v in other._values])

    def empty(self) -> bool:
        return not self._values

    def done(self) -> DumperDone:
        done = DumperDone(self._values, self.revision)
        self._values, self._placements = [], {}
        return done


Dumper = PlaybackProgramBuilderDumper


def _copy(container: Any) -> Any:
    return type(container).decode(container.encode())


_container_by_name = lola.container_by_name


def _unstructure(value: Any) -> dict[str, Any]:
    if isinstance(value, haldls.Container):
        return converter.unstructure(value, type(value))
    # logical containers are archived as their words (what reaches the hardware)
    return {"type": type(value).__qualname__, "words": [int(w) for w in value.encode()]}


def _structure(data: dict[str, Any]) -> Any:
    if "words" in data:
        words = data["words"]
        if not isinstance(words, list) or not all(type(w) is int and 0 <= w <= 0xFFFFFFFF
                                                  for w in words):
            raise SerializationError(f"the words of a {data.get('type')!r} must be 32-bit "
                                     f"unsigned ints, got {words!r:.80}")
        return _container_by_name(data["type"]).decode(np.array(words, dtype=np.uint32))
    return converter.structure(data, haldls.Container)


def convert_to_builder(dumped: DumperDone | PlaybackProgramBuilderDumper) -> PlaybackProgramBuilder:
    """A builder that emits exactly the recorded commands."""
    if not isinstance(dumped, (DumperDone, PlaybackProgramBuilderDumper)):
        raise ArgumentTypeError(f"convert_to_builder takes a Dumper or a DumperDone, not "
                                f"{type(dumped).__name__}")
    done = dumped.done() if isinstance(dumped, PlaybackProgramBuilderDumper) else dumped
    builder = PlaybackProgramBuilder(done.revision)
    for coord, value in done.values:
        if getattr(value, "is_block_until", False):
            builder.block_until(coord, value)
        else:
            builder.write(coord, value)
    return builder
