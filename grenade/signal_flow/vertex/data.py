"""Host data entering and leaving the graph: external input, loads and stores."""

from __future__ import annotations

import attrs

from ...errors import InvalidVertexError
from ..data import TIMED_DTYPES
from ..port import ConnectionType, Port
from .base import Vertex


def _data_type(value: object) -> ConnectionType:
    t = ConnectionType(value)
    t.as_local()              # raises for a type that is not host data
    return t


def _local_type(value: object) -> ConnectionType:
    t = ConnectionType(value)
    t.as_data()               # raises for a type without a host-memory form
    return t


def _check_size(vertex: Vertex) -> None:
    """``size`` >= 1, and 1 for a timed sequence (one sequence of events per batch entry)."""
    size, local = vertex.size, vertex.type.as_local() if vertex.type.is_data else vertex.type
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidVertexError(f"{type(vertex).__name__}.size is an int >= 1, not {size!r}")
    if local in TIMED_DTYPES and size != 1:
        raise InvalidVertexError(f"{type(vertex).__name__}: a {vertex.type.name} is one timed sequence "
                                 f"per batch entry: size 1, not {size}")


@attrs.frozen(eq=False)
class ExternalInput(Vertex):
    """Host data entering the graph (a ``Data*`` type); ``size`` >= 1, 1 for timed sequences."""

    type: ConnectionType = attrs.field(converter=_data_type)
    size: int = 1

    def __attrs_post_init__(self) -> None:
        _check_size(self)

    def output(self) -> Port:
        return Port(self.size, self.type)


@attrs.frozen(eq=False)
class _HostMemory(Vertex):
    """What loads and stores share: the local ``type`` and the ``size`` they move; both take
    data across execution instances."""

    type: ConnectionType = attrs.field(converter=_local_type)
    size: int = 1
    can_connect_different_execution_instances = True

    def __attrs_post_init__(self) -> None:
        _check_size(self)


@attrs.frozen(eq=False)
class DataInput(_HostMemory):
    """Load: host memory (``Data<type>``) to the local ``type`` of an execution instance."""

    def inputs(self) -> tuple[Port, ...]:
        return (Port(self.size, self.type.as_data()),)

    def output(self) -> Port:
        return Port(self.size, self.type)


@attrs.frozen(eq=False)
class DataOutput(_HostMemory):
    """Store: the local ``type`` to host memory, where results are read."""

    def inputs(self) -> tuple[Port, ...]:
        return (Port(self.size, self.type),)

    def output(self) -> Port:
        return Port(self.size, self.type.as_data())
