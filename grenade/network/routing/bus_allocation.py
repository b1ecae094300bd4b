"""Stage 2, synapse-driver allocation for all PADI buses (grenade's ``SynapseDriverOnDLSManager``):
row-select labels and drivers for every request.

An internal chunk's row-select address is ``event output << 2 | x``: the event output fixes the
upper three bits, ``x`` (bits 7..6 of the neurons' AddressOut) is free, and it is the same on
both hemispheres' buses because it is one label. The buses ``b`` of the two hemispheres thus
form a group through the internal chunks of the event outputs that feed them; per group, the
choices of ``x`` are tried in order (labels that differ in more bits first), each bus being
solved by :func:`~.driver_allocation.allocate_bus` with the internal labels fixed and the
background and external labels free, until every bus of the group succeeds.
"""

from __future__ import annotations

import itertools

import attrs

from ...errors import UnsuccessfulRouting
from . import labels as L
from . import layout
from .driver_allocation import BusAllocation, allocate_bus
from .requests import Request
from .sources import INTERNAL, KIND_NAMES

N_X = 1 << (layout.EVENT_OUTPUT_SHIFT - layout.ROW_SELECT_SHIFT)


def internal_row_select(event_output: int, x: int) -> int:
    """The row-select address of an on-chip neuron's label ``event_output << 8 | x << 6 | k``."""
    label = L.internal_spike_label(event_output, L.internal_address_out(x, 0))
    return (label >> layout.ROW_SELECT_SHIFT) & layout.ROW_SELECT_MASK


@attrs.define
class Allocation:
    """Per request: its row-select label, its drivers (SynapseDriverOnPADIBus, ascending) and
    their compare masks; per event output with requests, the chosen ``x``."""

    labels: list[int]
    drivers: list[tuple[int, ...]]
    masks: list[tuple[int, ...]]
    x: dict[int, int]


def _combos(event_outputs: list[int]) -> list[tuple[int, ...]]:
    combos = list(itertools.product(range(N_X), repeat=len(event_outputs)))

    def spread(combo: tuple[int, ...]) -> int:
        labels = [internal_row_select(o, x) for o, x in zip(event_outputs, combo)]
        return min((bin(a ^ b).count("1") for a, b in itertools.combinations(labels, 2)), default=0)

    return sorted(combos, key=lambda c: (-spread(c), c))


def allocate_requests(requests: list[Request]) -> Allocation:
    labels = [0] * len(requests)
    drivers: list[tuple[int, ...]] = [()] * len(requests)
    masks: list[tuple[int, ...]] = [()] * len(requests)
    chosen_x: dict[int, int] = {}
    by_bus: dict[int, list[int]] = {}
    for r, request in enumerate(requests):
        by_bus.setdefault(request.bus, []).append(r)
    for bus_on_block in range(layout.N_BUSES_PER_BLOCK):
        group = [int(b) for b in layout.BUS_OF[:, bus_on_block] if int(b) in by_bus]
        if not group:
            continue
        outputs = sorted({requests[r].key for b in group for r in by_bus[b]
                          if requests[r].kind == INTERNAL})
        cache: dict[tuple, BusAllocation | None] = {}
        failure = None
        for combo in _combos(outputs):
            x = dict(zip(outputs, combo))
            results = {}
            for bus in group:
                members = by_bus[bus]
                fixed = tuple(internal_row_select(requests[r].key, x[requests[r].key])
                              if requests[r].kind == INTERNAL else None for r in members)
                sizes = tuple(requests[r].size for r in members)
                if (sizes, fixed) not in cache:
                    cache[(sizes, fixed)] = allocate_bus(sizes, fixed)
                results[bus] = cache[(sizes, fixed)]
                if results[bus] is None:
                    failure = bus if failure is None else failure
                    break
            else:
                for bus, result in results.items():
                    for i, r in enumerate(by_bus[bus]):
                        labels[r] = result.labels[i]
                        drivers[r] = result.drivers[i]
                        masks[r] = result.masks[i]
                chosen_x.update(x)
                break
        else:
            _fail(requests, by_bus[failure], failure)
    return Allocation(labels, drivers, masks, chosen_x)


def _fail(requests: list[Request], members: list[int], bus: int) -> None:
    sizes = [requests[r].size for r in members]
    described = ", ".join(f"{KIND_NAMES[requests[r].kind]} {requests[r].size}" for r in members)
    raise UnsuccessfulRouting(
        f"hemisphere {int(layout.BUS_HEMISPHERE[bus])}, PADI bus {int(layout.BUS_ON_BLOCK[bus])}: "
        f"no row-select labels and synapse-driver compare masks give each of its {len(members)} "
        f"source chunks its drivers ({sum(sizes)} of {layout.N_DRIVERS_PER_BUS} drivers needed, "
        f"per chunk: {described}; a label without drivers still blocks one driver, and the "
        f"labels of on-chip chunks are fixed by their event output)")


__all__ = ["Allocation", "allocate_requests", "internal_row_select"]
