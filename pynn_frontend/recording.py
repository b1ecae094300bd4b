"""Recording: what each population records (spikes of any cell; one analog variable per neuron
through a device) and the data of each realtime snippet, turned into Neo objects.

Devices: ``"madc"`` (the membrane ADC: at most two neurons chip-wide, in columns of different
parity, 10-bit samples at about 29.4 MHz), ``"cadc"`` (the columnar ADCs: any number of neurons,
only ``v``, 8-bit; read every ``mapping.CADC_PERIOD_US`` where grenade reads periodically, else
once at the end of each snippet), ``"pad_0"``/``"pad_1"`` with an optional ``_buffered``
or ``_unbuffered`` suffix (a neuron's readout on an analog pad of the chip, for an oscilloscope:
no data comes back).

Within a segment every snippet adds its own objects: one ``SpikeTrain`` per cell recording
spikes in it (empty ones included) and one ``IrregularlySampledSignal`` per cell and analog
variable, annotated as the real backend annotates them.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from datetime import datetime
from typing import Any

import attrs
import neo
import numpy as np
import quantities as pq
from pyNN import recording
from pyNN.recording import Variable

from . import simulator
from .errors import AnalogRecordingError, UnknownRecordableError
from .standardmodels.cells import ANALOG_RECORDABLES, NeuronCellType

SPIKES = Variable(name="spikes", location=None, label=None)
_PAD = re.compile(r"^pad_([0-9]+)(?:_(buffered|unbuffered))?$")
DEVICES = ("madc", "cadc", "pad_0", "pad_1", "pad_0_buffered", "pad_1_buffered", "pad_0_unbuffered",
           "pad_1_unbuffered")
#: neurons the MADC records at most (its two readout multiplexers)
MADC_CHANNELS = 2
#: the MADC's nominal transfer [V per code] (10 bit over 1.2 V; uncalibrated: each chip's MADC
#: has an offset of a few codes and a gain off by about 2 %)
MADC_VOLTS_PER_CODE = 1.2 / 1023
#: the CADC calibration's reference voltage per CapMem LSB [V] (``stp_v_charge_0``)
REFERENCE_VOLTS_PER_CAPMEM_LSB = 2e-3


def madc_to_cadc_lsb(codes: Any, cadc_target: Any) -> np.ndarray:
    """MADC codes -> the codes the calibrated CADC (``cadc_target``, a
    ``calix.CADCCalibTarget``) reads for the same voltage, through the MADC's nominal transfer
    and the CADC's calibrated one (``dynamic_range`` read as ``read_range``)."""
    volts = np.asarray(codes, dtype=float) * MADC_VOLTS_PER_CODE
    (v_low, v_high), (c_low, c_high) = (np.asarray(cadc_target.dynamic_range, dtype=float)
                                        * REFERENCE_VOLTS_PER_CAPMEM_LSB, cadc_target.read_range)
    return c_low + (volts - v_low) * (c_high - c_low) / (v_high - v_low)


def parse_device(device: Any) -> tuple[str, int | None]:
    """(``"madc"`` / ``"cadc"`` / ``"pad"``, pad number or None), or AnalogRecordingError."""
    if device in ("madc", "cadc"):
        return device, None
    match = _PAD.match(device) if isinstance(device, str) else None
    if match is None or int(match.group(1)) > 1:
        raise AnalogRecordingError(f"unknown recording device {device!r}; devices are 'madc', 'cadc', "
                                   "'pad_0' and 'pad_1' (optionally '_buffered' or '_unbuffered')")
    return "pad", int(match.group(1))


@attrs.define
class SnippetData:
    """What one realtime snippet recorded for one population: spike times [hardware ms] per
    recorded cell ID, and per analog variable and cell ID (times [ms], values, device)."""

    t_start: float
    t_stop: float
    spikes: dict[int, np.ndarray] = attrs.field(factory=dict)
    signals: dict[str, dict[int, tuple]] = attrs.field(factory=dict)


class Recorder(recording.Recorder):
    """PyNN's recorder, with the chip's devices and rules, and data per realtime snippet."""

    _simulator = simulator

    def __init__(self, population: Any, file: Any = None) -> None:
        super().__init__(population, file)
        #: int(id) -> (analog variable, device) of every cell recording one
        self.analog: dict[int, tuple[str, str]] = {}
        #: multi-compartment cells: int(id) -> the compartments it records its analog variable
        #: at / its spikes at (absent: compartment 0); their data are keyed (id, compartment)
        self.locations: dict[int, tuple[int, ...]] = {}
        self.spike_locations: dict[int, tuple[int, ...]] = {}
        self.snippets: list[SnippetData] = []
        #: the analog signals' sampling interval [ms] (pynn_frontend.biological; None: dt)
        self.sampling_interval: float | None = None

    # -- what to record ---------------------------------------------------------------------------
    def record(self, variables: Any, ids: Any, sampling_interval: Any = None, locations: Any = None,
               device: str | None = None) -> None:
        celltype = self.population.celltype
        state = self._simulator.state
        if device is None:
            device = "auto" if state.biological else "madc"
        interval = None if sampling_interval is None else self._checked_sampling_interval(sampling_interval)
        multicompartment = getattr(celltype, "multicompartment", False)
        if locations is not None and not multicompartment:
            raise AnalogRecordingError(f"locations {locations!r}: {type(celltype).__name__} neurons have no "
                                       "compartments to choose from")
        compartments = (0,) if locations is None else celltype.locations_to_compartments(locations)
        names = [variables] if isinstance(variables, str) else list(variables)
        for name in names:
            if name not in celltype.recordable:
                raise UnknownRecordableError(
                    name, celltype, f"{type(celltype).__name__} cannot record {name!r}; it records "
                                    f"{celltype.recordable}")
        analog = [n for n in names if n != "spikes"]
        cells = [i for i in ids if i.local]
        if len(set(analog)) > 1:
            raise AnalogRecordingError(f"only one analog variable can be recorded per neuron, not "
                                       f"{sorted(set(analog))} (the neuron's readout shows one)")
        groups = self._devices(analog[0], cells, device) if analog else {}
        for group_device, members in groups.items():
            kind, pad = parse_device(group_device)
            if kind == "cadc" and analog[0] != "v":
                raise AnalogRecordingError(f"the CADC reads the membrane ('v'), not {analog[0]!r}: record "
                                           f"{analog[0]!r} with device='madc' (or a pad)")
            self._check_analog(analog[0], group_device, kind, pad, members, compartments)
        if not analog:
            parse_device(device if device != "auto" else "madc")
        if interval is not None:
            self.sampling_interval = interval
        for name in names:
            variable = Variable(name=name, location=None, label=None)
            self.recorded[variable] = self.recorded[variable].union(cells)
        for group_device, members in groups.items():
            for cell in members:
                self.analog[int(cell)] = (analog[0], group_device)
        if multicompartment:
            for cell in cells:
                for sites, wanted in ((self.locations, bool(analog)), (self.spike_locations, "spikes" in names)):
                    if wanted:
                        sites[int(cell)] = tuple(sorted(set(sites.get(int(cell), ())) | set(compartments)))

    def _devices(self, variable: str, cells: list, device: str) -> dict[str, list]:
        """The device of each cell: ``device``, or for "auto" (pynn_frontend.biological) the
        one a cell records ``variable`` through already, else the MADC if the new cells fit onto
        it next to what records there, else the CADC."""
        if device != "auto":
            return {device: cells}
        groups: dict[str, list] = {}
        new = []
        for cell in cells:
            current = self.analog.get(int(cell))
            if current is not None and current[0] == variable:
                groups.setdefault(current[1], []).append(cell)
            else:
                new.append(cell)
        if new:
            try:
                self._check_analog(variable, "madc", "madc", None, new)
                choice = "madc"
            except AnalogRecordingError:
                choice = "cadc"
            groups.setdefault(choice, []).extend(new)
        return groups

    def _checked_sampling_interval(self, interval: Any) -> float:
        state = self._simulator.state
        if not state.biological:
            raise NotImplementedError("sampling_interval: the MADC samples at its own rate and the CADC "
                                      "reads every microsecond (pynn_frontend.biological resamples analog "
                                      "signals to a sampling_interval)")
        if isinstance(interval, bool) or not isinstance(interval, (int, float, np.integer, np.floating)) \
                or not np.isfinite(interval) or interval <= 0:
            raise ValueError(f"sampling_interval must be a positive number of ms, not {interval!r}")
        if self.sampling_interval is not None and not np.isclose(self.sampling_interval, interval):
            raise ValueError(f"population {self.population.label!r} records at {self.sampling_interval:g} ms "
                             f"already; all its analog signals share one sampling interval, not also "
                             f"{interval:g} ms")
        return float(interval)

    def _check_analog(self, variable: str, device: str, kind: str, pad: int | None, cells: list,
                      compartments: tuple[int, ...] = (0,)) -> None:
        if kind == "pad" and len(cells) * len(compartments) > 1:
            raise AnalogRecordingError(f"pad_{pad} shows one neuron, not {len(cells) * len(compartments)}")
        for cell in cells:
            current = self.analog.get(int(cell))
            if current is not None and current[0] != variable:
                raise AnalogRecordingError(
                    f"cell {int(cell)} already records {current[0]!r}: only one analog variable can be "
                    f"recorded per neuron, not also {variable!r} (record(None) first)")
            if current is not None and current[1] != device:
                raise AnalogRecordingError(f"cell {int(cell)} already records {variable!r} via "
                                           f"{current[1]!r}, not also via {device!r}")
        state = self._simulator.state
        # one entry per recording site (a multi-compartment cell records at its compartments)
        others = [(r, int(c), d) for r in state.recorders for c, (_, d) in r.analog.items()
                  for _ in r.locations.get(c, (0,)) if not (r is self and c in {int(x) for x in cells})]
        if kind == "madc":
            madc = [(r, c) for r, c, d in others if d == "madc"] + [
                (self, int(c)) for c in cells for _ in set(self.locations.get(int(c), ())) | set(compartments)]
            if len(madc) > MADC_CHANNELS:
                raise AnalogRecordingError(
                    f"can only record at most two neurons via MADC (its two channels); this would make "
                    f"{len(madc)} (use device='cadc' for more neurons)")
            # a multi-compartment site may take any circuit of its compartment: checked when mapped
            columns = [r.population.column_of(c) for r, c in madc
                       if not getattr(r.population.celltype, "multicompartment", False)]
            if len(columns) == 2 and columns[0] % 2 == columns[1] % 2:
                raise AnalogRecordingError(
                    f"the MADC's two neurons must lie in columns of different parity (one even, one "
                    f"odd): circuits in columns {columns[0]} and {columns[1]}")
        if kind == "pad":
            taken = [(c, d) for r, c, d in others if parse_device(d) == ("pad", pad)]
            if taken:
                raise AnalogRecordingError(f"pad_{pad} already shows cell {taken[0][0]} ({taken[0][1]!r})")

    def reset(self) -> None:
        super().reset()
        self.analog = {}
        self.locations = {}
        self.spike_locations = {}
        self.sampling_interval = None

    def _reset(self) -> None:
        pass

    def _record(self, variable: Any, new_ids: Any, sampling_interval: Any = None) -> None:
        pass

    def recorded_cells(self, variable: str) -> list[int]:
        """IDs (ints, sorted) recording ``variable``."""
        return sorted(int(i) for i in self.recorded.get(Variable(variable, None, None), ()))

    # -- data --------------------------------------------------------------------------------------
    def add_snippet(self, data: SnippetData) -> None:
        self.snippets.append(data)

    def clear_snippets(self) -> None:
        self.snippets = []

    def drop_snippets_from(self, t_start: float) -> None:
        self.snippets = [s for s in self.snippets if s.t_start < t_start]

    def _clear_simulator(self) -> None:
        self.clear_snippets()

    def _local_count(self, variable: Variable, filter_ids: Any = None) -> dict[int, int]:
        if variable.name != "spikes":
            raise ValueError("only spikes can be counted")
        wanted = None if filter_ids is None else {int(i) for i in filter_ids}
        counts: dict[int, int] = defaultdict(int)
        for cell in self.recorded_cells("spikes"):
            if wanted is None or cell in wanted:
                counts[cell] = 0
        for snippet in self.snippets:
            for key, times in snippet.spikes.items():
                cell = _site(key)[0]         # a multi-compartment cell: all its recorded compartments
                if wanted is None or cell in wanted:
                    counts[cell] += len(times)
        return dict(counts)

    def _get_spiketimes(self, ids: Any, clear: bool = False) -> dict:
        out: dict[int, list] = {int(i): [] for i in np.atleast_1d(ids)}
        for snippet in self.snippets:
            for key, times in snippet.spikes.items():
                cell = _site(key)[0]
                if cell in out:
                    out[cell].append(times)
        return {c: np.concatenate(t) if t else np.zeros(0) for c, t in out.items()}

    def _get_all_signals(self, variable: Any, ids: Any, clear: bool = False) -> Any:
        raise NotImplementedError("signals are built per snippet (_get_current_segment)")

    def _index(self, cell: int) -> int:
        return int(self.population.id_to_index(cell))

    def _get_current_segment(self, filter_ids: Any = None, variables: Any = "all",
                             clear: bool = False) -> neo.Segment:
        state = self._simulator.state
        segment = neo.Segment(name="segment%03d" % state.segment_counter,
                              description=self.population.describe(), rec_datetime=datetime.now())
        names = None if variables == "all" else {v.name for v in variables}
        wanted = None if filter_ids is None else {int(i) for i in filter_ids}
        if state.biological:
            self._fill_biological(segment, names, wanted)
            return segment
        label = self.population.label
        for snippet in self.snippets:
            t_start, t_stop = snippet.t_start * pq.ms, snippet.t_stop * pq.ms
            if names is None or "spikes" in names:
                for key, times in sorted(snippet.spikes.items(), key=lambda item: _site(item[0])):
                    cell, compartment = _site(key)
                    if wanted is not None and cell not in wanted:
                        continue
                    times = np.asarray(times, dtype=float)
                    if times.size and times.max() > snippet.t_stop:
                        warnings.warn("Recorded at least one spike after t_stop")
                        times = times[times <= snippet.t_stop]
                    # units as a Quantity, not a string: quantities parses a unit string anew on every call
                    # (half the cost of a SpikeTrain)
                    train = neo.SpikeTrain(times, t_start=t_start, t_stop=t_stop, units=pq.ms,
                                           source_population=label, source_id=cell, channel_id=cell,
                                           source_index=self._index(cell),
                                           source_location=self._location(compartment),
                                           source_compartment=compartment)
                    train.segment = segment
                    segment.spiketrains.append(train)
            sites = sorted((self._index(_site(key)[0]), _site(key)[1], variable, _site(key)[0], data)
                           for variable, per_cell in snippet.signals.items() for key, data in per_cell.items())
            for index, compartment, variable, cell, (times, values, device) in sites:
                if (names is not None and variable not in names) or (wanted is not None and cell not in wanted):
                    continue
                signal = neo.IrregularlySampledSignal(
                    np.asarray(times, dtype=float) * pq.ms,
                    np.asarray(values, dtype=float).reshape(-1, 1),
                    units=pq.dimensionless, time_units=pq.ms, name=variable, device=device,
                    source_population=label, source_ids=[cell], source_locations=[self._location(compartment)],
                    source_compartments=[compartment], channel_ids=[cell],
                    array_annotations={"channel_index": np.array([index])})
                signal.segment = segment
                segment.irregularlysampledsignals.append(signal)
        return segment

    def _location(self, compartment: int) -> str:
        """The label of a compartment of the population's cells ('unlabeled' for point
        neurons and compartments without one)."""
        celltype = self.population.celltype
        if not getattr(celltype, "multicompartment", False):
            return "unlabeled"
        label = celltype.get_label(compartment)
        return "unlabeled" if label is None else label

    def _fill_biological(self, segment: neo.Segment, names: set | None, wanted: set | None) -> None:
        """The segment as PyNN's simulators give it (pynn_frontend.biological): one
        ``SpikeTrain`` per recording cell over all the segment's runs, one ``AnalogSignal`` per
        variable with a column per cell, its samples on the grid of the sampling interval from
        the segment's start (each cell's measured samples interpolated linearly, held before the
        first and after the last)."""
        if not self.snippets:
            return
        label = self.population.label
        t_start, t_stop = self.snippets[0].t_start, self.snippets[-1].t_stop
        if names is None or "spikes" in names:
            for cell in self.recorded_cells("spikes"):
                if wanted is not None and cell not in wanted:
                    continue
                times = [s.spikes[cell] for s in self.snippets if cell in s.spikes]
                times = np.sort(np.concatenate(times)) if times else np.zeros(0)
                train = neo.SpikeTrain(times[times <= t_stop], t_start=t_start * pq.ms, t_stop=t_stop * pq.ms,
                                       units=pq.ms, source_population=label, source_id=cell, channel_id=cell,
                                       source_index=self._index(cell))
                train.segment = segment
                segment.spiketrains.append(train)
        interval = self.sampling_interval or self._simulator.state.dt
        grid = t_start + interval * np.arange(int(round((t_stop - t_start) / interval)) + 1)
        variables = sorted({v for s in self.snippets for v in s.signals})
        for variable in variables:
            if names is not None and variable not in names:
                continue
            cells = sorted({c for s in self.snippets for c in s.signals.get(variable, {})
                            if wanted is None or c in wanted}, key=self._index)
            if not cells:
                continue
            columns = []
            for cell in cells:
                parts = [s.signals[variable][cell] for s in self.snippets if cell in s.signals.get(variable, {})]
                times = np.concatenate([p[0] for p in parts])
                values = np.concatenate([p[1] for p in parts])
                order = np.argsort(times, kind="stable")
                columns.append(np.interp(grid, times[order], values[order]) if times.size
                               else np.full(grid.shape, np.nan))
            units = self.population.celltype.units.get(variable, "dimensionless")
            signal = neo.AnalogSignal(np.stack(columns, axis=1), units=units, t_start=t_start * pq.ms,
                                      sampling_period=interval * pq.ms, name=variable, source_population=label,
                                      source_ids=np.array(cells), channel_ids=np.array(cells),
                                      array_annotations={"channel_index": np.array([self._index(c) for c in cells])})
            signal.segment = segment
            segment.analogsignals.append(signal)

    @staticmethod
    def _filtered(segment: neo.Segment, names: set | None, wanted: set | None) -> neo.Segment:
        if names is None and wanted is None:
            return segment
        out = neo.Segment(name=segment.name, description=segment.description,
                          rec_datetime=segment.rec_datetime, **segment.annotations)
        for train in segment.spiketrains:
            if (names is None or "spikes" in names) and (wanted is None or train.annotations.get("source_id") in wanted):
                out.spiketrains.append(train)
        for signal in segment.irregularlysampledsignals:
            ids = set(signal.annotations.get("source_ids", ()))
            if (names is None or signal.name in names) and (wanted is None or ids & wanted):
                out.irregularlysampledsignals.append(signal)
        for signal in segment.analogsignals:
            if names is not None and signal.name not in names:
                continue
            ids = np.asarray(signal.annotations.get("source_ids", ()))
            keep = np.ones(len(ids), dtype=bool) if wanted is None else np.isin(ids, list(wanted))
            if keep.all():
                out.analogsignals.append(signal)
            elif keep.any():
                part = signal[:, np.flatnonzero(keep)]
                part.annotations["source_ids"] = ids[keep]
                part.annotations["channel_ids"] = ids[keep]
                out.analogsignals.append(part)
        return out

    def get(self, variables: Any, gather: bool = False, filter_ids: Any = None, clear: bool = False,
            annotations: Any = None, locations: Any = None) -> neo.Block:
        """The recorded data as a Neo ``Block``: one segment per reset (the current one while
        not reset), filtered by variables and cells."""
        labels = None
        if locations is not None:
            if not getattr(self.population.celltype, "multicompartment", False):
                raise AnalogRecordingError(f"locations {locations!r}: these neurons have no compartments")
            self.population.celltype.locations_to_compartments(locations)       # known labels only
            labels = {locations} if isinstance(locations, str) else set(locations)
        if variables == "all":
            names = None
        else:
            names = {variables} if isinstance(variables, str) else set(variables)
        wanted = None if filter_ids is None else {int(i) for i in filter_ids}
        block = neo.Block()
        block.segments = [self._filtered(s, names, wanted) for s in self.cache]
        if self._simulator.state.running:
            variables_ = "all" if names is None else [Variable(n, None, None) for n in names]
            block.segments.append(self._get_current_segment(filter_ids, variables_, clear))
        if labels is not None:
            block.segments = [_at_locations(s, labels) for s in block.segments]
        for segment in block.segments:
            segment.block = block
        block.name = self.population.label
        block.description = self.population.describe()
        if block.segments:
            block.rec_datetime = block.segments[0].rec_datetime
        block.annotate(**self.metadata)
        if annotations:
            block.annotate(**annotations)
        if clear:
            self.clear()
        return block


def _site(key: Any) -> tuple[int, int]:
    """(cell ID, compartment) of a data key: a cell ID (compartment 0) or (ID, compartment)."""
    return (int(key[0]), int(key[1])) if isinstance(key, tuple) else (int(key), 0)


def _at_locations(segment: neo.Segment, labels: set) -> neo.Segment:
    """The segment's objects recorded at the compartments labelled ``labels``."""
    out = neo.Segment(name=segment.name, description=segment.description, rec_datetime=segment.rec_datetime,
                      **segment.annotations)
    for train in segment.spiketrains:
        if train.annotations.get("source_location") in labels:
            train.segment = out
            out.spiketrains.append(train)
    for signal in segment.irregularlysampledsignals:
        if set(signal.annotations.get("source_locations", ())) & labels:
            signal.segment = out
            out.irregularlysampledsignals.append(signal)
    return out


def recorded_analog(state: Any) -> list[tuple[Any, int, str, str]]:
    """Every (population, index, variable, device) recording an analog variable, in creation
    order and index order."""
    out = []
    for population in state.populations:
        if not isinstance(population.celltype, NeuronCellType) or getattr(population.celltype, "multicompartment",
                                                                          False):
            continue                     # multi-compartment cells: pynn_frontend.mc_mapping
        recorder = population.recorder
        for cell, (variable, device) in sorted(recorder.analog.items()):
            if variable in ANALOG_RECORDABLES:
                out.append((population, int(population.id_to_index(cell)), variable, device))
    return out


__all__ = ["DEVICES", "MADC_CHANNELS", "Recorder", "SnippetData", "parse_device", "recorded_analog"]
