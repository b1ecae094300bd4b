"""Stage 1: weight split and the in-degree-balanced choice of atomic neurons, against a plain
per-synapse implementation of the reference algorithm."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import halco
from _routing_networks import E0, logical_neuron, small_networks
from grenade.network import (
    EXCITATORY, INHIBITORY, BackgroundSourcePopulation, Compartment, ExternalSourcePopulation,
    NetworkBuilder, Neuron, Population, Projection, SpikeMaster,
)
from grenade.network.routing import build_connection_routing, build_connection_weight_split, split_weights


@pytest.mark.parametrize("weight, expected", [(0, [0]), (1, [1]), (63, [63]), (64, [63, 1]),
                                              (123, [63, 60]), (126, [63, 63]), (127, [63, 63, 1])])
def test_weight_split(weight, expected):
    n = max(1, -(-weight // 63))
    assert build_connection_weight_split(weight, n) == expected
    assert split_weights(np.full(n, weight), np.arange(n)).tolist() == expected


def test_weight_split_pads_with_zeros_and_overflows():
    assert build_connection_weight_split(70, 4) == [63, 7, 0, 0]
    with pytest.raises(OverflowError):
        build_connection_weight_split(200, 3)


def naive_stage1(instance) -> list[tuple[int, int, int, int, int]]:
    """The reference loop: p = 0.. max n - 1, every connection needing a p-th synapse, the
    candidate with the smallest in-degree so far (first on ties)."""
    degree = np.zeros(512, dtype=np.int64)
    out = []
    todo = []
    for p, proj in enumerate(instance.projections):
        for c, conn in enumerate(proj.connections):
            todo.append((p, c, max(1, -(-int(conn["weight"]) // 63))))
    for split in range(max((n for *_, n in todo), default=0)):
        for p, c, n in todo:
            if split >= n:
                continue
            proj = instance.projections[p]
            conn = proj.connections[c]
            pre = instance.populations[proj.population_pre]
            neuron = instance.populations[proj.population_post].neurons[int(conn["index_post"])]
            comp = halco.CompartmentOnLogicalNeuron(int(conn["compartment_post"]))
            atoms = [a.to_enum() for a in neuron.coordinate.get_placed_compartments()[comp]]
            receptors = neuron.compartments[comp].receptors
            reach = {h.value() for h in pre.coordinate} if isinstance(pre, BackgroundSourcePopulation) else None
            candidates = [i for i, a in enumerate(atoms) if proj.receptor in receptors[i]
                          and (reach is None or a // 256 in reach)]
            best = min(candidates, key=lambda i: (degree[atoms[i]], i))
            degree[atoms[best]] += 1
            weight = int(np.clip(int(conn["weight"]) - 63 * split, 0, 63))
            out.append((p, c, split, weight, atoms[best]))
    return sorted(out)


@given(small_networks(max_weight=200))
@settings(deadline=None)
def test_stage1_matches_the_reference_loop(network):
    instance = network.execution_instances[E0]
    synapses = build_connection_routing(instance)
    got = sorted(zip(*(synapses[f].tolist() for f in ("projection", "connection", "split", "weight",
                                                      "atomic_neuron"))))
    assert got == naive_stage1(instance)
    order = np.lexsort((synapses["split"], synapses["connection"], synapses["projection"]))
    assert np.array_equal(order, np.arange(len(synapses)))


def test_receptor_and_hemisphere_restrict_the_choice():
    """Inhibitory synapses go to the circuit with the inhibitory receptor; a background source
    on the top hemisphere reaches only the top circuit of a two-hemisphere compartment."""
    both = Neuron(logical_neuron({0: [(0, 0), (0, 1)]}, 10),
                  {halco.CompartmentOnLogicalNeuron(0): Compartment(
                      SpikeMaster(0), [{EXCITATORY}, {EXCITATORY, INHIBITORY}])})
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(6))
    pop = builder.add(Population([both]))
    bg = builder.add(BackgroundSourcePopulation(1, {halco.HemisphereOnDLS(0): halco.PADIBusOnPADIBusBlock(0)}))
    builder.add(Projection(INHIBITORY, [(s, 0, 1) for s in range(6)], ext, pop))
    builder.add(Projection(EXCITATORY, [(0, 0, 200)], bg, pop))
    synapses = build_connection_routing(builder.done().execution_instances[E0])
    inh = synapses[synapses["projection"] == 0]
    assert (inh["atomic_neuron"] == 256 + 20).all()
    assert (inh["atomic_neuron_on_compartment"] == 1).all()
    bg_syn = synapses[synapses["projection"] == 1]
    assert (bg_syn["atomic_neuron"] == 20).all() and len(bg_syn) == 4
    assert bg_syn["weight"].tolist() == [63, 63, 63, 11]
