"""Input generation and output extraction in the network's terms (grenade's ``InputGenerator``
and ``extract_*``): spike times per external-source neuron in, spikes, MADC samples and CADC
reads keyed by (population, neuron, compartment) out.

Times are FPGA cycles of hardware time (125 per us) after the start of a batch entry; the
``*_biological_ms`` helpers convert at the 1000x speed-up (1 ms biological = 1 us hardware).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..common import FPGA_CYCLES_PER_US, SPEEDUP, ExecutionInstanceID, as_execution_instance
from ..errors import InputDataError
from ..signal_flow.data import SPIKE_TO_CHIP_DTYPE, InputData, OutputData, spike_times, whole_cycles
from .graph_builder import NetworkGraph
from .network import ExternalSourcePopulation

#: FPGA cycles per biological millisecond (1 ms biological = 1 us of hardware time)
CYCLES_PER_BIOLOGICAL_MS = FPGA_CYCLES_PER_US * 1000 / SPEEDUP


class InputGenerator:
    """Collects spike times of external-source neurons for ``batch_size`` batch entries and
    gives the :class:`InputData` of a :class:`NetworkGraph` (one spike per label of a neuron:
    one per PADI bus it reaches)."""

    def __init__(self, network_graph: NetworkGraph, batch_size: int = 1) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InputDataError(f"batch_size must be an int >= 1, not {batch_size!r}")
        self.network_graph = network_graph
        self.batch_size = batch_size
        self._spikes: dict[ExecutionInstanceID, list[list[np.ndarray]]] = {}
        self._runtime: list[dict] = [{} for _ in range(batch_size)]

    def add(self, times: Any, population: int, execution_instance: Any = 0) -> None:
        """Spike times [FPGA cycles] of external population ``population``: one list for every
        neuron and entry, a list per neuron (the same in every entry; each neuron its own
        number of spikes), or a list per batch entry of lists per neuron."""
        eid = as_execution_instance(execution_instance)
        instance = self.network_graph.network.execution_instances.get(eid)
        if instance is None:
            raise InputDataError(f"the network has no {eid} (it has "
                                 f"{sorted(e.value for e in self.network_graph.network.execution_instances)})")
        if isinstance(population, bool) or not isinstance(population, (int, np.integer)) or \
                not 0 <= population < len(instance.populations) or not isinstance(
                instance.populations[population], ExternalSourcePopulation):
            raise InputDataError(f"population {population!r} of {eid} is not an external source population")
        size = len(instance.populations[population])
        per_entry = self._shape(times, size, population)
        labels = self.network_graph.routing.execution_instances[eid].external_spike_labels.get(population, [])
        entries = self._spikes.setdefault(eid, [[] for _ in range(self.batch_size)])
        for b, neurons in enumerate(per_entry):
            for n, neuron_times in enumerate(neurons):
                t = spike_times(neuron_times, f"population {population} neuron {n}")
                for label in (labels[n] if n < len(labels) else []):
                    entries[b].append((t, label))

    def _shape(self, times: Any, size: int, population: int) -> list[list[Any]]:
        """``times`` as [batch][neuron] -> the neuron's times (any length: ragged lists are
        the normal case, each neuron has its own spike count)."""
        form = (f"spike times of population {population} must be one list, one list per neuron "
                f"({size}, each of any length), or one per batch entry ({self.batch_size}) of lists "
                f"per neuron")
        if np.isscalar(times) or (isinstance(times, np.ndarray) and times.ndim == 0) \
                or not hasattr(times, "__iter__"):
            raise InputDataError(f"{form}, not a single {type(times).__name__} {times!r} (write [{times!r}])")
        if isinstance(times, np.ndarray):
            if times.ndim == 1:
                return [[times] * size] * self.batch_size
            times = list(times)                 # rows: neurons (2-d) or entries (3-d)
        elif not isinstance(times, (list, tuple)):
            times = list(times)
        depth = [_depth(t) for t in times]
        if all(d == 0 for d in depth):              # numbers: one list for all (or empty)
            return [[times] * size] * self.batch_size
        if all(d <= 1 for d in depth):              # a list per neuron
            if len(times) != size:
                raise InputDataError(f"{form}: a list per neuron needs {size} lists, not {len(times)}")
            return [list(times)] * self.batch_size
        if all(d == 2 or (d == 1 and len(t) == 0) for d, t in zip(depth, times)):
            if len(times) != self.batch_size:
                raise InputDataError(f"{form}: a list per batch entry needs {self.batch_size} lists, "
                                     f"not {len(times)}")
            for b, entry in enumerate(times):
                if len(entry) != size or any(_depth(t) > 1 for t in entry):
                    raise InputDataError(f"{form}: batch entry {b} needs {size} lists of times (one per "
                                         f"neuron), not {len(entry)}")
            return [list(entry) for entry in times]
        raise InputDataError(f"{form}; these mix numbers and lists at one level")
    def add_biological_ms(self, times_ms: Any, population: int, execution_instance: Any = 0) -> None:
        """As :meth:`add`, with times in biological milliseconds (1000x speed-up)."""
        def convert(t: Any) -> Any:
            if isinstance(t, (list, tuple)) and t and not np.isscalar(t[0]):
                return [convert(x) for x in t]
            return np.rint(np.asarray(t, dtype=float) * CYCLES_PER_BIOLOGICAL_MS).astype(np.int64)
        self.add(convert(times_ms), population, execution_instance)

    def set_runtime(self, cycles: int, execution_instance: Any = 0) -> None:
        """The runtime of an execution instance in every batch entry [FPGA cycles, a whole
        number > 0]."""
        eid = as_execution_instance(execution_instance)
        if eid not in self.network_graph.translations:
            raise InputDataError(f"set_runtime: the network graph has no {eid} (it has "
                                 f"{sorted(e.value for e in self.network_graph.translations)})")
        value = whole_cycles(cycles, f"the runtime of {eid}", minimum=1)
        for entry in self._runtime:
            entry[eid] = value

    def done(self) -> InputData:
        data = {}
        for eid, translation in self.network_graph.translations.items():
            if translation.event_input is None:
                continue
            entries = self._spikes.get(eid, [[] for _ in range(self.batch_size)])
            data[translation.event_input] = [
                _merged(parts) for parts in entries]
        return InputData(data, runtime=[dict(r) for r in self._runtime])


def _depth(value: Any) -> int:
    """0 for a number, 1 for a list of numbers (or an empty one), 2 for a list of lists."""
    if isinstance(value, np.ndarray):
        return min(value.ndim, 2)
    if not isinstance(value, (list, tuple)):
        return 0
    return 1 + max((min(_depth(v), 1) for v in value), default=0)


def _merged(parts: Sequence[tuple[np.ndarray, int]]) -> np.ndarray:
    """The spikes of every (times, label) part in time order (equal times by label), sorted as
    one key ``time << 16 | label``: a stable sort of sorted runs, without an index array."""
    n = sum(len(t) for t, _ in parts)
    keys = np.empty(n, dtype=np.int64)
    position = 0
    for times, label in parts:
        np.left_shift(times, 16, out=keys[position:position + len(times)])
        keys[position:position + len(times)] |= int(label)
        position += len(times)
    keys.sort(kind="stable")
    out = np.empty(n, dtype=SPIKE_TO_CHIP_DTYPE)
    out["label"] = keys.astype(np.uint16, copy=False)     # the low 16 bits (no temporary key array)
    keys >>= 16
    out["time"] = keys
    return out


def extract_neuron_spikes(output: OutputData, network_graph: NetworkGraph,
                          execution_instance: Any = 0) -> list[dict[tuple[int, int, int], np.ndarray]]:
    """Per batch entry: (population, neuron, compartment) -> spike times [FPGA cycles, int64] of
    every recorded neuron that spiked. Spikes with labels of nothing recorded are ignored."""
    eid = as_execution_instance(execution_instance)
    translation = network_graph.translations[eid]
    if translation.event_output is None:
        return [{} for _ in range(output.batch_size)]
    out = []
    for spikes in output.data[translation.event_output]:
        entry: dict[tuple[int, int, int], list] = {}
        for label, times in _by_label(spikes):
            for key in translation.spike_labels.get(label, ()):
                entry.setdefault(key, []).append(times)
        out.append({k: v[0] if len(v) == 1 else np.sort(np.concatenate(v)) for k, v in entry.items()})
    return out


def _by_label(spikes: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(label, its spike times in order) for every label recorded. Few labels: one boolean mask
    each (memory: the times themselves); many: one stable radix sort of the 16-bit labels."""
    counts = np.bincount(spikes["label"], minlength=1 << 16)
    labels = np.flatnonzero(counts)
    # times as int64: differences of times are then safe (the data hold the FPGA's uint32)
    if len(labels) <= 64:
        return [(int(label), spikes["time"][spikes["label"] == label].astype(np.int64)) for label in labels]
    order = np.argsort(spikes["label"], kind="stable")
    times = spikes["time"][order].astype(np.int64)
    bounds = np.concatenate([[0], np.cumsum(counts[labels])])
    return [(int(label), times[a:b]) for label, a, b in zip(labels, bounds[:-1], bounds[1:])]


def extract_madc_samples(output: OutputData, network_graph: NetworkGraph,
                         execution_instance: Any = 0) -> list[dict]:
    """Per batch entry: recorded neuron (AtomicNeuronOnExecutionInstance) -> (times [FPGA
    cycles], 10-bit values)."""
    translation = network_graph.translations[as_execution_instance(execution_instance)]
    if translation.madc_output is None:
        return [{} for _ in range(output.batch_size)]
    out = []
    for samples in output.data[translation.madc_output]:
        out.append({neuron: (samples["time"][samples["channel"] == i].astype(np.int64),
                             samples["value"][samples["channel"] == i])
                    for i, neuron in enumerate(translation.madc_neurons)})
    return out


def extract_cadc_samples(output: OutputData, network_graph: NetworkGraph,
                         execution_instance: Any = 0) -> list[dict]:
    """Per batch entry: recorded neuron -> its 8-bit CADC code (0..255, the calibration
    targets' CADC LSB; the graph's Int8 values + 128): one int for a read after the run, or
    (times [FPGA cycles, int64], codes [int64]) for a periodic readout (``period_us`` > 0)."""
    translation = network_graph.translations[as_execution_instance(execution_instance)]
    out = [{} for _ in range(output.batch_size)]
    for vertex, neurons in zip(translation.cadc_outputs, translation.cadc_neurons):
        for b, values in enumerate(output.data[vertex]):
            if values.dtype.names:                 # periodic: one record per read
                times = values["time"].astype(np.int64)
                codes = values["value"].astype(np.int64) + 128
                out[b].update({neuron: (times, codes[:, i]) for i, neuron in enumerate(neurons)})
            else:
                out[b].update({neuron: int(code) + 128 for neuron, code in zip(neurons, values)})
    return out


def to_biological_ms(cycles: Any) -> np.ndarray:
    """FPGA cycles of hardware time as biological milliseconds (1000x speed-up)."""
    return np.asarray(cycles, dtype=float) / CYCLES_PER_BIOLOGICAL_MS
