"""libnux_vm language semantics: the DESIGN.md example, control flow, integer types, arrays,
recursion, casts, globals and the host API of Machine."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import libnux_vm
from libnux_vm import HostValueError, Machine, UnknownSymbolError

DESIGN_EXAMPLE = """
// types: bool int8 uint8 int16 uint16 int32 uint32 (int == int32), vec_u8, vec_s8, arrays T name[N]
int32 counter = 0;                       // global: keeps its value between calls
int32 fib(int32 n) {
    if (n < 2) { return n; }
    return fib(n - 1) + fib(n - 2);
}
vec_s8 clip_weights(vec_s8 w) {
    vec_s8 zero = 0;                     // scalar broadcast
    return select(w < zero, zero, w);    // comparison -> mask; select(mask, if_true, if_false)
}
void tick() { counter += 1; }
"""


def machine(source, **kw):
    return Machine(libnux_vm.compile(source), **kw)


def run(source, name, *args):
    return machine(source).call(name, *args)


# ---------------------------------------------------------------- the DESIGN.md example

def test_design_example_fib():
    m = machine(DESIGN_EXAMPLE)
    assert m.call("fib", 10) == 55
    assert [m.call("fib", i) for i in range(8)] == [0, 1, 1, 2, 3, 5, 8, 13]


def test_design_example_clip_weights():
    m = machine(DESIGN_EXAMPLE)
    w = np.arange(-128, 128, dtype=np.int8)
    out = m.call("clip_weights", w)
    assert out.dtype == np.int8 and out.shape == (256,)
    np.testing.assert_array_equal(out, np.maximum(w, 0))


def test_design_example_global_counter_persists_between_calls():
    m = machine(DESIGN_EXAMPLE)
    assert m.read_global("counter") == 0
    m.call("tick")
    m.call("tick")
    assert m.read_global("counter") == 2
    m.write_global("counter", 3)
    m.call("tick")
    assert m.read_global("counter") == 4
    m.reset()
    assert m.read_global("counter") == 0


def test_cycles_accumulate_over_calls():
    m = machine(DESIGN_EXAMPLE)
    m.call("fib", 5)
    first = m.cycles
    assert first == m.last_call_cycles > 0
    m.call("fib", 5)
    assert m.cycles == 2 * first
    m.call("fib", 10)
    assert m.last_call_cycles > first


# ---------------------------------------------------------------- control flow

CONTROL = """
int sum_to(int n) {
    int s = 0;
    for (int i = 1; i <= n; i++) { s += i; }
    return s;
}
int odd_sum_until(int n, int stop) {   // continue and break
    int s = 0;
    int i = 0;
    while (true) {
        i = i + 1;
        if (i > n) { break; }
        if (i % 2 == 0) { continue; }
        if (i == stop) break;
        s += i;
    }
    return s;
}
int classify(int x) {                  // nested if / else if / dangling else
    if (x < 0) {
        if (x < -10) return -2; else return -1;
    } else if (x == 0) {
        return 0;
    } else {
        if (x > 10)
            if (x > 100) return 3;
            else return 2;
        return 1;
    }
}
int nested_break(int n) {              // break leaves the inner loop only
    int count = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; ; j++) {
            if (j >= i) break;
            count++;
        }
    }
    return count;
}
int countdown(int n) {
    int steps = 0;
    for (; n > 0; n -= 3) steps += 1;
    return steps;
}
int shadow(int x) {
    int y = x;
    { int y = 100; x += y; }
    return x + y;
}
"""


@pytest.fixture(scope="module")
def control():
    return machine(CONTROL)


def test_for_loop(control):
    assert control.call("sum_to", 100) == 5050
    assert control.call("sum_to", 0) == 0


def test_break_and_continue(control):
    assert control.call("odd_sum_until", 10, 99) == 1 + 3 + 5 + 7 + 9
    assert control.call("odd_sum_until", 10, 7) == 1 + 3 + 5


@pytest.mark.parametrize("x, expected", [(-50, -2), (-3, -1), (0, 0), (5, 1), (50, 2),
                                         (500, 3)])
def test_nested_if_and_dangling_else(control, x, expected):
    assert control.call("classify", x) == expected


def test_break_in_nested_loop_leaves_inner_loop(control):
    assert control.call("nested_break", 6) == sum(range(6))


def test_for_without_init_and_parameter_update(control):
    assert control.call("countdown", 10) == 4


def test_block_scope_shadowing(control):
    assert control.call("shadow", 1) == 1 + 100 + 1


def test_short_circuit_skips_right_operand():
    m = machine("""
        int calls = 0;
        bool touch(bool v) { calls += 1; return v; }
        int f(int a) {
            int r = 0;
            if (a && touch(true)) { r += 1; }
            if (a || touch(false)) { r += 2; }
            return r;
        }""")
    assert m.call("f", 0) == 0 and m.read_global("calls") == 1
    assert m.call("f", 1) == 3 and m.read_global("calls") == 2


def test_conditional_evaluates_only_the_chosen_branch():
    m = machine("""
        int calls = 0;
        int side(int v) { calls += 1; return v; }
        int f(int c) { return c ? side(2) : side(3); }""")
    assert m.call("f", 1) == 2 and m.call("f", 0) == 3
    assert m.read_global("calls") == 2


def test_conditional_types_nesting_and_folding():
    m = machine("""
        int sign(int a) { return a < 0 ? -1 : a > 0 ? 1 : 0; }   // right-associative
        uint32 mixed(bool c) { uint8 x = 200; int32 y = -1; return c ? x : (uint32) y; }
        bool both_bool(int c) { return c ? true : false; }
        int inside(int c) { return 1 + (c ? 10 : 20) * 2; }
        int low(int a, int b) { return a || b ? 1 : 0; }          // below ||
        int folded() { return 0 ? 5 : 1 ? 6 : 7; }
        vec_s8 vec(int c) { vec_s8 a = 5; return c ? a : -3; }    // the scalar is broadcast
    """)
    assert [m.call("sign", v) for v in (-5, 0, 5)] == [-1, 0, 1]
    assert m.call("mixed", True) == 200 and m.call("mixed", False) == 2 ** 32 - 1
    assert m.call("both_bool", 3) is True
    assert m.call("inside", 0) == 41 and m.call("inside", 1) == 21
    assert m.call("low", 0, 0) == 0 and m.call("low", 0, 2) == 1
    assert m.call("folded") == 6
    np.testing.assert_array_equal(m.call("vec", 1), np.full(256, 5))
    np.testing.assert_array_equal(m.call("vec", 0), np.full(256, -3))
    folded = libnux_vm.compile("int f() { return 1 ? 6 : 7; }")
    called = libnux_vm.compile("int f(int c) { return c ? 6 : 7; }")
    assert folded.layout.code_hi - folded.layout.code_lo < called.layout.code_hi - called.layout.code_lo


def test_operator_precedence():
    src = "int f() { return %s\n; }"
    cases = {"1 + 2 * 3": 7, "(1 + 2) * 3": 9, "1 << 2 + 1": 8, "6 & 3 == 3": 0,
             "1 | 2 ^ 3 & 1": 3, "10 - 4 - 3": 3, "100 / 10 / 5": 2, "-2 * -3": 6,
             "!0 + ~0": 0, "1 < 2 == 2 > 1": 1, "0 || 1 && 0": 0, "0x10 + 0XfF": 271,
             "7 % 4 * 2": 6, "1 + /* comment */ 2 // trailing": 3, "0 || 1 ? 2 : 3": 2,
             "1 ? 2 : 3 + 4": 2, "0 ? 1 : 0 ? 2 : 3": 3}
    for expr, value in cases.items():
        assert run(src % expr, "f") == value, expr


def test_precedence_at_run_time_matches_constant_folding():
    expr = "a + b * c - (a << b % 3) ^ c & a | b"   # same precedence in C and Python
    m = machine(f"int f(int a, int b, int c) {{ return {expr}; }}")
    for a, b, c in [(1, 2, 3), (-7, 5, 11), (100, 3, 9), (123456, 7, -99)]:
        expected = wrap(eval(expr), 32, True)
        assert m.call("f", a, b, c) == expected
        folded = expr.replace("a", f"({a})").replace("b", f"({b})").replace("c", f"({c})")
        assert run(f"int f() {{ return {folded}; }}", "f") == expected


# ---------------------------------------------------------------- integer types

TYPES = {"int8": (8, True), "uint8": (8, False), "int16": (16, True), "uint16": (16, False),
         "int32": (32, True), "uint32": (32, False)}


def wrap(value, bits, signed):
    value &= (1 << bits) - 1
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


@pytest.fixture(scope="module")
def conversions():
    src = "\n".join(f"{t} to_{t}(int32 x) {{ {t} y = x; return y; }}\n"
                    f"{t} add_{t}({t} a, {t} b) {{ {t} c = a; c += b; return c; }}\n"
                    f"int32 wide_{t}({t} a, {t} b) {{ return a + b; }}\n"
                    f"{t} cast_{t}(int32 x) {{ return ({t}) x; }}"
                    for t in TYPES)
    return machine(src + "\nbool to_bool(int32 x) { bool b = x; return b; }")


@given(st.sampled_from(sorted(TYPES)), st.integers(-2 ** 31, 2 ** 31 - 1))
def test_assignment_wraps_to_the_declared_width(conversions, t, x):
    bits, signed = TYPES[t]
    assert conversions.call(f"to_{t}", x) == wrap(x, bits, signed)
    assert conversions.call(f"cast_{t}", x) == wrap(x, bits, signed)


@given(st.sampled_from(sorted(TYPES)), st.data())
def test_arithmetic_is_32_bit_then_truncated(conversions, t, data):
    bits, signed = TYPES[t]
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    a, b = data.draw(st.integers(lo, hi)), data.draw(st.integers(lo, hi))
    assert conversions.call(f"add_{t}", a, b) == wrap(a + b, bits, signed)
    # promotion: narrow operands are added in 32 bits without wrapping
    expected = wrap(a + b, 32, t != "uint32")
    assert conversions.call(f"wide_{t}", a, b) == (expected if t != "uint32"
                                                  else wrap(expected, 32, True))


def test_bool_conversion(conversions):
    assert conversions.call("to_bool", 256) is True
    assert conversions.call("to_bool", 0) is False


def test_wrap_around_examples():
    src = """
        int8 inc8() { int8 x = 127; x += 1; return x; }
        uint8 dec8() { uint8 x = 0; x -= 1; return x; }
        int16 inc16() { int16 x = 32767; x++; return x; }
        uint16 mul16() { uint16 x = 300; x *= 300; return x; }
        int32 inc32() { int32 x = 2147483647; x += 1; return x; }
        uint32 dec32() { uint32 x = 0; x--; return x; }
        bool unsigned_compare() { return -1 < (uint32) 1; }
        bool signed_compare() { return -1 < 1; }
        int32 int_min_div() { int32 a = -2147483647 - 1; int32 b = -1; return a / b; }
        uint32 big_literal() { return 0xFFFFFFFF; }
        int32 neg_literal() { return -2147483648; }
        int8 cast_const() { return (int8) 200; }
    """
    m = machine(src)
    expected = {"inc8": -128, "dec8": 255, "inc16": -32768, "mul16": 90000 & 0xFFFF,
                "inc32": -2 ** 31, "dec32": 2 ** 32 - 1, "unsigned_compare": False,
                "signed_compare": True, "int_min_div": -2 ** 31, "big_literal": 2 ** 32 - 1,
                "neg_literal": -2 ** 31, "cast_const": -56}
    assert {name: m.call(name) for name in expected} == expected


def test_shift_amount_out_of_range_traps():
    m = machine("int32 shl(int32 a, int32 b) {\n    return a << b;\n}\n"
                "uint32 shr(uint32 a, int32 b) { return a >> b; }")
    assert m.call("shl", 1, 31) == -2 ** 31 and m.call("shr", 2 ** 32 - 1, 31) == 1
    for name, amount in [("shl", 32), ("shl", -1), ("shr", 1000)]:
        with pytest.raises(libnux_vm.Trap) as info:
            m.call(name, 1, amount)
        assert info.value.kind == "out_of_range"
        assert f"shift amount {amount} is outside 0..31" in str(info.value)
    with pytest.raises(libnux_vm.Trap) as info:
        m.call("shl", 1, 32)
    assert info.value.line == 2


def test_unsigned_hex_literals_negate_as_unsigned():
    assert run("bool f() { return -0x80000000 > 0; }", "f") is True       # 2147483648u
    assert run("uint32 f() { return -0xFFFFFFFF; }", "f") == 1
    assert run("int32 f() { return -2147483648; }", "f") == -2 ** 31       # decimal: int32


def test_do_while_runs_its_body_first():
    m = machine("""
        int count(int n) { int i = 0; do { i++; if (i == 2) continue; if (i > 9) break; }
                           while (i < n); return i; }
        int first() { do { return 5; } while (false); }
        int single() { int s = 0; do s += 3; while (s < 10); return s; }""")
    assert [m.call("count", n) for n in (0, 5, 50)] == [1, 5, 10]
    assert m.call("first") == 5 and m.call("single") == 12


def test_initializer_lists_zero_the_rest_at_every_execution():
    m = machine("""
        int32 table[3] = {1, 2, 3,};          // a trailing comma, and ';' at file level
        ;
        int scalars() { int s = 0;
            for (int i = 0; i < 3; i++) { int a[3] = {1}; s += a[1] + a[2]; a[1] = 5; a[2] = 6; }
            return s; }
        int bytes() { int s = 0;
            for (int i = 0; i < 3; i++) { int8 a[5] = {}; s += a[4]; a[4] = 5; }
            return s; }
        int vectors() { int s = 0;
            for (int i = 0; i < 3; i++) { vec_u8 a[2] = {1}; s += a[1][7] + a[0][7]; a[1][7] = 5; }
            return s; }""")
    assert m.call("scalars") == 0 and m.call("bytes") == 0 and m.call("vectors") == 3
    np.testing.assert_array_equal(m.read_global("table"), [1, 2, 3])


# ---------------------------------------------------------------- scalar operators vs a model

def c_binary(op, a, b, unsigned):
    """C semantics of a 32-bit binary operator (independent model for the tests)."""
    if unsigned:
        a, b = a & 0xFFFFFFFF, b & 0xFFFFFFFF
    if op in "/%":
        q = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)
        r = q if op == "/" else a - q * b
    elif op == "<<":
        r = a << b
    elif op == ">>":
        r = a >> b
    else:
        r = eval(f"a {op} b")
    if isinstance(r, bool):
        return int(r)
    return wrap(r, 32, not unsigned)


OPS = ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "==", "!=", "<", "<=", ">", ">="]


@pytest.fixture(scope="module")
def operators():
    src = []
    for i, op in enumerate(OPS):
        src.append(f"int32 s{i}(int32 a, int32 b) {{ return a {op} b; }}")
        src.append(f"uint32 u{i}(uint32 a, uint32 b) {{ return a {op} b; }}")
    return machine("\n".join(src))


@given(st.sampled_from(range(len(OPS))), st.booleans(), st.integers(-2 ** 31, 2 ** 31 - 1),
       st.one_of(st.integers(-2 ** 31, 2 ** 31 - 1), st.integers(-40, 40)))
def test_scalar_operators_match_c_model_and_constant_folding(operators, i, unsigned, a, b):
    op = OPS[i]
    if op in "/%" and b == 0:
        b = 3
    if op in ("<<", ">>"):
        b &= 31                  # other amounts trap (test_shift_amount_out_of_range_traps)
    if unsigned:
        a, b = a & 0xFFFFFFFF, b & 0xFFFFFFFF
    expected = c_binary(op, a, b, unsigned)
    got = operators.call(f"{'u' if unsigned else 's'}{i}", a, b)
    assert got == expected
    t = "uint32" if unsigned else "int32"
    folded = run(f"{t} f() {{ return ({t}) {a} {op} ({t}) {b}; }}", "f")
    assert folded == expected


@pytest.fixture(scope="module")
def unary():
    return machine("""
        int32 neg(int32 x) { return -x; }
        int32 inv(int32 x) { return ~x; }
        bool lnot(int32 x) { return !x; }
        uint32 uneg(uint32 x) { return -x; }
        int32 plus8(int8 x) { return +x; }
    """)


@given(st.integers(-2 ** 31, 2 ** 31 - 1))
def test_unary_operators(unary, x):
    m = unary
    assert m.call("neg", x) == wrap(-x, 32, True)
    assert m.call("inv", x) == ~x
    assert m.call("lnot", x) is (x == 0)
    assert m.call("uneg", x & 0xFFFFFFFF) == (-x) & 0xFFFFFFFF
    assert m.call("plus8", wrap(x, 8, True)) == wrap(x, 8, True)


# ---------------------------------------------------------------- arrays

ARRAYS = """
int32 table[5] = {10, 20, 30};
int16 halves[3] = {-1, 32767, -32768};
bool flags[4] = {true, false, true};
vec_u8 rows[2] = {1, 2};
int32 sum_table() {
    int32 s = 0;
    for (int i = 0; i < 5; i++) s += table[i];
    return s;
}
void set_table(int i, int v) { table[i] = v; }
int local_array(int n) {
    uint8 a[10] = {250, 251};
    for (int i = 2; i < 10; i++) { a[i] = a[i - 1] + a[i - 2]; }
    return a[n];
}
int16 bump_half(int i) { halves[i] += 1; return halves[i]; }
uint8 row_lane(int r, int lane) { return rows[r][lane]; }
void set_row_lane(int r, int lane, uint8 v) { rows[r][lane] = v; }
int count_flags() { int c = 0; for (int i = 0; i < 4; i++) { if (flags[i]) c++; } return c; }
"""


@pytest.fixture
def arrays():
    return machine(ARRAYS)


def test_global_array_initializer_and_sum(arrays):
    np.testing.assert_array_equal(arrays.read_global("table"), [10, 20, 30, 0, 0])
    assert arrays.call("sum_table") == 60
    arrays.call("set_table", 4, 7)
    assert arrays.call("sum_table") == 67
    assert arrays.read_global("table")[4] == 7


def test_local_array_element_wraps(arrays):
    a = [250, 251]
    for i in range(2, 10):
        a.append((a[-1] + a[-2]) & 0xFF)
    assert [arrays.call("local_array", i) for i in range(10)] == a


def test_int16_array_packed_and_wrapping(arrays):
    assert arrays.read_global("halves").dtype == np.int16
    assert arrays.call("bump_half", 1) == -32768
    assert arrays.call("bump_half", 0) == 0
    assert arrays.program.symbols["halves"].size == 8      # 3 x 2 bytes, rounded to words


def test_bool_array(arrays):
    assert arrays.call("count_flags") == 2
    assert arrays.read_global("flags").tolist() == [True, False, True, False]


def test_array_of_vectors(arrays):
    rows = arrays.read_global("rows")
    assert rows.shape == (2, 256) and (rows[0] == 1).all() and (rows[1] == 2).all()
    arrays.call("set_row_lane", 1, 200, 99)
    assert arrays.call("row_lane", 1, 200) == 99
    assert arrays.read_global("rows")[1, 200] == 99


def test_write_global_array_and_vector(arrays):
    arrays.write_global("table", [1, 2, 3, 4, 5])
    assert arrays.call("sum_table") == 15
    arrays.write_global("rows", np.full((2, 256), 7))
    assert arrays.call("row_lane", 0, 3) == 7


def test_vector_variables_arrays_and_calls():
    m = machine("""
        bool flag = false;
        vec_u8 weights = 10;
        int local_rows(int i) {
            vec_u8 rows[3];
            rows[1] = 5;
            rows[2] = rows[1] + (vec_u8) 2;
            rows[2][7] = 1;
            return rows[i][7] + rows[i][6] * 1000;
        }
        void bump_weights() { weights = weights + 1; weights[3] = 0; weights[4] -= 20; }
        int add(int a, int b) { return a + b; }
        int nested() { return add(add(1, 2), add(add(3, 4), 5)); }
        vec_s8 twice(vec_s8 v) { return v + v; }
        int use_vec(int k) {
            vec_s8 a = k;
            vec_s8 b = twice(a);
            return twice(twice(b))[0] + b[255];
        }
        void loop_decl() { for (int i = 0; i < 3; i++) { int x; x += 1; flag = x == 3; } }
    """)
    assert [m.call("local_rows", i) for i in range(3)] == [0, 5005, 7001]
    m.call("bump_weights")
    assert m.read_global("weights")[:6].tolist() == [11, 11, 11, 0, 247, 11]
    assert m.call("nested") == 15
    assert m.call("use_vec", 3) == 24 + 6 and m.call("use_vec", 20) == 127 + 40
    m.call("loop_decl")      # locals are zeroed on entry, not per declaration
    assert m.read_global("flag") is True


# ---------------------------------------------------------------- recursion

def test_recursion():
    m = machine("""
        bool is_even(int n) { if (n == 0) return true; return is_odd(n - 1); }
        bool is_odd(int n) { if (n == 0) return false; return is_even(n - 1); }
        int ackermann(int m, int n) {
            if (m == 0) return n + 1;
            if (n == 0) return ackermann(m - 1, 1);
            return ackermann(m - 1, ackermann(m, n - 1));
        }
        int depth(int n) { if (n == 0) return 0; return 1 + depth(n - 1); }
        vec_u8 vsum(vec_u8 v, int n) { if (n == 0) return v; return vsum(v + 1, n - 1); }
    """)
    assert m.call("is_even", 10) is True and m.call("is_odd", 7) is True
    assert m.call("ackermann", 2, 3) == 9
    assert m.call("depth", 500) == 500
    assert (m.call("vsum", np.zeros(256, np.uint8), 20) == 20).all()


# ---------------------------------------------------------------- host API

def test_call_argument_checks():
    m = machine(DESIGN_EXAMPLE)
    with pytest.raises(HostValueError, match="takes 1 arguments"):
        m.call("fib")
    with pytest.raises(HostValueError, match="out of range for int32"):
        m.call("fib", 2 ** 31)
    with pytest.raises(HostValueError, match=r"shape \(256,\)"):
        m.call("clip_weights", np.zeros(10, np.int8))
    with pytest.raises(HostValueError, match="out of range for int8"):
        m.call("clip_weights", np.full(256, 200))
    with pytest.raises(UnknownSymbolError, match="no function named 'nope'"):
        m.call("nope")


def test_host_values_are_checked_before_any_cast():
    m = machine("int8 arr[4];\nuint32 u[2];\nvec_s8 same(vec_s8 v) { return v; }")
    with pytest.raises(HostValueError, match="18446744073709551615 is out of range for int8"):
        m.write_global("arr", np.array([2 ** 64 - 1, 0, 0, 0], dtype=np.uint64))
    with pytest.raises(HostValueError, match="18446744073709551615 is out of range for int8"):
        m.call("same", np.full(256, 2 ** 64 - 1, np.uint64))
    with pytest.raises(HostValueError, match=r"\[0\] = -1 is out of range for uint32"):
        m.write_global("u", np.array([-1, 0]))
    m.write_global("u", np.array([2 ** 32 - 1, 0], np.uint64))
    assert m.read_global("u").tolist() == [2 ** 32 - 1, 0]


@pytest.mark.parametrize("budget", [0, -5, 2 ** 63, True, 1.5])
def test_bad_cycle_budgets(budget):
    program = libnux_vm.compile(DESIGN_EXAMPLE)
    with pytest.raises(HostValueError, match=r"cycle_budget must be a number of PPU cycles in 1\.\."):
        Machine(program, cycle_budget=budget)
    with pytest.raises(HostValueError, match="cycle_budget"):
        Machine(program).call("fib", 3, cycle_budget=budget)


def test_global_access_checks():
    m = machine(DESIGN_EXAMPLE + "uint8 small = 3; vec_s8 weights = -5;")
    assert m.read_global("small") == 3
    np.testing.assert_array_equal(m.read_global("weights"), np.full(256, -5))
    with pytest.raises(HostValueError, match="out of range for uint8"):
        m.write_global("small", 256)
    with pytest.raises(HostValueError, match="integer"):
        m.write_global("small", 1.5)
    with pytest.raises(UnknownSymbolError):
        m.read_global("fib")
    m.write_global("weights", np.arange(-128, 128))
    assert m.read_global("weights")[0] == -128
    m.write_global("weights", 9)
    assert (m.read_global("weights") == 9).all()
