"""The bytecode interpreter: a numba-compiled stack machine over the PPU's 16 KiB memory.

Machine state: the memory (one byte buffer seen as uint8, int8 and little-endian int32 arrays),
``pc`` (word address of the next instruction), ``sp`` (word address of the first free stack
word; the stack grows up), ``fp`` (word address of the current frame) and a cycle counter in PPU
cycles (250 MHz). An instruction is one 32-bit word: opcode in bits 0..7, a signed 24-bit
operand in bits 8..31 (:mod:`libnux_vm.isa` describes every opcode and its cost).

Safety: every memory access, jump target and stack movement is checked, so that neither a
faulty kernel nor a corrupt image can touch anything outside the memory array: a fault stops the
interpreter with a trap status, and ``regs[0]`` is the word address of the faulting instruction.

Opcode numbers are defined here (and only here) because numba compiles them in as constants.
"""

from __future__ import annotations

import numba
import numpy as np

# ---------------------------------------------------------------- opcodes
NOP, PUSH, PUSHW, DROP, DUP, LDL, STL, LDG, STG, ADDRL = range(0, 10)
INDEX, LD8S, LD8U, LD16S, LD16U, LD32, ST8, ST16, ST32, VLD, VST = range(10, 21)
ADD, SUB, MUL, DIV, DIVU, MOD, MODU, AND, OR, XOR, SHL, SHR, SHRU = range(21, 34)
EQ, NE, LT, LE, GT, GE, LTU, LEU, GTU, GEU = range(34, 44)
NEG, NOT, LNOT, SEXT8, ZEXT8, SEXT16, ZEXT16, TOBOOL = range(44, 52)
JMP, JZ, JNZ, CALL, ENTER, RET, TRAP = range(52, 59)
VBCAST, VADDU, VSUBU, VMULU, VADDS, VSUBS, VMULS, VAND, VOR, VXOR = range(59, 69)
VCMP, VNOT, VNEGU, VNEGS, VFLIP, VSHLU, VSHRU, VSHLS, VSHRS, VSEL, VLANE = range(69, 80)
HOSTCALL, FILL = 80, 81
N_OPCODES = 82

# VCMP operand: condition in bits 0..2, signed lanes if bit 3 is set
CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE = range(6)
CMP_SIGNED = 8

# ---------------------------------------------------------------- run status
OK = 0
#: not a trap: the interpreter stopped at ``HOSTCALL``; ``regs`` hold the state after it (``pc``
#: is the next instruction, the arguments are the top words of the stack, the cycles include
#: the HOSTCALL's cost) and ``info[0]`` is the built-in's id. Run again to resume.
HOST_CALL = 100
T_OUT_OF_BOUNDS, T_STACK_OVERFLOW, T_DIVISION_BY_ZERO, T_CYCLE_BUDGET = 1, 2, 3, 4
T_MEMORY_FAULT, T_INVALID_INSTRUCTION, T_MISSING_RETURN, T_OUT_OF_RANGE = 5, 6, 7, 8
STATUS_KINDS = {T_OUT_OF_BOUNDS: "out_of_bounds", T_STACK_OVERFLOW: "stack_overflow",
                T_DIVISION_BY_ZERO: "division_by_zero", T_CYCLE_BUDGET: "cycle_budget",
                T_MEMORY_FAULT: "memory_fault", T_INVALID_INSTRUCTION: "invalid_instruction",
                T_MISSING_RETURN: "missing_return", T_OUT_OF_RANGE: "out_of_range"}

#: Words kept free at the top of the stack: one instruction pushes at most 64 words (a vector).
RED_ZONE_WORDS = 66
VEC_WORDS = 64
RET_ADDRESS_HOST = -1   # a return address that ends the run (pushed by the host's call)


@numba.njit(inline="always")
def _wrap(x):
    """int64 -> value of the int32 word with the same low 32 bits."""
    return ((x + 0x80000000) & 0xFFFFFFFF) - 0x80000000


@numba.njit(inline="always")
def _sat8(x):
    return 127 if x > 127 else (-128 if x < -128 else x)


@numba.njit(inline="always")
def _compare(cond, a, b):
    if cond == CMP_EQ:
        return a == b
    if cond == CMP_NE:
        return a != b
    if cond == CMP_LT:
        return a < b
    if cond == CMP_LE:
        return a <= b
    if cond == CMP_GT:
        return a > b
    return a >= b


@numba.njit(cache=True)
def run(mem_u8: np.ndarray, mem_s8: np.ndarray, mem32: np.ndarray, costs: np.ndarray,
        pops: np.ndarray, regs: np.ndarray, info: np.ndarray, layout: np.ndarray,
        budget: int) -> int:
    """Execute from ``regs`` = [pc, sp, fp, cycles, instructions executed] until the host's return, a host call
    (status ``HOST_CALL``, see there) or a trap.

    ``layout`` = [code_lo, code_hi, stack_lo (word addresses), data_lo, mem_hi (byte
    addresses)]; loads and stores may touch bytes [data_lo, mem_hi) only. ``budget`` is the
    cycle count that must not be exceeded. Returns the status (``OK`` or a ``T_*`` code) and
    leaves the registers in ``regs``; on a trap ``regs[0]`` is the faulting instruction and
    ``info`` holds details (out of bounds: the index and the length)."""
    pc = regs[0]
    sp = regs[1]
    fp = regs[2]
    cycles = regs[3]
    executed = regs[4]
    code_lo = layout[0]
    code_hi = layout[1]
    stack_lo = layout[2]
    data_lo = layout[3]
    mem_hi = layout[4]
    word_hi = mem_hi // 4
    sp_max = word_hi - RED_ZONE_WORDS
    status = OK
    pc0 = pc
    while True:
        pc0 = pc
        if pc < code_lo or pc >= code_hi:
            status = T_INVALID_INSTRUCTION
            break
        ins = np.int64(mem32[pc])
        op = ins & 0xFF
        arg = ins >> 8
        c = cycles + costs[op]
        if c > budget:
            status = T_CYCLE_BUDGET
            break
        if sp > sp_max:
            status = T_STACK_OVERFLOW
            break
        if sp - pops[op] < stack_lo:
            status = T_INVALID_INSTRUCTION   # stack underflow: not produced by the compiler
            break
        cycles = c
        executed += 1
        pc += 1
        # ------------------------------------------------ stack, variables, memory
        if op == PUSH:
            mem32[sp] = arg
            sp += 1
        elif op == LDL or op == STL or op == ADDRL:
            a = fp + arg
            if a < stack_lo or a >= word_hi:
                status = T_MEMORY_FAULT
                break
            if op == LDL:
                mem32[sp] = mem32[a]
                sp += 1
            elif op == STL:
                sp -= 1
                mem32[a] = mem32[sp]
            else:
                mem32[sp] = a * 4
                sp += 1
        elif op == LDG or op == STG:
            if arg < data_lo or arg + 4 > mem_hi or arg & 3:
                status = T_MEMORY_FAULT
                break
            if op == LDG:
                mem32[sp] = mem32[arg >> 2]
                sp += 1
            else:
                sp -= 1
                mem32[arg >> 2] = mem32[sp]
        elif op == PUSHW:
            if pc >= code_hi:
                status = T_INVALID_INSTRUCTION
                break
            mem32[sp] = mem32[pc]
            pc += 1
            sp += 1
        elif op == DUP:
            mem32[sp] = mem32[sp - 1]
            sp += 1
        elif op == DROP:
            if arg < 0 or sp - arg < stack_lo:
                status = T_INVALID_INSTRUCTION
                break
            sp -= arg
        elif op == INDEX:
            idx = np.int64(mem32[sp - 1])
            length = arg >> 4
            if idx < 0 or idx >= length:
                info[0] = idx
                info[1] = length
                status = T_OUT_OF_BOUNDS
                break
            sp -= 1
            mem32[sp - 1] = _wrap(np.int64(mem32[sp - 1]) + (idx << (arg & 15)))
        elif op >= LD8S and op <= LD32:
            a = np.int64(mem32[sp - 1])
            size = 1 if op <= LD8U else (2 if op <= LD16U else 4)
            if a < data_lo or a + size > mem_hi or (size == 4 and a & 3):
                status = T_MEMORY_FAULT
                break
            if op == LD8S:
                mem32[sp - 1] = mem_s8[a]
            elif op == LD8U:
                mem32[sp - 1] = mem_u8[a]
            elif op == LD32:
                mem32[sp - 1] = mem32[a >> 2]
            else:
                v = np.int64(mem_u8[a]) | (np.int64(mem_u8[a + 1]) << 8)
                if op == LD16S and v >= 0x8000:
                    v -= 0x10000
                mem32[sp - 1] = v
        elif op >= ST8 and op <= ST32:
            a = np.int64(mem32[sp - 2])
            v = np.int64(mem32[sp - 1])
            size = 1 if op == ST8 else (2 if op == ST16 else 4)
            if a < data_lo or a + size > mem_hi or (size == 4 and a & 3):
                status = T_MEMORY_FAULT
                break
            if op == ST32:
                mem32[a >> 2] = v
            else:
                mem_u8[a] = v & 0xFF
                if op == ST16:
                    mem_u8[a + 1] = (v >> 8) & 0xFF
            sp -= 2
        elif op == VLD:
            a = np.int64(mem32[sp - 1])
            if a < data_lo or a + 4 * VEC_WORDS > mem_hi or a & 3:
                status = T_MEMORY_FAULT
                break
            w = a >> 2
            for k in range(VEC_WORDS):
                mem32[sp - 1 + k] = mem32[w + k]
            sp += VEC_WORDS - 1
        elif op == VST:
            a = np.int64(mem32[sp - VEC_WORDS - 1])
            if a < data_lo or a + 4 * VEC_WORDS > mem_hi or a & 3:
                status = T_MEMORY_FAULT
                break
            w = a >> 2
            for k in range(VEC_WORDS):
                mem32[w + k] = mem32[sp - VEC_WORDS + k]
            sp -= VEC_WORDS + 1
        # ------------------------------------------------ scalar arithmetic
        elif op >= ADD and op <= GEU:
            a = np.int64(mem32[sp - 2])
            b = np.int64(mem32[sp - 1])
            ua = a & 0xFFFFFFFF
            ub = b & 0xFFFFFFFF
            r = np.int64(0)
            if op == ADD:
                r = a + b
            elif op == SUB:
                r = a - b
            elif op == MUL:
                r = a * b
            elif op >= DIV and op <= MODU:
                if b == 0:
                    status = T_DIVISION_BY_ZERO
                    break
                if op == DIVU:
                    r = ua // ub
                elif op == MODU:
                    r = ua % ub
                else:
                    q = abs(a) // abs(b)
                    if (a < 0) != (b < 0):
                        q = -q
                    r = q if op == DIV else a - q * b
            elif op == AND:
                r = a & b
            elif op == OR:
                r = a | b
            elif op == XOR:
                r = a ^ b
            elif op >= SHL and op <= SHRU:
                if b < 0 or b > 31:           # C leaves these undefined: trap, never wrap
                    info[0] = b
                    info[1] = 32
                    status = T_OUT_OF_RANGE
                    break
                if op == SHL:
                    r = a << b
                elif op == SHR:
                    r = a >> b
                else:
                    r = ua >> b
            elif op <= GE:
                r = 1 if _compare(op - EQ, a, b) else 0
            else:
                r = 1 if _compare(op - LTU + CMP_LT, ua, ub) else 0
            mem32[sp - 2] = _wrap(r)
            sp -= 1
        elif op >= NEG and op <= TOBOOL:
            a = np.int64(mem32[sp - 1])
            if op == NEG:
                a = -a
            elif op == NOT:
                a = ~a
            elif op == LNOT:
                a = 1 if a == 0 else 0
            elif op == SEXT8:
                a = ((a & 0xFF) ^ 0x80) - 0x80
            elif op == ZEXT8:
                a = a & 0xFF
            elif op == SEXT16:
                a = ((a & 0xFFFF) ^ 0x8000) - 0x8000
            elif op == ZEXT16:
                a = a & 0xFFFF
            else:
                a = 1 if a != 0 else 0
            mem32[sp - 1] = _wrap(a)
        # ------------------------------------------------ control flow
        elif op == JMP:
            pc = arg
        elif op == JZ:
            sp -= 1
            if mem32[sp] == 0:
                pc = arg
        elif op == JNZ:
            sp -= 1
            if mem32[sp] != 0:
                pc = arg
        elif op == CALL:
            mem32[sp] = pc
            mem32[sp + 1] = fp
            sp += 2
            fp = sp
            pc = arg
        elif op == ENTER:
            if arg < 0 or sp + arg > sp_max:
                status = T_STACK_OVERFLOW
                break
            for k in range(arg):
                mem32[sp + k] = 0
            sp += arg
        elif op == RET:
            n_args = arg >> 7
            n_ret = arg & 0x7F
            base = fp - 2 - n_args
            if n_args < 0 or base < stack_lo or fp > sp - n_ret or n_ret > VEC_WORDS \
                    or fp > word_hi:
                status = T_INVALID_INSTRUCTION
                break
            ret_pc = mem32[fp - 2]
            old_fp = mem32[fp - 1]
            for k in range(n_ret):
                mem32[base + k] = mem32[sp - n_ret + k]
            sp = base + n_ret
            fp = old_fp
            if ret_pc == RET_ADDRESS_HOST:
                break
            pc = ret_pc
        elif op == TRAP:
            status = arg if arg > 0 else T_INVALID_INSTRUCTION
            break
        # ------------------------------------------------ vectors (lane i at byte i)
        elif op == VBCAST:
            v = np.int64(mem32[sp - 1]) & 0xFF
            word = _wrap(v * 0x01010101)
            for k in range(VEC_WORDS):
                mem32[sp - 1 + k] = word
            sp += VEC_WORDS - 1
        elif op >= VADDU and op <= VCMP:
            ba = (sp - 2 * VEC_WORDS) * 4
            bb = (sp - VEC_WORDS) * 4
            if op == VAND or op == VOR or op == VXOR:
                wa = sp - 2 * VEC_WORDS
                for k in range(VEC_WORDS):
                    if op == VAND:
                        mem32[wa + k] = mem32[wa + k] & mem32[wa + VEC_WORDS + k]
                    elif op == VOR:
                        mem32[wa + k] = mem32[wa + k] | mem32[wa + VEC_WORDS + k]
                    else:
                        mem32[wa + k] = mem32[wa + k] ^ mem32[wa + VEC_WORDS + k]
            elif op <= VMULU:
                for k in range(256):
                    x = np.int64(mem_u8[ba + k])
                    y = np.int64(mem_u8[bb + k])
                    if op == VADDU:
                        r = x + y
                    elif op == VSUBU:
                        r = x - y
                    else:
                        r = x * y
                    mem_u8[ba + k] = r & 0xFF
            elif op <= VMULS:
                for k in range(256):
                    x = np.int64(mem_s8[ba + k])
                    y = np.int64(mem_s8[bb + k])
                    if op == VADDS:
                        r = x + y
                    elif op == VSUBS:
                        r = x - y
                    else:
                        r = (x * y) >> 7      # Q0.7 product, floor
                    mem_s8[ba + k] = _sat8(r)
            else:  # VCMP
                cond = arg & 7
                for k in range(256):
                    if arg & CMP_SIGNED:
                        x = np.int64(mem_s8[ba + k])
                        y = np.int64(mem_s8[bb + k])
                    else:
                        x = np.int64(mem_u8[ba + k])
                        y = np.int64(mem_u8[bb + k])
                    mem_u8[ba + k] = 255 if _compare(cond, x, y) else 0
            sp -= VEC_WORDS
        elif op >= VNOT and op <= VFLIP:
            ba = (sp - VEC_WORDS) * 4
            if op == VNOT or op == VFLIP:
                mask = -1 if op == VNOT else 0x80808080
                for k in range(VEC_WORDS):
                    mem32[sp - VEC_WORDS + k] = mem32[sp - VEC_WORDS + k] ^ _wrap(mask)
            elif op == VNEGU:
                for k in range(256):
                    mem_u8[ba + k] = (-np.int64(mem_u8[ba + k])) & 0xFF
            else:
                for k in range(256):
                    mem_s8[ba + k] = _sat8(-np.int64(mem_s8[ba + k]))
        elif op >= VSHLU and op <= VSHRS:
            n = np.int64(mem32[sp - 1])
            if n < 0 or n > 7:                 # 8-bit lanes: amounts 0..7
                info[0] = n
                info[1] = 8
                status = T_OUT_OF_RANGE
                break
            ba = (sp - 1 - VEC_WORDS) * 4
            for k in range(256):
                if op == VSHLU:
                    mem_u8[ba + k] = (np.int64(mem_u8[ba + k]) << n) & 0xFF
                elif op == VSHRU:
                    mem_u8[ba + k] = np.int64(mem_u8[ba + k]) >> n
                elif op == VSHLS:
                    mem_s8[ba + k] = _sat8(np.int64(mem_s8[ba + k]) << n)
                else:
                    mem_s8[ba + k] = np.int64(mem_s8[ba + k]) >> n
            sp -= 1
        elif op == VSEL:
            bm = (sp - 3 * VEC_WORDS) * 4
            for k in range(256):
                src = bm + 256 + k if mem_u8[bm + k] != 0 else bm + 512 + k
                mem_u8[bm + k] = mem_u8[src]
            sp -= 2 * VEC_WORDS
        elif op == VLANE:
            idx = np.int64(mem32[sp - 1])
            if idx < 0 or idx >= 256:
                info[0] = idx
                info[1] = 256
                status = T_OUT_OF_BOUNDS
                break
            ba = (sp - 1 - VEC_WORDS) * 4
            v = np.int64(mem_s8[ba + idx]) if arg else np.int64(mem_u8[ba + idx])
            sp -= VEC_WORDS
            mem32[sp - 1] = v
        elif op == HOSTCALL:
            info[0] = arg
            status = HOST_CALL
            break
        elif op == FILL:
            a = np.int64(mem32[sp - 1])
            if arg < 0 or a < data_lo or a + arg > mem_hi:
                status = T_MEMORY_FAULT
                break
            extra = arg >> 2                  # one store per word
            if cycles + extra > budget:
                cycles -= costs[op]
                executed -= 1
                status = T_CYCLE_BUDGET
                break
            cycles += extra
            for k in range(arg):
                mem_u8[a + k] = 0
            sp -= 1
        elif op == NOP:
            pass
        else:
            status = T_INVALID_INSTRUCTION
            break
    regs[0] = pc0 if status != OK and status != HOST_CALL else pc
    regs[1] = sp
    regs[2] = fp
    regs[3] = cycles
    regs[4] = executed
    return status
