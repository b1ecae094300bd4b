"""PadMultiplexerConfig has the real haldls fields, in the real bit order: the real container's
word 0 in bits 15..0, its word 1 in bits 31..16 (a designed packing of its two 16-bit words)."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import haldls

#: field (entry) -> bit, from the real PadMultiplexerConfigBitfield (word 1 bits + 16)
REAL_BITS = {
    ("cadc_v_ramp_mux", 3): 0, ("cadc_v_ramp_mux", 0): 3, ("cadc_v_ramp_mux_to_pad", None): 4,
    ("capmem_i_out_mux", 3): 5, ("capmem_i_out_mux", 0): 8,
    ("capmem_i_out_mux_to_capmem_intermediate_mux", None): 9,
    ("capmem_intermediate_mux_to_pad", None): 10,
    ("capmem_v_out_mux", 3): 11, ("capmem_v_out_mux", 0): 14,
    ("capmem_v_out_mux_to_capmem_intermediate_mux", None): 15,
    ("capmem_v_ref_mux", 3): 16, ("capmem_v_ref_mux", 0): 19,
    ("capmem_v_ref_mux_to_capmem_intermediate_mux", None): 20,
    ("neuron_i_stim_mux", 0): 21, ("neuron_i_stim_mux", 1): 22,
    ("cadc_debug_causal_to_synapse_intermediate_mux", None): 23,
    ("cadc_debug_acausal_to_synapse_intermediate_mux", None): 24,
    ("synin_debug_inhibitory_to_synapse_intermediate_mux", None): 25,
    ("synin_debug_excitatory_to_synapse_intermediate_mux", None): 26,
    ("synapse_intermediate_mux_to_pad", None): 27,
    ("buffer_to_pad", 1): 28, ("buffer_to_pad", 0): 29, ("debug_to_pad", None): 30,
    ("neuron_i_stim_mux_to_pad", None): 31,
}


@pytest.mark.parametrize("field, entry", list(REAL_BITS))
def test_each_switch_sits_at_its_real_bit(field, entry):
    config = haldls.PadMultiplexerConfig()
    if entry is None:
        setattr(config, field, True)
    else:
        values = list(getattr(config, field))
        values[entry] = True
        setattr(config, field, values)
    assert config.encode()[0] == 1 << REAL_BITS[(field, entry)]
    assert haldls.PadMultiplexerConfig.decode(np.array(config.encode(), dtype=np.uint32)) == config


def test_the_two_pads_have_one_word_each():
    words = [haldls.PadMultiplexerConfig.addresses(halco.PadMultiplexerConfigOnDLS(p)) for p in range(2)]
    assert len(words[0]) == len(words[1]) == 1 and words[0][0] + 1 == words[1][0]
