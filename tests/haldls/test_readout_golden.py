"""ReadoutSourceSelection and PadMultiplexerConfig have the real haldls layouts (fidelity issue
17, item 1): the real golden words and addresses of the real encode/decode tests
(``tests/sw/haldls/vx/test-readout_mux.cpp``, ``test-readout_buffer.cpp``), every field alone at
its maximum on the bit of the real bitfields (``ReadoutSourceSelectionBitfield``,
``PadMultiplexerConfigBitfield``), values past the range refused, the real defaults (everything
off), and the real nested ``SourceMultiplexer`` API (``get_buffer``/``set_buffer``)."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import halco
import haldls
from haldls.errors import FieldTypeError, FieldValueError

RSS = haldls.ReadoutSourceSelection
PMC = haldls.PadMultiplexerConfig
MUX = halco.SourceMultiplexerOnReadoutSourceSelection
MADC_BASE = 0xC0000

#: SourceMultiplexer member (hemisphere) -> bit in its multiplexer's word (word m for mux m),
#: from the real ReadoutSourceSelectionBitfield
SOURCE_BITS = {
    ("debug_plus", None): 0, ("debug_minus", None): 1, ("current_dac", None): 2,
    ("synin_debug_inhibitory", None): 3, ("synin_debug_excitatory", None): 4,
    ("cadc_debug_causal", None): 5, ("cadc_debug_acausal", None): 6,
    ("synapse_driver_debug", 0): 7, ("synapse_driver_debug", 1): 8,
    ("neuron_odd", 0): 9, ("neuron_even", 0): 10, ("neuron_odd", 1): 11, ("neuron_even", 1): 12,
}

#: PadMultiplexerConfig field (entry) -> (word, bit), from the real PadMultiplexerConfigBitfield
PAD_BITS = {
    ("cadc_v_ramp_mux", 3): (0, 0), ("cadc_v_ramp_mux", 2): (0, 1),
    ("cadc_v_ramp_mux", 1): (0, 2), ("cadc_v_ramp_mux", 0): (0, 3),
    ("cadc_v_ramp_mux_to_pad", None): (0, 4),
    ("capmem_i_out_mux", 3): (0, 5), ("capmem_i_out_mux", 2): (0, 6),
    ("capmem_i_out_mux", 1): (0, 7), ("capmem_i_out_mux", 0): (0, 8),
    ("capmem_i_out_mux_to_capmem_intermediate_mux", None): (0, 9),
    ("capmem_intermediate_mux_to_pad", None): (0, 10),
    ("capmem_v_out_mux", 3): (0, 11), ("capmem_v_out_mux", 2): (0, 12),
    ("capmem_v_out_mux", 1): (0, 13), ("capmem_v_out_mux", 0): (0, 14),
    ("capmem_v_out_mux_to_capmem_intermediate_mux", None): (0, 15),
    ("capmem_v_ref_mux", 3): (1, 0), ("capmem_v_ref_mux", 2): (1, 1),
    ("capmem_v_ref_mux", 1): (1, 2), ("capmem_v_ref_mux", 0): (1, 3),
    ("capmem_v_ref_mux_to_capmem_intermediate_mux", None): (1, 4),
    ("neuron_i_stim_mux", 0): (1, 5), ("neuron_i_stim_mux", 1): (1, 6),
    ("cadc_debug_causal_to_synapse_intermediate_mux", None): (1, 7),
    ("cadc_debug_acausal_to_synapse_intermediate_mux", None): (1, 8),
    ("synin_debug_inhibitory_to_synapse_intermediate_mux", None): (1, 9),
    ("synin_debug_excitatory_to_synapse_intermediate_mux", None): (1, 10),
    ("synapse_intermediate_mux_to_pad", None): (1, 11),
    ("buffer_to_pad", 1): (1, 12), ("buffer_to_pad", 0): (1, 13),
    ("debug_to_pad", None): (1, 14), ("neuron_i_stim_mux_to_pad", None): (1, 15),
}


def _words(*values: int) -> list[int]:
    return [int(v) for v in values]


# -- ReadoutSourceSelection ---------------------------------------------------------------------

def test_source_selection_real_golden_words_and_addresses():
    """The real EncodeDecode test: addresses MADC base + 12, + 13; default words 0, 0; the
    example connections encode to 0x228, 0x2005 and decode back."""
    coord = halco.ReadoutSourceSelectionOnDLS()
    assert list(RSS.addresses(coord)) == [MADC_BASE + 12, MADC_BASE + 13]
    config = RSS()
    assert _words(*config.encode()) == [0, 0]
    buffer_0, buffer_1 = config.get_buffer(MUX(0)), config.get_buffer(MUX(1))
    buffer_0.synin_debug_inhibitory = True
    buffer_0.cadc_debug_causal = True
    buffer_0.neuron_odd[0] = True
    buffer_1.current_dac = True
    buffer_1.debug_plus = True
    config.set_buffer(MUX(0), buffer_0)
    config.set_buffer(MUX(1), buffer_1)
    config.enable_buffer_to_pad[1] = True
    assert _words(*config.encode()) == [0x228, 0x2005]
    decoded = RSS.decode(config.encode())
    assert decoded == config and decoded != RSS()
    assert decoded.get_buffer(MUX(0)) == buffer_0 and decoded.get_buffer(MUX(1)) == buffer_1


@pytest.mark.parametrize("mux", [0, 1])
@pytest.mark.parametrize("member, hemisphere", list(SOURCE_BITS))
def test_each_source_member_alone_sits_at_its_real_bit(member, hemisphere, mux):
    source = RSS.SourceMultiplexer()
    if hemisphere is None:
        setattr(source, member, True)
    else:
        getattr(source, member)[hemisphere] = True
    config = RSS()
    config.set_buffer(MUX(mux), source)
    expected = [0, 0]
    expected[mux] = 1 << SOURCE_BITS[(member, hemisphere)]
    assert _words(*config.encode()) == expected
    assert RSS.decode(config.encode()).get_buffer(MUX(mux)) == source
    assert RSS.decode(config.encode()).get_buffer(MUX(1 - mux)) == RSS.SourceMultiplexer()


@pytest.mark.parametrize("mux, bit", [(0, 14), (1, 13)])
def test_enable_buffer_to_pad_sits_in_word_one(mux, bit):
    config = RSS()
    config.enable_buffer_to_pad[mux] = True
    assert _words(*config.encode()) == [0, 1 << bit]
    assert RSS.decode(config.encode()) == config


def test_source_selection_defaults_are_all_off():
    source = RSS.SourceMultiplexer()
    for name in RSS.SourceMultiplexer.fields:
        value = getattr(source, name)
        assert value is False or list(value) == [False, False], name
    config = RSS()
    assert config.get_buffer(MUX(0)) == config.get_buffer(MUX(1)) == source
    assert list(config.enable_buffer_to_pad) == [False, False]


def test_source_selection_unused_bits_are_ignored_on_decode():
    """The real decode masks words 0 and 1 to bits 12..0 and 14..0."""
    assert RSS.decode(np.array([0xFFFF_E000, 0xFFFF_8000], dtype=np.uint32)) == RSS()


def test_source_multiplexer_is_a_value():
    """get_buffer gives a copy: changing it changes the container only through set_buffer."""
    config = RSS()
    source = config.get_buffer(MUX(1))
    source.neuron_even[1] = True
    assert config == RSS()
    config.set_buffer(1, source)                   # the enum works as the coordinate
    assert config.neuron_even == [False, False, False, True]     # entry 2 mux + hemisphere
    assert copy.deepcopy(source) == source and pickle.loads(pickle.dumps(source)) == source


def test_source_selection_bad_input_is_named():
    source = RSS.SourceMultiplexer()
    with pytest.raises(FieldTypeError, match=r"SourceMultiplexer\.debug_plus must be a bool"):
        source.debug_plus = 1
    with pytest.raises(FieldTypeError, match=r"SourceMultiplexer\.neuron_odd needs exactly 2"):
        source.neuron_odd = [True]
    with pytest.raises(FieldTypeError, match=r"SourceMultiplexer\.neuron_even must be a bool"):
        source.neuron_even[0] = 2
    with pytest.raises(AttributeError):
        source.neuron_even_top = True              # the old, designed name is gone
    with pytest.raises(FieldValueError, match=r"get_buffer: buffer = 2 is out of range \[0, 1\]"):
        RSS().get_buffer(2)
    with pytest.raises(FieldTypeError, match="set_buffer: buffer must be a "
                                             "SourceMultiplexerOnReadoutSourceSelection"):
        RSS().set_buffer("0", source)
    with pytest.raises(FieldTypeError, match="set_buffer: value must be a "
                                             r"ReadoutSourceSelection\.SourceMultiplexer"):
        RSS().set_buffer(MUX(0), {"debug_plus": True})
    with pytest.raises(FieldTypeError, match=r"ReadoutSourceSelection\.enable_buffer_to_pad"):
        RSS(enable_buffer_to_pad=[True, False, True])


# -- PadMultiplexerConfig -----------------------------------------------------------------------

def test_pad_multiplexer_real_golden_words_and_addresses():
    """The real EncodeDecode test: pad 0 at MADC base + 14, + 15 (pad 1 two words on); default
    words 0, 0; the example connections encode to 0x411, 0x14 and decode back."""
    assert list(PMC.addresses(halco.PadMultiplexerConfigOnDLS(0))) == [MADC_BASE + 14,
                                                                       MADC_BASE + 15]
    assert list(PMC.addresses(halco.PadMultiplexerConfigOnDLS(1))) == [MADC_BASE + 16,
                                                                       MADC_BASE + 17]
    assert _words(*PMC().encode()) == [0, 0]
    config = PMC(cadc_v_ramp_mux=[False, False, False, True], cadc_v_ramp_mux_to_pad=True,
                 capmem_v_ref_mux=[False, True, False, False],
                 capmem_v_ref_mux_to_capmem_intermediate_mux=True,
                 capmem_intermediate_mux_to_pad=True)
    assert _words(*config.encode()) == [0x411, 0x14]
    assert PMC.decode(config.encode()) == config != PMC()


def test_pad_multiplexer_has_the_18_real_fields():
    assert len(PMC.fields) == 18
    assert {name for name, _ in PAD_BITS} == set(PMC.fields)


@pytest.mark.parametrize("field, entry", list(PAD_BITS))
def test_each_pad_switch_alone_sits_at_its_real_bit(field, entry):
    config = PMC()
    if entry is None:
        setattr(config, field, True)
    else:
        getattr(config, field)[entry] = True
    word, bit = PAD_BITS[(field, entry)]
    expected = [0, 0]
    expected[word] = 1 << bit
    assert _words(*config.encode()) == expected
    assert PMC.decode(config.encode()) == config
    with pytest.raises(FieldTypeError, match=f"PadMultiplexerConfig.{field} must be a bool"):
        if entry is None:
            setattr(config, field, 2)
        else:
            getattr(config, field)[entry] = 2


def test_pad_multiplexer_defaults_are_all_off_and_unused_bits_ignored():
    config = PMC()
    for name, f in PMC.fields.items():
        value = getattr(config, name)
        assert (value is False) if f.count is None else not any(value), name
    assert PMC.decode(np.array([0xFFFF_0000, 0xFFFF_0000], dtype=np.uint32)) == PMC()


def test_pad_multiplexer_array_sizes_are_checked():
    with pytest.raises(FieldTypeError, match=r"PadMultiplexerConfig\.buffer_to_pad needs exactly 2"):
        PMC(buffer_to_pad=[True, False, False])
    with pytest.raises(FieldTypeError, match=r"PadMultiplexerConfig\.capmem_v_out_mux needs exactly 4"):
        PMC(capmem_v_out_mux=[True])
