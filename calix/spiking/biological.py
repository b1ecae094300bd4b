"""Biological units for the spiking calibration: the translation between a model's parameters
as a modeler writes them (PyNN's names and units: mV, ms, nF, nA) and calix's targets (CADC
LSB, seconds of hardware time, CapMem LSB). Beyond the real stack, where calix takes only
hardware units; seed 001 section 2.3.4 plans this for PyNN's standard cell types.

- **Time**: the chip runs ``speedup`` (1000) times faster than biology: a biological
  millisecond is a hardware microsecond. ``tau_m``, ``tau_syn_E``/``tau_syn_I`` and
  ``tau_refrac`` translate so.
- **Potential**: an affine map, ``v [mV] = v_offset + mv_per_lsb * lsb`` (default: CADC LSB 0
  is -95 mV, 4 LSB per mV, so the CADC's 0..255 spans -95..-31 mV). The membrane's dynamics
  are the same at any voltage scale as long as every potential (and a weight's effect on the
  membrane) scales alike. ``v_rest``, ``v_reset`` and ``v_thresh`` translate so.
- **Capacitance**: the chip's membrane capacitance is a free choice (the largest by default,
  for the least noise): a biological ``cm`` enters only the translation of weights and
  currents, it is not a CapMem value.
- **Weights** (current-based): one event of weight ``w`` [nA] onto a synaptic current decaying
  with ``tau_syn`` integrates ``w tau_syn / cm`` [mV] on the membrane (nA ms / nF = mV); on the
  chip one event through a synapse of weight 1 integrates the calibration's
  ``charge_per_weight`` [CADC LSB] (:class:`~calix.spiking.results.NeuronCalibResult`), so
  ``w`` is ``w tau_syn / cm / (mv_per_lsb charge_per_weight)`` weight LSB. The time scale
  cancels (both the area and the time constant scale with it).

- **Reversal potentials** ``e_rev_E``/``e_rev_I`` translate as potentials (they may lie
  outside the CADC's range); the reference of the conductance-based inputs, where they are the
  current-based ones, defaults to the middle of leak and threshold (calix's). A
  conductance-based weight ``w`` [uS] is the current-based ``w |E - V_ref|`` [nA]: on the chip
  the current is the current-based one times ``(E - V) / (E - V_ref)``, a conductance.

Limits: the translation is linear; the chip's synaptic input saturates (its OTA), so a single
synapse of weight 63 integrates about 20 % less than 63 of weight 1, and the conductance-based
current does not turn around beyond the reversal potential; weights are integers 0..63 per
synapse (PyNN's rounding rules apply above this layer).

- **Offset currents** ``i_offset`` [nA] move the rest by ``i_offset tau_m / cm`` [mV]; the
  calibration measured how far one CapMem LSB of source current moves each neuron
  (``offset_current_per_lsb``), so every neuron gets its own ``i_offset`` CapMem value (a
  sink for negative currents).

Every value is checked against the feasible range calix's targets have
(:data:`~calix.spiking.targets.RANGES`), translated: an error names the biological
parameter, its value and the range the chip reaches.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from ..errors import TargetError
from .targets import RANGES, NeuronCalibTarget

#: PyNN parameter -> (calix target field, kind of quantity, unit in biology)
PARAMETERS = {
    "v_rest": ("leak", "potential", "mV"),
    "v_reset": ("reset", "potential", "mV"),
    "v_thresh": ("threshold", "potential", "mV"),
    "tau_m": ("tau_mem", "time", "ms"),
    "tau_refrac": ("refractory_time", "time", "ms"),
    "tau_syn_E": ("tau_syn", "time", "ms"),
    "tau_syn_I": ("tau_syn", "time", "ms"),
    "e_rev_E": ("e_coba_reversal", "potential", "mV"),
    "e_rev_I": ("e_coba_reversal", "potential", "mV"),
}
#: AdEx (PyNN's EIF cell types): given ``delta_T``, ``v_thresh`` is the exponential's
#: threshold V_T (the calibration's ``exponential_onset`` is the rheobase V_T - delta_T) and
#: ``v_spike`` the spike detection (the threshold comparator); ``a`` [nS] and ``b`` [nA] are
#: relative to the leak conductance ``cm / tau_m`` (so they need ``cm``), ``tau_w`` [ms]
ADEX = ("delta_T", "v_spike", "a", "b", "tau_w")
#: the exponential's slope of the chip [CADC LSB]: its circuit's (nominally 20 mV on the
#: emulated chip, over about 4.8 mV per calibrated CADC LSB); ``delta_T`` must lie within
#: ``DELTA_T_TOLERANCE`` of it
CHIP_DELTA_T_LSB = 4.2
DELTA_T_TOLERANCE = 0.3
#: the parameters with one value per input: PyNN name -> input (0 excitatory, 1 inhibitory)
INPUT_OF = {"tau_syn_E": 0, "tau_syn_I": 1, "e_rev_E": 0, "e_rev_I": 1}
#: the synaptic input of each receptor type
RECEPTORS = {"excitatory": 0, "inhibitory": 1}


def _values(name: str, value: Any, unit: str) -> np.ndarray:
    """``value`` as one float or 512, else a TargetError naming ``name``."""
    arr = np.asarray(value, dtype=float) if np.asarray(value).dtype.kind in "iuf" else None
    if arr is None or arr.shape not in ((), (512,)):
        raise TargetError(f"{name} must be a number or 512 numbers ({unit}), not {value!r}")
    return arr


def _reachable(name: str, arr: np.ndarray, lo: float, hi: float, unit: str, why: str = "") -> None:
    """A TargetError naming ``name``, its value (and neuron) and the reachable range."""
    bad = ~((arr >= lo - 1e-9 * abs(lo)) & (arr <= hi + 1e-9 * abs(hi)))
    if bad.any():
        where = f" (neuron {int(np.argmax(bad))})" if arr.ndim else ""
        value = float(arr[np.argmax(bad)] if arr.ndim else arr)
        raise TargetError(f"{name} = {value:g} {unit}{where} cannot be reached on the chip: "
                          + (why or f"the calibration reaches {lo:g}..{hi:g} {unit}"))


def _positive(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) \
            or value <= 0:
        raise TargetError(f"BiologicalUnits.{attribute.name} must be a positive number, not {value!r}")


def _finite(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise TargetError(f"BiologicalUnits.{attribute.name} must be a finite number, not {value!r}")


@attrs.frozen
class BiologicalUnits:
    """The translation between biological and calix units (module docstring): ``speedup``
    (hardware time is biological time / speedup), ``v_offset`` [mV] (the potential of CADC
    LSB 0) and ``mv_per_lsb`` [mV per CADC LSB]."""

    speedup: float = attrs.field(default=1000.0, validator=_positive)
    v_offset: float = attrs.field(default=-95.0, validator=_finite)
    mv_per_lsb: float = attrs.field(default=0.25, validator=_positive)

    # -- single quantities --------------------------------------------------------------------
    def time_to_hardware(self, ms: Any) -> np.ndarray:
        """Biological milliseconds -> hardware seconds."""
        return np.asarray(ms, dtype=float) * 1e-3 / self.speedup

    def time_to_biological(self, seconds: Any) -> np.ndarray:
        """Hardware seconds -> biological milliseconds."""
        return np.asarray(seconds, dtype=float) * self.speedup * 1e3

    def potential_to_hardware(self, mv: Any) -> np.ndarray:
        """Biological millivolts -> CADC LSB (unrounded: calix's targets take fractions)."""
        return (np.asarray(mv, dtype=float) - self.v_offset) / self.mv_per_lsb

    def potential_to_biological(self, lsb: Any) -> np.ndarray:
        """CADC LSB -> biological millivolts."""
        return self.v_offset + np.asarray(lsb, dtype=float) * self.mv_per_lsb

    def _to_hardware(self, kind: str, value: Any) -> np.ndarray:
        return self.time_to_hardware(value) if kind == "time" else self.potential_to_hardware(value)

    def _to_biological(self, kind: str, value: Any) -> np.ndarray:
        return self.time_to_biological(value) if kind == "time" else self.potential_to_biological(value)

    # -- parameters and targets ---------------------------------------------------------------
    def feasible_ranges(self) -> dict[str, tuple[float, float, str]]:
        """PyNN parameter -> (lowest, highest, unit) the calibration reaches, in biology."""
        out = {}
        for name, (field, kind, unit) in PARAMETERS.items():
            (lo, hi), _, _ = RANGES[field]
            a, b = self._to_biological(kind, lo), self._to_biological(kind, hi)
            out[name] = (float(min(a, b)), float(max(a, b)), unit)
        return out

    def to_target(self, parameters: dict[str, Any], membrane_capacitance: int = 63,
                  cuba_synin: Any = None) -> NeuronCalibTarget:
        """A :class:`NeuronCalibTarget` from biological ``parameters`` (PyNN names of
        :data:`PARAMETERS`: one value or one per neuron, 512). Parameters not given keep the
        target's defaults; a value the chip cannot reach raises :class:`TargetError` naming
        it and the feasible range."""
        parameters = dict(parameters)
        adex = self.adex_targets(parameters) if "delta_T" in parameters else {}
        allowed = set(PARAMETERS) | ({"cm"} if adex else set())
        unknown = sorted(set(parameters) - allowed)
        if unknown:
            raise TargetError(f"no calix target for the biological parameter(s) {unknown}; "
                              f"translated are {sorted(PARAMETERS)}, and with delta_T (AdEx) "
                              f"{sorted(ADEX)} and cm")
        parameters.pop("cm", None)
        ranges = self.feasible_ranges()
        fields: dict[str, Any] = dict(adex)
        per_input: dict[str, np.ndarray] = {}
        for name, value in parameters.items():
            field, kind, unit = PARAMETERS[name]
            arr = _values(name, value, unit)
            lo, hi, _ = ranges[name]
            _reachable(name, arr, lo, hi, unit)
            hardware = np.clip(self._to_hardware(kind, arr), *sorted(RANGES[field][0]))
            if name in INPUT_OF:
                if field not in per_input:
                    per_input[field] = NeuronCalibTarget().per_neuron(field)
                per_input[field][INPUT_OF[name]] = hardware
            else:
                fields[field] = hardware
        fields.update(per_input)
        if cuba_synin is not None:
            fields["cuba_synin"] = cuba_synin
        return NeuronCalibTarget(membrane_capacitance=membrane_capacitance, **fields)

    def from_target(self, target: NeuronCalibTarget, cm: Any = None) -> dict[str, np.ndarray]:
        """The biological parameters of ``target`` (each 512 values); an AdEx target's ``a``
        and ``b`` need the model's ``cm`` [nF]."""
        if not isinstance(target, NeuronCalibTarget):
            raise TargetError(f"from_target takes a calix.NeuronCalibTarget, not {type(target).__name__}")
        out = {}
        for name, (field, kind, _) in PARAMETERS.items():
            value = target.per_neuron(field)
            if name in INPUT_OF:
                value = value[INPUT_OF[name]]
                if np.isnan(value).all():       # a current-based input has no reversal
                    continue
            out[name] = self._to_biological(kind, value)
        adex = target.adex()
        if adex:
            out["delta_T"] = np.full(512, self.chip_delta_t())
            if "exponential_onset" in adex:
                out["v_spike"] = out["v_thresh"]
                out["v_thresh"] = self.potential_to_biological(adex["exponential_onset"]) + out["delta_T"]
            if "adaptation_tau" in adex:
                out["tau_w"] = self.time_to_biological(adex["adaptation_tau"])
            g_leak = None if cm is None else np.asarray(cm, dtype=float) / out["tau_m"] * 1e3   # nS
            if g_leak is not None and "adaptation_a" in adex:
                out["a"] = adex["adaptation_a"] * g_leak
            if g_leak is not None and "adaptation_b" in adex:
                out["b"] = adex["adaptation_b"] * self.mv_per_lsb * g_leak * 1e-3
        return out

    def chip_delta_t(self) -> float:
        """The chip's exponential slope [mV]."""
        return CHIP_DELTA_T_LSB * self.mv_per_lsb

    def adex_targets(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """The AdEx targets (NeuronCalibTarget fields) of biological ``parameters`` with
        ``delta_T`` (:data:`ADEX`; ``a`` and ``b`` need ``cm`` and ``tau_m``), which are taken
        out of the dict; ``v_spike`` is put back as ``v_thresh`` (the LIF threshold). A value the
        chip cannot reach raises :class:`TargetError` naming it and the reachable range."""
        fields: dict[str, Any] = {}
        delta_t = _values("delta_T", parameters.pop("delta_T"), "mV")
        chip = self.chip_delta_t()
        _reachable("delta_T", delta_t, chip * (1 - DELTA_T_TOLERANCE), chip * (1 + DELTA_T_TOLERANCE),
                   "mV", why=f"the chip's exponential slope is {chip:.3g} mV (its circuit's; within "
                             f"{DELTA_T_TOLERANCE:.0%})")
        if "v_thresh" in parameters:
            onset = _values("v_thresh", parameters.pop("v_thresh"), "mV") - delta_t
            (lo, hi), _, _ = RANGES["exponential_onset"]
            _reachable("v_thresh", onset + delta_t, float(self.potential_to_biological(lo) + chip),
                       float(self.potential_to_biological(hi) + chip), "mV")
            fields["exponential_onset"] = self.potential_to_hardware(onset)
        if "v_spike" in parameters:
            # the spike detection is the LIF threshold's comparator
            parameters["v_thresh"] = parameters.pop("v_spike")
        if "tau_w" in parameters:
            tau_w = _values("tau_w", parameters.pop("tau_w"), "ms")
            (lo, hi), _, _ = RANGES["adaptation_tau"]
            _reachable("tau_w", tau_w, float(self.time_to_biological(lo)), float(self.time_to_biological(hi)), "ms")
            fields["adaptation_tau"] = self.time_to_hardware(tau_w)
        if "a" in parameters or "b" in parameters:
            if "cm" not in parameters or "tau_m" not in parameters:
                raise TargetError("a and b need cm [nF] and tau_m [ms]: they are relative to the "
                                  "leak conductance cm / tau_m")
            g_leak = _values("cm", parameters["cm"], "nF") / _values("tau_m", parameters["tau_m"], "ms") * 1e3
            if "a" in parameters:
                ratio = _values("a", parameters.pop("a"), "nS") / g_leak
                (lo, hi), _, _ = RANGES["adaptation_a"]
                _reachable("a", ratio * g_leak, lo * float(np.min(g_leak)), hi * float(np.max(g_leak)), "nS")
                fields["adaptation_a"] = ratio
            if "b" in parameters:
                lsb = _values("b", parameters.pop("b"), "nA") / (g_leak * 1e-3) / self.mv_per_lsb
                (lo, hi), _, _ = RANGES["adaptation_b"]
                scale = self.mv_per_lsb * 1e-3
                _reachable("b", lsb * g_leak * scale, lo * scale * float(np.min(g_leak)),
                           hi * scale * float(np.max(g_leak)), "nA")
                fields["adaptation_b"] = lsb
        return fields

    # -- weights ------------------------------------------------------------------------------
    def weight_to_hardware(self, weight: Any, tau_syn: Any, cm: Any, charge_per_weight: float) -> np.ndarray:
        """Current-based weights [nA] (>= 0; the receptor type gives the sign) of synapses onto
        neurons with ``tau_syn`` [ms] and ``cm`` [nF] -> weight LSB (unrounded), given the
        calibration's ``charge_per_weight`` [CADC LSB] of that receptor type."""
        weight, tau_syn, cm = (np.asarray(x, dtype=float) for x in (weight, tau_syn, cm))
        self._check_weight_inputs(weight, "weight [nA]", tau_syn, cm, charge_per_weight)
        return weight * tau_syn / cm / (self.mv_per_lsb * charge_per_weight)

    def weight_to_biological(self, weight: Any, tau_syn: Any, cm: Any, charge_per_weight: float) -> np.ndarray:
        """Weight LSB -> current-based weights [nA] (the inverse of :meth:`weight_to_hardware`)."""
        weight, tau_syn, cm = (np.asarray(x, dtype=float) for x in (weight, tau_syn, cm))
        self._check_weight_inputs(weight, "weight [LSB]", tau_syn, cm, charge_per_weight)
        return weight * self.mv_per_lsb * charge_per_weight * cm / tau_syn

    def conductance_to_hardware(self, weight: Any, e_rev: Any, reference: Any, tau_syn: Any, cm: Any,
                                charge_per_weight: float) -> np.ndarray:
        """Conductance-based weights [uS] (>= 0) onto neurons whose input has reversal
        potential ``e_rev`` [mV] and (calibrated) reference ``reference`` [mV] -> weight LSB.
        Exact, not an approximation at one potential: the chip's conductance-based current is
        the current-based one times ``(E - V) / (E - V_ref)``, a conductance of the
        current-based current over ``E - V_ref``."""
        drive = np.abs(np.asarray(e_rev, dtype=float) - np.asarray(reference, dtype=float))
        if np.any(drive <= 0):
            raise TargetError("e_rev must differ from the reference potential")
        return self.weight_to_hardware(np.asarray(weight, dtype=float) * drive, tau_syn, cm, charge_per_weight)

    def conductance_to_biological(self, weight: Any, e_rev: Any, reference: Any, tau_syn: Any, cm: Any,
                                  charge_per_weight: float) -> np.ndarray:
        """Weight LSB -> conductance-based weights [uS] (the inverse of
        :meth:`conductance_to_hardware`)."""
        drive = np.abs(np.asarray(e_rev, dtype=float) - np.asarray(reference, dtype=float))
        if np.any(drive <= 0):
            raise TargetError("e_rev must differ from the reference potential")
        return self.weight_to_biological(weight, tau_syn, cm, charge_per_weight) / drive

    def offset_current_to_hardware(self, i_offset: Any, tau_m: Any, cm: Any,
                                   offset_current_per_lsb: Any) -> np.ndarray:
        """Offset currents [nA] onto neurons with ``tau_m`` [ms] and ``cm`` [nF] -> signed
        ``constant_current.i_offset`` [CapMem LSB, unrounded] per neuron (positive: source,
        negative: sink), given the calibration's ``offset_current_per_lsb`` [512]: the current
        moves the rest by ``i_offset tau_m / cm`` mV. A current beyond the source's 1022 LSB
        raises :class:`TargetError` naming the neuron and the largest it reaches."""
        per_lsb = np.asarray(offset_current_per_lsb, dtype=float)
        i_offset, tau_m, cm = (np.broadcast_to(np.asarray(x, dtype=float), per_lsb.shape)
                               for x in (i_offset, tau_m, cm))
        if np.any(~np.isfinite(per_lsb) & (i_offset != 0)):
            n = int(np.argmax(~np.isfinite(per_lsb) & (i_offset != 0)))
            raise TargetError(f"i_offset: neuron {n}'s offset current is not calibrated (its "
                              f"source did not move the membrane): it takes only 0 nA")
        for name, arr in (("tau_m [ms]", tau_m), ("cm [nF]", cm)):
            if np.any(~(arr > 0)):
                raise TargetError(f"{name} must be > 0, got {float(np.min(arr)):g}")
        if not np.all(np.isfinite(i_offset)):
            raise TargetError("i_offset [nA] must be finite")
        lsb = i_offset * tau_m / cm / self.mv_per_lsb
        capmem = np.where(i_offset == 0, 0.0, lsb / np.where(np.isfinite(per_lsb), per_lsb, 1.0))
        too_large = np.abs(capmem) > 1022
        if too_large.any():
            n = int(np.argmax(too_large))
            largest = 1022 * per_lsb[n] * self.mv_per_lsb * cm[n] / tau_m[n]
            raise TargetError(f"i_offset = {i_offset[n]:g} nA cannot be reached by neuron {n}: its "
                              f"offset current reaches +-{largest:.3g} nA (tau_m {tau_m[n]:g} ms, "
                              f"cm {cm[n]:g} nF)")
        return capmem

    def offset_current_to_biological(self, capmem: Any, tau_m: Any, cm: Any,
                                     offset_current_per_lsb: Any) -> np.ndarray:
        """Signed ``i_offset`` [CapMem LSB] -> offset currents [nA] (the inverse of
        :meth:`offset_current_to_hardware`)."""
        return (np.asarray(capmem, dtype=float) * np.asarray(offset_current_per_lsb, dtype=float)
                * self.mv_per_lsb * np.asarray(cm, dtype=float) / np.asarray(tau_m, dtype=float))

    @staticmethod
    def _check_weight_inputs(weight: np.ndarray, what: str, tau_syn: np.ndarray, cm: np.ndarray,
                             charge_per_weight: float) -> None:
        if not np.isfinite(charge_per_weight) or charge_per_weight <= 0:
            raise TargetError(f"charge_per_weight is {charge_per_weight!r}: the synaptic strengths "
                              f"are not calibrated (UncalibratedCubaSynapticInput), so weights have "
                              f"no biological unit")
        for name, arr in ((what, weight), ("tau_syn [ms]", tau_syn), ("cm [nF]", cm)):
            if not np.all(np.isfinite(arr)):
                raise TargetError(f"{name} must be finite")
        if np.any(weight < 0):
            raise TargetError(f"{what} must be >= 0 (the receptor type gives the sign), got "
                              f"{float(np.min(weight)):g}")
        for name, arr in (("tau_syn [ms]", tau_syn), ("cm [nF]", cm)):
            if np.any(arr <= 0):
                raise TargetError(f"{name} must be > 0, got {float(np.min(arr)):g}")
