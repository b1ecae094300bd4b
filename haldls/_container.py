"""The container base class: everything a container does is derived from its field declaration.

A container subclass declares, as class attributes, its :class:`~haldls._fields.Field` objects and,
as class keywords, its coordinate type, its number of words, and whether it can be read and
written. It implements one classmethod, ``_addresses(enums) -> uint32[n, words]``, the address map
as a vectorized function of coordinate enums. From that, this module derives the attrs class
(default constructor, value equality, repr, validation on construction and on assignment),
``encode``/``decode``, the vectorized ``encode_array``/``decode_array``, ``addresses``, the
Hypothesis strategy, ``schema()`` (the introspection protocol of haldls and lola containers, see
:mod:`haldls._protocol`: one :class:`~haldls._protocol.FieldInfo` per field) and registration in
the container registry. ``Container`` itself (and a subclass declared ``abstract=True`` that never
gets a coordinate type) is an abstract base: instantiating it raises
:class:`~haldls.errors.AbstractContainerError`.

:class:`FieldArray` is the fixed-size list holding an array field's entries; lola's containers use
it for their lists of parts too.
"""

from __future__ import annotations

import copy
import operator
from typing import Any, ClassVar, Iterator

import attrs
import numpy as np

import halco
from ._fields import Field
from ._protocol import FieldInfo, Registry, WordContainer
from .errors import AccessError, DecodeError, FieldTypeError

#: every haldls container type, registered when attrs has built its class
REGISTRY = Registry("haldls")


class FieldArray(list):
    """A fixed-size list whose entries are checked on assignment.

    ``spec`` declares the entries: a haldls array :class:`~haldls._fields.Field` (the four
    entries of a quad) or a lola part (the 128 synapse driver configs of a
    ``lola.SynapseDriverBlock``, the 76 nodes of a ``lola.Crossbar``). It provides ``owner`` and
    ``name`` (for messages), ``count``, ``entries`` (what an entry is, for messages),
    ``type_error`` (the error for a sequence of the wrong kind or length, for an index that is
    not an integer, for resizing) and ``validate_entry(index, value)``, which returns the entry to
    store (checked, converted or copied) or raises its own error naming the entry.
    """

    __slots__ = ("_field",)

    def __init__(self, field: Any, values: Any) -> None:
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise field.type_error(f"{field.owner}.{field.name} needs a sequence of {field.count} "
                                   f"{field.entries}, got {type(values).__name__} {values!r:.60}")
        values = list(values)
        if len(values) != field.count:
            raise field.type_error(f"{field.owner}.{field.name} needs exactly {field.count} "
                                   f"{field.entries}, got {len(values)}")
        super().__init__(field.validate_entry(i, v) for i, v in enumerate(values))
        self._field = field

    @classmethod
    def _unchecked(cls, field: Any, values: list) -> "FieldArray":
        """A FieldArray of entries known to be valid (freshly decoded), not checked again."""
        out = list.__new__(cls)
        list.__init__(out, values)
        out._field = field
        return out

    def __setitem__(self, index: Any, value: Any) -> None:
        field = self._field
        if isinstance(index, slice):
            positions = range(*index.indices(len(self)))
            values = list(value)
            if len(values) != len(positions):
                raise field.type_error(f"{field.owner}.{field.name} has a fixed size of {len(self)}; "
                                       f"a slice of {len(positions)} got {len(values)} values")
            super().__setitem__(index, [field.validate_entry(i, v) for i, v in zip(positions, values)])
        else:
            try:
                index = operator.index(index)
            except TypeError:
                raise field.type_error(f"{field.owner}.{field.name} is indexed by an integer, not "
                                       f"{type(index).__name__} {index!r}") from None
            position = index + len(self) if index < 0 else index
            if not 0 <= position < len(self):
                raise IndexError(f"{field.owner}.{field.name} has {len(self)} entries, no index {index}")
            super().__setitem__(index, field.validate_entry(position, value))

    def _fixed(self, *args: Any, **kwargs: Any) -> None:
        raise self._field.type_error(f"{self._field.owner}.{self._field.name} has a fixed size of {len(self)}")

    append = extend = insert = pop = remove = clear = __delitem__ = __iadd__ = __imul__ = _fixed  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (FieldArray, (self._field, list(self)))

    def __deepcopy__(self, memo: dict) -> "FieldArray":
        # the entries were checked when they were set: copy them without checking again. Each
        # entry is a value of its own slot (a circuit, a driver): one object set into several
        # slots gets a copy per slot, so that a copy changed slot by slot (grenade labels each
        # placed neuron) does not change the others through a shared object
        return FieldArray._unchecked(self._field, [copy.deepcopy(v) for v in self])

    def check(self) -> None:
        """Check the size and every entry again (``list`` methods such as ``sort`` bypass
        :meth:`__setitem__`); raises the errors of an assignment."""
        field = self._field
        if len(self) != field.count:
            raise field.type_error(f"{field.owner}.{field.name} needs exactly {field.count} "
                                   f"{field.entries}, got {len(self)}")
        check = getattr(field, "check_entry", field.validate_entry)
        for i, v in enumerate(self):
            check(i, v)


def _only_fields(cls: type, attrs_setattr: Any) -> Any:
    """A ``__setattr__`` that refuses names that are not fields: a typo
    (``config.refactory_time = 20``) must not become a new attribute while the field keeps
    its value."""
    names = frozenset(cls.fields)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if name not in names:
            import difflib

            close = difflib.get_close_matches(name, names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else \
                f" (its fields: {', '.join(sorted(names)) or 'none'})"
            raise FieldTypeError(f"{cls.__qualname__} has no field '{name}'{hint}")
        attrs_setattr(self, name, value)

    return __setattr__


def _make_array(owner: str, name: str, values: list) -> FieldArray:
    """Unpickle a FieldArray pickled before fields pickled by reference (owner is the
    container's qualified name)."""
    return FieldArray(container_by_name(owner).fields[name], values)


def _converter(field: Field):
    if field.count is None:
        return field.validate
    return lambda values: FieldArray(field, values)


class Container(WordContainer):
    """Abstract base of every bit-level container. See the module docstring for what subclasses
    declare.

    Writes, reads, coordinate checks and registration come from
    :class:`~haldls._protocol.WordContainer`."""

    coordinate_type: ClassVar[type]
    n_words: ClassVar[int] = 0
    fields: ClassVar[dict[str, Field]] = {}
    #: (name, field) in the order encode writes them: gates last
    _encode_order: ClassVar[tuple] = ()
    readable: ClassVar[bool] = True
    writable: ClassVar[bool] = True
    #: write(coord, config, reference) emits only words that differ from the reference
    differential_write: ClassVar[bool] = False
    #: a wait condition for ``block_until`` rather than a configuration
    is_block_until: ClassVar[bool] = False
    #: the fields some of whose raw bit patterns are invalid (what check_words decodes)
    _checked_fields: ClassVar[tuple] = ()

    def __init_subclass__(
        cls,
        coordinate: type | None = None,
        words: int | None = None,
        readable: bool = True,
        writable: bool = True,
        differential_write: bool = False,
        block_until: bool = False,
        abstract: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:
            return
        if coordinate is None or words is None:
            raise TypeError(f"container {cls.__name__} needs coordinate= and words=")
        cls.coordinate_type = coordinate
        cls.n_words = words
        cls.readable, cls.writable = readable, writable
        cls.differential_write = differential_write
        cls.is_block_until = block_until
        if block_until:
            cls.plain_write = False      # a wait condition is an instruction, not words
        fields: dict[str, Field] = {}
        for name, value in list(cls.__dict__.items()):
            if isinstance(value, Field):
                value.name, value.owner = name, cls.__qualname__
                fields[name] = value
                delattr(cls, name)
        _check_layout(cls.__name__, fields, words)
        for f in fields.values():
            if f.gate is not None and fields.get(f.gate.name) is not f.gate:
                raise ValueError(f"{cls.__name__}.{f.name}: its gate is not a field of the container")
        cls.fields = fields
        # a gate writes after the others: off, it clears the bits its gated field wrote
        cls._encode_order = tuple(sorted(fields.items(), key=lambda item: item[1].encodes_last))
        cls._checked_fields = tuple(f for f in fields.values() if f.can_be_invalid)
        these = {
            name: attrs.field(
                default=attrs.Factory(lambda f=f: list(f.default) if isinstance(f.default, list)
                                      else [f.default] * f.count)
                if f.count is not None else f.default,
                converter=_converter(f),
                on_setattr=attrs.setters.convert,
                metadata={"field": f},
            )
            for name, f in fields.items()
        }
        attrs.define(cls, these=these, slots=False, eq=True, order=False)   # registers it
        cls.__setattr__ = _only_fields(cls, cls.__setattr__)

    def __deepcopy__(self, memo: dict) -> "Container":
        # every field holds immutable values (ints, bools, enums) or a list of them: a copy of
        # the lists is a deep copy, without validating again what was valid (a lola.Chip
        # holds thousands of containers)
        out = object.__new__(type(self))
        state = out.__dict__
        for name, value in self.__dict__.items():
            state[name] = FieldArray._unchecked(value._field, value) if isinstance(value, FieldArray) \
                else value
        return out

    # -- addresses -------------------------------------------------------------------------------
    @classmethod
    def _addresses(cls, enums: np.ndarray) -> np.ndarray:
        """uint32[n, n_words] word addresses of the coordinates with the given enums."""
        raise AccessError(f"{cls.__qualname__} does not live at chip addresses")

    @classmethod
    def has_addresses(cls) -> bool:
        """Whether the container lives at bus addresses (spike packs and waits are instructions)."""
        return cls._addresses.__func__ is not Container._addresses.__func__  # type: ignore[attr-defined]

    @classmethod
    def addresses(cls, coord: Any) -> np.ndarray:
        """uint32 word addresses of the container at ``coord`` (in encode order)."""
        cls.check_coordinate(coord)
        return cls.addresses_array(np.array([coord.to_enum()]))[0]

    @classmethod
    def addresses_array(cls, enums: Any) -> np.ndarray:
        """uint32[n, n_words] addresses for an array of coordinate enums (integers
        0..size-1 of the coordinate type)."""
        enums = np.asarray(enums).reshape(-1)
        if enums.size and enums.dtype.kind not in "iu":
            raise FieldTypeError(f"{cls.__name__}.addresses_array: enums must be integers, not "
                                 f"{enums.dtype}")
        enums = enums.astype(np.int64)
        size = cls.coordinate_type.size
        if enums.size and (enums.min() < 0 or enums.max() >= size):
            bad = enums[(enums < 0) | (enums >= size)][0]
            raise halco.errors.OutOfRangeError(
                f"{cls.__name__}.addresses_array: enum {bad} is outside 0..{size - 1} of "
                f"{cls.coordinate_type.__name__}")
        return np.asarray(cls._addresses(enums), dtype=np.uint32).reshape(len(enums), cls.n_words)

    # -- scalar codec ----------------------------------------------------------------------------
    def encode(self) -> np.ndarray:
        """The container's words (uint32, ``n_words`` long)."""
        words = [0] * self.n_words
        for name, f in self._encode_order:
            f.encode_into(words, getattr(self, name))
        return np.array(words, dtype=np.uint32)

    @classmethod
    def _check_words(cls, words: np.ndarray, n: int | None = None) -> np.ndarray:
        arr = np.asarray(words)
        if arr.ndim < 1 or arr.shape[-1] != cls.n_words:
            raise DecodeError(
                f"{cls.__name__} decodes from {cls.n_words} words, got shape {arr.shape}"
            )
        if arr.size and arr.dtype.kind not in "iu":
            raise DecodeError(f"{cls.__name__}: words must be integers (32-bit unsigned), not "
                              f"{arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() > 0xFFFFFFFF):
            raise DecodeError(f"{cls.__name__}: words must be 32-bit unsigned values")
        return arr.astype(np.uint64)

    @classmethod
    def decode(cls, words: Any) -> "Container":
        """The container that ``words`` (``n_words`` 32-bit words) encode. Unused bits are ignored."""
        arr = cls._check_words(words)
        if arr.ndim != 1:
            raise DecodeError(f"{cls.__name__}.decode takes one container's words; use decode_array")
        values = [int(w) for w in arr]
        return cls(**{name: f.decode_from(values) for name, f in cls.fields.items()})

    # -- vectorized codec ------------------------------------------------------------------------
    @classmethod
    def decode_array(cls, words: Any, check: bool = True) -> dict[str, np.ndarray]:
        """Field arrays of ``n`` containers from ``words[n, n_words]`` (array fields: ``(n, count)``).

        Bits that decode outside a field's range (or to no enum member) raise FieldValueError
        naming the field and the container's index, as :meth:`decode` does; ``check=False``
        decodes them as they are (the hardware stores whatever bits it is given)."""
        arr = cls._check_words(words)
        if arr.ndim != 2:
            raise DecodeError(f"{cls.__name__}.decode_array takes words of shape (n, {cls.n_words})")
        return {name: f.decode_array(arr, check) for name, f in cls.fields.items()}

    @classmethod
    def check_words(cls, words: Any) -> None:
        """Raise as :meth:`decode_array` would for ``words[n, n_words]``, decoding only the
        fields whose raw bits can fall outside their range (most have none)."""
        arr = cls._check_words(words)
        if arr.ndim != 2:
            raise DecodeError(f"{cls.__name__}.check_words takes words of shape (n, {cls.n_words})")
        for f in cls._checked_fields:
            f.decode_array(arr)

    @classmethod
    def encode_array(cls, n: int, **values: Any) -> np.ndarray:
        """uint32[n, n_words] for ``n`` containers; missing fields take their defaults.

        Each value is a scalar (broadcast) or an array of shape ``(n,)`` (``(n, count)`` for array
        fields). Out-of-range values raise, naming the field.
        """
        unknown = set(values) - set(cls.fields)
        if unknown:
            raise FieldTypeError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
            raise FieldTypeError(f"{cls.__name__}.encode_array: n must be a count >= 0, not {n!r}")
        words = np.zeros((n, cls.n_words), dtype=np.uint64)
        for name, f in cls._encode_order:
            default = (f.default if f.count is None else
                       list(f.default) if isinstance(f.default, list) else [f.default] * f.count)
            v = values.get(name, default)
            shape = (n,) if f.count is None else (n, f.count)
            if isinstance(v, list):
                v = np.asarray([f.validate(x) for x in v])
            elif not isinstance(v, np.ndarray):
                v = np.asarray(f.validate(v))
            if v.dtype.kind == "O":                     # each element checked, nothing truncated
                v = np.asarray([f.validate(x) for x in v.ravel()]).reshape(v.shape)
            try:
                v = np.broadcast_to(v, shape)
            except ValueError:
                raise FieldTypeError(f"{cls.__name__}.{name}: values of shape {v.shape} do not "
                                     f"fit {n} containers (shape {shape}, or a scalar)") from None
            f.encode_array(v, words)
        return words.astype(np.uint32)

    # -- introspection, testing and serialization ----------------------------------------------
    @classmethod
    def schema(cls) -> dict[str, FieldInfo]:
        """Every field with its type, shape and range, in declaration order (an attribute that
        is not a declared field, such as ``PPUMemoryBlock.words``, with its name only)."""
        out = {name: f.info() for name, f in cls.fields.items()}
        if attrs.has(cls):
            for a in attrs.fields(cls):
                if a.name not in out:
                    out[a.name] = FieldInfo(a.name, object, doc=a.metadata.get("doc", ""))
        return out

    @classmethod
    def strategy(cls):
        """A Hypothesis strategy drawing valid containers of this type."""
        from hypothesis import strategies as st

        drawn = st.builds(cls, **{name: f.strategy() for name, f in cls.fields.items()})
        gated = [f for f in cls.fields.values() if f.gate is not None]
        if not gated:
            return drawn

        def as_stored(c: "Container") -> "Container":
            # the chip keeps a gated field only while its gate is on: draw what reads back
            for f in gated:
                if not getattr(c, f.gate.name):
                    setattr(c, f.name, f.default)
            return c

        return drawn.map(as_stored)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values of every field."""
        out: dict[str, Any] = {}
        for name, f in self.fields.items():
            v = getattr(self, name)
            out[name] = [_plain(x) for x in v] if f.count is not None else _plain(v)
        return out

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Container":
        """The container with every field given in ``values`` (as :meth:`to_dict` gives them);
        a missing or unknown field is an error (an archive that lacks one is incomplete)."""
        if not isinstance(values, dict):
            raise FieldTypeError(f"{cls.__name__}.from_dict needs a dict of field values, got "
                                 f"{type(values).__name__}")
        unknown = set(values) - set(cls.fields)
        if unknown:
            raise FieldTypeError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        missing = set(cls.fields) - set(values)
        if missing:
            raise FieldTypeError(f"{cls.__name__}: field(s) {sorted(missing)} missing")
        return cls(**values)


def _plain(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    return int(v)


def _check_layout(name: str, fields: dict[str, Field], words: int) -> None:
    """Fields must not overlap and must stay inside ``words`` 32-bit words."""
    used: dict[int, int] = {}
    for fname, f in fields.items():
        for word, mask in f.used_bits().items():
            if not 0 <= word < words or mask >> 32:
                raise ValueError(f"{name}.{fname} is placed outside {words} 32-bit words")
            if used.get(word, 0) & mask:
                raise ValueError(f"{name}.{fname} overlaps another field in word {word}")
            used[word] = used.get(word, 0) | mask


def register(cls: type[Container]) -> type[Container]:
    """Add a container type to the registry (by qualified name, and by coordinate type unless it is
    a block-until condition). Field-declared containers register themselves; call it for a
    container whose coordinate type is set after attrs built it (``PPUMemoryBlock``)."""
    return REGISTRY.add(cls)


def containers() -> tuple[type[Container], ...]:
    """Every registered container type (block-until conditions included), in definition order."""
    return REGISTRY.types()


def container_by_name(name: str) -> type[Container]:
    """The container type of a qualified name (``haldls.errors.UnknownContainerError`` if none)."""
    return REGISTRY.by_name(name)


def container_for(coordinate: Any) -> type[Container]:
    """The container type that lives at a coordinate (instance or type)."""
    return REGISTRY.for_coordinate(coordinate)


def iter_coordinates(container: type[Container]) -> Iterator[Any]:
    """Every coordinate of the container's type."""
    return halco.iter_all(container.coordinate_type)
