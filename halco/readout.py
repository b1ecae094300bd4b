"""Readout coordinates: the columnar ADCs (CADC), the membrane ADC (MADC) and the readout chain."""

from __future__ import annotations

from ._core import Nested, RangedInt, add_constants
from .hemisphere import SynramOnDLS
from .synapse import SynapseQuadOnSynram


class CADCChannelType(RangedInt, size=2):
    """Causal (0) or acausal (1) CADC channel of a column."""

    __slots__ = ()


add_constants(CADCChannelType, causal=0, acausal=1)


class CADCReadoutType(RangedInt, size=2):
    """Triggered read (0, converts now) or buffered read (1, the last conversion)."""

    __slots__ = ()


add_constants(CADCReadoutType, trigger_read=0, buffered=1)


class CADCChannelColumnOnSynram(RangedInt, size=256):
    """CADC channel column, equal to the synapse/neuron column."""

    __slots__ = ()


class CADCChannelConfigOnSynram(Nested, local=CADCChannelColumnOnSynram, parent=CADCChannelType):
    """Offset configuration of one channel of one column."""

    __slots__ = ()


class CADCChannelConfigOnDLS(Nested, local=CADCChannelConfigOnSynram, parent=SynramOnDLS):
    """One of the 1024 CADC channel configurations."""

    __slots__ = ()


class CADCSampleQuadUnspecifiedReadoutOnSynram(
    Nested, local=SynapseQuadOnSynram, parent=CADCChannelType
):
    """Four CADC samples of one channel type at a synapse quad."""

    __slots__ = ()


class CADCSampleQuadOnSynram(
    Nested, local=CADCSampleQuadUnspecifiedReadoutOnSynram, parent=CADCReadoutType
):
    """Four CADC samples with channel and readout type."""

    __slots__ = ()


class CADCSampleQuadOnDLS(Nested, local=CADCSampleQuadOnSynram, parent=SynramOnDLS):
    """Four CADC samples on the chip (131072 coordinates)."""

    __slots__ = ()

    @classmethod
    def of(cls, quad: SynapseQuadOnSynram, channel_type: int, readout_type: int, synram: int) -> "CADCSampleQuadOnDLS":
        """Build from its parts: ``CADCSampleQuadOnDLS.of(quad, causal, buffered, synram)``."""
        inner = CADCSampleQuadUnspecifiedReadoutOnSynram(quad, CADCChannelType(int(channel_type)))
        return cls(CADCSampleQuadOnSynram(inner, CADCReadoutType(int(readout_type))), SynramOnDLS(int(synram)))


class CADCSamplesOnDLS(RangedInt, size=1):
    """All CADC samples of the chip."""

    __slots__ = ()


class CADCOffsetSRAMTimingConfigOnDLS(RangedInt, size=4):
    """SRAM timing of one CADC offset memory."""

    __slots__ = ()


class MADCControlOnDLS(RangedInt, size=1):
    """The MADC's control register (wake up, start, stop)."""

    __slots__ = ()


class MADCConfigOnDLS(RangedInt, size=1):
    """The MADC's configuration."""

    __slots__ = ()


class ReadoutChainOnDLS(RangedInt, size=1):
    """The analog readout chain (MADC, pads, buffers)."""

    __slots__ = ()


class ReadoutSourceSelectionOnDLS(RangedInt, size=1):
    """Selection of the analog signals routed to the readout."""

    __slots__ = ()


class SourceMultiplexerOnReadoutSourceSelection(RangedInt, size=2):
    """One of the two readout multiplexers; also the MADC sample channel."""

    __slots__ = ()


class PadOnDLS(RangedInt, size=2):
    """One of the two analog readout pads."""

    __slots__ = ()


class PadMultiplexerConfigOnDLS(RangedInt, size=2):
    """Multiplexer configuration of one readout pad."""

    __slots__ = ()
