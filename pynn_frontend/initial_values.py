"""Initial membrane potentials (``initialize(v=...)``) through the run's first reset.

The chip cannot load a membrane potential, but grenade resets every neuron right before a
run's realtime section (``grenade.execution``: the neurons of every neuron view, then the
timer reset and time 0). For that first reset only, a cell given an initial value gets the
reset potential that is that value: its ``reset_v_reset`` CapMem cell is written before the
reset (grenade's ``pre_realtime`` hook) and the configured value is written back at time 0 of
the realtime section (a timed write through the ``inside_realtime`` hook, as
:mod:`pynn_frontend.current_injection` does for current sources), so that every later reset
(after a spike) goes to ``v_reset`` again. Cells without an initial value start from their
reset, as before; so do cells whose initial value is the cell type's default (PyNN's
``default_initial_values``: the chip's state then is its reset state).

Units of ``v``:

- ``HXNeuron`` (both modules): the CapMem value of ``reset_v_reset`` at the start, a whole
  number 0..1022, like the cell's ``reset_v_reset`` parameter (the real backend ignores
  ``initialize``; here it does what it says or raises).
- Calibrated cell types: the cell type's potential unit (CADC LSB for ``CalibHXNeuronCuba``,
  mV for PyNN's standard cell types in :mod:`pynn_frontend.biological`, through
  ``calix.BiologicalUnits``). The calibration gives each neuron one point of its reset
  potential's transfer: the CapMem value ``c0`` calix found for the reset target ``t0`` [CADC
  LSB]. Another potential ``x`` [CADC LSB] gets ``c0 + (x - t0) k`` CapMem LSB, rounded, with
  ``k`` the nominal CapMem LSB per calibrated CADC LSB: the calibrated CADC's volts per LSB
  (its ``dynamic_range`` of the 2 mV reference read as ``read_range``: 4.8 mV by default)
  over the reset potential's nominal 0.85 V per 1022 CapMem LSB (:data:`RESET_VOLTS_PER_LSB`),
  about 5.8 CapMem LSB per CADC LSB. Accuracy against the emulator's ground truth (the true
  reset potential each neuron gets, read by its own CADC channel without noise; chip 0, 128
  IF_curr_exp neurons at initial values -85..-48 mV, ``v_reset`` -65 mV): s.d. 0.47 CADC LSB
  (0.12 mV), at most 2.2 LSB (0.55 mV). That is the calibration's own error of ``v_reset``
  (s.d. 0.48, at most 2.1 LSB); the initial value adds at most 0.13 LSB (0.03 mV): its
  rounding to whole CapMem LSB (0.09 LSB) and what the nominal slope misses (0.05 % of
  ``x - v_reset`` on chip 0: the emulated reset cell has the nominal slope and each neuron its
  own offset, and the calibrated CADC's slope is close to nominal). On a real chip the reset
  cell's slope varies too: each 1 % of slope error adds 1 % of ``x - v_reset``.

Reach: a CapMem cell holds 0..1022. At ``initialize`` a calibrated cell's value is checked
against the reset potential's nominal reach (0.15..1.0 V, by the calibrated CADC's nominal
transfer: about 22..199 CADC LSB, -89.5..-45.2 mV); each neuron's own reach (by its
calibration: its reset cell's offset, s.d. about 1 mV) is checked when the network is mapped
(``run``). Both raise ``InvalidParameterValueError`` naming the cell and the reachable range.

When: at every run that starts at t = 0 (the first run, and each run after ``reset()``), and
at the first run after an ``initialize`` made at t > 0 (:mod:`pynn_frontend.biological`'s
continued runs). The membrane evolves from its reset until time 0 for the bus words that
come before it (4 FPGA cycles, 32 ns per word: about one word per reset neuron), as it does
from ``v_reset`` without an initial value. The restoring writes take the bus at time 0, one
word (32 ns) per initialized cell: input spikes and commands of the first ``32 ns x cells``
arrive that much later (a warning says so above 1 us). A cell that fires before its write
(an initial value above its threshold) resets to its initial value once.

On a real chip a CapMem cell needs time to settle after a write; the emulated CapMem drives a
written value at once (emulator/MODEL.md), so no wait is placed between the write and the
reset.
"""

from __future__ import annotations

import logging
from typing import Any

import attrs
import numpy as np

import calix
import halco
import haldls
import stadls
from .errors import InitialValueError, ParameterValueError
from .standardmodels.calibrated import CalibratedCellType
from .standardmodels.cells import HXNeuron

log = logging.getLogger(__name__)

#: the largest value of a CapMem cell (1023 is DisableRefresh, not a value)
MAX_CAPMEM = 1022
#: the reset potential's nominal transfer: ``RESET_VOLTS[0] + RESET_VOLTS_PER_LSB x`` [V] for
#: CapMem value x (the chip's design values, emulator/MODEL.md "Potentials from the CapMem")
RESET_VOLTS = (0.15, 1.00)
RESET_VOLTS_PER_LSB = (RESET_VOLTS[1] - RESET_VOLTS[0]) / MAX_CAPMEM
#: the CADC calibration's reference voltage per CapMem LSB [V] (``stp_v_charge_0``)
REFERENCE_VOLTS_PER_LSB = 2e-3
#: FPGA cycles one word write takes on the chip bus, and the restoring writes' lag that warns
WORD_WRITE_CYCLES = 4
LAG_WARNING_CYCLES = 125
_RESET_ROW = halco.CAPMEM_ROW_NAMES["v_reset"]
_CELL_OF = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemCellOnDLS)[:, _RESET_ROW]


@attrs.define
class InitialWrites:
    """The writes of a snippet's initial values: ``pre_realtime`` (the initial reset
    potentials, before the run's reset of the neurons) and ``realtime`` (the configured ones
    back, at time 0); ``writes``: the number of timed word writes."""

    pre_realtime: stadls.PlaybackProgramBuilder
    realtime: stadls.AbsoluteTimePlaybackProgramBuilder
    writes: int


def _kind(celltype: Any) -> str | None:
    """"capmem" (HXNeuron: v is a CapMem value), "calibrated" (v in the cell type's potential
    unit) or None (initial values cannot be set)."""
    if isinstance(celltype, CalibratedCellType):
        return "calibrated"
    if isinstance(celltype, HXNeuron):
        return "capmem"
    return None


def _biological(celltype: Any) -> bool:
    return bool(getattr(celltype, "biological_weights", False))


def _unit(celltype: Any) -> str:
    kind = _kind(celltype)
    if kind == "capmem":
        return "CapMem LSB"
    return "mV" if _biological(celltype) else "CADC LSB"


def _to_lsb(celltype: Any, values: np.ndarray) -> np.ndarray:
    """A calibrated cell type's potentials -> CADC LSB."""
    if _biological(celltype):
        from .standardmodels.biological import UNITS
        return np.asarray(UNITS.potential_to_hardware(values), dtype=float)
    return np.asarray(values, dtype=float)


def _from_lsb(celltype: Any, lsb: np.ndarray) -> np.ndarray:
    """CADC LSB -> a calibrated cell type's potentials."""
    if _biological(celltype):
        from .standardmodels.biological import UNITS
        return np.asarray(UNITS.potential_to_biological(lsb), dtype=float)
    return np.asarray(lsb, dtype=float)


def cadc_volts_per_lsb(cadc_target: Any) -> tuple[float, float]:
    """(volts at CADC LSB 0, volts per LSB) of the CADC calibrated to ``cadc_target`` (a
    ``calix.CADCCalibTarget``): its reference's ``dynamic_range`` read as ``read_range``."""
    (v_low, v_high) = np.asarray(cadc_target.dynamic_range, dtype=float) * REFERENCE_VOLTS_PER_LSB
    c_low, c_high = (float(c) for c in cadc_target.read_range)
    per_lsb = (v_high - v_low) / (c_high - c_low)
    return v_low - c_low * per_lsb, per_lsb


def capmem_per_lsb(cadc_target: Any) -> float:
    """Nominal CapMem LSB of the reset potential per calibrated CADC LSB."""
    return cadc_volts_per_lsb(cadc_target)[1] / RESET_VOLTS_PER_LSB


def nominal_reach(celltype: Any, cadc_target: Any) -> tuple[float, float]:
    """The potentials [the cell type's unit] the reset reaches nominally (CapMem 0..1022)."""
    if _kind(celltype) == "capmem":
        return 0.0, float(MAX_CAPMEM)
    zero, per_lsb = cadc_volts_per_lsb(cadc_target)
    lsb = (np.asarray(RESET_VOLTS) - zero) / per_lsb
    low, high = _from_lsb(celltype, lsb)
    return float(low), float(high)


def _cadc_target(state: Any) -> Any:
    """The CADC target the next calibration uses (the injected one, or calix's default)."""
    injected = getattr(state, "injected_calib_target", None)
    return injected.cadc_target if injected is not None else calix.CADCCalibTarget()


def _cell_name(root: Any, cell: int) -> str:
    return f"cell {cell} (ID {int(root.all_cells[cell])}) of population {root.label!r}"


def store(view: Any, variable: str, initial_values: Any) -> None:
    """``initialize(variable=initial_values)`` on ``view`` (a population or a view of one):
    checks the values and keeps the initial potentials in the population
    (``_initial_v``: one per cell, NaN where the cell starts from its reset).

    InitialValueError for a variable the chip cannot set (its name and what can be set);
    InvalidParameterValueError for a potential the reset cannot reach (the cell and the
    range)."""
    root = view._root()
    celltype = root.celltype
    kind = _kind(celltype)
    name = type(celltype).__name__
    if kind is None:
        raise InitialValueError(f"initialize({variable}=...): {name} cells start from their reset at the beginning "
                                "of each run; their state cannot be set (initial membrane potentials: HXNeuron and "
                                "the calibrated cell types)")
    if getattr(root, "_default_initialization", False):
        return                 # the cell type's defaults: the chip starts from its reset state
    cells = view._cells()
    values = np.asarray(initial_values.evaluate(simplify=False), dtype=float).reshape(-1)
    if values.size == 1 and len(cells) != 1:
        values = np.full(len(cells), float(values[0]))
    if variable != "v":
        _check_zero_state(root, cells, variable, values, kind, name)
        return
    unit = _unit(celltype)
    bad = ~np.isfinite(values)
    if kind == "capmem":
        bad |= values != np.rint(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "a whole number of CapMem LSB (the reset potential's CapMem value at the start)" \
            if kind == "capmem" else f"a finite potential [{unit}]"
        raise ParameterValueError(f"initialize(v={values[i]!r}): {_cell_name(root, int(cells[i]))}: v is {what}")
    low, high = nominal_reach(celltype, _cadc_target(root._simulator.state))
    out = (values < low) | (values > high)
    if out.any():
        i = int(np.flatnonzero(out)[0])
        how = "a CapMem cell holds" if kind == "capmem" else \
            "the reset potential reaches (nominally; each neuron's own reach is checked at run)"
        raise ParameterValueError(f"initialize(v={values[i]:g} {unit}): {_cell_name(root, int(cells[i]))} cannot start "
                                  f"there: {how} {low:.4g}..{high:.4g} {unit}")
    stored = getattr(root, "_initial_v", None)
    if stored is None:
        stored = np.full(root.size, np.nan)
    stored[cells] = values
    root._initial_v = stored
    root._initial_pending = True


def _check_zero_state(root: Any, cells: np.ndarray, variable: str, values: np.ndarray, kind: str,
                      name: str) -> None:
    """Variables other than v: those of the cell type start from 0 (synaptic currents and
    conductances, adaptation), any other value raises InitialValueError."""
    celltype = root.celltype
    if kind == "capmem" or variable not in celltype.default_initial_values:
        settable = "v" if kind == "capmem" else ", ".join(celltype.default_initial_values) or "v"
        raise InitialValueError(f"initialize({variable}=...): {name} has no state variable {variable!r} (its initial "
                                f"values: {settable})")
    wrong = ~np.isclose(values, 0.0, rtol=0, atol=1e-9)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise InitialValueError(f"initialize({variable}={values[i]:g}) ({_cell_name(root, int(cells[i]))}): the chip "
                                f"starts every run with {variable} = 0 (it cannot set synaptic currents, conductances "
                                "or adaptation); only v can be set")


def reset_capmem(state: Any, population: Any, cells: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The CapMem values of ``reset_v_reset`` that give ``cells`` (indices in ``population``)
    the initial potentials ``values`` [the cell type's unit], or InvalidParameterValueError
    naming the first cell whose reset cannot reach its value and its own reach."""
    celltype = population.celltype
    if _kind(celltype) == "capmem":
        return np.rint(values).astype(np.int64)
    calibration = state.calibration
    atoms = np.asarray(population.atomic_neurons, dtype=np.int64)[cells]
    t0 = np.asarray(calibration.result.target.neuron_target.per_neuron("reset"), dtype=float)[atoms]
    hwparams = population._calibration.hwparams
    c0 = np.array([float(hwparams[c].reset.v_reset) for c in cells.tolist()])
    k = capmem_per_lsb(calibration.result.target.cadc_target)
    capmem = np.rint(c0 + (_to_lsb(celltype, values) - t0) * k)
    out = (capmem < 0) | (capmem > MAX_CAPMEM)
    if out.any():
        i = int(np.flatnonzero(out)[0])
        low, high = _from_lsb(celltype, t0[i] + (np.array([0.0, MAX_CAPMEM]) - c0[i]) / k)
        unit = _unit(celltype)
        raise ParameterValueError(
            f"initialize(v={values[i]:g} {unit}): {_cell_name(population, int(cells[i]))} (neuron {int(atoms[i])}) "
            f"cannot start there: its calibrated reset reaches {low:.4g}..{high:.4g} {unit}")
    return capmem.astype(np.int64)


def plan(state: Any, plan_: Any, chip: Any, t_start: float, runtime: float) -> InitialWrites | None:
    """The writes of the initial values of a snippet from ``t_start`` lasting ``runtime`` [the
    user's ms] on the network ``plan_`` with the configuration ``chip`` (not changed): None if
    no placed cell starts from an initial value other than its reset (or the snippet is too
    short to run: its values wait for the next one)."""
    from .mapping import ms_to_cycles

    if int(ms_to_cycles(runtime, state.time_scale)) <= 0:
        return None
    enums: list[np.ndarray] = []
    initial: list[np.ndarray] = []
    configured: list[np.ndarray] = []
    applied = []
    neurons = chip.neuron_block.atomic_neurons
    for entry in plan_.entries:
        population = entry.population
        stored = getattr(population, "_initial_v", None)
        if entry.kind != "neurons" or stored is None:
            continue
        if t_start != 0.0 and not population._initial_pending:
            continue
        applied.append(population)
        cells = np.flatnonzero(~np.isnan(stored))
        capmem = reset_capmem(state, population, cells, stored[cells])
        atoms = np.asarray(population.atomic_neurons, dtype=np.int64)[cells]
        now = np.array([int(neurons[a].reset.v_reset) for a in atoms.tolist()], dtype=np.int64)
        differ = capmem != now
        enums.append(_CELL_OF[atoms[differ]])
        initial.append(capmem[differ])
        configured.append(now[differ])
    for population in applied:
        population._initial_pending = False
    if not enums or not sum(len(e) for e in enums):
        return None
    enums_, initial_, configured_ = np.concatenate(enums), np.concatenate(initial), np.concatenate(configured)
    pre = stadls.PlaybackProgramBuilder()
    pre.write_array(haldls.CapMemCell, enums_, haldls.CapMemCell.encode_array(len(enums_), value=initial_))
    realtime = stadls.AbsoluteTimePlaybackProgramBuilder()
    for enum, value in zip(enums_.tolist(), configured_.tolist()):
        realtime.write(0, halco.CapMemCellOnDLS.from_enum(enum), haldls.CapMemCell(value=value))
    lag = len(enums_) * WORD_WRITE_CYCLES
    if lag > LAG_WARNING_CYCLES:
        log.warning("initial values: %d reset potentials are written back at the start of the run, one bus word "
                    "(%d FPGA cycles) each: input spikes and commands of its first %.3g ms arrive up to that much "
                    "later", len(enums_), WORD_WRITE_CYCLES, lag / 125e3 * state.time_scale)
    return InitialWrites(pre, realtime, len(enums_))


__all__ = ["InitialWrites", "MAX_CAPMEM", "RESET_VOLTS", "RESET_VOLTS_PER_LSB", "capmem_per_lsb",
           "cadc_volts_per_lsb", "nominal_reach", "plan", "reset_capmem", "store"]
