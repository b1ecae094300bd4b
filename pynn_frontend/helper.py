"""Helpers of the real backend: chip configurations from files and the flattened view of a
``lola.AtomicNeuron`` (``HXNeuron``'s parameter names)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import lola
from lola.neuron_array import FLAT_FIELDS


def chip_from_portable_binary(data: bytes) -> lola.Chip:
    """A ``lola.Chip`` from its binary archive (``lola.Chip.to_bytes()``)."""
    return lola.Chip.from_bytes(data)


def chip_from_file(path: str | Path) -> lola.Chip:
    """A ``lola.Chip`` from a file written with ``to_bytes()`` (binary) or ``to_json()``
    (a ``.json`` file)."""
    path = Path(path)
    if path.suffix == ".json":
        return lola.Chip.from_json(path.read_text())
    return chip_from_portable_binary(path.read_bytes())


def get_values_of_atomic_neuron(atomic_neuron: lola.AtomicNeuron,
                                exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The neuron as ``{member_field: value}`` (flags as bool, everything else as float), the
    names ``HXNeuron`` takes; ``exclude`` drops names."""
    skip = set(exclude)
    out = {}
    for name, f in FLAT_FIELDS.items():
        if name in skip:
            continue
        value = getattr(getattr(atomic_neuron, f.member), f.field)
        out[name] = bool(value) if f.spec.kind == "bool" else float(int(value))
    return out


def decompose_in_member_names(name: str) -> tuple[str, str]:
    """``"leak_v_leak"`` -> ``("leak", "v_leak")``: the member is the longest prefix that is an
    AtomicNeuron member."""
    members = sorted(lola.AtomicNeuron.member_types(), key=len, reverse=True)
    for member in members:
        if name.startswith(member + "_") and name[len(member) + 1:]:
            return member, name[len(member) + 1:]
    raise ValueError(f"{name!r} does not start with an AtomicNeuron member ({sorted(members)})")


__all__ = ["chip_from_file", "chip_from_portable_binary", "decompose_in_member_names",
           "get_values_of_atomic_neuron"]
