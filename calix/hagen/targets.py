"""Targets and options of the HAGEN (non-spiking) calibration, with calix's names and defaults
(``HagenNeuronCalibTarget``, ``HagenCalibTarget``, ``SynapseDriverCalibOptions``,
``HagenCalibOptions``) and feasible ranges (a warning outside, an error outside the hard range).

Potentials are CADC LSB, times seconds, biases CapMem LSB; the per-neuron fields take one value
or 512 (``tau_syn``: also one per input [exc, inh] or [2][512]).
"""

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
from ..spiking.targets import INPUT_SHAPES, SHAPES, NeuronCalibOptions, _instance_of, per_input

log = logging.getLogger(__name__)

#: name -> (feasible range: a warning outside, hard range: an error outside, unit); calix's
#: ``hagen.neuron.calibrate`` checks (tau_syn: 0 means the minimum, see below)
RANGES = {
    "leak": ((100, 140), (0, 255), "CADC LSB"),
    "tau_mem": ((20e-6, 100e-6), (2e-6, 2000e-6), "s"),
    "tau_syn": ((0.3e-6, 20e-6), (0.1e-6, 100e-6), "s"),
    "i_synin_gm": ((30, 600), (1, 1022), "CapMem LSB"),
    "synapse_dac_bias": ((30, 1022), (1, 1022), "CapMem LSB"),
}
#: a synaptic time constant target at or below this [s] takes the input's minimum (the largest
#: bias), as calix's 0: the emulated input with its small capacitance reaches about 1.2 us
#: there (its mismatch spreads that from ~0.7 to ~2 us), the real one about 0.3 us
TAU_SYN_MINIMUM = 2e-6


def _check_range(owner: str, arr: np.ndarray, name: str) -> None:
    (lo, hi), (hard_lo, hard_hi), unit = RANGES[name]
    if not np.all(np.isfinite(arr)):
        raise TargetError(f"{owner} must be finite")
    outside = (arr < hard_lo) | (arr > hard_hi)
    if name == "tau_syn":
        outside &= arr != 0                     # 0: the minimum
    if outside.any():
        first = np.unravel_index(int(np.argmax(outside)), arr.shape)
        where = f" (at index {tuple(int(i) for i in first)})" if arr.ndim else ""
        extra = " or 0 (the minimum)" if name == "tau_syn" else ""
        raise TargetError(f"{owner} must lie in {hard_lo:g}..{hard_hi:g} {unit}{extra}, got "
                          f"{arr[first]:g}{where}")
    checked = arr[arr != 0] if name == "tau_syn" else arr
    if checked.size and (checked.min() < lo or checked.max() > hi):
        log.warning("%s = %g..%g %s lies outside the feasible %g..%g: some neurons may not "
                    "reach it", owner, checked.min(), checked.max(), unit, lo, hi)


def _per_neuron(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    name = attribute.name
    arr = np.asarray(value)
    shapes = INPUT_SHAPES if name == "tau_syn" else SHAPES
    if arr.dtype.kind not in "iuf" or arr.shape not in shapes:
        allowed = (f"one per input [exc, inh], {N_NEURONS} or [2][{N_NEURONS}]" if name == "tau_syn"
                   else f"{N_NEURONS} numbers (one per AtomicNeuronOnDLS)")
        raise TargetError(f"HagenNeuronCalibTarget.{name} must be a number or {allowed}, not "
                          f"{arr.dtype} of shape {arr.shape}")
    _check_range(f"HagenNeuronCalibTarget.{name}", arr.astype(float), name)


def _capmem_int(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    name = attribute.name
    _, (lo, hi), _ = RANGES[name]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TargetError(f"HagenNeuronCalibTarget.{name} must be an int (CapMem LSB) in "
                          f"{lo}..{hi}, not {value!r}")
    _check_range(f"HagenNeuronCalibTarget.{name}", np.asarray(float(value)), name)


def _target_noise(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None:
        raise TargetError(
            f"HagenNeuronCalibTarget.target_noise must be None, not {value!r}: the emulated "
            f"membrane noise does not grow as the leak bias falls (calix lowers the leak bias to "
            f"a read noise of 1.0..2.5 LSB), so there is nothing to calibrate")


@attrs.define(eq=False)
class HagenNeuronCalibTarget:
    """Targets of the HAGEN neuron calibration (calix's ``HagenNeuronCalibTarget``).

    ``leak``: CADC LSB at rest (and of the reset, the integration's baseline), default 120
    (feasible 100..140). ``tau_mem``: the membrane time constant while the synaptic inputs are
    matched [s], default 60 us (feasible 20..100 us; one value for all neurons); the leak is
    switched off afterwards (:class:`HagenCalibOptions`). ``tau_syn``: [s], default 0.32 us;
    0 or any target up to :data:`TAU_SYN_MINIMUM` takes each input's minimum (the largest
    bias: about 1.2 us on the emulated chip, whose input is slower than the real one's 0.3 us).
    ``i_synin_gm``: the synaptic input bias [CapMem LSB] at which the median neuron's
    excitatory amplitude is taken as every input's target, default 450. ``synapse_dac_bias``:
    the synapse DAC bias [CapMem LSB] the weakest quadrant keeps (the others are lowered to
    its amplitude), default 1022. ``target_noise``: None only (calix's leak-bias reduction to a
    read noise has nothing to find on the emulated chip)."""

    leak: Any = attrs.field(default=120, validator=_per_neuron)
    tau_mem: Any = attrs.field(default=60e-6, validator=_per_neuron)
    tau_syn: Any = attrs.field(default=0.32e-6, validator=_per_neuron)
    i_synin_gm: int = attrs.field(default=450, validator=_capmem_int)
    target_noise: Any = attrs.field(default=None, validator=_target_noise)
    synapse_dac_bias: int = attrs.field(default=1022, validator=_capmem_int)

    def per_neuron(self, name: str) -> np.ndarray:
        """``leak`` or ``tau_mem`` as 512 values, ``tau_syn`` as [2][512] (exc, inh)."""
        if name == "tau_syn":
            return per_input(self.tau_syn)
        if name not in ("leak", "tau_mem"):
            raise TargetError(f"HagenNeuronCalibTarget has no per-neuron field {name!r}; they are "
                              f"'leak', 'tau_mem' and 'tau_syn'")
        return np.broadcast_to(np.asarray(getattr(self, name), dtype=float), (N_NEURONS,)).copy()

    def key(self) -> bytes:
        """Bytes that identify the target (for the calibration cache)."""
        return b"|".join(f.name.encode() + (b"None" if getattr(self, f.name) is None else
                                            np.asarray(getattr(self, f.name), dtype=float).tobytes())
                         for f in attrs.fields(HagenNeuronCalibTarget))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HagenNeuronCalibTarget):
            return NotImplemented
        return self.key() == other.key()


def _activation(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)) \
            or not 1 <= value <= 31:
        raise TargetError(f"SynapseDriverCalibOptions.{attribute.name} must be a HAGEN activation, "
                          f"an int 1..31, not {value!r}")


def _int_in(owner: str, low: int, high: int) -> Any:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)) \
                or not low <= value <= high:
            raise TargetError(f"{owner}.{attribute.name} must be an int {low}..{high}, not {value!r}")
    return check


@attrs.frozen
class SynapseDriverCalibOptions:
    """Options of the synapse driver calibration (calix's ``SynapseDriverCalibOptions``):
    ``offset_test_activation``, the activation (1..31) at which every driver's amplitude is
    aligned by its HAGEN DAC offset (calix: 3); ``repetitions`` of each measurement averaged
    (beyond calix: the emulated CADC's read noise is 1 LSB)."""

    offset_test_activation: int = attrs.field(default=3, validator=_activation)
    repetitions: int = attrs.field(default=1, validator=_int_in("SynapseDriverCalibOptions", 1, 16))


def _bool(owner: str) -> Any:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise TargetError(f"{owner}.{attribute.name} must be True or False, not {value!r}")
    return check


@attrs.frozen
class HagenCalibOptions:
    """Options of the HAGEN calibration (calix's ``HagenCalibOptions``): ``cadc_options``,
    ``neuron_options`` (the noisy searches' seed), ``neuron_disable_leakage`` (default True:
    the leak bias is 0 after the calibration, the neurons integrate without leakage) and
    ``synapse_driver_options``."""

    cadc_options: CADCCalibOptions = attrs.field(
        factory=CADCCalibOptions, validator=_instance_of(CADCCalibOptions, "HagenCalibOptions"))
    neuron_options: NeuronCalibOptions = attrs.field(
        factory=NeuronCalibOptions, validator=_instance_of(NeuronCalibOptions, "HagenCalibOptions"))
    neuron_disable_leakage: bool = attrs.field(default=True, validator=_bool("HagenCalibOptions"))
    synapse_driver_options: SynapseDriverCalibOptions = attrs.field(
        factory=SynapseDriverCalibOptions,
        validator=_instance_of(SynapseDriverCalibOptions, "HagenCalibOptions"))


def _hagen_cadc_target() -> CADCCalibTarget:
    return CADCCalibTarget(dynamic_range=(150, 500))


@attrs.define(eq=False)
class HagenCalibTarget(TopLevelCalibTarget):
    """The HAGEN mode's whole calibration for integration on the membranes (calix's
    ``HagenCalibTarget``): ``cadc_target`` (default: dynamic range 150..500 CapMem LSB of the
    reference, calix's) and ``neuron_target`` (a :class:`HagenNeuronCalibTarget`).
    ``calibrate(connection, options)`` runs :func:`calix.hagen.calibrate` (``options``: a
    :class:`HagenCalibOptions` or None)."""

    cadc_target: CADCCalibTarget = attrs.field(
        factory=_hagen_cadc_target, validator=_instance_of(CADCCalibTarget, "HagenCalibTarget"))
    neuron_target: HagenNeuronCalibTarget = attrs.field(
        factory=HagenNeuronCalibTarget, validator=_instance_of(HagenNeuronCalibTarget, "HagenCalibTarget"))

    def calibrate(self, connection: stadls.Connection, options: Any = None) -> Any:
        from .top_level import calibrate       # the flow imports the targets

        return calibrate(connection, self, options)

    def key(self) -> bytes:
        return self.cadc_target.key() + b"|" + self.neuron_target.key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HagenCalibTarget):
            return NotImplemented
        return self.key() == other.key()
