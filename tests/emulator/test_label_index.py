"""Event delivery through the label index: an event visits only the synapses of its label
(emulator.core.label_index), and a label written between runs takes effect at once."""

from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays

import halco
import haldls
import stadls
from emulator import Emulator, core
from stadls.helpers import input_label, route_input, write_neuron_capmem, write_synapse_row


@given(arrays(np.int64, (1, 3, 256), elements=st.integers(0, 63)))
def test_the_index_lists_each_label_s_columns_in_ascending_order(labels):
    columns, bounds = core.label_index(labels)
    for row in range(3):
        assert bounds[0, row, 0] == 0 and bounds[0, row, 64] == 256
        for label in range(64):
            found = columns[0, row, bounds[0, row, label]:bounds[0, row, label + 1]]
            assert found.tolist() == np.nonzero(labels[0, row] == label)[0].tolist()


def _charged_columns(emulator: Emulator) -> list[int]:
    """Columns (hemisphere 0) whose excitatory input carries current."""
    return np.nonzero(emulator.chip.S[core.S_I_EXC, :256] > 0)[0].tolist()


def test_an_event_charges_exactly_its_label_s_synapses_also_after_a_label_write():
    row = halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(0), halco.SynramOnDLS(0))
    builder = stadls.PlaybackProgramBuilder()
    route_input(builder, row)
    builder.write_array(haldls.NeuronConfig, np.arange(256), haldls.NeuronConfig.encode_array(
        256, enable_synaptic_input_excitatory=True))
    write_neuron_capmem(builder, {"i_bias_synin_exc_tau": 500, "i_bias_synin_exc_gm": 500},
                        [halco.AtomicNeuronOnDLS.from_enum(n) for n in range(256)])
    labels = np.arange(256) % 64
    write_synapse_row(builder, row, 20, labels)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([input_label(row, 5)]))
    builder.block_until(halco.TimerOnDLS(), haldls.Timer.Value(1000))
    emulator = Emulator(chip_id=0, noise=False)
    stadls.run(emulator, stadls.generate(stadls.SystemInit())[0].done())
    stadls.run(emulator, builder.done())
    assert _charged_columns(emulator) == [5, 69, 133, 197]

    # column 10 takes label 5: the next event reaches it too (the index follows the write)
    labels[10] = 5
    builder = stadls.PlaybackProgramBuilder()
    write_synapse_row(builder, row, 20, labels)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([input_label(row, 5)]))
    builder.block_until(halco.TimerOnDLS(), haldls.Timer.Value(1000))
    stadls.run(emulator, builder.done())
    assert _charged_columns(emulator) == [5, 10, 69, 133, 197]
