"""Logical (multi-compartment) neuron coordinates: a pattern of atomic neurons and its placement.

A :class:`LogicalNeuronCompartments` maps each compartment to the atomic neurons (positions in a
128 x 2 pattern grid) it consists of. A :class:`LogicalNeuronOnDLS` places that pattern on the chip
so that its top-left corner (left-most column, top-most row) sits on an anchor neuron. A placement
must stay on the grid and must not straddle the column 127/128 boundary, where the two neuron
backend blocks meet and no connection switch exists.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .errors import CoordinateTypeError, InvalidCoordinateError, OutOfRangeError
from .hemisphere import NeuronRowOnDLS
from .neuron import (
    AtomicNeuronOnDLS, AtomicNeuronOnLogicalNeuron, CompartmentOnLogicalNeuron, NeuronColumnOnDLS,
    NeuronColumnOnLogicalNeuron, NeuronRowOnLogicalNeuron,
)


def _as_compartment(c: object) -> CompartmentOnLogicalNeuron:
    return c if isinstance(c, CompartmentOnLogicalNeuron) else CompartmentOnLogicalNeuron(c)  # type: ignore[arg-type]


class LogicalNeuronCompartments:
    """Compartment -> list of AtomicNeuronOnLogicalNeuron. No atomic neuron may appear twice."""

    __slots__ = ("_compartments",)

    def __init__(
        self, compartments: Mapping[object, Iterable[AtomicNeuronOnLogicalNeuron]] | None = None
    ) -> None:
        result: dict[CompartmentOnLogicalNeuron, tuple[AtomicNeuronOnLogicalNeuron, ...]] = {}
        seen: dict[AtomicNeuronOnLogicalNeuron, CompartmentOnLogicalNeuron] = {}
        if compartments is not None and not isinstance(compartments, Mapping):
            raise CoordinateTypeError(
                f"LogicalNeuronCompartments takes a mapping compartment -> atomic neurons, not "
                f"{type(compartments).__name__}")
        for key, neurons in (compartments or {}).items():
            comp = _as_compartment(key)
            if comp in result:
                raise InvalidCoordinateError(
                    f"LogicalNeuronCompartments: compartment {comp.value()} is given twice "
                    f"(as {key!r} and an equal key)")
            if isinstance(neurons, (str, bytes)) or not isinstance(neurons, Iterable):
                raise CoordinateTypeError(
                    f"LogicalNeuronCompartments: compartment {comp.value()} needs a sequence of "
                    f"AtomicNeuronOnLogicalNeuron, not {type(neurons).__name__}")
            neurons = tuple(neurons)
            for n in neurons:
                if not isinstance(n, AtomicNeuronOnLogicalNeuron):
                    raise CoordinateTypeError(
                        f"LogicalNeuronCompartments: compartment {comp.value()} lists "
                        f"{type(n).__name__}, expected AtomicNeuronOnLogicalNeuron"
                    )
                if n in seen:
                    raise InvalidCoordinateError(
                        f"LogicalNeuronCompartments: {n!r} appears twice (compartments "
                        f"{seen[n].value()} and {comp.value()})"
                    )
                seen[n] = comp
            result[comp] = neurons
        self._compartments = dict(sorted(result.items()))

    def get_compartments(self) -> dict[CompartmentOnLogicalNeuron, tuple[AtomicNeuronOnLogicalNeuron, ...]]:
        return dict(self._compartments)

    def _all(self) -> list[AtomicNeuronOnLogicalNeuron]:
        return [n for ns in self._compartments.values() for n in ns]

    def _require_nonempty(self, what: str) -> list[AtomicNeuronOnLogicalNeuron]:
        neurons = self._all()
        if not neurons:
            raise InvalidCoordinateError(f"LogicalNeuronCompartments.{what}: no atomic neurons")
        return neurons

    def get_left_most_column(self) -> NeuronColumnOnLogicalNeuron:
        return min(n.x for n in self._require_nonempty("get_left_most_column"))

    def get_right_most_column(self) -> NeuronColumnOnLogicalNeuron:
        return max(n.x for n in self._require_nonempty("get_right_most_column"))

    def get_top_most_row(self) -> NeuronRowOnLogicalNeuron:
        return min(n.y for n in self._require_nonempty("get_top_most_row"))

    def get_bottom_most_row(self) -> NeuronRowOnLogicalNeuron:
        return max(n.y for n in self._require_nonempty("get_bottom_most_row"))

    def _mapped(self, f) -> "LogicalNeuronCompartments":
        return LogicalNeuronCompartments({c: [f(n) for n in ns] for c, ns in self._compartments.items()})

    def flip_x(self) -> "LogicalNeuronCompartments":
        """Mirror columns about the pattern's centre (x -> left + right - x)."""
        s = self.get_left_most_column().value() + self.get_right_most_column().value()
        return self._mapped(lambda n: AtomicNeuronOnLogicalNeuron(
            NeuronColumnOnLogicalNeuron(s - n.x.value()), n.y))

    def flip_y(self) -> "LogicalNeuronCompartments":
        """Mirror rows about the pattern's centre (y -> top + bottom - y)."""
        s = self.get_top_most_row().value() + self.get_bottom_most_row().value()
        return self._mapped(lambda n: AtomicNeuronOnLogicalNeuron(
            n.x, NeuronRowOnLogicalNeuron(s - n.y.value())))

    def __len__(self) -> int:
        return len(self._compartments)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LogicalNeuronCompartments):
            return NotImplemented
        return self._key() == other._key()

    def _key(self) -> tuple:
        return tuple((c._enum, tuple(sorted(n._enum for n in ns))) for c, ns in self._compartments.items())

    def __hash__(self) -> int:
        return hash(("LogicalNeuronCompartments", self._key()))

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{c.value()}: [" + ", ".join(f"({n.x.value()},{n.y.value()})" for n in ns) + "]"
            for c, ns in self._compartments.items()
        )
        return f"LogicalNeuronCompartments({{{inner}}})"

    def __reduce__(self):
        return (LogicalNeuronCompartments, (self._compartments,))


class LogicalNeuronOnDLS:
    """A logical neuron's pattern placed on the chip with its top-left corner on ``anchor``."""

    __slots__ = ("_compartments", "_anchor", "_placed")

    def __init__(self, compartments: LogicalNeuronCompartments, anchor: AtomicNeuronOnDLS) -> None:
        if not isinstance(compartments, LogicalNeuronCompartments):
            raise CoordinateTypeError(
                f"LogicalNeuronOnDLS: compartments must be LogicalNeuronCompartments, "
                f"got {type(compartments).__name__}"
            )
        if not isinstance(anchor, AtomicNeuronOnDLS):
            raise CoordinateTypeError(
                f"LogicalNeuronOnDLS: anchor must be AtomicNeuronOnDLS, got {type(anchor).__name__}"
            )
        left = compartments.get_left_most_column().value()
        top = compartments.get_top_most_row().value()
        ax, ay = anchor.x.value(), anchor.y.value()
        placed: dict[CompartmentOnLogicalNeuron, tuple[AtomicNeuronOnDLS, ...]] = {}
        columns = []
        for comp, neurons in compartments.get_compartments().items():
            out = []
            for n in neurons:
                x = ax + n.x.value() - left
                y = ay + n.y.value() - top
                if not (0 <= x <= 255 and 0 <= y <= 1):
                    raise OutOfRangeError(
                        f"LogicalNeuronOnDLS: placing the pattern at {anchor!r} puts compartment "
                        f"{comp.value()} neuron ({n.x.value()},{n.y.value()}) at column {x}, row {y}, "
                        "outside the 256 x 2 neuron grid"
                    )
                columns.append(x)
                out.append(AtomicNeuronOnDLS(NeuronColumnOnDLS(x), NeuronRowOnDLS(y)))
            placed[comp] = tuple(out)
        if columns and min(columns) <= 127 < max(columns):
            raise InvalidCoordinateError(
                f"LogicalNeuronOnDLS: placement at {anchor!r} spans columns {min(columns)}..{max(columns)}, "
                "across the 127/128 boundary between the neuron backend blocks, which cannot be connected"
            )
        self._compartments = compartments
        self._anchor = anchor
        self._placed = placed

    @property
    def compartments(self) -> LogicalNeuronCompartments:
        return self._compartments

    @property
    def anchor(self) -> AtomicNeuronOnDLS:
        return self._anchor

    def get_placed_compartments(self) -> dict[CompartmentOnLogicalNeuron, tuple[AtomicNeuronOnDLS, ...]]:
        return dict(self._placed)

    def get_atomic_neurons(self) -> tuple[AtomicNeuronOnDLS, ...]:
        return tuple(n for ns in self._placed.values() for n in ns)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LogicalNeuronOnDLS):
            return NotImplemented
        return self._compartments == other._compartments and self._anchor == other._anchor

    def __hash__(self) -> int:
        return hash(("LogicalNeuronOnDLS", self._compartments, self._anchor))

    def __repr__(self) -> str:
        return f"LogicalNeuronOnDLS({self._compartments!r}, anchor={self._anchor!r})"

    def __reduce__(self):
        return (LogicalNeuronOnDLS, (self._compartments, self._anchor))
