"""Calibration targets: what the neurons should do, with defaults and feasible ranges (calix's
``NeuronCalibTarget``). Potentials are CADC LSB (0..255), times seconds; every field is one
value for all 512 neurons or an array of 512."""

from __future__ import annotations

import logging
import numbers
from typing import Any

import attrs
import numpy as np

import stadls
from ..common.base import TopLevelCalibTarget
from ..common.cadc import CADCCalibOptions, CADCCalibTarget
from ..common.helpers import N_NEURONS
from ..errors import TargetError
from .correlation import CorrelationCalibOptions, CorrelationCalibTarget
from .stp import STPCalibOptions, STPCalibTarget

log = logging.getLogger(__name__)

#: name -> (feasible range: a warning outside, hard range: an error outside, unit)
RANGES = {
    "leak": ((50, 160), (0, 255), "CADC LSB"),
    "reset": ((50, 160), (0, 255), "CADC LSB"),
    # the emulated threshold comparator reaches down to about 112 LSB (0.55 V) less mismatch
    "threshold": ((135, 220), (0, 255), "CADC LSB"),
    # the CADC method reads all 512 membranes in 8 us: it needs a few reads within 3 tau
    "tau_mem": ((5e-6, 60e-6), (2e-6, 2000e-6), "s"),
    "refractory_time": ((40e-9, 32e-6), (8e-9, 130e-6), "s"),
    # per input [exc, inh]; calix: feasible from 0.3 us, but the emulated input's time constant
    # is about 2.5 us at the largest bias (its mismatch spreads that by 20 %)
    "tau_syn": ((3e-6, 30e-6), (0.1e-6, 100e-6), "s"),
    # conductance-based inputs (optional; NaN: current-based): the reference where the input is
    # the current-based one (calix: 60..160, default the middle of leak and threshold) and the
    # reversal potential, which may lie outside the CADC's range
    "e_coba_reference": ((60, 160), (0, 255), "CADC LSB"),
    "e_coba_reversal": ((-300, 600), (-1000, 1000), "CADC LSB"),
    # AdEx (optional; None: off): a / g_L, tau_w (many tau_mem: the measurement's two-variable
    # system must not ring), b / g_L, the exponential's onset as the rheobase V_T - dT
    "adaptation_a": ((0.05, 5.0), (0.0, 20.0), "(a / g_L)"),
    "adaptation_tau": ((50e-6, 2e-3), (20e-6, 5e-3), "s"),
    "adaptation_b": ((1.0, 60.0), (0.0, 200.0), "CADC LSB (b / g_L)"),
    "exponential_onset": ((60, 200), (0, 255), "CADC LSB"),
    # the inter-compartment conductance as C_mem / g_icc (optional; None: not calibrated):
    # calix's feasible range starts at 0.1 us (MADC), the CADC method here needs 5 us as tau_mem
    "tau_icc": ((5e-6, 60e-6), (2e-6, 2000e-6), "s"),
}
#: the AdEx parts (None: off)
ADEX = ("adaptation_a", "adaptation_tau", "adaptation_b", "exponential_onset")
#: the optional per-neuron fields (None: that part of the neuron is off or not calibrated)
OPTIONAL_NEURON = ADEX + ("tau_icc",)
#: the fields with a value per synaptic input (excitatory, inhibitory) and neuron
PER_INPUT = ("tau_syn", "e_coba_reference", "e_coba_reversal")
#: per-input fields that may be None (nothing) or NaN for an input (that input has none)
OPTIONAL = ("e_coba_reference", "e_coba_reversal")
#: the reversal potential's least distance from the reference [CADC LSB]: the modulation's
#: largest slope, ~10 / V, is ~25 LSB on the nominal CADC (a warning below the feasible)
COBA_DISTANCE = (30.0, 20.0)
#: i_synin_gm [CapMem LSB]: (feasible range: a warning outside, hard range)
GM_RANGES = ((30, 800), (0, 1022))


#: the shapes a per-neuron field may have, and those of a per-input field
SHAPES = ((), (N_NEURONS,))
INPUT_SHAPES = ((), (2,), (N_NEURONS,), (2, N_NEURONS))


def _check_range(owner: str, arr: np.ndarray, ranges: tuple, unit: str) -> None:
    """An error naming the first neuron outside the hard range, a warning outside the feasible."""
    (lo, hi), (hard_lo, hard_hi) = ranges
    if not np.all(np.isfinite(arr)):
        raise TargetError(f"{owner} must be finite")
    outside = (arr < hard_lo) | (arr > hard_hi)
    if outside.any():
        first = np.unravel_index(int(np.argmax(outside)), arr.shape)
        where = f" (at index {tuple(int(i) for i in first)})" if arr.ndim else ""
        raise TargetError(f"{owner} must lie in {hard_lo:g}..{hard_hi:g} {unit}, got "
                          f"{arr[first]:g}{where}")
    if arr.min() < lo or arr.max() > hi:
        log.warning("%s = %g..%g %s lies outside the feasible %g..%g: some neurons may not "
                    "reach it", owner, arr.min(), arr.max(), unit, lo, hi)


def _values(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    name = attribute.name
    if value is None and (name in OPTIONAL or name in OPTIONAL_NEURON):
        return
    arr = np.asarray(value)
    shapes = INPUT_SHAPES if name in PER_INPUT else SHAPES
    if arr.dtype.kind not in "iuf" or arr.shape not in shapes:
        allowed = (f"one per input [exc, inh], {N_NEURONS} (one per AtomicNeuronOnDLS) or "
                   f"[2][{N_NEURONS}]" if name in PER_INPUT else
                   f"{N_NEURONS} numbers (one per AtomicNeuronOnDLS)")
        raise TargetError(f"NeuronCalibTarget.{name} must be a number or {allowed}, not "
                          f"{arr.dtype} of shape {arr.shape}")
    ranges = RANGES[name]
    arr = arr.astype(float)
    if name in OPTIONAL:                 # NaN: this input is current-based
        arr = arr[np.isfinite(arr)] if np.isnan(arr).any() else arr
        if not arr.size:
            return
    _check_range(f"NeuronCalibTarget.{name}", arr, ranges[:2], ranges[2])


def _gm_values(owner: str, value: Any, shapes: tuple) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" or arr.shape not in shapes:
        raise TargetError(f"{owner} must be an int (CapMem LSB) or integers of a shape in "
                          f"{list(shapes)}, not {arr.dtype} of shape {arr.shape}")
    _check_range(owner, arr, GM_RANGES, "CapMem LSB")
    return arr


@attrs.frozen(eq=False)
class UncalibratedCubaSynapticInput:
    """The synaptic inputs' OTA biases ``i_synin_gm`` used as they are (CapMem LSB; one value,
    one per input [exc, inh], or [2][512]): no strength calibration."""

    i_synin_gm: Any = attrs.field(
        default=500, validator=lambda s, a, v: _gm_values(f"{type(s).__name__}.i_synin_gm", v, INPUT_SHAPES))


@attrs.frozen(eq=False)
class CalibratedCubaSynapticInput:
    """Each input's strength matched across the neurons: every neuron's excitatory (inhibitory)
    input integrates the median charge of all neurons at ``i_synin_gm`` (one value or one per
    input [exc, inh], CapMem LSB)."""

    i_synin_gm: Any = attrs.field(
        default=500, validator=lambda s, a, v: _gm_values(f"{type(s).__name__}.i_synin_gm", v, ((), (2,))))


@attrs.frozen(eq=False)
class CalibratedMatchingCubaSynapticInput:
    """Both inputs matched to one strength (calix's default): every excitatory input integrates
    the median charge of all excitatory inputs at ``i_synin_gm`` and every inhibitory input the
    same charge, so that one weight gives PSPs of equal size and opposite sign."""

    i_synin_gm: Any = attrs.field(
        default=500, validator=lambda s, a, v: _gm_values(f"{type(s).__name__}.i_synin_gm", v, ((),)))


CUBA_SYNIN = (UncalibratedCubaSynapticInput, CalibratedCubaSynapticInput,
              CalibratedMatchingCubaSynapticInput)


def _cuba_synin(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, CUBA_SYNIN):
        raise TargetError(f"NeuronCalibTarget.cuba_synin is one of "
                          f"{[c.__name__ for c in CUBA_SYNIN]}, not {type(value).__name__}")


def _synapse_dac_bias(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 30 <= value <= 1022:
        raise TargetError(f"NeuronCalibTarget.synapse_dac_bias must be an int 30..1022 (CapMem LSB, "
                          f"calix's feasible range), not {value!r}")


def _capacitance(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= 63:
        raise TargetError(f"NeuronCalibTarget.membrane_capacitance must be an int 0..63 "
                          f"(about 0..2.2 pF), not {value!r}")


@attrs.define(eq=False)
class NeuronCalibTarget(TopLevelCalibTarget):
    """Targets of the spiking neuron calibration: calix's defaults, but for the threshold, 140
    instead of 125 (the emulated comparator reaches down to about 112 LSB, and with its
    mismatch 125 is out of reach for a few percent of the neurons).

    ``calibrate(connection, options)`` runs :func:`calix.spiking.neuron.calibrate_neurons`
    (``options``: a :class:`NeuronCalibOptions` or None)."""

    leak: Any = attrs.field(default=80, validator=_values)
    reset: Any = attrs.field(default=70, validator=_values)
    threshold: Any = attrs.field(default=140, validator=_values)
    tau_mem: Any = attrs.field(default=10e-6, validator=_values)
    refractory_time: Any = attrs.field(default=2e-6, validator=_values)
    tau_syn: Any = attrs.field(default=10e-6, validator=_values)
    e_coba_reversal: Any = attrs.field(default=None, validator=_values)
    e_coba_reference: Any = attrs.field(default=None, validator=_values)
    adaptation_a: Any = attrs.field(default=None, validator=_values)
    adaptation_tau: Any = attrs.field(default=None, validator=_values)
    adaptation_b: Any = attrs.field(default=None, validator=_values)
    exponential_onset: Any = attrs.field(default=None, validator=_values)
    tau_icc: Any = attrs.field(default=None, validator=_values)
    cuba_synin: Any = attrs.field(factory=CalibratedMatchingCubaSynapticInput, validator=_cuba_synin)
    membrane_capacitance: int = attrs.field(default=63, validator=_capacitance)
    synapse_dac_bias: int = attrs.field(default=600, validator=_synapse_dac_bias)

    def calibrate(self, connection: stadls.Connection, options: Any = None) -> Any:
        from .neuron import calibrate_neurons      # the calibrations import the targets

        options = NeuronCalibOptions() if options is None else options
        if not isinstance(options, NeuronCalibOptions):
            raise TargetError(f"the options of a NeuronCalibTarget are a calix.NeuronCalibOptions "
                              f"or None, not {type(options).__name__}")
        return calibrate_neurons(connection, self, seed=options.seed, on_ppu=options.on_ppu)

    def per_neuron(self, name: str) -> np.ndarray:
        """Field ``name`` as 512 values, or for a per-input field as [2][512] (exc, inh)."""
        if name not in RANGES:
            raise TargetError(f"NeuronCalibTarget has no per-neuron field {name!r}; its fields: "
                              f"{sorted(RANGES)}")
        if name == "e_coba_reference" and self.e_coba_reference is None:
            # calix: the middle of leak and threshold
            return per_input((self.per_neuron("leak") + self.per_neuron("threshold")) / 2.0)
        if name in OPTIONAL and getattr(self, name) is None:
            return np.full((2, N_NEURONS), np.nan)
        if name in OPTIONAL_NEURON and getattr(self, name) is None:
            return np.full(N_NEURONS, np.nan)
        return per_input(getattr(self, name)) if name in PER_INPUT else \
            np.broadcast_to(np.asarray(getattr(self, name), dtype=float), (N_NEURONS,)).copy()

    def adex(self) -> dict[str, np.ndarray]:
        """The AdEx parts asked for (:data:`ADEX` name -> 512 values), checked: b needs tau_w
        (its measurement's response), tau_w must be at least 4 tau_mem."""
        parts = {name: self.per_neuron(name) for name in ADEX
                 if getattr(self, name) is not None}
        if "adaptation_b" in parts and "adaptation_tau" not in parts:
            raise TargetError("NeuronCalibTarget.adaptation_b needs adaptation_tau as well (the "
                              "spike-triggered adaptation is measured through its decay)")
        if "adaptation_tau" in parts:
            short = parts["adaptation_tau"] < 4.0 * self.per_neuron("tau_mem")
            if short.any():
                n = int(np.argmax(short))
                raise TargetError(f"NeuronCalibTarget.adaptation_tau must be at least 4 tau_mem "
                                  f"(neuron {n}: {parts['adaptation_tau'][n]:g} s against "
                                  f"tau_mem {self.per_neuron('tau_mem')[n]:g} s)")
        return parts

    def coba_inputs(self) -> tuple[np.ndarray, np.ndarray]:
        """(reversal, reference) [2][512] CADC LSB of the conductance-based inputs (NaN where
        an input is current-based), checked: an input is conductance-based for all neurons or
        none, its reference and reversal are at least ``COBA_DISTANCE`` apart, on the side of
        its kind (excitatory above, inhibitory below the reference)."""
        reversal, reference = self.per_neuron("e_coba_reversal"), self.per_neuron("e_coba_reference")
        for i, kind in enumerate(("excitatory", "inhibitory")):
            on = np.isfinite(reversal[i])
            if on.any() and not on.all():
                raise TargetError(f"NeuronCalibTarget.e_coba_reversal: the {kind} input is "
                                  f"conductance-based for some neurons only (NaN for neuron "
                                  f"{int(np.argmin(on))}): give a reversal for all or none")
            if not on.any():
                continue
            distance = (1.0 if i == 0 else -1.0) * (reversal[i] - reference[i])
            feasible, hard = COBA_DISTANCE
            if np.min(distance) < hard:
                n = int(np.argmin(distance))
                raise TargetError(
                    f"NeuronCalibTarget.e_coba_reversal: the {kind} reversal must lie at least "
                    f"{hard:g} CADC LSB {'above' if i == 0 else 'below'} its reference "
                    f"(e_coba_reference), neuron {n} has {reversal[i, n]:g} vs {reference[i, n]:g}")
            if np.min(distance) < feasible:
                log.warning("NeuronCalibTarget: the %s reversal lies less than %g CADC LSB from "
                            "its reference for some neurons: they may not reach it", kind, feasible)
        return reversal, reference

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NeuronCalibTarget):
            return NotImplemented
        return self.key() == other.key()

    def key(self) -> bytes:
        """Bytes that identify the target (for the calibration cache)."""
        parts = []
        for f in attrs.fields(NeuronCalibTarget):
            value = getattr(self, f.name)
            if f.name == "cuba_synin":
                parts.append(type(value).__name__.encode() + np.asarray(value.i_synin_gm, dtype=float).tobytes())
            elif value is None:
                parts.append(f.name.encode() + b"None")
            else:
                parts.append(f.name.encode() + np.asarray(value, dtype=float).tobytes())
        return b"".join(parts)


def _flag(attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TargetError(f"NeuronCalibOptions.{attribute.name} must be True or False, not {value!r}")


def _seed(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise TargetError(f"NeuronCalibOptions.seed must be an int >= 0, not {value!r}")


@attrs.frozen
class NeuronCalibOptions:
    """Options of the spiking neuron calibration: ``seed`` of the noisy binary searches' start
    values; ``on_ppu``: the leak and threshold potentials are searched by the two embedded
    processors, each on its hemisphere (:mod:`calix.spiking.ppu_calibration`; beyond the real
    calix), instead of by the host."""

    seed: int = attrs.field(default=0, validator=_seed)
    on_ppu: bool = attrs.field(default=False, validator=lambda s, a, v: _flag(a, v))


def _instance_of(cls: type, owner: str) -> Any:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if not isinstance(value, cls):
            raise TargetError(f"{owner}.{attribute.name} must be a calix.{cls.__name__}, not "
                              f"{type(value).__name__}")
    return check


def _optional_instance_of(cls: type, owner: str) -> Any:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if value is not None and not isinstance(value, cls):
            raise TargetError(f"{owner}.{attribute.name} must be a calix.{cls.__name__} or None, not "
                              f"{type(value).__name__}")
    return check


@attrs.define(eq=False)
class SpikingCalibTarget(TopLevelCalibTarget):
    """The spiking mode's whole calibration (calix's ``SpikingCalibTarget``): the CADC
    (``cadc_target``), then the neurons with their synaptic inputs (``neuron_target``), on
    CADC LSB the calibrated CADC reads, then the synapse drivers' STP offsets (``stp_target``,
    calibrated by default as in calix: about 2 s; None: not calibrated) and last the
    correlation sensors (``correlation_target``: None, the default, leaves them uncalibrated).
    ``calibrate(connection, options)`` runs :func:`calix.spiking.top_level.calibrate_spiking`
    (``options``: a :class:`SpikingCalibOptions` or None)."""

    cadc_target: CADCCalibTarget = attrs.field(factory=CADCCalibTarget,
                                               validator=_instance_of(CADCCalibTarget, "SpikingCalibTarget"))
    neuron_target: NeuronCalibTarget = attrs.field(factory=NeuronCalibTarget,
                                                   validator=_instance_of(NeuronCalibTarget, "SpikingCalibTarget"))
    correlation_target: CorrelationCalibTarget | None = attrs.field(
        default=None, validator=_optional_instance_of(CorrelationCalibTarget, "SpikingCalibTarget"))
    stp_target: STPCalibTarget | None = attrs.field(
        factory=STPCalibTarget, validator=_optional_instance_of(STPCalibTarget, "SpikingCalibTarget"))

    def calibrate(self, connection: stadls.Connection, options: Any = None) -> Any:
        from .top_level import calibrate_spiking      # the flow imports the targets

        return calibrate_spiking(connection, self, options)

    def key(self) -> bytes:
        optional = [b"None" if t is None else t.key() for t in (self.stp_target, self.correlation_target)]
        return b"|".join([self.cadc_target.key(), self.neuron_target.key()] + optional)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpikingCalibTarget):
            return NotImplemented
        return self.key() == other.key()


@attrs.frozen
class SpikingCalibOptions:
    """Options of the spiking calibration: ``cadc_options``, ``neuron_options``,
    ``correlation_options`` and ``stp_options``."""

    cadc_options: CADCCalibOptions = attrs.field(factory=CADCCalibOptions,
                                                 validator=_instance_of(CADCCalibOptions, "SpikingCalibOptions"))
    neuron_options: NeuronCalibOptions = attrs.field(factory=NeuronCalibOptions,
                                                     validator=_instance_of(NeuronCalibOptions, "SpikingCalibOptions"))
    correlation_options: CorrelationCalibOptions = attrs.field(
        factory=CorrelationCalibOptions, validator=_instance_of(CorrelationCalibOptions, "SpikingCalibOptions"))
    stp_options: STPCalibOptions = attrs.field(factory=STPCalibOptions,
                                               validator=_instance_of(STPCalibOptions, "SpikingCalibOptions"))


def refractory_settings(refractory_time: np.ndarray) -> tuple[int, np.ndarray]:
    """(clock_scale_slow, refractory ticks per neuron) for refractory times [s]: the fastest
    backend clock (250 MHz / 2**(scale + 1)) whose 8-bit counter (1..255 ticks) covers the
    longest one, and the nearest tick count for each."""
    longest = float(np.max(refractory_time))
    for scale in range(16):
        frequency = 250e6 / 2 ** (scale + 1)
        if longest * frequency <= 255:
            ticks = np.clip(np.rint(refractory_time * frequency), 1, 255).astype(np.int64)
            return scale, ticks
    raise TargetError(f"a refractory time of {longest:g} s is longer than the slowest backend "
                      f"clock can count (255 ticks at {250e6 / 2 ** 16:g} Hz)")


def per_input(value: Any) -> np.ndarray:
    """A per-input value (one, [exc, inh], one per neuron or [2][512]) as [2][512]."""
    arr = np.asarray(value, dtype=float)
    if arr.shape == (2,):
        arr = arr[:, None]
    return np.broadcast_to(arr, (2, N_NEURONS)).copy()


def as_target(target: Any) -> NeuronCalibTarget:
    if target is None:
        return NeuronCalibTarget()
    if not isinstance(target, NeuronCalibTarget):
        raise TargetError(f"expected a calix.NeuronCalibTarget, got {type(target).__name__}")
    return target

