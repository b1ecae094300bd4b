"""Calibrated cell types: neurons whose circuits calix calibrates to the population's
parameters when the network is mapped (``run`` or ``run(None, RunCommand.PREPARE)``).

- :class:`CalibHXNeuronCuba`: the real backend's calibrated LIF neuron with current-based
  synaptic inputs, parameters in hardware units (potentials in CADC LSB, times in us of
  hardware time). :class:`CalibHXNeuronCoba` (conductance-based inputs) has its parameters and
  defaults but cannot run yet: calix does not calibrate conductance-based inputs.
- The PyNN standard cell types of :mod:`pynn_frontend.standardmodels.biological` derive from
  :class:`CalibratedCellType` too, with biological units.

A calibrated cell type says what its cells' calibration targets are
(:meth:`CalibratedCellType.neuron_targets`: per cell the leak, reset and threshold potentials
[CADC LSB], the membrane and synaptic time constants and the refractory time [s]) and which
parameters the calibration takes once for the whole chip (:meth:`global_targets`); the backend
(:mod:`pynn_frontend.calibration`) calibrates all calibrated neurons of the network at once.
"""

from __future__ import annotations

from typing import Any, Sequence

import attrs
import numpy as np
from pyNN.standardmodels import build_translations

import calix
import lola
from calix.spiking.targets import GM_RANGES, RANGES
from ..errors import NotCalibratedError, ParameterValueError, UncalibratedParameterError
from .cells import _PLASTICITY_DEFAULTS, ANALOG_RECORDABLES, NeuronCellType


_UNITS = calix.BiologicalUnits()


@attrs.frozen
class Bound:
    """The values a parameter takes: ``low``..``high`` (inclusive) in ``unit``, whole numbers
    only if ``integer``; ``low_open``: ``low`` itself excluded."""

    low: float
    high: float
    unit: str
    integer: bool = False
    low_open: bool = False

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.low == -np.inf and self.high == np.inf:
            return f"finite values [{self.unit}]" if self.unit else "finite values"
        if self.low_open and self.high == np.inf:
            return f"> {self.low:g}{unit}"
        kind = " (whole numbers)" if self.integer else ""
        return f"{self.low:g}..{self.high:g}{unit}{kind}"


def check_bounded(name: str, values: Any, bound: Bound, cells: Sequence[int] | None = None) -> np.ndarray:
    """``values`` of parameter ``name`` as float64, or a ParameterValueError naming the
    parameter, the first bad value, its cell and what the chip reaches."""
    arr = np.asarray(values)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise ParameterValueError(f"{name} takes numbers ({bound.describe()}), not {arr.dtype} values")
    arr = arr.astype(np.float64)
    tolerance = 1e-9 * max(abs(bound.low), abs(bound.high) if np.isfinite(bound.high) else 0.0, 1.0)
    ok = np.isfinite(arr) & (arr <= bound.high + tolerance)
    ok &= (arr > bound.low) if bound.low_open else (arr >= bound.low - tolerance)
    if bound.integer:
        ok &= arr == np.round(arr)
    if not ok.all():
        bad = int(np.flatnonzero(~ok.ravel())[0])
        where = f" (cell {int(cells[bad])})" if cells is not None and arr.ndim and len(cells) == arr.size else ""
        unit = f" {bound.unit}" if bound.unit else ""
        raise ParameterValueError(f"{name} = {arr.ravel()[bad]:g}{unit}{where} cannot be reached on the chip: "
                                  f"the calibration reaches {bound.describe()}")
    return arr


def _within(value: float, bound: Bound) -> bool:
    """Whether ``value`` passes :func:`check_bounded` for ``bound``."""
    try:
        check_bounded("", np.array([value]), bound)
    except ParameterValueError:
        return False
    return True


class CalibratedCellType(NeuronCellType):
    """A cell type whose neurons calix calibrates (see the module's documentation).

    Subclasses give ``default_parameters``, ``bounds`` (parameter -> :class:`Bound`),
    ``uncalibrated`` (parameter -> the only value that runs until calix calibrates it) and
    :meth:`neuron_targets`; ``synaptic_inputs`` is ``"cuba"`` or ``"coba"`` (not calibrated
    yet: such populations are refused when the network is mapped)."""

    takes_initial_config = False
    synaptic_inputs = "cuba"
    #: parameter -> its values' range
    bounds: dict[str, Bound] = {}
    #: parameter -> (the only value that runs now, why)
    uncalibrated: dict[str, tuple[float, str]] = {}

    def __init__(self, plasticity_rule: Any = None, **parameters: Any) -> None:
        self.plasticity_rule = plasticity_rule
        self.check_raw_parameters(parameters)
        super().__init__(**parameters)
        self.given_parameters = frozenset(k for k, v in parameters.items() if v is not None)

    # -- values ------------------------------------------------------------------------------------
    def check_raw_parameters(self, parameters: dict[str, Any]) -> None:
        """Single numbers given to the constructor or ``set`` are checked at once (arrays,
        random distributions and functions per cell when they are evaluated)."""
        for name, value in parameters.items():
            if value is None or callable(value) or name not in self.default_parameters:
                continue
            try:
                arr = np.asarray(value)
            except Exception:      # a RandomDistribution, a lazy array: checked when evaluated
                continue
            if arr.ndim == 0 and arr.dtype.kind in "iufb":      # arrays: per cell when evaluated
                self.check_parameters({name: arr})

    def check_parameters(self, parameters: dict[str, np.ndarray], cells: Sequence[int] | None = None) -> dict:
        out = {}
        for name, values in parameters.items():
            if name in self.uncalibrated:
                value, why = self.uncalibrated[name]
                arr = np.asarray(values, dtype=float) if np.asarray(values).dtype.kind in "iuf" else None
                if arr is None or not np.all(arr == value):
                    shown = repr(np.asarray(values).ravel()[0]) if arr is None else f"{arr[arr != value].ravel()[0]:g}"
                    raise UncalibratedParameterError(
                        f"{name} = {shown}: {why}; only {name} = {value:g} runs on the chip now")
                out[name] = arr.astype(np.float64)
            elif name in self.bounds:
                out[name] = check_bounded(name, values, self.bounds[name], cells)
            else:
                out[name] = self.check_plasticity_parameter(name, values, cells)
        return out

    #: why calix cannot calibrate this cell type yet (None: it can)
    not_calibrated: str | None = None

    # -- synaptic inputs: their time constants are checked where a projection uses them -----------
    #: receptor type -> the parameter of its synaptic input's time constant. ``bounds`` only
    #: asks these to be positive; what the calibration reaches (:meth:`input_bound`) is checked
    #: when the network is mapped, for the cells some projection reaches through that input
    synaptic_time_constants: dict[str, str] = {"excitatory": "tau_syn_E", "inhibitory": "tau_syn_I"}
    #: parameter of :attr:`synaptic_time_constants` -> what the calibration reaches
    input_bounds: dict[str, Bound] = {}

    def input_bound(self, name: str) -> tuple[Bound, str]:
        """What the calibration reaches for the synaptic time constant ``name`` (in the
        parameter's unit), and a note for the error message ("" here)."""
        return self.input_bounds[name], ""

    def checked_inputs(self, parameters: dict[str, np.ndarray], used: dict[str, np.ndarray],
                       label: str) -> dict[str, np.ndarray]:
        """``parameters`` (native name -> one value per cell) with each synaptic input's time
        constant checked where it is used: ``used`` (receptor type -> per cell the label of the
        first projection that reaches the cell through that input, None where none does).

        A used input out of the calibration's reach raises ParameterValueError naming the
        population, the projection, the parameter, the value, the cell and the range. An unused
        input out of reach gets the nearest value in reach as its calibration target: no event
        ever arrives there, so the value has no effect (it only has to be one calix can
        calibrate); a value in reach is kept."""
        out = dict(parameters)
        for receptor, name in self.synaptic_time_constants.items():
            if name not in parameters or name not in self.input_bounds:
                continue
            bound, note = self.input_bound(name)
            values = np.asarray(parameters[name], dtype=np.float64)
            projections = used.get(receptor, np.full(values.shape, None, dtype=object))
            reached = np.array([p is not None for p in projections], dtype=bool)
            cells = np.flatnonzero(reached)
            try:
                check_bounded(name, values[cells], bound, cells)
            except ParameterValueError as err:
                bad = next(int(c) for c in cells if not _within(values[c], bound))
                raise ParameterValueError(
                    f"population {label!r}: {err}{note}; projection {projections[bad]!r} reaches that cell "
                    f"through its {receptor} input") from None
            out[name] = np.where(reached, values, np.clip(values, bound.low, bound.high))
        return out

    def check_runnable(self) -> None:
        """Raises :class:`~pynn_frontend.errors.NotCalibratedError` if calix cannot calibrate
        this cell type yet."""
        if self.not_calibrated is not None:
            raise NotCalibratedError(f"{type(self).__name__}: {self.not_calibrated}, so these neurons cannot run")

    # -- calibration ---------------------------------------------------------------------------------
    def neuron_targets(self, parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per cell (parameters: native name -> one value per cell) the calibration targets:
        ``leak``, ``reset``, ``threshold`` [CADC LSB], ``tau_mem``, ``refractory_time``,
        ``tau_syn_exc``, ``tau_syn_inh`` [s of hardware time], and for conductance-based inputs
        ``e_rev_exc``, ``e_rev_inh`` [CADC LSB]."""
        raise NotImplementedError

    def global_targets(self, parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per cell the values of the parameters the calibration takes once for the chip
        (name as the user writes it -> values); names this cell type has no say in are left
        out. See :data:`pynn_frontend.calibration.GLOBALS`."""
        return {}

    def configure_neurons(self, neurons: list[lola.AtomicNeuron], parameters: dict[str, np.ndarray],
                          result: Any, atoms: np.ndarray, label: str) -> None:
        """Set what the calibration leaves to the cell type on each cell's calibrated neuron
        (in place; ``result``: calix's ``NeuronCalibResult``, ``atoms``: the cells' circuits).
        Nothing here."""

    def atomic_neurons(self, parameters: dict[str, np.ndarray],
                       base: Sequence[lola.AtomicNeuron]) -> list[lola.AtomicNeuron]:
        raise NotImplementedError(f"{type(self).__name__}: the neurons come from the calibration "
                                  "(the population's actual_hwparams)")

    def initial_parameters(self, base: Sequence[lola.AtomicNeuron]) -> dict[str, np.ndarray]:
        return {}


def _hardware_bounds() -> dict[str, Bound]:
    """CalibHXNeuron's parameters: what calix's neuron calibration reaches (its feasible
    ranges), potentials in CADC LSB, times in us."""
    def lsb(field: str) -> Bound:
        return Bound(*RANGES[field][0], "CADC LSB")

    def us(field: str) -> Bound:
        low, high = RANGES[field][0]
        return Bound(low * 1e6, high * 1e6, "us")

    gm = Bound(*GM_RANGES[0], "CapMem LSB", integer=True)
    # the synaptic time constants' reach is checked where a projection uses the input
    # (CalibratedCellType.checked_inputs)
    positive = Bound(0.0, np.inf, "us", low_open=True)
    return {"v_rest": lsb("leak"), "v_reset": lsb("reset"), "v_thresh": lsb("threshold"),
            "tau_m": us("tau_mem"), "tau_syn_E": positive, "tau_syn_I": positive,
            "tau_refrac": us("refractory_time"), "cm": Bound(0, 63, "", integer=True),
            "i_synin_gm_E": gm, "i_synin_gm_I": gm,
            "synapse_dac_bias": Bound(30, 1022, "CapMem LSB", integer=True)}


class CalibHXNeuronCuba(CalibratedCellType):
    """A calibrated LIF neuron with current-based synaptic inputs (the real backend's
    ``CalibHXNeuronCuba``): calix calibrates each circuit to its cell's parameters when the
    network is mapped (cached on disk; about 20 s per new set of targets).

    Potentials are CADC LSB (the calibrated CADC's codes): ``v_rest``, ``v_reset``,
    ``v_thresh``; times are us of hardware time (= ms of biological time): ``tau_m``,
    ``tau_syn_E``, ``tau_syn_I``, ``tau_refrac``; ``cm`` is the membrane capacitance (0..63, 63
    about 2.2 pF). ``i_synin_gm_E``/``i_synin_gm_I`` (the synaptic inputs' strength every
    neuron is matched to: the median neuron's at this OTA bias [CapMem LSB]) and
    ``synapse_dac_bias`` [CapMem LSB] are global: every calibrated neuron of the network must
    have the same values (else ``run`` raises ``RuntimeError``); so must ``cm`` here (calix takes
    one membrane capacitance for all neurons).

    Differences from the real backend: ``v_thresh`` defaults to 140 (not 125: the emulated
    comparator reaches down to about 112 LSB, so calix's feasible range starts at 135); the
    ranges are calix's feasible ranges (values outside raise ``InvalidParameterValueError``;
    ``tau_syn_E``/``tau_syn_I`` only when the network is mapped and a projection uses that input:
    an unused input is calibrated to the nearest value in reach, which has no effect).
    ``synapse_dac_bias`` is, as in the real backend, calix's target: every quadrant's bias is
    calibrated from it so that the quadrants' synapses drive the same current."""

    default_parameters = {"v_rest": 80.0, "v_reset": 70.0, "v_thresh": 140.0, "tau_m": 10.0,
                          "tau_syn_E": 10.0, "tau_syn_I": 10.0, "cm": 63.0, "tau_refrac": 2.0,
                          "i_synin_gm_E": 500.0, "i_synin_gm_I": 500.0, "synapse_dac_bias": 600.0,
                          **_PLASTICITY_DEFAULTS}
    units = {**{name: "dimensionless" for name in default_parameters},
             **{name: "us" for name in ("tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac")},
             **{name: "dimensionless" for name in ANALOG_RECORDABLES}}
    translations = build_translations(*[(name, name) for name in default_parameters])
    default_initial_values: dict = {}
    bounds = _hardware_bounds()
    input_bounds = {name: Bound(RANGES["tau_syn"][0][0] * 1e6, RANGES["tau_syn"][0][1] * 1e6, "us")
                    for name in ("tau_syn_E", "tau_syn_I")}

    def neuron_targets(self, parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        # us of hardware time are ms of biological time: the same conversion as the standard
        # cell types', so that equal targets have equal bits (and share a cached calibration)
        seconds = _UNITS.time_to_hardware
        out = {"leak": parameters["v_rest"], "reset": parameters["v_reset"], "threshold": parameters["v_thresh"],
               "tau_mem": seconds(parameters["tau_m"]), "refractory_time": seconds(parameters["tau_refrac"]),
               "tau_syn_exc": seconds(parameters["tau_syn_E"]), "tau_syn_inh": seconds(parameters["tau_syn_I"])}
        if self.synaptic_inputs == "coba":
            out.update(e_rev_exc=parameters["e_rev_E"], e_rev_inh=parameters["e_rev_I"])
        return out

    def global_targets(self, parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {name: parameters[name] for name in ("i_synin_gm_E", "i_synin_gm_I", "synapse_dac_bias", "cm")}


class CalibHXNeuronCoba(CalibHXNeuronCuba):
    """The real backend's calibrated LIF neuron with conductance-based synaptic inputs:
    ``e_rev_E``/``e_rev_I`` are the reversal potentials [CADC LSB]; calix calibrates each
    input's reference (the middle of ``v_rest`` and ``v_thresh``) and modulation so that the
    current reverses there. calix makes an input conductance-based for all neurons or none: all
    calibrated cells of a network are conductance-based then (``RuntimeError`` otherwise)."""

    synaptic_inputs = "coba"
    conductance_based = True
    default_parameters = {**CalibHXNeuronCuba.default_parameters, "v_rest": 110.0, "v_reset": 100.0,
                          "v_thresh": 160.0, "i_synin_gm_E": 180.0, "i_synin_gm_I": 250.0,
                          "synapse_dac_bias": 400.0, "e_rev_E": 300.0, "e_rev_I": 30.0}
    units = {**CalibHXNeuronCuba.units, "e_rev_E": "dimensionless", "e_rev_I": "dimensionless"}
    translations = build_translations(*[(name, name) for name in default_parameters])
    # reversal potentials may lie beyond the CADC's codes (calix: feasible -300..600)
    bounds = {**CalibHXNeuronCuba.bounds, "e_rev_E": Bound(*RANGES["e_coba_reversal"][0], "CADC LSB"),
              "e_rev_I": Bound(*RANGES["e_coba_reversal"][0], "CADC LSB")}


__all__ = ["Bound", "CalibHXNeuronCoba", "CalibHXNeuronCuba", "CalibratedCellType", "check_bounded"]
