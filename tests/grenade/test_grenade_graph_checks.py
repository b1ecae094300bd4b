"""The signal-flow graph refuses what the hardware or the data cannot be, keeps its execution
instances' chips right through updates, and reads back every graph it wrote."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import grenade.signal_flow as sf
from grenade.errors import (ArgumentTypeError, ExecutionInstanceError, InputDataError,
                            InvalidInputError, InvalidVertexError)

T = sf.ConnectionType


def node(output: int, inp: int) -> sf.CrossbarNode:
    return sf.CrossbarNode(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(output), halco.CrossbarInputOnDLS(inp)))


def test_an_update_moves_a_lone_vertex_and_its_instance_to_another_chip():
    graph = sf.Graph()
    d = graph.add(sf.CrossbarL2Input(chip_on_executor=0), 0, [])
    graph.update(d, sf.CrossbarL2Input(chip_on_executor=1))
    assert graph.chip_of(0) == 1
    # with a second on-chip vertex, the instance stays on its chip and the move is refused
    graph.add(sf.BackgroundSpikeSource(halco.BackgroundSpikeSourceOnDLS(0), chip_on_executor=1), 0, [])
    with pytest.raises(ExecutionInstanceError, match="lies on chip 0, but ExecutionInstanceID\\(0\\) runs on chip 1"):
        graph.update(d, sf.CrossbarL2Input(chip_on_executor=0))
    assert graph.chip_of(0) == 1 and sf.Graph.from_json(graph.to_json()).chip_of(0) == 1


def relocated_graph() -> sf.Graph:
    """A chain whose synapse driver was relocated onto a PADI bus added after it."""
    g = sf.Graph()
    l2 = g.add(sf.CrossbarL2Input(), 0, [])
    n8 = g.add(node(0, 8), 0, [l2])
    bus = g.add(sf.PADIBus(halco.PADIBusOnDLS.from_enum(0)), 0, [n8])
    driver = g.add(sf.SynapseDriver(halco.SynapseDriverOnDLS.from_enum(0)), 0, [bus])
    synapses = g.add(sf.SynapseArrayView(0, [0], [0], [[10]], [[0]]), 0, [driver])
    neurons = g.add(sf.NeuronView([0], [sf.NeuronConfig(0)], 0), 0, [synapses])
    events = g.add(sf.NeuronEventOutputView({0: [[0]]}), 0, [neurons])
    n0 = g.add(node(0, 0), 0, [events])
    later_bus = g.add(sf.PADIBus(halco.PADIBusOnDLS.from_enum(0)), 0, [n8, n0])
    g.update_and_relocate(driver, g.vertex(driver), [later_bus])     # onto a later vertex
    return g


def test_a_graph_with_vertices_relocated_onto_later_ones_reads_back():
    graph = relocated_graph()
    again = sf.Graph.from_json(graph.to_json())
    assert again == graph
    assert again.inputs(3) == (sf.Input(8),) and 3 in again.out_edges(8)


def test_reading_a_graph_back_runs_every_check():
    graph = relocated_graph()
    bad = graph.to_json().replace('"inputs": [[8, null]]', '"inputs": [[7, null]]')   # driver from a node
    assert bad != graph.to_json()
    with pytest.raises(InvalidInputError, match="SynapseDriver \\(vertex 3\\) input 0"):
        sf.Graph.from_json(bad)


def test_an_execution_instance_records_spikes_and_samples_its_madc_once():
    graph = sf.Graph()
    l2 = graph.add(sf.CrossbarL2Input(), 0, [])
    first = graph.add(node(8, 8), 0, [l2])
    second = graph.add(node(9, 9), 0, [l2])
    graph.add(sf.CrossbarL2Output(), 0, [first])
    with pytest.raises(ExecutionInstanceError, match="already has a CrossbarL2Output \\(vertex 3\\).*records each spike"):
        graph.add(sf.CrossbarL2Output(), 0, [second])
    graph.add(sf.CrossbarL2Output(), 1, [])                 # another instance has its own
    neurons = graph.add(sf.NeuronView([2, 3], [sf.NeuronConfig()] * 2, 0), 0, [])
    graph.add(sf.MADCReadoutView(sf.MADCSource(halco.AtomicNeuronOnDLS(2, 0))), 0,
              [sf.Input(neurons, (0, 0))])
    with pytest.raises(ExecutionInstanceError, match="the chip has one MADC"):
        graph.add(sf.MADCReadoutView(sf.MADCSource(halco.AtomicNeuronOnDLS(3, 0))), 0, [sf.Input(neurons, (1, 1))])


def test_vertices_check_their_fields_on_construction():
    with pytest.raises(InvalidVertexError, match="start >= 0, period > 40 PPU cycles .* not start=-5, period=0, num_periods=-1"):
        sf.Timer(-5, 0, -1)
    with pytest.raises(InvalidVertexError, match="period is an int \\(PPU cycles, 250 per us\\), not float 250.7"):
        sf.Timer(0, 250.7, 1)
    with pytest.raises(InvalidVertexError, match="row_address_compare_mask \\(5 bits\\) is an int 0..31, not 99"):
        sf.SynapseDriver(halco.SynapseDriverOnDLS(3), row_address_compare_mask=99)
    with pytest.raises(InvalidVertexError, match="ExternalInput.size is an int >= 1, not 0"):
        sf.ExternalInput(T.DataInt8, 0)
    with pytest.raises(InvalidVertexError, match="one timed sequence per batch entry: size 1, not 3"):
        sf.ExternalInput(T.DataTimedSpikeToChipSequence, 3)
    with pytest.raises(InvalidVertexError, match="chip_on_executor is the index \\(int >= 0\\) .* not -1"):
        sf.CrossbarL2Input(chip_on_executor=-1)
    with pytest.raises(InvalidVertexError, match="a CADC readout at the end of the run has no period"):
        sf.CADCMembraneReadoutView([[1]], 0, period_us=2.0)
    with pytest.raises(InvalidVertexError, match="NeuronConfig.enable_reset is a bool"):
        sf.NeuronConfig(enable_reset="no")
    with pytest.raises(InvalidVertexError, match="works on values \\[batch, size\\]"):
        sf.Concatenation(T.DataTimedSpikeToChipSequence, [1, 1])
    with pytest.raises(InvalidVertexError, match="shift is an int 0..7"):
        sf.ConvertingReLU(3, shift=-1)


def test_port_restrictions_and_inputs_say_what_they_take():
    with pytest.raises(InvalidInputError, match="PortRestriction.min \\(the first channel\\) is an int >= 0, not -1"):
        sf.PortRestriction(-1, 2)
    with pytest.raises(InvalidInputError, match="needs min <= max \\(both inclusive\\), not \\[3, 2\\]"):
        sf.PortRestriction(3, 2)
    assert sf.Input(4, (0, 1)).restriction == sf.PortRestriction(0, 1)
    with pytest.raises(ArgumentTypeError, match="a grenade PortRestriction\\(min, max\\), a pair"):
        sf.Input(4, "0:1")
    with pytest.raises(ArgumentTypeError, match="a vertex descriptor \\(int\\), not str"):
        sf.Input("4")


def test_a_plasticity_rule_has_no_output_to_connect():
    graph = sf.Graph()
    neurons = graph.add(sf.NeuronView([3], [sf.NeuronConfig()], 0), 0, [])
    rule = graph.add(sf.PlasticityRule("void PLASTICITY_RULE_KERNEL(int32 s, int32 n, int32 p) {}",
                                       neuron_view_sizes=[1], observables=["calls"]), 0, [neurons])
    with pytest.raises(InvalidInputError, match="its observables, read back into OutputData.observables"):
        graph.add(sf.DataOutput(T.Int8, 1), 0, [rule])


def test_int8_functions_compute_without_wrapping():
    big = np.array([[100, 127, -128]])
    assert sf.Addition(2, 3).apply([big, big]).tolist() == [[127, 127, -128]]
    # values outside Int8 are refused, not wrapped (200 would wrap to -56 and ReLU give 0)
    with pytest.raises(InputDataError, match="ReLU: Int8 values lie in -128..127, not 1..200"):
        sf.ReLU(2).apply([np.array([[1, 200]])])
    with pytest.raises(InputDataError, match="Addition: Int8 values lie in -128..127"):
        sf.Addition(2, 1).apply([np.array([[300]]), np.array([[0]])])
