"""lola: logical containers of the BrainScaleS-2 chip, composed of haldls containers.

>>> import lola
>>> neuron = lola.AtomicNeuron()
>>> neuron.leak.v_leak = 650
>>> neuron.leak.i_bias = 420
>>> neuron.leak.enable_division = True

A lola container follows the container protocol of stadls (``encode_write``, ``encode_read``,
``decode_read``, ...) without being registered in haldls; :func:`container_for` finds the
container type for a coordinate among the lola containers first, then among the haldls ones.
"""

from typing import Any

import haldls

from . import errors
from .chip import CADCReadoutChain, CapMem, Chip, Crossbar, NeuronBlock, ReadoutChain
from .morphology import LogicalNeuron, MCSafeAtomicNeuron, Morphology
from .neuron import AtomicNeuron
from .neuron_array import AtomicNeuronArray
from .synapse import (
    CorrelationResetRow, SynapseCorrelationCalibMatrix, SynapseCorrelationCalibRow, SynapseDriverBlock,
    SynapseLabelMatrix, SynapseLabelRow, SynapseMatrix, SynapseRow, SynapseWeightMatrix, SynapseWeightRow,
)

#: lola container types by coordinate type
_BY_COORDINATE: dict[type, type] = {t.coordinate_type: t for t in (
    AtomicNeuron, LogicalNeuron,
    SynapseWeightRow, SynapseLabelRow, SynapseCorrelationCalibRow, SynapseRow, CorrelationResetRow,
    SynapseWeightMatrix, SynapseLabelMatrix, SynapseCorrelationCalibMatrix, SynapseMatrix,
    SynapseDriverBlock, NeuronBlock, Crossbar, CapMem, CADCReadoutChain, ReadoutChain, Chip,
)}


def container_for(coordinate: Any) -> type:
    """The container type living at a coordinate (instance or type): a lola container if one
    lives there, else the haldls one (``haldls.container_for``)."""
    ctype = coordinate if isinstance(coordinate, type) else type(coordinate)
    found = _BY_COORDINATE.get(ctype)
    return found if found is not None else haldls.container_for(ctype)


def container_by_name(name: str) -> type:
    """A lola container type by class name, else a haldls one by qualified name."""
    for t in _BY_COORDINATE.values():
        if t.__qualname__ == name:
            return t
    return haldls.container_by_name(name)


def container_types() -> tuple[type, ...]:
    """Every lola container type."""
    return tuple(_BY_COORDINATE.values())


__all__ = [
    "AtomicNeuron", "AtomicNeuronArray", "CADCReadoutChain", "CapMem", "Chip", "Crossbar", "NeuronBlock", "ReadoutChain", "CorrelationResetRow", "LogicalNeuron", "MCSafeAtomicNeuron", "Morphology",
    "SynapseCorrelationCalibMatrix", "SynapseCorrelationCalibRow", "SynapseDriverBlock", "SynapseLabelMatrix",
    "SynapseLabelRow", "SynapseMatrix", "SynapseRow", "SynapseWeightMatrix", "SynapseWeightRow",
    "container_by_name", "container_for", "container_types", "errors",
]
