"""JSON serialization of containers and coordinates through a cattrs converter.

A container unstructures to ``{"type": "<qualified name>", "fields": {...}}`` and a coordinate to
``{"type": "<name>", "enum": e}`` (a logical-neuron placement to its compartments and anchor), so
that a list of (coordinate, container) pairs can be archived and restored without knowing the
types in advance.
"""

from __future__ import annotations

import json
from typing import Any

import cattrs

import halco
from ._container import Container, container_by_name
from .errors import DecodeError, NotSerializableError

converter = cattrs.Converter()


def _unstructure_container(c: Container) -> dict[str, Any]:
    return {"type": type(c).__qualname__, "fields": c.to_dict()}


def _structure_container(data: Any, cls: type) -> Container:
    try:
        ctype = container_by_name(data["type"])
        fields = data["fields"]
    except (KeyError, TypeError):
        raise DecodeError(f"not a serialized container: {data!r:.200}") from None
    if cls is not Container and not issubclass(ctype, cls):
        raise DecodeError(f"expected a {cls.__qualname__}, got {ctype.__qualname__}")
    return ctype.from_dict(fields)


_COORDINATES = {t.__name__: t for t in halco.all_coordinate_types()}


def _unstructure_coordinate(c: halco.Coordinate) -> dict[str, Any]:
    return {"type": type(c).__name__, "enum": c.to_enum()}


def _structure_coordinate(data: Any, cls: type) -> halco.Coordinate:
    if isinstance(data, dict) and data.get("type") == "LogicalNeuronOnDLS" and cls is halco.Coordinate:
        return _structure_logical_neuron(data, halco.LogicalNeuronOnDLS)
    try:
        ctype = _COORDINATES[data["type"]]
        enum = data["enum"]
    except (KeyError, TypeError):
        raise DecodeError(f"not a serialized coordinate: {data!r:.200}") from None
    if cls is not halco.Coordinate and ctype is not cls:
        raise DecodeError(f"expected a {cls.__name__}, got {ctype.__name__}")
    return ctype.from_enum(enum)


def _unstructure_logical_neuron(c: halco.LogicalNeuronOnDLS) -> dict[str, Any]:
    return {"type": "LogicalNeuronOnDLS", "anchor": c.anchor.to_enum(),
            "compartments": {str(comp.value()): [n.to_enum() for n in neurons]
                             for comp, neurons in c.compartments.get_compartments().items()}}


def _structure_logical_neuron(data: Any, cls: type) -> halco.LogicalNeuronOnDLS:
    try:
        if data["type"] != "LogicalNeuronOnDLS":
            raise DecodeError(f"expected a LogicalNeuronOnDLS, got {data['type']!r}")
        compartments = halco.LogicalNeuronCompartments({
            halco.CompartmentOnLogicalNeuron(int(comp)): [
                halco.AtomicNeuronOnLogicalNeuron.from_enum(e) for e in neurons]
            for comp, neurons in data["compartments"].items()})
        return halco.LogicalNeuronOnDLS(compartments, halco.AtomicNeuronOnDLS.from_enum(data["anchor"]))
    except DecodeError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise DecodeError(f"not a serialized LogicalNeuronOnDLS: {data!r:.200} ({err})") from None


converter.register_unstructure_hook_func(
    lambda t: isinstance(t, type) and issubclass(t, Container), _unstructure_container
)
converter.register_unstructure_hook(halco.LogicalNeuronOnDLS, _unstructure_logical_neuron)
converter.register_structure_hook(halco.LogicalNeuronOnDLS, _structure_logical_neuron)
converter.register_structure_hook_func(
    lambda t: isinstance(t, type) and issubclass(t, Container), _structure_container
)
converter.register_unstructure_hook_func(
    lambda t: isinstance(t, type) and issubclass(t, halco.Coordinate), _unstructure_coordinate
)
converter.register_structure_hook_func(
    lambda t: isinstance(t, type) and issubclass(t, halco.Coordinate), _structure_coordinate
)


def to_json(obj: Container | halco.Coordinate | halco.LogicalNeuronOnDLS) -> str:
    """JSON text of a container or coordinate."""
    if not isinstance(obj, (Container, halco.Coordinate, halco.LogicalNeuronOnDLS)):
        raise NotSerializableError(f"to_json takes a haldls container or a halco coordinate, "
                                   f"not {type(obj).__name__}")
    return json.dumps(converter.unstructure(obj, type(obj)))


def from_json(text: str, cls: type = Container) -> Any:
    """The container (``cls=Container``, the default) or coordinate (``cls=halco.Coordinate``)
    that :func:`to_json` produced; the concrete type is read from the text. Text that is not
    such JSON raises :class:`~haldls.errors.DecodeError`."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as err:
        raise DecodeError(f"not JSON: {err}") from None
    return converter.structure(data, cls)
