"""Host-side computation in the graph: a :class:`Transformation` applies a :class:`Function` to
its inputs' values, per batch entry (numpy arrays ``[batch, size]``)."""

from __future__ import annotations

import abc
from typing import Any

import attrs
import numpy as np

from ...errors import InvalidVertexError
from ..port import ConnectionType, Port
from .base import Vertex

INT8 = (-128, 127)


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
        return np.clip(self.combine([np.asarray(v, dtype=np.int64) for v in values]), *INT8).astype(np.int8)

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
        return np.maximum(np.asarray(values[0], dtype=np.int8), 0).astype(np.int8)


@attrs.frozen
class ConvertingReLU(Function):
    """Int8 to a 5-bit activation: ``min(31, max(0, x) >> shift)``."""

    size: int = attrs.field(converter=_positive)
    shift: int = 0

    def inputs(self) -> tuple[Port, ...]:
        return (Port(self.size, ConnectionType.DataInt8),)

    def output(self) -> Port:
        return Port(self.size, ConnectionType.DataUInt5)

    def apply(self, values: list[np.ndarray]) -> np.ndarray:
        x = np.maximum(np.asarray(values[0], dtype=np.int64), 0) >> self.shift
        return np.minimum(x, 31).astype(np.uint8)


@attrs.frozen
class ArgMax(Function):
    """Index of the largest of ``size`` values (the first on a tie)."""

    size: int = attrs.field(converter=_positive)
    type: ConnectionType = attrs.field(default=ConnectionType.DataInt8, converter=ConnectionType)

    def inputs(self) -> tuple[Port, ...]:
        return (Port(self.size, self.type),)

    def output(self) -> Port:
        return Port(1, ConnectionType.DataUInt32)

    def apply(self, values: list[np.ndarray]) -> np.ndarray:
        return np.argmax(np.asarray(values[0]), axis=-1).astype(np.uint32)[..., None]


@attrs.frozen
class Concatenation(Function):
    """Inputs of ``sizes`` of one ``type`` side by side."""

    type: ConnectionType = attrs.field(converter=ConnectionType)
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
