"""Plasticity rules: kernels the chip's two embedded processors (PPUs) run during a run, on a
timer, over the synapses of projections and the neurons of populations (the real backend's
``pynn_brainscales.brainscales2.plasticity_rules``).

- :class:`Timer` ``(start, period, num_periods)``: when the kernel runs [hardware ms]: at
  ``start + k * period`` for ``k < num_periods``, counted from the start of the experiment
  (``t = 0``); each realtime snippet runs the periods that start inside it.
- :class:`PlasticityRule` ``(timer, observables=None, same_id=0, kernel=None)``: the kernel is
  ``libnux_vm`` source (the project's C-like kernel language, not C++), given as ``kernel=`` or
  returned by an overridden :meth:`PlasticityRule.generate_kernel`. It is attached with
  :class:`PlasticSynapse` ``(weight, delay=0, plasticity_rule=rule)`` to projections and with
  ``HXNeuron(plasticity_rule=rule)`` (or a calibrated cell type) to populations; one rule may
  serve several of each.

What the kernel sees. Its entry point is ``void PLASTICITY_RULE_KERNEL(int32 synapses, int32
neurons, int32 period)``: ``PLASTICITY_RULE_KERNEL`` is the real backend's placeholder name, which
the backend renames (to ``plasticity_rule_kernel``, of the same length, so that line and column
numbers stay the user's) and calls from a generated entry point. Both PPUs run the kernel, each
with the handles of its own hemisphere (top: neuron columns of circuits 0..255, bottom:
256..511), so that, unlike the real backend's handle arrays, a kernel never sees the other
hemisphere's views and need not check ``ppu``:

- ``synapses + k``: the k-th of the rule's grenade projections with synapses on this hemisphere
  (its projections in the order they were created; a projection between one pre and one post
  population is one grenade projection): the rows and columns of that projection's synapses.
  The generated ``view_row(synapses + k, i)`` gives the view's i-th row (0..255; -1 past the
  last), so ``for (int32 i = 0; view_row(synapses, i) >= 0; i++)`` walks them;
  ``get_weights`` / ``set_weights`` read and write whole rows (lanes: neuron columns), but
  writes reach only the view's columns;
- ``neurons + k``: likewise the k-th of its populations with neurons on this hemisphere:
  ``get_rate_counters(neurons, reset)`` (spikes since the last reset, saturating at 255;
  grenade resets them right before each realtime snippet: the first call counts its spikes),
  ``get_analog_readouts``, ``reset_neurons``, ``set_capmem`` (a CapMem cell of the view's
  neurons);
- ``period``: the index ``k`` of the timer's period (counted over the whole experiment, not the
  snippet).

Lanes of the 256-lane vectors are neuron columns (``atom % 256``) in both kinds of view.
Globals of the kernel start from their initial values in every snippet (the PPU program is
loaded anew). Time on the PPU counts (250 MHz, every instruction and built-in has its cost):
the first ``view_row`` or ``record_<name>`` of a view in a snippet walks its 256 rows and
lanes once (about 12000 PPU cycles, 50 us of hardware time), later calls are cheap; a call that
outlasts its period delays the next one, and periods that cannot start before their end are
missed (grenade warns and counts them). Names the backend generates: ``recording_*``,
``record_*``, ``view_row``, ``pynn_*``.

Observables (``observables={name: ...}``), recorded once per call of the kernel:

- ``ObservablePerSynapse(type, layout_per_row)``: the kernel calls the generated
  ``record_<name>(synapses + k, row, values)`` with a row of its view and a vector (``vec_u8`` for
  the unsigned types, ``vec_s8`` for the signed ones); read back per connection with
  ``projection.get_data(name)``;
- ``ObservablePerNeuron(type, layout)``: ``record_<name>(neurons + k, values)``; read back per
  neuron with ``population.get_plasticity_data(name)``;
- ``ObservableArray(type, size)``: the kernel writes the generated global array
  ``recording_<name>[size]`` (zeroed before each call); read back with
  ``rule.get_observable_array(name)``;
- the global ``recording_time`` (``uint32``) is set to ``now()`` (PPU cycles since the snippet's
  start) before each call; a kernel may overwrite it. Results report it in FPGA cycles (125 MHz:
  ``time / 125 / 1000`` is ms), as the real backend's ``.time``.

Each result is a list over the run's realtime snippets of lists over the kernel's calls (the
calls that ran to their end: periods the PPU missed are not there); each call an
:class:`ObservableEntry` with ``.time`` and ``.data``. The recordings live in the PPU's 16 KiB of
memory until the snippet ends: a rule whose observables do not fit raises before the run.

Weights a rule writes act for the rest of its snippet. Each snippet, and each run, starts from
the projection's weights (``projection.get("weight")``, which a rule does not change: it is the
initial weight, as in the real backend); record the weights as an observable to see them.

Differences from the real backend: the kernel language (libnux_vm, not C++ with libnux and
grenade headers); handles per PPU as described; one rule per hemisphere (the PPU runs one
program); ``same_id`` is kept but state does not carry over between snippets; observable memory
is the PPU's own (16 KiB); per-synapse observables need one hardware synapse per connection
(weights up to 63).
"""

from __future__ import annotations

import logging
import math
from typing import Any

import attrs
import numpy as np

import grenade.network as gn
from libnux_vm.runtime import DISPATCH_CYCLES
from . import simulator
from .plasticity_kernel import (  # noqa: F401  (the observables are part of this module's surface)
    EMPTY_KERNEL, IDENTIFIER, ObservableArray, ObservablePerNeuron, ObservablePerSynapse, ObservableType,
    check_kernel,
)
from .standardmodels.synapses import PlasticSynapse  # noqa: F401  (here too, as the real module has it)

log = logging.getLogger(__name__)

#: PPU cycles (250 MHz) per ms of hardware time
PPU_CYCLES_PER_MS = 250_000
#: PPU cycles per FPGA cycle (the results' ``.time`` is in FPGA cycles, 125 MHz)
PPU_CYCLES_PER_FPGA_CYCLE = 2


# -- timer ------------------------------------------------------------------------------------------

def _number(name: str, value: Any, positive: bool) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"Timer.{name} is a number of hardware ms, not {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"Timer.{name} = {value!r}: it must be a finite number of hardware ms "
                         f"{'> 0' if positive else '>= 0'}")
    return value


def _count(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or float(value) != int(value):
        raise TypeError(f"Timer.num_periods is a whole number of periods, not {value!r}")
    if value < 0:
        raise ValueError(f"Timer.num_periods = {value!r}: it must be >= 0")
    return int(value)


class Timer:
    """When a plasticity rule's kernel runs: at ``start + k * period`` for ``k`` in
    ``0 .. num_periods - 1`` [hardware ms since the start of the experiment]. ``period`` must
    exceed the PPU scheduler's dispatch (40 PPU cycles, 0.16 us); a call that does not end
    within its period makes the next periods be missed (grenade warns and counts them). Further
    keyword arguments are kept in ``parameters`` (as in the real backend)."""

    def __init__(self, start: float, period: float, num_periods: int, **parameters: Any) -> None:
        self.start = start
        self.period = period
        self.num_periods = num_periods
        self.parameters = dict(parameters)

    @property
    def start(self) -> float:
        """The first period's start [hardware ms]."""
        return self._start

    @start.setter
    def start(self, value: float) -> None:
        self._start = _number("start", value, positive=False)

    @property
    def period(self) -> float:
        """The period [hardware ms]."""
        return self._period

    @period.setter
    def period(self, value: float) -> None:
        value = _number("period", value, positive=True)
        if round(value * PPU_CYCLES_PER_MS) <= DISPATCH_CYCLES:
            raise ValueError(f"Timer.period = {value!r} ms: a period must be longer than the PPU "
                             f"scheduler's dispatch of {DISPATCH_CYCLES} PPU cycles "
                             f"({DISPATCH_CYCLES / PPU_CYCLES_PER_MS:g} ms)")
        self._period = value

    @property
    def num_periods(self) -> int:
        """How many periods."""
        return self._num_periods

    @num_periods.setter
    def num_periods(self, value: int) -> None:
        self._num_periods = _count(value)

    def periods_in(self, begin: float, end: float) -> tuple[int, int]:
        """(first period index, number of periods) whose start lies in ``[begin, end)``
        [hardware ms]."""
        first = max(0, math.ceil((begin - self.start) / self.period - 1e-9))
        stop = self.num_periods if math.isinf(end) else \
            min(self.num_periods, max(0, math.ceil((end - self.start) / self.period - 1e-9)))
        return first, max(0, stop - first)

    def to_grenade(self, begin: float, end: float, time_scale: float = 1.0) -> tuple[gn.PlasticityTimer, int]:
        """The grenade timer of the snippet ``[begin, end)`` (PPU cycles after the snippet's
        start) and the index of its first period. ``time_scale``: the user's ms per hardware
        ms."""
        first, count = self.periods_in(begin, end)
        cycles = PPU_CYCLES_PER_MS / time_scale
        start = int(round((self.start + first * self.period - begin) * cycles))
        return gn.PlasticityTimer(max(0, start), int(round(self.period * cycles)), count), first

    def __repr__(self) -> str:
        return f"Timer(start={self.start!r}, period={self.period!r}, num_periods={self.num_periods!r})"


# -- results ----------------------------------------------------------------------------------------

class FPGATime(int):
    """A time in FPGA cycles (125 MHz) since the snippet's start; ``value()`` as the real
    backend's ``hal.Timer.Value``."""

    def value(self) -> int:
        return int(self)


@attrs.frozen
class ObservableEntry:
    """One call's recording: ``time`` [FPGA cycles since the snippet's start, 125 per us] and
    ``data`` (per synapse: one value per connection of the projection; per neuron: one per
    neuron of the population; an array: the top PPU's ``size`` values, then the bottom's)."""

    time: FPGATime
    data: np.ndarray
    #: the index of the timer's period
    period: int = 0


# -- the rule ---------------------------------------------------------------------------------------

class PlasticityRule:
    """A kernel the PPUs run on ``timer`` over the projections (:class:`PlasticSynapse`) and
    populations (cell types with ``plasticity_rule=``) it is attached to; see the module
    docstring for what the kernel sees. ``observables``: name -> :class:`ObservablePerSynapse`,
    :class:`ObservablePerNeuron` or :class:`ObservableArray`. ``kernel``: libnux_vm source
    (checked now: a :class:`~pynn_frontend.errors.KernelCompileError` names the line); without it
    :meth:`generate_kernel` gives it (override it as in the real backend; checked when the
    network is mapped). ``same_id``: rules with the same id must have the same kernel (the real
    backend shares their state between snippets; here every snippet starts afresh)."""

    ObservablePerSynapse = ObservablePerSynapse
    ObservablePerNeuron = ObservablePerNeuron
    ObservableArray = ObservableArray
    _simulator = simulator

    def __init__(self, timer: Timer, observables: dict[str, Any] | None = None, same_id: int = 0,
                 kernel: str | None = None) -> None:
        self.timer = timer
        self.observables = {} if observables is None else observables
        if isinstance(same_id, bool) or not isinstance(same_id, (int, np.integer)):
            raise TypeError(f"same_id is an int, not {same_id!r}")
        self.same_id = int(same_id)
        if kernel is not None and not isinstance(kernel, str):
            raise TypeError(f"kernel is libnux_vm source text (str), not {type(kernel).__name__}")
        self._kernel = kernel
        #: results of the last run: its segment and, per snippet, name -> list of entries
        self._segment = -1
        self._results: list[dict[str, list]] = []
        self.changed_since_last_run = True
        state = self._simulator.state
        if hasattr(state, "plasticity_rules"):
            state.plasticity_rules.append(self)
        if kernel is not None:
            check_kernel(kernel, self.observables)

    @property
    def timer(self) -> Timer:
        return self._timer

    @timer.setter
    def timer(self, value: Timer) -> None:
        if not isinstance(value, Timer):
            raise TypeError(f"timer is a pynn_frontend.Timer, not {type(value).__name__}")
        self._timer = value
        self.changed_since_last_run = True

    @property
    def observables(self) -> dict[str, Any]:
        return self._observables

    @observables.setter
    def observables(self, value: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            raise TypeError(f"observables is a dict name -> observable, not {type(value).__name__}")
        for name, observable in value.items():
            if not isinstance(name, str) or not IDENTIFIER.match(name) or name == "time":
                raise ValueError(f"observable name {name!r}: names are identifiers of the kernel language "
                                 "(a letter, then letters, digits, '_'; not 'time')")
            if not isinstance(observable, (ObservablePerSynapse, ObservablePerNeuron, ObservableArray)):
                raise TypeError(f"observable {name!r} is an ObservablePerSynapse, ObservablePerNeuron or "
                                f"ObservableArray, not {type(observable).__name__}")
            observable.checked(name)
        self._observables = dict(value)
        self.changed_since_last_run = True

    def generate_kernel(self) -> str:
        """The kernel's libnux_vm source: the ``kernel`` given, else an empty kernel. Override
        it to generate one (as the real backend's rules do)."""
        return self._kernel if self._kernel is not None else EMPTY_KERNEL

    # -- results -----------------------------------------------------------------------------------
    def _require_results(self, name: str) -> None:
        if name not in self.observables:
            raise RuntimeError(f"the plasticity rule has no observable {name!r} (it has "
                               f"{sorted(self.observables)})")
        if self._segment < 0 or self._segment != self._simulator.state.segment_counter:
            raise RuntimeError(f"observable {name!r}: no run since the last reset() has recorded it; call run() first")

    def get_observable_array(self, name: str) -> list[list[ObservableEntry]]:
        """An array observable's recordings: per snippet of the last run, per call of the kernel
        an :class:`ObservableEntry` (``.data``: the top PPU's ``size`` values, then the bottom
        PPU's, zeros for a PPU without views of the rule, as the real backend's twice-sized data).
        ``TypeError`` for an observable that is not an ``ObservableArray``; ``RuntimeError``
        for an unknown name or before a run."""
        if name in self.observables and not isinstance(self.observables[name], ObservableArray):
            raise TypeError(f"observable {name!r} is not an ObservableArray: per-synapse observables come from "
                            "projection.get_data(name), per-neuron ones from population.get_plasticity_data(name)")
        self._require_results(name)
        return [list(snippet.get(name, [])) for snippet in self._results]

    def _per_owner(self, name: str, owner: Any, kind: type) -> list[list[ObservableEntry]]:
        if name in self.observables and not isinstance(self.observables[name], kind):
            raise TypeError(f"observable {name!r} is a {type(self.observables[name]).__name__}, not a "
                            f"{kind.__name__}")
        self._require_results(name)
        return [list(snippet.get((name, id(owner)), [])) for snippet in self._results]

    def _store(self, segment: int, results: dict) -> None:
        if segment != self._segment:
            self._segment = segment
            self._results = []
        self._results.append(results)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(timer={self.timer!r}, observables={sorted(self.observables)})"


# -- results per projection and population ------------------------------------------------------------

def projection_data(projection: Any, name: str) -> list[list[ObservableEntry]]:
    """``projection.get_data(name)``: per snippet of the last run, per call of the rule's
    kernel, the per-synapse observable ``name`` (``.data``: one value per connection, in the
    projection's connection order)."""
    rule = getattr(projection.synapse_type, "plasticity_rule", None)
    if rule is None:
        raise RuntimeError(f"projection {projection.label!r} has no plasticity rule (use a PlasticSynapse "
                           "with plasticity_rule=...)")
    return rule._per_owner(name, projection, ObservablePerSynapse)


def population_data(population: Any, name: str) -> list[list[ObservableEntry]]:
    """``population.get_plasticity_data(name)``: per snippet of the last run, per call of the
    rule's kernel, the per-neuron observable ``name`` (``.data``: one value per neuron of the
    population)."""
    root = getattr(population, "grandparent", population)
    rule = getattr(root.celltype, "plasticity_rule", None)
    if rule is None:
        raise RuntimeError(f"population {root.label!r} has no plasticity rule (give its cell type "
                           "plasticity_rule=...)")
    entries = rule._per_owner(name, root, ObservablePerNeuron)
    if root is population:
        return entries
    index = np.asarray(population.index_in_grandparent(np.arange(population.size)), dtype=np.int64)
    return [[ObservableEntry(e.time, e.data[index], e.period) for e in snippet] for snippet in entries]


__all__ = ["FPGATime", "ObservableArray", "ObservableEntry", "ObservablePerNeuron", "ObservablePerSynapse",
           "ObservableType", "PlasticSynapse", "PlasticityRule", "Timer", "population_data", "projection_data"]
