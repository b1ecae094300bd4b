"""Identifiers shared by the signal-flow graph, the network and the executor."""

from __future__ import annotations

import operator
from typing import Any

import attrs
import numpy as np

from .errors import GrenadeError

#: FPGA clock cycles per microsecond of hardware time (125 MHz)
FPGA_CYCLES_PER_US = 125
#: PPU clock cycles per microsecond (250 MHz)
PPU_CYCLES_PER_US = 250
#: hardware runs this many times faster than biology
SPEEDUP = 1000


def _index(value: Any) -> int:
    if isinstance(value, bool):
        raise GrenadeError(f"an index must be an int, not bool {value!r}")
    try:
        value = operator.index(value)
    except TypeError:
        raise GrenadeError(f"an index must be an int, not {type(value).__name__} {value!r}") from None
    if value < 0:
        raise GrenadeError(f"an index must be >= 0, not {value}")
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
