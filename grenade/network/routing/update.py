"""Reusing a routing when a network changes (grenade's ``requires_routing`` and
``update_network_graph``).

A network needs new routing unless it differs from the routed one only in

- weights that need as many hardware synapses per connection as before
  (:meth:`~grenade.network.Projection.same_topology`),
- MADC/CADC recordings and plasticity rules (the router does not look at them),
- the period, rate and seed of background sources, and the delays and weights of
  inter-execution-instance projections.

Then :func:`update_weights` gives the old routing with the new weights, split over the same
synapses.
"""

from __future__ import annotations

import copy

import attrs
import numpy as np

from ...errors import InvalidNetworkError
from ..network import BackgroundSourcePopulation, Network, synapses_needed
from .connection_routing import split_weights
from .result import RoutingResult
from .router import inter_instance_recorded


def _routing_key(population):
    """What of a population the routing depends on."""
    if isinstance(population, BackgroundSourcePopulation):
        return (BackgroundSourcePopulation, population.size,
                tuple(sorted((h.value(), b.value()) for h, b in population.coordinate.items())),
                population.config.enable_random, population.enable_record_spikes)
    return population


def requires_routing(new_network: Network, old_network: Network) -> bool:
    """Whether ``new_network`` needs routing of its own, rather than the routing of
    ``old_network`` with updated weights (:func:`update_weights`)."""
    if set(new_network.execution_instances) != set(old_network.execution_instances):
        return True
    for eid, new in new_network.execution_instances.items():
        old = old_network.execution_instances[eid]
        if len(new.populations) != len(old.populations) or len(new.projections) != len(old.projections):
            return True
        if any(_routing_key(a) != _routing_key(b) for a, b in zip(new.populations, old.populations)):
            return True
        if not all(a.same_topology(b) for a, b in zip(new.projections, old.projections)):
            return True
    return inter_instance_recorded(new_network) != inter_instance_recorded(old_network)


def update_weights(result: RoutingResult, network: Network) -> RoutingResult:
    """A copy of ``result`` whose hardware synapses carry ``network``'s weights, split as stage 1
    splits them (63, 63, ..., remainder, 0, ...). ``network`` must not require routing against
    the routed network (:func:`requires_routing`); a connection that needs another number of
    hardware synapses raises :class:`~grenade.errors.InvalidNetworkError`."""
    out = RoutingResult()
    if set(result.execution_instances) != set(network.execution_instances):
        raise InvalidNetworkError("update_weights: the network's execution instances "
                                  f"{sorted(network.execution_instances)} are not the routed ones "
                                  f"{sorted(result.execution_instances)}; route it anew")
    for eid, old in result.execution_instances.items():
        instance = network.execution_instances[eid]
        if len(instance.projections) != len(old.connections):
            raise InvalidNetworkError(
                f"update_weights: {eid!r} has {len(instance.projections)} projections, the routing "
                f"{len(old.connections)}; route it anew")
        new = copy.deepcopy(attrs.evolve(old, connections={}))
        for p, projection in enumerate(instance.projections):
            placed = old.connections[p]
            weights = projection.connections["weight"]
            counts = np.bincount(placed["connection"], minlength=len(weights))
            needed = synapses_needed(weights)
            if len(counts) != len(weights) or not np.array_equal(counts, needed):
                bad = np.flatnonzero(counts[:len(weights)] != needed[:len(counts)])
                where = f"connection {int(bad[0])}" if len(bad) else "its connections"
                raise InvalidNetworkError(
                    f"update_weights: projection {p} of {eid!r}: {where} needs another number of "
                    f"hardware synapses than routed ({len(weights)} connections, "
                    f"{len(placed)} synapses routed); route the network anew")
            starts = np.cumsum(counts) - counts
            split = np.arange(len(placed)) - starts[placed["connection"]]
            updated = placed.copy()
            updated["weight"] = split_weights(weights[placed["connection"]], split)
            new.connections[p] = updated
        out.execution_instances[eid] = new
    return out


__all__ = ["requires_routing", "update_weights"]
