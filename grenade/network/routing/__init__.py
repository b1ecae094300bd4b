"""Routing: from an abstract network to a hardware configuration of one chip per execution
instance (reference sections 2.2-2.5).

Stage 1 (:mod:`.connection_routing`) splits every connection into hardware synapses of at most
63 and picks their atomic neurons; stage 2 (:mod:`.greedy`) groups the sources into chunks on
PADI buses (:mod:`.sources`, :mod:`.requests`), allocates row-select labels, synapse drivers
and compare masks (:mod:`.bus_allocation`, :mod:`.driver_allocation`), places the synapses
(:mod:`.placement`) and sets the labels (:mod:`.labels`) and the crossbar (:mod:`.crossbar`).

``route(network)`` (or ``PortfolioRouter()(network)``) gives a :class:`RoutingResult`;
:func:`requires_routing` and :func:`update_weights` reuse it when only weights change.
"""

from .connection_routing import (
    HARDWARE_SYNAPSE_DTYPE, build_connection_routing, build_connection_weight_split, split_weights,
)
from .driver_allocation import BusAllocation, allocate_bus, compare_mask, feasibility
from .greedy import route_execution_instance
from .result import PLACED_CONNECTION_DTYPE, ExecutionInstanceRoutingResult, RoutingResult
from .router import GreedyRouter, PortfolioRouter, Router, route
from .update import requires_routing, update_weights

__all__ = [
    "HARDWARE_SYNAPSE_DTYPE", "PLACED_CONNECTION_DTYPE", "BusAllocation", "ExecutionInstanceRoutingResult",
    "GreedyRouter", "PortfolioRouter", "Router", "RoutingResult", "allocate_bus",
    "build_connection_routing", "build_connection_weight_split", "compare_mask", "feasibility",
    "requires_routing", "route", "route_execution_instance", "split_weights", "update_weights",
]
