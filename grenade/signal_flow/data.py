"""Data of a run: what goes in (:class:`InputData`) and what comes out (:class:`OutputData`),
each keyed by vertex descriptor and given per batch entry.

Values by connection type:

- ``TimedSpikeToChipSequence``: a :data:`SPIKE_TO_CHIP_DTYPE` array per batch entry (time in
  FPGA cycles after the entry's start, 16-bit spike label);
- ``TimedSpikeFromChipSequence``: a :data:`SPIKE_FROM_CHIP_DTYPE` array per batch entry;
- ``TimedMADCSampleFromChipSequence``: a :data:`MADC_SAMPLE_DTYPE` array per batch entry;
- ``Int8``, ``UInt5``, ``UInt32``: an array ``[batch, size]``.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from ..common import ExecutionInstanceID, as_execution_instance
from ..errors import InputDataError

#: times are FPGA cycles after the start of a batch entry: the FPGA's timer has 32 bits (34 s)
SPIKE_TO_CHIP_DTYPE = np.dtype([("time", np.uint32), ("label", np.uint16)])
SPIKE_FROM_CHIP_DTYPE = np.dtype([("time", np.uint32), ("label", np.uint16)])
MADC_SAMPLE_DTYPE = np.dtype([("time", np.uint32), ("value", np.uint16), ("channel", np.uint8)])
#: the longest time of a batch entry [FPGA cycles]
TIME_MAX = 2 ** 32 - 1


def spike_sequence(times: Any, labels: Any) -> np.ndarray:
    """A :data:`SPIKE_TO_CHIP_DTYPE` array from spike times (FPGA cycles, whole numbers >= 0)
    and labels (one per time, or one for all)."""
    times = np.asarray(times)
    if times.size and times.dtype.kind == "f":
        if not np.all(np.isfinite(times)) or not np.all(times == np.round(times)):
            raise InputDataError("spike times are whole FPGA cycles (125 per us); round them first "
                                 "(grenade.common.biological_ms_to_cycles converts biological ms)")
    elif times.size and times.dtype.kind not in "iu":
        raise InputDataError(f"spike times must be numbers, not {times.dtype}")
    times = times.astype(np.int64).reshape(-1)
    if times.size and (times.min() < 0 or times.max() > TIME_MAX):
        raise InputDataError(f"spike times lie in 0..{TIME_MAX} FPGA cycles (the FPGA's 32-bit "
                             f"timer), not {int(times.min())}..{int(times.max())}")
    labels = np.broadcast_to(np.asarray(labels, dtype=np.int64), times.shape)
    if labels.size and (labels.min() < 0 or labels.max() > 0xFFFF):
        raise InputDataError("spike labels are 16-bit values 0..65535")
    out = np.zeros(len(times), dtype=SPIKE_TO_CHIP_DTYPE)
    out["time"], out["label"] = times, labels
    return out[np.argsort(times, kind="stable")]


@attrs.define
class InputData:
    """The values of the graph's ``ExternalInput`` vertices (``data``: descriptor -> a list over
    batch entries, or an array ``[batch, size]``), the ``runtime`` of each execution instance
    per batch entry (FPGA cycles; a list of dicts, or one dict for every entry) and the minimum
    wait between batch entries per instance (FPGA cycles)."""

    data: dict[int, Any] = attrs.field(factory=dict)
    runtime: Any = attrs.field(factory=dict)
    inter_batch_entry_wait: dict[ExecutionInstanceID, int] = attrs.field(factory=dict)

    def batch_size(self) -> int:
        """The number of batch entries (from the data, or the runtime if there is no data)."""
        sizes = {len(v) for v in self.data.values()}
        if isinstance(self.runtime, list):
            sizes.add(len(self.runtime))
        if len(sizes) > 1:
            raise InputDataError(f"the input data disagree on the batch size: {sorted(sizes)}")
        return sizes.pop() if sizes else 1

    def runtime_of(self, instance: ExecutionInstanceID, entry: int) -> int:
        """The runtime of ``instance`` in batch entry ``entry`` [FPGA cycles] (0 if none given)."""
        runtime = self.runtime[entry] if isinstance(self.runtime, list) else self.runtime
        value = {as_execution_instance(k): v for k, v in runtime.items()}.get(instance, 0)
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise InputDataError(f"the runtime of {instance} is a whole number of FPGA cycles >= 0, "
                                 f"not {value!r}")
        return int(value)


@attrs.frozen
class ExecutionTime:
    """Where the time of one execution instance went [s], and its hardware time [FPGA cycles]."""

    build_s: float = 0.0
    run_s: float = 0.0
    decode_s: float = 0.0
    hardware_cycles: int = 0


@attrs.frozen
class ExecutionHealth:
    """What went wrong without stopping the run: events dropped by the routing (bus and link
    limits), PPU traps, plasticity periods missed."""

    dropped_events: int = 0
    ppu_traps: tuple = ()


@attrs.define
class OutputData:
    """What a run gives: every host-side value by vertex descriptor (``DataOutput`` vertices
    first of all; lists over batch entries or ``[batch, size]`` arrays), the observables of
    plasticity rules (descriptor -> name -> list over batch entries), and timing and health per
    execution instance."""

    data: dict[int, Any] = attrs.field(factory=dict)
    observables: dict[int, dict[str, list]] = attrs.field(factory=dict)
    timing: dict[ExecutionInstanceID, ExecutionTime] = attrs.field(factory=dict)
    health: dict[ExecutionInstanceID, ExecutionHealth] = attrs.field(factory=dict)
    batch_size: int = 1
