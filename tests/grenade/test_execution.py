"""Running signal-flow graphs on emulated chips: the JIT executor, its timeline and outputs."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import haldls
import lola
import stadls
import grenade.signal_flow as sf
from grenade.common import ExecutionInstanceID
from grenade.errors import ExecutionError, GrenadeError, InputDataError
from grenade.execution import ExecutionInstanceHooks, JITGraphExecutor, run
from grenade.signal_flow.data import InputData, spike_sequence

T = sf.ConnectionType
LABEL = 5              # SPL1 0, row select 0, synapse label 5


def node(output: int, inp: int, chip: int = 0) -> sf.CrossbarNode:
    return sf.CrossbarNode(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(output),
                                                   halco.CrossbarInputOnDLS(inp)), chip_on_executor=chip)


def relay_graph(instance: int = 0, chip: int = 0, weight: int = 63) -> tuple[sf.Graph, dict]:
    """FPGA spikes -> L2 input 0 -> PADI bus 0 -> driver 0 -> row 1, column 3 -> neuron 3 of the
    top row (bypass: it fires at every input) -> event output 0 -> L2 output 0 -> recorded."""
    g, d = sf.Graph(), {}
    d["ext"] = g.add(sf.ExternalInput(T.DataTimedSpikeToChipSequence), instance)
    d["load"] = g.add(sf.DataInput(T.TimedSpikeToChipSequence), instance, [d["ext"]])
    d["l2"] = g.add(sf.CrossbarL2Input(chip_on_executor=chip), instance, [d["load"]])
    d["node"] = g.add(node(0, 8, chip), instance, [d["l2"]])
    d["bus"] = g.add(sf.PADIBus(halco.PADIBusOnDLS(0), chip_on_executor=chip), instance, [d["node"]])
    d["driver"] = g.add(sf.SynapseDriver(halco.SynapseDriverOnDLS(0), chip_on_executor=chip), instance, [d["bus"]])
    synapse = np.array([(LABEL, weight, 0, 0)], dtype=sf.SPARSE_SYNAPSE_DTYPE)
    d["synapses"] = g.add(sf.SynapseArrayViewSparse(0, [1], [3], synapse, chip_on_executor=chip),
                          instance, [d["driver"]])
    d["neurons"] = g.add(sf.NeuronView([3], [sf.NeuronConfig(7)], 0, chip_on_executor=chip),
                         instance, [d["synapses"]])
    d["events"] = g.add(sf.NeuronEventOutputView({0: [[3]]}, chip_on_executor=chip), instance, [d["neurons"]])
    d["out_node"] = g.add(node(8, 0, chip), instance, [d["events"]])
    d["l2_out"] = g.add(sf.CrossbarL2Output(chip_on_executor=chip), instance, [d["out_node"]])
    d["spikes"] = g.add(sf.DataOutput(T.TimedSpikeFromChipSequence), instance, [d["l2_out"]])
    return g, d


def bypass_chip() -> lola.Chip:
    chip = lola.Chip()
    neuron = chip.neuron_block.atomic_neurons[3]
    neuron.event_routing = lola.AtomicNeuron.EventRouting.bypass_exc()
    # L2 input 0 is not looped back to the FPGA: only the neuron's spikes are recorded
    loop = halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8), halco.CrossbarInputOnDLS(8))
    chip.crossbar.nodes[loop.to_enum()] = haldls.CrossbarNode.drop_all()
    return chip


TIMES = np.arange(100, 5000, 250)


def test_spikes_in_are_relayed_out_per_batch_entry():
    graph, d = relay_graph()
    data = InputData({d["ext"]: [spike_sequence(TIMES, LABEL), spike_sequence(TIMES[:3], LABEL)]},
                     runtime={0: 6000})
    with JITGraphExecutor() as executor:
        out = run(executor, graph, bypass_chip(), data)
    first, second = out.data[d["spikes"]]
    assert out.batch_size == 2 and len(first) == len(TIMES) and len(second) == 3
    assert (first["label"] == 7).all()                          # event output 0, address 7
    latency = first["time"] - TIMES
    assert (latency == latency[0]).all() and 0 < latency[0] < 50
    timing = out.timing[ExecutionInstanceID(0)]
    assert timing.hardware_cycles > 2 * 6000 and timing.run_s > 0
    assert out.health[ExecutionInstanceID(0)].dropped_events == 0


def test_a_second_run_writes_only_what_changed():
    graph, d = relay_graph()
    data = InputData({d["ext"]: [spike_sequence(TIMES, LABEL)]}, runtime={0: 6000})
    silent, _ = relay_graph(weight=0)             # a weight of 0: the bypass neuron never fires
    with JITGraphExecutor() as executor:
        first = run(executor, graph, bypass_chip(), data)
        second = run(executor, silent, bypass_chip(), data)
        third = run(executor, graph, bypass_chip(), data)
    cycles = [o.timing[ExecutionInstanceID(0)].hardware_cycles for o in (first, second, third)]
    # the whole chip (tens of thousands of words) once; then a single synapse quad's words
    assert cycles[0] > 100_000 and cycles[1] < 10_000 and cycles[2] < 10_000
    assert [len(o.data[d["spikes"]][0]) for o in (first, second, third)] == [len(TIMES), 0, len(TIMES)]


def test_independent_instances_run_on_their_own_chips():
    graph, d = relay_graph(instance=0, chip=0)
    other, e = relay_graph(instance=1, chip=1)
    # the second chain in the same graph: re-add its vertices with descriptors shifted
    offset = len(graph)
    for descriptor, vertex in other:
        graph.add(vertex, 1, [sf.Input(i.descriptor + offset, i.restriction) for i in other.inputs(descriptor)])
    data = InputData({d["ext"]: [spike_sequence(TIMES, LABEL)],
                      e["ext"] + offset: [spike_sequence(TIMES[:5], LABEL)]}, runtime={0: 6000, 1: 6000})
    with JITGraphExecutor(chip_ids=[0, 3]) as executor:
        out = run(executor, graph, {0: bypass_chip(), 1: bypass_chip()}, data)
        assert executor.connection(1).chip_id == 3
    assert len(out.data[d["spikes"]][0]) == len(TIMES)
    assert len(out.data[e["spikes"] + offset][0]) == 5
    assert set(out.timing) == {ExecutionInstanceID(0), ExecutionInstanceID(1)}


def cadc_graph() -> tuple[sf.Graph, dict]:
    """Four neurons of the top row read by the CADC, stored, and the largest found on the host
    in a second instance."""
    g, d = sf.Graph(), {}
    d["neurons"] = g.add(sf.NeuronView([10, 11, 12, 13], [sf.NeuronConfig()] * 4, 0), 0, [])
    d["cadc"] = g.add(sf.CADCMembraneReadoutView([[10, 11, 12, 13]], 0), 0, [d["neurons"]])
    d["store"] = g.add(sf.DataOutput(T.Int8, 4), 0, [d["cadc"]])
    d["argmax"] = g.add(sf.Transformation(sf.ArgMax(4)), 1, [d["store"]])
    return g, d


def leaky_chip(v_leak: list[int]) -> lola.Chip:
    chip = lola.Chip()
    for cell, value in stadls.NOMINAL_CADC_RAMP.items():     # a CADC whose ramps rise
        chip.capmem.set_shared(getattr(halco.CapMemCellOnCapMemBlock, cell), value)
    for column, value in zip([10, 11, 12, 13], v_leak):
        neuron = chip.neuron_block.atomic_neurons[column]
        neuron.leak.v_leak, neuron.leak.i_bias = value, 500
        neuron.membrane_capacitance.capacitance = 63
    return chip


def test_cadc_reads_feed_a_later_instance():
    graph, d = cadc_graph()
    with JITGraphExecutor() as executor:
        out = run(executor, graph, leaky_chip([300, 500, 700, 400]), InputData(runtime={0: 12_500}))
    codes = out.data[d["cadc"]]
    assert codes.shape == (1, 4)
    assert codes[0, 0] < codes[0, 3] < codes[0, 1] < codes[0, 2]     # ordered as the leak potentials
    assert np.array_equal(out.data[d["store"]], codes)
    assert out.data[d["argmax"]].tolist() == [[2]]


def test_the_madc_samples_its_sources_while_the_runtime_lasts():
    g = sf.Graph()
    neurons = g.add(sf.NeuronView([10, 11], [sf.NeuronConfig()] * 2, 0), 0, [])
    madc = g.add(sf.MADCReadoutView(sf.MADCSource(halco.AtomicNeuronOnDLS(10, 0)),
                                    sf.MADCSource(halco.AtomicNeuronOnDLS(11, 0))), 0,
                 [sf.Input(neurons, sf.PortRestriction(0, 0)), sf.Input(neurons, sf.PortRestriction(1, 1))])
    store = g.add(sf.DataOutput(T.TimedMADCSampleFromChipSequence), 0, [madc])
    chip = leaky_chip([300, 700, 0, 0])
    with JITGraphExecutor() as executor:
        out = run(executor, g, chip, InputData(runtime={0: 2500}))
    samples = out.data[store][0]
    assert len(samples) > 100 and np.all(np.diff(samples["time"]) >= 0)
    assert samples["time"].max() <= 2500 + 200
    low = samples["value"][samples["channel"] == 0].astype(float)
    high = samples["value"][samples["channel"] == 1].astype(float)
    assert len(low) and len(high) and high.mean() > low.mean() + 50


KERNEL = """
int32 calls = 0;
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    calls = calls + 1;
    vec_u8 w = 40;
    set_weights(synapses, 1, w);
}
"""


def test_a_plasticity_rule_runs_on_its_timer_and_its_observables_come_back():
    graph, d = relay_graph(weight=0)                # silent until the rule sets the weight
    rule = graph.add(sf.PlasticityRule(KERNEL, sf.Timer(start=250 * 10, period=250 * 20, num_periods=3),
                                       synapse_view_sizes=[1], observables=["calls"]),
                     0, [d["synapses"]])
    # calls at 10, 30 and 50 us: all three within 60 us of runtime
    data = InputData({d["ext"]: [spike_sequence(TIMES, LABEL)]}, runtime={0: 60 * 125})
    with JITGraphExecutor() as executor:
        out = run(executor, graph, bypass_chip(), data)
        assert executor.state(0).config is None      # the PPU changed weights: rewrite next time
    assert out.observables[rule]["calls"] == [{0: 3}]
    spikes = out.data[d["spikes"]][0]
    # from the first call on (10 us after the start), the synapse relays
    assert 0 < len(spikes) < len(TIMES) and spikes["time"].min() > 10 * 125


def test_hooks_are_copied_into_the_timeline():
    graph, d = relay_graph()
    block = stadls.PlaybackProgramBuilder()        # the L2 input's node to PADI bus 0 drops all
    block.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(0), halco.CrossbarInputOnDLS(8)),
                haldls.CrossbarNode.drop_all())
    reopen = stadls.AbsoluteTimePlaybackProgramBuilder()
    reopen.write(2000, halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(0), halco.CrossbarInputOnDLS(8)),
                 haldls.CrossbarNode())
    data = InputData({d["ext"]: [spike_sequence(TIMES, LABEL)] * 2}, runtime={0: 6000})
    with JITGraphExecutor() as executor:
        out = run(executor, graph, bypass_chip(), data,
                  hooks=ExecutionInstanceHooks(pre_realtime=block, inside_realtime=reopen))
    for spikes in out.data[d["spikes"]]:              # every batch entry: only after 2000 cycles
        assert len(spikes) == np.count_nonzero(TIMES >= 2000)
    with pytest.raises(GrenadeError, match="write-only"):
        reads = stadls.PlaybackProgramBuilder()
        reads.read(halco.CapMemCellOnDLS())
        ExecutionInstanceHooks(post_realtime=reads)


def test_bad_runs_are_refused_with_what_is_wrong():
    graph, d = relay_graph()
    good = spike_sequence(TIMES, LABEL)
    with JITGraphExecutor() as executor:
        with pytest.raises(InputDataError, match="no input data for ExternalInput vertex 0"):
            run(executor, graph, bypass_chip(), InputData(runtime={0: 6000}))
        with pytest.raises(InputDataError, match="disagree on the batch size"):
            run(executor, graph, bypass_chip(), InputData({d["ext"]: [good]}, runtime=[{0: 6000}] * 2))
        with pytest.raises(InputDataError, match="at or after the runtime"):
            run(executor, graph, bypass_chip(), InputData({d["ext"]: [good]}, runtime={0: 1000}))
        with pytest.raises(InputDataError, match="SPIKE_TO_CHIP_DTYPE"):
            run(executor, graph, bypass_chip(), InputData({d["ext"]: [TIMES]}, runtime={0: 6000}))
        with pytest.raises(InputDataError, match="vertices \\[99\\]"):
            run(executor, graph, bypass_chip(), InputData({99: [good]}, runtime={0: 6000}))
        with pytest.raises(InputDataError, match="whole FPGA cycles"):
            spike_sequence([1.5], LABEL)
        timeout = stadls.PlaybackProgramBuilder()
        timeout.wait_until(2 ** 32 - 1)
        with pytest.raises(ExecutionError, match="ExecutionInstanceID\\(0\\), batch entry 0: the run on chip 0 failed: instruction timeout"):
            run(executor, graph, bypass_chip(), InputData({d["ext"]: [good]}, runtime={0: 6000}),
                hooks=ExecutionInstanceHooks(post_realtime=timeout))
        assert executor.state(0).config is None      # after a failure: the whole chip next time
        other, _ = relay_graph(chip=2)
        with pytest.raises(GrenadeError, match="uses chip 2; this executor has chips \\[0\\]"):
            run(executor, other, None, InputData())
    with pytest.raises(GrenadeError, match="a grenade JITGraphExecutor"):
        run(object(), graph)
    with pytest.raises(GrenadeError, match="configs is a Chip or a dict"):
        with JITGraphExecutor() as executor:
            run(executor, graph, "chip")


def test_dropped_events_are_counted_and_reported(caplog):
    graph, d = relay_graph()
    burst = spike_sequence(np.full(3000, 100), LABEL)          # 3000 events in one clock cycle
    data = InputData({d["ext"]: [burst]}, runtime={0: 60_000})
    with JITGraphExecutor() as executor, caplog.at_level("WARNING"):
        out = run(executor, graph, bypass_chip(), data)
    dropped = out.health[ExecutionInstanceID(0)].dropped_events
    assert dropped > 0
    assert len(out.data[d["spikes"]][0]) + dropped >= 3000 - 10     # each one relayed or counted
    assert f"{dropped} events were dropped" in caplog.text


def test_after_a_failing_instance_nothing_that_depends_on_it_runs(monkeypatch):
    import importlib

    runner = importlib.import_module("grenade.execution.run")      # the module, not the function

    started = []

    class Spy(runner.InstanceRun):
        def run(self, state):
            started.append(self.instance.value)
            return super().run(state)

    monkeypatch.setattr(runner, "InstanceRun", Spy)
    graph, d = relay_graph()
    later = graph.add(sf.DataInput(T.TimedSpikeFromChipSequence), 1, [d["spikes"]])
    data = InputData({d["ext"]: [spike_sequence(TIMES, LABEL)]}, runtime={0: 6000})
    timeout = stadls.PlaybackProgramBuilder()
    timeout.wait_until(2 ** 32 - 1)
    with JITGraphExecutor() as executor:
        with pytest.raises(ExecutionError, match="ExecutionInstanceID\\(0\\)"):
            run(executor, graph, bypass_chip(), data, hooks={0: ExecutionInstanceHooks(post_realtime=timeout)})
        assert started == [0]                                 # instance 1 never started
        out = run(executor, graph, bypass_chip(), data)       # and the executor still works
    assert started == [0, 0, 1]
    assert len(out.data[later][0]) == len(TIMES)
