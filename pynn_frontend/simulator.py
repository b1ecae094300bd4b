"""The simulator's state: what ``setup()`` configured, the network built since, the queued
realtime snippets and the chip connection (grenade's ``JITGraphExecutor``).

``run`` (``run(runtime, RunCommand.EXECUTE)``) takes a snapshot of the network as a realtime
snippet of ``runtime`` hardware milliseconds and runs every queued snippet on the chip, one
after the other; ``RunCommand.APPEND`` only queues a snippet, ``RunCommand.PREPARE`` only maps
(places, routes, applies the ``initial_config``). The chip runs in continuous time: a second
run without ``reset()`` raises ``RuntimeError``.
"""

from __future__ import annotations

import copy
import enum
import logging
import warnings
import weakref
from typing import Any, Sequence

import attrs
import numpy as np
from pyNN import common

import halco
import lola
from grenade.execution import JITGraphExecutor
from grenade.signal_flow.data import TIME_MAX
from .errors import (
    PermutationOverflowError, PermutationTypeError, PermutationValueError, PlacementError,
    SimulationStateError,
)

log = logging.getLogger(__name__)

#: the simulator's name (annotates Neo output)
name = "HX"
#: neuron circuits of the chip
N_CIRCUITS = halco.AtomicNeuronOnDLS.size
#: the longest run [hardware ms]: the FPGA's 32-bit timer at 125 MHz
MAX_RUNTIME_MS = (TIME_MAX + 1) / 125e3 - 1e-6


#: lola's default configuration and the neuron-bypass preset, each built once per process
#: (about 50 ms each): the bases of snippets without an initial configuration, never changed
_PRESETS: dict[str, lola.Chip] = {}


def preset(name: str) -> lola.Chip:
    """The shared preset ``name`` ("default": ``lola.Chip()``, "bypass":
    ``lola.Chip.default_neuron_bypass()``); not to be changed."""
    chip = _PRESETS.get(name)
    if chip is None:
        builders = {"default": lola.Chip, "bypass": lola.Chip.default_neuron_bypass}
        if name not in builders:
            raise ValueError(f"preset must be one of {sorted(builders)}, not {name!r}")
        chip = _PRESETS[name] = builders[name]()
    return chip


def snippet_chip(base: lola.Chip) -> lola.Chip:
    """A chip for one snippet on ``base``: its own neuron block and list of 512 neurons, every
    other part (and every neuron until the snippet replaces it) shared with ``base``, which
    must not change. Safe because a snippet's configuration is only ever changed by replacing
    entries of that list (``mapping.build_chip``, ``mc_mapping.configure``,
    ``current_injection.plan``), never a shared part in place, and grenade runs a copy of it;
    0.1 ms instead of the 16 ms of a deep copy."""
    block = attrs.evolve(base.neuron_block, atomic_neurons=list(base.neuron_block.atomic_neurons))
    return attrs.evolve(base, neuron_block=block)


class RunCommand(enum.Enum):
    """What ``run`` does: ``PREPARE`` maps the network (no hardware), ``APPEND`` queues a
    realtime snippet, ``EXECUTE`` (default) queues one if a runtime is given and runs every
    queued snippet."""

    PREPARE = enum.auto()
    APPEND = enum.auto()
    EXECUTE = enum.auto()


class ID(int, common.IDMixin):
    __doc__ = common.IDMixin.__doc__ + """
    The cell refers to its population weakly: an int subclass is invisible to Python's cycle
    collector, so a strong reference (cell -> population -> its cells) kept every population,
    with its recordings, alive until the process ended."""

    def __init__(self, n: int) -> None:
        int.__init__(n)
        common.IDMixin.__init__(self)

    @property
    def parent(self) -> Any:
        """The population of the cell."""
        ref = self.__dict__.get("_parent_ref")
        if ref is None:
            return common.IDMixin.__getattr__(self, "parent")          # PyNN's error
        population = ref()
        if population is None:
            raise SimulationStateError(f"the population of cell {int(self)} no longer exists (nothing referred "
                                       "to it after its simulation ended)")
        return population

    @parent.setter
    def parent(self, population: Any) -> None:
        object.__setattr__(self, "_parent_ref", weakref.ref(population))


def check_permutation(permutation: Any) -> list[int]:
    """``neuronPermutation`` as a list of AtomicNeuronOnDLS enums, or the real backend's
    errors: a negative or non-integer entry TypeError, an entry >= 512 or a list longer than
    the chip OverflowError, an entry given twice ValueError."""
    try:
        items = list(permutation)
    except TypeError:
        raise PermutationTypeError(f"neuronPermutation must be a list of AtomicNeuronOnDLS enums "
                                   f"(0..{N_CIRCUITS - 1}), not {type(permutation).__name__}") from None
    out = []
    for i, value in enumerate(items):
        if isinstance(value, halco.AtomicNeuronOnDLS):
            value = value.to_enum()
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise PermutationTypeError(f"neuronPermutation[{i}] = {value!r} is not an AtomicNeuronOnDLS "
                                       f"enum (an int in 0..{N_CIRCUITS - 1})")
        if value < 0:
            raise PermutationTypeError(f"neuronPermutation[{i}] = {value} is negative; enums lie in "
                                       f"0..{N_CIRCUITS - 1}")
        if value >= N_CIRCUITS:
            raise PermutationOverflowError(f"neuronPermutation[{i}] = {value} is not a neuron circuit "
                                           f"(AtomicNeuronOnDLS enums lie in 0..{N_CIRCUITS - 1})")
        out.append(int(value))
    if len(out) > N_CIRCUITS:
        raise PermutationOverflowError(f"neuronPermutation has {len(out)} entries; the chip has "
                                       f"{N_CIRCUITS} neuron circuits")
    seen: dict[int, int] = {}
    for i, value in enumerate(out):
        if value in seen:
            raise PermutationValueError(f"neuronPermutation lists circuit {value} twice (entries "
                                        f"{seen[value]} and {i})")
        seen[value] = i
    return out


class Placement:
    """Which neuron circuit each on-chip cell uses: the n-th cell (counted over all on-chip
    populations in creation order) sits on ``permutation[n]``."""

    def __init__(self, permutation: Sequence[int] | None = None) -> None:
        self.permutation = np.arange(N_CIRCUITS) if permutation is None else np.asarray(permutation, dtype=np.int64)
        #: the circuits taken, in the order they were taken (multi-compartment cells take
        #: blocks of circuits: pynn_frontend.mc_mapping)
        self.taken: list[int] = []

    @property
    def used(self) -> int:
        """How many circuits are taken; setting a smaller number gives the last ones back."""
        return len(self.taken)

    @used.setter
    def used(self, count: int) -> None:
        del self.taken[count:]

    def free(self) -> np.ndarray:
        """The circuits not taken yet, in the permutation's order."""
        return self.permutation[~np.isin(self.permutation, self.taken)]

    def allocate(self, size: int, label: str) -> np.ndarray:
        """The circuits (AtomicNeuronOnDLS enums) of ``size`` more cells; PlacementError if they
        do not fit (nothing is allocated then)."""
        free = self.free()
        if size > len(free):
            where = "the chip's" if len(self.permutation) == N_CIRCUITS else "neuronPermutation's"
            raise PlacementError(f"population {label!r} of {size} neurons does not fit: {len(free)} of "
                                 f"{where} {len(self.permutation)} neuron circuits are left")
        atoms = free[:size].copy()
        self.taken.extend(atoms.tolist())
        return atoms


class State(common.control.BaseState):
    """The simulator's state (one per ``setup()``)."""

    #: default time step [hardware ms]: the real backend's mean MADC sample spacing
    dt = 3.4e-05

    def __init__(self, configured: bool = False) -> None:
        super().__init__()
        self.configured = configured
        self.ended = False
        self.mpi_rank = 0
        self.num_processes = 1
        self.record_sample_times = True
        self.dt = State.dt
        self.min_delay = 0.0
        self.max_delay = 0.0
        # what setup() configures
        self.initial_config: lola.Chip | None = None
        self.enable_neuron_bypass = False
        self.placement = Placement()
        self.background_permutation: list[int] | None = None
        self.injected_config: Any = None
        self.injected_readout: Any = None
        self.chip_id = 0
        self.rng_seed = 0
        #: user milliseconds per hardware millisecond: 1 here, 1000 in pynn_frontend.biological
        self.time_scale = 1.0
        #: pynn_frontend.biological: a run after a run starts where the last ended (the neurons
        #: from their reset state) instead of raising; analog data as PyNN's AnalogSignals
        self.continue_runs = False
        self.biological = False
        self._continuation_warned = False
        # the calibrated cell types
        self.calibration_cache: Any = None
        self.injected_calib_target: Any = None
        self.injected_calib_options: Any = None
        #: the chip's membrane capacitance (0..63) under PyNN's standard cell types (None: their
        #: default, pynn_frontend.standardmodels.biological.HARDWARE_CAPACITANCE)
        self.hardware_capacitance: int | None = None
        #: the chip's calibration for the network (pynn_frontend.calibration.Calibration)
        self.calibration: Any = None
        self._executor: JITGraphExecutor | None = None
        self._own_executor = True
        # the network
        self.populations: list = []
        #: the current sources injected into cells (pynn_frontend.electrodes)
        self.current_sources: list = []
        self.projections: list = []
        #: the plasticity rules made since setup() (pynn_frontend.plasticity), as the real backend's
        self.plasticity_rules: list = []
        self.id_counter = 0
        self.segment_counter = -1
        #: (network, routing, graph) of the last mapping, reused while only weights change
        self.routed: tuple | None = None
        #: results of the injected readout
        self.pre_realtime_read: dict = {}
        self.post_realtime_read: dict = {}
        self.reset()

    # -- guards ------------------------------------------------------------------------------------
    def require_setup(self) -> None:
        if not self.configured:
            raise SimulationStateError("call pynn_frontend.setup() first")
        if self.ended:
            raise SimulationStateError("the simulation has ended (end()); call setup() again for a new one")

    # -- the base configuration ------------------------------------------------------------------------
    def has_initial_config(self) -> bool:
        return self.enable_neuron_bypass or self.initial_config is not None

    def initial_chip(self) -> lola.Chip | None:
        """The configuration neurons take their parameters from (``initial_config``, or the
        bypass preset), None without one. Not to be changed."""
        if self.enable_neuron_bypass:
            return preset("bypass")
        return self.initial_config

    def base_chip(self) -> lola.Chip:
        """The configuration a snippet starts from, its own to change by replacing neurons
        (with the calibration of the calibrated cell types applied, if there are any). The
        user's ``initial_config`` is copied deeply (it may change between runs); the
        simulator's own bases (the calibrated chip, the presets) are shared
        (:func:`snippet_chip`)."""
        if self.calibration is not None:
            return snippet_chip(self.calibration.chip)
        if self.initial_config is not None and not self.enable_neuron_bypass:
            return copy.deepcopy(self.initial_config)
        return snippet_chip(preset("bypass" if self.enable_neuron_bypass else "default"))

    # -- the chip connection -------------------------------------------------------------------------
    def executor(self) -> JITGraphExecutor:
        if self._executor is None:
            self._executor = JITGraphExecutor(chip_ids=[self.chip_id])
            self._own_executor = True
        return self._executor

    def use_connection(self, connection: Any) -> None:
        """Run on a given ``JITGraphExecutor`` (kept open by ``end()``)."""
        if not isinstance(connection, JITGraphExecutor):
            raise TypeError(f"connection must be a grenade.execution.JITGraphExecutor, not "
                            f"{type(connection).__name__}")
        self._executor = connection
        self._own_executor = False

    def close(self) -> None:
        if self._executor is not None and self._own_executor:
            self._executor.close()
        self._executor = None

    # -- time ----------------------------------------------------------------------------------------
    def run(self, runtime: float | None, command: RunCommand = RunCommand.EXECUTE) -> float:
        from . import mapping            # the network side imports the populations' modules

        self.require_setup()
        if not isinstance(command, RunCommand):
            raise TypeError(f"command must be a RunCommand (PREPARE, APPEND, EXECUTE), not {command!r}")
        if runtime is not None:
            unit = "hardware ms" if self.time_scale == 1.0 else "ms"
            if isinstance(runtime, bool) or not isinstance(runtime, (int, float, np.integer, np.floating)) \
                    or not np.isfinite(runtime) or runtime < 0:
                raise ValueError(f"runtime must be a finite number of {unit} >= 0, not {runtime!r}")
            runtime = float(runtime)
            if runtime > MAX_RUNTIME_MS * self.time_scale:
                raise ValueError(f"runtime {runtime:g} ms: a realtime snippet lasts at most "
                                 f"{MAX_RUNTIME_MS * self.time_scale:g} {unit} (the FPGA's 32-bit timer "
                                 "at 125 MHz)")
        if command is RunCommand.PREPARE:
            mapping.prepare(self)
            return self.t
        if self.running and self.continue_runs:
            self._warn_continuation()
        elif self.running:
            raise SimulationStateError(
                "the chip runs in continuous time: a second run needs reset() first (run, get the "
                "data, reset, change the network, run again; or queue snippets with "
                "RunCommand.APPEND and run them with RunCommand.EXECUTE)")
        if command is RunCommand.APPEND:
            if runtime is None:
                raise ValueError("run(runtime, RunCommand.APPEND) needs a runtime")
            self.snippets.append(mapping.plan_snippet(self, self.t, runtime))
            self.t += runtime
            return self.t
        if runtime is not None:
            self.snippets.append(mapping.plan_snippet(self, self.t, runtime))
            self.t += runtime
        if not self.snippets:
            raise ValueError("run(None, RunCommand.EXECUTE) with no snippet queued: give a runtime or "
                             "queue snippets with RunCommand.APPEND")
        snippets, self.snippets = self.snippets, []
        try:
            for snippet in snippets:
                mapping.execute(self, snippet)
        except BaseException:
            self.t = snippets[0].t_start
            for recorder in self.recorders:
                recorder.drop_snippets_from(snippets[0].t_start)
            raise
        self.running = True
        return self.t

    def _warn_continuation(self) -> None:
        if self._continuation_warned:
            return
        self._continuation_warned = True
        message = (f"run() after run() without reset(): the chip cannot continue a run, so this one starts at "
                   f"t = {self.t:g} ms with every neuron from its reset state again (inputs, time and "
                   "recordings continue; the membranes, synaptic currents and refractory states do not)")
        log.warning(message)
        warnings.warn(message, RuntimeWarning, stacklevel=4)

    def run_until(self, tstop: float) -> float:
        return self.run(tstop - self.t)

    def clear(self) -> None:
        self.recorders = set()
        self.populations = []
        self.current_sources = []
        self.projections = []
        self.plasticity_rules = []
        self.id_counter = 0
        self.segment_counter = -1
        self.reset()

    def reset(self) -> None:
        """Back to t = 0 and a new segment; the network and the recording settings stay."""
        self.running = False
        self.t = 0.0
        self.t_start = 0.0
        self.snippets: list = []
        self.segment_counter += 1
        for recorder in self.recorders:
            recorder.clear_snippets()


#: the current state; ``setup()`` replaces it
state = State()
