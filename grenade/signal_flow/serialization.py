"""JSON form of a signal-flow graph: every vertex as its type and fields.

Values are written by kind: numpy arrays (with their dtype), halco coordinates and haldls
containers (through haldls's converter), enums, attrs classes of grenade (vertex configs,
functions) by qualified name, and plain lists, dicts and numbers. Only the types grenade knows
are restored (nothing is imported by name from the text).
"""

from __future__ import annotations

import enum
import json
from typing import Any

import attrs
import numpy as np

import halco
import haldls
from haldls.serialization import converter
from ..common import ExecutionInstanceID
from ..errors import GrenadeError, SerializationError
from .graph import Graph, Input
from .port import ConnectionType, PortRestriction
from .vertex import neuron, plasticity, readout, transformation
from .vertex.base import VERTEX_TYPES

#: attrs classes (besides vertices) and enums a graph may hold, by qualified name
_KNOWN: dict[str, type] = {t.__qualname__: t for t in (
    neuron.NeuronConfig, readout.MADCSource, readout.CADCMode, plasticity.Timer, ConnectionType,
    haldls.SynapseDriverConfig.RowMode, readout.ReadoutSource)}


def _encode(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return {"ndarray": value.tolist(), "dtype": value.dtype.descr if value.dtype.names else value.dtype.str}
    if isinstance(value, (halco.Coordinate, halco.LogicalNeuronOnDLS)):
        return {"coordinate": converter.unstructure(value, type(value))}
    if isinstance(value, haldls.Container):
        return {"container": converter.unstructure(value, type(value))}
    if isinstance(value, enum.Enum):
        return {"enum": type(value).__qualname__, "value": value.value}
    if attrs.has(type(value)):
        return {"attrs": type(value).__qualname__,
                "fields": {a.name: _encode(getattr(value, a.name)) for a in attrs.fields(type(value))}}
    if isinstance(value, dict):
        return {"dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, (np.integer, np.bool_, np.floating)):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise SerializationError(f"cannot write a {type(value).__name__} into a graph's JSON")


def _decode(data: Any) -> Any:
    if isinstance(data, list):
        return tuple(_decode(v) for v in data)
    if not isinstance(data, dict):
        return data
    if "ndarray" in data:
        dtype = data["dtype"]
        dtype = np.dtype([tuple(f) for f in dtype]) if isinstance(dtype, list) else np.dtype(dtype)
        values = data["ndarray"]
        if dtype.names:
            return np.array([tuple(v) for v in values], dtype=dtype)
        return np.array(values, dtype=dtype)
    if "coordinate" in data:
        return converter.structure(data["coordinate"], halco.Coordinate)
    if "container" in data:
        return converter.structure(data["container"], haldls.Container)
    if "enum" in data:
        return _known(data["enum"])(data["value"])
    if "attrs" in data:
        cls = VERTEX_TYPES.get(data["attrs"]) or _known(data["attrs"])
        return cls(**{k: _decode(v) for k, v in data["fields"].items()})
    if "dict" in data:
        return {_decode(k): _decode(v) for k, v in data["dict"]}
    raise SerializationError(f"not a value of a graph's JSON: {data!r:.120}")


def _known(name: str) -> type:
    try:
        return _KNOWN.get(name) or transformation.FUNCTIONS[name]
    except KeyError:
        raise SerializationError(f"a graph's JSON names an unknown type {name!r}") from None


def graph_to_json(graph: Graph) -> str:
    vertices = []
    for d, vertex in graph:
        vertices.append({
            "vertex": _encode(vertex), "execution_instance": graph.execution_instance(d).value,
            "inputs": [[i.descriptor, None if i.restriction is None else
                        [i.restriction.min, i.restriction.max]] for i in graph.inputs(d)]})
    return json.dumps({"grenade_graph": 1, "vertices": vertices})


def graph_from_json(text: str) -> Graph:
    """The graph :func:`graph_to_json` wrote, built again with every check of ``Graph.add``
    (:meth:`Graph.from_parts`: inputs may come from later vertices, as after relocations)."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("grenade_graph") != 1:
            raise SerializationError("not a grenade graph (no 'grenade_graph': 1)")
        entries = [(_decode(v["vertex"]), ExecutionInstanceID(v["execution_instance"]),
                    [Input(d, None if r is None else PortRestriction(*r)) for d, r in v["inputs"]])
                   for v in data["vertices"]]
    except GrenadeError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise SerializationError(f"not a grenade graph's JSON: {err}") from err
    return Graph.from_parts(entries)
