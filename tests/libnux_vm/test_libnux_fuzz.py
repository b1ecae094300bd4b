"""Fuzzing the front end: whatever the source text, compile() returns a Program or raises
CompileError, never another exception; programs that do compile only ever return or trap."""

import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import libnux_vm
from libnux_vm import CompileError, Machine, Trap

VALID = """
int32 counter = 0;
uint8 table[4] = {1, 2, 3, 4};
int32 fib(int32 n) {
    if (n < 2) { return n; }
    return fib(n - 1) + fib(n - 2);
}
vec_s8 clip_weights(vec_s8 w) {
    vec_s8 zero = 0;
    return select(w < zero, zero, w);
}
int32 loop(int32 n) {
    int32 s = 0;
    for (int32 i = 0; i < n; i++) { if (i % 3 == 0) continue; s += table[i & 3]; }
    while (s > 100) { s = s / 2; break; }
    return s > 50 ? (int8) s : -s;
}
void tick() { counter += 1; }
"""

TOKENS = ["int32", "int8", "uint8", "int16", "uint16", "uint32", "int", "bool", "vec_u8",
          "vec_s8", "void", "if", "else", "for", "while", "do", "break", "continue", "return",
          "true", "false", "select", "x", "y", "f", "counter", "0", "1", "255", "-1", "0x7F",
          "4294967295", "99999999999", "(", ")", "{", "}", "[", "]", ";", ",", "=", "+=",
          "<<=", "++", "--", "+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "~", "!",
          "&&", "||", "==", "!=", "<", "<=", ">", ">=", "?", ":", "/*", "*/", "//", "\n"]

_TOKEN_RE = re.compile(r"0x[0-9a-fA-F]+|\w+|<<=|>>=|[-+*/%&|^<>=!]=|&&|\|\||\+\+|--|<<|>>|\S")
VALID_TOKENS = _TOKEN_RE.findall(VALID)

fuzz_settings = settings(max_examples=150, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow])


def compile_or_error(source):
    try:
        program = libnux_vm.compile(source)
    except CompileError as e:
        assert str(e)
        assert e.line is None or (e.line >= 1 and e.column >= 1)
        return None
    assert len(program.image) <= libnux_vm.MEMORY_BYTES
    return program


def run_everything(program):
    """Call every function with zero arguments under a small budget: result or Trap only."""
    m = Machine(program, cycle_budget=20_000)
    for sym in program.symbols.values():
        if sym.kind != "function":
            continue
        args = [np.zeros(256, np.uint8 if not p.signed else np.int8)
                if hasattr(p, "lane") else 0 for p in sym.type.params]
        try:
            m.call(sym.name, *args)
        except Trap:
            pass


def test_the_valid_program_compiles_and_runs():
    program = compile_or_error(VALID)
    assert program is not None
    run_everything(program)
    # and computes what it says: the fuzzers' mutations start from a working program
    m = Machine(program)
    assert [m.call("fib", n) for n in range(8)] == [0, 1, 1, 2, 3, 5, 8, 13]
    # loop(n) in Python: the sum of table[i & 3] over i < n not divisible by 3, halved once
    # above 100; then (int8) s above 50, else -s
    def loop(n: int) -> int:
        s = sum((1, 2, 3, 4)[i & 3] for i in range(n) if i % 3)
        s = s // 2 if s > 100 else s
        return int(np.int64(s).astype(np.int8)) if s > 50 else -s
    assert [m.call("loop", n) for n in (0, 4, 10, 30, 60, 100)] == [loop(n) for n in (0, 4, 10, 30, 60, 100)]
    assert loop(60) > 50 and loop(100) > 50              # both branches of the ternary, and the halving
    weights = np.array([-5, 0, 7] + [-128] * 253, dtype=np.int8)
    assert m.call("clip_weights", weights).tolist() == [0, 0, 7] + [0] * 253
    m.call("tick")
    m.call("tick")
    assert m.read_global("counter") == 2


@fuzz_settings
@given(st.text(alphabet=st.sampled_from(list("intuvec_s8{}()[];,=+-*/%<>&|^~!0123456789xX \n"
                                             "abcdefghijklmnopqrstuvwxyz@#\"'.:?\t")),
               max_size=120))
def test_random_text_only_raises_compile_error(text):
    compile_or_error(text)


@fuzz_settings
@given(st.text(max_size=60))
def test_random_unicode_only_raises_compile_error(text):
    compile_or_error(text)


@fuzz_settings
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_random_token_sequences_only_raise_compile_error(tokens):
    compile_or_error(" ".join(tokens))


@fuzz_settings
@given(st.lists(st.tuples(st.sampled_from(["delete", "insert", "replace"]),
                          st.integers(0, len(VALID_TOKENS) - 1), st.sampled_from(TOKENS)),
                min_size=1, max_size=4))
def test_mutated_programs_compile_or_fail_cleanly_and_run_or_trap(edits):
    tokens = list(VALID_TOKENS)
    for action, position, token in edits:
        position %= len(tokens)
        if action == "delete":
            del tokens[position]
        elif action == "insert":
            tokens.insert(position, token)
        else:
            tokens[position] = token
    program = compile_or_error(" ".join(tokens))
    if program is not None:
        run_everything(program)
