"""Syntax tree of the kernel language, built by :mod:`libnux_vm.parser`.

Every node has ``line`` and ``column`` (1-based). The checker annotates expressions with ``type``
(a :mod:`libnux_vm.typesys` type) and ``const`` (the value of a constant scalar expression, or
``None``), names with ``symbol``, and calls with ``function``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Node:
    line: int
    column: int


# ---------------------------------------------------------------- expressions

@dataclass(eq=False)
class Expr(Node):
    type: object = field(default=None, init=False, repr=False)
    const: int | None = field(default=None, init=False, repr=False)


@dataclass(eq=False)
class IntLit(Expr):
    value: int
    text: str


@dataclass(eq=False)
class BoolLit(Expr):
    value: bool


@dataclass(eq=False)
class Name(Expr):
    name: str
    symbol: object = field(default=None, init=False, repr=False)


@dataclass(eq=False)
class Index(Expr):
    base: Expr
    index: Expr


@dataclass(eq=False)
class Call(Expr):
    name: str
    args: list
    function: object = field(default=None, init=False, repr=False)


@dataclass(eq=False)
class Unary(Expr):
    op: str
    operand: Expr


@dataclass(eq=False)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(eq=False)
class Conditional(Expr):
    """``cond ? then : else_``: only the chosen branch is evaluated."""
    cond: Expr
    then: Expr
    else_: Expr


@dataclass(eq=False)
class Cast(Expr):
    type_name: "TypeName"
    operand: Expr


# ---------------------------------------------------------------- declarations and statements

@dataclass(eq=False)
class TypeName(Node):
    name: str


@dataclass(eq=False)
class VarDecl(Node):
    type_name: TypeName
    name: str
    length: Expr | None          # array dimension, or None for a plain variable
    init: object                 # Expr, InitList or None
    symbol: object = field(default=None, init=False, repr=False)


@dataclass(eq=False)
class InitList(Node):
    items: list


@dataclass(eq=False)
class Param(Node):
    type_name: TypeName
    name: str
    is_array: bool


@dataclass(eq=False)
class FuncDef(Node):
    ret: TypeName
    name: str
    params: list
    body: "Block"
    symbol: object = field(default=None, init=False, repr=False)


@dataclass(eq=False)
class Block(Node):
    stmts: list


@dataclass(eq=False)
class DeclStmt(Node):
    decls: list


@dataclass(eq=False)
class ExprStmt(Node):
    expr: Expr


@dataclass(eq=False)
class Assign(Node):
    target: Expr
    op: str                      # "=", "+=", "-=", ...
    value: Expr
    binary: Binary | None = field(default=None, init=False, repr=False)  # set for compound ops


@dataclass(eq=False)
class If(Node):
    cond: Expr
    then: Node
    else_: Node | None


@dataclass(eq=False)
class While(Node):
    cond: Expr
    body: Node


@dataclass(eq=False)
class DoWhile(Node):
    body: Node
    cond: Expr


@dataclass(eq=False)
class For(Node):
    init: Node | None
    cond: Expr | None
    step: Node | None
    body: Node


@dataclass(eq=False)
class Break(Node):
    """``break;``: leaves the innermost loop."""


@dataclass(eq=False)
class Continue(Node):
    """``continue;``: goes on with the innermost loop's next iteration."""


@dataclass(eq=False)
class Return(Node):
    value: Expr | None


@dataclass(eq=False)
class Module(Node):
    globals: list                # VarDecl
    functions: list              # FuncDef
    order: list                  # both, in source order
