"""The vertex types of the signal-flow graph (grenade's ``signal_flow::vertex``)."""

from .base import VERTEX_TYPES, EntityOnChip, Vertex
from .data import DataInput, DataOutput, ExternalInput
from .neuron import NeuronConfig, NeuronEventOutputView, NeuronView
from .plasticity import KERNEL_SIGNATURE, PlasticityRule, Timer
from .readout import CADCMembraneReadoutView, CADCMode, MADCReadoutView, MADCSource, ReadoutSource
from .routing import (BackgroundSpikeSource, CrossbarL2Input, CrossbarL2Output, CrossbarNode,
                      PADIBus, SynapseDriver)
from .synapse import SPARSE_SYNAPSE_DTYPE, SynapseArrayView, SynapseArrayViewSparse
from .transformation import (Addition, ArgMax, Concatenation, ConvertingReLU, Function, ReLU,
                             Subtraction, Transformation)
