"""PyNN's standard current sources on the chip: ``DCSource``, ``StepCurrentSource``,
``ACSource`` and ``NoisyCurrentSource``.

On BrainScaleS-2 a neuron's injected current is its offset-current source: the CapMem cell
``constant_current.i_offset`` (0..1022 LSB) with ``enable`` and the direction (source or
sink, ``NeuronConfig.invert_membrane_offset``). A time-varying current is a sequence of timed
writes of that cell inside the realtime section (:mod:`pynn_frontend.current_injection`), so
every source is a piecewise-constant waveform on PyNN's time grid:

- times (``start``, ``stop``, ``times``) are rounded to the time step ``dt`` of ``setup``
  (PyNN's rule, as for any backend), then to the FPGA's 8 ns clock; the current changes at
  that time, so a recording at it still shows the old value and the next sample the new one;
- ``ACSource`` is updated every ``dt``, but no more often than every :data:`MIN_UPDATE_US`
  of hardware time (one update is one CapMem write per cell over the chip bus);
  ``NoisyCurrentSource`` draws a new value every ``dt`` of its own (rounded to whole time
  steps, at least :data:`MIN_UPDATE_US` of hardware time), from ``rng`` (a ``pyNN.random``
  RNG; by default one seeded by ``setup(rng_seed=...)`` and the source's number).

Units: here (``import pynn_frontend as pynn``, the hardware-time module) times are the user's
ms (hardware ms) and amplitudes **CapMem LSB** of the offset-current source, signed (negative
currents use the sink), as ``HXNeuron``'s ``constant_current_i_offset``; they go into any
neuron. :mod:`pynn_frontend.biological` has the same sources in biological ms and nA
(:mod:`pynn_frontend.biological_electrodes`), for its standard cell types. Several sources into
one neuron add up, with the neuron's own offset current (``i_offset``,
``constant_current_*``), before the sum is rounded to whole LSB; a sum beyond the cell's
1022 LSB raises ``InvalidParameterValueError`` when the run is planned.

``source.record()`` then ``source.get_data()`` gives the current the source played, sampled
every ``dt`` from 0 to the current time of the segment (a ``neo.AnalogSignal``); the chip
received it rounded to whole LSB per neuron.
"""

from __future__ import annotations

from typing import Any, Iterable

import neo
import numpy as np
import quantities as pq
from pyNN import random as pynn_random
from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import build_translations, electrodes

from . import simulator
from .errors import ParameterValueError, SimulationStateError

#: the shortest interval between two updates of a waveform (ACSource, NoisyCurrentSource)
#: [us of hardware time; 0.1 ms in biological time, PyNN's default time step]: each update
#: writes one CapMem cell per cell over the chip bus (32 ns each)
MIN_UPDATE_US = 0.1
#: tolerance of the rounding of times onto the time grid [time steps]
_GRID_EPS = 1e-6


def grid_index(t: Any, dt: float) -> np.ndarray:
    """Times [ms] as indices of the time grid ``k dt`` (rounded)."""
    return np.rint(np.asarray(t, dtype=float) / dt).astype(np.int64)


def _value_at(ks: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The value a piecewise-constant waveform (``values[i]`` from grid index ``ks[i]`` on, 0
    before ``ks[0]``) has at grid indices ``at``."""
    i = np.searchsorted(ks, at, side="right") - 1
    return np.where(i >= 0, np.asarray(values, dtype=float)[np.maximum(i, 0)], 0.0) if len(ks) else \
        np.zeros(len(at))


def _update_steps(dt: float, interval: float, time_scale: float) -> int:
    """Grid steps between two updates: ``interval`` [ms] in whole steps, at least one and at
    least :data:`MIN_UPDATE_US` of hardware time."""
    least = MIN_UPDATE_US * 1e-3 * time_scale
    return max(1, int(np.rint(interval / dt)), int(np.ceil(least / dt - _GRID_EPS)))


class CurrentSource(electrodes.StandardCurrentSource):
    """Base of the chip's current sources: the parameters (native names are PyNN's), the cells
    the source feeds, its piecewise-constant waveform on the time grid and its recording."""

    #: the amplitudes' unit: "LSB" (CapMem LSB of the offset-current source) or "nA"
    unit = "LSB"
    #: the parameters that set the amplitude (named by range errors)
    amplitude_parameters: tuple[str, ...] = ("amplitude",)

    def __init__(self, **parameters: Any) -> None:
        # before PyNN's __init__: its __getattr__ looks missing attributes up among the parameters
        object.__setattr__(self, "_native", {})
        super().__init__(**parameters)
        #: (population, cell indices) the source feeds
        self._targets: list[tuple[Any, np.ndarray]] = []
        self._recording = False
        space = ParameterSpace(self.default_parameters, self.get_schema(), shape=(1,))
        space.update(**parameters)
        self.set_native_parameters(self.translate(space))

    # -- parameters ------------------------------------------------------------------------------
    def get_native_parameters(self) -> ParameterSpace:
        return ParameterSpace(dict(self._native))

    def set_native_parameters(self, parameters: ParameterSpace) -> None:
        """Take new values (checked, times on the grid); the next planned run plays them."""
        parameters.evaluate(simplify=True)
        new = dict(self._native)
        for name, value in parameters.items():
            if isinstance(value, Sequence):
                value = value.value
            if isinstance(value, np.ndarray) and value.shape == (1,) and name not in ("times", "amplitudes"):
                value = value[0]
            new[name] = value
        self._native = self._checked(new)

    def _checked(self, values: dict[str, Any]) -> dict[str, Any]:
        for name, value in values.items():
            if name in ("times", "amplitudes"):
                continue
            if isinstance(value, (bool, np.bool_)) or not np.isfinite(float(value)):
                raise ParameterValueError(f"{type(self).__name__} {name} = {value!r}: a finite number is required")
            values[name] = float(value)
        for name in ("start", "stop", "dt"):
            if name in values and values[name] < 0:
                raise ParameterValueError(f"{type(self).__name__} {name} = {values[name]:g} ms: times are >= 0")
        if "start" in values and "stop" in values and values["stop"] < values["start"]:
            raise ParameterValueError(f"{type(self).__name__}: stop = {values['stop']:g} ms lies before "
                                      f"start = {values['start']:g} ms")
        return values

    def _dt(self) -> float:
        state = simulator.state
        return float(state.dt)

    # -- cells -------------------------------------------------------------------------------------
    def inject_into(self, cells: Any, location: Any = None) -> None:
        """Feed the current into ``cells``: a Population, PopulationView, Assembly or a list of
        IDs (cells of neurons on the chip; a spike source raises ``TypeError``, and nothing is
        fed then). ``location`` (PyNN's compartment of multi-compartment cells) must be None:
        these cells have one compartment."""
        state = simulator.state
        state.require_setup()
        if location is not None:
            raise ValueError(f"inject_into(location={location!r}): the cells take current at their one "
                             "compartment; leave location None")
        groups = self._groups(cells)
        for population, _ in groups:
            if not population.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
            self.check_target(population)
        for population, indices in groups:
            self._targets.append((population, np.asarray(indices, dtype=np.int64)))
        if self not in state.current_sources:
            state.current_sources.append(self)

    @classmethod
    def _groups(cls, cells: Any) -> list[tuple[Any, np.ndarray]]:
        """(population, cell indices) of ``cells``."""
        from .populations import Assembly, Population, PopulationView

        if isinstance(cells, Assembly):
            return [group for part in cells.populations for group in cls._groups(part)]
        if isinstance(cells, Population):
            return [(cells, np.arange(cells.size))]
        if isinstance(cells, PopulationView):
            return [(cells.grandparent, np.asarray(cells.index_in_grandparent(np.arange(cells.size)), dtype=np.int64))]
        return cls._group_ids(cells)

    @staticmethod
    def _group_ids(cells: Iterable[Any]) -> list[tuple[Any, np.ndarray]]:
        groups: dict[int, tuple[Any, list[int]]] = {}
        for cell in cells:
            parent = getattr(cell, "parent", None)
            if parent is None:
                raise TypeError(f"inject_into takes a Population, PopulationView, Assembly or cell IDs, "
                                f"not {type(cell).__name__}")
            groups.setdefault(id(parent), (parent, []))[1].append(int(parent.id_to_index(cell)))
        return [(p, np.asarray(i, dtype=np.int64)) for p, i in groups.values()]

    def check_target(self, population: Any) -> None:
        """Whether the source can feed the cells of ``population`` (CapMem LSB: any neuron)."""

    def targets(self) -> list[tuple[Any, np.ndarray]]:
        """(population, cell indices) the source feeds."""
        return list(self._targets)

    # -- the waveform --------------------------------------------------------------------------------
    def waveform(self, k_begin: int, k_end: int, dt: float, time_scale: float) -> tuple[np.ndarray, np.ndarray]:
        """The current on grid indices ``[k_begin, k_end)`` (times ``k dt`` [ms]): (grid
        indices, values [the source's unit]), each value from its index until the next; the
        first index is ``k_begin``."""
        ks, values = self._changes(k_begin, k_end, dt, time_scale)
        first = _value_at(ks, values, np.array([k_begin]))
        inside = (ks > k_begin) & (ks < k_end)
        return (np.concatenate([[k_begin], ks[inside]]).astype(np.int64),
                np.concatenate([first, np.asarray(values, dtype=float)[inside]]))

    def _changes(self, k_begin: int, k_end: int, dt: float, time_scale: float) -> tuple[np.ndarray, np.ndarray]:
        """Grid indices where the current changes (covering at least ``[k_begin, k_end)``,
        sorted) and the value from each on."""
        raise NotImplementedError

    def _window(self, dt: float) -> tuple[int, int]:
        start, stop = grid_index(self._native["start"], dt), grid_index(self._native["stop"], dt)
        return int(start), int(stop)

    # -- recording ---------------------------------------------------------------------------------
    def record(self) -> None:
        """Record the current the source plays (``get_data()``)."""
        self._recording = True

    def _get_data(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._recording:
            raise SimulationStateError(f"{type(self).__name__}.get_data(): call record() on the source first")
        state = simulator.state
        dt = float(state.dt)
        n = int(grid_index(state.t, dt)) + 1
        ks, values = self.waveform(0, n, dt, state.time_scale)
        grid = np.arange(n)
        return grid * dt, _value_at(ks, values, grid)

    def get_data(self) -> neo.AnalogSignal:
        """The played current, every ``dt`` from 0 to the current time (inclusive), as an
        AnalogSignal in the source's unit (nA, or CapMem LSB as dimensionless values)."""
        times, values = self._get_data()
        units = pq.nA if self.unit == "nA" else pq.dimensionless
        signal = neo.AnalogSignal(values[:, None], units=units, t_start=times[0] * pq.ms,
                                  sampling_period=float(simulator.state.dt) * pq.ms, name="i")
        signal.annotate(source_type=type(self).__name__, unit=self.unit)
        return signal

    def describe_amplitude(self) -> str:
        """The amplitude parameters and their values, for error messages."""
        parts = []
        for name in self.amplitude_parameters:
            value = self._native[name]
            parts.append(f"{name} = {np.round(value, 6).tolist() if isinstance(value, np.ndarray) else f'{value:g}'}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _identity(*names: str) -> dict:
    return build_translations(*[(n, n) for n in names])


class DCSource(CurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__ + """
    On the chip: the offset-current source of each cell from ``start`` to ``stop`` (rounded to
    the time step), ``amplitude`` in CapMem LSB here, in nA in ``pynn_frontend.biological``."""

    translations = _identity("amplitude", "start", "stop")

    def _changes(self, k_begin: int, k_end: int, dt: float, time_scale: float) -> tuple[np.ndarray, np.ndarray]:
        start, stop = self._window(dt)
        if stop <= start:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.array([start, stop]), np.array([self._native["amplitude"], 0.0])


class StepCurrentSource(CurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__ + """
    On the chip: ``times`` are rounded to the time step (of several times on one step the last
    amplitude counts, as in PyNN's other backends); each becomes a write of the cells' offset
    current at that time."""

    translations = _identity("amplitudes", "times")
    amplitude_parameters = ("amplitudes",)

    def _checked(self, values: dict[str, Any]) -> dict[str, Any]:
        times = np.asarray(values.get("times", []), dtype=float).ravel()
        amplitudes = np.asarray(values.get("amplitudes", []), dtype=float).ravel()
        name = type(self).__name__
        if len(times) != len(amplitudes):
            raise ParameterValueError(f"{name}: times ({len(times)}) and amplitudes ({len(amplitudes)}) must "
                                      "have the same length")
        if not (np.all(np.isfinite(times)) and np.all(np.isfinite(amplitudes))):
            raise ParameterValueError(f"{name}: times and amplitudes must be finite")
        if np.any(times < 0):
            raise ParameterValueError(f"{name}: times must be >= 0, got {float(times.min()):g} ms")
        if np.any(np.diff(times) <= 0):
            raise ParameterValueError(f"{name}: times must increase strictly, got {times.tolist()}")
        if simulator.state.configured and len(times):
            dt = self._dt()
            grid = grid_index(times, dt)
            # several times on one grid step: the last amplitude given for it counts
            last = np.append(grid[1:] != grid[:-1], True)
            times, amplitudes = grid[last] * dt, amplitudes[last]
        values["times"], values["amplitudes"] = times, amplitudes
        return values

    def _changes(self, k_begin: int, k_end: int, dt: float, time_scale: float) -> tuple[np.ndarray, np.ndarray]:
        return grid_index(self._native["times"], dt), np.asarray(self._native["amplitudes"], dtype=float)


class ACSource(CurrentSource, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__ + """
    On the chip: piecewise constant, a new value every time step ``dt`` (at least every
    0.1 us of hardware time) from ``start`` until ``stop``: ``offset + amplitude sin(2 pi
    frequency (t - start) + phase)`` at the step's time; ``frequency`` counts periods per second
    of the module's time (hardware time here)."""

    translations = _identity("amplitude", "start", "stop", "frequency", "offset", "phase")
    amplitude_parameters = ("amplitude", "offset")

    def update_steps(self, dt: float, time_scale: float) -> int:
        """Grid steps between two updates of the sine."""
        return _update_steps(dt, dt, time_scale)

    def _changes(self, k_begin: int, k_end: int, dt: float, time_scale: float) -> tuple[np.ndarray, np.ndarray]:
        start, stop = self._window(dt)
        if stop <= start:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        step = self.update_steps(dt, time_scale)
        first = start + max(0, (k_begin - start) // step) * step
        last = min(stop, k_end)
        ks = np.arange(first, max(first, last), step, dtype=np.int64)
        p = self._native
        values = p["offset"] + p["amplitude"] * np.sin(2 * np.pi * p["frequency"] * (ks - start) * dt / 1000.0
                                                       + np.deg2rad(p["phase"]))
        return np.append(ks, stop), np.append(values, 0.0)


class NoisyCurrentSource(CurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__ + """
    On the chip: a new value ``mean + stdev N(0, 1)`` every ``dt`` (rounded to whole time
    steps, at least 0.1 us of hardware time) from ``start`` until ``stop``. Draws come in
    order from ``rng`` (default: a ``NumpyRNG`` seeded by ``setup(rng_seed=...)`` and the
    source's number) and are kept for the segment, so that a continued run goes on with new
    values and ``get_data()`` shows those played; a new segment (``reset()``) draws anew."""

    translations = _identity("mean", "start", "stop", "stdev", "dt")
    amplitude_parameters = ("mean", "stdev")

    def __init__(self, rng: Any = None, **parameters: Any) -> None:
        if rng is not None and not isinstance(rng, pynn_random.AbstractRNG):
            raise TypeError(f"rng must be a pyNN.random RNG, not {type(rng).__name__}")
        object.__setattr__(self, "_rng", rng)
        object.__setattr__(self, "_draws", np.zeros(0))
        object.__setattr__(self, "_segment", None)
        super().__init__(**parameters)
        state = simulator.state
        if self._rng is None or isinstance(self._rng, pynn_random.NativeRNG):
            state.noise_sources = getattr(state, "noise_sources", 0) + 1
            self._rng = pynn_random.NumpyRNG(seed=int(np.random.SeedSequence(
                [state.rng_seed, 0x401E, state.noise_sources]).generate_state(1)[0]))

    def _checked(self, values: dict[str, Any]) -> dict[str, Any]:
        values = super()._checked(values)
        if values.get("stdev", 0.0) < 0:
            raise ParameterValueError(f"NoisyCurrentSource stdev = {values['stdev']:g}: must be >= 0")
        if "dt" in values and not values["dt"] > 0:
            raise ParameterValueError(f"NoisyCurrentSource dt = {values['dt']:g} ms: must be > 0")
        # new parameters: new draws (the old ones were of other parameters)
        object.__setattr__(self, "_draws", np.zeros(0))
        return values

    def update_steps(self, dt: float, time_scale: float) -> int:
        """Grid steps between two draws; ParameterValueError if ``dt`` is shorter than the
        chip's shortest update (:data:`MIN_UPDATE_US`)."""
        least = MIN_UPDATE_US * 1e-3 * time_scale
        if self._native["dt"] < least * (1 - _GRID_EPS):
            raise ParameterValueError(
                f"NoisyCurrentSource dt = {self._native['dt']:g} ms: the chip updates a current at most every "
                f"{least:g} ms ({MIN_UPDATE_US:g} us of hardware time: one CapMem write per cell over the bus)")
        return _update_steps(dt, self._native["dt"], time_scale)

    def _values(self, count: int) -> np.ndarray:
        """The first ``count`` draws of the segment (drawn in order, kept)."""
        state = simulator.state
        if self._segment != (id(state), state.segment_counter):
            object.__setattr__(self, "_segment", (id(state), state.segment_counter))
            object.__setattr__(self, "_draws", np.zeros(0))
        if count > len(self._draws):
            more = np.asarray(self._rng.next(count - len(self._draws), "normal", {"mu": 0.0, "sigma": 1.0}),
                              dtype=float).reshape(-1)
            object.__setattr__(self, "_draws", np.concatenate([self._draws, more]))
        return self._native["mean"] + self._native["stdev"] * self._draws[:count]

    def _changes(self, k_begin: int, k_end: int, dt: float, time_scale: float) -> tuple[np.ndarray, np.ndarray]:
        start, stop = self._window(dt)
        if stop <= start:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        step = self.update_steps(dt, time_scale)
        last = min(stop, k_end)
        count = max(0, -(-(last - start) // step))
        ks = start + step * np.arange(count, dtype=np.int64)
        return np.append(ks, stop), np.append(self._values(count), 0.0)


__all__ = ["ACSource", "CurrentSource", "DCSource", "MIN_UPDATE_US", "NoisyCurrentSource", "StepCurrentSource",
           "grid_index"]
