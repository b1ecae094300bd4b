"""MADCControl and MADCConfig against the real haldls layout (fidelity issue 17, item 1).

The expected words are written out here by hand from the real bitfields
(electronicvisions/haldls, src/haldls/vx/madc.cpp, and its golden test
tests/sw/haldls/vx/test-madc.cpp): MADCControl's one fixed golden word and MADCConfig's ten
addresses come from that test; its MADCConfig words are drawn at random there, so the words
below are built from the real table of (word, lowest bit, width) per field and the real
defaults. The sample rate is checked against values computed by hand from the real
``MADCConfig::calculate_sample_rate``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import halco
import haldls
from haldls.errors import FieldTypeError, FieldValueError

#: real layout: field (array entry) -> (word, lowest bit, width); words at MADC base + 1 + word
LAYOUT = {
    "active_mux_initially_selected_input": (0, 3, 1),
    "active_mux_input_select_length": (0, 4, 4),
    "sample_duration_adjust": (0, 8, 3),
    "enable_sar_reset_on_fall": (0, 11, 1),
    "sar_reset_wait": (0, 12, 2),
    "sar_reset_length": (0, 14, 2),
    "powerup_wait_value": (1, 0, 10),
    "conversion_cycles_offset": (1, 12, 4),
    "calibration_wait_value": (2, 0, 10),
    "enable_calibration": (2, 15, 1),
    "number_of_samples": (3, 0, 16),
    "preamp_sampling_window_start": (4, 0, 5),
    "preamp_sampling_window_end": (4, 5, 5),
    "iconv_sampling_window_start": (5, 0, 5),
    "iconv_sampling_window_end": (5, 5, 5),
    "sample_on_positive_edge": (6, 0, 1),
    "enable_dummy_data": (6, 1, 1),
    "connect_preamp_to_madc": (7, 0, 1),
    "connect_pads_to_madc": (7, 1, 1),
    "connect_preamp_to_pads": (7, 2, 1),
    "preamp_gain_capacitor_size": (7, 3, 5),
    "enable_madc_clock_scaling": (8, 0, 1),
    "madc_clock_scale_value": (8, 1, 12),
    "enable_active_mux_amplifiers": (9, 0, 1),
    "enable_pseudo_differential_reference[0]": (9, 1, 1),     # HemisphereOnDLS 0
    "enable_pseudo_differential_reference[1]": (9, 2, 1),
    "signal_selection_connect_current_meter": (9, 3, 1),
    "signal_selection_connect_active_mux": (9, 4, 1),
    "signal_selection_connect_debug": (9, 5, 1),
    "signal_selection_connect_preamp": (9, 6, 1),
    "enable_iconv_amplifier": (9, 7, 1),
    "connect_iconv_neuron[0]": (9, 8, 1),
    "connect_iconv_neuron[1]": (9, 9, 1),
    "connect_iconv_synapse[1]": (9, 10, 1),                   # inhibitory
    "connect_iconv_synapse[0]": (9, 11, 1),                   # excitatory
}

#: real defaults (MADCConfig's constructor and the ranged types' default values)
DEFAULTS = {
    "sample_duration_adjust": 5, "sar_reset_wait": 3, "powerup_wait_value": 96,
    "conversion_cycles_offset": 12, "preamp_sampling_window_start": 3,
    "preamp_sampling_window_end": 8, "iconv_sampling_window_start": 9,
    "iconv_sampling_window_end": 14, "sample_on_positive_edge": 1, "connect_preamp_to_madc": 1,
    "preamp_gain_capacitor_size": 31, "enable_active_mux_amplifiers": 1,
    "signal_selection_connect_active_mux": 1, "signal_selection_connect_preamp": 1,
}

#: the default words, written out: w0 5 << 8 | 3 << 12; w1 96 | 12 << 12; w4 3 | 8 << 5;
#: w5 9 | 14 << 5; w6 bit 0; w7 bit 0 | 31 << 3; w9 bits 0, 4, 6
DEFAULT_WORDS = [0x3500, 0xC060, 0, 0, 0x103, 0x1C9, 0x1, 0xF9, 0, 0x51]

ADDRESSES = [0x000C_0001 + i for i in range(10)]     # the real test's reference addresses


def _words(values: dict[str, int]) -> list[int]:
    words = [0] * 10
    for key, (word, lo, width) in LAYOUT.items():
        value = values.get(key, DEFAULTS.get(key, 0))
        assert 0 <= value < 1 << width
        words[word] |= value << lo
    return words


def _make(key: str, value):
    """MADCConfig with only ``key`` (``name`` or ``name[i]``) set to ``value``."""
    name, _, entry = key.partition("[")
    if not entry:
        return haldls.MADCConfig(**{name: value})
    entries = list(getattr(haldls.MADCConfig(), name))
    entries[int(entry[:-1])] = value
    return haldls.MADCConfig(**{name: entries})


def _is_bool(key: str) -> bool:
    return haldls.MADCConfig.fields[key.partition("[")[0]].kind == "bool"


def _maximum(key: str):
    return True if _is_bool(key) else (1 << LAYOUT[key][2]) - 1


def test_the_layout_table_covers_every_field_and_each_bit_once():
    names = {k.partition("[")[0] for k in LAYOUT}
    assert names == set(haldls.MADCConfig.fields)
    used = [(w, lo + b) for w, lo, width in LAYOUT.values() for b in range(width)]
    assert len(used) == len(set(used)) and all(bit < 16 for _, bit in used)   # 31..16 unused


def test_default_words_and_addresses():
    config = haldls.MADCConfig()
    assert _words({}) == DEFAULT_WORDS
    assert [hex(w) for w in config.encode()] == [hex(w) for w in DEFAULT_WORDS]
    assert [hex(a) for a in haldls.MADCConfig.addresses(halco.MADCConfigOnDLS())] == \
        [hex(a) for a in ADDRESSES]
    assert haldls.MADCConfig.decode(np.array(DEFAULT_WORDS, dtype=np.uint32)) == config


@pytest.mark.parametrize("key", sorted(LAYOUT))
def test_each_field_at_its_maximum_lands_on_its_real_bits(key):
    maximum = _maximum(key)
    config = _make(key, maximum)
    expected = _words({key: int(maximum)})
    assert [hex(w) for w in config.encode()] == [hex(w) for w in expected]
    assert haldls.MADCConfig.decode(np.array(expected, dtype=np.uint32)) == config
    if not _is_bool(key):
        with pytest.raises(FieldValueError, match=key.partition("[")[0]):
            _make(key, maximum + 1)


def test_every_field_off_its_default_at_once():
    """As the real EncodeDecode test: every field changed, the words ORed from the table."""
    values = {key: (DEFAULTS.get(key, 0) + 1) % (1 << LAYOUT[key][2]) for key in LAYOUT}
    config = haldls.MADCConfig()
    for key, value in values.items():
        name, _, entry = key.partition("[")
        typed = bool(value) if _is_bool(key) else value
        if entry:
            getattr(config, name)[int(entry[:-1])] = typed
        else:
            setattr(config, name, typed)
    assert [hex(w) for w in config.encode()] == [hex(w) for w in _words(values)]


def test_madc_control_real_golden_word():
    control = haldls.MADCControl(enable_iconv_amplifier=True, enable_pre_amplifier=True,
                                 enable_power_down_after_sampling=True, wake_up=True)
    assert [hex(a) for a in haldls.MADCControl.addresses(halco.MADCControlOnDLS())] == ["0xc0000"]
    assert [hex(w) for w in control.encode()] == [hex(0b1101001)]


# -- sample rate ----------------------------------------------------------------------------------

def test_the_default_madc_base_frequency_is_the_default_pll_s_madc_clock():
    # ADPLL dco output: pre_div_p0 2 * loop_div_n 10 * 50 MHz reference / pre_div_p2 2
    assert haldls.NOMINAL_PLL_F_REFERENCE == 50e6
    assert haldls.DEFAULT_MADC_BASE_FREQUENCY == 500e6
    assert haldls.MINIMAL_MADC_CLOCK_CYCLES_PER_SAMPLE == 12


@pytest.mark.parametrize("fields, base, rate", [
    ({}, 500e6, 500e6 / 17),                                           # 29.41 MHz
    ({"sample_duration_adjust": 0}, 500e6, 500e6 / 12),
    ({"sample_duration_adjust": 7}, 500e6, 500e6 / 19),
    ({"conversion_cycles_offset": 0}, 500e6, 500e6 / 17),              # not in the formula
    ({"madc_clock_scale_value": 10}, 500e6, 500e6 / 17),               # scaling off
    ({"enable_madc_clock_scaling": True}, 500e6, 500e6 / 17 / 2),
    ({"enable_madc_clock_scaling": True, "madc_clock_scale_value": 10}, 500e6, 500e6 / 17 / 22),
    ({"enable_madc_clock_scaling": True, "madc_clock_scale_value": 4095,
      "sample_duration_adjust": 7}, 500e6, 500e6 / 19 / 8192),
    ({}, 250e6, 250e6 / 17),
])
def test_calculate_sample_rate(fields, base, rate):
    assert haldls.MADCConfig(**fields).calculate_sample_rate(base) == pytest.approx(rate, rel=1e-12)


def test_the_default_rate_is_about_29_4_mhz():
    rate = haldls.MADCConfig().calculate_sample_rate(haldls.DEFAULT_MADC_BASE_FREQUENCY)
    assert 29.4e6 < rate < 29.5e6


@pytest.mark.parametrize("base, error", [
    (0.0, FieldValueError), (-500e6, FieldValueError), (math.nan, FieldValueError),
    (math.inf, FieldValueError), ("500e6", FieldTypeError), (True, FieldTypeError),
    (None, FieldTypeError),
])
def test_calculate_sample_rate_refuses_a_bad_base_frequency(base, error):
    with pytest.raises(error, match=r"madc_base_frequency must be a .*"):
        haldls.MADCConfig().calculate_sample_rate(base)
