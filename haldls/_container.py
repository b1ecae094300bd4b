"""The container base class: everything a container does is derived from its field declaration.

A container subclass declares, as class attributes, its :class:`~haldls._fields.Field` objects and,
as class keywords, its coordinate type, its number of words, and whether it can be read and
written. It implements one classmethod, ``_addresses(enums) -> uint32[n, words]``, the address map
as a vectorized function of coordinate enums. From that, this module derives the attrs class
(default constructor, value equality, repr, validation on construction and on assignment),
``encode``/``decode``, the vectorized ``encode_array``/``decode_array``, ``addresses``, the
Hypothesis strategy, and registration in the container registry.
"""

from __future__ import annotations

import operator
from typing import Any, ClassVar, Iterator

import attrs
import numpy as np

import halco
from ._fields import Field
from ._protocol import WordContainer
from .errors import AccessError, DecodeError, FieldTypeError, UnknownContainerError

_BY_NAME: dict[str, type["Container"]] = {}
_BY_COORDINATE: dict[type, type["Container"]] = {}


class FieldArray(list):
    """A fixed-size list whose elements are validated on assignment (quad entries, rows)."""

    __slots__ = ("_field",)

    def __init__(self, field: Field, values: Any) -> None:
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise FieldTypeError(f"{field.owner}.{field.name} needs a sequence of {field.count} "
                                 f"entries, got {type(values).__name__} {values!r:.60}")
        values = list(values)
        if len(values) != field.count:
            raise FieldTypeError(
                f"{field.owner}.{field.name} needs exactly {field.count} entries, got {len(values)}"
            )
        super().__init__(field.validate(v) for v in values)
        self._field = field

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            values = [self._field.validate(v) for v in value]
            if len(values) != len(range(*index.indices(len(self)))):
                raise FieldTypeError(f"{self._field.owner}.{self._field.name} has a fixed size")
            super().__setitem__(index, values)
        else:
            try:
                index = operator.index(index)
            except TypeError:
                raise FieldTypeError(f"{self._field.owner}.{self._field.name} is indexed by an "
                                     f"integer, not {type(index).__name__} {index!r}") from None
            super().__setitem__(index, self._field.validate(value))

    def _fixed(self, *args: Any, **kwargs: Any) -> None:
        raise FieldTypeError(f"{self._field.owner}.{self._field.name} has a fixed size of {len(self)}")

    append = extend = insert = pop = remove = clear = __delitem__ = __iadd__ = __imul__ = _fixed  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_make_array, (self._field.owner, self._field.name, list(self)))


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
    """Unpickle a FieldArray (owner is the container's qualified name)."""
    return FieldArray(_BY_NAME[owner].fields[name], values)


def _converter(field: Field):
    if field.count is None:
        return field.validate
    return lambda values: FieldArray(field, values)


class Container(WordContainer):
    """Base of every bit-level container. See the module docstring for what subclasses declare.

    Writes, reads and coordinate checks come from :class:`~haldls._protocol.WordContainer`."""

    coordinate_type: ClassVar[type]
    n_words: ClassVar[int] = 0
    fields: ClassVar[dict[str, Field]] = {}
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
        cls.fields = fields
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
        attrs.define(cls, these=these, slots=False, eq=True, order=False)
        cls.__setattr__ = _only_fields(cls, cls.__setattr__)
        register(cls)

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
        for name, f in self.fields.items():
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
        for name, f in cls.fields.items():
            default = f.default if f.count is None else [f.default] * f.count
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

    # -- testing and serialization ----------------------------------------------------------------
    @classmethod
    def strategy(cls):
        """A Hypothesis strategy drawing valid containers of this type."""
        from hypothesis import strategies as st

        return st.builds(cls, **{name: f.strategy() for name, f in cls.fields.items()})

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


def register(cls: type[Container]) -> None:
    """Add a container type to the registry (by qualified name, and by coordinate type unless it is
    a block-until condition). Called for every field-declared container; call it for others."""
    name = cls.__qualname__
    if name in _BY_NAME:
        raise RuntimeError(f"container {name} defined twice")
    _BY_NAME[name] = cls
    if cls.is_block_until:
        return
    if cls.coordinate_type in _BY_COORDINATE:
        raise RuntimeError(
            f"coordinate {cls.coordinate_type.__name__} already belongs to "
            f"{_BY_COORDINATE[cls.coordinate_type].__qualname__}"
        )
    _BY_COORDINATE[cls.coordinate_type] = cls


def containers() -> tuple[type[Container], ...]:
    """Every registered container type (block-until conditions included), in definition order."""
    return tuple(_BY_NAME.values())


def container_by_name(name: str) -> type[Container]:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownContainerError(f"no haldls container is named {name!r}") from None


def container_for(coordinate: Any) -> type[Container]:
    """The container type that lives at a coordinate (instance or type)."""
    ctype = coordinate if isinstance(coordinate, type) else type(coordinate)
    try:
        return _BY_COORDINATE[ctype]
    except KeyError:
        raise UnknownContainerError(
            f"no haldls container lives at {getattr(ctype, '__name__', ctype)!r}"
        ) from None


def iter_coordinates(container: type[Container]) -> Iterator[Any]:
    """Every coordinate of the container's type."""
    return halco.iter_all(container.coordinate_type)
