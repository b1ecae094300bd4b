"""Views of a synapse array: which rows and columns of one synram, with weights and labels."""

from __future__ import annotations

import attrs
import numpy as np

import halco
import lola
from ...errors import InvalidVertexError
from ..port import ConnectionType, Port, PortRestriction
from .base import EntityOnChip, Vertex, chip_field
from .routing import SynapseDriver

#: one synapse of a sparse view: label, weight and its row and column indices into the view
SPARSE_SYNAPSE_DTYPE = np.dtype([("label", np.int64), ("weight", np.int64),
                                 ("index_row", np.int64), ("index_column", np.int64)])


def _indices(values: object) -> np.ndarray:
    arr = np.asarray(values, dtype=np.int64).reshape(-1)
    if len(np.unique(arr)) != len(arr):
        raise InvalidVertexError("rows and columns of a synapse view must be unique")
    if arr.size and (arr.min() < 0 or arr.max() > 255):
        raise InvalidVertexError("rows and columns of a synapse view lie in 0..255")
    return arr


def _synram(value: object) -> halco.SynramOnDLS:
    return value if isinstance(value, halco.SynramOnDLS) else halco.SynramOnDLS(value)


class _SynapseView(EntityOnChip):
    """What both views share: ``synram``, ``rows`` and ``columns`` (unique, 0..255)."""

    synram: halco.SynramOnDLS
    rows: np.ndarray
    columns: np.ndarray

    def drivers(self) -> np.ndarray:
        """SynapseDriverOnDLS enums feeding the rows, one input port each, in order of first
        appearance."""
        local = self.rows // 2
        _, first = np.unique(local, return_index=True)
        return local[np.sort(first)] + self.synram.value() * halco.SynapseDriverOnSynapseDriverBlock.size

    def inputs(self) -> tuple[Port, ...]:
        return tuple(Port(1, ConnectionType.SynapseInputLabel) for _ in self.drivers())

    def output(self) -> Port:
        return Port(len(self.columns), ConnectionType.SynapticInput)

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        if isinstance(source, SynapseDriver):
            expected = int(self.drivers()[index])
            if source.coordinate.to_enum() != expected:
                return (f"input {index} of the synapse view is synapse driver {expected} (its rows "
                        f"{sorted(set(self.rows.tolist()) & {2 * (expected % 128), 2 * (expected % 128) + 1})}), "
                        f"not driver {source.coordinate.to_enum()}")
        return None


@attrs.frozen(eq=False)
class SynapseArrayView(_SynapseView):
    """A dense view: ``weights`` and ``labels`` [rows, columns] (0..63)."""

    synram: halco.SynramOnDLS = attrs.field(converter=_synram)
    rows: np.ndarray = attrs.field(converter=_indices)
    columns: np.ndarray = attrs.field(converter=_indices)
    weights: np.ndarray = attrs.field(converter=lambda w: np.asarray(w, dtype=np.int64))
    labels: np.ndarray = attrs.field(converter=lambda w: np.asarray(w, dtype=np.int64))
    chip_on_executor: int = chip_field()

    def __attrs_post_init__(self) -> None:
        shape = (len(self.rows), len(self.columns))
        for name in ("weights", "labels"):
            values = getattr(self, name)
            if values.shape != shape:
                raise InvalidVertexError(f"SynapseArrayView.{name} must have shape {shape} (rows, columns), "
                                 f"not {values.shape}")
            if values.size and (values.min() < 0 or values.max() > 63):
                raise InvalidVertexError(f"SynapseArrayView.{name} lie in 0..63")

    def apply_config(self, chip: lola.Chip) -> None:
        matrix = chip.synapse_matrices[self.synram.value()]
        weights, labels = matrix.weights.copy(), matrix.labels.copy()
        weights[np.ix_(self.rows, self.columns)] = self.weights
        labels[np.ix_(self.rows, self.columns)] = self.labels
        matrix.weights, matrix.labels = weights, labels


@attrs.frozen(eq=False)
class SynapseArrayViewSparse(_SynapseView):
    """A sparse view: ``synapses`` (:data:`SPARSE_SYNAPSE_DTYPE`), each at
    ``(rows[index_row], columns[index_column])``, positions unique."""

    synram: halco.SynramOnDLS = attrs.field(converter=_synram)
    rows: np.ndarray = attrs.field(converter=_indices)
    columns: np.ndarray = attrs.field(converter=_indices)
    synapses: np.ndarray = attrs.field(converter=lambda s: np.asarray(s, dtype=SPARSE_SYNAPSE_DTYPE))
    chip_on_executor: int = chip_field()

    def __attrs_post_init__(self) -> None:
        s = self.synapses
        if len(s) == 0:
            return
        if s["index_row"].min() < 0 or s["index_row"].max() >= len(self.rows) or \
                s["index_column"].min() < 0 or s["index_column"].max() >= len(self.columns):
            raise InvalidVertexError("a synapse of a sparse view indexes outside its rows or columns")
        for name in ("weight", "label"):
            if s[name].min() < 0 or s[name].max() > 63:
                raise InvalidVertexError(f"SynapseArrayViewSparse synapse {name}s lie in 0..63")
        flat = s["index_row"] * len(self.columns) + s["index_column"]
        if len(np.unique(flat)) != len(flat):
            raise InvalidVertexError("two synapses of a sparse view sit at one position")

    def apply_config(self, chip: lola.Chip) -> None:
        matrix = chip.synapse_matrices[self.synram.value()]
        weights, labels = matrix.weights.copy(), matrix.labels.copy()
        r, c = self.rows[self.synapses["index_row"]], self.columns[self.synapses["index_column"]]
        weights[r, c] = self.synapses["weight"]
        labels[r, c] = self.synapses["label"]
        matrix.weights, matrix.labels = weights, labels
