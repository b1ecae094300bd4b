"""Morphology -> LogicalNeuron: the seed's example, the validation, placement and locking."""

from __future__ import annotations

import pytest

import halco
import lola
from lola.errors import LockedSwitchError, MorphologyError

coord = halco.AtomicNeuronOnLogicalNeuron
row = halco.NeuronRowOnLogicalNeuron
column = halco.NeuronColumnOnLogicalNeuron


def seed_example():
    """The example of seed 003, "Commissioner's View on Structured Neurons", as written there."""
    morphology = lola.Morphology()
    # create compartments: main branch
    morphology.create_compartment([coord(0, 0), coord(1, 0)])
    morphology.create_compartment([coord(2, 0), coord(3, 0), coord(3, 1)])
    # create compartments: sub branches
    for row_coord in [0, 1]:
        for column_coord in [4, 6]:
            morphology.create_compartment([coord(column_coord, row_coord), coord(column_coord + 1, row_coord)])
    # enable conductance to shared line
    morphology.connect_resistor_to_soma(coord(1, 0))
    for row_coord in [0, 1]:
        for column_coord in [3, 5]:
            morphology.connect_resistor_to_soma(coord(column_coord, row_coord))
    # direct connection to shared line
    morphology.connect_to_soma(coord(2, 0))
    for row_coord in [0, 1]:
        for column_coord in [4, 6]:
            morphology.connect_to_soma(coord(column_coord, row_coord))
    # connect somatic shared line
    morphology.connect_soma_line(start=column(1), end=column(2), row=row(0))
    for row_coord in [row(0), row(1)]:
        morphology.connect_soma_line(column(3), column(4), row_coord)
        morphology.connect_soma_line(column(5), column(6), row_coord)
    return morphology


def test_seed_example_runs_as_written():
    compartments, neuron = seed_example().done()
    comps = compartments.get_compartments()
    assert len(comps) == 6
    assert [len(v) for v in comps.values()] == [2, 3, 2, 2, 2, 2]
    assert neuron.at(1, 2).multicompartment.connect_vertical
    assert neuron.at(0, 1).multicompartment.enable_conductance
    assert neuron.at(0, 1).multicompartment.connect_soma_right


def test_compartments_must_be_contiguous_nonempty_and_disjoint():
    m = lola.Morphology()
    with pytest.raises(MorphologyError, match="at least one"):
        m.create_compartment([])
    with pytest.raises(MorphologyError, match=r"not contiguous.*\(2, 0\)"):
        m.create_compartment([coord(0, 0), coord(2, 0)])
    m.create_compartment([coord(0, 0), coord(0, 1)])
    with pytest.raises(MorphologyError, match=r"\(0, 1\).*already belong"):
        m.create_compartment([coord(0, 1), coord(1, 1)])
    with pytest.raises(MorphologyError, match="twice"):
        m.create_compartment([coord(5, 0), coord(5, 0)])


def test_direct_and_resistive_soma_connections_are_exclusive():
    m = lola.Morphology()
    m.connect_to_soma(coord(0, 0))
    with pytest.raises(MorphologyError, match=r"\(0, 0\).*mutually exclusive"):
        m.connect_resistor_to_soma(coord(0, 0))
    m.connect_resistor_to_soma(coord(1, 0))
    with pytest.raises(MorphologyError, match=r"\(1, 0\).*mutually exclusive"):
        m.connect_to_soma(coord(1, 0))


def test_compartment_grown_through_direct_links_is_rejected():
    m = lola.Morphology()
    m.create_compartment([coord(0, 0)])
    m.create_compartment([coord(1, 0)])
    m.connect_to_soma(coord(0, 0))
    m.connect_to_soma(coord(1, 0))
    m.connect_soma_line(column(0), column(1), row(0))
    with pytest.raises(MorphologyError, match=r"compartment 0 \(\(0,0\)\) is larger than on construction.*\(1,0\)"):
        m.done()


def test_unconnected_morphology_is_rejected():
    m = lola.Morphology()
    m.create_compartment([coord(0, 0)])
    m.create_compartment([coord(3, 0)])
    with pytest.raises(MorphologyError, match=r"not contiguous.*\(0,0\).*\(3,0\)"):
        m.done()


def test_bridge_neurons_become_compartments():
    m = lola.Morphology()
    m.create_compartment([coord(0, 0)])
    m.create_compartment([coord(2, 0)])
    m.connect_resistor_to_soma(coord(0, 0))
    m.connect_resistor_to_soma(coord(2, 0))
    m.connect_soma_line(column(0), column(2), row(0))   # (1, 0) only bridges the line
    compartments, _ = m.done()
    assert len(compartments) == 3


def test_structural_switches_are_locked_after_done():
    _, neuron = seed_example().done()
    with pytest.raises(LockedSwitchError, match="connect_soma"):
        neuron.at(0, 0).multicompartment.connect_soma = True
    neuron.at(0, 1).multicompartment.i_bias_nmda = 500
    neuron.at(0, 1).multicompartment.enable_conductance_multiplication = True
    assert neuron.at(0, 1).multicompartment.i_bias_nmda == 500
    neuron.at(0, 0).leak.v_leak = 700
    assert neuron[0, 0].leak.v_leak == 700


def test_placement_writes_switches_at_absolute_place_and_flips():
    compartments, neuron = seed_example().done()
    anchor = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(130), halco.NeuronRowOnDLS(0))
    placed = neuron.placed_neurons(halco.LogicalNeuronOnDLS(compartments, anchor))
    at = lambda x, y: placed[halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(x), halco.NeuronRowOnDLS(y))]  # noqa: E731
    assert len(placed) == 13
    assert at(130, 0).multicompartment.connect_right and at(131, 0).multicompartment.connect_soma_right
    flipped = neuron.placed_neurons(halco.LogicalNeuronOnDLS(compartments.flip_x(), anchor))
    fat = lambda x, y: flipped[halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(x), halco.NeuronRowOnDLS(y))]  # noqa: E731
    # pattern column 0 lands at 137 now; the link (0,0)-(1,0) is held by the left circuit, 136
    assert fat(136, 0).multicompartment.connect_right and not fat(137, 0).multicompartment.connect_right
    assert fat(135, 0).multicompartment.connect_soma_right    # line 1..2 -> 136..135
    with pytest.raises(halco.errors.InvalidCoordinateError, match="127/128"):
        halco.LogicalNeuronOnDLS(compartments, halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(125), halco.NeuronRowOnDLS(0)))
