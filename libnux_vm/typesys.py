"""The types of the kernel language and their C-like conversion rules.

Scalars: ``bool``, ``int8``, ``uint8``, ``int16``, ``uint16``, ``int32`` (``int``), ``uint32``.
Vectors: ``vec_u8`` (256 lanes of uint8, modulo arithmetic) and ``vec_s8`` (256 lanes of int8,
saturating Q0.7 arithmetic). Arrays: ``T name[N]`` of any scalar or vector type.

Promotion rule (C's usual arithmetic conversions, restricted to 32 bit): every scalar operand is
widened to 32 bit without changing its value; the operation is unsigned (``uint32``) if either
operand is ``uint32`` and signed (``int32``) otherwise; its result wraps modulo 2**32. A shift has
the promoted type of its left operand. Comparisons, ``!``, ``&&`` and ``||`` give ``bool`` (0/1).
Assigning (or passing, returning, casting) a value to a narrower type keeps its low bits and
reinterprets them (wrap-around); to ``bool`` gives ``value != 0``.
"""

from __future__ import annotations

from dataclasses import dataclass

LANES = 256  #: lanes of a vector (one synapse row of 256 columns)


@dataclass(frozen=True)
class ScalarType:
    name: str
    bits: int          # 1 for bool
    signed: bool

    @property
    def min(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def max(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    @property
    def elem_bytes(self) -> int:
        """Bytes of one element of an array of this type (bool takes one byte)."""
        return max(self.bits // 8, 1)

    def fits(self, value: int) -> bool:
        return self.min <= value <= self.max

    def wrap(self, value: int) -> int:
        """The value after conversion to this type (low bits kept; bool: ``value != 0``)."""
        if self.bits == 1:
            return int(value != 0)
        value &= (1 << self.bits) - 1
        if self.signed and value > self.max:
            value -= 1 << self.bits
        return value

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class VectorType:
    name: str
    lane: ScalarType

    @property
    def signed(self) -> bool:
        return self.lane.signed

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class ArrayType:
    elem: ScalarType | VectorType
    length: int

    def __str__(self) -> str:
        return f"{self.elem}[{self.length}]"


@dataclass(frozen=True)
class VoidType:
    def __str__(self) -> str:
        return "void"


@dataclass(frozen=True)
class FunctionType:
    ret: ScalarType | VectorType | VoidType
    params: tuple

    def __str__(self) -> str:
        return f"{self.ret}({', '.join(str(p) for p in self.params)})"


#: any type a value or variable can have
Type = ScalarType | VectorType | ArrayType | VoidType

BOOL = ScalarType("bool", 1, False)
INT8 = ScalarType("int8", 8, True)
UINT8 = ScalarType("uint8", 8, False)
INT16 = ScalarType("int16", 16, True)
UINT16 = ScalarType("uint16", 16, False)
INT32 = ScalarType("int32", 32, True)
UINT32 = ScalarType("uint32", 32, False)
VEC_U8 = VectorType("vec_u8", UINT8)
VEC_S8 = VectorType("vec_s8", INT8)
VOID = VoidType()

TYPE_NAMES = {t.name: t for t in (BOOL, INT8, UINT8, INT16, UINT16, INT32, UINT32, VEC_U8, VEC_S8)}
TYPE_NAMES["int"] = INT32
TYPE_NAMES["void"] = VOID


def is_scalar(t: object) -> bool:
    return isinstance(t, ScalarType)


def is_vector(t: object) -> bool:
    return isinstance(t, VectorType)


def promote(a: ScalarType, b: ScalarType | None = None) -> ScalarType:
    """The 32-bit type in which scalar arithmetic on ``a`` (and ``b``) is performed."""
    if a == UINT32 or b == UINT32:
        return UINT32
    return INT32


def needs_narrowing(src: ScalarType, dst: ScalarType) -> bool:
    """True if converting a value of ``src`` to ``dst`` can change it (code must be emitted)."""
    if dst == BOOL:
        return src != BOOL
    if dst.bits == 32:
        return False          # all values live in 32-bit words: int32 <-> uint32 is a no-op
    return not (dst.min <= src.min and src.max <= dst.max)


def storage_bytes(t: Type) -> int:
    """Bytes a variable of type ``t`` occupies in data memory or a stack frame.

    A scalar variable takes one 32-bit word (its value kept widened to 32 bit); arrays are packed
    at their element width; a vector takes 256 bytes (lane i at byte i)."""
    if isinstance(t, ScalarType):
        return 4
    if isinstance(t, VectorType):
        return LANES
    if isinstance(t, ArrayType):
        size = t.length * (LANES if isinstance(t.elem, VectorType) else t.elem.elem_bytes)
        return (size + 3) & ~3
    raise TypeError(t)


def value_words(t: Type) -> int:
    """Words a value of type ``t`` takes on the operand stack (scalar 1, vector 64, void 0)."""
    if isinstance(t, ScalarType):
        return 1
    if isinstance(t, VectorType):
        return LANES // 4
    return 0
