"""Ports: what flows along an edge of the signal-flow graph (grenade's ``Port``,
``ConnectionType`` and ``PortRestriction``).

A port is ``(size, ConnectionType)``. Every vertex has one output port and a list of input
ports; an edge may carry a slice ``[min, max]`` (inclusive) of its source's output. Only the
``Data*`` types are copies in host memory and may cross execution instances.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from ..errors import InvalidInputError


class ConnectionType(enum.Enum):
    """What a port carries."""

    SynapseInputLabel = "SynapseInputLabel"        # driver -> synapses: 6-bit (5 in HAGEN mode)
    UInt32 = "UInt32"                              # e.g. an argmax index
    UInt5 = "UInt5"                                # a HAGEN activation
    Int8 = "Int8"                                  # a CADC reading, a PPU value
    SynapticInput = "SynapticInput"                # analog input per neuron column
    MembraneVoltage = "MembraneVoltage"            # neuron -> readout
    TimedSpikeToChipSequence = "TimedSpikeToChipSequence"
    TimedSpikeFromChipSequence = "TimedSpikeFromChipSequence"
    TimedMADCSampleFromChipSequence = "TimedMADCSampleFromChipSequence"
    CrossbarInputLabel = "CrossbarInputLabel"      # 14 bit into the crossbar
    CrossbarOutputLabel = "CrossbarOutputLabel"    # 14 bit out of it
    SynapseDriverInputLabel = "SynapseDriverInputLabel"   # 11 bit to the drivers
    DataUInt32 = "DataUInt32"
    DataUInt5 = "DataUInt5"
    DataInt8 = "DataInt8"
    DataTimedSpikeToChipSequence = "DataTimedSpikeToChipSequence"
    DataTimedSpikeFromChipSequence = "DataTimedSpikeFromChipSequence"
    DataTimedMADCSampleFromChipSequence = "DataTimedMADCSampleFromChipSequence"

    @property
    def is_data(self) -> bool:
        """A copy in host memory (may cross execution instances)."""
        return self.value.startswith("Data")

    def as_data(self) -> "ConnectionType":
        """The host-memory form of a local type (``UInt5`` -> ``DataUInt5``)."""
        try:
            return ConnectionType("Data" + self.value)
        except ValueError:
            raise InvalidInputError(f"{self.name} has no host-memory form; only "
                                    f"{', '.join(t.name for t in _LOCAL_OF)} do") from None

    def as_local(self) -> "ConnectionType":
        """The local form of a host-memory type (``DataUInt5`` -> ``UInt5``)."""
        if not self.is_data:
            raise InvalidInputError(f"{self.name} is not a host-memory (Data*) type")
        return ConnectionType(self.value[len("Data"):])


_LOCAL_OF = [t for t in ConnectionType if ("Data" + t.value) in ConnectionType._value2member_map_]


def _count(what: str):
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInputError(f"{what} is an int >= 0, not {value!r}")
        return value
    return convert


_size = _count("a port size")


@attrs.frozen
class Port:
    """``size`` channels of ``type``."""

    size: int = attrs.field(converter=_size)
    type: ConnectionType = attrs.field(converter=ConnectionType)

    def __str__(self) -> str:
        return f"{self.size}x{self.type.name}"


@attrs.frozen
class PortRestriction:
    """The channels ``min..max`` (inclusive, 0-based) of an output port."""

    min: int = attrs.field(converter=_count("PortRestriction.min (the first channel)"))
    max: int = attrs.field(converter=_count("PortRestriction.max (the last channel, inclusive)"))

    def __attrs_post_init__(self) -> None:
        if self.min > self.max:
            raise InvalidInputError(f"a port restriction [min, max] needs min <= max (both inclusive), "
                                    f"not [{self.min}, {self.max}]")

    def size(self) -> int:
        return self.max - self.min + 1

    def is_restriction_of(self, port: Port) -> bool:
        """Whether it lies inside ``port`` (channels 0..size-1)."""
        return self.max < port.size

    def __str__(self) -> str:
        return f"[{self.min}, {self.max}]"
