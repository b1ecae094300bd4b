"""lola synapse containers: rows, matrices, correlation reset, synapse driver block.

Validation, round trips, the quad interleaving against halco and haldls (oracles built quad by quad
here, in the test only), instruction counts, differential writes and the emulated chip.
"""

from __future__ import annotations

import copy
import pickle
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import halco
import haldls
import lola
import stadls
from haldls import wire
from haldls.errors import AccessError, CoordinateMismatchError
from haldls.v3 import addresses as A
from lola.errors import LolaError, LolaTypeError, LolaValueError
from lola.synapse import COLUMN_OF_QUAD_ENTRY, SYNAPSE_ARRAY_CONTAINERS
from stadls.errors import BuilderError

ROWS = [c for c in SYNAPSE_ARRAY_CONTAINERS if c.shape == (256,)]
MATRICES = [c for c in SYNAPSE_ARRAY_CONTAINERS if c.shape == (256, 256)]
WITH_FIELDS = [c for c in SYNAPSE_ARRAY_CONTAINERS if tuple(c.schema())]
ALL = [*SYNAPSE_ARRAY_CONTAINERS, lola.SynapseDriverBlock]

#: container -> (coordinate type, haldls quad type, field names)
EXPECTED = {
    lola.SynapseWeightRow: (halco.SynapseWeightRowOnDLS, haldls.SynapseWeightQuad, ("values",)),
    lola.SynapseLabelRow: (halco.SynapseLabelRowOnDLS, haldls.SynapseLabelQuad, ("values",)),
    lola.SynapseCorrelationCalibRow: (halco.SynapseCorrelationCalibRowOnDLS, haldls.SynapseCorrelationCalibQuad,
                                      ("time_calibs", "amp_calibs")),
    lola.SynapseRow: (halco.SynapseRowOnDLS, haldls.SynapseQuad,
                      ("weights", "labels", "time_calibs", "amp_calibs")),
    lola.CorrelationResetRow: (halco.CorrelationResetRowOnDLS, haldls.CorrelationReset, ()),
    lola.SynapseWeightMatrix: (halco.SynapseWeightMatrixOnDLS, haldls.SynapseWeightQuad, ("values",)),
    lola.SynapseLabelMatrix: (halco.SynapseLabelMatrixOnDLS, haldls.SynapseLabelQuad, ("values",)),
    lola.SynapseCorrelationCalibMatrix: (halco.SynapseCorrelationCalibMatrixOnDLS,
                                         haldls.SynapseCorrelationCalibQuad, ("time_calibs", "amp_calibs")),
    lola.SynapseMatrix: (halco.SynapseMatrixOnDLS, haldls.SynapseQuad,
                         ("weights", "labels", "time_calibs", "amp_calibs")),
}
MAXIMUM = {"values": 63, "weights": 63, "labels": 63, "time_calibs": 3, "amp_calibs": 3}


def random_container(cls, seed=0):
    """A container with every field drawn uniformly from its range."""
    rng = np.random.default_rng(seed)
    return cls(**{name: rng.integers(0, MAXIMUM[name] + 1, cls.shape) for name in tuple(cls.schema())})


def coordinate(cls, enum):
    return cls.coordinate_type.from_enum(enum)


def quad_coordinate(quad_type, synram, row, quad_column):
    return quad_type.coordinate_type(
        halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(quad_column), halco.SynapseRowOnSynram(row)),
        halco.SynramOnDLS(synram))


def run(builder):
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, builder.done())
        return connection


# -- structure -------------------------------------------------------------------------------------

def test_containers_are_exported_and_registered():
    assert set(EXPECTED) == set(SYNAPSE_ARRAY_CONTAINERS)
    for cls, (coord_type, quad, names) in EXPECTED.items():
        assert cls.__name__ in lola.__all__ and getattr(lola, cls.__name__) is cls
        assert cls.coordinate_type is coord_type and cls.quad_type is quad
        assert tuple(cls.schema()) == names
        assert lola.container_for(coord_type) is cls
        assert lola.container_for(coord_type.from_enum(1)) is cls
        rows = 1 if cls.shape == (256,) else 256
        assert cls.n_quads == 64 * rows and cls.n_words == 64 * rows * quad.n_words
    assert lola.container_for(halco.SynapseDriverBlockOnDLS(1)) is lola.SynapseDriverBlock
    assert "SynapseDriverBlock" in lola.__all__
    # the quads themselves stay haldls containers
    assert lola.container_for(halco.SynapseQuadOnDLS()) is haldls.SynapseQuad


def test_access_flags():
    for cls in SYNAPSE_ARRAY_CONTAINERS:
        assert cls.writable and not cls.is_block_until
        assert cls.readable == (cls is not lola.CorrelationResetRow)
        assert cls.differential_write == (cls is not lola.CorrelationResetRow)
    block = lola.SynapseDriverBlock
    assert block.readable and block.writable and block.differential_write and not block.is_block_until


def test_defaults_are_zero_arrays_of_the_right_shape():
    for cls in WITH_FIELDS:
        c = cls()
        for name in tuple(cls.schema()):
            value = getattr(c, name)
            assert isinstance(value, np.ndarray) and value.shape == cls.shape and value.dtype == np.int64
            assert not value.any()
    assert lola.CorrelationResetRow() == lola.CorrelationResetRow()


def test_docstrings_list_fields_and_ranges():
    assert "weights: int64 array of shape (256, 256), indexed [row][column], values in [0, 63]" \
        in lola.SynapseMatrix.__doc__
    assert "time_calibs: int64 array of shape (256,), indexed [column], values in [0, 3]" \
        in lola.SynapseCorrelationCalibRow.__doc__


# -- the quad interleaving -------------------------------------------------------------------------

def test_column_of_quad_entry_agrees_with_halco_for_every_column():
    for s in range(256):
        column = halco.SynapseOnSynapseRow(s)
        q = column.to_synapse_quad_column_on_dls().to_enum()
        e = column.to_entry_on_quad().to_enum()
        assert (q, e) == ((s % 2) * 32 + s // 8, (s // 2) % 4)
        assert COLUMN_OF_QUAD_ENTRY[q, e] == s
    for q in range(64):
        assert [c.to_enum() for c in halco.SynapseQuadColumnOnDLS(q).to_synapse_on_synapse_row()] \
            == COLUMN_OF_QUAD_ENTRY[q].tolist()


def test_golden_column_9_is_quad_33_entry_0():
    row = lola.SynapseWeightRow()
    row.values[9] = 1
    coord = halco.SynapseWeightRowOnDLS(halco.SynapseRowOnSynram(5), halco.SynramOnDLS(1))
    words = row.encode()
    assert words.dtype == np.uint32 and words.shape == (64,)
    # entry 0 is the most significant byte; weight bit 0 goes to raw bit 4
    assert np.flatnonzero(words).tolist() == [33]
    assert words[33] == 0x1000_0000
    instructions = row.encode_write(coord)
    assert instructions[33]["address"] == A.SYNAPSE_WEIGHTS[1] + 5 * 64 + 33
    # the bit-permuted word is the one haldls gives for the same quad
    row.values = np.random.default_rng(3).integers(0, 64, 256)
    words = row.encode()
    quad = [int(row.values[s]) for s in (9, 11, 13, 15)]
    assert words[33] == haldls.SynapseWeightQuad(values=quad).encode()[0]
    assert instructions[33]["address"] == haldls.SynapseWeightQuad.addresses(
        quad_coordinate(haldls.SynapseWeightQuad, 1, 5, 33))[0]


def oracle_words(container, rows):
    """Words and addresses of ``rows`` (row index, coordinate enum of the row) built quad by quad
    with halco's conversions and the scalar haldls codec."""
    quad = container.quad_type
    words, addresses = [], []
    for row, row_enum in rows:
        synram, local_row = divmod(row_enum, 256)
        for q in range(64):
            columns = [c.to_enum() for c in halco.SynapseQuadColumnOnDLS(q).to_synapse_on_synapse_row()]
            values = {name: [int(getattr(container, name)[(row, c) if container.shape != (256,) else c])
                             for c in columns] for name in tuple(container.schema())}
            words.extend(quad(**values).encode().tolist())
            addresses.extend(quad.addresses(quad_coordinate(quad, synram, local_row, q)).tolist())
    return words, addresses


@pytest.mark.parametrize("cls", ROWS, ids=lambda c: c.__name__)
def test_row_words_and_addresses_match_haldls_quad_by_quad(cls):
    row = random_container(cls, seed=11)
    coord = halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(201), halco.SynramOnDLS(1))
    coord = cls.coordinate_type(coord.local, coord.parent)
    instructions = row.encode_write(coord)
    words, addresses = oracle_words(row, [(None, coord.to_enum())])
    assert instructions["opcode"].tolist() == [wire.Opcode.WRITE] * len(words)
    assert instructions["data"].tolist() == words == row.encode().tolist()
    assert instructions["address"].tolist() == addresses
    reads = cls.encode_read(coord) if cls.readable else None
    if reads is not None:
        assert reads["opcode"].tolist() == [wire.Opcode.READ] * len(words)
        assert reads["address"].tolist() == addresses
        assert cls.read_response_count(coord) == len(words)


@pytest.mark.parametrize("cls", MATRICES, ids=lambda c: c.__name__)
def test_matrix_words_and_addresses_match_haldls_quad_by_quad(cls):
    matrix = random_container(cls, seed=12)
    coord = cls.coordinate_type(1)
    instructions = matrix.encode_write(coord)
    per_row = 64 * cls.quad_type.n_words
    for row in (0, 1, 128, 255):
        words, addresses = oracle_words(matrix, [(row, 256 + row)])
        chunk = instructions[row * per_row:(row + 1) * per_row]
        assert chunk["data"].tolist() == words
        assert chunk["address"].tolist() == addresses


@pytest.mark.parametrize("cls", MATRICES, ids=lambda c: c.__name__)
def test_matrix_rows_are_the_row_containers(cls):
    """Row r of a matrix writes what the row container with row r of the arrays writes."""
    row_type = {lola.SynapseWeightMatrix: lola.SynapseWeightRow, lola.SynapseLabelMatrix: lola.SynapseLabelRow,
                lola.SynapseCorrelationCalibMatrix: lola.SynapseCorrelationCalibRow,
                lola.SynapseMatrix: lola.SynapseRow}[cls]
    matrix = random_container(cls, seed=13)
    instructions = matrix.encode_write(cls.coordinate_type(0))
    per_row = 64 * cls.quad_type.n_words
    for r in (0, 77, 255):
        row = row_type(**{name: getattr(matrix, name)[r] for name in tuple(cls.schema())})
        coord = row_type.coordinate_type(halco.SynapseRowOnSynram(r), halco.SynramOnDLS(0))
        assert np.array_equal(row.encode_write(coord), instructions[r * per_row:(r + 1) * per_row])


# -- round trips ----------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
@given(data=st.data())
def test_encode_decode_and_pickle_round_trip(cls, data):
    container = data.draw(cls.strategy())
    words = container.encode()
    assert words.dtype == np.uint32 and words.shape == (cls.n_words,)
    decoded = cls.decode(words)
    assert decoded == container
    assert np.array_equal(decoded.encode(), words)
    assert pickle.loads(pickle.dumps(container)) == container
    assert copy.deepcopy(container) == container


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
@settings(max_examples=15)
@given(data=st.data())
def test_write_instructions_decode_back(cls, data):
    container = data.draw(cls.strategy())
    coord = coordinate(cls, data.draw(st.integers(0, cls.coordinate_type.size - 1)))
    instructions = container.encode_write(coord)
    assert len(instructions) == cls.n_words
    assert np.array_equal(instructions["address"], cls.addresses(coord))
    if cls.readable:
        assert cls.read_response_count(coord) == cls.n_words
        assert cls.decode_read(coord, instructions["data"].astype(np.uint32)) == container


@pytest.mark.parametrize("cls", WITH_FIELDS, ids=lambda c: c.__name__)
def test_decode_ignores_unused_bits_and_keeps_values(cls):
    container = random_container(cls, seed=5)
    words = container.encode()
    used = np.zeros(cls.quad_type.n_words, dtype=np.uint64)
    for f in cls.quad_type.fields.values():
        for word, mask in f.used_bits().items():
            used[word] |= mask
    noise = np.tile(~used & np.uint64(0xFFFF_FFFF), cls.n_quads).astype(np.uint32)
    assert cls.decode(words | noise) == container


def test_unequal_containers_compare_unequal():
    a, b = lola.SynapseMatrix(), lola.SynapseMatrix()
    b.labels[255, 255] = 1
    assert a != b
    assert lola.SynapseWeightRow() != lola.SynapseLabelRow()
    assert lola.SynapseWeightRow(values=np.ones(256, np.uint8)) == lola.SynapseWeightRow(values=[1] * 256)


def test_decode_needs_the_right_word_count():
    with pytest.raises(LolaValueError, match=r"SynapseRow decodes from 128 words, got shape \(127,\)"):
        lola.SynapseRow.decode(np.zeros(127, np.uint32))
    with pytest.raises(LolaValueError, match="386 words"):
        lola.SynapseDriverBlock.decode(np.zeros(385, np.uint32))


# -- validation -----------------------------------------------------------------------------------

def field_cases():
    return [(cls, name) for cls in WITH_FIELDS for name in tuple(cls.schema())]


@pytest.mark.parametrize("cls,name", field_cases(), ids=lambda x: getattr(x, "__name__", x))
def test_out_of_range_on_construction_and_assignment(cls, name):
    maximum = MAXIMUM[name]
    bad = np.zeros(cls.shape, dtype=np.int64)
    index = (7,) if cls.shape == (256,) else (7, 200)
    bad[index] = maximum + 1
    where = ", ".join(map(str, index))
    message = re.escape(f"{cls.__name__}.{name}[{where}] = {maximum + 1} is out of range [0, {maximum}]")
    with pytest.raises(LolaValueError, match=message):
        cls(**{name: bad})
    container = random_container(cls)
    before = getattr(container, name).copy()
    with pytest.raises(LolaValueError, match=message):
        setattr(container, name, bad)
    bad[index] = -1
    with pytest.raises(LolaValueError, match=re.escape(f"[{where}] = -1 is out of range [0, {maximum}]")):
        setattr(container, name, bad)
    assert np.array_equal(getattr(container, name), before)  # a failed assignment changes nothing


@pytest.mark.parametrize("cls,name", field_cases(), ids=lambda x: getattr(x, "__name__", x))
def test_wrong_shape_and_dtype(cls, name):
    container = cls()
    wrong_shape = np.zeros((255,) if cls.shape == (256,) else (256, 255), dtype=np.int64)
    with pytest.raises(LolaValueError, match=re.escape(f"{cls.__name__}.{name} must have shape {cls.shape}")):
        setattr(container, name, wrong_shape)
    with pytest.raises(LolaValueError, match="must have shape"):
        cls(**{name: np.zeros(cls.shape).ravel()[:, None]})
    with pytest.raises(LolaValueError, match="must have shape"):
        cls(**{name: 3})  # a scalar is not broadcast
    with pytest.raises(LolaTypeError, match=rf"{cls.__name__}\.{name} must be an integer array .*float64"):
        cls(**{name: np.zeros(cls.shape)})
    with pytest.raises(LolaTypeError, match="got dtype float64"):
        setattr(container, name, np.full(cls.shape, 1.0))
    with pytest.raises(LolaTypeError, match="got dtype bool"):
        setattr(container, name, np.zeros(cls.shape, dtype=bool))
    with pytest.raises(LolaTypeError, match="got dtype <U1"):
        setattr(container, name, np.full(cls.shape, "a"))
    assert isinstance(LolaValueError("x"), (LolaError, ValueError))


def test_ragged_input_is_rejected():
    with pytest.raises(LolaError, match="SynapseWeightMatrix.values"):
        lola.SynapseWeightMatrix(values=[[1, 2], [3]])


def test_integer_array_likes_are_accepted_and_copied():
    source = np.arange(256, dtype=np.uint8) % 64
    row = lola.SynapseLabelRow(values=source)
    assert row.values.dtype == np.int64 and np.array_equal(row.values, source)
    source[0] = 50
    assert row.values[0] == 0  # stored a copy
    values = row.values
    row.values = values
    values[1] = 2
    assert row.values[1] == 1  # assignment copies as well
    row.values = list(range(64)) * 4
    assert row.values[65] == 1
    matrix = lola.SynapseMatrix(weights=[[s % 64 for s in range(256)]] * 256)
    assert matrix.weights[3, 70] == 6


def test_copies_are_independent_values():
    row = random_container(lola.SynapseRow, seed=8)
    for clone in (copy.copy(row), copy.deepcopy(row), pickle.loads(pickle.dumps(row))):
        assert clone == row and clone is not row
        clone.weights[0] = (row.weights[0] + 1) % 64
        assert clone != row
    row.labels[1] = 64  # corrupted element-wise: copies keep it, encode rejects it
    with pytest.raises(LolaValueError):
        copy.copy(row).encode()
    block = configured_block()
    clone = copy.copy(block)
    clone.synapse_drivers[0].offset = (block.synapse_drivers[0].offset + 1) % 16
    clone.stp.recovery_clock_speed = 0
    assert block == configured_block() and clone != block
    with pytest.raises(AttributeError):
        row.weight = row.weights  # slotted: no new attributes by typo


@pytest.mark.parametrize("cls,name", field_cases(), ids=lambda x: getattr(x, "__name__", x))
def test_elementwise_corruption_is_caught_at_encode(cls, name):
    container = random_container(cls, seed=1)
    index = (200,) if cls.shape == (256,) else (3, 200)
    getattr(container, name)[index] = MAXIMUM[name] + 36
    where = ", ".join(map(str, index))
    message = re.escape(
        f"{cls.__name__}.{name}[{where}] = {MAXIMUM[name] + 36} is out of range [0, {MAXIMUM[name]}]")
    with pytest.raises(LolaValueError, match=message):
        container.encode()
    with pytest.raises(LolaValueError, match=message):
        container.check()
    builder = stadls.PlaybackProgramBuilder()
    coord = coordinate(cls, 0)
    with pytest.raises(LolaValueError, match=message):
        builder.write(coord, container)
    with pytest.raises(LolaValueError, match=message):
        builder.write(coord, container, cls())  # differential writes encode as well
    assert builder.empty()  # nothing reached the program
    getattr(container, name)[index] = -1
    with pytest.raises(LolaValueError, match=r"= -1 is out of range"):
        container.encode()
    getattr(container, name)[index] = 0
    container.encode()


def test_in_place_reshape_is_caught_at_encode():
    row = lola.SynapseWeightRow()
    row.values.shape = (16, 16)
    with pytest.raises(LolaValueError, match=r"must have shape \(256,\)"):
        row.encode()


def test_coordinate_mismatch():
    row = lola.SynapseRow()
    with pytest.raises(CoordinateMismatchError,
                       match="SynapseRow lives at SynapseRowOnDLS, not at SynapseWeightRowOnDLS"):
        row.encode_write(halco.SynapseWeightRowOnDLS())
    with pytest.raises(CoordinateMismatchError):
        lola.SynapseMatrix.encode_read(halco.SynramOnDLS())
    with pytest.raises(CoordinateMismatchError):
        lola.SynapseWeightMatrix.read_response_count(halco.SynapseLabelMatrixOnDLS())
    with pytest.raises(CoordinateMismatchError):
        lola.SynapseDriverBlock().encode_write(halco.SynramOnDLS())


# -- instruction counts and vectorization ----------------------------------------------------------

def test_whole_matrix_write_instruction_counts():
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.SynapseMatrixOnDLS(1), random_container(lola.SynapseMatrix))
    assert builder.size_to_fpga() == 32768  # 2 words x 16384 quads
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.SynapseWeightMatrixOnDLS(0), random_container(lola.SynapseWeightMatrix))
    assert builder.size_to_fpga() == 16384
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.SynapseCorrelationCalibMatrixOnDLS(0),
                  random_container(lola.SynapseCorrelationCalibMatrix))
    assert builder.size_to_fpga() == 32768
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.SynapseRowOnDLS(9), random_container(lola.SynapseRow))
    builder.write(halco.SynapseLabelRowOnDLS(9), random_container(lola.SynapseLabelRow))
    assert builder.size_to_fpga() == 128 + 64


def test_writes_never_use_the_scalar_haldls_codec(monkeypatch):
    """Rows and matrices go through encode_array / decode_array only, never a quad at a time."""

    def scalar(*args, **kwargs):
        raise AssertionError("scalar haldls encode/decode used")

    monkeypatch.setattr(haldls.Container, "encode", scalar)
    monkeypatch.setattr(haldls.Container, "decode", classmethod(scalar))
    for cls in SYNAPSE_ARRAY_CONTAINERS:
        container = random_container(cls)
        instructions = container.encode_write(coordinate(cls, 1))
        assert len(instructions) == cls.n_words
        assert cls.decode(instructions["data"]) == container


def test_correlation_reset_row():
    reset = lola.CorrelationResetRow()
    coord = halco.CorrelationResetRowOnDLS(halco.SynapseRowOnSynram(7), halco.SynramOnDLS(1))
    builder = stadls.PlaybackProgramBuilder()
    builder.write(coord, reset)
    instructions = builder.instructions()
    assert builder.size_to_fpga() == 64
    assert (instructions["opcode"] == wire.Opcode.WRITE).all() and not instructions["data"].any()
    assert instructions["address"].tolist() == [
        haldls.CorrelationReset.addresses(quad_coordinate(haldls.CorrelationReset, 1, 7, q))[0] for q in range(64)]
    assert instructions["address"][0] == A.CORRELATION_RESET[1] + 7 * 64
    with pytest.raises(AccessError, match="CorrelationResetRow is write-only"):
        builder.read(coord)
    with pytest.raises(AccessError):
        lola.CorrelationResetRow.encode_read(coord)
    with pytest.raises(BuilderError, match="does not support differential writes"):
        builder.write(coord, reset, lola.CorrelationResetRow())
    assert lola.CorrelationResetRow.decode(reset.encode()) == reset


# -- differential writes --------------------------------------------------------------------------

def test_differential_write_emits_only_changed_quads():
    old = random_container(lola.SynapseMatrix, seed=2)
    new = copy.deepcopy(old)
    new.weights[10, 9] = (old.weights[10, 9] + 1) % 64   # quad column 33, word 0 of the quad
    new.amp_calibs[200, 0] = (old.amp_calibs[200, 0] + 1) % 4  # quad column 0, word 1
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.SynapseMatrixOnDLS(0), new, old)
    instructions = builder.instructions()
    assert instructions["address"].tolist() == [A.SYNAPSE_QUAD[0] + 10 * 128 + 33,
                                                A.SYNAPSE_QUAD[0] + 200 * 128 + 64]
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.SynapseMatrixOnDLS(0), new, new)
    assert builder.empty()
    block_old = lola.SynapseDriverBlock()
    block_new = lola.SynapseDriverBlock()
    block_new.synapse_drivers[100].enable_receiver = True
    builder.write(halco.SynapseDriverBlockOnDLS(1), block_new, block_old)
    assert builder.instructions()["address"].tolist() == [A.SYNAPSE_DRIVER_SRAM[1] + 4 * 100]


# -- synapse driver block -------------------------------------------------------------------------

def configured_block():
    block = lola.SynapseDriverBlock()
    Mode = haldls.SynapseDriverConfig.RowMode
    for d in range(0, 128, 3):
        driver = block.synapse_drivers[d]
        driver.enable_receiver = True
        driver.row_mode_top = Mode.excitatory
        driver.row_mode_bottom = Mode(d % 4)
        driver.row_address_compare_mask = d % 32
        driver.recovery = d % 16
        driver.hagen_dac_offset = d % 64
    block.synapse_drivers[127].enable_address_out = False
    block.padi_bus.enable_spl1 = [True, False, True, True]
    block.padi_bus.dacen_pulse_extension[2] = 9
    block.stp.recovery_clock_speed = 5
    block.stp.enable_recovery_clock = True
    return block


def test_driver_block_words_and_addresses_match_haldls():
    block = configured_block()
    coord = halco.SynapseDriverBlockOnDLS(1)
    instructions = block.encode_write(coord)
    words, addresses = [], []
    for d, driver in enumerate(block.synapse_drivers):
        words += driver.encode().tolist()
        addresses += haldls.SynapseDriverConfig.addresses(
            halco.SynapseDriverOnDLS(halco.SynapseDriverOnSynapseDriverBlock(d), coord)).tolist()
    words += block.padi_bus.encode().tolist() + block.stp.encode().tolist()
    addresses += haldls.CommonPADIBusConfig.addresses(halco.CommonPADIBusConfigOnDLS(1)).tolist()
    addresses += haldls.CommonSTPConfig.addresses(halco.CommonSTPConfigOnDLS(1)).tolist()
    assert len(instructions) == 386 == lola.SynapseDriverBlock.read_response_count(coord)
    assert instructions["data"].tolist() == words
    assert instructions["address"].tolist() == addresses
    assert lola.SynapseDriverBlock.encode_read(coord)["address"].tolist() == addresses
    assert lola.SynapseDriverBlock.decode(block.encode()) == block


def test_driver_block_validation_and_value_semantics():
    block = lola.SynapseDriverBlock()
    assert isinstance(block.synapse_drivers, haldls.FieldArray) and len(block.synapse_drivers) == 128
    with pytest.raises(LolaTypeError, match="needs exactly 128 haldls.SynapseDriverConfig, got 127"):
        block.synapse_drivers = [haldls.SynapseDriverConfig()] * 127
    with pytest.raises(LolaTypeError, match=r"synapse_drivers\[5\] must be a haldls.SynapseDriverConfig, got int"):
        lola.SynapseDriverBlock(synapse_drivers=[haldls.SynapseDriverConfig()] * 5 + [3] * 123)
    with pytest.raises(LolaTypeError, match="needs a sequence of 128"):
        block.synapse_drivers = 3
    with pytest.raises(LolaTypeError,
                       match=r"synapse_drivers\[4\] must be a haldls.SynapseDriverConfig, got CommonSTPConfig"):
        block.synapse_drivers[4] = haldls.CommonSTPConfig()
    with pytest.raises(LolaTypeError, match=r"synapse_drivers\[1\]"):
        block.synapse_drivers[0:2] = [haldls.SynapseDriverConfig(), None]
    with pytest.raises(LolaTypeError, match="fixed size"):
        block.synapse_drivers.append(haldls.SynapseDriverConfig())
    with pytest.raises(LolaTypeError, match="fixed size"):
        block.synapse_drivers.pop()
    with pytest.raises(LolaTypeError, match="fixed size of 128; a slice of 2 got 1"):
        block.synapse_drivers[0:2] = [haldls.SynapseDriverConfig()]
    with pytest.raises(LolaTypeError, match="SynapseDriverBlock.padi_bus must be a haldls.CommonPADIBusConfig"):
        block.padi_bus = haldls.CommonSTPConfig()
    with pytest.raises(LolaTypeError, match="SynapseDriverBlock.stp must be a haldls.CommonSTPConfig"):
        lola.SynapseDriverBlock(stp=None)
    assert block == lola.SynapseDriverBlock()  # failed assignments changed nothing
    # copies on assignment: the block owns its configs
    drivers = [haldls.SynapseDriverConfig() for _ in range(128)]
    block.synapse_drivers = drivers
    drivers[0].enable_receiver = True
    assert not block.synapse_drivers[0].enable_receiver
    shared = haldls.SynapseDriverConfig(offset=3)
    block.synapse_drivers[0:2] = [shared, shared]
    block.synapse_drivers[0].offset = 4
    assert block.synapse_drivers[1].offset == 3 and shared.offset == 3
    padi = haldls.CommonPADIBusConfig()
    block.padi_bus = padi
    padi.enable_spl1[0] = True
    assert not block.padi_bus.enable_spl1[0]
    # the configs validate their own fields
    with pytest.raises(haldls.errors.FieldValueError):
        block.synapse_drivers[3].utilization = 16


# -- the emulated chip ------------------------------------------------------------------------------

def test_matrix_and_row_read_back_equal_on_the_emulated_chip():
    matrix = random_container(lola.SynapseMatrix, seed=21)
    row = random_container(lola.SynapseRow, seed=22)
    matrix_coord = halco.SynapseMatrixOnDLS(1)
    row_coord = halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(7), halco.SynramOnDLS(0))
    builder = stadls.PlaybackProgramBuilder()
    builder.write(matrix_coord, matrix)
    builder.write(row_coord, row)
    quad = quad_coordinate(haldls.SynapseWeightQuad, 1, 100, 33)
    tickets = {
        "matrix": builder.read(matrix_coord),
        "row": builder.read(row_coord),
        "quad": builder.read(quad),
        "weights": builder.read(halco.SynapseWeightMatrixOnDLS(1)),
        "labels": builder.read(halco.SynapseLabelRowOnDLS(halco.SynapseRowOnSynram(7), halco.SynramOnDLS(0))),
        "other row": builder.read(halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(8), halco.SynramOnDLS(0))),
    }
    connection = run(builder)
    assert tickets["matrix"].get() == matrix
    assert tickets["row"].get() == row
    # the emulator sees the weights: as a haldls quad, in its synapse memory, as another view
    columns = [c.to_enum() for c in halco.SynapseQuadColumnOnDLS(33).to_synapse_on_synapse_row()]
    assert columns == [9, 11, 13, 15]
    assert tickets["quad"].get().values == matrix.weights[100, columns].tolist()
    assert np.array_equal(connection.chip.weights[1], matrix.weights)
    assert np.array_equal(connection.chip.labels[0, 7], row.labels)
    assert np.array_equal(connection.chip.time_calibs[0, 7], row.time_calibs)
    assert tickets["weights"].get() == lola.SynapseWeightMatrix(values=matrix.weights)
    assert np.array_equal(tickets["labels"].get().values, row.labels)
    assert tickets["other row"].get() == lola.SynapseRow()


def test_views_of_the_synapse_memory_on_the_emulated_chip():
    """A weight row written over a full row changes only the weights; a calib matrix only calibs."""
    row_coord = halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(3), halco.SynramOnDLS(1))
    row = random_container(lola.SynapseRow, seed=31)
    weights = random_container(lola.SynapseWeightRow, seed=32)
    calibs = random_container(lola.SynapseCorrelationCalibMatrix, seed=33)
    builder = stadls.PlaybackProgramBuilder()
    builder.write(row_coord, row)
    builder.write(halco.SynapseWeightRowOnDLS(row_coord.local, row_coord.parent), weights)
    builder.write(halco.SynapseCorrelationCalibMatrixOnDLS(1), calibs)
    ticket = builder.read(row_coord)
    run(builder)
    got = ticket.get()
    assert np.array_equal(got.weights, weights.values)
    assert np.array_equal(got.labels, row.labels)
    assert np.array_equal(got.time_calibs, calibs.time_calibs[3])
    assert np.array_equal(got.amp_calibs, calibs.amp_calibs[3])


def test_correlation_reset_row_clears_the_sensors_of_its_row():
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.CorrelationResetRowOnDLS(halco.SynapseRowOnSynram(4), halco.SynramOnDLS(0)),
                  lola.CorrelationResetRow())
    with stadls.ManagedConnection() as connection:
        connection.chip.causal[:] = 1.0
        connection.chip.acausal[:] = 2.0
        stadls.run(connection, builder.done())
        causal, acausal = connection.chip.causal, connection.chip.acausal
        assert not causal[0, 4].any() and not acausal[0, 4].any()
        assert (causal[0, 3] == 1.0).all() and (causal[1, 4] == 1.0).all() and (acausal[0, 5] == 2.0).all()


def test_driver_block_reads_back_equal_on_the_emulated_chip():
    block = configured_block()
    coord = halco.SynapseDriverBlockOnDLS(1)
    builder = stadls.PlaybackProgramBuilder()
    builder.write(coord, block)
    ticket = builder.read(coord)
    driver = builder.read(halco.SynapseDriverOnDLS(halco.SynapseDriverOnSynapseDriverBlock(3), coord))
    other = builder.read(halco.SynapseDriverBlockOnDLS(0))
    run(builder)
    assert ticket.get() == block
    assert driver.get() == block.synapse_drivers[3]
    assert other.get() == lola.SynapseDriverBlock()


@settings(max_examples=5)
@given(matrix=lola.SynapseMatrix.strategy(), synram=st.integers(0, 1))
def test_any_matrix_reads_back_equal(matrix, synram):
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.SynapseMatrixOnDLS(synram), matrix)
    ticket = builder.read(halco.SynapseMatrixOnDLS(synram))
    run(builder)
    assert ticket.get() == matrix


def test_dumper_records_copies_and_converts_back():
    dumper = stadls.PlaybackProgramBuilderDumper()
    row = random_container(lola.SynapseRow, seed=41)
    coord = halco.SynapseRowOnDLS(17)
    recorded = row.encode()
    dumper.write(coord, row)
    row.weights[0] = (row.weights[0] + 1) % 64  # after recording: not in the dump
    builder = stadls.convert_to_builder(dumper)
    assert builder.size_to_fpga() == 128
    assert np.array_equal(builder.instructions()["data"], recorded)
