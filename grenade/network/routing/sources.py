"""Stage 2, source collection: the spike sources of an execution instance and, for every hardware
synapse, the source that drives it and the hemisphere it ends on.

- internal sources: the spike master of every compartment that is the pre side of a connection
  or whose spikes are recorded, in (population, neuron, compartment) order;
- external sources: every neuron of an external population that is the pre side of a
  connection or recorded, in (population, neuron) order;
- background sources: every background population (its neurons are the random low label bits).

"Recorded" also covers the pre neurons of inter-execution-instance projections: their spikes
must reach the host to be played into the later instance.
"""

from __future__ import annotations

import attrs
import numpy as np

from ..network import BackgroundSourcePopulation, ExecutionInstance, ExternalSourcePopulation, Population
from . import layout

INTERNAL, EXTERNAL, BACKGROUND = 0, 1, 2
#: what each kind of source is called in messages
KIND_NAMES = {INTERNAL: "on-chip", EXTERNAL: "external", BACKGROUND: "background"}

INTERNAL_SOURCE_DTYPE = np.dtype([("population", np.int64), ("neuron", np.int64),
                                  ("compartment", np.int64), ("atomic_neuron", np.int64),
                                  ("event_output", np.int64), ("used", bool), ("recorded", bool)])
EXTERNAL_SOURCE_DTYPE = np.dtype([("population", np.int64), ("neuron", np.int64),
                                  ("used", bool), ("recorded", bool)])


@attrs.define
class SourceTable:
    """The sources and, per hardware synapse (same order as stage 1's array), its source."""

    internal: np.ndarray                   # INTERNAL_SOURCE_DTYPE
    external: np.ndarray                   # EXTERNAL_SOURCE_DTYPE
    #: background population descriptors, in order
    background: list[int]
    #: background population -> whether its spikes are recorded
    background_recorded: dict[int, bool]
    #: per hardware synapse: kind (INTERNAL, EXTERNAL, BACKGROUND), index into the kind's
    #: table (for BACKGROUND: into ``background``), the pre neuron index (for BACKGROUND: the
    #: synapse label), target hemisphere and column
    kind: np.ndarray
    source: np.ndarray
    pre_neuron: np.ndarray
    hemisphere: np.ndarray
    column: np.ndarray
    #: population -> array (neurons, compartments) of internal source ids (-1: not a source)
    internal_index: dict[int, np.ndarray]
    #: population -> array (neurons,) of external source ids (-1: not a source)
    external_index: dict[int, np.ndarray]


def _pre_arrays(instance: ExecutionInstance, synapses: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per hardware synapse: pre population, pre neuron, pre compartment."""
    projs = instance.projections
    offsets = np.cumsum([0] + [len(p.connections) for p in projs])
    if not projs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    index_pre = np.concatenate([p.connections["index_pre"] for p in projs])
    comp_pre = np.concatenate([p.connections["compartment_pre"] for p in projs])
    flat = offsets[synapses["projection"]] + synapses["connection"]
    pops = np.array([p.population_pre for p in projs], dtype=np.int64)
    return pops[synapses["projection"]], index_pre[flat], comp_pre[flat]


def collect_sources(instance: ExecutionInstance, synapses: np.ndarray,
                    extra_recorded: set[tuple[int, int, int]] = frozenset()) -> SourceTable:
    """The sources of ``instance`` given stage 1's ``synapses``; ``extra_recorded`` holds
    (population, neuron, compartment) whose spikes must reach the host although their
    ``enable_record_spikes`` is off."""
    pre_pop, pre_neuron, pre_comp = _pre_arrays(instance, synapses)
    codes = np.unique((pre_pop << 40) | (pre_neuron << 8) | pre_comp)
    used = {(c >> 40, (c >> 8) & 0xFFFFFFFF, c & 0xFF) for c in codes.tolist()}

    internal, internal_index = [], {}
    external, external_index = [], {}
    background, background_recorded = [], {}
    for p, pop in enumerate(instance.populations):
        if isinstance(pop, Population):
            width = 1 + max(c.value() for n in pop.neurons for c in n.compartments)
            table = np.full((len(pop.neurons), width), -1, dtype=np.int64)
            for i, (neuron, placed) in enumerate(zip(pop.neurons, pop.compartment_atoms())):
                for comp, description in neuron.compartments.items():
                    master = description.spike_master
                    if master is None:
                        continue
                    c = comp.value()
                    is_used = (p, i, c) in used
                    recorded = bool(master.enable_record_spikes) or (p, i, c) in extra_recorded
                    if not (is_used or recorded):
                        continue
                    atom = placed[c][master.neuron_on_compartment]
                    table[i, c] = len(internal)
                    internal.append((p, i, c, atom, layout.ATOM_EVENT_OUTPUT[atom], is_used, recorded))
            internal_index[p] = table
        elif isinstance(pop, ExternalSourcePopulation):
            table = np.full(len(pop), -1, dtype=np.int64)
            for i in range(len(pop)):
                is_used = (p, i, 0) in used
                recorded = bool(pop.enable_record_spikes[i]) or (p, i, 0) in extra_recorded
                if is_used or recorded:
                    table[i] = len(external)
                    external.append((p, i, is_used, recorded))
            external_index[p] = table
        elif isinstance(pop, BackgroundSourcePopulation):
            background_recorded[p] = any(pop.enable_record_spikes) or any(
                (p, i, 0) in extra_recorded for i in range(len(pop)))
            background.append(p)

    kind = np.full(len(synapses), -1, dtype=np.int64)
    source = np.full(len(synapses), -1, dtype=np.int64)
    background_of = {p: i for i, p in enumerate(background)}
    for p, pop in enumerate(instance.populations):
        sel = pre_pop == p
        if not sel.any():
            continue
        if isinstance(pop, Population):
            kind[sel] = INTERNAL
            source[sel] = internal_index[p][pre_neuron[sel], pre_comp[sel]]
        elif isinstance(pop, ExternalSourcePopulation):
            kind[sel] = EXTERNAL
            source[sel] = external_index[p][pre_neuron[sel]]
        else:
            kind[sel] = BACKGROUND
            source[sel] = background_of[p]
    atoms = synapses["atomic_neuron"]
    return SourceTable(
        internal=np.array(internal, dtype=INTERNAL_SOURCE_DTYPE),
        external=np.array(external, dtype=EXTERNAL_SOURCE_DTYPE),
        background=background, background_recorded=background_recorded,
        kind=kind, source=source, pre_neuron=pre_neuron,
        hemisphere=layout.ATOM_HEMISPHERE[atoms], column=layout.ATOM_COLUMN[atoms],
        internal_index=internal_index, external_index=external_index)


__all__ = ["INTERNAL", "EXTERNAL", "BACKGROUND", "KIND_NAMES", "SourceTable", "collect_sources"]
