"""Stage 2, placement into rows (grenade's ``place_routed_connections``).

A request's drivers give two rows each; sorted ascending, the first ``rows_exc`` become
excitatory, the next ``rows_inh`` inhibitory, a leftover row is disabled. The synapses of each
receptor type are placed column by column: the ``n``-th synapse of the request onto a neuron (in
projection, connection, split order) goes to the ``n``-th row of that type, in the neuron's
column.
"""

from __future__ import annotations

import attrs
import numpy as np

import haldls
from . import layout
from .bus_allocation import Allocation
from .requests import Request

RowMode = haldls.SynapseDriverConfig.RowMode


@attrs.define
class Placement:
    #: per hardware synapse: SynapseRowOnDLS enum
    synapse_row: np.ndarray
    synapse_driver_compare_masks: dict[int, int]
    synapse_row_modes: dict[int, RowMode]


def place(requests: list[Request], allocation: Allocation, synapse_request: np.ndarray,
          types: np.ndarray, columns: np.ndarray) -> Placement:
    masks: dict[int, int] = {}
    modes: dict[int, RowMode] = {}
    table = np.full((max(len(requests), 1), 2, layout.N_ROWS_PER_BUS), -1, dtype=np.int64)
    for r, request in enumerate(requests):
        positions = np.asarray(allocation.drivers[r], dtype=np.int64)
        drivers = layout.DRIVER_OF[request.bus, positions]
        for driver, mask in zip(drivers.tolist(), allocation.masks[r]):
            masks[driver] = int(mask)
        rows = np.sort(layout.DRIVER_ROWS[drivers].ravel())
        exc = rows[:request.rows_exc]
        inh = rows[request.rows_exc:request.rows_exc + request.rows_inh]
        table[r, 0, :len(exc)] = exc
        table[r, 1, :len(inh)] = inh
        for row in rows.tolist():
            modes[row] = RowMode.disabled
        for row in exc.tolist():
            modes[row] = RowMode.excitatory
        for row in inh.tolist():
            modes[row] = RowMode.inhibitory

    key = (synapse_request * 2 + types) * layout.N_COLUMNS + columns
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]]) if len(key) else np.zeros(0, int)
    sizes = np.diff(np.r_[starts, len(key)])
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = np.arange(len(key)) - np.repeat(starts, sizes)
    synapse_row = table[synapse_request, types, rank] if len(key) else np.zeros(0, dtype=np.int64)
    assert (synapse_row >= 0).all()
    return Placement(synapse_row, dict(sorted(masks.items())), dict(sorted(modes.items())))


__all__ = ["Placement", "place"]
