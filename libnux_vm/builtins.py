"""The chip built-ins: functions a kernel calls that the host (the chip, or a model of it) runs.

A call ``get_weights(r)`` compiles to its arguments, pushed like a function call's, and one
``HOSTCALL id`` instruction. The interpreter stops there with status ``vm.HOST_CALL``;
:class:`~libnux_vm.machine.Machine` pops the arguments, charges the built-in's cost, calls the
method of the same name on its :class:`~libnux_vm.host.Host`, pushes the result (a scalar in one
word, a vector in 64) and resumes the interpreter at the next instruction.

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
rate counters 32, a neuron reset 8, a spike 4, reading the time base 2, a log word 2.

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
vec_u8 get_analog_readouts(neurons)               32  CADC reading of the 256 neuron columns
void reset_neurons(neurons)                        8  reset the neurons' membranes
void send_spike(int32 label)                       4  send a spike event with that label
                                                      (0..0xFFFF, else ``"out_of_range"``)
uint32 now()                                       2  PPU cycles so far: the machine's cycle count
                                                      (unless the host overrides it)
void log_int(int32 value)                          2  append the value to the host's log
bool has_row(synapses, row)                        2  whether the row is one of the view's rows
vec_u8 column_mask(handle)                        16  255 in the view's columns, 0 elsewhere
==============================================  ====  ============================================

``synapses``, ``neurons``, ``row`` and ``label`` are ``int32``. A row outside 0..255 traps with
kind ``"out_of_bounds"`` (checked by the machine).
"""

from __future__ import annotations

from dataclasses import dataclass

from .typesys import BOOL, INT32, UINT32, VEC_U8, VOID, FunctionType

ROWS = 256
#: largest weight of the chip's 6-bit synapses
WEIGHT_MAX = 63
#: largest spike label (16-bit SpikeLabel)
LABEL_MAX = 0xFFFF


@dataclass(frozen=True)
class Builtin:
    id: int
    name: str
    type: FunctionType
    cost: int             #: PPU cycles of the whole call (HOSTCALL included)
    handle: str | None    #: "synapses" or "neurons": the first argument is a handle
    row_arg: bool         #: the argument after the handle is a synapse row (0..255, checked)
    in_view: bool = False   #: the row must be one of the view's rows (checked)
    masked: bool = False    #: it writes: only the view's columns change (host gets ``columns``)
    from_view: bool = False  #: answered by the machine from the view, not by the host


def _table():
    view, write, answer = {"in_view": True}, {"masked": True}, {"from_view": True}
    specs = [  # name, ret, params after the handle, cost, handle, row_arg, flags
        ("get_weights", VEC_U8, (INT32,), 16, "synapses", True, view),
        ("set_weights", VOID, (INT32, VEC_U8), 16, "synapses", True, view | write),
        ("get_causal_correlation", VEC_U8, (INT32,), 16, "synapses", True, view),
        ("get_acausal_correlation", VEC_U8, (INT32,), 16, "synapses", True, view),
        ("reset_correlation", VOID, (INT32,), 8, "synapses", True, view | write),
        ("get_rate_counters", VEC_U8, (BOOL,), 32, "neurons", False, write),
        ("reset_neurons", VOID, (), 8, "neurons", False, write),
        ("send_spike", VOID, (INT32,), 4, None, False, {}),
        ("now", UINT32, (), 2, None, False, {}),
        ("log_int", VOID, (INT32,), 2, None, False, {}),
        ("get_analog_readouts", VEC_U8, (), 32, "neurons", False, {}),
        ("has_row", BOOL, (INT32,), 2, "synapses", True, answer),
        ("column_mask", VEC_U8, (), 16, "synapses", False, answer),
    ]
    return {name: Builtin(i, name, FunctionType(ret, ((INT32,) if handle else ()) + params),
                          cost, handle, row, **flags)
            for i, (name, ret, params, cost, handle, row, flags) in enumerate(specs)}


#: name -> :class:`Builtin`
BUILTINS = _table()
#: id (the HOSTCALL operand) -> :class:`Builtin`
BY_ID = {b.id: b for b in BUILTINS.values()}
