"""``run`` checks every instance before the first one runs, names the instance that is wrong,
and uses only executors that can drive its chips; the timeline keeps its documented order."""

from __future__ import annotations

import concurrent.futures

import numpy as np
import pytest

import halco
import haldls
import lola
import stadls
import grenade.signal_flow as sf
from grenade.errors import ArgumentTypeError, InputDataError, InvalidArgumentError, InvalidVertexError
from grenade.execution import ExecutionInstanceHooks, JITGraphExecutor, run
from grenade.signal_flow.data import InputData, spike_sequence
from haldls import wire

T = sf.ConnectionType
LABEL = 5
TIMES = np.arange(100, 5000, 250)


def relay(graph: sf.Graph, instance: int = 0, chip: int = 0, column: int = 3) -> dict:
    """FPGA spikes -> L2 input 0 -> bus 0 -> driver 0 -> row 1 -> a bypass neuron -> recorded."""
    d = {}
    on = {"chip_on_executor": chip}
    d["ext"] = graph.add(sf.ExternalInput(T.DataTimedSpikeToChipSequence), instance)
    d["load"] = graph.add(sf.DataInput(T.TimedSpikeToChipSequence), instance, [d["ext"]])
    d["l2"] = graph.add(sf.CrossbarL2Input(**on), instance, [d["load"]])
    d["node"] = graph.add(sf.CrossbarNode(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(0), halco.CrossbarInputOnDLS(8)), **on),
                          instance, [d["l2"]])
    d["bus"] = graph.add(sf.PADIBus(halco.PADIBusOnDLS(0), **on), instance, [d["node"]])
    d["driver"] = graph.add(sf.SynapseDriver(halco.SynapseDriverOnDLS(0), **on), instance, [d["bus"]])
    synapse = np.array([(LABEL, 63, 0, 0)], dtype=sf.SPARSE_SYNAPSE_DTYPE)
    d["synapses"] = graph.add(sf.SynapseArrayViewSparse(0, [1], [column], synapse, **on), instance, [d["driver"]])
    d["neurons"] = graph.add(sf.NeuronView([column], [sf.NeuronConfig(7)], 0, **on), instance, [d["synapses"]])
    d["events"] = graph.add(sf.NeuronEventOutputView({0: [[column]]}, **on), instance, [d["neurons"]])
    output = column // 32                # the neurons' event output: its node to L2 output 8 + output % 4
    d["out_node"] = graph.add(sf.CrossbarNode(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8 + output % 4),
                                                                      halco.CrossbarInputOnDLS(output)), **on),
                              instance, [d["events"]])
    d["l2_out"] = graph.add(sf.CrossbarL2Output(**on), instance, [d["out_node"]])
    d["spikes"] = graph.add(sf.DataOutput(T.TimedSpikeFromChipSequence), instance, [d["l2_out"]])
    return d


def bypass_chip(column: int = 3) -> lola.Chip:
    chip = lola.Chip()
    chip.neuron_block.atomic_neurons[column].event_routing = lola.AtomicNeuron.EventRouting.bypass_exc()
    loop = halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8), halco.CrossbarInputOnDLS(8))
    chip.crossbar.nodes[loop.to_enum()] = haldls.CrossbarNode.drop_all()
    return chip


def test_a_process_pool_is_refused_up_front_naming_the_limit():
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        with pytest.raises(InvalidArgumentError, match="runs tasks outside this process.*a thread pool"):
            JITGraphExecutor(executor=pool)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:       # a thread pool is fine
        graph = sf.Graph()
        d = relay(graph)
        with JITGraphExecutor(executor=pool) as executor:
            out = run(executor, graph, bypass_chip(), InputData({d["ext"]: [spike_sequence(TIMES, LABEL)]},
                                                               runtime={0: 6000}))
        assert len(out.data[d["spikes"]][0]) == len(TIMES)


def test_a_failed_executor_closes_the_connections_it_opened(monkeypatch):
    opened, closed = [], []
    real = stadls.ManagedConnection

    class Spy(real):
        def __enter__(self):
            opened.append(self)
            return super().__enter__()

        def __exit__(self, *exc):
            closed.append(self)
            return super().__exit__(*exc)

    monkeypatch.setattr(stadls, "ManagedConnection", Spy)
    with pytest.raises(ArgumentTypeError, match="executor must be a concurrent.futures.Executor"):
        JITGraphExecutor(chip_ids=[0, 1], executor="threads")
    assert len(opened) == 2 and closed == opened[::-1]


def test_every_instance_on_a_chip_needs_a_runtime_before_anything_runs():
    graph = sf.Graph()
    d = relay(graph)
    good = [spike_sequence(TIMES, LABEL)]
    with JITGraphExecutor() as executor:
        with pytest.raises(InputDataError, match="ExecutionInstanceID\\(0\\) runs on a chip and needs a runtime > 0"):
            run(executor, graph, bypass_chip(), InputData({d["ext"]: good}))
        with pytest.raises(InputDataError, match="runtime of ExecutionInstanceID\\(0\\) \\(batch entry 0\\) is a whole number.*not 10.7"):
            run(executor, graph, bypass_chip(), InputData({d["ext"]: good}, runtime={0: 10.7}))
        assert not executor.state(0).initialized             # nothing ran


def test_a_later_instance_that_is_wrong_stops_the_run_before_the_first_runs():
    graph = sf.Graph()
    first = relay(graph, 0, chip=0)
    second = relay(graph, 1, chip=1)
    data = InputData({first["ext"]: [spike_sequence(TIMES, LABEL)],
                      second["ext"]: [spike_sequence([7000], LABEL)]}, runtime={0: 6000, 1: 6000})
    with JITGraphExecutor(chip_ids=[0, 1]) as executor:
        with pytest.raises(InputDataError, match="ExecutionInstanceID\\(1\\), batch entry 0: ExternalInput vertex 12 "
                                                 "has an input spike at cycle 7000, at or after the runtime"):
            run(executor, graph, {0: bypass_chip(), 1: bypass_chip()}, data)
        assert not executor.state(0).initialized and not executor.state(1).initialized


def test_input_the_graph_cannot_take_is_refused_naming_it():
    graph = sf.Graph()
    d = relay(graph)
    values = graph.add(sf.ExternalInput(T.DataInt8, 2), 0)
    good = {d["ext"]: [spike_sequence(TIMES, LABEL)], values: np.array([[1, 2]])}
    with JITGraphExecutor() as executor:
        with pytest.raises(InputDataError, match="input data for vertex 1, a DataInput: data enter the graph at "
                                                 "ExternalInput vertices only"):
            run(executor, graph, bypass_chip(), InputData({**good, d["load"]: [good[d["ext"]][0]]}, runtime={0: 6000}))
        with pytest.raises(InputDataError, match="configs for \\[ExecutionInstanceID\\(7\\)\\], which the graph does not have"):
            run(executor, graph, {7: lola.Chip()}, InputData(good, runtime={0: 6000}))
        with pytest.raises(InputDataError, match="hooks for \\[ExecutionInstanceID\\(3\\)\\]"):
            run(executor, graph, None, InputData(good, runtime={0: 6000}), hooks={3: ExecutionInstanceHooks()})
        with pytest.raises(InputDataError, match="a runtime for \\[ExecutionInstanceID\\(2\\)\\]"):
            run(executor, graph, None, InputData(good, runtime={0: 6000, 2: 10}))
        with pytest.raises(InputDataError, match="ExternalInput vertex 12 of ExecutionInstanceID\\(0\\): Int8 values "
                                                 "lie in -128..127, not 1..200"):
            run(executor, graph, None, InputData({**good, values: np.array([[1, 200]])}, runtime={0: 6000}))
        with pytest.raises(InputDataError, match="values are an array \\(batch 1, size 2\\), not shape \\(1, 3\\)"):
            run(executor, graph, None, InputData({**good, values: np.array([[1, 2, 3]])}, runtime={0: 6000}))


def test_hook_commands_after_the_runtime_are_refused():
    graph = sf.Graph()
    d = relay(graph)
    late = stadls.AbsoluteTimePlaybackProgramBuilder()
    late.write_spike_train(0, np.array([700, 6500]), np.array([LABEL, LABEL]))
    with JITGraphExecutor() as executor:
        with pytest.raises(InputDataError, match="inside_realtime hook has a command or spike at cycle 6500, at or "
                                                 "after the runtime \\(6000 cycles\\)"):
            run(executor, graph, bypass_chip(), InputData({d["ext"]: [spike_sequence(TIMES, LABEL)]}, runtime={0: 6000}),
                hooks=ExecutionInstanceHooks(inside_realtime=late))
    assert len(late._trains) == 1                      # the user's hook is left as it was


def test_two_rules_on_one_ppu_and_bad_kernels_are_refused_before_the_run():
    graph = sf.Graph()
    d = relay(graph)
    good = "void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {}"
    data = InputData({d["ext"]: [spike_sequence(TIMES, LABEL)]}, runtime={0: 6000})
    with JITGraphExecutor() as executor:
        rule = graph.add(sf.PlasticityRule("void PLASTICITY_RULE_KERNEL() {}", synapse_view_sizes=[1]), 0, [d["synapses"]])
        with pytest.raises(InvalidVertexError, match="plasticity rule vertex 12: PLASTICITY_RULE_KERNEL is void\\(\\); it "
                                                     "must be void PLASTICITY_RULE_KERNEL\\(int32 synapses, int32 neurons, int32 period\\)"):
            run(executor, graph, bypass_chip(), data)
        graph.update(rule, sf.PlasticityRule(good, synapse_view_sizes=[1]))
        graph.add(sf.PlasticityRule(good, neuron_view_sizes=[1]), 0, [d["neurons"]])
        with pytest.raises(InvalidVertexError, match="rule vertices 12 and 13 both have views on hemisphere 0"):
            run(executor, graph, bypass_chip(), data)
        assert not executor.state(0).initialized


def test_an_instance_that_fails_while_running_is_named():
    class Broken(sf.ReLU):
        def apply(self, values):
            raise ZeroDivisionError("on purpose")

    graph = sf.Graph()
    relay(graph, 0)
    host = graph.add(sf.ExternalInput(T.DataInt8, 1), 1)
    graph.add(sf.Transformation(Broken(1)), 1, [host])
    data = InputData({0: [spike_sequence(TIMES, LABEL)], host: np.array([[5]])}, runtime={0: 6000})
    with JITGraphExecutor() as executor:
        with pytest.raises(Exception, match="ExecutionInstanceID\\(1\\) failed: ZeroDivisionError: on purpose"):
            run(executor, graph, bypass_chip(), data)


class Recorder:
    """A connection that keeps every program it runs (and runs it on an emulated chip)."""

    def __init__(self, connection):
        self.connection, self.programs = connection, []
        self.revision, self.chip_id = connection.revision, connection.chip_id

    def run(self, instructions):
        self.programs.append(np.array(instructions, copy=True))
        return self.connection.run(instructions)


def marker(value: int) -> stadls.PlaybackProgramBuilder:
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.PPUMemoryWordOnDLS(halco.PPUMemoryWordOnPPU(4000 + value), halco.PPUOnDLS(0)),
                  haldls.PPUMemoryWord(value))
    return builder


def test_hooks_run_in_their_documented_order_in_every_batch_entry():
    graph = sf.Graph()
    d = relay(graph)
    inside = stadls.AbsoluteTimePlaybackProgramBuilder()
    inside.write(3000, halco.PPUMemoryWordOnDLS(halco.PPUMemoryWordOnPPU(4004), halco.PPUOnDLS(0)), haldls.PPUMemoryWord(4))
    hooks = ExecutionInstanceHooks(pre_static_config=marker(1), pre_realtime=marker(2), inside_realtime_begin=marker(3),
                                   inside_realtime=inside, inside_realtime_end=marker(5), post_realtime=marker(6))
    data = InputData({d["ext"]: [spike_sequence(TIMES, LABEL)] * 2}, runtime={0: 6000})
    with stadls.ManagedConnection() as connection:
        recorder = Recorder(connection)
        with JITGraphExecutor(connections=[recorder]) as executor:
            out = run(executor, graph, bypass_chip(), data, hooks=hooks)
    assert [len(s) for s in out.data[d["spikes"]]] == [len(TIMES)] * 2
    word = halco.PPUMemoryWordOnDLS(halco.PPUMemoryWordOnPPU(4000), halco.PPUOnDLS(0))
    base = int(haldls.PPUMemoryWord.addresses(word)[0])
    for entry, program in enumerate(recorder.programs):
        is_write = program["opcode"] == wire.Opcode.WRITE
        position = {}
        for value in range(1, 7):
            hits = np.flatnonzero(is_write & (program["address"] == base + value) & (program["data"] == value))
            if len(hits):
                position[value] = int(hits[0])
        expected = [1, 2, 3, 4, 5, 6] if entry == 0 else [2, 3, 4, 5, 6]     # the configuration: once
        assert sorted(position, key=position.get) == expected
        timer_reset = int(np.flatnonzero(program["opcode"] == wire.Opcode.TIMER_RESET)[-1])
        runtime_wait = int(np.flatnonzero((program["opcode"] == wire.Opcode.WAIT_UNTIL) & (program["data"] == 6000))[0])
        assert position[3] < timer_reset < position[4] < runtime_wait < position[5]


def test_independent_instances_run_on_their_own_chips_and_connections():
    graph = sf.Graph()
    first = relay(graph, 0, chip=0, column=3)
    second = relay(graph, 1, chip=1, column=40)
    data = InputData({first["ext"]: [spike_sequence(TIMES, LABEL)], second["ext"]: [spike_sequence(TIMES[:5], LABEL)]},
                     runtime={0: 6000, 1: 6000})
    with stadls.ManagedConnection(chip_id=3) as a, stadls.ManagedConnection(chip_id=8) as b:
        recorders = [Recorder(a), Recorder(b)]
        with JITGraphExecutor(connections=recorders) as executor:
            out = run(executor, graph, {0: bypass_chip(3), 1: bypass_chip(40)}, data)
    # each instance's program went to its own chip's connection, once
    assert [len(r.programs) for r in recorders] == [1, 1]
    assert len(out.data[first["spikes"]][0]) == len(TIMES) and len(out.data[second["spikes"]][0]) == 5
    assert (out.data[first["spikes"]][0]["label"] == 7).all()
    assert ((out.data[second["spikes"]][0]["label"] & 0x3FFF) == (1 << 8 | 7)).all()      # event output 1
    assert graph.execution_instance_dependencies(1) == set()
