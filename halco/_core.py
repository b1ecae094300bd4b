"""The coordinate primitives every halco coordinate is built from.

Four shapes cover the whole chip:

- :class:`RangedInt`: one bounded integer (``NeuronColumnOnDLS``, 0..255).
- :class:`Grid`: two ranged axes with a row-major enum ``e = y*xsize + x``, or a lookup table for
  sparse grids (the 76 crossbar nodes).
- :class:`Nested`: a local coordinate inside a parent, ``e = parent*local.size + local``
  (``SynapseRowOnDLS`` = ``SynapseRowOnSynram`` on a ``SynramOnDLS``).
- :class:`Interval`: a closed interval ``[min, max]`` of a bound type (PPU memory blocks).

Every coordinate has an enum in ``0..size-1`` (ranged integers with a minimum above zero keep their
value as enum, as in halco). Coordinates of different types never compare equal, never order
against each other and are never accepted in each other's place.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from typing import Any, Callable, ClassVar, Iterator, Sequence, TypeVar

import numpy as np

from .errors import CoordinateTypeError, InvalidCoordinateError, OutOfRangeError

T = TypeVar("T", bound="Coordinate")

#: Every concrete coordinate type, in definition order (filled by ``__init_subclass__``).
_REGISTRY: dict[str, type["Coordinate"]] = {}
#: "no value given": a coordinate's first one (None is refused, not taken for it)
_DEFAULT: Any = object()

_SNAKE_1 = re.compile(r"([a-z0-9])([A-Z])")
_SNAKE_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")


def snake_case(name: str) -> str:
    """``AtomicNeuronOnDLS`` -> ``atomic_neuron_on_dls``; ``PADIBusOnDLS`` -> ``padi_bus_on_dls``.

    "CapMem" is one word (``capmem``), as in the BSS-2 Python API.
    """
    name = name.replace("CapMem", "Capmem")
    return _SNAKE_1.sub(r"\1_\2", _SNAKE_2.sub(r"\1_\2", name)).lower()


def _as_int(cls: type, value: Any, what: str) -> int:
    """An exact integer from ``value``; a coordinate of another type or a float is a TypeError."""
    if isinstance(value, Coordinate) and type(value) is not cls:
        raise CoordinateTypeError(
            f"{cls.__name__}: expected {what} as int or {cls.__name__}, "
            f"got {type(value).__name__}"
        )
    if isinstance(value, bool):
        raise CoordinateTypeError(f"{cls.__name__}: {what} must be an int, got bool {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise CoordinateTypeError(
            f"{cls.__name__}: {what} must be an int, got {type(value).__name__} {value!r}"
        ) from None


class Coordinate:
    """Base of every coordinate: enum, value equality within one type, ordering, hashing, pickling."""

    __slots__ = ("_enum",)
    size: ClassVar[int]
    #: False for the primitives themselves and abstract intermediate classes.
    _concrete: ClassVar[bool] = False

    def __init_subclass__(cls, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._concrete = not abstract
        if not abstract:
            if cls.__name__ in _REGISTRY:
                raise RuntimeError(f"coordinate type {cls.__name__} defined twice")
            _REGISTRY[cls.__name__] = cls

    # -- enum ------------------------------------------------------------------------------------
    def to_enum(self) -> int:
        """The coordinate's enum: its position in ``iter_all`` order."""
        return self._enum

    @classmethod
    def from_enum(cls: type[T], enum: int) -> T:
        """The coordinate with the given enum; raises :class:`OutOfRangeError` outside 0..size-1."""
        enum = _as_int(cls, enum, "enum")
        lo = cls._enum_min()
        if not lo <= enum < lo + cls.size:
            raise OutOfRangeError(
                f"{cls.__name__}: enum {enum} is out of range [{lo}, {lo + cls.size - 1}]"
            )
        obj = object.__new__(cls)
        obj._enum = enum
        obj._check_enum()
        return obj

    @classmethod
    def _enum_min(cls) -> int:
        return 0

    def _check_enum(self) -> None:
        """Hook for coordinates whose enum range has holes (intervals)."""

    @classmethod
    def enum_values(cls) -> Iterator[int]:
        """Every valid enum in order."""
        lo = cls._enum_min()
        return iter(range(lo, lo + cls.size))

    def __index__(self) -> int:
        return self._enum

    def __int__(self) -> int:
        return self._enum

    # -- comparisons -----------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented if not isinstance(other, Coordinate) else False
        return self._enum == other._enum  # type: ignore[attr-defined]

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def _same_type(self, other: object, op: str) -> int:
        if type(other) is not type(self):
            raise CoordinateTypeError(
                f"cannot compare {type(self).__name__} {op} {type(other).__name__}: "
                "coordinates order only against their own type"
            )
        return other._enum  # type: ignore[attr-defined]

    def __lt__(self, other: object) -> bool:
        return self._enum < self._same_type(other, "<")

    def __le__(self, other: object) -> bool:
        return self._enum <= self._same_type(other, "<=")

    def __gt__(self, other: object) -> bool:
        return self._enum > self._same_type(other, ">")

    def __ge__(self, other: object) -> bool:
        return self._enum >= self._same_type(other, ">=")

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._enum))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self).from_enum, (self._enum,))

    def __copy__(self: T) -> T:
        return self

    def __deepcopy__(self: T, memo: dict) -> T:
        return self


class RangedInt(Coordinate, abstract=True):
    """A bounded integer. Subclass with ``class X(RangedInt, size=N)`` or ``min=, max=``."""

    __slots__ = ()
    min: ClassVar[int] = 0
    max: ClassVar[int]

    def __init_subclass__(
        cls, size: int | None = None, min: int | None = None, max: int | None = None, **kw: Any
    ) -> None:
        super().__init_subclass__(**kw)
        if min is not None:
            cls.min = min
        if size is not None:
            cls.max = cls.min + size - 1
        elif max is not None:
            cls.max = max
        if hasattr(cls, "max"):
            cls.size = cls.max - cls.min + 1

    def __init__(self, value: int = _DEFAULT) -> None:      # type: ignore[assignment]
        if value is _DEFAULT:
            value = type(self).min
        elif value is None:
            # None is never a coordinate: it would silently be the first one
            raise CoordinateTypeError(f"{type(self).__name__}(None): a coordinate needs an int in "
                            f"[{type(self).min}, {type(self).max}]; {type(self).__name__}() is the first")
        value = _as_int(type(self), value, "value")
        if not type(self).min <= value <= type(self).max:
            raise OutOfRangeError(
                f"{type(self).__name__}({value}) is out of range "
                f"[{type(self).min}, {type(self).max}]"
            )
        self._enum = value

    @classmethod
    def _enum_min(cls) -> int:
        return cls.min

    def value(self) -> int:
        """The integer value (equal to the enum)."""
        return self._enum

    def __bool__(self) -> bool:
        return self._enum != 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._enum})"


class Grid(Coordinate, abstract=True):
    """Two ranged axes ``x`` and ``y``. Dense grids enumerate row-major, sparse ones by table.

    Construct from ``(x, y)`` (typed, in either order, or plain ints as x then y), from keywords
    ``x=``/``y=``, or from a single enum.
    """

    __slots__ = ()
    x_type: ClassVar[type[RangedInt]]
    y_type: ClassVar[type[RangedInt]]
    #: For sparse grids: the valid (x, y) pairs in enum order.
    _table: ClassVar[tuple[tuple[int, int], ...] | None] = None
    _index: ClassVar[dict[tuple[int, int], int] | None] = None

    def __init_subclass__(
        cls,
        x: type[RangedInt] | None = None,
        y: type[RangedInt] | None = None,
        table: Sequence[tuple[int, int]] | None = None,
        **kw: Any,
    ) -> None:
        super().__init_subclass__(**kw)
        if x is not None:
            cls.x_type, cls.y_type = x, y  # type: ignore[assignment]
            if table is not None:
                cls._table = tuple((int(a), int(b)) for a, b in table)
                cls._index = {pair: i for i, pair in enumerate(cls._table)}
                cls.size = len(cls._table)
            else:
                cls.size = x.size * y.size  # type: ignore[union-attr]
            if cls._table is not None:
                table = np.array(cls._table, dtype=np.int64)
                register_conversion(cls, x, lambda e: table[e, 0])
                register_conversion(cls, y, lambda e: table[e, 1])  # type: ignore[arg-type]
            else:
                register_conversion(cls, x, lambda e: e % x.size + x.min)
                register_conversion(cls, y, lambda e: e // x.size + y.min)  # type: ignore

    def __init__(self, *args: Any, x: Any = None, y: Any = None) -> None:
        cls = type(self)
        if args and (x is not None or y is not None):
            raise CoordinateTypeError(f"{cls.__name__}: give either positional or x=/y= arguments")
        if len(args) == 1:
            self._enum = cls.from_enum(args[0])._enum
            return
        if len(args) == 2:
            a, b = args
            if isinstance(a, cls.y_type) and isinstance(b, cls.x_type) and cls.x_type is not cls.y_type:
                a, b = b, a
            x, y = a, b
        elif args:
            raise CoordinateTypeError(f"{cls.__name__} takes (x, y) or (enum), got {len(args)} values")
        if x is None and y is None and not args:
            self._enum = 0
            return
        if x is None or y is None:
            raise CoordinateTypeError(f"{cls.__name__}: both x and y are required")
        xv = cls.x_type(x)._enum if not isinstance(x, cls.x_type) else x._enum
        yv = cls.y_type(y)._enum if not isinstance(y, cls.y_type) else y._enum
        self._enum = cls._pair_to_enum(xv, yv)

    @classmethod
    def _pair_to_enum(cls, xv: int, yv: int) -> int:
        if cls._index is not None:
            try:
                return cls._index[(xv, yv)]
            except KeyError:
                raise InvalidCoordinateError(
                    f"{cls.__name__}: ({cls.x_type.__name__}({xv}), {cls.y_type.__name__}({yv})) "
                    f"is not one of the {cls.size} valid combinations"
                ) from None
        return (yv - cls.y_type.min) * cls.x_type.size + (xv - cls.x_type.min)

    def _xy(self) -> tuple[int, int]:
        cls = type(self)
        if cls._table is not None:
            return cls._table[self._enum]
        yv, xv = divmod(self._enum, cls.x_type.size)
        return xv + cls.x_type.min, yv + cls.y_type.min

    @property
    def x(self) -> Any:
        """The x-axis coordinate."""
        return type(self).x_type(self._xy()[0])

    @property
    def y(self) -> Any:
        """The y-axis coordinate."""
        return type(self).y_type(self._xy()[1])

    def __repr__(self) -> str:
        xv, yv = self._xy()
        return (
            f"{type(self).__name__}({type(self).x_type.__name__}({xv}), "
            f"{type(self).y_type.__name__}({yv}); enum={self._enum})"
        )


class Nested(Coordinate, abstract=True):
    """A ``local`` coordinate inside a ``parent``: ``enum = parent*local.size + local``.

    Construct from ``(local, parent)`` (parent defaults to its first value) or a single enum.
    """

    __slots__ = ()
    local_type: ClassVar[type[Coordinate]]
    parent_type: ClassVar[type[Coordinate]]

    def __init_subclass__(
        cls, local: type[Coordinate] | None = None, parent: type[Coordinate] | None = None, **kw: Any
    ) -> None:
        super().__init_subclass__(**kw)
        if local is not None:
            cls.local_type, cls.parent_type = local, parent  # type: ignore[assignment]
            cls.size = local.size * parent.size  # type: ignore[union-attr]
            n, lo_l, lo_p = local.size, local._enum_min(), parent._enum_min()  # type: ignore
            register_conversion(cls, local, lambda e: e % n + lo_l)
            register_conversion(cls, parent, lambda e: e // n + lo_p)  # type: ignore[arg-type]

    def __init__(self, *args: Any) -> None:
        cls = type(self)
        if len(args) == 1 and not isinstance(args[0], cls.local_type):
            self._enum = cls.from_enum(args[0])._enum
            return
        if len(args) == 0:
            self._enum = 0
            return
        if len(args) > 2:
            raise CoordinateTypeError(f"{cls.__name__} takes (local, parent) or (enum)")
        local = args[0] if isinstance(args[0], cls.local_type) else _coerce(cls.local_type, args[0])
        parent = (
            cls.parent_type.from_enum(cls.parent_type._enum_min())
            if len(args) == 1
            else (args[1] if isinstance(args[1], cls.parent_type) else _coerce(cls.parent_type, args[1]))
        )
        lo_l, lo_p = cls.local_type._enum_min(), cls.parent_type._enum_min()
        self._enum = (parent._enum - lo_p) * cls.local_type.size + (local._enum - lo_l)

    @property
    def local(self) -> Any:
        """The coordinate inside the parent."""
        cls = type(self)
        return cls.local_type.from_enum(self._enum % cls.local_type.size + cls.local_type._enum_min())

    @property
    def parent(self) -> Any:
        """The enclosing coordinate."""
        cls = type(self)
        return cls.parent_type.from_enum(
            self._enum // cls.local_type.size + cls.parent_type._enum_min()
        )

    def split(self) -> tuple[Any, Any]:
        """``(parent, local)``."""
        return self.parent, self.local

    def _check_enum(self) -> None:
        local = type(self).local_type
        local.from_enum(self._enum % local.size + local._enum_min())

    @classmethod
    def enum_values(cls) -> Iterator[int]:
        n, lo = cls.local_type.size, cls.local_type._enum_min()
        for p in range(cls.parent_type.size):
            for local in cls.local_type.enum_values():
                yield p * n + local - lo

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.local!r}, {self.parent!r})"


class Interval(Coordinate, abstract=True):
    """A closed interval ``[min, max]`` of a bound coordinate type; ``enum = bound.size*min + max``."""

    __slots__ = ()
    bound_type: ClassVar[type[RangedInt]]

    def __init_subclass__(cls, bound: type[RangedInt] | None = None, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if bound is not None:
            cls.bound_type = bound
            cls.size = bound.size * bound.size

    def __init__(self, *args: Any) -> None:
        cls = type(self)
        if len(args) == 1:
            self._enum = cls.from_enum(args[0])._enum
            return
        if len(args) != 2:
            raise CoordinateTypeError(f"{cls.__name__} takes (min, max) or (enum)")
        lo, hi = (a if isinstance(a, cls.bound_type) else _coerce(cls.bound_type, a) for a in args)
        if lo._enum > hi._enum:
            raise InvalidCoordinateError(
                f"{cls.__name__}: min {lo._enum} is greater than max {hi._enum}"
            )
        self._enum = cls.bound_type.size * (lo._enum - cls.bound_type.min) + (hi._enum - cls.bound_type.min)

    def _check_enum(self) -> None:
        lo, hi = divmod(self._enum, type(self).bound_type.size)
        if lo > hi:
            raise InvalidCoordinateError(
                f"{type(self).__name__}: enum {self._enum} encodes min {lo} > max {hi}"
            )

    @classmethod
    def enum_values(cls) -> Iterator[int]:
        n = cls.bound_type.size
        for lo in range(n):
            for hi in range(lo, n):
                yield lo * n + hi

    def to_min(self) -> Any:
        """The first element."""
        b = type(self).bound_type
        return b(self._enum // b.size + b.min)

    def to_max(self) -> Any:
        """The last element."""
        b = type(self).bound_type
        return b(self._enum % b.size + b.min)

    def length(self) -> int:
        """Number of elements, ``max - min + 1``."""
        n = type(self).bound_type.size
        return self._enum % n - self._enum // n + 1

    def contains(self, value: Any) -> bool:
        """Whether ``value`` (a bound coordinate) lies inside."""
        value = value if isinstance(value, type(self).bound_type) else _coerce(type(self).bound_type, value)
        return self.to_min()._enum <= value._enum <= self.to_max()._enum

    def __getitem__(self, i: int) -> Any:
        try:
            if isinstance(i, bool):
                raise TypeError
            i = operator.index(i)
        except TypeError:
            raise CoordinateTypeError(f"{type(self).__name__} is indexed by an int, not "
                                      f"{type(i).__name__} {i!r}") from None
        if not 0 <= i < self.length():
            raise IndexError(f"{type(self).__name__}: index {i} outside [0, {self.length() - 1}]")
        return type(self).bound_type(self.to_min()._enum + i)

    def __len__(self) -> int:
        return self.length()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_min()._enum}, {self.to_max()._enum})"


def _coerce(cls: type[Coordinate], value: Any) -> Coordinate:
    """``cls(value)`` for ranged types given an int; anything else must already be a ``cls``."""
    if isinstance(value, cls):
        return value
    if issubclass(cls, RangedInt):
        return cls(value)
    if isinstance(value, Coordinate):
        raise CoordinateTypeError(f"expected {cls.__name__}, got {type(value).__name__}")
    return cls.from_enum(value)


def iter_all(*types: type[Coordinate]) -> Iterator[Any]:
    """Every value of a coordinate type in enum order; several types give their product."""
    if not types:
        raise TypeError("iter_all needs at least one coordinate type")
    for t in types:
        if not (isinstance(t, type) and issubclass(t, Coordinate) and t._concrete):
            raise CoordinateTypeError(f"iter_all: {t!r} is not a concrete halco coordinate type")
    if len(types) == 1:
        t = types[0]
        return (t.from_enum(e) for e in t.enum_values())
    return itertools.product(*([t.from_enum(e) for e in t.enum_values()] for t in types))


def all_coordinate_types() -> tuple[type[Coordinate], ...]:
    """Every concrete coordinate type halco defines, in definition order."""
    return tuple(_REGISTRY.values())


def link(*types: type[Coordinate]) -> None:
    """Make same-sized coordinate types convert into each other by identity of enum (the
    hemisphere family, the synapse-row family, ...): a registered conversion, and so a
    ``to_<snake_case(target)>()`` method, for each ordered pair."""
    sizes = {t.size for t in types}
    if len(sizes) != 1:
        raise ValueError(f"link: types of different sizes {[(t.__name__, t.size) for t in types]}")
    for src in types:
        for dst in types:
            if src is not dst:
                shift = dst._enum_min() - src._enum_min()
                register_conversion(src, dst, lambda e, shift=shift: e + shift)


def add_constants(cls: type[Coordinate], **values: Any) -> None:
    """Named instances as class attributes (``SynramOnDLS.top``, ``CapMemRowOnCapMemBlock.v_leak``)."""
    for key, val in values.items():
        setattr(cls, key, val if isinstance(val, cls) else cls(val) if not isinstance(val, tuple) else cls(*val))


# -- conversions ---------------------------------------------------------------------------------

class Conversion:
    """A conversion ``source -> target`` declared as a function of enums.

    ``function`` maps a source enum to a target enum and is written with arithmetic and numpy
    indexing only, so that it takes an int or an array of enums alike. ``many`` > 0: one source
    gives that many targets (a sequence of ``many`` enums or arrays, in a documented order);
    ``optional``: the function gives -1 where a source has no target.
    """

    __slots__ = ("source", "target", "function", "many", "optional")

    def __init__(self, source: type[Coordinate], target: type[Coordinate],
                 function: Callable[[Any], Any], many: int = 0, optional: bool = False) -> None:
        self.source, self.target, self.function = source, target, function
        self.many, self.optional = many, optional

    def __call__(self, coord: Coordinate) -> Any:
        """The target coordinate(s) of one source coordinate (a tuple for ``many``, None
        where an ``optional`` conversion has no target)."""
        result = self.function(coord._enum)
        target = self.target
        if self.many:
            return tuple(target.from_enum(int(e)) for e in result)
        result = int(result)
        if self.optional and result < 0:
            return None
        return target.from_enum(result)

    def method(self) -> Callable[[Coordinate], Any]:
        conv = self

        def convert(self: Coordinate) -> Any:
            return conv(self)

        what = f"the {self.many} {self.target.__name__}" if self.many else f"the {self.target.__name__}"
        convert.__doc__ = what + (" (None where there is none)." if self.optional else ".")
        convert.__name__ = "to_" + snake_case(self.target.__name__)
        return convert

    def __repr__(self) -> str:
        return f"Conversion({self.source.__name__} -> {self.target.__name__})"


#: (source type, target type) -> Conversion: the chip's layout in one table
_CONVERSIONS: dict[tuple[type, type], Conversion] = {}


def register_conversion(source: type[Coordinate], target: type[Coordinate],
                        function: Callable[[Any], Any], many: int = 0,
                        optional: bool = False) -> Conversion:
    """Declare ``source -> target`` and give ``source`` its ``to_<snake_case(target)>()``
    method. A pair is declared once; a hand-written method of that name is an error (two
    sources of truth)."""
    key = (source, target)
    if key in _CONVERSIONS:
        raise RuntimeError(f"conversion {source.__name__} -> {target.__name__} declared twice")
    name = "to_" + snake_case(target.__name__)
    if name in source.__dict__:
        raise RuntimeError(f"{source.__name__}.{name} is written by hand and declared as a "
                           "conversion; declare it once")
    conv = _CONVERSIONS[key] = Conversion(source, target, function, many, optional)
    setattr(source, name, conv.method())
    return conv


def conversion(source: type[Coordinate], target: type[Coordinate], many: int = 0,
               optional: bool = False) -> Callable[[Callable[[Any], Any]], Conversion]:
    """Decorator form of :func:`register_conversion`."""
    def register(function: Callable[[Any], Any]) -> Conversion:
        return register_conversion(source, target, function, many, optional)
    return register


def conversions() -> dict[tuple[type, type], Conversion]:
    """Every declared conversion, by (source, target) type."""
    return dict(_CONVERSIONS)


def _contiguous(cls: type[Coordinate]) -> bool:
    """Whether every enum in ``[min, min + size)`` names a coordinate (not so for intervals)."""
    if issubclass(cls, Interval):
        return False
    if issubclass(cls, Nested):
        return _contiguous(cls.local_type) and _contiguous(cls.parent_type)
    return True


def enum_map(*path: type[Coordinate]) -> np.ndarray:
    """The conversion ``path[0] -> path[1] -> ... -> path[-1]`` of every source coordinate as
    one read-only int64 array, indexed by the source's enum (less its minimum).

    A one-to-one conversion gives shape ``(source.size,)``; a one-to-many one appends an axis
    of its ``many`` targets (``enum_map(SynapseQuadColumnOnDLS, SynapseOnSynapseRow)`` is
    ``(64, 4)``, by ``EntryOnQuad``); an optional one gives -1 where there is no target. Each
    step must be a declared conversion (:func:`conversions`)."""
    if len(path) < 2:
        raise CoordinateTypeError("enum_map needs a source and at least one target type")
    for t in path:
        if not (isinstance(t, type) and issubclass(t, Coordinate) and t._concrete):
            raise CoordinateTypeError(f"enum_map: {t!r} is not a concrete halco coordinate type")
    return _enum_map(tuple(path))


@functools.lru_cache(maxsize=None)
def _enum_map(path: tuple[type[Coordinate], ...]) -> np.ndarray:
    if len(path) > 2:
        first, rest = _enum_map(path[:2]), _enum_map(path[1:])
        out = rest[np.maximum(first - path[1]._enum_min(), 0)]
        valid = (first >= 0).reshape(first.shape + (1,) * (out.ndim - first.ndim))
        out = np.where(valid, out, -1)
        out.flags.writeable = False
        return out
    source, target = path
    conv = _CONVERSIONS.get((source, target))
    if conv is None:
        known = sorted(t.__name__ for s, t in _CONVERSIONS if s is source)
        raise CoordinateTypeError(
            f"enum_map: no conversion {source.__name__} -> {target.__name__} is declared; "
            f"{source.__name__} converts to: {', '.join(known) or 'nothing'}")
    if not _contiguous(source):
        raise CoordinateTypeError(f"enum_map: {source.__name__} has enums that name no "
                                  "coordinate (an interval); convert its coordinates one by one")
    enums = np.arange(source.size, dtype=np.int64) + source._enum_min()
    result = conv.function(enums)
    if conv.many:
        out = np.stack([np.broadcast_to(np.asarray(r, dtype=np.int64), enums.shape)
                        for r in result], axis=1)
    else:
        out = np.broadcast_to(np.asarray(result, dtype=np.int64), enums.shape).copy()
    out.flags.writeable = False
    return out
