"""Routers: ``Router`` (abstract, ``router(network) -> RoutingResult``), ``GreedyRouter`` (stage 1
and the greedy stage 2 per execution instance), ``PortfolioRouter`` (tries routers in order, the
first that does not raise ``UnsuccessfulRouting`` wins) and :func:`route`.
"""

from __future__ import annotations

import abc
from typing import Sequence

import numpy as np

from ...common import as_execution_instance
from ...errors import InvalidArgumentError, UnsuccessfulRouting
from ..network import Network
from .greedy import route_execution_instance
from .result import RoutingResult


class Router(abc.ABC):
    """Finds a hardware configuration for a network, or raises
    :class:`~grenade.errors.UnsuccessfulRouting` naming the resource that ran out."""

    @abc.abstractmethod
    def __call__(self, network: Network) -> RoutingResult:
        ...


def inter_instance_recorded(network: Network) -> dict:
    """Per execution instance, the (population, neuron, compartment) whose spikes feed an
    inter-execution-instance projection and so must reach the host."""
    out: dict = {}
    for projection in network.inter_execution_instance_projections:
        eid, pop = projection.population_pre
        c = projection.connections
        pairs = np.unique(np.stack([c["index_pre"], c["compartment_pre"]], axis=1), axis=0) \
            if len(c) else np.zeros((0, 2), dtype=np.int64)
        out.setdefault(as_execution_instance(eid), set()).update(
            (int(pop), int(n), int(comp)) for n, comp in pairs)
    return out


class GreedyRouter(Router):
    """Two-stage greedy routing (reference section 2.4-2.5); deterministic."""

    def __call__(self, network: Network) -> RoutingResult:
        extra = inter_instance_recorded(network)
        result = RoutingResult()
        for eid in sorted(network.execution_instances):
            try:
                result.execution_instances[eid] = route_execution_instance(
                    network.execution_instances[eid], extra.get(eid, set()))
            except UnsuccessfulRouting as err:
                if len(network.execution_instances) > 1:
                    raise UnsuccessfulRouting(f"{eid!r}: {err}") from err
                raise
        return result

    def __repr__(self) -> str:
        return "GreedyRouter()"


class PortfolioRouter(Router):
    """Tries ``routers`` in order (default: one :class:`GreedyRouter`); the first result that
    is not an :class:`UnsuccessfulRouting` wins; if all fail, the error lists every reason."""

    def __init__(self, routers: Sequence[Router] | None = None) -> None:
        self.routers = list(routers) if routers is not None else [GreedyRouter()]
        if not self.routers:
            raise InvalidArgumentError("PortfolioRouter needs at least one router (default: [GreedyRouter()])")

    def __call__(self, network: Network) -> RoutingResult:
        errors = []
        for router in self.routers:
            try:
                return router(network)
            except UnsuccessfulRouting as err:
                errors.append(err)
        if len(errors) == 1:
            raise errors[0]
        raise UnsuccessfulRouting("every router failed: " + "; ".join(
            f"{r!r}: {e}" for r, e in zip(self.routers, errors))) from errors[-1]


def route(network: Network) -> RoutingResult:
    """Route ``network`` with the default portfolio (``PortfolioRouter()(network)``)."""
    return PortfolioRouter()(network)


__all__ = ["GreedyRouter", "PortfolioRouter", "Router", "inter_instance_recorded", "route"]
