"""Tests of every halco chip coordinate: generic properties (parametrized over all types) and the
chip geometry of hal_layers.md section 1.5 (sizes, conversions, crossbar, CapMem, PPU, labels).
"""

from __future__ import annotations

import copy
import functools
import pickle

import pytest
from hypothesis import given, settings, strategies as st

import halco
from halco import Grid, Interval, Nested, RangedInt, iter_all, snake_case
from halco.errors import CoordinateTypeError, InvalidCoordinateError, OutOfRangeError
from halco.hemisphere import HEMISPHERE_FAMILY

# Only halco's own types: test modules define local ``_Test*`` types that also register globally.
ALL_TYPES = tuple(
    t for t in halco.all_coordinate_types()
    if t.__module__.startswith("halco.") and not t.__name__.startswith("_Test")
)
RANGED = tuple(t for t in ALL_TYPES if issubclass(t, RangedInt))
GRIDS = tuple(t for t in ALL_TYPES if issubclass(t, Grid))
DENSE_GRIDS = tuple(t for t in GRIDS if t._table is None)
NESTED = tuple(t for t in ALL_TYPES if issubclass(t, Nested))

#: Types small enough to check every enum exhaustively.
EXHAUSTIVE_LIMIT = 1 << 14

PER_TYPE = settings(max_examples=10, deadline=None)
PROPERTY = settings(max_examples=100, deadline=None)


def _ids(types):
    return [t.__name__ for t in types]


def enum_lo(t) -> int:
    """First enum of a type (ranged ints with min > 0 keep their value as enum)."""
    return t.min if issubclass(t, RangedInt) else 0


def has_holes(t) -> bool:
    if issubclass(t, Interval):
        return True
    if issubclass(t, Nested):
        return has_holes(t.local_type)
    return False


@functools.cache
def valid_enums(t) -> st.SearchStrategy[int]:
    """Valid enums of ``t``: from ``enum_values()`` for small types, structurally for large ones."""
    if t.size <= EXHAUSTIVE_LIMIT:
        return st.sampled_from(list(t.enum_values()))
    if issubclass(t, Interval):
        n = t.bound_type.size
        return st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).map(
            lambda p: n * min(p) + max(p)
        )
    if issubclass(t, Nested):
        local = t.local_type
        return st.tuples(st.integers(0, t.parent_type.size - 1), valid_enums(local)).map(
            lambda pl: pl[0] * local.size + pl[1] - enum_lo(local)
        )
    lo = enum_lo(t)
    return st.integers(lo, lo + t.size - 1)


def _foreign(t):
    """An instance of some other coordinate type that ``t`` must refuse."""
    for cand in (halco.CrossbarOutputConfigOnDLS, halco.CrossbarOnDLS):
        if cand is not t:
            return cand()
    raise AssertionError


# ===============================================================================================
# 1. generic properties of every type
# ===============================================================================================

def test_registry_is_public_and_unique():
    names = [t.__name__ for t in ALL_TYPES]
    assert len(names) == len(set(names))
    assert len(ALL_TYPES) > 100
    for t in ALL_TYPES:
        assert getattr(halco, t.__name__) is t
        assert t.size >= 1


@pytest.mark.parametrize("T", ALL_TYPES, ids=_ids(ALL_TYPES))
@given(data=st.data())
@PER_TYPE
def test_enum_bijection(T, data):
    e = data.draw(valid_enums(T), label="enum")
    c = T.from_enum(e)
    assert type(c) is T
    assert c.to_enum() == e == int(c) == c.__index__()
    assert T.from_enum(c.to_enum()) == c
    assert T.from_enum(c) == c  # a coordinate of the same type is accepted as its enum


@pytest.mark.parametrize("T", ALL_TYPES, ids=_ids(ALL_TYPES))
@given(data=st.data())
@PER_TYPE
def test_equality_and_hash(T, data):
    e1 = data.draw(valid_enums(T), label="e1")
    e2 = data.draw(valid_enums(T), label="e2")
    a, b = T.from_enum(e1), T.from_enum(e2)
    assert (a == b) == (e1 == e2)
    assert (a != b) == (e1 != e2)
    assert a == T.from_enum(e1) and hash(a) == hash(T.from_enum(e1))
    if a == b:
        assert hash(a) == hash(b)


@pytest.mark.parametrize("T", ALL_TYPES, ids=_ids(ALL_TYPES))
@given(data=st.data())
@PER_TYPE
def test_ordering_consistent_with_enum(T, data):
    e1 = data.draw(valid_enums(T), label="e1")
    e2 = data.draw(valid_enums(T), label="e2")
    a, b = T.from_enum(e1), T.from_enum(e2)
    assert (a < b) == (e1 < e2)
    assert (a <= b) == (e1 <= e2)
    assert (a > b) == (e1 > e2)
    assert (a >= b) == (e1 >= e2)
    assert sorted([b, a]) == sorted([a, b])
    assert [c.to_enum() for c in sorted([b, a])] == sorted([e1, e2])


@pytest.mark.parametrize("T", ALL_TYPES, ids=_ids(ALL_TYPES))
@given(data=st.data())
@PER_TYPE
def test_pickle_copy_repr_dict_key(T, data):
    e = data.draw(valid_enums(T), label="enum")
    c = T.from_enum(e)
    for proto in (0, pickle.HIGHEST_PROTOCOL):
        r = pickle.loads(pickle.dumps(c, protocol=proto))
        assert type(r) is T and r == c and hash(r) == hash(c) and r.to_enum() == e
    assert copy.copy(c) == c and copy.deepcopy(c) == c
    assert type(copy.deepcopy(c)) is T
    assert repr(c).startswith(T.__name__ + "(")
    d = {c: "value"}
    assert d[T.from_enum(e)] == "value"
    assert d[pickle.loads(pickle.dumps(c))] == "value"
    assert T.from_enum(e) in {c}


@pytest.mark.parametrize("T", ALL_TYPES, ids=_ids(ALL_TYPES))
def test_first_and_last_valid_enum_and_beyond(T):
    lo = enum_lo(T)
    assert next(iter(T.enum_values())) == lo
    assert T.from_enum(lo).to_enum() == lo
    last = lo + T.size - 1
    assert T.from_enum(last).to_enum() == last  # the last enum is valid (also for intervals)
    for bad in (lo + T.size, lo - 1, lo + T.size + 1000):
        with pytest.raises(OutOfRangeError) as info:
            T.from_enum(bad)
        assert isinstance(info.value, ValueError) and isinstance(info.value, OverflowError)
        assert T.__name__ in str(info.value)


@pytest.mark.parametrize("T", ALL_TYPES, ids=_ids(ALL_TYPES))
def test_enum_values_are_exactly_the_valid_enums(T):
    """For small types every enum in range is tried; holes must raise InvalidCoordinateError."""
    if T.size > EXHAUSTIVE_LIMIT:
        values = []
        for i, e in enumerate(T.enum_values()):
            values.append(e)
            if i == 2000:
                break
        assert values == sorted(set(values))
        for e in values:
            T.from_enum(e)
        if not has_holes(T):
            assert values == list(range(enum_lo(T), enum_lo(T) + len(values)))
        return
    values = list(T.enum_values())
    assert values == sorted(set(values))
    lo = enum_lo(T)
    valid = set(values)
    for e in range(lo, lo + T.size):
        if e in valid:
            assert T.from_enum(e).to_enum() == e
        else:
            with pytest.raises(InvalidCoordinateError):
                T.from_enum(e)
    if not has_holes(T):
        assert len(values) == T.size
    coords = list(iter_all(T))
    assert [c.to_enum() for c in coords] == values
    assert coords == sorted(coords)


@pytest.mark.parametrize("T", ALL_TYPES, ids=_ids(ALL_TYPES))
def test_from_enum_rejects_non_integers(T):
    for bad in (1.0, float(enum_lo(T)), True, False, "0", None):
        with pytest.raises(CoordinateTypeError):
            T.from_enum(bad)


@pytest.mark.parametrize("T", ALL_TYPES, ids=_ids(ALL_TYPES))
def test_refuses_coordinate_of_another_type(T):
    other = _foreign(T)
    with pytest.raises(CoordinateTypeError):
        T(other)
    with pytest.raises(CoordinateTypeError):
        T.from_enum(other)
    c = T.from_enum(enum_lo(T))
    assert c != other and not c == other
    with pytest.raises(TypeError):
        c < other  # noqa: B015
    with pytest.raises(TypeError):
        other >= c  # noqa: B015


# -- RangedInt types ----------------------------------------------------------------------------

@pytest.mark.parametrize("T", RANGED, ids=_ids(RANGED))
def test_ranged_bounds(T):
    assert T.size == T.max - T.min + 1
    assert T(T.min).value() == T.min and T(T.max).value() == T.max
    assert T() == T(T.min)
    for bad in (T.max + 1, T.min - 1):
        with pytest.raises(OutOfRangeError) as info:
            T(bad)
        msg = str(info.value)
        assert T.__name__ in msg and str(bad) in msg
        assert str(T.min) in msg and str(T.max) in msg
        assert isinstance(info.value, ValueError) and isinstance(info.value, OverflowError)


@pytest.mark.parametrize("T", RANGED, ids=_ids(RANGED))
def test_ranged_rejects_float_and_bool(T):
    for bad in (float(T.min), float(T.max), 0.5, True, False, "1", b"1"):
        with pytest.raises(CoordinateTypeError) as info:
            T(bad)
        assert isinstance(info.value, TypeError)


@pytest.mark.parametrize("T", RANGED, ids=_ids(RANGED))
def test_ranged_value_is_enum(T):
    for v in sorted({T.min, min(T.min + 1, T.max), (T.min + T.max) // 2, T.max}):
        c = T(v)
        assert c.value() == v == c.to_enum() == int(c)
        assert T(c) == c
        assert T.from_enum(v) == c
        assert bool(c) == (v != 0)
        assert repr(c) == f"{T.__name__}({v})"


# ===============================================================================================
# 2. types never mix
# ===============================================================================================

@given(st.sampled_from(ALL_TYPES), st.sampled_from(ALL_TYPES), st.data())
@PROPERTY
def test_different_types_never_equal_nor_order(A, B, data):
    a = A.from_enum(data.draw(valid_enums(A), label="a"))
    b = B.from_enum(data.draw(valid_enums(B), label="b"))
    if A is B:
        return
    assert a != b and b != a
    assert not (a == b) and not (b == a)
    for op in ("__lt__", "__le__", "__gt__", "__ge__"):
        with pytest.raises(TypeError):
            getattr(a, op)(b)


def test_same_enum_different_types_are_distinct_keys():
    family = [t(1) for t in HEMISPHERE_FAMILY]
    assert len(set(family)) == len(family)
    assert halco.NeuronColumnOnDLS(3) != halco.SynapseOnSynapseRow(3)
    assert len({halco.NeuronColumnOnDLS(3): 0, halco.SynapseOnSynapseRow(3): 1}) == 2
    with pytest.raises(TypeError):
        sorted([halco.NeuronColumnOnDLS(3), halco.SynapseOnSynapseRow(4)])


@pytest.mark.parametrize("make", [
    lambda: halco.NeuronColumnOnDLS(halco.SynapseOnSynapseRow(3)),
    lambda: halco.SynapseOnSynapseRow(halco.NeuronColumnOnDLS(3)),
    lambda: halco.SynramOnDLS(halco.PPUOnDLS(1)),
    lambda: halco.PPUOnDLS(halco.HemisphereOnDLS(0)),
    lambda: halco.AtomicNeuronOnDLS(halco.SynapseOnSynapseRow(3), halco.NeuronRowOnDLS(0)),
    lambda: halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(3), halco.SynramOnDLS(0)),
    lambda: halco.AtomicNeuronOnDLS(halco.NeuronConfigOnDLS(3)),
    lambda: halco.SynapseRowOnDLS(halco.NeuronColumnOnDLS(3), halco.SynramOnDLS(0)),
    lambda: halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(3), halco.PPUOnDLS(1)),
    lambda: halco.SynapseRowOnDLS(halco.SynapseWeightRowOnDLS(3)),
    lambda: halco.SynapseOnDLS(halco.SynapseQuadOnSynram(0), halco.SynramOnDLS(0)),
    lambda: halco.PPUMemoryWordOnDLS(halco.PPUMemoryWordOnPPU(1), halco.SynramOnDLS(0)),
    lambda: halco.PPUMemoryBlockOnPPU(halco.NeuronColumnOnDLS(1), halco.PPUMemoryWordOnPPU(5)),
    lambda: halco.CrossbarNodeOnDLS(halco.PADIBusOnDLS(1), halco.CrossbarInputOnDLS(1)),
    lambda: halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock(0), halco.NeuronConfigBlockOnDLS(0)),
], ids=lambda f: "")
def test_wrong_coordinate_type_in_place_of_another(make):
    with pytest.raises(CoordinateTypeError):
        make()


# ===============================================================================================
# 3. grids
# ===============================================================================================

@pytest.mark.parametrize("T", DENSE_GRIDS, ids=_ids(DENSE_GRIDS))
@given(data=st.data())
@PER_TYPE
def test_dense_grid_xy_enum_bijection(T, data):
    X, Y = T.x_type, T.y_type
    xv = data.draw(st.integers(X.min, X.max), label="x")
    yv = data.draw(st.integers(Y.min, Y.max), label="y")
    g = T(X(xv), Y(yv))
    e = (yv - Y.min) * X.size + (xv - X.min)
    assert g.to_enum() == e
    assert T.from_enum(e) == g
    assert g.x == X(xv) and g.y == Y(yv)
    assert T(Y(yv), X(xv)) == g  # typed axes in either order
    assert T(x=X(xv), y=Y(yv)) == g
    assert T(xv, yv) == g
    assert getattr(g, "to_" + snake_case(X.__name__))() == X(xv)
    assert getattr(g, "to_" + snake_case(Y.__name__))() == Y(yv)
    assert T.size == X.size * Y.size


@pytest.mark.parametrize("T", GRIDS, ids=_ids(GRIDS))
@given(data=st.data())
@PER_TYPE
def test_grid_enum_to_xy_and_back(T, data):
    g = T.from_enum(data.draw(valid_enums(T), label="enum"))
    assert T(g.x, g.y) == g
    assert T(g.y, g.x) == g
    assert T(x=g.x, y=g.y) == g
    assert T.x_type.__name__ in repr(g) and T.y_type.__name__ in repr(g)


@pytest.mark.parametrize("T", GRIDS, ids=_ids(GRIDS))
def test_grid_axis_out_of_range(T):
    X, Y = T.x_type, T.y_type
    with pytest.raises(OutOfRangeError):
        T(X.max + 1, Y.min)
    with pytest.raises(OutOfRangeError):
        T(X.min, Y.max + 1)


def test_atomic_neuron_grid():
    n = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(3), halco.NeuronRowOnDLS(1))
    assert n.to_enum() == 259
    assert n.to_neuron_column_on_dls() == halco.NeuronColumnOnDLS(3)
    assert n.to_neuron_row_on_dls() == halco.NeuronRowOnDLS(1)
    assert halco.AtomicNeuronOnDLS(x=halco.NeuronColumnOnDLS(3), y=halco.NeuronRowOnDLS(1)) == n
    assert halco.AtomicNeuronOnDLS(halco.NeuronRowOnDLS(1), halco.NeuronColumnOnDLS(3)) == n
    assert halco.AtomicNeuronOnDLS() == halco.AtomicNeuronOnDLS.from_enum(0)
    assert halco.SynapseOnSynram(halco.SynapseOnSynapseRow(5), halco.SynapseRowOnSynram(2)).to_enum() == 517


# -- crossbar ------------------------------------------------------------------------------------

def _expected_crossbar_nodes() -> set[tuple[int, int]]:
    """(output, input) pairs from the connectivity rules of hal_layers.md 1.5."""
    nodes = set()
    for i in range(8):  # neuron event outputs -> top PADI i%4, bottom PADI i%4, L2 i%4
        nodes |= {(i % 4, i), (4 + i % 4, i), (8 + i % 4, i)}
    for j in range(4):  # L2 input j (crossbar input 8+j) -> all PADI buses and L2 output j
        nodes |= {(o, 8 + j) for o in range(8)} | {(8 + j, 8 + j)}
    for b in range(8):  # background source b (input 12+b) -> PADI b and L2 b%4
        nodes |= {(b, 12 + b), (8 + b % 4, 12 + b)}
    return nodes


def test_crossbar_has_76_nodes_matching_connectivity_rules():
    nodes = list(iter_all(halco.CrossbarNodeOnDLS))
    assert halco.CrossbarNodeOnDLS.size == 76 and len(nodes) == 76
    pairs = [(n.x.value(), n.y.value()) for n in nodes]
    assert set(pairs) == _expected_crossbar_nodes()
    assert len(set(pairs)) == 76
    # enum order is row by row over inputs, outputs ascending
    assert pairs == sorted(pairs, key=lambda p: (p[1], p[0]))


def test_crossbar_reference_example():
    out, inp = halco.CrossbarOutputOnDLS(9), halco.CrossbarInputOnDLS(13)
    node = halco.CrossbarNodeOnDLS(out, inp)
    assert node.to_enum() == 63
    assert halco.CrossbarNodeOnDLS(inp, out) == node
    assert halco.CrossbarNodeOnDLS(x=out, y=inp) == node
    assert halco.CrossbarNodeOnDLS.from_enum(63).x == out
    assert halco.CrossbarNodeOnDLS.from_enum(63).y == inp
    assert node.to_crossbar_output_on_dls() == out and node.to_crossbar_input_on_dls() == inp


def test_crossbar_pairs_without_node_raise():
    valid = _expected_crossbar_nodes()
    invalid = 0
    for o in range(12):
        for i in range(20):
            if (o, i) in valid:
                n = halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(o), halco.CrossbarInputOnDLS(i))
                assert (n.x.value(), n.y.value()) == (o, i)
                continue
            invalid += 1
            with pytest.raises(InvalidCoordinateError) as info:
                halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(o), halco.CrossbarInputOnDLS(i))
            assert isinstance(info.value, ValueError)
    assert invalid == 12 * 20 - 76
    with pytest.raises(InvalidCoordinateError):
        halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(1), halco.CrossbarInputOnDLS(0))


def test_crossbar_inputs_and_outputs():
    for i in range(20):
        inp = halco.CrossbarInputOnDLS(i)
        neo, spl1, bg = (inp.to_neuron_event_output_on_dls(), inp.to_spl1_address(),
                         inp.to_background_spike_source_on_dls())
        assert sum(x is not None for x in (neo, spl1, bg)) == 1
        if i < 8:
            assert neo == halco.NeuronEventOutputOnDLS.from_enum(i)
            assert neo.to_crossbar_input_on_dls() == inp
        elif i < 12:
            assert spl1 == halco.SPL1Address(i - 8) and spl1.to_crossbar_input_on_dls() == inp
        else:
            assert bg == halco.BackgroundSpikeSourceOnDLS(i - 12)
            assert bg.to_crossbar_input_on_dls() == inp
    for o in range(12):
        out = halco.CrossbarOutputOnDLS(o)
        padi, l2 = out.to_padi_bus_on_dls(), out.to_crossbar_l2_output_on_dls()
        assert (padi is None) != (l2 is None)
        if o < 8:
            assert padi == halco.PADIBusOnDLS.from_enum(o)
            assert padi.to_crossbar_output_on_dls() == out
            assert padi.parent == halco.PADIBusBlockOnDLS(o // 4)  # 0..3 top, 4..7 bottom
        else:
            assert l2 == halco.CrossbarL2OutputOnDLS(o - 8) and l2.to_crossbar_output_on_dls() == out


# ===============================================================================================
# 4. iter_all counts
# ===============================================================================================

@pytest.mark.parametrize("name, count", [
    ("AtomicNeuronOnDLS", 512),
    ("SynapseOnDLS", 131072),
    ("CrossbarNodeOnDLS", 76),
    ("CapMemCellOnDLS", 12480),
    ("UnusedCapMemCellOnDLS", 90),
    ("PPUMemoryWordOnDLS", 8192),
    ("NeuronConfigOnDLS", 512),
    ("SynapseQuadOnDLS", 32768),
    ("SynapseRowOnDLS", 512),
    ("SynapseDriverOnDLS", 256),
    ("PADIBusOnDLS", 8),
    ("CapMemCellOnCapMemBlock", 3120),
    ("CADCChannelConfigOnDLS", 1024),
    ("CADCSampleQuadOnDLS", 131072),
    ("AtomicNeuronOnLogicalNeuron", 256),
    ("CompartmentOnLogicalNeuron", 255),
    ("SpikePackFromFPGAOnDLS", 3),
    ("PPUMemoryBlockSize", 4096),
])
def test_iter_all_counts(name, count):
    T = getattr(halco, name)
    items = list(iter_all(T))
    assert len(items) == count == T.size
    assert all(type(c) is T for c in items[:10])
    assert items[0].to_enum() == enum_lo(T)
    assert items[-1].to_enum() == enum_lo(T) + count - 1


def test_iter_all_distinct_and_ordered_for_large_type():
    items = list(iter_all(halco.SynapseOnDLS))
    assert len(set(items)) == 131072
    assert [c.to_enum() for c in items] == list(range(131072))


def test_iter_all_of_two_types_is_product():
    got = list(iter_all(halco.SynramOnDLS, halco.EntryOnQuad))
    assert got == [(halco.SynramOnDLS(s), halco.EntryOnQuad(e)) for s in range(2) for e in range(4)]
    assert len(list(iter_all(halco.AtomicNeuronOnDLS, halco.CrossbarNodeOnDLS))) == 512 * 76
    assert len(list(iter_all(halco.PPUOnDLS, halco.UnusedCapMemCellOnDLS, halco.PADIBusOnDLS))) == 2 * 90 * 8


# ===============================================================================================
# 5. conversions
# ===============================================================================================

# -- neurons -------------------------------------------------------------------------------------

def test_atomic_neuron_to_neuron_config_same_enum():
    for n in iter_all(halco.AtomicNeuronOnDLS):
        cfg = n.to_neuron_config_on_dls()
        assert type(cfg) is halco.NeuronConfigOnDLS
        assert cfg.to_enum() == n.to_enum()
        assert cfg.to_atomic_neuron_on_dls() == n
        col, row = n.x.value(), n.y.value()
        assert cfg.parent == halco.NeuronConfigBlockOnDLS(2 * row + col // 128)
        assert cfg.local == halco.NeuronConfigOnNeuronConfigBlock(col % 128)
        assert n.to_neuron_config_block_on_dls() == cfg.parent
        assert n.to_capmem_block_on_dls() == halco.CapMemBlockOnDLS(cfg.parent.value())
        assert cfg.parent.to_capmem_block_on_dls() == n.to_capmem_block_on_dls()
        assert n.to_capmem_column_on_capmem_block() == halco.CapMemColumnOnCapMemBlock(col % 128)
        assert n.to_hemisphere_on_dls() == halco.HemisphereOnDLS(row)
        assert n.to_synram_on_dls() == halco.SynramOnDLS(row)


def test_atomic_neuron_backend_round_trip():
    seen = set()
    for n in iter_all(halco.AtomicNeuronOnDLS):
        b = n.to_neuron_backend_config_on_dls()
        assert type(b) is halco.NeuronBackendConfigOnDLS
        assert b.to_atomic_neuron_on_dls() == n
        col, row = n.x.value(), n.y.value()
        assert b.parent == halco.NeuronBackendConfigBlockOnDLS(col // 128)  # west / east
        assert b.local == halco.NeuronBackendConfigOnNeuronBackendConfigBlock(row * 128 + col % 128)
        assert n.x.to_neuron_backend_config_block_on_dls() == b.parent
        seen.add(b)
    assert len(seen) == 512


@pytest.mark.parametrize("method, T", [
    ("to_neuron_reset_on_dls", "NeuronResetOnDLS"),
    ("to_spike_counter_read_on_dls", "SpikeCounterReadOnDLS"),
    ("to_spike_counter_reset_on_dls", "SpikeCounterResetOnDLS"),
])
def test_reset_and_spike_counter_agree_with_backend(method, T):
    T = getattr(halco, T)
    for n in iter_all(halco.AtomicNeuronOnDLS):
        c = getattr(n, method)()
        assert type(c) is T
        assert c.to_enum() == n.to_neuron_backend_config_on_dls().to_enum()
        assert c.to_atomic_neuron_on_dls() == n


def test_neuron_reset_quad_covers_its_quad_columns():
    seen = set()
    for q in iter_all(halco.NeuronResetQuadOnDLS):
        resets = q.to_neuron_reset_on_dls()
        assert len(resets) == 4
        row = halco.NeuronRowOnDLS(q.parent.value())
        cols = q.local.to_neuron_column_on_dls()
        for r, col in zip(resets, cols):
            assert r.to_atomic_neuron_on_dls() == halco.AtomicNeuronOnDLS(col, row)
        seen.update(resets)
    assert len(seen) == 512


def test_neuron_column_to_event_output():
    for c in range(256):
        col = halco.NeuronColumnOnDLS(c)
        out = col.to_neuron_event_output_on_dls()
        assert type(out) is halco.NeuronEventOutputOnDLS
        assert out.to_enum() == c // 32
        assert col in out.to_neuron_column_on_dls()
        assert out.parent == halco.NeuronBackendConfigBlockOnDLS(c // 128)
        assert out.to_crossbar_input_on_dls() == halco.CrossbarInputOnDLS(c // 32)
        for r in range(2):
            n = halco.AtomicNeuronOnDLS(col, halco.NeuronRowOnDLS(r))
            assert n.to_neuron_event_output_on_dls() == out
        assert col.to_synapse_on_synapse_row() == halco.SynapseOnSynapseRow(c)
        assert halco.SynapseOnSynapseRow(c).to_neuron_column_on_dls() == col
    for o in iter_all(halco.NeuronEventOutputOnDLS):
        assert len(o.to_neuron_column_on_dls()) == 32


# -- synapses ------------------------------------------------------------------------------------

def test_quad_interleaving_round_trip_for_all_columns():
    seen = set()
    for s in range(256):
        syn = halco.SynapseOnSynapseRow(s)
        quad = syn.to_synapse_quad_column_on_dls()
        entry = syn.to_entry_on_quad()
        assert quad == halco.SynapseQuadColumnOnDLS((s % 2) * 32 + s // 8)
        assert entry == halco.EntryOnQuad((s // 2) % 4)
        cols = quad.to_synapse_on_synapse_row()
        assert len(cols) == 4
        assert cols[entry] == syn
        assert cols[entry.value()] == syn
        assert quad.to_neuron_column_on_dls()[entry] == halco.NeuronColumnOnDLS(s)
        assert (quad.value() < 32) == (s % 2 == 0)  # even columns in quads 0..31
        seen.add((quad, entry))
    assert len(seen) == 256


def test_quad_column_to_columns_is_inverse():
    for q in iter_all(halco.SynapseQuadColumnOnDLS):
        for e, s in enumerate(q.to_synapse_on_synapse_row()):
            assert s.to_synapse_quad_column_on_dls() == q
            assert s.to_entry_on_quad() == halco.EntryOnQuad(e)


def test_synapse_to_quad_on_synram():
    for s in (0, 1, 7, 8, 128, 255):
        for r in (0, 255):
            syn = halco.SynapseOnSynram(halco.SynapseOnSynapseRow(s), halco.SynapseRowOnSynram(r))
            quad = syn.to_synapse_quad_on_synram()
            assert quad.x == halco.SynapseOnSynapseRow(s).to_synapse_quad_column_on_dls()
            assert quad.y == halco.SynapseRowOnSynram(r)


def test_synapse_quad_to_neuron_config_block_agrees_with_neurons():
    for synram in range(2):
        for q in range(64):
            quad = halco.SynapseQuadOnDLS(
                halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(q), halco.SynapseRowOnSynram(0)),
                halco.SynramOnDLS(synram),
            )
            block = quad.to_neuron_config_block_on_dls()
            assert block == halco.NeuronConfigBlockOnDLS(synram * 2 + int((q % 32) >= 16))
            for col in halco.SynapseQuadColumnOnDLS(q).to_neuron_column_on_dls():
                n = halco.AtomicNeuronOnDLS(col, halco.NeuronRowOnDLS(synram))
                assert n.to_neuron_config_block_on_dls() == block


def test_row_and_synapse_driver():
    for r in range(256):
        row = halco.SynapseRowOnSynram(r)
        d = row.to_synapse_driver_on_synapse_driver_block()
        assert d == halco.SynapseDriverOnSynapseDriverBlock(r // 2)
        which = row.to_synapse_row_on_synapse_driver()
        expected = halco.SynapseRowOnSynapseDriver.top if r % 2 else halco.SynapseRowOnSynapseDriver.bottom
        assert which == expected
        assert d.to_synapse_row_on_synram()[which] == row
    for d in range(128):
        drv = halco.SynapseDriverOnSynapseDriverBlock(d)
        top, bottom = drv.to_synapse_row_on_synram()
        assert top == halco.SynapseRowOnSynram(2 * d + 1)
        assert bottom == halco.SynapseRowOnSynram(2 * d)
        assert drv.to_synapse_row_on_synram()[halco.SynapseRowOnSynapseDriver.top] == top
        assert drv.to_padi_bus_on_padi_bus_block() == halco.PADIBusOnPADIBusBlock(d % 4)
        assert drv.to_synapse_driver_on_padi_bus() == halco.SynapseDriverOnPADIBus(d // 4)


def test_synapse_driver_on_dls():
    per_bus: dict = {}
    for drv in iter_all(halco.SynapseDriverOnDLS):
        e, d, hemi = drv.to_enum(), drv.local.value(), drv.parent.value()
        assert drv.to_padi_bus_on_dls() == halco.PADIBusOnDLS(
            halco.PADIBusOnPADIBusBlock(d % 4), halco.PADIBusBlockOnDLS(hemi))
        assert drv.to_capmem_block_on_dls() == halco.CapMemBlockOnDLS(2 * hemi + d % 2)
        assert drv.to_hemisphere_on_dls() == halco.HemisphereOnDLS(hemi)
        rows = drv.to_synapse_row_on_dls()
        assert rows == (halco.SynapseRowOnDLS.from_enum(2 * e), halco.SynapseRowOnDLS.from_enum(2 * e + 1))
        for row in rows:
            assert row.to_synapse_driver_on_dls() == drv
            assert row.parent.value() == hemi
        per_bus.setdefault(drv.to_padi_bus_on_dls(), set()).add(
            drv.local.to_synapse_driver_on_padi_bus())
    assert len(per_bus) == 8
    assert all(len(v) == 32 for v in per_bus.values())


def test_hemisphere_family_identity_conversions():
    assert len(HEMISPHERE_FAMILY) == 25
    assert halco.SynramOnDLS(1).to_ppu_on_dls() == halco.PPUOnDLS(1)
    assert halco.PPUOnDLS(0).to_neuron_row_on_dls() == halco.NeuronRowOnDLS(0)
    for A in HEMISPHERE_FAMILY:
        assert A.size == 2
        assert A.top == A(0) and A.bottom == A(1)
        for B in HEMISPHERE_FAMILY:
            if A is B:
                continue
            for v in range(2):
                got = getattr(A(v), "to_" + snake_case(B.__name__))()
                assert type(got) is B and got == B(v)


@pytest.mark.parametrize("family", [
    ("SynapseRowOnDLS", "SynapseWeightRowOnDLS", "SynapseLabelRowOnDLS",
     "SynapseCorrelationCalibRowOnDLS", "CorrelationResetRowOnDLS", "CADCSampleRowOnDLS"),
    ("SynapseQuadOnDLS", "SynapseWeightQuadOnDLS", "SynapseLabelQuadOnDLS",
     "SynapseCorrelationCalibQuadOnDLS", "CorrelationResetOnDLS"),
], ids=["rows", "quads"])
def test_synapse_families_identity_conversions(family):
    types = [getattr(halco, n) for n in family]
    for A in types:
        for B in types:
            if A is B:
                continue
            for e in (0, 1, A.size // 2, A.size - 1):
                got = getattr(A.from_enum(e), "to_" + snake_case(B.__name__))()
                assert type(got) is B and got.to_enum() == e


def test_padi_bus_on_dls():
    for bus in iter_all(halco.PADIBusOnDLS):
        assert bus.to_enum() == bus.parent.value() * 4 + bus.local.value()
        assert bus.to_crossbar_output_on_dls().to_enum() == bus.to_enum()
        assert bus.to_crossbar_output_on_dls().to_padi_bus_on_dls() == bus


def test_named_constants():
    assert halco.SynapticInputOnNeuron.excitatory == halco.SynapticInputOnNeuron(0)
    assert halco.SynapticInputOnNeuron.inhibitory == halco.SynapticInputOnNeuron(1)
    assert halco.CADCChannelType.causal.value() == 0 and halco.CADCChannelType.acausal.value() == 1
    assert halco.CADCReadoutType.trigger_read.value() == 0 and halco.CADCReadoutType.buffered.value() == 1
    assert halco.CapMemBlockOnHemisphere.left.value() == 0 and halco.CapMemBlockOnHemisphere.right.value() == 1


def test_cadc_sample_quad_composition():
    quad = halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(5), halco.SynapseRowOnSynram(7))
    c = halco.CADCSampleQuadOnDLS.of(quad, 1, 1, 1)
    inner = c.local.local
    assert inner.local == quad and inner.parent == halco.CADCChannelType.acausal
    assert c.local.parent == halco.CADCReadoutType.buffered and c.parent == halco.SynramOnDLS(1)
    assert c.to_enum() == ((1 * 2 + 1) * 2 + 1) * 16384 + quad.to_enum()


# -- CapMem --------------------------------------------------------------------------------------

def test_capmem_named_rows():
    R = halco.CapMemRowOnCapMemBlock
    assert R.v_leak == R(0) and R.i_bias_nmda == R(23)
    assert R.v_threshold == R(2) and R.i_bias_synin_inh_gm == R(17) and R.i_mem_offset == R(22)
    assert len(halco.CAPMEM_ROW_NAMES) == 24
    assert sorted(halco.CAPMEM_ROW_NAMES.values()) == list(range(24))
    for name, v in halco.CAPMEM_ROW_NAMES.items():
        assert getattr(R, name) == R(v)
        assert R(v).name() == name


def test_capmem_named_cells():
    C = halco.CapMemCellOnCapMemBlock
    slope = C.cadc_i_ramp_slope
    assert type(slope) is C
    assert (slope.x.value(), slope.y.value()) == (128, 15)
    assert slope.is_shared()
    assert (C.stp_v_charge_0.x.value(), C.stp_v_charge_0.y.value()) == (128, 0)
    assert (C.syn_i_bias_dac.x.value(), C.syn_i_bias_dac.y.value()) == (128, 8)
    D = halco.CapMemCellOnDLS
    hagen = D.hagen_ibias_dac_top
    assert type(hagen) is D
    assert hagen.parent == halco.CapMemBlockOnDLS(1)
    assert (hagen.local.x.value(), hagen.local.y.value()) == (128, 22)
    ref = D.readout_sc_amp_v_ref
    assert ref.parent == halco.CapMemBlockOnDLS(0) and (ref.local.x.value(), ref.local.y.value()) == (128, 6)
    for name, (c, r, b) in halco.CAPMEM_DLS_CELL_NAMES.items():
        cell = getattr(D, name)
        assert (cell.local.x.value(), cell.local.y.value(), cell.parent.value()) == (c, r, b)


def _named_capmem_cells() -> list:
    cells = [
        halco.CapMemCellOnDLS(getattr(halco.CapMemCellOnCapMemBlock, n), halco.CapMemBlockOnDLS(b))
        for n in halco.CAPMEM_BLOCK_CELL_NAMES for b in range(4)
    ]
    cells += [getattr(halco.CapMemCellOnDLS, n) for n in halco.CAPMEM_DLS_CELL_NAMES]
    return cells


def test_capmem_named_cells_distinct_and_shared():
    named = _named_capmem_cells()
    assert len(set(named)) == len(named) == 4 * len(halco.CAPMEM_BLOCK_CELL_NAMES) + len(
        halco.CAPMEM_DLS_CELL_NAMES)
    assert all(c.local.is_shared() for c in named)


def test_capmem_unused_cells_disjoint_from_named():
    unused = [u.to_capmem_cell_on_dls() for u in iter_all(halco.UnusedCapMemCellOnDLS)]
    assert len(unused) == len(set(unused)) == 90
    assert not set(unused) & set(_named_capmem_cells())
    assert all(c.local.is_shared() for c in unused)
    # named + unused cover every shared cell of the chip exactly once
    shared = {c for c in iter_all(halco.CapMemCellOnDLS) if c.local.is_shared()}
    assert len(shared) == 4 * 2 * 24
    assert set(unused) | set(_named_capmem_cells()) == shared
    assert [c.to_enum() for c in unused] == sorted(c.to_enum() for c in unused)


def test_capmem_blocks():
    for b in range(4):
        blk = halco.CapMemBlockOnDLS(b)
        assert blk.to_capmem_block_on_hemisphere() == halco.CapMemBlockOnHemisphere(b % 2)
        assert blk.to_hemisphere_on_dls() == halco.HemisphereOnDLS(b // 2)
        assert blk.to_neuron_config_block_on_dls() == halco.NeuronConfigBlockOnDLS(b)
    for c in range(130):
        assert halco.CapMemColumnOnCapMemBlock(c).is_shared() == (c >= 128)
    cell = halco.CapMemCellOnDLS(
        halco.CapMemCellOnCapMemBlock(halco.CapMemColumnOnCapMemBlock(3), halco.CapMemRowOnCapMemBlock(2)),
        halco.CapMemBlockOnDLS(2))
    assert cell.to_enum() == 2 * 3120 + 2 * 130 + 3


# -- PPU -----------------------------------------------------------------------------------------

def test_ppu_memory_constants():
    assert halco.PPUMemoryWordOnPPU.return_code == halco.PPUMemoryWordOnPPU(3071)
    assert halco.PPUMemoryWordOnPPU.size == 4096
    mb = halco.PPUMemoryBlockOnPPU.mailbox
    assert type(mb) is halco.PPUMemoryBlockOnPPU
    assert mb.to_min() == halco.PPUMemoryWordOnPPU(3072)
    assert mb.to_max() == halco.PPUMemoryWordOnPPU(4095)
    assert mb.length() == len(mb) == 1024
    assert mb.to_ppu_memory_block_size() == halco.PPUMemoryBlockSize(1024)
    assert mb[0] == halco.PPUMemoryWordOnPPU(3072) and mb[1023] == halco.PPUMemoryWordOnPPU(4095)
    assert mb.contains(halco.PPUMemoryWordOnPPU(3072)) and not mb.contains(halco.PPUMemoryWordOnPPU.return_code)
    assert mb.to_enum() == 4096 * 3072 + 4095


@given(st.integers(0, 4095), st.integers(0, 4095))
@PROPERTY
def test_ppu_memory_block(a, b):
    if a > b:
        with pytest.raises(InvalidCoordinateError):
            halco.PPUMemoryBlockOnPPU(halco.PPUMemoryWordOnPPU(a), halco.PPUMemoryWordOnPPU(b))
        with pytest.raises(InvalidCoordinateError):
            halco.PPUMemoryBlockOnPPU.from_enum(4096 * a + b)
        return
    blk = halco.PPUMemoryBlockOnPPU(halco.PPUMemoryWordOnPPU(a), halco.PPUMemoryWordOnPPU(b))
    assert blk.to_enum() == 4096 * a + b
    assert len(blk) == b - a + 1
    assert blk.to_ppu_memory_block_size().value() == b - a + 1
    on_dls = halco.PPUMemoryBlockOnDLS(blk, halco.PPUOnDLS(1))
    assert on_dls.local == blk and on_dls.parent == halco.PPUOnDLS(1)
    assert halco.PPUMemoryBlockOnDLS.from_enum(on_dls.to_enum()) == on_dls


def test_ppu_memory_word_on_dls():
    for ppu in range(2):
        for w in (0, 1, 3071, 4095):
            word = halco.PPUMemoryWordOnDLS(halco.PPUMemoryWordOnPPU(w), halco.PPUOnDLS(ppu))
            assert word.to_enum() == ppu * 4096 + w
            assert word.split() == (halco.PPUOnDLS(ppu), halco.PPUMemoryWordOnPPU(w))
    assert halco.PPUMemoryBlockSize() == halco.PPUMemoryBlockSize(1)
    with pytest.raises(OutOfRangeError):
        halco.PPUMemoryBlockSize(0)


# -- spike labels --------------------------------------------------------------------------------

VIEWS = {
    "spl1_address": (15, 14),
    "neuron_label": (13, 0),
    "padi_label": (9, 0),
    "neuron_event_output": (10, 8),
    "neuron_backend_address_out": (7, 0),
    "row_select_address": (10, 6),
    "synapse_label": (5, 0),
}


def _bits(v: int, hi: int, lo: int) -> int:
    return (v >> lo) & ((1 << (hi - lo + 1)) - 1)


def test_spike_label_view_table():
    assert dict(halco.SpikeLabel.views) == VIEWS
    assert halco.SpikeLabel.size == 1 << 16


@given(st.integers(0, 0xFFFF))
@PROPERTY
def test_spike_label_views(v):
    label = halco.SpikeLabel(v)
    for name, (hi, lo) in VIEWS.items():
        assert int(getattr(label, name)) == _bits(v, hi, lo), name
    assert label.spl1_address == halco.SPL1Address(v >> 14)
    assert label.synapse_label == halco.SynapseLabel(v & 0x3F)
    assert label.row_select_address == halco.PADIRowSelectAddress(_bits(v, 10, 6))
    assert label.neuron_backend_address_out == halco.NeuronBackendAddressOut(v & 0xFF)
    assert label.neuron_event_output == halco.NeuronEventOutputOnDLS.from_enum(_bits(v, 10, 8))


@given(st.integers(0, 0xFFFF), st.sampled_from(sorted(VIEWS)), st.data())
@PROPERTY
def test_spike_label_replace(v, name, data):
    hi, lo = VIEWS[name]
    width = hi - lo + 1
    w = data.draw(st.integers(0, (1 << width) - 1), label="view value")
    label = halco.SpikeLabel(v)
    new = label.replace(**{name: w})
    assert type(new) is halco.SpikeLabel
    assert int(getattr(new, name)) == w
    mask = ((1 << width) - 1) << lo
    assert new.value() & ~mask == v & ~mask  # other bits untouched
    assert label.value() == v  # labels are values
    assert halco.SpikeLabel.from_views(**{name: w}).value() == w << lo


@given(st.sampled_from(sorted(VIEWS)), st.data())
@PROPERTY
def test_spike_label_view_out_of_range(name, data):
    hi, lo = VIEWS[name]
    limit = 1 << (hi - lo + 1)
    bad = data.draw(st.one_of(st.integers(limit, limit * 4), st.integers(-limit, -1)), label="bad")
    with pytest.raises(OutOfRangeError):
        halco.SpikeLabel(0).replace(**{name: bad})
    with pytest.raises(OutOfRangeError):
        halco.SpikeLabel.from_views(**{name: bad})


def test_spike_label_from_views():
    label = halco.SpikeLabel.from_views(row_select_address=3, synapse_label=7)
    assert label == halco.SpikeLabel((3 << 6) | 7)
    full = halco.SpikeLabel.from_views(spl1_address=2, neuron_event_output=5,
                                       neuron_backend_address_out=0x1F)
    assert full.value() == (2 << 14) | (5 << 8) | 0x1F
    assert halco.SpikeLabel.from_views(synapse_label=halco.SynapseLabel(9)).synapse_label.value() == 9
    with pytest.raises(ValueError):
        halco.SpikeLabel(0).replace(no_such_view=1)
    with pytest.raises(OutOfRangeError):
        halco.SpikeLabel(1 << 16)


def test_spike_label_views_reject_floats_and_bools():
    with pytest.raises(halco.errors.CoordinateTypeError, match="synapse_label"):
        halco.SpikeLabel(0).replace(synapse_label=3.7)
    with pytest.raises(TypeError):
        halco.SpikeLabel.from_views(row_select_address=True)
    assert halco.SpikeLabel(0).replace(synapse_label=halco.SynapseLabel(5)).synapse_label == halco.SynapseLabel(5)


def test_generated_conversion_names_spell_capmem_as_one_word():
    cell = halco.CapMemCellOnDLS(7)
    assert cell.to_capmem_block_on_dls() == halco.CapMemBlockOnDLS(0)
    assert cell.to_capmem_cell_on_capmem_block() == halco.CapMemCellOnCapMemBlock(7)
    assert not hasattr(cell, "to_cap_mem_block_on_dls")
