"""PyNN's standard cell types on calibrated neurons, in biological units (beyond the real
backend; seed 001 section 2.3.4).

Each cell's parameters become calix targets through ``calix.BiologicalUnits`` (the default
one: a biological ms is a hardware us, potentials -95 mV + 0.25 mV per CADC LSB):

- ``v_rest``, ``v_reset``, ``v_thresh`` [mV] -> the leak, reset and threshold potentials;
- ``tau_m``, ``tau_refrac``, ``tau_syn_E``, ``tau_syn_I`` [ms] -> the membrane time constant,
  refractory time and synaptic time constants (through the 1000x speed-up);
- ``cm`` [nF] does not reach the chip (its membrane capacitance is :data:`HARDWARE_CAPACITANCE`,
  small enough that large PSPs stay within the synaptic input's linear range): it enters the
  translation of weights, as ``tau_syn`` does. A current-based
  weight ``w`` [nA] integrates ``w tau_syn / cm`` mV on the membrane; on the chip one event
  of weight 1 integrates the calibration's ``charge_per_weight`` [CADC LSB], so a synapse gets
  ``round(|w| tau_syn / cm / (0.25 mV charge_per_weight))`` weight LSB (above 63: several
  synapses in parallel), its sign from the receptor type (excitatory >= 0, inhibitory <= 0 as
  PyNN's current-based cells expect).

- ``i_offset`` [nA] moves the rest by ``i_offset tau_m / cm`` mV: each neuron's offset-current
  source (a sink for negative currents) gets the CapMem value that does so, by the offset
  current calix measured on it (``offset_current_per_lsb``); a current beyond a source's reach
  raises ``InvalidParameterValueError`` when the network is mapped.
- Conductance-based cells (``IF_cond_exp``): ``e_rev_E``, ``e_rev_I`` [mV] -> the inputs'
  reversal potentials (calix's reference, where the current is the current-based one: the
  middle of leak and threshold); a weight ``w`` [uS] is the current-based ``w |e_rev -
  reference|`` nA (calix.BiologicalUnits.conductance_to_hardware). calix makes each input
  conductance-based for every neuron or none, so a network's calibrated cells are all
  current-based or all conductance-based.

- AdEx cells (``EIF_cond_exp_isfa_ista``): ``delta_T`` the chip's slope, ``v_thresh`` V_T,
  ``v_spike`` the threshold, ``a``, ``b`` relative to ``cm / tau_m``, ``tau_w`` through the
  speed-up (``calix.BiologicalUnits.adex_targets``).

- ``tau_syn_E``, ``tau_syn_I`` need to be in the calibration's reach (3..30 ms) only for the
  cells a projection reaches through that input, checked when the network is mapped; an
  unused input is calibrated to the nearest value in reach (no event arrives there: it has no
  effect).

Approximated: the chip's synaptic currents decay exponentially, so the alpha types
(``IF_curr_alpha``, ``IF_cond_alpha``, ``EIF_cond_alpha_isfa_ista``) run their alpha-shaped
postsynaptic currents (or conductances) as exponential ones with the same charge and the same
mean time (:data:`ALPHA`, a warning per population says so): PyNN's alpha PSC ``w e t/tau
exp(-t/tau)`` (peak ``w`` at ``t = tau``, charge ``w e tau``, mean time ``2 tau``) becomes the
exponential PSC ``(w e / 2) exp(-t / (2 tau))``. So their ``tau_syn`` reach is half the
exponential's (1.5..15 ms). The PSP has the alpha PSP's area; the current starts at once
instead of rising, and the PSP peaks a little lower at about the same time (for an ideal LIF
neuron with ``tau_m`` = 20 ms and ``tau_syn`` = 5 ms: 0.90 of the alpha PSP's peak, at 13.9 ms
instead of 15.6 ms after the spike; at ``tau_syn`` = 1.5 ms: 0.93, at 6.7 ms instead of 6.5 ms).
Conductances (``IF_cond_alpha``, ``EIF_cond_alpha_isfa_ista``) the same way: the
conductance's time course is matched, so its charge at any membrane potential.

Refused: values outside what the calibration reaches (``InvalidParameterValueError`` naming
the parameter and the range); there are no conductances to record (``gsyn_exc``).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from pyNN.standardmodels import build_translations
from pyNN.standardmodels import cells as pynn_cells

import calix
import lola
from .. import simulator
from ..errors import ParameterValueError
from .calibrated import Bound, CalibratedCellType

#: the translation between PyNN's units and calix's targets
UNITS = calix.BiologicalUnits()
#: receptor type -> index of its synaptic input
RECEPTOR_INDEX = {"excitatory": 0, "inhibitory": 1}
_SOURCE, _SINK = lola.AtomicNeuron.ConstantCurrent.Type.source, lola.AtomicNeuron.ConstantCurrent.Type.sink


#: the chip's membrane capacitance (``membrane_capacitance``, 0..63) under PyNN's standard cell
#: types unless ``setup(hardware_capacitance=...)`` chooses another (a global calibration
#: parameter, :data:`pynn_frontend.calibration.GLOBALS`; the real backend's cell types keep
#: calix's 63). A PSP of a given height needs a synaptic current in
#: proportion to the capacitance, and the synaptic input's OTA compresses large currents
#: (``I / (1 + |I| / I_sat)``, emulator MODEL.md). Measured on chip 0 (IF_curr_exp, tau_m 20 ms,
#: tau_syn_E 5 ms, 4 cells each): a 2.6 nA PSC (8.2 mV ideal PSP) peaks at 6.0..6.9 mV at 15
#: against 4.2..4.9 mV at 63; nine 0.3 nA events 1 ms apart (8.2 mV ideal) 6.6..7.9 against
#: 4.7..5.2 mV; single 0.65 nA PSPs (2.05 mV ideal) 2.0..2.4 mV at either size. The price: a
#: weight LSB is a larger current (about 0.07 nA at tau_syn 5 ms and cm 1 nF, 0.02 nA at 63), so
#: weights below about 0.4 nA round by more than 10 %
HARDWARE_CAPACITANCE = 15

#: the synaptic time constants: positive when given, their reach checked where used
_TAU_SYN = ("tau_syn_E", "tau_syn_I")


def _bounds() -> dict[str, Bound]:
    ranges = UNITS.feasible_ranges()
    out = {name: Bound(low, high, unit) for name, (low, high, unit) in ranges.items()}
    # what the calibration reaches is checked where a projection uses the input
    # (CalibratedCellType.checked_inputs)
    out.update({name: Bound(0.0, np.inf, "ms", low_open=True) for name in _TAU_SYN})
    return out


@attrs.frozen
class PSCShape:
    """How a cell type's postsynaptic current (or conductance) becomes the chip's exponential
    one: time constant ``tau_factor * tau_syn`` and amplitude ``amplitude_factor * w`` (same
    units as ``w``); ``approximation``: what the warning says (None: exact)."""

    name: str
    tau_factor: float
    amplitude_factor: float
    approximation: str | None = None

    def time_constant(self, tau_syn: Any) -> np.ndarray:
        """The chip's exponential time constant [ms] for the cell type's ``tau_syn`` [ms]."""
        return self.tau_factor * np.asarray(tau_syn, dtype=float)

    def amplitude(self, weight: Any) -> np.ndarray:
        """The chip's exponential PSC amplitude for a weight ``w`` (nA or uS, the same unit)."""
        return self.amplitude_factor * np.asarray(weight, dtype=float)


#: the chip's own shape: ``w exp(-t/tau)``
EXPONENTIAL = PSCShape("exponential", 1.0, 1.0)
#: PyNN's alpha shape ``w e t/tau exp(-t/tau)`` (PyNN's backends: peak ``w`` at ``t = tau``)
#: as the exponential with the same charge ``w e tau`` and mean time ``2 tau``: time constant
#: ``2 tau``, amplitude ``w e / 2`` (charge ``(w e / 2) 2 tau = w e tau``)
ALPHA = PSCShape("alpha", 2.0, float(np.e) / 2.0, (
    "the chip's synaptic currents decay exponentially: each alpha-shaped PSC w e t/tau_syn exp(-t/tau_syn) "
    "runs as the exponential PSC (w e/2) exp(-t/(2 tau_syn)), with the same charge and mean time (the PSP has "
    "the alpha PSP's area; its peak is about 10 % lower); tau_syn must be 1.5..15 ms where a projection uses it"))


class BiologicalCellType(CalibratedCellType):
    """A PyNN standard cell type on calibrated neurons (module documentation): parameters in
    PyNN's units, recorded ``v`` in mV, weights in nA (current-based), ``i_offset`` [nA] through
    the offset current calix measured on each calibrated neuron."""

    #: weights are biological (nA), translated per synapse when the network is mapped
    biological_weights = True
    bounds = {**_bounds(), "cm": Bound(0.0, np.inf, "nF", low_open=True),
              "i_offset": Bound(-np.inf, np.inf, "nA")}
    #: the synaptic time constants' reach on the chip's exponential inputs [ms]
    input_bounds = {name: Bound(*UNITS.feasible_ranges()[name][:2], "ms") for name in _TAU_SYN}
    #: the postsynaptic current's shape (:data:`EXPONENTIAL`, :data:`ALPHA`)
    psc: PSCShape = EXPONENTIAL

    @property
    def approximation(self) -> str | None:
        """What the chip approximates of this cell type (a warning per population), or None."""
        return self.psc.approximation

    def input_bound(self, name: str) -> tuple[Bound, str]:
        """The reach of ``tau_syn_E``/``tau_syn_I`` in this cell type's terms: the exponential
        inputs' range over the shape's ``tau_factor``."""
        bound = self.input_bounds[name]
        if self.psc.tau_factor == 1.0:
            return bound, ""
        low, high = bound.low / self.psc.tau_factor, bound.high / self.psc.tau_factor
        return Bound(low, high, bound.unit), (
            f" (the {self.psc.name} PSC runs as the chip's exponential one with time constant "
            f"{self.psc.tau_factor:g} {name}, which reaches {bound.describe()})")

    def global_targets(self, parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The chip's membrane capacitance for every cell: ``setup(hardware_capacitance=...)``,
        default :data:`HARDWARE_CAPACITANCE` (PyNN's ``cm`` enters the weights' translation)."""
        chosen = simulator.state.hardware_capacitance
        return {"cm": np.full(np.shape(parameters["cm"]), HARDWARE_CAPACITANCE if chosen is None else chosen)}

    def configure_neurons(self, neurons: list[lola.AtomicNeuron], parameters: dict[str, np.ndarray],
                          result: Any, atoms: np.ndarray, label: str) -> None:
        """The offset current: ``i_offset`` moves the rest by ``i_offset tau_m / cm`` mV; each
        neuron's source (sink for negative currents) gets the CapMem value that does so by the
        calibration's ``offset_current_per_lsb``. ParameterValueError if a neuron's source
        cannot reach the current."""
        current = np.asarray(parameters["i_offset"], dtype=float)
        if not np.any(current):
            return
        try:
            capmem = UNITS.offset_current_to_hardware(current, parameters["tau_m"], parameters["cm"],
                                                      np.asarray(result.offset_current_per_lsb)[atoms])
        except calix.TargetError as err:
            raise ParameterValueError(f"population {label!r}: {err} (cells are numbered from 0 in the "
                                      "population)") from None
        values = np.rint(np.abs(capmem)).astype(np.int64)
        for neuron, value, sign in zip(neurons, values.tolist(), np.sign(capmem).tolist()):
            neuron.constant_current = lola.AtomicNeuron.ConstantCurrent(
                enable=value > 0, i_offset=value, type=_SINK if sign < 0 else _SOURCE)

    def neuron_targets(self, parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        def clipped(value: np.ndarray, field: str, kind: str) -> np.ndarray:
            hardware = UNITS.time_to_hardware(value) if kind == "time" else UNITS.potential_to_hardware(value)
            return np.clip(hardware, *calix.spiking.targets.RANGES[field][0])

        out = {"leak": clipped(parameters["v_rest"], "leak", "potential"),
               "reset": clipped(parameters["v_reset"], "reset", "potential"),
               "threshold": clipped(parameters["v_thresh"], "threshold", "potential"),
               "tau_mem": clipped(parameters["tau_m"], "tau_mem", "time"),
               "refractory_time": clipped(parameters["tau_refrac"], "refractory_time", "time"),
               "tau_syn_exc": clipped(self.psc.time_constant(parameters["tau_syn_E"]), "tau_syn", "time"),
               "tau_syn_inh": clipped(self.psc.time_constant(parameters["tau_syn_I"]), "tau_syn", "time")}
        if self.synaptic_inputs == "coba":
            out.update(e_rev_exc=clipped(parameters["e_rev_E"], "e_coba_reversal", "potential"),
                       e_rev_inh=clipped(parameters["e_rev_I"], "e_coba_reversal", "potential"))
        return out

    def hardware_weights(self, weights: np.ndarray, receptor_type: str, cells: np.ndarray,
                         parameters: dict[str, np.ndarray], charge_per_weight: tuple[float, float],
                         reference: np.ndarray) -> np.ndarray:
        """Weight LSB (unrounded) of synapses of biological ``weights`` (magnitudes: nA, or uS
        for conductance-based cells) onto the population's ``cells`` (indices) through
        ``receptor_type``; ``reference``: each cell's calibrated reference of that input [CADC
        LSB] (conductance-based inputs). Alpha-shaped PSCs through :attr:`psc`: the
        exponential with the same charge and mean time."""
        tau = self.psc.time_constant(parameters["tau_syn_E" if receptor_type == "excitatory" else "tau_syn_I"][cells])
        weights = self.psc.amplitude(weights)
        charge = charge_per_weight[RECEPTOR_INDEX[receptor_type]]
        if self.synaptic_inputs == "coba":
            e_rev = parameters["e_rev_E" if receptor_type == "excitatory" else "e_rev_I"][cells]
            return UNITS.conductance_to_hardware(weights, e_rev, UNITS.potential_to_biological(reference), tau,
                                                 parameters["cm"][cells], charge)
        return UNITS.weight_to_hardware(weights, tau, parameters["cm"][cells], charge)

    @staticmethod
    def potential_to_biological(lsb: Any) -> np.ndarray:
        """CADC LSB -> mV."""
        return UNITS.potential_to_biological(lsb)


def _standard(pynn_type: type, recordable: list[str]) -> dict[str, Any]:
    """The class attributes of a standard cell type: PyNN's parameters, units and initial
    values, our recordables."""
    return {"default_parameters": dict(pynn_type.default_parameters), "units": dict(pynn_type.units),
            "default_initial_values": dict(pynn_type.default_initial_values),
            "translations": build_translations(*[(n, n) for n in pynn_type.default_parameters]),
            "recordable": recordable, "receptor_types": list(pynn_type.receptor_types),
            "conductance_based": pynn_type.conductance_based}


class IF_curr_exp(BiologicalCellType, pynn_cells.IF_curr_exp):
    __doc__ = pynn_cells.IF_curr_exp.__doc__ + """
    On the chip: a calibrated LIF neuron (module :mod:`pynn_frontend.standardmodels.biological`)
    with its offset current for ``i_offset``; records ``spikes`` and ``v`` [mV]."""

    locals().update(_standard(pynn_cells.IF_curr_exp, ["spikes", "v"]))


class IF_cond_exp(BiologicalCellType, pynn_cells.IF_cond_exp):
    __doc__ = pynn_cells.IF_cond_exp.__doc__ + """
    On the chip: a calibrated LIF neuron with conductance-based inputs (calix calibrates each
    input's reference, the middle of ``v_rest`` and ``v_thresh``, and its reversal potential);
    weights [uS] become ``w |e_rev - reference|`` nA of the current-based translation. calix
    makes an input conductance-based for all neurons or none: a network's calibrated cells are
    all conductance-based then. Records ``spikes`` and ``v`` [mV] (no conductances)."""

    locals().update(_standard(pynn_cells.IF_cond_exp, ["spikes", "v"]))
    synaptic_inputs = "coba"


_ADEX_DOC = """
    On the chip: a calibrated AdEx neuron (calix's AdEx calibration, ``calix.spiking.adex``)
    with conductance-based inputs. ``delta_T`` must be the chip's exponential slope (its
    circuit's, about 1.05 mV, within 30 %: ``calix.BiologicalUnits.chip_delta_t()``);
    ``v_thresh`` is V_T (the calibrated rheobase is ``v_thresh - delta_T``), ``v_spike`` the
    spike detection (the threshold comparator), ``a`` [nS] and ``b`` [nA] are calibrated
    relative to the leak conductance ``cm / tau_m``, ``tau_w`` [ms] through the speed-up. The
    AdEx parts are calibrated for every neuron of the chip, so a network's calibrated cells are
    all AdEx or none (``RuntimeError`` naming the populations). Records ``spikes`` and
    ``v`` [mV]."""
#: what the alpha types add to their ``_exp`` counterpart's documentation
_ALPHA_DOC = """
    The alpha-shaped synaptic currents (conductances) run as the chip's exponential ones with
    the same charge and mean time (:data:`ALPHA`: time constant ``2 tau_syn``, amplitude
    ``w e / 2``; ``tau_syn`` 1.5..15 ms where a projection uses the input); a warning
    (``ApproximationWarning``) says so once per population."""


class _AdEx(BiologicalCellType):
    """The AdEx cell types (``EIF_cond_exp_isfa_ista``, ``EIF_cond_alpha_isfa_ista``)."""

    synaptic_inputs = "coba"
    adex = True
    bounds = {**BiologicalCellType.bounds,
              # v_spike is the threshold comparator's, v_thresh (V_T) the onset's plus the slope
              "v_spike": BiologicalCellType.bounds["v_thresh"],
              "v_thresh": Bound(*(float(UNITS.potential_to_biological(x)) + UNITS.chip_delta_t()
                                  for x in calix.spiking.targets.RANGES["exponential_onset"][0]), "mV"),
              **{name: Bound(-np.inf, np.inf, pynn_cells.EIF_cond_exp_isfa_ista.units[name])
                 for name in ("delta_T", "a", "b")},
              "tau_w": Bound(0.0, np.inf, "ms", low_open=True)}

    def neuron_targets(self, parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The LIF targets with ``v_spike`` as the threshold, and the AdEx targets
        (``adaptation_a``, ``adaptation_tau``, ``adaptation_b``, ``exponential_onset``; calix's
        units) through ``calix.BiologicalUnits.adex_targets``."""
        lif = dict(parameters)
        lif["v_thresh"] = parameters["v_spike"]
        out = super().neuron_targets(lif)
        names = ("delta_T", "v_thresh", "v_spike", "a", "b", "tau_w", "cm", "tau_m")
        n = len(out["leak"])
        table = np.column_stack([np.broadcast_to(np.asarray(parameters[k], dtype=float), (n,)) for k in names])
        # calix translates one value or the whole chip's: each distinct parameter set once
        distinct, which = np.unique(table, axis=0, return_inverse=True)
        fields: dict[str, np.ndarray] = {}
        for row, values in enumerate(distinct):
            try:
                translated = UNITS.adex_targets(dict(zip(names, values.tolist())))
            except calix.TargetError as err:
                cell = int(np.flatnonzero(which.ravel() == row)[0])
                raise ParameterValueError(f"{type(self).__name__} (cell {cell}): {err}") from None
            for name in calix.spiking.targets.ADEX:
                fields.setdefault(name, np.empty(n))[which.ravel() == row] = translated[name]
        out.update(fields)
        return out


def _absent(pynn_type: type, why: str, instead: str) -> type:
    """PyNN's ``pynn_type``, which the chip cannot run: constructing it raises
    NotImplementedError saying why and what to use instead."""
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"{pynn_type.__name__}: {why}; use {instead}")

    return type(pynn_type.__name__, (pynn_type,), {
        "__init__": __init__, "__module__": __name__,
        "__doc__": f"{pynn_type.__name__} is not available on the chip: {why}; use {instead}."})


class EIF_cond_exp_isfa_ista(_AdEx, pynn_cells.EIF_cond_exp_isfa_ista):
    __doc__ = pynn_cells.EIF_cond_exp_isfa_ista.__doc__ + _ADEX_DOC

    locals().update(_standard(pynn_cells.EIF_cond_exp_isfa_ista, ["spikes", "v"]))


class IF_curr_alpha(BiologicalCellType, pynn_cells.IF_curr_alpha):
    __doc__ = pynn_cells.IF_curr_alpha.__doc__ + """
    On the chip: as ``IF_curr_exp`` (a calibrated LIF neuron with its offset current for
    ``i_offset``; records ``spikes`` and ``v`` [mV])."""+ _ALPHA_DOC

    locals().update(_standard(pynn_cells.IF_curr_alpha, ["spikes", "v"]))
    psc = ALPHA


class IF_cond_alpha(BiologicalCellType, pynn_cells.IF_cond_alpha):
    __doc__ = pynn_cells.IF_cond_alpha.__doc__ + """
    On the chip: as ``IF_cond_exp`` (conductance-based inputs for all calibrated cells of the
    network; records ``spikes`` and ``v`` [mV])."""+ _ALPHA_DOC

    locals().update(_standard(pynn_cells.IF_cond_alpha, ["spikes", "v"]))
    synaptic_inputs = "coba"
    psc = ALPHA


class EIF_cond_alpha_isfa_ista(_AdEx, pynn_cells.EIF_cond_alpha_isfa_ista):
    __doc__ = pynn_cells.EIF_cond_alpha_isfa_ista.__doc__ + _ADEX_DOC + _ALPHA_DOC

    locals().update(_standard(pynn_cells.EIF_cond_alpha_isfa_ista, ["spikes", "v"]))
    psc = ALPHA

IF_cond_exp_gsfa_grr = _absent(
    pynn_cells.IF_cond_exp_gsfa_grr, "the chip's neurons have no spike-frequency-adaptation or "
    "relative-refractory conductances", "EIF_cond_exp_isfa_ista (its adaptation current, with b > 0)")
HH_cond_exp = _absent(pynn_cells.HH_cond_exp, "the chip's neurons are AdEx circuits, not Hodgkin-Huxley",
                      "EIF_cond_exp_isfa_ista")

__all__ = ["ALPHA", "BiologicalCellType", "EIF_cond_alpha_isfa_ista", "EIF_cond_exp_isfa_ista", "EXPONENTIAL",
           "HH_cond_exp", "IF_cond_alpha", "IF_cond_exp", "IF_cond_exp_gsfa_grr", "IF_curr_alpha", "IF_curr_exp",
           "PSCShape", "UNITS"]
