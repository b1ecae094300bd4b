"""Plasticity rules in the grenade network of a realtime snippet: the rules attached to the
network become grenade ``PlasticityRule`` s over its grenade projections and populations, with
their kernel generated for the snippet (its periods, the views' sizes); after routing their
views are checked against what the recordings were given; after the run the recordings are
read from the PPUs' memory and handed to the rules per projection, population or array.
Called by :mod:`pynn_frontend.mapping`.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Iterable, Iterator

import attrs
import numpy as np

import grenade.network as gn
from .errors import DelayError, PlasticityRuleError
from .plasticity import PPU_CYCLES_PER_FPGA_CYCLE, FPGATime, ObservableEntry, PlasticityRule
from .plasticity_kernel import (
    Layout, ObservableArray, ObservablePerNeuron, ObservablePerSynapse, ObservableType, check_kernel, kernel_source,
)
from .projections import resolve
from .standardmodels.cells import NeuronCellType

log = logging.getLogger(__name__)


# -- the rules of a snippet ------------------------------------------------------------------------------------------

@attrs.define
class MappedRule:
    """A rule in one snippet's grenade network: its grenade rule index, its projections (per
    PyNN projection its grenade parts: grenade projection, its PyNN connections, their merged
    connection), its populations (grenade descriptors), the layout of its recordings and its
    grenade projections in handle order."""

    rule: PlasticityRule
    index: int
    projections: list[tuple[Any, list[tuple[int, np.ndarray, np.ndarray]]]]
    populations: list[tuple[Any, int]]
    layout: Layout
    grenade_projections: list[int]


def attached_rules(state: Any) -> list[tuple[PlasticityRule, list, list]]:
    """The rules of the network (in the order they are first attached), each with its
    projections and populations (in creation order)."""
    found: dict[int, tuple[PlasticityRule, list, list]] = {}
    for population in state.populations:
        rule = getattr(population.celltype, "plasticity_rule", None)
        if rule is not None:
            found.setdefault(id(rule), (rule, [], []))[2].append(population)
    for projection in state.projections:
        rule = getattr(projection.synapse_type, "plasticity_rule", None)
        if rule is not None:
            found.setdefault(id(rule), (rule, [], []))[1].append(projection)
    return list(found.values())


def _columns_on(atoms: np.ndarray, hemisphere: int) -> np.ndarray:
    atoms = np.asarray(atoms, dtype=np.int64)
    return np.unique(atoms[atoms // 256 == hemisphere] % 256)


def _one_circuit_per_cell(population: Any, rule: PlasticityRule) -> None:
    """The rule's views and recordings are per neuron circuit: multi-compartment cells (several
    circuits each) are refused."""
    if np.ndim(population.atomic_neurons) != 1:
        raise NotImplementedError(f"population {population.label!r}: plasticity rules (here {rule!r}) reach point "
                                  "neurons (one circuit per cell) here, not multi-compartment cells yet")


def add_rules(state: Any, builder: gn.NetworkBuilder, descriptor: dict, projections: list,
              window: tuple[float, float] | None) -> list[MappedRule]:
    """Add the network's rules to the grenade network being built, for the snippet ``window``
    (begin, runtime) [the user's ms] (None: from now on, for mapping only). ``descriptor``:
    (population id, delay cycles) -> grenade population; ``projections``: per PyNN projection
    its grenade parts (index, PyNN connections, merged index) and bounds. Checks what the chip
    cannot do before anything runs."""
    rules = attached_rules(state)
    seen_ids: dict[int, str] = {}
    parts = {id(p): list(found) for p, found in projections}
    out = []
    begin, runtime = window if window is not None else (state.t, math.inf)
    for rule, plastic, populations in rules:
        kernel = rule.generate_kernel()
        if not isinstance(kernel, str):
            raise TypeError(f"{type(rule).__name__}.generate_kernel() returned {type(kernel).__name__}, not "
                            "libnux_vm source text (str)")
        other = seen_ids.setdefault(rule.same_id, kernel)
        if other != kernel:
            raise PlasticityRuleError(f"plasticity rules with same_id={rule.same_id} have different kernels; "
                                      "rules that share an id must have the same kernel")
        synapse_sizes: dict[int, list[tuple[int, int]]] = {0: [], 1: []}
        grenade_projections: list[int] = []
        per_projection = []
        observes_synapses = any(isinstance(o, ObservablePerSynapse) for o in rule.observables.values())
        for projection in plastic:
            delayed = projection._delays[projection._delays != 0]
            if len(delayed):
                raise DelayError(f"projection {projection.label!r}: a plastic projection has delay 0 (its rule "
                                 f"works on its own synapses), not {float(delayed[0])!r}")
            post_pops, post_owner, post_index = resolve(projection.post)
            _, _, pre_index = resolve(projection.pre)
            for post in post_pops:
                _one_circuit_per_cell(post, rule)
            indices = []
            for index, members, inverse in parts.get(id(projection), []):
                indices.append(index)
                post = post_pops[int(post_owner[projection._post[members[0]]])]
                atoms = np.asarray(post.atomic_neurons)[post_index[projection._post[members]]]
                pres = pre_index[projection._pre[members]]
                weights = np.abs(projection._weights[members])
                split = np.maximum(1, -(-np.bincount(inverse, weights=weights).astype(np.int64) // 63))
                if observes_synapses and np.any(split > 1):
                    raise PlasticityRuleError(
                        f"projection {projection.label!r}: a per-synapse observable needs one hardware synapse per "
                        "connection, but weights above 63 spread over several; use weights <= 63")
                for h in (0, 1):
                    on = atoms // 256 == h
                    if on.any():
                        rows = min(256, len(np.unique(pres[on])) * int(split.max()))
                        synapse_sizes[h].append((rows, len(_columns_on(atoms[on], h))))
            grenade_projections.extend(indices)
            per_projection.append((projection, parts.get(id(projection), [])))
        neuron_sizes: dict[int, list[int]] = {0: [], 1: []}
        mapped_populations = []
        for population in populations:
            if not isinstance(population.celltype, NeuronCellType):
                raise TypeError(f"population {population.label!r}: only neurons on the chip take a plasticity rule")
            _one_circuit_per_cell(population, rule)
            mapped_populations.append((population, descriptor[(id(population), 0)]))
            for h in (0, 1):
                columns = _columns_on(population.atomic_neurons, h)
                if len(columns):
                    neuron_sizes[h].append(len(columns))
        if not grenade_projections and not mapped_populations:
            log.info("plasticity rule %r has no synapses and no neurons in this network: it does not run", rule)
            continue
        layout = _layout(rule, synapse_sizes, neuron_sizes, begin, runtime)
        timer, _ = rule.timer.to_grenade(begin, begin + runtime, state.time_scale)
        check_kernel(kernel, rule.observables, layout)
        source = kernel_source(kernel, rule.observables, layout)
        names = tuple(_recorded_globals(rule.observables, layout))
        index = builder.add(gn.PlasticityRule(source, timer, projections=grenade_projections,
                                              populations=[d for _, d in mapped_populations],
                                              observables=names, id=rule.same_id))
        out.append(MappedRule(rule, index, per_projection, mapped_populations, layout, grenade_projections))
    _check_hemispheres(out)
    return out


def _layout(rule: PlasticityRule, synapse_sizes: dict, neuron_sizes: dict, begin: float, runtime: float) -> Layout:
    """The recordings' layout of a snippet: at each handle position the largest view over both
    hemispheres (at least one position of each kind, so that every helper exists: using one
    without views traps)."""
    first, calls = rule.timer.periods_in(begin, begin + runtime)
    synapse = [o for n, o in rule.observables.items() if isinstance(o, ObservablePerSynapse)]
    neuron = [o for n, o in rule.observables.items() if isinstance(o, ObservablePerNeuron)]
    rows, columns = [], []
    for k in range(max(1, len(synapse_sizes[0]), len(synapse_sizes[1]))):
        sizes = [synapse_sizes[h][k] for h in (0, 1) if k < len(synapse_sizes[h])] or [(1, 1)]
        rows.append(max(r for r, _ in sizes))
        columns.append(max(c for _, c in sizes))
    neurons = [max([neuron_sizes[h][k] for h in (0, 1) if k < len(neuron_sizes[h])] or [1])
               for k in range(max(1, len(neuron_sizes[0]), len(neuron_sizes[1])))]
    return Layout(calls, first, tuple(rows), tuple(columns), tuple(neurons),
                  all(o.checked("")[1] for o in synapse), all(o.checked("")[1] for o in neuron))


def _recorded_globals(observables: dict[str, Any], layout: Layout) -> Iterable[str]:
    yield "pynn_time"
    yield "pynn_ran"
    for name, o in observables.items():
        if isinstance(o, ObservablePerSynapse) and not layout.synapse_slot:
            continue
        if isinstance(o, ObservablePerNeuron) and not layout.neuron_slot:
            continue
        yield f"pynn_obs_{name}"


def _check_hemispheres(rules: list[MappedRule]) -> None:
    """The emulated PPU runs one program: two rules on one hemisphere cannot run."""
    used: dict[int, PlasticityRule] = {}
    for mapped in rules:
        hemispheres = set()
        for population, _ in mapped.populations:
            hemispheres.update((np.asarray(population.atomic_neurons) // 256).tolist())
        for projection, _ in mapped.projections:
            post_pops, post_owner, post_index = resolve(projection.post)
            for t, post in enumerate(post_pops):
                cells = post_index[projection._post[post_owner[projection._post] == t]]
                hemispheres.update((np.asarray(post.atomic_neurons)[cells] // 256).tolist())
        for h in hemispheres:
            if h in used and used[h] is not mapped.rule:
                raise PlasticityRuleError(
                    f"two plasticity rules ({used[h]!r} and {mapped.rule!r}) have synapses or neurons on hemisphere "
                    f"{h}; its PPU runs one program here: merge the rules into one kernel, or place their "
                    "neurons on different hemispheres (neuronPermutation)")
            used[h] = mapped.rule


def check_routing(rules: list[MappedRule], graph: Any) -> None:
    """After routing: every rule's synapse views have at most the rows their tables and
    recordings were given (a bound from the connections: one row per pre cell and hemisphere),
    so that a kernel cannot overrun them; PlasticityRuleError otherwise."""
    routed = graph.routing.execution_instances[gn.ExecutionInstanceID(0)].connections
    for mapped in rules:
        views = _synapse_views(mapped, routed)
        check_views = getattr(mapped.rule, "check_routed_views", None)   # a rule's own demands (stdp)
        if check_views is not None:
            check_views(views, routed, mapped)
        for (j, h), (k, rows, _) in views.items():
            if len(rows) > mapped.layout.synapse_rows[k]:
                raise PlasticityRuleError(
                    f"plasticity rule {mapped.rule!r}: the router placed grenade projection {j} on {len(rows)} "
                    f"synapse rows of hemisphere {h}, more than the {mapped.layout.synapse_rows[k]} its view "
                    "tables were given")


def _synapse_views(mapped: MappedRule, routed: dict) -> dict[tuple[int, int], tuple[int, np.ndarray, np.ndarray]]:
    """(grenade projection, hemisphere) -> (its handle position on that hemisphere, the rows
    and the columns of its view), as grenade hands them to the kernel."""
    views = {}
    for h in (0, 1):
        k = 0
        for j in mapped.grenade_projections:
            placed = routed.get(j)
            if placed is None or not len(placed):
                continue
            mine = placed[placed["synapse_row"] // 256 == h]
            if not len(mine):
                continue
            views[(j, h)] = (k, np.unique(mine["synapse_row"] % 256), np.unique(mine["synapse_on_row"]))
            k += 1
    return views


def collect(state: Any, snippet: Any, graph: Any | None, output: Any | None) -> None:
    """The recordings of a snippet's rules, handed to the rules (an empty list per observable
    for a snippet that did not run)."""
    segment = state.segment_counter
    for mapped in getattr(snippet.plan, "rules", []):
        rule, layout = mapped.rule, mapped.layout
        results: dict = {}
        if graph is None or output is None or layout.calls == 0:
            for name, observable in rule.observables.items():
                if isinstance(observable, ObservableArray):
                    results[name] = []
                elif isinstance(observable, ObservablePerSynapse):
                    for projection, _ in mapped.projections:
                        results[(name, id(projection))] = []
                else:
                    for population, _ in mapped.populations:
                        results[(name, id(population))] = []
            rule._store(segment, results)
            continue
        vertex = graph.translations[gn.ExecutionInstanceID(0)].plasticity_rules[mapped.index]
        values = output.observables.get(vertex, {})
        per_hemisphere = {name: values.get(name, [{}])[0] for name in _recorded_globals(rule.observables, layout)}
        ran = per_hemisphere["pynn_ran"]
        times = per_hemisphere["pynn_time"]
        # the calls: those that ran on every PPU that runs the rule (their times from the first)
        hemispheres = sorted(ran)
        done = np.ones(layout.calls, dtype=bool)
        for h in hemispheres:
            done &= np.asarray(ran[h])[:layout.calls] != 0
        calls = np.flatnonzero(done)
        stamp = [FPGATime(int(np.asarray(times[hemispheres[0]])[c]) // PPU_CYCLES_PER_FPGA_CYCLE)
                 for c in calls] if hemispheres else []
        periods = [int(layout.first_period + c) for c in calls]
        for name, observable in rule.observables.items():
            kind, extra = observable.checked(name)
            key = f"pynn_obs_{name}"
            if isinstance(observable, ObservableArray):
                data = np.zeros((layout.calls, 2, extra), dtype=kind.dtype)
                for h, arr in per_hemisphere[key].items():
                    data[:, h] = np.asarray(arr, dtype=kind.dtype)[:layout.calls * extra].reshape(layout.calls, extra)
                results[name] = [ObservableEntry(t, data[c].reshape(-1), p) for t, c, p in zip(stamp, calls, periods)]
            elif isinstance(observable, ObservablePerSynapse):
                found = _synapse_data(mapped, graph, per_hemisphere.get(key, {}), kind, layout.packed_synapses)
                for projection, values_ in found:
                    results[(name, id(projection))] = [ObservableEntry(t, values_[c], p)
                                                       for t, c, p in zip(stamp, calls, periods)]
            else:
                found = _neuron_data(mapped, per_hemisphere.get(key, {}), kind, layout.packed_neurons)
                for population, values_ in found:
                    results[(name, id(population))] = [ObservableEntry(t, values_[c], p)
                                                       for t, c, p in zip(stamp, calls, periods)]
        rule._store(segment, results)
        after = getattr(rule, "after_snippet", None)     # e.g. stdp: the chip's final weights back
        if after is not None:
            after(state, mapped, graph)


def _synapse_data(mapped: MappedRule, graph: Any, memory: dict, kind: ObservableType,
                  packed: bool) -> list[tuple[Any, np.ndarray]]:
    """Per PyNN projection of the rule: [calls, connections] values from the PPUs' memory
    (each connection's synapse: its handle's slot, its row's index in the view, its column's)."""
    layout = mapped.layout
    slot = layout.synapse_slot
    routed = graph.routing.execution_instances[gn.ExecutionInstanceID(0)].connections
    views = _synapse_views(mapped, routed)
    calls = np.arange(layout.calls) * slot
    memories = {h: np.asarray(m, dtype=kind.dtype) for h, m in memory.items()}
    out = {id(p): (p, np.zeros((layout.calls, len(p)), dtype=kind.dtype)) for p, _ in mapped.projections}
    for projection, index, members, synapse in placed_synapses(mapped, routed):
        values = out[id(projection)][1]
        hemisphere = synapse["synapse_row"] // 256
        for h in np.unique(hemisphere).tolist():
            on = hemisphere == h
            k, rows, columns = views[(index, h)]
            offset, _ = layout.synapse_slots[k]
            j = np.searchsorted(rows, synapse["synapse_row"][on] % 256)
            c = synapse["synapse_on_row"][on]
            position = offset + (j * len(columns) + np.searchsorted(columns, c) if packed else j * 256 + c)
            values[:, members[on]] = memories[h][calls[:, None] + position[None, :]]
    return list(out.values())


def placed_synapses(mapped: MappedRule, routed: dict) -> Iterator[tuple[Any, int, np.ndarray, np.ndarray]]:
    """``(projection, index, members, synapse)`` for every part of the rule's PyNN projections
    that the routing placed: ``index`` its grenade projection, ``members`` its connections'
    indices in the PyNN projection, ``synapse`` the routed entry (``routed[index]``'s record)
    of each of them (a connection split over several synapses: its first)."""
    for projection, parts in mapped.projections:
        for index, members, inverse in parts:
            placed = routed.get(index)
            if placed is None or not len(placed):
                continue
            connections, first = np.unique(placed["connection"], return_index=True)
            yield projection, index, members, placed[first[np.searchsorted(connections, inverse)]]


def _neuron_data(mapped: MappedRule, memory: dict, kind: ObservableType,
                 packed: bool) -> list[tuple[Any, np.ndarray]]:
    """Per population of the rule: [calls, neurons] values from the PPUs' memory."""
    layout = mapped.layout
    slot = layout.neuron_slot
    out = []
    k = {0: 0, 1: 0}
    for population, _ in mapped.populations:
        atoms = np.asarray(population.atomic_neurons, dtype=np.int64)
        values = np.zeros((layout.calls, len(atoms)), dtype=kind.dtype)
        for h in (0, 1):
            columns = _columns_on(atoms, h)
            if not len(columns):
                continue
            offset, _ = layout.neuron_slots[k[h]]
            k[h] += 1
            on = np.flatnonzero(atoms // 256 == h)
            position = offset + (np.searchsorted(columns, atoms[on] % 256) if packed else atoms[on] % 256)
            memory_h = np.asarray(memory.get(h, np.zeros(0)), dtype=kind.dtype)
            values[:, on] = memory_h[(np.arange(layout.calls) * slot)[:, None] + position[None, :]]
        out.append((population, values))
    return out


def configure_chip(rules: list[MappedRule], chip: Any) -> Any:
    """The snippet's chip as the rules need it (a rule's ``configure_chip(chip)`` returns it,
    changed in copies of the parts it changes: the base chip's parts are shared)."""
    for mapped in rules:
        configure = getattr(mapped.rule, "configure_chip", None)
        if configure is not None:
            chip = configure(chip)
    return chip


__all__ = ["MappedRule", "add_rules", "attached_rules", "check_routing", "collect", "configure_chip"]
