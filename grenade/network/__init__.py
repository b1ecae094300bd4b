"""grenade's network layer: an abstract network of placed populations and projections
(:mod:`~grenade.network.network`), built with validation (:class:`NetworkBuilder`), routed onto
the chip (:mod:`~grenade.network.routing`)."""

from .builder import NetworkBuilder
from .network import (
    CONNECTION_DTYPE, EXCITATORY, INHIBITORY, AtomicNeuronOnExecutionInstance,
    BackgroundSourceConfig, BackgroundSourcePopulation, CADCRecording, Compartment,
    ExecutionInstance, ExternalSourcePopulation, InterExecutionInstanceProjection, MADCRecording,
    Network, Neuron, PlasticityRule, PlasticityTimer, Population, Projection, ReadoutSource,
    Receptor, RecordedNeuron, SpikeMaster, connections_array, single_compartment, synapses_needed,
)
