"""The signal-flow graph: typed vertices with one output port and checked inputs, in execution
instances that form a DAG (grenade's ``signal_flow``)."""

from . import vertex
from .graph import Graph, Input
from .port import ConnectionType, Port, PortRestriction
from .vertex import *  # noqa: F401,F403  - every vertex type is part of the surface
