"""The whole chip as one value: write, read back, compare, diff, serialize, use as initial config."""

from __future__ import annotations

import copy
import time

import numpy as np
import pytest

import halco
import haldls
import lola
import stadls


def configured_chip() -> lola.Chip:
    rng = np.random.default_rng(3)
    chip = lola.Chip()
    chip.capmem.blocks = [haldls.CapMemBlockConfig() for _ in range(4)]
    chip.capmem.set_shared(halco.CapMemCellOnCapMemBlock.syn_i_bias_dac, 600)
    chip.synapse_matrices[1].weights = rng.integers(0, 64, (256, 256))
    chip.synapse_matrices[1].labels = rng.integers(0, 64, (256, 256))
    chip.neuron_block.atomic_neurons[300].leak.v_leak = 650
    chip.neuron_block.atomic_neurons[300].event_routing.address = 9
    chip.crossbar.nodes[5] = haldls.CrossbarNode(mask=3, target=1)
    chip.background_spike_sources[2] = haldls.BackgroundSpikeSource(period=99, rate=10)
    chip.cadc_readout_chains[1].channels[7] = haldls.CADCChannelConfig(offset=-3)
    chip.readout_chain.madc_config = haldls.MADCConfig(number_of_samples=1000)
    return chip


def test_chip_write_and_read_back_on_the_emulator():
    chip = configured_chip()
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.ChipOnDLS(), chip)
    ticket = builder.read(halco.ChipOnDLS())
    with stadls.ManagedConnection() as conn:
        stadls.run(conn, builder.done())
    assert ticket.get() == chip
    assert ticket.get() != lola.Chip()


def test_diff_names_the_coordinates_that_differ():
    a, b = lola.Chip(), lola.Chip()
    assert a.diff(b) == [] and a == b
    b.neuron_block.atomic_neurons[300].leak.v_leak = 1
    b.crossbar.nodes[5] = haldls.CrossbarNode.drop_all()
    assert a.diff(b) == [halco.CrossbarNodeOnDLS.from_enum(5), halco.AtomicNeuronOnDLS.from_enum(300)]
    with pytest.raises(lola.errors.LolaTypeError):
        a.diff(lola.NeuronBlock())


def test_chip_serializes_to_json_and_bytes():
    chip = configured_chip()
    assert lola.Chip.from_bytes(chip.to_bytes()) == chip
    assert lola.Chip.from_json(chip.to_json()) == chip


def test_parts_are_type_checked():
    chip = lola.Chip()
    with pytest.raises(lola.errors.LolaTypeError, match="crossbar"):
        chip.crossbar = haldls.CrossbarNode()
    with pytest.raises(lola.errors.LolaTypeError, match="background_spike_sources"):
        chip.background_spike_sources = [haldls.BackgroundSpikeSource()] * 7


def test_writing_a_whole_chip_is_well_under_a_second():
    chip = configured_chip()
    t0 = time.perf_counter()
    instructions = chip.encode_write(halco.ChipOnDLS())
    elapsed = time.perf_counter() - t0
    assert len(instructions) > 2 * 32768 + 512 * 34
    assert elapsed < 5.0   # generous bound for slow CI machines; benchmarks/chip.py has the figure


def test_default_neuron_bypass_relays_spikes_as_initial_configuration():
    chip = lola.Chip.default_neuron_bypass()
    chip.synapse_matrices[0].weights[1, 12] = 40   # driver 0, top row; label 0 matches label 0
    builder, _ = stadls.generate(stadls.SystemInit())
    builder.write(halco.ChipOnDLS(), chip)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    for k in range(5):
        builder.wait_until(125 * (10 + 10 * k))
        builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([0]))   # row select 0, label 0
    builder.wait_until(125 * 80)
    program = builder.done()
    with stadls.ManagedConnection() as conn:
        stadls.run(conn, program)
    relayed = program.spikes[(program.spikes["label"] & 0xFF) == 12]
    assert len(relayed) == 5


from hypothesis import Phase, given, settings, strategies as st  # noqa: E402

COMPOSITES = [
    (lola.NeuronBlock, halco.NeuronBlockOnDLS()),
    (lola.Crossbar, halco.CrossbarOnDLS()),
    (lola.CapMem, halco.CapMemOnDLS()),
    (lola.CADCReadoutChain, halco.CADCOnDLS(1)),
    (lola.ReadoutChain, halco.ReadoutChainOnDLS()),
    (lola.Chip, halco.ChipOnDLS()),
]


@pytest.mark.parametrize("cls,coord", COMPOSITES, ids=[c.__name__ for c, _ in COMPOSITES])
@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.generate])
@given(data=st.data())
def test_composite_round_trips(cls, coord, data):
    """Random leaves (drawn from each leaf's own strategy) survive read decoding, bytes and JSON."""
    value = cls._template(coord)
    leaves = list(value.leaves())
    picks = data.draw(st.lists(st.integers(0, len(leaves) - 1), min_size=1, max_size=4, unique=True))
    changed = [(leaves[i][0], data.draw(type(leaves[i][1]).strategy())) for i in picks]
    value = value.with_leaves(iter(changed))
    assert cls.decode_read(coord, value.encode()) == value
    assert cls.from_bytes(value.to_bytes()) == value
    assert cls.from_json(value.to_json()) == value


@pytest.mark.parametrize("cls,coord", [(lola.NeuronBlock, halco.NeuronBlockOnDLS()),
                                       (lola.Chip, halco.ChipOnDLS())])
def test_with_leaves_returns_a_copy_and_leaves_the_original_alone(cls, coord):
    original = cls._template(coord)
    before = original.encode()
    first, second = halco.AtomicNeuronOnDLS.from_enum(0), halco.AtomicNeuronOnDLS.from_enum(1)
    new = lola.AtomicNeuron()
    new.leak.v_leak = 777
    changed = original.with_leaves(iter([(first, new)]))
    leaves = dict(changed.leaves())
    assert leaves[first].leak.v_leak == 777
    leaves[second].leak.v_leak = 555          # a leaf that was not replaced is a copy too
    assert np.array_equal(original.encode(), before)
    crossbar = lola.Crossbar()
    node = next(c for c, leaf in crossbar.leaves() if isinstance(leaf, haldls.CrossbarNode))
    changed = crossbar.with_leaves(iter([(node, haldls.CrossbarNode(mask=3, target=1))]))
    assert dict(changed.leaves())[node].mask == 3 and dict(crossbar.leaves())[node].mask != 3


def test_a_deep_copy_gives_every_slot_its_own_object():
    """One neuron object set into several circuits: a deep copy of the chip gives each circuit
    its own, so that changing one circuit of the copy (as grenade labels each placed neuron)
    leaves the others (copy.deepcopy's memo alone would keep the object shared)."""
    chip = lola.Chip()
    neuron = lola.AtomicNeuron()
    for atom in (3, 4, 5):
        chip.neuron_block.atomic_neurons[atom] = neuron
    out = copy.deepcopy(chip)
    neurons = out.neuron_block.atomic_neurons
    assert len({id(neurons[a]) for a in (3, 4, 5)}) == 3 and neurons[3] is not neuron
    neurons[3].event_routing.address = 17
    assert [neurons[a].event_routing.address for a in (3, 4, 5)] == [17, 0, 0]
    assert neuron.event_routing.address == 0
