"""Multi-compartment neurons: the ``Morphology`` builder and the ``LogicalNeuron`` it produces.

Atomic neuron circuits are joined into compartments by direct switches (``connect_right`` to the
right neighbour, ``connect_vertical`` to the other row); compartments meet at the somatic line, a
wire running under each row whose pieces are joined by ``connect_soma_right``. A circuit reaches
the line directly (``connect_soma``) or through a conductance (``enable_conductance``, strength
``i_bias_nmda``).

The builder checks what the real one checks, with messages that name the neurons: compartments
are non-empty, contiguous and disjoint; a circuit connects to the line directly or resistively,
not both; a compartment may not grow through direct or somatic links after its creation; and all
compartments must be connected through the somatic line.
"""

from __future__ import annotations

import copy
import operator
from typing import Any, Iterable

import halco
import haldls
from halco import (
    AtomicNeuronOnLogicalNeuron, CompartmentOnLogicalNeuron, LogicalNeuronCompartments,
    NeuronColumnOnLogicalNeuron, NeuronRowOnLogicalNeuron,
)
from ._composite import REGISTRY
from .errors import LockedSwitchError, LolaTypeError, MorphologyError
from .neuron import AtomicNeuron

#: the switches that define a morphology; in a LogicalNeuron they cannot be changed
STRUCTURAL = ("connect_soma", "connect_soma_right", "connect_right", "connect_vertical", "enable_conductance")


def _xy(n: AtomicNeuronOnLogicalNeuron) -> tuple[int, int]:
    return n.x.value(), n.y.value()


def _neuron(x: int, y: int) -> AtomicNeuronOnLogicalNeuron:
    return AtomicNeuronOnLogicalNeuron(NeuronColumnOnLogicalNeuron(x), NeuronRowOnLogicalNeuron(y))


def _names(neurons: Iterable[AtomicNeuronOnLogicalNeuron]) -> str:
    return ", ".join(f"({x},{y})" for x, y in sorted(_xy(n) for n in neurons))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, a: Any) -> Any:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: Any, b: Any) -> None:
        self.parent[self.find(a)] = self.find(b)


def _links(switches: dict[tuple[int, int], Any], resistive: bool) -> _UnionFind:
    """Union-find over membrane ("m", x, y) and line ("l", x, y) nodes joined by direct switches
    (and, with ``resistive``, by conductances as well)."""
    uf = _UnionFind()
    for (x, y), mc in switches.items():
        uf.find(("m", x, y))
        if mc.connect_right:
            uf.union(("m", x, y), ("m", x + 1, y))
        if mc.connect_vertical:
            uf.union(("m", x, y), ("m", x, 1 - y))
        if mc.connect_soma or (resistive and mc.enable_conductance):
            uf.union(("m", x, y), ("l", x, y))
        if mc.connect_soma_right:
            uf.union(("l", x, y), ("l", x + 1, y))
    return uf


class Morphology:
    """Builder of a multi-compartment neuron, positions relative to the logical neuron.

    >>> coord = halco.AtomicNeuronOnLogicalNeuron
    >>> m = Morphology()
    >>> soma = m.create_compartment([coord(0, 0), coord(1, 0)])
    """

    def __init__(self) -> None:
        self._switches: dict[tuple[int, int], AtomicNeuron.Multicompartment] = {}
        self._compartments: list[tuple[tuple[int, int], ...]] = []

    @property
    def morphology(self) -> dict[AtomicNeuronOnLogicalNeuron, AtomicNeuron.Multicompartment]:
        """Neuron -> its multicompartment switches (a copy)."""
        return {_neuron(x, y): copy.deepcopy(mc) for (x, y), mc in sorted(self._switches.items())}

    def _switch(self, xy: tuple[int, int]) -> AtomicNeuron.Multicompartment:
        return self._switches.setdefault(xy, AtomicNeuron.Multicompartment())

    @staticmethod
    def _coord(neuron: Any, what: str) -> tuple[int, int]:
        if not isinstance(neuron, AtomicNeuronOnLogicalNeuron):
            raise LolaTypeError(f"{what}: expected AtomicNeuronOnLogicalNeuron, got {type(neuron).__name__}")
        return _xy(neuron)

    def create_compartment(self, neurons: Iterable[AtomicNeuronOnLogicalNeuron]) -> CompartmentOnLogicalNeuron:
        """A new compartment of directly connected neurons; returns its index (0, 1, ...)."""
        if not isinstance(neurons, Iterable):
            raise LolaTypeError(f"create_compartment takes a sequence of AtomicNeuronOnLogicalNeuron, "
                                f"not {type(neurons).__name__}")
        cells = [self._coord(n, "create_compartment") for n in neurons]
        if not cells:
            raise MorphologyError("create_compartment: a compartment needs at least one neuron")
        if len(set(cells)) != len(cells):
            dup = sorted({c for c in cells if cells.count(c) > 1})
            raise MorphologyError(f"create_compartment: neuron(s) {dup} listed twice")
        used = {c: i for i, comp in enumerate(self._compartments) for c in comp}
        reused = [c for c in cells if c in used]
        if reused:
            raise MorphologyError(
                f"create_compartment: neuron(s) {reused} already belong to compartment(s) "
                f"{sorted({used[c] for c in reused})}")
        # contiguous: connected under left/right/vertical neighbourhood, walked column-major
        cell_set = set(cells)
        start = min(cells)
        seen, todo = {start}, [start]
        while todo:
            x, y = todo.pop()
            for nb in ((x - 1, y), (x + 1, y), (x, 1 - y)):
                if nb in cell_set and nb not in seen:
                    seen.add(nb)
                    todo.append(nb)
        if seen != cell_set:
            raise MorphologyError(
                f"create_compartment: neurons {sorted(cell_set)} are not contiguous "
                f"({sorted(cell_set - seen)} not connected to {start})")
        for x, y in cells:
            mc = self._switch((x, y))
            if (x + 1, y) in cell_set:
                mc.connect_right = True
            if (x, 1 - y) in cell_set:
                mc.connect_vertical = True
        self._compartments.append(tuple(sorted(cells)))
        return CompartmentOnLogicalNeuron(len(self._compartments) - 1)

    def connect_to_soma(self, neuron: AtomicNeuronOnLogicalNeuron) -> None:
        """Connect the neuron's membrane directly to the somatic line."""
        xy = self._coord(neuron, "connect_to_soma")
        mc = self._switch(xy)
        if mc.enable_conductance:
            raise MorphologyError(
                f"connect_to_soma: neuron {xy} is already connected to the somatic line through a "
                "conductance; a direct and a resistive connection are mutually exclusive")
        mc.connect_soma = True

    def connect_resistor_to_soma(self, neuron: AtomicNeuronOnLogicalNeuron) -> None:
        """Connect the neuron's membrane to the somatic line through a conductance."""
        xy = self._coord(neuron, "connect_resistor_to_soma")
        mc = self._switch(xy)
        if mc.connect_soma:
            raise MorphologyError(
                f"connect_resistor_to_soma: neuron {xy} is already connected directly to the somatic "
                "line; a direct and a resistive connection are mutually exclusive")
        mc.enable_conductance = True

    def connect_soma_line(self, start: NeuronColumnOnLogicalNeuron, end: NeuronColumnOnLogicalNeuron,
                          row: NeuronRowOnLogicalNeuron) -> None:
        """Join the somatic line from column ``start`` to column ``end`` (inclusive) in ``row``."""
        try:     # an int or the coordinate itself: nothing is rounded, no other coordinate taken
            s, e = NeuronColumnOnLogicalNeuron(start).value(), NeuronColumnOnLogicalNeuron(end).value()
            r = NeuronRowOnLogicalNeuron(row).value()
        except halco.errors.CoordinateTypeError as err:
            raise LolaTypeError(f"connect_soma_line: {err}") from None
        if not s < e:
            raise MorphologyError(f"connect_soma_line: start column {s} must lie left of end column {e}")
        for x in range(s, e):
            self._switch((x, r)).connect_soma_right = True
        self._switch((e, r))

    def done(self) -> tuple[LogicalNeuronCompartments, "LogicalNeuron"]:
        """Validate and build: ``(LogicalNeuronCompartments, LogicalNeuron)``."""
        if not self._switches:
            raise MorphologyError("done: the morphology is empty; create a compartment first")
        direct = _links(self._switches, resistive=False)

        def membranes(uf: _UnionFind, root: Any) -> set[tuple[int, int]]:
            return {(x, y) for (x, y) in self._switches if uf.find(("m", x, y)) == root}

        compartments: list[tuple[tuple[int, int], ...]] = []
        placed: set[tuple[int, int]] = set()
        for index, comp in enumerate(self._compartments):
            grown = membranes(direct, direct.find(("m",) + comp[0]))
            if grown != set(comp):
                raise MorphologyError(
                    f"compartment {index} ({_names(_neuron(*c) for c in comp)}) is larger than on "
                    f"construction: direct or somatic connections join it with "
                    f"{_names(_neuron(*c) for c in sorted(grown - set(comp)))}")
            compartments.append(comp)
            placed |= set(comp)
        # the remaining neurons form compartments of their own (bridge neurons included)
        for xy in sorted(self._switches, key=lambda c: (c[0], c[1])):
            if xy in placed:
                continue
            group = membranes(direct, direct.find(("m",) + xy))
            compartments.append(tuple(sorted(group)))
            placed |= group
        full = _links(self._switches, resistive=True)
        for comp in compartments:
            # a bridge neuron (only joining the line) belongs to the line through its line piece
            for x, y in comp:
                mc = self._switches[(x, y)]
                if mc.connect_soma_right and not (mc.connect_soma or mc.enable_conductance):
                    full.union(("m", x, y), ("l", x, y))
        roots = {full.find(("m",) + comp[0]) for comp in compartments}
        if len(roots) > 1:
            parts = {}
            for comp in compartments:
                parts.setdefault(full.find(("m",) + comp[0]), []).extend(comp)
            raise MorphologyError(
                "LogicalNeuron can't be constructed since it is not contiguous! Unconnected parts: "
                + "; ".join(_names(_neuron(*c) for c in part) for part in parts.values()))
        logical = LogicalNeuronCompartments(
            {i: [_neuron(*c) for c in comp] for i, comp in enumerate(compartments)})
        neuron = LogicalNeuron(logical, {xy: copy.deepcopy(mc) for xy, mc in self._switches.items()})
        return logical, neuron


class MCSafeAtomicNeuron:
    """An AtomicNeuron of a LogicalNeuron: everything but the structural switches can be changed."""

    __slots__ = ("_neuron",)

    def __init__(self, neuron: AtomicNeuron) -> None:
        object.__setattr__(self, "_neuron", neuron)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._neuron, name)
        return _LockedMulticompartment(value) if name == "multicompartment" else value

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "multicompartment":
            for field in STRUCTURAL:
                if getattr(value, field) != getattr(self._neuron.multicompartment, field):
                    raise LockedSwitchError(
                        f"multicompartment.{field} is part of the logical neuron's morphology and "
                        "cannot be changed after Morphology.done()")
        setattr(self._neuron, name, value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MCSafeAtomicNeuron):
            return self._neuron == other._neuron
        return NotImplemented

    def __repr__(self) -> str:
        return f"MCSafeAtomicNeuron({self._neuron!r})"

    def atomic_neuron(self) -> AtomicNeuron:
        """A copy as a plain AtomicNeuron."""
        return copy.deepcopy(self._neuron)


class _LockedMulticompartment:
    __slots__ = ("_mc",)

    def __init__(self, mc: Any) -> None:
        object.__setattr__(self, "_mc", mc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._mc, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in STRUCTURAL:
            raise LockedSwitchError(
                f"multicompartment.{name} is part of the logical neuron's morphology and cannot be "
                "changed after Morphology.done(); only the conductance division/multiplication and "
                "i_bias_nmda can")
        setattr(self._mc, name, value)

    def __repr__(self) -> str:
        return repr(self._mc)


@REGISTRY.add
class LogicalNeuron:
    """A multi-compartment neuron: compartment -> its atomic neurons (MCSafeAtomicNeuron).

    Written at a :class:`halco.LogicalNeuronOnDLS` it configures every atomic neuron at its
    absolute place; the placement's pattern may be the morphology's own or a flipped version
    (``flip_x``/``flip_y``), and the horizontal switches are re-derived for it. It is made by
    ``Morphology.done()`` (not built by attrs, so it registers with ``REGISTRY.add``).
    """

    coordinate_type = halco.LogicalNeuronOnDLS
    readable = False
    writable = True
    differential_write = False
    is_block_until = False

    def __init__(self, compartments: LogicalNeuronCompartments,
                 switches: dict[tuple[int, int], Any]) -> None:
        self._compartments = compartments
        self._neurons: dict[tuple[int, int], AtomicNeuron] = {}
        for comp, neurons in compartments.get_compartments().items():
            for n in neurons:
                atomic = AtomicNeuron()
                atomic.multicompartment = copy.deepcopy(switches.get(_xy(n), AtomicNeuron.Multicompartment()))
                self._neurons[_xy(n)] = atomic

    @property
    def compartments(self) -> LogicalNeuronCompartments:
        return self._compartments

    @classmethod
    def schema(cls) -> dict[str, haldls.FieldInfo]:
        """Its one declared attribute, the compartments (read-only); the atomic neurons follow
        from them (``morphology``, ``at``, ``[compartment, index]``)."""
        return {"compartments": haldls.FieldInfo(
            "compartments", LogicalNeuronCompartments,
            doc="The atomic neurons of each compartment, relative to the logical neuron (read-only).")}

    @property
    def morphology(self) -> dict[CompartmentOnLogicalNeuron, list[MCSafeAtomicNeuron]]:
        return {c: [MCSafeAtomicNeuron(self._neurons[_xy(n)]) for n in ns]
                for c, ns in self._compartments.get_compartments().items()}

    def at(self, compartment: int, index: int) -> MCSafeAtomicNeuron:
        """The ``index``-th atomic neuron of ``compartment``."""
        comps = self._compartments.get_compartments()
        try:
            c = CompartmentOnLogicalNeuron(compartment)
            if isinstance(index, bool):
                raise TypeError
            index = operator.index(index)
        except (TypeError, halco.errors.CoordinateTypeError):
            raise LolaTypeError(f"LogicalNeuron.at takes a compartment and an index (ints), not "
                                f"{compartment!r}, {index!r}") from None
        if c not in comps or not 0 <= index < len(comps[c]):
            raise IndexError(f"LogicalNeuron has no neuron {index} in compartment {c.value()}")
        return MCSafeAtomicNeuron(self._neurons[_xy(comps[c][index])])

    def __getitem__(self, key: tuple[int, int]) -> MCSafeAtomicNeuron:
        if not isinstance(key, tuple) or len(key) != 2:
            raise LolaTypeError(f"a LogicalNeuron is indexed [compartment, index], not [{key!r}]")
        return self.at(*key)

    def __setitem__(self, key: tuple[int, int], value: AtomicNeuron) -> None:
        if not isinstance(value, AtomicNeuron):
            raise LolaTypeError(f"a LogicalNeuron holds AtomicNeurons, not {type(value).__name__}")
        target = self[key]
        for field in STRUCTURAL:
            if getattr(value.multicompartment, field) != getattr(target.multicompartment, field):
                raise LockedSwitchError(
                    f"multicompartment.{field} of the assigned neuron differs from the morphology's; "
                    "structural switches cannot be changed after Morphology.done()")
        comps = self._compartments.get_compartments()
        self._neurons[_xy(comps[CompartmentOnLogicalNeuron(key[0])][operator.index(key[1])])] = \
            copy.deepcopy(value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LogicalNeuron):
            return NotImplemented
        return self._compartments == other._compartments and self._neurons == other._neurons

    # -- placement -------------------------------------------------------------------------------
    def _mapping(self, coord: halco.LogicalNeuronOnDLS) -> dict[tuple[int, int], tuple[int, int]]:
        """pattern position -> absolute (column, row) for a placement of this or a flipped pattern."""
        own = self._compartments
        for fx in (False, True):
            for fy in (False, True):
                pattern = own
                if fx:
                    pattern = pattern.flip_x()
                if fy:
                    pattern = pattern.flip_y()
                if pattern != coord.compartments:
                    continue
                left, right = own.get_left_most_column().value(), own.get_right_most_column().value()
                top, bottom = own.get_top_most_row().value(), own.get_bottom_most_row().value()
                ax, ay = coord.anchor.x.value(), coord.anchor.y.value()
                mapping = {}
                for (x, y) in self._neurons:
                    px = left + right - x if fx else x
                    py = top + bottom - y if fy else y
                    mapping[(x, y)] = (ax + px - left, ay + py - top)
                return mapping
        raise MorphologyError(
            "LogicalNeuronOnDLS: its compartments are neither this logical neuron's pattern nor a "
            "flipped version of it")

    def placed_neurons(self, coord: halco.LogicalNeuronOnDLS) -> dict[halco.AtomicNeuronOnDLS, AtomicNeuron]:
        """The AtomicNeuron configuration of every circuit of the placement, switches re-derived."""
        if not isinstance(coord, halco.LogicalNeuronOnDLS):
            raise haldls.errors.CoordinateMismatchError(
                f"LogicalNeuron lives at LogicalNeuronOnDLS, not at {type(coord).__name__}")
        mapping = self._mapping(coord)
        placed = {mapping[xy]: copy.deepcopy(n) for xy, n in self._neurons.items()}
        # horizontal links are pairs of positions; re-derive which circuit holds the switch
        right_links = set()
        soma_links = set()
        for (x, y), n in self._neurons.items():
            a = mapping[(x, y)]
            if n.multicompartment.connect_right:
                right_links.add(frozenset((a, mapping.get((x + 1, y), (a[0] + 1, a[1])))))
            if n.multicompartment.connect_soma_right:
                soma_links.add(frozenset((a, mapping.get((x + 1, y), (a[0] + 1, a[1])))))
        for pos, n in placed.items():
            n.multicompartment.connect_right = frozenset((pos, (pos[0] + 1, pos[1]))) in right_links
            n.multicompartment.connect_soma_right = frozenset((pos, (pos[0] + 1, pos[1]))) in soma_links
        return {halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(x), halco.NeuronRowOnDLS(y)): n
                for (x, y), n in placed.items()}

    def check_coordinate(self, coord: Any) -> None:
        if not isinstance(coord, halco.LogicalNeuronOnDLS):
            raise haldls.errors.CoordinateMismatchError(
                f"LogicalNeuron lives at LogicalNeuronOnDLS, not at {type(coord).__name__}")

    def encode_write(self, coord: halco.LogicalNeuronOnDLS):
        """Instructions writing every placed atomic neuron."""
        import numpy as np

        parts = [neuron.encode_write(at) for at, neuron in sorted(self.placed_neurons(coord).items())]
        return np.concatenate(parts)
