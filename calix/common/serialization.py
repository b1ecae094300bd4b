"""Calibration results (and their targets and options) as JSON: :func:`to_json` and
:func:`from_json` (``CalibResult.to_json()`` / ``CalibResult.from_json(text)``).

The JSON is plain data a person or another program can read: numbers, lists and objects,
where numpy arrays carry their dtype and shape, a neuron configuration per calibrated neuron is
one column per ``lola.AtomicNeuronArray`` field, and every dataclass (a result) or attrs class (a
target, options) names its class. Only classes of calix, lola and halco are rebuilt, so a file
cannot make :func:`from_json` import anything else.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
from typing import Any

import attrs
import numpy as np

import halco
import lola
from ..errors import TargetError

#: the packages whose classes a JSON file may name
TRUSTED = ("calix.", "lola.", "halco.")
FORMAT = "calix-result-1"


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _class(name: str) -> type:
    module, _, qualname = name.partition(":")
    if not module.startswith(TRUSTED):
        raise TargetError(f"the JSON names the class {name!r}, which is not calix's, lola's or "
                          f"halco's: refused")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _neurons(value: dict) -> bool:
    return bool(value) and all(isinstance(k, halco.AtomicNeuronOnDLS) for k in value) and \
        all(isinstance(v, lola.AtomicNeuron) for v in value.values())


def _encode(obj: Any) -> Any:
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, enum.Enum):
        return {"__enum__": _name(type(obj)), "value": _encode(obj.value)}
    if isinstance(obj, (int, float)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return {"__ndarray__": obj.tolist(), "dtype": str(obj.dtype), "shape": list(obj.shape)}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v) for v in obj]
    if isinstance(obj, dict):
        if _neurons(obj):
            array = lola.AtomicNeuronArray.from_atomic_neurons(obj)
            return {"__atomic_neurons__": [k.to_enum() for k in obj],
                    "fields": {name: _encode(np.asarray(array[name])) for name in array.field_names()}}
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in obj.items()]}
    if hasattr(obj, "to_enum") and type(obj).__module__.startswith("halco"):
        return {"__halco__": _name(type(obj)), "enum": int(obj.to_enum())}
    if dataclasses.is_dataclass(obj):
        return {"__dataclass__": _name(type(obj)),
                "fields": {f.name: _encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    if attrs.has(type(obj)):
        return {"__attrs__": _name(type(obj)),
                "fields": {f.name: _encode(getattr(obj, f.name)) for f in attrs.fields(type(obj))}}
    raise TargetError(f"a calibration result holds a {type(obj).__name__}, which has no JSON form")


def _decode(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__ndarray__" in data:
        return np.asarray(data["__ndarray__"], dtype=data["dtype"]).reshape(data["shape"])
    if "__tuple__" in data:
        return tuple(_decode(v) for v in data["__tuple__"])
    if "__dict__" in data:
        return {_hashable(_decode(k)): _decode(v) for k, v in data["__dict__"]}
    if "__enum__" in data:
        return _class(data["__enum__"])(_decode(data["value"]))
    if "__halco__" in data:
        return _class(data["__halco__"]).from_enum(data["enum"])
    if "__atomic_neurons__" in data:
        array = lola.AtomicNeuronArray()
        for name, values in data["fields"].items():
            array[name] = _decode(values)
        coords = [halco.AtomicNeuronOnDLS.from_enum(e) for e in data["__atomic_neurons__"]]
        return {c: array.atomic_neuron(c) for c in coords}
    if "__dataclass__" in data or "__attrs__" in data:
        cls = _class(data.get("__dataclass__") or data["__attrs__"])
        fields = {k: _decode(v) for k, v in data["fields"].items()}
        init = {k: v for k, v in fields.items()
                if k in {f.name for f in (dataclasses.fields(cls) if dataclasses.is_dataclass(cls)
                                          else attrs.fields(cls)) if f.init}}
        obj = cls(**init)
        for k, v in fields.items():
            if k not in init:
                object.__setattr__(obj, k, v)
        return obj
    return {k: _decode(v) for k, v in data.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def to_json(result: Any, indent: int | None = None) -> str:
    """``result`` (a calibration result, target or options) as JSON text."""
    return json.dumps({"format": FORMAT, "content": _encode(result)}, indent=indent)


def from_json(text: str) -> Any:
    """The object :func:`to_json` wrote."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as err:
        raise TargetError(f"not a calix JSON result: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TargetError(f"not a calix JSON result (format {FORMAT!r} expected)")
    return _decode(data["content"])
