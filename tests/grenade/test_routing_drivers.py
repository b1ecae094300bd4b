"""Synapse-driver allocation on one PADI bus: labels, drivers and isolating compare masks."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grenade.network.routing import allocate_bus, compare_mask, feasibility


def assert_isolated(sizes, fixed, allocation):
    """Every request has its drivers, its fixed label, distinct labels; each driver's mask
    forwards exactly its own request's label of all labels on the bus."""
    assert len(allocation.labels) == len(sizes)
    assert len(set(allocation.labels)) == len(sizes)
    assert all(0 <= label < 32 for label in allocation.labels)
    for f, label in zip(fixed, allocation.labels):
        assert f is None or f == label
    used = [d for ds in allocation.drivers for d in ds]
    assert len(used) == len(set(used)) and all(0 <= d < 32 for d in used)
    for i, (ds, ms) in enumerate(zip(allocation.drivers, allocation.masks)):
        assert len(ds) == sizes[i] == len(ms)
        for driver, mask in zip(ds, ms):
            for j, label in enumerate(allocation.labels):
                assert ((label & mask) == (driver & mask)) == (i == j), (i, j, driver, mask)


def test_feasibility_and_masks():
    # labels 0 and 31 differ everywhere: each driver but 31 can hear 0 alone, each but 0 hears 31
    f = feasibility([0, 31])
    assert f[:, 0].sum() == 31 and f[:, 1].sum() == 31 and not f[31, 0] and not f[0, 1]
    # labels 0 and 1 differ in bit 0 only: the drivers split by parity
    f = feasibility([0, 1])
    assert [d for d in range(32) if f[d, 0]] == list(range(0, 32, 2))
    assert compare_mask(5, 5) == 31 and compare_mask(0b10101, 0b00100) == 0b01110


def test_a_full_bus_for_one_request():
    allocation = allocate_bus([32], [None])
    assert_isolated([32], [None], allocation)


@pytest.mark.parametrize("sizes", [[16, 16], [17, 15], [31, 1], [11, 11, 10], [1] * 32, [2] * 16,
                                   [8, 8, 8, 4, 2, 1, 1], [5, 0, 0, 3]])
def test_free_labels(sizes):
    fixed = [None] * len(sizes)
    assert_isolated(sizes, fixed, allocate_bus(sizes, fixed))


@given(st.lists(st.integers(0, 32), min_size=1, max_size=32).filter(
    lambda s: sum(s) + s.count(0) <= 32))
@settings(deadline=None)
def test_any_request_sizes_that_fit_are_allocated(sizes):
    """With free labels, every set of requests fits whose drivers plus one per driverless label
    (it blocks the driver at its own position) do not exceed 32."""
    fixed = [None] * len(sizes)
    allocation = allocate_bus(sizes, fixed)
    assert allocation is not None
    assert_isolated(sizes, fixed, allocation)


def test_on_chip_labels_fixed_by_the_event_output():
    """Bus 1: event outputs 1 and 5 have row selects 0b001xx and 0b101xx."""
    sizes, fixed = [12, 14, 3], [0b00100, 0b10111, None]
    assert_isolated(sizes, fixed, allocate_bus(sizes, fixed))


@pytest.mark.parametrize("sizes, fixed", [
    ([32, 0], [None, None]),          # a label without drivers still blocks one driver
    ([33], [None]),
    ([1, 30], [0, 19]),               # labels differing in 3 bits leave at most 28 drivers to one
    ([2, 2], [7, 7]),                 # the same fixed label twice
])
def test_impossible_allocations(sizes, fixed):
    assert allocate_bus(sizes, fixed) is None


def test_fixed_labels_bound_the_drivers():
    """For two labels differing in d bits, a request can have at most 32 - 2**(5 - d) drivers."""
    for a, b in itertools.combinations(range(0, 32, 5), 2):
        d = bin(a ^ b).count("1")
        limit = 32 - 2 ** (5 - d)
        assert allocate_bus([limit, 32 - limit], [a, b]) is not None
        assert allocate_bus([limit + 1, 31 - limit], [a, b]) is None
