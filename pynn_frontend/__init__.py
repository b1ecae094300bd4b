"""PyNN for the BrainScaleS-2 chip: ``import pynn_frontend as pynn``.

A backend of the ``pyNN`` package (0.13) with the surface and semantics of the real
``pynn_brainscales.brainscales2`` module, running on grenade and the emulated chip. Times are
hardware milliseconds (the chip runs 1000x faster than biology: 0.1 ms of hardware time is
100 ms of biological time; 1 ms = 125000 FPGA cycles), neuron parameters are the chip's DAC
values (``HXNeuron``), recorded voltages raw ADC codes::

    import pynn_frontend as pynn

    pynn.setup()
    neuron = pynn.Population(1, pynn.cells.HXNeuron(
        leak_v_leak=1000, leak_i_bias=150, threshold_v_threshold=300, threshold_enable=True,
        reset_v_reset=400, reset_i_bias=1022, reset_enable_multiplication=True,
        membrane_capacitance_capacitance=63, refractory_period_refractory_time=255))
    neuron.record(["v", "spikes"])
    pynn.run(0.1)                                # 0.1 ms of hardware time
    block = neuron.get_data()                    # neo.Block: one segment per reset
    pynn.end()

Current sources (``DCSource``, ``StepCurrentSource``, ``ACSource``, ``NoisyCurrentSource``;
:mod:`pynn_frontend.electrodes`) drive each cell's offset-current source by timed CapMem
writes during the run; their amplitudes are CapMem LSB of that source (signed: negative
currents sink).

Beyond PyNN: ``run(runtime, command=RunCommand.PREPARE | APPEND | EXECUTE)`` (map only; queue
a realtime snippet; run the queue), ``setup(neuronPermutation=..., initial_config=...,
enable_neuron_bypass=..., injected_config=..., chip_id=...)``, the recording ``device``
('madc', 'cadc', 'pad_0', 'pad_1') and ``Projection.placed_connections``.

Calibrated neurons: ``CalibHXNeuronCuba`` / ``CalibHXNeuronCoba`` are calibrated by calix when
the network is mapped (:mod:`pynn_frontend.calibration`; cached), with ``calib_target``,
``calib_hwparams`` and ``actual_hwparams`` on their populations. :mod:`pynn_frontend.biological`
is this backend in biological time with PyNN's standard cell types (``IF_curr_exp``,
``IF_cond_exp``) on calibrated neurons.

Where this backend differs from the real one: the realtime snippets of one ``EXECUTE`` run as
consecutive grenade runs on the same chip, each starting with grenade's neuron reset; times
are converted to FPGA cycles with grenade's helpers (rounded, not truncated); recorded spikes of
spike sources are their loop-back through the chip (a few tens of ns later than sent); pads
return no data (the emulated chip has no oscilloscope); ``initialize(v=...)`` (which the real
backend ignores) sets where the membrane starts, through the run's first reset: HXNeuron's ``v``
is that reset's ``reset_v_reset`` CapMem value, calibrated cells' ``v`` their potential
(:mod:`pynn_frontend.initial_values`); ``CalibHXNeuronCuba``'s
``v_thresh`` defaults to 140 and ``cm`` is global (calix takes one capacitance).

Multi-compartment neurons (:mod:`pynn_frontend.morphology`): ``create_mc_neuron(name,
compartments=[Compartment(positions=..., label=..., connect_shared_line=...,
connect_conductance=...)], connections=[SharedLineConnection(start, stop, row)])`` makes a cell
type placed as a ``lola.LogicalNeuron``; connectors' ``location_selector`` picks the
postsynaptic compartment, ``record(..., locations=[label, ...])`` the recorded ones.

Plasticity rules (:mod:`pynn_frontend.plasticity`): ``PlasticityRule(Timer(start, period,
num_periods), observables, kernel=...)`` runs a libnux_vm kernel on the PPUs over the synapses
of ``PlasticSynapse(weight, plasticity_rule=rule)`` projections and the neurons of
``HXNeuron(plasticity_rule=rule)`` populations; observables come back per run.
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

import calix
import lola
from grenade.common import SPEEDUP
from grenade.execution import JITGraphExecutor
from pyNN import common
from pyNN import random, space  # noqa: F401
from pyNN.network import Network  # noqa: F401
from pyNN.parameters import Sequence  # noqa: F401
from pyNN.random import GSLRNG, NativeRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.recording import get_io
from pyNN.space import Space  # noqa: F401

from . import errors, helper, mapping, morphology, recording, simulator, standardmodels  # noqa: F401
from .connectors import (  # noqa: F401
    AllToAllConnector, ArrayConnector, CloneConnector, Connector, CSAConnector,
    DisplacementDependentProbabilityConnector, DistanceDependentProbabilityConnector,
    FixedNumberPostConnector, FixedNumberPreConnector, FixedProbabilityConnector,
    FixedTotalNumberConnector, FromFileConnector, FromListConnector, IndexBasedProbabilityConnector,
    OneToOneConnector, SmallWorldConnector,
)
from .electrodes import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource
from .injection import InjectedConfiguration, InjectedReadout
from . import plasticity as plasticity_rules  # noqa: F401  (the real backend's module name)
from .plasticity import PlasticityRule, Timer
from .populations import Assembly, Population, PopulationView
from .projections import Projection
from .simulator import RunCommand
from .standardmodels import cells, synapses
from .standardmodels.cells import (  # noqa: F401
    CalibHXNeuronCoba, CalibHXNeuronCuba, HXNeuron, SpikeSourceArray, SpikeSourcePoisson,
    SpikeSourcePoissonOnChip,
)
from .standardmodels.renewal_sources import SpikeSourceGamma, SpikeSourcePoissonRefractory
from .standardmodels.synapses import PlasticSynapse, StaticSynapse  # noqa: F401
from .stdp import AdditiveWeightDependence, MultiplicativeWeightDependence, SpikePairRule, STDPMechanism

log = logging.getLogger(__name__)

#: setup() keywords of this backend
_OWN = {"neuronPermutation", "backgroundPermutation", "enable_neuron_bypass", "initial_config",
        "injected_config", "injected_readout", "connection", "chip_id", "rng_seed", "max_delay",
        "calibration_cache", "injected_calib_target", "injected_calib_options", "hardware_capacitance"}
#: setup() keywords other PyNN backends take; accepted and ignored here
_IGNORED = {"threads", "t_flush", "spike_precision", "verbosity", "rank", "num_processes"}


def list_standard_models() -> list[type]:
    """The cell types of the chip's neurons."""
    return [cells.HXNeuron, cells.CalibHXNeuronCuba, cells.CalibHXNeuronCoba]


def setup(timestep: float = simulator.State.dt, min_delay: Any = "auto", **extra_params: Any) -> int:
    """Start a new simulation (any earlier one is ended; its network is gone).

    ``timestep`` [hardware ms] is nominal (the chip runs in continuous time; default: the mean
    MADC sample spacing of the real backend); ``min_delay``/``max_delay`` "auto" mean 0. Extra
    keywords: ``neuronPermutation`` (circuit of the n-th on-chip cell), ``backgroundPermutation``
    (PADI bus of the n-th on-chip Poisson population), ``enable_neuron_bypass`` (every neuron
    relays its excitatory input spikes: the ``lola.Chip.default_neuron_bypass()`` preset),
    ``initial_config`` (a ``lola.Chip``, e.g. a calibration: the neurons' parameters come from
    it), ``injected_config`` / ``injected_readout``, ``connection`` (a
    ``grenade.execution.JITGraphExecutor`` to run on; kept open by ``end()``), ``chip_id`` (the
    emulated chip), ``rng_seed`` (the host Poisson sources' seed), ``calibration_cache`` (the
    directory calix caches the calibrated cell types' calibrations in; default
    ``$XDG_CACHE_HOME/calix``), ``injected_calib_target`` (a ``calix.SpikingCalibTarget``: its CADC
    target and the targets of circuits without calibrated cells; the calibrated populations'
    parameters override it for their cells), ``injected_calib_options`` (a
    ``calix.SpikingCalibOptions``), ``hardware_capacitance`` (0..63: the chip's membrane capacitance
    under PyNN's standard cell types, default
    :data:`~pynn_frontend.standardmodels.biological.HARDWARE_CAPACITANCE`: smaller keeps large
    PSPs linear, larger resolves small weights finer). Any other keyword raises ``KeyError``.
    """
    return _setup(timestep, min_delay, extra_params)


def _setup(timestep: float, min_delay: Any, extra_params: dict[str, Any], biological: bool = False) -> int:
    """``setup`` of this module (``biological=False``: times in hardware ms) or of
    :mod:`pynn_frontend.biological` (times in biological ms: the 1000x speed-up)."""
    unknown = frozenset(extra_params) - _OWN - _IGNORED
    if unknown:
        raise KeyError(f"unhandled extra_params in call to pynn_frontend.setup(...): {sorted(unknown)}")
    ignored = frozenset(extra_params) & _IGNORED
    if ignored:
        log.info("setup(): %s mean nothing on the chip and are ignored", sorted(ignored))
    if isinstance(timestep, bool) or not isinstance(timestep, (int, float)) or not timestep > 0:
        raise ValueError(f"timestep must be a positive number of {'' if biological else 'hardware '}ms, "
                         f"not {timestep!r}")
    max_delay = extra_params.get("max_delay", "auto")
    generic = {k: v for k, v in extra_params.items() if k == "max_delay"}
    common.setup(timestep, min_delay, **generic)
    permutation = extra_params.get("neuronPermutation")
    permutation = None if permutation is None else simulator.check_permutation(permutation)
    background = extra_params.get("backgroundPermutation")
    if background is not None:
        background = [int(b) for b in background]
        if any(not 0 <= b < 4 for b in background) or len(frozenset(background)) != len(background):
            raise ValueError(f"backgroundPermutation lists distinct PADI buses 0..3, not {background}")
    initial_config = extra_params.get("initial_config")
    if initial_config is not None and not isinstance(initial_config, lola.Chip):
        raise TypeError(f"initial_config must be a lola.Chip, not {type(initial_config).__name__}")
    bypass = extra_params.get("enable_neuron_bypass", False)
    if not isinstance(bypass, bool):
        raise TypeError(f"enable_neuron_bypass must be a bool, not {bypass!r}")
    if bypass and initial_config is not None:
        log.info("setup(): enable_neuron_bypass replaces the given initial_config")
    injected = extra_params.get("injected_config")
    if injected is not None:
        if not isinstance(injected, InjectedConfiguration):
            raise TypeError(f"injected_config must be an InjectedConfiguration, not {type(injected).__name__}")
        injected.to_hooks()                       # checks the hooks now
    readout = extra_params.get("injected_readout")
    if readout is not None:
        if not isinstance(readout, InjectedReadout):
            raise TypeError(f"injected_readout must be an InjectedReadout, not {type(readout).__name__}")
        readout.check()
    chip_id = extra_params.get("chip_id", 0)
    if isinstance(chip_id, bool) or not isinstance(chip_id, int) or chip_id < 0:
        raise ValueError(f"chip_id must be an int >= 0, not {chip_id!r}")
    seed = extra_params.get("rng_seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"rng_seed must be an int >= 0, not {seed!r}")
    cache = extra_params.get("calibration_cache")
    if cache is not None and not isinstance(cache, (str, os.PathLike)):
        raise TypeError(f"calibration_cache must be a directory (str or path), not {type(cache).__name__}")
    calib_target = extra_params.get("injected_calib_target")
    if calib_target is not None and not isinstance(calib_target, calix.SpikingCalibTarget):
        raise TypeError(f"injected_calib_target must be a calix.SpikingCalibTarget, not "
                        f"{type(calib_target).__name__}")
    calib_options = extra_params.get("injected_calib_options")
    if calib_options is not None and not isinstance(calib_options, calix.SpikingCalibOptions):
        raise TypeError(f"injected_calib_options must be a calix.SpikingCalibOptions, not "
                        f"{type(calib_options).__name__}")
    capacitance = extra_params.get("hardware_capacitance")
    if capacitance is not None and (isinstance(capacitance, bool) or not isinstance(capacitance, int)
                                    or not 0 <= capacitance <= 63):
        raise ValueError(f"hardware_capacitance must be an int 0..63 (the chip's membrane_capacitance), "
                         f"not {capacitance!r}")
    connection = extra_params.get("connection")
    if connection is not None and not isinstance(connection, JITGraphExecutor):
        raise TypeError(f"connection must be a grenade.execution.JITGraphExecutor, not "
                        f"{type(connection).__name__}")

    old = simulator.state
    if old is not None:
        old.close()
    state = simulator.State(configured=True)
    if biological:
        state.time_scale = float(SPEEDUP)
        state.continue_runs = True
        state.biological = True
    state.dt = float(timestep)
    state.min_delay = 0.0 if min_delay == "auto" else float(min_delay)
    state.max_delay = 0.0 if max_delay == "auto" else float(max_delay)
    state.placement = simulator.Placement(permutation)
    state.background_permutation = background
    state.initial_config = initial_config
    state.enable_neuron_bypass = bypass
    state.injected_config = injected
    state.injected_readout = readout
    state.chip_id = chip_id
    state.rng_seed = seed
    state.calibration_cache = cache
    state.injected_calib_target = calib_target
    state.injected_calib_options = calib_options
    state.hardware_capacitance = capacitance
    if connection is not None:
        state.use_connection(connection)
    simulator.state = state
    return rank()


def end(compatible_output: bool = True) -> None:
    """End the simulation: write the files ``record(..., to_file=...)`` asked for and close the
    chip connection (unless it was given to ``setup``). Recorded data stay readable; a new
    simulation needs ``setup()``."""
    state = simulator.state
    for population, variables, filename in state.write_on_end:
        population.write_data(get_io(filename), variables)
    state.write_on_end = []
    state.close()
    state.ended = True


def run(runtime: float | None, command: RunCommand = RunCommand.EXECUTE) -> float:
    """Run for ``runtime`` hardware ms (see :class:`RunCommand`); returns the time reached."""
    return simulator.state.run(runtime, command)


run_for = run


def run_until(tstop: float) -> float:
    """Run until ``tstop`` hardware ms."""
    state = simulator.state
    state.require_setup()
    if tstop - state.t < -state.dt / 2:
        raise ValueError(f"time {tstop:g} is in the past (current time {state.t:g})")
    return state.run(max(0.0, tstop - state.t))


def preprocess() -> None:
    """Deprecated: ``run(None, RunCommand.PREPARE)``."""
    warnings.warn("preprocess() is deprecated; use run(None, RunCommand.PREPARE)", DeprecationWarning,
                  stacklevel=2)
    run(None, RunCommand.PREPARE)


reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes, rank = \
    common.build_state_queries(simulator)

create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)
set = common.set
record = common.build_record(simulator)


def get_pre_realtime_read() -> dict:
    """The coordinates of ``InjectedReadout.pre_realtime`` as read before the last run."""
    return _read("pre_realtime_read")


def get_post_realtime_read() -> dict:
    """The coordinates of ``InjectedReadout.post_realtime`` as read after the last run."""
    return _read("post_realtime_read")


def _read(name: str) -> dict:
    state = simulator.state
    state.require_setup()
    if state.injected_readout is None or not state.running:
        raise errors.SimulationStateError("no injected readout yet: give setup(injected_readout=...) and run")
    return dict(getattr(state, name))


__all__ = [
    "ACSource", "DCSource", "NoisyCurrentSource", "StepCurrentSource",
    "AllToAllConnector", "ArrayConnector", "Assembly", "CSAConnector", "CloneConnector",
    "DisplacementDependentProbabilityConnector", "DistanceDependentProbabilityConnector",
    "FixedNumberPostConnector", "FixedNumberPreConnector", "FixedProbabilityConnector",
    "FixedTotalNumberConnector", "FromFileConnector", "FromListConnector", "GSLRNG", "HXNeuron",
    "CalibHXNeuronCoba", "CalibHXNeuronCuba",
    "IndexBasedProbabilityConnector", "InjectedConfiguration", "InjectedReadout", "NativeRNG",
    "PlasticSynapse", "PlasticityRule", "Timer", "plasticity_rules",
    "AdditiveWeightDependence", "MultiplicativeWeightDependence", "SpikePairRule", "STDPMechanism",
    "Network", "NumpyRNG", "OneToOneConnector", "Population", "PopulationView", "Projection",
    "RandomDistribution", "RunCommand", "Sequence", "SmallWorldConnector", "Space",
    "SpikeSourceArray", "SpikeSourceGamma", "SpikeSourcePoisson", "SpikeSourcePoissonOnChip",
    "SpikeSourcePoissonRefractory", "StaticSynapse", "cells",
    "connect", "create", "end", "errors", "get_current_time", "get_max_delay", "get_min_delay",
    "get_post_realtime_read", "get_pre_realtime_read", "get_time_step", "helper", "initialize",
    "list_standard_models", "morphology", "num_processes", "preprocess", "rank", "record", "reset", "run",
    "run_for", "run_until", "set", "setup", "simulator", "standardmodels", "synapses",
]
