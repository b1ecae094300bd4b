"""``Population``, ``PopulationView`` and ``Assembly`` on the chip.

A population of an on-chip cell type (``HXNeuron``) is placed when it is created: its n-th
cell takes the next free neuron circuit of ``setup(neuronPermutation=...)`` (default: circuits
0, 1, 2, ... in creation order over all populations). Parameters are kept as one array per
native parameter (population length) and validated when given. With an ``initial_config``,
the parameters not given to the cell type's constructor come from the configuration of each
cell's circuit at the first mapping (``run`` or ``run(None, RunCommand.PREPARE)``); reading
or setting parameters before it raises ``RuntimeError``.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import neo
import numpy as np
from pyNN import common
from pyNN.parameters import LazyArray, ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType as _PyNNStandardCellType

from . import initial_values as initial_value_module
from . import simulator
from .errors import ApproximationWarning, CalibrationAccessError, InitialConfigAccessError, NonExistentParameterError
from .recording import Recorder
from .standardmodels.calibrated import CalibratedCellType
from .standardmodels.cells import ExternalNeuron, NeuronCellType


def _evaluate(parameter_space: ParameterSpace, size: int) -> dict[str, np.ndarray]:
    """A parameter space evaluated for ``size`` cells: name -> one value per cell."""
    parameter_space.shape = (size,)
    parameter_space.evaluate(simplify=False)
    out = {}
    for name, value in parameter_space.items():
        arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
        if arr.dtype != object and arr.shape != (size,):
            arr = np.broadcast_to(arr, (size,)).copy()
        out[name] = arr
    return out


def _simplified(value: np.ndarray) -> Any:
    """One value if all cells share it (flags as Python bools, sequences compared by their
    values), else the array."""
    if value.dtype == object:
        first = value[0]
        same = all(np.array_equal(getattr(v, "value", v), getattr(first, "value", first)) for v in value[1:])
        return first if same else value
    out = simplify(value)
    if isinstance(out, np.bool_):
        return bool(out)
    return out


class _ParameterAccess:
    """get/set of the cells of a population or view (``_cells()``: the indices in the parent
    population, ``_root()``: that population)."""

    def _root(self) -> "Population":
        raise NotImplementedError

    def _cells(self) -> np.ndarray:
        raise NotImplementedError

    def _check_names(self, names: Any) -> None:
        valid = self.celltype.get_parameter_names()
        for name in names:
            if name not in valid:
                raise NonExistentParameterError(name, type(self.celltype).__name__, valid)

    def _get_parameters(self, *names: str) -> ParameterSpace:
        self._check_names(names)
        root = self._root()
        root._require_initial_config(names)
        celltype = self.celltype
        native_names = celltype.get_native_names(*names)
        cells = self._cells()
        values = {}
        # multi-compartment cells give their stored rows (cells x circuits) their own form
        simplified = getattr(celltype, "parameter_value", _simplified)
        for name in native_names:
            values[name] = simplified(root._parameters[name][cells])
        native = ParameterSpace(values, shape=(len(cells),))
        return celltype.reverse_translate(native) if isinstance(celltype, _PyNNStandardCellType) else native

    def _get_native_parameters(self, *names: str) -> ParameterSpace:
        root = self._root()
        root._require_initial_config(names)
        cells = self._cells()
        return ParameterSpace({n: root._parameters[n][cells] for n in names}, shape=(len(cells),))

    def set(self, **parameters: Any) -> None:
        self._simulator.state.require_setup()
        self._root()._require_initial_config(list(parameters))
        check = getattr(self.celltype, "check_raw_parameters", None)
        if check is not None:
            check(parameters)
        super().set(**parameters)

    def _set_parameters(self, parameter_space: ParameterSpace) -> None:
        root = self._root()
        root._require_initial_config(list(parameter_space.keys()))
        cells = self._cells()
        values = _evaluate(parameter_space, self.size)
        checked = root.celltype.check_parameters(values, root.all_cells[cells])
        for name, value in checked.items():
            stored = root._parameters[name]
            if stored.dtype == object or (value.dtype == object):
                stored = stored.astype(object)
            elif stored.dtype != value.dtype:
                stored = stored.astype(np.result_type(stored.dtype, value.dtype))
            stored[cells] = value
            root._parameters[name] = stored
        root._changed()

    def _set_initial_value_array(self, variable: str, initial_values: Any) -> None:
        """``initialize``: the initial membrane potential ``v`` of HXNeuron (CapMem value of
        the reset potential) and calibrated cells (their potential unit), set through the run's
        first reset (:mod:`pynn_frontend.initial_values`); other state variables only 0."""
        initial_value_module.store(self, variable, initial_values)

    # -- the calibration ---------------------------------------------------------------------------
    def _calibrated(self, what: str) -> Any:
        root = self._root()
        if not isinstance(root.celltype, CalibratedCellType):
            raise CalibrationAccessError(f"{what}: population {root.label!r} of {type(root.celltype).__name__} is "
                                         "not calibrated (only calibrated cell types such as CalibHXNeuronCuba are)")
        if root._calibration is None:
            raise CalibrationAccessError(f"{what}: population {root.label!r} is not calibrated yet; the "
                                         "calibration runs at run(None, RunCommand.PREPARE) or run")
        return root._calibration

    @property
    def calib_target(self) -> ParameterSpace:
        """A copy of the parameters the cells were calibrated for (AttributeError before the
        first calibration)."""
        data = self._calibrated("calib_target")
        cells = self._cells()
        return ParameterSpace({name: np.array(values[cells], copy=True) for name, values in data.target.items()},
                              shape=(len(cells),))

    @property
    def calib_hwparams(self) -> list:
        """Copies of the calibrated ``lola.AtomicNeuron`` of each cell (AttributeError before
        the first calibration)."""
        data = self._calibrated("calib_hwparams")
        return [copy.deepcopy(data.hwparams[i]) for i in self._cells()]

    @property
    def actual_hwparams(self) -> tuple:
        """The ``lola.AtomicNeuron`` of each cell that runs: edit them in place (e.g.
        ``pop.actual_hwparams[0].leak.v_leak = 1022``); views give their cells' neurons of the
        parent population. A new calibration (after parameters changed) replaces them."""
        data = self._calibrated("actual_hwparams")
        return tuple(data.actual[i] for i in self._cells())

    def get_plasticity_data(self, observable: str) -> list:
        """A per-neuron observable of the cell type's plasticity rule (pynn_frontend.plasticity):
        per snippet of the last run, per call of the rule's kernel an entry with ``.time`` (FPGA
        cycles since the snippet's start) and ``.data`` (one value per cell here)."""
        from .plasticity import population_data
        return population_data(self, observable)


class Assembly(common.Assembly):
    __doc__ = common.Assembly.__doc__
    _simulator = simulator

    @property
    def receptor_types(self) -> list[str]:
        """The receptor types every member has, in the first member's order (PyNN's own
        order is a set's, which makes the receptor guessed from a weight's sign random)."""
        first = list(self.populations[0].celltype.receptor_types)
        return [r for r in first if all(r in p.celltype.receptor_types for p in self.populations[1:])]

    def record(self, variables: Any, to_file: Any = None, sampling_interval: Any = None,
               locations: Any = None, *, device: str | None = None) -> None:
        for p in self.populations:
            p.record(variables, to_file, sampling_interval, locations, device=device)

    def get_data(self, variables: Any = "all", gather: bool = True, clear: bool = False,
                 annotations: Any = None) -> neo.Block:
        """The members' data in one Neo ``Block``: segment i holds every member's objects of
        its segment i (neo's own merge cannot join irregularly sampled signals)."""
        blocks = [p.get_data(variables, gather, clear) for p in self.populations]
        out = neo.Block(name=self.label, description=self.describe())
        for i in range(max(len(b.segments) for b in blocks)):
            first = next(b.segments[i] for b in blocks if len(b.segments) > i)
            segment = neo.Segment(name=first.name, description=first.description,
                                  rec_datetime=first.rec_datetime)
            for block in blocks:
                if len(block.segments) <= i:
                    continue
                for train in block.segments[i].spiketrains:
                    train.segment = segment
                    segment.spiketrains.append(train)
                for signal in block.segments[i].irregularlysampledsignals:
                    signal.segment = segment
                    segment.irregularlysampledsignals.append(signal)
            segment.block = out
            out.segments.append(segment)
        if annotations:
            out.annotate(**annotations)
        return out


class PopulationView(_ParameterAccess, common.PopulationView):
    __doc__ = common.PopulationView.__doc__
    _simulator = simulator
    _assembly_class = Assembly

    def _root(self) -> "Population":
        return self.grandparent

    def _cells(self) -> np.ndarray:
        return np.asarray(self.index_in_grandparent(np.arange(self.size)), dtype=np.int64)

    def _get_view(self, selector: Any, label: str | None = None) -> "PopulationView":
        return PopulationView(self, selector, label)

    def initialize(self, **initial_values: Any) -> None:
        """Initial values of the view's cells (PyNN's ``initialize``; kept by the parent
        population, whose ``initial_values`` PyNN cannot mask for a view)."""
        for variable, value in initial_values.items():
            self._set_initial_value_array(variable, LazyArray(value, shape=(self.size,), dtype=float))

    def record(self, variables: Any, to_file: Any = None, sampling_interval: Any = None,
               locations: Any = None, *, device: str | None = None) -> None:
        _record(self, variables, to_file, sampling_interval, locations, device)

    def column_of(self, cell: int) -> int:
        return self.grandparent.column_of(cell)


def _record(pop: Any, variables: Any, to_file: Any, sampling_interval: Any, locations: Any,
            device: str) -> None:
    """Population.record with the chip's ``device``."""
    pop._simulator.state.require_setup()
    if variables is None:
        pop.recorder.reset()
    else:
        ids = pop.all_cells if pop._record_filter is None else pop._record_filter
        pop.recorder.record(variables, ids, sampling_interval, locations, device=device)
    if isinstance(to_file, str):
        pop.recorder.file = to_file
        pop._simulator.state.write_on_end.append((pop, variables, pop.recorder.file))


class Population(_ParameterAccess, common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def __init__(self, size: Any, cellclass: Any, cellparams: Any = None, structure: Any = None,
                 initial_values: Any = {}, label: Any = None) -> None:
        state = simulator.state
        state.require_setup()
        recorders, counter, used = set(state.recorders), state.id_counter, state.placement.used
        self._default_initialization = True
        try:
            super().__init__(size, cellclass, cellparams, structure, {}, label)
            self._default_initialization = False
            if initial_values:
                self.initialize(**initial_values)
        except BaseException:
            state.recorders = recorders     # nothing half-added
            state.id_counter, state.placement.used = counter, used
            raise
        state.populations.append(self)
        approximation = getattr(self.celltype, "approximation", None)
        if approximation:           # e.g. IF_curr_alpha's PSCs (standardmodels.biological.ALPHA)
            warnings.warn(f"population {self.label!r} ({type(self.celltype).__name__}): {approximation}",
                          ApproximationWarning, stacklevel=2)

    def _root(self) -> "Population":
        return self

    def _cells(self) -> np.ndarray:
        return np.arange(self.size)

    def _create_cells(self) -> None:
        state = simulator.state
        celltype = self.celltype
        if not isinstance(celltype, (NeuronCellType, ExternalNeuron)):
            raise TypeError(f"{type(celltype).__name__} is not a cell type of this backend; use the "
                            "backend's cell types (pynn_frontend.cells)")
        if getattr(celltype, "biological_weights", False) and not state.biological:
            raise TypeError(f"{type(celltype).__name__} counts biological time (ms, mV, nA): use it through "
                            "pynn_frontend.biological (its setup), not pynn_frontend's hardware time")
        if isinstance(self.size, bool) or not isinstance(self.size, (int, np.integer)) or self.size < 1:
            raise ValueError(f"a population has at least one cell, not {self.size!r}")
        ids = np.arange(state.id_counter, state.id_counter + self.size)
        parameters = _evaluate(celltype.native_parameters, self.size)
        parameters = celltype.check_parameters(parameters, ids)
        #: AtomicNeuronOnDLS enum of each cell (on-chip cell types)
        self.atomic_neurons = celltype.place(state.placement, self.size, self.label) \
            if isinstance(celltype, NeuronCellType) else None
        self._parameters = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in parameters.items()}
        self.all_cells = np.array([simulator.ID(i) for i in ids], dtype=simulator.ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        for cell in self.all_cells:
            cell.parent = self
        state.id_counter += self.size
        #: whether the initial configuration still has to give the parameters
        self._initial_config_pending = (isinstance(celltype, NeuronCellType) and celltype.takes_initial_config
                                        and state.has_initial_config())
        #: parameters changed since the last mapping
        self.version = 0
        #: the calibration of a calibrated cell type (pynn_frontend.calibration)
        self._calibration: Any = None
        #: initial membrane potentials (pynn_frontend.initial_values): one per cell, NaN where
        #: the cell starts from its reset; whether one was set since the last snippet
        self._initial_v: np.ndarray | None = None
        self._initial_pending = False

    def _set_cell_initial_value(self, id: Any, variable: str, value: Any) -> None:
        """``ID.set_initial_value``: checked and set as ``initialize`` does."""
        index = int(self.id_to_index(id))
        initial_value_module.store(self[index:index + 1], variable, LazyArray(value, shape=(1,), dtype=float))
        if variable in self.initial_values:
            self.initial_values[variable][index] = value

    def _changed(self) -> None:
        self.version += 1

    def _require_initial_config(self, names: Any) -> None:
        if self._initial_config_pending:
            raise InitialConfigAccessError(
                f"population {self.label!r}: the initial config is not yet applied; its parameters "
                f"({', '.join(names) or 'all'}) come from it at the first mapping: call "
                "run(None, RunCommand.PREPARE) (or run) first")

    def apply_initial_config(self, chip: Any) -> None:
        """Take the parameters not given to the cell type from ``chip`` (once)."""
        if not self._initial_config_pending:
            return
        base = [chip.neuron_block.atomic_neurons[int(a)] for a in np.ravel(self.atomic_neurons)]
        given = getattr(self.celltype, "given_parameters", frozenset())
        for name, values in self.celltype.initial_parameters(base).items():
            if name not in given:
                self._parameters[name] = values
        self._initial_config_pending = False
        self._changed()

    def column_of(self, cell: int) -> int:
        """The neuron column of a cell's circuit."""
        atom = int(self.atomic_neurons[self.id_to_index(cell)])
        return atom % 256

    def hardware_parameters(self) -> dict[str, np.ndarray]:
        """The native parameters (one value per cell) the chip gets."""
        return self._parameters

    def _get_view(self, selector: Any, label: str | None = None) -> PopulationView:
        return PopulationView(self, selector, label)

    def record(self, variables: Any, to_file: Any = None, sampling_interval: Any = None,
               locations: Any = None, *, device: str | None = None) -> None:
        """Record ``variables`` ('spikes' and at most one of 'v', 'exc_synin', 'inh_synin',
        'adaptation' per neuron) of every cell; analog ones through ``device`` ('madc',
        'cadc', 'pad_0', 'pad_1'). ``record(None)`` stops all recording of the population."""
        _record(self, variables, to_file, sampling_interval, locations, device)

    def describe(self, template: str = "population_default.txt", engine: str = "default") -> Any:
        if template == "population_default.txt" and engine == "default":
            key = (self.label, self.size)
            cached = getattr(self, "_description", None)
            if cached is not None and cached[0] == key:
                return cached[1]
            text = super().describe(template, engine)
            self._description = (key, text)
            return text
        return super().describe(template, engine)


__all__ = ["Assembly", "Population", "PopulationView"]
