"""Synapse-driver allocation on one PADI bus: row-select labels, drivers and their compare masks
(grenade's ``SynapseDriverOnPADIBusManager``).

An event on a PADI bus with 5-bit row-select address ``r`` reaches driver ``s`` (its
``SynapseDriverOnPADIBus``, 0..31) iff ``(r & mask_s) == (s & mask_s)``. Every *request* (a chunk
of up to 64 sources that share synapse rows) gets one label ``L_i``, unique on the bus, and
``size_i`` drivers. Driver ``s`` may serve request ``i`` iff some *isolating* mask forwards
``L_i`` to it: a mask ``m`` with ``(L_i & m) == (s & m)`` and ``(L_j & m) != (L_i & m)`` for every
other label ``L_j`` on the bus. The largest such mask is the set of bits where ``s`` and ``L_i``
agree (isolation only gets easier with more bits), so ``s`` may serve ``i`` iff for every
``j != i``, ``L_i`` and ``L_j`` differ in a bit where ``s`` agrees with ``L_i``; that largest mask
is the compare mask the driver gets, which makes it deaf to every other label on the bus.

Labels are either fixed by the caller or free (any of the 32). Free labels are chosen one
request at a time, the largest first: the label that lets the most drivers be allocated so
far, ties broken by the largest Hamming distance to the labels already taken, then the smallest
value. (A local search over the free labels never rescued a failed choice in 20000 random
instances, so there is none.) Drivers are then assigned greedily (drivers that can serve only
one request first, then each request in order takes the lowest drivers it can use) and the
assignment is completed with augmenting paths, which finds one whenever one exists for the
chosen labels.
"""

from __future__ import annotations

from typing import Sequence

import attrs
import numpy as np

from . import layout

N_DRIVERS = layout.N_DRIVERS_PER_BUS
N_LABELS = layout.N_ROW_SELECT
_FULL = N_LABELS - 1
_DRIVERS = np.arange(N_DRIVERS, dtype=np.int64)
_POPCOUNT = np.array([bin(i).count("1") for i in range(N_LABELS)], dtype=np.int64)


@attrs.frozen
class BusAllocation:
    """Per request (in the order given): its row-select label, its drivers
    (SynapseDriverOnPADIBus, ascending) and each driver's compare mask."""

    labels: tuple[int, ...]
    drivers: tuple[tuple[int, ...], ...]
    masks: tuple[tuple[int, ...], ...]


def feasibility(labels: Sequence[int]) -> np.ndarray:
    """(32, k) bool: whether driver ``s`` can serve the request with label ``labels[i]`` through
    an isolating compare mask."""
    lab = np.asarray(labels, dtype=np.int64)
    k = len(lab)
    if k == 0:
        return np.zeros((N_DRIVERS, 0), dtype=bool)
    differ = lab[:, None] ^ lab[None, :]                        # (i, j)
    agree = ~(_DRIVERS[:, None] ^ lab[None, :]) & _FULL         # (s, i)
    ok = (differ[None, :, :] & agree[:, :, None]) != 0          # (s, i, j)
    ok |= np.eye(k, dtype=bool)[None]
    return ok.all(axis=2)


def compare_mask(driver: int, label: int) -> int:
    """The largest mask that forwards ``label`` to ``driver``: the bits where they agree."""
    return ~(driver ^ label) & _FULL


def assign_drivers(feasible: np.ndarray, sizes: Sequence[int]) -> tuple[list[int], int]:
    """Drivers for requests of ``sizes`` given the (32, k) ``feasible`` matrix: per driver the
    request it serves (-1: none), and the number of drivers still missing."""
    k = len(sizes)
    owner = [-1] * N_DRIVERS
    need = [int(s) for s in sizes]
    adj = [np.flatnonzero(feasible[:, i]).tolist() if need[i] else [] for i in range(k)]
    positive = np.asarray(need, dtype=np.int64) > 0
    wanted = feasible & positive[None, :] if k else feasible
    for s in np.flatnonzero(wanted.sum(axis=1) == 1).tolist():
        i = int(np.flatnonzero(wanted[s])[0])
        if need[i] > 0:
            owner[s] = i
            need[i] -= 1
    for i in range(k):
        for s in adj[i]:
            if need[i] == 0:
                break
            if owner[s] < 0:
                owner[s] = i
                need[i] -= 1

    def augment(i: int, seen: set[int]) -> bool:
        for s in adj[i]:
            if s not in seen:
                seen.add(s)
                if owner[s] < 0 or augment(owner[s], seen):
                    owner[s] = i
                    return True
        return False

    for i in range(k):
        while need[i] > 0 and augment(i, set()):
            need[i] -= 1
    return owner, sum(need)


def _missing(labels: Sequence[int], sizes: Sequence[int]) -> int:
    return assign_drivers(feasibility(labels), sizes)[1]


def _choose_free_labels(sizes: Sequence[int], fixed: Sequence[int | None]) -> list[int]:
    """Labels for every request: fixed ones as given, free ones chosen largest request first."""
    labels: list[int | None] = list(fixed)
    taken = [i for i, label in enumerate(labels) if label is not None]
    free = sorted((i for i, label in enumerate(labels) if label is None), key=lambda i: (-sizes[i], i))
    for i in free:
        used = [labels[j] for j in taken]
        dist = np.full(N_LABELS, _FULL.bit_length(), dtype=np.int64)
        if used:
            dist = _POPCOUNT[np.arange(N_LABELS)[:, None] ^ np.asarray(used)[None, :]].min(axis=1)
        candidates = [c for c in sorted(range(N_LABELS), key=lambda c: (-dist[c], c)) if c not in used]
        target_sizes = [sizes[j] for j in taken] + [sizes[i]]
        best, best_missing = candidates[0], None
        for c in candidates:
            missing = _missing(used + [c], target_sizes)
            if missing == 0:
                best = c
                break
            if best_missing is None or missing < best_missing:
                best, best_missing = c, missing
        labels[i] = best
        taken.append(i)
    return labels  # type: ignore[return-value]


def allocate_bus(sizes: Sequence[int], fixed: Sequence[int | None]) -> BusAllocation | None:
    """Labels, drivers and compare masks for requests of ``sizes`` drivers with ``fixed`` labels
    (``None``: free) on one PADI bus, or None if none was found."""
    sizes = [int(s) for s in sizes]
    # the driver whose position equals a label can serve only that label's request
    if len(sizes) > N_LABELS or sum(sizes) + sizes.count(0) > N_DRIVERS:
        return None
    fixed_values = [f for f in fixed if f is not None]
    if len(set(fixed_values)) != len(fixed_values):
        return None
    labels = _choose_free_labels(sizes, fixed)
    owner, missing = assign_drivers(feasibility(labels), sizes)
    if missing:
        return None
    drivers = [[s for s in range(N_DRIVERS) if owner[s] == i] for i in range(len(sizes))]
    masks = [[compare_mask(s, labels[i]) for s in ds] for i, ds in enumerate(drivers)]
    return BusAllocation(tuple(labels), tuple(map(tuple, drivers)), tuple(map(tuple, masks)))


def check_isolation(labels: Sequence[int], drivers: Sequence[Sequence[int]],
                    masks: Sequence[Sequence[int]]) -> None:
    """Assert that every driver forwards its request's label and no other label on the bus."""
    for i, (ds, ms) in enumerate(zip(drivers, masks)):
        for s, m in zip(ds, ms):
            for j, label in enumerate(labels):
                reaches = (label & m) == (s & m)
                assert reaches == (i == j), (i, j, s, m, labels)


__all__ = ["BusAllocation", "allocate_bus", "assign_drivers", "check_isolation", "compare_mask",
           "feasibility"]
