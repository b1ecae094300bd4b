"""Synapse-array coordinates: rows, columns, quads (with the real interleaving), labels, drivers.

Quad interleaving (as on the chip): even synapse columns live in quad columns 0..31 and odd columns
in 32..63; for synapse column ``s``: ``entry = (s // 2) % 4``, ``quad = (s % 2) * 32 + s // 8``.
"""

from __future__ import annotations

from ._core import Grid, Nested, RangedInt, add_constants, link
from .hemisphere import PADIBusBlockOnDLS, SynapseDriverBlockOnDLS, SynramOnDLS


class SynapseRowOnSynram(RangedInt, size=256):
    """Row of the synapse array (Y axis). Two rows share one synapse driver."""

    __slots__ = ()


class SynapseOnSynapseRow(RangedInt, size=256):
    """Column of the synapse array (X axis); equal to the neuron column it feeds."""

    __slots__ = ()


class SynapseOnSynram(Grid, x=SynapseOnSynapseRow, y=SynapseRowOnSynram):
    """One synapse of a synram: (column, row); enum = row*256 + column."""

    __slots__ = ()


class SynapseOnDLS(Nested, local=SynapseOnSynram, parent=SynramOnDLS):
    """One of the 131072 synapses of the chip."""

    __slots__ = ()


class EntryOnQuad(RangedInt, size=4):
    """Slot of a synapse inside a quad (entry 0 sits in the most significant byte of a word)."""

    __slots__ = ()


class SynapseQuadColumnOnDLS(RangedInt, size=64):
    """Column of quads (X axis). Interleaved: quads 0..31 hold even columns, 32..63 odd ones."""

    __slots__ = ()

    def to_neuron_config_block_on_hemisphere(self) -> int:
        """0 for the left half of the array (columns 0..127), 1 for the right half."""
        return int((self._enum % 32) >= 16)


class SynapseQuadOnSynram(Grid, x=SynapseQuadColumnOnDLS, y=SynapseRowOnSynram):
    """A quad of four synapses in one row; enum = row*64 + quad column."""

    __slots__ = ()


def _quad_type(name: str, doc: str) -> type[Nested]:
    return type(
        name, (Nested,), {"__slots__": (), "__doc__": doc, "__module__": __name__},
        local=SynapseQuadOnSynram, parent=SynramOnDLS,
    )


SynapseQuadOnDLS = _quad_type("SynapseQuadOnDLS", "Weights, labels and calibration of four synapses.")
SynapseWeightQuadOnDLS = _quad_type("SynapseWeightQuadOnDLS", "Weights of four synapses.")
SynapseLabelQuadOnDLS = _quad_type("SynapseLabelQuadOnDLS", "Labels of four synapses.")
SynapseCorrelationCalibQuadOnDLS = _quad_type(
    "SynapseCorrelationCalibQuadOnDLS", "Correlation calibration bits of four synapses."
)
CorrelationResetOnDLS = _quad_type("CorrelationResetOnDLS", "Reset trigger of four correlation sensors.")
link(SynapseQuadOnDLS, SynapseWeightQuadOnDLS, SynapseLabelQuadOnDLS,
     SynapseCorrelationCalibQuadOnDLS, CorrelationResetOnDLS)


def _row_type(name: str, doc: str) -> type[Nested]:
    return type(
        name, (Nested,), {"__slots__": (), "__doc__": doc, "__module__": __name__},
        local=SynapseRowOnSynram, parent=SynramOnDLS,
    )


SynapseRowOnDLS = _row_type("SynapseRowOnDLS", "One of the 512 synapse rows of the chip.")
SynapseWeightRowOnDLS = _row_type("SynapseWeightRowOnDLS", "Weights of one synapse row.")
SynapseLabelRowOnDLS = _row_type("SynapseLabelRowOnDLS", "Labels of one synapse row.")
SynapseCorrelationCalibRowOnDLS = _row_type(
    "SynapseCorrelationCalibRowOnDLS", "Correlation calibration bits of one row."
)
CorrelationResetRowOnDLS = _row_type("CorrelationResetRowOnDLS", "Correlation reset of one row.")
CADCSampleRowOnDLS = _row_type("CADCSampleRowOnDLS", "CADC samples (causal, acausal) of one row.")
link(SynapseRowOnDLS, SynapseWeightRowOnDLS, SynapseLabelRowOnDLS, SynapseCorrelationCalibRowOnDLS,
     CorrelationResetRowOnDLS, CADCSampleRowOnDLS)


class ColumnCorrelationQuadOnSynram(RangedInt, size=64):
    """Correlation switches of four columns (indexed like SynapseQuadColumnOnDLS)."""

    __slots__ = ()


class ColumnCorrelationQuadOnDLS(Nested, local=ColumnCorrelationQuadOnSynram, parent=SynramOnDLS):
    """Correlation switches of four columns of one synram."""

    __slots__ = ()


class ColumnCurrentQuadOnSynram(RangedInt, size=64):
    """Synaptic-current switches of four columns (indexed like SynapseQuadColumnOnDLS)."""

    __slots__ = ()


class ColumnCurrentQuadOnDLS(Nested, local=ColumnCurrentQuadOnSynram, parent=SynramOnDLS):
    """Synaptic-current switches of four columns of one synram."""

    __slots__ = ()


class SynapticInputOnNeuron(RangedInt, size=2):
    """Which synaptic input of a neuron: excitatory (0) or inhibitory (1)."""

    __slots__ = ()


add_constants(SynapticInputOnNeuron, excitatory=0, inhibitory=1)


class SynapseLabel(RangedInt, size=64):
    """6-bit label stored in a synapse and compared with the event's low label bits."""

    __slots__ = ()


class SynapseBiasSelectionOnDLS(RangedInt, size=1):
    """The single synapse bias selection register."""

    __slots__ = ()


# -- synapse drivers and PADI buses ---------------------------------------------------------------

class SynapseRowOnSynapseDriver(RangedInt, size=2):
    """Which of a driver's two rows: top (0, odd synapse row) or bottom (1, even synapse row)."""

    __slots__ = ()


add_constants(SynapseRowOnSynapseDriver, top=0, bottom=1)


class PADIBusOnPADIBusBlock(RangedInt, size=4):
    """One of the four PADI buses of a hemisphere."""

    __slots__ = ()


class PADIBusOnDLS(Nested, local=PADIBusOnPADIBusBlock, parent=PADIBusBlockOnDLS):
    """One of the 8 PADI buses; equal to the crossbar output of the same number."""

    __slots__ = ()


class SynapseDriverOnPADIBus(RangedInt, size=32):
    """Position of a driver among the 32 drivers on one PADI bus."""

    __slots__ = ()


class SynapseDriverOnSynapseDriverBlock(RangedInt, size=128):
    """One of the 128 synapse drivers of a hemisphere; driver d feeds rows 2d+1 (top) and 2d."""

    __slots__ = ()


class SynapseDriverOnDLS(Nested, local=SynapseDriverOnSynapseDriverBlock, parent=SynapseDriverBlockOnDLS):
    """One of the 256 synapse drivers of the chip."""

    __slots__ = ()


class PADIRowSelectAddress(RangedInt, size=32):
    """5-bit row-select address compared (under a mask) by the synapse drivers."""

    __slots__ = ()
