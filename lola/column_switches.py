"""Column-switch rows (lola v3): the switches of all 256 synapse columns of a hemisphere.

=====================  =========================  ===========================================
container              coordinate                 ``values``: 256 of (quads written)
=====================  =========================  ===========================================
ColumnCorrelationRow   ColumnCorrelationRowOnDLS  ``haldls.ColumnCorrelationQuad.
                                                  ColumnCorrelationSwitch`` (64
                                                  ColumnCorrelationQuads, 256 words)
ColumnCurrentRow       ColumnCurrentRowOnDLS      ``haldls.ColumnCurrentQuad.ColumnCurrentSwitch``
                                                  (64 ColumnCurrentQuads, 128 words)
=====================  =========================  ===========================================

``values`` is indexed by synapse column (``SynapseOnSynapseRow`` or an int 0..255), as the real
lola's ``typed_heap_array``; it is a :class:`haldls.FieldArray` of exactly 256 switch values (frozen
attrs values: change a column by assigning a new one, ``row.values[3] =
ColumnCurrentSwitch(enable_synaptic_current_excitatory=True)``). Assigning the field or an entry
checks the type (:class:`~lola.errors.LolaTypeError` naming the container, the field, the index
and the expected type) and the size.

**Wire mapping.** Column ``s`` is entry ``(s // 2) % 4`` of quad column ``(s % 2) * 32 + s // 8``
(halco's interleaved layout, :data:`lola.synapse.COLUMN_OF_QUAD_ENTRY`); a write emits the 64
quads of the hemisphere in quad-column order, each quad's words in its own order, computed with
numpy per switch field (``encode_array`` / ``decode_array``). Writes may be differential
(``builder.write(coord, new, reference)``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np

import halco
import haldls
from haldls import FieldArray

from .errors import LolaTypeError, LolaValueError
from .synapse import N_COLUMNS, N_QUAD_COLUMNS, columns_to_quads, quads_to_columns


class _Switches:
    """The entries of a row's ``values`` (haldls.FieldArray's entry protocol): ``count``
    switch values of ``switch_type``."""

    type_error = LolaTypeError

    def __init__(self, owner: str, switch_type: type) -> None:
        self.owner = owner
        self.name = "values"
        self.count = N_COLUMNS
        self.switch_type = switch_type
        self.entries = f"haldls.{switch_type.__qualname__}"

    def validate_entry(self, index: int, value: Any) -> Any:
        if not isinstance(value, self.switch_type):
            raise LolaTypeError(f"{self.owner}.values[{index}] must be a {self.entries}, got "
                                f"{type(value).__qualname__} {value!r:.60}")
        return value            # frozen: stored as it is

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by reference: the row type's own entry spec."""
        return (_switches_of, (self.owner,))


def _switches_of(owner: str) -> _Switches:
    return {c.__name__: c._entries for c in COLUMN_SWITCH_ROWS}[owner]


def _convert_values(value: Any, instance: Any) -> FieldArray:
    return FieldArray(type(instance)._entries, value)


class _ColumnSwitchRow(haldls.WordContainer):
    """Base of the switch rows: everything follows from ``quad_type`` (a haldls quad with
    ``switch_type`` and one bool array of four entries per switch field)."""

    __slots__ = ()

    coordinate_type: ClassVar[type]
    quad_type: ClassVar[type[haldls.Container]]
    switch_type: ClassVar[type]
    _entries: ClassVar[_Switches]
    n_quads: ClassVar[int] = N_QUAD_COLUMNS
    n_words: ClassVar[int]
    readable: ClassVar[bool] = True
    writable: ClassVar[bool] = True
    differential_write: ClassVar[bool] = True

    @classmethod
    def schema(cls) -> dict[str, haldls.FieldInfo]:
        """``values``: 256 switch values, indexed by SynapseOnSynapseRow."""
        return {"values": haldls.FieldInfo("values", cls.switch_type, (N_COLUMNS,),
                                           doc="The switches of each column, by SynapseOnSynapseRow.")}

    def __copy__(self) -> Any:
        """A copy with its own list (value semantics; the switch values are frozen)."""
        new = object.__new__(type(self))
        object.__setattr__(new, "values", FieldArray._unchecked(self._entries, list(self.values)))
        return new

    def check(self) -> None:
        """Check ``values`` again (``list`` methods such as ``sort`` bypass item assignment):
        LolaTypeError if it is no longer a list of 256 switch values."""
        if not isinstance(self.values, FieldArray):
            raise LolaTypeError(f"{type(self).__name__}.values must be a list of {N_COLUMNS} "
                                f"{self._entries.entries}, got {type(self.values).__name__}")
        self.values.check()

    @classmethod
    def strategy(cls):
        """A Hypothesis strategy: a drawn fill value with some columns drawn otherwise
        (shrinkable), or every column drawn from a seed."""
        from hypothesis import strategies as st

        names = [f.name for f in attrs.fields(cls.switch_type)]
        switch = st.builds(cls.switch_type, **{n: st.booleans() for n in names})

        def sparse(fill: Any, changes: dict[int, Any]) -> Any:
            values = [fill] * N_COLUMNS
            for i, v in changes.items():
                values[i] = v
            return cls(values=values)

        def dense(seed: int) -> Any:
            bits = np.random.default_rng(seed).integers(0, 2, (N_COLUMNS, len(names))).astype(bool)
            return cls(values=[cls.switch_type(**dict(zip(names, map(bool, b)))) for b in bits])

        return st.one_of(
            st.builds(sparse, switch, st.dictionaries(st.integers(0, N_COLUMNS - 1), switch, max_size=8)),
            st.integers(0, 2**32 - 1).map(dense))

    # -- words ---------------------------------------------------------------------------------
    def encode(self) -> np.ndarray:
        """The words of a write (uint32, ``n_words``): quad column 0..63, each quad's words in
        its own order. Checks ``values`` first (see :meth:`check`)."""
        self.check()
        fields = {f.name: columns_to_quads(np.fromiter((getattr(v, f.name) for v in self.values),
                                                       dtype=bool, count=N_COLUMNS))
                  for f in attrs.fields(self.switch_type)}
        return self.quad_type.encode_array(self.n_quads, **fields).ravel()

    @classmethod
    def decode(cls, words: Any) -> Any:
        """The row whose :meth:`encode` gives ``words`` (``n_words`` words); unused bits are
        ignored."""
        arr = np.asarray(words)
        if arr.shape != (cls.n_words,):
            raise LolaValueError(f"{cls.__name__} decodes from {cls.n_words} words, got shape {arr.shape}")
        fields = cls.quad_type.decode_array(arr.reshape(cls.n_quads, cls.quad_type.n_words))
        names = [f.name for f in attrs.fields(cls.switch_type)]
        columns = np.stack([quads_to_columns(fields[n]).astype(bool) for n in names], axis=1)
        values = [cls.switch_type(**dict(zip(names, map(bool, c)))) for c in columns]
        out = object.__new__(cls)
        object.__setattr__(out, "values", FieldArray._unchecked(cls._entries, values))
        return out

    @classmethod
    def addresses(cls, coord: Any) -> np.ndarray:
        """The ``n_words`` word addresses at ``coord`` (the hemisphere's 64 quads in quad-column
        order), read-only uint32."""
        cls.check_coordinate(coord)
        return _addresses(cls, coord.to_enum())


_ADDRESSES: dict[tuple[type, int], np.ndarray] = {}


def _addresses(cls: type, hemisphere: int) -> np.ndarray:
    found = _ADDRESSES.get((cls, hemisphere))
    if found is None:
        # the quads of a hemisphere: ColumnXQuadOnDLS enum = synram * 64 + quad column
        enums = hemisphere * N_QUAD_COLUMNS + np.arange(N_QUAD_COLUMNS, dtype=np.int64)
        found = cls.quad_type.addresses_array(enums).ravel()
        found.flags.writeable = False
        _ADDRESSES[(cls, hemisphere)] = found
    return found


def _switch_row(coordinate: type, quad: type[haldls.Container]):
    """Make a switch row writing the 64 ``quad``s of a hemisphere at ``coordinate``."""

    def wrap(cls: type) -> type:
        if quad.coordinate_type.size != coordinate.size * N_QUAD_COLUMNS:
            raise RuntimeError(f"{cls.__name__}: {quad.__name__} is not 64 quads per hemisphere")
        cls.coordinate_type = coordinate
        cls.quad_type = quad
        cls.switch_type = quad.switch_type
        cls.n_words = N_QUAD_COLUMNS * quad.n_words
        cls._entries = _Switches(cls.__name__, quad.switch_type)
        cls = attrs.define(cls, slots=True, eq=True, order=False)   # registers it
        return cls

    return wrap


def _default_values(self: Any) -> FieldArray:
    return FieldArray._unchecked(type(self)._entries, [type(self).switch_type()] * N_COLUMNS)


def _values() -> Any:
    return attrs.field(default=attrs.Factory(_default_values, takes_self=True),
                       converter=attrs.Converter(_convert_values, takes_self=True),
                       on_setattr=attrs.setters.convert)


@_switch_row(halco.ColumnCorrelationRowOnDLS, haldls.ColumnCorrelationQuad)
class ColumnCorrelationRow(_ColumnSwitchRow):
    """The correlation switches of the 256 columns of a hemisphere (each a
    ``haldls.ColumnCorrelationQuad.ColumnCorrelationSwitch``, all off by default): 64
    ColumnCorrelationQuads, 256 words."""

    values: FieldArray = _values()


@_switch_row(halco.ColumnCurrentRowOnDLS, haldls.ColumnCurrentQuad)
class ColumnCurrentRow(_ColumnSwitchRow):
    """The synaptic-current switches of the 256 columns of a hemisphere (each a
    ``haldls.ColumnCurrentQuad.ColumnCurrentSwitch``, all off by default): 64 ColumnCurrentQuads,
    128 words."""

    values: FieldArray = _values()


#: both switch rows
COLUMN_SWITCH_ROWS: tuple[type, ...] = (ColumnCorrelationRow, ColumnCurrentRow)

__all__ = ["COLUMN_SWITCH_ROWS", "ColumnCorrelationRow", "ColumnCurrentRow"]
