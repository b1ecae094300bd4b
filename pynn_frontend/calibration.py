"""Calibration of the calibrated cell types when the network is mapped.

At ``run`` or ``run(None, RunCommand.PREPARE)`` every population of a calibrated cell type
(:class:`~pynn_frontend.standardmodels.calibrated.CalibratedCellType`) contributes its cells'
targets to one ``calix.SpikingCalibTarget`` for the whole chip (each circuit its cell's
targets; circuits of no calibrated cell the injected ones or the first cell's), and calix calibrates
it on the experiment's chip: the CADC, then the 512 neurons with their synaptic inputs. calix
caches results on disk (``setup(calibration_cache=...)``, default ``$XDG_CACHE_HOME/calix``),
so the same targets on the same chip are calibrated once; a network whose targets did not
change since the last mapping is not even looked up again.

Global parameters (:data:`GLOBALS`) are taken once for the chip; every calibrated neuron of the
network must agree on them (``GlobalParameterError``, a ``RuntimeError``, otherwise).

Each calibrated population then holds ``calib_target`` (its parameters at the calibration),
``calib_hwparams`` (the calibrated ``lola.AtomicNeuron`` of each cell) and ``actual_hwparams``
(the neurons that run, editable in place until the next calibration of changed parameters).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import pickle
from typing import Any

import attrs
import numpy as np

import calix
import halco
import lola
from . import simulator
from .errors import GlobalParameterError, ParameterValueError
from .projections import resolve
from .standardmodels.calibrated import CalibratedCellType

log = logging.getLogger(__name__)

#: parameters the calibration takes once for the chip -> (their default, what they set)
GLOBALS = {
    "i_synin_gm_E": (500, "the excitatory inputs' strength (OTA bias) every neuron is matched to"),
    "i_synin_gm_I": (500, "the inhibitory inputs' strength (OTA bias) every neuron is matched to"),
    "synapse_dac_bias": (600, "the synapse DAC bias (one CapMem cell per block)"),
    "cm": (63, "the membrane capacitance (calix takes one for all neurons)"),
}
_TARGET_FIELDS = ("leak", "reset", "threshold", "tau_mem", "refractory_time")
#: the AdEx targets (EIF cells): for all calibrated circuits or none
_ADEX_FIELDS = ("adaptation_a", "adaptation_tau", "adaptation_b", "exponential_onset")
N_CIRCUITS = halco.AtomicNeuronOnDLS.size


@attrs.define
class Calibration:
    """The chip's calibration for the current network: its ``key`` (the target and options),
    calix's ``result``, the global parameters and the base configuration of every snippet
    (the initial configuration with the calibration applied)."""

    key: bytes
    result: Any
    globals: dict[str, int]
    chip: lola.Chip

    @property
    def charge_per_weight(self) -> tuple[float, float]:
        """(excitatory, inhibitory) potential [CADC LSB] one event of weight 1 integrates."""
        return tuple(self.result.neuron_result.charge_per_weight)

    def reference(self, receptor: int) -> np.ndarray:
        """[512] the calibrated reference of input ``receptor`` (0 excitatory, 1 inhibitory)
        [CADC LSB]: where a conductance-based input's current is the current-based one."""
        return self.result.target.neuron_target.per_neuron("e_coba_reference")[receptor]


@attrs.define
class PopulationCalibration:
    """What a calibrated population holds after a calibration."""

    stamp: tuple[bytes, int]
    target: dict[str, np.ndarray]
    hwparams: list[lola.AtomicNeuron]
    actual: tuple[lola.AtomicNeuron, ...]


def calibrated_populations(state: Any) -> list[Any]:
    return [p for p in state.populations if isinstance(p.celltype, CalibratedCellType)]


def check_globals(populations: list[Any]) -> dict[str, int]:
    """The global parameters of the calibrated populations, or GlobalParameterError naming the
    parameter and the populations that disagree (first: whether the inputs are
    conductance-based)."""
    _input_kind(populations)
    out: dict[str, int] = {}
    source: dict[str, str] = {}
    for population in populations:
        values = population.celltype.global_targets(population.hardware_parameters())
        for name, arr in values.items():
            unique = np.unique(np.asarray(arr, dtype=float))
            if len(unique) > 1:
                raise GlobalParameterError(
                    f"{name} is global ({GLOBALS[name][1]}): all calibrated neurons need the same value, "
                    f"but population {population.label!r} has {[int(u) for u in unique]}")
            value = int(unique[0])
            if name in out and out[name] != value:
                raise GlobalParameterError(
                    f"{name} is global ({GLOBALS[name][1]}): all calibrated neurons need the same value, "
                    f"but population {source[name]!r} has {out[name]} and population {population.label!r} "
                    f"has {value}")
            out.setdefault(name, value)
            source.setdefault(name, population.label)
    return {name: out.get(name, default) for name, (default, _) in GLOBALS.items()}


def _input_kind(populations: list[Any]) -> str:
    """"cuba" or "coba": calix makes the synaptic inputs conductance-based for all neurons or
    none, so all calibrated populations must agree (GlobalParameterError naming two that
    do not)."""
    kinds = {p.celltype.synaptic_inputs: p for p in populations}
    if len(kinds) > 1:
        raise GlobalParameterError(
            f"the synaptic inputs are conductance-based for all calibrated neurons or none (calix "
            f"calibrates them chip-wide): population {kinds['coba'].label!r} "
            f"({type(kinds['coba'].celltype).__name__}) is conductance-based, population "
            f"{kinds['cuba'].label!r} ({type(kinds['cuba'].celltype).__name__}) current-based")
    return next(iter(kinds))


def used_inputs(state: Any, population: Any) -> dict[str, np.ndarray]:
    """Receptor type -> per cell of ``population`` the label of the first projection with a
    connection onto the cell through that receptor type (None where there is none): the
    synaptic inputs that matter, whose time constants must be ones the calibration reaches."""
    out: dict[str, np.ndarray] = {}
    for projection in state.projections:
        post_pops, post_owner, post_index = resolve(projection.post)
        if population not in post_pops:
            continue
        positions = projection._post[post_owner[projection._post] == post_pops.index(population)]
        labels = out.setdefault(projection.receptor_type, np.full(population.size, None, dtype=object))
        cells = np.unique(post_index[positions])
        cells = cells[labels[cells] == None]  # noqa: E711  (the first projection's label stays)
        labels[cells] = projection.label
    return out


def build_target(state: Any, populations: list[Any], globals_: dict[str, int]) -> calix.SpikingCalibTarget:
    """The chip's calibration target: each calibrated cell's circuit its targets, the other
    circuits the injected target's, or without one the first calibrated cell's (so that the
    same parameters make the same target, and a cached calibration serves them, whatever the
    populations' sizes and places). A synaptic time constant is checked only where a projection
    uses the input (``CalibratedCellType.checked_inputs``: ParameterValueError naming it; an
    unused input is calibrated to the nearest value in reach). A target calix refuses raises
    ParameterValueError."""
    injected = state.injected_calib_target
    coba = _input_kind(populations) == "coba"
    per_input = {"tau_syn": ("tau_syn_exc", "tau_syn_inh"), "e_coba_reversal": ("e_rev_exc", "e_rev_inh")}
    if not coba:
        del per_input["e_coba_reversal"]
    targets = [(np.asarray(p.atomic_neurons, dtype=np.int64), p.celltype.neuron_targets(
        p.celltype.checked_inputs(p.hardware_parameters(), used_inputs(state, p), p.label))) for p in populations]
    first = targets[0][1]
    adex = [name for name in _ADEX_FIELDS if name in first]
    if any(bool(adex) != any(name in t for name in _ADEX_FIELDS) for _, t in targets):
        labels = [f"{p.label!r} ({type(p.celltype).__name__})" for p in populations]
        raise RuntimeError(f"calix calibrates the AdEx parts for every neuron of the chip or none: the "
                           f"calibrated populations {', '.join(labels)} mix AdEx and LIF cells")
    target_fields = _TARGET_FIELDS + tuple(adex)
    fields = {name: np.full(N_CIRCUITS, float(first[name][0])) for name in target_fields}
    fields.update({name: np.array([np.full(N_CIRCUITS, float(first[key][0])) for key in keys])
                   for name, keys in per_input.items()})
    if injected is not None:
        for name in fields:
            given = injected.neuron_target.per_neuron(name)
            fields[name] = np.where(np.isfinite(given), given, fields[name])
    for atoms, cell_targets in targets:
        for name in target_fields:
            fields[name][atoms] = cell_targets[name]
        for name, keys in per_input.items():
            for i, key in enumerate(keys):
                fields[name][i, atoms] = cell_targets[key]
    try:
        neuron_target = calix.NeuronCalibTarget(
            **fields, membrane_capacitance=int(globals_["cm"]),
            synapse_dac_bias=int(globals_["synapse_dac_bias"]),
            cuba_synin=calix.CalibratedCubaSynapticInput([int(globals_["i_synin_gm_E"]),
                                                          int(globals_["i_synin_gm_I"])]))
        if coba:
            neuron_target.coba_inputs()
    except calix.TargetError as err:
        raise ParameterValueError(f"the calibrated cells' targets cannot be calibrated: {err} (neurons are "
                                  "numbered by their circuits, AtomicNeuronOnDLS)") from None
    cadc_target = injected.cadc_target if injected is not None else calix.CADCCalibTarget()
    return calix.SpikingCalibTarget(cadc_target=cadc_target, neuron_target=neuron_target)


def _key(target: calix.SpikingCalibTarget, options: Any, globals_: dict[str, int]) -> bytes:
    return target.key() + b"|" + pickle.dumps(options) + b"|" + repr(sorted(globals_.items())).encode()


#: how many calibrated base chips :func:`_base_chip` keeps
CHIP_CACHE_SIZE = 4
#: the calibrated base chips of the last calibrations, the most recent last: (digest of calix's
#: result, the base configuration it was applied to (None: lola's default), the chip; shared
#: by the snippets, never changed)
_CHIPS: list[tuple[bytes, lola.Chip | None, lola.Chip]] = []


def _base_chip(state: Any, result: Any, globals_: dict[str, int]) -> lola.Chip:
    """The initial configuration with the calibration applied (with the quadrants' synapse DAC
    biases calix calibrated from ``synapse_dac_bias``). Applying a result takes about a second;
    a later ``setup()`` whose calibration comes from calix's cache gets an equal result (the
    same pickle) on an equal base and takes the chip built then (not to be changed)."""
    base = state.initial_chip()
    digest = hashlib.sha256(pickle.dumps(result)).digest()          # ~15 ms
    for i, (known, known_base, chip) in enumerate(_CHIPS):
        if known == digest and (known_base is base or (known_base is not None and base is not None
                                                      and known_base == base)):
            _CHIPS.append(_CHIPS.pop(i))
            return chip
    chip = result.to_chip(copy.deepcopy(base if base is not None else simulator.preset("default")))
    # the user's initial_config may change after this: kept as it is now
    kept = base if base is None or base is simulator.preset("bypass") else copy.deepcopy(base)
    _CHIPS.append((digest, kept, chip))
    del _CHIPS[:-CHIP_CACHE_SIZE]
    return chip


def calibrate(state: Any) -> None:
    """Calibrate the chip for the network's calibrated populations (see the module's
    documentation); nothing happens if there are none or their targets did not change."""
    populations = calibrated_populations(state)
    if not populations:
        state.calibration = None
        return
    for population in populations:
        population.celltype.check_runnable()
    globals_ = check_globals(populations)
    target = build_target(state, populations, globals_)
    options = state.injected_calib_options
    key = _key(target, options, globals_)
    if state.calibration is None or state.calibration.key != key:
        executor = state.executor()
        log.info("calibrating the neurons of %s (calix; about 20 s unless cached)",
                 ", ".join(repr(p.label) for p in populations))
        paths = [state.calibration_cache] if state.calibration_cache is not None else None
        try:
            result = calix.calibrate(target, options, cache_paths=paths, connection=executor.connection(0))
        finally:
            executor.forget_configuration()        # calix configured the chip its own way
        state.calibration = Calibration(key, result, globals_, _base_chip(state, result, globals_))
    _distribute(state.calibration, populations)


def _distribute(calibration: Calibration, populations: list[Any]) -> None:
    """Each calibrated population's calib_target, calib_hwparams and actual_hwparams (kept
    while neither the calibration nor the population's parameters changed)."""
    neurons = calibration.result.neurons
    success = calibration.result.success_mask()
    coordinates = list(halco.iter_all(halco.AtomicNeuronOnDLS))
    for population in populations:
        stamp = (calibration.key, population.version)
        current = population._calibration
        if current is not None and current.stamp == stamp:
            continue
        atoms = np.asarray(population.atomic_neurons, dtype=np.int64)
        failed = np.flatnonzero(~success[atoms])
        if failed.size:
            log.warning("population %r: %d of %d neurons did not reach every calibration target (cells %s)",
                        population.label, failed.size, atoms.size, failed[:10].tolist())
        hwparams = [copy.deepcopy(neurons[coordinates[a]]) for a in atoms]
        population.celltype.configure_neurons(hwparams, population.hardware_parameters(),
                                              calibration.result.neuron_result, atoms, population.label)
        target = {name: np.array(values, copy=True) for name, values in population.hardware_parameters().items()}
        population._calibration = PopulationCalibration(stamp, target, hwparams,
                                                        tuple(copy.deepcopy(n) for n in hwparams))


__all__ = ["Calibration", "GLOBALS", "PopulationCalibration", "build_target", "calibrate", "check_globals",
           "used_inputs"]
