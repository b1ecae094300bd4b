"""Write ``field_words.json``: the exact words of every container with one field set at a time.

    .venv/bin/python tests/haldls/golden/make_field_words.py

Regenerate only when a layout change is intended, and review the diff of ``field_words.json``
word by word against the documented layout (the real BSS-2 bitfields where they exist; see
``tests/haldls/test_golden.py``). The file is the independent expectation that
``tests/haldls/test_field_layouts.py`` compares the encoders and decoders with: a field moved to
another bit, narrowed or widened by one bit, or given another transform (inversion, bit reversal,
permutation, offset) changes words here. Regenerating after an unintended change would hide it.

Contents, per container (``haldls.<name>`` for every registered haldls container,
``lola.<name>`` for ``lola.AtomicNeuron``, lola's synapse row and matrix containers, its CADC
sample containers and its column-switch rows, the lola
word containers with a layout of their own; lola's composites are sequences of haldls
containers, pinned here part by part):

* ``n_words`` and ``default``: the words of the default-constructed container;
* ``fields``: field key -> value key -> the words with only that field (or array entry) set to
  that value, every other field at its default (but a gated field's gate, which is on: the chip
  stores a gated field only then); or ``{"raises": "<error class>"}`` for a value
  one past the field's maximum or one below its minimum.

Field keys: ``name`` (a scalar field), ``name[i]`` (entry ``i`` of an array field, every entry of
haldls arrays, the first and the last of lola's 256-entry rows), ``name[r][c]`` (a matrix entry:
the first and the last), ``member.field`` (``lola.AtomicNeuron``), ``values[c].switch`` (a
switch of the first and the last column of a column-switch row, True and False). Value keys: ``True`` /
``False`` (both, for every bool), an enum member's name (every member), or an integer (a
coordinate field's: the coordinate's enum): the
minimum, the minimum + 1, the maximum, and minimum + 2**k for every bit k of the range (each raw
bit alone: a moved or swapped bit shows). Words are hex strings; the 32768-word matrices list
only their non-zero words, as ``{"word index": "hex"}`` (``"sparse": true``).
"""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Any, Iterator

import attrs
import numpy as np

import haldls
import lola
from haldls.errors import FieldValueError
from lola._composite import Aggregate
from lola.errors import LolaValueError

OUT = Path(__file__).resolve().parent / "field_words.json"

#: containers with more words than this list only their non-zero words
SPARSE_ABOVE = 128


def integer_values(minimum: int, maximum: int) -> list[int]:
    """The maximum, the minimum + 1, the minimum, and minimum + 2**k for every bit of the range."""
    out = [maximum, min(minimum + 1, maximum), minimum]
    k = 0
    while minimum + (1 << k) <= maximum:
        out.append(minimum + (1 << k))
        k += 1
    return list(dict.fromkeys(out))


def scalar_cases(kind: str, minimum: int | None, maximum: int | None,
                 enum_type: type[enum.IntEnum] | None) -> tuple[list[Any], list[int]]:
    """Values to pin and integer values that must be refused, for one scalar or one entry."""
    if kind == "bool":
        return [True, False], []
    if kind == "enum":
        members = sorted(enum_type, key=int)             # type: ignore[arg-type]
        values = [int(m) for m in members]
        return list(reversed(members)), [max(values) + 1, min(values) - 1]
    assert minimum is not None and maximum is not None
    return integer_values(minimum, maximum), [maximum + 1, minimum - 1]


def refusal(make: Any, value: int, error: type[Exception], where: str) -> dict[str, str]:
    """The entry of a value that must be refused (raising ``error``)."""
    try:
        make(value)
    except error:
        return {"raises": error.__name__}
    raise RuntimeError(f"{where} = {value} was accepted: the container does not check its range")


def value_key(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.name
    return str(int(value))


def hex_words(words: np.ndarray, sparse: bool) -> Any:
    words = np.asarray(words, dtype=np.uint64)
    if sparse:
        return {str(int(i)): hex(int(words[i])) for i in np.flatnonzero(words)}
    return [hex(int(w)) for w in words]


# -- haldls ---------------------------------------------------------------------------------------

def haldls_entries(cls: type) -> Iterator[tuple[str, Any, Any]]:
    """(field key, field object, entry index or None) of a haldls container: every entry."""
    for name, f in cls.fields.items():
        if f.count is None:
            yield name, f, None
        else:
            for i in range(f.count):
                yield f"{name}[{i}]", f, i


def haldls_container(cls: type) -> dict[str, Any]:
    """The golden entry of a field-declared haldls container."""
    fields: dict[str, Any] = {}
    for key, f, index in haldls_entries(cls):
        values, refused = scalar_cases(f.kind, f.minimum, f.maximum, f.enum_type)
        cases: dict[str, Any] = {}

        # a gated field is stored only while its gate is on: pin it with the gate on
        gate = {} if f.gate is None else {f.gate.name: True}

        def make(v: Any) -> Any:
            if index is None:
                return cls(**{f.name: v}, **gate)
            entries = list(getattr(cls(), f.name))
            entries[index] = v
            return cls(**{f.name: entries}, **gate)

        for v in values:
            cases[value_key(v)] = hex_words(make(v).encode(), False)
        for v in refused:
            cases[value_key(v)] = refusal(make, v, FieldValueError, f"{cls.__name__}.{key}")
        fields[key] = cases
    return {"n_words": int(cls.n_words), "default": hex_words(cls().encode(), False), "fields": fields}


# -- lola -----------------------------------------------------------------------------------------

def atomic_neuron() -> dict[str, Any]:
    """The golden entry of lola.AtomicNeuron: 34 words (NeuronConfig, 24 CapMem cells in visit
    order, NeuronBackendConfig) per member field."""
    cls = lola.AtomicNeuron
    fields: dict[str, Any] = {}
    for member, member_type in cls.member_types().items():
        for name, spec in member_type.field_specs().items():
            kind = {"analog": "uint"}.get(spec.kind, spec.kind)
            values, refused = scalar_cases(kind, 0, spec.maximum, spec.enum_type)
            cases: dict[str, Any] = {}

            def make(v: Any) -> Any:
                return cls(**{member: member_type(**{name: v})})

            for v in values:
                cases[value_key(v)] = hex_words(make(v).encode(), False)
            for v in refused:
                cases[value_key(v)] = refusal(make, v, LolaValueError, f"AtomicNeuron.{member}.{name}")
            fields[f"{member}.{name}"] = cases
    return {"n_words": cls.n_words, "default": hex_words(cls().encode(), False), "fields": fields}


def synapse_array(cls: type) -> dict[str, Any]:
    """The golden entry of a lola synapse row or matrix: the first and the last entry of each
    array field (its column and row mapping onto quads and words)."""
    sparse = cls.n_words > SPARSE_ABOVE
    ends = [(0,) * len(cls.shape), tuple(n - 1 for n in cls.shape)]
    fields: dict[str, Any] = {}
    for name, info in cls.schema().items():
        for index in ends:
            cases: dict[str, Any] = {}

            def make(v: int) -> Any:
                arr = np.zeros(cls.shape, dtype=np.int64)
                arr[index] = v
                return cls(**{name: arr})

            # the quad field's bits are pinned bit by bit in the haldls quad; here the column
            # (and row) mapping of the first and the last entry
            for v in (info.maximum, info.minimum + 1):
                cases[value_key(v)] = hex_words(make(v).encode(), sparse)
            for v in (info.maximum + 1, info.minimum - 1):
                cases[value_key(v)] = refusal(make, v, LolaValueError, f"{cls.__name__}.{name}")
            fields[name + "".join(f"[{i}]" for i in index)] = cases
    out: dict[str, Any] = {"n_words": cls.n_words}
    if sparse:
        out["sparse"] = True
    out.update(default=hex_words(cls().encode(), sparse), fields=fields)
    return out


def switch_row(cls: type) -> dict[str, Any]:
    """The golden entry of a lola column-switch row: each switch of the first and the last
    column alone, on and off (its column mapping onto quads and words; the switch bits are
    pinned in the haldls quad)."""
    fields: dict[str, Any] = {}
    for column in (0, 255):
        for name in (f.name for f in attrs.fields(cls.switch_type)):
            cases: dict[str, Any] = {}
            for v in (True, False):
                values = [cls.switch_type()] * 256
                values[column] = cls.switch_type(**{name: v})
                cases[value_key(v)] = hex_words(cls(values=values).encode(), False)
            fields[f"values[{column}].{name}"] = cases
    return {"n_words": cls.n_words, "default": hex_words(cls().encode(), False), "fields": fields}


def lola_word_containers() -> list[type]:
    """lola's word containers with a layout of their own: not the composites of haldls parts."""
    registry = haldls.Registry.of(lola.AtomicNeuron)
    return [t for t in registry.types()
            if issubclass(t, haldls.WordContainer) and not issubclass(t, Aggregate)]


def golden() -> dict[str, Any]:
    containers: dict[str, Any] = {}
    for cls in haldls.containers():
        containers[f"haldls.{cls.__qualname__}"] = haldls_container(cls)
    for cls in lola_word_containers():
        containers[f"lola.{cls.__qualname__}"] = (atomic_neuron() if cls is lola.AtomicNeuron
                                                  else switch_row(cls) if hasattr(cls, "switch_type")
                                                  else synapse_array(cls))
    return containers


def dump(containers: dict[str, Any]) -> str:
    """JSON with one line per value (a word list stays on its line: diffs read field by field)."""
    lines = ["{", '"about": ' + json.dumps(
        "Generated by tests/haldls/golden/make_field_words.py: regenerate only when a layout "
        "change is intended, and review the diff.") + ",", '"containers": {']
    for ci, (name, c) in enumerate(containers.items()):
        lines.append(f"{json.dumps(name)}: {{")
        for key in ("n_words", "sparse", "default"):
            if key in c:
                lines.append(f"  {json.dumps(key)}: {json.dumps(c[key])},")
        lines.append('  "fields": {')
        for fi, (field, cases) in enumerate(c["fields"].items()):
            lines.append(f"    {json.dumps(field)}: {{")
            for vi, (value, words) in enumerate(cases.items()):
                comma = "," if vi < len(cases) - 1 else ""
                lines.append(f"      {json.dumps(value)}: {json.dumps(words)}{comma}")
            lines.append("    }" + ("," if fi < len(c["fields"]) - 1 else ""))
        lines.append("  }")
        lines.append("}" + ("," if ci < len(containers) - 1 else ""))
    lines += ["}", "}", ""]
    return "\n".join(lines)


def main() -> int:
    text = dump(golden())
    json.loads(text)                                 # well-formed
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(text)} bytes); review the diff before committing it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
