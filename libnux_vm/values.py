"""Host values <-> the bytes and words of PPU memory, by libnux_vm type.

A scalar is one 32-bit word (its value widened); an array is packed at its element width; a
vector is 256 bytes (lane i at byte i). Values from the host are checked against the type:
nothing is wrapped or clipped silently.
"""

from __future__ import annotations

import numbers

import numpy as np

from .errors import HostValueError
from .semantics import from_word, to_word
from .typesys import LANES, ArrayType, ScalarType, VectorType

DTYPES = {(1, True): "<i1", (1, False): "<u1", (2, True): "<i2", (2, False): "<u2",
          (4, True): "<i4", (4, False): "<u4"}


def global_value(raw: np.ndarray, t: ScalarType | VectorType | ArrayType
                 ) -> int | bool | np.ndarray:
    """The value of a global of type ``t`` from its bytes in memory (see
    :meth:`~libnux_vm.machine.Machine.read_global`)."""
    raw = np.asarray(raw, dtype=np.uint8)
    if isinstance(t, ScalarType):
        return from_word(int(raw[:4].view("<i4")[0]), t)
    if isinstance(t, VectorType):
        return raw[:LANES].view(DTYPES[(1, t.signed)]).copy()
    elem = t.elem
    if isinstance(elem, VectorType):
        return raw[:t.length * LANES].view(DTYPES[(1, elem.signed)]).reshape(t.length,
                                                                               LANES).copy()
    values = raw[:t.length * elem.elem_bytes].view(DTYPES[(elem.elem_bytes, elem.signed)])
    return values.astype(bool) if elem.bits == 1 else values.copy()


def global_bytes(value: object, t: ScalarType | VectorType | ArrayType, what: str) -> bytes:
    """The bytes of a global of type ``t`` holding ``value`` (checked: see
    :meth:`~libnux_vm.machine.Machine.write_global`); ``what`` names it in errors."""
    if isinstance(t, ScalarType):
        return int(to_words(value, t, what)[0]).to_bytes(4, "little", signed=True)
    lane_t = t.elem if isinstance(t, ArrayType) else t
    shape = (t.length,) if isinstance(t, ArrayType) else (LANES,)
    if isinstance(lane_t, VectorType):
        shape = shape + (LANES,) if isinstance(t, ArrayType) else shape
        lane_t = lane_t.lane
    values = _checked_array(value, shape, lane_t, what)
    return values.astype(DTYPES[(lane_t.elem_bytes, lane_t.signed)]).tobytes()


def _check_int(value, t: ScalarType, what: str) -> int:
    # bool and int are told apart, as in haldls, lola and stadls: True is no int32, 1 no bool
    is_bool = isinstance(value, (bool, np.bool_))
    if t.bits == 1 and not is_bool:
        raise HostValueError(f"{what} must be a bool (True or False) for type {t}, not {value!r}")
    if t.bits != 1 and (is_bool or not isinstance(value, numbers.Integral)):
        raise HostValueError(f"{what} must be an integer of type {t}, not {value!r}")
    value = int(value)
    if not t.fits(value):
        raise HostValueError(f"{what} = {value} is out of range for {t} ({t.min}..{t.max})")
    return value


def _checked_array(value, shape, lane_t: ScalarType, what: str) -> np.ndarray:
    if np.ndim(value) == 0:
        value = np.full(shape, _check_int(value, lane_t, what), dtype=np.int64)
    arr = np.asarray(value)
    if arr.shape != shape:
        raise HostValueError(f"{what} needs shape {shape}, not {arr.shape}")
    if arr.dtype.kind not in ("b" if lane_t.bits == 1 else "iu"):
        raise HostValueError(f"{what} needs {'bool' if lane_t.bits == 1 else 'integer'} values, "
                             f"not dtype {arr.dtype}")
    if arr.dtype.kind == "u":      # compared before any cast: uint64 does not fit int64
        bad = arr > lane_t.max
    else:
        bad = (arr < lane_t.min) | (arr > lane_t.max)
    if bad.any():
        i = tuple(int(x) for x in np.argwhere(bad)[0])
        raise HostValueError(f"{what}{list(i)} = {int(arr[i])} is out of range for {lane_t} "
                             f"({lane_t.min}..{lane_t.max})")
    return arr.astype(np.int64)


def to_words(value: object, t: ScalarType | VectorType, what: str) -> list[int] | np.ndarray:
    """The stack words of a host value passed as type ``t`` (a list, or an int32 array)."""
    if isinstance(t, ScalarType):
        return [to_word(_check_int(value, t, what))]
    if (isinstance(value, np.ndarray) and value.shape == (LANES,)
            and value.dtype == (np.int8 if t.signed else np.uint8)):
        return np.ascontiguousarray(value).view("<i4")       # in range by its dtype
    lanes = _checked_array(value, (LANES,), t.lane, what)
    return (lanes & 0xFF).astype(np.uint8).view("<i4")
