"""NetworkBuilder: every add is checked at once, and a refused element leaves nothing behind."""

from __future__ import annotations

import numpy as np
import pytest

import halco
from grenade.common import ExecutionInstanceID
from grenade.errors import InvalidNetworkError
from grenade.network import (
    EXCITATORY, INHIBITORY, AtomicNeuronOnExecutionInstance, BackgroundSourceConfig,
    BackgroundSourcePopulation, CADCRecording, Compartment, ExternalSourcePopulation,
    InterExecutionInstanceProjection, MADCRecording, NetworkBuilder, Neuron, PlasticityRule,
    Population, Projection, RecordedNeuron, SpikeMaster, single_compartment,
)


KERNEL = "void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {}"


def builder_with_populations() -> tuple[NetworkBuilder, int, int]:
    builder = NetworkBuilder()
    neurons = builder.add(Population.from_atomic_neurons(range(8)))
    sources = builder.add(ExternalSourcePopulation(4))
    return builder, neurons, sources


def test_a_valid_network_is_built():
    builder, neurons, sources = builder_with_populations()
    projection = builder.add(Projection(EXCITATORY, [[0, 1, 70], [3, 7, 0]], sources, neurons))
    builder.add(Projection(INHIBITORY, [[0, 1, 5]], neurons, neurons))
    builder.add(MADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(neurons, 2)),
                               RecordedNeuron(AtomicNeuronOnExecutionInstance(neurons, 3), "exc_synin")]))
    # neuron 3 shows its excitatory input to the MADC: the CADC records the others' membranes
    builder.add(CADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(neurons, i)) for i in range(8) if i != 3]))
    network = builder.done()
    instance = network.execution_instances[ExecutionInstanceID(0)]
    assert projection == 0 and len(instance.projections) == 2
    assert instance.projections[0].connections["weight"].tolist() == [70, 0]
    assert network.topologically_sorted_execution_instance_ids == [ExecutionInstanceID(0)]


@pytest.mark.parametrize("make, match", [
    (lambda n, s: Population.from_atomic_neurons([3]), "already used by population 0: two populations cannot share a neuron circuit"),
    (lambda n, s: Population.from_atomic_neurons([300, 300]), "already used by itself"),
    (lambda n, s: Population([]), "has no neurons"),
    (lambda n, s: Projection(EXCITATORY, [[0, 1, 5]], s, 7), "population_post 7 does not exist"),
    (lambda n, s: Projection(EXCITATORY, [[0, 1, 5]], n, s), "the post population 1 is a ExternalSourcePopulation"),
    (lambda n, s: Projection(EXCITATORY, [[0, 1, -3]], s, n), "connection 0 has weight -3: weights are whole numbers >= 0"),
    (lambda n, s: Projection(EXCITATORY, [[0, 1, 2.5]], s, n), "not a whole number"),
    (lambda n, s: Projection(EXCITATORY, [[4, 1, 2]], s, n), "pre neuron 4 does not exist"),
    (lambda n, s: Projection(EXCITATORY, [[0, 8, 2]], s, n), "post neuron 8 does not exist"),
    (lambda n, s: Projection(EXCITATORY, [[0, 0, 0, 1, 2]], s, n), "post neuron 0 has no compartment 1"),
    (lambda n, s: Projection(EXCITATORY, [[0, 1, 0, 0, 2]], s, n), "only compartment 0, not 1"),
    (lambda n, s: Projection(EXCITATORY, [[0, 1, 2], [0, 1, 3]], s, n), "repeats the pair pre 0 -> post 1"),
    (lambda n, s: Projection(EXCITATORY, np.zeros((0, 3)), s, n), "has no connections"),
    (lambda n, s: Projection(EXCITATORY, [[0, 1]], s, n), r"an \(n, 5\) array"),
    (lambda n, s: ExternalSourcePopulation(0), "size must be an int >= 1"),
    (lambda n, s: "a population", "NetworkBuilder.add takes a Population"),
    (lambda n, s: MADCRecording([]), "one or two neurons, not 0"),
    (lambda n, s: MADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(n, 2)),
                                 RecordedNeuron(AtomicNeuronOnExecutionInstance(n, 4))]), "different parity"),
    (lambda n, s: MADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(s, 0))]), "not a population on the chip"),
    (lambda n, s: CADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(n, 9))]), "has 8 neurons"),
    (lambda n, s: CADCRecording([RecordedNeuron(AtomicNeuronOnExecutionInstance(n, 1))] * 2), "records a neuron twice"),
    (lambda n, s: PlasticityRule("void PLASTICITY_RULE_KERNEL(int32 s, int32 n, int32 p) { x = 1; }",
                                 projections=[]), "does not compile"),
    (lambda n, s: PlasticityRule("void f() {}"), "no PLASTICITY_RULE_KERNEL"),
    (lambda n, s: PlasticityRule(KERNEL, projections=[3]), "projection 3 does not exist"),
    (lambda n, s: PlasticityRule(KERNEL, populations=[n], observables=["w"]), "observable 'w' is not a global"),
])
def test_bad_elements_are_refused_naming_what_is_wrong(make, match):
    builder, neurons, sources = builder_with_populations()
    with pytest.raises(InvalidNetworkError, match=match):
        builder.add(make(neurons, sources))
    network = builder.done()            # nothing of the refused element remains
    instance = network.execution_instances[ExecutionInstanceID(0)]
    assert len(instance.populations) == 2 and not instance.projections
    assert instance.madc_recording is None and instance.cadc_recording is None


def test_a_kernel_that_does_not_compile_names_its_line():
    builder, _, _ = builder_with_populations()
    with pytest.raises(InvalidNetworkError, match="line 2"):
        builder.add(PlasticityRule("void PLASTICITY_RULE_KERNEL() {\n  undefined = 3;\n}"))


def test_background_populations_are_checked():
    builder = NetworkBuilder()
    top = {halco.HemisphereOnDLS(0): halco.PADIBusOnPADIBusBlock(2)}
    builder.add(BackgroundSourcePopulation(8, top, BackgroundSourceConfig(enable_random=True)))
    with pytest.raises(InvalidNetworkError, match="PADI bus 2 of hemisphere 0 already carries"):
        builder.add(BackgroundSourcePopulation(1, top))
    with pytest.raises(InvalidNetworkError, match="power of two"):
        builder.add(BackgroundSourcePopulation(6, {halco.HemisphereOnDLS(1): halco.PADIBusOnPADIBusBlock(0)},
                                               BackgroundSourceConfig(enable_random=True)))
    with pytest.raises(InvalidNetworkError, match="regular background population has one neuron"):
        builder.add(BackgroundSourcePopulation(2, {halco.HemisphereOnDLS(1): halco.PADIBusOnPADIBusBlock(0)}))
    with pytest.raises(InvalidNetworkError, match="config.rate must be an int 0..255"):
        builder.add(BackgroundSourcePopulation(1, {halco.HemisphereOnDLS(1): halco.PADIBusOnPADIBusBlock(0)},
                                               BackgroundSourceConfig(rate=300)))
    bottom_neurons = builder.add(Population.from_atomic_neurons([300]))
    with pytest.raises(InvalidNetworkError, match="reaches hemispheres \\[0\\], post neuron 0 lies on \\[1\\]"):
        builder.add(Projection(EXCITATORY, [[0, 0, 1]], 0, bottom_neurons))


def test_multi_compartment_neurons_and_receptors_are_checked():
    pattern = halco.LogicalNeuronCompartments({
        0: [halco.AtomicNeuronOnLogicalNeuron()],
        1: [halco.AtomicNeuronOnLogicalNeuron(halco.NeuronColumnOnLogicalNeuron(1), halco.NeuronRowOnLogicalNeuron(0))]})
    placed = halco.LogicalNeuronOnDLS(pattern, halco.AtomicNeuronOnDLS(10, 0))
    neuron = Neuron(placed, {halco.CompartmentOnLogicalNeuron(0): Compartment(SpikeMaster(0), [[EXCITATORY]]),
                             halco.CompartmentOnLogicalNeuron(1): Compartment(None, [[INHIBITORY]])})
    builder = NetworkBuilder()
    population = builder.add(Population([neuron]))
    sources = builder.add(ExternalSourcePopulation(1))
    builder.add(Projection(INHIBITORY, [[0, 0, 0, 1, 4]], sources, population))
    with pytest.raises(InvalidNetworkError, match="post neuron 0 compartment 1 has no receptor"):
        builder.add(Projection(EXCITATORY, [[0, 0, 0, 1, 4]], sources, population))
    with pytest.raises(InvalidNetworkError, match="pre neuron 0 compartment 1 has no spike master"):
        builder.add(Projection(EXCITATORY, [[0, 1, 0, 0, 4]], population, population))
    wrong = Neuron(placed, {halco.CompartmentOnLogicalNeuron(0): Compartment(SpikeMaster(0), [[EXCITATORY]])})
    with pytest.raises(InvalidNetworkError, match="but is placed with \\[0, 1\\]"):
        builder.add(Population([wrong]))
    master = Neuron(single_compartment(halco.AtomicNeuronOnDLS(20, 0)),
                    {halco.CompartmentOnLogicalNeuron(0): Compartment(SpikeMaster(3), [[EXCITATORY]])})
    with pytest.raises(InvalidNetworkError, match="spike master 3 is not one of its 1 atomic neurons"):
        builder.add(Population([master]))


def test_projections_between_execution_instances_go_forward():
    builder = NetworkBuilder()
    first = builder.add(Population.from_atomic_neurons([0, 1]), 0)
    entry = builder.add(ExternalSourcePopulation(2), 0)
    second = builder.add(ExternalSourcePopulation(2), 1)
    last = builder.add(Population.from_atomic_neurons([0, 1]), 1)
    builder.add(InterExecutionInstanceProjection([[0, 1]], (0, first), (1, second)))
    with pytest.raises(InvalidNetworkError, match="closes a cycle between execution instances"):
        builder.add(InterExecutionInstanceProjection([[0, 1]], (1, last), (0, entry)))
    with pytest.raises(InvalidNetworkError, match="connects an instance to itself"):
        builder.add(InterExecutionInstanceProjection([[0, 1]], (0, first), (0, entry)))
    network = builder.done()
    assert network.topologically_sorted_execution_instance_ids == [ExecutionInstanceID(0), ExecutionInstanceID(1)]
    assert network.inter_execution_instance_projections[0].connections["weight"].tolist() == [1]
