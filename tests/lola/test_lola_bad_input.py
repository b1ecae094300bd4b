"""Wrong parts, archives and arguments for lola's containers: clear lola errors, nothing lost."""

from __future__ import annotations

import json

import numpy as np
import pytest

import halco
import haldls
import lola
from lola.errors import LolaTypeError, LolaValueError


def test_the_chips_lists_hold_their_parts():
    chip = lola.Chip()
    with pytest.raises(LolaTypeError, match="Chip.synapse_matrices needs exactly 2 lola.SynapseMatrix, got 0"):
        chip.synapse_matrices = []
    with pytest.raises(LolaTypeError, match=r"synapse_driver_blocks\[0\] must be a lola.SynapseDriverBlock, got int"):
        chip.synapse_driver_blocks = [5, 6]
    with pytest.raises(LolaTypeError, match=r"cadc_readout_chains\[1\] lies at CADCOnDLS\(1\): it must have "
                                            r"hemisphere 1, got hemisphere 0"):
        chip.cadc_readout_chains = [lola.CADCReadoutChain(hemisphere=0)] * 2
    # an entry put into a list is checked when it is put there
    with pytest.raises(LolaTypeError, match=r"Chip.background_spike_sources\[0\] must be a "
                                            r"haldls.BackgroundSpikeSource, got int"):
        chip.background_spike_sources[0] = 5
    with pytest.raises(LolaTypeError, match=r"CADCReadoutChain\] lies at|cadc_readout_chains\[0\]"):
        chip.cadc_readout_chains[0] = lola.CADCReadoutChain(hemisphere=1)
    with pytest.raises(LolaTypeError, match=r"NeuronBlock.atomic_neurons\[511\] must be a lola.AtomicNeuron"):
        chip.neuron_block.atomic_neurons[-1] = haldls.NeuronConfig()
    with pytest.raises(LolaTypeError, match="fixed size of 8"):
        chip.background_spike_sources.append(haldls.BackgroundSpikeSource())
    # what bypasses the checks (list methods, a changed placement) is caught at the write
    list.__setitem__(chip.background_spike_sources, 0, 5)
    with pytest.raises(LolaTypeError, match=r"background_spike_sources\[0\]"):
        chip.encode_write(halco.ChipOnDLS())
    chip = lola.Chip()
    chip.cadc_readout_chains[1].hemisphere = 0
    with pytest.raises(LolaTypeError, match=r"cadc_readout_chains\[1\]"):
        chip.to_bytes()
    assert lola.Chip() == lola.Chip()     # nothing shared between chips
    with pytest.raises(LolaTypeError, match="Chip has no part 'capmen'; did you mean 'capmem'"):
        lola.Chip().capmen = lola.CapMem()


def test_diff_matches_parts_by_coordinate():
    a, b = lola.Chip(), lola.Chip()
    b.neuron_block.atomic_neurons[7].leak.v_leak = 300
    assert a.diff(b) == [halco.AtomicNeuronOnDLS.from_enum(7)]
    with pytest.raises(LolaTypeError):
        a.diff(lola.NeuronBlock())


def test_composite_archives_must_be_complete_and_their_own():
    block = lola.NeuronBlock()
    with pytest.raises(LolaValueError, match="not an archive of a Chip"):
        lola.Chip.from_bytes(block.to_bytes())
    with pytest.raises(LolaValueError, match="not an archive of a Chip"):
        lola.Chip.from_json(block.to_json())
    with pytest.raises(LolaValueError, match=r"0 parts where it has"):
        lola.NeuronBlock.from_json("[]")
    with pytest.raises(LolaValueError, match="not a JSON archive"):
        lola.Crossbar.from_json("{")
    with pytest.raises(LolaValueError, match="not a JSON archive"):
        lola.Crossbar.from_json("[1]")
    leaves = json.loads(block.to_json())
    with pytest.raises(LolaValueError, match="repeated"):
        lola.NeuronBlock.from_json(json.dumps(leaves + leaves[-1:]))
    leaves[-1][1]["words"] = [1.5] * len(leaves[-1][1]["words"])
    with pytest.raises(LolaValueError, match="32-bit unsigned ints"):
        lola.NeuronBlock.from_json(json.dumps(leaves))
    raw = bytearray(lola.Crossbar().to_bytes())
    raw[12:16] = (99).to_bytes(4, "little")           # the revision, edited and sealed again
    with pytest.raises(LolaValueError, match="revision 99"):
        lola.Crossbar.from_bytes(haldls.archive.seal(bytes(raw[:-4])))
    assert lola.NeuronBlock.from_json(block.to_json()) == block


def test_parts_refuse_what_they_cannot_be():
    for bad in (2, True, 1.0):
        with pytest.raises(LolaValueError, match="0 \\(top\\) or 1 \\(bottom\\)"):
            lola.CADCReadoutChain(hemisphere=bad)
    capmem = lola.CapMem()
    with pytest.raises(LolaValueError, match="shared cell"):
        capmem.set_shared(halco.CapMemCellOnCapMemBlock.from_enum(3), 5)
    neuron = lola.AtomicNeuron()
    with pytest.raises(LolaValueError, match="v_leak is given twice"):
        neuron.set_from(capmem={"v_leak": 1, halco.CapMemRowOnCapMemBlock.v_leak: 2})


def atomic(x: int, y: int = 0) -> halco.AtomicNeuronOnLogicalNeuron:
    return halco.AtomicNeuronOnLogicalNeuron(halco.NeuronColumnOnLogicalNeuron(x),
                                             halco.NeuronRowOnLogicalNeuron(y))


def test_morphology_and_logical_neurons_take_whole_numbers():
    m = lola.Morphology()
    with pytest.raises(LolaTypeError, match="sequence"):
        m.create_compartment(5)
    with pytest.raises(LolaTypeError, match="expected AtomicNeuronOnLogicalNeuron, got int"):
        m.create_compartment([0])
    m.create_compartment([atomic(0)])
    m.create_compartment([atomic(2)])
    m.connect_to_soma(atomic(0))
    m.connect_to_soma(atomic(2))
    for args in ((0.9, 2.7, 0), (halco.NeuronColumnOnDLS(0), 2, 0), (0, 2, "0")):
        with pytest.raises(LolaTypeError, match="connect_soma_line"):
            m.connect_soma_line(*args)
    single = lola.Morphology()
    single.create_compartment([atomic(0)])
    _, neuron = single.done()
    for key in ((0.9, 0), ("0", 0), (0, 0.5)):
        with pytest.raises(LolaTypeError, match="compartment and an index"):
            neuron.at(*key)
    with pytest.raises(LolaTypeError, match=r"\[compartment, index\]"):
        neuron[1]
    with pytest.raises(LolaTypeError, match="holds AtomicNeurons"):
        neuron[0, 0] = 5
    assert neuron[np.int64(0), 0].leak == neuron.at(0, 0).leak     # numpy ints are whole numbers
