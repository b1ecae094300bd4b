"""The router realizes networks exactly and without crosstalk, checked by an independent model of
the chip's event path (``_routing_model``): random small networks (Hypothesis), the large
networks of the performance targets, determinism, and the checker's own sensitivity."""

from __future__ import annotations

import copy
import time

import numpy as np
import pytest
from hypothesis import given, settings

import halco
import haldls
from _routing_model import check_routing
from _routing_networks import E0, all_to_all_external, full_chip, random_recurrent, small_networks
from grenade.common import ExecutionInstanceID
from grenade.network import (
    EXCITATORY, INHIBITORY, BackgroundSourceConfig, BackgroundSourcePopulation, ExternalSourcePopulation,
    InterExecutionInstanceProjection, NetworkBuilder, Population, Projection, synapses_needed,
)
from grenade.network.routing import GreedyRouter, PortfolioRouter, RoutingResult, route

RowMode = haldls.SynapseDriverConfig.RowMode


def routed(network):
    result = route(network)
    return network.execution_instances[E0], result.execution_instances[E0]


@given(small_networks())
@settings(deadline=None)
def test_random_small_networks_are_realized_without_crosstalk(network):
    instance, result = routed(network)
    check_routing(instance, result)


@pytest.mark.parametrize("make, limit_s", [(all_to_all_external, 2.0), (random_recurrent, 2.0),
                                           (full_chip, 2.0)])
def test_large_networks_route_fast_and_exactly(make, limit_s):
    network = make()
    start = time.perf_counter()
    result = route(network)
    elapsed = time.perf_counter() - start
    assert elapsed < limit_s, f"routing took {elapsed:.2f} s"
    instance, r = network.execution_instances[E0], result.execution_instances[E0]
    counts = check_routing(instance, r)
    assert counts["synapses"] == sum(int(synapses_needed(p.connections["weight"]).sum())
                                     for p in instance.projections)


def test_full_chip_uses_every_synapse_and_driver():
    network = full_chip()
    r = route(network).execution_instances[E0]
    rows = np.concatenate([c["synapse_row"] for c in r.connections.values()])
    cols = np.concatenate([c["synapse_on_row"] for c in r.connections.values()])
    assert len(np.unique(rows * 256 + cols)) == 2 * 256 * 256
    assert len(r.synapse_driver_compare_masks) == 256
    assert r.padi_buses == set(range(8))
    modes = np.array([int(r.synapse_row_modes[row]) for row in range(512)])
    assert (modes == int(RowMode.excitatory)).sum() == 256 and (modes == int(RowMode.inhibitory)).sum() == 256


def test_all_to_all_takes_one_chunk_per_bus():
    r = route(all_to_all_external()).execution_instances[E0]
    labels = r.external_spike_labels[0]
    assert all(len(ls) == 1 for ls in labels)              # one hemisphere targeted
    spl1 = np.array([ls[0] >> 14 for ls in labels])
    assert np.array_equal(spl1, np.arange(256) // 64)      # 64 sources per bus, in order
    assert np.array_equal(np.array([ls[0] & 63 for ls in labels]), np.arange(256) % 64)
    assert r.padi_buses == {0, 1, 2, 3}


def test_same_network_gives_the_same_result():
    a, b = random_recurrent(seed=3), random_recurrent(seed=3)
    ra, rb, ra2 = route(a), route(b), route(a)
    for other in (rb, ra2):
        x, y = ra.execution_instances[E0], other.execution_instances[E0]
        assert x.connections.keys() == y.connections.keys()
        assert all(np.array_equal(x.connections[p], y.connections[p]) for p in x.connections)
        for field in ("external_spike_labels", "external_spike_recorded", "internal_neuron_labels",
                      "synapse_driver_compare_masks", "synapse_row_modes", "crossbar_nodes",
                      "padi_buses", "background_spike_source_labels"):
            assert getattr(x, field) == getattr(y, field), field


def test_weight_split_and_placement_order():
    """123 -> [63, 60]; the synapses of one chunk onto a neuron fill its column bottom-up,
    excitatory rows before inhibitory ones."""
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(2))
    pop = builder.add(Population.from_atomic_neurons([5]))
    builder.add(Projection(EXCITATORY, [(0, 0, 123), (1, 0, 7)], ext, pop))
    builder.add(Projection(INHIBITORY, [(0, 0, 1)], ext, pop))
    network = builder.done()
    instance, r = routed(network)
    check_routing(instance, r)
    exc, inh = r.connections[0], r.connections[1]
    assert exc["connection"].tolist() == [0, 0, 1] and exc["weight"].tolist() == [63, 60, 7]
    assert (exc["synapse_on_row"] == 5).all() and (inh["synapse_on_row"] == 5).all()
    rows = exc["synapse_row"].tolist() + inh["synapse_row"].tolist()
    assert rows == sorted(rows) and len(set(rows)) == 4      # 3 exc rows, then 1 inh row
    assert [r.synapse_row_modes[x] for x in rows] == [RowMode.excitatory] * 3 + [RowMode.inhibitory]
    assert exc["label"].tolist() == [0, 0, 1] and inh["label"].tolist() == [0]


def test_internal_labels_and_crossbar_routes():
    """A neuron's AddressOut is ``x << 6 | k``; only event-output -> bus pairs in use pass."""
    builder = NetworkBuilder()
    pop = builder.add(Population.from_atomic_neurons([0, 1, 40, 300], record_spikes=[False, True, False, False]))
    builder.add(Projection(EXCITATORY, [(0, 2, 10), (2, 3, 10)], pop, pop))
    network = builder.done()
    instance, r = routed(network)
    check_routing(instance, r)
    labels = [n[0][0] for n in r.internal_neuron_labels[0]]
    assert labels[0] is not None and labels[1] is not None and labels[2] is not None
    assert labels[3] is None                                  # neither used nor recorded
    assert labels[0] & 63 != labels[1] & 63                   # same event output, distinct k
    node = lambda inp, out: r.crossbar_nodes[halco.CrossbarNodeOnDLS(
        halco.CrossbarOutputOnDLS(out), halco.CrossbarInputOnDLS(inp)).to_enum()]
    drop = haldls.CrossbarNode.drop_all()
    assert node(0, 0) == haldls.CrossbarNode()                # column 0 -> neuron 40 (top bus 0)
    assert node(0, 4) == drop                                 # nothing from output 0 to the bottom
    assert node(1, 5) == haldls.CrossbarNode()                # column 40 -> neuron 300 (bottom bus 1)
    assert node(1, 1) == drop
    assert node(8, 0) == haldls.CrossbarNode(mask=1 << 13, target=0)
    assert node(8, 4) == haldls.CrossbarNode(mask=1 << 13, target=1 << 13)
    assert node(8, 1) == drop
    assert node(8, 8) == haldls.CrossbarNode(mask=1 << 12, target=1 << 12)
    assert node(12, 8) == haldls.CrossbarNode(mask=1 << 11, target=1 << 11)
    assert r.padi_buses == {0, 5}


def test_external_source_on_both_hemispheres_loops_back_once():
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(3, [True, False, True]))
    pop = builder.add(Population.from_atomic_neurons([3, 259]))
    builder.add(Projection(EXCITATORY, [(0, 0, 5), (0, 1, 5), (1, 1, 9)], ext, pop))
    network = builder.done()
    instance, r = routed(network)
    check_routing(instance, r)
    labels = r.external_spike_labels[0]
    assert len(labels[0]) == 2 and [(x >> 13) & 1 for x in labels[0]] == [0, 1]
    assert [(x >> 12) & 1 for x in labels[0]] == [1, 0]
    assert len(labels[1]) == 1 and (labels[1][0] >> 13) & 1 == 1 and not (labels[1][0] >> 12) & 1
    assert len(labels[2]) == 1 and (labels[2][0] >> 12) & 1     # recorded only: top block
    assert r.external_spike_recorded[0] == [True, False, True]


def test_background_sources():
    builder = NetworkBuilder()
    coordinate = {halco.HemisphereOnDLS(0): halco.PADIBusOnPADIBusBlock(2),
                  halco.HemisphereOnDLS(1): halco.PADIBusOnPADIBusBlock(1)}
    bg = builder.add(BackgroundSourcePopulation(8, coordinate, BackgroundSourceConfig(enable_random=True),
                                                [True] * 8))
    pop = builder.add(Population.from_atomic_neurons([10, 11, 266]))
    builder.add(Projection(INHIBITORY, [(k, k % 2, 3 * k) for k in range(8)] + [(0, 2, 70)], bg, pop))
    network = builder.done()
    instance, r = routed(network)
    check_routing(instance, r)
    assert r.background_sources[bg] == {0: 2, 1: 5}
    assert r.background_spike_source_masks[bg] == {0: 7, 1: 7}
    labels = r.background_spike_source_labels[bg]
    assert (labels[0] >> 13) & 1 == 1 and (labels[1] >> 13) & 1 == 0          # top-block bit
    assert (labels[0] >> 11) & 1 == 1 and (labels[1] >> 11) & 1 == 0          # recorded once
    assert {2, 5} <= r.padi_buses


def test_background_without_targets_on_a_hemisphere_stays_off_its_bus():
    builder = NetworkBuilder()
    coordinate = {halco.HemisphereOnDLS(0): halco.PADIBusOnPADIBusBlock(0),
                  halco.HemisphereOnDLS(1): halco.PADIBusOnPADIBusBlock(0)}
    bg = builder.add(BackgroundSourcePopulation(1, coordinate, enable_record_spikes=[True]))
    pop = builder.add(Population.from_atomic_neurons([300]))
    builder.add(Projection(EXCITATORY, [(0, 0, 1)], bg, pop))
    network = builder.done()
    instance, r = routed(network)
    check_routing(instance, r)
    # recorded through the top source, which has no targets: its bus node drops everything
    assert r.background_sources[bg] == {0: 0, 1: 4}
    top_node = halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(0), halco.CrossbarInputOnDLS(12)).to_enum()
    assert r.crossbar_nodes[top_node] == haldls.CrossbarNode.drop_all()
    assert r.padi_buses == {4}


def test_multi_compartment_in_degree_balancing():
    """A compartment of two circuits that both carry the receptor: synapses alternate."""
    from _routing_networks import logical_neuron
    from grenade.network import Compartment, Neuron, SpikeMaster
    neuron = Neuron(logical_neuron({0: [(0, 0), (1, 0)]}, 4),
                    {halco.CompartmentOnLogicalNeuron(0): Compartment(SpikeMaster(0), [{EXCITATORY}] * 2)})
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(4))
    pop = builder.add(Population([neuron]))
    builder.add(Projection(EXCITATORY, [(0, 0, 126), (1, 0, 5), (2, 0, 5), (3, 0, 5)], ext, pop))
    network = builder.done()
    instance, r = routed(network)
    check_routing(instance, r)
    columns = r.connections[0]["synapse_on_row"].tolist()
    # split 0 of connections 0..3 -> 8, 9, 8, 9; split 1 of connection 0 -> 8 (tie, first)
    assert columns == [8, 8, 9, 8, 9]


def test_multiple_instances_and_inter_instance_projection():
    builder = NetworkBuilder()
    pop0 = builder.add(Population.from_atomic_neurons([7, 8], record_spikes=False), 0)
    ext0 = builder.add(ExternalSourcePopulation(1), 0)
    builder.add(Projection(EXCITATORY, [(0, 0, 30)], ext0, pop0), 0)
    ext1 = builder.add(ExternalSourcePopulation(2), 1)
    pop1 = builder.add(Population.from_atomic_neurons([7]), 1)
    builder.add(Projection(INHIBITORY, [(0, 0, 30), (1, 0, 3)], ext1, pop1), 1)
    builder.add(InterExecutionInstanceProjection([(1, 0, 1)], (0, pop0), (1, ext1)))
    network = builder.done()
    result = route(network)
    assert set(result.execution_instances) == {ExecutionInstanceID(0), ExecutionInstanceID(1)}
    for eid in result.execution_instances:
        check_routing(network.execution_instances[eid], result.execution_instances[eid])
    # neuron 1 of instance 0 feeds instance 1: its spikes must reach the host
    assert result.execution_instances[ExecutionInstanceID(0)].internal_neuron_labels[pop0][1][0][0] is not None


def test_routers():
    network = all_to_all_external(8, 8)
    a = GreedyRouter()(network)
    b = PortfolioRouter()(network)
    assert isinstance(a, RoutingResult)
    assert all(np.array_equal(a.execution_instances[E0].connections[p], b.execution_instances[E0].connections[p])
               for p in a.execution_instances[E0].connections)


# -- the checker itself must see broken routings ------------------------------------------------

def _two_hemisphere_network():
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(4, [True, False, False, False]))
    pop = builder.add(Population.from_atomic_neurons([0, 1, 256, 257, 100]))
    builder.add(Projection(EXCITATORY, [(s, t, 10 + s) for s in range(4) for t in range(4)], ext, pop))
    builder.add(Projection(INHIBITORY, [(4, 0, 9), (4, 2, 9), (0, 4, 5)], pop, pop))
    return builder.done()


@pytest.mark.parametrize("corrupt, message", [
    ("label", "crosstalk|misses"), ("mask", "crosstalk"), ("crossbar", "crosstalk"), ("mode", "wrong mode"),
    ("bus", "misses"), ("weight", "weights do not add up"), ("address", "crosstalk|misses")])
def test_checker_detects_broken_routings(corrupt, message):
    network = _two_hemisphere_network()
    instance, r = routed(network)
    check_routing(instance, r)
    bad = copy.deepcopy(r)
    if corrupt == "label":
        bad.connections[0]["label"][0] ^= 1
    elif corrupt == "mask":
        driver = next(iter(bad.synapse_driver_compare_masks))  # top bus 0: two chunks
        bad.synapse_driver_compare_masks[driver] = 0           # hears every row select
    elif corrupt == "crossbar":
        for enum in list(bad.crossbar_nodes):
            node = halco.CrossbarNodeOnDLS.from_enum(enum)
            if 8 <= node.y.value() < 12 and node.x.value() < 8:
                bad.crossbar_nodes[enum] = haldls.CrossbarNode()
    elif corrupt == "mode":
        row = int(bad.connections[1]["synapse_row"][0])
        bad.synapse_row_modes[row] = RowMode.excitatory
    elif corrupt == "bus":
        bad.padi_buses.discard(min(bad.padi_buses))
    elif corrupt == "weight":
        bad.connections[0]["weight"][3] += 1
    elif corrupt == "address":
        labels = bad.internal_neuron_labels[1]
        labels[4][0][0] ^= 1
    with pytest.raises(AssertionError, match=message):
        check_routing(instance, bad)


def test_recording_only_network():
    """Recorded sources without any projection get labels that reach the host, nothing else."""
    builder = NetworkBuilder()
    pop = builder.add(Population.from_atomic_neurons([1, 2], record_spikes=[True, False]))
    ext = builder.add(ExternalSourcePopulation(3, [True, False, True]))
    bg = builder.add(BackgroundSourcePopulation(
        4, {halco.HemisphereOnDLS(1): halco.PADIBusOnPADIBusBlock(2)}, BackgroundSourceConfig(enable_random=True),
        [True] * 4))
    network = builder.done()
    instance, r = routed(network)
    check_routing(instance, r)
    assert r.internal_neuron_labels[pop][0][0][0] is not None and r.internal_neuron_labels[pop][1][0] == [None]
    assert [len(ls) for ls in r.external_spike_labels[ext]] == [1, 0, 1]
    assert r.background_sources[bg] == {1: 6}
    assert r.padi_buses == set() and r.synapse_row_modes == {} and r.synapse_driver_compare_masks == {}
