"""Stage 2, source partitioning: sources are grouped into *chunks* of at most 64 that share synapse
rows on one PADI bus (the 6-bit synapse label of a source is its index in the chunk); every chunk
on a bus is one driver *request* (grenade's ``SourceOnPADIBusManager``).

- Internal sources: the event output fixes the bus (``event output % 4`` of each target
  hemisphere) and, through the label, most of the row-select address; the (at most 64) sources
  of one event output form one chunk, with one request per hemisphere it has targets on.
- Background sources: one chunk per population and hemisphere, on the bus of its coordinate; the
  synapse label is the neuron index (the random low label bits).
- External sources: the bus is free. Per target hemisphere, the sources that target it (the top
  one also takes the recorded-only sources, which need no drivers) are packed in order into
  chunks, bus by bus, into the drivers the internal and background requests leave.

A request on a bus needs ``rows_exc`` excitatory rows, the largest excitatory in-degree that
any target neuron receives from the chunk (the chunk's sources share those rows), and likewise
``rows_inh``; it needs ``ceil((rows_exc + rows_inh) / 2)`` drivers.
"""

from __future__ import annotations

import attrs
import numpy as np

import halco
from ...errors import UnsuccessfulRouting
from ..network import ExecutionInstance
from . import layout
from .sources import BACKGROUND, EXTERNAL, INTERNAL, SourceTable

N_COLUMNS = layout.N_COLUMNS


def drivers_needed(rows_exc, rows_inh):
    """Drivers for a request: two rows each, excitatory and inhibitory rows not shared."""
    return -(-(np.asarray(rows_exc) + np.asarray(rows_inh)) // 2)


@attrs.define
class Request:
    """One chunk of sources on one PADI bus (PADIBusOnDLS enum)."""

    kind: int
    bus: int
    #: internal: the event output; background: index into SourceTable.background;
    #: external: the chunk's number within its hemisphere
    key: int
    rows_exc: int = 0
    rows_inh: int = 0

    @property
    def hemisphere(self) -> int:
        return int(layout.BUS_HEMISPHERE[self.bus])

    @property
    def size(self) -> int:
        return int(drivers_needed(self.rows_exc, self.rows_inh))


@attrs.define
class RequestTable:
    """The requests and, per hardware synapse, its request and synapse label."""

    requests: list[Request]
    synapse_request: np.ndarray
    synapse_label: np.ndarray
    #: per internal source: its synapse label (index in its event output's chunk)
    internal_label: np.ndarray
    #: per external source and hemisphere: request id (-1: none) and synapse label
    external_request: np.ndarray
    external_label: np.ndarray
    #: per background population (index into SourceTable.background) and hemisphere: request
    background_request: np.ndarray


def _bus_name(bus: int) -> str:
    return f"hemisphere {int(layout.BUS_HEMISPHERE[bus])}, PADI bus {int(layout.BUS_ON_BLOCK[bus])}"


def _rows(requests: list[Request], synapse_request: np.ndarray, types: np.ndarray,
          columns: np.ndarray) -> None:
    """Set rows_exc / rows_inh of every request from its synapses."""
    if not requests:
        return
    key = (synapse_request * 2 + types) * N_COLUMNS + columns
    counts = np.bincount(key, minlength=len(requests) * 2 * N_COLUMNS)
    rows = counts.reshape(len(requests), 2, N_COLUMNS).max(axis=2)
    for r, request in enumerate(requests):
        request.rows_exc, request.rows_inh = int(rows[r, 0]), int(rows[r, 1])


def build_requests(instance: ExecutionInstance, sources: SourceTable, synapses: np.ndarray) -> RequestTable:
    n_syn = len(synapses)
    types = synapses["receptor_type"]
    hemi = sources.hemisphere
    columns = sources.column
    requests: list[Request] = []
    synapse_request = np.full(n_syn, -1, dtype=np.int64)
    synapse_label = np.zeros(n_syn, dtype=np.int64)

    # -- internal: one chunk per event output ----------------------------------------------------
    internal = sources.internal
    eo = internal["event_output"]
    internal_label = np.zeros(len(internal), dtype=np.int64)
    for o in range(layout.N_EVENT_OUTPUTS):
        members = np.flatnonzero(eo == o)
        if len(members) > layout.N_LABELS_PER_CHUNK:
            raise UnsuccessfulRouting(f"neuron event output {o} has {len(members)} sources, "
                                      f"{layout.N_LABELS_PER_CHUNK} synapse labels available")
        internal_label[members] = np.arange(len(members))
    is_int = sources.kind == INTERNAL
    int_src = sources.source[is_int]
    int_eo, int_h = eo[int_src], hemi[is_int]
    request_of = np.full((layout.N_EVENT_OUTPUTS, layout.N_HEMISPHERES), -1, dtype=np.int64)
    for o, h in sorted(set(zip(int_eo.tolist(), int_h.tolist()))):
        request_of[o, h] = len(requests)
        requests.append(Request(INTERNAL, int(layout.BUS_OF[h, layout.EVENT_OUTPUT_BUS[o, h]]), o))
    synapse_request[is_int] = request_of[int_eo, int_h]
    synapse_label[is_int] = internal_label[int_src]

    # -- background: one chunk per population and hemisphere ----------------------------------------
    is_bg = sources.kind == BACKGROUND
    background_request = np.full((len(sources.background), layout.N_HEMISPHERES), -1, dtype=np.int64)
    bg_src, bg_h = sources.source[is_bg], hemi[is_bg]
    for b, h in sorted(set(zip(bg_src.tolist(), bg_h.tolist()))):
        pop = instance.populations[sources.background[b]]
        bus = int(layout.BUS_OF[h, pop.coordinate[halco.HemisphereOnDLS(h)].value()])
        background_request[b, h] = len(requests)
        requests.append(Request(BACKGROUND, bus, b))
    synapse_request[is_bg] = background_request[bg_src, bg_h]
    synapse_label[is_bg] = sources.pre_neuron[is_bg]

    fixed = synapse_request >= 0
    _check_neuron_rows_per_bus(requests, synapse_request[fixed], columns[fixed])
    _rows(requests, synapse_request[fixed], types[fixed], columns[fixed])
    used = np.zeros(layout.N_BUSES, dtype=np.int64)
    for request in requests:
        used[request.bus] += request.size
    for bus in range(layout.N_BUSES):
        on_bus = [r for r in requests if r.bus == bus]
        rows = sum(r.rows_exc + r.rows_inh for r in on_bus)
        chunks = (f"on-chip and background sources in {len(on_bus)} chunks, rows per chunk "
                  f"(excitatory, inhibitory): {[(r.rows_exc, r.rows_inh) for r in on_bus]}")
        if rows > layout.N_ROWS_PER_BUS:
            raise UnsuccessfulRouting(f"{_bus_name(bus)}: {rows} rows needed, "
                                      f"{layout.N_ROWS_PER_BUS} available ({chunks})")
        if used[bus] > layout.N_DRIVERS_PER_BUS:
            raise UnsuccessfulRouting(
                f"{_bus_name(bus)}: {used[bus]} synapse drivers needed, {layout.N_DRIVERS_PER_BUS} "
                f"available ({rows} rows, but a chunk takes whole drivers of two rows; {chunks})")

    # -- external: packed linearly, per target hemisphere --------------------------------------------
    external_request = np.full((len(sources.external), layout.N_HEMISPHERES), -1, dtype=np.int64)
    external_label = np.zeros((len(sources.external), layout.N_HEMISPHERES), dtype=np.int64)
    is_ext = sources.kind == EXTERNAL
    targeted = np.zeros(len(sources.external), dtype=bool)
    targeted[sources.source[is_ext]] = True
    for h in range(layout.N_HEMISPHERES):
        _pack_external(h, sources, is_ext & (hemi == h), targeted, types, columns, requests, used,
                       external_request, external_label)
    ext_src, ext_h = sources.source[is_ext], hemi[is_ext]
    synapse_request[is_ext] = external_request[ext_src, ext_h]
    synapse_label[is_ext] = external_label[ext_src, ext_h]
    _rows(requests, synapse_request, types, columns)
    return RequestTable(requests, synapse_request, synapse_label, internal_label, external_request,
                        external_label, background_request)


def _check_neuron_rows_per_bus(requests: list[Request], synapse_request: np.ndarray,
                               columns: np.ndarray) -> None:
    """A neuron can take at most 64 synapses from the sources of one bus (its rows)."""
    if not len(synapse_request):
        return
    bus = np.array([r.bus for r in requests], dtype=np.int64)[synapse_request]
    counts = np.bincount(bus * N_COLUMNS + columns, minlength=layout.N_BUSES * N_COLUMNS)
    worst = int(np.argmax(counts))
    if counts[worst] > layout.N_ROWS_PER_BUS:
        b, c = divmod(worst, N_COLUMNS)
        atom = halco.AtomicNeuronOnDLS.from_enum(int(layout.ATOM_OF[layout.BUS_HEMISPHERE[b], c]))
        raise UnsuccessfulRouting(
            f"neuron {atom!r} has in-degree {counts[worst]} from the sources on {_bus_name(b)}, "
            f"{layout.N_ROWS_PER_BUS} rows available")


def _pack_external(h: int, sources: SourceTable, on_h: np.ndarray, targeted: np.ndarray,
                   types: np.ndarray, columns: np.ndarray, requests: list[Request], used: np.ndarray,
                   external_request: np.ndarray, external_label: np.ndarray) -> None:
    """Put the external sources that target hemisphere ``h`` (for the top one also those that
    target nothing) into chunks on its buses, in order, bus by bus."""
    syn = np.flatnonzero(on_h)
    src = sources.source[syn]
    order = np.argsort(src, kind="stable")
    syn, src = syn[order], src[order]
    keys = types[syn] * N_COLUMNS + columns[syn]
    members = np.unique(src)
    if h == 0:
        members = np.union1d(members, np.flatnonzero(~targeted))
    if not len(members):
        return
    starts = np.searchsorted(src, members, side="left")
    ends = np.searchsorted(src, members, side="right")
    buses = layout.BUS_OF[h]
    labels_on_bus = {int(b): sum(r.bus == b for r in requests) for b in buses}
    position = 0                        # index into buses
    counts = np.zeros(2 * N_COLUMNS, dtype=np.int64)
    chunk: list[int] = []
    chunk_id = 0

    def close() -> None:
        nonlocal chunk, counts, chunk_id
        if not chunk:
            return
        bus = int(buses[position])
        request = Request(EXTERNAL, bus, chunk_id)
        # a request without drivers still holds a row-select label, which costs one driver
        used[bus] += max(1, int(drivers_needed(counts[:N_COLUMNS].max(), counts[N_COLUMNS:].max())))
        labels_on_bus[bus] += 1
        external_request[chunk, h] = len(requests)
        external_label[chunk, h] = np.arange(len(chunk))
        requests.append(request)
        chunk, counts, chunk_id = [], np.zeros(2 * N_COLUMNS, dtype=np.int64), chunk_id + 1

    for s, a, b in zip(members.tolist(), starts.tolist(), ends.tolist()):
        own = np.bincount(keys[a:b], minlength=2 * N_COLUMNS)
        if own.max(initial=0) > layout.N_ROWS_PER_BUS:
            worst = int(np.argmax(own))
            atom = halco.AtomicNeuronOnDLS.from_enum(int(layout.ATOM_OF[h, worst % N_COLUMNS]))
            ext = sources.external[s]
            raise UnsuccessfulRouting(
                f"external source (population {ext['population']}, neuron {ext['neuron']}) has "
                f"{own[worst]} synapses onto neuron {atom!r}, a PADI bus has "
                f"{layout.N_ROWS_PER_BUS} rows")
        while True:
            if position >= len(buses):
                _external_overflow(h, sources, s, members, used, buses)
            bus = int(buses[position])
            trial = counts + own
            need = max(1, int(drivers_needed(trial[:N_COLUMNS].max(), trial[N_COLUMNS:].max())))
            fits = (len(chunk) < layout.N_LABELS_PER_CHUNK
                    and used[bus] + need <= layout.N_DRIVERS_PER_BUS
                    and labels_on_bus[bus] + 1 <= layout.N_ROW_SELECT)
            if fits:
                chunk.append(s)
                counts = trial
                break
            if chunk:
                close()          # and try a new chunk on the same bus
            else:
                position += 1    # the source alone does not fit here
        # next source
    close()


def _external_overflow(h: int, sources: SourceTable, s: int, members: np.ndarray, used: np.ndarray,
                       buses: np.ndarray) -> None:
    ext = sources.external[s]
    placed = int(np.searchsorted(members, s))
    raise UnsuccessfulRouting(
        f"hemisphere {h}: the external sources do not fit on its PADI buses: {placed} of "
        f"{len(members)} placed, external source (population {ext['population']}, neuron "
        f"{ext['neuron']}) finds no bus with enough free synapse drivers; drivers in use on "
        f"PADI buses 0..3: {[int(used[b]) for b in buses]} of {layout.N_DRIVERS_PER_BUS} each")


__all__ = ["Request", "RequestTable", "build_requests", "drivers_needed"]
