"""grenade's network layer: an abstract network of placed populations and projections
(:mod:`~grenade.network.network`), built with validation (:class:`NetworkBuilder`), routed onto
the chip (:mod:`~grenade.network.routing`), turned into a signal-flow graph
(:func:`build_network_graph`), fed (:class:`InputGenerator`), run (:func:`run`) and read out
(``extract_*``)."""

from .builder import NetworkBuilder
from .network import (
    CONNECTION_DTYPE, EXCITATORY, INHIBITORY, AtomicNeuronOnExecutionInstance,
    BackgroundSourceConfig, BackgroundSourcePopulation, CADCRecording, Compartment,
    ExecutionInstance, ExternalSourcePopulation, InterExecutionInstanceProjection, MADCRecording,
    Network, Neuron, PlasticityRule, PlasticityTimer, Population, Projection, ReadoutSource,
    Receptor, RecordedNeuron, SpikeMaster, connections_array, single_compartment, synapses_needed,
)
from ..common import ExecutionInstanceID
from . import routing
from .graph_builder import ExternalSourceMerger, GraphTranslation, NetworkGraph, build_network_graph
from .io import (CYCLES_PER_BIOLOGICAL_MS, InputGenerator, extract_cadc_samples,
                 extract_madc_samples, extract_neuron_spikes, to_biological_ms)
from .routing import GreedyRouter, PortfolioRouter, requires_routing, route, update_weights
from .run import run
