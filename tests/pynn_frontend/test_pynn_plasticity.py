"""Plasticity rules in pynn_frontend (reference pynn_brainscales.md section 4): the kernel runs at
its timer's times on the PPUs, observables come back per run with their times, shapes and
types, weights a rule writes act for the rest of the run (and not beyond it), and what the chip
cannot do is refused with errors naming the problem. Then the homeostasis tutorial (section 6,
ts_11) through examples/pynn/homeostasis.py. Runs are tens of us of hardware time on bypass
neurons (each relays its input spikes)."""

from __future__ import annotations

import numpy as np
import pytest

from _pynn_helpers import example, sim  # noqa: F401
from pynn_frontend.errors import DelayError, KernelCompileError, PlasticityRuleError

Syn = __import__("pynn_frontend").PlasticityRule.ObservablePerSynapse
Neu = __import__("pynn_frontend").PlasticityRule.ObservablePerNeuron
Arr = __import__("pynn_frontend").PlasticityRule.ObservableArray

#: records the call's period and, on period 1, sets the rule's synapses to 0
ZEROING = """
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    vec_u8 counts = get_rate_counters(neurons, true);    // first: counted from call to call
    vec_u8 zero = 0;
    for (int32 i = 0; view_row(synapses, i) >= 0; i++) {
        int32 row = view_row(synapses, i);
        record_w(synapses, row, get_weights(synapses, row));
        if (period == 1) { set_weights(synapses, row, zero); }
    }
    record_counts(neurons, counts);
    recording_calls[0] = (uint16) period;
}
"""

CHEAP = """
void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    recording_calls[0] = (uint16) (period + 1000);
}
"""


def observables():
    return {"w": Syn(Syn.Type.uint8, Syn.LayoutPerRow.packed_active_columns),
            "counts": Neu(Neu.Type.uint8, Neu.Layout.packed_active_columns),
            "calls": Arr(Arr.Type.uint16, 1)}


def relay_network(sim, rule, weights=((10, 20, 30), (40, 50, 60))):
    """Two sources firing in turn, each every 4 us, onto three bypass neurons, all to all."""
    spikes = np.arange(0.001, 0.2, 0.004)
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[sim.Sequence(spikes), sim.Sequence(spikes + 0.002)]))
    neurons = sim.Population(3, sim.cells.HXNeuron(plasticity_rule=rule))
    neurons.record("spikes")
    projection = sim.Projection(source, neurons, sim.AllToAllConnector(),
                                sim.PlasticSynapse(weight=np.array(weights, dtype=float), plasticity_rule=rule))
    return neurons, projection


def test_the_kernel_runs_at_its_timers_times_in_each_snippet(sim):
    sim.setup(enable_neuron_bypass=True)
    rule = sim.PlasticityRule(sim.Timer(start=0.01, period=0.02, num_periods=5), {"calls": Arr(Arr.Type.uint16, 1)},
                              kernel=CHEAP)
    relay_network(sim, rule)
    sim.run(0.03, sim.RunCommand.APPEND)          # periods 0 (10 us) and 1 (30 us: not inside, it starts at 30)
    sim.run(0.04)                                 # periods 1 (at 0 us of the snippet) and 2 (20 us)
    snippets = rule.get_observable_array("calls")
    assert [[e.period for e in s] for s in snippets] == [[0], [1, 2]]
    # .time: FPGA cycles (125 per us) since the snippet's start, at the period's start plus dispatch
    times = [[e.time.value() for e in s] for s in snippets]
    for got, want in zip(times, [[1250], [0, 2500]]):
        assert np.all(np.asarray(got) - want >= 0) and np.all(np.asarray(got) - want < 60)
    entry = snippets[1][1]
    # the kernel got the period counted over the experiment; both PPUs' halves (bottom: no views)
    assert entry.data.dtype == np.uint16 and entry.data.tolist() == [1002, 0]


def test_observables_per_synapse_and_neuron_and_weights_written_by_the_rule(sim):
    sim.setup(enable_neuron_bypass=True)
    rule = sim.PlasticityRule(sim.Timer(start=0.005, period=0.1, num_periods=2), observables(), kernel=ZEROING)
    neurons, projection = relay_network(sim, rule)
    sim.run(0.2)
    trains = [np.asarray(t.magnitude) for t in neurons.get_data().segments[0].spiketrains]
    calls = projection.get_data("w")[0]
    assert [e.period for e in calls] == [0, 1]
    zeroed = calls[1].time.value() / 125e3                  # ms: the call of period 1 zeroes the weights
    for train in trains:                                    # (a few us into the call: its PPU time)
        assert train.min() < 0.01 and zeroed - 0.003 < train.max() < zeroed + 0.01
    # one value per connection, in the projection's (pre, post) order, as the kernel read them
    assert calls[0].data.dtype == np.uint8 and calls[0].data.tolist() == [10, 20, 30, 40, 50, 60]
    counts = neurons.get_plasticity_data("counts")[0]
    assert counts[0].data.shape == (3,) and counts[0].data.dtype == np.uint8
    assert sim.PopulationView(neurons, [2]).get_plasticity_data("counts")[0][1].data.tolist() == [counts[1].data[2]]
    # the counters of period 1: the spikes since the call of period 0 (+-1: a spike within the
    # few PPU cycles between a call's time and its counter read)
    recorded = np.array([len(t[(t >= calls[0].time / 125e3) & (t < zeroed)]) for t in trains])
    assert recorded.min() > 20 and np.all(np.abs(counts[1].data - recorded) <= 1)
    # the PyNN weights are the initial ones, and the next run starts from them again
    assert projection.get("weight", format="array").tolist() == [[10, 20, 30], [40, 50, 60]]
    sim.reset()
    sim.run(0.2)
    assert projection.get_data("w")[0][0].data.tolist() == [10, 20, 30, 40, 50, 60]


def test_results_are_refused_where_they_do_not_exist(sim):
    sim.setup(enable_neuron_bypass=True)
    rule = sim.PlasticityRule(sim.Timer(start=0.005, period=0.1, num_periods=1), observables(), kernel=ZEROING)
    neurons, projection = relay_network(sim, rule)
    with pytest.raises(RuntimeError, match="no run"):
        rule.get_observable_array("calls")
    with pytest.raises(TypeError, match="not an ObservableArray"):
        rule.get_observable_array("w")
    with pytest.raises(RuntimeError, match="no observable 'nope'"):
        projection.get_data("nope")
    other = sim.Projection(neurons, neurons, sim.OneToOneConnector(), sim.StaticSynapse(weight=0))
    with pytest.raises(RuntimeError, match="has no plasticity rule"):
        other.get_data("w")


def test_a_kernel_that_does_not_compile_names_its_line(sim):
    sim.setup()
    timer = sim.Timer(start=0, period=0.01, num_periods=1)
    bad = "int32 x = 0;\nvoid PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {\n    x = y;\n}\n"
    with pytest.raises(KernelCompileError, match="line 3, column 9: unknown name 'y'") as info:
        sim.PlasticityRule(timer, kernel=bad)
    assert info.value.line == 3 and "    x = y;\n" in str(info.value) and isinstance(info.value, RuntimeError)
    with pytest.raises(KernelCompileError, match="defines no PLASTICITY_RULE_KERNEL"):
        sim.PlasticityRule(timer, kernel="void kernel(int32 a) {}")
    with pytest.raises(KernelCompileError, match="must be void PLASTICITY_RULE_KERNEL"):
        sim.PlasticityRule(timer, kernel="int32 PLASTICITY_RULE_KERNEL(int32 a, int32 b, int32 c) { return 0; }")
    # no observable w: no record_w
    with pytest.raises(KernelCompileError, match="line 3, column 5: unknown function 'record_w'"):
        sim.PlasticityRule(timer, kernel=CHEAP.replace("recording_calls[0] = (uint16) (period + 1000);",
                                                       "record_w(synapses, 0, get_weights(synapses, 0));"))


def test_a_generated_kernel_is_checked_when_the_network_is_mapped(sim):
    class Broken(sim.PlasticityRule):
        def generate_kernel(self) -> str:
            return "void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {\n  period = ;\n}"

    sim.setup(enable_neuron_bypass=True)
    relay_network(sim, Broken(sim.Timer(start=0, period=0.01, num_periods=1)))
    with pytest.raises(KernelCompileError, match="line 2"):
        sim.run(None, sim.RunCommand.PREPARE)


@pytest.mark.parametrize("arguments, error, match", [
    ((-0.1, 0.01, 1), ValueError, "Timer.start = -0.1"),
    ((0, 0, 1), ValueError, "Timer.period = 0.0"),
    ((0, 1e-4, 1), ValueError, "longer than the PPU scheduler's dispatch"),
    ((0, float("nan"), 1), ValueError, "Timer.period = nan"),
    ((0, 0.01, -1), ValueError, "Timer.num_periods = -1"),
    ((0, 0.01, 2.5), TypeError, "whole number of periods"),
    (("0", 0.01, 1), TypeError, "Timer.start is a number of hardware ms"),
])
def test_a_timer_with_bad_values_is_refused(sim, arguments, error, match):
    with pytest.raises(error, match=match):
        sim.Timer(*arguments)


def test_bad_rules_and_synapses_are_refused(sim):
    sim.setup(enable_neuron_bypass=True)
    timer = sim.Timer(start=0, period=0.01, num_periods=1)
    with pytest.raises(DelayError, match="no programmable delay"):
        sim.PlasticSynapse(weight=1, delay=0.1)
    with pytest.raises(TypeError, match="plasticity_rule is a pynn_frontend.PlasticityRule"):
        sim.PlasticSynapse(weight=1, plasticity_rule="rule")
    with pytest.raises(TypeError, match="plasticity_rule is a pynn_frontend.PlasticityRule"):
        sim.cells.HXNeuron(plasticity_rule=3)
    rule = sim.PlasticityRule(timer)
    assert sim.cells.CalibHXNeuronCuba(plasticity_rule=rule).plasticity_rule is rule
    assert rule in sim.simulator.state.plasticity_rules
    with pytest.raises(ValueError, match="observable name 'my-w'"):
        sim.PlasticityRule(timer, {"my-w": Arr(Arr.Type.uint8, 1)})
    with pytest.raises(TypeError, match="is an ObservablePerSynapse, ObservablePerNeuron or ObservableArray"):
        sim.PlasticityRule(timer, {"w": "uint8"})
    with pytest.raises(ValueError, match="size is a whole number >= 1"):
        sim.PlasticityRule(timer, {"a": Arr(Arr.Type.uint8, 0)})
    with pytest.raises(ValueError, match="type is one of"):
        sim.PlasticityRule(timer, {"a": Arr("float", 1)})


def test_what_the_chip_cannot_run_is_refused_before_it_runs(sim):
    sim.setup(enable_neuron_bypass=True)
    first = sim.PlasticityRule(sim.Timer(start=0, period=0.01, num_periods=1), kernel=CHEAP.replace(
        "recording_calls[0] = (uint16) (period + 1000);", ""))
    second = sim.PlasticityRule(sim.Timer(start=0, period=0.01, num_periods=1), kernel=CHEAP.replace(
        "recording_calls[0] = (uint16) (period + 1000);", ""))
    sim.Population(1, sim.cells.HXNeuron(plasticity_rule=first))
    sim.Population(1, sim.cells.HXNeuron(plasticity_rule=second))
    with pytest.raises(PlasticityRuleError, match="two plasticity rules .* hemisphere 0"):
        sim.run(0.01)
    sim.setup(enable_neuron_bypass=True)             # recordings larger than the PPU's memory
    big = sim.PlasticityRule(sim.Timer(start=0, period=0.001, num_periods=200),
                             {"counts": Neu(Neu.Type.uint16, Neu.Layout.complete_row)},
                             kernel=CHEAP.replace("recording_calls[0] = (uint16) (period + 1000);", ""))
    sim.Population(1, sim.cells.HXNeuron(plasticity_rule=big))
    with pytest.raises(PlasticityRuleError, match="does not fit the PPU"):
        sim.run(0.2)
    sim.setup(enable_neuron_bypass=True)             # a shared id promises the same kernel
    timer = sim.Timer(start=0, period=0.01, num_periods=1)
    for kernel in (CHEAP, CHEAP.replace("1000", "2000")):
        rule = sim.PlasticityRule(timer, {"calls": Arr(Arr.Type.uint16, 1)}, same_id=7, kernel=kernel)
        sim.Population(1, sim.cells.HXNeuron(plasticity_rule=rule))
    with pytest.raises(PlasticityRuleError, match="same_id=7 have different kernels"):
        sim.run(None, sim.RunCommand.PREPARE)


def test_rules_on_multicompartment_cells_are_refused(sim):
    from pynn_frontend.morphology import Compartment, SharedLineConnection, create_mc_neuron

    sim.setup()
    two = create_mc_neuron("Two", compartments=[
        Compartment(positions=[0, 1], label="soma", connect_conductance=[(1, 300)]),
        Compartment(positions=[2], label="dend", connect_shared_line=[2])], connections=[SharedLineConnection(1, 2, 0)])
    celltype = two()
    celltype.plasticity_rule = sim.PlasticityRule(sim.Timer(start=0, period=0.01, num_periods=1))
    sim.Population(1, celltype)
    with pytest.raises(NotImplementedError, match="not multi-compartment cells"):
        sim.run(None, sim.RunCommand.PREPARE)


def test_homeostasis_drives_every_neuron_to_the_target_rate(tmp_path):
    """ts_11: the neurons start silent (weight 0) and end at the target of 4 spikes per 50 us
    period. Tolerance: the counts of a period scatter by about 2 spikes (Poisson input) and the
    sign rule keeps stepping the weight by 3 LSB around its fixed point (about +-1 spike): the
    mean of the last five periods lies within +-2 of the target for each neuron (the observed
    spread is 3.8..4.2) and within +-0.75 over all 16 neurons (the standard error of 80 counts
    is about 0.25)."""
    homeostasis = example("homeostasis")
    results = homeostasis.main(tmp_path / "homeostasis.png")
    assert (tmp_path / "homeostasis.png").stat().st_size > 10_000
    _, rates = homeostasis.binned_rates(results["trains"])
    spikes = rates * homeostasis.PERIOD
    assert spikes[:, :2].mean() < 1                               # silent at weight 0
    last = spikes[:, -5:].mean(axis=1)
    assert np.all(np.abs(last - results["target"]) <= 2)
    assert abs(last.mean() - results["target"]) <= 0.75
    weights = results["weights"]
    assert weights.shape == (homeostasis.N_PERIODS, homeostasis.N_NEURONS) and weights[0].max() <= 3
    assert np.ptp(weights[-1]) >= 6                               # each neuron found its own weight
    assert results["counts"].shape == weights.shape
