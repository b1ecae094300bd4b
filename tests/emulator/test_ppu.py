"""The emulated PPUs: images loaded through PPU memory, started by the control register, kernels
interleaved with the analog time, each PPU confined to its hemisphere, traps reported."""

import dataclasses
import inspect
import warnings

import numpy as np
import pytest

import halco
import haldls
import libnux_vm
import stadls
from emulator import Emulator, Mismatch
from emulator import ppu as ppu_module
from libnux_vm import Timer
from libnux_vm.builtins import BUILTINS, BY_ID
from stadls.errors import BuilderError, PPUTrapWarning

TOP, BOTTOM = halco.PPUOnDLS(0), halco.PPUOnDLS(1)

ROW_WRITER = """
int calls;
uint32 stamp[4];
int32 start() { return 42; }
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    stamp[period] = now();
    set_weights(synapses, period, 7 + period);
    send_spike(0x100 + period);
    calls++;
}
"""


@pytest.fixture
def emulator():
    return Emulator(mismatch=Mismatch.ideal(), noise=False)


def builder():
    b = stadls.PlaybackProgramBuilder()
    b.write(halco.EventRecordingConfigOnFPGA(), haldls.EventRecordingConfig(enable_event_recording=True))
    b.write(halco.TimerOnDLS(), haldls.Timer())
    return b


def run_until_trap(emulator, program, ppu, match):
    """Load, start and run ``program`` on ``ppu`` until it sleeps, expecting a PPUTrapWarning
    matching ``match``; returns (runtime status, run info)."""
    b = builder()
    stadls.load_ppu_program(b, program, ppu)
    stadls.start_ppu(b, ppu)
    stadls.wait_for_ppu_sleep(b, ppu)
    status = stadls.read_runtime_status(b, program, ppu)
    with pytest.warns(PPUTrapWarning, match=match):
        info = stadls.run(emulator, b.done())
    return status.get(), info


def test_program_runs_from_its_image_and_globals_are_read_by_name(emulator):
    program = libnux_vm.compile(ROW_WRITER, timers=[Timer.from_us(10, 20, 4)])
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.write_symbol(b, program, "calls", 100, TOP)
    stadls.start_ppu(b, TOP)
    b.write(halco.TimerOnDLS(), haldls.Timer())               # FPGA time 0 = the PPU's start
    running = b.read(halco.PPUStatusRegisterOnDLS(0))
    stadls.wait_for_ppu_sleep(b, TOP)
    asleep = b.read(halco.PPUStatusRegisterOnDLS(0))
    calls = stadls.read_symbol(b, program, "calls", TOP)
    stamp = stadls.read_symbol(b, program, "stamp", TOP)
    status = stadls.read_runtime_status(b, program, TOP)
    playback = b.done()
    info = stadls.run(emulator, playback)
    assert not running.get().sleep and asleep.get().sleep
    assert calls.get() == 104
    windows = 2500 + 5000 * np.arange(4)                      # 10 us + k * 20 us in PPU cycles
    assert ((stamp.get() >= windows) & (stamp.get() < windows + 100)).all()
    s = status.get()
    assert (s.state, s.exit_code, s.calls, s.missed, s.trap) == ("done", 42, 4, 0, None)
    assert info["ppu_traps"] == []
    # the kernel's writes and spikes happened at their hardware time
    w = emulator.chip.weights
    assert [int(w[0, r, 0]) for r in range(5)] == [7, 8, 9, 10, 0]
    assert (w[1] == 0).all()
    spikes = playback.spikes
    assert spikes["label"].tolist() == [0x100, 0x101, 0x102, 0x103]
    start_us = spikes["fpga_time"] / 125.0 - 10 - 20 * np.arange(4)
    assert ((start_us > 0) & (start_us < 0.5)).all()      # dispatch, kernel, routing latency


def test_weights_change_at_the_kernels_time(emulator):
    program = libnux_vm.compile(ROW_WRITER, timers=[Timer.from_us(10, 20, 4)])
    b = stadls.AbsoluteTimePlaybackProgramBuilder()
    pre = stadls.PlaybackProgramBuilder()
    pre.write(halco.TimerOnDLS(), haldls.Timer())
    stadls.load_ppu_program(pre, program, TOP)
    stadls.start_ppu(pre, TOP)
    quad = halco.SynapseWeightQuadOnDLS(halco.SynapseQuadOnSynram(
        halco.SynapseQuadColumnOnDLS(0), halco.SynapseRowOnSynram(1)), halco.SynramOnDLS.top)
    # row 1 is written in the second period, 30 us after the start
    before, after = b.read(125 * 25, quad), b.read(125 * 35, quad)
    pre.merge_back(b.done())
    stadls.run(emulator, pre.done())
    assert list(before.get().values) == [0, 0, 0, 0]
    assert list(after.get().values) == [8, 8, 8, 8]


def test_both_ppus_run_the_same_image_each_on_its_hemisphere(emulator):
    program = libnux_vm.compile(ROW_WRITER, timers=[Timer.from_us(1, 5, 2)])
    b = builder()
    stadls.load_ppu_program(b, program)
    stadls.start_ppu(b)
    stadls.wait_for_ppu_sleep(b, TOP)
    stadls.wait_for_ppu_sleep(b, BOTTOM)
    calls = [stadls.read_symbol(b, program, "calls", p) for p in (TOP, BOTTOM)]
    stadls.run(emulator, b.done())
    assert [c.get() for c in calls] == [2, 2]
    w = emulator.chip.weights
    assert (w[:, 0] == 7).all() and (w[:, 1] == 8).all() and (w[:, 2:] == 0).all()


def test_a_kernel_touching_the_other_hemisphere_traps_and_the_chip_goes_on(emulator):
    source = "void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons) {\n" \
             "    set_weights(1 - synapses, 0, 5);\n}"
    program = libnux_vm.compile(source, timers=[Timer.from_us(1, 5, 3)])
    s, info = run_until_trap(emulator, program, BOTTOM, "PPU bottom: other hemisphere")
    assert s.state == "trapped" and s.calls == 0
    assert s.trap.kind == "other_hemisphere" and s.trap.line == 2
    assert "set_weights(1 - synapses, 0, 5)" in str(s.trap) and "PPU bottom" in str(s.trap)
    with pytest.raises(libnux_vm.Trap):
        s.raise_for_trap()
    assert len(info["ppu_traps"]) == 1 and "PPU bottom" in info["ppu_traps"][0]
    assert "hemisphere 0 (top)" in info["ppu_traps"][0]
    assert (emulator.chip.weights == 0).all()
    # the emulator is still usable
    b = builder()
    b.write(halco.SynapseWeightQuadOnDLS(), haldls.SynapseWeightQuad(values=[1, 2, 3, 4]))
    stadls.run(emulator, b.done())


def test_a_weight_above_63_traps_on_the_chip_and_is_not_clipped(emulator):
    source = "void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {\n" \
             "    set_weights(synapses, 0, 62 + period);\n}"
    program = libnux_vm.compile(source, timers=[Timer.from_us(1, 5, 3)])
    s, _ = run_until_trap(emulator, program, TOP, "PPU top: value out of range")
    assert s.state == "trapped" and s.calls == 2 and s.trap.kind == "out_of_range"
    assert s.trap.line == 2
    assert (emulator.chip.weights[0, 0] == 63).all()     # the second period's write stays


def test_an_endless_kernel_is_stopped_by_its_cycle_budget(emulator):
    program = libnux_vm.compile("void PLASTICITY_RULE_KERNEL() {\n    while (true) { }\n}",
                                timers=[Timer.from_us(0, 100, 1)])
    s, _ = run_until_trap(emulator, program, TOP, "cycle budget")
    assert s.trap.kind == "cycle_budget" and s.trap.line == 2
    # the budget (10 ms of PPU time) passed in hardware time before the PPU stopped
    assert emulator.chip.time >= libnux_vm.DEFAULT_CYCLE_BUDGET // 2


def test_starting_without_an_image_is_reported(emulator):
    b = builder()
    stadls.start_ppu(b, TOP)
    status = b.read(halco.PPUStatusRegisterOnDLS(0))
    with pytest.warns(PPUTrapWarning, match="magic"):
        info = stadls.run(emulator, b.done())
    # no runtime to finish: the PPU runs whatever its memory holds, it never sleeps
    assert not status.get().sleep
    assert len(info["ppu_traps"]) == 1 and "no program" in info["ppu_traps"][0]


def test_reset_stops_a_running_program(emulator):
    program = libnux_vm.compile("int calls;\nvoid PLASTICITY_RULE_KERNEL() { calls++; }",
                                timers=[Timer.from_us(0, 10, 100)])
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.start_ppu(b, TOP)
    b.wait_until(125 * 55)
    stadls.stop_ppu(b, TOP)
    b.wait_until(125 * 200)
    calls = stadls.read_symbol(b, program, "calls", TOP)
    status = b.read(halco.PPUStatusRegisterOnDLS(0))
    stadls.run(emulator, b.done())
    assert calls.get() == 6 and not status.get().sleep


def test_rate_counters_and_neuron_resets_reach_the_chip(emulator):
    source = """
vec_u8 counts;
int32 start() {
    counts = get_rate_counters(0, true);
    reset_neurons(0);
    return 0;
}
"""
    program = libnux_vm.compile(source)
    chip = emulator.chip
    chip.spike_count[:] = np.arange(512) * 2
    chip.S[0, :] = 0.9          # membranes high
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.start_ppu(b, TOP)
    stadls.wait_for_ppu_sleep(b, TOP)
    counts = stadls.read_symbol(b, program, "counts", TOP)
    stadls.run(emulator, b.done())
    np.testing.assert_array_equal(counts.get(), np.minimum(np.arange(256) * 2, 255))
    assert (chip.spike_count[:256] == 0).all()
    np.testing.assert_array_equal(chip.spike_count[256:], np.arange(256, 512) * 2)


def test_bad_helper_arguments(emulator):
    program = libnux_vm.compile("int x;")
    b = builder()
    with pytest.raises(LookupError, match="no global named 'y'; its globals are: x"):
        stadls.read_symbol(b, program, "y", TOP)
    with pytest.raises(BuilderError, match="PPUOnDLS"):
        stadls.read_symbol(b, program, "x", 0)
    with pytest.raises(BuilderError, match="compiled PPU program"):
        stadls.load_ppu_program(b, b"not a program", TOP)
    with pytest.raises(libnux_vm.HostValueError, match="out of range"):
        stadls.write_symbol(b, program, "x", 2 ** 40, TOP)


def test_a_ppu_quantum_batches_built_ins_but_keeps_their_effects():
    program = libnux_vm.compile(ROW_WRITER, timers=[Timer.from_us(10, 20, 4)])
    results = []
    for quantum in (0.0, 2.0):
        emulator = Emulator(mismatch=Mismatch.ideal(), noise=False, ppu_quantum_us=quantum)
        b = builder()
        stadls.load_ppu_program(b, program, TOP)
        stadls.start_ppu(b, TOP)
        stadls.wait_for_ppu_sleep(b, TOP)
        b.wait_until(125 * 100)                 # the last spike reaches the FPGA
        playback = b.done()
        stadls.run(emulator, playback)
        results.append((emulator.chip.weights.copy(), playback.spikes["chip_time"]))
    (w_exact, t_exact), (w_quantum, t_quantum) = results
    np.testing.assert_array_equal(w_exact, w_quantum)
    delay = t_quantum - t_exact
    assert ((delay >= 0) & (delay <= 2 * 125)).all() and delay.any()


@pytest.mark.parametrize("quantum", [-1.0, 2000.0])
def test_bad_ppu_quantum(quantum):
    with pytest.raises(ValueError, match="ppu_quantum_us"):
        Emulator(ppu_quantum_us=quantum)


def test_logged_values_land_in_the_mailbox_and_overflow_is_counted(emulator):
    source = "int32 start() {\n    for (int i = 0; i < 70; i++) { log_int(i * i - 5); }\n    return 0;\n}"
    program = libnux_vm.compile(source)
    b = builder()
    stadls.load_ppu_program(b, program, BOTTOM)
    stadls.start_ppu(b, BOTTOM)
    stadls.wait_for_ppu_sleep(b, BOTTOM)
    log = stadls.read_log(b, program, BOTTOM)
    stadls.run(emulator, b.done())
    mailbox = log.get()
    assert mailbox.values == [i * i - 5 for i in range(libnux_vm.MAILBOX_WORDS - 1)]
    assert mailbox.dropped == 70 - (libnux_vm.MAILBOX_WORDS - 1)


def test_analog_readouts_are_the_cadc_membrane_readings(emulator):
    program = libnux_vm.compile("vec_u8 v;\nint32 start() { v = get_analog_readouts(1); return 0; }")
    chip = emulator.chip
    chip.S[0, 256:] = np.linspace(0.3, 0.9, 256)          # bottom membranes, volts
    b, _ = stadls.generate(stadls.SystemInit())     # the CapMem drives the CADC's ramps
    b.merge_back(builder())
    stadls.enable_cadc_recording(b)
    stadls.load_ppu_program(b, program, BOTTOM)
    stadls.start_ppu(b, BOTTOM)
    stadls.wait_for_ppu_sleep(b, BOTTOM)
    kernel = stadls.read_symbol(b, program, "v", BOTTOM)
    host = stadls.read_cadc_membranes(b, halco.SynramOnDLS.bottom)
    stadls.run(emulator, b.done())
    from_kernel, from_host = kernel.get().astype(int), host()
    assert np.ptp(from_kernel) > 100                              # it sees the membranes
    assert np.abs(from_kernel - from_host).max() <= 2             # leak drift between the reads


def test_a_spike_label_out_of_range_traps(emulator):
    program = libnux_vm.compile("int32 start() {\n    send_spike(70000);\n    return 0;\n}")
    s, info = run_until_trap(emulator, program, TOP, "spike label 70000")
    trap = s.trap
    assert trap.kind == "out_of_range" and trap.line == 2
    assert "spike label 70000" in info["ppu_traps"][0]


COUNTER = """
int calls;
int go;
int a[2];
int32 start() { log_int(7); return go; }
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    if (go == 0) { a[period + 5] = 1; }
    calls++;
}
"""


def test_a_restart_without_reloading_begins_with_a_clean_runtime_state(emulator):
    program = libnux_vm.compile(COUNTER, timers=[Timer.from_us(1, 5, 3)])
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.start_ppu(b, TOP)
    stadls.wait_for_ppu_sleep(b, TOP)
    first = stadls.read_runtime_status(b, program, TOP)
    stadls.stop_ppu(b, TOP)
    stopped = b.read(halco.PPUStatusRegisterOnDLS(0))
    stadls.write_symbol(b, program, "go", 1, TOP)
    stadls.start_ppu(b, TOP)
    stadls.wait_for_ppu_sleep(b, TOP)
    second = stadls.read_runtime_status(b, program, TOP)
    log = stadls.read_log(b, program, TOP)
    timers = stadls.read_symbol(b, program, "__timers", TOP)
    with pytest.warns(PPUTrapWarning, match="out-of-bounds"):
        stadls.run(emulator, b.done())
    assert first.get().state == "trapped" and first.get().trap.kind == "out_of_bounds"
    assert not stopped.get().sleep                      # reset clears the sleep flag
    s = second.get()
    assert (s.state, s.exit_code, s.calls, s.missed, s.trap) == ("done", 1, 3, 0, None)
    assert log.get() == libnux_vm.Mailbox([7], 0)       # the first run's value is gone
    assert timers.get()[5:7].tolist() == [3, 0]         # this run's calls and misses


def test_stop_and_start_in_one_burst_restart_the_program(emulator):
    program = libnux_vm.compile(COUNTER, timers=[Timer.from_us(1, 5, 3)])
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.write_symbol(b, program, "go", 1, TOP)
    stadls.start_ppu(b, TOP)
    stadls.wait_for_ppu_sleep(b, TOP)
    stadls.stop_ppu(b, TOP)                 # the two control words follow each other
    stadls.start_ppu(b, TOP)
    stadls.wait_for_ppu_sleep(b, TOP)
    calls = stadls.read_symbol(b, program, "calls", TOP)
    stadls.run(emulator, b.done())
    assert calls.get() == 6                 # globals stay; the timers ran again


def test_a_stopped_program_still_reads_running():
    program = libnux_vm.compile("void PLASTICITY_RULE_KERNEL() { }",
                                timers=[Timer.from_us(0, 10, 100)])
    emulator = Emulator(mismatch=Mismatch.ideal(), noise=False)
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.start_ppu(b, TOP)
    b.wait_until(125 * 30)
    stadls.stop_ppu(b, TOP)
    status = stadls.read_runtime_status(b, program, TOP)
    stadls.run(emulator, b.done())
    assert status.get().state == "running" and status.get().calls == 3


def test_a_kernel_sees_only_the_words_written_before_its_time(emulator):
    source = "vec_u8 early;\nvec_u8 late;\nuint32 t;\n" \
             "int32 start() { t = now(); early = get_weights(0, 255); return 0; }\n" \
             "void PLASTICITY_RULE_KERNEL(int32 s, int32 n) { late = get_weights(s, 255); }"
    program = libnux_vm.compile(source, timers=[Timer.from_us(100, 10, 1)])
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.start_ppu(b, TOP)
    # 2048 quad writes (65 us on the bus) right after the start; the last ones are row 255
    enums = np.arange(16384 - 2048, 16384)
    b.write_array(haldls.SynapseWeightQuad, enums,
                  haldls.SynapseWeightQuad.encode_array(len(enums), values=np.full((len(enums), 4), 5)))
    stadls.wait_for_ppu_sleep(b, TOP)
    early, late = (stadls.read_symbol(b, program, name, TOP) for name in ("early", "late"))
    stadls.run(emulator, b.done())
    assert (early.get() == 0).all()          # read at the start, before those words arrived
    assert (late.get() == 5).all()           # read 100 us later


def test_a_corrupt_timer_table_is_reported_and_the_chip_goes_on(emulator):
    program = libnux_vm.compile("void PLASTICITY_RULE_KERNEL() { }", timers=[Timer.from_us(1, 5, 3)])
    sym = program.global_symbol("__timers")
    table = program.decode_global("__timers", program.image[sym.address:sym.address + sym.size])
    field = np.arange(len(table))
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.write_symbol(b, program, "__timers", np.where(field == 3, 0, table), TOP)
    stadls.load_ppu_program(b, program, BOTTOM)
    stadls.write_symbol(b, program, "__timers", np.where(field == 1, 1, table), BOTTOM)
    for ppu in (TOP, BOTTOM):
        stadls.start_ppu(b, ppu)
    for ppu in (TOP, BOTTOM):
        stadls.wait_for_ppu_sleep(b, ppu)
    status = stadls.read_runtime_status(b, program, TOP)
    with pytest.warns(PPUTrapWarning) as warned:
        info = stadls.run(emulator, b.done())
    assert status.get().trap.kind == "invalid_timer"
    top, bottom = info["ppu_traps"]
    assert [str(w.message) for w in warned] == [top, bottom]
    assert "PPU top" in top and "timer 0 has period 0" in top
    assert "PPU bottom: cannot start" in bottom and "timer 0 takes 1 arguments" in bottom
    # edited before the start, a valid table is what runs
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.write_symbol(b, program, "__timers", np.where(field == 4, 7, table), TOP)
    stadls.start_ppu(b, TOP)
    stadls.wait_for_ppu_sleep(b, TOP)
    status = stadls.read_runtime_status(b, program, TOP)
    info = stadls.run(emulator, b.done())
    assert status.get().calls == 7 and info["ppu_traps"] == []


def test_an_internal_fault_stops_the_ppu_not_the_emulator(emulator, monkeypatch):
    def broken(self, row):
        raise RuntimeError("boom")
    monkeypatch.setattr(ppu_module.ChipHost, "get_weights", broken)
    program = libnux_vm.compile("vec_u8 w;\nint32 start() { w = get_weights(0, 3); return 0; }")
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.start_ppu(b, TOP)
    stadls.wait_for_ppu_sleep(b, TOP)
    with pytest.warns(PPUTrapWarning, match="boom"):
        info = stadls.run(emulator, b.done())
    assert info["ppu_traps"] == ["PPU top: runtime fault in get_weights: RuntimeError: boom"]
    assert emulator.chip.ppus[0].sleeping and emulator.chip.ppus[0].next_time is None


def test_chip_built_ins_without_cadc_and_correlation_reset(emulator):
    chip = emulator.chip
    host = ppu_module.ChipHost(chip, 1)
    chip.causal[1, 4] = chip.acausal[1, 4] = 0.5
    chip.last_pre[1, 4] = 123.0
    assert not chip.fields(haldls.CADCConfig)["enable"][1]
    assert (host.get_causal_correlation(4) == 0).all()       # the CADC is off: it reads 0
    assert (chip.readout.cadc_buffer == 0).all()
    host.reset_correlation(4)
    assert (chip.causal[1, 4] == 0).all() and (chip.acausal[1, 4] == 0).all()
    assert (chip.last_pre[1, 4] == -1.0).all()               # the next pairing starts afresh


def test_ppu_cycles_map_to_the_fpga_cycle_they_fall_in(emulator):
    unit = emulator.chip.ppus[0]
    unit._start_time = 1000
    assert [unit._fpga_time(c) for c in (0, 1, 2, 3, 4)] == [1000, 1001, 1001, 1002, 1002]


def test_built_ins_that_see_nothing_analog_do_not_split_the_evolution(monkeypatch):
    """Weight reads, spikes and the mailbox (declared without ``at_chip_time``) act without the
    chip evolving to their time; the results are those of splitting at every built-in."""
    source = "vec_u8 w;\nvoid PLASTICITY_RULE_KERNEL(int32 s, int32 n, int32 k) {\n" \
             "    for (int i = 0; i < 8; i++) {\n        w = get_weights(s, i);\n" \
             "        log_int(now());\n        send_spike(0x100 + 8 * k + i);\n    }\n}"
    program = libnux_vm.compile(source, timers=[Timer.from_us(5, 10, 4)])
    plain = [b for b in BUILTINS.values() if b.reaches_host and not b.at_chip_time]
    assert {b.name for b in plain} == {"get_weights", "send_spike", "now", "log_int"}
    results = []
    for split_all in (True, False):
        with monkeypatch.context() as patch:
            if split_all:       # the PPU reads the declaration the machine hands it
                for b in plain:
                    patch.setitem(BY_ID, b.id, dataclasses.replace(b, at_chip_time=True))
            emulator = Emulator(mismatch=Mismatch.ideal(), noise=False)
            evolved = []
            original = emulator.chip._evolve
            patch.setattr(emulator.chip, "_evolve", lambda *a: evolved.append(a) or original(*a))
            b = builder()
            stadls.load_ppu_program(b, program, TOP)
            stadls.start_ppu(b, TOP)
            stadls.wait_for_ppu_sleep(b, TOP)
            b.wait_until(125 * 60)
            log = stadls.read_log(b, program, TOP)
            playback = b.done()
            stadls.run(emulator, playback)
            results.append((len(evolved), playback.spikes, log.get().values))
    (split, spikes_split, log_split), (unsplit, spikes, log) = results
    # one split fewer per get_weights, log_int and send_spike; now() never leaves the machine
    assert split - unsplit >= 4 * 8 * 3
    assert spikes["label"].tolist() == sorted(spikes["label"].tolist()) and len(spikes) == 32
    np.testing.assert_array_equal(spikes["fpga_time"], spikes_split["fpga_time"])
    assert log == log_split


def test_the_built_ins_at_chip_time_are_those_that_touch_what_evolves():
    assert {b.name for b in BUILTINS.values() if b.at_chip_time} == {
        "set_weights", "get_causal_correlation", "get_acausal_correlation", "reset_correlation",
        "get_rate_counters", "reset_neurons", "get_analog_readouts", "set_capmem"}


def test_the_chip_host_carries_out_every_built_in_that_reaches_it():
    """Each declared built-in a host must carry out has a ChipHost method of its own with the
    declared number of arguments (and ``columns`` for those that write); ``now`` is the
    machine's."""
    for b in BUILTINS.values():
        method = getattr(ppu_module.ChipHost, b.name, None)
        if not b.reaches_host or b.host_may_answer:
            assert method is None or method is getattr(libnux_vm.Host, b.name), b.name
            continue
        assert method is not getattr(libnux_vm.Host, b.name), f"ChipHost lacks {b.name}"
        params = list(inspect.signature(method).parameters)[1:]
        assert len(params) == len(b.host_params) + b.writes, b.name
        assert ("columns" in params) == b.writes, b.name


def test_a_kernel_on_views_changes_only_their_part_of_the_chip(emulator):
    source = """
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons) {
    for (int row = 0; row < 256; row++) {
        if (has_row(synapses, row)) { set_weights(synapses, row, 9); }
    }
    get_rate_counters(neurons, true);
}
"""
    synapses = libnux_vm.SynapseView(1, rows=[3, 200], columns=range(64, 128))
    neurons = libnux_vm.NeuronView(1, columns=range(10))
    program = libnux_vm.compile(source, timers=[Timer.from_us(1, 10, 1, synapses=synapses,
                                                              neurons=neurons)])
    chip = emulator.chip
    chip.spike_count[:] = 3
    b = builder()
    stadls.load_ppu_program(b, program, BOTTOM)
    stadls.start_ppu(b, BOTTOM)
    stadls.wait_for_ppu_sleep(b, BOTTOM)
    status = stadls.read_runtime_status(b, program, BOTTOM)
    stadls.run(emulator, b.done())
    assert status.get().trap is None and status.get().calls == 1
    expected = np.zeros((2, 256, 256), dtype=int)
    expected[1, [3, 200], 64:128] = 9
    np.testing.assert_array_equal(chip.weights, expected)
    assert (chip.spike_count[256:266] == 0).all() and (chip.spike_count[266:] == 3).all()
    assert (chip.spike_count[:256] == 3).all()


def test_the_runtime_state_changes_when_the_ppu_gets_there_in_hardware_time(emulator):
    # one call of ~170 us of PPU time (its memory changes come at once, between built-ins),
    # in periods of 10 us: the calls, the missed periods and "done" appear only at its end
    program = libnux_vm.compile("int x;\nvoid PLASTICITY_RULE_KERNEL() {\n    log_int(1);\n"
                                "    for (int i = 0; i < 2000; i++) { x++; }\n}",
                                timers=[Timer.from_us(0, 10, 10)])
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.start_ppu(b, TOP)
    b.write(halco.TimerOnDLS(), haldls.Timer())
    b.wait_until(125 * 2)
    early = stadls.read_runtime_status(b, program, TOP)
    stadls.wait_for_ppu_sleep(b, TOP)
    asleep_at = b.read(halco.TimerOnDLS())
    late = stadls.read_runtime_status(b, program, TOP)
    stadls.run(emulator, b.done())
    e, s = early.get(), late.get()
    assert (e.state, e.calls, e.missed, e.end_time) == ("running", 0, 0, 0)
    assert (s.state, s.calls, s.missed) == ("done", 1, 9)
    assert asleep_at.get().value >= s.end_time // 2 > 125 * 100     # PPU cycles: 2 per FPGA cycle


def test_a_ppu_stopped_before_its_trap_reports_none(emulator):
    program = libnux_vm.compile("int x;\nvoid PLASTICITY_RULE_KERNEL() {\n    log_int(1);\n"
                                "    while (true) { x++; }\n}", timers=[Timer.from_us(0, 100, 1)])
    b = builder()
    stadls.load_ppu_program(b, program, TOP)
    stadls.start_ppu(b, TOP)
    b.wait_until(125 * 100)            # the cycle budget (10 ms) is far from used up
    stadls.stop_ppu(b, TOP)
    b.wait_until(125 * 20000)          # past the time the trap would have come
    status = stadls.read_runtime_status(b, program, TOP)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PPUTrapWarning)
        info = stadls.run(emulator, b.done())
    assert info["ppu_traps"] == []
    assert status.get().state == "running" and status.get().trap is None


def test_a_trap_is_reported_even_when_the_program_fails(emulator):
    bad = libnux_vm.compile("int32 start() {\n    int a[2];\n    int i = 5;\n    a[i] = 1;\n"
                            "    return 0;\n}")
    slow = libnux_vm.compile("void PLASTICITY_RULE_KERNEL() { }", timers=[Timer.from_us(0, 1000, 5)])
    b = builder()
    b.write(halco.InstructionTimeoutConfigOnFPGA(), haldls.InstructionTimeoutConfig(value=125 * 100))
    stadls.load_ppu_program(b, bad, TOP)
    stadls.load_ppu_program(b, slow, BOTTOM)
    stadls.start_ppu(b)
    stadls.wait_for_ppu_sleep(b, BOTTOM)       # times out: the bottom PPU runs for 5 ms
    with pytest.warns(PPUTrapWarning, match="PPU top: out-of-bounds index"):
        with pytest.raises(stadls.errors.FPGAError, match="instruction timeout"):
            stadls.run(emulator, b.done())


def test_a_kernel_writes_its_hemisphere_s_capmem(emulator):
    # the bottom PPU sets the leak (4 v) and the threshold of all its neurons: the FPGA reads
    # the cells back, the top hemisphere is untouched
    source = """
void start() {
    vec_u8 v = (vec_u8)100;
    v[5] = 194;
    set_capmem(1, 0, v);
    set_capmem(1, 2, (vec_u8)200);
}
"""
    program = libnux_vm.compile(source)
    b = builder()
    stadls.load_ppu_program(b, program, BOTTOM)
    stadls.start_ppu(b, BOTTOM)
    stadls.wait_for_ppu_sleep(b, BOTTOM)
    neuron = halco.AtomicNeuronOnDLS.from_enum(256 + 5)
    cell = b.read(halco.CapMemCellOnDLS.from_enum(int(emulator.chip._capmem_index[0, neuron.to_enum()])))
    stadls.run(emulator, b.done())
    assert cell.get().value == 776
    driven = emulator.chip.capmem_driven[emulator.chip._capmem_index[2]]      # v_threshold
    assert (driven[256:] == 800).all() and (driven[:256] == 0).all()
