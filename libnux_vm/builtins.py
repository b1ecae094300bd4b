"""The chip built-ins: functions a kernel calls that the host (the chip, or a model of it) runs.

A call ``get_weights(r)`` compiles to its arguments, pushed like a function call's, and one
``HOSTCALL id`` instruction. The interpreter stops there with status ``vm.HOST_CALL``;
:class:`~libnux_vm.machine.Machine` pops the arguments, charges the built-in's cost, calls the
method of the same name on its :class:`~libnux_vm.host.Host`, pushes the result (a scalar in one
word, a vector in 64) and resumes the interpreter at the next instruction.

Cost in PPU cycles (250 MHz) of the whole call, ``HOSTCALL`` included (the arguments' pushes
are extra). They model the PPU's access to the synapse array and the neuron back-end over its
bus: a row of weights or correlations (256 bytes, two 128-byte vector halves) takes 16 cycles
to read or write, a reset of a correlation row 8, a read of the rate counters 32, a neuron reset
8, a spike 4, reading the time base 2, a log word 2.

====================================  ====  ==================================================
built-in                              cost  meaning
====================================  ====  ==================================================
vec_u8 get_weights(int32 row)           16  the 6-bit weights (0..63) of synapse row 0..255
void set_weights(int32 row, vec_u8 v)   16  write the row; the host clamps each lane to 0..63
vec_u8 get_causal_correlation(row)      16  the causal correlation of the row
vec_u8 get_acausal_correlation(row)     16  the acausal correlation of the row
void reset_correlation(int32 row)        8  zero both correlations of the row
vec_u8 get_rate_counters(bool reset)    32  the 256 rate counters (saturated to 255); reset
                                            them after reading if ``reset``
void reset_neurons()                     8  reset the neurons' membranes
void send_spike(int32 label)             4  send a spike event with that label
uint32 now()                             2  PPU cycles so far: the machine's cycle count (all
                                            calls, this one up to and including the built-in's
                                            cost) unless the host overrides it
void log_int(int32 value)                2  append the value to the host's log
====================================  ====  ==================================================

A row outside 0..255 traps with kind ``"out_of_bounds"`` (checked by the machine, before the
host sees it).
"""

from __future__ import annotations

from dataclasses import dataclass

from .typesys import BOOL, INT32, UINT32, VEC_U8, VOID, FunctionType

ROWS = 256


@dataclass(frozen=True)
class Builtin:
    id: int
    name: str
    type: FunctionType
    cost: int             #: PPU cycles of the whole call (HOSTCALL included)
    row_arg: bool         #: the first argument is a synapse row (0..255, checked)


def _table():
    specs = [  # name, ret, params, cost, row_arg
        ("get_weights", VEC_U8, (INT32,), 16, True),
        ("set_weights", VOID, (INT32, VEC_U8), 16, True),
        ("get_causal_correlation", VEC_U8, (INT32,), 16, True),
        ("get_acausal_correlation", VEC_U8, (INT32,), 16, True),
        ("reset_correlation", VOID, (INT32,), 8, True),
        ("get_rate_counters", VEC_U8, (BOOL,), 32, False),
        ("reset_neurons", VOID, (), 8, False),
        ("send_spike", VOID, (INT32,), 4, False),
        ("now", UINT32, (), 2, False),
        ("log_int", VOID, (INT32,), 2, False),
    ]
    return {name: Builtin(i, name, FunctionType(ret, params), cost, row)
            for i, (name, ret, params, cost, row) in enumerate(specs)}


#: name -> :class:`Builtin`
BUILTINS = _table()
#: id (the HOSTCALL operand) -> :class:`Builtin`
BY_ID = {b.id: b for b in BUILTINS.values()}
