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
from ..common.helpers import N_NEURONS
from ..errors import TargetError

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
}


def _values(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    name = attribute.name
    arr = np.asarray(value)
    if arr.dtype.kind not in "iuf" or arr.shape not in ((), (N_NEURONS,)):
        raise TargetError(f"NeuronCalibTarget.{name} must be a number or {N_NEURONS} numbers "
                          f"(one per AtomicNeuronOnDLS), not {arr.dtype} of shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise TargetError(f"NeuronCalibTarget.{name} must be finite")
    (lo, hi), (hard_lo, hard_hi), unit = RANGES[name]
    if arr.min() < hard_lo or arr.max() > hard_hi:
        raise TargetError(f"NeuronCalibTarget.{name} must lie in {hard_lo:g}..{hard_hi:g} {unit}, "
                          f"got {arr.min():g}..{arr.max():g}")
    if arr.min() < lo or arr.max() > hi:
        log.warning("NeuronCalibTarget.%s = %g..%g %s lies outside the feasible %g..%g: some "
                    "neurons may not reach it", name, arr.min(), arr.max(), unit, lo, hi)


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
    membrane_capacitance: int = attrs.field(default=63, validator=_capacitance)

    def calibrate(self, connection: stadls.Connection, options: Any = None) -> Any:
        from .neuron import calibrate_neurons      # the calibrations import the targets

        options = NeuronCalibOptions() if options is None else options
        if not isinstance(options, NeuronCalibOptions):
            raise TargetError(f"the options of a NeuronCalibTarget are a calix.NeuronCalibOptions "
                              f"or None, not {type(options).__name__}")
        return calibrate_neurons(connection, self, seed=options.seed)

    def per_neuron(self, name: str) -> np.ndarray:
        """Field ``name`` as 512 values."""
        if name not in RANGES:
            raise TargetError(f"NeuronCalibTarget has no per-neuron field {name!r}; its fields: "
                              f"{sorted(RANGES)}")
        return np.broadcast_to(np.asarray(getattr(self, name), dtype=float), (N_NEURONS,)).copy()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NeuronCalibTarget):
            return NotImplemented
        return all(np.array_equal(np.asarray(getattr(self, f.name)), np.asarray(getattr(other, f.name)))
                   for f in attrs.fields(NeuronCalibTarget))

    def key(self) -> bytes:
        """Bytes that identify the target (for the calibration cache)."""
        return b"".join(f.name.encode() + np.asarray(getattr(self, f.name), dtype=float).tobytes()
                        for f in attrs.fields(NeuronCalibTarget))


def _seed(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise TargetError(f"NeuronCalibOptions.seed must be an int >= 0, not {value!r}")


@attrs.frozen
class NeuronCalibOptions:
    """Options of the spiking neuron calibration: ``seed`` of the noisy binary searches' start
    values."""

    seed: int = attrs.field(default=0, validator=_seed)


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


def as_target(target: Any) -> NeuronCalibTarget:
    if target is None:
        return NeuronCalibTarget()
    if not isinstance(target, NeuronCalibTarget):
        raise TargetError(f"expected a calix.NeuronCalibTarget, got {type(target).__name__}")
    return target

