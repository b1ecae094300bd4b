"""Neuron coordinates: the 2 x 256 grid of atomic neuron circuits and the blocks that serve them.

The grid has 256 columns (x) and 2 rows (y, row 0 = top hemisphere); enum = row*256 + column.
NeuronConfig blocks are the four quadrants (0 top-left, 1 top-right, 2 bottom-left,
3 bottom-right, equal to the CapMem blocks); backend blocks are west (columns 0..127) and east.
"""

from __future__ import annotations

from ._core import Grid, Nested, RangedInt
from .hemisphere import NeuronRowOnDLS, SynramOnDLS
from .synapse import SynapseQuadColumnOnDLS


class NeuronColumnOnDLS(RangedInt, size=256):
    """Column of neuron circuits (X axis of AtomicNeuronOnDLS); equal to the synapse column."""

    __slots__ = ()


class AtomicNeuronOnDLS(Grid, x=NeuronColumnOnDLS, y=NeuronRowOnDLS):
    """One of the 512 neuron circuits: (column, row)."""

    __slots__ = ()


class NeuronConfigOnNeuronConfigBlock(RangedInt, size=128):
    """Neuron inside one of the four quadrant blocks (= column % 128)."""

    __slots__ = ()


class NeuronConfigBlockOnDLS(RangedInt, size=4):
    """Quadrant: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right (= CapMemBlockOnDLS)."""

    __slots__ = ()


class NeuronConfigOnDLS(Nested, local=NeuronConfigOnNeuronConfigBlock, parent=NeuronConfigBlockOnDLS):
    """Address of one neuron's NeuronConfig; its enum equals the AtomicNeuronOnDLS enum."""

    __slots__ = ()


class NeuronBackendConfigOnNeuronBackendConfigBlock(RangedInt, size=256):
    """Neuron inside a backend block: row*128 + column % 128."""

    __slots__ = ()


class NeuronBackendConfigBlockOnDLS(RangedInt, size=2):
    """Backend block: west (0, columns 0..127) or east (1, columns 128..255)."""

    __slots__ = ()


def _backend_nested(name: str, doc: str) -> type[Nested]:
    cls = type(
        name, (Nested,), {"__slots__": (), "__doc__": doc, "__module__": __name__},
        local=NeuronBackendConfigOnNeuronBackendConfigBlock, parent=NeuronBackendConfigBlockOnDLS,
    )
    return cls


NeuronBackendConfigOnDLS = _backend_nested(
    "NeuronBackendConfigOnDLS", "Address of one neuron's NeuronBackendConfig."
)


NeuronResetOnDLS = _backend_nested("NeuronResetOnDLS", "Reset trigger of one neuron.")


SpikeCounterReadOnDLS = _backend_nested("SpikeCounterReadOnDLS", "Spike counter of one neuron (read).")


SpikeCounterResetOnDLS = _backend_nested("SpikeCounterResetOnDLS", "Spike counter reset of one neuron.")


class CommonNeuronBackendConfigOnDLS(RangedInt, size=2):
    """Common backend configuration of the west (0) or east (1) block."""

    __slots__ = ()


class BlockPostPulseOnDLS(RangedInt, size=2):
    """Post-pulse trigger of the west (0) or east (1) backend block."""

    __slots__ = ()


class NeuronEventOutputOnNeuronBackendBlock(RangedInt, size=4):
    """One of the four event outputs of a backend block (32 columns each per row)."""

    __slots__ = ()


class NeuronEventOutputOnDLS(
    Nested, local=NeuronEventOutputOnNeuronBackendBlock, parent=NeuronBackendConfigBlockOnDLS
):
    """One of the 8 neuron event outputs; it is crossbar input of the same number."""

    __slots__ = ()


class NeuronResetQuadOnDLS(Nested, local=SynapseQuadColumnOnDLS, parent=SynramOnDLS):
    """Reset trigger of the four neurons under a synapse quad column (v3)."""

    __slots__ = ()


class NeuronBlockOnDLS(RangedInt, size=1):
    """The whole neuron block (all 512 circuits and both backends)."""

    __slots__ = ()


class NeuronSRAMTimingConfigOnDLS(RangedInt, size=4):
    """SRAM timing of one NeuronConfig block."""

    __slots__ = ()


class NeuronBackendSRAMTimingConfigOnDLS(RangedInt, size=2):
    """SRAM timing of one backend block."""

    __slots__ = ()


class NeuronBackendAddressOut(RangedInt, size=256):
    """8-bit label a neuron sends with its spikes (the low label bits)."""

    __slots__ = ()


# -- logical-neuron grid --------------------------------------------------------------------------


class NeuronColumnOnLogicalNeuron(RangedInt, size=128):
    """Column inside a logical neuron's pattern (X)."""

    __slots__ = ()


class NeuronRowOnLogicalNeuron(RangedInt, size=2):
    """Row inside a logical neuron's pattern (Y)."""

    __slots__ = ()


class AtomicNeuronOnLogicalNeuron(Grid, x=NeuronColumnOnLogicalNeuron, y=NeuronRowOnLogicalNeuron):
    """Position of an atomic neuron inside a logical neuron's pattern."""

    __slots__ = ()

    def get_neighbor(self, direction: str) -> "AtomicNeuronOnLogicalNeuron":
        """The neighbour to the ``left``, ``right`` or in the ``opposite_row``; raises off the grid."""
        x, y = self._xy()
        if direction == "left":
            x -= 1
        elif direction == "right":
            x += 1
        elif direction == "opposite_row":
            y = 1 - y
        else:
            raise ValueError(
                f"get_neighbor: direction {direction!r} is not one of 'left', 'right', 'opposite_row'"
            )
        return AtomicNeuronOnLogicalNeuron(NeuronColumnOnLogicalNeuron(x), NeuronRowOnLogicalNeuron(y))


class CompartmentOnLogicalNeuron(RangedInt, size=255):
    """Index of a compartment of a logical neuron (at most 512/2 - 2 + 1 compartments)."""

    __slots__ = ()
