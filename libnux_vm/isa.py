"""The instruction set: encoding, stack effects and the cost of every opcode in PPU cycles.

An instruction is one 32-bit word, ``opcode | operand << 8``, with a signed 24-bit operand
(-8388608..8388607). ``PUSHW`` is followed by one more word holding a full 32-bit constant.
Addresses in operands are word addresses for code (jumps, calls) and frame offsets (``LDL``,
``STL``, ``ADDRL``, in words from ``fp``) and byte addresses for data (``LDG``, ``STG``).

Costs are PPU cycles at 250 MHz (4 ns). They model the embedded PowerPC with its vector unit:
1 cycle for a register operation, 2 for an SRAM access or a branch, 3 for a multiply, 20 for a
division, 4 for a call or return; a vector instruction on a 256-lane row works on the two
128-byte halves of the real unit, so it costs 4 (8 for a row load or store through memory).
A chip built-in (``HOSTCALL``) costs what :mod:`libnux_vm.builtins` lists for it: 1 cycle
in the interpreter, the rest charged by the Machine before the host runs it.
The cost is charged before the instruction executes; the table is :data:`COSTS` and each row of
:data:`SPEC` documents one opcode.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import vm

# name -> (cost in PPU cycles, words popped (checked for underflow), description)
SPEC = {
    "NOP": (1, 0, "do nothing"),
    "PUSH": (1, 0, "push the operand (signed 24 bit)"),
    "PUSHW": (2, 0, "push the 32-bit word that follows the instruction"),
    "DROP": (1, 0, "pop operand words"),
    "DUP": (1, 1, "push a copy of the top word"),
    "LDL": (2, 0, "push the local/parameter word at fp + operand"),
    "STL": (2, 1, "pop into the local/parameter word at fp + operand"),
    "LDG": (2, 0, "push the global word at byte address operand"),
    "STG": (2, 1, "pop into the global word at byte address operand"),
    "ADDRL": (1, 0, "push the byte address of the word at fp + operand"),
    "INDEX": (2, 2, "base, i -> base + (i << shift); trap unless 0 <= i < length "
                    "(operand = length << 4 | shift)"),
    "LD8S": (2, 1, "address -> sign-extended byte"),
    "LD8U": (2, 1, "address -> zero-extended byte"),
    "LD16S": (2, 1, "address -> sign-extended half word"),
    "LD16U": (2, 1, "address -> zero-extended half word"),
    "LD32": (2, 1, "address -> word"),
    "ST8": (2, 2, "address, value -> store the low byte"),
    "ST16": (2, 2, "address, value -> store the low half word"),
    "ST32": (2, 2, "address, value -> store the word"),
    "VLD": (8, 1, "address -> vector (64 words)"),
    "VST": (8, 65, "address, vector -> store the vector"),
    "ADD": (1, 2, "a + b (mod 2**32)"),
    "SUB": (1, 2, "a - b"),
    "MUL": (3, 2, "a * b (low 32 bits)"),
    "DIV": (20, 2, "a / b signed, toward zero; trap if b == 0"),
    "DIVU": (20, 2, "a / b unsigned; trap if b == 0"),
    "MOD": (20, 2, "a % b signed (sign of a); trap if b == 0"),
    "MODU": (20, 2, "a % b unsigned; trap if b == 0"),
    "AND": (1, 2, "a & b"),
    "OR": (1, 2, "a | b"),
    "XOR": (1, 2, "a ^ b"),
    "SHL": (1, 2, "a << b; trap unless 0 <= b <= 31"),
    "SHR": (1, 2, "a >> b, arithmetic; trap unless 0 <= b <= 31"),
    "SHRU": (1, 2, "a >> b, logical; trap unless 0 <= b <= 31"),
    "EQ": (1, 2, "a == b"), "NE": (1, 2, "a != b"),
    "LT": (1, 2, "a < b signed"), "LE": (1, 2, "a <= b signed"),
    "GT": (1, 2, "a > b signed"), "GE": (1, 2, "a >= b signed"),
    "LTU": (1, 2, "a < b unsigned"), "LEU": (1, 2, "a <= b unsigned"),
    "GTU": (1, 2, "a > b unsigned"), "GEU": (1, 2, "a >= b unsigned"),
    "NEG": (1, 1, "-a"), "NOT": (1, 1, "~a"), "LNOT": (1, 1, "!a"),
    "SEXT8": (1, 1, "to int8"), "ZEXT8": (1, 1, "to uint8"),
    "SEXT16": (1, 1, "to int16"), "ZEXT16": (1, 1, "to uint16"), "TOBOOL": (1, 1, "a != 0"),
    "JMP": (2, 0, "jump to word address operand"),
    "JZ": (2, 1, "pop; jump if zero"),
    "JNZ": (2, 1, "pop; jump if not zero"),
    "CALL": (4, 0, "push return address and fp; fp = sp; jump"),
    "ENTER": (3, 0, "reserve and zero operand words of locals (trap on stack overflow)"),
    "RET": (4, 0, "return the top (operand & 127) words, dropping (operand >> 7) words of "
                  "arguments and the frame"),
    "TRAP": (1, 0, "stop with trap status operand"),
    "VBCAST": (4, 1, "scalar -> vector with every lane = its low byte"),
    "VADDU": (4, 128, "lanes a + b mod 256"),
    "VSUBU": (4, 128, "lanes a - b mod 256"),
    "VMULU": (4, 128, "lanes a * b mod 256 (low byte)"),
    "VADDS": (4, 128, "lanes a + b saturated to [-128, 127]"),
    "VSUBS": (4, 128, "lanes a - b saturated"),
    "VMULS": (4, 128, "lanes (a * b) >> 7 (Q0.7, floor) saturated"),
    "VAND": (4, 128, "lanes a & b"), "VOR": (4, 128, "lanes a | b"),
    "VXOR": (4, 128, "lanes a ^ b"),
    "VCMP": (4, 128, "lanes 255 where (a cond b) else 0 (operand: cond | 8 if signed)"),
    "VNOT": (4, 64, "lanes ~a"),
    "VNEGU": (4, 64, "lanes -a mod 256"),
    "VNEGS": (4, 64, "lanes -a saturated (-(-128) = 127)"),
    "VFLIP": (4, 64, "lanes a ^ 0x80: offset conversion u8 <-> s8 (x - 128 / x + 128)"),
    "VSHLU": (4, 65, "lanes a << n mod 256; trap unless 0 <= n <= 7"),
    "VSHRU": (4, 65, "lanes a >> n logical; trap unless 0 <= n <= 7"),
    "VSHLS": (4, 65, "lanes a << n saturated (multiply by 2**n); trap unless 0 <= n <= 7"),
    "VSHRS": (4, 65, "lanes a >> n arithmetic; trap unless 0 <= n <= 7"),
    "VSEL": (6, 192, "mask, a, b -> lanes (mask != 0 ? a : b)"),
    "VLANE": (4, 65, "vector, i -> lane i (signed if operand); trap unless 0 <= i < 256"),
    "HOSTCALL": (1, 0, "call chip built-in number operand: the interpreter stops with status "
                       "HOST_CALL, the Machine pops the arguments, charges the rest of the "
                       "built-in's cost (libnux_vm.builtins), pushes the result and resumes"),
    "FILL": (2, 1, "address -> zero operand bytes from it (one more cycle per 4 bytes)"),
}

NAMES = {getattr(vm, name): name for name in SPEC}
assert len(NAMES) == len(SPEC) == vm.N_OPCODES, "every opcode needs exactly one SPEC row"
OPCODES = {name: code for code, name in NAMES.items()}

#: cost in PPU cycles per opcode (256 entries; undefined opcodes cost 1 and trap)
COSTS = np.ones(256, dtype=np.int64)
#: words each opcode pops, checked against the stack bottom before it executes
POPS = np.zeros(256, dtype=np.int64)
for _name, (_cost, _pops, _doc) in SPEC.items():
    COSTS[OPCODES[_name]] = _cost
    POPS[OPCODES[_name]] = _pops
COSTS.setflags(write=False)
POPS.setflags(write=False)

OPERAND_MIN, OPERAND_MAX = -(1 << 23), (1 << 23) - 1
#: opcodes whose operand means something (shown by the disassembler)
HAS_OPERAND = {"PUSH", "DROP", "LDL", "STL", "LDG", "STG", "ADDRL", "INDEX", "VCMP", "JMP",
               "JZ", "JNZ", "CALL", "ENTER", "RET", "TRAP", "VLANE", "HOSTCALL", "FILL"}


def encode(op: int, operand: int = 0) -> int:
    """One instruction word (as a signed int32 value)."""
    if not OPERAND_MIN <= operand <= OPERAND_MAX:
        raise ValueError(f"operand {operand} of {NAMES[op]} does not fit 24 bits")
    # the operand is signed: Python's << of a negative int is already the negative int32 word
    return (operand << 8) | op


def disassemble(code: Sequence[int] | np.ndarray, base: int = 0) -> list[str]:
    """Text of each instruction of ``code`` (int32 words), the first at word address ``base``."""
    out = []
    i = 0
    while i < len(code):
        word = int(code[i])
        op, operand = word & 0xFF, word >> 8
        name = NAMES.get(op, f"?{op}")
        text = f"{base + i:5d}: {name}"
        if name == "PUSHW" and i + 1 < len(code):
            i += 1
            text += f" {int(code[i])}"
        elif name in HAS_OPERAND:
            text += f" {operand}"
        out.append(text)
        i += 1
    return out
