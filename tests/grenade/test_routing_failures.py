"""Networks that cannot fit raise UnsuccessfulRouting naming the resource and the numbers."""

from __future__ import annotations

import re

import pytest

import halco
from _routing_networks import logical_neuron
from grenade.errors import GrenadeError, UnsuccessfulRouting
from grenade.network import (
    EXCITATORY, INHIBITORY, BackgroundSourceConfig, BackgroundSourcePopulation, Compartment, ExternalSourcePopulation,
    NetworkBuilder, Neuron, Population, Projection, SpikeMaster,
)
from grenade.network.routing import GreedyRouter, PortfolioRouter, Router, route


def external_onto(n_sources: int, targets: list[int], weight: int = 1, receptor=EXCITATORY):
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(n_sources))
    pop = builder.add(Population.from_atomic_neurons(targets))
    builder.add(Projection(receptor, [(s, t, weight) for s in range(n_sources) for t in range(len(targets))],
                           ext, pop))
    return builder


def test_in_degree_above_256():
    network = external_onto(300, [17]).done()
    with pytest.raises(UnsuccessfulRouting, match=re.escape("AtomicNeuronOnDLS(NeuronColumnOnDLS(17), "
                                                            "NeuronRowOnDLS(0); enum=17) has in-degree 300 > 256")):
        route(network)


def test_in_degree_above_256_through_weight_splitting():
    network = external_onto(100, [300], weight=180).done()       # 3 synapses each
    with pytest.raises(UnsuccessfulRouting, match=r"enum=300\) has in-degree 300 > 256"):
        route(network)


def test_neuron_in_degree_per_bus_above_64():
    """40 neurons of event output 0 onto one neuron with two synapses each: 80 rows of bus 0."""
    builder = NetworkBuilder()
    sources = builder.add(Population.from_atomic_neurons(list(range(20)) + list(range(256, 276))))
    target = builder.add(Population.from_atomic_neurons([100]))
    builder.add(Projection(EXCITATORY, [(s, 0, 100) for s in range(40)], sources, target))
    with pytest.raises(UnsuccessfulRouting, match=r"enum=100\) has in-degree 80 from the sources on "
                                                  r"hemisphere 0, PADI bus 0, 64 rows available"):
        route(builder.done())


def test_rows_per_bus_above_64():
    """Event outputs 0 and 4 both feed bus 0: 32 + 8 rows for output 0, 32 for output 4."""
    builder = NetworkBuilder()
    a = builder.add(Population.from_atomic_neurons(range(32)))             # columns 0..31: output 0
    b = builder.add(Population.from_atomic_neurons(range(128, 160)))       # output 4
    t = builder.add(Population.from_atomic_neurons([300, 301]))
    builder.add(Projection(EXCITATORY, [(s, 0, 1) for s in range(32)], a, t))
    builder.add(Projection(INHIBITORY, [(s, 1, 1) for s in range(8)], a, t))
    builder.add(Projection(INHIBITORY, [(s, 1, 1) for s in range(32)], b, t))
    with pytest.raises(UnsuccessfulRouting, match=r"hemisphere 1, PADI bus 0: 72 rows needed, 64 available.*"
                                                  r"\[\(32, 8\), \(0, 32\)\]"):
        route(builder.done())


def test_external_sources_beyond_the_drivers_of_a_hemisphere():
    """200 sources excitatory onto one neuron and inhibitory onto another: 400 rows of the 256."""
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(200))
    pop = builder.add(Population.from_atomic_neurons([0, 1]))
    builder.add(Projection(EXCITATORY, [(s, 0, 1) for s in range(200)], ext, pop))
    builder.add(Projection(INHIBITORY, [(s, 1, 1) for s in range(200)], ext, pop))
    with pytest.raises(UnsuccessfulRouting, match=r"hemisphere 0: the external sources do not fit on its "
                                                  r"PADI buses: 128 of 200 placed.*\[32, 32, 32, 32\] of 32"):
        route(builder.done())


def test_one_external_source_with_more_than_64_synapses_onto_a_neuron():
    network = external_onto(1, [3], weight=63 * 65).done()
    with pytest.raises(UnsuccessfulRouting, match=r"external source \(population 0, neuron 0\) has 65 "
                                                  r"synapses onto neuron .*enum=3\), a PADI bus has 64 rows"):
        route(network)


def test_unbalanced_on_chip_chunks_cannot_share_a_bus():
    """Event output 0 needs 30 drivers and event output 4 one on the same bus: their labels
    differ in at most three bits, so one of them can have at most 28 drivers."""
    builder = NetworkBuilder()
    a = builder.add(Population.from_atomic_neurons(list(range(30)) + list(range(256, 286))))
    b = builder.add(Population.from_atomic_neurons([128]))
    t = builder.add(Population.from_atomic_neurons([200]))
    builder.add(Projection(EXCITATORY, [(s, 0, 1) for s in range(60)], a, t))
    builder.add(Projection(EXCITATORY, [(0, 0, 1)], b, t))
    with pytest.raises(UnsuccessfulRouting, match=r"hemisphere 0, PADI bus 0: no row-select labels .*\("
                                                  r"31 of 32 drivers needed, per chunk: on-chip 30, on-chip 1"):
        route(builder.done())


def test_background_source_that_cannot_reach_the_receptor():
    """The builder checks the hemisphere per neuron; the router finds that the circuit with the
    receptor lies on the other one."""
    neuron = Neuron(logical_neuron({0: [(0, 0), (0, 1)]}, 3),
                    {halco.CompartmentOnLogicalNeuron(0): Compartment(SpikeMaster(0), [{INHIBITORY}, {EXCITATORY}])})
    builder = NetworkBuilder()
    bg = builder.add(BackgroundSourcePopulation(1, {halco.HemisphereOnDLS(0): halco.PADIBusOnPADIBusBlock(0)}))
    pop = builder.add(Population([neuron]))
    builder.add(Projection(EXCITATORY, [(0, 0, 5)], bg, pop))
    with pytest.raises(UnsuccessfulRouting, match=r"projection 0 connection 0: no atomic neuron of post neuron 0"):
        route(builder.done())


def test_errors_are_grenade_errors_and_runtime_errors():
    network = external_onto(300, [0]).done()
    with pytest.raises(GrenadeError):
        route(network)
    with pytest.raises(RuntimeError):
        GreedyRouter()(network)


def test_portfolio_tries_routers_in_order():
    calls = []

    class Failing(Router):
        def __call__(self, network):
            calls.append("failing")
            raise UnsuccessfulRouting("no luck")

    network = external_onto(2, [0]).done()
    result = PortfolioRouter([Failing(), GreedyRouter()])(network)
    assert calls == ["failing"] and result.execution_instances
    with pytest.raises(UnsuccessfulRouting, match="every router failed: .*no luck.*in-degree 300"):
        PortfolioRouter([Failing(), GreedyRouter()])(external_onto(300, [0]).done())
    with pytest.raises(TypeError):
        Router()


def test_drivers_per_bus_above_32():
    """Three chunks of 21 rows on one bus: 63 rows, but 3 x 11 drivers."""
    builder = NetworkBuilder()
    a = builder.add(Population.from_atomic_neurons(range(21)))             # output 0
    b = builder.add(Population.from_atomic_neurons(range(128, 149)))       # output 4
    bg = builder.add(BackgroundSourcePopulation(
        32, {halco.HemisphereOnDLS(0): halco.PADIBusOnPADIBusBlock(0)}, BackgroundSourceConfig(enable_random=True)))
    t = builder.add(Population.from_atomic_neurons([60]))
    for pre in (a, b, bg):
        builder.add(Projection(EXCITATORY, [(s, 0, 1) for s in range(21)], pre, t))
    with pytest.raises(UnsuccessfulRouting, match=r"hemisphere 0, PADI bus 0: 33 synapse drivers needed, "
                                                  r"32 available \(63 rows"):
        route(builder.done())
