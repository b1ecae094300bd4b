"""Checked syntax tree -> bytecode, data layout and memory image (:class:`Program`).

:func:`compile` is the whole pipeline: parse, check, generate code, lay out memory (see
:mod:`libnux_vm.program`), build the image. Code generation is a single walk over the tree for a
stack machine: every expression leaves its value on the operand stack (a scalar in one word,
widened to 32 bit; a vector in 64 words), every statement leaves the stack as it found it.
"""

from __future__ import annotations

import numbers
import sys
import threading
from typing import Sequence

import numpy as np

from . import checker as chk
from . import nodes as n
from . import semantics as sem
from . import vm
from .builtins import Builtin
from .errors import CompileError
from .isa import OPERAND_MAX, OPERAND_MIN, encode
from .parser import parse
from .program import (HEADER_WORDS, MAILBOX_WORDS, MAX_TIMERS, MEMORY_BYTES, RUNTIME_WORDS,
                      TIMER_WORDS, Entry, Layout, Program, Symbol, header)
from .runtime import Timer
from .views import FIRST_VIEW, MAX_VIEWS, OWN_HEMISPHERE, VIEW_WORDS, view_words
from .typesys import (BOOL, INT8, INT16, INT32, UINT8, UINT16, UINT32, VOID, ArrayType, ScalarType,
                      VectorType, is_scalar, is_vector, needs_narrowing, promote, storage_bytes,
                      value_words)

#: the parameter lists a timer function may have: (), (synapses, neurons), (..., period)
_TIMER_PARAMS = ((), (INT32, INT32), (INT32, INT32, INT32))
#: globals the compiler adds for the runtime (:mod:`libnux_vm.runtime`)
RESERVED_GLOBALS = ("__runtime", "__timers", "__mailbox", "__views")

#: smallest stack the image must leave room for, in bytes (default of :func:`compile`)
MIN_STACK_BYTES = 1024

_NARROW = {INT8: vm.SEXT8, UINT8: vm.ZEXT8, INT16: vm.SEXT16, UINT16: vm.ZEXT16}
_LOAD = {1: {True: vm.LD8S, False: vm.LD8U}, 2: {True: vm.LD16S, False: vm.LD16U},
         4: {True: vm.LD32, False: vm.LD32}}
_STORE = {1: vm.ST8, 2: vm.ST16, 4: vm.ST32}
_SCALAR_OPS = {"+": vm.ADD, "-": vm.SUB, "*": vm.MUL, "&": vm.AND, "|": vm.OR, "^": vm.XOR,
               "<<": vm.SHL}
_SIGNED_OPS = {"/": (vm.DIV, vm.DIVU), "%": (vm.MOD, vm.MODU), ">>": (vm.SHR, vm.SHRU),
               "==": (vm.EQ, vm.EQ), "!=": (vm.NE, vm.NE), "<": (vm.LT, vm.LTU),
               "<=": (vm.LE, vm.LEU), ">": (vm.GT, vm.GTU), ">=": (vm.GE, vm.GEU)}
_VECTOR_OPS = {"+": (vm.VADDS, vm.VADDU), "-": (vm.VSUBS, vm.VSUBU), "*": (vm.VMULS, vm.VMULU),
               "&": (vm.VAND, vm.VAND), "|": (vm.VOR, vm.VOR), "^": (vm.VXOR, vm.VXOR),
               "<<": (vm.VSHLS, vm.VSHLU), ">>": (vm.VSHRS, vm.VSHRU)}
_VECTOR_CMP = {"==": vm.CMP_EQ, "!=": vm.CMP_NE, "<": vm.CMP_LT, "<=": vm.CMP_LE,
               ">": vm.CMP_GT, ">=": vm.CMP_GE}


def compile(source: str, *, min_stack_bytes: int = MIN_STACK_BYTES,
            timers: Sequence[Timer] = ()) -> Program:
    """Compile kernel source text into a :class:`~libnux_vm.program.Program`.

    ``timers`` (:class:`~libnux_vm.runtime.Timer`, at most 32) are what the PPU runtime calls
    after ``start()``, earliest deadline first; each names a function of the program
    (``PLASTICITY_RULE_KERNEL`` by default) of type ``void()``, ``void(int32, int32)`` or
    ``void(int32, int32, int32)`` (synapse handle, neuron handle, period index); the views a
    timer names (``synapses=``, ``neurons=``, at most 32 distinct ones) go into ``__views``.

    Raises :class:`~libnux_vm.errors.CompileError` for any syntax, name, type or size error;
    the image plus ``min_stack_bytes`` of stack must fit the 16384-byte PPU memory."""
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, not {type(source).__name__}")
    if (not isinstance(min_stack_bytes, numbers.Integral) or isinstance(min_stack_bytes, bool)
            or not 0 <= min_stack_bytes <= MEMORY_BYTES):
        raise ValueError(f"min_stack_bytes must be an integer number of bytes in "
                         f"0..{MEMORY_BYTES}, not {min_stack_bytes!r}")
    timers = tuple(timers)
    for t in timers:
        if not isinstance(t, Timer):
            raise TypeError(f"timers must be libnux_vm.Timer objects, not {type(t).__name__}")
    n_views = len({v for t in timers for v in (t.synapses, t.neurons) if v is not None})
    if n_views > MAX_VIEWS:
        raise CompileError(f"the timers name {n_views} distinct views; a program holds at most "
                           f"{MAX_VIEWS}")
    if len(timers) > MAX_TIMERS:
        raise CompileError(f"{len(timers)} timers given; the scheduler holds at most "
                           f"{MAX_TIMERS}")
    def pipeline() -> Program:
        module = parse(source)
        checked = chk.check(module, source)
        return _Compiler(checked, source, min_stack_bytes, timers).build()

    try:
        return _with_deep_stack(pipeline)
    except RecursionError:
        raise CompileError(f"the program is nested too deeply: an expression or block nests "
                           f"(or an operator chain runs) thousands of levels deep, beyond "
                           f"what the compiler's {_RECURSION_LIMIT} levels of recursion "
                           f"can walk") from None


#: the parser, checker and code generator walk the tree recursively: a chain of 400 ``+``
#: is 400 levels. They run on a thread with this much stack and recursion limit.
_STACK_BYTES = 512 << 20
_RECURSION_LIMIT = 100_000
_DEEP_LOCK = threading.Lock()


def _with_deep_stack(fn):
    """``fn()`` on a thread with a deep stack (the recursion limit raised meanwhile)."""
    outcome = {}

    def target():
        try:
            outcome["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = e

    with _DEEP_LOCK:
        old_limit, old_size = sys.getrecursionlimit(), threading.stack_size()
        sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
        try:
            threading.stack_size(_STACK_BYTES)
            worker = threading.Thread(target=target, name="libnux_vm.compile")
            worker.start()
            worker.join()
        finally:
            threading.stack_size(old_size)
            sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class _Label:
    __slots__ = ("pos",)

    def __init__(self):
        self.pos = None


class _Compiler:
    def __init__(self, checked: chk.CheckedModule, source: str, min_stack_bytes: int,
                 timers: tuple = ()):
        self.checked = checked
        self.timers = timers
        self.source = source
        self.min_stack = min_stack_bytes
        self.items: list = []    # per code word: [opcode or None (raw word), operand, line]
        self.line = 0
        self.func: chk.FuncSymbol | None = None
        self.loops: list = []    # (break label, continue label)
        self.frame_bytes: dict = {}
        self.ret_operand = 0     # RET operand of the current function

    # ------------------------------------------------------------------ emission
    def emit(self, op: int, operand=0):
        self.items.append([op, operand, self.line])

    def label(self) -> _Label:
        return _Label()

    def place(self, label: _Label):
        label.pos = len(self.items)

    def push_const(self, value: int):
        word = sem.to_word(value)
        if OPERAND_MIN <= word <= OPERAND_MAX:
            self.emit(vm.PUSH, word)
        else:
            self.emit(vm.PUSHW)
            self.items.append([None, word, self.line])

    # ------------------------------------------------------------------ whole program
    def build(self) -> Program:
        spans = {}
        for f in self.checked.functions:
            start = len(self.items)
            self.function(f)
            spans[f.name] = (start, len(self.items))
        code_lo = HEADER_WORDS
        code_hi = code_lo + len(self.items)
        data_lo = address = code_hi * 4
        for g in self.checked.globals + self.checked.functions:
            if g.name in RESERVED_GLOBALS:
                self.error_at(g, f"'{g.name}' is reserved for the PPU runtime; choose another "
                                 "name")
        for g in self.checked.globals:
            g.address = address
            address += storage_bytes(g.type)
        runtime_types = self.runtime_types()
        runtime_addresses = []
        for t in runtime_types.values():
            runtime_addresses.append(address)
            address += storage_bytes(t)
        runtime_address, timers_address, mailbox_address, views_address = runtime_addresses
        data_hi = address
        layout = Layout(code_lo, code_hi, data_lo, data_hi, data_hi, MEMORY_BYTES)
        self.check_size(layout)
        words, lines = self.assemble(code_lo)
        image = bytearray(data_hi)
        symbols = {}
        for g in self.checked.globals:
            image[g.address:g.address + storage_bytes(g.type)] = _initial_bytes(g)
            symbols[g.name] = Symbol(g.name, "global", g.address, storage_bytes(g.type), g.type)
        for f in self.checked.functions:
            start, end = spans[f.name]
            symbols[f.name] = Symbol(f.name, "function", (code_lo + start) * 4,
                                     (end - start) * 4, f.type)
        for (name, t), addr in zip(runtime_types.items(), runtime_addresses):
            symbols[name] = Symbol(name, "global", addr, storage_bytes(t), t)
        views = self.views()
        entry = Entry(self.start_symbol(symbols), self.timer_symbols(symbols),
                      runtime_address, timers_address, mailbox_address, views_address, len(views))
        handle = {v: FIRST_VIEW + i for i, v in enumerate(views)}
        handle[None] = OWN_HEMISPHERE
        table = np.zeros((len(self.timers), TIMER_WORDS), dtype="<u4")
        for i, (t, sym) in enumerate(zip(self.timers, entry.timer_symbols)):
            table[i] = (sym.address // 4, len(sym.type.params), t.start, t.period,
                        t.num_periods, 0, 0, handle[t.synapses], handle[t.neurons])
        image[timers_address:timers_address + table.nbytes] = table.tobytes()
        for i, v in enumerate(views):
            at = views_address + i * VIEW_WORDS * 4
            image[at:at + VIEW_WORDS * 4] = view_words(v).tobytes()
        image[:HEADER_WORDS * 4] = header(layout, entry).tobytes()
        image[code_lo * 4:code_hi * 4] = words.astype("<i4").tobytes()
        return Program(bytes(image), symbols, layout, lines, self.source, entry)

    def views(self) -> list:
        """The distinct views the timers name, in order of first use."""
        return list(dict.fromkeys(v for t in self.timers for v in (t.synapses, t.neurons)
                                  if v is not None))

    def runtime_types(self) -> dict:
        """The globals the compiler adds for the runtime, with their types."""
        return {"__runtime": ArrayType(UINT32, RUNTIME_WORDS),
                "__timers": ArrayType(UINT32, max(len(self.timers), 1) * TIMER_WORDS),
                "__mailbox": ArrayType(INT32, MAILBOX_WORDS),
                "__views": ArrayType(UINT32, max(len(self.views()), 1) * VIEW_WORDS)}

    def start_symbol(self, symbols: dict) -> Symbol | None:
        """The ``start`` function the runtime calls first: ``int32 start()`` or
        ``void start()``."""
        start = self.checked_function("start")
        if start is None:
            return None
        if start.type.params or start.type.ret not in (INT32, VOID):
            self.error_at(start, f"'start' is the program's entry point and must be "
                                 f"'int32 start()' or 'void start()', not {start.type}")
        return symbols["start"]

    def timer_symbols(self, symbols: dict) -> tuple:
        out = []
        for t in self.timers:
            f = self.checked_function(t.function)
            if f is None:
                known = ", ".join(sorted(fn.name for fn in self.checked.functions)) or "none"
                raise CompileError(f"a timer calls '{t.function}', which the program does not "
                                   f"define (its functions: {known})")
            if f.type.ret != VOID or f.type.params not in _TIMER_PARAMS:
                self.error_at(f, f"'{t.function}' is called by a timer and must be 'void "
                                 f"{t.function}()', 'void {t.function}(int32 synapses, int32 "
                                 f"neurons)' or 'void {t.function}(int32 synapses, int32 "
                                 f"neurons, int32 period)', not {f.type}")
            out.append(symbols[t.function])
        return tuple(out)

    def checked_function(self, name: str):
        return next((f for f in self.checked.functions if f.name == name), None)

    def error_at(self, f, reason: str):
        raise CompileError(reason, source=self.source, line=f.node.line, column=f.node.column)

    def check_size(self, layout: Layout):
        need = layout.data_hi + self.min_stack
        runtime = sum(storage_bytes(t) for t in self.runtime_types().values())
        if need > MEMORY_BYTES:
            big = sorted(self.checked.globals, key=lambda g: -storage_bytes(g.type))[:3]
            biggest = ", ".join(f"'{g.name}' {storage_bytes(g.type)} B" for g in big)
            raise CompileError(
                f"the program does not fit the PPU memory: its image is {layout.data_hi} bytes "
                f"(header {HEADER_WORDS * 4}, code {(layout.code_hi - layout.code_lo) * 4}, "
                f"globals {layout.data_hi - layout.data_lo - runtime}, runtime {runtime}"
                + (f"; largest: {biggest}" if biggest else "")
                + f") and it needs at least {self.min_stack} bytes of stack, but the memory "
                f"holds {MEMORY_BYTES} bytes")
        usable = layout.stack_bytes - vm.RED_ZONE_WORDS * 4
        for f in self.checked.functions:
            if self.frame_bytes[f.name] > usable:
                raise CompileError(
                    f"function '{f.name}' needs {self.frame_bytes[f.name]} bytes of stack for "
                    f"one call but only {usable} bytes are free", source=self.source,
                    line=f.node.line, column=f.node.column)

    def assemble(self, code_lo: int):
        words = np.zeros(len(self.items), dtype=np.int64)
        lines = np.zeros(len(self.items), dtype=np.int32)
        for i, (op, operand, line) in enumerate(self.items):
            if isinstance(operand, _Label):
                operand = code_lo + operand.pos
            elif isinstance(operand, chk.FuncSymbol):
                operand = code_lo + operand.entry
            elif isinstance(operand, chk.VarSymbol):
                operand = operand.address
            words[i] = operand if op is None else encode(op, operand)
            lines[i] = line
        return words.astype(np.int32), lines

    # ------------------------------------------------------------------ functions
    def function(self, f: chk.FuncSymbol):
        self.func = f
        self.line = f.node.line
        f.entry = len(self.items)
        arg_words = sum(value_words(p.type) for p in f.params)
        offset = -2 - arg_words
        for p in f.params:
            p.offset = offset
            offset += value_words(p.type)
        local_words = 0
        for v in f.locals:
            v.offset = local_words
            local_words += storage_bytes(v.type) // 4
        self.frame_bytes[f.name] = 4 * (arg_words + 2 + local_words + 3 * 64)
        self.ret_operand = arg_words << 7 | value_words(f.type.ret)
        if local_words:
            self.emit(vm.ENTER, local_words)
        self.stmt(f.node.body)
        self.line = f.node.line
        if f.type.ret == VOID:
            self.emit(vm.RET, self.ret_operand)
        else:
            self.emit(vm.TRAP, vm.T_MISSING_RETURN)

    # ------------------------------------------------------------------ statements
    def stmt(self, s):
        self.line = s.line or self.line
        getattr(self, "stmt_" + type(s).__name__)(s)

    def stmt_Block(self, s: n.Block):
        for x in s.stmts:
            self.stmt(x)

    def stmt_DeclStmt(self, s: n.DeclStmt):
        for d in s.decls:
            self.line = d.line
            v, t = d.symbol, d.symbol.type
            if d.init is None:
                continue
            if isinstance(t, ArrayType):
                listed = len(d.init.items) * (1 << _shift(t.elem))
                if listed < storage_bytes(t):       # C zeroes the rest, at every execution
                    self.emit(vm.ADDRL, v.offset)
                    self.emit(vm.PUSH, listed)
                    self.emit(vm.ADD)
                    self.emit(vm.FILL, storage_bytes(t) - listed)
                for i, item in enumerate(d.init.items):
                    self.emit(vm.ADDRL, v.offset)
                    self.push_const(i)
                    self.emit(vm.INDEX, t.length << 4 | _shift(t.elem))
                    self.expr(item)
                    self.convert(item.type, t.elem)
                    self.store(t.elem)
            elif is_scalar(t):
                self.expr(d.init)
                self.convert(d.init.type, t)
                self.emit(vm.STL, v.offset)
            else:
                self.emit(vm.ADDRL, v.offset)
                self.expr(d.init)
                self.convert(d.init.type, t)
                self.emit(vm.VST)

    def stmt_ExprStmt(self, s: n.ExprStmt):
        self.expr(s.expr)
        if value_words(s.expr.type):
            self.emit(vm.DROP, value_words(s.expr.type))

    def stmt_Assign(self, s: n.Assign):
        target, t = s.target, s.target.type
        if isinstance(target, n.Name) and is_scalar(t):
            if s.binary is not None:
                self.expr(s.binary)
                self.convert(s.binary.type, t)
            else:
                self.expr(s.value)
                self.convert(s.value.type, t)
            self.line = s.line
            sym = target.symbol
            if sym.storage == "global":
                self.emit(vm.STG, sym)
            else:
                self.emit(vm.STL, sym.offset)
            return
        self.address(target)
        self.line = s.line
        if s.binary is not None:
            self.emit(vm.DUP)
            self.load(t)
            self.binary_rest(s.binary)
            self.convert(s.binary.type, t)
        else:
            self.expr(s.value)
            self.convert(s.value.type, t)
        self.line = s.line
        self.store(t)

    def stmt_If(self, s: n.If):
        end = self.label()
        other = self.label() if s.else_ is not None else end
        self.branch_if_false(s.cond, other)
        self.stmt(s.then)
        if s.else_ is not None:
            self.emit(vm.JMP, end)
            self.place(other)
            self.stmt(s.else_)
        self.place(end)

    def stmt_While(self, s: n.While):
        top, end = self.label(), self.label()
        self.place(top)
        self.branch_if_false(s.cond, end)
        self.loops.append((end, top))
        self.stmt(s.body)
        self.loops.pop()
        self.line = s.line
        self.emit(vm.JMP, top)
        self.place(end)

    def stmt_DoWhile(self, s: n.DoWhile):
        top, test, end = self.label(), self.label(), self.label()
        self.place(top)
        self.loops.append((end, test))
        self.stmt(s.body)
        self.loops.pop()
        self.place(test)
        self.line = s.cond.line
        if s.cond.const is not None and s.cond.const != 0:
            self.emit(vm.JMP, top)
        else:
            self.expr(s.cond)
            self.emit(vm.JNZ, top)
        self.place(end)

    def stmt_For(self, s: n.For):
        top, step, end = self.label(), self.label(), self.label()
        if s.init is not None:
            self.stmt(s.init)
        self.place(top)
        if s.cond is not None:
            self.branch_if_false(s.cond, end)
        self.loops.append((end, step))
        self.stmt(s.body)
        self.loops.pop()
        self.place(step)
        if s.step is not None:
            self.stmt(s.step)
        self.line = s.line
        self.emit(vm.JMP, top)
        self.place(end)

    def stmt_Break(self, s: n.Break):
        self.emit(vm.JMP, self.loops[-1][0])

    def stmt_Continue(self, s: n.Continue):
        self.emit(vm.JMP, self.loops[-1][1])

    def stmt_Return(self, s: n.Return):
        if s.value is not None:
            self.expr(s.value)
            self.convert(s.value.type, self.func.type.ret)
            self.line = s.line
        self.emit(vm.RET, self.ret_operand)

    def branch_if_false(self, cond: n.Expr, target: _Label):
        if cond.const is not None and cond.const != 0:
            return              # always true: no test
        self.expr(cond)
        self.emit(vm.JZ, target)

    # ------------------------------------------------------------------ memory access
    def address(self, e: n.Expr):
        """Push the byte address of the variable, array element or vector lane ``e``."""
        line, self.line = self.line, e.line
        if isinstance(e, n.Name):
            sym = e.symbol
            if sym.storage == "global":
                self.emit(vm.PUSH, sym)
            else:
                self.emit(vm.ADDRL, sym.offset)
        else:
            self.address(e.base)
            self.expr(e.index)
            self.line = e.line
            bt = e.base.type
            if isinstance(bt, ArrayType):
                self.emit(vm.INDEX, bt.length << 4 | _shift(bt.elem))
            else:
                self.emit(vm.INDEX, 256 << 4)
        self.line = line

    def load(self, t):
        if is_vector(t):
            self.emit(vm.VLD)
        else:
            self.emit(_LOAD[t.elem_bytes][t.signed])

    def store(self, t):
        if is_vector(t):
            self.emit(vm.VST)
        else:
            self.emit(_STORE[t.elem_bytes])

    # ------------------------------------------------------------------ expressions
    def expr(self, e: n.Expr):
        line, self.line = self.line, e.line
        if e.const is not None and is_scalar(e.type):
            self.push_const(e.const)
        else:
            getattr(self, "expr_" + type(e).__name__)(e)
        self.line = line

    def expr_Name(self, e: n.Name):
        sym = e.symbol
        if is_vector(e.type):
            self.address(e)
            self.emit(vm.VLD)
        elif sym.storage == "global":
            self.emit(vm.LDG, sym)
        else:
            self.emit(vm.LDL, sym.offset)

    def expr_Index(self, e: n.Index):
        if chk.is_addressable(e.base):
            self.address(e)
            self.load(e.type)
        else:                                  # lane of a temporary vector
            self.expr(e.base)
            self.expr(e.index)
            self.line = e.line
            self.emit(vm.VLANE, int(e.type.signed))

    def expr_Call(self, e: n.Call):
        if e.name == "select":
            for arg in e.args:
                self.expr(arg)
                self.convert(arg.type, e.type if arg is not e.args[0] else arg.type)
            self.line = e.line
            self.emit(vm.VSEL)
            return
        for arg, pt in zip(e.args, e.function.type.params):
            self.expr(arg)
            self.convert(arg.type, pt)
        self.line = e.line
        if isinstance(e.function, Builtin):
            self.emit(vm.HOSTCALL, e.function.id)
        else:
            self.emit(vm.CALL, e.function)

    def expr_Unary(self, e: n.Unary):
        self.expr(e.operand)
        t = e.operand.type
        if e.op == "+":
            return
        if is_vector(t):
            op = vm.VNOT if e.op == "~" else (vm.VNEGS if t.signed else vm.VNEGU)
        else:
            op = {"-": vm.NEG, "~": vm.NOT, "!": vm.LNOT}[e.op]
        self.emit(op)

    def expr_Binary(self, e: n.Binary):
        if e.op in ("&&", "||"):
            return self.short_circuit(e)
        vt = e.left.type if is_vector(e.left.type) else e.right.type
        self.expr(e.left)
        if is_vector(vt):
            self.convert(e.left.type, vt)
        self.binary_rest(e)

    def binary_rest(self, e: n.Binary):
        """With the left operand on the stack: push the right one and apply the operator."""
        lt, rt = e.left.type, e.right.type
        self.expr(e.right)
        self.line = e.line
        if is_vector(lt) or is_vector(rt):
            vt = lt if is_vector(lt) else rt
            if e.op in _VECTOR_CMP:
                self.convert(rt, vt)
                self.emit(vm.VCMP, _VECTOR_CMP[e.op] | (vm.CMP_SIGNED if vt.signed else 0))
                return
            if e.op not in ("<<", ">>"):
                self.convert(rt, vt)
            self.emit(_VECTOR_OPS[e.op][0 if vt.signed else 1])
        elif e.op in _SCALAR_OPS:
            self.emit(_SCALAR_OPS[e.op])
        else:
            pt = promote(lt) if e.op == ">>" else promote(lt, rt)
            self.emit(_SIGNED_OPS[e.op][1 if pt == UINT32 else 0])

    def short_circuit(self, e: n.Binary):
        skip, end = self.label(), self.label()
        self.expr(e.left)
        self.emit(vm.JZ if e.op == "&&" else vm.JNZ, skip)
        self.expr(e.right)
        self.emit(vm.TOBOOL)
        self.emit(vm.JMP, end)
        self.place(skip)
        self.emit(vm.PUSH, 0 if e.op == "&&" else 1)
        self.place(end)

    def expr_Conditional(self, e: n.Conditional):
        if e.cond.const is not None:                 # only the chosen branch is compiled
            chosen = e.then if e.cond.const else e.else_
            self.expr(chosen)
            self.convert(chosen.type, e.type)
            return
        other, end = self.label(), self.label()
        self.branch_if_false(e.cond, other)
        self.expr(e.then)
        self.convert(e.then.type, e.type)
        self.emit(vm.JMP, end)
        self.place(other)
        self.expr(e.else_)
        self.convert(e.else_.type, e.type)
        self.place(end)

    def expr_Cast(self, e: n.Cast):
        self.expr(e.operand)
        src, dst = e.operand.type, e.type
        if is_vector(src) and is_vector(dst):
            if src != dst:
                self.emit(vm.VFLIP)
        else:
            self.convert(src, dst)

    def convert(self, src, dst):
        """Emit the conversion of a value of type ``src`` (on the stack) to type ``dst``."""
        if is_vector(dst):
            if is_scalar(src):
                self.emit(vm.VBCAST)
            return
        if isinstance(dst, ScalarType) and needs_narrowing(src, dst):
            self.emit(vm.TOBOOL if dst == BOOL else _NARROW[dst])


def _shift(elem) -> int:
    """log2 of an array element's size in bytes."""
    size = 256 if isinstance(elem, VectorType) else elem.elem_bytes
    return size.bit_length() - 1


def _initial_bytes(g: chk.VarSymbol) -> bytes:
    t = g.type
    if isinstance(t, ArrayType):
        if isinstance(t.elem, VectorType):
            data = np.repeat(np.array(g.init, dtype=np.int64) & 0xFF, 256).astype(np.uint8)
        else:
            dtype = {1: "<u1", 2: "<u2", 4: "<u4"}[t.elem.elem_bytes]
            mask = (1 << (8 * t.elem.elem_bytes)) - 1
            data = (np.array(g.init, dtype=np.int64) & mask).astype(dtype)
        raw = data.tobytes()
        return raw + bytes(storage_bytes(t) - len(raw))
    if isinstance(t, VectorType):
        return bytes([g.init & 0xFF]) * 256
    return int(sem.to_word(g.init)).to_bytes(4, "little", signed=True)
