"""The network layer refuses, naming what is wrong and what is allowed: inter-instance
projections, readout sources, plasticity kernels and timers, input shapes and runtimes; and
it relays spikes between instances by recorded input and label."""

from __future__ import annotations

import numpy as np
import pytest

import grenade.network as gn
from grenade.common import ExecutionInstanceID
from grenade.errors import InputDataError, InvalidNetworkError
from grenade.network.graph_builder import ExternalSourceMerger
from grenade.network import (
    EXCITATORY, AtomicNeuronOnExecutionInstance, CADCRecording, ExternalSourcePopulation,
    InterExecutionInstanceProjection, MADCRecording, NetworkBuilder, PlasticityRule, PlasticityTimer,
    Population, Projection, RecordedNeuron,
)
from grenade.signal_flow.data import SPIKE_FROM_CHIP_DTYPE

KERNEL = "void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {}"


def two_instances() -> tuple[NetworkBuilder, dict]:
    builder = NetworkBuilder()
    p = {"neurons": builder.add(Population.from_atomic_neurons([10, 11]), 0),
         "sources": builder.add(ExternalSourcePopulation(2), 0)}
    builder.add(Projection(EXCITATORY, [[0, 0, 63], [1, 1, 63]], p["sources"], p["neurons"]), 0)
    p["relayed"] = builder.add(ExternalSourcePopulation(2), 1)
    p["later"] = builder.add(Population.from_atomic_neurons([20]), 1)
    builder.add(Projection(EXCITATORY, [[0, 0, 63]], p["relayed"], p["later"]), 1)
    return builder, p


@pytest.mark.parametrize("make, match", [
    (lambda p: InterExecutionInstanceProjection([[0, 0]], (0, 7), (1, p["relayed"])),
     "population_pre 7 does not exist \\(ExecutionInstanceID\\(0\\) has 2 populations\\)"),
    (lambda p: InterExecutionInstanceProjection([[0, 0]], (0, p["neurons"]), (3, 0)),
     "the post instance ExecutionInstanceID\\(3\\) has nothing in it yet"),
    (lambda p: InterExecutionInstanceProjection([[0, 0]], (0, p["neurons"]), (1, p["later"])),
     "the post population 1 of ExecutionInstanceID\\(1\\) is a Population: spikes relayed .* ExternalSourcePopulation"),
    (lambda p: InterExecutionInstanceProjection([[5, 0]], (0, p["neurons"]), (1, p["relayed"])),
     "connection 0: pre neuron 5 does not exist \\(the pre population has 2\\)"),
    (lambda p: InterExecutionInstanceProjection([[0, 3]], (0, p["neurons"]), (1, p["relayed"])),
     "connection 0: post neuron 3 does not exist"),
    (lambda p: InterExecutionInstanceProjection([[0, 0]], (0, p["neurons"]), (1, p["relayed"]), delay_us=-5),
     "delay_us is a number of us >= 0 \\(spikes go forward in time\\), not -5"),
    (lambda p: InterExecutionInstanceProjection([[0, 0, 20]], (0, p["neurons"]), (1, p["relayed"])),
     "connection 0 has weight 20: a relay copies spikes"),
    (lambda p: InterExecutionInstanceProjection([[0, 0, 0, 1, 1]], (0, p["neurons"]), (1, p["relayed"])),
     "an external source has only compartment 0, not 1"),
    (lambda p: InterExecutionInstanceProjection([[0, 2, 0, 0, 1]], (0, p["neurons"]), (1, p["relayed"])),
     "pre neuron 0 has no compartment 2"),
    (lambda p: InterExecutionInstanceProjection([], (0, p["neurons"]), (1, p["relayed"])), "has no connections"),
])
def test_inter_instance_projections_are_checked_when_added(make, match):
    builder, p = two_instances()
    with pytest.raises(InvalidNetworkError, match=match):
        builder.add(make(p))
    assert not builder.done().inter_execution_instance_projections     # nothing half-added


def test_a_valid_inter_instance_projection_is_added():
    builder, p = two_instances()
    assert builder.add(InterExecutionInstanceProjection([[0, 1], [1, 0]], (0, p["neurons"]), (1, p["relayed"]),
                                                        delay_us=1.5)) == 0
    network = builder.done()
    assert network.inter_execution_instance_projections[0].connections["weight"].tolist() == [1, 1]


def test_a_neuron_has_one_readout_source_and_the_cadc_reads_membranes():
    builder, p = two_instances()
    neuron = AtomicNeuronOnExecutionInstance(p["neurons"], 0)
    builder.add(MADCRecording([RecordedNeuron(neuron, "exc_synin")]))
    with pytest.raises(InvalidNetworkError, match="recorded with source membrane here and exc_synin by the MADC"):
        builder.add(CADCRecording([RecordedNeuron(neuron)]))
    with pytest.raises(InvalidNetworkError, match="has source adaptation: the CADC reads membranes .* with the MADC"):
        builder.add(CADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(p["neurons"], 1), "adaptation")]))
    builder.add(CADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(p["neurons"], 1))]))
    other, q = two_instances()
    other.add(CADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(q["neurons"], 0))]))
    with pytest.raises(InvalidNetworkError, match="source inh_synin here and membrane by the CADC"):
        other.add(MADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(q["neurons"], 0), "inh_synin")]))
    with pytest.raises(InvalidNetworkError, match="period_us is 0 .* or a period of at least one FPGA cycle"):
        two_instances()[0].add(CADCRecording([RecordedNeuron(neuron)], period_us=-1.0))


def test_plasticity_rules_need_the_kernel_signature_and_whole_timers():
    builder, p = two_instances()
    with pytest.raises(InvalidNetworkError, match="PLASTICITY_RULE_KERNEL is void\\(\\); it must be void "
                                                  "PLASTICITY_RULE_KERNEL\\(int32 synapses, int32 neurons, int32 period\\)"):
        builder.add(PlasticityRule("void PLASTICITY_RULE_KERNEL() {}", projections=[0]))
    with pytest.raises(InvalidNetworkError, match="is void\\(int32, int8, int32\\)"):
        builder.add(PlasticityRule("void PLASTICITY_RULE_KERNEL(int32 s, int8 n, int32 p) {}", projections=[0]))
    with pytest.raises(InvalidNetworkError, match="PlasticityTimer: start is an int \\(PPU cycles, 250 per us\\), not float 0.5"):
        PlasticityTimer(0.5, 250, 2)
    with pytest.raises(InvalidNetworkError, match="period > 40 PPU cycles"):
        PlasticityTimer(0, 10, 2)
    with pytest.raises(InvalidNetworkError, match="names no projection and no population"):
        builder.add(PlasticityRule(KERNEL))
    with pytest.raises(InvalidNetworkError, match="names a projection or population twice"):
        builder.add(PlasticityRule(KERNEL, projections=[0, 0]))
    assert builder.add(PlasticityRule(KERNEL, PlasticityTimer(0, 250, 2), projections=[0])) == 0


def graph_of(batch: int = 2):
    builder, p = two_instances()
    network = builder.done()
    return gn.build_network_graph(network, gn.route(network)), p, batch


def spikes_of(data, graph) -> list[list]:
    return [s.tolist() for s in data.data[graph.translations[ExecutionInstanceID(0)].event_input]]


def test_ragged_spike_lists_are_normal_and_wrong_shapes_are_named():
    graph, p, _ = graph_of()
    label = {n: graph.routing.execution_instances[ExecutionInstanceID(0)].external_spike_labels[p["sources"]][n][0]
             for n in (0, 1)}
    inputs = gn.InputGenerator(graph, batch_size=2)
    # per batch entry, per neuron, each neuron its own number of spikes
    inputs.add([[[100, 150], [200]], [[300], [400, 450, 470]]], p["sources"])
    assert spikes_of(inputs.done(), graph) == [
        [(100, label[0]), (150, label[0]), (200, label[1])],
        [(300, label[0]), (400, label[1]), (450, label[1]), (470, label[1])]]
    per_neuron = gn.InputGenerator(graph, batch_size=2)
    per_neuron.add([[100, 150, 170], []], p["sources"])          # the same in every entry
    per_neuron.add(np.array([[500], [600]]), p["sources"])      # a 2-d array: a row per neuron
    assert spikes_of(per_neuron.done(), graph)[1] == [(100, label[0]), (150, label[0]), (170, label[0]),
                                                      (500, label[0]), (600, label[1])]
    with pytest.raises(InputDataError, match="spike times of population 1 must be one list.*not a single int 100 "
                                             "\\(write \\[100\\]\\)"):
        inputs.add(100, p["sources"])
    with pytest.raises(InputDataError, match="a list per neuron needs 2 lists, not 3"):
        inputs.add([[1], [2], [3]], p["sources"])
    with pytest.raises(InputDataError, match="batch entry 1 needs 2 lists of times"):
        inputs.add([[[1], [2]], [[3]]], p["sources"])
    with pytest.raises(InputDataError, match="mix numbers and lists"):
        inputs.add([5, [[1]]], p["sources"])
    with pytest.raises(InputDataError, match="population 1 neuron 1: spike times are whole FPGA cycles"):
        inputs.add([[1], [2.5]], p["sources"])


def test_runtimes_are_whole_positive_cycles_of_instances_the_graph_has():
    graph, p, _ = graph_of()
    inputs = gn.InputGenerator(graph)
    with pytest.raises(InputDataError, match="the runtime of ExecutionInstanceID\\(0\\) is a whole number of FPGA "
                                             "cycles >= 1 \\(125 per us\\), not 10.7; round it first"):
        inputs.set_runtime(10.7)
    with pytest.raises(InputDataError, match="lies in 1..4294967295 FPGA cycles .* not -5"):
        inputs.set_runtime(-5)
    with pytest.raises(InputDataError, match="set_runtime: the network graph has no ExecutionInstanceID\\(3\\) "
                                             "\\(it has \\[0, 1\\]\\)"):
        inputs.set_runtime(1000, 3)
    with pytest.raises(InputDataError, match="the network has no ExecutionInstanceID\\(5\\)"):
        inputs.add([[1], [2]], 0, 5)
    inputs.set_runtime(1000.0, 1)                                # a whole float is whole cycles
    assert inputs.done().runtime == [{ExecutionInstanceID(1): 1000}]


def test_the_merger_keeps_the_spikes_of_each_recorded_input_apart():
    """Two earlier instances that record the same label: each one's spikes go to its own
    targets only."""
    merger = ExternalSourceMerger({(0, 7): [100], (1, 7): [200, 201]}, delay=10, n_recorded=2)
    first, second = np.zeros(2, dtype=SPIKE_FROM_CHIP_DTYPE), np.zeros(1, dtype=SPIKE_FROM_CHIP_DTYPE)
    first["time"], first["label"] = [5, 50], 7
    second["time"], second["label"] = [20], 7
    merged = merger.apply([[first], [second]])[0]
    assert merged.tolist() == [(15, 100), (30, 200), (30, 201), (60, 100)]
    # unknown labels are not relayed; a bare label means the first recorded input
    assert ExternalSourceMerger({7: [1]}).mapping == {(0, 7): (1,)}
    third = np.zeros(1, dtype=SPIKE_FROM_CHIP_DTYPE)
    third["label"] = 8
    assert len(merger.apply([[third], [third]])[0]) == 0
