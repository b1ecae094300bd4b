"""Synapse-array and synapse-driver containers (lola v3): whole rows and matrices of synapses as
numpy arrays, and a synapse driver block.

Row containers hold 256 values per field, indexed by synapse column (``SynapseOnSynapseRow``,
equal to the neuron column), matrix containers 256 x 256 values indexed ``[row][column]``
(``SynapseRowOnSynram``, ``SynapseOnSynapseRow``):

======================================  ======================================  ====================
container                               coordinate                              haldls quads written
======================================  ======================================  ====================
SynapseWeightRow (``values``)           SynapseWeightRowOnDLS                   SynapseWeightQuad
SynapseLabelRow (``values``)            SynapseLabelRowOnDLS                    SynapseLabelQuad
SynapseCorrelationCalibRow              SynapseCorrelationCalibRowOnDLS         SynapseCorrelationCalibQuad
SynapseRow                              SynapseRowOnDLS                         SynapseQuad
CorrelationResetRow (no fields)         CorrelationResetRowOnDLS (write-only)   CorrelationReset
SynapseWeightMatrix (``values``)        SynapseWeightMatrixOnDLS                SynapseWeightQuad
SynapseLabelMatrix (``values``)         SynapseLabelMatrixOnDLS                 SynapseLabelQuad
SynapseCorrelationCalibMatrix           SynapseCorrelationCalibMatrixOnDLS      SynapseCorrelationCalibQuad
SynapseMatrix                           SynapseMatrixOnDLS                      SynapseQuad
======================================  ======================================  ====================

``SynapseRow`` and ``SynapseMatrix`` have ``weights`` and ``labels`` (0..63) and ``time_calibs``
and ``amp_calibs`` (0..3); the correlation-calibration containers the last two; each field has
the name and the range of the field of the quad it is stored in.

**Wire mapping.** A row is 64 quads of four synapses; the quad columns are interleaved (halco): even
synapse columns live in quad columns 0..31, odd ones in 32..63, and synapse column ``s`` is entry
``(s // 2) % 4`` of quad column ``(s % 2) * 32 + s // 8``. Conversely entry ``e`` of quad column
``q`` holds column :data:`COLUMN_OF_QUAD_ENTRY` ``[q, e] = ((q % 32) * 4 + e) * 2 + q // 32``. A
write visits the quads in enum order (row by row, quad column 0..63 within a row; the quad enum on
the DLS is ``synram * 16384 + row * 64 + quad column``) and emits each quad's words in the quad's
own order, so a SynapseMatrix is 16384 SynapseQuads x 2 words = 32768 instructions, a
SynapseWeightRow 64, a CorrelationResetRow 64. Everything is computed with numpy on whole arrays
(``QuadType.encode_array``, ``decode_array``, ``addresses_array``), never per synapse.
``encode()`` gives the concatenated words of a write without addresses, ``decode()`` takes them, so
differential writes (``builder.write(coord, new, reference)``) emit only the changed quad words.

**Validation.** Array fields hold numpy ``int64`` arrays of exactly the container's shape. Assigning
a field (and constructing) accepts any integer array-like of that shape, checks shape, integer
dtype and range, raising :class:`~lola.errors.LolaValueError` (wrong shape, value out of range) or
:class:`~lola.errors.LolaTypeError` (not integer: float, bool, object), naming the field, the
offending index and value and the allowed range; it stores a copy (and ``copy.copy`` of a
container copies its arrays: containers are values, as in the C++ original). Element-wise assignment into
the stored array (``row.values[3] = 99``) is plain numpy and cannot be checked when it happens, so
:meth:`encode` (and hence every write) checks every field again and raises the same errors: nothing
out of range ever reaches the wire. (numpy itself truncates floats assigned into an int array.)

**Introspection.** ``schema()`` gives each array field as a :class:`haldls.FieldInfo` (type
``int``, the container's shape, the quad field's range), as every haldls and lola container
describes itself.

``SynapseDriverBlock`` (on ``SynapseDriverBlockOnDLS``) holds the 128 ``haldls.SynapseDriverConfig``
of one hemisphere, its ``haldls.CommonPADIBusConfig`` and its ``haldls.CommonSTPConfig``, declared
as parts (:mod:`lola._composite`; ``synapse_drivers`` is a :class:`haldls.FieldArray`); it writes
and reads the 128 driver configs (3 words each, driver 0 first), then the PADI bus config, then
the STP config: 386 words. The STP and Hagen-mode CapMem biases of the real container are CapMem
cells and not part of it here.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import attrs
import numpy as np

import halco
import haldls

from ._composite import Aggregate, Part
from .errors import LolaTypeError, LolaValueError

#: synapse columns (SynapseOnSynapseRow) of a row
N_COLUMNS = 256
#: synapse rows (SynapseRowOnSynram) of a synram
N_ROWS = 256
#: quad columns (SynapseQuadColumnOnDLS) of a row
N_QUAD_COLUMNS = 64
#: synapses of a quad (EntryOnQuad)
N_ENTRIES = 4

#: ``COLUMN_OF_QUAD_ENTRY[q, e]``: the synapse column stored in entry ``e`` of quad column ``q``
#: (halco's layout: even columns in quads 0..31, odd ones in 32..63)
COLUMN_OF_QUAD_ENTRY: np.ndarray = halco.enum_map(halco.SynapseQuadColumnOnDLS, halco.SynapseOnSynapseRow)


def columns_to_quads(values: np.ndarray) -> np.ndarray:
    """``values[..., 256]`` (by synapse column) -> ``[..., 64, 4]`` (by quad column and entry)."""
    return np.asarray(values)[..., COLUMN_OF_QUAD_ENTRY]


def quads_to_columns(quads: np.ndarray) -> np.ndarray:
    """Inverse of :func:`columns_to_quads`: ``[..., 64, 4]`` -> ``[..., 256]`` (int64)."""
    quads = np.asarray(quads)
    out = np.empty(quads.shape[:-2] + (N_COLUMNS,), dtype=np.int64)
    out[..., COLUMN_OF_QUAD_ENTRY] = quads
    return out


# -- array fields ---------------------------------------------------------------------------------

def _index(index: tuple[int, ...]) -> str:
    return ", ".join(str(i) for i in index)


def check_array(where: str, value: Any, shape: tuple[int, ...], maximum: int) -> np.ndarray:
    """``value`` as an array after checking shape, integer dtype and range [0, maximum]; raises
    LolaValueError / LolaTypeError naming ``where``, the offending index and value and the range.
    Returns the array itself (not a copy) when it already is one."""
    if isinstance(value, np.ndarray):
        arr = value
    else:
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError) as err:
            raise LolaValueError(
                f"{where} must be an integer array of shape {shape} with values in [0, {maximum}]; "
                f"{type(value).__name__} {_short(value)} is not an array: {err}"
            ) from None
    if arr.shape != shape:
        raise LolaValueError(
            f"{where} must have shape {shape} (values in [0, {maximum}]), got shape {arr.shape}"
        )
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise LolaTypeError(
            f"{where} must be an integer array (values in [0, {maximum}]), got dtype {arr.dtype}"
        )
    bad = (arr < 0) | (arr > maximum)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise LolaValueError(
            f"{where}[{_index(index)}] = {int(arr[index])} is out of range [0, {maximum}]"
        )
    return arr


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _convert_array(value: Any, instance: Any, field: attrs.Attribute) -> np.ndarray:
    cls = type(instance)
    arr = check_array(f"{cls.__name__}.{field.name}", value, cls.shape, cls.maximum(field.name))
    return np.array(arr, dtype=np.int64)  # always a copy


def _array(doc: str) -> Any:
    """An array field of a synapse container; shape and range come from the container type."""
    return attrs.field(
        default=attrs.Factory(lambda self: np.zeros(type(self).shape, dtype=np.int64), takes_self=True),
        converter=attrs.Converter(_convert_array, takes_self=True, takes_field=True),
        on_setattr=attrs.setters.convert,
        eq=attrs.cmp_using(eq=np.array_equal),
        metadata={"doc": doc},
    )


@functools.lru_cache(maxsize=None)
def _cached_addresses(container: type, enum_value: int) -> np.ndarray:
    out = container.quad_type.addresses_array(container.quad_enums(enum_value)).ravel()
    out.flags.writeable = False
    return out


class _SynapseArrayContainer(haldls.WordContainer):
    """Base of the row and matrix containers: everything follows from ``quad_type`` (the haldls
    quad written), ``shape`` ((256,) for a row, (256, 256) for a matrix) and the array fields,
    which carry the names of the quad's fields."""

    __slots__ = ()

    coordinate_type: ClassVar[type]
    quad_type: ClassVar[type[haldls.Container]]
    shape: ClassVar[tuple[int, ...]]
    #: quads written (64 per row)
    n_quads: ClassVar[int]
    #: words of a write: n_quads * quad_type.n_words
    n_words: ClassVar[int]
    readable: ClassVar[bool] = True
    writable: ClassVar[bool] = True
    differential_write: ClassVar[bool] = True
    is_block_until: ClassVar[bool] = False

    #: the array fields, in declaration order
    _names: ClassVar[tuple[str, ...]] = ()

    # -- structure ---------------------------------------------------------------------------
    @classmethod
    def schema(cls) -> dict[str, haldls.FieldInfo]:
        """Every array field with its shape and range (those of the quad field it is stored
        in), in declaration order."""
        docs = attrs.fields_dict(cls)
        return {name: haldls.FieldInfo(name, int, cls.shape, 0, cls.maximum(name), docs[name].metadata["doc"])
                for name in cls._names}

    @classmethod
    def maximum(cls, name: str) -> int:
        """Largest value of field ``name`` (that of the quad field it is stored in)."""
        return cls.quad_type.fields[name].maximum

    def __copy__(self) -> Any:
        """A copy with its own arrays (value semantics, as in the C++ original); not validated, so
        a container holding element-wise corrupted values copies as it is."""
        new = object.__new__(type(self))
        for name in self._names:
            object.__setattr__(new, name, np.array(getattr(self, name), copy=True))
        return new

    def check(self) -> None:
        """Check every field again (shape, dtype, range): element-wise assignments into the arrays
        are not validated when they happen. Raises LolaValueError / LolaTypeError."""
        for name in self._names:
            check_array(f"{type(self).__name__}.{name}", getattr(self, name), self.shape, self.maximum(name))

    @classmethod
    def strategy(cls):
        """A Hypothesis strategy drawing every field: sparse arrays (a fill value with some
        entries drawn, shrinkable) or dense random arrays (from a drawn seed), of varying
        integer dtypes."""
        from hypothesis import strategies as st
        from hypothesis.extra import numpy as hnp

        def field(maximum: int):
            dtype = st.sampled_from([np.uint8, np.int16, np.int64])
            sparse = hnp.arrays(dtype, cls.shape, elements=st.integers(0, maximum))
            dense = st.integers(0, 2**32 - 1).map(
                lambda seed: np.random.default_rng(seed).integers(0, maximum + 1, cls.shape))
            return st.one_of(sparse, dense)

        return st.builds(cls, **{name: field(cls.maximum(name)) for name in cls._names})

    # -- words ---------------------------------------------------------------------------------
    def encode(self) -> np.ndarray:
        """The words of a write (uint32, ``n_words``): quad by quad in enum order, each quad's
        words in its own order. Checks every field first (see :meth:`check`)."""
        self.check()
        values = {name: columns_to_quads(getattr(self, name)).reshape(self.n_quads, N_ENTRIES)
                  for name in self._names}
        return self.quad_type.encode_array(self.n_quads, **values).ravel()

    @classmethod
    def decode(cls, words: Any) -> Any:
        """The container whose :meth:`encode` gives ``words`` (``n_words`` words); unused bits
        are ignored."""
        arr = np.asarray(words)
        if arr.shape != (cls.n_words,):
            raise LolaValueError(f"{cls.__name__} decodes from {cls.n_words} words, got shape {arr.shape}")
        fields = cls.quad_type.decode_array(arr.reshape(cls.n_quads, cls.quad_type.n_words))
        quad_shape = cls.shape[:-1] + (N_QUAD_COLUMNS, N_ENTRIES)
        return cls(**{name: quads_to_columns(fields[name].reshape(quad_shape)) for name in cls._names})

    # -- container protocol (stadls): the rest comes from WordContainer ----------------------
    @classmethod
    def quad_enums(cls, enum_value: int) -> np.ndarray:
        """Enums of the quads (``quad_type.coordinate_type``) of the container at the coordinate
        with enum ``enum_value``, in write order: row enum * 64 + quad column for a row (the row
        enum is synram * 256 + row), synram * 16384 + row * 64 + quad column for a matrix."""
        return int(enum_value) * cls.n_quads + np.arange(cls.n_quads, dtype=np.int64)

    @classmethod
    def addresses(cls, coord: Any) -> np.ndarray:
        """The ``n_words`` word addresses at ``coord``, in write order (read-only uint32)."""
        cls.check_coordinate(coord)
        return _cached_addresses(cls, coord.to_enum())


def _synapse_container(coordinate: type, quad: type[haldls.Container], rows: int,
                       readable: bool = True, differential_write: bool = True):
    """Make a row (``rows=1``) or matrix (``rows=256``) container writing ``quad``s at
    ``coordinate``: attrs class with validating array fields, field list in the docstring."""

    def wrap(cls: type) -> type:
        cls.coordinate_type = coordinate
        cls.quad_type = quad
        cls.shape = (N_COLUMNS,) if rows == 1 else (rows, N_COLUMNS)
        cls.n_quads = rows * N_QUAD_COLUMNS
        cls.n_words = cls.n_quads * quad.n_words
        cls.readable = readable
        cls.differential_write = differential_write
        cls = attrs.define(cls, slots=True, eq=True, order=False)   # registers it
        names = cls._names = tuple(a.name for a in attrs.fields(cls))
        if set(names) != set(quad.fields):
            raise RuntimeError(f"{cls.__name__} fields {names} do not match {quad.__name__} {tuple(quad.fields)}")
        if names:
            axes = "[column]" if rows == 1 else "[row][column]"
            lines = [f"    {name}: int64 array of shape {cls.shape}, indexed {axes}, values in "
                     f"[0, {cls.maximum(name)}]. "
                     f"{attrs.fields_dict(cls)[name].metadata['doc']}" for name in names]
            cls.__doc__ = (cls.__doc__ or "").rstrip() + "\n\n    Fields:\n\n" + "\n".join(lines) + "\n"
        return cls

    return wrap


_WEIGHTS = "Synaptic weights (6 bit)."
_LABELS = "Labels compared with the low 6 bits of an event's label (6 bit)."
_TIME_CALIBS = "Calibration of the correlation sensors' time constant (2 bit)."
_AMP_CALIBS = "Calibration of the correlation sensors' amplitude (2 bit)."


# -- rows -------------------------------------------------------------------------------------------

@_synapse_container(halco.SynapseWeightRowOnDLS, haldls.SynapseWeightQuad, rows=1)
class SynapseWeightRow(_SynapseArrayContainer):
    """Weights of one synapse row (256 columns): 64 SynapseWeightQuad words."""

    values: np.ndarray = _array(_WEIGHTS)


@_synapse_container(halco.SynapseLabelRowOnDLS, haldls.SynapseLabelQuad, rows=1)
class SynapseLabelRow(_SynapseArrayContainer):
    """Labels of one synapse row (256 columns): 64 SynapseLabelQuad words."""

    values: np.ndarray = _array(_LABELS)


@_synapse_container(halco.SynapseCorrelationCalibRowOnDLS, haldls.SynapseCorrelationCalibQuad, rows=1)
class SynapseCorrelationCalibRow(_SynapseArrayContainer):
    """Correlation calibration of one synapse row: 64 SynapseCorrelationCalibQuads (128 words)."""

    time_calibs: np.ndarray = _array(_TIME_CALIBS)
    amp_calibs: np.ndarray = _array(_AMP_CALIBS)


@_synapse_container(halco.SynapseRowOnDLS, haldls.SynapseQuad, rows=1)
class SynapseRow(_SynapseArrayContainer):
    """Everything stored in one synapse row: 64 SynapseQuads (128 words)."""

    weights: np.ndarray = _array(_WEIGHTS)
    labels: np.ndarray = _array(_LABELS)
    time_calibs: np.ndarray = _array(_TIME_CALIBS)
    amp_calibs: np.ndarray = _array(_AMP_CALIBS)


@_synapse_container(halco.CorrelationResetRowOnDLS, haldls.CorrelationReset, rows=1,
                    readable=False, differential_write=False)
class CorrelationResetRow(_SynapseArrayContainer):
    """Trigger: reset the correlation sensors of all 256 synapses of a row (64 CorrelationReset
    words). Write-only; no fields; never written differentially (a trigger always fires)."""


# -- matrices ---------------------------------------------------------------------------------------

@_synapse_container(halco.SynapseWeightMatrixOnDLS, haldls.SynapseWeightQuad, rows=N_ROWS)
class SynapseWeightMatrix(_SynapseArrayContainer):
    """Weights of a whole synram, [row][column]: 16384 SynapseWeightQuad words."""

    values: np.ndarray = _array(_WEIGHTS)


@_synapse_container(halco.SynapseLabelMatrixOnDLS, haldls.SynapseLabelQuad, rows=N_ROWS)
class SynapseLabelMatrix(_SynapseArrayContainer):
    """Labels of a whole synram, [row][column]: 16384 SynapseLabelQuad words."""

    values: np.ndarray = _array(_LABELS)


@_synapse_container(halco.SynapseCorrelationCalibMatrixOnDLS, haldls.SynapseCorrelationCalibQuad, rows=N_ROWS)
class SynapseCorrelationCalibMatrix(_SynapseArrayContainer):
    """Correlation calibration of a whole synram, [row][column]: 16384 quads (32768 words)."""

    time_calibs: np.ndarray = _array(_TIME_CALIBS)
    amp_calibs: np.ndarray = _array(_AMP_CALIBS)


@_synapse_container(halco.SynapseMatrixOnDLS, haldls.SynapseQuad, rows=N_ROWS)
class SynapseMatrix(_SynapseArrayContainer):
    """Everything stored in a synram, [row][column]: 16384 SynapseQuads (32768 words)."""

    weights: np.ndarray = _array(_WEIGHTS)
    labels: np.ndarray = _array(_LABELS)
    time_calibs: np.ndarray = _array(_TIME_CALIBS)
    amp_calibs: np.ndarray = _array(_AMP_CALIBS)


#: every row and matrix container
SYNAPSE_ARRAY_CONTAINERS: tuple[type, ...] = (
    SynapseWeightRow, SynapseLabelRow, SynapseCorrelationCalibRow, SynapseRow, CorrelationResetRow,
    SynapseWeightMatrix, SynapseLabelMatrix, SynapseCorrelationCalibMatrix, SynapseMatrix,
)


# -- synapse drivers --------------------------------------------------------------------------------

#: synapse drivers of a block (SynapseDriverOnSynapseDriverBlock)
N_DRIVERS = halco.SynapseDriverOnSynapseDriverBlock.size


class SynapseDriverBlock(Aggregate, coordinate=halco.SynapseDriverBlockOnDLS, differential_write=True):
    """The synapse drivers of one hemisphere, at a ``halco.SynapseDriverBlockOnDLS``; driver d
    feeds rows 2d+1 (top) and 2d.

    Assigning a part checks its type and the driver count (LolaTypeError, naming the part and
    the driver) and stores copies; the configs themselves validate their own fields. A write is
    the 128 driver configs (vectorized through ``SynapseDriverConfig.encode_array``), then
    ``padi_bus``, then ``stp``: 386 words; it reads back the same way. It is one container on the
    wire and in a ``Chip``'s leaves.
    """

    synapse_drivers = Part(haldls.SynapseDriverConfig, halco.SynapseDriverOnDLS, N_DRIVERS, copy=True,
                           doc="Indexed by SynapseDriverOnSynapseDriverBlock.")
    padi_bus = Part(haldls.CommonPADIBusConfig, halco.CommonPADIBusConfigOnDLS, copy=True,
                    doc="The hemisphere's four PADI buses.")
    stp = Part(haldls.CommonSTPConfig, halco.CommonSTPConfigOnDLS, copy=True,
               doc="The short-term plasticity recovery clock.")


__all__ = [
    "COLUMN_OF_QUAD_ENTRY", "CorrelationResetRow", "SYNAPSE_ARRAY_CONTAINERS", "SynapseCorrelationCalibMatrix",
    "SynapseCorrelationCalibRow", "SynapseDriverBlock", "SynapseLabelMatrix",
    "SynapseLabelRow", "SynapseMatrix", "SynapseRow", "SynapseWeightMatrix", "SynapseWeightRow",
    "check_array", "columns_to_quads", "quads_to_columns",
]
