"""Tests of the logical-neuron coordinates: compartments, placement on the chip, neighbours."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings, strategies as st

import halco
from halco import (
    AtomicNeuronOnDLS, AtomicNeuronOnLogicalNeuron, CompartmentOnLogicalNeuron,
    LogicalNeuronCompartments, LogicalNeuronOnDLS, NeuronColumnOnDLS, NeuronColumnOnLogicalNeuron,
    NeuronRowOnDLS, NeuronRowOnLogicalNeuron,
)
from halco.errors import CoordinateTypeError, InvalidCoordinateError, OutOfRangeError

PROPERTY = settings(max_examples=100, deadline=None)


def an(x: int, y: int) -> AtomicNeuronOnLogicalNeuron:
    return AtomicNeuronOnLogicalNeuron(NeuronColumnOnLogicalNeuron(x), NeuronRowOnLogicalNeuron(y))


def dls(x: int, y: int) -> AtomicNeuronOnDLS:
    return AtomicNeuronOnDLS(NeuronColumnOnDLS(x), NeuronRowOnDLS(y))


def comps(mapping: dict[int, list[tuple[int, int]]]) -> LogicalNeuronCompartments:
    return LogicalNeuronCompartments({
        CompartmentOnLogicalNeuron(c): [an(x, y) for x, y in ns] for c, ns in mapping.items()
    })


def xy(n) -> tuple[int, int]:
    return n.x.value(), n.y.value()


#: Compartment layouts: each neuron position used at most once, spread over up to 4 compartments.
layouts = st.lists(
    st.tuples(st.integers(0, 20), st.integers(0, 1)), min_size=1, max_size=12, unique=True,
).flatmap(lambda pos: st.lists(
    st.integers(0, 3), min_size=len(pos), max_size=len(pos)
).map(lambda cs: {c: [p for p, cc in zip(pos, cs) if cc == c] for c in set(cs)}))


# -- LogicalNeuronCompartments -------------------------------------------------------------------

def test_compartments_reject_neuron_used_twice_across_compartments():
    with pytest.raises(InvalidCoordinateError) as info:
        comps({0: [(0, 0), (3, 1)], 1: [(1, 0), (3, 1)]})
    msg = str(info.value)
    assert repr(an(3, 1)) in msg
    assert "twice" in msg


def test_compartments_reject_neuron_used_twice_in_one_compartment():
    with pytest.raises(InvalidCoordinateError, match="twice") as info:
        comps({0: [(5, 0), (5, 0)]})
    assert repr(an(5, 0)) in str(info.value)


def test_compartments_reject_wrong_neuron_type():
    with pytest.raises(CoordinateTypeError):
        LogicalNeuronCompartments({CompartmentOnLogicalNeuron(0): [dls(0, 0)]})
    with pytest.raises(OutOfRangeError):
        LogicalNeuronCompartments({255: [an(0, 0)]})


def test_compartment_keys_may_be_ints():
    a = LogicalNeuronCompartments({0: [an(0, 0)], 1: [an(1, 0)]})
    b = comps({0: [(0, 0)], 1: [(1, 0)]})
    assert a == b and hash(a) == hash(b)
    assert list(a.get_compartments()) == [CompartmentOnLogicalNeuron(0), CompartmentOnLogicalNeuron(1)]
    assert len(a) == 2


def test_extremes():
    c = comps({0: [(4, 1), (2, 1)], 1: [(7, 1)], 2: [(5, 1)]})
    assert c.get_left_most_column() == NeuronColumnOnLogicalNeuron(2)
    assert c.get_right_most_column() == NeuronColumnOnLogicalNeuron(7)
    assert c.get_top_most_row() == NeuronRowOnLogicalNeuron(1)
    assert c.get_bottom_most_row() == NeuronRowOnLogicalNeuron(1)
    c2 = comps({0: [(3, 0)], 1: [(3, 1)]})
    assert c2.get_top_most_row() == NeuronRowOnLogicalNeuron(0)
    assert c2.get_bottom_most_row() == NeuronRowOnLogicalNeuron(1)


def test_flip_x_and_flip_y_examples():
    c = comps({0: [(2, 0), (3, 0)], 1: [(6, 1)]})
    fx = c.flip_x()
    assert fx == comps({0: [(6, 0), (5, 0)], 1: [(2, 1)]})
    fy = c.flip_y()
    assert fy == comps({0: [(2, 1), (3, 1)], 1: [(6, 0)]})
    single_row = comps({0: [(1, 1), (4, 1)]})
    assert single_row.flip_y() == single_row  # mirrored about its own row
    assert c != fx and c != fy


@given(layouts)
@PROPERTY
def test_flip_properties(layout):
    c = comps(layout)
    fx, fy = c.flip_x(), c.flip_y()
    left, right = c.get_left_most_column().value(), c.get_right_most_column().value()
    top, bottom = c.get_top_most_row().value(), c.get_bottom_most_row().value()
    # same bounding box, same compartments, same number of neurons
    for f in (fx, fy):
        assert f.get_left_most_column().value() == left and f.get_right_most_column().value() == right
        assert f.get_top_most_row().value() == top and f.get_bottom_most_row().value() == bottom
        assert list(f.get_compartments()) == list(c.get_compartments())
    for comp, ns in c.get_compartments().items():
        assert sorted(xy(n) for n in fx.get_compartments()[comp]) == sorted(
            (left + right - x, y) for x, y in map(xy, ns))
        assert sorted(xy(n) for n in fy.get_compartments()[comp]) == sorted(
            (x, top + bottom - y) for x, y in map(xy, ns))
    assert fx.flip_x() == c and fy.flip_y() == c
    assert fx.flip_y() == fy.flip_x()


def test_compartments_value_semantics():
    c = comps({0: [(0, 0), (1, 0)], 1: [(2, 1)]})
    same_other_order = comps({1: [(2, 1)], 0: [(1, 0), (0, 0)]})
    assert c == same_other_order and hash(c) == hash(same_other_order)
    assert c != comps({0: [(0, 0), (1, 0)], 2: [(2, 1)]})
    assert pickle.loads(pickle.dumps(c)) == c
    assert "LogicalNeuronCompartments" in repr(c)
    assert {c: 1}[same_other_order] == 1


def test_empty_compartments_have_no_extremes():
    empty = LogicalNeuronCompartments()
    with pytest.raises(InvalidCoordinateError):
        empty.get_left_most_column()
    with pytest.raises(InvalidCoordinateError):
        LogicalNeuronOnDLS(empty, dls(0, 0))


# -- LogicalNeuronOnDLS --------------------------------------------------------------------------

def test_anchor_is_top_left_corner():
    # bounding box: columns 3..5, rows 0..1; the corner (3, 0) itself holds no neuron
    c = comps({0: [(4, 0), (5, 0)], 1: [(3, 1)]})
    ln = LogicalNeuronOnDLS(c, dls(10, 0))
    placed = ln.get_placed_compartments()
    assert [xy(n) for n in placed[CompartmentOnLogicalNeuron(0)]] == [(11, 0), (12, 0)]
    assert [xy(n) for n in placed[CompartmentOnLogicalNeuron(1)]] == [(10, 1)]
    assert sorted(map(xy, ln.get_atomic_neurons())) == [(10, 1), (11, 0), (12, 0)]
    assert ln.anchor == dls(10, 0) and ln.compartments == c
    assert all(type(n) is AtomicNeuronOnDLS for n in ln.get_atomic_neurons())


def test_anchor_in_bottom_row_for_single_row_pattern():
    c = comps({0: [(7, 1), (8, 1)]})
    ln = LogicalNeuronOnDLS(c, dls(200, 1))
    assert sorted(map(xy, ln.get_atomic_neurons())) == [(200, 1), (201, 1)]
    ln_top = LogicalNeuronOnDLS(c, dls(200, 0))
    assert sorted(map(xy, ln_top.get_atomic_neurons())) == [(200, 0), (201, 0)]


@pytest.mark.parametrize("anchor", [(255, 0), (255, 1), (0, 1), (127, 1)])
def test_placement_off_grid_raises(anchor):
    c = comps({0: [(0, 0), (1, 0)], 1: [(1, 1)]})  # 2 columns wide, 2 rows high
    with pytest.raises(OutOfRangeError) as info:
        LogicalNeuronOnDLS(c, dls(*anchor))
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("anchor_col", [126, 127, 120])
def test_placement_straddling_backend_boundary_raises(anchor_col):
    c = comps({0: [(0, 0), (1, 0), (8, 0)]})  # columns 0..8
    with pytest.raises(InvalidCoordinateError, match="127"):
        LogicalNeuronOnDLS(c, dls(anchor_col, 0))


def test_placement_ending_at_127_or_starting_at_128_is_accepted():
    c = comps({0: [(0, 0), (1, 0)], 1: [(2, 1)]})  # columns 0..2
    left = LogicalNeuronOnDLS(c, dls(125, 0))
    assert max(n.x.value() for n in left.get_atomic_neurons()) == 127
    right = LogicalNeuronOnDLS(c, dls(128, 0))
    assert min(n.x.value() for n in right.get_atomic_neurons()) == 128
    whole_west = comps({0: [(x, 0) for x in range(128)] + [(x, 1) for x in range(128)]})
    assert len(LogicalNeuronOnDLS(whole_west, dls(0, 0)).get_atomic_neurons()) == 256
    assert len(LogicalNeuronOnDLS(whole_west, dls(128, 0)).get_atomic_neurons()) == 256
    with pytest.raises(InvalidCoordinateError):
        LogicalNeuronOnDLS(whole_west, dls(1, 0))


def test_placement_argument_types():
    c = comps({0: [(0, 0)]})
    with pytest.raises(CoordinateTypeError):
        LogicalNeuronOnDLS(c, halco.NeuronConfigOnDLS(0))
    with pytest.raises(CoordinateTypeError):
        LogicalNeuronOnDLS({0: [an(0, 0)]}, dls(0, 0))


@given(layouts, st.integers(0, 255), st.integers(0, 1))
@PROPERTY
def test_placement_property(layout, ax, ay):
    c = comps(layout)
    left, top = c.get_left_most_column().value(), c.get_top_most_row().value()
    expected = {
        comp: [(ax + x - left, ay + y - top) for x, y in map(xy, ns)]
        for comp, ns in c.get_compartments().items()
    }
    cells = [p for ps in expected.values() for p in ps]
    off_grid = any(not (0 <= x <= 255 and 0 <= y <= 1) for x, y in cells)
    straddles = min(x for x, _ in cells) <= 127 < max(x for x, _ in cells)
    if off_grid:
        with pytest.raises(OutOfRangeError):
            LogicalNeuronOnDLS(c, dls(ax, ay))
        return
    if straddles:
        with pytest.raises(InvalidCoordinateError):
            LogicalNeuronOnDLS(c, dls(ax, ay))
        return
    ln = LogicalNeuronOnDLS(c, dls(ax, ay))
    placed = ln.get_placed_compartments()
    assert {k: [xy(n) for n in v] for k, v in placed.items()} == expected
    assert len(ln.get_atomic_neurons()) == len(cells) == len(set(ln.get_atomic_neurons()))
    # the top-left corner of the placed bounding box is the anchor
    assert min(x for x, _ in cells) == ax and min(y for _, y in cells) == ay


def test_logical_neuron_value_semantics():
    c = comps({0: [(0, 0), (1, 0)]})
    a = LogicalNeuronOnDLS(c, dls(3, 0))
    b = LogicalNeuronOnDLS(comps({0: [(1, 0), (0, 0)]}), dls(3, 0))
    assert a == b and hash(a) == hash(b)
    assert a != LogicalNeuronOnDLS(c, dls(4, 0))
    assert pickle.loads(pickle.dumps(a)) == a
    assert "LogicalNeuronOnDLS" in repr(a)


# -- AtomicNeuronOnLogicalNeuron -----------------------------------------------------------------

def test_get_neighbor():
    assert an(5, 0).get_neighbor("left") == an(4, 0)
    assert an(5, 0).get_neighbor("right") == an(6, 0)
    assert an(5, 0).get_neighbor("opposite_row") == an(5, 1)
    assert an(5, 1).get_neighbor("opposite_row") == an(5, 0)
    assert an(127, 1).get_neighbor("left") == an(126, 1)
    assert an(0, 1).get_neighbor("right") == an(1, 1)


def test_get_neighbor_off_grid_raises():
    with pytest.raises(OutOfRangeError):
        an(0, 0).get_neighbor("left")
    with pytest.raises(OutOfRangeError):
        an(0, 1).get_neighbor("left")
    with pytest.raises(OutOfRangeError):
        an(127, 0).get_neighbor("right")
    with pytest.raises(ValueError):
        an(3, 0).get_neighbor("up")


def test_logical_neuron_grid_sizes():
    assert AtomicNeuronOnLogicalNeuron.size == 256
    assert NeuronColumnOnLogicalNeuron.size == 128 and NeuronRowOnLogicalNeuron.size == 2
    assert CompartmentOnLogicalNeuron.size == 255
    assert an(3, 1).to_enum() == 128 + 3


def test_compartments_refuse_duplicates_and_non_mappings():
    n0 = halco.AtomicNeuronOnLogicalNeuron()
    n1 = halco.AtomicNeuronOnLogicalNeuron(halco.NeuronColumnOnLogicalNeuron(1), halco.NeuronRowOnLogicalNeuron(0))
    with pytest.raises(halco.errors.InvalidCoordinateError, match="compartment 0 is given twice"):
        halco.LogicalNeuronCompartments({0: [n0], halco.CompartmentOnLogicalNeuron(0): [n1]})
    with pytest.raises(halco.errors.CoordinateTypeError, match="mapping"):
        halco.LogicalNeuronCompartments([[n0]])
    with pytest.raises(halco.errors.CoordinateTypeError, match="sequence of AtomicNeuronOnLogicalNeuron"):
        halco.LogicalNeuronCompartments({0: 5})
