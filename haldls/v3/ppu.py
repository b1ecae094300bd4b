"""PPU containers: memory words and blocks, control and status registers."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

import halco
from .._container import Container, register
from .._fields import Bool, UInt, at
from ..errors import DecodeError, FieldTypeError, FieldValueError
from . import addresses as A


class PPUMemoryWord(Container, coordinate=halco.PPUMemoryWordOnDLS, words=1):
    """One 32-bit word of PPU memory at PPU memory base + word."""

    value = UInt(32, at(0, 0))

    @classmethod
    def _addresses(cls, enums):
        ppu, word = np.divmod(enums, 4096)
        return (A.PPU_MEMORY[ppu] + word)[:, None]


def _words(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise FieldTypeError(f"PPUMemoryBlock.words must be a 1-d sequence of ints, got {arr.dtype} {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() > 0xFFFFFFFF):
        raise FieldValueError("PPUMemoryBlock.words must be 32-bit unsigned values [0, 4294967295]")
    if not 1 <= arr.size <= 4096:
        raise FieldValueError(f"PPUMemoryBlock holds 1..4096 words, got {arr.size}")
    return arr.astype(np.uint32)


@attrs.define(eq=False, slots=False)
class PPUMemoryBlock(Container, abstract=True):
    """A contiguous block of PPU memory words; its size is that of its coordinate's interval.

    ``words`` is a uint32 array. A libnux_vm program image goes in as little-endian words:
    byte 4n+k of the image is bits 8k..8k+7 of word n (the real PPU's ELF images are
    big-endian; the emulated PPU runs libnux_vm's bytecode instead).
    """

    words: np.ndarray = attrs.field(factory=lambda: np.zeros(1, dtype=np.uint32), converter=_words,
                                    on_setattr=attrs.setters.convert)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return np.array_equal(self.words, other.words)

    @classmethod
    def for_coordinate(cls, coord: halco.PPUMemoryBlockOnDLS) -> "PPUMemoryBlock":
        """A zeroed block of the coordinate's size."""
        cls.check_coordinate(coord)
        return cls(np.zeros(coord.local.length(), dtype=np.uint32))

    @classmethod
    def addresses(cls, coord: Any) -> np.ndarray:
        cls.check_coordinate(coord)
        return (A.PPU_MEMORY[coord.parent.value()] + np.arange(coord.local.to_min().value(),
                                                              coord.local.to_max().value() + 1)).astype(np.uint32)

    def encode(self) -> np.ndarray:
        return self.words.copy()

    def encode_write(self, coord: Any) -> np.ndarray:
        self.check_coordinate(coord)
        if coord.local.length() != self.words.size:
            raise DecodeError(
                f"PPUMemoryBlock of {self.words.size} words written to {coord!r} of {coord.local.length()} words"
            )
        return super().encode_write(coord)

    @classmethod
    def read_response_count(cls, coord: Any) -> int:
        cls.check_coordinate(coord)
        return coord.local.length()

    @classmethod
    def decode(cls, words: Any) -> "PPUMemoryBlock":
        arr = np.asarray(words)
        if arr.ndim != 1:
            raise DecodeError(f"PPUMemoryBlock.decode takes a 1-d word array, got shape {arr.shape}")
        return cls(arr)

    @classmethod
    def decode_array(cls, words: Any) -> dict[str, np.ndarray]:
        arr = np.asarray(words)
        if arr.ndim != 2:
            raise DecodeError(f"PPUMemoryBlock.decode_array takes shape (n, size), got {arr.shape}")
        return {"words": np.stack([_words(row) for row in arr]) if len(arr) else arr.astype(np.uint32)}

    @classmethod
    def encode_array(cls, n: int, **values: Any) -> np.ndarray:
        """uint32[n, size]: ``words`` (one block of ``size`` words, or ``n`` of them)."""
        if set(values) != {"words"}:
            raise FieldTypeError(f"PPUMemoryBlock.encode_array takes exactly words=, got "
                                 f"{sorted(values) or 'nothing'}")
        arr = np.asarray(values["words"])
        rows = arr if arr.ndim == 2 else arr[None, :] if arr.ndim == 1 else None
        if rows is None:
            raise FieldTypeError(f"PPUMemoryBlock.encode_array: words must be one block or n "
                                 f"blocks of words, not shape {arr.shape}")
        checked = np.stack([_words(row) for row in rows])
        try:
            return np.broadcast_to(checked, (n, checked.shape[1])).copy()
        except (ValueError, TypeError):
            raise FieldTypeError(f"PPUMemoryBlock.encode_array: {len(checked)} blocks do not fit "
                                 f"n = {n!r}") from None

    @classmethod
    def strategy(cls):
        from hypothesis import strategies as st

        return st.lists(st.integers(0, 0xFFFFFFFF), min_size=1, max_size=64).map(
            lambda w: cls(np.array(w, dtype=np.uint32)))

    def to_dict(self) -> dict[str, Any]:
        return {"words": [int(w) for w in self.words]}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "PPUMemoryBlock":
        if not isinstance(values, dict) or set(values) != {"words"}:
            raise FieldTypeError(f"PPUMemoryBlock has exactly one field 'words', got {values!r:.80}")
        words = values["words"]
        if not isinstance(words, list) or not all(isinstance(w, int) and not isinstance(w, bool)
                                                  for w in words):
            raise FieldTypeError("PPUMemoryBlock.words must be a list of ints")
        bad = [w for w in words if not 0 <= w <= 0xFFFFFFFF]
        if bad:
            raise FieldValueError(f"PPUMemoryBlock.words must be 32-bit unsigned values "
                                  f"[0, 4294967295], got {bad[0]}")
        return cls(np.array(words, dtype=np.int64))


PPUMemoryBlock.coordinate_type = halco.PPUMemoryBlockOnDLS
PPUMemoryBlock.fields = {}
register(PPUMemoryBlock)


class PPUControlRegister(Container, coordinate=halco.PPUControlRegisterOnDLS, words=1):
    """Writing ``inhibit_reset=True`` starts the PPU; ``False`` holds it in reset."""

    inhibit_reset = Bool(at(0, 0))
    force_clock_on = Bool(at(0, 1))
    force_clock_off = Bool(at(0, 2))
    cache_controller_enable = Bool(at(0, 3))

    @classmethod
    def _addresses(cls, enums):
        return A.PPU_CONTROL[enums][:, None]


class PPUStatusRegister(Container, coordinate=halco.PPUStatusRegisterOnDLS, words=1, writable=False):
    """``sleep`` is true once the PPU's program has finished (or stopped on a trap); a program
    waiting for its next timer period is not asleep."""

    sleep = Bool(at(0, 0))

    @classmethod
    def _addresses(cls, enums):
        return A.PPU_STATUS[enums][:, None]
