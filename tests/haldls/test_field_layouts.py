"""Every field of every container lands on exactly the bits written down in
``golden/field_words.json`` (issue 20, item 1: layouts pinned independently).

Round trips encode and decode with the same field table, so they cannot see where a field sits.
Here each field is set alone (every other at its default) to its maximum, its minimum + 1, its
minimum and each single bit of its range (bools: both values; enums: every member; arrays:
every entry of a haldls array, the first and the last of a lola row or matrix), and the words
must be exactly the ones in the file; the file's words must decode to that container; and one
past the maximum and one below the minimum must raise the container's field error, naming the
field. The scalar codec (``encode``, ``decode``) and the vectorized one (``encode_array``,
``decode_array``; ``AtomicNeuron.encode_many``) are both held to the file.

The file was written once by ``golden/make_field_words.py`` and checked against the real BSS-2
bitfields where they exist (``test_golden.py``); regenerate it only for an intended layout change,
and review its diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

import haldls
import lola
from haldls.errors import FieldValueError
from lola._composite import Aggregate
from lola.errors import LolaValueError

GOLDEN = Path(__file__).resolve().parent / "golden" / "field_words.json"
REGENERATE = ("if the change is intended (a new container or field, a changed layout), regenerate "
              "the golden words with "
              "`.venv/bin/python tests/haldls/golden/make_field_words.py` and review the diff of "
              "tests/haldls/golden/field_words.json")
ERRORS = {"FieldValueError": FieldValueError, "LolaValueError": LolaValueError}
_ENTRY = re.compile(r"^(\w+)((?:\[\d+\])*)$")


def _golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text())["containers"]


GOLDEN_CONTAINERS = _golden()


def _lola_word_containers() -> list[type]:
    """lola's word containers with a layout of their own (composites are haldls parts in a row)."""
    return [t for t in haldls.Registry.of(lola.AtomicNeuron).types()
            if issubclass(t, haldls.WordContainer) and not issubclass(t, Aggregate)]


def _all_containers() -> dict[str, type]:
    out = {f"haldls.{t.__qualname__}": t for t in haldls.containers()}
    out.update({f"lola.{t.__qualname__}": t for t in _lola_word_containers()})
    return out


CONTAINERS = _all_containers()


# -- reading the file -------------------------------------------------------------------------------

def _words(entry: Any, n_words: int, sparse: bool) -> np.ndarray:
    if sparse:
        out = np.zeros(n_words, dtype=np.uint64)
        for index, word in entry.items():
            out[int(index)] = int(word, 16)
        return out
    return np.array([int(w, 16) for w in entry], dtype=np.uint64)


def _value(key: str, enum_type: Any) -> Any:
    """The field value a value key of the file stands for."""
    if key in ("True", "False"):
        return key == "True"
    if re.fullmatch(r"-?\d+", key):
        return int(key)
    return enum_type[key]


def _hex(words: Any) -> list[str]:
    return [hex(int(w)) for w in np.asarray(words).ravel()]


def _diff(expected: np.ndarray, got: np.ndarray) -> str:
    """The words that differ, by index (a 32768-word matrix would not fit a message)."""
    got = np.asarray(got, dtype=np.uint64).ravel()
    if got.shape != expected.shape:
        return f"{got.size} words instead of {expected.size}"
    bad = np.flatnonzero(got != expected)[:6]
    return ", ".join(f"word {i}: expected {hex(int(expected[i]))}, got {hex(int(got[i]))}" for i in bad)


# -- building one container with one field set ------------------------------------------------------

class Haldls:
    """Field keys ``name`` and ``name[i]`` of a field-declared haldls container."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def keys(self) -> set[str]:
        return {name if f.count is None else f"{name}[{i}]"
                for name, f in self.cls.fields.items() for i in range(f.count or 1)}

    def split(self, key: str) -> tuple[str, int | None]:
        name, index = _ENTRY.match(key).groups()      # type: ignore[union-attr]
        return name, int(index[1:-1]) if index else None

    def enum_type(self, key: str) -> Any:
        return self.cls.fields[self.split(key)[0]].enum_type

    def argument(self, key: str, value: Any) -> tuple[str, Any]:
        name, index = self.split(key)
        if index is None:
            return name, value
        entries = list(getattr(self.cls(), name))
        entries[index] = value
        return name, entries

    def gate(self, key: str) -> dict[str, bool]:
        """A gated field is pinned with its gate on (the chip stores it only then)."""
        gate = self.cls.fields[self.split(key)[0]].gate
        return {} if gate is None else {gate.name: True}

    def make(self, key: str, value: Any) -> Any:
        name, arg = self.argument(key, value)
        return self.cls(**{name: arg}, **self.gate(key))

    def check_vectorized(self, key: str, values: list[Any], expected: np.ndarray) -> list[str]:
        """``encode_array`` of all values of one field at once gives the file's words, and
        ``decode_array`` of the file's words gives the values."""
        if not self.cls.fields:
            return []
        name, index = self.split(key)
        column = [self.argument(key, v)[1] for v in values]
        dtype = bool if self.cls.fields[name].kind == "bool" else np.int64
        arr = np.array([[int(x) for x in c] if index is not None else int(c) for c in column], dtype=dtype)
        problems = []
        got = self.cls.encode_array(len(values), **{name: arr}, **self.gate(key))
        if not np.array_equal(got.astype(np.uint64), expected):
            rows = np.flatnonzero((got.astype(np.uint64) != expected).any(axis=1))
            problems += [f"{key} = {values[r]}: encode_array {_diff(expected[r], got[r])}" for r in rows]
        decoded = self.cls.decode_array(expected.astype(np.uint32))[name]
        if not np.array_equal(decoded, arr):
            problems.append(f"{key}: decode_array of the golden words gives {decoded.tolist()}, "
                            f"not {arr.tolist()}")
        return problems


class AtomicNeuron:
    """Field keys ``member.field`` of ``lola.AtomicNeuron``."""

    cls = lola.AtomicNeuron

    def keys(self) -> set[str]:
        return {f"{m}.{f}" for m, t in self.cls.member_types().items() for f in t.field_specs()}

    def enum_type(self, key: str) -> Any:
        member, field = key.split(".")
        return self.cls.member_types()[member].field_specs()[field].enum_type

    def make(self, key: str, value: Any) -> Any:
        member, field = key.split(".")
        return self.cls(**{member: self.cls.member_types()[member](**{field: value})})

    def refuse(self, key: str, value: Any) -> None:
        """Assign to a member of a neuron: the error names the member as the neuron holds it
        (a member made alone does not know whether it is the excitatory or inhibitory input)."""
        member, field = key.split(".")
        setattr(getattr(self.cls(), member), field, value)

    def check_vectorized(self, key: str, values: list[Any], expected: np.ndarray) -> list[str]:
        got = self.cls.encode_many([self.make(key, v) for v in values]).astype(np.uint64)
        rows = np.flatnonzero((got != expected).any(axis=1))
        return [f"{key} = {values[r]}: encode_many {_diff(expected[r], got[r])}" for r in rows]


class SynapseArray:
    """Field keys ``name[c]`` (rows) and ``name[r][c]`` (matrices) of lola's synapse containers."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def keys(self) -> set[str]:
        ends = ["".join(f"[{i}]" for i in index)
                for index in ((0,) * len(self.cls.shape), tuple(n - 1 for n in self.cls.shape))]
        return {name + end for name in self.cls.schema() for end in ends}

    def enum_type(self, key: str) -> Any:
        return None

    def make(self, key: str, value: Any) -> Any:
        name, index = _ENTRY.match(key).groups()      # type: ignore[union-attr]
        arr = np.zeros(self.cls.shape, dtype=np.int64)
        arr[tuple(int(i) for i in re.findall(r"\d+", index))] = value
        return self.cls(**{name: arr})

    def check_vectorized(self, key: str, values: list[Any], expected: np.ndarray) -> list[str]:
        return []     # encode() is the quad's encode_array already


class SwitchRow:
    """Field keys ``values[c].switch`` (c the first or the last column) of lola's column-switch
    rows."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def keys(self) -> set[str]:
        return {f"values[{c}].{f.name}" for c in (0, 255) for f in attrs.fields(self.cls.switch_type)}

    def enum_type(self, key: str) -> Any:
        return None

    def make(self, key: str, value: Any) -> Any:
        column, name = re.fullmatch(r"values\[(\d+)\]\.(\w+)", key).groups()   # type: ignore[union-attr]
        row = self.cls()
        row.values[int(column)] = self.cls.switch_type(**{name: value})
        return row

    def check_vectorized(self, key: str, values: list[Any], expected: np.ndarray) -> list[str]:
        return []     # encode() is the quad's encode_array already


def _layout(cls: type) -> Any:
    if cls is lola.AtomicNeuron:
        return AtomicNeuron()
    if hasattr(cls, "switch_type") and not issubclass(cls, haldls.Container):   # not the quads
        return SwitchRow(cls)
    if issubclass(cls, haldls.Container):
        return Haldls(cls)
    return SynapseArray(cls)


# -- the tests --------------------------------------------------------------------------------------

def coverage_problem(containers: dict[str, type], golden: dict[str, Any]) -> str | None:
    """What is missing between the container types and the golden file, or None."""
    missing = sorted(set(containers) - set(golden))
    gone = sorted(set(golden) - set(containers))
    if missing:
        return f"containers without golden words in {GOLDEN.name}: {missing}; {REGENERATE}"
    if gone:
        return f"{GOLDEN.name} pins containers that no longer exist: {gone}; {REGENERATE}"
    return None


def test_every_container_has_golden_words():
    problem = coverage_problem(CONTAINERS, GOLDEN_CONTAINERS)
    assert problem is None, problem


def test_a_container_added_later_without_golden_words_is_named_with_how_to_regenerate():
    added = {**CONTAINERS, "haldls.NewConfig": object}
    problem = coverage_problem(added, GOLDEN_CONTAINERS)
    assert problem is not None and "haldls.NewConfig" in problem
    assert "tests/haldls/golden/make_field_words.py" in problem and "review the diff" in problem


@pytest.mark.parametrize("name", sorted(GOLDEN_CONTAINERS))
def test_each_field_alone_gives_the_golden_words(name):
    assert name in CONTAINERS, f"{name} is pinned in {GOLDEN.name} but no longer exists; {REGENERATE}"
    cls = CONTAINERS[name]
    golden = GOLDEN_CONTAINERS[name]
    layout = _layout(cls)
    sparse = golden.get("sparse", False)
    n_words = golden["n_words"]

    assert layout.keys() == set(golden["fields"]), (
        f"{name}: fields not pinned: {sorted(layout.keys() - set(golden['fields']))}, pinned but "
        f"gone: {sorted(set(golden['fields']) - layout.keys())}; {REGENERATE}")
    assert cls.n_words == n_words, f"{name} has {cls.n_words} words, the golden layout {n_words}"
    default = _words(golden["default"], n_words, sparse)
    got = np.asarray(cls().encode(), dtype=np.uint64)
    assert np.array_equal(got, default), f"{name}() default words: {_diff(default, got)}"

    problems: list[str] = []
    for key, cases in golden["fields"].items():
        enum_type = layout.enum_type(key)
        values, rows = [], []
        for value_key, entry in cases.items():
            value = _value(value_key, enum_type)
            if isinstance(entry, dict) and "raises" in entry:
                error = ERRORS[entry["raises"]]
                base = key.split("[")[0]
                try:
                    getattr(layout, "refuse", layout.make)(key, value)
                except error as err:
                    if base not in str(err):
                        problems.append(f"{key} = {value_key}: the error does not name the field: {err}")
                except Exception as err:      # noqa: BLE001 - the wrong error is the finding
                    problems.append(f"{key} = {value_key}: raises {type(err).__name__}, not "
                                    f"{entry['raises']}: {err}")
                else:
                    problems.append(f"{key} = {value_key} is accepted; the golden layout refuses it "
                                    f"with {entry['raises']}")
                continue
            expected = _words(entry, n_words, sparse)
            try:
                container = layout.make(key, value)
            except Exception as err:          # noqa: BLE001 - a refused golden value is the finding
                problems.append(f"{key} = {value_key} is refused ({type(err).__name__}: {err}); "
                                f"the golden layout has it as {_hex(expected)[:8]}")
                continue
            got = np.asarray(container.encode(), dtype=np.uint64)
            if not np.array_equal(got, expected):
                problems.append(f"{key} = {value_key}: {_diff(expected, got)}")
                continue
            if cls.decode(expected.astype(np.uint32)) != container:
                problems.append(f"{key} = {value_key}: the golden words decode to another {name}")
            values.append(value)
            rows.append(expected)
        if rows and len(values) == sum(1 for e in cases.values() if not (isinstance(e, dict) and "raises" in e)):
            problems += layout.check_vectorized(key, values, np.stack(rows))
    assert not problems, (f"{name} differs from its golden layout in {len(problems)} case(s):\n  "
                          + "\n  ".join(problems[:40]) + f"\n{REGENERATE}")
