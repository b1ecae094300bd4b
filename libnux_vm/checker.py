"""Name resolution and type checking, before anything runs.

:func:`check` takes the syntax tree, annotates every expression with its type (and its value if
it is a constant), resolves every name to a :class:`VarSymbol` or :class:`FuncSymbol`, and
returns a :class:`CheckedModule`. Every problem raises :class:`~libnux_vm.errors.CompileError`
at the offending line and column.

Rules beyond C's (see :mod:`libnux_vm.typesys` for promotions and conversions):

- A constant converted to a type (by initialisation, assignment, argument passing, return or
  vector broadcast) must fit that type: ``uint8 x = 300;`` and ``vec_s8 v = 200;`` are errors.
  An explicit cast ``(uint8) 300`` wraps.
- Vectors mix only with vectors of the same type or with scalars (broadcast). ``vec_u8`` and
  ``vec_s8`` convert only by an explicit cast (offset conversion). ``/`` and ``%`` do not apply to
  vectors; ``<<`` and ``>>`` take a scalar shift amount. A vector comparison gives a ``vec_u8``
  mask with 255 in the lanes where it holds and 0 elsewhere.
- A constant shift amount must be 0..31 (0..7 for a vector); the VM traps on any other
  (``"out_of_range"``) where C would be undefined. Constant faults in an operand that never
  runs (``0 && 1 / 0``, the unchosen branch of ``1 ? x : 1 / 0``) are not errors, as in C.
- A hexadecimal literal above ``0x7FFFFFFF`` is a ``uint32`` (as in C), so ``-0x80000000`` is
  ``2147483648u``; a decimal one directly after a minus sign is part of it (``-2147483648``).
- ``select(mask, if_true, if_false)`` takes a ``vec_u8`` mask (a lane is true if it is not 0).
- The chip built-ins of :mod:`libnux_vm.builtins` (``get_weights``, ``set_weights``, ``now``, ...)
  are checked like calls of functions with their signatures; no global or function may take
  the name of a built-in.
- Global initializers are constant expressions. All locals are 0 when the function is entered
  (a declaration without initializer inside a loop keeps the previous iteration's value).
- ``c ? a : b`` takes a scalar condition and evaluates one branch. Two scalar branches give
  ``bool`` if both are ``bool``, else their promoted type (as C); a vector branch makes the
  result that vector type, the other branch is broadcast (two vector types need a cast).
- A non-void function must not be able to reach its end without ``return``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from . import nodes as n
from . import semantics as sem
from .builtins import BUILTINS as CHIP_BUILTINS
from .errors import CompileError
from .program import MEMORY_BYTES
from .typesys import (BOOL, INT32, LANES, TYPE_NAMES, UINT32, VEC_U8, VOID, ArrayType,
                      FunctionType, ScalarType, is_scalar, is_vector, promote)

#: built-in functions that are not chip built-ins (those are :data:`~libnux_vm.builtins.BUILTINS`)
LANGUAGE_BUILTINS = frozenset({"select"})
VECTOR_OPS = {"+", "-", "*", "&", "|", "^", "<<", ">>"} | sem.COMPARISONS


@dataclass(eq=False)
class VarSymbol:
    """A global, parameter or local variable. ``address`` (globals, bytes) and ``offset``
    (params/locals, words from the frame pointer) are filled in by the compiler."""
    name: str
    type: object
    storage: str                  # "global", "param" or "local"
    node: n.Node
    init: object = None           # globals: int, list of ints, or None
    address: int | None = None
    offset: int | None = None


@dataclass(eq=False)
class FuncSymbol:
    name: str
    type: FunctionType
    node: n.FuncDef
    params: list = field(default_factory=list)
    locals: list = field(default_factory=list)
    entry: int = 0                # code word index of the first instruction (compiler)


@dataclass
class CheckedModule:
    globals: list                 # VarSymbol, in source order
    functions: list               # FuncSymbol, in source order


def is_builtin(name: str) -> bool:
    """Whether ``name`` is a built-in function (of the language, or a declared chip built-in)."""
    return name in LANGUAGE_BUILTINS or name in CHIP_BUILTINS


def check(module: n.Module, source: str) -> CheckedModule:
    return _Checker(source).run(module)


class _Checker:
    def __init__(self, source: str):
        self.source = source
        self.globals: dict[str, VarSymbol] = {}
        self.functions: dict[str, FuncSymbol] = {}
        self.scopes: list[dict[str, VarSymbol]] = []
        self.func: FuncSymbol | None = None
        self.loops: list[n.Node] = []
        self.unevaluated = 0      # > 0 while checking an operand that never runs

    def error(self, node, message: str):
        raise CompileError(message, source=self.source, line=node.line, column=node.column)

    # ------------------------------------------------------------------ top level
    def run(self, module: n.Module) -> CheckedModule:
        defined: dict[str, n.Node] = {}
        for item in module.order:
            decls = [item] if isinstance(item, n.FuncDef) else item.decls
            for d in decls:
                if is_builtin(d.name):
                    self.error(d, f"'{d.name}' is a built-in function and cannot be redefined")
                if d.name in defined:
                    self.error(d, f"'{d.name}' is already defined at line {defined[d.name].line}")
                defined[d.name] = d
                if isinstance(d, n.FuncDef):
                    self.declare_function(d)
                else:
                    self.declare_global(d)
        for f in self.functions.values():
            self.check_function(f)
        return CheckedModule(list(self.globals.values()), list(self.functions.values()))

    def resolve_type(self, tn: n.TypeName, *, allow_void=False):
        t = TYPE_NAMES[tn.name]
        if t == VOID and not allow_void:
            self.error(tn, "'void' is not a type for variables")
        return t

    def declared_type(self, decl: n.VarDecl):
        """Type of a declared variable, with the array length checked and folded."""
        t = self.resolve_type(decl.type_name)
        if decl.length is None:
            return t
        length_t = self.value(decl.length)
        if not is_scalar(length_t) or decl.length.const is None:
            self.error(decl.length, f"the length of array '{decl.name}' must be a constant "
                                    "integer")
        length = decl.length.const
        if length <= 0:
            self.error(decl.length, f"array '{decl.name}' must have at least one element, "
                                    f"not {length}")
        elem_bytes = LANES if is_vector(t) else t.elem_bytes
        if length * elem_bytes > MEMORY_BYTES:
            self.error(decl.length, f"array '{decl.name}' of {length} elements takes "
                                    f"{length * elem_bytes} bytes; the PPU memory holds "
                                    f"{MEMORY_BYTES} bytes")
        return ArrayType(t, length)

    def declare_global(self, decl: n.VarDecl):
        t = self.declared_type(decl)
        sym = VarSymbol(decl.name, t, "global", decl)
        decl.symbol = sym
        if isinstance(t, ArrayType):
            values = [0] * t.length
            if decl.init is not None:
                items = self.init_list(decl, t)
                for i, item in enumerate(items):
                    self.require_const(item, f"element {i} of '{decl.name}'")
                    values[i] = t.elem.lane.wrap(item.const) if is_vector(t.elem) else \
                        t.elem.wrap(item.const)
            sym.init = values
        elif decl.init is not None:
            if isinstance(decl.init, n.InitList):
                self.error(decl.init, f"'{decl.name}' is not an array; initialize it with a "
                                      "single value")
            self.coerce(decl.init, t, f"'{decl.name}'")
            self.require_const(decl.init, f"global '{decl.name}'")
            lane_t = t.lane if is_vector(t) else t
            sym.init = lane_t.wrap(decl.init.const)
        else:
            sym.init = 0
        self.globals[decl.name] = sym

    def require_const(self, expr: n.Expr, what: str):
        if expr.const is None:
            self.error(expr, f"the initial value of {what} must be a constant expression")

    def init_list(self, decl: n.VarDecl, t: ArrayType) -> list:
        if not isinstance(decl.init, n.InitList):
            self.error(decl.init, f"array '{decl.name}' must be initialized with a list "
                                  "{ ... }")
        items = decl.init.items
        if len(items) > t.length:
            self.error(items[t.length], f"too many initializers for '{decl.name}': "
                                        f"{len(items)} given, it has {t.length} elements")
        for i, item in enumerate(items):
            self.coerce(item, t.elem, f"element {i} of '{decl.name}'")
        return items

    def declare_function(self, f: n.FuncDef):
        ret = self.resolve_type(f.ret, allow_void=True)
        params = []
        seen = {}
        for p in f.params:
            if p.is_array:
                self.error(p, f"parameter '{p.name}' is an array; array parameters are not "
                              "supported (use a global array)")
            if p.name in seen:
                self.error(p, f"parameter '{p.name}' is already defined")
            seen[p.name] = p
            params.append(VarSymbol(p.name, self.resolve_type(p.type_name), "param", p))
        sym = FuncSymbol(f.name, FunctionType(ret, tuple(p.type for p in params)), f, params)
        f.symbol = sym
        self.functions[f.name] = sym

    # ------------------------------------------------------------------ functions, statements
    def check_function(self, f: FuncSymbol):
        self.func = f
        self.scopes = [{p.name: p for p in f.params}]
        self.block(f.node.body, new_scope=False)
        if f.type.ret != VOID and not _terminates(f.node.body):
            end = f.node.body
            self.error(end, f"function '{f.name}' can reach its end without returning "
                            f"{_a(f.type.ret)} value")
        self.func = None

    def block(self, b: n.Block, new_scope=True):
        if new_scope:
            self.scopes.append({})
        for s in b.stmts:
            self.stmt(s)
        if new_scope:
            self.scopes.pop()

    def stmt(self, s):
        method = getattr(self, "stmt_" + type(s).__name__)
        method(s)

    def stmt_Block(self, s: n.Block):
        self.block(s)

    def stmt_DeclStmt(self, s: n.DeclStmt):
        for d in s.decls:
            t = self.declared_type(d)
            if d.init is not None:
                if isinstance(t, ArrayType):
                    self.init_list(d, t)
                elif isinstance(d.init, n.InitList):
                    self.error(d.init, f"'{d.name}' is not an array; initialize it with a "
                                       "single value")
                else:
                    self.coerce(d.init, t, f"'{d.name}'")
            scope = self.scopes[-1]
            if d.name in scope:
                self.error(d, f"'{d.name}' is already defined in this scope "
                              f"(line {scope[d.name].node.line})")
            sym = VarSymbol(d.name, t, "local", d)
            d.symbol = sym
            scope[d.name] = sym
            self.func.locals.append(sym)

    def stmt_ExprStmt(self, s: n.ExprStmt):
        self.expr(s.expr, allow_void=True)

    def stmt_Assign(self, s: n.Assign):
        target_t = self.lvalue(s.target)
        if s.op == "=":
            self.coerce(s.value, target_t, "the assignment")
            return
        b = n.Binary(s.line, s.column, s.op[:-1], s.target, s.value)
        result_t = self.expr(b)
        if is_vector(target_t) and result_t != target_t:
            self.error(s, f"cannot assign {result_t} to {target_t}")
        if is_scalar(target_t) and not is_scalar(result_t):
            self.error(s, f"cannot assign {result_t} to {target_t}")
        s.binary = b

    def stmt_If(self, s: n.If):
        self.condition(s.cond)
        self.scoped(s.then)
        if s.else_ is not None:
            self.scoped(s.else_)

    def scoped(self, s):
        self.scopes.append({})
        self.stmt(s)
        self.scopes.pop()

    def stmt_While(self, s: n.While):
        self.condition(s.cond)
        self.loops.append(s)
        self.scoped(s.body)
        self.loops.pop()

    def stmt_DoWhile(self, s: n.DoWhile):
        self.loops.append(s)
        self.scoped(s.body)
        self.loops.pop()
        self.condition(s.cond)

    def stmt_For(self, s: n.For):
        self.scopes.append({})
        if s.init is not None:
            self.stmt(s.init)
        if s.cond is not None:
            self.condition(s.cond)
        if s.step is not None:
            self.stmt(s.step)
        self.loops.append(s)
        self.scoped(s.body)
        self.loops.pop()
        self.scopes.pop()

    def stmt_Break(self, s: n.Break):
        if not self.loops:
            self.error(s, "'break' outside of a loop")

    def stmt_Continue(self, s: n.Continue):
        if not self.loops:
            self.error(s, "'continue' outside of a loop")

    def stmt_Return(self, s: n.Return):
        ret = self.func.type.ret
        if s.value is None:
            if ret != VOID:
                self.error(s, f"function '{self.func.name}' must return {_a(ret)} value")
            return
        if ret == VOID:
            self.error(s.value, f"function '{self.func.name}' returns void; it cannot return "
                                "a value")
        self.coerce(s.value, ret, "the return value")

    def condition(self, e: n.Expr):
        t = self.value(e)
        if not is_scalar(t):
            self.error(e, f"a condition must be a scalar, not {t}")

    # ------------------------------------------------------------------ expressions
    def lvalue(self, e: n.Expr):
        """Check an assignment target; return the type stored there."""
        t = self.expr(e)
        if isinstance(e, n.Name):
            if isinstance(t, ArrayType):
                self.error(e, f"cannot assign to the whole array '{e.name}'; assign its "
                              "elements")
            return t
        if isinstance(e, n.Index) and is_addressable(e.base):
            return t
        if isinstance(e, n.Index):
            self.error(e, "cannot assign to a lane of a temporary vector; store it in a "
                          "variable first")
        self.error(e, "the left side of an assignment must be a variable, an array element "
                      "or a vector lane")

    def value(self, e: n.Expr):
        """Check an expression used as a value (scalar or vector)."""
        t = self.expr(e)
        if isinstance(t, ArrayType):
            self.error(e, f"array '{e.name}' cannot be used as a value; index it"
                       if isinstance(e, n.Name) else "an array cannot be used as a value")
        return t

    def expr(self, e: n.Expr, allow_void=False):
        t = getattr(self, "expr_" + type(e).__name__)(e)
        if t == VOID and not allow_void:
            self.error(e, f"function '{e.name}' returns void; it has no value")
        e.type = t
        return t

    def expr_IntLit(self, e: n.IntLit):
        if e.value > UINT32.max:
            self.error(e, f"integer constant {e.text} is too large (the largest is "
                          f"{UINT32.max} = 0xFFFFFFFF)")
        e.const = e.value
        return INT32 if e.value <= INT32.max else UINT32

    def expr_BoolLit(self, e: n.BoolLit):
        e.const = int(e.value)
        return BOOL

    def lookup(self, e, name: str):
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        if name in self.globals:
            return self.globals[name]
        if name in self.functions or is_builtin(name):
            self.error(e, f"'{name}' is a function; call it as {name}(...)")
        known = [k for s in self.scopes for k in s] + list(self.globals)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        self.error(e, f"unknown name '{name}'{hint}")

    def expr_Name(self, e: n.Name):
        e.symbol = self.lookup(e, e.name)
        return e.symbol.type

    def expr_Index(self, e: n.Index):
        base_t = self.expr(e.base)
        index_t = self.value(e.index)
        if not is_scalar(index_t):
            self.error(e.index, f"an index must be a scalar integer, not {index_t}")
        if isinstance(base_t, ArrayType):
            return base_t.elem
        if is_vector(base_t):
            return base_t.lane
        what = f"'{e.base.name}' of type {base_t}" if isinstance(e.base, n.Name) else \
            f"a value of type {base_t}"
        self.error(e, f"cannot index {what}; only arrays and vectors can be indexed")

    def expr_Call(self, e: n.Call):
        if e.name == "select":
            return self.call_select(e)
        if e.name in CHIP_BUILTINS:
            builtin = CHIP_BUILTINS[e.name]
            e.function = builtin
            return self.check_args(e, builtin.type.params, "built-in function")
        if e.name not in self.functions:
            if any(e.name in s for s in self.scopes) or e.name in self.globals:
                self.error(e, f"'{e.name}' is a variable, not a function")
            close = difflib.get_close_matches(e.name, list(self.functions), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.error(e, f"unknown function '{e.name}'{hint}")
        f = self.functions[e.name]
        e.function = f
        return self.check_args(e, f.type.params, "function")

    def check_args(self, e: n.Call, params, what: str):
        if len(e.args) != len(params):
            self.error(e, f"{what} '{e.name}' takes {len(params)} argument"
                          f"{'' if len(params) == 1 else 's'} but {len(e.args)} "
                          f"{'was' if len(e.args) == 1 else 'were'} given")
        for i, (arg, pt) in enumerate(zip(e.args, params)):
            self.coerce(arg, pt, f"argument {i + 1} of '{e.name}'")
        return e.function.type.ret

    def call_select(self, e: n.Call):
        if len(e.args) != 3:
            self.error(e, f"select(mask, if_true, if_false) takes 3 arguments but "
                          f"{len(e.args)} were given")
        mask, a, b = e.args
        if self.value(mask) != VEC_U8:
            self.error(mask, f"the mask of select must be a vec_u8 (e.g. a vector comparison),"
                             f" not {mask.type}")
        ta, tb = self.value(a), self.value(b)
        vt = ta if is_vector(ta) else tb
        if not is_vector(vt):
            self.error(e, "select needs at least one vector among if_true and if_false")
        self.coerce(a, vt, "if_true of select")
        self.coerce(b, vt, "if_false of select")
        return vt

    def expr_Unary(self, e: n.Unary):
        if e.op == "-" and isinstance(e.operand, n.IntLit) and not (
                e.operand.text[:2] in ("0x", "0X") and e.operand.value > INT32.max):
            # a hex literal above INT32_MAX is a uint32 (as in C) and is negated as one
            value = -e.operand.value
            if value < INT32.min:
                self.error(e, f"integer constant -{e.operand.text} is too small (the smallest "
                              f"is {INT32.min})")
            e.const = value
            e.operand.type = INT32 if e.operand.value <= INT32.max else UINT32
            return INT32
        t = self.value(e.operand)
        if is_vector(t):
            if e.op == "!":
                self.error(e, f"'!' does not apply to {t}; compare with == 0 for a mask")
            return t
        if e.operand.const is not None:
            e.const = sem.fold_unary(e.op, e.operand.const, t)
        return sem.unary_result_type(e.op, t)

    def expr_Binary(self, e: n.Binary):
        lt = self.value(e.left)
        # the right operand of `0 && x` and `1 || x` is never evaluated
        decided = e.op in sem.LOGICAL and e.left.const is not None and \
            (e.left.const == 0) == (e.op == "&&")
        rt = self.unevaluated_value(e.right) if decided else self.value(e.right)
        if is_vector(lt) or is_vector(rt):
            return self.vector_binary(e, lt, rt)
        if e.op in ("<<", ">>"):
            self.check_shift(e.right, 31)
        if decided:
            e.const = int(e.op == "||")
        elif e.left.const is not None and e.right.const is not None:
            try:
                e.const = sem.fold_binary(e.op, e.left.const, lt, e.right.const, rt)
            except sem.DivisionByZero:
                if not self.unevaluated:
                    self.error(e, "division by zero in a constant expression")
        return sem.binary_result_type(e.op, lt, rt)

    def unevaluated_value(self, e: n.Expr):
        """:meth:`value` for an operand that never runs: constant faults in it (division by
        zero, shift amounts) are not errors, as in C."""
        self.unevaluated += 1
        try:
            return self.value(e)
        finally:
            self.unevaluated -= 1

    def check_shift(self, amount: n.Expr, largest: int):
        if amount.const is not None and not 0 <= amount.const <= largest and not self.unevaluated:
            self.error(amount, f"shift amount {amount.const} is out of range: shifts take "
                               f"0..{largest}")

    def vector_binary(self, e: n.Binary, lt, rt):
        if e.op not in VECTOR_OPS:
            self.error(e, f"operator '{e.op}' does not apply to vectors "
                          f"({lt} {e.op} {rt})")
        if e.op in ("<<", ">>"):
            if not is_vector(lt) or not is_scalar(rt):
                self.error(e, f"a vector shift needs a vector on the left and a scalar shift "
                              f"amount on the right, not {lt} {e.op} {rt}")
            self.check_shift(e.right, 7)
            return lt
        vt = lt if is_vector(lt) else rt
        if is_vector(lt) and is_vector(rt) and lt != rt:
            self.error(e, f"operands have different vector types ({lt} {e.op} {rt}); convert "
                          f"one with a cast such as ({lt})")
        for side in (e.left, e.right):
            self.coerce(side, vt, f"operand of '{e.op}'")
        return VEC_U8 if e.op in sem.COMPARISONS else vt

    def expr_Conditional(self, e: n.Conditional):
        self.condition(e.cond)
        known = e.cond.const
        tt = self.value(e.then) if known is None or known else self.unevaluated_value(e.then)
        te = self.value(e.else_) if known is None or not known else \
            self.unevaluated_value(e.else_)
        if is_vector(tt) or is_vector(te):
            if is_vector(tt) and is_vector(te) and tt != te:
                self.error(e, f"the branches of '?:' have different vector types ({tt} and "
                              f"{te}); convert one with a cast such as ({tt})")
            t = tt if is_vector(tt) else te
            self.coerce(e.then, t, "the first branch of '?:'")
            self.coerce(e.else_, t, "the second branch of '?:'")
            return t
        t = BOOL if tt == te == BOOL else promote(tt, te)
        chosen = None if e.cond.const is None else (e.then if e.cond.const else e.else_)
        if chosen is not None and chosen.const is not None:
            e.const = t.wrap(chosen.const)
        return t

    def expr_Cast(self, e: n.Cast):
        target = self.resolve_type(e.type_name)
        t = self.value(e.operand)
        if is_vector(t) and is_scalar(target):
            self.error(e, f"cannot cast {t} to {target}; read a lane with v[i]")
        if is_scalar(target) and e.operand.const is not None:
            e.const = target.wrap(e.operand.const)
        return target

    # ------------------------------------------------------------------ conversions
    def coerce(self, e: n.Expr, target, what: str):
        """Check that the value ``e`` converts implicitly to ``target`` (C rules plus the
        constant range rule and vector broadcast)."""
        t = self.value(e) if e.type is None else e.type
        if isinstance(t, ArrayType):
            self.value(e)  # raises: an array is not a value
        if is_scalar(target):
            if is_vector(t):
                self.error(e, f"cannot convert {t} to {target} for {what}")
            self.check_range(e, target, what)
        elif is_vector(target):
            if is_vector(t) and t != target:
                self.error(e, f"cannot convert {t} to {target} for {what} implicitly; use the "
                              f"offset conversion ({target}) x")
            if is_scalar(t):
                self.check_range(e, target.lane, what)

    def check_range(self, e: n.Expr, target: ScalarType, what: str):
        if e.const is not None and not target.fits(e.const):
            self.error(e, f"constant {e.const} is out of range for {target} "
                          f"({target.min}..{target.max}) in {what}")


def _a(t) -> str:
    """The type name with its indefinite article ("an int32", "a uint8")."""
    return f"{'an' if str(t)[0] in 'aeio' else 'a'} {t}"


def is_addressable(e: n.Expr) -> bool:
    """True if ``e`` names memory: a variable or an element of an addressable array."""
    if isinstance(e, n.Name):
        return True
    return isinstance(e, n.Index) and isinstance(e.base.type, ArrayType) and \
        is_addressable(e.base)


def _terminates(s) -> bool:
    """Conservative: True if executing ``s`` can never fall through to the next statement."""
    if isinstance(s, n.Return):
        return True
    if isinstance(s, n.Block):
        return any(_terminates(x) for x in s.stmts)
    if isinstance(s, n.If):
        return s.else_ is not None and _terminates(s.then) and _terminates(s.else_)
    if isinstance(s, (n.While, n.For, n.DoWhile)):
        forever = s.cond is None or (s.cond.const is not None and s.cond.const != 0)
        if isinstance(s, n.DoWhile) and _terminates(s.body) and not _breaks(s.body):
            return True           # the body runs at least once
        return forever and not _breaks(s.body)
    return False


def _breaks(s) -> bool:
    """True if ``s`` contains a ``break`` that leaves the enclosing loop."""
    if isinstance(s, n.Break):
        return True
    if isinstance(s, n.Block):
        return any(_breaks(x) for x in s.stmts)
    if isinstance(s, n.If):
        return _breaks(s.then) or (s.else_ is not None and _breaks(s.else_))
    return False  # a break inside a nested loop leaves only that loop
