"""Host-side computation in the graph: a :class:`Transformation` applies a :class:`Function` to
its inputs' values, per batch entry (numpy arrays ``[batch, size]``)."""

from __future__ import annotations

import abc
from typing import Any

import attrs
import numpy as np

from ...errors import InputDataError, InvalidVertexError
from ..port import ConnectionType, Port
from .base import Vertex

INT8 = (-128, 127)
#: the host types whose values are arrays [batch, size] (what the array functions take)
ARRAY_DATA_TYPES = (ConnectionType.DataInt8, ConnectionType.DataUInt5, ConnectionType.DataUInt32)


def int8_values(value: Any, what: str) -> np.ndarray:
    """Int8 values as int64 (so that sums and shifts cannot wrap), checked to lie in
    -128..127: a value outside never wraps silently."""
    x = np.asarray(value)
    if x.dtype.names is not None or x.dtype == object:
        raise InputDataError(f"{what} takes Int8 values [batch, size]; timed data (a periodic CADC "
                                 f"readout's reads) go through no array function")
    x = x.astype(np.int64)
    if x.size and (x.min() < INT8[0] or x.max() > INT8[1]):
        raise InputDataError(f"{what}: Int8 values lie in -128..127, not {int(x.min())}..{int(x.max())}")
    return x


def _array_type(value: Any) -> ConnectionType:
    t = ConnectionType(value)
    if t not in ARRAY_DATA_TYPES:
        raise InvalidVertexError(f"this function works on values [batch, size] of "
                                 f"{[a.name for a in ARRAY_DATA_TYPES]}, not {t.name}")
    return t


#: every Function type by qualified name (for serialization); subclasses register themselves
FUNCTIONS: dict[str, type] = {}


class Function(abc.ABC):
    """What a transformation computes: its ports and ``apply(values) -> value``, where each
    value is an array ``[batch, size]`` (timed sequences: a list over batch entries)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        FUNCTIONS[cls.__qualname__] = cls

    @abc.abstractmethod
    def inputs(self) -> tuple[Port, ...]: ...

    @abc.abstractmethod
    def output(self) -> Port: ...

    @abc.abstractmethod
    def apply(self, values: list[np.ndarray]) -> np.ndarray: ...


def _positive(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidVertexError(f"a size or count is an int >= 1, not {value!r}")
    return int(value)


def _shift(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= 7:
        raise InvalidVertexError(f"ConvertingReLU.shift is an int 0..7 (bits of an Int8), not {value!r}")
    return int(value)


@attrs.frozen
class _Int8Combination(Function):
    """``n`` Int8 inputs of ``size`` combined into one, saturated to -128..127."""

    n: int = attrs.field(converter=_positive)
    size: int = attrs.field(converter=_positive)

    def inputs(self) -> tuple[Port, ...]:
        return tuple(Port(self.size, ConnectionType.DataInt8) for _ in range(self.n))

    def output(self) -> Port:
        return Port(self.size, ConnectionType.DataInt8)

    def apply(self, values: list[np.ndarray]) -> np.ndarray:
        what = type(self).__name__
        return np.clip(self.combine([int8_values(v, what) for v in values]), *INT8).astype(np.int8)

    def combine(self, values: list[np.ndarray]) -> np.ndarray:
        raise NotImplementedError


@attrs.frozen
class Addition(_Int8Combination):
    """Sum of ``n`` Int8 inputs of ``size``, saturated to -128..127."""

    def combine(self, values: list[np.ndarray]) -> np.ndarray:
        return np.sum(values, axis=0)


@attrs.frozen
class Subtraction(_Int8Combination):
    """The first Int8 input less the others, saturated."""

    def combine(self, values: list[np.ndarray]) -> np.ndarray:
        return values[0] - sum(values[1:])


@attrs.frozen
class ReLU(Function):
    """``max(0, x)`` of Int8 values."""

    size: int = attrs.field(converter=_positive)

    def inputs(self) -> tuple[Port, ...]:
        return (Port(self.size, ConnectionType.DataInt8),)

    def output(self) -> Port:
        return Port(self.size, ConnectionType.DataInt8)

    def apply(self, values: list[np.ndarray]) -> np.ndarray:
        return np.maximum(int8_values(values[0], "ReLU"), 0).astype(np.int8)


@attrs.frozen
class ConvertingReLU(Function):
    """Int8 to a 5-bit activation: ``min(31, max(0, x) >> shift)``."""

    size: int = attrs.field(converter=_positive)
    shift: int = attrs.field(default=0, converter=_shift)

    def inputs(self) -> tuple[Port, ...]:
        return (Port(self.size, ConnectionType.DataInt8),)

    def output(self) -> Port:
        return Port(self.size, ConnectionType.DataUInt5)

    def apply(self, values: list[np.ndarray]) -> np.ndarray:
        x = np.maximum(int8_values(values[0], "ConvertingReLU"), 0) >> self.shift
        return np.minimum(x, 31).astype(np.uint8)


@attrs.frozen
class ArgMax(Function):
    """Index of the largest of ``size`` values (the first on a tie)."""

    size: int = attrs.field(converter=_positive)
    type: ConnectionType = attrs.field(default=ConnectionType.DataInt8, converter=_array_type)

    def inputs(self) -> tuple[Port, ...]:
        return (Port(self.size, self.type),)

    def output(self) -> Port:
        return Port(1, ConnectionType.DataUInt32)

    def apply(self, values: list[np.ndarray]) -> np.ndarray:
        return np.argmax(np.asarray(values[0]), axis=-1).astype(np.uint32)[..., None]


@attrs.frozen
class Concatenation(Function):
    """Inputs of ``sizes`` of one ``type`` (values [batch, size]) side by side."""

    type: ConnectionType = attrs.field(converter=_array_type)
    sizes: tuple[int, ...] = attrs.field(converter=lambda s: tuple(_positive(x) for x in s))

    def inputs(self) -> tuple[Port, ...]:
        return tuple(Port(n, self.type) for n in self.sizes)

    def output(self) -> Port:
        return Port(sum(self.sizes), self.type)

    def apply(self, values: list[np.ndarray]) -> np.ndarray:
        return np.concatenate([np.asarray(v) for v in values], axis=-1)


@attrs.frozen(eq=False)
class Transformation(Vertex):
    """Host computation of ``function`` on its inputs (host data; may take data from earlier
    execution instances)."""

    function: Function
    can_connect_different_execution_instances = True

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.function, Function):
            raise InvalidVertexError(f"a Transformation takes a grenade Function (Addition, ArgMax, "
                                     f"ReLU, ...), not {type(self.function).__name__}")

    def inputs(self) -> tuple[Port, ...]:
        return self.function.inputs()

    def output(self) -> Port:
        return self.function.output()
