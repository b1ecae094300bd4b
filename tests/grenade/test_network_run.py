"""Networks end to end: routed, turned into graphs, run on emulated chips, read back by
population and neuron."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

import halco
import lola
import stadls
import grenade.network as gn
from grenade.common import ExecutionInstanceID
from grenade.errors import InputDataError
from grenade.execution import JITGraphExecutor
from grenade.network import (
    EXCITATORY, INHIBITORY, AtomicNeuronOnExecutionInstance, BackgroundSourceConfig,
    BackgroundSourcePopulation, CADCRecording, ExternalSourcePopulation,
    InterExecutionInstanceProjection, MADCRecording, NetworkBuilder, PlasticityRule,
    PlasticityTimer, Population, Projection, RecordedNeuron,
)

LATENCY_MAX = 40          # FPGA cycles from an input spike to the relayed spike


def bypass_chip(atoms) -> lola.Chip:
    """Neurons that fire at every excitatory input (bypass mode)."""
    chip = lola.Chip()
    for a in atoms:
        chip.neuron_block.atomic_neurons[a].event_routing = lola.AtomicNeuron.EventRouting.bypass_exc()
    return chip


ATOMS = list(range(0, 16, 2)) + [256 + 5]


def feedforward(weight: int = 63):
    builder = NetworkBuilder()
    neurons = builder.add(Population.from_atomic_neurons(ATOMS))
    sources = builder.add(ExternalSourcePopulation(4, enable_record_spikes=[True, False, False, False]))
    connections = [[i, 2 * i, weight] for i in range(4)] + [[i, 2 * i + 1, weight] for i in range(4)] + [[3, 8, weight]]
    builder.add(Projection(EXCITATORY, connections, sources, neurons))
    return builder.done(), neurons, sources


SOURCE_TIMES = [np.arange(100, 2000, 300) + 10 * i for i in range(4)]


def test_a_feedforward_network_relays_each_source_to_its_targets():
    network, neurons, sources = feedforward()
    graph = gn.build_network_graph(network, gn.route(network))
    inputs = gn.InputGenerator(graph)
    inputs.add(SOURCE_TIMES, sources)
    inputs.set_runtime(3000)
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, bypass_chip(ATOMS), inputs.done())
    spikes = gn.extract_neuron_spikes(out, graph)[0]
    targets = {2 * i: i for i in range(4)} | {2 * i + 1: i for i in range(4)} | {8: 3}
    for neuron, source in targets.items():
        delay = spikes[(neurons, neuron, 0)] - SOURCE_TIMES[source]
        assert ((delay > 0) & (delay < LATENCY_MAX)).all(), (neuron, delay)
    # the recorded source loops back; the others are not recorded
    assert len(spikes[(sources, 0, 0)]) == len(SOURCE_TIMES[0])
    assert (sources, 1, 0) not in spikes
    assert out.health[ExecutionInstanceID(0)].dropped_events == 0


def test_weights_change_without_routing_again():
    network, neurons, sources = feedforward(weight=63)
    routing = gn.route(network)
    graph = gn.build_network_graph(network, routing)
    quiet, _, _ = feedforward(weight=0)
    assert not gn.requires_routing(quiet, network)
    quiet_graph = gn.build_network_graph(quiet, gn.update_weights(routing, quiet))
    inputs = gn.InputGenerator(graph)
    inputs.add(SOURCE_TIMES, sources)
    inputs.set_runtime(3000)
    with JITGraphExecutor() as executor:
        loud = gn.extract_neuron_spikes(gn.run(executor, graph, bypass_chip(ATOMS), inputs.done()), graph)[0]
        silent = gn.extract_neuron_spikes(
            gn.run(executor, quiet_graph, bypass_chip(ATOMS), inputs.done()), quiet_graph)[0]
    assert sum(len(v) for k, v in loud.items() if k[0] == neurons) == 9 * len(SOURCE_TIMES[0])
    assert not any(k[0] == neurons for k in silent)
    bigger, _, _ = feedforward(weight=100)     # needs two synapses per connection
    assert gn.requires_routing(bigger, network)


def test_a_recurrent_chain_relays_through_the_chip():
    builder = NetworkBuilder()
    chain = [10, 11, 12, 300]
    neurons = builder.add(Population.from_atomic_neurons(chain))
    source = builder.add(ExternalSourcePopulation(1))
    builder.add(Projection(EXCITATORY, [[0, 0, 63]], source, neurons))
    builder.add(Projection(EXCITATORY, [[0, 1, 63], [1, 2, 63], [2, 3, 63]], neurons, neurons))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    inputs = gn.InputGenerator(graph)
    inputs.add([[500, 1500]], source)
    inputs.set_runtime(2500)
    with JITGraphExecutor() as executor:
        spikes = gn.extract_neuron_spikes(gn.run(executor, graph, bypass_chip(chain), inputs.done()), graph)[0]
    first = [spikes[(neurons, n, 0)] for n in range(4)]
    for n in range(4):
        assert len(first[n]) == 2
    for n in range(3):       # each link of the chain adds a delay
        assert ((first[n + 1] - first[n] > 0) & (first[n + 1] - first[n] < LATENCY_MAX)).all()


def test_spikes_of_one_instance_feed_a_later_one():
    builder = NetworkBuilder()
    first = builder.add(Population.from_atomic_neurons([20, 21]), 0)
    source = builder.add(ExternalSourcePopulation(2), 0)
    builder.add(Projection(EXCITATORY, [[0, 0, 63], [1, 1, 63]], source, first), 0)
    relayed = builder.add(ExternalSourcePopulation(2), 1)
    second = builder.add(Population.from_atomic_neurons([40, 41]), 1)
    builder.add(Projection(EXCITATORY, [[0, 1, 63], [1, 0, 63]], relayed, second), 1)
    builder.add(InterExecutionInstanceProjection([[0, 0, 1], [1, 1, 1]], (0, first), (1, relayed), delay_us=2.0))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    inputs = gn.InputGenerator(graph)
    inputs.add([[200, 900], [600]], source, 0)
    inputs.set_runtime(1500, 0)
    inputs.set_runtime(1500, 1)
    chip = bypass_chip([20, 21, 40, 41])
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, chip, inputs.done())
    a = gn.extract_neuron_spikes(out, graph, 0)[0]
    b = gn.extract_neuron_spikes(out, graph, 1)[0]
    # neuron 0 of the first instance drives neuron 1 of the second, 2 us (250 cycles) later
    assert np.all((b[(second, 1, 0)] - a[(first, 0, 0)] - 250 > 0) & (b[(second, 1, 0)] - a[(first, 0, 0)] - 250 < LATENCY_MAX))
    assert len(b[(second, 0, 0)]) == 1


def test_background_sources_drive_their_targets():
    builder = NetworkBuilder()
    neurons = builder.add(Population.from_atomic_neurons([30, 31, 32, 33]))
    noise = builder.add(BackgroundSourcePopulation(
        4, {halco.HemisphereOnDLS(0): halco.PADIBusOnPADIBusBlock(1)},
        BackgroundSourceConfig(period=50, rate=128, enable_random=True, seed=1234),
        enable_record_spikes=[True] * 4))
    builder.add(Projection(EXCITATORY, [[i, i, 63] for i in range(4)], noise, neurons))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    inputs = gn.InputGenerator(graph)
    inputs.set_runtime(25_000)
    with JITGraphExecutor() as executor:
        spikes = gn.extract_neuron_spikes(gn.run(executor, graph, bypass_chip([30, 31, 32, 33]), inputs.done()), graph)[0]
    for i in range(4):
        own, relayed = spikes[(noise, i, 0)], spikes[(neurons, i, 0)]
        # a bin every 51 cycles, half of them with a spike, spread over 4 sources: ~60 each
        assert 25 < len(own) < 120
        assert len(relayed) == len(own)
        assert ((relayed - own > 0) & (relayed - own < LATENCY_MAX)).all()


def test_recordings_come_back_by_neuron():
    builder = NetworkBuilder()
    neurons = builder.add(Population.from_atomic_neurons([50, 51, 52], record_spikes=False))
    builder.add(MADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(neurons, 0)),
                               RecordedNeuron(AtomicNeuronOnExecutionInstance(neurons, 1))]))
    builder.add(CADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(neurons, i)) for i in range(3)]))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    chip = lola.Chip()
    for cell, value in stadls.NOMINAL_CADC_RAMP.items():     # a CADC whose ramps rise
        chip.capmem.set_shared(getattr(halco.CapMemCellOnCapMemBlock, cell), value)
    for atom, v_leak in zip([50, 51, 52], [300, 700, 500]):
        n = chip.neuron_block.atomic_neurons[atom]
        n.leak.v_leak, n.leak.i_bias, n.membrane_capacitance.capacitance = v_leak, 500, 63
    inputs = gn.InputGenerator(graph)
    inputs.set_runtime(12_500)
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, chip, inputs.done())
    madc = gn.extract_madc_samples(out, graph)[0]
    cadc = gn.extract_cadc_samples(out, graph)[0]
    first, second, third = (AtomicNeuronOnExecutionInstance(neurons, i) for i in range(3))
    assert madc[second][1].mean() > madc[first][1].mean() + 50
    assert cadc[first] < cadc[third] < cadc[second]


KERNEL = """
int32 calls = 0;
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    calls = calls + 1;
}
"""


def test_a_plasticity_rule_runs_over_its_projection():
    network, neurons, sources = feedforward()
    builder = NetworkBuilder()
    instance = network.execution_instances[ExecutionInstanceID(0)]
    for population in instance.populations:
        builder.add(population)
    builder.add(instance.projections[0])
    rule = builder.add(PlasticityRule(KERNEL, PlasticityTimer(0, 250, 4), projections=[0], observables=["calls"]))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    inputs = gn.InputGenerator(graph)
    inputs.set_runtime(10 * 125)
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, bypass_chip(ATOMS), inputs.done())
    vertex = graph.translations[ExecutionInstanceID(0)].plasticity_rules[rule]
    # the projection's synapses lie on both hemispheres: each PPU runs the rule 4 times
    assert out.observables[vertex]["calls"] == [{0: 4, 1: 4}]


def test_input_generation_checks_its_arguments_and_converts_biological_time():
    network, neurons, sources = feedforward()
    graph = gn.build_network_graph(network, gn.route(network))
    inputs = gn.InputGenerator(graph, batch_size=2)
    with pytest.raises(InputDataError, match="population 0 of ExecutionInstanceID\\(0\\) is not an external"):
        inputs.add([1, 2], neurons)
    with pytest.raises(InputDataError, match="one per batch entry \\(2\\)"):
        inputs.add([[1], [2]], sources)
    inputs.add_biological_ms([0.5, 1.5], sources)          # ms of biology: us of hardware
    data = inputs.done()
    spikes = data.data[graph.translations[ExecutionInstanceID(0)].event_input][1]
    assert sorted(set(spikes["time"].tolist())) == [62, 188]
    assert gn.to_biological_ms(125).item() == 1.0
    with pytest.raises(InputDataError, match="batch_size must be an int >= 1"):
        gn.InputGenerator(graph, batch_size=0)


def test_the_network_owns_the_event_routing_of_the_chip():
    network, neurons, sources = feedforward()
    graph = gn.build_network_graph(network, gn.route(network))
    given = bypass_chip(ATOMS + [100])                  # an extra bypass neuron outside the network
    given.synapse_matrices[0].weights = np.full((256, 256), 7)
    drivers = given.synapse_driver_blocks[1].synapse_drivers
    drivers[127] = attrs.evolve(drivers[127], enable_receiver=True)
    chip = graph.chip_config(0, given)
    assert (chip.synapse_matrices[0].weights == 0).all()
    assert not chip.synapse_driver_blocks[1].synapse_drivers[127].enable_receiver
    assert not chip.neuron_block.atomic_neurons[100].event_routing.enable_digital
    assert chip.neuron_block.atomic_neurons[0].event_routing.enable_digital
    assert (given.synapse_matrices[0].weights == 7).all()   # the given chip is not changed


def test_many_recorded_sources_come_back_apart():
    """Sources in chunks on different PADI buses differ only in their link bits (15..14)."""
    builder = NetworkBuilder()
    neurons = builder.add(Population.from_atomic_neurons(range(100), record_spikes=False))
    sources = builder.add(ExternalSourcePopulation(100, enable_record_spikes=[True] * 100))
    builder.add(Projection(EXCITATORY, [[i, i, 10] for i in range(100)], sources, neurons))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    inputs = gn.InputGenerator(graph)
    times = [np.array([100 + 40 * i]) for i in range(100)]
    inputs.add(times, sources)
    inputs.set_runtime(5000)
    with JITGraphExecutor() as executor:
        spikes = gn.extract_neuron_spikes(gn.run(executor, graph, None, inputs.done()), graph)[0]
    for i in range(100):
        back = spikes[(sources, i, 0)]
        assert len(back) == 1 and 0 < back[0] - times[i][0] < LATENCY_MAX
