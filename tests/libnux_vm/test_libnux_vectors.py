"""Vector semantics of libnux_vm, bit-exact: the reference values of the real vector unit
(grenade_calix_libnux.md section 5.2) and, under Hypothesis, an independent numpy model."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import libnux_vm

SOURCE = """
vec_s8 add_s(vec_s8 a, vec_s8 b) { return a + b; }
vec_s8 sub_s(vec_s8 a, vec_s8 b) { return a - b; }
vec_s8 mul_s(vec_s8 a, vec_s8 b) { return a * b; }
vec_u8 add_u(vec_u8 a, vec_u8 b) { return a + b; }
vec_u8 sub_u(vec_u8 a, vec_u8 b) { return a - b; }
vec_u8 mul_u(vec_u8 a, vec_u8 b) { return a * b; }
vec_s8 to_s(vec_u8 u) { return (vec_s8) u; }
vec_u8 to_u(vec_s8 s) { return (vec_u8) s; }
vec_u8 sel_u(vec_u8 m, vec_u8 a, vec_u8 b) { return select(m, a, b); }
vec_s8 sel_s(vec_u8 m, vec_s8 a, vec_s8 b) { return select(m, a, b); }
vec_s8 neg_s(vec_s8 a) { return -a; }
vec_u8 neg_u(vec_u8 a) { return -a; }
vec_u8 not_u(vec_u8 a) { return ~a; }
vec_u8 and_u(vec_u8 a, vec_u8 b) { return a & b | (a ^ b) & 0; }
vec_u8 xor_u(vec_u8 a, vec_u8 b) { return a ^ b; }
vec_s8 shl_s(vec_s8 a, int n) { return a << n; }
vec_s8 shr_s(vec_s8 a, int n) { return a >> n; }
vec_u8 shl_u(vec_u8 a, int n) { return a << n; }
vec_u8 shr_u(vec_u8 a, int n) { return a >> n; }
vec_s8 add_scalar_s(vec_s8 a, int8 k) { return a + k; }
vec_s8 scalar_sub_s(int8 k, vec_s8 a) { return k - a; }
vec_u8 mul_scalar_u(vec_u8 a, uint8 k) { return a * k; }
vec_s8 broadcast_s(int k) { vec_s8 v = k; return v; }
vec_u8 broadcast_u(int k) { vec_u8 v; v = k; return v; }
int8 lane_s(vec_s8 v, int i) { return v[i]; }
uint8 lane_u(vec_u8 v, int i) { return v[i]; }
int8 temp_lane(vec_s8 a, vec_s8 b, int i) { return (a + b)[i]; }
vec_u8 set_lane(vec_u8 v, int i, uint8 x) { v[i] = x; v[i] += 1; return v; }
vec_s8 compound(vec_s8 v) { v += 100; v *= 64; v -= (vec_s8) (vec_u8) 10; return v; }
vec_s8 clip(vec_s8 w, int8 lo, int8 hi) {
    return select(w < lo, (vec_s8) lo, select(w > hi, (vec_s8) hi, w));
}
"""
for _op, _name in [("==", "eq"), ("!=", "ne"), ("<", "lt"), ("<=", "le"), (">", "gt"),
                   (">=", "ge")]:
    SOURCE += f"vec_u8 {_name}_s(vec_s8 a, vec_s8 b) {{ return a {_op} b; }}\n"
    SOURCE += f"vec_u8 {_name}_u(vec_u8 a, vec_u8 b) {{ return a {_op} b; }}\n"
    SOURCE += f"vec_u8 {_name}_scalar_s(vec_s8 a, int8 k) {{ return a {_op} k; }}\n"


@pytest.fixture(scope="module")
def vm():
    return libnux_vm.Machine(libnux_vm.compile(SOURCE))


def s8(*values):
    return np.resize(np.array(values, dtype=np.int8), 256)


def u8(*values):
    return np.resize(np.array(values, dtype=np.uint8), 256)


# ---------------------------------------------------------------- reference values (section 5.2)

def test_fracsat_add_sub_saturate(vm):
    assert vm.call("add_s", s8(68), s8(80))[0] == 127
    assert vm.call("sub_s", s8(-72), s8(60))[0] == -128
    assert vm.call("add_s", s8(-100), s8(-100))[0] == -128
    assert vm.call("sub_s", s8(100), s8(-100))[0] == 127
    assert vm.call("add_s", s8(10), s8(-3))[0] == 7


def test_fracsat_multiply_is_q07_with_floor(vm):
    assert vm.call("mul_s", s8(-12), s8(42))[0] == -4
    assert vm.call("mul_s", s8(-4), s8(42))[0] == -2
    assert vm.call("mul_s", s8(12), s8(42))[0] == 3        # 504 / 128 = 3.9 -> 3
    assert vm.call("mul_s", s8(-128), s8(-128))[0] == 127  # +1.0 saturates
    assert vm.call("mul_s", s8(127), s8(127))[0] == 126


def test_mod_arithmetic_wraps(vm):
    assert vm.call("add_u", u8(200), u8(100))[0] == 44
    assert vm.call("sub_u", u8(3), u8(5))[0] == 254
    assert vm.call("mul_u", u8(16), u8(17))[0] == 16        # 272 keeps its low byte


def test_offset_conversion(vm):
    out = vm.call("to_s", u8(0, 255, 128, 127))
    assert out[:4].tolist() == [-128, 127, 0, -1]
    assert vm.call("to_u", s8(-128, 127, 0, -1))[:4].tolist() == [0, 255, 128, 127]


def test_broadcast_and_constants(vm):
    assert (vm.call("broadcast_s", -5) == -5).all()
    assert (vm.call("broadcast_u", 200) == 200).all()
    assert (vm.call("broadcast_u", 300) == 300 & 0xFF).all()   # low byte, like uint8 = 300


def test_compound_vector_assignment(vm):
    def model(x):
        x = np.clip(x.astype(int) + 100, -128, 127)
        x = np.clip((x * 64) >> 7, -128, 127)
        return np.clip(x - (-118), -128, 127)
    a = s8(0, 50, -128, 27, -100)
    np.testing.assert_array_equal(vm.call("compound", a), model(a))


def test_design_clip_with_scalar_bounds(vm):
    w = np.arange(-128, 128).astype(np.int8)
    np.testing.assert_array_equal(vm.call("clip", w, 0, 63), np.clip(w, 0, 63))


def test_lane_read_write(vm):
    v = np.arange(256).astype(np.uint8)
    assert vm.call("lane_u", v, 200) == 200
    assert vm.call("lane_s", v.view(np.int8), 200) == 200 - 256
    assert vm.call("temp_lane", s8(100), s8(100), 7) == 127
    out = vm.call("set_lane", v, 5, 255)
    assert out[5] == 0 and out[4] == 4 and out[6] == 6


def test_comparison_mask_is_255_or_0(vm):
    out = vm.call("lt_s", s8(-1, 0, 1), s8(0))
    assert out.dtype == np.uint8 and out[:3].tolist() == [255, 0, 0]
    assert vm.call("lt_u", u8(255, 0), u8(1))[:2].tolist() == [0, 255]   # unsigned lanes


# ---------------------------------------------------------------- Hypothesis against numpy

lanes_s8 = hnp.arrays(np.int8, 256)
lanes_u8 = hnp.arrays(np.uint8, 256)


def model_s8(op, a, b):
    a, b = a.astype(np.int64), b.astype(np.int64)
    r = {"add": a + b, "sub": a - b, "mul": np.floor_divide(a * b, 128)}[op]
    return np.clip(r, -128, 127).astype(np.int8)


def model_u8(op, a, b):
    a, b = a.astype(np.int64), b.astype(np.int64)
    return ({"add": a + b, "sub": a - b, "mul": a * b}[op] % 256).astype(np.uint8)


@given(st.sampled_from(["add", "sub", "mul"]), lanes_s8, lanes_s8)
def test_s8_arithmetic_matches_numpy(vm, op, a, b):
    np.testing.assert_array_equal(vm.call(f"{op}_s", a, b), model_s8(op, a, b))


@given(st.sampled_from(["add", "sub", "mul"]), lanes_u8, lanes_u8)
def test_u8_arithmetic_matches_numpy(vm, op, a, b):
    np.testing.assert_array_equal(vm.call(f"{op}_u", a, b), model_u8(op, a, b))


@given(lanes_u8, lanes_s8)
def test_conversions_match_numpy(vm, u, s):
    np.testing.assert_array_equal(vm.call("to_s", u), (u.astype(int) - 128).astype(np.int8))
    np.testing.assert_array_equal(vm.call("to_u", s), (s.astype(int) + 128).astype(np.uint8))
    np.testing.assert_array_equal(vm.call("to_u", vm.call("to_s", u)), u)


@given(lanes_u8, lanes_u8, lanes_u8, lanes_s8, lanes_s8)
def test_select_by_mask(vm, m, a, b, sa, sb):
    np.testing.assert_array_equal(vm.call("sel_u", m, a, b), np.where(m != 0, a, b))
    np.testing.assert_array_equal(vm.call("sel_s", m, sa, sb), np.where(m != 0, sa, sb))


COMPARE = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
           "gt": np.greater, "ge": np.greater_equal}


@given(st.sampled_from(sorted(COMPARE)), lanes_s8, lanes_s8, lanes_u8, lanes_u8,
       st.integers(-128, 127))
def test_comparisons_match_numpy(vm, name, sa, sb, ua, ub, k):
    fn = COMPARE[name]
    np.testing.assert_array_equal(vm.call(f"{name}_s", sa, sb), np.where(fn(sa, sb), 255, 0))
    np.testing.assert_array_equal(vm.call(f"{name}_u", ua, ub), np.where(fn(ua, ub), 255, 0))
    np.testing.assert_array_equal(vm.call(f"{name}_scalar_s", sa, k),
                                  np.where(fn(sa.astype(int), k), 255, 0))


@given(lanes_s8, lanes_u8, st.integers(-128, 127), st.integers(0, 255),
       st.integers(-2 ** 31, 2 ** 31 - 1))
def test_scalar_broadcast_in_binary_ops(vm, s, u, k, ku, big):
    np.testing.assert_array_equal(vm.call("add_scalar_s", s, k),
                                  model_s8("add", s, np.full(256, k, np.int8)))
    np.testing.assert_array_equal(vm.call("scalar_sub_s", k, s),
                                  model_s8("sub", np.full(256, k, np.int8), s))
    np.testing.assert_array_equal(vm.call("mul_scalar_u", u, ku),
                                  model_u8("mul", u, np.full(256, ku, np.uint8)))
    low = big & 0xFF
    assert (vm.call("broadcast_u", big) == low).all()
    assert (vm.call("broadcast_s", big) == (low - 256 if low > 127 else low)).all()


def test_vector_shift_amount_out_of_range_traps(vm):
    for name, n in [("shl_s", 8), ("shr_u", -1), ("shl_u", 12)]:
        lanes = np.zeros(256, np.int8 if name.endswith("_s") else np.uint8)
        with pytest.raises(libnux_vm.Trap) as info:
            vm.call(name, lanes, n)
        assert info.value.kind == "out_of_range" and "outside 0..7" in str(info.value)


@given(lanes_s8, lanes_u8, st.integers(0, 7))
def test_unary_and_shifts_match_numpy(vm, s, u, n):
    si, ui = s.astype(np.int64), u.astype(np.int64)
    np.testing.assert_array_equal(vm.call("neg_s", s), np.clip(-si, -128, 127))
    np.testing.assert_array_equal(vm.call("neg_u", u), (-ui) % 256)
    np.testing.assert_array_equal(vm.call("not_u", u), ~u)
    np.testing.assert_array_equal(vm.call("and_u", u, u[::-1]), u & u[::-1])
    np.testing.assert_array_equal(vm.call("xor_u", u, u[::-1]), u ^ u[::-1])
    np.testing.assert_array_equal(vm.call("shl_s", s, n), np.clip(si << n, -128, 127))
    np.testing.assert_array_equal(vm.call("shr_s", s, n), si >> n)
    np.testing.assert_array_equal(vm.call("shl_u", u, n), (ui << n) % 256)
    np.testing.assert_array_equal(vm.call("shr_u", u, n), ui >> n)
