"""Event routing: the 20 x 12 crossbar with its 76 nodes, background sources, spike labels.

Crossbar inputs (Y, 20): 0..7 neuron event outputs, 8..11 L2 inputs from the FPGA (SPL1 addresses),
12..19 background spike sources. Outputs (X, 12): 0..7 PADI buses (0..3 top, 4..7 bottom),
8..11 L2 outputs to the FPGA. Only 76 (input, output) pairs carry a node:

- neuron output i -> top PADI i%4, bottom PADI i%4, L2 i%4;
- L2 input j -> all 8 PADI buses and L2 output j;
- background source b -> PADI b and L2 b%4.
"""

from __future__ import annotations

from typing import Any

from ._core import Grid, RangedInt
from .errors import CoordinateTypeError, OutOfRangeError
from .neuron import NeuronBackendAddressOut, NeuronEventOutputOnDLS
from .synapse import PADIRowSelectAddress, SynapseLabel


class CrossbarInputOnDLS(RangedInt, size=20):
    """Crossbar input: neuron outputs 0..7, L2 inputs 8..11, background sources 12..19."""

    __slots__ = ()


class CrossbarOutputOnDLS(RangedInt, size=12):
    """Crossbar output: PADI buses 0..7, L2 outputs 8..11."""

    __slots__ = ()


def _crossbar_table() -> list[tuple[int, int]]:
    """Valid (output, input) pairs, row by row over inputs, outputs ascending."""
    pairs: list[tuple[int, int]] = []
    for inp in range(20):
        if inp < 8:
            outs = [inp % 4, 4 + inp % 4, 8 + inp % 4]
        elif inp < 12:
            outs = list(range(8)) + [inp]
        else:
            b = inp - 12
            outs = [b, 8 + b % 4]
        pairs.extend((out, inp) for out in sorted(outs))
    return pairs


class CrossbarNodeOnDLS(Grid, x=CrossbarOutputOnDLS, y=CrossbarInputOnDLS, table=_crossbar_table()):
    """One of the 76 crossbar nodes: (output, input). Pairs without a node raise."""

    __slots__ = ()


class CrossbarL2OutputOnDLS(RangedInt, size=4):
    """Crossbar output towards the FPGA."""

    __slots__ = ()


class SPL1Address(RangedInt, size=4):
    """L2 input channel from the FPGA (label bits 15..14)."""

    __slots__ = ()


class BackgroundSpikeSourceOnDLS(RangedInt, size=8):
    """One of the eight background spike generators (0..3 feed top buses, 4..7 bottom ones)."""

    __slots__ = ()


class CrossbarOnDLS(RangedInt, size=1):
    """The whole crossbar."""

    __slots__ = ()


class CrossbarOutputConfigOnDLS(RangedInt, size=1):
    """The crossbar's output configuration register."""

    __slots__ = ()


# bit views of a 16-bit spike label: name -> (high bit, low bit)
_LABEL_VIEWS: dict[str, tuple[int, int]] = {
    "spl1_address": (15, 14),
    "neuron_label": (13, 0),
    "padi_label": (9, 0),
    "neuron_event_output": (10, 8),
    "neuron_backend_address_out": (7, 0),
    "row_select_address": (10, 6),
    "synapse_label": (5, 0),
}


class SpikeLabel(RangedInt, size=1 << 16):
    """16-bit event label with bit views.

    ``spl1_address`` [15:14], ``neuron_label`` [13:0], ``padi_label`` [9:0],
    ``neuron_event_output`` [10:8], ``neuron_backend_address_out`` [7:0],
    ``row_select_address`` [10:6], ``synapse_label`` [5:0].
    Labels are values: ``label.replace(synapse_label=5)`` returns a new label.
    """

    __slots__ = ()
    views = _LABEL_VIEWS

    def _view(self, name: str) -> int:
        hi, lo = _LABEL_VIEWS[name]
        return (self._enum >> lo) & ((1 << (hi - lo + 1)) - 1)

    @property
    def spl1_address(self) -> SPL1Address:
        return SPL1Address(self._view("spl1_address"))

    @property
    def neuron_label(self) -> int:
        return self._view("neuron_label")

    @property
    def padi_label(self) -> int:
        return self._view("padi_label")

    @property
    def neuron_event_output(self) -> NeuronEventOutputOnDLS:
        return NeuronEventOutputOnDLS.from_enum(self._view("neuron_event_output"))

    @property
    def neuron_backend_address_out(self) -> NeuronBackendAddressOut:
        return NeuronBackendAddressOut(self._view("neuron_backend_address_out"))

    @property
    def row_select_address(self) -> PADIRowSelectAddress:
        return PADIRowSelectAddress(self._view("row_select_address"))

    @property
    def synapse_label(self) -> SynapseLabel:
        return SynapseLabel(self._view("synapse_label"))

    def replace(self, **views: Any) -> "SpikeLabel":
        """A new label with the given bit views replaced (range-checked per view)."""
        value = self._enum
        for name, v in views.items():
            if name not in _LABEL_VIEWS:
                raise ValueError(f"SpikeLabel has no view {name!r}; views: {', '.join(_LABEL_VIEWS)}")
            hi, lo = _LABEL_VIEWS[name]
            width = hi - lo + 1
            if isinstance(v, (bool, float)) or not hasattr(v, "__index__"):
                raise CoordinateTypeError(
                    f"SpikeLabel.{name} must be an int, got {type(v).__name__} {v!r}"
                )
            v = v.__index__()
            if not 0 <= v < (1 << width):
                raise OutOfRangeError(
                    f"SpikeLabel.{name} = {v} is out of range [0, {(1 << width) - 1}]"
                )
            mask = ((1 << width) - 1) << lo
            value = (value & ~mask) | (v << lo)
        return SpikeLabel(value)

    @classmethod
    def from_views(cls, **views: Any) -> "SpikeLabel":
        """Build a label from bit views, e.g. ``SpikeLabel.from_views(row_select_address=3, synapse_label=7)``."""
        return cls(0).replace(**views)
