"""Chip built-ins: HOSTCALL, the Machine's dispatch to a Host, and the MemoryHost model."""

import numpy as np
import pytest

import libnux_vm
from libnux_vm import CompileError, HostError, HostValueError, Machine, MemoryHost, Trap, isa, vm
from libnux_vm.builtins import BUILTINS
from libnux_vm.host import Host


def machine(source, host=None, **kw):
    host = MemoryHost() if host is None else host
    return Machine(libnux_vm.compile(source), host=host, **kw)


def compile_error(source) -> CompileError:
    with pytest.raises(CompileError) as info:
        libnux_vm.compile(source)
    return info.value


# ---------------------------------------------------------------- every built-in

def test_get_and_set_weights():
    m = machine("""
vec_u8 get(int r) { return get_weights(0, r); }
void put(int r, vec_u8 v) { set_weights(0, r, v); }
""")
    m.host.weights[5] = np.arange(256) % 64
    np.testing.assert_array_equal(m.call("get", 5), np.arange(256) % 64)
    m.call("put", 7, np.arange(256) % 64)
    np.testing.assert_array_equal(m.host.weights[7], np.arange(256) % 64)
    assert m.host.weights.dtype == np.uint8
    assert (m.host.weights[[0, 1, 2, 6, 8, 255]] == 0).all()


def test_a_weight_above_63_traps_and_nothing_is_written():
    m = machine("""
void put(int r, vec_u8 v) {
    set_weights(0, r, v);
}
""")
    values = np.full(256, 17)
    values[[40, 41]] = 64, 200
    with pytest.raises(Trap) as info:
        m.call("put", 3, values)
    assert info.value.kind == "out_of_range" and info.value.line == 3
    assert "2 lane(s)" in str(info.value) and "lane 40 with 64" in str(info.value)
    assert "0..63" in str(info.value)
    assert (m.host.weights[3] == 0).all()


def test_memory_host_refuses_weights_it_cannot_hold():
    with pytest.raises(HostValueError, match=r"0\.\.63"):
        MemoryHost(weights=np.full((256, 256), 64))
    with pytest.raises(HostValueError, match="256 x 256"):
        MemoryHost(weights=np.zeros((4, 256), int))
    host = MemoryHost()
    with pytest.raises(HostError, match="outside the 6-bit"):
        host.set_weights(0, np.full(256, -1))


def test_correlations_and_their_reset():
    m = machine("""
vec_u8 causal(int r) { return get_causal_correlation(0, r); }
vec_u8 acausal(int r) { return get_acausal_correlation(0, r); }
void reset(int r) { reset_correlation(0, r); }
""")
    rng = np.random.default_rng(1)
    m.host.causal[:] = rng.integers(0, 256, (256, 256))
    m.host.acausal[:] = rng.integers(0, 256, (256, 256))
    np.testing.assert_array_equal(m.call("causal", 3), m.host.causal[3])
    np.testing.assert_array_equal(m.call("acausal", 255), m.host.acausal[255])
    before = m.host.causal.copy()
    m.call("reset", 3)
    assert (m.host.causal[3] == 0).all() and (m.host.acausal[3] == 0).all()
    np.testing.assert_array_equal(m.host.causal[4:], before[4:])


def test_rate_counters_with_and_without_reset():
    m = machine("vec_u8 counts(bool reset) { return get_rate_counters(0, reset); }")
    m.host.rate_counters[:] = np.arange(256) * 2          # > 255 saturates
    expect = np.minimum(np.arange(256) * 2, 255)
    np.testing.assert_array_equal(m.call("counts", False), expect)
    np.testing.assert_array_equal(m.call("counts", True), expect)
    assert (m.host.rate_counters == 0).all()
    assert (m.call("counts", False) == 0).all()


def test_reset_neurons_send_spike_and_log():
    m = machine("""
void go(int n) {
    reset_neurons(0);
    for (int i = 0; i < n; i++) { send_spike(i * 3); log_int(-i); }
}
""")
    m.call("go", 4)
    assert m.host.neuron_resets == 1
    assert m.host.spikes == [0, 3, 6, 9]
    assert m.host.log == [0, -1, -2, -3]


def test_a_spike_label_outside_16_bit_traps_on_any_host():
    m = machine("void go(int label) {\n    send_spike(label);\n}")
    for label in (-1, 0x10000):
        with pytest.raises(Trap) as info:
            m.call("go", label)
        assert info.value.kind == "out_of_range" and info.value.line == 2
        assert f"spike label {label} is outside 0..65535" in str(info.value)
    assert m.host.spikes == []
    with pytest.raises(HostError, match="spike label -3"):
        MemoryHost().send_spike(-3)


def test_now_increases_and_counts_machine_cycles():
    m = machine("""
uint32 t0;
uint32 elapsed() {
    t0 = now();
    int x = 0;
    for (int i = 0; i < 100; i++) { x += i; }
    return now() - t0;
}
uint32 stamp() { return now(); }
""")
    a = m.call("stamp")
    b = m.call("stamp")
    assert 0 < a < b <= m.cycles
    assert b == m.cycles - isa.COSTS[vm.RET]   # now() is the last instruction before RET
    d = m.call("elapsed")
    assert d > 100 * 5
    assert m.host.time == m.read_global("t0") + d
    m.host.time_offset = 1000             # a host can move the time base
    assert m.call("stamp") == m.cycles + 1000 - isa.COSTS[vm.RET]


def test_expression_uses_of_results():
    m = machine("""
int lane(int r, int i) { return get_weights(0, r)[i] + (int) get_causal_correlation(0, r)[i]; }
vec_u8 grow(int r) { set_weights(0, r, get_weights(0, r) + 1); return get_weights(0, r); }
""")
    m.host.weights[2, 9] = 40
    m.host.causal[2, 9] = 200
    assert m.call("lane", 2, 9) == 240
    out = m.call("grow", 2)
    assert out[9] == 41 and out[0] == 1


# ---------------------------------------------------------------- kernels

IMAGE_KERNEL = """
vec_u8 image[8];
void write_image() {
    for (int r = 0; r < 8; r++) {
        vec_u8 v = image[r] >> 2;        // 8-bit pixels -> 6-bit weights
        set_weights(0, r, v);
    }
}
"""


def test_image_kernel_writes_the_weight_rows():
    m = machine(IMAGE_KERNEL)
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (8, 256))
    m.write_global("image", image)
    m.call("write_image")
    np.testing.assert_array_equal(m.host.weights[:8], image >> 2)
    assert (m.host.weights[8:] == 0).all()


HOMEOSTASIS = """
uint8 target = 10;
void homeostasis(int rows) {
    vec_u8 counts = get_rate_counters(0, true);
    vec_u8 too_high = counts > target;
    vec_u8 too_low = counts < target;
    for (int r = 0; r < rows; r++) {
        vec_u8 w = get_weights(0, r);
        vec_u8 down = select(w > 0, w - 1, w);
        vec_u8 up = select(w < 63, w + 1, w);
        w = select(too_high, down, select(too_low, up, w));
        set_weights(0, r, w);
    }
}
"""


def test_homeostasis_moves_weights_in_the_right_direction():
    host = MemoryHost(weights=np.full((256, 256), 30))
    host.weights[:, 0] = 0        # cannot go lower
    host.weights[:, 1] = 63       # cannot go higher
    m = machine(HOMEOSTASIS, host)
    counts = np.array([20, 0] + [20, 0, 10] * 84 + [10, 10])
    assert counts.size == 256
    host.rate_counters[:] = counts
    m.call("homeostasis", 4)
    w = host.weights[:4]
    assert (host.rate_counters == 0).all()
    lanes = np.arange(2, 256)
    high, low, ok = counts[lanes] > 10, counts[lanes] < 10, counts[lanes] == 10
    assert (w[:, lanes[high]] == 29).all()
    assert (w[:, lanes[low]] == 31).all()
    assert (w[:, lanes[ok]] == 30).all()
    assert (w[:, 0] == 0).all() and (w[:, 1] == 63).all()
    assert (host.weights[4:, 2:] == 30).all()


# ---------------------------------------------------------------- compile errors

@pytest.mark.parametrize("call, column, fragment", [
    ("set_weights(0, 1, (vec_s8) 0)", 23, "cannot convert vec_s8 to vec_u8"),
    ("get_weights(0, get_weights(0, 0))", 20, "cannot convert vec_u8 to int32"),
    ("get_rate_counters(0, 5)", 26, "out of range for bool"),
    ("log_int(get_weights(0, 1))", 13, "cannot convert vec_u8 to int32"),
    ("send_spike()", 5, "takes 1 argument but 0 were given"),
    ("now(1)", 5, "takes 0 arguments but 1 was given"),
])
def test_wrong_arguments_are_compile_errors(call, column, fragment):
    err = compile_error(f"void f() {{\n    {call};\n}}")
    assert (err.line, err.column) == (2, column), str(err)
    assert fragment in err.reason, err.reason
    assert str(err).split("\n")[-1].index("^") - 4 + 1 == column


def test_void_built_in_has_no_value():
    err = compile_error("int f() {\n    return send_spike(1);\n}")
    assert err.line == 2 and "void" in err.reason


@pytest.mark.parametrize("source", [
    "int now() { return 1; }",
    "vec_u8 get_weights(int r) { return 0; }",
    "int log_int = 3;",
    "int x;\nvoid reset_neurons() { }",
])
def test_built_in_names_cannot_be_redefined(source):
    err = compile_error(source)
    assert "built-in" in err.reason and "cannot be redefined" in err.reason
    assert err.line == source.count("\n") + 1 and err.column is not None


# ---------------------------------------------------------------- traps

def test_without_a_host_a_built_in_traps_no_chip():
    m = Machine(libnux_vm.compile("int f() {\n    int x = 1;\n    log_int(x);\n    return x;\n}"
                                  "\nint g() { return 2; }"))
    assert m.host is None
    with pytest.raises(Trap) as info:
        m.call("f")
    t = info.value
    assert t.kind == "no_chip" and t.line == 3 and t.function == "f"
    assert "needs a chip" in str(t) and "log_int" in str(t)
    assert "no_chip" in libnux_vm.TRAP_KINDS
    assert m.call("g") == 2                     # still usable


def test_base_host_traps_no_chip():
    m = machine("void f() { reset_neurons(0); }", Host())
    with pytest.raises(Trap) as info:
        m.call("f")
    assert info.value.kind == "no_chip" and info.value.line == 1
    with pytest.raises(Trap) as info:
        Host().get_weights(0)
    assert info.value.kind == "no_chip"


@pytest.mark.parametrize("name, row", [("get_weights", 256), ("get_weights", -1),
                                       ("get_causal_correlation", 1000),
                                       ("get_acausal_correlation", -5),
                                       ("reset_correlation", 256)])
def test_out_of_range_row_traps(name, row):
    m = machine(f"int f(int r) {{\n    int x = 1;\n    {name}(0, r);\n    return x;\n}}")
    with pytest.raises(Trap) as info:
        m.call("f", row)
    t = info.value
    assert t.kind == "out_of_bounds" and t.line == 3 and t.function == "f"
    assert f"row {row}" in str(t) and "0..255" in str(t)
    assert m.call("f", 255) == 1


def test_set_weights_out_of_range_row_leaves_weights_alone():
    m = machine("void f(int r) {\n    set_weights(0, r, 5);\n}")
    with pytest.raises(Trap) as info:
        m.call("f", 300)
    assert info.value.kind == "out_of_bounds" and info.value.line == 2
    assert (m.host.weights == 0).all()
    m.call("f", 0)
    assert (m.host.weights[0] == 5).all()


def test_memory_host_checks_rows_itself():
    with pytest.raises(Trap) as info:
        MemoryHost().set_weights(256, np.zeros(256))
    assert info.value.kind == "out_of_bounds"


def test_host_exception_inside_a_trap_keeps_the_machine_usable():
    class Failing(MemoryHost):
        def send_spike(self, label):
            raise libnux_vm.HostError("no_chip", "link down")

    m = machine("int f() { send_spike(1); return 1; }\nint g() { log_int(4); return 4; }",
                Failing())
    with pytest.raises(Trap) as info:
        m.call("f")
    assert info.value.kind == "no_chip" and "link down" in str(info.value)
    assert m.call("g") == 4 and m.host.log == [4]


# ---------------------------------------------------------------- cycles

def test_host_calls_are_charged():
    assert all(b.cost >= isa.COSTS[vm.HOSTCALL] for b in BUILTINS.values())
    m = machine("void f() { log_int(1); }\nvoid g() { reset_neurons(0); }\n"
                "void h() { set_weights(0, 0, 1); }")
    m.call("f")
    assert m.last_call_cycles == isa.COSTS[vm.PUSH] + BUILTINS["log_int"].cost + \
        isa.COSTS[vm.RET]
    m.call("g")
    assert m.last_call_cycles == isa.COSTS[vm.PUSH] + BUILTINS["reset_neurons"].cost + \
        isa.COSTS[vm.RET]
    before = m.cycles
    m.call("h")
    assert m.last_call_cycles == 3 * isa.COSTS[vm.PUSH] + isa.COSTS[vm.VBCAST] + \
        BUILTINS["set_weights"].cost + isa.COSTS[vm.RET]
    assert m.cycles == before + m.last_call_cycles


def test_cycle_budget_counts_host_calls():
    m = machine("void spin() {\n    while (true) {\n        get_rate_counters(0, false);\n    }\n}")
    with pytest.raises(Trap) as info:
        m.call("spin", cycle_budget=10_000)
    t = info.value
    assert t.kind == "cycle_budget" and t.cycles <= 10_000 and t.function == "spin"
    assert t.line in (2, 3)
    # the host's cost is what breaks the budget when it does not fit
    m2 = machine("void f() {\n    reset_neurons(0);\n}")
    with pytest.raises(Trap) as info:
        m2.call("f", cycle_budget=isa.COSTS[vm.PUSH] + BUILTINS["reset_neurons"].cost - 1)
    assert info.value.kind == "cycle_budget" and info.value.line == 2
    assert m2.host.neuron_resets == 0


def test_disassembly_shows_hostcall():
    program = libnux_vm.compile("void f() { send_spike(2); }")
    assert f"HOSTCALL {BUILTINS['send_spike'].id}" in program.disassemble()


def test_unknown_built_in_id_traps():
    program = libnux_vm.compile("int f() { return 1; }")
    m = Machine(program, host=MemoryHost())
    m.memory.view("<i4")[program.layout.code_lo] = (999 << 8) | vm.HOSTCALL
    with pytest.raises(Trap) as info:
        m.call("f")
    assert info.value.kind == "invalid_instruction"


def test_capmem_writes_of_the_hemisphere_s_neurons():
    m = machine("""
void row(int32 cell, vec_u8 v) { set_capmem(0, cell, v); }
""")
    m.call("row", 2, np.arange(256, dtype=np.uint8))
    np.testing.assert_array_equal(m.host.capmem[2], 4 * np.arange(256))     # 4 v: 0..1020
    assert not m.host.capmem[[0, 1, 3]].any()
    with pytest.raises(Trap, match="CapMem cell 24 is outside 0..23") as info:
        m.call("row", 24, np.zeros(256, dtype=np.uint8))
    assert info.value.kind == "out_of_range"
