"""Every diagnostic of libnux_vm has its own test: compile errors name line and column and show
a caret; runtime traps name their kind and source line and leave the machine usable."""

import numpy as np
import pytest

import libnux_vm
from libnux_vm import CompileError, Machine, Trap, vm


def compile_error(source) -> CompileError:
    with pytest.raises(CompileError) as info:
        libnux_vm.compile(source)
    return info.value


def caret_column(err: CompileError) -> int:
    """Column (1-based) of the caret in the rendered message, checked against the source."""
    lines = str(err).split("\n")
    assert lines[-2] == "    " + err.source_line
    return lines[-1].index("^") - 4 + 1


def assert_at(err: CompileError, line: int, column: int, *fragments):
    assert (err.line, err.column) == (line, column), str(err)
    assert caret_column(err) == column
    assert str(err).startswith(f"line {line}, column {column}: ")
    for fragment in fragments:
        assert fragment in err.reason, err.reason


# ---------------------------------------------------------------- syntax

def test_syntax_error_shows_line_column_and_caret():
    err = compile_error("int f(int x) {\n    return x +;\n}\n")
    assert_at(err, 2, 15, "syntax error", "unexpected ';'")


def test_syntax_error_missing_semicolon_at_end_of_input():
    err = compile_error("int32 counter = 0")
    assert err.line == 1 and "end of input" in err.reason and "';'" in err.reason


def test_unexpected_character():
    err = compile_error("int x = 3 @ 4;")
    assert_at(err, 1, 11, "unexpected character '@'")


def test_unterminated_comment():
    err = compile_error("int x = 1;\n/* never closed\nint y;")
    assert_at(err, 2, 1, "unterminated comment")


def test_caret_lines_up_after_tabs():
    err = compile_error("int f() {\n\treturn 1 +;\n}")
    assert err.column == 12
    assert str(err).split("\n")[-1] == "    \t" + " " * 10 + "^"


def test_assignment_is_not_an_expression():
    err = compile_error("int f(int x) { return x = 1; }")
    assert "syntax error" in err.reason and err.column == 25


# ---------------------------------------------------------------- names and types

def test_unknown_name():
    err = compile_error("int counter;\nint f() {\n  return countr + 1;\n}")
    assert_at(err, 3, 10, "unknown name 'countr'", "did you mean 'counter'")


def test_unknown_function():
    err = compile_error("int f() { return g(1); }")
    assert_at(err, 1, 18, "unknown function 'g'")


def test_type_mismatch_vector_to_scalar():
    err = compile_error("int f(vec_s8 w) {\n  int32 x = w;\n  return x;\n}")
    assert_at(err, 2, 13, "cannot convert vec_s8 to int32")


def test_type_mismatch_between_vector_types():
    err = compile_error("vec_u8 f(vec_u8 a, vec_s8 b) { return a + b; }")
    assert_at(err, 1, 41, "different vector types")
    err = compile_error("vec_u8 f(vec_s8 b) { return b; }")
    assert "use the offset conversion (vec_u8)" in err.reason


def test_conditional_errors():
    err = compile_error("int f(vec_u8 u, vec_s8 s) {\n  vec_u8 r = 1 ? u : s;\n  return 0;\n}")
    assert_at(err, 2, 16, "branches of '?:' have different vector types")
    err = compile_error("int f(vec_u8 u) { return u ? 1 : 2; }")
    assert_at(err, 1, 26, "a condition must be a scalar")
    err = compile_error("int f() { return 1 ? 2; }")
    assert_at(err, 1, 23, "expected ':'")
    err = compile_error("uint8 f() { return 1 ? 300 : 2; }")
    assert_at(err, 1, 22, "constant 300 is out of range for uint8")


def test_operator_not_for_vectors():
    err = compile_error("vec_u8 f(vec_u8 a) { return a / 2; }")
    assert "operator '/' does not apply to vectors" in err.reason


def test_wrong_argument_count_and_type():
    err = compile_error("int g(int a, int b) { return a; }\nint f() { return g(1); }")
    assert_at(err, 2, 18, "takes 2 arguments but 1 was given")
    err = compile_error("int g(int a) { return a; }\nint f(vec_u8 v) { return g(v); }")
    assert_at(err, 2, 28, "argument 1 of 'g'")


def test_break_and_continue_outside_loop():
    assert_at(compile_error("void f() {\n  break;\n}"), 2, 3, "'break' outside of a loop")
    assert "'continue' outside" in compile_error("void f() { continue; }").reason


def test_missing_return_value():
    assert_at(compile_error("int f() { return; }"), 1, 11, "must return an int32 value")
    assert "returns void" in compile_error("void f() { return 1; }").reason
    err = compile_error("int f(int a) {\n  if (a) { return 1; }\n}")
    assert "can reach its end without returning" in err.reason


def test_endless_loop_needs_no_return():
    libnux_vm.compile("int f() { while (true) { } }")
    compile_error("int f() { while (true) { break; } }")


def test_out_of_range_constants():
    assert_at(compile_error("uint8 x = 300;"), 1, 11, "constant 300 is out of range for uint8")
    assert_at(compile_error("int8 x = -129;"), 1, 10, "out of range for int8 (-128..127)")
    assert_at(compile_error("vec_s8 v = 200;"), 1, 12, "out of range for int8")
    assert "out of range for uint16" in compile_error(
        "void g(uint16 a) {} void f() { g(70000); }").reason
    assert "too large" in compile_error("uint32 x = 0x100000000;").reason
    assert "too small" in compile_error("int x = -2147483649;").reason
    libnux_vm.compile("uint8 x = (uint8) 300; int8 y = -128; uint32 z = 0xFFFFFFFF;")


def test_duplicate_definitions():
    assert_at(compile_error("int x;\nint x;"), 2, 5, "'x' is already defined at line 1")
    assert "already defined" in compile_error("int f() { return 0; } int f;").reason
    assert "already defined in this scope" in compile_error(
        "int f(int a) { int a = 1; return a; }").reason
    assert "parameter 'a' is already defined" in compile_error(
        "int f(int a, int a) { return a; }").reason
    assert "built-in" in compile_error("int select;").reason


def test_invalid_uses_of_names():
    assert "cannot be used as a value" in compile_error(
        "int a[3]; int f() { return a; }").reason
    assert "is a function" in compile_error("int f() { return f; }").reason
    assert "is a variable, not a function" in compile_error("int x; int f() { return x(); }")\
        .reason
    assert "only arrays and vectors" in compile_error("int f(int x) { return x[0]; }").reason
    assert "whole array" in compile_error("void f() { int a[2]; a = 1; }").reason
    assert "has no value" in compile_error("void g() {} int f() { return g(); }").reason
    assert "temporary vector" in compile_error(
        "void f(vec_u8 a) { (a + 1)[0] = 3; }").reason
    assert "left side of an assignment" in compile_error(
        "int g() { return 1; } void f() { g() = 3; }").reason
    assert "condition must be a scalar" in compile_error(
        "void f(vec_u8 a) { if (a) {} }").reason


def test_array_declaration_errors():
    assert "at least one element" in compile_error("int a[0];").reason
    assert "constant integer" in compile_error("void f(int n) { int a[n]; }").reason
    assert "too many initializers" in compile_error("int a[2] = {1, 2, 3};").reason
    assert "array parameters are not supported" in compile_error("void f(int a[3]) {}").reason
    assert "constant expression" in compile_error("int x = 1; int y = x;").reason


def test_constant_division_by_zero():
    assert "division by zero" in compile_error("int x = 1 / 0;").reason


# ---------------------------------------------------------------- size

def test_image_too_large_names_its_size():
    err = compile_error("uint8 big[9000];\nuint8 more[9000];")
    assert err.line is None
    # header 64 + globals 18000 + runtime 392 (state 32, one timer 36, mailbox 256, one view 68)
    assert "image is 18456 bytes" in str(err) and "16384" in str(err)
    assert "'big' 9000 B" in str(err)


def test_image_limit_counts_the_minimum_stack():
    source = "uint8 a[15000];"
    # header 64, the array 15000, runtime block 32, an empty timer entry 36, mailbox 256, an
    # empty view 68
    assert len(libnux_vm.compile(source, min_stack_bytes=256).image) == 64 + 15000 + 32 + 36 + 256 + 68
    with pytest.raises(CompileError, match="at least 2048 bytes of stack"):
        libnux_vm.compile(source, min_stack_bytes=2048)


def test_huge_local_frame_is_a_compile_error():
    err = compile_error("int f() {\n  int a[4000];\n  return a[0];\n}")
    assert "needs" in err.reason and "bytes of stack" in err.reason and err.line == 1


def test_deep_nesting_is_a_compile_error(monkeypatch):
    from libnux_vm import compiler
    monkeypatch.setattr(compiler, "_RECURSION_LIMIT", 3000)
    err = compile_error("int f() { return " + "~" * 5000 + "1" + "; }")
    assert "nested too deeply" in str(err)


def test_long_operator_chains_and_deep_blocks_compile():
    m = Machine(libnux_vm.compile("int f(int x) { return " + " + ".join(["x"] * 1500) + "; }"))
    assert m.call("f", 2) == 3000
    m = Machine(libnux_vm.compile("int f(int x) { " + "{" * 2000 + "x += 1;" + "}" * 2000
                                  + " return x; }"))
    assert m.call("f", 2) == 3


def test_reserved_words_are_not_names():
    for source, column in [("int true = 5;", 5), ("int f() { int if = 3; return 0; }", 15),
                           ("int return() { return 1; }", 5), ("int f(int while) { return 0; }", 11),
                           ("int uint8 = 3;", 5), ("int f(int do) { return 0; }", 11)]:
        err = compile_error(source)
        assert err.column == column and "is a reserved word" in err.reason, source


def test_a_literal_with_thousands_of_digits_is_too_large():
    err = compile_error("int f() {\n  return " + "9" * 5000 + ";\n}")
    assert (err.line, err.column) == (2, 10)
    assert "integer constant 9999999999...9999 (5000 digits) is too large" in err.reason
    shown, caret = str(err).split("\n")[-2:]       # the line is cut around the column
    assert len(shown) < 140 and shown.endswith("...") and caret.index("^") == 4 + 9


def test_constant_shift_amounts_out_of_range():
    err = compile_error("int f(int x) { return x << 32; }")
    assert_at(err, 1, 28, "shift amount 32 is out of range: shifts take 0..31")
    err = compile_error("int f(int x) { x >>= -1; return x; }")
    assert "shift amount -1" in err.reason
    err = compile_error("vec_u8 f(vec_u8 v) { return v << 8; }")
    assert "shifts take 0..7" in err.reason


def test_unevaluated_operands_may_divide_by_zero():
    assert Machine(libnux_vm.compile("int f() { return 0 && 1 / 0; }")).call("f") == 0
    assert Machine(libnux_vm.compile("int f() { return 1 || (1 << 40); }")).call("f") == 1
    assert Machine(libnux_vm.compile("int f() { return 0 ? 1 / 0 : 5; }")).call("f") == 5
    err = compile_error("int f(int c) { return c ? 1 / 0 : 5; }")
    assert "division by zero in a constant expression" in err.reason


# ---------------------------------------------------------------- runtime traps

TRAPS = """int32 table[4] = {1, 2, 3, 4};
int32 get(int32 i) {
    return table[i];
}
int32 forever(int32 n) {
    return forever(n + 1) + 1;
}
int32 divide(int32 a, int32 b) {
    return a / b;
}
int32 modulo(uint32 a, uint32 b) {
    return a % b;
}
void spin() {
    int32 i = 0;
    while (i >= 0) { i = i & 1; }
}
int32 lane(vec_u8 v, int i) {
    return (v + 1)[i];
}
int32 var_lane(vec_u8 v, int i) {
    return v[i];
}
"""


@pytest.fixture
def traps():
    return Machine(libnux_vm.compile(TRAPS), cycle_budget=200_000)


def trap(machine, name, *args) -> Trap:
    with pytest.raises(Trap) as info:
        machine.call(name, *args)
    return info.value


def test_trap_out_of_bounds(traps):
    assert traps.call("get", 3) == 4
    t = trap(traps, "get", 4)
    assert (t.kind, t.line, t.function) == ("out_of_bounds", 3, "get")
    assert "line 3" in str(t) and "index 4 is outside 0..3" in str(t)
    assert "return table[i];" in str(t)
    t = trap(traps, "get", -1)
    assert t.kind == "out_of_bounds" and "index -1 (or 4294967295 as uint32)" in str(t)
    assert trap(traps, "lane", np.zeros(256, np.uint8), 256).kind == "out_of_bounds"
    t = trap(traps, "var_lane", np.zeros(256, np.uint8), -3)
    assert (t.kind, t.line) == ("out_of_bounds", 22) and "outside 0..255" in str(t)


def test_trap_stack_overflow_on_infinite_recursion(traps):
    t = trap(traps, "forever", 0)
    assert (t.kind, t.line, t.function) == ("stack_overflow", 6, "forever")
    assert "stack overflow at line 6" in str(t)


def test_trap_division_by_zero(traps):
    t = trap(traps, "divide", 7, 0)
    assert (t.kind, t.line) == ("division_by_zero", 9)
    assert trap(traps, "modulo", 7, 0).line == 12
    assert traps.call("divide", -7, 2) == -3


def test_trap_cycle_budget_on_endless_loop(traps):
    t = trap(traps, "spin")
    assert t.kind == "cycle_budget" and t.line == 16 and t.function == "spin"
    assert "200000 PPU cycles" in str(t)
    assert t.cycles <= 200_000 and traps.cycles >= t.cycles
    assert traps.call("get", 1, cycle_budget=100) == 2


def test_machine_is_usable_after_a_trap(traps):
    traps.write_global("table", [5, 6, 7, 8])
    trap(traps, "forever", 0)
    trap(traps, "divide", 1, 0)
    assert traps.call("get", 2) == 7
    np.testing.assert_array_equal(traps.read_global("table"), [5, 6, 7, 8])


def test_trap_kinds_are_listed():
    assert {"out_of_bounds", "stack_overflow", "division_by_zero", "cycle_budget"} <= \
        set(libnux_vm.TRAP_KINDS)


@pytest.mark.parametrize("op, operand, kind", [
    (0xFF, 0, "invalid_instruction"),        # undefined opcode
    (vm.JMP, -5, "invalid_instruction"),     # jump outside the code
    (vm.DROP, 3, "invalid_instruction"),     # stack underflow
    (vm.LDG, 100000, "memory_fault"),        # load outside memory
    (vm.STG, 4, "memory_fault"),             # store into the code
    (vm.RET, -9 << 7, "invalid_instruction"),
    (vm.ENTER, 1 << 20, "stack_overflow"),
    (vm.TRAP, 0, "invalid_instruction"),
])
def test_corrupt_image_traps_instead_of_crashing(op, operand, kind):
    program = libnux_vm.compile("int f() { return 1; }")
    m = Machine(program)
    m.memory.view("<i4")[program.layout.code_lo] = (operand << 8) | op
    with pytest.raises(Trap) as info:
        m.call("f")
    assert info.value.kind == kind
