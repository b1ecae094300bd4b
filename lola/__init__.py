"""lola: logical containers of the BrainScaleS-2 chip, composed of haldls containers.

>>> import lola
>>> neuron = lola.AtomicNeuron()
>>> neuron.leak.v_leak = 650
>>> neuron.leak.i_bias = 420
>>> neuron.leak.enable_division = True

A lola container follows the container protocol of stadls (``encode_write``, ``encode_read``,
``decode_read``, ...) and registers itself, as haldls containers do, in lola's registry
(:func:`container_types`); :func:`container_for` finds the container type for a coordinate among
the lola containers first, then among the haldls ones. Every container type describes itself with
``schema()``, the introspection protocol it shares with haldls: its declared fields (AtomicNeuron's
members and their fields, the synapse arrays) or parts (the composites of :mod:`lola.chip`, the
``SynapseDriverBlock``), each a :class:`haldls.FieldInfo` with type, shape, range and, for a
part, the coordinate type it lives at.
"""

from typing import Any

from . import errors
from ._composite import REGISTRY, _container_by_name
from ._composite import container_for as _container_for
from .chip import CADCReadoutChain, CapMem, Chip, Crossbar, NeuronBlock, ReadoutChain
from .diagnosis import Finding, NeuronDiagnosis, diagnose
from .morphology import LogicalNeuron, MCSafeAtomicNeuron, Morphology
from .neuron import AtomicNeuron
from .neuron_array import AtomicNeuronArray
from .synapse import (
    CorrelationResetRow, SynapseCorrelationCalibMatrix, SynapseCorrelationCalibRow, SynapseDriverBlock,
    SynapseLabelMatrix, SynapseLabelRow, SynapseMatrix, SynapseRow, SynapseWeightMatrix, SynapseWeightRow,
)
# after the others: lola's registry (container_types, the golden words) keeps its order
from .cadc_samples import CADCSampleRow, CADCSamples
from .column_switches import ColumnCorrelationRow, ColumnCurrentRow


def container_for(coordinate: Any) -> type:
    """The container type living at a coordinate (instance or type): a lola container if one
    lives there, else the haldls one (``haldls.container_for``)."""
    return _container_for(coordinate)


def container_by_name(name: str) -> type:
    """A lola container type by qualified name, else a haldls one
    (``haldls.errors.UnknownContainerError`` if neither)."""
    return _container_by_name(name)


def container_types() -> tuple[type, ...]:
    """Every lola container type, in definition order."""
    return REGISTRY.types()


__all__ = [
    "AtomicNeuron", "AtomicNeuronArray", "CADCReadoutChain", "CADCSampleRow", "CADCSamples",
    "ColumnCorrelationRow", "ColumnCurrentRow", "CapMem", "Chip", "Crossbar", "NeuronBlock", "ReadoutChain", "CorrelationResetRow", "LogicalNeuron", "MCSafeAtomicNeuron", "Morphology",
    "SynapseCorrelationCalibMatrix", "SynapseCorrelationCalibRow", "SynapseDriverBlock", "SynapseLabelMatrix",
    "SynapseLabelRow", "SynapseMatrix", "SynapseRow", "SynapseWeightMatrix", "SynapseWeightRow",
    "container_by_name", "container_for", "container_types", "errors",
    "Finding", "NeuronDiagnosis", "diagnose",
]
