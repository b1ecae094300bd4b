"""The base of every vertex: one output port, checked input ports, registration by name.

A vertex type declares ``inputs()`` and ``output()`` (ports), whether its last input port may
repeat (``variadic_input``), whether it may take data from another execution instance
(``can_connect_different_execution_instances``) and, in :meth:`Vertex.input_problem`, what it
refuses from a given source (grenade's ``supports_input_from``). On-chip vertices
(:class:`EntityOnChip`) name the chip of the executor they live on and take input only from the
same chip.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np

from ...errors import InvalidVertexError
from ..port import Port, PortRestriction

#: every vertex type by class name (for serialization)
VERTEX_TYPES: dict[str, type["Vertex"]] = {}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.all(a == b))
    return a == b


class Vertex:
    """Base of the vertex types (attrs classes); compares by type and every field."""

    variadic_input: ClassVar[bool] = False
    can_connect_different_execution_instances: ClassVar[bool] = False
    #: non-empty (the reason) for a type of which an execution instance holds one at most
    one_per_execution_instance: ClassVar[str] = ""
    #: non-empty (where its results go instead) for a type whose output takes no edge
    no_output: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            VERTEX_TYPES[cls.__name__] = cls

    def inputs(self) -> tuple[Port, ...]:
        """The input ports (the last one repeats for a variadic vertex)."""
        return ()

    def output(self) -> Port:
        raise NotImplementedError(f"{type(self).__name__} declares no output port")

    def input_problem(self, index: int, source: "Vertex", restriction: PortRestriction | None) -> str | None:
        """Why input ``index`` cannot come from ``source`` (restricted to ``restriction``), or
        None if it can (grenade's ``supports_input_from``)."""
        return None

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(_same(getattr(self, a.name), getattr(other, a.name)) for a in attrs.fields(type(self)))

    def __hash__(self) -> int:
        return hash(type(self).__name__)


def _chip(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise InvalidVertexError(f"chip_on_executor is the index (int >= 0) of a chip of the "
                                 f"executor, not {value!r}")
    return int(value)


def chip_field() -> Any:
    """The chip (connection on the executor, 0..) an on-chip vertex lives on."""
    return attrs.field(default=0, kw_only=True, converter=_chip)


def int_field(name: str, lo: int, hi: int | None = None, **kwargs: Any) -> Any:
    """An int field checked on construction to lie in ``lo..hi`` (no upper bound: None)."""
    allowed = f"{lo}..{hi}" if hi is not None else f">= {lo}"

    def convert(value: Any) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or \
                value < lo or (hi is not None and value > hi):
            raise InvalidVertexError(f"{name} is an int {allowed}, not {value!r}")
        return int(value)
    return attrs.field(converter=convert, **kwargs)


class EntityOnChip(Vertex):
    """A vertex on a chip: ``chip_on_executor`` names it; input from another chip is refused."""

    chip_on_executor: int

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        if isinstance(source, EntityOnChip) and source.chip_on_executor != self.chip_on_executor:
            return (f"{type(source).__name__} lies on chip {source.chip_on_executor}, "
                    f"{type(self).__name__} on chip {self.chip_on_executor}")
        return None


def restricted(values: np.ndarray, restriction: PortRestriction | None) -> np.ndarray:
    """The slice of a source's channels an edge carries."""
    values = np.asarray(values)
    return values if restriction is None else values[restriction.min:restriction.max + 1]
