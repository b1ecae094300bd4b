"""Containers declared by their parts: lola's composites (``Chip``, ``NeuronBlock``, ...) and
aggregates (``SynapseDriverBlock``), and lola's container registry.

A class declares its parts once, as class attributes, in write order::

    class Crossbar(Composite, coordinate=halco.CrossbarOnDLS):
        outputs = Part(haldls.CrossbarOutputConfig, halco.CrossbarOutputConfigOnDLS)
        nodes = Part(haldls.CrossbarNode, halco.CrossbarNodeOnDLS, 76)

A part is one value (no count) or a list of ``count`` values, a :class:`haldls.FieldArray`
indexed like the real lola's typed arrays: by the enum of the value's coordinate relative to the
container. **Placement** follows halco's nested coordinates: the values of a part of the container
at the coordinate of enum ``p`` lie at the coordinates of enum ``p * count + i`` (``p`` for one
value), so ``CADCOnDLS(1)``'s 512 channels are ``CADCChannelConfigOnDLS`` 512..1023; the sizes of
the coordinate types are checked against that when the class is made. A part can list its
coordinates instead (``coordinates=``: the CapMem's shared cells). A composite whose coordinate
type has more than one value keeps it in an attribute declared with :class:`Placement`
(``CADCReadoutChain.hemisphere``); the parts of a composite holding such composites place them
(the chain at index 1 of ``Chip.cadc_readout_chains`` must have ``hemisphere`` 1).

Derived from the declaration (:class:`Aggregate`):

* the attrs class: constructor with defaults, checks on construction and assignment (a part's
  type, a list's length, each entry put into a list; :class:`~lola.errors.LolaTypeError` naming
  the part and the index), equality, repr, refusing unknown attribute names;
* ``n_words``, ``readable``, ``writable``; ``addresses(coord)`` (computed once per coordinate);
  ``encode()`` and ``decode(words)``, vectorized per list of haldls containers
  (``encode_array`` / ``decode_array``), so a write is one array of words at one array of
  addresses; ``check()``; ``schema()`` (one :class:`haldls.FieldInfo` per part); ``strategy()``;
* registration in lola's registry (:data:`REGISTRY`).

A :class:`Composite` is an aggregate whose parts' containers are also its **leaves**
(``leaves()``: ``(coordinate, container)`` pairs in write order, parts that are composites
flattened), from which ``with_leaves``, ``diff``, and the archives (``to_bytes``/``from_bytes``,
``to_json``/``from_json``) follow. An aggregate that is not a composite is written, read, archived
and diffed as one container (``SynapseDriverBlock``).
"""

from __future__ import annotations

import copy
import difflib
import json
from typing import Any, ClassVar, Iterable, Iterator

import attrs
import numpy as np

import halco
import haldls
from haldls import FieldArray, FieldInfo, archive
from haldls.serialization import converter
from .errors import LolaTypeError, LolaValueError

#: every lola container type, registered when attrs has built its class
REGISTRY = haldls.Registry("lola")


def _type_name(t: type) -> str:
    return f"{t.__module__.partition('.')[0]}.{t.__qualname__}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Placement:
    """Declares the attribute holding the enum of a composite's own coordinate (its leaves'
    placement); ``doc`` says what the values mean ("0 (top) or 1 (bottom)")."""

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.name = "?"
        self.owner = "?"
        self.size = 0

    def check(self, value: Any) -> int:
        if type(value) is not int or not 0 <= value < self.size:
            raise LolaValueError(f"{self.owner}.{self.name} must be {self.doc}, not {value!r}")
        return value


class Part:
    """One part of a container: its ``type`` (a haldls or lola container type), the
    ``coordinate`` type its values live at (that type's own), and ``count`` for a list of values
    (None: one value); ``coordinates`` lists the coordinates of a list instead of placing it;
    ``copy``: values are copied when assigned (value semantics for small configs)."""

    #: raised for a wrong part, a list of the wrong kind or length (see haldls.FieldArray)
    type_error = LolaTypeError

    def __init__(self, type: type, coordinate: type, count: int | None = None, *,
                 coordinates: Iterable[Any] | None = None, copy: bool = False, doc: str = "") -> None:
        self.type = type
        self.coordinate = coordinate
        self.explicit = None if coordinates is None else tuple(coordinates)
        self.count = len(self.explicit) if self.explicit is not None and count is None else count
        self.copy = copy
        self.doc = doc
        self.name = "?"
        self.owner = "?"
        self._coordinates: dict[int, tuple] = {}

    # -- declaration -------------------------------------------------------------------------
    def _declare(self, owner: type, name: str) -> None:
        self.owner, self.name = owner.__qualname__, name
        t = self.type
        where = f"{owner.__qualname__}.{name}"
        if not (isinstance(t, type) and issubclass(t, haldls.WordContainer) and hasattr(t, "coordinate_type")):
            raise TypeError(f"{where}: {t!r} is not a container type")
        if t.coordinate_type is not self.coordinate:
            raise TypeError(f"{where}: {t.__qualname__} lives at {t.coordinate_type.__name__}, "
                            f"not {self.coordinate.__name__}")
        if not t.plain_write or not isinstance(getattr(t, "n_words", None), int) or t.n_words <= 0:
            raise TypeError(f"{where}: {t.__qualname__} is not written as a fixed number of words")
        if self.explicit is not None:
            if len(self.explicit) != self.count or not all(type(c) is self.coordinate for c in self.explicit):
                raise TypeError(f"{where}: coordinates must be {self.count} {self.coordinate.__name__}")
        elif self.coordinate.size != owner.coordinate_type.size * (self.count or 1):
            raise TypeError(f"{where}: {self.count or 1} {self.coordinate.__name__} per "
                            f"{owner.coordinate_type.__name__} do not make up its "
                            f"{self.coordinate.size} values")
        if self.placed and owner.coordinate_type.size != 1:
            raise TypeError(f"{where}: a placed composite part needs an owner with one coordinate")

    @property
    def aggregate(self) -> bool:
        """Values are aggregates themselves (encoded and decoded by their parts)."""
        return issubclass(self.type, Aggregate)

    @property
    def composite(self) -> bool:
        """Values are composites: their leaves are the owner's leaves."""
        return issubclass(self.type, Composite)

    @property
    def placed(self) -> bool:
        """Values carry their own placement (their Placement attribute)."""
        return self.aggregate and self.type._placement is not None

    @property
    def vector(self) -> bool:
        """Values are haldls containers: encoded and decoded as arrays."""
        return issubclass(self.type, haldls.Container)

    @property
    def entries(self) -> str:
        return _type_name(self.type)

    @property
    def n_words(self) -> int:
        return (self.count or 1) * self.type.n_words

    def coordinates_at(self, placement: int) -> tuple:
        """The coordinates of the values when the owner lies at the coordinate of enum
        ``placement`` (one for a single value)."""
        found = self._coordinates.get(placement)
        if found is None:
            if self.explicit is not None:
                found = self.explicit
            elif self.count is None:
                found = (self.coordinate.from_enum(placement),)
            else:
                found = tuple(self.coordinate.from_enum(placement * self.count + i) for i in range(self.count))
            self._coordinates[placement] = found
        return found

    def info(self) -> FieldInfo:
        return FieldInfo(self.name, self.type, () if self.count is None else (self.count,),
                         doc=self.doc, coordinate=self.coordinate)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by reference: its container's qualified name and its own name."""
        return (_part_of, (self.owner, self.name))

    def __copy__(self) -> "Part":
        return self

    def __deepcopy__(self, memo: dict) -> "Part":
        return self

    # -- checks (FieldArray's entry protocol) --------------------------------------------------
    def check_entry(self, index: int | None, value: Any) -> None:
        """Raise LolaTypeError unless ``value`` can be entry ``index`` (None: the one value)."""
        if not isinstance(value, self.type):
            where = self.name if index is None else f"{self.name}[{index}]"
            raise LolaTypeError(f"{self.owner}.{where} must be a {_type_name(self.type)}, got "
                                f"{type(value).__qualname__} {_short(value)}")
        if self.placed:
            attr = self.type._placement.name
            expected = index or 0
            if getattr(value, attr) != expected:
                where = self.name if index is None else f"{self.name}[{index}]"
                raise LolaTypeError(
                    f"{self.owner}.{where} lies at {self.coordinate.__name__}({expected}): it must "
                    f"have {attr} {expected}, got {attr} {getattr(value, attr)!r}")

    def validate_entry(self, index: int | None, value: Any) -> Any:
        """The value to store as entry ``index`` (checked; a copy if the part copies)."""
        self.check_entry(index, value)
        return copy.deepcopy(value) if self.copy else value

    def _default(self, index: int | None = None) -> Any:
        if self.placed:
            return self.type(**{self.type._placement.name: index or 0})
        return self.type()

    def _attribute(self) -> Any:
        """The attrs field holding the part."""
        if self.count is None:
            return attrs.field(factory=self._default, converter=lambda v: self.validate_entry(None, v),
                               on_setattr=attrs.setters.convert, metadata={"part": self})
        return attrs.field(
            factory=lambda: FieldArray._unchecked(self, [self._default(i) for i in range(self.count)]),
            converter=lambda v: FieldArray(self, v), on_setattr=attrs.setters.convert,
            metadata={"part": self})

    # -- words -------------------------------------------------------------------------------
    def _addresses(self, placement: int) -> np.ndarray:
        coords = self.coordinates_at(placement)
        t = self.type
        if self.vector:
            return t.addresses_array(np.array([c.to_enum() for c in coords], dtype=np.int64)).ravel()
        if self.aggregate:
            return np.concatenate([t._addresses_at(c.to_enum()) for c in coords])
        return np.concatenate([t.addresses(c) for c in coords])

    def _encode(self, value: Any) -> np.ndarray:
        if self.count is None:
            return value._words() if self.aggregate else value.encode()
        if hasattr(self.type, "encode_many"):      # a type with its own vectorized encoder
            return self.type.encode_many(value).ravel()
        if self.vector:
            return _encode_containers(self.type, value)
        if self.aggregate:
            return np.concatenate([v._words() for v in value])
        return np.concatenate([v.encode() for v in value])

    def _decode(self, words: np.ndarray, placement: int) -> Any:
        t = self.type
        if self.count is None:
            return t._decode(words, placement) if self.aggregate else t.decode(words)
        chunks = words.reshape(self.count, t.n_words)
        if self.vector:
            values = _decode_containers(t, chunks)
        elif self.aggregate:
            values = [t._decode(w, placement * self.count + i) for i, w in enumerate(chunks)]
        else:
            values = [t.decode(w) for w in chunks]
        return FieldArray._unchecked(self, values)

    def _strategy(self, placement: int):
        from hypothesis import strategies as st

        t = self.type

        def one(p: int):
            return t._strategy(p) if self.aggregate else t.strategy()

        if self.count is None:
            return one(placement)
        if self.placed:
            return st.tuples(*[one(placement * self.count + i) for i in range(self.count)]).map(list)

        @st.composite
        def entries(draw):
            distinct = draw(st.lists(one(placement), min_size=1, max_size=6))
            which = draw(st.lists(st.integers(0, len(distinct) - 1), min_size=self.count, max_size=self.count))
            return [copy.deepcopy(distinct[i]) for i in which]

        return entries()


def _part_of(owner: str, name: str) -> Part:
    """Unpickle a part: part ``name`` of the lola container of qualified name ``owner``."""
    return REGISTRY.by_name(owner).parts[name]


def _encode_containers(t: type, values: list) -> np.ndarray:
    """The words of haldls containers ``values`` of type ``t``, one after the other, from their
    field arrays (``encode_array``)."""
    arrays = {name: np.array([getattr(v, name) for v in values]) for name in t.fields}
    return t.encode_array(len(values), **arrays).ravel()


def _decode_containers(t: type, words: np.ndarray) -> list:
    """haldls containers of type ``t`` from ``words[n, t.n_words]`` (``decode_array``)."""
    columns = [(name, values.tolist()) for name, values in t.decode_array(words).items()]
    return [t(**{name: values[i] for name, values in columns}) for i in range(len(words))]


# -- aggregates ---------------------------------------------------------------------------------

_ADDRESSES: dict[tuple[type, int], np.ndarray] = {}


class Aggregate(haldls.WordContainer):
    """Abstract base of a container declared by its parts (see the module docstring); a
    subclass names its coordinate type as the class keyword ``coordinate``."""

    coordinate_type: ClassVar[type]
    #: part name -> Part, in write order
    parts: ClassVar[dict[str, Part]] = {}
    #: the Placement attribute (None: the coordinate type has one value, or the aggregate is
    #: placed only by the coordinate it is written at)
    _placement: ClassVar[Placement | None] = None
    differential_write: ClassVar[bool] = False
    is_block_until: ClassVar[bool] = False

    def __init_subclass__(cls, coordinate: type | None = None, differential_write: bool = False,
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if coordinate is None:
            return                      # an abstract base
        cls.coordinate_type = coordinate
        cls.differential_write = differential_write
        parts: dict[str, Part] = {}
        placement = None
        these: dict[str, Any] = {}
        for name, value in list(cls.__dict__.items()):
            if isinstance(value, Placement):
                if placement is not None:
                    raise TypeError(f"{cls.__qualname__} declares two placements")
                value.name, value.owner, value.size = name, cls.__qualname__, coordinate.size
                placement = value
                these[name] = attrs.field(default=0, converter=value.check,
                                          on_setattr=attrs.setters.convert, metadata={"placement": value})
                delattr(cls, name)
            elif isinstance(value, Part):
                value._declare(cls, name)
                parts[name] = value
                these[name] = value._attribute()
                delattr(cls, name)
        if issubclass(cls, Composite) and coordinate.size != 1 and placement is None:
            raise TypeError(f"{cls.__qualname__} lies at one of {coordinate.size} "
                            f"{coordinate.__name__}: it needs a Placement")
        if not parts:
            raise TypeError(f"{cls.__qualname__} declares no parts")
        cls.parts = parts
        cls._placement = placement
        cls.n_words = sum(p.n_words for p in parts.values())
        cls.readable = all(p.type.readable for p in parts.values())
        cls.writable = all(p.type.writable for p in parts.values())
        lines = [f"    {name}: {_type_name(p.type)}" + ("" if p.count is None else f" x {p.count}")
                 + f" at {p.coordinate.__name__}. {p.doc}".rstrip() for name, p in parts.items()]
        cls.__doc__ = (cls.__doc__ or "").rstrip() + "\n\n    Parts, in write order:\n\n" + "\n".join(lines) + "\n"
        attrs.define(cls, these=these, slots=False, eq=True, order=False)   # registers it
        cls.__setattr__ = _only_declared(cls, cls.__setattr__)

    # -- structure ---------------------------------------------------------------------------
    @classmethod
    def schema(cls) -> dict[str, FieldInfo]:
        """The placement attribute (if any) and every part with its type, count and coordinate
        type, in declaration order."""
        out = {}
        for a in attrs.fields(cls):
            if "placement" in a.metadata:
                p = a.metadata["placement"]
                out[a.name] = FieldInfo(a.name, int, (), 0, p.size - 1, f"{p.doc}: the enum of its "
                                        f"{cls.coordinate_type.__name__}", cls.coordinate_type)
            else:
                out[a.name] = a.metadata["part"].info()
        return out

    def __copy__(self) -> Any:
        """A deep copy: containers are values (as in the C++ original)."""
        return copy.deepcopy(self)

    def _placement_enum(self) -> int:
        return 0 if self._placement is None else getattr(self, self._placement.name)

    @classmethod
    def _instance(cls, placement: int, values: dict[str, Any]) -> Any:
        """An instance of the given part values (known to be valid), not checked again."""
        out = cls.__new__(cls)
        if cls._placement is not None:
            values[cls._placement.name] = placement
        out.__dict__.update(values)
        return out

    def check(self) -> None:
        """Check every part again (a list changed by ``list`` methods that bypass item
        assignment; a part's own parts), raising what an assignment would."""
        if self._placement is not None:
            self._placement.check(getattr(self, self._placement.name))
        for name, part in self.parts.items():
            value = getattr(self, name)
            if part.count is None:
                part.check_entry(None, value)
                entries = (value,)
            else:
                if not isinstance(value, FieldArray):
                    raise LolaTypeError(f"{type(self).__qualname__}.{name} must be a list of "
                                        f"{part.count} {part.entries}, got {type(value).__name__}")
                value.check()
                entries = value
            if part.aggregate:
                for entry in entries:
                    entry.check()

    @classmethod
    def strategy(cls):
        """A Hypothesis strategy: every part drawn from its type's strategy (a list from a few
        distinct drawn values spread over its entries)."""
        return cls._strategy(0)

    @classmethod
    def _strategy(cls, placement: int):
        from hypothesis import strategies as st

        values = {name: part._strategy(placement) for name, part in cls.parts.items()}
        if cls._placement is not None:
            values[cls._placement.name] = st.just(placement)
        return st.builds(cls, **values)

    # -- words -------------------------------------------------------------------------------
    def _words(self) -> np.ndarray:
        """The words of every part, in write order (parts not checked)."""
        return np.concatenate([p._encode(getattr(self, name)) for name, p in self.parts.items()])

    def encode(self) -> np.ndarray:
        """The words of a write (uint32, ``n_words``): every part's words in write order, a
        list's entries in index order. Checks every part first (see :meth:`check`)."""
        self.check()
        return self._words().astype(np.uint32)

    @classmethod
    def decode(cls, words: Any) -> Any:
        """The container whose :meth:`encode` gives ``words`` (placed at enum 0)."""
        return cls._decode(words, 0)

    @classmethod
    def _decode(cls, words: Any, placement: int) -> Any:
        arr = np.asarray(words)
        if arr.shape != (cls.n_words,):
            raise LolaValueError(f"{cls.__name__} decodes from {cls.n_words} words, got shape {arr.shape}")
        values, pos = {}, 0
        for name, part in cls.parts.items():
            values[name] = part._decode(arr[pos:pos + part.n_words], placement)
            pos += part.n_words
        return cls._instance(placement, values)

    @classmethod
    def decode_read(cls, coord: Any, words: np.ndarray) -> Any:
        """The container read at ``coord`` (placed there)."""
        cls.check_coordinate(coord)
        return cls._decode(words, coord.to_enum())

    @classmethod
    def _addresses_at(cls, placement: int) -> np.ndarray:
        key = (cls, placement)
        found = _ADDRESSES.get(key)
        if found is None:
            found = np.concatenate([p._addresses(placement) for p in cls.parts.values()]).astype(np.uint32)
            found.flags.writeable = False
            _ADDRESSES[key] = found
        return found

    @classmethod
    def addresses(cls, coord: Any) -> np.ndarray:
        """The ``n_words`` word addresses at ``coord``, in write order (read-only uint32)."""
        cls.check_coordinate(coord)
        return cls._addresses_at(coord.to_enum())

    def encode_write(self, coord: Any) -> np.ndarray:
        """Instructions writing every part at ``coord``; a composite that keeps its placement
        must be written where it lies."""
        self.check_coordinate(coord)
        if self._placement is not None and coord.to_enum() != self._placement_enum():
            raise LolaValueError(
                f"{type(self).__name__} of {self._placement.name} {self._placement_enum()} lies at "
                f"{self.coordinate_type.__name__}({self._placement_enum()}), not at {coord!r}")
        return super().encode_write(coord)


def _only_declared(cls: type, attrs_setattr: Any) -> Any:
    """A ``__setattr__`` refusing names that are not parts (a typo must not become a new
    attribute while the part keeps its value)."""
    names = frozenset(a.name for a in attrs.fields(cls))

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (its parts: {', '.join(sorted(names))})"
            raise LolaTypeError(f"{cls.__qualname__} has no part '{name}'{hint}")
        attrs_setattr(self, name, value)

    return __setattr__


# -- composites ---------------------------------------------------------------------------------

@attrs.frozen
class _Layout:
    """The leaves of a composite type at one placement: coordinates in write order, the path to
    each (``((part, index), ...)``, index None for a single value) and word offsets."""

    coords: tuple
    paths: tuple
    offsets: np.ndarray
    index: dict = attrs.field(eq=False)


_LAYOUTS: dict[tuple[type, int], _Layout] = {}


class Composite(Aggregate):
    """Abstract base of a container whose parts' containers are its leaves (see the module
    docstring)."""

    @classmethod
    def _layout(cls, placement: int) -> _Layout:
        key = (cls, placement)
        found = _LAYOUTS.get(key)
        if found is None:
            coords: list = []
            paths: list = []
            sizes: list = []
            for part in cls.parts.values():
                for i, c in enumerate(part.coordinates_at(placement)):
                    step = (part, None if part.count is None else i)
                    if part.composite:
                        sub = part.type._layout(c.to_enum())
                        coords += sub.coords
                        paths += [(step, *p) for p in sub.paths]
                        sizes += np.diff(sub.offsets).tolist()
                    else:
                        coords.append(c)
                        paths.append((step,))
                        sizes.append(part.type.n_words)
            offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
            found = _Layout(tuple(coords), tuple(paths), offsets, {c: i for i, c in enumerate(coords)})
            _LAYOUTS[key] = found
        return found

    def _leaf_values(self) -> list:
        out: list = []
        for name, part in self.parts.items():
            value = getattr(self, name)
            entries = (value,) if part.count is None else value
            if part.composite:
                for entry in entries:
                    out += entry._leaf_values()
            else:
                out += entries
        return out

    def leaves(self) -> Iterator[tuple[Any, Any]]:
        """``(coordinate, container)`` of every leaf, in write order."""
        return zip(self._layout(self._placement_enum()).coords, self._leaf_values())

    @classmethod
    def _template(cls, coord: Any) -> Any:
        """A default instance lying at ``coord``."""
        cls.check_coordinate(coord)
        if cls._placement is None:
            return cls()
        return cls(**{cls._placement.name: coord.to_enum()})

    # -- leaves in and out ---------------------------------------------------------------------
    def with_leaves(self, pairs: Iterable[tuple[Any, Any]]) -> Any:
        """A copy (deep: containers are values) with the given leaves replaced (matched by
        coordinate); ``self`` is not changed."""
        out = copy.deepcopy(self)
        out._replace_leaves(pairs)
        return out

    def _replace_leaves(self, pairs: Iterable[tuple[Any, Any]]) -> None:
        """Replace the given leaves of ``self`` in place (matched by coordinate; each checked
        as an assignment is)."""
        layout = self._layout(self._placement_enum())
        for coord, leaf in pairs:
            position = layout.index.get(coord)
            if position is None:
                raise LolaValueError(f"{type(self).__name__} has no leaf at {coord!r}")
            owner: Any = self
            *path, (part, index) = layout.paths[position]
            for step, i in path:
                owner = getattr(owner, step.name)
                if i is not None:
                    owner = owner[i]
            if index is None:
                setattr(owner, part.name, leaf)
            else:
                getattr(owner, part.name)[index] = leaf

    @classmethod
    def _build(cls, placement: int, leaves: Iterator[Any]) -> Any:
        """An instance of the next leaves (each checked as an assignment is)."""
        values = {}
        for name, part in cls.parts.items():
            if part.count is None:
                values[name] = (part.type._build(part.coordinates_at(placement)[0].to_enum(), leaves)
                                if part.composite else part.validate_entry(None, next(leaves)))
            elif part.composite:
                values[name] = FieldArray(part, [part.type._build(c.to_enum(), leaves)
                                                 for c in part.coordinates_at(placement)])
            else:
                values[name] = FieldArray(part, [next(leaves) for _ in range(part.count)])
        return cls._instance(placement, values)

    def diff(self, other: Any) -> list[Any]:
        """Coordinates of the leaves whose configuration differs between ``self`` and
        ``other`` (all of them if the two lie at different coordinates)."""
        if type(other) is not type(self):
            raise LolaTypeError(f"cannot diff {type(self).__name__} against {type(other).__name__}")
        mine, theirs = self.encode(), other.encode()
        layout = self._layout(self._placement_enum())
        if other._placement_enum() != self._placement_enum():
            return list(layout.coords)
        changed = np.logical_or.reduceat(mine != theirs, layout.offsets[:-1])
        return [layout.coords[i] for i in np.flatnonzero(changed)]

    # -- archives ------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The compact binary form (:mod:`haldls.archive`) of the leaves."""
        self.check()
        return archive.dump(self.leaves(), haldls.REVISION)

    @classmethod
    def _from_pairs(cls, pairs: list[tuple[Any, Any]]) -> Any:
        """The composite of an archive's pairs: every leaf, each once, in write order."""
        got = tuple(c for c, _ in pairs)
        placements = range(cls.coordinate_type.size) if cls._placement is not None else (0,)
        for p in placements:
            if cls._layout(p).coords == got:
                return cls._build(p, iter([leaf for _, leaf in pairs]))
        nearest = next((p for p in placements if got and got[0] in cls._layout(p).index), 0)
        expected = cls._layout(nearest).coords
        missing = set(expected) - set(got)
        extra = set(got) - set(expected)
        twice = len(got) - len(set(got))
        raise LolaValueError(
            f"not an archive of a {cls.__name__}: {len(got)} parts where it has "
            f"{len(expected)}" + (f"; {len(missing)} missing (e.g. {next(iter(missing))!r})"
                                  if missing else "")
            + (f"; {len(extra)} not its own (e.g. {next(iter(extra))!r})" if extra else "")
            + (f"; {twice} repeated" if twice else "")
            + ("; out of order" if not (missing or extra or twice) else ""))

    @classmethod
    def from_bytes(cls, data: bytes) -> Any:
        try:
            pairs, revision = archive.load(data, _container_by_name)
        except haldls.errors.HaldlsError as err:
            raise LolaValueError(f"not an archive of a {cls.__name__}: {err}") from err
        if revision != haldls.REVISION:
            raise LolaValueError(f"the archive is of chip revision {revision}; this stack is "
                                 f"revision {haldls.REVISION}")
        return cls._from_pairs(pairs)

    def to_json(self) -> str:
        """The leaves as JSON: ``[[coordinate, container], ...]`` (haldls containers by their
        fields, lola containers by their words)."""
        self.check()
        return json.dumps([[converter.unstructure(c, type(c)), _unstructure(leaf)] for c, leaf in self.leaves()])

    @classmethod
    def from_json(cls, text: str) -> Any:
        try:
            data = json.loads(text)
            pairs = []
            for c, leaf in data:
                coord = converter.structure(c, halco.Coordinate)
                ctype = _container_by_name(leaf["type"])
                if "words" in leaf:
                    words = leaf["words"]
                    if not isinstance(words, list) or not all(
                            type(w) is int and 0 <= w <= 0xFFFFFFFF for w in words):
                        raise LolaValueError(f"the words of a {leaf['type']} must be 32-bit "
                                             f"unsigned ints")
                    value = ctype.decode(np.array(words, dtype=np.uint32))
                else:
                    value = converter.structure(leaf, haldls.Container)
                pairs.append((coord, value))
        except LolaValueError:
            raise
        except (ValueError, TypeError, KeyError, LookupError) as err:
            raise LolaValueError(f"not a JSON archive of a {cls.__name__}: {err}") from err
        except RecursionError:
            # an archive is a flat list of (coordinate, leaf) pairs: deep nesting is not one
            raise LolaValueError(f"not a JSON archive of a {cls.__name__}: nested too deeply") from None
        return cls._from_pairs(pairs)


def _unstructure(leaf: Any) -> dict:
    if isinstance(leaf, haldls.Container):
        return converter.unstructure(leaf, type(leaf))
    return {"type": type(leaf).__qualname__, "words": [int(w) for w in leaf.encode()]}


def container_for(coordinate: Any) -> type:
    """The container type living at a coordinate (instance or type): a lola container if one
    lives there, else the haldls one."""
    found = REGISTRY.get(coordinate)
    return found if found is not None else haldls.container_for(coordinate)


def _container_by_name(name: str) -> type:
    """A lola container type by qualified name, else a haldls one."""
    try:
        return REGISTRY.by_name(name)
    except haldls.errors.UnknownContainerError:
        pass
    try:
        return haldls.container_by_name(name)
    except haldls.errors.UnknownContainerError:
        raise haldls.errors.UnknownContainerError(
            f"no lola or haldls container is named {name!r}") from None
