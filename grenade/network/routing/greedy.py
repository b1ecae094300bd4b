"""Stage 2: the greedy routing of one execution instance (grenade's ``RoutingBuilder::route``),
from stage 1's hardware synapses to an :class:`ExecutionInstanceRoutingResult`:

1. constraints: per-neuron in-degree <= 256 (here), per neuron and bus <= 64 and rows per bus
   <= 64 (:mod:`.requests`);
2. sources (:mod:`.sources`) and their chunks and driver requests (:mod:`.requests`);
3. row-select labels, drivers and compare masks (:mod:`.bus_allocation`);
4. rows and synapses (:mod:`.placement`);
5. spike labels (:mod:`.labels`) and the crossbar (:mod:`.crossbar`).
"""

from __future__ import annotations

import time

import numpy as np

import halco
from ...errors import UnsuccessfulRouting
from ..network import BackgroundSourcePopulation, ExecutionInstance, ExternalSourcePopulation, Population
from . import labels as L
from . import layout
from .bus_allocation import allocate_requests
from .connection_routing import build_connection_routing, in_degrees
from .crossbar import crossbar_nodes
from .placement import place
from .requests import build_requests
from .result import PLACED_CONNECTION_DTYPE, ExecutionInstanceRoutingResult
from .sources import INTERNAL, collect_sources


def check_in_degrees(synapses: np.ndarray) -> None:
    """Every neuron takes at most one synapse per row of its synapse array."""
    degrees = in_degrees(synapses)
    worst = int(np.argmax(degrees))
    if degrees[worst] > layout.N_ROWS_PER_SYNRAM:
        atom = halco.AtomicNeuronOnDLS.from_enum(worst)
        raise UnsuccessfulRouting(f"neuron {atom!r} has in-degree {degrees[worst]} > "
                                  f"{layout.N_ROWS_PER_SYNRAM} (synapse rows per hemisphere)")


def route_execution_instance(instance: ExecutionInstance,
                             extra_recorded: set[tuple[int, int, int]] = frozenset()) -> ExecutionInstanceRoutingResult:
    """Route one execution instance; ``extra_recorded`` lists (population, neuron, compartment)
    whose spikes must reach the host besides the recorded ones."""
    start = time.perf_counter()
    synapses = build_connection_routing(instance)
    check_in_degrees(synapses)
    sources = collect_sources(instance, synapses, set(extra_recorded))
    table = build_requests(instance, sources, synapses)
    requests = table.requests
    allocation = allocate_requests(requests)
    placement = place(requests, allocation, table.synapse_request, synapses["receptor_type"],
                      sources.column)

    result = ExecutionInstanceRoutingResult()
    bounds = np.searchsorted(synapses["projection"], np.arange(len(instance.projections) + 1))
    for p in range(len(instance.projections)):
        part = slice(bounds[p], bounds[p + 1])
        placed = np.zeros(bounds[p + 1] - bounds[p], dtype=PLACED_CONNECTION_DTYPE)
        placed["connection"] = synapses["connection"][part]
        placed["weight"] = synapses["weight"][part]
        placed["label"] = table.synapse_label[part]
        placed["synapse_row"] = placement.synapse_row[part]
        placed["synapse_on_row"] = sources.column[part]
        result.connections[p] = placed

    _internal_labels(instance, sources, table, allocation, result)
    _external_labels(instance, sources, table, allocation, requests, result)
    background_routes = _background_labels(instance, sources, table, allocation, requests, result)
    internal_routes = {(r.key, r.bus) for r in requests if r.kind == INTERNAL}
    result.crossbar_nodes = crossbar_nodes(internal_routes, background_routes)
    result.synapse_driver_compare_masks = placement.synapse_driver_compare_masks
    result.synapse_row_modes = placement.synapse_row_modes
    result.padi_buses = {r.bus for r in requests if r.size > 0}
    result.routing_time = time.perf_counter() - start
    return result


def _internal_labels(instance, sources, table, allocation, result) -> None:
    for p, pop in enumerate(instance.populations):
        if isinstance(pop, Population):
            result.internal_neuron_labels[p] = [
                {comp: [None] * len(atoms) for comp, atoms in compartments.items()}
                for compartments in pop.compartment_atoms()]
    for s, source in enumerate(sources.internal):
        p, n, c = int(source["population"]), int(source["neuron"]), int(source["compartment"])
        neuron = instance.populations[p].neurons[n]
        master = neuron.compartments[halco.CompartmentOnLogicalNeuron(c)].spike_master
        x = allocation.x.get(int(source["event_output"]), 0)
        result.internal_neuron_labels[p][n][c][master.neuron_on_compartment] = \
            L.internal_address_out(x, int(table.internal_label[s]))


def _external_labels(instance, sources, table, allocation, requests, result) -> None:
    for p, pop in enumerate(instance.populations):
        if isinstance(pop, ExternalSourcePopulation):
            result.external_spike_labels[p] = [[] for _ in range(len(pop))]
            result.external_spike_recorded[p] = [False] * len(pop)
    for s, source in enumerate(sources.external):
        p, n, recorded = int(source["population"]), int(source["neuron"]), bool(source["recorded"])
        result.external_spike_recorded[p][n] = recorded
        for h in range(layout.N_HEMISPHERES):
            r = int(table.external_request[s, h])
            if r < 0:
                continue
            first = not result.external_spike_labels[p][n]
            bus = requests[r].bus
            result.external_spike_labels[p][n].append(L.external_spike_label(
                int(layout.BUS_ON_BLOCK[bus]), h, recorded and first, allocation.labels[r],
                int(table.external_label[s, h])))


def _background_labels(instance, sources, table, allocation, requests, result) -> set[tuple[int, int]]:
    routes = set()
    for b, p in enumerate(sources.background):
        pop: BackgroundSourcePopulation = instance.populations[p]
        hemispheres = sorted(h.value() for h in pop.coordinate)
        recorded = sources.background_recorded[p]
        record_hemisphere = hemispheres[0] if recorded else None
        labels, masks, generators = {}, {}, {}
        for h in hemispheres:
            r = int(table.background_request[b, h])
            if r < 0 and h != record_hemisphere:
                continue        # no targets there and not recorded: the source stays off
            bus = int(layout.BUS_OF[h, pop.coordinate[halco.HemisphereOnDLS(h)].value()])
            generator = int(layout.BACKGROUND_SOURCE_OF_BUS[bus])
            row_select = allocation.labels[r] if r >= 0 else 0
            if r >= 0:
                routes.add((generator, bus))
            labels[h] = L.background_neuron_label(h, h == record_hemisphere, row_select)
            masks[h] = L.background_mask(len(pop), pop.config.enable_random)
            generators[h] = generator
        result.background_spike_source_labels[p] = labels
        result.background_spike_source_masks[p] = masks
        result.background_sources[p] = generators
    return routes


__all__ = ["check_in_degrees", "route_execution_instance"]
