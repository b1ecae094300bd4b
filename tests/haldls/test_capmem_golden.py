"""CapMemBlockConfig and ReferenceGeneratorConfig against the real haldls layout (fidelity issue
17, item 1), and the two field kinds CapMemBlockConfig needs (a coordinate field, a gate).

The expected words are written out here by hand from the real bitfields (electronicvisions/haldls:
include/haldls/vx/capmem.tcc, src/haldls/vx/v3/capmem.cpp) and the real golden tests
(tests/sw/haldls/vx/v3/test-capmem.cpp, test-reference_generator.cpp), whose fixed words are
repeated verbatim. The real debug readout has no enable bit: a block's readout is on while its
one-hot row word selects a row, and its column word says which column.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest

import halco
import haldls
import stadls
from haldls._fields import Array, Coordinate, Gate, UInt, at
from haldls.errors import FieldTypeError, FieldValueError

Config = haldls.CapMemBlockConfig
Cell = halco.CapMemCellOnCapMemBlock
Ref = haldls.ReferenceGeneratorConfig

#: real CapMemBlockConfig layout: field -> (word, lowest bit, width, maximum)
LAYOUT = {
    "debug_v_ref_select": (2, 0, 2, 2),
    "v_global_bias": (3, 0, 4, 15),
    "debug_level_shifter_bias": (3, 4, 4, 15),
    "debug_source_follower_bias": (3, 8, 4, 15),
    "debug_out_amp_bias": (3, 12, 4, 15),
    "current_cell_res": (4, 0, 6, 63),
    "debug_i_out_select": (5, 0, 2, 2),
    "sub_counter": (6, 0, 16, 65535),
    "enable_capmem": (6, 16, 1, 1),
    "enable_boost": (6, 17, 1, 1),
    "enable_autoboost": (6, 18, 1, 1),
    "prescale_ramp": (6, 20, 4, 6),        # 4 bits on the chip, 0..6 in haldls
    "prescale_pause": (6, 24, 4, 6),
    "boost_factor": (6, 28, 4, 15),
    "pulse_b": (7, 0, 16, 65535),
    "pulse_a": (7, 16, 16, 65535),
    "boost_b": (8, 0, 16, 65535),
    "boost_a": (8, 16, 16, 65535),
    "pause_counter": (9, 0, 32, 2**32 - 1),
}

#: real defaults (the CapMemBlockConfig constructor)
DEFAULTS = {
    "enable_capmem": True, "debug_readout_enable": False, "debug_capmem_coord": Cell(),
    "debug_v_ref_select": Config.VRefSelect.disabled, "debug_i_out_select": Config.IOutSelect.disabled,
    "debug_out_amp_bias": 7, "debug_source_follower_bias": 3, "debug_level_shifter_bias": 3,
    "v_global_bias": 7, "current_cell_res": 8, "enable_boost": False, "boost_factor": 0,
    "enable_autoboost": False, "prescale_pause": 3, "prescale_ramp": 3, "sub_counter": 16,
    "pause_counter": 8096, "pulse_a": 4, "pulse_b": 7, "boost_a": 0, "boost_b": 0,
}


def default_words() -> list[int]:
    """The default's words from DEFAULTS and LAYOUT (the readout off: words 0 and 1 zero)."""
    words = [0] * 10
    for name, (word, lo, _, _) in LAYOUT.items():
        words[word] |= int(DEFAULTS[name]) << lo
    return words


def hexes(words) -> list[str]:
    return [hex(int(w)) for w in words]


# -- CapMemBlockConfig -----------------------------------------------------------------------------

def test_block_config_real_golden_words_and_addresses():
    """tests/sw/haldls/vx/v3/test-capmem.cpp, CapMemBlockConfig.EncodeDecode."""
    config = Config(
        enable_capmem=True, debug_readout_enable=True, debug_capmem_coord=Cell(10),
        debug_v_ref_select=Config.VRefSelect.v_ref_i, debug_i_out_select=Config.IOutSelect.i_out_ramp,
        debug_out_amp_bias=8, debug_source_follower_bias=9, debug_level_shifter_bias=10,
        v_global_bias=9, current_cell_res=23, boost_factor=6, enable_boost=True,
        enable_autoboost=True, prescale_pause=6, prescale_ramp=2, sub_counter=16,
        pause_counter=18, pulse_a=15, pulse_b=123, boost_a=13, boost_b=134)
    coord = halco.CapMemBlockConfigOnDLS(0)
    assert hexes(Config.addresses(coord)) == hexes(range(0x14_4000, 0x14_400A))
    golden = [0x800000, 0xA, 0x2, 0x000089A9, 0x17, 0x2, 0x66270010, 0x000F007B, 0x000D0086, 0x12]
    assert hexes(config.encode()) == hexes(golden)
    assert Config.decode(np.array(golden, dtype=np.uint32)) == config
    assert hexes(Config.encode_array(1, **Config.decode_array(np.array([golden], dtype=np.uint32)))[0]) \
        == hexes(golden)


def test_block_config_addresses_of_every_block():
    bases = [0x14_4000, 0x14_C000, 0x15_4000, 0x15_C000]         # capmem_config_base_addresses
    for block, base in enumerate(bases):
        assert hexes(Config.addresses(halco.CapMemBlockConfigOnDLS(block))) == hexes(range(base, base + 10))


def test_block_config_defaults_are_the_real_ones():
    c = Config()
    for name, value in DEFAULTS.items():
        assert getattr(c, name) == value, name
    assert hexes(c.encode()) == hexes(default_words())
    assert Config.differential_write        # as the real one (DifferentialWriteTrait)


@pytest.mark.parametrize("name", sorted(LAYOUT))
def test_block_config_each_field_at_its_maximum_and_one_past(name):
    word, lo, width, maximum = LAYOUT[name]
    value = True if width == 1 else maximum
    c = Config(**{name: value})
    expected = default_words()
    expected[word] = (expected[word] & ~(((1 << width) - 1) << lo)) | (int(value) << lo)
    assert hexes(c.encode()) == hexes(expected)
    assert Config.decode(np.array(expected, dtype=np.uint32)) == c
    if width > 1:
        with pytest.raises(FieldValueError, match=name):
            Config(**{name: maximum + 1})


def test_block_config_prescalers_raw_bits_past_six_raise_on_decode():
    for name in ("prescale_ramp", "prescale_pause"):
        word, lo, _, _ = LAYOUT[name]
        words = np.array(default_words(), dtype=np.uint32)
        words[word] = (int(words[word]) & ~(0xF << lo)) | (7 << lo)
        with pytest.raises(FieldValueError, match=name):
            Config.decode(words)
        with pytest.raises(FieldValueError, match=name):
            Config.decode_array(words[None, :])


def test_debug_cell_is_a_one_hot_row_word_and_a_column_word():
    """capmem.tcc encode: row word ``1 << (23 - row)``, column word the column."""
    for column, row in [(0, 0), (10, 0), (0, 23), (129, 23), (128, 5), (77, 12)]:
        cell = Cell(halco.CapMemColumnOnCapMemBlock(column), halco.CapMemRowOnCapMemBlock(row))
        c = Config(debug_readout_enable=True, debug_capmem_coord=cell)
        expected = default_words()
        expected[0], expected[1] = 1 << (23 - row), column
        assert hexes(c.encode()) == hexes(expected), (column, row)
        back = Config.decode(np.array(expected, dtype=np.uint32))
        assert back == c and isinstance(back.debug_capmem_coord, Cell)
    # the maximum enum (column 129, row 23) and one past it
    top = Config(debug_readout_enable=True, debug_capmem_coord=Cell.size - 1)
    assert hexes(top.encode()[:2]) == hexes([1, 129])
    with pytest.raises(FieldValueError, match=r"debug_capmem_coord = 3120 is out of range \[0, 3119\]"):
        Config(debug_capmem_coord=Cell.size)


def test_debug_readout_enable_is_the_row_select_being_non_zero():
    on = Config(debug_readout_enable=True)                 # the default cell (0, 0): top bit
    assert hexes(on.encode()[:2]) == hexes([0x800000, 0])
    # off: both select words zero whatever cell is set; it reads back with the default cell
    off = Config(debug_readout_enable=False, debug_capmem_coord=Cell.stp_v_charge_0)
    assert hexes(off.encode()) == hexes(default_words())
    assert Config.decode(off.encode()) == Config()
    # the vectorized codec agrees, block by block
    words = Config.encode_array(3, debug_readout_enable=np.array([True, False, True]),
                                debug_capmem_coord=np.array([10, 20, Cell.size - 1]))
    assert hexes(words[:, 0]) == hexes([0x800000, 0, 1]) and hexes(words[:, 1]) == hexes([10, 0, 129])
    fields = Config.decode_array(words)
    assert fields["debug_readout_enable"].tolist() == [True, False, True]
    assert fields["debug_capmem_coord"].tolist() == [10, 0, Cell.size - 1]
    # no row selected: the readout is off (a column word alone selects nothing)
    column_only = np.array(default_words(), dtype=np.uint32)
    column_only[1] = 5
    assert Config.decode(column_only) == Config()


@pytest.mark.parametrize("row_word, column_word", [
    (0b11, 0),            # two rows at once
    (1, 130),             # a column past the last
    (1, 1 << 31),
])
def test_select_words_that_select_no_single_cell_raise(row_word, column_word):
    words = np.array(default_words(), dtype=np.uint32)
    words[0], words[1] = row_word, column_word
    with pytest.raises(FieldValueError,
                       match="debug_capmem_coord: bits .* encode no CapMemCellOnCapMemBlock"):
        Config.decode(words)
    both = np.stack([Config().encode(), words])
    with pytest.raises(FieldValueError, match="debug_capmem_coord: the bits of container 1"):
        Config.decode_array(both)
    with pytest.raises(FieldValueError, match="debug_capmem_coord"):
        Config.check_words(both)
    # unchecked (what the emulator's memory stores): one past the last enum, no cell
    unchecked = Config.decode_array(both, check=False)
    assert unchecked["debug_capmem_coord"].tolist() == [0, Cell.size]
    assert unchecked["debug_readout_enable"].tolist() == [False, True]


def test_debug_cell_takes_a_cell_or_its_enum_and_nothing_else():
    c = Config(debug_capmem_coord=Cell.cadc_v_ramp_offset.to_enum())
    assert c.debug_capmem_coord == Cell.cadc_v_ramp_offset and isinstance(c.debug_capmem_coord, Cell)
    with pytest.raises(FieldTypeError, match="debug_capmem_coord must be a CapMemCellOnCapMemBlock"):
        Config(debug_capmem_coord=halco.CapMemCellOnDLS())
    with pytest.raises(FieldTypeError, match="debug_capmem_coord must be a CapMemCellOnCapMemBlock"):
        Config(debug_capmem_coord=True)
    with pytest.raises(FieldTypeError, match="debug_capmem_coord must be"):
        Config(debug_capmem_coord=1.0)
    with pytest.raises(FieldValueError, match="debug_capmem_coord = -1 is out of range"):
        Config(debug_capmem_coord=-1)
    with pytest.raises(FieldValueError, match="debug_capmem_coord = 3120"):
        Config.encode_array(2, debug_readout_enable=True, debug_capmem_coord=np.array([0, 3120]))
    with pytest.raises(FieldTypeError, match="debug_capmem_coord values must be"):
        Config.encode_array(1, debug_capmem_coord=np.array([0.5]))
    # coordinates in an object array are taken as they are
    words = Config.encode_array(2, debug_readout_enable=True,
                                debug_capmem_coord=np.array([Cell(3), Cell(200)], dtype=object))
    assert Config.decode_array(words)["debug_capmem_coord"].tolist() == [3, 200]
    assert Config.schema()["debug_capmem_coord"] == haldls.FieldInfo(
        "debug_capmem_coord", Cell, (), 0, Cell.size - 1, Config.fields["debug_capmem_coord"].doc)
    # JSON keeps the coordinate (as its enum)
    assert haldls.from_json(haldls.to_json(Config(debug_readout_enable=True, debug_capmem_coord=Cell(7)))) \
        == Config(debug_readout_enable=True, debug_capmem_coord=Cell(7))


def test_drawn_block_configs_hold_a_cell_only_with_the_readout_on():
    from hypothesis import given, settings

    @settings(max_examples=60)
    @given(Config.strategy())
    def check(c):
        if not c.debug_readout_enable:
            assert c.debug_capmem_coord == Cell()
        assert Config.decode(c.encode()) == c

    check()


def test_block_config_differential_write_emits_only_changed_words():
    builder = stadls.PlaybackProgramBuilder()
    coord = halco.CapMemBlockConfigOnDLS(2)
    builder.write(coord, Config(debug_readout_enable=True, debug_capmem_coord=Cell(5)), Config())
    instructions = builder.done().instructions
    assert hexes(instructions["address"]) == hexes(Config.addresses(coord)[:2])
    assert hexes(instructions["data"]) == hexes([0x800000, 5])


# -- the field kinds -------------------------------------------------------------------------------

def _cell_field():
    return Coordinate(Cell, 56, at(0, 0, 24), at(1, 0, 32, value_lo=24),
                      to_raw=Config.fields["debug_capmem_coord"]._enums_to_raw,
                      from_raw=Config.fields["debug_capmem_coord"]._raw_to_enums)


def test_coordinate_field_round_trips_every_cell_both_ways():
    f = Config.fields["debug_capmem_coord"]
    enums = np.arange(Cell.size)
    words = np.zeros((Cell.size, 10), dtype=np.uint64)
    f.encode_array(enums, words)
    assert (words[:, 2:] == 0).all()
    assert np.array_equal(f.decode_array(words), enums)
    # each row word has exactly one bit set and the column word holds the column
    rows, columns = np.divmod(enums, 130)
    assert np.array_equal(words[:, 0], 1 << (23 - rows)) and np.array_equal(words[:, 1], columns)
    for e in (0, 1, 129, 130, 1555, Cell.size - 1):
        scalar = [0] * 10
        f.encode_into(scalar, Cell(e))
        assert scalar == [int(w) for w in words[e]]


def test_gate_reads_only_bits_of_its_field_and_gates_one_field():
    cell = _cell_field()
    with pytest.raises(ValueError, match="bits of its gated field only"):
        Gate(cell, at(2, 0, 4))
    Gate(cell, at(0, 0, 24))
    with pytest.raises(ValueError, match="no other gate"):
        Gate(cell, at(0, 0, 24))
    with pytest.raises(ValueError, match="no other gate"):
        Gate(Array(UInt(6, at(0, 0)), 2, lambda e: [at(0, 6 * e)]), at(0, 0, 6))    # an array
    assert Gate(_cell_field(), at(0, 0, 24)).used_bits() == {}


def test_a_gated_field_without_its_gate_is_refused_when_declared():
    cell = _cell_field()
    Gate(cell, at(0, 0, 24))
    refused = "debug_capmem_coord: its gate is not a field of the container"
    with pytest.raises(ValueError, match=refused) as info:
        class Lonely(haldls.Container, coordinate=halco.CapMemBlockConfigOnDLS, words=10):
            debug_capmem_coord = cell
    assert "Lonely" not in [c.__qualname__ for c in haldls.containers()]
    # the half-made class must not outlive the test (the registry test walks every subclass)
    del info
    gc.collect()
    assert not any(c.__name__ == "Lonely" for c in haldls.Container.__subclasses__())


def test_gate_off_clears_its_field_in_both_encoders():
    gate = Config.fields["debug_readout_enable"]
    words = [0xFFFF_FFFF] * 10
    gate.encode_into(words, False)
    # the field's bits (the row word's low 24, the column word) only: unused bits stay
    assert words[:2] == [0xFF00_0000, 0] and words[2:] == [0xFFFF_FFFF] * 8
    arr = np.full((2, 10), 0xFFFF_FFFF, dtype=np.uint64)
    gate.encode_array(np.array([True, False]), arr)
    assert arr[0].tolist() == [0xFFFF_FFFF] * 10 and arr[1, :2].tolist() == [0xFF00_0000, 0]
    with pytest.raises(FieldValueError, match="debug_readout_enable = 2"):
        gate.encode_array(np.array([2]), arr[:1])
    with pytest.raises(FieldTypeError, match="debug_readout_enable values must be bools"):
        gate.encode_array(np.array([0.5]), arr[:1])


# -- ReferenceGeneratorConfig ----------------------------------------------------------------------

#: real layout: field (array entry) -> (word, lowest bit, width); words at MADC base + 18 + word
REF_LAYOUT = {
    "enable_internal_reference": (0, 12, 1),
    "enable_reference_output": (0, 13, 1),
    "enable_reference_input": (0, 14, 1),
    "enable_reset": (0, 15, 1),
    "reference_control": (1, 6, 6),
    "resistor_control": (2, 0, 6),
    **{f"capmem_amplifier[{b}]": (3 + b // 2, 6 * (b % 2), 6) for b in range(4)},
    **{f"capmem_offset[{b}]": (5 + b // 2, 6 * (b % 2), 6) for b in range(4)},
    **{f"capmem_slope[{b}]": (7 + b // 2, 6 * (b % 2), 6) for b in range(4)},
}
#: real defaults (the constructor and the value types' default arguments)
REF_DEFAULTS = {
    "enable_internal_reference": True, "enable_reference_output": False,
    "enable_reference_input": False, "enable_reset": False, "reference_control": 10,
    "resistor_control": 40, **{f"capmem_amplifier[{b}]": 40 for b in range(4)},
    **{f"capmem_offset[{b}]": 1 for b in range(4)}, **{f"capmem_slope[{b}]": 11 for b in range(4)},
}


def ref_default_words() -> list[int]:
    words = [0] * 9
    for key, (word, lo, _) in REF_LAYOUT.items():
        words[word] |= int(REF_DEFAULTS[key]) << lo
    return words


def _ref_with(key: str, value):
    name, _, index = key.partition("[")
    if not index:
        return Ref(**{name: value})
    entries = list(getattr(Ref(), name))
    entries[int(index[:-1])] = value
    return Ref(**{name: entries})


def test_reference_generator_real_golden_words_and_addresses():
    """tests/sw/haldls/vx/v3/test-reference_generator.cpp, ReferenceGeneratorConfig.EncodeDecode."""
    config = Ref(enable_reference_output=True)
    config.capmem_offset[1] = 43
    coord = halco.ReferenceGeneratorConfigOnDLS()
    assert hexes(Ref.addresses(coord)) == hexes(range(0x000C_0012, 0x000C_001B))
    words = config.encode()
    assert (int(words[0]), int(words[1]), int(words[2])) == (0x3000, 0x280, 0x28)
    assert int(words[5]) & 0b0000_1111_1100_0000 == 43 << 6        # CapMem block 1 offset
    assert Ref.decode(words) == config and Ref.decode(words) != Ref()


def test_reference_generator_defaults_are_the_real_ones():
    c = Ref()
    for key, value in REF_DEFAULTS.items():
        name, _, index = key.partition("[")
        got = getattr(c, name)[int(index[:-1])] if index else getattr(c, name)
        assert got == value, key
    assert hexes(c.encode()) == hexes(ref_default_words())


@pytest.mark.parametrize("key", sorted(REF_LAYOUT))
def test_reference_generator_each_field_at_its_maximum_and_one_past(key):
    word, lo, width = REF_LAYOUT[key]
    value = True if width == 1 else (1 << width) - 1
    c = _ref_with(key, value)
    expected = ref_default_words()
    expected[word] = (expected[word] & ~(((1 << width) - 1) << lo)) | (int(value) << lo)
    assert hexes(c.encode()) == hexes(expected)
    assert Ref.decode(np.array(expected, dtype=np.uint32)) == c
    if width > 1:
        with pytest.raises(FieldValueError, match=key.partition("[")[0]):
            _ref_with(key, 1 << width)
