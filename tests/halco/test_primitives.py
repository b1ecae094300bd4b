"""Tests of the four halco primitives (RangedInt, Grid, Nested, Interval), iter_all, link, errors.

The real chip coordinates are covered in test_coordinates.py; here the primitives are exercised on
small local types so that edge cases (bounds with a minimum above zero, interval holes) are covered
independently of any chip geometry.

Note: every concrete coordinate class registers itself globally by name, so the local types below
have unique ``_Test`` names and are excluded from the all-types tests in test_coordinates.py.
"""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given, settings, strategies as st

import halco
from halco import Grid, Interval, Nested, RangedInt, iter_all, snake_case
from halco._core import add_constants, link
from halco.errors import (
    CoordinateTypeError, HalcoError, InvalidCoordinateError, OutOfRangeError,
)

FAST = settings(max_examples=60, deadline=None)


# -- local test types ----------------------------------------------------------------------------

class _TestBound8(RangedInt, size=8):
    __slots__ = ()


class _TestBoundMin3(RangedInt, min=3, max=7):
    """Five values 3..7; its enum equals its value (as for halco ranged ints with Min > 0)."""

    __slots__ = ()


class _TestOther8(RangedInt, size=8):
    """Same size as _TestBound8, a different type."""

    __slots__ = ()


class _TestInterval8(Interval, bound=_TestBound8):
    __slots__ = ()


class _TestIntervalMin3(Interval, bound=_TestBoundMin3):
    __slots__ = ()


class _TestGrid(Grid, x=_TestBoundMin3, y=_TestBound8):
    """Dense 5 x 8 grid whose x axis starts at 3."""

    __slots__ = ()


class _TestSquareGrid(Grid, x=_TestBound8, y=_TestOther8):
    __slots__ = ()


_SPARSE_TABLE = [(0, 0), (2, 0), (1, 1), (0, 2), (2, 2)]


class _TestSparseGrid(Grid, x=_TestBound8, y=_TestOther8, table=_SPARSE_TABLE):
    __slots__ = ()


class _TestNested(Nested, local=_TestBound8, parent=_TestOther8):
    __slots__ = ()


class _TestNestedMin3(Nested, local=_TestBoundMin3, parent=_TestBound8):
    """Nested over a local type whose enum starts at 3."""

    __slots__ = ()


class _TestNestedInterval(Nested, local=_TestInterval8, parent=_TestOther8):
    """Nested over an interval: inherits the interval's holes."""

    __slots__ = ()


class _TestLinkA(RangedInt, size=3):
    __slots__ = ()


class _TestLinkB(RangedInt, size=3):
    __slots__ = ()


class _TestLinkC(RangedInt, min=1, max=3):
    __slots__ = ()


link(_TestLinkA, _TestLinkB, _TestLinkC)


# -- errors --------------------------------------------------------------------------------------

def test_out_of_range_error_is_value_and_overflow_error():
    assert issubclass(OutOfRangeError, ValueError)
    assert issubclass(OutOfRangeError, OverflowError)
    assert issubclass(OutOfRangeError, HalcoError)
    with pytest.raises(OverflowError):
        _TestBound8(8)
    with pytest.raises(ValueError):
        _TestBound8(8)


def test_coordinate_type_error_is_type_error():
    assert issubclass(CoordinateTypeError, TypeError)
    assert issubclass(CoordinateTypeError, HalcoError)
    with pytest.raises(TypeError):
        _TestBound8(1.0)


def test_invalid_coordinate_error_is_value_error():
    assert issubclass(InvalidCoordinateError, ValueError)
    assert issubclass(InvalidCoordinateError, HalcoError)
    assert not issubclass(InvalidCoordinateError, TypeError)


def test_errors_exported_from_package():
    assert halco.errors.OutOfRangeError is OutOfRangeError


# -- RangedInt -----------------------------------------------------------------------------------

def test_ranged_int_class_attributes():
    assert (_TestBound8.min, _TestBound8.max, _TestBound8.size) == (0, 7, 8)
    assert (_TestBoundMin3.min, _TestBoundMin3.max, _TestBoundMin3.size) == (3, 7, 5)


def test_ranged_int_default_is_min():
    assert _TestBound8() == _TestBound8(0)
    assert _TestBoundMin3() == _TestBoundMin3(3)
    assert _TestBoundMin3().value() == 3


@given(st.integers(3, 7))
@FAST
def test_ranged_int_min_above_zero_keeps_value_as_enum(v):
    c = _TestBoundMin3(v)
    assert c.value() == v == c.to_enum() == int(c) == c.__index__()
    assert _TestBoundMin3.from_enum(v) == c


def test_ranged_int_min_above_zero_bounds():
    for bad in (0, 1, 2, 8):
        with pytest.raises(OutOfRangeError):
            _TestBoundMin3(bad)
        with pytest.raises(OutOfRangeError):
            _TestBoundMin3.from_enum(bad)
    assert list(_TestBoundMin3.enum_values()) == [3, 4, 5, 6, 7]
    assert [c.value() for c in iter_all(_TestBoundMin3)] == [3, 4, 5, 6, 7]


@given(st.integers())
@FAST
def test_ranged_int_accepts_exactly_its_range(v):
    if 0 <= v <= 7:
        assert _TestBound8(v).value() == v
    else:
        with pytest.raises(OutOfRangeError, match="_TestBound8"):
            _TestBound8(v)


def test_ranged_int_bool_and_index():
    assert not _TestBound8(0)
    assert _TestBound8(1)
    assert list(range(10))[_TestBound8(5)] == 5


@pytest.mark.parametrize("bad", [1.0, 2.5, True, False, "3", b"\x01", [1], 1 + 0j])
def test_ranged_int_rejects_non_integers(bad):
    with pytest.raises(CoordinateTypeError):
        _TestBound8(bad)
    with pytest.raises(CoordinateTypeError):
        _TestBound8.from_enum(bad)


def test_ranged_int_accepts_numpy_integers():
    np = pytest.importorskip("numpy")
    assert _TestBound8(np.int64(5)) == _TestBound8(5)
    assert _TestBound8(np.uint8(7)) == _TestBound8(7)
    with pytest.raises(OutOfRangeError):
        _TestBound8(np.int64(8))
    with pytest.raises(CoordinateTypeError):
        _TestBound8(np.float64(1.0))


def test_ranged_int_accepts_itself_but_not_other_types():
    assert _TestBound8(_TestBound8(3)) == _TestBound8(3)
    with pytest.raises(CoordinateTypeError, match="_TestOther8"):
        _TestBound8(_TestOther8(3))
    with pytest.raises(CoordinateTypeError):
        _TestBound8.from_enum(_TestOther8(3))


def test_duplicate_type_name_is_rejected():
    n = len(halco.all_coordinate_types())
    with pytest.raises(RuntimeError, match="_TestBound8"):
        type("_TestBound8", (RangedInt,), {"__slots__": ()}, size=8)
    assert len(halco.all_coordinate_types()) == n


def test_abstract_subclass_is_not_registered():
    class _TestAbstract(RangedInt, abstract=True):
        __slots__ = ()

    assert _TestAbstract not in halco.all_coordinate_types()
    with pytest.raises(CoordinateTypeError):
        list(iter_all(_TestAbstract))


def test_same_values_of_same_size_types_differ():
    a, b = _TestBound8(3), _TestOther8(3)
    assert a != b and not a == b
    assert len({a, b}) == 2
    for op in ("__lt__", "__le__", "__gt__", "__ge__"):
        with pytest.raises(TypeError):
            getattr(a, op)(b)
    with pytest.raises(TypeError):
        sorted([a, b])


def test_coordinates_are_immutable_values_under_copy():
    a = _TestBound8(3)
    assert copy.copy(a) == a and copy.deepcopy(a) == a
    assert pickle.loads(pickle.dumps(a)) == a


# -- Grid ----------------------------------------------------------------------------------------

@given(st.integers(3, 7), st.integers(0, 7))
@FAST
def test_dense_grid_row_major_with_axis_minimum(x, y):
    g = _TestGrid(_TestBoundMin3(x), _TestBound8(y))
    assert g.to_enum() == y * 5 + (x - 3)
    assert g.x == _TestBoundMin3(x) and g.y == _TestBound8(y)
    assert _TestGrid.from_enum(g.to_enum()) == g
    assert _TestGrid(_TestBound8(y), _TestBoundMin3(x)) == g  # (y, x) order
    assert _TestGrid(x, y) == g  # plain ints: x then y
    assert _TestGrid(x=x, y=y) == g
    assert _TestGrid(x=_TestBoundMin3(x), y=_TestBound8(y)) == g
    assert g.to__test_bound_min3() == g.x and g.to__test_bound8() == g.y


def test_dense_grid_enumerates_every_pair_once():
    pairs = [(g.x.value(), g.y.value()) for g in iter_all(_TestGrid)]
    assert pairs == [(x, y) for y in range(8) for x in range(3, 8)]
    assert _TestGrid.size == 40


def test_grid_default_is_enum_zero():
    assert _TestGrid() == _TestGrid.from_enum(0)
    assert _TestGrid().x == _TestBoundMin3(3)


def test_grid_axis_out_of_range():
    with pytest.raises(OutOfRangeError):
        _TestGrid(2, 0)
    with pytest.raises(OutOfRangeError):
        _TestGrid(3, 8)
    with pytest.raises(OutOfRangeError):
        _TestGrid.from_enum(40)


def test_grid_with_same_sized_axes_does_not_swap_plain_order():
    g = _TestSquareGrid(_TestBound8(1), _TestOther8(2))
    assert g.to_enum() == 2 * 8 + 1
    assert _TestSquareGrid(_TestOther8(2), _TestBound8(1)) == g
    assert _TestSquareGrid(1, 2) == g
    assert _TestSquareGrid(2, 1) != g


def test_grid_rejects_wrong_argument_types():
    with pytest.raises(CoordinateTypeError):
        _TestSquareGrid(_TestBound8(1), _TestBound8(2))  # y given as an x
    with pytest.raises(CoordinateTypeError):
        _TestSquareGrid(_TestBoundMin3(3), _TestOther8(2))
    with pytest.raises(CoordinateTypeError):
        _TestSquareGrid(_TestBound8(1))  # a single axis value is not an enum
    with pytest.raises(CoordinateTypeError):
        _TestSquareGrid(x=1)
    with pytest.raises(CoordinateTypeError):
        _TestSquareGrid(1, y=2)
    with pytest.raises(CoordinateTypeError):
        _TestSquareGrid(1, 2, 3)
    with pytest.raises(CoordinateTypeError):
        _TestSquareGrid(1.0, 2)


def test_sparse_grid_follows_its_table():
    assert _TestSparseGrid.size == len(_SPARSE_TABLE)
    for e, (x, y) in enumerate(_SPARSE_TABLE):
        g = _TestSparseGrid(_TestBound8(x), _TestOther8(y))
        assert g.to_enum() == e
        assert (g.x.value(), g.y.value()) == (x, y)
        assert _TestSparseGrid.from_enum(e) == g
    assert [(g.x.value(), g.y.value()) for g in iter_all(_TestSparseGrid)] == _SPARSE_TABLE


def test_sparse_grid_rejects_pairs_without_entry():
    valid = set(_SPARSE_TABLE)
    for x in range(8):
        for y in range(8):
            if (x, y) in valid:
                continue
            with pytest.raises(InvalidCoordinateError, match="_TestSparseGrid"):
                _TestSparseGrid(x, y)
    with pytest.raises(OutOfRangeError):
        _TestSparseGrid.from_enum(len(_SPARSE_TABLE))


# -- Nested --------------------------------------------------------------------------------------

@given(st.integers(0, 7), st.integers(0, 7))
@FAST
def test_nested_enum_is_parent_times_local_size_plus_local(local, parent):
    n = _TestNested(_TestBound8(local), _TestOther8(parent))
    assert n.to_enum() == parent * 8 + local
    assert n.local == _TestBound8(local) and n.parent == _TestOther8(parent)
    assert n.split() == (_TestOther8(parent), _TestBound8(local))
    assert n.to__test_bound8() == n.local and n.to__test_other8() == n.parent
    assert _TestNested.from_enum(n.to_enum()) == n
    assert _TestNested(local, parent) == n


def test_nested_local_only_defaults_to_first_parent():
    assert _TestNested(_TestBound8(5)) == _TestNested(_TestBound8(5), _TestOther8(0))
    assert _TestNested(5) == _TestNested.from_enum(5)  # a plain int is an enum


def test_nested_rejects_wrong_types():
    with pytest.raises(CoordinateTypeError):
        _TestNested(_TestBound8(1), _TestBound8(2))
    with pytest.raises(CoordinateTypeError):
        _TestNested(_TestOther8(1), _TestOther8(2))
    with pytest.raises(CoordinateTypeError):
        _TestNested(_TestOther8(1))
    with pytest.raises(CoordinateTypeError):
        _TestNested(1, 2, 3)


@given(st.integers(3, 7), st.integers(0, 7))
@FAST
def test_nested_over_local_with_minimum(local, parent):
    n = _TestNestedMin3(_TestBoundMin3(local), _TestBound8(parent))
    assert n.to_enum() == parent * 5 + (local - 3)
    assert n.local == _TestBoundMin3(local) and n.parent == _TestBound8(parent)
    assert _TestNestedMin3.from_enum(n.to_enum()) == n
    assert pickle.loads(pickle.dumps(n)) == n


def test_nested_over_local_with_minimum_enumerates_densely():
    assert list(_TestNestedMin3.enum_values()) == list(range(40))
    got = [(n.parent.value(), n.local.value()) for n in iter_all(_TestNestedMin3)]
    assert got == [(p, v) for p in range(8) for v in range(3, 8)]


def test_nested_over_interval_inherits_holes():
    n_bound = _TestBound8.size
    valid = list(_TestNestedInterval.enum_values())
    assert len(valid) == 8 * (n_bound * (n_bound + 1) // 2)
    assert len(list(iter_all(_TestNestedInterval))) == len(valid)
    valid_set = set(valid)
    for e in range(_TestNestedInterval.size):
        if e in valid_set:
            c = _TestNestedInterval.from_enum(e)
            assert c.local.to_min() <= c.local.to_max()
        else:
            with pytest.raises(InvalidCoordinateError):
                _TestNestedInterval.from_enum(e)


# -- Interval ------------------------------------------------------------------------------------

@given(st.integers(0, 7), st.integers(0, 7))
@FAST
def test_interval_enum_and_accessors(a, b):
    if a > b:
        with pytest.raises(InvalidCoordinateError):
            _TestInterval8(a, b)
        with pytest.raises(InvalidCoordinateError):
            _TestInterval8.from_enum(8 * a + b)
        return
    iv = _TestInterval8(_TestBound8(a), _TestBound8(b))
    assert iv.to_enum() == 8 * a + b
    assert iv.to_min() == _TestBound8(a) and iv.to_max() == _TestBound8(b)
    assert iv.length() == len(iv) == b - a + 1
    assert [iv[i] for i in range(len(iv))] == [_TestBound8(v) for v in range(a, b + 1)]
    for v in range(8):
        assert iv.contains(_TestBound8(v)) == (a <= v <= b)
    with pytest.raises(IndexError):
        iv[len(iv)]
    with pytest.raises(IndexError):
        iv[-1]
    for bad in ("a", 0.5, True):
        with pytest.raises(CoordinateTypeError, match="indexed by an int"):
            iv[bad]
    assert _TestInterval8(a, b) == iv
    assert _TestInterval8.from_enum(iv.to_enum()) == iv
    assert pickle.loads(pickle.dumps(iv)) == iv


@given(st.integers(3, 7), st.integers(3, 7))
@FAST
def test_interval_over_bound_with_minimum(a, b):
    a, b = min(a, b), max(a, b)
    iv = _TestIntervalMin3(a, b)
    assert iv.to_enum() == 5 * (a - 3) + (b - 3)
    assert iv.to_min().value() == a and iv.to_max().value() == b
    assert len(iv) == b - a + 1
    assert iv[0].value() == a
    assert _TestIntervalMin3.from_enum(iv.to_enum()) == iv


def test_interval_rejects_wrong_bound_type():
    with pytest.raises(CoordinateTypeError):
        _TestInterval8(_TestOther8(1), _TestBound8(2))
    with pytest.raises(CoordinateTypeError):
        _TestInterval8(1).contains(_TestOther8(1))
    with pytest.raises(CoordinateTypeError):
        _TestInterval8(1, 2, 3)
    with pytest.raises(OutOfRangeError):
        _TestInterval8(0, 8)


def test_iter_all_interval_skips_min_greater_than_max():
    n = _TestBound8.size
    got = list(iter_all(_TestInterval8))
    assert len(got) == n * (n + 1) // 2
    assert all(iv.to_min() <= iv.to_max() for iv in got)
    assert [iv.to_enum() for iv in got] == sorted(iv.to_enum() for iv in got)
    assert len(set(got)) == len(got)
    assert {(iv.to_min().value(), iv.to_max().value()) for iv in got} == {
        (a, b) for a in range(n) for b in range(a, n)
    }


def test_interval_enum_walk_up_to_2n_has_2n_minus_1_valid():
    """As pyhalco's test: enums 0..2n-1 hold 2n-1 valid intervals (only (1, 0) is invalid)."""
    n = _TestBound8.size
    valid = 0
    for e in range(2 * n):
        try:
            _TestInterval8.from_enum(e)
        except InvalidCoordinateError:
            assert e == n  # (min 1, max 0)
        else:
            valid += 1
    assert valid == 2 * n - 1
    assert [e for e in _TestInterval8.enum_values() if e < 2 * n] == [
        e for e in range(2 * n) if e != n
    ]


# -- iter_all ------------------------------------------------------------------------------------

def test_iter_all_in_enum_order():
    assert [c.value() for c in iter_all(_TestBound8)] == list(range(8))
    assert [n.to_enum() for n in iter_all(_TestNested)] == list(range(64))


def test_iter_all_of_several_types_is_their_product():
    got = list(iter_all(_TestBoundMin3, _TestBound8))
    assert len(got) == 5 * 8
    assert got == [(_TestBoundMin3(a), _TestBound8(b)) for a in range(3, 8) for b in range(8)]
    three = list(iter_all(_TestBound8, _TestOther8, _TestLinkA))
    assert len(three) == 8 * 8 * 3
    assert len(set(three)) == len(three)


def test_iter_all_rejects_non_types():
    with pytest.raises(TypeError):
        iter_all()
    with pytest.raises(CoordinateTypeError):
        iter_all(int)
    with pytest.raises(CoordinateTypeError):
        iter_all(_TestBound8(1))
    for primitive in (RangedInt, Grid, Nested, Interval, halco.Coordinate):
        with pytest.raises(CoordinateTypeError):
            iter_all(primitive)


# -- link, constants, naming ---------------------------------------------------------------------

def test_link_converts_by_identity_of_enum_offset_by_minimum():
    for v in range(3):
        a = _TestLinkA(v)
        assert a.to__test_link_b() == _TestLinkB(v)
        assert a.to__test_link_c() == _TestLinkC(v + 1)
        assert _TestLinkC(v + 1).to__test_link_a() == a
        assert _TestLinkB(v).to__test_link_c().to__test_link_a() == a
    assert not hasattr(_TestLinkA, "to__test_link_a")


def test_link_rejects_different_sizes():
    with pytest.raises(ValueError):
        link(_TestBound8, _TestLinkA)


def test_add_constants():
    class _TestNamed(RangedInt, size=4):
        __slots__ = ()

    add_constants(_TestNamed, first=0, last=3)
    assert _TestNamed.first == _TestNamed(0) and _TestNamed.last == _TestNamed(3)
    with pytest.raises(OutOfRangeError):
        add_constants(_TestNamed, too_far=4)


@pytest.mark.parametrize("name, snake", [
    ("AtomicNeuronOnDLS", "atomic_neuron_on_dls"),
    ("PADIBusOnDLS", "padi_bus_on_dls"),
    ("SynapseQuadOnSynram", "synapse_quad_on_synram"),
    ("PPUMemoryBlockOnPPU", "ppu_memory_block_on_ppu"),
    ("SPL1Address", "spl1_address"),
    ("CADCSampleQuadOnDLS", "cadc_sample_quad_on_dls"),
])
def test_snake_case(name, snake):
    assert snake_case(name) == snake
