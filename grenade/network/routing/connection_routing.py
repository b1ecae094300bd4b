"""Stage 1 of routing: which atomic neuron of the target compartment each hardware synapse of a
logical connection ends on, and its 6-bit weight (grenade's ``build_connection_routing`` and
``build_connection_weight_split``).

A connection of weight ``w`` needs ``n = max(1, ceil(w / 63))`` hardware synapses; its weight is
split into ``floor(w / 63)`` times 63, the remainder if not zero, then zeros up to ``n``
(123 -> [63, 60]). For ``p = 0 .. max n - 1`` and every connection that needs a ``p``-th synapse
(in projection order, then connection order), the synapse goes to the atomic neuron of the target
compartment that carries the projection's receptor (and, for a background source, lies on a
hemisphere the source reaches) with the smallest in-degree so far (ties: the first in the
compartment's list), whose in-degree then grows by one.

Compartments are independent (an atomic neuron belongs to one), so the greedy choice runs for
all compartments at once, one synapse per compartment per round; compartments whose synapses
each have a single candidate need no rounds at all.
"""

from __future__ import annotations

import attrs
import numpy as np

import halco
from ...errors import UnsuccessfulRouting
from ..network import (
    BackgroundSourcePopulation, ExecutionInstance, Population, synapses_needed,
)
from . import layout

#: one hardware synapse of stage 1: its projection, connection (index in the projection) and
#: split index (0 .. n-1), its 6-bit weight, the target AtomicNeuronOnDLS enum, the index of
#: that neuron in the target compartment, and the receptor type (0 excitatory, 1 inhibitory)
HARDWARE_SYNAPSE_DTYPE = np.dtype([
    ("projection", np.int64), ("connection", np.int64), ("split", np.int64), ("weight", np.int64),
    ("atomic_neuron", np.int64), ("atomic_neuron_on_compartment", np.int64),
    ("receptor_type", np.int64)])


def split_weights(weights: np.ndarray, split: np.ndarray) -> np.ndarray:
    """The weight of the ``split``-th hardware synapse of a connection of weight ``weights``:
    63 for each whole 63, then the remainder, then 0 (123 -> [63, 60])."""
    return np.clip(np.asarray(weights, dtype=np.int64) - layout.MAX_WEIGHT * np.asarray(split),
                   0, layout.MAX_WEIGHT)


def build_connection_weight_split(weight: int, num: int) -> list[int]:
    """One connection's weight split over ``num`` hardware synapses (grenade's function of that
    name); raises ``OverflowError`` if it does not fit."""
    if weight > num * layout.MAX_WEIGHT:
        raise OverflowError(f"weight {weight} does not fit into {num} synapses of at most "
                            f"{layout.MAX_WEIGHT}")
    return split_weights(np.full(num, weight), np.arange(num)).tolist()


@attrs.frozen
class CompartmentTable:
    """Every compartment of the instance's on-chip populations, numbered densely: its atomic
    neurons (``atoms``, padded with -1) and, per receptor, which of them carry it."""

    atoms: np.ndarray                      # (n_compartments, width) AtomicNeuronOnDLS enums
    receptors: list[list[frozenset]]       # per compartment, per atomic neuron
    #: population -> (neuron, compartment enum) -> compartment id (-1: none)
    index: dict[int, np.ndarray]

    @classmethod
    def build(cls, instance: ExecutionInstance) -> "CompartmentTable":
        atoms: list[list[int]] = []
        receptors: list[list[frozenset]] = []
        index: dict[int, np.ndarray] = {}
        for p, pop in enumerate(instance.populations):
            if not isinstance(pop, Population):
                continue
            width = 1 + max(c.value() for n in pop.neurons for c in n.compartments)
            table = np.full((len(pop.neurons), width), -1, dtype=np.int64)
            for i, (neuron, placed) in enumerate(zip(pop.neurons, pop.compartment_atoms())):
                for comp, description in neuron.compartments.items():
                    table[i, comp.value()] = len(atoms)
                    placed_atoms = placed[comp.value()]
                    atoms.append(placed_atoms)
                    rs = list(description.receptors) or [frozenset()] * len(placed_atoms)
                    receptors.append(rs)
            index[p] = table
        width = max((len(a) for a in atoms), default=1)
        padded = np.full((len(atoms), width), -1, dtype=np.int64)
        for i, a in enumerate(atoms):
            padded[i, :len(a)] = a
        return cls(padded, receptors, index)

    def candidates(self, receptor, hemispheres: set[int] | None) -> np.ndarray:
        """(n_compartments, width) mask of the atomic neurons that carry ``receptor`` (and lie
        on one of ``hemispheres`` if given)."""
        mask = np.zeros(self.atoms.shape, dtype=bool)
        for c, rs in enumerate(self.receptors):
            for i, r in enumerate(rs):
                mask[c, i] = receptor in r
        if hemispheres is not None:
            on = np.isin(layout.ATOM_HEMISPHERE[np.maximum(self.atoms, 0)], sorted(hemispheres))
            mask &= on & (self.atoms >= 0)
        return mask


def build_connection_routing(instance: ExecutionInstance) -> np.ndarray:
    """Stage 1 for one execution instance: every hardware synapse as a
    :data:`HARDWARE_SYNAPSE_DTYPE` array sorted by (projection, connection, split)."""
    table = CompartmentTable.build(instance)
    n_comp, width = table.atoms.shape
    parts = []          # per projection: (projection, connection, split, compartment, class)
    classes: dict[tuple, int] = {}
    masks: list[np.ndarray] = []
    for p, proj in enumerate(instance.projections):
        c = proj.connections
        pre = instance.populations[proj.population_pre]
        reach = {h.value() for h in pre.coordinate} if isinstance(pre, BackgroundSourcePopulation) else None
        key = (proj.receptor, None if reach is None else tuple(sorted(reach)))
        if key not in classes:
            classes[key] = len(masks)
            masks.append(table.candidates(proj.receptor, reach))
        comp = table.index[proj.population_post][c["index_post"], c["compartment_post"]]
        n = synapses_needed(c["weight"])
        connection = np.repeat(np.arange(len(c)), n)
        starts = np.cumsum(n) - n
        split = np.arange(len(connection)) - np.repeat(starts, n)
        parts.append((np.full(len(connection), p), connection, split, comp[connection],
                      np.full(len(connection), classes[key])))
    if not parts:
        return np.zeros(0, dtype=HARDWARE_SYNAPSE_DTYPE)
    projection, connection, split, comp, cls = (np.concatenate(x) for x in zip(*parts))
    mask_table = np.stack(masks)                       # (classes, n_comp, width)
    cand = mask_table[cls, comp]                       # (n_synapses, width)
    n_cand = cand.sum(axis=1)
    if (n_cand == 0).any():
        bad = int(np.flatnonzero(n_cand == 0)[0])
        proj = instance.projections[projection[bad]]
        conn = proj.connections[connection[bad]]
        raise UnsuccessfulRouting(
            f"projection {projection[bad]} connection {connection[bad]}: no atomic neuron of post "
            f"neuron {conn['index_post']} compartment {conn['compartment_post']} carries receptor "
            f"{proj.receptor!r} on a hemisphere its source reaches")

    # greedy order: split index first, then projection, then connection
    order = np.lexsort((connection, projection, split))
    choice = np.full(len(order), -1, dtype=np.int64)
    single = n_cand == 1
    complex_comp = np.zeros(n_comp, dtype=bool)
    complex_comp[comp[~single]] = True
    simple = ~complex_comp[comp]
    choice[simple] = np.argmax(cand[simple], axis=1)
    if complex_comp.any():
        _greedy_rounds(order[complex_comp[comp[order]]], comp, cand, choice, n_comp, width)

    out = np.zeros(len(order), dtype=HARDWARE_SYNAPSE_DTYPE)
    out["projection"], out["connection"], out["split"] = projection, connection, split
    weights = np.concatenate([proj.connections["weight"] for proj in instance.projections])
    offsets = np.cumsum([0] + [len(proj.connections) for proj in instance.projections])
    out["weight"] = split_weights(weights[offsets[projection] + connection], split)
    out["atomic_neuron"] = table.atoms[comp, choice]
    out["atomic_neuron_on_compartment"] = choice
    types = np.array([proj.receptor.type.value for proj in instance.projections], dtype=np.int64)
    out["receptor_type"] = types[projection]
    return out          # already in (projection, connection, split) order


def _greedy_rounds(events: np.ndarray, comp: np.ndarray, cand: np.ndarray, choice: np.ndarray,
                   n_comp: int, width: int) -> None:
    """The in-degree-balanced choice for ``events`` (synapse indices in greedy order) of
    compartments with several candidates: round ``r`` takes the ``r``-th event of every such
    compartment at once."""
    counts = np.zeros((n_comp, width), dtype=np.int64)
    ev_comp = comp[events]
    by_comp = np.argsort(ev_comp, kind="stable")
    sorted_events, sorted_comp = events[by_comp], ev_comp[by_comp]
    starts = np.flatnonzero(np.r_[True, sorted_comp[1:] != sorted_comp[:-1]])
    sizes = np.diff(np.r_[starts, len(sorted_comp)])
    rank = np.arange(len(sorted_comp)) - np.repeat(starts, sizes)
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[by_rank], np.arange(int(sizes.max()) + 1))
    big = np.iinfo(np.int64).max
    for r in range(int(sizes.max())):
        sel = sorted_events[by_rank[bounds[r]:bounds[r + 1]]]
        c = comp[sel]
        pick = np.argmin(np.where(cand[sel], counts[c], big), axis=1)
        choice[sel] = pick
        counts[c, pick] += 1


def in_degrees(synapses: np.ndarray) -> np.ndarray:
    """Hardware synapses per AtomicNeuronOnDLS enum."""
    return np.bincount(synapses["atomic_neuron"], minlength=halco.AtomicNeuronOnDLS.size)


__all__ = ["HARDWARE_SYNAPSE_DTYPE", "build_connection_routing", "build_connection_weight_split",
           "split_weights", "in_degrees", "CompartmentTable"]
