"""requires_routing and update_weights: reusing a routing when only weights change."""

from __future__ import annotations

import copy

import attrs
import numpy as np
import pytest

import halco
from _routing_model import check_routing
from _routing_networks import E0, random_recurrent
from grenade.errors import InvalidNetworkError
from grenade.network import (
    EXCITATORY, INHIBITORY, BackgroundSourceConfig, BackgroundSourcePopulation, CADCRecording, ExternalSourcePopulation,
    InterExecutionInstanceProjection, MADCRecording, NetworkBuilder, Population, PlasticityRule,
    PlasticityTimer, Projection, RecordedNeuron, AtomicNeuronOnExecutionInstance,
)
from grenade.network.routing import requires_routing, route, update_weights


def base_network():
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(4, [True, False, False, False]))
    pop = builder.add(Population.from_atomic_neurons([0, 1, 2, 300], record_spikes=False))
    bg = builder.add(BackgroundSourcePopulation(
        2, {halco.HemisphereOnDLS(1): halco.PADIBusOnPADIBusBlock(3)}, BackgroundSourceConfig(enable_random=True)))
    builder.add(Projection(EXCITATORY, [(0, 0, 10), (1, 1, 70), (2, 3, 0), (3, 2, 63)], ext, pop))
    builder.add(Projection(EXCITATORY, [(0, 1, 5), (1, 3, 130)], pop, pop))
    builder.add(Projection(EXCITATORY, [(0, 3, 40), (1, 3, 8)], bg, pop))
    return builder.done()


def with_weights(network, projection: int, weights):
    new = copy.deepcopy(network)
    instance = new.execution_instances[E0]
    proj = instance.projections[projection]
    connections = proj.connections.copy()
    connections["weight"] = weights
    instance.projections[projection] = attrs.evolve(proj, connections=connections)
    return new


def test_unchanged_network_needs_no_routing():
    assert not requires_routing(base_network(), base_network())


def test_weights_that_keep_the_synapse_count():
    old = base_network()
    new = with_weights(old, 0, [63, 126, 1, 0])                   # 1, 2, 1, 1 synapses as before
    assert not requires_routing(new, old)
    for weights in ([64, 126, 0, 63], [10, 63, 0, 63], [10, 127, 0, 63]):   # 2/1/3 synapses
        assert requires_routing(with_weights(old, 0, weights), old)


@pytest.mark.parametrize("change", ["madc", "cadc", "plasticity", "background_rate"])
def test_recordings_and_rules_need_no_routing(change):
    old = base_network()
    new = copy.deepcopy(old)
    instance = new.execution_instances[E0]
    neuron = RecordedNeuron(AtomicNeuronOnExecutionInstance(1, 0))
    if change == "madc":
        instance.madc_recording = MADCRecording([neuron])
    elif change == "cadc":
        instance.cadc_recording = CADCRecording([neuron], period_us=2.0)
    elif change == "plasticity":
        instance.plasticity_rules.append(PlasticityRule("void PLASTICITY_RULE_KERNEL(int32 s, int32 n, int32 p) {}",
                                                        PlasticityTimer(0, 100, 3), (1,), (1,)))
    else:
        bg = instance.populations[2]
        instance.populations[2] = attrs.evolve(bg, config=attrs.evolve(bg.config, period=7, rate=3, seed=5))
    assert not requires_routing(new, old)


@pytest.mark.parametrize("change", ["record_neuron", "record_external", "add_projection", "target",
                                    "receptor", "background_size", "population", "instance",
                                    "inter_instance"])
def test_topology_changes_need_routing(change):
    old = base_network()
    new = copy.deepcopy(old)
    instance = new.execution_instances[E0]
    if change == "record_neuron":
        instance.populations[1] = Population.from_atomic_neurons([0, 1, 2, 300], record_spikes=[False, True, False, False])
    elif change == "record_external":
        instance.populations[0] = ExternalSourcePopulation(4, [True, True, False, False])
    elif change == "add_projection":
        instance.projections.append(Projection(EXCITATORY, [(2, 0, 1)], 0, 1))
    elif change == "target":
        c = instance.projections[0].connections.copy()
        c["index_post"][0] = 2
        instance.projections[0] = attrs.evolve(instance.projections[0], connections=c)
    elif change == "receptor":
        instance.projections[1] = attrs.evolve(instance.projections[1], receptor=INHIBITORY)
    elif change == "background_size":
        bg = instance.populations[2]
        instance.populations[2] = attrs.evolve(bg, size=4, enable_record_spikes=[False] * 4)
    elif change == "population":
        instance.populations[1] = Population.from_atomic_neurons([0, 1, 3, 300], record_spikes=False)
    elif change == "instance":
        new.execution_instances[E0.__class__(1)] = copy.deepcopy(instance)
    else:
        new.inter_execution_instance_projections.append(
            InterExecutionInstanceProjection([(3, 0, 1)], (0, 1), (1, 0)))
    assert requires_routing(new, old)


def test_update_weights_equals_routing_anew():
    old = random_recurrent(seed=1)
    result = route(old)
    rng = np.random.default_rng(2)
    new = copy.deepcopy(old)
    instance = new.execution_instances[E0]
    for p, proj in enumerate(instance.projections):
        c = proj.connections.copy()
        c["weight"] = rng.integers(0, 64, len(c))                  # still one synapse each
        instance.projections[p] = attrs.evolve(proj, connections=c)
    assert not requires_routing(new, old)
    before = copy.deepcopy(result)
    updated = update_weights(result, new)
    fresh = route(new)
    for p in fresh.execution_instances[E0].connections:
        assert np.array_equal(updated.execution_instances[E0].connections[p],
                              fresh.execution_instances[E0].connections[p])
    assert updated.execution_instances[E0].synapse_row_modes == fresh.execution_instances[E0].synapse_row_modes
    check_routing(instance, updated.execution_instances[E0])
    for p in result.execution_instances[E0].connections:                  # the old result is untouched
        assert np.array_equal(result.execution_instances[E0].connections[p],
                              before.execution_instances[E0].connections[p])


def test_update_weights_splits_large_weights():
    old = base_network()
    result = route(old)
    new = with_weights(old, 0, [5, 100, 63, 1])
    updated = update_weights(result, new)
    placed = updated.execution_instances[E0].connections[0]
    assert placed["connection"].tolist() == [0, 1, 1, 2, 3]
    assert placed["weight"].tolist() == [5, 63, 37, 63, 1]
    check_routing(new.execution_instances[E0], updated.execution_instances[E0])


def test_update_weights_refuses_other_synapse_counts():
    old = base_network()
    result = route(old)
    with pytest.raises(InvalidNetworkError, match="projection 0 of .*connection 0 needs another number"):
        update_weights(result, with_weights(old, 0, [64, 70, 0, 63]))
    new = copy.deepcopy(old)
    new.execution_instances[E0].projections.pop()
    with pytest.raises(InvalidNetworkError, match="2 projections, the routing 3"):
        update_weights(result, new)
