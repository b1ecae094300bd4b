"""An independent model of the chip's event path, to check a RoutingResult against its network.

It knows only the chip facts (not the router's code): a spike enters crossbar input ``i`` with a
14-bit label; a node (input, output) passes it iff ``(label & mask) == target`` (nodes the
routing does not set pass everything); a PADI bus passes it only if enabled; driver ``d`` of
hemisphere ``h`` (local 0..127, on bus ``d % 4`` at position ``d // 4``) takes it iff
``(row_select & mask) == (position & mask)`` and drives rows ``2d`` and ``2d + 1`` of its
synram, if their mode is not disabled; a synapse responds iff its 6-bit label equals the
spike's low 6 bits. The synapse in (row, column) of hemisphere ``h`` feeds atomic neuron
``h * 256 + column``.

:func:`check_routing` sends every source's spikes through this model and asserts that each
logical connection is realized exactly (its hardware synapses, on rows of its receptor's type,
in a column of its target compartment, sum to its weight) and that no spike reaches a synapse
of a connection from another source; it also checks the recording path.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

import halco
from grenade.network import BackgroundSourcePopulation, ExternalSourcePopulation, Population

ROWS, COLUMNS = 512, 256
EXC, INH = 1, 2          # RowMode values
MODE_OF_TYPE = {0: EXC, 1: INH}


def _crossbar(result) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    exists = np.zeros((20, 12), dtype=bool)
    mask = np.zeros((20, 12), dtype=np.int64)
    target = np.zeros((20, 12), dtype=np.int64)
    for node in halco.iter_all(halco.CrossbarNodeOnDLS):
        exists[node.y.value(), node.x.value()] = True
    for enum, config in result.crossbar_nodes.items():
        node = halco.CrossbarNodeOnDLS.from_enum(enum)
        mask[node.y.value(), node.x.value()] = config.mask
        target[node.y.value(), node.x.value()] = config.target
    return exists, mask, target


class ChipModel:
    """The synapse array, drivers, buses and crossbar a RoutingResult configures."""

    def __init__(self, instance, result) -> None:
        self.owner = np.full((ROWS, COLUMNS), -1, dtype=np.int64)
        self.label = np.zeros((ROWS, COLUMNS), dtype=np.int64)
        self.weight = np.zeros((ROWS, COLUMNS), dtype=np.int64)
        #: per hardware synapse id: (projection, connection), row, column, weight
        self.synapses: list[tuple[int, int]] = []
        rows, cols = [], []
        for p in range(len(instance.projections)):
            placed = result.connections[p]
            assert (np.diff(placed["connection"]) >= 0).all(), "connections not sorted"
            for field, hi in (("weight", 63), ("label", 63), ("synapse_row", ROWS - 1),
                              ("synapse_on_row", COLUMNS - 1)):
                assert ((placed[field] >= 0) & (placed[field] <= hi)).all(), field
            self.synapses.extend((p, int(c)) for c in placed["connection"])
            rows.append(placed["synapse_row"])
            cols.append(placed["synapse_on_row"])
        rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        flat = rows * COLUMNS + cols
        assert len(np.unique(flat)) == len(flat), "two hardware synapses share one synapse"
        ids = np.arange(len(flat))
        self.owner[rows, cols] = ids
        labels = np.concatenate([result.connections[p]["label"] for p in range(len(instance.projections))]) \
            if len(flat) else np.zeros(0, dtype=np.int64)
        weights = np.concatenate([result.connections[p]["weight"] for p in range(len(instance.projections))]) \
            if len(flat) else np.zeros(0, dtype=np.int64)
        self.label[rows, cols] = labels
        self.weight[rows, cols] = weights
        self.syn_row, self.syn_col, self.syn_weight = rows, cols, weights
        self.mode = np.zeros(ROWS, dtype=np.int64)
        for row, mode in result.synapse_row_modes.items():
            self.mode[row] = int(mode)
        self.driver_mask = np.full(256, -1, dtype=np.int64)
        for driver, mask in result.synapse_driver_compare_masks.items():
            assert 0 <= mask < 32
            self.driver_mask[driver] = mask
        self.buses = set(result.padi_buses)
        self.exists, self.node_mask, self.node_target = _crossbar(result)
        # rows reached by row-select address rs on bus o: (8, 32, 512)
        self.rows_of = np.zeros((8, 32, ROWS), dtype=bool)
        for o in range(8):
            h, b = divmod(o, 4)
            for s in range(32):
                local = 4 * s + b
                m = self.driver_mask[h * 128 + local]
                if m < 0:
                    continue
                for rs in range(32):
                    if (rs & m) == (s & m):
                        self.rows_of[o, rs, h * 256 + 2 * local] = True
                        self.rows_of[o, rs, h * 256 + 2 * local + 1] = True
        self.rows_of &= (self.mode != 0)[None, None, :]

    def passes(self, inp: int, out: int, label: int) -> bool:
        return bool(self.exists[inp, out]) and (label & self.node_mask[inp, out]) == self.node_target[inp, out]

    def reached(self, inp: int, label: int) -> np.ndarray:
        """Hardware synapse ids one spike reaches."""
        hits = []
        for o in range(8):
            if o not in self.buses or not self.passes(inp, o, label):
                continue
            rows = np.flatnonzero(self.rows_of[o, (label >> 6) & 31])
            sub_owner, sub_label = self.owner[rows], self.label[rows]
            hit = (sub_owner >= 0) & (sub_label == (label & 63))
            hits.append(sub_owner[hit])
        return np.concatenate(hits) if hits else np.zeros(0, dtype=np.int64)

    def recorded_labels(self, inp: int, label: int) -> list[int]:
        """The labels the FPGA receives from one spike (L2 output in bits 15..14)."""
        return [((o - 8) << 14) | label for o in range(8, 12) if self.passes(inp, o, label)]


def source_events(instance, result) -> dict[tuple, list[tuple[int, int]]]:
    """Per source key, its spikes as (crossbar input, 14-bit label)."""
    events: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for p, pop in enumerate(instance.populations):
        if isinstance(pop, Population):
            labels = result.internal_neuron_labels[p]
            assert len(labels) == len(pop.neurons)
            for n, neuron in enumerate(pop.neurons):
                placed = neuron.coordinate.get_placed_compartments()
                for comp, atoms in placed.items():
                    entry = labels[n][comp.value()]
                    assert len(entry) == len(atoms)
                    master = neuron.compartments[comp].spike_master
                    for i, address in enumerate(entry):
                        if master is None or i != master.neuron_on_compartment:
                            assert address is None, "a neuron that is not a spike master has a label"
                    if master is None:
                        continue
                    address = entry[master.neuron_on_compartment]
                    if address is None:
                        continue
                    assert 0 <= address < 256
                    atom = atoms[master.neuron_on_compartment].to_enum()
                    output = (atom % 256) // 32
                    events[("int", p, n, comp.value())].append((output, (output << 8) | address))
        elif isinstance(pop, ExternalSourcePopulation):
            labels = result.external_spike_labels[p]
            assert len(labels) == len(pop)
            for n, ls in enumerate(labels):
                for label in ls:
                    assert 0 <= label < 1 << 16
                    events[("ext", p, n, 0)].append((8 + (label >> 14), label & 0x3FFF))
        elif isinstance(pop, BackgroundSourcePopulation):
            for h, base in result.background_spike_source_labels[p].items():
                source = result.background_sources[p][h]
                bus = pop.coordinate[halco.HemisphereOnDLS(h)].value()
                assert source == 4 * h + bus, "background source does not feed the population's bus"
                mask = result.background_spike_source_masks[p][h]
                assert mask == ((len(pop) - 1) if pop.config.enable_random else 0)
                for v in range(mask + 1):
                    if v & ~mask:
                        continue
                    events[("bg", p, v, 0)].append((12 + source, (base & ~mask) | v))
    return events


KINDS = {"int": 0, "ext": 1, "bg": 2}


def source_code(kind: str, population, neuron, compartment):
    """A source key as one integer (works on arrays)."""
    return (((KINDS[kind] << 12 | np.asarray(population)) << 20 | np.asarray(neuron)) << 8) | np.asarray(compartment)


def expected_sources(instance) -> np.ndarray:
    """Per hardware synapse (in result order: projection, then its placed entries), the code of
    the source of its logical connection."""
    return np.concatenate([np.zeros(0, np.int64)] + [
        source_code({Population: "int", ExternalSourcePopulation: "ext",
                     BackgroundSourcePopulation: "bg"}[type(instance.populations[proj.population_pre])],
                    proj.population_pre, proj.connections["index_pre"], proj.connections["compartment_pre"])
        for proj in instance.projections])


def _allowed_atoms(pop: Population, receptor) -> tuple[np.ndarray, np.ndarray]:
    """(neuron, compartment) -> row of a (rows, 512) mask of the atoms that may take a synapse of
    ``receptor``."""
    width = 1 + max(c.value() for n in pop.neurons for c in n.compartments)
    index = np.full((len(pop.neurons), width), -1, dtype=np.int64)
    masks = []
    for i, neuron in enumerate(pop.neurons):
        for comp, atoms in neuron.coordinate.get_placed_compartments().items():
            mask = np.zeros(512, dtype=bool)
            receptors = neuron.compartments[comp].receptors
            for a, atom in enumerate(atoms):
                mask[atom.to_enum()] = (not receptors) or receptor in receptors[a]
            index[i, comp.value()] = len(masks)
            masks.append(mask)
    return index, np.array(masks)


def check_routing(instance, result) -> dict:
    """Assert the routing realizes ``instance`` exactly and without crosstalk; returns counts."""
    chip = ChipModel(instance, result)
    n = len(chip.synapses)
    # per hardware synapse: the source of its connection
    conn_codes = expected_sources(instance)
    offsets = np.cumsum([0] + [len(proj.connections) for proj in instance.projections])
    syn_proj = np.array([p for p, _ in chip.synapses], dtype=np.int64)
    syn_conn = np.array([c for _, c in chip.synapses], dtype=np.int64)
    syn_code = conn_codes[offsets[syn_proj] + syn_conn] if n else np.zeros(0, np.int64)
    order = np.argsort(syn_code, kind="stable")
    sorted_code = syn_code[order]

    events = source_events(instance, result)
    codes = {key: int(source_code(key[0], key[1], key[2], key[3])) for key in events}
    recorded_by: dict[int, tuple] = {}
    for key, spikes in events.items():
        hits = np.concatenate([chip.reached(inp, label) for inp, label in spikes]) if spikes else np.zeros(0, int)
        assert len(np.unique(hits)) == len(hits), f"{key}: a synapse is reached twice"
        lo, hi = np.searchsorted(sorted_code, codes[key], side="left"), np.searchsorted(sorted_code, codes[key], side="right")
        want = np.sort(order[lo:hi])
        got = np.sort(hits)
        foreign = np.setdiff1d(got, want)
        assert not len(foreign), (f"crosstalk: source {key} reaches synapses of "
                                  f"{sorted({chip.synapses[i] for i in foreign.tolist()})[:5]}")
        missing = np.setdiff1d(want, got)
        assert not len(missing), (f"source {key} misses its synapses of "
                                  f"{sorted({chip.synapses[i] for i in missing.tolist()})[:5]}")
        for inp, label in spikes:
            for rec in chip.recorded_labels(inp, label):
                assert recorded_by.setdefault(rec, key) == key, \
                    f"recorded label {rec:#x} is sent by {recorded_by[rec]} and {key}"
    missing_sources = set(np.unique(syn_code).tolist()) - set(codes.values())
    assert not missing_sources, "a source with synapses sends no spikes"

    # every logical connection: number of synapses, weight, rows of its receptor, its columns
    for p, proj in enumerate(instance.projections):
        placed = result.connections[p]
        c = proj.connections
        counts = np.bincount(placed["connection"], minlength=len(c))
        assert len(counts) == len(c)
        assert np.array_equal(counts, np.maximum(1, -(-c["weight"] // 63))), "synapses per connection"
        sums = np.bincount(placed["connection"], weights=placed["weight"], minlength=len(c))
        assert np.array_equal(sums.astype(np.int64), c["weight"]), "weights do not add up"
        mode = MODE_OF_TYPE[int(proj.receptor.type)]
        assert (chip.mode[placed["synapse_row"]] == mode).all(), "synapse on a row of the wrong mode"
        index, allowed = _allowed_atoms(instance.populations[proj.population_post], proj.receptor)
        atoms = (placed["synapse_row"] // 256) * 256 + placed["synapse_on_row"]
        rows = index[c["index_post"][placed["connection"]], c["compartment_post"][placed["connection"]]]
        assert allowed[rows, atoms].all(), "synapse outside its target compartment's receptor neurons"

    _check_recording(instance, result, chip, events)
    return {"synapses": n, "sources": len(events)}


def _check_recording(instance, result, chip: ChipModel, events) -> None:
    for p, pop in enumerate(instance.populations):
        if isinstance(pop, Population):
            for n, neuron in enumerate(pop.neurons):
                for comp, description in neuron.compartments.items():
                    master = description.spike_master
                    if master is not None and master.enable_record_spikes:
                        spikes = events.get(("int", p, n, comp.value()), [])
                        assert spikes, f"recorded neuron {(p, n)} has no label"
                        assert all(chip.recorded_labels(i, l) for i, l in spikes)
        elif isinstance(pop, ExternalSourcePopulation):
            for n in range(len(pop)):
                spikes = events.get(("ext", p, n, 0), [])
                looped = sum(len(chip.recorded_labels(i, l)) for i, l in spikes)
                assert result.external_spike_recorded[p][n] == pop.enable_record_spikes[n]
                assert looped == (1 if pop.enable_record_spikes[n] else 0), \
                    f"external {(p, n)} loops back {looped} times"
        elif isinstance(pop, BackgroundSourcePopulation):
            recorded = any(pop.enable_record_spikes)
            values = range(len(pop)) if pop.config.enable_random else [0]
            for v in values:
                spikes = events.get(("bg", p, v, 0), [])
                looped = sum(len(chip.recorded_labels(i, l)) for i, l in spikes)
                assert looped == (1 if recorded else 0), f"background {(p, v)} loops back {looped} times"
