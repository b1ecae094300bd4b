"""Declarative field descriptions: where each value bit of a container field lives on the wire.

A :class:`Field` knows its value type and range, its default, a transform between value and raw
bits (offset for signed values, bit reversal, an arbitrary bit permutation, inversion), and the
word segments its raw bits are spread over (split fields). From that alone it encodes, decodes,
decodes whole arrays of words at once, validates and draws Hypothesis examples.

Array fields (``count=4`` for the four entries of a quad) give one placement per entry; their
values are :class:`~haldls.FieldArray` lists, whose entries a field checks with
:meth:`Field.validate_entry`. :meth:`Field.info` is the field's entry in its container's
``schema()`` (:class:`~haldls._protocol.FieldInfo`).

Two kinds go beyond one value in its own bits: a :func:`Coordinate` field holds a halco
coordinate that the chip stores in an encoding of its own (a one-hot row word and a column word,
say), given as a pair of vectorized functions; a :func:`Gate` is a flag the chip has no bit for:
it is on while its gated field's bits select something, and off means the gated field's bits are
all zero (so a gated field reads back as its default while its gate is off).
"""

from __future__ import annotations

import enum
from typing import Any, Callable, Sequence

import attrs
import numpy as np

from ._protocol import FieldInfo
from .errors import FieldTypeError, FieldValueError


@attrs.frozen
class Bits:
    """Raw value bits ``[value_lo, value_lo + width)`` live in ``word`` at bits ``[lo, lo + width)``."""

    word: int
    lo: int
    width: int
    value_lo: int = 0


def at(word: int, lo: int, width: int | None = None, value_lo: int = 0) -> Bits:
    """Placement shorthand; ``width=None`` means the field's full width (filled in by the field)."""
    return Bits(word, lo, -1 if width is None else width, value_lo)


def _reverse_table(width: int) -> np.ndarray:
    v = np.arange(1 << width, dtype=np.uint64)
    out = np.zeros_like(v)
    for i in range(width):
        out |= ((v >> np.uint64(i)) & np.uint64(1)) << np.uint64(width - 1 - i)
    return out


def _permutation_table(perm: Sequence[int]) -> np.ndarray:
    """``perm[i]`` is the raw bit that value bit ``i`` goes to."""
    width = len(perm)
    v = np.arange(1 << width, dtype=np.uint64)
    out = np.zeros_like(v)
    for i, dst in enumerate(perm):
        out |= ((v >> np.uint64(i)) & np.uint64(1)) << np.uint64(dst)
    return out


class Field:
    """One named field of a container.

    Parameters
    ----------
    kind:
        ``"uint"``, ``"int"`` (signed, stored with ``offset``), ``"bool"`` or ``"enum"``.
    width:
        Number of raw bits.
    placement:
        For scalar fields a sequence of :class:`Bits`; for array fields a callable
        ``entry -> sequence of Bits``.
    """

    def __init__(
        self,
        kind: str,
        width: int,
        placement: Sequence[Bits] | Callable[[int], Sequence[Bits]],
        *,
        default: Any = None,
        minimum: int | None = None,
        maximum: int | None = None,
        offset: int = 0,
        invert: bool = False,
        reverse: bool = False,
        permutation: Sequence[int] | None = None,
        enum_type: type[enum.IntEnum] | None = None,
        count: int | None = None,
        doc: str = "",
        tables_from: "Field | None" = None,
        invert_entries: Sequence[bool] | None = None,
    ) -> None:
        self.name = "?"
        self.owner = "?"
        self.kind = kind
        self.width = width
        self.count = count
        self.offset = offset
        self.invert = invert
        self.enum_type = enum_type
        self.doc = doc
        if kind == "bool":
            self.minimum, self.maximum = 0, 1
        elif kind == "enum":
            assert enum_type is not None
            values = [int(m) for m in enum_type]
            self.minimum, self.maximum = min(values), max(values)
        else:
            self.minimum = 0 if minimum is None else minimum
            self.maximum = (1 << width) - 1 - offset if maximum is None else maximum
        if default is None:
            default = False if kind == "bool" else (enum_type(self.minimum) if enum_type else self.minimum)
        self.default = default
        mask = (1 << width) - 1
        self.mask = mask
        self._table: np.ndarray | None = None
        if reverse:
            self._table = _reverse_table(width)
        elif permutation is not None:
            self._table = _permutation_table(permutation)
        elif tables_from is not None:
            self._table = tables_from._table
        self._inverse: np.ndarray | None = None
        if self._table is not None:
            self._inverse = np.argsort(self._table).astype(np.uint64)
        # plain Python copies for the scalar decoder (numpy scalar indexing is slow there)
        self._inverse_list = None if self._inverse is None else [int(x) for x in self._inverse]
        self._members = {int(m): m for m in enum_type} if enum_type is not None else {}
        # decode_array checks values only where some raw bit patterns decode outside the range
        self._valid_raw: np.ndarray | None = None
        # (a coordinate field's raw space is too wide for a table: it checks its own patterns)
        if kind in ("uint", "int", "enum") and (
                kind == "enum" or self.minimum > -offset or self.maximum < mask - offset):
            valid = np.zeros(mask + 1, dtype=bool)
            if kind == "enum":
                valid[[v + offset for v in self._members]] = True
            else:
                valid[self.minimum + offset:self.maximum + offset + 1] = True
            self._valid_raw = None if valid.all() else valid
        entries = range(count) if count is not None else [None]
        if invert_entries is not None and (count is None or len(invert_entries) != count):
            raise ValueError("invert_entries needs one flag per entry of an array field")
        # per placement: the bits XORed into the raw value (``invert``, flipped per entry where the
        # chip stores one entry of an array inverted and the others as they are)
        flips = [False] * len(entries) if invert_entries is None else [bool(f) for f in invert_entries]
        self._xor: list[int] = [mask if invert != flip else 0 for flip in flips]
        self._placements: list[tuple[Bits, ...]] = []
        for e in entries:
            segs = placement(e) if callable(placement) else placement  # type: ignore[operator]
            fixed = tuple(Bits(s.word, s.lo, width if s.width < 0 else s.width, s.value_lo) for s in segs)
            if sum(s.width for s in fixed) != width:
                raise ValueError(f"placement of {width}-bit field covers {sum(s.width for s in fixed)} bits")
            self._placements.append(fixed)
        self.check_default()

    #: the :class:`GateField` that switches this field's bits on and off (None: always written)
    gate: "GateField | None" = None
    #: written after every other field of its container (a gate clears its gated field's bits)
    encodes_last = False

    def check_default(self) -> None:
        if self.count is None:
            self.validate(self.default)

    # -- declaration ------------------------------------------------------------------------------
    #: raised for a wrong sequence given to an array field (see FieldArray)
    type_error = FieldTypeError
    #: what an entry of an array field is, in messages ("needs exactly 4 entries")
    entries = "entries"

    def info(self) -> FieldInfo:
        """The field's entry in its container's ``schema()``."""
        numeric = self.kind in ("uint", "int")
        return FieldInfo(
            name=self.name,
            type={"bool": bool, "enum": self.enum_type}.get(self.kind, int),
            shape=() if self.count is None else (self.count,),
            minimum=self.minimum if numeric else None,
            maximum=self.maximum if numeric else None,
            doc=self.doc,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by reference: its container's qualified name and its own name."""
        return (_field_of, (self.owner, self.name))

    def __copy__(self) -> "Field":
        return self

    def __deepcopy__(self, memo: dict) -> "Field":
        return self

    # -- validation ------------------------------------------------------------------------------
    def _where(self) -> str:
        return f"{self.owner}.{self.name}"

    def validate(self, value: Any) -> Any:
        """The canonical Python value of ``value`` or an error naming the field and its range."""
        if self.kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            # as in lola, stadls and libnux_vm: 1 is an int, not a bool
            raise FieldTypeError(f"{self._where()} must be a bool (True or False), got "
                                 f"{type(value).__name__} {value!r}")
        if isinstance(value, (bool, np.bool_)):
            raise FieldTypeError(
                f"{self._where()} must be an int in [{self.minimum}, {self.maximum}], got bool {value!r}"
            )
        if self.kind == "enum":
            if not isinstance(value, (int, np.integer)):
                allowed = ", ".join(f"{m.name}={int(m)}" for m in self.enum_type)  # type: ignore[union-attr]
                raise FieldTypeError(f"{self._where()} must be a {self.enum_type.__name__} "
                                     f"({allowed}), got {type(value).__name__} {value!r}")
            try:
                return self.enum_type(value)  # type: ignore[misc]
            except (ValueError, TypeError):
                allowed = ", ".join(f"{m.name}={int(m)}" for m in self.enum_type)  # type: ignore[union-attr]
                raise FieldValueError(f"{self._where()} = {value!r} is not one of {allowed}") from None
        if not isinstance(value, (int, np.integer)):
            raise FieldTypeError(
                f"{self._where()} must be an int in [{self.minimum}, {self.maximum}], "
                f"got {type(value).__name__} {value!r}"
            )
        value = int(value)
        if not self.minimum <= value <= self.maximum:
            raise FieldValueError(
                f"{self._where()} = {value} is out of range [{self.minimum}, {self.maximum}]"
            )
        return value

    def validate_entry(self, index: int, value: Any) -> Any:
        """The canonical value of entry ``index`` of an array field (see :meth:`validate`)."""
        return self.validate(value)

    # -- scalar codec ----------------------------------------------------------------------------
    def to_raw(self, value: Any, entry: int = 0) -> int:
        """The raw bits of ``value`` (entry ``entry`` of an array field), before placement."""
        raw = int(value) + self.offset
        if self._table is not None:
            raw = int(self._table[raw])
        return raw ^ self._xor[entry]

    def encode_into(self, words: list[int], value: Any) -> None:
        values = value if self.count is not None else [value]
        for entry, (segs, v) in enumerate(zip(self._placements, values)):
            raw = self.to_raw(v, entry)
            for s in segs:
                words[s.word] |= ((raw >> s.value_lo) & ((1 << s.width) - 1)) << s.lo

    def decode_from(self, words: Sequence[int]) -> Any:
        out = []
        for segs, xor in zip(self._placements, self._xor):
            raw = 0
            for s in segs:
                raw |= ((words[s.word] >> s.lo) & ((1 << s.width) - 1)) << s.value_lo
            raw ^= xor
            if self._inverse_list is not None:
                raw = self._inverse_list[raw]
            value = raw - self.offset
            if self.kind == "bool":
                out.append(value != 0)
                continue
            if self.kind == "enum":
                member = self._members.get(value)
                if member is None:
                    raise FieldValueError(f"{self._where()}: bits decode to {value}, not a valid member")
                out.append(member)
                continue
            if not self.minimum <= value <= self.maximum:
                raise FieldValueError(
                    f"{self._where()}: bits decode to {value}, outside [{self.minimum}, {self.maximum}]")
            out.append(value)
        return out if self.count is not None else out[0]

    # -- vectorized codec ------------------------------------------------------------------------
    @property
    def can_be_invalid(self) -> bool:
        """Whether some raw bit pattern of this field decodes outside its range."""
        return self._valid_raw is not None

    def decode_array(self, words: np.ndarray, check: bool = True) -> np.ndarray:
        """Field values of ``n`` instances from ``words[n, k]``: shape ``(n,)`` or ``(n, count)``;
        ``check`` raises for bits outside the range (else they decode as they are)."""
        w = words.astype(np.uint64, copy=False)
        cols = []
        for segs, xor in zip(self._placements, self._xor):
            raw = np.zeros(w.shape[0], dtype=np.uint64)
            for s in segs:
                raw |= ((w[:, s.word] >> np.uint64(s.lo)) & np.uint64((1 << s.width) - 1)) << np.uint64(s.value_lo)
            raw ^= np.uint64(xor)
            if self._inverse is not None:
                raw = self._inverse[raw]
            if check and self._valid_raw is not None and not self._valid_raw[raw].all():
                row = int(np.flatnonzero(~self._valid_raw[raw])[0])
                value = int(raw[row]) - self.offset
                allowed = (f"not a valid member of {self.enum_type.__name__}"
                           if self.kind == "enum" else
                           f"outside [{self.minimum}, {self.maximum}]")
                raise FieldValueError(f"{self._where()}: the bits of container {row} decode to "
                                      f"{value}, {allowed}")
            vals = raw.astype(np.int64) - self.offset
            cols.append(vals.astype(bool) if self.kind == "bool" else vals)
        return np.stack(cols, axis=1) if self.count is not None else cols[0]

    def encode_array(self, values: np.ndarray, words: np.ndarray) -> None:
        """OR the raw bits of ``values`` (shape ``(n,)`` or ``(n, count)``) into ``words[n, k]``."""
        v = np.asarray(values)
        if v.dtype.kind not in "iub" or (v.dtype.kind == "b" and self.kind != "bool"):
            raise FieldTypeError(
                f"{self._where()} values must be {'bools' if self.kind == 'bool' else 'integers'}, "
                f"got an array of {v.dtype}")
        if v.dtype != bool and v.size and (v.min() < self.minimum or v.max() > self.maximum):
            bad = v[(v < self.minimum) | (v > self.maximum)].ravel()[0]
            raise FieldValueError(
                f"{self._where()} = {int(bad)} is out of range [{self.minimum}, {self.maximum}]"
            )
        v = v.astype(np.int64) + self.offset
        cols = [v] if self.count is None else [v[:, i] for i in range(self.count)]
        for segs, raw, xor in zip(self._placements, cols, self._xor):
            raw = raw.astype(np.uint64)
            if self._table is not None:
                raw = self._table[raw]
            raw ^= np.uint64(xor)
            for s in segs:
                words[:, s.word] |= ((raw >> np.uint64(s.value_lo)) & np.uint64((1 << s.width) - 1)) << np.uint64(s.lo)

    def used_bits(self) -> dict[int, int]:
        """word -> mask of the bits this field occupies (for overlap checks and decode masks)."""
        out: dict[int, int] = {}
        for segs in self._placements:
            for s in segs:
                out[s.word] = out.get(s.word, 0) | (((1 << s.width) - 1) << s.lo)
        return out

    # -- hypothesis --------------------------------------------------------------------------------
    def strategy(self):
        from hypothesis import strategies as st

        if self.kind == "bool":
            scalar = st.booleans()
        elif self.kind == "enum":
            scalar = st.sampled_from(list(self.enum_type))  # type: ignore[arg-type]
        else:
            scalar = st.integers(self.minimum, self.maximum)
        if self.count is None:
            return scalar
        return st.lists(scalar, min_size=self.count, max_size=self.count)


class CoordinateField(Field):
    """A halco coordinate that the chip stores in an encoding of its own (see :func:`Coordinate`).

    Values are coordinates of ``coordinate``; an int is taken as the coordinate's enum (as the
    vectorized codec, which works on enums). ``decode_array`` gives enums; with ``check=False`` a
    bit pattern that encodes no coordinate decodes to ``maximum + 1`` (one past the last enum).
    """

    def __init__(self, coordinate: type, width: int, placement: Sequence[Bits], *,
                 to_raw: Callable[[np.ndarray], np.ndarray],
                 from_raw: Callable[[np.ndarray], np.ndarray], default: Any = None,
                 doc: str = "") -> None:
        self.coordinate = coordinate
        self._enums_to_raw = to_raw
        self._raw_to_enums = from_raw
        first = next(iter(coordinate.enum_values()))
        super().__init__("coord", width, placement,
                         default=coordinate.from_enum(first) if default is None else default,
                         minimum=first, maximum=first + coordinate.size - 1, doc=doc)

    def info(self) -> FieldInfo:
        """A coordinate type; ``minimum`` and ``maximum`` bound its enums."""
        return FieldInfo(name=self.name, type=self.coordinate, minimum=self.minimum,
                         maximum=self.maximum, doc=self.doc)

    @property
    def can_be_invalid(self) -> bool:
        return True

    def _what(self) -> str:
        return (f"a {self.coordinate.__name__} (or its enum, an int in "
                f"[{self.minimum}, {self.maximum}])")

    def validate(self, value: Any) -> Any:
        """The coordinate ``value`` is or whose enum it is; another type or enum raises."""
        if isinstance(value, self.coordinate):
            return value
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise FieldTypeError(f"{self._where()} must be {self._what()}, got "
                                 f"{type(value).__name__} {value!r}")
        if not self.minimum <= value <= self.maximum:
            raise FieldValueError(f"{self._where()} = {int(value)} is out of range "
                                  f"[{self.minimum}, {self.maximum}] (the enums of "
                                  f"{self.coordinate.__name__})")
        return self.coordinate.from_enum(int(value))

    def to_raw(self, value: Any, entry: int = 0) -> int:
        return int(self._enums_to_raw(np.array([int(value)], dtype=np.int64))[0])

    def _enum_of(self, raw: int) -> int:
        return int(self._raw_to_enums(np.array([raw], dtype=np.uint64))[0])

    def decode_from(self, words: Sequence[int]) -> Any:
        if self.gate is not None and not self.gate.decode_from(words):
            return self.default          # gate off: the bits are zero and select nothing
        raw = 0
        for s in self._placements[0]:
            raw |= ((words[s.word] >> s.lo) & ((1 << s.width) - 1)) << s.value_lo
        enum = self._enum_of(raw)
        if enum < 0:
            raise FieldValueError(f"{self._where()}: bits {raw:#x} encode no "
                                  f"{self.coordinate.__name__}")
        return self.coordinate.from_enum(enum)

    def decode_array(self, words: np.ndarray, check: bool = True) -> np.ndarray:
        """Enums of ``n`` instances from ``words[n, k]``; ``check`` raises for bits that encode
        no coordinate (else they decode to ``maximum + 1``)."""
        w = words.astype(np.uint64, copy=False)
        raw = np.zeros(w.shape[0], dtype=np.uint64)
        for s in self._placements[0]:
            bits = (w[:, s.word] >> np.uint64(s.lo)) & np.uint64((1 << s.width) - 1)
            raw |= bits << np.uint64(s.value_lo)
        enums = np.asarray(self._raw_to_enums(raw), dtype=np.int64)
        if self.gate is not None:
            enums = np.where(self.gate.decode_array(words), enums, int(self.default))
        invalid = enums < 0
        if check and invalid.any():
            row = int(np.flatnonzero(invalid)[0])
            raise FieldValueError(f"{self._where()}: the bits of container {row} ({int(raw[row]):#x}) "
                                  f"encode no {self.coordinate.__name__}")
        return np.where(invalid, self.maximum + 1, enums)

    def encode_array(self, values: np.ndarray, words: np.ndarray) -> None:
        """OR the raw bits of ``values`` (coordinates or their enums, shape ``(n,)``) into
        ``words[n, k]``."""
        v = np.asarray(values)
        if v.dtype.kind == "O":
            v = np.array([int(self.validate(x)) for x in v.ravel()], dtype=np.int64).reshape(v.shape)
        if v.dtype.kind not in "iu":
            raise FieldTypeError(f"{self._where()} values must be {self.coordinate.__name__}s or "
                                 f"their enums (integers), got an array of {v.dtype}")
        if v.size and (v.min() < self.minimum or v.max() > self.maximum):
            bad = v[(v < self.minimum) | (v > self.maximum)].ravel()[0]
            raise FieldValueError(f"{self._where()} = {int(bad)} is out of range "
                                  f"[{self.minimum}, {self.maximum}] (the enums of "
                                  f"{self.coordinate.__name__})")
        raw = np.asarray(self._enums_to_raw(v.astype(np.int64).reshape(-1)), dtype=np.uint64)
        for s in self._placements[0]:
            bits = (raw >> np.uint64(s.value_lo)) & np.uint64((1 << s.width) - 1)
            words[:, s.word] |= bits << np.uint64(s.lo)

    def strategy(self):
        from hypothesis import strategies as st

        return st.integers(self.minimum, self.maximum).map(self.coordinate.from_enum)


class GateField(Field):
    """A flag the chip has no bit for (see :func:`Gate`): on while any bit of its placement (bits
    of the gated field) is set. Written off, it clears every bit of the gated field (it is written
    after the container's other fields); written on, it writes nothing: the gated field's bits
    select what is on."""

    encodes_last = True

    def __init__(self, gated: Field, placement: Sequence[Bits], *, default: bool = False,
                 doc: str = "") -> None:
        if gated.gate is not None or gated.count is not None:
            raise ValueError("a gate switches one scalar field that no other gate switches")
        width = sum(s.width for s in placement)
        super().__init__("bool", width, placement, default=default, doc=doc)
        owned = gated.used_bits()
        for word, mask in Field.used_bits(self).items():
            if owned.get(word, 0) & mask != mask:
                raise ValueError(f"a gate reads bits of its gated field only (word {word})")
        self.gated = gated
        gated.gate = self

    def used_bits(self) -> dict[int, int]:
        """None: the bits a gate reads belong to its gated field."""
        return {}

    def encode_into(self, words: list[int], value: Any) -> None:
        if not value:
            for word, mask in self.gated.used_bits().items():
                words[word] &= ~mask

    def decode_from(self, words: Sequence[int]) -> bool:
        return any((words[s.word] >> s.lo) & ((1 << s.width) - 1) for s in self._placements[0])

    def decode_array(self, words: np.ndarray, check: bool = True) -> np.ndarray:
        w = words.astype(np.uint64, copy=False)
        on = np.zeros(w.shape[0], dtype=bool)
        for s in self._placements[0]:
            on |= ((w[:, s.word] >> np.uint64(s.lo)) & np.uint64((1 << s.width) - 1)) != 0
        return on

    def encode_array(self, values: np.ndarray, words: np.ndarray) -> None:
        v = np.asarray(values)
        if v.dtype.kind not in "iub":
            raise FieldTypeError(f"{self._where()} values must be bools, got an array of {v.dtype}")
        if v.dtype != bool and v.size and (v.min() < 0 or v.max() > 1):
            bad = v[(v < 0) | (v > 1)].ravel()[0]
            raise FieldValueError(f"{self._where()} = {int(bad)} is out of range [0, 1]")
        off = ~v.astype(bool)
        for word, mask in self.gated.used_bits().items():
            words[off, word] &= np.uint64(~mask & 0xFFFF_FFFF)


def _field_of(owner: str, name: str) -> Field:
    """Unpickle a field: field ``name`` of the container of qualified name ``owner``."""
    from ._container import container_by_name

    return container_by_name(owner).fields[name]


# -- declaration helpers ---------------------------------------------------------------------------

def Bool(*placement: Bits, default: bool = False, invert: bool = False, doc: str = "") -> Field:
    """A one-bit flag."""
    return Field("bool", 1, placement, default=default, invert=invert, doc=doc)


def UInt(width: int, *placement: Bits, default: int | None = None, maximum: int | None = None,
         invert: bool = False, reverse: bool = False, permutation: Sequence[int] | None = None,
         doc: str = "") -> Field:
    """An unsigned field of ``width`` raw bits (values 0..2**width-1 unless ``maximum`` is lower)."""
    return Field("uint", width, placement, default=default, maximum=maximum, invert=invert,
                 reverse=reverse, permutation=permutation, doc=doc)


def Int(width: int, *placement: Bits, offset: int, default: int = 0, doc: str = "") -> Field:
    """A signed value stored as ``value + offset`` (e.g. -128..127 stored as 0..255)."""
    return Field("int", width, placement, default=default, minimum=-offset,
                 maximum=(1 << width) - 1 - offset, offset=offset, doc=doc)


def Enum(enum_type: type[enum.IntEnum], width: int, *placement: Bits, default: Any = None,
         doc: str = "") -> Field:
    """An enumerated field stored as its integer value."""
    return Field("enum", width, placement, enum_type=enum_type, default=default, doc=doc)


def Coordinate(coordinate: type, width: int, *placement: Bits,
               to_raw: Callable[[np.ndarray], np.ndarray],
               from_raw: Callable[[np.ndarray], np.ndarray], default: Any = None,
               doc: str = "") -> CoordinateField:
    """A halco ``coordinate`` stored as ``width`` raw bits: ``to_raw(enums) -> raw`` maps int64
    enums to the uint64 raw bits the placement spreads over the words, ``from_raw(raw) -> enums``
    maps them back (-1 where they encode no coordinate). Default: the first coordinate."""
    return CoordinateField(coordinate, width, placement, to_raw=to_raw, from_raw=from_raw,
                           default=default, doc=doc)


def Gate(gated: Field, *placement: Bits, default: bool = False, doc: str = "") -> GateField:
    """A flag the chip has no bit for: on while any of ``placement`` (bits of ``gated``) is set.

    Off, the gated field's bits are written as zeros and it reads back as its default; declare
    the gated field first (``cell = Coordinate(...)``, then ``enable = Gate(cell, ...)``) and put
    both into the container in the order the names should have."""
    return GateField(gated, placement, default=default, doc=doc)


def Array(base: Field, count: int, entry_placement: Callable[[int], Sequence[Bits]], *,
          invert_entries: Sequence[bool] | None = None, default: Sequence[Any] | None = None) -> Field:
    """``count`` copies of ``base`` (same type, range and transform), placed per entry.

    ``invert_entries`` (one flag per entry) stores the entries flagged True inverted (on top of
    ``base``'s own ``invert``): for arrays whose entries the chip encodes differently, such as
    ``CommonCorrelationConfig.cadc_v_offset_assignment``. ``default`` gives one default per entry
    (else every entry defaults to ``base``'s)."""
    if default is not None:
        if len(default) != count:
            raise ValueError(f"an array of {count} entries needs {count} defaults, got {len(default)}")
        for value in default:
            base.validate(value)
    return Field(
        base.kind, base.width, entry_placement,
        default=base.default if default is None else list(default), minimum=base.minimum,
        maximum=base.maximum, offset=base.offset, invert=base.invert, enum_type=base.enum_type,
        count=count, doc=base.doc, tables_from=base, invert_entries=invert_entries,
    )
