"""The PPU runtime: start(), the EDF timer scheduler, missed periods, handles, load(image)."""

import numpy as np
import pytest

import libnux_vm
from libnux_vm import (CompileError, HostCall, HostValueError, ImageError, Machine, MemoryHost,
                       Runtime, Timer, Trap)
from libnux_vm.program import DONE, RUNNING, TRAPPED, trap_kind
from libnux_vm.runtime import DISPATCH_CYCLES


def runtime(source, timers=(), host=None, hemisphere=0):
    program = libnux_vm.compile(source, timers=timers)
    host = MemoryHost(hemisphere=hemisphere) if host is None else host
    return Runtime(Machine(program, host=host), hemisphere=hemisphere)


# ---------------------------------------------------------------- start and timers

def test_start_runs_once_and_its_value_is_the_exit_code():
    rt = runtime("int n;\nint32 start() { n += 1; return 7; }")
    end = rt.run_to_end()
    assert rt.machine.read_global("n") == 1
    assert rt.get("exit_code") == 7 and rt.get("state") == DONE
    assert rt.get("end_time") == end == rt.machine.cycles > 0
    assert rt.trap is None


def test_a_program_without_entry_is_done_at_once():
    rt = runtime("int n;")
    assert rt.run_to_end() == 0 and rt.get("state") == DONE


def test_timer_calls_the_kernel_once_per_period_with_handles_and_index():
    source = """
uint32 times[6];
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    times[period] = now();
    log_int(synapses * 10 + neurons);
}
"""
    rt = runtime(source, [Timer(start=500, period=1000, num_periods=6)], hemisphere=1)
    rt.run_to_end()
    times = rt.machine.read_global("times")
    windows = 500 + 1000 * np.arange(6)
    assert ((times >= windows) & (times < windows + 1000)).all()
    assert (times - windows < DISPATCH_CYCLES + 20).all()       # called at the window's start
    assert rt.machine.host.log == [11] * 6
    table = rt.timer_table()[0]
    assert (table["calls"], table["missed"]) == (6, 0)
    assert (rt.get("calls"), rt.get("missed")) == (6, 0)


def test_a_kernel_slower_than_its_period_misses_periods():
    source = """
int calls;
void PLASTICITY_RULE_KERNEL() {
    calls++;
    int x = 0;
    for (int i = 0; i < 300; i++) { x += i; }    // ~2500 cycles, more than two periods
}
"""
    rt = runtime(source, [Timer(0, 1000, 20)])
    rt.run_to_end()
    calls, missed = rt.get("calls"), rt.get("missed")
    assert calls == rt.machine.read_global("calls")
    assert missed > 0 and calls + missed == 20
    assert rt.timer_table()[0]["missed"] == missed


def test_earliest_deadline_first():
    source = """
void slow() { log_int(1); }
void fast() { log_int(2); }
"""
    # both due at 0; 'fast' (window ends at 300) runs before 'slow' (ends at 1000)
    rt = runtime(source, [Timer(0, 1000, 1, "slow"), Timer(0, 300, 3, "fast")])
    rt.run_to_end()
    assert rt.machine.host.log == [2, 1, 2, 2]
    assert rt.get("calls") == 4 and rt.get("missed") == 0


def test_equal_deadlines_run_in_timer_order():
    source = "void a() { log_int(1); }\nvoid b() { log_int(2); }"
    rt = runtime(source, [Timer(0, 500, 2, "b"), Timer(0, 500, 2, "a")])
    rt.run_to_end()
    assert rt.machine.host.log == [2, 1, 2, 1]


def test_every_call_starts_inside_its_window_and_gets_its_period_index():
    source = """
void PLASTICITY_RULE_KERNEL(int32 s, int32 n, int32 period) {
    log_int(period);
    log_int(now());
    int x = 0;
    for (int i = 0; i < 150; i++) { x += i; }    // ~1300 cycles: the next period is missed
}
"""
    rt = runtime(source, [Timer(0, 1000, 12)])
    rt.run_to_end()
    log = rt.machine.host.log
    periods, started = np.array(log[0::2]), np.array(log[1::2])
    assert len(periods) == rt.get("calls") and rt.get("missed") == 12 - len(periods) > 0
    assert (np.diff(periods) > 1).any()                  # some periods were skipped
    assert (started // 1000 == periods).all()            # each call runs in its own window


def test_a_period_no_longer_than_the_dispatch_could_never_run():
    with pytest.raises(HostValueError, match=r"period longer than the scheduler's dispatch "
                                             r"\(> 40 PPU cycles"):
        Timer(0, DISPATCH_CYCLES, 5)
    rt = runtime("void PLASTICITY_RULE_KERNEL() { log_int(1); }",
                 [Timer(0, DISPATCH_CYCLES + 1, 5)])
    rt.run_to_end()
    assert rt.get("calls") >= 1 and rt.get("calls") + rt.get("missed") == 5
    table = rt.machine.read_global("__timers")
    table[3] = DISPATCH_CYCLES                            # the host writes a period of 40
    rt.machine.write_global("__timers", table)
    rt.run_to_end()
    assert rt.get("state") == TRAPPED and rt.trap.kind == "invalid_timer"
    assert "timer 0 has period 40; it must be longer than the scheduler's dispatch" in str(rt.trap)


def test_a_second_run_starts_from_a_clean_state():
    source = "int go;\nint a[2];\nint32 start() { log_int(7); return go; }\n" \
             "void PLASTICITY_RULE_KERNEL(int32 s, int32 n, int32 k) {\n" \
             "    if (go == 0) { a[k + 5] = 1; }\n}"
    program = libnux_vm.compile(source, timers=[Timer(0, 1000, 3)])
    host = MemoryHost()
    machine = Machine(program, host=host)
    rt = Runtime(machine)
    rt.run_to_end()
    assert rt.get("state") == TRAPPED and rt.trap is not None
    box = machine.memory[program.entry.mailbox_address:][:8].view("<i4")
    box[:] = 5                                           # as if something was logged
    machine.write_global("go", 1)
    rt.run_to_end()
    assert rt.get("state") == DONE and rt.trap is None
    assert (rt.get("trap_kind"), rt.get("trap_pc"), rt.get("exit_code")) == (0, 0, 1)
    assert (rt.get("calls"), rt.get("missed")) == (3, 0)
    assert rt.timer_table()[0]["calls"] == 3
    assert program.decode_mailbox(machine.memory[program.entry.mailbox_address:][:256]) \
        == libnux_vm.Mailbox([], 0)


def test_a_timer_with_period_zero_in_memory_traps():
    rt = runtime("void PLASTICITY_RULE_KERNEL() { }", [Timer(0, 100, 3)])
    table = rt.machine.read_global("__timers")
    table[3] = 0                                          # period
    rt.machine.write_global("__timers", table)
    rt.run_to_end()
    assert rt.get("state") == TRAPPED and rt.trap.kind == "invalid_timer"
    assert "timer 0 has period 0" in str(rt.trap)


def test_the_runtime_takes_the_hosts_hemisphere():
    program = libnux_vm.compile("void PLASTICITY_RULE_KERNEL(int32 s, int32 n) { reset_neurons(n); }",
                                timers=[Timer(0, 100, 1)])
    rt = Runtime(Machine(program, host=MemoryHost(hemisphere=1)))
    rt.run_to_end()
    assert rt.hemisphere == 1 and rt.trap is None and rt.get("calls") == 1


def test_timer_table_can_be_changed_in_memory_before_the_start():
    rt = runtime("int n;\nvoid PLASTICITY_RULE_KERNEL() { n++; }", [Timer(0, 100, 3)])
    table = rt.machine.read_global("__timers")
    table[4] = 9                                          # num_periods
    rt.machine.write_global("__timers", table)
    rt.run_to_end()
    assert rt.machine.read_global("n") == 9


def test_a_trap_stops_the_runtime_and_is_kept_in_memory():
    source = "int a[4];\nvoid PLASTICITY_RULE_KERNEL(int32 s, int32 n, int32 k) {\n" \
             "    a[k] = 1;\n}"
    rt = runtime(source, [Timer(0, 1000, 8)])
    rt.run_to_end()
    assert rt.get("state") == TRAPPED
    assert trap_kind(rt.get("trap_kind")) == "out_of_bounds"
    assert rt.trap.line == 3 and rt.get("trap_pc") == rt.trap.pc
    assert rt.get("calls") == 4


def test_a_kernel_touching_the_other_hemisphere_traps():
    source = "void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons) {\n" \
             "    set_weights(1 - synapses, 0, 5);\n}"
    rt = runtime(source, [Timer(0, 1000, 2)])
    rt.run_to_end()
    assert rt.trap.kind == "other_hemisphere" and rt.trap.line == 2
    assert "hemisphere 1 (bottom)" in str(rt.trap) and "hemisphere 0 (top)" in str(rt.trap)
    assert (rt.machine.host.weights == 0).all()


def test_an_endless_kernel_traps_on_its_cycle_budget():
    rt = runtime("void PLASTICITY_RULE_KERNEL() {\n    while (true) { }\n}", [Timer(0, 100, 2)])
    rt.machine.cycle_budget = 10_000
    rt.run_to_end()
    assert rt.trap.kind == "cycle_budget" and rt.trap.line == 2


# ---------------------------------------------------------------- handles

def test_handles_must_be_the_hosts_hemisphere():
    m = Machine(libnux_vm.compile("vec_u8 f(int h) {\n    return get_analog_readouts(h);\n}"),
                host=MemoryHost(hemisphere=1))
    m.host.analog_readouts[:] = np.arange(256)
    np.testing.assert_array_equal(m.call("f", 1), np.arange(256))
    with pytest.raises(Trap) as info:
        m.call("f", 0)
    assert info.value.kind == "other_hemisphere" and info.value.line == 2
    with pytest.raises(Trap) as info:
        m.call("f", 7)
    assert info.value.kind == "out_of_bounds" and "handle 7" in str(info.value)


def test_memory_host_rejects_a_bad_hemisphere():
    with pytest.raises(ValueError, match="hemisphere"):
        MemoryHost(hemisphere=2)


# ---------------------------------------------------------------- the run generator

def test_run_yields_each_built_in_with_its_time():
    m = Machine(libnux_vm.compile("int f() { send_spike(3); log_int(4); return 9; }"),
                host=MemoryHost())
    run = m.run("f")
    first = next(run)
    assert isinstance(first, HostCall) and first.builtin.name == "send_spike"
    assert first.args == (3,) and 0 < first.issued < first.done
    second = run.send(None)
    assert second.builtin.name == "log_int" and second.issued >= first.done
    with pytest.raises(StopIteration) as stop:
        run.send(None)
    assert stop.value.value == 9


def test_a_host_error_thrown_into_run_becomes_a_trap_at_the_call():
    m = Machine(libnux_vm.compile("void f() {\n    send_spike(3);\n}"), host=MemoryHost())
    run = m.run("f")
    next(run)
    with pytest.raises(Trap) as info:
        run.throw(libnux_vm.HostError("out_of_bounds", "label too large"))
    assert info.value.line == 2 and "label too large" in str(info.value)


def test_machine_on_external_memory():
    program = libnux_vm.compile("int n = 4;\nint get() { return n; }")
    memory = np.zeros(16384, dtype=np.uint8)
    memory[:len(program.image)] = np.frombuffer(program.image, np.uint8)
    m = Machine(program, memory=memory)
    m.write_global("n", 11)
    assert memory[program.symbols["n"].address] == 11 and m.call("get") == 11
    for bad in (np.zeros(100, np.uint8), np.zeros(16384, np.int32), bytes(16384)):
        with pytest.raises(HostValueError, match="16384"):
            Machine(program, memory=bad)


# ---------------------------------------------------------------- load

def test_load_rebuilds_the_entry_from_the_image():
    source = "int32 start() { return 3; }\nvoid k(int32 s, int32 n) { }\nvoid PLASTICITY_RULE_KERNEL() { }"
    program = libnux_vm.compile(source, timers=[Timer(0, 1000, 2, "k"), Timer(5, 1000, 1)])
    loaded = libnux_vm.load(program.image + bytes(100))
    assert loaded.layout == program.layout and loaded.image == program.image
    e, f = loaded.entry, program.entry
    assert e.start_symbol.address == f.start_symbol.address and e.start_symbol.type == f.start_symbol.type
    assert [s.address for s in e.timer_symbols] == [s.address for s in f.timer_symbols]
    assert [len(s.type.params) for s in e.timer_symbols] == [2, 0]
    # the loaded program runs like the compiled one
    rt = Runtime(Machine(loaded, host=MemoryHost()))
    rt.run_to_end()
    assert rt.get("exit_code") == 3 and rt.get("calls") == 3 and rt.get("missed") == 0


@pytest.mark.parametrize("patch, fragment", [
    (lambda w: w.__setitem__(0, 0), "magic"),
    (lambda w: w.__setitem__(1, 1), "version 1"),
    (lambda w: w.__setitem__(3, 5000), "corrupt"),
    (lambda w: w.__setitem__(10, 40000), "corrupt"),
    (lambda w: w.__setitem__(8, 3), "outside the code"),
    (lambda w: (w.__setitem__(5, w[5] + 1), w.__setitem__(6, w[6] + 1)), "aligned"),
    (lambda w: w.__setitem__(10, w[10] + 2), "not word-aligned"),
    (lambda w: w.__setitem__(9, 2), "corrupt"),
    (lambda w: w.__setitem__(6, 16380), "stack .4 bytes from byte 16380. is too small"),
    (lambda w: w.__setitem__(12, 33), "more than 32 timers"),
])
def test_load_rejects_what_is_not_an_image(patch, fragment):
    program = libnux_vm.compile("int32 start() { return 1; }\nvoid PLASTICITY_RULE_KERNEL() { }",
                                timers=[Timer(0, 100, 1)])
    words = np.frombuffer(program.image, "<u4").copy()
    patch(words)
    with pytest.raises(ImageError, match=fragment):
        libnux_vm.load(words.tobytes())
    with pytest.raises(ImageError, match="header"):
        libnux_vm.load(b"LNVM")


@pytest.mark.parametrize("n_args", [1, 4])
def test_load_rejects_a_timer_function_of_another_arity(n_args):
    program = libnux_vm.compile("void PLASTICITY_RULE_KERNEL() { }", timers=[Timer(0, 100, 1)])
    words = np.frombuffer(program.image, "<u4").copy()
    words[program.entry.timers_address // 4 + 1] = n_args
    with pytest.raises(ImageError, match=f"timer 0 takes {n_args} arguments; a timer function "
                                         "takes 0, 2"):
        libnux_vm.load(words.tobytes())


@pytest.mark.parametrize("value", [-1, 16385, 1.5, True, "1k"])
def test_compile_rejects_a_bad_minimum_stack(value):
    with pytest.raises(ValueError, match="min_stack_bytes must be an integer number of bytes"):
        libnux_vm.compile("int x;", min_stack_bytes=value)


# ---------------------------------------------------------------- bad timers

@pytest.mark.parametrize("source, timers, fragment", [
    ("void f() { }", [Timer(0, 100, 1)], "calls 'PLASTICITY_RULE_KERNEL', which the program"),
    ("int PLASTICITY_RULE_KERNEL() { return 1; }", [Timer(0, 100, 1)], "must be 'void"),
    ("void PLASTICITY_RULE_KERNEL(int8 a, int8 b) { }", [Timer(0, 100, 1)], "must be 'void"),
    ("int32 start(int a) { return a; }", [], "entry point"),
    ("vec_u8 start() { return 0; }", [], "entry point"),
    ("int __runtime;", [], "reserved"),
    ("void f() { }", [Timer(0, 100, 1, "f")] * 33, "at most 32"),
])
def test_bad_entries_are_compile_errors(source, timers, fragment):
    with pytest.raises(CompileError, match=fragment):
        libnux_vm.compile(source, timers=timers)


@pytest.mark.parametrize("args", [(-1, 100, 1), (0, 0, 1), (0, 40, 1), (0, 100, -1),
                                  (0, 10.5, 1), (0, 2 ** 31, 3), (True, 100, 1)])
def test_bad_timers_are_rejected(args):
    with pytest.raises(HostValueError, match="Timer|timer"):
        Timer(*args)


def test_timer_from_microseconds():
    t = Timer.from_us(1.0, 10.0, 5)
    assert (t.start, t.period, t.num_periods, t.function) == (250, 2500, 5, libnux_vm.KERNEL)
    with pytest.raises(TypeError):
        libnux_vm.compile("void f() { }", timers=[(0, 1, 1)])


def test_run_wakes_up_wherever_the_runtime_changes_its_state():
    rt = runtime("void PLASTICITY_RULE_KERNEL() { }", [Timer(100, 1000, 3)])
    ret = rt.machine.program.symbol(libnux_vm.KERNEL, "function")
    empty_call = 4                                        # the kernel is one RET
    events, run = [], rt.run()
    for event in run:
        # what the host sees in memory when the PPU gets to each point in time
        events.append((event.issued, rt.get("calls"), rt.get("state")))
    assert ret.size == 4
    expected = []
    for k in range(3):
        window = 100 + 1000 * k
        expected += [(window, k, RUNNING),                          # asleep until the window
                     (window + DISPATCH_CYCLES, k, RUNNING),         # the dispatch
                     (window + DISPATCH_CYCLES + empty_call, k, RUNNING)]   # the call returned
    expected.append((2100 + DISPATCH_CYCLES + empty_call, 3, RUNNING))  # all done, then "done"
    assert events == expected
    assert rt.get("state") == DONE and rt.get("end_time") == expected[-1][0]
