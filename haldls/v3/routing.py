"""Event routing containers: crossbar nodes and outputs, counters, background spike sources."""

from __future__ import annotations

import numpy as np

import halco
from .._container import Container
from .._fields import Array, Bool, UInt, at
from . import addresses as A


class CrossbarNode(Container, coordinate=halco.CrossbarNodeOnDLS, words=1):
    """An event passes the node when ``(label & mask) == target`` (14-bit neuron label).

    The default (mask 0, target 0) routes everything; :meth:`drop_all` (mask 0, target 1) nothing.
    """

    mask = UInt(14, at(0, 0))
    target = UInt(14, at(0, 16))
    enable_drop_counter = Bool(at(0, 31))

    @classmethod
    def drop_all(cls) -> "CrossbarNode":
        """A node that forwards no event."""
        return cls(mask=0, target=1)

    @classmethod
    def _addresses(cls, enums):
        return (A.CROSSBAR_NODE + enums)[:, None]


class CrossbarOutputConfig(Container, coordinate=halco.CrossbarOutputConfigOnDLS, words=1):
    """Slow mode per L2 output [3:0]; event counter enable per output [15:4]."""

    enable_slow = Array(Bool(at(0, 0)), 4, lambda i: [at(0, i)])
    enable_event_counter = Array(Bool(at(0, 0)), 12, lambda i: [at(0, 4 + i)])

    @classmethod
    def _addresses(cls, enums):
        return np.full((len(enums), 1), A.CROSSBAR_OUTPUT_CONFIG)


class CrossbarInputDropCounter(Container, coordinate=halco.CrossbarInputOnDLS, words=1, writable=False):
    """Events dropped at one crossbar input (as the real one: read-only, 16 bit, at
    0x13_0065 + input; counted where a node of the input has its drop counter enabled).

    Reading does not clear it; it counts modulo 2**16, so the events dropped between two reads
    are their difference modulo 2**16 (as grenade's execution health info takes it).
    """

    value = UInt(16, at(0, 0))

    @classmethod
    def _addresses(cls, enums):
        return (A.CROSSBAR_INPUT_DROP_COUNTER + enums)[:, None]


class CrossbarOutputEventCounter(
    Container, coordinate=halco.CrossbarOutputOnDLS, words=1, writable=False
):
    """Events that left through one crossbar output (as the real one: read-only, 24 bit, at
    0x13_0079 + output; counted where CrossbarOutputConfig enables the output's counter).

    Reading does not clear it; it counts modulo 2**24.
    """

    value = UInt(24, at(0, 0))

    @classmethod
    def _addresses(cls, enums):
        return (A.CROSSBAR_OUTPUT_EVENT_COUNTER + enums)[:, None]


class BackgroundSpikeSource(Container, coordinate=halco.BackgroundSpikeSourceOnDLS, words=3):
    """Regular or Poisson spike generator feeding the crossbar.

    Words in write order, as the real haldls (``src/haldls/vx/background.cpp``): W0 seed at
    base+1; W1 mask[7:0], rate[15:8], neuron_label[29:16] at base+2; W2 enable[0],
    enable_random[1], period[31:16] at base, written last so that the source starts with its
    whole configuration present (base = 0x13_0001 + 3*i). Regular mode: one spike every
    ``period + 1`` clock cycles. Poisson mode: one bin every ``period + 1`` cycles, each bin
    spiking with probability ``(rate + 1) / 256``; the label bits under ``mask`` are
    randomised. The seed is loaded on the disable -> enable edge.
    """

    seed = UInt(32, at(0, 0))
    mask = UInt(8, at(1, 0))
    rate = UInt(8, at(1, 8))
    neuron_label = UInt(14, at(1, 16))
    enable = Bool(at(2, 0))
    enable_random = Bool(at(2, 1))
    period = UInt(16, at(2, 16))

    @classmethod
    def _addresses(cls, enums):
        base = A.BACKGROUND_SPIKE_SOURCE + 3 * enums
        return np.stack([base + 1, base + 2, base], axis=1)
