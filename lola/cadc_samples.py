"""CADC sample containers (lola v3): the causal and acausal samples of a synapse row
(``CADCSampleRow``) or of both synrams at once (``CADCSamples``), read-only.

==================  ==================  =================================  =====================
container           coordinate          fields (8-bit codes, 0..255)       CADCSampleQuads read
==================  ==================  =================================  =====================
CADCSampleRow       CADCSampleRowOnDLS  ``causal``, ``acausal``: [column]  128 (one row)
CADCSamples         CADCSamplesOnDLS    ``causal``, ``acausal``:           256 (row 0 of each
                                        [synram][column]                   synram)
==================  ==================  =================================  =====================

Fields are indexed by synapse column (``SynapseOnSynapseRow``, equal to the neuron and CADC
channel column), as the real lola's arrays; ``CADCSamples`` first by ``SynramOnDLS`` (0 top, 1
bottom).

**Reading.** The CADC converts every channel of a synram (both channel types, all 256 columns)
when a quad of it is read *triggered*; a *buffered* read returns the last conversion. A read
therefore triggers one quad and reads the others buffered, in the order of the real lola (the
**read plan**, declared once per container below, from which addresses, words and decoding
follow): ``CADCSampleRow`` triggers causal quad column 0 of its row, then reads causal quad
columns 1..63 and acausal 0..63 buffered; ``CADCSamples`` triggers causal quad column 0 of row 0
in the top synram, then in the bottom one, then reads the rest buffered, top causal, top
acausal, bottom causal, bottom acausal. The samples of a read are thus one conversion, taken at
the trigger.

**Not writable.** The containers are what a read returns: writing one raises
:class:`haldls.errors.AccessError` (read-only). ``encode()`` gives the words a read returns (in
read order), ``decode()`` takes them, so a container round-trips through its words. Fields are
checked as those of the synapse rows (:func:`lola.synapse.check_array`): shape, integer dtype and
range 0..255, :class:`~lola.errors.LolaValueError` / :class:`~lola.errors.LolaTypeError` naming
the field, the index and the value.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import attrs
import numpy as np

import halco
import haldls

from .errors import LolaValueError
from .synapse import (N_COLUMNS, N_ENTRIES, N_QUAD_COLUMNS, _array, _SynapseArrayContainer, columns_to_quads,
                      quads_to_columns)

_CAUSAL = int(halco.CADCChannelType.causal)
_ACAUSAL = int(halco.CADCChannelType.acausal)
_TRIGGER = int(halco.CADCReadoutType.trigger_read)
_BUFFERED = int(halco.CADCReadoutType.buffered)
_ALL = tuple(range(N_QUAD_COLUMNS))

#: a read plan: ``(channel type, readout type, synram, quad columns)`` steps in read order; the
#: synram is the index into the fields' leading axis (None: the row's own synram, a row
#: container's fields having no synram axis)
_Plan = tuple[tuple[int, int, Any, tuple[int, ...]], ...]

_ROW_PLAN: _Plan = (
    (_CAUSAL, _TRIGGER, None, (0,)),
    (_CAUSAL, _BUFFERED, None, _ALL[1:]),
    (_ACAUSAL, _BUFFERED, None, _ALL),
)
_SAMPLES_PLAN: _Plan = (
    (_CAUSAL, _TRIGGER, 0, (0,)),
    (_CAUSAL, _TRIGGER, 1, (0,)),
    (_CAUSAL, _BUFFERED, 0, _ALL[1:]),
    (_ACAUSAL, _BUFFERED, 0, _ALL),
    (_CAUSAL, _BUFFERED, 1, _ALL[1:]),
    (_ACAUSAL, _BUFFERED, 1, _ALL),
)

_CAUSAL_DOC = "Samples of the causal channels (8 bit)."
_ACAUSAL_DOC = "Samples of the acausal channels (8 bit)."


class _CADCSampleContainer(_SynapseArrayContainer):
    """Base of the sample containers: fields ``causal`` and ``acausal`` of ``shape``, read by the
    class's read plan (arrays ``_channel``, ``_readout``, ``_synram``, ``_quad_column``, one entry
    per CADCSampleQuad read)."""

    __slots__ = ()

    quad_type = haldls.CADCSampleQuad
    readable = True
    writable = False
    differential_write = False
    _channel: ClassVar[np.ndarray]
    _readout: ClassVar[np.ndarray]
    _synram: ClassVar[np.ndarray]
    _quad_column: ClassVar[np.ndarray]

    @classmethod
    def maximum(cls, name: str) -> int:
        """Largest sample value: that of a CADCSampleQuad sample (255)."""
        return cls.quad_type.fields["samples"].maximum

    @classmethod
    def _by_quad(cls, causal: np.ndarray, acausal: np.ndarray) -> np.ndarray:
        """[channel type, synram, quad column, entry] of the two fields."""
        return columns_to_quads(np.stack([causal, acausal]).reshape(2, -1, N_COLUMNS))

    def encode(self) -> np.ndarray:
        """The words a read returns (uint32, ``n_words``), one per quad in read order. Checks
        every field first (see :meth:`check`)."""
        self.check()
        quads = self._by_quad(self.causal, self.acausal)
        samples = quads[self._channel, self._synram, self._quad_column]
        return self.quad_type.encode_array(self.n_quads, samples=samples).ravel()

    @classmethod
    def decode(cls, words: Any) -> Any:
        """The container whose :meth:`encode` gives ``words`` (``n_words`` words, read order)."""
        arr = np.asarray(words)
        if arr.shape != (cls.n_words,):
            raise LolaValueError(f"{cls.__name__} decodes from {cls.n_words} words, got shape {arr.shape}")
        samples = cls.quad_type.decode_array(arr.reshape(cls.n_quads, 1))["samples"]
        quads = np.zeros((2, cls._synram.max() + 1, N_QUAD_COLUMNS, N_ENTRIES), dtype=np.int64)
        quads[cls._channel, cls._synram, cls._quad_column] = samples
        causal, acausal = quads_to_columns(quads)
        return cls(causal=causal.reshape(cls.shape), acausal=acausal.reshape(cls.shape))

    @classmethod
    def quad_enums(cls, enum_value: int) -> np.ndarray:
        """CADCSampleQuadOnDLS enums of the reads at the coordinate of enum ``enum_value``, in
        read order."""
        return _quad_enums(cls, int(enum_value))


@functools.lru_cache(maxsize=None)
def _quad_enums(container: type, enum_value: int) -> np.ndarray:
    coord = container.coordinate_type.from_enum(enum_value)
    if container.shape == (N_COLUMNS,):                  # a row: its own synram and row
        own_synram, row = coord.to_synram_on_dls().value(), coord.to_synapse_row_on_synram()
    else:                                                # both synrams, row 0 (as the real one)
        own_synram, row = None, halco.SynapseRowOnSynram(0)
    out = [halco.CADCSampleQuadOnDLS.of(halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(q), row),
                                        c, r, own_synram if own_synram is not None else s).to_enum()
           for c, r, s, q in zip(container._channel, container._readout, container._synram,
                                 container._quad_column)]
    found = np.array(out, dtype=np.int64)
    found.flags.writeable = False
    return found


def _sample_container(coordinate: type, plan: _Plan, shape: tuple[int, ...]):
    """Make a sample container at ``coordinate`` reading by ``plan``, fields of ``shape``."""

    def wrap(cls: type) -> type:
        steps = [(c, r, 0 if s is None else s, q) for c, r, s, qs in plan for q in qs]
        cls._channel, cls._readout, cls._synram, cls._quad_column = (
            np.array(column, dtype=np.int64) for column in zip(*steps))
        n_synrams = 1 if len(shape) == 1 else shape[0]
        # the plan must read every quad of every field once, and trigger before any buffered read
        covered = {(c, s, q) for c, _, s, q in steps}
        if len(steps) != len(covered) or len(covered) != 2 * n_synrams * N_QUAD_COLUMNS:
            raise RuntimeError(f"{cls.__name__}: the read plan does not read each quad once")
        if cls._readout[0] != _TRIGGER:
            raise RuntimeError(f"{cls.__name__}: the read plan must start with a triggered read")
        cls.coordinate_type = coordinate
        cls.shape = shape
        cls.n_quads = len(steps)
        cls.n_words = cls.n_quads * cls.quad_type.n_words
        cls = attrs.define(cls, slots=True, eq=True, order=False)   # registers it
        cls._names = tuple(a.name for a in attrs.fields(cls))
        axes = "[column]" if len(shape) == 1 else "[synram][column]"
        lines = [f"    {a.name}: int64 array of shape {shape}, indexed {axes}, values in "
                 f"[0, {cls.maximum(a.name)}]. {a.metadata['doc']}" for a in attrs.fields(cls)]
        cls.__doc__ = (cls.__doc__ or "").rstrip() + "\n\n    Fields:\n\n" + "\n".join(lines) + "\n"
        return cls

    return wrap


@_sample_container(halco.CADCSampleRowOnDLS, _ROW_PLAN, (N_COLUMNS,))
class CADCSampleRow(_CADCSampleContainer):
    """The causal and acausal CADC samples of one synapse row (256 columns), read-only: one
    triggered and 127 buffered CADCSampleQuad reads."""

    causal: np.ndarray = _array(_CAUSAL_DOC)
    acausal: np.ndarray = _array(_ACAUSAL_DOC)


@_sample_container(halco.CADCSamplesOnDLS, _SAMPLES_PLAN, (halco.SynramOnDLS.size, N_COLUMNS))
class CADCSamples(_CADCSampleContainer):
    """The causal and acausal CADC samples of both synrams (row 0 of each), read-only: two
    triggered and 254 buffered CADCSampleQuad reads."""

    causal: np.ndarray = _array(_CAUSAL_DOC)
    acausal: np.ndarray = _array(_ACAUSAL_DOC)


__all__ = ["CADCSampleRow", "CADCSamples"]
