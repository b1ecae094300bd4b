"""Host data entering and leaving the graph: external input, loads and stores."""

from __future__ import annotations

import attrs

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


@attrs.frozen(eq=False)
class ExternalInput(Vertex):
    """Host data entering the graph (a ``Data*`` type); ``size`` 1 for timed sequences."""

    type: ConnectionType = attrs.field(converter=_data_type)
    size: int = 1

    def output(self) -> Port:
        return Port(self.size, self.type)


@attrs.frozen(eq=False)
class DataInput(Vertex):
    """Load: host memory (``Data<type>``) to the local ``type`` of an execution instance."""

    type: ConnectionType = attrs.field(converter=_local_type)
    size: int = 1
    can_connect_different_execution_instances = True

    def inputs(self) -> tuple[Port, ...]:
        return (Port(self.size, self.type.as_data()),)

    def output(self) -> Port:
        return Port(self.size, self.type)


@attrs.frozen(eq=False)
class DataOutput(Vertex):
    """Store: the local ``type`` to host memory, where results are read."""

    type: ConnectionType = attrs.field(converter=_local_type)
    size: int = 1
    can_connect_different_execution_instances = True

    def inputs(self) -> tuple[Port, ...]:
        return (Port(self.size, self.type),)

    def output(self) -> Port:
        return Port(self.size, self.type.as_data())
