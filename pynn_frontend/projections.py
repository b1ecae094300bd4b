"""``Projection``: connections made by PyNN's connectors, kept as arrays.

Connections are stored in row-major order (presynaptic, then postsynaptic index) with their
weights rounded to whole numbers (onto PyNN's standard cell types: in nA as given, translated
when mapped); the sign of a weight must match the receptor type (excitatory >= 0, inhibitory
<= 0), its magnitude goes to the chip; the delay is 0 (in biological time: ms >= 0, realized
from spike sources when mapped). Pre and
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
from .errors import NonExistentParameterError, ParameterValueError, SimulationStateError
from .standardmodels.synapses import (
    ChipSynapse, StaticSynapse, biological_time, check_delays, check_weight_sign, checked_delays, rounded_weights,
)


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
        return float(self._projection._delays[self._index])

    @delay.setter
    def delay(self, value: float) -> None:
        self._projection._set_delays(np.array([self._index]), np.array([value], dtype=float))

    def __getattr__(self, name: str) -> float:
        extra = self.__dict__.get("_projection")
        if extra is not None and name in extra._extra:
            return float(extra._extra[name][self._index])
        raise AttributeError(f"a connection has no attribute {name!r}")

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
        if not isinstance(self.synapse_type, ChipSynapse):
            raise TypeError(f"{type(self.synapse_type).__name__} is not a synapse type of this backend; "
                            "use pynn_frontend.StaticSynapse")
        for role, population in (("pre", self.pre), ("post", self.post)):
            for cell_population in _populations(population):
                if cell_population._simulator is not simulator:
                    raise TypeError(f"the {role}synaptic population is not one of this backend")
        kinds = {bool(getattr(p.celltype, "biological_weights", False)) for p in _populations(self.post)}
        if len(kinds) > 1:
            raise TypeError("the postsynaptic cells of a projection take either biological weights (nA: PyNN's "
                            "standard cell types) or hardware weights (HXNeuron, CalibHXNeuron*), not both")
        #: weights in biological units (nA), translated when mapped; else hardware LSB
        self.biological_weights = kinds == {True}
        #: PyNN's conductance-based cells: weights >= 0 for every receptor type
        self._conductances = self.biological_weights and all(
            p.celltype.conductance_based for p in _populations(self.post))
        #: (presynaptic, postsynaptic) compartment of every connection: chosen by the
        #: connector's selectors for multi-compartment cells (labels), else 0
        self._compartments = (_compartment(connector, "source_location_selector", self.pre),
                              _compartment(connector, "location_selector", self.post))
        self._chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        connector.connect(self)
        pre = np.concatenate([c[0] for c in self._chunks]) if self._chunks else np.zeros(0, dtype=np.int64)
        post = np.concatenate([c[1] for c in self._chunks]) if self._chunks else np.zeros(0, dtype=np.int64)
        weights = np.concatenate([c[2] for c in self._chunks]) if self._chunks else np.zeros(0)
        delays = np.concatenate([c[3] for c in self._chunks]) if self._chunks else np.zeros(0)
        extra = {name: np.concatenate([c[4][name] for c in self._chunks]) if self._chunks else np.zeros(0)
                 for name in self.synapse_type.connection_parameters()}
        del self._chunks
        order = np.lexsort((post, pre))
        self._pre, self._post, self._weights = pre[order], post[order], weights[order]
        #: delays [ms]: 0 on the chip's hardware time, as given in biological time
        self._delays = delays[order]
        #: the synapse type's other parameters, per connection
        self._extra = {name: values[order] for name, values in extra.items()}
        #: bumped whenever weights change
        self.version = 0
        #: per connection: (grenade projection, its connection) of the last mapping
        self._placed: Any = None
        simulator.state.projections.append(self)

    # -- connecting (called by the connectors) -------------------------------------------------------
    def _convergent_connect(self, presynaptic_indices: Any, postsynaptic_index: int,
                            location_selector: Any = None, **connection_parameters: Any) -> None:
        # a selector was resolved to the projection's compartment when it was made
        pre = np.asarray(presynaptic_indices, dtype=np.int64).reshape(-1)
        names = ["weight", "delay", *self.synapse_type.connection_parameters()]
        for name in connection_parameters:
            if name not in names:
                raise NonExistentParameterError(name, type(self.synapse_type).__name__, names)
        extra = {name: np.array(np.broadcast_to(self._stored_extra(name, connection_parameters[name]), pre.shape),
                                dtype=float) for name in names[2:]}
        delays = np.broadcast_to(self._stored_delays(connection_parameters.get("delay", 0.0)), pre.shape)
        weights = np.broadcast_to(self._stored_weights(connection_parameters.get("weight", 0.0)), pre.shape)
        check_weight_sign(weights, self.receptor_type, self._what(), self._conductances)
        self._chunks.append((pre, np.full(len(pre), int(postsynaptic_index), dtype=np.int64),
                             np.array(weights, dtype=float), np.array(delays, dtype=float), extra))

    def _stored_weights(self, weights: Any) -> np.ndarray:
        """Weights as kept: whole hardware LSB, or biological values as given (finite)."""
        if not self.biological_weights:
            return rounded_weights(weights)
        arr = np.asarray(weights, dtype=float)
        if not np.all(np.isfinite(arr)):
            raise ParameterValueError(f"{self._what()}: weight must be a finite number, not "
                                      f"{arr[~np.isfinite(arr)].ravel()[0]!r}")
        return arr

    def _stored_delays(self, delays: Any) -> np.ndarray:
        """Delays as kept: 0 in hardware time, any finite value >= 0 [ms] in biological time."""
        if biological_time():
            return checked_delays(delays, self._what())
        check_delays(delays, self._what())
        return np.zeros(np.shape(delays))

    def _stored_extra(self, name: str, values: Any) -> np.ndarray:
        arr = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(arr)):
            raise ParameterValueError(f"{self._what()}: {name} must be a finite number, not "
                                      f"{arr[~np.isfinite(arr)].ravel()[0]!r}")
        return arr

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

    def get(self, attribute_names: Any, format: str, gather: bool = True, with_address: bool = True,
            multiple_synapses: str = "sum") -> Any:
        names = [attribute_names] if isinstance(attribute_names, str) else list(attribute_names)
        valid = self.synapse_type.get_parameter_names()
        for name in names:
            if name not in valid:
                raise NonExistentParameterError(name, type(self.synapse_type).__name__, valid)
        return super().get(attribute_names, format, gather, with_address, multiple_synapses)

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
            return self._delays
        if name in self._extra:
            return self._extra[name]
        raise NonExistentParameterError(name, type(self.synapse_type).__name__, ["weight", "delay", *self._extra])

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
            if name in ("delay", "weight", *self._extra):
                if value.is_homogeneous:
                    values = np.full(len(self), float(value.evaluate(simplify=True)))
                else:
                    values = np.asarray(value.evaluate(simplify=False), dtype=float)[self._pre, self._post]
                if name == "weight":
                    self._set_weights(np.arange(len(self)), values)
                elif name == "delay":
                    self._set_delays(np.arange(len(self)), values)
                else:
                    self._extra[name] = self._stored_extra(name, values)
                    self.version += 1
            else:
                raise NonExistentParameterError(name, type(self.synapse_type).__name__,
                                                ["weight", "delay", *self._extra])

    def _set_weights(self, index: np.ndarray, weights: np.ndarray) -> None:
        rounded = self._stored_weights(weights)
        check_weight_sign(rounded, self.receptor_type, self._what(), self._conductances)
        new = self._weights.copy()
        new[index] = rounded
        self._weights = new
        self.version += 1

    def _set_delays(self, index: np.ndarray, delays: np.ndarray) -> None:
        new = self._delays.copy()
        new[index] = self._stored_delays(delays)
        self._delays = new
        self.version += 1

    def _set_initial_value_array(self, variable: str, value: Any) -> None:
        raise NotImplementedError("static synapses have no state variables to initialize")

    def get_data(self, observable: str) -> list:
        """A per-synapse observable of the projection's plasticity rule (pynn_frontend.plasticity):
        per snippet of the last run, per call of the rule's kernel an entry with ``.time`` (FPGA
        cycles since the snippet's start) and ``.data`` (one value per connection)."""
        from .plasticity import projection_data      # plasticity imports the synapse types
        return projection_data(self, observable)

    # -- hardware -----------------------------------------------------------------------------------
    @property
    def placed_connections(self) -> list[list[Any]]:
        """Per connection, the hardware synapses (``halco.SynapseOnDLS``) it uses, from the last
        mapping (``run`` or ``run(None, RunCommand.PREPARE)``)."""
        if self._placed is None:
            raise SimulationStateError(f"projection {self.label!r} is not mapped yet: call "
                                       "run(None, RunCommand.PREPARE) or run first")
        return [list(p) for p in self._placed]


def _compartment(connector: Any, attribute: str, cells: Any) -> int:
    """The compartment the connector's ``attribute`` (a label) selects on the cells of
    ``cells`` (0 without a selector); ValueError for point neurons, or a label that is unknown
    or not the same compartment on every population."""
    selector = getattr(connector, attribute, None)
    if selector is None:
        return 0
    found = set()
    for population in _populations(cells):
        celltype = population.celltype
        if not getattr(celltype, "multicompartment", False):
            raise ValueError(f"{attribute}={selector!r}: {type(celltype).__name__} cells (population "
                             f"{population.label!r}) are point neurons without compartments to select")
        found.add(celltype.compartment_of(selector, attribute))
    if len(found) > 1:
        raise ValueError(f"{attribute}={selector!r} names different compartments {sorted(found)} on the "
                         "populations of the projection")
    return found.pop()


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
