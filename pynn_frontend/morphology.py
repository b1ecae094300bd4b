"""Multi-compartment neurons (the real backend's ``pynn_brainscales.brainscales2.morphology``).

A :class:`Compartment` lists the neuron circuits it is made of (``positions``: enums of
``halco.AtomicNeuronOnLogicalNeuron``, column + 128 x row), which of them connect to the shared
(somatic) line directly (``connect_shared_line``) or through a conductance
(``connect_conductance``: ``(position, conductance)``, the conductance being the circuit's
``multicompartment_i_bias_nmda``), a ``label`` and HXNeuron-style parameters for its circuits.
:func:`create_mc_neuron` builds the ``lola.Morphology`` (compartments, soma connections and the
:class:`SharedLineConnection` pieces of the shared line), validates it (``done()``) and returns a
new cell type, a subclass of :class:`McNeuronBase`::

    from pynn_frontend.morphology import Compartment, SharedLineConnection, create_mc_neuron

    chain = [Compartment(positions=[0, 1], label="soma", connect_conductance=[(1, 500)]),
             Compartment(positions=[2, 3], label="dendrite", connect_shared_line=[2])]
    TwoCompartments = create_mc_neuron("TwoCompartments", compartments=chain,
                                       connections=[SharedLineConnection(1, 2, 0)],
                                       single_active_circuit=True)
    pop = pynn.Population(1, TwoCompartments(threshold_enable=False))

Its parameters are HXNeuron's minus the morphology's switches (``multicompartment_connect_*``
and ``multicompartment_enable_conductance``); each cell's value of a parameter is an
:class:`McCircuitParameters`, one value per compartment and circuit. ``pop.set`` takes a
number (every circuit), an :class:`McCircuitParameters` or a list with one entry per
compartment (a number for all its circuits, or one per circuit). Projections choose the
postsynaptic compartment by label (``AllToAllConnector(location_selector="dendrite")``), and
``pop.record("v", locations=["soma", "dendrite"])`` records each compartment (default: the
first compartment). Placement, the grenade population and the chip configuration are in
:mod:`pynn_frontend.mc_mapping`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from typing import Any, Sequence

import numpy as np
from pyNN.parameters import ArrayParameter
from pyNN.standardmodels import build_translations

import halco
import lola
from .errors import NonExistentParameterError, ParameterValueError, PynnFrontendError
from .standardmodels.cells import (
    ANALOG_RECORDABLES, LEGACY_NOT_CONFIGURABLE, NOT_CONFIGURABLE, HXNeuron, NeuronCellType,
    _check_values, _FIELDS, _maximum,
)

#: a piece of the shared line closed from column ``start`` to column ``stop`` of ``row``
#: (columns and row relative to the logical neuron)
SharedLineConnection = namedtuple("SharedLineConnection", ["start", "stop", "row"])

#: the AtomicNeuron switches that make the morphology: set by create_mc_neuron, not parameters
MORPHOLOGY_SWITCHES = ("multicompartment_connect_soma", "multicompartment_connect_soma_right",
                       "multicompartment_connect_right", "multicompartment_connect_vertical",
                       "multicompartment_enable_conductance")
#: the parameters of multi-compartment cells, per circuit
MC_FIELDS = {name: f for name, f in _FIELDS.items() if name not in MORPHOLOGY_SWITCHES}
#: with ``single_active_circuit``: every circuit but a compartment's first one gets these
INACTIVE_CIRCUIT = {"leak_i_bias": 0.0, "leak_enable_division": True, "leak_enable_multiplication": False,
                    "membrane_capacitance_capacitance": 0.0, "threshold_enable": False}
#: a stand-in HXNeuron whose methods turn flattened parameters into AtomicNeurons and back
_HX = HXNeuron.__new__(HXNeuron)


class MorphologyError(PynnFrontendError, RuntimeError):
    """The compartments and connections do not make a valid logical neuron."""


def _positions(value: Any, what: str) -> list[int]:
    """A sequence of position enums (ints) or TypeError naming ``what``."""
    if not isinstance(value, Iterable) or isinstance(value, (str, bytes)):
        raise TypeError(f"{what} must be a sequence of ints (AtomicNeuronOnLogicalNeuron enums), not "
                        f"{type(value).__name__}")
    out = list(value)
    for p in out:
        if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, np.integer)):
            raise TypeError(f"{what} must hold ints (AtomicNeuronOnLogicalNeuron enums), not {p!r}")
    if len(set(out)) != len(out):
        raise TypeError(f"{what} contains non-unique entries: {out}")
    return [int(p) for p in out]


class Compartment:
    """One isopotential compartment of a multi-compartment neuron: its circuits and how they
    reach the shared line (see the module docstring). ``**parameters`` are HXNeuron parameter
    names with a number (every circuit of the compartment) or one value per circuit (in the
    order of ``positions``); invalid values raise when the neuron type is created."""

    def __init__(self, *, positions: Sequence[int], label: str | None = None,
                 connect_shared_line: Sequence[int] | None = None,
                 connect_conductance: Sequence[tuple[int, int]] | None = None, **parameters: Any) -> None:
        self.positions = _positions(positions, "positions")
        if not self.positions:
            raise TypeError("positions must list at least one circuit")
        size = halco.AtomicNeuronOnLogicalNeuron.size
        bad = [p for p in self.positions if not 0 <= p < size]
        if bad:
            raise ValueError(f"positions {bad} are not AtomicNeuronOnLogicalNeuron enums (0..{size - 1}: column + "
                             f"{halco.NeuronColumnOnLogicalNeuron.size} x row)")
        if label is not None and not isinstance(label, str):
            raise TypeError(f"label must be a string, not {type(label).__name__}")
        self.label = label
        self.connect_shared_line = _positions([] if connect_shared_line is None else connect_shared_line,
                                              "connect_shared_line")
        missing = [p for p in self.connect_shared_line if p not in self.positions]
        if missing:
            raise TypeError(f"connect_shared_line contains entries which are not in positions: {missing}")
        conductance = [] if connect_conductance is None else connect_conductance
        if not isinstance(conductance, Iterable) or isinstance(conductance, (str, bytes)):
            raise TypeError(f"connect_conductance must be a sequence of (position, conductance) tuples, not "
                            f"{type(conductance).__name__}")
        conductance = list(conductance)
        for entry in conductance:
            if not isinstance(entry, tuple) or len(entry) != 2:
                raise TypeError(f"connect_conductance entries are (position, conductance) tuples, not {entry!r}")
        _positions([p for p, _ in conductance], "connect_conductance's positions")
        missing = [p for p, _ in conductance if p not in self.positions]
        if missing:
            raise TypeError(f"connect_conductance contains entries which are not in positions: {missing}")
        self.connect_conductance = [(int(p), g) for p, g in conductance]
        self.parameters = dict(parameters)

    @property
    def size(self) -> int:
        """The number of circuits."""
        return len(self.positions)

    def __repr__(self) -> str:
        return f"Compartment(positions={self.positions}, label={self.label!r})"


#: the newer name of the real backend
PlacedCompartment = Compartment


class McCircuitParameters(ArrayParameter):
    """One multi-compartment cell's value of a parameter: per compartment, one value per
    circuit (``value``: an object array of 1-d arrays, ragged). Given to ``set``, an entry may
    also be a number for all the compartment's circuits."""

    def __init__(self, value: Any) -> None:
        if isinstance(value, ArrayParameter):
            value = value.value
        if not isinstance(value, Iterable) or isinstance(value, (str, bytes)):
            raise TypeError(f"McCircuitParameters takes one entry per compartment, not {value!r}")
        entries = list(value)
        self.value = np.empty(len(entries), dtype=object)
        for i, entry in enumerate(entries):
            self.value[i] = np.asarray(entry)

    def max(self) -> Any:
        return max(np.max(v) for v in self.value)

    def __eq__(self, other: object) -> Any:
        if isinstance(other, McCircuitParameters):
            return len(self.value) == len(other.value) and all(
                np.shape(a) == np.shape(b) and np.all(a == b) for a, b in zip(self.value, other.value))
        if isinstance(other, np.ndarray) and other.size and isinstance(other.flat[0], McCircuitParameters):
            return np.array([self == o for o in other.flat]).reshape(other.shape)
        return False

    def __ne__(self, other: object) -> Any:
        equal = self.__eq__(other)
        return ~equal if isinstance(equal, np.ndarray) else not equal

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"McCircuitParameters({[v.tolist() for v in self.value]})"


class McNeuronBase(NeuronCellType):
    """Base of the multi-compartment cell types :func:`create_mc_neuron` makes. Class
    attributes: ``compartments`` (``CompartmentOnLogicalNeuron`` -> :class:`Compartment`),
    ``logical_neuron`` and ``logical_compartments`` (lola's and halco's view of the morphology),
    ``single_active_circuit``; derived: ``circuit_compartment`` / ``circuit_position`` (per
    circuit, in the order of the compartments and their ``positions``)."""

    #: recognised by the shared recording code: recording sites are (cell, compartment)
    multicompartment = True
    recordable = ["spikes", *ANALOG_RECORDABLES]
    receptor_types = ["excitatory", "inhibitory"]
    conductance_based = False
    #: current sources are not routed to compartments yet
    injectable = False
    compartments: dict = {}
    logical_neuron: Any = None
    logical_compartments: Any = None
    single_active_circuit = False
    default_initial_values: dict = {}

    def __init__(self, **parameters: Any) -> None:
        if not type(self).compartments:
            raise TypeError("McNeuronBase is a base class: make a neuron type with create_mc_neuron()")
        for name in parameters:
            if name in NOT_CONFIGURABLE or name in LEGACY_NOT_CONFIGURABLE or name in MORPHOLOGY_SWITCHES:
                why = "the morphology sets it" if name in MORPHOLOGY_SWITCHES else "the backend sets it"
                raise NonExistentParameterError(name, f"{type(self).__name__} ({name} is not configurable: {why})",
                                                self.get_parameter_names())
        super().__init__(**parameters)
        #: parameters given here (they override an initial_config and the compartments' values)
        self.given_parameters = frozenset(k for k, v in parameters.items() if v is not None)

    # -- the layout -----------------------------------------------------------------------------
    @classmethod
    def _setup_layout(cls) -> None:
        """Per-circuit tables and the default parameters, from ``compartments``."""
        comps = [cls.compartments[c] for c in sorted(cls.compartments, key=lambda c: c.value())]
        cls.circuit_compartment = np.repeat(np.arange(len(comps)), [c.size for c in comps])
        cls.circuit_position = np.array([p for c in comps for p in c.positions], dtype=np.int64)
        cls.compartment_sizes = [c.size for c in comps]
        #: each compartment's first circuit (index into the circuits)
        cls.first_circuit = np.concatenate([[0], np.cumsum(cls.compartment_sizes)[:-1]]).astype(np.int64)
        cls.n_circuits = len(cls.circuit_position)
        cls._compartment_values = cls._compartment_parameters(comps)
        defaults = {}
        for name, f in MC_FIELDS.items():
            default = bool(f.default) if f.spec.kind == "bool" else float(f.default)
            values = np.full(cls.n_circuits, default, dtype=bool if f.spec.kind == "bool" else float)
            given = cls._compartment_values.get(name)
            if given is not None:
                values[given[0]] = given[1]
            values = cls._inactive(name, values[None, :])[0]
            defaults[name] = cls._to_parameter(values)
        cls.default_parameters = defaults
        cls.units = {name: "dimensionless" for name in [*MC_FIELDS, *ANALOG_RECORDABLES]}
        cls.translations = build_translations(*[(name, name) for name in MC_FIELDS])

    @classmethod
    def _compartment_parameters(cls, comps: list[Compartment]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The compartments' own parameters: name -> (circuit indices, checked values)."""
        out: dict[str, tuple[list[int], list[Any]]] = {}
        start = 0
        for index, comp in enumerate(comps):
            for name, value in comp.parameters.items():
                if name not in MC_FIELDS:
                    raise NonExistentParameterError(name, f"{cls.__name__} (compartment {index}, {comp.label!r})",
                                                    sorted(MC_FIELDS))
                arr = np.asarray(value)
                if arr.ndim == 0:
                    arr = np.full(comp.size, value)
                elif arr.shape != (comp.size,):
                    raise ParameterValueError(f"{name} of compartment {index} ({comp.label!r}): one value for its "
                                              f"{comp.size} circuits or one per circuit, not {np.shape(value)}")
                f = MC_FIELDS[name]
                checked = _check_values(f"{name} of compartment {index} ({comp.label!r})", arr, f.spec.kind,
                                        _maximum(f))
                indices, values = out.setdefault(name, ([], []))
                indices.extend(range(start, start + comp.size))
                values.extend(checked.tolist())
            start += comp.size
        return {name: (np.array(i, dtype=np.int64), np.array(v)) for name, (i, v) in out.items()}

    @classmethod
    def _inactive(cls, name: str, values: np.ndarray) -> np.ndarray:
        """``values`` (cells x circuits) with the single-active-circuit rule applied."""
        if not cls.single_active_circuit or name not in INACTIVE_CIRCUIT:
            return values
        out = values.copy()
        mask = np.ones(cls.n_circuits, dtype=bool)
        mask[cls.first_circuit] = False
        out[:, mask] = INACTIVE_CIRCUIT[name]
        return out

    @classmethod
    def _to_parameter(cls, row: np.ndarray) -> McCircuitParameters:
        """One cell's circuits' values as McCircuitParameters."""
        bounds = np.cumsum(cls.compartment_sizes)[:-1]
        return McCircuitParameters(np.split(np.asarray(row), bounds))

    @classmethod
    def get_parameter_names(cls) -> list[str]:
        return list(MC_FIELDS)

    # -- labels ---------------------------------------------------------------------------------
    @classmethod
    def get_labels(cls) -> list[str | None]:
        """The compartments' labels in compartment order."""
        return [cls.compartments[c].label for c in sorted(cls.compartments, key=lambda c: c.value())]

    @classmethod
    def get_label(cls, compartment_id: Any) -> str | None:
        """The label of a compartment (``CompartmentOnLogicalNeuron`` or int); KeyError for
        one the neuron does not have."""
        key = compartment_id if isinstance(compartment_id, halco.CompartmentOnLogicalNeuron) else None
        if key is None and isinstance(compartment_id, (int, np.integer)) and not isinstance(compartment_id, bool):
            key = halco.CompartmentOnLogicalNeuron(int(compartment_id)) \
                if 0 <= compartment_id < halco.CompartmentOnLogicalNeuron.size else None
        if key is None or key not in cls.compartments:
            raise KeyError(f"{cls.__name__} has no compartment {compartment_id!r}; it has compartments "
                           f"0..{len(cls.compartments) - 1}")
        return cls.compartments[key].label

    @classmethod
    def get_compartment_ids(cls, labels: Sequence[str]) -> list[Any]:
        """The compartments (``CompartmentOnLogicalNeuron``) with the given labels (a label
        may name several); ValueError for a label no compartment has."""
        if isinstance(labels, str):
            labels = [labels]
        own = cls.get_labels()
        out = []
        for label in labels:
            found = [i for i, own_label in enumerate(own) if own_label == label and label is not None]
            if not found:
                raise ValueError(f"{cls.__name__} has no compartment labelled {label!r}; its labels are "
                                 f"{[x for x in own if x is not None]}")
            out.extend(halco.CompartmentOnLogicalNeuron(i) for i in found)
        return out

    @classmethod
    def compartment_of(cls, label: Any, what: str) -> int:
        """The one compartment ``label`` selects (``what`` names the argument in errors)."""
        if not isinstance(label, str):
            raise ValueError(f"{what}={label!r}: give a compartment label (one of "
                             f"{[x for x in cls.get_labels() if x is not None]})")
        try:
            ids = cls.get_compartment_ids([label])
        except ValueError as err:
            raise ValueError(f"{what}={label!r}: {err}") from None
        if len(ids) > 1:
            raise ValueError(f"{what}={label!r} matches compartments {[c.value() for c in ids]} of {cls.__name__}; "
                             "a projection reaches one compartment")
        return ids[0].value()

    def locations_to_compartments(self, locations: Any) -> tuple[int, ...]:
        """Recording ``locations`` (labels) as sorted compartment indices."""
        if isinstance(locations, str):
            locations = [locations]
        if not isinstance(locations, Iterable):
            raise ValueError(f"locations must be a list of compartment labels, not {locations!r}")
        try:
            ids = self.get_compartment_ids(list(locations))
        except ValueError as err:
            from .errors import AnalogRecordingError
            raise AnalogRecordingError(f"locations {locations!r}: {err}") from None
        return tuple(sorted({c.value() for c in ids}))

    # -- values ---------------------------------------------------------------------------------
    def _circuit_values(self, name: str, value: Any, cell: str) -> np.ndarray:
        """One cell's value of ``name`` as one value per circuit."""
        sizes = self.compartment_sizes
        if isinstance(value, McCircuitParameters):
            entries = list(value.value)
            if len(entries) != len(sizes):
                raise ParameterValueError(
                    f"{name}{cell}: {type(self).__name__} has {len(sizes)} compartments with {sizes} circuits; "
                    f"the value has {len(entries)} entries")
            parts = []
            for c, (entry, size) in enumerate(zip(entries, sizes)):
                arr = np.asarray(entry)
                if arr.ndim == 0:
                    arr = np.full(size, arr[()])
                elif arr.shape != (size,):
                    raise ParameterValueError(
                        f"{name}{cell}: compartment {c} has {size} circuits; give one number or {size}, not "
                        f"{arr.tolist()}")
                parts.append(arr)
            return np.concatenate(parts)
        arr = np.asarray(value)
        if arr.ndim != 0:
            raise ParameterValueError(f"{name}{cell}: give a number (every circuit) or McCircuitParameters "
                                      f"(per compartment and circuit), not {value!r}")
        return np.full(self.n_circuits, arr[()])

    def check_parameters(self, parameters: dict[str, np.ndarray], cells: Sequence[int] | None = None) -> dict:
        """Per parameter one row of circuit values per cell (cells x circuits), checked
        against the hardware's range, the single-active-circuit rule applied."""
        out = {}
        for name, values in parameters.items():
            f = MC_FIELDS.get(name)
            if f is None:
                raise NonExistentParameterError(name, type(self).__name__, self.get_parameter_names())
            arr = np.asarray(values)
            if arr.ndim == 2 and arr.shape[1] == self.n_circuits and arr.dtype != object:
                rows = arr                                       # stored rows (a copy of a population's)
            elif arr.dtype != object:
                rows = np.repeat(np.atleast_1d(arr)[:, None], self.n_circuits, axis=1)
            else:
                rows = np.stack([self._circuit_values(name, v, f" (cell {int(cells[i])})"
                                                      if cells is not None and len(cells) == len(arr) else "")
                                 for i, v in enumerate(arr.ravel())])
            flat_cells = None if cells is None or len(cells) != len(rows) \
                else np.repeat(np.asarray(cells), self.n_circuits)
            checked = _check_values(name, rows.ravel(), f.spec.kind, _maximum(f), flat_cells).reshape(rows.shape)
            out[name] = self._inactive(name, checked)
        return out

    def parameter_value(self, rows: np.ndarray) -> Any:
        """Stored rows (cells x circuits) as ``get`` returns them: one McCircuitParameters if
        every cell has the same, else one per cell."""
        rows = np.asarray(rows)
        if len(rows) and np.all(rows == rows[0]):
            return self._to_parameter(rows[0])
        out = np.empty(len(rows), dtype=object)
        for i, row in enumerate(rows):
            out[i] = self._to_parameter(row)
        return out

    def initial_parameters(self, base: Sequence[lola.AtomicNeuron]) -> dict[str, np.ndarray]:
        """The parameters an ``initial_config`` gives (``base``: the configuration's neurons of
        every placed circuit, cell after cell, bridge circuits after each cell's own): its
        values, the compartments' own parameters on top, then the single-active-circuit rule."""
        total = self.circuits_per_cell
        values = _HX.initial_parameters(base)
        out = {}
        for name in MC_FIELDS:
            rows = np.asarray(values[name]).reshape(-1, total)[:, :self.n_circuits].copy()
            given = self._compartment_values.get(name)
            if given is not None:
                rows[:, given[0]] = given[1]
            out[name] = self._inactive(name, rows)
        return out

    def atomic_neurons(self, parameters: dict[str, np.ndarray],
                       base: Sequence[lola.AtomicNeuron]) -> list[lola.AtomicNeuron]:
        """The AtomicNeuron of every circuit (cell after cell, in circuit order) from the
        stored rows and the circuits' ``base`` neurons (which hold the morphology's switches)."""
        flat = {name: np.asarray(values).ravel() for name, values in parameters.items() if name in MC_FIELDS}
        return _HX.atomic_neurons(flat, base)

    def place(self, placement: Any, size: int, label: str | None) -> np.ndarray:
        """Place ``size`` cells: per cell the AtomicNeuronOnDLS enums of its circuits (its
        compartments' circuits in order, then bridge circuits of the shared line)."""
        from . import mc_mapping

        return mc_mapping.place(placement, type(self), size, label)


def _add_compartments(morphology: lola.Morphology, compartments: list[Compartment]) -> None:
    for index, comp in enumerate(compartments):
        if not isinstance(comp, Compartment):
            raise TypeError(f"compartments[{index}] is a {type(comp).__name__}, not a Compartment")
        coords = [halco.AtomicNeuronOnLogicalNeuron.from_enum(p) for p in comp.positions]
        morphology.create_compartment(coords)
        conductance = {p for p, _ in comp.connect_conductance}
        for p in comp.connect_shared_line:
            if p in conductance:
                raise MorphologyError(f"compartment {index} ({comp.label!r}): circuit {p} connects to the shared line "
                                      "directly and through a conductance; it can do only one")
            morphology.connect_to_soma(halco.AtomicNeuronOnLogicalNeuron.from_enum(p))
        for p, _ in comp.connect_conductance:
            morphology.connect_resistor_to_soma(halco.AtomicNeuronOnLogicalNeuron.from_enum(p))


def _with_conductances(comp: Compartment) -> Compartment:
    """A copy whose parameters hold the conductances as ``multicompartment_i_bias_nmda``."""
    if not comp.connect_conductance:
        return comp
    out = Compartment(positions=comp.positions, label=comp.label, connect_shared_line=comp.connect_shared_line,
                      connect_conductance=comp.connect_conductance, **comp.parameters)
    nmda = np.asarray(out.parameters.get("multicompartment_i_bias_nmda", 0))
    nmda = np.array(np.broadcast_to(nmda, (comp.size,)) if nmda.ndim == 0 else nmda, dtype=object)
    for p, g in comp.connect_conductance:
        nmda[comp.positions.index(p)] = g
    out.parameters["multicompartment_i_bias_nmda"] = nmda.tolist()
    return out


def create_mc_neuron(name: str, compartments: Sequence[Compartment],
                     connections: Sequence[SharedLineConnection] | None = None,
                     single_active_circuit: bool = False) -> type:
    """A new multi-compartment cell type called ``name`` (a subclass of :class:`McNeuronBase`)
    from ``compartments`` (their order gives the compartment ids 0, 1, ...) and the pieces of
    the shared line (``connections``). With ``single_active_circuit`` only the first circuit
    of each compartment (in ``positions`` order) leaks, has capacitance and can spike.

    Raises TypeError for arguments of the wrong type, :class:`MorphologyError` (a
    ``RuntimeError``) for an invalid morphology (compartments that overlap or are not
    contiguous, a circuit connected to the line both ways, parts not connected to each other)."""
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"name must be a class name (an identifier), not {name!r}")
    if not isinstance(compartments, Iterable) or isinstance(compartments, (str, bytes)):
        raise TypeError(f"compartments must be a sequence of Compartment, not {type(compartments).__name__}")
    compartments = list(compartments)
    if not compartments:
        raise TypeError("compartments must list at least one Compartment")
    if connections is None:
        connections = []
    if not isinstance(connections, Iterable) or isinstance(connections, (str, bytes)):
        raise TypeError(f"connections must be a sequence of SharedLineConnection, not {type(connections).__name__}")
    connections = list(connections)
    for i, c in enumerate(connections):
        if not isinstance(c, SharedLineConnection):
            raise TypeError(f"connections[{i}] is a {type(c).__name__}, not a SharedLineConnection")
    if not isinstance(single_active_circuit, (bool, np.bool_)):
        raise TypeError(f"single_active_circuit must be a bool, not {single_active_circuit!r}")
    morphology = lola.Morphology()
    try:
        _add_compartments(morphology, compartments)
        for start, stop, row in connections:
            morphology.connect_soma_line(start, stop, row)
        logical_compartments, logical_neuron = morphology.done()
    except lola.errors.MorphologyError as err:
        raise MorphologyError(f"{name}: invalid morphology: {err}") from None
    except (lola.errors.LolaTypeError, halco.errors.CoordinateTypeError) as err:
        raise TypeError(f"{name}: {err}") from None
    except halco.errors.HalcoError as err:            # a shared-line column or row off the pattern's grid
        raise MorphologyError(f"{name}: invalid morphology: {err}") from None
    by_id = {halco.CompartmentOnLogicalNeuron(i): _with_conductances(c) for i, c in enumerate(compartments)}
    cls = type(name, (McNeuronBase,), {
        "__doc__": f"A multi-compartment neuron of {len(compartments)} compartments "
                   f"({[c.label for c in compartments]}), made by create_mc_neuron.",
        "compartments": by_id, "logical_neuron": logical_neuron,
        "logical_compartments": logical_compartments, "single_active_circuit": bool(single_active_circuit)})
    cls._setup_layout()
    from . import mc_mapping

    mc_mapping.setup_pattern(cls)
    return cls


__all__ = ["Compartment", "McCircuitParameters", "McNeuronBase", "MorphologyError", "PlacedCompartment",
           "SharedLineConnection", "create_mc_neuron"]
