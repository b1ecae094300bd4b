"""``Projection``: connections made by PyNN's connectors, kept as arrays.

Connections are stored in row-major order (presynaptic, then postsynaptic index) with their
weights rounded to whole numbers; the sign of a weight must match the receptor type
(excitatory >= 0, inhibitory <= 0), its magnitude goes to the chip; the delay is 0. Pre and
post may be populations, views or assemblies: each connection is resolved to the cells of the
populations behind them. ``set(weight=...)`` between runs changes only weights: if every
connection still needs as many hardware synapses, the next run reuses the routing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyNN import common
from pyNN.space import Space

from . import simulator
from .errors import (
    NonExistentParameterError, SimulationStateError,
)
from .standardmodels.synapses import StaticSynapse, check_delays, check_weight_sign, rounded_weights


class Connection(common.Connection):
    """One connection of a projection: its indices, and a writable ``weight`` (rounded and
    sign-checked as the projection's) and ``delay`` (0)."""

    def __init__(self, projection: "Projection", index: int) -> None:
        self._projection = projection
        self._index = index

    @property
    def presynaptic_index(self) -> int:
        return int(self._projection._pre[self._index])

    @property
    def postsynaptic_index(self) -> int:
        return int(self._projection._post[self._index])

    @property
    def weight(self) -> float:
        return float(self._projection._weights[self._index])

    @weight.setter
    def weight(self, value: float) -> None:
        self._projection._set_weights(np.array([self._index]), np.array([value], dtype=float))

    @property
    def delay(self) -> float:
        return 0.0

    @delay.setter
    def delay(self, value: float) -> None:
        check_delays(value, f"projection {self._projection.label!r}")

    def as_tuple(self, *names: str) -> tuple:
        return tuple(getattr(self, name) for name in names)

    def __repr__(self) -> str:
        return f"Connection({self.presynaptic_index} -> {self.postsynaptic_index}, weight={self.weight:g})"


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_neurons: Any, postsynaptic_neurons: Any, connector: Any,
                 synapse_type: Any = None, source: Any = None, receptor_type: Any = None,
                 space: Space = Space(), label: str | None = None) -> None:
        simulator.state.require_setup()
        super().__init__(presynaptic_neurons, postsynaptic_neurons, connector, synapse_type, source,
                         receptor_type, space, label)
        if not isinstance(self.synapse_type, StaticSynapse):
            raise TypeError(f"{type(self.synapse_type).__name__} is not a synapse type of this backend; "
                            "use pynn_frontend.StaticSynapse")
        for role, population in (("pre", self.pre), ("post", self.post)):
            for cell_population in _populations(population):
                if cell_population._simulator is not simulator:
                    raise TypeError(f"the {role}synaptic population is not one of this backend")
        for attribute in ("location_selector", "source_location_selector"):
            selector = getattr(connector, attribute, None)
            if selector is not None:
                raise ValueError(f"{attribute}={selector!r}: the cells of this projection are point neurons "
                                 "without compartments to select")
        self._chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        connector.connect(self)
        pre = np.concatenate([c[0] for c in self._chunks]) if self._chunks else np.zeros(0, dtype=np.int64)
        post = np.concatenate([c[1] for c in self._chunks]) if self._chunks else np.zeros(0, dtype=np.int64)
        weights = np.concatenate([c[2] for c in self._chunks]) if self._chunks else np.zeros(0)
        del self._chunks
        order = np.lexsort((post, pre))
        self._pre, self._post, self._weights = pre[order], post[order], weights[order]
        #: bumped whenever weights change
        self.version = 0
        #: per connection: (grenade projection, its connection) of the last mapping
        self._placed: Any = None
        simulator.state.projections.append(self)

    # -- connecting (called by the connectors) -------------------------------------------------------
    def _convergent_connect(self, presynaptic_indices: Any, postsynaptic_index: int,
                            location_selector: Any = None, **connection_parameters: Any) -> None:
        if location_selector is not None:
            raise ValueError(f"location_selector={location_selector!r}: point neurons have no compartments")
        pre = np.asarray(presynaptic_indices, dtype=np.int64).reshape(-1)
        for name in connection_parameters:
            if name not in ("weight", "delay"):
                raise NonExistentParameterError(name, "StaticSynapse", ["weight", "delay"])
        check_delays(connection_parameters.get("delay", 0.0), self._what())
        weights = np.broadcast_to(rounded_weights(connection_parameters.get("weight", 0.0)), pre.shape)
        check_weight_sign(weights, self.receptor_type, self._what())
        self._chunks.append((pre, np.full(len(pre), int(postsynaptic_index), dtype=np.int64),
                             np.array(weights, dtype=float)))

    def _what(self) -> str:
        return f"projection {self.label!r}"

    # -- access ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._pre)

    def __getitem__(self, i: int) -> Connection:
        n = len(self)
        if isinstance(i, (int, np.integer)) and -n <= i < n:
            return Connection(self, int(i) % n)
        raise IndexError(f"projection {self.label!r} has {n} connections, not an index {i!r}")

    @property
    def connections(self) -> list[Connection]:
        return [Connection(self, i) for i in range(len(self))]

    def _column(self, name: str) -> np.ndarray:
        if name == "presynaptic_index":
            return self._pre
        if name == "postsynaptic_index":
            return self._post
        if name in ("weight", "weights"):
            return self._weights
        if name in ("delay", "delays"):
            return np.zeros(len(self))
        raise NonExistentParameterError(name, "StaticSynapse", ["weight", "delay"])

    def _get_attributes_as_list(self, names: Any) -> list[tuple]:
        columns = []
        for name in names:
            column = self._column(name)
            columns.append(column.tolist() if column.dtype.kind in "iu" else column.astype(float).tolist())
        return list(zip(*columns))

    def _get_attributes_as_arrays(self, names: Any, multiple_synapses: str = "sum") -> list[np.ndarray]:
        operation = common.Projection.MULTI_SYNAPSE_OPERATIONS[multiple_synapses]
        keys = self._pre * max(1, self.post.size) + self._post
        duplicates = len(np.unique(keys)) != len(keys)
        out = []
        for name in names:
            values = np.full((self.pre.size, self.post.size), np.nan)
            column = self._column(name)
            if not duplicates:
                values[self._pre, self._post] = column
            else:
                for i, j, v in zip(self._pre.tolist(), self._post.tolist(), column.tolist()):
                    values[i, j] = v if np.isnan(values[i, j]) else operation(values[i, j], v)
            out.append(values)
        return out

    def _set_attributes(self, parameter_space: Any) -> None:
        for name, value in parameter_space.items():
            if name == "delay":
                arr = value.evaluate(simplify=True) if value.is_homogeneous else value.evaluate()[self._pre, self._post]
                check_delays(arr, self._what())
            elif name == "weight":
                if value.is_homogeneous:
                    weights = np.full(len(self), float(value.evaluate(simplify=True)))
                else:
                    weights = np.asarray(value.evaluate(simplify=False), dtype=float)[self._pre, self._post]
                self._set_weights(np.arange(len(self)), weights)
            else:
                raise NonExistentParameterError(name, "StaticSynapse", ["weight", "delay"])

    def _set_weights(self, index: np.ndarray, weights: np.ndarray) -> None:
        rounded = rounded_weights(weights)
        check_weight_sign(rounded, self.receptor_type, self._what())
        new = self._weights.copy()
        new[index] = rounded
        self._weights = new
        self.version += 1

    def _set_initial_value_array(self, variable: str, value: Any) -> None:
        raise NotImplementedError("static synapses have no state variables to initialize")

    # -- hardware -----------------------------------------------------------------------------------
    @property
    def placed_connections(self) -> list[list[Any]]:
        """Per connection, the hardware synapses (``halco.SynapseOnDLS``) it uses, from the last
        mapping (``run`` or ``run(None, RunCommand.PREPARE)``)."""
        if self._placed is None:
            raise SimulationStateError(f"projection {self.label!r} is not mapped yet: call "
                                       "run(None, RunCommand.PREPARE) or run first")
        return [list(p) for p in self._placed]


def _populations(obj: Any) -> list[Any]:
    """The populations behind a population, view or assembly."""
    if isinstance(obj, common.Assembly):
        return [p for member in obj.populations for p in _populations(member)]
    if isinstance(obj, common.PopulationView):
        return [obj.grandparent]
    return [obj]


def resolve(obj: Any) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """For every position of a population, view or assembly: the population its cell belongs
    to (index into the returned list) and the cell's index there."""
    if isinstance(obj, common.Assembly):
        parts = [resolve(member) for member in obj.populations]
        populations: list[Any] = []
        owners, indices = [], []
        for pops, owner, index in parts:
            offset = []
            for p in pops:
                if p not in populations:
                    populations.append(p)
                offset.append(populations.index(p))
            owners.append(np.asarray(offset, dtype=np.int64)[owner])
            indices.append(index)
        return populations, np.concatenate(owners), np.concatenate(indices)
    if isinstance(obj, common.PopulationView):
        index = np.asarray(obj.index_in_grandparent(np.arange(obj.size)), dtype=np.int64)
        return [obj.grandparent], np.zeros(obj.size, dtype=np.int64), index
    return [obj], np.zeros(obj.size, dtype=np.int64), np.arange(obj.size, dtype=np.int64)


__all__ = ["Connection", "Projection", "resolve"]
