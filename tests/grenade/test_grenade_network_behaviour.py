"""What networks do on the emulated chip: spikes relayed between instances reach only their own
targets (or are dropped and counted when late), CADC data are Int8 and may be read
periodically, plasticity rules reach only their projections and every batch entry starts
afresh, neuron resets follow their views, and a graph read back from JSON runs the same."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import halco
import lola
import grenade.network as gn
import grenade.signal_flow as sf
from grenade.common import ExecutionInstanceID
from grenade.execution import JITGraphExecutor
from grenade.execution import run as run_graph
from grenade.network import (
    EXCITATORY, AtomicNeuronOnExecutionInstance, CADCRecording, ExternalSourcePopulation,
    InterExecutionInstanceProjection, NetworkBuilder, PlasticityRule, PlasticityTimer, Population,
    Projection, RecordedNeuron,
)
from grenade.signal_flow.data import InputData

E0, E1, E2 = (ExecutionInstanceID(i) for i in range(3))
LATENCY_MAX = 40
#: the nominal CADC ramp (stadls's chip init writes it; a configuration written over it must
#: hold it too): 0.1 V at code 0, 4 mV per code
CADC_RAMP = {"cadc_v_ramp_offset": 50, "cadc_i_ramp_slope": 400}


def bypass_chip(atoms) -> lola.Chip:
    chip = lola.Chip()
    for a in atoms:
        chip.neuron_block.atomic_neurons[a].event_routing = lola.AtomicNeuron.EventRouting.bypass_exc()
    return chip


def analog_chip(atoms, v_leak, v_reset=300) -> lola.Chip:
    """Neurons that relax slowly (tens of us) from their reset to their leak potential."""
    chip = lola.Chip()
    for cell, value in CADC_RAMP.items():
        chip.capmem.set_shared(getattr(halco.CapMemCellOnCapMemBlock, cell), value)
    for atom, leak in zip(atoms, v_leak):
        n = chip.neuron_block.atomic_neurons[atom]
        n.leak.v_leak, n.leak.i_bias = leak, 30
        n.reset.v_reset, n.reset.i_bias = v_reset, 1000
        n.membrane_capacitance.capacitance = 63
    return chip


def test_two_instances_recording_the_same_label_relay_only_to_their_own_targets():
    builder = NetworkBuilder()
    first = {}
    for instance in (0, 1):       # the same neuron in both: its spikes carry the same label
        neurons = builder.add(Population.from_atomic_neurons([20]), instance)
        sources = builder.add(ExternalSourcePopulation(1), instance)
        builder.add(Projection(EXCITATORY, [[0, 0, 63]], sources, neurons), instance)
        first[instance] = (neurons, sources)
    relayed = builder.add(ExternalSourcePopulation(2), 2)
    targets = builder.add(Population.from_atomic_neurons([40, 41]), 2)
    builder.add(Projection(EXCITATORY, [[0, 0, 63], [1, 1, 63]], relayed, targets), 2)
    for instance in (0, 1):       # instance i's neuron -> relayed source i -> target i
        builder.add(InterExecutionInstanceProjection([[0, instance]], (instance, first[instance][0]), (2, relayed),
                                                     delay_us=1.0))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    recorded = [graph.translations[E].spike_labels for E in (E0, E1)]
    assert set(recorded[0]) == set(recorded[1])              # the case that needs the input's key
    inputs = gn.InputGenerator(graph)
    inputs.add([[100]], first[0][1], 0)
    inputs.add([[300]], first[1][1], 1)
    for instance in (0, 1, 2):
        inputs.set_runtime(1000, instance)
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, bypass_chip([20, 40, 41]), inputs.done())
    a, b = (gn.extract_neuron_spikes(out, graph, i)[0][(first[i][0], 0, 0)] for i in (0, 1))
    c = gn.extract_neuron_spikes(out, graph, 2)[0]
    assert len(c[(targets, 0, 0)]) == 1 and len(c[(targets, 1, 0)]) == 1
    assert 0 < c[(targets, 0, 0)][0] - a[0] - 125 < LATENCY_MAX        # only instance 0's spike
    assert 0 < c[(targets, 1, 0)][0] - b[0] - 125 < LATENCY_MAX        # only instance 1's spike


def test_relayed_spikes_after_the_runtime_are_dropped_and_counted(caplog):
    builder = NetworkBuilder()
    neurons = builder.add(Population.from_atomic_neurons([20]), 0)
    sources = builder.add(ExternalSourcePopulation(1), 0)
    builder.add(Projection(EXCITATORY, [[0, 0, 63]], sources, neurons), 0)
    relayed = builder.add(ExternalSourcePopulation(1), 1)
    later = builder.add(Population.from_atomic_neurons([40]), 1)
    builder.add(Projection(EXCITATORY, [[0, 0, 63]], relayed, later), 1)
    builder.add(InterExecutionInstanceProjection([[0, 0]], (0, neurons), (1, relayed), delay_us=1.0))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    inputs = gn.InputGenerator(graph)
    inputs.add([[100, 900]], sources, 0)          # the second arrives at 900 + ~10 + 125 > 1000
    inputs.set_runtime(1000, 0)
    inputs.set_runtime(1000, 1)
    with JITGraphExecutor() as executor, caplog.at_level(logging.WARNING):
        out = gn.run(executor, graph, bypass_chip([20, 40]), inputs.done())
    assert len(gn.extract_neuron_spikes(out, graph, 1)[0][(later, 0, 0)]) == 1
    assert out.health[E1].dropped_events == 1 and out.health[E0].dropped_events == 0
    assert "1 spikes relayed from earlier instances were dropped" in caplog.text


def cadc_network(period_us: float) -> tuple[gn.NetworkGraph, int]:
    builder = NetworkBuilder()
    neurons = builder.add(Population.from_atomic_neurons([50, 51, 52], record_spikes=False))
    builder.add(CADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(neurons, i)) for i in range(3)],
                              period_us=period_us))
    network = builder.done()
    return gn.build_network_graph(network, gn.route(network)), neurons


def test_cadc_data_are_int8_and_add_up_as_int8():
    graph, neurons = cadc_network(0.0)
    cadc = graph.translations[E0].cadc_outputs[0]
    added = graph.graph.add(sf.Transformation(sf.Addition(2, 3)), 1, [cadc, cadc])
    inputs = gn.InputGenerator(graph)
    inputs.set_runtime(12_500)
    with JITGraphExecutor() as executor:
        out = run_graph(executor, graph.graph, graph.chip_config(0, analog_chip([50, 51, 52], [300, 700, 500])),
                        InputData(runtime={0: 12_500}))
    values = out.data[cadc]
    codes = gn.extract_cadc_samples(out, graph)[0]
    assert values.dtype == np.int8 and values.shape == (1, 3)
    as_codes = [codes[AtomicNeuronOnExecutionInstance(neurons, i)] for i in range(3)]
    assert values[0].tolist() == [c - 128 for c in as_codes]
    assert as_codes[0] < 128 < as_codes[1]            # one reads below, one above the middle
    assert out.data[added].tolist() == np.clip(2 * values.astype(int), -128, 127).tolist()


def test_a_periodic_cadc_readout_reads_during_the_run_with_times():
    graph, neurons = cadc_network(2.0)
    vertex = graph.translations[E0].cadc_outputs[0]
    inputs = gn.InputGenerator(graph, batch_size=2)
    inputs.set_runtime(20 * 125)
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, analog_chip([50, 51, 52], [700, 700, 400]), inputs.done())
    reads = out.data[vertex]
    assert len(reads) == 2 and reads[0].dtype.names == ("time", "value")
    assert reads[0]["time"].tolist() == list(range(0, 2500, 250))        # every 2 us from the start
    samples = gn.extract_cadc_samples(out, graph)
    for entry in samples:
        times, codes = entry[AtomicNeuronOnExecutionInstance(neurons, 0)]
        assert times.tolist() == list(range(0, 2500, 250))
        # from its reset at the start the membrane relaxes towards its leak potential
        assert codes[-1] > codes[0] + 10 and np.all(np.diff(codes) > -6)
        _, low = entry[AtomicNeuronOnExecutionInstance(neurons, 2)]
        assert low[-1] < codes[-1] - 10
    # an Int8 function refuses timed reads with a clear error
    graph.graph.add(sf.Transformation(sf.ReLU(3)), 1, [vertex])
    with JITGraphExecutor() as executor:
        with pytest.raises(Exception, match="ExecutionInstanceID\\(1\\): ReLU takes Int8 values \\[batch, size\\]; "
                                            "timed data"):
            gn.run(executor, graph, analog_chip([50, 51, 52], [700, 700, 400]), inputs.done())


def test_neuron_resets_follow_their_views():
    g = sf.Graph()
    T = sf.ConnectionType
    views = g.add(sf.NeuronView([10, 11], [sf.NeuronConfig(enable_reset=True), sf.NeuronConfig(enable_reset=False)], 0), 0, [])
    madc = g.add(sf.MADCReadoutView(sf.MADCSource(halco.AtomicNeuronOnDLS(10, 0)),
                                    sf.MADCSource(halco.AtomicNeuronOnDLS(11, 0))), 0,
                 [sf.Input(views, (0, 0)), sf.Input(views, (1, 1))])
    store = g.add(sf.DataOutput(T.TimedMADCSampleFromChipSequence), 0, [madc])
    with JITGraphExecutor() as executor:
        out = run_graph(executor, g, analog_chip([10, 11], [700, 700]), InputData(runtime={0: 20 * 125}))
    samples = out.data[store][0]
    reset, kept = (samples["value"][samples["channel"] == c].astype(float) for c in (0, 1))
    assert reset[:10].mean() < kept[:10].mean() - 150          # the reset one starts low
    assert abs(kept[:10].mean() - kept[-10:].mean()) < 15        # the other stays at its leak


RULE_NETWORK_KERNEL = """
int32 first_rows = 0;
int32 first_columns = 0;
int32 second_rows = 0;
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    vec_u8 zero = 0;
    vec_u8 mask = column_mask(synapses);
    for (int32 c = 0; c < 256; c++) {
        if (mask[c] != 0) { first_columns = first_columns + 1; }
    }
    for (int32 r = 0; r < 256; r++) {
        if (has_row(synapses, r)) {
            first_rows = first_rows + 1;
            set_weights(synapses, r, zero);
        }
        if (has_row(synapses + 1, r)) { second_rows = second_rows + 1; }
    }
}
"""


def rule_network(kernel: str, timer: PlasticityTimer, projections: list[int], observables: list[str]):
    """Three sources, three neurons: P0 s0 -> n0, P1 s1 -> n1, P2 s2 -> n2 and s0 -> n2."""
    builder = NetworkBuilder()
    neurons = builder.add(Population.from_atomic_neurons([0, 1, 2]))
    sources = builder.add(ExternalSourcePopulation(3))
    builder.add(Projection(EXCITATORY, [[0, 0, 63]], sources, neurons))
    builder.add(Projection(EXCITATORY, [[1, 1, 63]], sources, neurons))
    builder.add(Projection(EXCITATORY, [[2, 2, 63], [0, 2, 63]], sources, neurons))
    rule = builder.add(PlasticityRule(kernel, timer, projections=projections, observables=observables))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    return graph, neurons, sources, graph.translations[E0].plasticity_rules[rule]


def test_a_rule_reaches_each_of_its_projections_through_its_own_handle():
    # handles in the rule's order: synapses -> P2, synapses + 1 -> P0; P1 is not the rule's
    graph, neurons, sources, rule = rule_network(RULE_NETWORK_KERNEL, PlasticityTimer(0, 250 * 50, 1), [2, 0],
                                                 ["first_rows", "first_columns", "second_rows"])
    inputs = gn.InputGenerator(graph)
    inputs.add([[7500], [7600], [7700]], sources)            # after the kernel ran
    inputs.set_runtime(10_000)
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, bypass_chip([0, 1, 2]), inputs.done())
    observed = out.observables[rule]
    assert observed["first_rows"] == [{0: 2}] and observed["first_columns"] == [{0: 1}]
    assert observed["second_rows"] == [{0: 1}]
    spikes = gn.extract_neuron_spikes(out, graph)[0]
    assert (neurons, 2, 0) not in spikes                         # P2's synapses were zeroed
    assert len(spikes[(neurons, 0, 0)]) == 1 and len(spikes[(neurons, 1, 0)]) == 1     # P0, P1 kept
    assert out.health[E0].missed_plasticity_periods == 0


ZEROING_KERNEL = """
int32 calls = 0;
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    vec_u8 zero = 0;
    for (int32 r = 0; r < 256; r++) {
        if (has_row(synapses, r)) { set_weights(synapses, r, zero); }
    }
    calls = calls + 1;
}
"""


def test_every_batch_entry_starts_from_the_configured_weights_and_fresh_globals():
    graph, neurons, sources, rule = rule_network(ZEROING_KERNEL, PlasticityTimer(250 * 8, 250 * 40, 1), [0], ["calls"])
    inputs = gn.InputGenerator(graph, batch_size=3)
    inputs.add([[100, 6000], [], []], sources)           # before and after the kernel zeroes P0
    inputs.set_runtime(8000)
    with JITGraphExecutor() as executor:
        for _ in range(2):                               # and again in a second run
            out = gn.run(executor, graph, bypass_chip([0, 1, 2]), inputs.done())
            assert out.observables[rule]["calls"] == [{0: 1}] * 3
            for entry in gn.extract_neuron_spikes(out, graph):
                assert len(entry[(neurons, 0, 0)]) == 1 and entry[(neurons, 0, 0)][0] < 200


def test_periods_a_kernel_does_not_complete_are_counted(caplog):
    kernel = ("int32 calls = 0;\nvoid PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) "
              "{ calls = calls + 1; }")
    graph, neurons, sources, rule = rule_network(kernel, PlasticityTimer(0, 250 * 10, 5), [0], ["calls"])
    inputs = gn.InputGenerator(graph)
    inputs.set_runtime(25 * 125)                         # periods start at 0, 10, 20, 30, 40 us
    with JITGraphExecutor() as executor, caplog.at_level(logging.WARNING):
        out = gn.run(executor, graph, bypass_chip([0, 1, 2]), inputs.done())
    calls = out.observables[rule]["calls"][0][0]
    assert calls == 3
    assert out.health[E0].missed_plasticity_periods == 2
    assert "2 periods of plasticity rules did not run to their end" in caplog.text


def test_a_network_graph_read_back_from_json_runs_the_same():
    builder = NetworkBuilder()
    chain = [10, 11, 12, 300]
    neurons = builder.add(Population.from_atomic_neurons(chain))
    source = builder.add(ExternalSourcePopulation(1, enable_record_spikes=[True]))
    builder.add(Projection(EXCITATORY, [[0, 0, 63]], source, neurons))
    builder.add(Projection(EXCITATORY, [[0, 1, 63], [1, 2, 63], [2, 3, 63]], neurons, neurons))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    again = sf.Graph.from_json(graph.graph.to_json())
    assert again == graph.graph
    inputs = gn.InputGenerator(graph)
    inputs.add([[500, 1500]], source)
    inputs.set_runtime(2500)
    data = inputs.done()
    chip = graph.chip_config(0, bypass_chip(chain))
    with JITGraphExecutor() as executor:
        outputs = [run_graph(executor, g, chip, data) for g in (graph.graph, again)]
    spikes = [o.data[graph.translations[E0].event_output][0] for o in outputs]
    assert len(spikes[0]) == 2 * 5 and spikes[0].tolist() == spikes[1].tolist()


def test_a_rule_without_synapses_on_a_hemisphere_cannot_reach_any():
    kernel = ("void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {\n"
              "    vec_u8 zero = 0;\n    set_weights(synapses, 0, zero);\n}")
    builder = NetworkBuilder()
    neurons = builder.add(Population.from_atomic_neurons([0, 1, 2]))
    sources = builder.add(ExternalSourcePopulation(3))
    builder.add(Projection(EXCITATORY, [[0, 0, 63], [1, 1, 63], [2, 2, 63]], sources, neurons))
    builder.add(PlasticityRule(kernel, PlasticityTimer(0, 250 * 10, 1), populations=[neurons]))   # neurons only
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    inputs = gn.InputGenerator(graph)
    inputs.add([[3000], [3100], [3200]], sources)
    inputs.set_runtime(5000)
    with JITGraphExecutor() as executor, pytest.warns(Warning, match="other hemisphere"):
        out = gn.run(executor, graph, bypass_chip([0, 1, 2]), inputs.done())
    assert "'set_weights' was given the synapses of hemisphere 1" in out.health[E0].ppu_traps[0]
    assert out.health[E0].missed_plasticity_periods == 1
    assert len(gn.extract_neuron_spikes(out, graph)[0]) == 3          # every synapse kept its weight
