"""Data of a run: what goes in (:class:`InputData`) and what comes out (:class:`OutputData`),
each keyed by vertex descriptor and given per batch entry.

Values by connection type:

- ``TimedSpikeToChipSequence``: a :data:`SPIKE_TO_CHIP_DTYPE` array per batch entry (time in
  FPGA cycles after the entry's start, 16-bit spike label);
- ``TimedSpikeFromChipSequence``: a :data:`SPIKE_FROM_CHIP_DTYPE` array per batch entry;
- ``TimedMADCSampleFromChipSequence``: a :data:`MADC_SAMPLE_DTYPE` array per batch entry;
- ``Int8``, ``UInt5``, ``UInt32``: an array ``[batch, size]`` (int8, uint8, uint32); a CADC
  readout gives signed values, the 8-bit CADC code less 128, as the real software's Int8
  CADC data. A *periodic* CADC readout gives, per batch entry, a :func:`cadc_sample_dtype`
  array instead: one record per read, its time and the values of every channel.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from ..common import ExecutionInstanceID, as_execution_instance
from ..errors import InputDataError
from .port import ConnectionType

#: times are FPGA cycles after the start of a batch entry: the FPGA's timer has 32 bits (34 s)
SPIKE_TO_CHIP_DTYPE = np.dtype([("time", np.uint32), ("label", np.uint16)])
SPIKE_FROM_CHIP_DTYPE = np.dtype([("time", np.uint32), ("label", np.uint16)])
MADC_SAMPLE_DTYPE = np.dtype([("time", np.uint32), ("value", np.uint16), ("channel", np.uint8)])
#: the longest time of a batch entry [FPGA cycles]
TIME_MAX = 2 ** 32 - 1

#: numpy type and inclusive range of the array-valued (``[batch, size]``) connection types
ARRAY_TYPES: dict[ConnectionType, tuple[type, int, int]] = {
    ConnectionType.Int8: (np.int8, -128, 127),
    ConnectionType.UInt5: (np.uint8, 0, 31),
    ConnectionType.UInt32: (np.uint32, 0, 2 ** 32 - 1),
}
#: the record of each timed host type (one array of them per batch entry)
TIMED_DTYPES: dict[ConnectionType, np.dtype] = {
    ConnectionType.TimedSpikeToChipSequence: SPIKE_TO_CHIP_DTYPE,
    ConnectionType.TimedSpikeFromChipSequence: SPIKE_FROM_CHIP_DTYPE,
    ConnectionType.TimedMADCSampleFromChipSequence: MADC_SAMPLE_DTYPE,
}


def cadc_sample_dtype(size: int) -> np.dtype:
    """One periodic CADC read of ``size`` channels: its time [FPGA cycles after the entry's
    start] and the channels' Int8 values (CADC code - 128)."""
    return np.dtype([("time", np.uint32), ("value", np.int8, (size,))])


def whole_cycles(value: Any, what: str, minimum: int = 0) -> int:
    """An int number of FPGA cycles >= ``minimum`` from an int or a whole float, or an
    :class:`InputDataError` naming ``what``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise InputDataError(f"{what} is a whole number of FPGA cycles >= {minimum} (125 per us), "
                             f"not {type(value).__name__} {value!r}")
    if isinstance(value, (float, np.floating)) and not (np.isfinite(value) and value == round(value)):
        raise InputDataError(f"{what} is a whole number of FPGA cycles >= {minimum} (125 per us), "
                             f"not {value!r}; round it first")
    if not minimum <= int(value) <= TIME_MAX:
        raise InputDataError(f"{what} lies in {minimum}..{TIME_MAX} FPGA cycles (the FPGA's 32-bit "
                             f"timer), not {int(value)}")
    return int(value)


def spike_times(times: Any, what: str = "spike times") -> np.ndarray:
    """Spike times as a flat int64 array of whole FPGA cycles in 0..TIME_MAX, or an
    :class:`InputDataError` naming ``what``."""
    t = np.asarray(times)
    if t.size and t.dtype.kind == "f":
        if not np.all(np.isfinite(t)) or not np.all(t == np.round(t)):
            raise InputDataError(f"{what}: spike times are whole FPGA cycles (125 per us); round them "
                                 "first (grenade.common.biological_ms_to_cycles converts biological ms)")
    elif t.size and t.dtype.kind not in "iu":
        raise InputDataError(f"{what}: spike times must be numbers, not {t.dtype}")
    t = t.astype(np.int64, copy=False).reshape(-1)
    if t.size and (t.min() < 0 or t.max() > TIME_MAX):
        raise InputDataError(f"{what}: spike times lie in 0..{TIME_MAX} FPGA cycles (the FPGA's 32-bit "
                             f"timer), not {int(t.min())}..{int(t.max())}")
    return t


def spike_sequence(times: Any, labels: Any) -> np.ndarray:
    """A :data:`SPIKE_TO_CHIP_DTYPE` array from spike times (FPGA cycles, whole numbers >= 0)
    and labels (one per time, or one for all)."""
    times = spike_times(times)
    labels = np.broadcast_to(np.asarray(labels, dtype=np.int64), times.shape)
    if labels.size and (labels.min() < 0 or labels.max() > 0xFFFF):
        raise InputDataError("spike labels are 16-bit values 0..65535")
    out = np.zeros(len(times), dtype=SPIKE_TO_CHIP_DTYPE)
    out["time"], out["label"] = times, labels
    return out[np.argsort(times, kind="stable")]


def port_values(value: Any, type: ConnectionType, size: int, batch_size: int, what: str) -> Any:
    """``value`` checked against a host port of ``type`` and ``size``: array types as an
    array ``[batch, size]`` of their numpy type (integers, or whole floats, inside the type's
    range: nothing wraps), timed types as a list over batch entries of arrays of their record
    type. Raises :class:`InputDataError` naming ``what``."""
    local = type.as_local() if type.is_data else type
    if local in TIMED_DTYPES:
        dtype = TIMED_DTYPES[local]
        if isinstance(value, np.ndarray) and value.dtype == dtype:
            raise InputDataError(f"{what}: timed data are a list over batch entries of arrays, "
                                 f"not one array (wrap it in a list for one batch entry)")
        entries = list(value) if isinstance(value, (list, tuple)) else None
        if entries is None or len(entries) != batch_size:
            raise InputDataError(f"{what}: timed data are a list of {batch_size} arrays (one per batch "
                                 f"entry), not {_type_name(value)}")
        name = {SPIKE_TO_CHIP_DTYPE: "SPIKE_TO_CHIP_DTYPE", MADC_SAMPLE_DTYPE: "MADC_SAMPLE_DTYPE"}.get(
            dtype, "SPIKE_FROM_CHIP_DTYPE")
        for entry, part in enumerate(entries):
            if not isinstance(part, np.ndarray) or part.dtype != dtype:
                hint = " (spike_sequence(times, labels) makes one)" if dtype == SPIKE_TO_CHIP_DTYPE else ""
                raise InputDataError(f"{what}, batch entry {entry}: must be a "
                                     f"grenade.signal_flow.data.{name} array{hint}, not {_type_name(part)}")
        return entries
    numpy_type, lo, hi = ARRAY_TYPES[local]
    arr = np.asarray(value)
    if arr.ndim != 2 or arr.shape != (batch_size, size):
        raise InputDataError(f"{what}: {local.name} values are an array (batch {batch_size}, size "
                             f"{size}), not shape {arr.shape}")
    if arr.size and arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise InputDataError(f"{what}: {local.name} values are whole numbers in {lo}..{hi}")
    elif arr.size and arr.dtype.kind not in "iu":
        raise InputDataError(f"{what}: {local.name} values are integers in {lo}..{hi}, not {arr.dtype}")
    wide = arr.astype(np.int64)
    if wide.size and (wide.min() < lo or wide.max() > hi):
        raise InputDataError(f"{what}: {local.name} values lie in {lo}..{hi}, not "
                             f"{int(wide.min())}..{int(wide.max())}")
    return wide.astype(numpy_type)


def _type_name(value: Any) -> str:
    """What a value is, for messages (an array with its dtype and shape)."""
    if isinstance(value, np.ndarray):
        return f"an array of {value.dtype} with shape {value.shape}"
    return f"{type(value).__name__}"


@attrs.define
class InputData:
    """The values of the graph's ``ExternalInput`` vertices (``data``: descriptor -> a list over
    batch entries, or an array ``[batch, size]``), the ``runtime`` of each execution instance
    per batch entry (FPGA cycles; a list of dicts, or one dict for every entry; every instance
    with vertices on a chip needs one > 0) and the minimum wait between batch entries per
    instance (FPGA cycles)."""

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

    def runtimes(self, entry: int) -> dict[ExecutionInstanceID, Any]:
        """The runtimes given for batch entry ``entry``, by execution instance (as given)."""
        runtime = self.runtime[entry] if isinstance(self.runtime, list) else self.runtime
        if not isinstance(runtime, dict):
            raise InputDataError(f"InputData.runtime is a dict execution instance -> FPGA cycles, or a "
                                 f"list of them (one per batch entry), not {type(runtime).__name__}")
        return {as_execution_instance(k): v for k, v in runtime.items()}

    def runtime_of(self, instance: ExecutionInstanceID, entry: int) -> int:
        """The runtime of ``instance`` in batch entry ``entry`` [FPGA cycles] (0 if none given:
        an instance without on-chip vertices needs none)."""
        value = self.runtimes(entry).get(instance, 0)
        return whole_cycles(value, f"the runtime of {instance} (batch entry {entry})")

    def inter_batch_entry_wait_of(self, instance: ExecutionInstanceID) -> int:
        """The minimum wait after each batch entry of ``instance`` [FPGA cycles] (default 0)."""
        waits = {as_execution_instance(k): v for k, v in self.inter_batch_entry_wait.items()}
        return whole_cycles(waits.get(instance, 0), f"the wait between batch entries of {instance}")


@attrs.frozen
class ExecutionTime:
    """Where the time of one execution instance went [s], and its hardware time [FPGA cycles]."""

    build_s: float = 0.0
    run_s: float = 0.0
    decode_s: float = 0.0
    hardware_cycles: int = 0


@attrs.frozen
class ExecutionHealth:
    """What went wrong without stopping the run: events dropped (on the chip by bus and link
    limits, and spikes relayed from earlier instances that would reach the chip at or after
    the runtime), PPU traps, and periods of plasticity rules whose kernel call did not run to
    its end (skipped because the PPU was still busy when the period ended, cut off by the end
    of the runtime, or stopped by a trap)."""

    dropped_events: int = 0
    ppu_traps: tuple = ()
    missed_plasticity_periods: int = 0


@attrs.define
class OutputData:
    """What a run gives: every host-side value by vertex descriptor (``DataOutput`` vertices
    first of all; lists over batch entries or ``[batch, size]`` arrays), the observables of
    plasticity rules (descriptor -> name -> list over batch entries of hemisphere -> value),
    and timing and health per execution instance."""

    data: dict[int, Any] = attrs.field(factory=dict)
    observables: dict[int, dict[str, list]] = attrs.field(factory=dict)
    timing: dict[ExecutionInstanceID, ExecutionTime] = attrs.field(factory=dict)
    health: dict[ExecutionInstanceID, ExecutionHealth] = attrs.field(factory=dict)
    batch_size: int = 1
