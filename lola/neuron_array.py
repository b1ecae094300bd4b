"""``AtomicNeuronArray``: the 512 neuron circuits as one struct of arrays.

One array of 512 values (``AtomicNeuronOnDLS`` enum order) per AtomicNeuron field, named
``<member>_<field>`` as the flattened parameters of PyNN's ``HXNeuron`` (``leak_v_leak``,
``threshold_enable``, ``event_routing_analog_output``). Everything is derived from the
AtomicNeuron's declarations and :data:`lola.neuron.FIELD_MAP`: the field list
(:data:`FLAT_FIELDS`, with type, range and default), validation, and the vectorized codec to the
neurons' NeuronConfig words, CapMem cells and NeuronBackendConfig words. Bulk work (calibrations,
PyNN populations) sets whole arrays and writes them with a few vectorized writes instead of 512
AtomicNeurons::

    neurons = lola.AtomicNeuronArray()
    neurons["leak_v_leak"] = 650                    # all 512
    neurons.set("leak_i_bias", [300, 500], [0, 1])  # two neurons, by AtomicNeuronOnDLS enum
    neurons.write(builder, fields=["leak_v_leak"])  # only the 512 v_leak CapMem cells
    neurons.to_atomic_neurons()[0].leak.v_leak      # 650

A field whose value is an enum (``event_routing_analog_output``) holds the member's int.
"""

from __future__ import annotations

import enum
import itertools
from typing import Any, Callable, Iterable, Sequence

import attrs
import numpy as np

import halco
import haldls

from .errors import LolaTypeError, LolaValueError
from .neuron import (
    _CELLS, _SWITCHES, CAPMEM_ROWS, FIELD_MAP, AtomicNeuron, Cell, FieldSpec, Switch,
)

N_NEURONS = halco.AtomicNeuronOnDLS.size


@attrs.frozen
class FlatField:
    """One flattened AtomicNeuron field: ``name`` = ``member_field``, its type and range
    (``spec``), its default and where it lives on the chip (``location``: a Switch or a Cell)."""

    name: str
    member: str
    field: str
    spec: FieldSpec
    default: int
    location: Switch | Cell

    def check(self, values: np.ndarray, neurons: np.ndarray) -> np.ndarray:
        """``values`` as this field's storage (int64; bool for flags), or an error naming the
        field and the first offending neuron."""
        spec = self.spec
        arr = np.asarray(values)
        if arr.dtype.kind == "O":
            raise LolaTypeError(f"{self.name} takes numbers, not {arr.dtype} values")
        if spec.kind == "bool":
            if arr.dtype.kind != "b":
                raise LolaTypeError(f"{self.name} must be bool values, got {arr.dtype}")
            return arr.astype(bool)
        if arr.dtype.kind == "f":
            whole = np.isfinite(arr) & (arr == np.round(arr))
            if not whole.all():
                bad = int(np.flatnonzero(~whole.ravel())[0])
                raise LolaValueError(f"{self.name} = {arr.ravel()[bad]!r} at neuron "
                                     f"{_neuron(neurons, bad)} is not a whole number")
        elif arr.dtype.kind not in "iu":
            raise LolaTypeError(f"{self.name} must be integer values, got {arr.dtype}")
        arr = arr.astype(np.int64)
        if spec.kind == "enum":
            allowed = np.array(sorted(int(m) for m in spec.enum_type))
            ok = np.isin(arr, allowed)
            if not ok.all():
                bad = int(np.flatnonzero(~ok.ravel())[0])
                raise LolaValueError(f"{self.name} = {arr.ravel()[bad]} at neuron "
                                     f"{_neuron(neurons, bad)} is not one of {spec._members()}")
            return arr
        ok = (arr >= 0) & (arr <= spec.maximum)
        if not ok.all():
            bad = int(np.flatnonzero(~ok.ravel())[0])
            raise LolaValueError(f"{self.name} = {arr.ravel()[bad]} at neuron "
                                 f"{_neuron(neurons, bad)} is out of range [0, {spec.maximum}]")
        return arr

    def to_lola(self, value: int) -> Any:
        """One stored value as the AtomicNeuron field takes it."""
        if self.spec.kind == "bool":
            return bool(value)
        if self.spec.kind == "enum":
            return self.spec.enum_type(int(value))
        return int(value)


def _neuron(neurons: np.ndarray, index: int) -> int:
    """The enum of the neuron at position ``index`` of a value array (shaped like ``neurons``)."""
    return int(neurons[index])


def _flat_fields() -> dict[str, FlatField]:
    out = {}
    template = AtomicNeuron()
    for member, member_type in AtomicNeuron.member_types().items():
        for field, spec in member_type.field_specs().items():
            default = getattr(getattr(template, member), field)
            name = f"{member}_{field}"
            out[name] = FlatField(name, member, field, spec, int(default), FIELD_MAP[member, field])
    return out


#: ``member_field`` -> :class:`FlatField`, in the AtomicNeuron's declaration order
FLAT_FIELDS: dict[str, FlatField] = _flat_fields()


# -- the switches' transforms as lookup tables ------------------------------------------------------

def _domain(spec: FieldSpec) -> list[Any]:
    if spec.kind == "bool":
        return [False, True]
    if spec.kind == "enum":
        return list(spec.enum_type)
    return list(range(spec.maximum + 1))


@attrs.frozen
class _SwitchCodec:
    """A switch's value transform as tables: ``encode[value]`` -> one row of haldls field values,
    ``decode[bits index]`` -> value (the haldls fields are booleans wherever a transform is
    not the identity)."""

    flat: FlatField
    fields: tuple[str, ...]
    identity: bool
    encode: np.ndarray | None
    decode: np.ndarray | None

    @classmethod
    def of(cls, flat: FlatField) -> "_SwitchCodec":
        switch = flat.location
        values = _domain(flat.spec)
        identity = all(switch.to_haldls(v) == (v,) and switch.from_haldls(v) == v for v in values)
        if identity:
            return cls(flat, switch.fields, True, None, None)
        encode = np.zeros((max(int(v) for v in values) + 1, len(switch.fields)), dtype=np.int64)
        for v in values:
            encode[int(v)] = [int(b) for b in switch.to_haldls(v)]
        decode = np.array([int(switch.from_haldls(*map(bool, bits)))
                           for bits in itertools.product((0, 1), repeat=len(switch.fields))],
                          dtype=np.int64)
        if encode.max() > 1:
            raise RuntimeError(f"{flat.name}: a transformed switch must set boolean haldls fields")
        return cls(flat, switch.fields, False, encode, decode)


_CODECS: dict[type, list[_SwitchCodec]] = {
    container: [_SwitchCodec.of(FLAT_FIELDS[f"{m}_{f}"]) for m, f, _ in entries]
    for container, entries in _SWITCHES.items()
}
#: CapMem row name -> flat field name
_FIELD_OF_ROW = {row: f"{m}_{f}" for m, f, row in _CELLS}
#: flat field name -> the container it is stored in (CapMemCell for a cell)
_CONTAINER_OF = {**{c.flat.name: container for container, codecs in _CODECS.items() for c in codecs},
                 **{name: haldls.CapMemCell for name in _FIELD_OF_ROW.values()}}
_CAPMEM_CELLS = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemCellOnDLS)
_TARGETS = {haldls.NeuronConfig: halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronConfigOnDLS),
            haldls.NeuronBackendConfig: halco.enum_map(halco.AtomicNeuronOnDLS,
                                                       halco.NeuronBackendConfigOnDLS)}


def _as_neurons(neurons: Any) -> np.ndarray:
    """AtomicNeuronOnDLS enums from None (all), enums or coordinates."""
    if neurons is None:
        return np.arange(N_NEURONS)
    if isinstance(neurons, halco.AtomicNeuronOnDLS):
        neurons = [neurons]
    items = list(neurons) if not isinstance(neurons, np.ndarray) else neurons
    if isinstance(items, list):
        if any(isinstance(n, halco.Coordinate) and not isinstance(n, halco.AtomicNeuronOnDLS)
               for n in items):
            raise LolaTypeError("neurons must be AtomicNeuronOnDLS coordinates or their enums")
        items = [n.to_enum() if isinstance(n, halco.AtomicNeuronOnDLS) else n for n in items]
    arr = np.asarray(items)
    if arr.size and (arr.dtype.kind not in "iu" or arr.ndim != 1):
        raise LolaTypeError(f"neurons must be a list of AtomicNeuronOnDLS enums, not {arr.dtype} "
                            f"of shape {arr.shape}")
    arr = arr.astype(np.int64).reshape(-1)
    if arr.size and (arr.min() < 0 or arr.max() >= N_NEURONS):
        raise LolaValueError(f"neuron enums must lie in 0..{N_NEURONS - 1}")
    if len(np.unique(arr)) != len(arr):
        raise LolaValueError("a neuron is given twice")
    return arr


class AtomicNeuronArray:
    """All 512 AtomicNeurons as one array per flattened field (see the module docstring).

    ``array[name]`` is a read-only view of the field's 512 values; ``array[name] = values`` and
    :meth:`set` validate (type, range, whole numbers) and name the field and neuron on an error.
    """

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values = {name: np.full(N_NEURONS, f.default,
                                      dtype=bool if f.spec.kind == "bool" else np.int64)
                        for name, f in FLAT_FIELDS.items()}

    # -- values -------------------------------------------------------------------------------
    @staticmethod
    def schema() -> dict[str, haldls.FieldInfo]:
        """Every flattened field with its type, shape (512,) and range: the introspection
        protocol of haldls and lola containers, derived from the AtomicNeuron members'."""
        out = {}
        for name, f in FLAT_FIELDS.items():
            info = AtomicNeuron.member_types()[f.member].schema()[f.field]
            out[name] = attrs.evolve(info, name=name, shape=(N_NEURONS,))
        return out

    @staticmethod
    def field_names() -> tuple[str, ...]:
        """The flattened field names (``schema()``'s keys)."""
        return tuple(FLAT_FIELDS)

    def _flat(self, name: str) -> FlatField:
        try:
            return FLAT_FIELDS[name]
        except (KeyError, TypeError):
            raise LolaValueError(f"AtomicNeuronArray has no field {name!r}; fields are "
                                 f"<member>_<field> names such as leak_v_leak "
                                 f"(AtomicNeuronArray.field_names())") from None

    def __getitem__(self, name: str) -> np.ndarray:
        view = self._values[self._flat(name).name].view()
        view.flags.writeable = False
        return view

    def __setitem__(self, name: str, values: Any) -> None:
        self.set(name, values)

    def set(self, name: str, values: Any, neurons: Any = None) -> None:
        """Set field ``name`` of ``neurons`` (AtomicNeuronOnDLS coordinates or enums; default
        all) to ``values`` (one value, or one per neuron). Enum fields take members or ints."""
        flat = self._flat(name)
        index = _as_neurons(neurons)
        if flat.spec.kind == "enum" and isinstance(values, enum.Enum):
            values = int(values)
        if flat.spec.kind == "enum" and isinstance(values, (list, tuple)):
            values = [int(v) if isinstance(v, enum.Enum) else v for v in values]
        arr = np.asarray(values)
        try:
            arr = np.broadcast_to(arr, index.shape)
        except ValueError:
            raise LolaValueError(f"{name}: {arr.size} values for {index.size} neurons") from None
        self._values[name][index] = flat.check(arr, index)

    def copy(self) -> "AtomicNeuronArray":
        out = AtomicNeuronArray.__new__(AtomicNeuronArray)
        out._values = {k: v.copy() for k, v in self._values.items()}
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AtomicNeuronArray):
            return NotImplemented
        return all(np.array_equal(v, other._values[k]) for k, v in self._values.items())

    def __repr__(self) -> str:
        changed = [k for k, f in FLAT_FIELDS.items() if np.any(self._values[k] != f.default)]
        return f"AtomicNeuronArray(512 neurons; fields off their defaults: {changed or 'none'})"

    def __getstate__(self) -> dict:
        return self._values

    def __setstate__(self, state: dict) -> None:
        self._values = state

    # -- AtomicNeurons ------------------------------------------------------------------------
    @classmethod
    def from_atomic_neurons(cls, neurons: Sequence[AtomicNeuron] | dict) -> "AtomicNeuronArray":
        """From 512 AtomicNeurons in enum order, or a dict AtomicNeuronOnDLS -> AtomicNeuron
        (neurons not in it keep the defaults)."""
        out = cls()
        items = neurons.items() if isinstance(neurons, dict) else \
            zip(halco.iter_all(halco.AtomicNeuronOnDLS), neurons)
        if not isinstance(neurons, dict) and len(neurons) != N_NEURONS:
            raise LolaValueError(f"from_atomic_neurons takes {N_NEURONS} AtomicNeurons (or a dict "
                                 f"by AtomicNeuronOnDLS), got {len(neurons)}")
        for coord, neuron in items:
            if not isinstance(coord, halco.AtomicNeuronOnDLS) or not isinstance(neuron, AtomicNeuron):
                raise LolaTypeError(f"from_atomic_neurons takes AtomicNeuronOnDLS -> AtomicNeuron, "
                                    f"got {type(coord).__name__} -> {type(neuron).__name__}")
            e = coord.to_enum()
            for name, f in FLAT_FIELDS.items():
                out._values[name][e] = int(getattr(getattr(neuron, f.member), f.field))
        return out

    def atomic_neuron(self, coord: halco.AtomicNeuronOnDLS | int) -> AtomicNeuron:
        """The AtomicNeuron of one circuit."""
        e = _as_neurons([coord])[0]
        neuron = AtomicNeuron()
        members: dict[str, Any] = {}
        for name, f in FLAT_FIELDS.items():
            member = members.setdefault(f.member, getattr(neuron, f.member))
            setattr(member, f.field, f.to_lola(self._values[name][e]))
        for member, value in members.items():
            setattr(neuron, member, value)
        return neuron

    def to_atomic_neurons(self) -> list[AtomicNeuron]:
        """The 512 AtomicNeurons, in AtomicNeuronOnDLS enum order."""
        return [self.atomic_neuron(e) for e in range(N_NEURONS)]

    # -- words --------------------------------------------------------------------------------
    def _switch_fields(self, container: type, index: np.ndarray) -> dict[str, np.ndarray]:
        fields: dict[str, np.ndarray] = {}
        for codec in _CODECS[container]:
            values = self._values[codec.flat.name][index]
            if codec.identity:
                fields[codec.fields[0]] = values
            else:
                bits = codec.encode[values.astype(np.int64)]
                fields.update({f: bits[:, i].astype(bool) for i, f in enumerate(codec.fields)})
        return fields

    def encode_neuron_configs(self, neurons: Any = None) -> np.ndarray:
        """NeuronConfig words [n, 6] of ``neurons`` (default all, enum order)."""
        index = _as_neurons(neurons)
        return haldls.NeuronConfig.encode_array(len(index), **self._switch_fields(haldls.NeuronConfig, index))

    def encode_backend_configs(self, neurons: Any = None) -> np.ndarray:
        """NeuronBackendConfig words [n, 4] of ``neurons``."""
        index = _as_neurons(neurons)
        return haldls.NeuronBackendConfig.encode_array(
            len(index), **self._switch_fields(haldls.NeuronBackendConfig, index))

    def capmem_values(self, neurons: Any = None) -> np.ndarray:
        """CapMem values [n, 24] of ``neurons``, by CapMemRowOnCapMemBlock."""
        index = _as_neurons(neurons)
        out = np.zeros((len(index), halco.CapMemRowOnCapMemBlock.size), dtype=np.int64)
        for row, name in _FIELD_OF_ROW.items():
            out[:, halco.CAPMEM_ROW_NAMES[row]] = self._values[name][index]
        return out

    @classmethod
    def decode(cls, neuron_configs: np.ndarray, capmem_values: np.ndarray,
               backend_configs: np.ndarray) -> "AtomicNeuronArray":
        """From the words of all 512 neurons: NeuronConfig [512, 6], CapMem values [512, 24]
        (by row) and NeuronBackendConfig [512, 4]. Raises for bits no field value has."""
        out = cls()
        capmem = np.asarray(capmem_values)
        if capmem.shape != (N_NEURONS, halco.CapMemRowOnCapMemBlock.size):
            raise LolaValueError(f"decode: CapMem values must have shape (512, 24), got {capmem.shape}")
        for container, words in ((haldls.NeuronConfig, neuron_configs),
                                 (haldls.NeuronBackendConfig, backend_configs)):
            fields = container.decode_array(np.asarray(words))
            if len(next(iter(fields.values()))) != N_NEURONS:
                raise LolaValueError(f"decode: {container.__name__} words of 512 neurons are needed")
            for codec in _CODECS[container]:
                if codec.identity:          # numerically equal (an IntEnum 0/1 and a bool)
                    value = fields[codec.fields[0]]
                    if codec.flat.spec.kind != "bool":
                        value = value.astype(np.int64)
                else:
                    bits = [fields[f].astype(np.int64) for f in codec.fields]
                    code = sum(b << (len(bits) - 1 - i) for i, b in enumerate(bits))
                    value = codec.decode[code]
                out.set(codec.flat.name, value)
        for row, name in _FIELD_OF_ROW.items():
            out.set(name, capmem[:, halco.CAPMEM_ROW_NAMES[row]])
        return out

    # -- writing ------------------------------------------------------------------------------
    def write(self, builder: Any, neurons: Any = None, fields: Iterable[str] | None = None) -> None:
        """Write ``neurons`` (default all) with a few vectorized writes, in the AtomicNeuron's
        order: NeuronConfigs, CapMem cells, NeuronBackendConfigs. ``fields`` (flat names)
        restricts the write to the containers (for a CapMem field: the cells of its row) that
        hold them. A builder without ``write_array`` (a Dumper) gets one AtomicNeuron per
        neuron."""
        index = _as_neurons(neurons)
        names = list(FLAT_FIELDS) if fields is None else [self._flat(n).name for n in fields]
        containers = {_CONTAINER_OF[n] for n in names}
        if not hasattr(builder, "write_array"):
            for e in index.tolist():
                builder.write(halco.AtomicNeuronOnDLS.from_enum(e), self.atomic_neuron(e))
            return
        if haldls.NeuronConfig in containers:
            builder.write_array(haldls.NeuronConfig, _TARGETS[haldls.NeuronConfig][index],
                                self.encode_neuron_configs(index))
        rows = [row for row in CAPMEM_ROWS if _FIELD_OF_ROW[row] in names]
        if rows:
            columns = [halco.CAPMEM_ROW_NAMES[row] for row in rows]
            cells = _CAPMEM_CELLS[index][:, columns].ravel()
            values = self.capmem_values(index)[:, columns].ravel()
            builder.write_array(haldls.CapMemCell, cells,
                                haldls.CapMemCell.encode_array(len(cells), value=values))
        if haldls.NeuronBackendConfig in containers:
            builder.write_array(haldls.NeuronBackendConfig, _TARGETS[haldls.NeuronBackendConfig][index],
                                self.encode_backend_configs(index))

    @classmethod
    def read(cls, builder: Any) -> Callable[[], "AtomicNeuronArray"]:
        """Append vectorized reads of all 512 neurons to ``builder`` (a stadls builder with
        ``read_array``); returns a function giving the AtomicNeuronArray read back once the
        program has run."""
        if not hasattr(builder, "read_array"):
            raise LolaTypeError(f"read needs a builder with read_array (stadls.PlaybackProgramBuilder), "
                                f"not {type(builder).__name__}")
        all_neurons = np.arange(N_NEURONS)
        config = builder.read_array(haldls.NeuronConfig, _TARGETS[haldls.NeuronConfig][all_neurons])
        cells = builder.read_array(haldls.CapMemCell, _CAPMEM_CELLS.ravel())
        backend = builder.read_array(haldls.NeuronBackendConfig,
                                     _TARGETS[haldls.NeuronBackendConfig][all_neurons])

        def result() -> AtomicNeuronArray:
            values = haldls.CapMemCell.decode_array(cells.words())["value"].reshape(N_NEURONS, -1)
            return cls.decode(config.words(), values, backend.words())
        return result


_VISIT_COLUMNS = [halco.CAPMEM_ROW_NAMES[row] for row in CAPMEM_ROWS]


def encode_atomic_neurons(neurons: Sequence[AtomicNeuron]) -> np.ndarray:
    """The words [n, 34] of ``neurons`` (NeuronConfig, the 24 CapMem cells in visit order,
    NeuronBackendConfig), as ``AtomicNeuron.encode`` gives them one by one."""
    neurons = list(neurons)
    if not neurons:
        return np.zeros((0, AtomicNeuron.n_words), dtype=np.uint32)
    columns: dict[str, list] = {name: [] for name in FLAT_FIELDS}
    flats = list(FLAT_FIELDS.values())
    for neuron in neurons:
        members = {m: getattr(neuron, m) for m in AtomicNeuron.member_types()}
        for f in flats:
            columns[f.name].append(getattr(members[f.member], f.field))
    n = len(neurons)
    array = AtomicNeuronArray.__new__(AtomicNeuronArray)
    array._values = {name: np.asarray(values, dtype=bool if FLAT_FIELDS[name].spec.kind == "bool" else np.int64)
                     for name, values in columns.items()}
    index = np.arange(n)
    cells = haldls.CapMemCell.encode_array(n * len(_VISIT_COLUMNS),
                                           value=array.capmem_values(index)[:, _VISIT_COLUMNS].ravel())
    return np.concatenate([array.encode_neuron_configs(index),
                           cells.reshape(n, len(_VISIT_COLUMNS)),
                           array.encode_backend_configs(index)], axis=1).astype(np.uint32)
