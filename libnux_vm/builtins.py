"""The chip built-ins: functions a kernel calls that the host (the chip, or a model of it) runs.

A call ``get_weights(r)`` compiles to its arguments, pushed like a function call's, and one
``HOSTCALL id`` instruction. The interpreter stops there with status ``vm.HOST_CALL``;
:class:`~libnux_vm.machine.Machine` pops the arguments, charges the built-in's cost, checks
them, and either answers the call itself or calls the method of the same name on its
:class:`~libnux_vm.host.Host`; it pushes the result (a scalar in one word, a vector in 64) and
resumes the interpreter at the next instruction.

Each built-in is one :class:`Builtin` in :data:`DECLARATIONS`: its signature, cost and meaning
(the table below is rendered from them by :func:`doc_table`), the handle and row checks of its
parameters, a check of its other arguments, whether the machine answers it, and whether it
acts at chip time. The checker, the compiler, the machine and the emulated PPU read only these
properties; adding a built-in is adding a declaration (at the end: ids are in images) and the
host method that carries it out on each host.

Handles: as in grenade's kernel API, the synapse and neuron built-ins take a handle first: 0 or
1 for the whole top or bottom hemisphere, 2 + i for view i of the program
(:mod:`libnux_vm.views`; the runtime passes a timer's kernel the handles of its views, or of
its PPU's hemisphere). Each PPU reaches only its own hemisphere: a handle into the other one
traps with kind ``"other_hemisphere"``, a handle that names nothing or a row outside the view
with ``"out_of_bounds"`` (checked by the machine, before the host sees the call). Writes reach
only the view's columns; reads return whole rows.

Cost in PPU cycles (250 MHz) of the whole call, ``HOSTCALL`` included (the arguments' pushes
are extra). They model the PPU's access to the synapse array and the neuron back-end over its
bus: a row of weights or correlations (256 bytes, two 128-byte vector halves) takes 16 cycles
to read or write, a reset of a correlation row 8, a CADC read of the neurons or a read of the
rate counters 32, a neuron reset 8, a spike 4, reading the time base 2, a log word 2, a
CapMem cell of 256 neurons 2048 (8 per bus write).

==============================================  ====  ============================================
built-in                                        cost  meaning
==============================================  ====  ============================================
vec_u8 get_weights(synapses, row)                 16  the 6-bit weights (0..63) of row 0..255
void set_weights(synapses, row, vec_u8 v)         16  write the row; a lane above 63 traps
                                                      (``"out_of_range"``): nothing is clipped
vec_u8 get_causal_correlation(synapses, row)      16  CADC reading of the row's causal sensors
vec_u8 get_acausal_correlation(synapses, row)     16  CADC reading of the acausal sensors
void reset_correlation(synapses, row)              8  reset both sensors of the row
vec_u8 get_rate_counters(neurons, bool reset)     32  the 256 rate counters (saturated to 255);
                                                      reset them after reading if ``reset``
void reset_neurons(neurons)                        8  reset the neurons' membranes
void send_spike(int32 label)                       4  send a spike event with that label
                                                      (0..0xFFFF, else ``"out_of_range"``)
uint32 now()                                       2  PPU cycles so far: the machine's cycle count
                                                      (unless the host overrides it)
void log_int(int32 value)                          2  append the value to the host's log
vec_u8 get_analog_readouts(neurons)               32  CADC reading of the 256 neuron columns
void set_capmem(neurons, int32 cell, vec_u8 v)  2048  write CapMem cell 0..23
                                                      (CapMemRowOnCapMemBlock) of the neurons to 4
                                                      v (the lanes as the 10-bit cells' upper 8
                                                      bits, 0..1020): 256 bus writes; another cell
                                                      traps (``"out_of_range"``)
bool has_row(synapses, row)                        2  whether the row is one of the view's rows
vec_u8 column_mask(handle)                        16  255 in the view's columns, 0 elsewhere
==============================================  ====  ============================================

``synapses``, ``neurons``, ``row`` and ``label`` are ``int32``. A row outside 0..255 traps with
kind ``"out_of_bounds"`` (checked by the machine).
"""

from __future__ import annotations

import dataclasses
import textwrap
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import numpy.typing as npt

from . import isa, vm
from .errors import BuiltinDeclarationError, HostError
from .typesys import (BOOL, INT32, LANES, UINT32, VEC_U8, VOID, FunctionType, ScalarType,
                      VectorType, VoidType, value_words)
from .values import DTYPES

ROWS = 256
#: largest weight of the chip's 6-bit synapses
WEIGHT_MAX = 63
#: largest spike label (16-bit SpikeLabel)
LABEL_MAX = 0xFFFF

#: what a parameter is to the machine: a plain value, a handle (the first parameter; its view
#: is checked to lie in the host's hemisphere), a synapse row (checked to be 0..255), or a row
#: that must also be one of the view's rows
ROLES = ("value", "synapses", "neurons", "row", "view_row")
_HANDLES = ("synapses", "neurons")
_ROWS = ("row", "view_row")

#: ``check(args, columns)``: raises a HostError for arguments the built-in refuses; ``args``
#: are the Python values after the handle, ``columns`` the view's column mask (None for all)
Check = Callable[[list, "np.ndarray | None"], None]
#: ``answer(args, rows, columns, cycles)``: the machine's own result, from the arguments after
#: the handle, the view's row and column masks (None for a whole hemisphere) and the machine's
#: cycle count once the call is paid for
Answer = Callable[[list, "np.ndarray | None", "np.ndarray | None", int], object]


@dataclass(frozen=True)
class BuiltinParam:
    """A parameter of a built-in: its name (as the table shows it), type and role
    (:data:`ROLES`)."""
    name: str
    type: ScalarType | VectorType = INT32
    role: str = "value"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise BuiltinDeclarationError(f"a parameter name must be an identifier, not "
                                          f"{self.name!r}")
        if not isinstance(self.type, (ScalarType, VectorType)):
            raise BuiltinDeclarationError(f"parameter '{self.name}' needs a scalar or vector "
                                          f"type, not {self.type!r}")
        if self.role not in ROLES:
            raise BuiltinDeclarationError(f"parameter '{self.name}' has role {self.role!r}; "
                                          f"the roles are {', '.join(ROLES)}")
        if self.role != "value" and self.type != INT32:
            raise BuiltinDeclarationError(f"parameter '{self.name}' is a {self.role} and must "
                                          f"be int32, not {self.type}")

    def __str__(self) -> str:
        return f"{self.type} {self.name}" if self.role == "value" else self.name


#: the handle of a synapse view (or a whole hemisphere)
SYNAPSES = BuiltinParam("synapses", role="synapses")
#: the handle of a neuron view (or a whole hemisphere)
NEURONS = BuiltinParam("neurons", role="neurons")
#: a synapse row that must be one of the view's rows
ROW = BuiltinParam("row", role="view_row")
#: a synapse row 0..255, in the view or not
ANY_ROW = BuiltinParam("row", role="row")


@dataclass(frozen=True)
class Builtin:
    """One chip built-in, everything the checker, compiler, machine and hosts need of it.

    ``writes``: it changes the chip, and only the view's columns may change (the host method
    gets ``columns=``). ``check``: refuses bad arguments with a trap before any host sees them
    (:data:`Check`). ``answer``: the machine answers the call itself (:data:`Answer`) and no
    host sees it, unless ``host_may_answer`` and the host's class overrides the method: that
    method then gets the machine's answer as its last argument and returns its own.
    ``at_chip_time``: it reads or changes what the chip changes in time (membranes, counters,
    correlation sensors, the weights in use), so a host that keeps time carries it out at the
    hardware time it is issued; the others (reading weights, which only writes change; a
    spike, injected with its own time; the log) may act in order without that. ``id`` is the
    ``HOSTCALL`` operand, given by :func:`declare`."""
    name: str
    ret: ScalarType | VectorType | VoidType
    params: tuple[BuiltinParam, ...]
    cost: int             #: PPU cycles of the whole call (HOSTCALL included)
    meaning: str          #: the table's "meaning" column (ReST)
    writes: bool = False
    check: Check | None = None
    answer: Answer | None = None
    host_may_answer: bool = False
    at_chip_time: bool = False
    id: int = -1
    type: FunctionType = field(init=False, repr=False)
    #: "synapses" or "neurons": the first argument is a handle; None: no handle
    handle: str | None = field(init=False, repr=False)
    #: the argument after the handle is a synapse row (0..255, checked)
    row_arg: bool = field(init=False, repr=False)
    #: the row must be one of the view's rows (checked)
    in_view: bool = field(init=False, repr=False)
    #: stack words of all arguments
    arg_words: int = field(init=False, repr=False)
    #: per argument: (first word, end word, lane dtype of a vector or None, type)
    arg_slots: tuple = field(init=False, repr=False)

    def __post_init__(self) -> None:
        def bad(reason: str) -> BuiltinDeclarationError:
            return BuiltinDeclarationError(f"built-in {self.name!r}: {reason}")
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise bad("the name must be an identifier")
        if not isinstance(self.ret, (ScalarType, VectorType, VoidType)):
            raise bad(f"the return type must be a scalar, vector or void type, not {self.ret!r}")
        if not isinstance(self.params, tuple) or not all(isinstance(p, BuiltinParam)
                                                         for p in self.params):
            raise bad(f"params must be a tuple of BuiltinParam, not {self.params!r}")
        roles = [p.role for p in self.params]
        handle = roles[0] if roles and roles[0] in _HANDLES else None
        for i, role in enumerate(roles):
            if role in _HANDLES and i:
                raise bad("only the first parameter may be a handle")
            if role in _ROWS and (i != 1 or handle is None):
                raise bad("a row must be the parameter right after a handle")
        if (not isinstance(self.cost, int) or isinstance(self.cost, bool)
                or self.cost < isa.COSTS[vm.HOSTCALL]):
            raise bad(f"the cost must be a whole number of PPU cycles, at least the "
                      f"HOSTCALL's {isa.COSTS[vm.HOSTCALL]}, not {self.cost!r}")
        if not isinstance(self.meaning, str) or not self.meaning.strip():
            raise bad("the meaning must be a non-empty text (it is the table's column)")
        for what in ("check", "answer"):
            if getattr(self, what) is not None and not callable(getattr(self, what)):
                raise bad(f"{what} must be callable or None")
        if self.writes and handle is None:
            raise bad("a built-in that writes needs a handle (its view's columns)")
        if self.host_may_answer and self.answer is None:
            raise bad("host_may_answer needs the machine's own answer")
        if self.answer is not None and not self.host_may_answer and (self.writes or
                                                                     self.at_chip_time):
            raise bad("the machine answers it and no host sees it: it cannot write or act "
                      "at chip time")
        set_ = object.__setattr__
        set_(self, "type", FunctionType(self.ret, tuple(p.type for p in self.params)))
        set_(self, "handle", handle)
        set_(self, "row_arg", len(roles) > 1 and roles[1] in _ROWS)
        set_(self, "in_view", len(roles) > 1 and roles[1] == "view_row")
        slots, at = [], 0
        for p in self.params:
            n = value_words(p.type)
            lanes = DTYPES[(1, p.type.signed)] if isinstance(p.type, VectorType) else None
            slots.append((at, at + n, lanes, p.type))
            at += n
        set_(self, "arg_words", at)
        set_(self, "arg_slots", tuple(slots))

    @property
    def signature(self) -> str:
        """The C signature the table shows, e.g. ``void set_weights(synapses, row, vec_u8 v)``."""
        return f"{self.ret} {self.name}({', '.join(str(p) for p in self.params)})"

    @property
    def host_params(self) -> tuple[str, ...]:
        """Names of the arguments a host method gets, in order (``columns`` is a keyword)."""
        names = tuple(p.name for p in self.params if p.role not in _HANDLES)
        return names + (("answer",) if self.host_may_answer else ())

    @property
    def reaches_host(self) -> bool:
        """Whether a host method may carry it out (else only the machine answers it)."""
        return self.answer is None or self.host_may_answer


# ---------------------------------------------------------------- argument checks

def checked_weights(values: npt.ArrayLike, columns: np.ndarray | None = None) -> np.ndarray:
    """``values`` as 256 uint8 weights; a ``"out_of_range"`` HostError unless every lane that
    is written (``columns``, None for all) holds 0..63: ``set_weights`` never clips."""
    values = np.asarray(values)
    if values.shape != (LANES,) or values.dtype.kind not in "iu":
        raise HostError("out_of_range", f"set_weights needs {LANES} integer weights, not "
                                        f"{values.dtype} of shape {values.shape}")
    written = values if columns is None else np.where(columns, values, 0)
    bad = np.flatnonzero((written < 0) | (written > WEIGHT_MAX))
    if bad.size:
        raise HostError("out_of_range", f"set_weights got {bad.size} lane(s) outside the 6-bit "
                        f"weight range 0..{WEIGHT_MAX}, the first is lane {bad[0]} with "
                        f"{int(values[bad[0]])} (clamp first, e.g. select(w > {WEIGHT_MAX}, "
                        f"{WEIGHT_MAX}, w))")
    return values.astype(np.uint8)


def checked_label(label: int) -> int:
    """``label`` if it is a 16-bit spike label, else a ``"out_of_range"`` HostError."""
    if not 0 <= label <= LABEL_MAX:
        raise HostError("out_of_range", f"spike label {label} is outside 0..{LABEL_MAX} "
                                        "(16-bit SpikeLabel)")
    return label


def _weights_in_range(args: list, columns: np.ndarray | None) -> None:
    checked_weights(args[1], columns)


def _label_in_range(args: list, columns: np.ndarray | None) -> None:
    checked_label(args[0])


#: CapMem cells per neuron (CapMemRowOnCapMemBlock)
CAPMEM_ROWS = 24


def checked_capmem_cell(cell: int) -> int:
    """``cell`` if it is a neuron's CapMem row (0..23), else a ``"out_of_range"`` HostError."""
    if not 0 <= cell < CAPMEM_ROWS:
        raise HostError("out_of_range", f"CapMem cell {cell} is outside 0..{CAPMEM_ROWS - 1} "
                                        "(CapMemRowOnCapMemBlock)")
    return cell


def _capmem_cell_in_range(args: list, columns: np.ndarray | None) -> None:
    checked_capmem_cell(args[0])


# ---------------------------------------------------------------- the machine's answers

def _has_row(args: list, rows: np.ndarray | None, columns: np.ndarray | None,
             cycles: int) -> bool:
    return rows is None or bool(rows[args[0]])


_ALL_COLUMNS = np.full(LANES, 255, np.uint8)
_ALL_COLUMNS.setflags(write=False)


def _column_mask(args: list, rows: np.ndarray | None, columns: np.ndarray | None,
                 cycles: int) -> np.ndarray:
    return _ALL_COLUMNS if columns is None else np.where(columns, 255, 0).astype(np.uint8)


def _cycle_count(args: list, rows: np.ndarray | None, columns: np.ndarray | None,
                 cycles: int) -> int:
    return cycles & 0xFFFFFFFF


# ---------------------------------------------------------------- the table

#: every built-in, in id order
DECLARATIONS = (
    Builtin("get_weights", VEC_U8, (SYNAPSES, ROW), 16,
            "the 6-bit weights (0..63) of row 0..255"),
    Builtin("set_weights", VOID, (SYNAPSES, ROW, BuiltinParam("v", VEC_U8)), 16,
            "write the row; a lane above 63 traps (``\"out_of_range\"``): nothing is clipped",
            writes=True, check=_weights_in_range, at_chip_time=True),
    Builtin("get_causal_correlation", VEC_U8, (SYNAPSES, ROW), 16,
            "CADC reading of the row's causal sensors", at_chip_time=True),
    Builtin("get_acausal_correlation", VEC_U8, (SYNAPSES, ROW), 16,
            "CADC reading of the acausal sensors", at_chip_time=True),
    Builtin("reset_correlation", VOID, (SYNAPSES, ROW), 8,
            "reset both sensors of the row", writes=True, at_chip_time=True),
    Builtin("get_rate_counters", VEC_U8, (NEURONS, BuiltinParam("reset", BOOL)), 32,
            "the 256 rate counters (saturated to 255); reset them after reading if ``reset``",
            writes=True, at_chip_time=True),
    Builtin("reset_neurons", VOID, (NEURONS,), 8,
            "reset the neurons' membranes", writes=True, at_chip_time=True),
    Builtin("send_spike", VOID, (BuiltinParam("label"),), 4,
            "send a spike event with that label (0..0xFFFF, else ``\"out_of_range\"``)",
            check=_label_in_range),
    Builtin("now", UINT32, (), 2,
            "PPU cycles so far: the machine's cycle count (unless the host overrides it)",
            answer=_cycle_count, host_may_answer=True),
    Builtin("log_int", VOID, (BuiltinParam("value"),), 2,
            "append the value to the host's log"),
    Builtin("get_analog_readouts", VEC_U8, (NEURONS,), 32,
            "CADC reading of the 256 neuron columns", at_chip_time=True),
    Builtin("set_capmem", VOID, (NEURONS, BuiltinParam("cell"), BuiltinParam("v", VEC_U8)),
            8 * LANES,
            "write CapMem cell 0..23 (CapMemRowOnCapMemBlock) of the neurons to 4 v (the lanes "
            "as the 10-bit cells' upper 8 bits, 0..1020): 256 bus writes; another cell traps "
            "(``\"out_of_range\"``)",
            writes=True, check=_capmem_cell_in_range, at_chip_time=True),
    Builtin("has_row", BOOL, (SYNAPSES, ANY_ROW), 2,
            "whether the row is one of the view's rows", answer=_has_row),
    Builtin("column_mask", VEC_U8, (BuiltinParam("handle", role="synapses"),), 16,
            "255 in the view's columns, 0 elsewhere", answer=_column_mask),
)

#: name -> :class:`Builtin`
BUILTINS: dict[str, Builtin] = {}
#: id (the HOSTCALL operand) -> :class:`Builtin`
BY_ID: dict[int, Builtin] = {}


def declare(builtin: Builtin) -> Builtin:
    """Add ``builtin`` to :data:`BUILTINS` and :data:`BY_ID` with the next id; returns it
    with that id. The compiler, machine and hosts pick it up from there."""
    if not isinstance(builtin, Builtin):
        raise BuiltinDeclarationError(f"declare needs a Builtin, not {type(builtin).__name__}")
    if builtin.name in BUILTINS or builtin.name == "select":
        raise BuiltinDeclarationError(f"built-in {builtin.name!r} is already declared")
    builtin = dataclasses.replace(builtin, id=len(BY_ID))
    if builtin.id > isa.OPERAND_MAX:
        raise BuiltinDeclarationError(f"built-in {builtin.name!r}: no HOSTCALL operand left")
    BUILTINS[builtin.name] = builtin
    BY_ID[builtin.id] = builtin
    return builtin


for _builtin in DECLARATIONS:
    declare(_builtin)

_SIGNATURE_WIDTH, _COST_WIDTH, _MEANING_WIDTH = 46, 4, 44


def doc_table(builtins: tuple[Builtin, ...] | None = None) -> str:
    """The ReST table of ``builtins`` (default: all, in id order) that this module's docstring
    shows: signature, cost and meaning, the meaning wrapped to its column (the signature
    column widens for a long one)."""
    if builtins is None:
        builtins = tuple(BY_ID[i] for i in sorted(BY_ID))
    width = max([_SIGNATURE_WIDTH] + [len(b.signature) for b in builtins])
    rule = "  ".join("=" * w for w in (width, _COST_WIDTH, _MEANING_WIDTH))
    lines = [rule, f"{'built-in':<{width}}  {'cost':>{_COST_WIDTH}}  meaning", rule]
    for b in builtins:
        meaning = textwrap.wrap(b.meaning, _MEANING_WIDTH, break_long_words=False,
                                break_on_hyphens=False)
        lines.append(f"{b.signature:<{width}}  {b.cost:>{_COST_WIDTH}}  {meaning[0]}")
        lines += [" " * (width + _COST_WIDTH + 4) + more for more in meaning[1:]]
    return "\n".join(lines + [rule])
