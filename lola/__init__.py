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
from .morphology import LogicalNeuron, MCSafeAtomicNeuron, Morphology
from .neuron import AtomicNeuron

#: lola container types by coordinate type
_BY_COORDINATE: dict[type, type] = {t.coordinate_type: t for t in (AtomicNeuron, LogicalNeuron)}


def container_for(coordinate: Any) -> type:
    """The container type living at a coordinate (instance or type): a lola container if one
    lives there, else the haldls one (``haldls.container_for``)."""
    ctype = coordinate if isinstance(coordinate, type) else type(coordinate)
    found = _BY_COORDINATE.get(ctype)
    return found if found is not None else haldls.container_for(ctype)


__all__ = ["AtomicNeuron", "LogicalNeuron", "MCSafeAtomicNeuron", "Morphology", "container_for", "errors"]
