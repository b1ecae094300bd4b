"""Views: the synapses and neurons a kernel works on (grenade's ``SynapseArrayViewHandle`` and
``NeuronViewHandle``), and the handles that name them.

A handle is an ``int32`` that the built-ins take first:

- 0 and 1 are the whole top and bottom hemisphere (every row and column);
- 2 + i is view i of the program's view table ``__views``, :data:`VIEW_WORDS` words each: the
  hemisphere, the 256-bit set of rows, the 256-bit set of columns (bit k of word j is row or
  column 32 j + k).

The machine checks every handle before the host sees the call: the view's hemisphere must be the
PPU's (else a trap ``"other_hemisphere"``), a row must be one of the view's rows (else
``"out_of_bounds"``). Reads return whole rows, as in grenade; writes (``set_weights``,
``reset_correlation``, ``reset_neurons``, the reset of ``get_rate_counters``) reach only the
view's columns. ``has_row(synapses, row)`` and ``column_mask(handle)`` let a kernel walk its view.

The host names views per timer (:class:`~libnux_vm.runtime.Timer` ``synapses=``, ``neurons=``);
the compiler puts each distinct one into ``__views`` once, and the host may rewrite them there
before the PPU starts.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .errors import HostValueError
from .typesys import LANES

#: words of one view in ``__views``: hemisphere, 8 words of rows, 8 words of columns
VIEW_WORDS = 17
#: the most views one program may have
MAX_VIEWS = 32
#: handles 0 and 1 are the whole hemispheres; view i has handle FIRST_VIEW + i
FIRST_VIEW = 2
#: a timer's handle word meaning "the whole hemisphere of the PPU that runs it"
OWN_HEMISPHERE = 0xFFFFFFFF
ALL = tuple(range(LANES))


def _indices(values, what: str) -> tuple:
    """Sorted distinct indices 0..255 from indices or a boolean mask of 256."""
    arr = np.asarray(values)
    if arr.dtype == bool:
        if arr.shape != (LANES,):
            raise HostValueError(f"{what} as a mask needs {LANES} booleans, not shape {arr.shape}")
        arr = np.flatnonzero(arr)
    elif arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise HostValueError(f"{what} must be indices 0..{LANES - 1} or a mask of {LANES} "
                             f"booleans, not {values!r}")
    if arr.size == 0:
        raise HostValueError(f"{what} is empty: a view needs at least one")
    if arr.min() < 0 or arr.max() >= LANES:
        raise HostValueError(f"{what} must lie in 0..{LANES - 1}; got {int(arr.min())}.."
                             f"{int(arr.max())}")
    return tuple(int(i) for i in np.unique(arr))


def _check_hemisphere(hemisphere) -> None:
    if (not isinstance(hemisphere, numbers.Integral) or isinstance(hemisphere, bool)
            or hemisphere not in (0, 1)):
        raise HostValueError(f"hemisphere must be 0 (top) or 1 (bottom), not {hemisphere!r}")


@dataclass(frozen=True)
class SynapseView:
    """Rows and columns of the synapse array of one hemisphere (0 top, 1 bottom); indices
    0..255 or masks of 256 booleans, all by default."""
    hemisphere: int
    rows: tuple = ALL
    columns: tuple = ALL

    def __post_init__(self) -> None:
        _check_hemisphere(self.hemisphere)
        object.__setattr__(self, "rows", _indices(self.rows, "SynapseView.rows"))
        object.__setattr__(self, "columns", _indices(self.columns, "SynapseView.columns"))


@dataclass(frozen=True)
class NeuronView:
    """Neuron columns 0..255 of one hemisphere (0 top, 1 bottom), all by default."""
    hemisphere: int
    columns: tuple = ALL

    def __post_init__(self) -> None:
        _check_hemisphere(self.hemisphere)
        object.__setattr__(self, "columns", _indices(self.columns, "NeuronView.columns"))

    @property
    def rows(self) -> tuple:
        return ALL


def _bits(indices) -> np.ndarray:
    mask = np.zeros(LANES, dtype=bool)
    mask[list(indices)] = True
    return np.packbits(mask, bitorder="little").view("<u4")


def view_words(view: SynapseView | NeuronView) -> np.ndarray:
    """The :data:`VIEW_WORDS` words of ``view`` in ``__views``."""
    return np.concatenate([[view.hemisphere], _bits(view.rows), _bits(view.columns)]).astype("<u4")


def decode_view(words: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """(hemisphere word, row mask, column mask) of a view's words."""
    words = np.ascontiguousarray(words, dtype="<u4")
    bits = np.unpackbits(words[1:].view(np.uint8), bitorder="little").astype(bool)
    return int(words[0]), bits[:LANES], bits[LANES:]
