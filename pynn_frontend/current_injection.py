"""Current sources in a realtime snippet: each fed cell's offset current over the snippet as
timed CapMem writes inside the realtime section.

Per snippet, every cell fed by current sources gets the sum of its own offset current (the
configured ``constant_current``: ``i_offset`` or ``constant_current_*``) and of its sources'
waveforms (:mod:`pynn_frontend.electrodes`; nA through the cell's calibration), rounded to
whole CapMem LSB once:

- the value at the snippet's start goes into the snippet's configuration (the cell's
  ``constant_current``, enabled while any value of the snippet is non-zero; its direction that
  of the first non-zero value);
- every later change is a write of the cell's ``i_mem_offset`` CapMem cell at its time (FPGA
  cycles after the snippet's start) through grenade's ``inside_realtime`` hook (a
  ``stadls.AbsoluteTimePlaybackProgramBuilder``, merged with the user's), and where the sign
  turns, of its ``NeuronConfig`` (the direction, ``invert_membrane_offset``);
- ``inside_realtime_end`` writes the configured values back, so that the chip holds what grenade
  wrote (grenade writes only what changed since the last run).

The same hooks carry the initial membrane potentials of :mod:`pynn_frontend.initial_values`
(reset potentials written before the run's first reset, restored at its time 0).

Timing: the emulator applies a written word at once (emulator/MODEL.md: the words of a burst
take effect at its start; no settling of the CapMem is modelled; the real CapMem reaches a new
value only as its refresh drives it there). Each word crosses the chip bus in
:data:`WORD_WRITE_CYCLES` FPGA cycles, so writes due at one time land one after the other, 32 ns
apart (32 us of biological time); a warning says when the writes of a snippet lag behind their
times by more than :data:`LAG_WARNING_CYCLES`.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import attrs
import numpy as np

import halco
import haldls
import lola
import stadls
from grenade.execution import ExecutionInstanceHooks
from . import initial_values
from .electrodes import CurrentSource
from .errors import ParameterValueError

log = logging.getLogger(__name__)

#: the largest value of the offset-current source's CapMem cell [LSB]
MAX_LSB = 1022
#: FPGA cycles one word write takes on the chip bus (one omnibus word)
WORD_WRITE_CYCLES = 4
#: warn when a write lands this many FPGA cycles (1 us) after its time
LAG_WARNING_CYCLES = 125
_SOURCE, _SINK = lola.AtomicNeuron.ConstantCurrent.Type.source, lola.AtomicNeuron.ConstantCurrent.Type.sink
_OFFSET_ROW = halco.CAPMEM_ROW_NAMES["i_mem_offset"]
_CELL_OF = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemCellOnDLS)[:, _OFFSET_ROW]
_CONFIG_OF = halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronConfigOnDLS)


@attrs.define
class Injection:
    """The timed writes of a snippet's current sources: ``realtime`` (writes at FPGA cycles
    after the snippet's start) and ``restore`` (the configured values, after the runtime); and
    ``pre_realtime`` (writes before the run's reset of the neurons: initial values)."""

    realtime: stadls.AbsoluteTimePlaybackProgramBuilder
    restore: stadls.PlaybackProgramBuilder
    #: number of timed word writes
    writes: int = 0
    pre_realtime: stadls.PlaybackProgramBuilder = attrs.field(factory=stadls.PlaybackProgramBuilder)

    def hooks(self, user: ExecutionInstanceHooks | None) -> ExecutionInstanceHooks:
        """Grenade's hooks: the user's (copied, left as they are) with these writes added."""
        user = ExecutionInstanceHooks() if user is None else user
        realtime = stadls.AbsoluteTimePlaybackProgramBuilder()
        realtime.copy_back(user.inside_realtime)
        realtime.copy_back(self.realtime)
        end = stadls.PlaybackProgramBuilder()
        end.copy_back(user.inside_realtime_end)
        end.copy_back(self.restore)
        pre = stadls.PlaybackProgramBuilder()
        pre.copy_back(user.pre_realtime)
        pre.copy_back(self.pre_realtime)
        return ExecutionInstanceHooks(pre_static_config=user.pre_static_config, pre_realtime=pre,
                                      inside_realtime_begin=user.inside_realtime_begin, inside_realtime=realtime,
                                      inside_realtime_end=end, post_realtime=user.post_realtime)


def _signed(current: Any) -> int:
    """A ``constant_current`` as a signed value [LSB] (sink negative, off 0)."""
    if not current.enable:
        return 0
    return -int(current.i_offset) if current.type == _SINK else int(current.i_offset)


def _lsb_per_unit(state: Any, source: CurrentSource, population: Any, cells: np.ndarray) -> np.ndarray:
    """CapMem LSB per unit of ``source``'s amplitude for ``cells`` of ``population``: 1 for
    LSB; for nA ``tau_m / cm / (0.25 mV offset_current_per_lsb)``, by each neuron's
    calibration (ParameterValueError for a neuron whose offset current is not calibrated)."""
    if source.unit == "LSB":
        return np.ones(len(cells))
    from .standardmodels.biological import UNITS

    atoms = np.asarray(population.atomic_neurons)[cells]
    per_lsb = np.asarray(state.calibration.result.neuron_result.offset_current_per_lsb, dtype=float)[atoms]
    bad = ~(np.isfinite(per_lsb) & (per_lsb > 0))
    if bad.any():
        k = int(np.argmax(bad))
        raise ParameterValueError(
            f"{source.describe_amplitude()}: cell {int(cells[k])} of population {population.label!r} (neuron "
            f"{int(atoms[k])}) has no calibrated offset current (its source did not move the membrane): it "
            "takes no current")
    parameters = population.hardware_parameters()
    nA_per_lsb = UNITS.offset_current_to_biological(1.0, parameters["tau_m"][cells], parameters["cm"][cells], per_lsb)
    return 1.0 / nA_per_lsb


def _range_error(sources: list[CurrentSource], factors: np.ndarray, baseline: int, total: float, t: float,
                 population: Any, cell: int, atom: int, unit: str) -> ParameterValueError:
    """The error of a cell whose summed current leaves the CapMem's range."""
    per_unit = float(factors[0]) if len(factors) else 1.0
    low, high = (-MAX_LSB - baseline) / per_unit, (MAX_LSB - baseline) / per_unit
    own = f" besides its own offset current of {baseline / per_unit:.3g} {unit}" if baseline else ""
    names = ", ".join(s.describe_amplitude() for s in sources)
    return ParameterValueError(
        f"current sources {names} give cell {cell} of population {population.label!r} (neuron {atom}) "
        f"{total / per_unit:.3g} {unit} at t = {t:g} ms; its offset current reaches {low:.3g}..{high:.3g} {unit}"
        f"{own} ({MAX_LSB} CapMem LSB, {1 / per_unit:.3g} {unit} per LSB)")


def plan(state: Any, plan_: Any, chip: lola.Chip, t_start: float, runtime: float) -> Injection | None:
    """The timed writes of a snippet from ``t_start`` lasting ``runtime`` [the user's ms] on the
    network ``plan_`` (a :class:`~pynn_frontend.mapping.NetworkPlan`): its current sources'
    (:func:`plan_sources`) and its cells' initial membrane potentials
    (:func:`pynn_frontend.initial_values.plan`); None without either."""
    injection = plan_sources(state, plan_, chip, t_start, runtime)
    start = initial_values.plan(state, plan_, chip, t_start, runtime)
    if start is None:
        return injection
    if injection is None:
        injection = Injection(stadls.AbsoluteTimePlaybackProgramBuilder(), stadls.PlaybackProgramBuilder())
    injection.pre_realtime.copy_back(start.pre_realtime)
    injection.realtime.copy_back(start.realtime)
    injection.writes += start.writes
    return injection


def plan_sources(state: Any, plan_: Any, chip: lola.Chip, t_start: float, runtime: float) -> Injection | None:
    """The current sources of a snippet from ``t_start`` lasting ``runtime`` [the user's ms]
    on the network ``plan_`` (a :class:`~pynn_frontend.mapping.NetworkPlan`): sets each fed
    cell's ``constant_current`` in ``chip`` to its value at the start and returns the timed
    writes of the changes (None without sources)."""
    sources = [s for s in getattr(state, "current_sources", []) if s.targets()]
    if not sources:
        return None
    from .mapping import ms_to_cycles

    dt, scale = float(state.dt), state.time_scale
    placed = {id(e.population) for e in plan_.entries if e.kind == "neurons"}
    k_begin = int(np.floor(t_start / dt + 1e-6))
    k_end = int(np.ceil((t_start + runtime) / dt - 1e-6))
    runtime_cycles = int(ms_to_cycles(runtime, scale))
    # per cell (population, index): its sources and their factors
    feeds: dict[tuple[int, int], tuple[Any, int, list[tuple[int, float]]]] = {}
    for s, source in enumerate(sources):
        for population, cells in source.targets():
            if id(population) not in placed:
                continue
            factors = _lsb_per_unit(state, source, population, cells)
            for cell, factor in zip(cells.tolist(), factors.tolist()):
                feeds.setdefault((id(population), cell), (population, cell, []))[2].append((s, factor))
    if not feeds:
        return None
    waves = {}
    for s in sorted({s for _, _, fs in feeds.values() for s, _ in fs}):
        waves[s] = sources[s].waveform(k_begin, max(k_end, k_begin + 1), dt, scale)
    neurons = chip.neuron_block.atomic_neurons
    # cells with the same sources share their change times: one matrix product per group
    groups: dict[tuple[int, ...], list[tuple[Any, int, np.ndarray]]] = {}
    for population, cell, fs in feeds.values():
        key = tuple(sorted({s for s, _ in fs}))
        factor = np.zeros(len(key))
        for s, f in fs:
            factor[key.index(s)] += f
        groups.setdefault(key, []).append((population, cell, factor))
    realtime = stadls.AbsoluteTimePlaybackProgramBuilder()
    restore = stadls.PlaybackProgramBuilder()
    times_written: list[np.ndarray] = []
    words_written: list[np.ndarray] = []
    for key, members in groups.items():
        ks = np.unique(np.concatenate([waves[s][0] for s in key]))
        values = np.stack([waves[s][1][np.searchsorted(waves[s][0], ks, side="right") - 1] for s in key])
        factors = np.stack([f for _, _, f in members])
        atoms = np.array([int(p.atomic_neurons[c]) for p, c, _ in members], dtype=np.int64)
        baseline = np.array([_signed(neurons[a].constant_current) for a in atoms.tolist()], dtype=float)
        total = baseline[:, None] + factors @ values                       # [cells, changes] in LSB
        lsb = np.rint(total).astype(np.int64)
        times = np.maximum(ks * dt, t_start)
        cycles = np.asarray(ms_to_cycles(times - t_start, scale), dtype=np.int64)
        cycles[0] = 0
        out = np.abs(lsb) > MAX_LSB
        if out.any():
            c, j = np.argwhere(out)[0]
            population, cell, _ = members[c]
            raise _range_error([sources[s] for s in key], factors[c], int(baseline[c]), float(total[c, j]),
                               float(times[j]), population, cell, int(atoms[c]), sources[key[0]].unit)
        inside = cycles < runtime_cycles
        inside[0] = True                   # the value at the start: the configuration
        lsb, cycles = lsb[:, inside], cycles[inside]
        for row, atom in zip(lsb, atoms.tolist()):
            t_row, n_row = _cell_writes(row, cycles, atom, neurons, realtime, restore)
            times_written.append(t_row)
            words_written.append(n_row)
    times = np.concatenate(times_written)
    injection = Injection(realtime, restore, int(np.concatenate(words_written).sum()) if len(times) else 0)
    _warn_lag(times, np.concatenate(words_written), dt, scale)
    return injection


def _cell_writes(row: np.ndarray, cycles: np.ndarray, atom: int, neurons: Any,
                 realtime: stadls.AbsoluteTimePlaybackProgramBuilder,
                 restore: stadls.PlaybackProgramBuilder) -> tuple[np.ndarray, np.ndarray]:
    """One cell's offset current over the snippet (``row`` [LSB, signed] from ``cycles`` on):
    the first value into its configuration, the changes as timed writes. Returns the writes'
    times and their number of words."""
    nonzero = row[row != 0]
    neuron = copy.deepcopy(neurons[atom])        # the chip's neurons may be shared between snippets
    kind = _SINK if (nonzero[0] < 0 if len(nonzero) else neuron.constant_current.type == _SINK) else _SOURCE
    neuron.constant_current = lola.AtomicNeuron.ConstantCurrent(enable=bool(len(nonzero)), i_offset=int(abs(row[0])),
                                                                type=kind)
    neurons[atom] = neuron
    change = np.flatnonzero(row[1:] != row[:-1]) + 1
    if not len(change):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    cell = halco.CapMemCellOnDLS.from_enum(int(_CELL_OF[atom]))
    config_coord = halco.NeuronConfigOnDLS.from_enum(int(_CONFIG_OF[atom]))
    config = neuron.as_neuron_config()
    sinking = kind == _SINK
    words = []
    for j in change.tolist():
        value = int(row[j])
        if value != 0 and (value < 0) != sinking:       # the direction turns: NeuronConfig too
            sinking = value < 0
            turned = copy.copy(config)
            turned.invert_membrane_offset = sinking
            realtime.write(int(cycles[j]), config_coord, turned)
            words.append(haldls.NeuronConfig.n_words + 1)
        else:
            words.append(1)
        realtime.write(int(cycles[j]), cell, haldls.CapMemCell(value=abs(value)))
    restore.write(cell, haldls.CapMemCell(value=int(abs(row[0]))))
    if any(w > 1 for w in words):
        restore.write(config_coord, config)
    return cycles[change], np.asarray(words, dtype=np.int64)


def _warn_lag(times: np.ndarray, words: np.ndarray, dt: float, scale: float) -> None:
    """Warn if the writes, one after the other on the bus, land much later than their times."""
    if not len(times):
        return
    order = np.argsort(times, kind="stable")
    t, cost = times[order], words[order] * WORD_WRITE_CYCLES
    before = np.concatenate([[0], np.cumsum(cost)[:-1]])
    landed = np.maximum.accumulate(t - before) + before
    lag = int((landed - t).max())
    if lag > LAG_WARNING_CYCLES:
        log.warning("current sources: %d CapMem writes in this run; the bus takes %d cycles (8 ns) per word, so "
                    "some land up to %.3g ms after their time (fewer cells changing at one time, or a coarser "
                    "waveform, avoid it)", len(t), WORD_WRITE_CYCLES, lag / 125e3 * scale)


def hooks(state: Any, snippet: Any) -> ExecutionInstanceHooks | None:
    """Grenade's hooks of a snippet: the user's ``injected_config`` with the snippet's timed
    writes of current sources."""
    injected = state.injected_config
    user = None if injected is None else injected.to_hooks()
    injection = getattr(snippet, "currents", None)
    if injection is None:
        return user
    return injection.hooks(user)


__all__ = ["Injection", "LAG_WARNING_CYCLES", "MAX_LSB", "WORD_WRITE_CYCLES", "hooks", "plan", "plan_sources"]
