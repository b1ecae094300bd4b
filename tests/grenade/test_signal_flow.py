"""The signal-flow graph: the four input checks, the execution-instance DAG, updates, JSON."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import haldls
import grenade.signal_flow as sf
from grenade.errors import ExecutionInstanceError, InvalidInputError, InvalidVertexError

T = sf.ConnectionType


def node(output: int, inp: int, **config) -> sf.CrossbarNode:
    return sf.CrossbarNode(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(output),
                                                   halco.CrossbarInputOnDLS(inp)),
                           haldls.CrossbarNode(**config))


def input_chain(graph: sf.Graph, instance: int = 0) -> dict[str, int]:
    """ExternalInput -> DataInput -> CrossbarL2Input -> node (L2 0 -> bus 0) -> bus 0 ->
    driver 4 (bus 0, position 1) -> synapse rows 8, 9 -> neurons 3, 4 of row 0."""
    d = {}
    d["ext"] = graph.add(sf.ExternalInput(T.DataTimedSpikeToChipSequence), instance)
    d["load"] = graph.add(sf.DataInput(T.TimedSpikeToChipSequence), instance, [d["ext"]])
    d["l2"] = graph.add(sf.CrossbarL2Input(), instance, [d["load"]])
    d["node"] = graph.add(node(0, 8), instance, [d["l2"]])
    d["bus"] = graph.add(sf.PADIBus(halco.PADIBusOnDLS(0)), instance, [d["node"]])
    d["driver"] = graph.add(sf.SynapseDriver(halco.SynapseDriverOnDLS(4)), instance, [d["bus"]])
    s = np.zeros(2, dtype=sf.SPARSE_SYNAPSE_DTYPE)
    s["index_row"], s["index_column"], s["weight"] = [0, 1], [0, 1], [5, 6]
    d["synapses"] = graph.add(sf.SynapseArrayViewSparse(0, [8, 9], [3, 4], s), instance, [d["driver"]])
    d["neurons"] = graph.add(sf.NeuronView([3, 4], [sf.NeuronConfig(3), sf.NeuronConfig(None)], 0),
                             instance, [d["synapses"]])
    return d


def test_a_valid_chain_is_accepted_and_its_ports_fit():
    graph = sf.Graph()
    d = input_chain(graph)
    assert len(graph) == 8 and graph.execution_instances() == [graph.execution_instance(0)]
    assert graph.vertex(d["neurons"]).output() == sf.Port(2, T.MembraneVoltage)
    assert graph.out_edges(d["bus"]) == [d["driver"]]
    assert graph.inputs(d["neurons"]) == (sf.Input(d["synapses"]),)


def test_the_input_count_is_checked():
    graph = sf.Graph()
    d = input_chain(graph)
    with pytest.raises(InvalidInputError, match="CrossbarNode takes 1 inputs .*got 2"):
        graph.add(node(0, 9), 0, [d["l2"], d["l2"]])
    with pytest.raises(InvalidInputError, match="ExternalInput takes 0 inputs"):
        graph.add(sf.ExternalInput(T.DataInt8, 3), 0, [d["ext"]])
    # a variadic vertex takes any number of its last port, here none
    graph.add(sf.PADIBus(halco.PADIBusOnDLS(1)), 0, [])


def test_the_port_type_and_size_are_checked():
    graph = sf.Graph()
    d = input_chain(graph)
    with pytest.raises(InvalidInputError, match="source gives 1xSynapseInputLabel, the port takes 1xCrossbarOutputLabel"):
        graph.add(sf.PADIBus(halco.PADIBusOnDLS(1)), 0, [d["driver"]])
    with pytest.raises(InvalidInputError, match="source gives 2xMembraneVoltage, the port takes 1xMembraneVoltage"):
        graph.add(sf.MADCReadoutView(sf.MADCSource(halco.AtomicNeuronOnDLS(3, 0))), 0, [d["neurons"]])
    # a restriction must lie inside the source's port, and a restriction to one channel fits
    with pytest.raises(InvalidInputError, match=r"restriction \[1, 2\] does not lie in"):
        graph.add(sf.MADCReadoutView(sf.MADCSource(halco.AtomicNeuronOnDLS(4, 0))), 0,
                  [sf.Input(d["neurons"], sf.PortRestriction(1, 2))])
    madc = graph.add(sf.MADCReadoutView(sf.MADCSource(halco.AtomicNeuronOnDLS(3, 0))), 0,
                     [sf.Input(d["neurons"], sf.PortRestriction(0, 0))])
    assert graph.vertex(madc).output().type is T.TimedMADCSampleFromChipSequence


def test_each_vertex_refuses_sources_the_hardware_cannot_connect():
    graph = sf.Graph()
    d = input_chain(graph)
    with pytest.raises(InvalidInputError, match="synapse driver 5 sits on PADI bus 1, not on 0"):
        graph.add(sf.SynapseDriver(halco.SynapseDriverOnDLS(5)), 0, [d["bus"]])
    with pytest.raises(InvalidInputError, match="this is PADI bus 2"):
        graph.add(sf.PADIBus(halco.PADIBusOnDLS(2)), 0, [d["node"]])
    with pytest.raises(InvalidInputError, match="the FPGA enters at crossbar inputs 8..11"):
        graph.add(node(1, 1), 0, [d["l2"]])
    s = np.zeros(1, dtype=sf.SPARSE_SYNAPSE_DTYPE)
    with pytest.raises(InvalidInputError, match="input 0 of the synapse view is synapse driver 6"):
        graph.add(sf.SynapseArrayViewSparse(0, [12], [3], s), 0, [d["driver"]])
    with pytest.raises(InvalidInputError, match="do not equal the neuron columns"):
        graph.add(sf.NeuronView([5, 4], [sf.NeuronConfig()] * 2, 0), 0, [d["synapses"]])
    with pytest.raises(InvalidInputError, match="synram 0, the neurons on row 1"):
        graph.add(sf.NeuronView([3, 4], [sf.NeuronConfig()] * 2, 1), 0, [d["synapses"]])
    events = graph.add(sf.NeuronEventOutputView({0: [[3, 4]]}), 0, [d["neurons"]])
    with pytest.raises(InvalidInputError, match="event outputs \\(restricted\\) are \\[0\\], this node takes input 1"):
        graph.add(node(1, 1), 0, [events])
    with pytest.raises(InvalidInputError, match="feeds a PADI bus, not an L2 output"):
        graph.add(sf.CrossbarL2Output(), 0, [d["node"]])
    background = graph.add(sf.BackgroundSpikeSource(halco.BackgroundSpikeSourceOnDLS(2)), 0, [])
    with pytest.raises(InvalidInputError, match="enters the crossbar at input 14, this node takes input 12"):
        graph.add(node(0, 12), 0, [background])


def test_an_execution_instance_runs_on_one_chip():
    graph = sf.Graph()
    input_chain(graph)
    with pytest.raises(ExecutionInstanceError, match="lies on chip 1, but ExecutionInstanceID\\(0\\) runs on chip 0"):
        graph.add(sf.PADIBus(halco.PADIBusOnDLS(1), chip_on_executor=1), 0, [])
    graph.add(sf.PADIBus(halco.PADIBusOnDLS(1), chip_on_executor=1), 1, [])
    assert graph.chip_of(1) == 1 and graph.chip_of(0) == 0
    # one instance, one chip: an on-chip vertex refuses a source on another chip anyway
    other = sf.CrossbarNode(halco.CrossbarNodeOnDLS(0), chip_on_executor=1)
    assert "lies on chip 0, CrossbarNode on chip 1" in other.input_problem(0, sf.CrossbarL2Input(), None)


def test_data_crosses_execution_instances_forward_and_only_data():
    graph = sf.Graph()
    ext = graph.add(sf.ExternalInput(T.DataInt8, 4), 0)
    with pytest.raises(ExecutionInstanceError, match="a DataInt8 edge stays in one execution instance"):
        graph.add(sf.DataInput(T.Int8, 4), 1, [ext])
    load = graph.add(sf.DataInput(T.Int8, 4), 0, [ext])
    store = graph.add(sf.DataOutput(T.Int8, 4), 0, [load])
    with pytest.raises(ExecutionInstanceError, match="must go to a later execution instance"):
        graph.add(sf.Transformation(sf.ReLU(4)), 0, [store])
    relu = graph.add(sf.Transformation(sf.ReLU(4)), 1, [store])
    with pytest.raises(ExecutionInstanceError, match="a Int8 edge stays in one execution instance"):
        graph.add(sf.DataOutput(T.Int8, 4), 1, [load])
    again = graph.add(sf.DataInput(T.Int8, 4), 2, [relu])
    assert graph.execution_instances() == [graph.execution_instance(d) for d in (ext, relu, again)]
    assert graph.execution_instance_dependencies(2) == {graph.execution_instance(relu)}
    # data from instance 2 back into instance 0's chain would close a cycle
    back = graph.add(sf.DataOutput(T.Int8, 4), 2, [again])
    with pytest.raises(ExecutionInstanceError, match="closes a cycle between execution instances"):
        graph.add(sf.Transformation(sf.ReLU(4)), 0, [back])
    assert len(graph) == 6


def test_recurrence_inside_an_instance_and_updates_that_roll_back():
    graph = sf.Graph()
    d = input_chain(graph)
    events = graph.add(sf.NeuronEventOutputView({0: [[3, 4]]}), 0, [d["neurons"]])
    back = graph.add(node(0, 0), 0, [events])
    bus = graph.vertex(d["bus"])
    graph.update_and_relocate(d["bus"], bus, [d["node"], back])     # a cycle through the bus
    assert graph.inputs(d["bus"]) == (sf.Input(d["node"]), sf.Input(back))
    assert d["bus"] in graph.out_edges(back)
    # an update that breaks a consumer's check changes nothing
    with pytest.raises(InvalidInputError, match="this is PADI bus 1"):
        graph.update(d["bus"], sf.PADIBus(halco.PADIBusOnDLS(1)))
    # the vertex's own inputs fit, but a consumer's check fails: nothing changes either
    graph.update_and_relocate(d["bus"], bus, [d["node"]])
    moved = sf.PADIBus(halco.PADIBusOnDLS(1))
    with pytest.raises(InvalidInputError, match="synapse driver 4 sits on PADI bus 0, not on 1"):
        graph.update_and_relocate(d["bus"], moved, [])
    assert graph.vertex(d["bus"]) == bus and graph.inputs(d["bus"]) == (sf.Input(d["node"]),)
    assert graph.vertex(d["bus"]) == bus
    with pytest.raises(InvalidInputError, match="vertex 99 does not exist"):
        graph.update(99, bus)


def test_json_round_trip_and_graphviz():
    graph = sf.Graph()
    d = input_chain(graph)
    events = graph.add(sf.NeuronEventOutputView({0: [[3, 4]]}), 0, [d["neurons"]])
    back = graph.add(node(0, 0, mask=3, target=1), 0, [events])
    graph.update_and_relocate(d["bus"], graph.vertex(d["bus"]), [d["node"], back])
    out = graph.add(sf.CrossbarL2Output(), 0, [graph.add(node(8, 0), 0, [events])])
    graph.add(sf.DataOutput(T.TimedSpikeFromChipSequence), 0, [out])
    cadc = graph.add(sf.CADCMembraneReadoutView([[3, 4]], 0), 0, [d["neurons"]])
    store = graph.add(sf.DataOutput(T.Int8, 2), 0, [cadc])
    graph.add(sf.Transformation(sf.ArgMax(2)), 1, [store])
    graph.add(sf.PlasticityRule("void PLASTICITY_RULE_KERNEL(int32 s, int32 n, int32 p) {}",
                                sf.Timer(0, 1000, 3), synapse_view_sizes=[2], observables=["x"]),
              0, [d["synapses"]])
    graph.add(sf.BackgroundSpikeSource(halco.BackgroundSpikeSourceOnDLS(3),
                                       haldls.BackgroundSpikeSource(period=9, enable=True)), 0, [])
    text = graph.to_json()
    again = sf.Graph.from_json(text)
    assert again == graph and again.to_json() == text
    dot = graph.to_graphviz()
    assert 'subgraph "cluster_1"' in dot and f"v{back} -> v{d['bus']};" in dot
    with pytest.raises(Exception, match="not a grenade graph"):
        sf.Graph.from_json('{"vertices": []}')


def test_vertices_refuse_configurations_they_cannot_have():
    s = np.zeros(1, dtype=sf.SPARSE_SYNAPSE_DTYPE)
    s["weight"] = 64
    with pytest.raises(InvalidVertexError, match="weights lie in 0..63"):
        sf.SynapseArrayViewSparse(0, [1], [1], s)
    with pytest.raises(InvalidVertexError, match="unique"):
        sf.SynapseArrayViewSparse(0, [1, 1], [1], np.zeros(0, dtype=sf.SPARSE_SYNAPSE_DTYPE))
    with pytest.raises(InvalidVertexError, match="shape \\(1, 2\\)"):
        sf.SynapseArrayView(0, [1], [1, 2], np.zeros((2, 1)), np.zeros((1, 2)))
    with pytest.raises(InvalidVertexError, match="2 configs for 1 columns"):
        sf.NeuronView([1], [sf.NeuronConfig(), sf.NeuronConfig()], 0)
    with pytest.raises(InvalidVertexError, match="0..255"):
        sf.NeuronConfig(label=256)
    with pytest.raises(InvalidVertexError, match="different parity"):
        sf.MADCReadoutView(sf.MADCSource(halco.AtomicNeuronOnDLS(2, 0)),
                           sf.MADCSource(halco.AtomicNeuronOnDLS(4, 0)))
    with pytest.raises(InvalidVertexError, match="needs period_us >= 1 FPGA cycle"):
        sf.CADCMembraneReadoutView([[1]], 0, mode=sf.CADCMode.periodic)
    with pytest.raises(InvalidVertexError, match="a grenade Function"):
        sf.Transformation(lambda x: x)
    with pytest.raises(InvalidInputError, match="no host-memory form"):
        sf.DataInput(T.SynapticInput)


def test_transformations_compute_per_batch_entry():
    a = np.array([[100, -100, 5], [1, 2, 3]], dtype=np.int8)
    b = np.array([[100, -100, -5], [1, 2, 3]], dtype=np.int8)
    assert sf.Addition(2, 3).apply([a, b]).tolist() == [[127, -128, 0], [2, 4, 6]]
    assert sf.Subtraction(2, 3).apply([a, b]).tolist() == [[0, 0, 10], [0, 0, 0]]
    assert sf.ReLU(3).apply([a]).tolist() == [[100, 0, 5], [1, 2, 3]]
    assert sf.ConvertingReLU(3, shift=2).apply([a]).tolist() == [[25, 0, 1], [0, 0, 0]]
    assert sf.ConvertingReLU(3).apply([a]).tolist() == [[31, 0, 5], [1, 2, 3]]
    assert sf.ArgMax(3).apply([a]).tolist() == [[0], [2]]
    assert sf.Concatenation(T.DataInt8, [3, 3]).apply([a, b]).shape == (2, 6)
