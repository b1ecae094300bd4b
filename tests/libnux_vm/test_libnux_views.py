"""Views: a timer's kernel gets handles of synapse and neuron views; the machine keeps it to their
rows and hemisphere, and its writes to their columns."""

import numpy as np
import pytest

import libnux_vm
from libnux_vm import (CompileError, HostValueError, ImageError, Machine, MemoryHost, NeuronView,
                       Runtime, SynapseView, Timer)
from libnux_vm.views import FIRST_VIEW, OWN_HEMISPHERE, VIEW_WORDS, decode_view, view_words

ROWS_4_TO_7 = SynapseView(0, rows=range(4, 8), columns=range(0, 128))
EVEN_NEURONS = NeuronView(0, columns=range(0, 256, 2))


def run(source, timers, host=None):
    program = libnux_vm.compile(source, timers=timers)
    host = MemoryHost() if host is None else host
    runtime = Runtime(Machine(program, host=host))
    runtime.run_to_end()
    return runtime


# ---------------------------------------------------------------- the views themselves

def test_a_view_takes_indices_or_a_mask_and_keeps_them_sorted_and_distinct():
    mask = np.zeros(256, dtype=bool)
    mask[[9, 3]] = True
    assert SynapseView(1, rows=[9, 3, 9], columns=mask) == SynapseView(1, rows=mask, columns=(3, 9))
    assert SynapseView(0).rows == tuple(range(256)) and NeuronView(1).columns == tuple(range(256))
    words = view_words(ROWS_4_TO_7)
    hemisphere, rows, columns = decode_view(words)
    assert len(words) == VIEW_WORDS and hemisphere == 0
    assert np.flatnonzero(rows).tolist() == [4, 5, 6, 7]
    assert np.flatnonzero(columns).tolist() == list(range(128))


@pytest.mark.parametrize("make, fragment", [
    (lambda: SynapseView(2), "hemisphere must be 0"),
    (lambda: SynapseView(True), "hemisphere must be 0"),
    (lambda: SynapseView(0, rows=[256]), "rows must lie in 0..255"),
    (lambda: SynapseView(0, columns=[-1]), "columns must lie in 0..255"),
    (lambda: SynapseView(0, rows=[]), "rows is empty"),
    (lambda: SynapseView(0, rows=np.zeros(256, dtype=bool)), "rows is empty"),
    (lambda: SynapseView(0, rows=np.ones(10, dtype=bool)), "mask needs 256 booleans"),
    (lambda: NeuronView(0, columns=[1.5]), "indices 0..255 or a mask"),
    (lambda: Timer(0, 100, 1, synapses=NeuronView(0)), "Timer.synapses must be"),
    (lambda: Timer(0, 100, 1, neurons=3), "Timer.neurons must be"),
])
def test_bad_views_are_rejected(make, fragment):
    with pytest.raises(HostValueError, match=fragment):
        make()


# ---------------------------------------------------------------- compiled into the image

def test_each_distinct_view_is_stored_once_and_timers_name_them():
    timers = [Timer(0, 100, 1, synapses=ROWS_4_TO_7, neurons=EVEN_NEURONS),
              Timer(0, 100, 1, synapses=ROWS_4_TO_7), Timer(0, 100, 1)]
    program = libnux_vm.compile("void PLASTICITY_RULE_KERNEL(int32 s, int32 n) { }", timers=timers)
    assert program.entry.n_views == 2
    views = program.decode_global("__views", program.image[program.entry.views_address:][:2 * 68])
    np.testing.assert_array_equal(views[:VIEW_WORDS], view_words(ROWS_4_TO_7))
    np.testing.assert_array_equal(views[VIEW_WORDS:], view_words(EVEN_NEURONS))
    table = Runtime(Machine(program, host=MemoryHost())).timer_table()
    assert [(t["synapses"], t["neurons"]) for t in table] == [
        (FIRST_VIEW, FIRST_VIEW + 1), (FIRST_VIEW, OWN_HEMISPHERE), (OWN_HEMISPHERE, OWN_HEMISPHERE)]
    loaded = libnux_vm.load(program.image)
    assert (loaded.entry.views_address, loaded.entry.n_views) == (program.entry.views_address, 2)


def test_too_many_views_are_a_compile_error():
    timers = [Timer(0, 100, 1, synapses=SynapseView(0, rows=[r])) for r in range(33)]
    with pytest.raises(CompileError, match="33 distinct views; a program holds at most 32"):
        libnux_vm.compile("void PLASTICITY_RULE_KERNEL(int32 s, int32 n) { }", timers=timers)


def test_load_rejects_a_timer_naming_no_view():
    program = libnux_vm.compile("void PLASTICITY_RULE_KERNEL(int32 s, int32 n) { }",
                                timers=[Timer(0, 100, 1, synapses=ROWS_4_TO_7)])
    words = np.frombuffer(program.image, "<u4").copy()
    words[program.entry.timers_address // 4 + 7] = FIRST_VIEW + 1
    with pytest.raises(ImageError, match="timer 0 passes synapses handle 3, which is no view"):
        libnux_vm.load(words.tobytes())


# ---------------------------------------------------------------- the kernel in its views

def test_the_kernel_gets_the_handles_of_its_views():
    source = "void PLASTICITY_RULE_KERNEL(int32 s, int32 n) { log_int(s); log_int(n); }"
    rt = run(source, [Timer(0, 100, 1, synapses=ROWS_4_TO_7, neurons=EVEN_NEURONS),
                      Timer(0, 100, 1)], MemoryHost(hemisphere=1))
    assert rt.machine.host.log == [FIRST_VIEW, FIRST_VIEW + 1, 1, 1]


WALKER = """
int rows;
vec_u8 mask;
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons) {
    mask = column_mask(synapses);
    for (int row = 0; row < 256; row++) {
        if (!has_row(synapses, row)) { continue; }
        rows++;
        set_weights(synapses, row, get_weights(synapses, row) + 9);
        reset_correlation(synapses, row);
    }
    get_rate_counters(neurons, true);
    reset_neurons(neurons);
}
"""


def test_writes_reach_only_the_views_columns_and_the_kernel_walks_its_rows():
    host = MemoryHost(weights=np.full((256, 256), 1))
    host.causal[:] = host.acausal[:] = 7
    host.rate_counters[:] = 5
    rt = run(WALKER, [Timer(0, 1000, 1, synapses=ROWS_4_TO_7, neurons=EVEN_NEURONS)], host)
    assert rt.trap is None and rt.machine.read_global("rows") == 4
    assert rt.machine.read_global("mask").tolist() == [255] * 128 + [0] * 128
    inside = np.zeros((256, 256), dtype=bool)
    inside[4:8, :128] = True
    np.testing.assert_array_equal(host.weights, np.where(inside, 10, 1))
    np.testing.assert_array_equal(host.causal, np.where(inside, 0, 7))
    np.testing.assert_array_equal(host.acausal, np.where(inside, 0, 7))
    np.testing.assert_array_equal(host.rate_counters, np.tile([0, 5], 128))
    np.testing.assert_array_equal(host.reset_columns, np.tile([True, False], 128))


def test_whole_hemisphere_handles_cover_everything():
    host = MemoryHost(weights=np.full((256, 256), 1))
    rt = run(WALKER, [Timer(0, 10000, 1)], host)
    assert rt.machine.read_global("rows") == 256 and (host.weights == 10).all()
    assert (rt.machine.read_global("mask") == 255).all() and host.reset_columns.all()


@pytest.mark.parametrize("source, timer, kind, fragment", [
    ("void PLASTICITY_RULE_KERNEL(int32 s, int32 n) {\n  get_weights(s, 8);\n}",
     Timer(0, 100, 1, synapses=ROWS_4_TO_7), "out_of_bounds",
     "row 8 of 'get_weights' is not one of the rows of synapses handle 2 (4..7)"),
    ("void PLASTICITY_RULE_KERNEL(int32 s, int32 n) {\n  get_weights(s + 1, 5);\n}",
     Timer(0, 100, 1, synapses=ROWS_4_TO_7), "out_of_bounds",
     "synapses handle 3 of 'get_weights' names nothing: 0 and 1 are the whole hemispheres "
     "(top, bottom), 2..2 the program's views"),
    ("void PLASTICITY_RULE_KERNEL(int32 s, int32 n) {\n  reset_neurons(n);\n}",
     Timer(0, 100, 1, neurons=NeuronView(1)), "other_hemisphere",
     "given the neurons of hemisphere 1 (bottom), but this PPU serves hemisphere 0"),
    ("void PLASTICITY_RULE_KERNEL(int32 s, int32 n) {\n  has_row(s, 300);\n}",
     Timer(0, 100, 1, synapses=ROWS_4_TO_7), "out_of_bounds", "row 300 of 'has_row'"),
])
def test_a_kernel_outside_its_views_traps(source, timer, kind, fragment):
    rt = run(source, [timer])
    assert rt.trap.kind == kind and rt.trap.line == 2
    assert fragment in rt.trap.detail


def test_the_host_may_rewrite_a_view_before_the_start():
    program = libnux_vm.compile(WALKER, timers=[Timer(0, 1000, 1, synapses=ROWS_4_TO_7)])
    machine = Machine(program, host=MemoryHost())
    views = machine.read_global("__views")
    views[:VIEW_WORDS] = view_words(SynapseView(0, rows=[200], columns=[3]))
    machine.write_global("__views", views)
    Runtime(machine).run_to_end()
    assert machine.read_global("rows") == 1
    weights = machine.host.weights
    assert weights[200, 3] == 9 and weights.sum() == 9
    views[0] = 7                                               # no hemisphere
    machine.write_global("__views", views)
    rt = Runtime(machine)
    rt.run_to_end()
    assert rt.trap.kind == "out_of_bounds" and "hemisphere word is 7" in str(rt.trap)
