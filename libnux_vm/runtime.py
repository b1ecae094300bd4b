"""The PPU runtime: libnux's start-up and its timer scheduler, on one :class:`Machine`.

When a PPU starts (its reset is released), the runtime

1. calls ``start()`` once, if the program defines it (``int32 start()`` or ``void start()``;
   the value is the exit code, as in libnux);
2. runs the program's :class:`Timer` s, earliest deadline first (libnux's ``Scheduler``): the
   timer's function is called once per period, ``num_periods`` times, from ``start`` on;
3. goes to sleep (``PPUStatusRegister.sleep``) when every timer has run out.

Times are PPU cycles (250 MHz) since the PPU started. The k-th period of a timer is the window
``[start + k * period, start + (k + 1) * period)``. A period's call can start anywhere in its
window; when the PPU is still busy at the window's end (a kernel took longer than its period,
or another timer had the earlier deadline), that period is *missed*: skipped and counted. Among
the periods that are due, the one whose window ends first runs first.

The timer function (``PLASTICITY_RULE_KERNEL`` by default) is ``void f()``,
``void f(int32 synapses, int32 neurons)`` or ``void f(int32 synapses, int32 neurons,
int32 period)``: the runtime passes the handles of the timer's views (:mod:`libnux_vm.views`;
without views, the handle of its PPU's whole hemisphere) and the index of the period.

The runtime keeps its state in the program's memory, where the host can read it: the global
``__runtime`` (:data:`RUNTIME_FIELDS`) and the timer table ``__timers`` (:data:`TIMER_FIELDS`
per timer; the host may change ``start``, ``period`` and ``num_periods`` before the start).
Every start clears what a previous run left: the counters and trap of ``__runtime`` and of
the timers, and the mailbox ``__mailbox``. :meth:`Runtime.run` yields a :class:`Wakeup`
before each change of these words, so that a driver that keeps time makes them at the
hardware time the runtime gets there: a PPU put back into reset while it runs stops where it
is, and its ``__runtime.state`` still reads "running". ``end_time`` wraps at 2**32 cycles.
A timer's period must be longer than a dispatch (:data:`DISPATCH_CYCLES`): a shorter one
could never run.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Generator

from .errors import HostValueError, Trap
from .machine import PPU_CYCLES_PER_US, HostCall, Machine, drive
from .views import OWN_HEMISPHERE, NeuronView, SynapseView
from .program import (DONE, MAILBOX_WORDS, RUNNING, RUNTIME_FIELDS, TIMER_FIELDS, TIMER_WORDS,
                      TRAPPED, trap_code)

#: PPU cycles the scheduler spends on one dispatch (fetch, sort, call)
DISPATCH_CYCLES = 40
#: the function a timer calls unless it names another
KERNEL = "PLASTICITY_RULE_KERNEL"

_R = {name: i for i, name in enumerate(RUNTIME_FIELDS)}
_T = {name: i for i, name in enumerate(TIMER_FIELDS)}
_U32 = 2 ** 32


@dataclass(frozen=True)
class Timer:
    """Call ``function`` every ``period`` PPU cycles, ``num_periods`` times, the first period
    starting ``start`` PPU cycles after the PPU started (all in 4-ns PPU cycles, 250 MHz).

    ``synapses`` and ``neurons`` are the views whose handles the function gets
    (:class:`~libnux_vm.views.SynapseView`, :class:`~libnux_vm.views.NeuronView`); None: the
    whole hemisphere of the PPU that runs it."""
    start: int
    period: int
    num_periods: int
    function: str = KERNEL
    synapses: SynapseView | None = None
    neurons: NeuronView | None = None

    def __post_init__(self) -> None:
        for name in ("start", "period", "num_periods"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool):
                raise HostValueError(f"Timer.{name} must be an integer number of PPU cycles, "
                                     f"not {value!r}")
        if self.start < 0 or self.period <= DISPATCH_CYCLES or self.num_periods < 0:
            raise HostValueError(f"a Timer needs start >= 0, a period longer than the "
                                 f"scheduler's dispatch (> {DISPATCH_CYCLES} PPU cycles, "
                                 f"{DISPATCH_CYCLES / PPU_CYCLES_PER_US:g} us: a shorter one "
                                 f"could never run) and num_periods >= 0, not "
                                 f"start={self.start}, period={self.period}, "
                                 f"num_periods={self.num_periods}")
        if self.start + self.period * self.num_periods >= _U32:
            raise HostValueError(f"the timer's last period ends at PPU cycle "
                                 f"{self.start + self.period * self.num_periods}, beyond the "
                                 f"32-bit PPU time base ({_U32 - 1} cycles, 17.2 s)")
        if not isinstance(self.function, str):
            raise HostValueError(f"Timer.function must be a function name, not "
                                 f"{self.function!r}")
        if not isinstance(self.synapses, (SynapseView, type(None))):
            raise HostValueError(f"Timer.synapses must be a libnux_vm.SynapseView or None, not "
                                 f"{self.synapses!r}")
        if not isinstance(self.neurons, (NeuronView, type(None))):
            raise HostValueError(f"Timer.neurons must be a libnux_vm.NeuronView or None, not "
                                 f"{self.neurons!r}")

    @classmethod
    def from_us(cls, start_us: float, period_us: float, num_periods: int,
                function: str = KERNEL, synapses: SynapseView | None = None,
                neurons: NeuronView | None = None) -> "Timer":
        """A timer in microseconds of hardware time (rounded to PPU cycles)."""
        for name, value in (("start_us", start_us), ("period_us", period_us)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                    or not math.isfinite(value):
                raise HostValueError(f"Timer.from_us: {name} must be a finite number of microseconds, "
                                     f"not {value!r}")
        return cls(round(start_us * PPU_CYCLES_PER_US), round(period_us * PPU_CYCLES_PER_US),
                   num_periods, function, synapses, neurons)


@dataclass(frozen=True)
class Wakeup:
    """Yielded by :meth:`Runtime.run` (besides :class:`~libnux_vm.machine.HostCall`) at PPU
    cycle ``issued`` whenever the runtime is about to change something in memory: a call of a
    timer's function, the end of one (its counters), a wake-up from sleep, the exit code, the
    end or a trap. A driver that keeps time resumes the runtime only when the hardware has
    reached it, so these changes appear at their time. ``dispatch`` does nothing."""
    issued: int

    def dispatch(self, host: object) -> None:
        return None


class Runtime:
    """The runtime of one PPU running ``machine``'s program; ``hemisphere`` gives the handles
    passed to timer functions (default: the host's ``hemisphere``, else 0). :meth:`run` is a
    generator over the built-ins (see :meth:`Machine.run`) and the wake-ups;
    :meth:`run_to_end` carries them out on the machine's host at once."""

    def __init__(self, machine: Machine, hemisphere: int | None = None) -> None:
        if hemisphere is None:
            hemisphere = getattr(machine.host, "hemisphere", 0)
        if hemisphere not in (0, 1):
            raise HostValueError(f"hemisphere must be 0 (top) or 1 (bottom), not {hemisphere!r}")
        self.machine = machine
        self.hemisphere = hemisphere
        #: the Trap that stopped the program, or None
        self.trap: Trap | None = None
        entry = machine.program.entry
        self._words = machine.memory.view("<u4")
        self._runtime = entry.runtime_address // 4
        self._timers = entry.timers_address // 4
        self._mailbox = entry.mailbox_address // 4

    # ------------------------------------------------------------------ state in memory
    def _set(self, field: str, value: int) -> None:
        self._words[self._runtime + _R[field]] = value % _U32

    def get(self, field: str) -> int:
        """A word of ``__runtime`` (:data:`RUNTIME_FIELDS`)."""
        return int(self._words[self._runtime + _R[field]])

    def timer_table(self) -> list[dict]:
        """The timer table as it is in memory: one dict of :data:`TIMER_FIELDS` per timer."""
        n = len(self.machine.program.entry.timer_symbols)
        base = self._timers
        return [{f: int(self._words[base + i * TIMER_WORDS + j]) for j, f in enumerate(TIMER_FIELDS)}
                for i in range(n)]

    # ------------------------------------------------------------------ running
    def run_to_end(self) -> int:
        """Run start-up and every timer, the built-ins going to the machine's host at once;
        returns the PPU cycle at which the PPU went to sleep (a Trap is kept in :attr:`trap`)."""
        return drive(self.run(), self.machine.host)

    def run(self) -> Generator[HostCall | Wakeup, object, int]:
        """The PPU's life from its start: yields every built-in and every :class:`Wakeup`,
        returns the end time."""
        m = self.machine
        entry = m.program.entry
        m.cycles = 0
        self.trap = None
        self._clear()
        self._set("state", RUNNING)
        try:
            if entry.start_symbol is not None:
                value = yield from m.run_symbol(entry.start_symbol)
                yield Wakeup(m.cycles)
                self._set("exit_code", value or 0)
            yield from self._schedule()
        except Trap as trap:
            self.trap = trap
            # written when the PPU gets there in hardware time (a PPU stopped before still
            # reads "running", with no trap)
            yield Wakeup(m.cycles)
            self._set("trap_kind", trap_code(trap.kind))
            self._set("trap_pc", trap.pc)
            self._set("state", TRAPPED)
        else:
            yield Wakeup(m.cycles)
            self._set("state", DONE)
        self._set("end_time", m.cycles)
        return m.cycles

    def _clear(self) -> None:
        """Zero what a previous run left in memory (the program's globals stay)."""
        words = self._words
        for field in RUNTIME_FIELDS:
            self._set(field, 0)
        n = len(self.machine.program.entry.timer_symbols)
        for i in range(n):
            row = self._timers + i * TIMER_WORDS
            words[row + _T["calls"]] = words[row + _T["missed"]] = 0
        words[self._mailbox:self._mailbox + MAILBOX_WORDS] = 0

    def _check_table(self, table: list[dict]) -> None:
        for i, t in enumerate(table):
            if t["period"] <= DISPATCH_CYCLES and t["num_periods"] > 0:
                raise Trap("invalid_timer", f"timer {i} has period {t['period']}; it must be "
                           f"longer than the scheduler's dispatch ({DISPATCH_CYCLES} PPU cycles), "
                           "or no period could ever run; the host wrote __timers", line=None,
                           function=None, pc=t["entry_pc"], cycles=self.machine.cycles)

    def _schedule(self) -> Generator[HostCall, object, None]:
        m = self.machine
        table = self.timer_table()
        self._check_table(table)
        symbols = m.program.entry.timer_symbols
        next_period = [0] * len(table)
        while True:
            clock = m.cycles
            begin = clock + DISPATCH_CYCLES       # when a call picked now would start
            due, wake = None, None
            for i, t in enumerate(table):
                k = next_period[i]
                if k >= t["num_periods"]:
                    continue
                window = t["start"] + k * t["period"]
                if begin >= window + t["period"]:           # it cannot start in its window
                    now_k = min((begin - t["start"]) // t["period"], t["num_periods"])
                    t["missed"] += now_k - k
                    self._count("missed", now_k - k, i, t)
                    next_period[i] = k = now_k
                    if k >= t["num_periods"]:
                        continue
                    window = t["start"] + k * t["period"]
                if window <= clock:
                    deadline = window + t["period"]
                    if due is None or deadline < due[1]:
                        due = (i, deadline)
                elif wake is None or window < wake:
                    wake = window
            if due is None:
                if wake is None:
                    return
                m.cycles = wake                                # sleep until the next window
                yield Wakeup(m.cycles)
                continue
            i, _ = due
            t = table[i]
            # the arity is the one checked when the image was loaded
            args = (self._handle(t["synapses"]), self._handle(t["neurons"]),
                    next_period[i])[:len(symbols[i].type.params)]
            m.cycles += DISPATCH_CYCLES
            yield Wakeup(m.cycles)
            yield from m.run_symbol(symbols[i], *args)
            yield Wakeup(m.cycles)                 # the counters change when the call ends
            next_period[i] += 1
            t["calls"] += 1
            self._count("calls", 1, i, t)

    def _handle(self, word: int) -> int:
        return self.hemisphere if word == OWN_HEMISPHERE else word

    def _count(self, field: str, n: int, i: int, timer: dict) -> None:
        if n:
            self._words[self._timers + i * TIMER_WORDS + _T[field]] = timer[field] % _U32
            self._set(field, self.get(field) + n)
