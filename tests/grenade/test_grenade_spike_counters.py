"""The spike (rate) counters a plasticity rule reads count the spikes of its batch entry's
realtime section: grenade clears them before each entry's start, so that spikes of the
configuration, of an earlier entry or of an earlier run are not counted (the emulated chip, as
the real one, counts every spike since a counter's last reset; the real grenade leaves them)."""

from __future__ import annotations

import lola
import grenade.network as gn
from grenade.common import ExecutionInstanceID
from grenade.execution import JITGraphExecutor
from grenade.network import (
    EXCITATORY, ExternalSourcePopulation, NetworkBuilder, PlasticityRule, PlasticityTimer, Population, Projection,
)

#: the counts of the first three neurons at the kernel's call, without resetting them
KERNEL = """
int32 n0 = 0;
int32 n1 = 0;
int32 n2 = 0;
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    vec_u8 counts = get_rate_counters(neurons, false);
    n0 = (int32) counts[0];
    n1 = (int32) counts[1];
    n2 = (int32) counts[2];
}
"""


def test_counters_count_the_spikes_of_their_own_batch_entry_only():
    builder = NetworkBuilder()
    neurons = builder.add(Population.from_atomic_neurons([0, 1, 2]))
    sources = builder.add(ExternalSourcePopulation(3))
    builder.add(Projection(EXCITATORY, [[0, 0, 63], [1, 1, 63], [2, 2, 63]], sources, neurons))
    # the kernel runs once, 8 us (1000 FPGA cycles) into each entry
    rule = builder.add(PlasticityRule(KERNEL, PlasticityTimer(250 * 8, 250 * 40, 1), projections=[0],
                                      populations=[neurons], observables=["n0", "n1", "n2"]))
    network = builder.done()
    graph = gn.build_network_graph(network, gn.route(network))
    rule = graph.translations[ExecutionInstanceID(0)].plasticity_rules[rule]
    inputs = gn.InputGenerator(graph, batch_size=2)
    # neuron 0: one spike before the kernel and two after it; neuron 1: three after it (they
    # would be counted in the next entry); neuron 2: two before it
    inputs.add([[100, 2000, 3000], [2100, 2200, 2300], [200, 300]], sources)
    inputs.set_runtime(4000)
    chip = lola.Chip()
    for atom in (0, 1, 2):                   # bypass neurons: each relays its input spikes
        chip.neuron_block.atomic_neurons[atom].event_routing = lola.AtomicNeuron.EventRouting.bypass_exc()
    with JITGraphExecutor() as executor:
        out = gn.run(executor, graph, chip, inputs.done())
    spikes = gn.extract_neuron_spikes(out, graph)
    assert [[len(entry[(neurons, n, 0)]) for n in range(3)] for entry in spikes] == [[3, 3, 2]] * 2
    # without the reset, entry 1 counted entry 0's spikes too ([4, 3, 4]); a run after a run
    # (or after a calibration) the same way
    counted = [[out.observables[rule][name][entry][0] for name in ("n0", "n1", "n2")] for entry in range(2)]
    assert counted == [[1, 0, 2], [1, 0, 2]], counted
