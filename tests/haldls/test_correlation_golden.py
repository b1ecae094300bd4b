"""The correlation and current column switches, CommonCorrelationConfig and the crossbar counters
against the real haldls layout (fidelity issue 17, item 1), and the per-entry inversion of array
fields that CommonCorrelationConfig.cadc_v_offset_assignment needs.

The expected words are written out here by hand from the real bitfields (electronicvisions/haldls:
src/haldls/vx/synapse.cpp ColumnCorrelationQuadBitfield and ColumnCurrentQuadBitfield,
src/haldls/vx/correlation.cpp, include/haldls/vx/omnibus_constants.tcc,
include/haldls/vx/routing_crossbar.h) and the real golden tests
(tests/sw/haldls/vx/v3/test-column_correlation_quad.cpp, test-column_current_quad.cpp,
test-correlation.cpp, tests/sw/haldls/vx/test-routing_crossbar.cpp), whose fixed words and
addresses are repeated verbatim.
"""

from __future__ import annotations

import pickle

import attrs
import numpy as np
import pytest

import halco
import haldls
from haldls._fields import Array, UInt, at
from haldls.errors import FieldTypeError, FieldValueError

Corr = haldls.ColumnCorrelationQuad
Curr = haldls.ColumnCurrentQuad
Common = haldls.CommonCorrelationConfig


def hexes(words) -> list[str]:
    return [hex(int(w)) for w in words]


def one_hot(entry: int) -> list[bool]:
    return [e == entry for e in range(4)]


#: real ColumnCorrelationSwitch bits: field -> (word, bit in the byte of its entry)
CORRELATION_BITS = {
    "enable_internal_causal": (0, 6),
    "enable_internal_acausal": (0, 7),
    "enable_debug_causal": (1, 6),
    "enable_debug_acausal": (1, 7),
    "enable_cadc_neuron_readout_causal": (2, 5),
    "enable_cadc_neuron_readout_acausal": (3, 5),
}

#: real ColumnCurrentSwitch bits: field -> (word, bit in the byte of its entry)
CURRENT_BITS = {
    "enable_synaptic_current_excitatory": (0, 0),
    "enable_synaptic_current_inhibitory": (0, 1),
    "enable_debug_excitatory": (1, 0),
    "enable_debug_inhibitory": (1, 1),
}


# -- ColumnCorrelationQuad -------------------------------------------------------------------------

def test_correlation_quad_real_golden_words_and_addresses():
    """test-column_correlation_quad.cpp, ColumnCorrelationQuad.EncodeDecode."""
    config = Corr(enable_internal_causal=one_hot(2), enable_debug_acausal=one_hot(2),
                  enable_cadc_neuron_readout_acausal=one_hot(2))
    coord = halco.ColumnCorrelationQuadOnDLS(halco.ColumnCorrelationQuadOnSynram(3), halco.SynramOnDLS(0))
    assert hexes(Corr.addresses(coord)) == hexes([0x02CF_8083, 0x02CF_80C3, 0x02C0_4003, 0x02C4_4003])
    golden = [0x0000_4000, 0x0000_8000, 0x0000_0000, 0x0000_2000]
    assert hexes(config.encode()) == hexes(golden)
    assert Corr.decode(np.array(golden, dtype=np.uint32)) == config


def test_correlation_quad_addresses_of_the_bottom_synram():
    """synram_synapse_*_bottom_base_address: the bottom synram's spaces at 0x03..."""
    coord = halco.ColumnCorrelationQuadOnDLS(halco.ColumnCorrelationQuadOnSynram(63), halco.SynramOnDLS(1))
    assert hexes(Corr.addresses(coord)) == hexes([0x03CF_80BF, 0x03CF_80FF, 0x03C0_403F, 0x03C4_403F])


@pytest.mark.parametrize("name", sorted(CORRELATION_BITS))
@pytest.mark.parametrize("entry", range(4))
def test_correlation_switch_alone_sets_its_real_bit(name, entry):
    word, bit = CORRELATION_BITS[name]
    expected = [0] * 4
    expected[word] = 1 << (8 * (3 - entry) + bit)
    config = Corr(**{name: one_hot(entry)})
    assert hexes(config.encode()) == hexes(expected)
    assert Corr.decode(np.array(expected, dtype=np.uint32)) == config
    assert hexes(Corr.encode_array(1, **{name: np.array([one_hot(entry)])})[0]) == hexes(expected)


def test_correlation_switches_all_set_fill_exactly_the_real_bits():
    config = Corr(**{name: [True] * 4 for name in CORRELATION_BITS})
    assert hexes(config.encode()) == hexes([0xC0C0_C0C0, 0xC0C0_C0C0, 0x2020_2020, 0x2020_2020])


@pytest.mark.parametrize("name", sorted(CORRELATION_BITS))
def test_correlation_switch_refuses_an_int(name):
    with pytest.raises(FieldTypeError, match=name):
        Corr(**{name: [1, 0, 0, 0]})


def test_correlation_quad_defaults_are_the_real_ones():
    """The real ColumnCorrelationSwitch constructor sets every switch off."""
    config = Corr()
    for name in CORRELATION_BITS:
        assert getattr(config, name) == [False] * 4, name
    assert hexes(config.encode()) == hexes([0] * 4)
    assert Corr.differential_write          # as the real one (DifferentialWriteTrait)


# -- ColumnCurrentQuad -----------------------------------------------------------------------------

def test_current_quad_real_golden_words_and_addresses():
    """test-column_current_quad.cpp, ColumnCurrentQuad.EncodeDecode."""
    config = Curr(enable_debug_excitatory=one_hot(2), enable_synaptic_current_inhibitory=one_hot(2))
    coord = halco.ColumnCurrentQuadOnDLS(halco.ColumnCurrentQuadOnSynram(3), halco.SynramOnDLS(0))
    assert hexes(Curr.addresses(coord)) == hexes([0x02C1_4003, 0x02C2_4003])
    golden = [0x0000_0200, 0x0000_0100]
    assert hexes(config.encode()) == hexes(golden)
    assert Curr.decode(np.array(golden, dtype=np.uint32)) == config


@pytest.mark.parametrize("name", sorted(CURRENT_BITS))
@pytest.mark.parametrize("entry", range(4))
def test_current_switch_alone_sets_its_real_bit(name, entry):
    word, bit = CURRENT_BITS[name]
    expected = [0, 0]
    expected[word] = 1 << (8 * (3 - entry) + bit)
    config = Curr(**{name: one_hot(entry)})
    assert hexes(config.encode()) == hexes(expected)
    assert Curr.decode(np.array(expected, dtype=np.uint32)) == config


def test_current_quad_defaults_are_the_real_ones():
    """The real ColumnCurrentSwitch constructor sets every switch off."""
    config = Curr()
    for name in CURRENT_BITS:
        assert getattr(config, name) == [False] * 4, name
    assert hexes(config.encode()) == hexes([0, 0])
    assert Curr.differential_write


# -- CommonCorrelationConfig -----------------------------------------------------------------------

#: real CommonCorrelationConfig timing fields: name -> (word, width, real default)
TIMING = {"sense_delay": (0, 12, 1), "reset_duration": (1, 12, 200), "reset_fall_time": (2, 12, 5)}
DEFAULT_WORDS = [1, 200, 5, 0b000]


def test_common_config_real_golden_words_and_addresses():
    """test-correlation.cpp, CommonCorrelationConfig.EncodeDecode (left block's entry: right)."""
    config = Common(sense_delay=100, reset_duration=500, reset_fall_time=30,
                    reset_mode=Common.ResetMode.auto_calibrating, cadc_v_offset_assignment=[1, 1])
    coord = halco.CommonCorrelationConfigOnDLS(1)         # bottom
    assert hexes(Common.addresses(coord)) == hexes([0x0320_0000, 0x0320_0001, 0x0320_0002, 0x0320_0003])
    assert hexes(Common.addresses(halco.CommonCorrelationConfigOnDLS(0))) == \
        hexes([0x0220_0000, 0x0220_0001, 0x0220_0002, 0x0220_0003])
    golden = [100, 500, 30, 0b101]
    assert hexes(config.encode()) == hexes(golden)
    assert Common.decode(np.array(golden, dtype=np.uint32)) == config


def test_common_config_defaults_are_the_real_ones():
    config = Common()
    for name, (_, _, default) in TIMING.items():
        assert getattr(config, name) == default, name
    assert config.reset_mode == Common.ResetMode.normal
    left, right = halco.CapMemBlockOnHemisphere.left, halco.CapMemBlockOnHemisphere.right
    assert config.cadc_v_offset_assignment == [left.to_enum(), right.to_enum()]
    assert hexes(config.encode()) == hexes(DEFAULT_WORDS)


@pytest.mark.parametrize("name", sorted(TIMING))
def test_common_config_timing_field_at_its_maximum_and_one_past(name):
    word, width, _ = TIMING[name]
    expected = list(DEFAULT_WORDS)
    expected[word] = (1 << width) - 1
    assert hexes(Common(**{name: (1 << width) - 1}).encode()) == hexes(expected)
    with pytest.raises(FieldValueError, match=name):
        Common(**{name: 1 << width})


def test_common_config_reset_mode_is_bit_0_of_word_3():
    words = Common(reset_mode=Common.ResetMode.auto_calibrating).encode()
    assert hexes(words) == hexes([1, 200, 5, 0b001])
    with pytest.raises(FieldValueError, match="reset_mode"):
        Common(reset_mode=2)


@pytest.mark.parametrize("assignment, bits", [
    ([0, 1], 0b000),          # each block its own offset (default)
    ([1, 1], 0b100),          # left block uses the right one's: bit 2 as it is
    ([0, 0], 0b010),          # right block uses the left one's: bit 1 inverted
    ([1, 0], 0b110),          # swapped
])
def test_common_config_offset_assignment_right_entry_inverted(assignment, bits):
    """The real encode: select_voltage_left (bit 2) = left's entry, select_voltage_right (bit 1)
    = 1 unless the right block uses its own (right) offset."""
    config = Common(cadc_v_offset_assignment=assignment)
    assert int(config.encode()[3]) == bits
    assert Common.decode(np.array([1, 200, 5, bits], dtype=np.uint32)).cadc_v_offset_assignment == assignment
    decoded = Common.decode_array(np.array([[1, 200, 5, bits]], dtype=np.uint32))
    assert decoded["cadc_v_offset_assignment"].tolist() == [assignment]
    words = Common.encode_array(1, cadc_v_offset_assignment=np.array([assignment]))
    assert int(words[0, 3]) == bits


def test_common_config_offset_assignment_one_past_max_raises():
    with pytest.raises(FieldValueError, match="cadc_v_offset_assignment"):
        Common(cadc_v_offset_assignment=[2, 1])
    with pytest.raises(FieldValueError, match="cadc_v_offset_assignment"):
        Common.encode_array(1, cadc_v_offset_assignment=np.array([[0, 2]]))


# -- per-entry inversion of an array field (haldls._fields.Array invert_entries) -------------------

def _inverted() -> Array:
    """Three 2-bit entries in one word, the middle one stored inverted."""
    return Array(UInt(2, at(0, 0)), 3, lambda e: [at(0, 2 * e)], invert_entries=(False, True, False))


def test_invert_entries_flips_only_the_flagged_entry_both_codecs():
    f = _inverted()
    words = [0]
    f.encode_into(words, [1, 1, 1])
    assert words == [0b01_10_01]
    assert f.decode_from([0b01_10_01]) == [1, 1, 1]
    assert f.decode_from([0]) == [0, 3, 0]
    assert f.decode_array(np.array([[0], [0b01_10_01]], dtype=np.uint32)).tolist() == [[0, 3, 0], [1, 1, 1]]
    arr = np.zeros((1, 1), dtype=np.uint64)
    f.encode_array(np.array([[1, 1, 1]]), arr)
    assert int(arr[0, 0]) == 0b01_10_01


def test_invert_entries_combines_with_the_base_inversion():
    f = Array(UInt(1, at(0, 0), invert=True), 2, lambda e: [at(0, e)], invert_entries=(False, True))
    words = [0]
    f.encode_into(words, [0, 0])
    assert words == [0b01]            # entry 0 inverted by the base, entry 1 inverted twice


def test_invert_entries_needs_one_flag_per_entry():
    with pytest.raises(ValueError, match="one flag per entry"):
        Array(UInt(1, at(0, 0)), 2, lambda e: [at(0, e)], invert_entries=(True,))


def test_array_per_entry_defaults_are_checked():
    with pytest.raises(ValueError, match="2 defaults"):
        Array(UInt(1, at(0, 0)), 2, lambda e: [at(0, e)], default=(0,))
    with pytest.raises(FieldValueError):
        Array(UInt(1, at(0, 0)), 2, lambda e: [at(0, e)], default=(0, 2))


# -- crossbar counters -----------------------------------------------------------------------------

#: omnibus_constants.tcc: node base 0x13_0019 + 76 nodes -> drop counters, + 20 -> event counters
DROP_BASE = 0x13_0065
EVENT_BASE = 0x13_0079


def test_drop_counter_real_address_coordinate_and_width():
    """test-routing_crossbar.cpp, CrossbarInputDropCounter.EncodeDecode: coordinate
    CrossbarInputOnDLS, read at base + input, the value in the word as it is."""
    C = haldls.CrossbarInputDropCounter
    assert C.coordinate_type is halco.CrossbarInputOnDLS
    assert hexes(C.addresses(halco.CrossbarInputOnDLS(5))) == hexes([DROP_BASE + 5])
    assert [int(C.addresses(halco.CrossbarInputOnDLS(i))[0]) for i in range(20)] == \
        list(range(DROP_BASE, DROP_BASE + 20))
    assert C.decode(np.array([0xFFFF], dtype=np.uint32)).value == 0xFFFF
    assert C().value == 0
    with pytest.raises(FieldValueError, match="value"):
        C(value=1 << 16)
    assert not C.writable


def test_event_counter_real_address_coordinate_and_width():
    C = haldls.CrossbarOutputEventCounter
    assert C.coordinate_type is halco.CrossbarOutputOnDLS
    assert [int(C.addresses(halco.CrossbarOutputOnDLS(o))[0]) for o in range(12)] == \
        list(range(EVENT_BASE, EVENT_BASE + 12))
    assert C.decode(np.array([0xFF_FFFF], dtype=np.uint32)).value == 0xFF_FFFF
    with pytest.raises(FieldValueError, match="value"):
        C(value=1 << 24)
    assert not C.writable


# -- one column's switches (the real nested ColumnCorrelationSwitch / ColumnCurrentSwitch) ---------

@pytest.mark.parametrize("quad, switch, fields", [
    (Corr, Corr.ColumnCorrelationSwitch, CORRELATION_BITS),
    (Curr, Curr.ColumnCurrentSwitch, CURRENT_BITS),
])
def test_get_and_set_switch_view_one_column(quad, switch, fields):
    assert {f.name for f in attrs.fields(switch)} == set(fields)           # the real names
    assert switch() == switch(**{name: False for name in fields})        # real default: all off
    for name in fields:
        config = quad()
        config.set_switch(halco.EntryOnQuad(1), switch(**{name: True}))
        assert getattr(config, name) == one_hot(1)
        assert config == quad(**{name: one_hot(1)})
        assert config.get_switch(1) == switch(**{name: True})
        assert config.get_switch(halco.EntryOnQuad(0)) == switch()


def test_switch_values_are_checked_and_pickle():
    with pytest.raises(FieldTypeError, match="enable_internal_causal"):
        Corr.ColumnCorrelationSwitch(enable_internal_causal=1)
    with pytest.raises(FieldTypeError, match="set_switch takes a ColumnCurrentQuad.ColumnCurrentSwitch"):
        Curr().set_switch(0, Corr.ColumnCorrelationSwitch())
    with pytest.raises(FieldValueError, match="entry = 4"):
        Corr().get_switch(4)
    with pytest.raises(FieldTypeError, match="entry must be"):
        Corr().get_switch("0")
    value = Corr.ColumnCorrelationSwitch(enable_debug_acausal=True)
    assert pickle.loads(pickle.dumps(value)) == value


def test_per_entry_defaults_hold_in_the_vectorized_encoder():
    """encode_array fills a missing array field with its per-entry defaults (left, right)."""
    words = Common.encode_array(2)
    assert words.tolist() == [DEFAULT_WORDS, DEFAULT_WORDS]
    assert Common.decode_array(words)["cadc_v_offset_assignment"].tolist() == [[0, 1], [0, 1]]
