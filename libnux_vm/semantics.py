"""Scalar operator semantics in plain Python, used to fold constant expressions at compile time.

They agree bit for bit with the VM (:mod:`libnux_vm.vm`): operands are values of their promoted
32-bit type (``int32`` or ``uint32``); results wrap modulo 2**32; ``/`` truncates toward zero and
``%`` takes the sign of the dividend; ``INT32_MIN / -1`` wraps to ``INT32_MIN``; ``>>`` is
arithmetic for ``int32`` and logical for ``uint32``. Shift amounts are 0..31: the checker refuses
a constant outside that range and the VM traps on one (``"out_of_range"``), so folding never
sees one that matters (it uses the low 5 bits, for operands that never run).
"""

from __future__ import annotations

from .typesys import BOOL, INT32, UINT32, ScalarType, promote

COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
LOGICAL = {"&&", "||"}


class DivisionByZero(ArithmeticError):
    """A constant expression divides by zero."""


def trunc_div(a: int, b: int) -> int:
    """Integer division rounding toward zero (C semantics); ``b`` must not be 0."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def binary_result_type(op: str, left: ScalarType, right: ScalarType) -> ScalarType:
    if op in COMPARISONS or op in LOGICAL:
        return BOOL
    if op in ("<<", ">>"):
        return promote(left)
    return promote(left, right)


def fold_binary(op: str, a: int, ta: ScalarType, b: int, tb: ScalarType) -> int:
    """Value of ``a op b`` for constant scalar operands ``a: ta`` and ``b: tb``."""
    if op == "&&":
        return int(bool(a) and bool(b))
    if op == "||":
        return int(bool(a) or bool(b))
    if op in ("<<", ">>"):
        t = promote(ta)
        a = t.wrap(a)
        amount = b & 31
        return t.wrap(a << amount) if op == "<<" else a >> amount
    t = promote(ta, tb)
    a, b = t.wrap(a), t.wrap(b)
    if op in COMPARISONS:
        return int({"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b,
                    ">": a > b, ">=": a >= b}[op])
    if op in ("/", "%"):
        if b == 0:
            raise DivisionByZero
        q = trunc_div(a, b)
        return t.wrap(q if op == "/" else a - q * b)
    result = {"+": a + b, "-": a - b, "*": a * b, "&": a & b, "|": a | b, "^": a ^ b}[op]
    return t.wrap(result)


def unary_result_type(op: str, t: ScalarType) -> ScalarType:
    return BOOL if op == "!" else promote(t)


def fold_unary(op: str, a: int, t: ScalarType) -> int:
    if op == "!":
        return int(a == 0)
    rt = promote(t)
    a = rt.wrap(a)
    return rt.wrap({"-": -a, "+": a, "~": ~a}[op])


def to_word(value: int) -> int:
    """The signed 32-bit word that holds ``value`` (any int32 or uint32 value)."""
    return INT32.wrap(value)


def from_word(word: int, t: ScalarType) -> int:
    """The value of type ``t`` held in a (signed) 32-bit word."""
    return UINT32.wrap(word) if t == UINT32 else (bool(word) if t == BOOL else int(word))
