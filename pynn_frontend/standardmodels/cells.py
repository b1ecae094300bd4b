"""Cell types: the neuron circuits of the chip (:class:`HXNeuron`) and spike sources.

Two kinds:

- :class:`NeuronCellType`: cells placed on neuron circuits of the chip. A cell type says what
  its parameters are and how they become the ``lola.AtomicNeuron`` of each placed circuit
  (:meth:`NeuronCellType.atomic_neurons`); the backend places, routes and runs. ``HXNeuron``
  maps its parameters 1:1; the calibrated types (:mod:`.calibrated`: ``CalibHXNeuronCuba``,
  ``CalibHXNeuronCoba``) are calibrated by calix to theirs.
- :class:`ExternalNeuron`: spike sources. ``SpikeSourceArray`` and ``SpikeSourcePoisson`` have
  their spikes played in by the FPGA (:meth:`ExternalNeuron.spike_times`);
  ``SpikeSourcePoissonOnChip`` is one of the chip's background spike generators.

Times are hardware milliseconds, rates hardware Hz (the chip runs 1000x faster than biology).
"""

from __future__ import annotations

import copy
from typing import Any, Sequence

import numpy as np
from pyNN.parameters import Sequence as PyNNSequence
from pyNN.standardmodels import StandardCellType as _PyNNStandardCellType
from pyNN.standardmodels import build_translations
from pyNN.standardmodels import cells as pynn_cells

import lola
from lola.neuron_array import FLAT_FIELDS
from ..errors import NonExistentParameterError, ParameterValueError

#: analog recordables -> what the neuron's readout shows for them
ReadoutSource = lola.AtomicNeuron.Readout.Source
ANALOG_RECORDABLES = {"v": ReadoutSource.membrane, "exc_synin": ReadoutSource.exc_synin,
                      "inh_synin": ReadoutSource.inh_synin, "adaptation": ReadoutSource.adaptation}


def showing(neuron: lola.AtomicNeuron, source: Any) -> lola.AtomicNeuron:
    """A copy of ``neuron`` whose readout shows ``source`` (a value of
    :data:`ANALOG_RECORDABLES`): the neuron of a recorded cell."""
    neuron = copy.deepcopy(neuron)
    readout = neuron.readout
    readout.source = source
    neuron.readout = readout
    return neuron


#: AtomicNeuron fields the backend owns (spike output, readout): passing them raises
NOT_CONFIGURABLE = ("event_routing_analog_output", "event_routing_enable_digital",
                    "readout_enable_amplifier", "readout_source", "readout_enable_buffered_access")
#: names of older AtomicNeuron versions, refused as well
LEGACY_NOT_CONFIGURABLE = ("readout_i_bias", "leak_reset_i_bias_source_follower")


class StandardCellType(_PyNNStandardCellType):
    """Base of the backend's cell types: keyword arguments given as ``None`` are dropped (the
    default is used)."""

    def __init__(self, **parameters: Any) -> None:
        super().__init__(**{k: v for k, v in parameters.items() if v is not None})

    def check_parameters(self, parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``parameters`` (native name -> one value per cell) as the backend stores them, or a
        :class:`~pynn_frontend.errors.ParameterValueError` naming the parameter and the cell."""
        return parameters


class NeuronCellType(StandardCellType):
    """A cell type placed on neuron circuits of the chip (one circuit per cell here)."""

    recordable = ["spikes", *ANALOG_RECORDABLES]
    receptor_types = ["excitatory", "inhibitory"]
    conductance_based = False
    #: current sources feed its offset-current source (pynn_frontend.electrodes)
    injectable = True
    #: whether parameters not given to the constructor come from ``setup(initial_config=...)``
    takes_initial_config = True

    @property
    def plasticity_rule(self) -> Any:
        """The plasticity rule whose kernel gets these cells' neurons (pynn_frontend.plasticity),
        or None."""
        return getattr(self, "_plasticity_rule", None)

    @plasticity_rule.setter
    def plasticity_rule(self, value: Any) -> None:
        from ..plasticity import PlasticityRule        # plasticity imports the synapse types
        if value is not None and not isinstance(value, PlasticityRule):
            raise TypeError(f"plasticity_rule is a pynn_frontend.PlasticityRule or None, not {type(value).__name__}")
        self._plasticity_rule = value

    def check_plasticity_parameter(self, name: str, values: np.ndarray, cells: Sequence[int] | None) -> np.ndarray:
        """A ``plasticity_rule_*`` parameter's values as stored, or NonExistentParameterError
        for any other name."""
        if name == "plasticity_rule_readout_source":
            return _check_values(name, values, "enum", max(int(s) for s in ReadoutSource), cells)
        if name == "plasticity_rule_enable_readout_source":
            return _check_values(name, values, "bool", None, cells)
        raise NonExistentParameterError(name, type(self).__name__, self.get_parameter_names())

    def atomic_neurons(self, parameters: dict[str, np.ndarray],
                       base: Sequence[lola.AtomicNeuron]) -> list[lola.AtomicNeuron]:
        """The AtomicNeuron of each cell, from its parameters (native name -> one value per
        cell) and the neuron the circuit has in the base configuration (``base``, one per
        cell)."""
        raise NotImplementedError

    def place(self, placement: Any, size: int, label: str | None) -> np.ndarray:
        """The circuits (AtomicNeuronOnDLS enums) of ``size`` new cells, taken from
        ``placement`` (``simulator.Placement``): one per cell here."""
        return placement.allocate(size, label)

    def initial_parameters(self, base: Sequence[lola.AtomicNeuron]) -> dict[str, np.ndarray]:
        """The native parameters an ``initial_config``'s neurons (one per cell) give."""
        raise NotImplementedError


class ExternalNeuron(StandardCellType):
    """A spike source (no circuit of its own)."""

    recordable = ["spikes"]
    receptor_types: tuple = ()
    injectable = False
    conductance_based = False
    #: spikes played in by the FPGA (True) or made by an on-chip generator (False)
    host_spikes = True

    def spike_times(self, parameters: dict[str, np.ndarray], ids: np.ndarray, begin: float,
                    end: float, seed: int) -> list[np.ndarray]:
        """Per cell, its spike times [hardware ms] in ``[begin, end)``."""
        raise NotImplementedError


# -- HXNeuron -----------------------------------------------------------------------------------

def _configurable_fields() -> dict[str, Any]:
    return {name: f for name, f in FLAT_FIELDS.items() if name not in NOT_CONFIGURABLE}


_FIELDS = _configurable_fields()
_PLASTICITY_DEFAULTS = {"plasticity_rule_readout_source": float(ReadoutSource.membrane),
                        "plasticity_rule_enable_readout_source": False}


def _maximum(flat: Any) -> int:
    spec = flat.spec
    if spec.kind == "enum":
        return max(int(m) for m in spec.enum_type)
    return spec.maximum


def _converter(flat: Any) -> Any:
    if flat.spec.kind == "bool":
        return bool
    if flat.spec.kind == "enum":
        enum_type = flat.spec.enum_type
        return lambda v: enum_type(int(v))
    return int


#: member -> [(field, flat name or None (not configurable), converter)]
_LAYOUT: dict[str, list[tuple[str, str | None, Any]]] = {}
for _name, _flat in FLAT_FIELDS.items():
    _LAYOUT.setdefault(_flat.member, []).append(
        (_flat.field, _name if _name in _FIELDS else None, _converter(_flat)))
_MEMBER_TYPES = lola.AtomicNeuron.member_types()


def _check_values(name: str, values: np.ndarray, kind: str, maximum: int | None,
                  cells: Sequence[int] | None = None) -> np.ndarray:
    """``values`` of parameter ``name`` as stored (bool, or float64), or an error naming the
    parameter, the first bad value and its cell."""
    arr = np.asarray(values)

    def where(i: int) -> str:
        return f" (cell {int(cells[i])})" if cells is not None else ""

    if kind == "bool":
        if arr.dtype.kind == "b":
            return arr.astype(bool)
        if arr.dtype.kind in "iuf" and np.all(np.isin(arr, (0, 1))):
            return arr.astype(bool)
        bad = int(np.flatnonzero(~np.isin(arr, (0, 1)))[0]) if arr.dtype.kind in "iuf" else 0
        raise ParameterValueError(f"{name} is a flag (True/False), not {arr.ravel()[bad]!r}{where(bad)}")
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise ParameterValueError(f"{name} takes numbers in [0, {maximum}], not {arr.dtype} values")
    arr = arr.astype(np.float64)
    ok = np.isfinite(arr) & (arr >= 0) & (arr <= maximum)
    if not ok.all():
        bad = int(np.flatnonzero(~ok.ravel())[0])
        raise ParameterValueError(f"{name} = {arr.ravel()[bad]!r}{where(bad)} is outside the hardware "
                                  f"range [0, {maximum}]")
    return arr


class HXNeuron(NeuronCellType):
    """One neuron circuit of the chip (an AtomicNeuron) configured directly: the flattened
    ``lola.AtomicNeuron`` fields (``<member>_<field>``, e.g. ``leak_v_leak``,
    ``threshold_enable``) in DAC units (CapMem values 0..1022) or flags, plus the two
    ``plasticity_rule_*`` parameters. Without ``initial_config`` the defaults are lola's (a
    silent neuron); with it, each circuit's values come from the configuration at the first
    mapping, and parameters given here override them.

    The backend owns ``event_routing_analog_output`` (always ``normal``),
    ``event_routing_enable_digital``, ``readout_source`` (from the recorded variable),
    ``readout_enable_amplifier`` and ``readout_enable_buffered_access``: passing them raises
    ``pyNN.errors.NonExistentParameterError``.
    """

    ReadoutSource = ReadoutSource
    default_parameters = {**{name: (bool(f.default) if f.spec.kind == "bool" else float(f.default))
                             for name, f in _FIELDS.items()}, **_PLASTICITY_DEFAULTS}
    units = {**{name: "dimensionless" for name in _FIELDS}, **{name: "dimensionless" for name in _PLASTICITY_DEFAULTS},
             **{name: "dimensionless" for name in ANALOG_RECORDABLES}}
    translations = build_translations(*[(name, name) for name in default_parameters])
    default_initial_values: dict = {}

    def __init__(self, plasticity_rule: Any = None, **parameters: Any) -> None:
        self.plasticity_rule = plasticity_rule
        for name in parameters:
            if name in NOT_CONFIGURABLE or name in LEGACY_NOT_CONFIGURABLE:
                raise NonExistentParameterError(
                    name, f"{type(self).__name__} ({name} is not configurable: the backend sets it)",
                    self.get_parameter_names())
        self.check_raw_parameters(parameters)
        super().__init__(**parameters)
        #: parameters given here (they override an initial_config)
        self.given_parameters = frozenset(k for k, v in parameters.items() if v is not None)

    # -- values ------------------------------------------------------------------------------------
    def check_raw_parameters(self, parameters: dict[str, Any]) -> None:
        """Flags given as numbers other than 0 and 1 raise (PyNN would turn them into True)."""
        for name, value in parameters.items():
            flat = _FIELDS.get(name)
            kind = flat.spec.kind if flat is not None else (
                "bool" if name == "plasticity_rule_enable_readout_source" else None)
            if kind != "bool" or value is None or callable(value):
                continue
            try:
                arr = np.asarray(value)
            except Exception:      # a RandomDistribution, a lazy array: checked when evaluated
                continue
            if arr.dtype.kind in "iufb":
                _check_values(name, arr, "bool", None)

    def check_parameters(self, parameters: dict[str, np.ndarray], cells: Sequence[int] | None = None) -> dict:
        out = {}
        for name, values in parameters.items():
            if name in _FIELDS:
                f = _FIELDS[name]
                out[name] = _check_values(name, values, f.spec.kind, _maximum(f), cells)
            else:
                out[name] = self.check_plasticity_parameter(name, values, cells)
        return out

    def initial_parameters(self, base: Sequence[lola.AtomicNeuron]) -> dict[str, np.ndarray]:
        out = {}
        for name, f in _FIELDS.items():
            values = [getattr(getattr(n, f.member), f.field) for n in base]
            out[name] = np.array(values, dtype=bool) if f.spec.kind == "bool" else \
                np.array([int(v) for v in values], dtype=np.float64)
        return out

    def atomic_neurons(self, parameters: dict[str, np.ndarray],
                       base: Sequence[lola.AtomicNeuron]) -> list[lola.AtomicNeuron]:
        """The AtomicNeuron of each cell (see :meth:`NeuronCellType.atomic_neurons`). Cells with
        equal neurons share one object: callers must not change them in place (a deep copy of a
        chip gives every circuit its own, see ``haldls``'s ``FieldArray``; grenade labels the
        placed neurons of such a copy)."""
        n = len(base)
        arrays = {name: np.broadcast_to(np.asarray(v), (n,)) for name, v in parameters.items() if name in _FIELDS}
        columns = {name: v.tolist() for name, v in arrays.items()}
        # the fields a neuron keeps from its base neuron
        kept = [(member, field) for member, fields in _LAYOUT.items() for field, name, _ in fields
                if name not in columns]
        # cells with equal parameters and equal kept fields share one neuron: each distinct
        # neuron is built once (0.1 ms)
        table = np.ascontiguousarray(np.column_stack([v.astype(np.float64) for v in arrays.values()])) \
            if arrays else np.zeros((n, 0))
        built: dict[tuple, lola.AtomicNeuron] = {}
        out = []
        for i, neuron in enumerate(base):
            key = (table[i].tobytes(), tuple(getattr(getattr(neuron, member), field) for member, field in kept))
            prototype = built.get(key)
            if prototype is not None:
                out.append(prototype)
                continue
            members = {}
            for member, fields in _LAYOUT.items():
                current = getattr(neuron, member)
                members[member] = _MEMBER_TYPES[member](**{
                    field: (convert(columns[name][i]) if name in columns else getattr(current, field))
                    for field, name, convert in fields})
            built[key] = lola.AtomicNeuron(**members)
            out.append(built[key])
        return out

    @classmethod
    def create_hw_entity(cls, param_dict: dict[str, Any],
                         base: lola.AtomicNeuron | None = None) -> lola.AtomicNeuron:
        """The ``lola.AtomicNeuron`` of one cell with the parameters ``param_dict`` (flattened
        names -> values; others from ``base``, default ``lola.AtomicNeuron()``), its analog
        output enabled as the backend does."""
        unknown = set(param_dict) - set(cls.default_parameters)
        if unknown:
            raise NonExistentParameterError(sorted(unknown)[0], cls.__name__, cls.get_parameter_names())
        cell = cls.__new__(cls)
        values = cell.check_parameters({k: np.array([v]) for k, v in param_dict.items()})
        neuron = cell.atomic_neurons(values, [base if base is not None else lola.AtomicNeuron()])[0]
        routing = neuron.event_routing
        routing.analog_output = lola.AtomicNeuron.EventRouting.AnalogOutputMode.normal
        neuron.event_routing = routing
        return neuron


# -- spike sources ------------------------------------------------------------------------------

def _sequences(value: Any, n: int) -> list[np.ndarray]:
    """The spike times of ``n`` cells from a stored ``spike_times`` value."""
    arr = value
    if isinstance(arr, PyNNSequence):
        return [np.asarray(arr.value, dtype=float)] * n
    arr = np.asarray(arr, dtype=object) if not isinstance(arr, np.ndarray) else arr
    if arr.dtype == object:
        return [np.asarray(s.value if isinstance(s, PyNNSequence) else s, dtype=float).reshape(-1)
                for s in np.broadcast_to(arr, (n,))]
    return [np.asarray(arr, dtype=float).reshape(-1)] * n


class SpikeSourceArray(ExternalNeuron, pynn_cells.SpikeSourceArray):
    __doc__ = pynn_cells.SpikeSourceArray.__doc__ + """
    Times are hardware milliseconds; the FPGA plays them in at its 8 ns clock (times are
    rounded to whole clock cycles). Times must be sorted and >= 0."""

    translations = build_translations(("spike_times", "spike_times"))

    def check_parameters(self, parameters: dict[str, np.ndarray], cells: Sequence[int] | None = None) -> dict:
        if "spike_times" in parameters:
            value = parameters["spike_times"]
            n = len(value) if isinstance(value, np.ndarray) and value.dtype == object else 1
            for i, times in enumerate(_sequences(value, n)):
                cell = f" of cell {int(cells[i])}" if cells is not None and len(cells) == n else ""
                if times.size and (not np.all(np.isfinite(times)) or times.min() < 0):
                    raise ParameterValueError(f"spike_times{cell} must be finite and >= 0 (hardware ms), "
                                              f"not {times.tolist()[:8]}")
                if times.size > 1 and np.any(np.diff(times) < 0):
                    raise ParameterValueError(f"spike_times{cell} must be sorted in increasing order: "
                                              f"{times.tolist()[:8]}")
        return parameters

    def spike_times(self, parameters: dict[str, np.ndarray], ids: np.ndarray, begin: float,
                    end: float, seed: int) -> list[np.ndarray]:
        out = []
        for times in _sequences(parameters["spike_times"], len(ids)):
            out.append(times[(times >= begin) & (times < end)])
        return out


class SpikeSourcePoisson(ExternalNeuron, pynn_cells.SpikeSourcePoisson):
    __doc__ = pynn_cells.SpikeSourcePoisson.__doc__ + """
    ``rate`` in Hz of hardware time, ``start`` and ``duration`` in hardware ms. The spikes are
    drawn on the host (a Poisson count, times uniform in the window) from a generator seeded by
    ``setup(rng_seed=...)``, the cell's ID and the window: a cell replays the same train until
    its parameters change, and every target of a cell receives the same train."""

    translations = build_translations(("rate", "rate"), ("start", "start"), ("duration", "duration"))

    def check_parameters(self, parameters: dict[str, np.ndarray], cells: Sequence[int] | None = None) -> dict:
        for name, values in parameters.items():
            arr = np.asarray(values, dtype=float)
            ok = np.isfinite(arr) & (arr >= 0)
            if not ok.all():
                bad = int(np.flatnonzero(~ok.ravel())[0])
                cell = f" (cell {int(cells[bad])})" if cells is not None and arr.ndim else ""
                raise ParameterValueError(f"{name} = {arr.ravel()[bad]!r}{cell} must be finite and >= 0")
        return parameters

    def spike_times(self, parameters: dict[str, np.ndarray], ids: np.ndarray, begin: float,
                    end: float, seed: int) -> list[np.ndarray]:
        n = len(ids)
        rate, start, duration = (np.broadcast_to(np.asarray(parameters[k], dtype=float), (n,))
                                 for k in ("rate", "start", "duration"))
        out = []
        for i in range(n):
            lo, hi = max(begin, start[i]), min(end, start[i] + duration[i])
            if hi <= lo or rate[i] <= 0:
                out.append(np.zeros(0))
                continue
            key = [int(seed), int(ids[i]), *np.array([rate[i], start[i], duration[i], lo, hi]).view(np.uint64).tolist()]
            rng = np.random.default_rng(key)
            count = rng.poisson(rate[i] * (hi - lo) / 1000.0)
            out.append(np.sort(rng.uniform(lo, hi, count)))
        return out


class SpikeSourcePoissonOnChip(ExternalNeuron):
    """Poisson spike sources made on the chip by a background spike generator (one per
    population and hemisphere it reaches): ``rate`` [Hz of hardware time] per cell and the
    generator's ``seed``, both the same for every cell of the population. The generator draws a
    spike per clock bin with a probability of (rate register + 1) / 256 every (period + 1)
    cycles of its 125 MHz clock; the achieved rate is the nearest such value. The sum of the
    population's rates must stay below the clock."""

    default_parameters = {"rate": 1.0e3, "seed": 0x9E3779B9}
    units = {"rate": "Hz", "seed": "dimensionless"}
    translations = build_translations(("rate", "rate"), ("seed", "seed"))
    host_spikes = False
    #: the background generators' clock [Hz]
    CLOCK_HZ = 125e6
    #: most cells of one population (the generator's random label bits)
    MAX_SIZE = 64

    def check_parameters(self, parameters: dict[str, np.ndarray], cells: Sequence[int] | None = None) -> dict:
        for name, values in parameters.items():
            arr = np.asarray(values, dtype=float)
            if name == "rate":
                ok = np.isfinite(arr) & (arr > 0)
                if not ok.all():
                    raise ParameterValueError(f"rate = {arr.ravel()[np.flatnonzero(~ok.ravel())[0]]!r} "
                                              "must be a positive number of Hz")
            elif name == "seed":
                ok = np.isfinite(arr) & (arr == np.round(arr)) & (arr >= 0) & (arr <= 0xFFFFFFFF)
                if not ok.all():
                    raise ParameterValueError(f"seed = {arr.ravel()[np.flatnonzero(~ok.ravel())[0]]!r} must "
                                              f"be a whole number in [0, {0xFFFFFFFF}]")
        return parameters

    @classmethod
    def generator_config(cls, rate_hz: float, size: int) -> tuple[int, int, float]:
        """(period, rate register, achieved rate per cell [Hz]) of a generator spreading
        ``rate_hz`` per cell over ``size`` label bits; RuntimeError if the total rate is not
        below the generator's clock."""
        total = rate_hz * size
        if total >= cls.CLOCK_HZ:
            raise RuntimeError(f"SpikeSourcePoissonOnChip: rate x size = {rate_hz:g} Hz x {size} = {total:g} Hz "
                               f"must stay below the background generator's clock of {cls.CLOCK_HZ:g} Hz")
        registers = np.arange(256)
        periods = np.clip(np.rint((registers + 1) / 256 * cls.CLOCK_HZ / total) - 1, 0, 0xFFFF)
        achieved = (registers + 1) / 256 * cls.CLOCK_HZ / (periods + 1)
        best = int(np.argmin(np.abs(achieved - total)))
        return int(periods[best]), int(registers[best]), float(achieved[best] / size)


# the calibrated cell types live in their own module and belong to ``cells`` (the real
# backend's ``pynn.cells.CalibHXNeuronCuba``); imported last, they build on the names above
from .calibrated import CalibHXNeuronCoba, CalibHXNeuronCuba  # noqa: E402

__all__ = ["ANALOG_RECORDABLES", "showing", "CalibHXNeuronCoba", "CalibHXNeuronCuba", "ExternalNeuron", "HXNeuron", "NOT_CONFIGURABLE", "NeuronCellType",
           "ReadoutSource", "SpikeSourceArray", "SpikeSourcePoisson", "SpikeSourcePoissonOnChip",
           "StandardCellType"]
