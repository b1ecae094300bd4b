"""Identifiers and helpers shared by the signal-flow graph, the network and the executor."""

from __future__ import annotations

import operator
from typing import Any, Hashable, Iterable

import attrs
import numpy as np

from .errors import ArgumentTypeError, ExecutionInstanceError

#: FPGA clock cycles per microsecond of hardware time (125 MHz)
FPGA_CYCLES_PER_US = 125
#: PPU clock cycles per microsecond (250 MHz)
PPU_CYCLES_PER_US = 250
#: hardware runs this many times faster than biology
SPEEDUP = 1000


def _index(value: Any) -> int:
    if isinstance(value, bool):
        raise ArgumentTypeError(f"an execution instance is an int >= 0, not bool {value!r}")
    try:
        value = operator.index(value)
    except TypeError:
        raise ArgumentTypeError(f"an execution instance is an int >= 0, not "
                                f"{type(value).__name__} {value!r}") from None
    if value < 0:
        raise ExecutionInstanceError(f"an execution instance is an int >= 0, not {value}")
    return value


@attrs.frozen(order=True)
class ExecutionInstanceID:
    """One execution instance: a part of an experiment that runs on one chip in one go. Data
    flows between instances only through host memory, forward in time."""

    value: int = attrs.field(default=0, converter=_index)

    def __repr__(self) -> str:
        return f"ExecutionInstanceID({self.value})"


def as_execution_instance(value: Any) -> ExecutionInstanceID:
    """An ExecutionInstanceID from itself or an int."""
    return value if isinstance(value, ExecutionInstanceID) else ExecutionInstanceID(value)


def biological_ms_to_cycles(times_ms: Any) -> Any:
    """Biological milliseconds to FPGA cycles of hardware time at the 1000x speed-up
    (1 ms biological = 1 us hardware = 125 cycles), rounded to whole cycles."""
    return np.rint(np.asarray(times_ms, dtype=float) * FPGA_CYCLES_PER_US).astype(np.int64)


def toposort(nodes: Iterable[Hashable], edges: Iterable[tuple[Hashable, Hashable]]) -> list | None:
    """Kahn's algorithm over ``nodes`` (and every node an edge names), ties by value (the
    order in which execution instances run and are reported); None if there is a cycle."""
    edges = set(edges)
    indegree = {n: 0 for n in nodes}
    successors: dict[Any, list] = {}
    for a, b in edges:
        indegree.setdefault(a, 0)
        indegree[b] = indegree.get(b, 0) + 1
        successors.setdefault(a, []).append(b)
    ready = sorted(n for n, d in indegree.items() if d == 0)
    out = []
    while ready:
        n = ready.pop(0)
        out.append(n)
        for b in sorted(successors.get(n, [])):
            indegree[b] -= 1
            if indegree[b] == 0:
                ready.append(b)
                ready.sort()
    return out if len(out) == len(indegree) else None
