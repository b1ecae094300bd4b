"""PyNN's STDPMechanism on the chip (pynn_frontend.stdp): parameters, errors, the generated
kernel on a model of the chip, and a short on-chip run (examples/pynn/stdp.py)."""

from __future__ import annotations

import numpy as np
import pytest

import libnux_vm
import pynn_frontend as pynn
import pynn_frontend.biological as bio
from _pynn_helpers import run_example
from pynn_frontend.errors import DelayError, ParameterValueError, PlasticityRuleError
from pynn_frontend.plasticity import FPGATime, ObservableEntry
from pynn_frontend.plasticity_kernel import Layout, check_kernel
from pynn_frontend.stdp import (CYCLES_PER_CALL, CYCLES_PER_ROW, SATURATED, Factor, HandleConstants, STDPRule,
                                kernel_period_us, lsb_per_unit, observables, stdp_kernel, stdp_rule)


@pytest.fixture
def sim():
    bio.setup()
    yield bio
    bio.end()


def _stdp(sim, **kw):
    timing = dict(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.02)
    timing.update({k: kw.pop(k) for k in list(kw) if k in timing})
    return sim.STDPMechanism(sim.SpikePairRule(**timing), sim.AdditiveWeightDependence(w_min=0.0, w_max=0.5), **kw)


def test_parameters_round_trip(sim):
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[]))
    post = sim.Population(2, sim.IF_curr_exp())
    projection = sim.Projection(pre, post, sim.AllToAllConnector(), _stdp(sim, weight=0.25))
    a_plus, a_minus, tau, w_max = projection.get(["A_plus", "A_minus", "tau_plus", "w_max"], format="array")
    assert np.all(a_plus == 0.01) and np.all(a_minus == 0.02) and np.all(tau == 20.0) and np.all(w_max == 0.5)
    assert np.all(projection.get("weight", format="array") == 0.25)
    projection.set(A_minus=0.03)
    assert np.all(projection.get("A_minus", format="array") == 0.03)
    assert projection.synapse_type.dendritic_delay_fraction == 1.0


def test_bad_parameters_raise(sim):
    with pytest.raises(ParameterValueError, match="dendritic_delay_fraction"):
        _stdp(sim, dendritic_delay_fraction=0.5)
    with pytest.raises(DelayError, match="delay 0"):
        _stdp(sim, delay=1.0)
    with pytest.raises(ParameterValueError, match="tau_plus"):
        _stdp(sim, tau_plus=-1.0)
    with pytest.raises(ParameterValueError, match="A_minus"):
        _stdp(sim, A_minus=-0.1)
    with pytest.raises(ParameterValueError, match="w_max"):
        sim.AdditiveWeightDependence(w_min=1.0, w_max=0.5)
    with pytest.raises(TypeError, match="SpikePairRule"):
        sim.STDPMechanism(None, sim.AdditiveWeightDependence())


def test_tau_out_of_reach_or_unequal_raises(sim):
    rule = STDPRule()
    with pytest.raises(ParameterValueError, match=r"tau_plus/tau_minus = 10000 ms .* reach of 4.89.*5000 ms"):
        rule._set_tau({(1e4, 1e4)})
    with pytest.raises(ParameterValueError, match="tau_plus must equal tau_minus"):
        rule._set_tau({(20.0, 30.0)})
    rule._set_tau({(20.0, 20.0)})
    assert rule.tau_hardware_s == pytest.approx(20e-6)


class _Sensors(libnux_vm.MemoryHost):
    """Sensors that read 200 after a reset (and less by their drop before it)."""

    def reset_correlation(self, row, columns=None):
        self.causal[row] = 200
        self.acausal[row] = 200


def _kernel_run(plus, minus, causal_drop, acausal_drop, w0=20, w_max=60, multiplicative=False):
    """The kernel over a whole hemisphere (256 rows) of a model of the chip, called twice (the
    first call also fills its tables): the weights after the second call, its PPU cycles, and
    the saturated columns it counted."""
    lanes = np.arange(256)
    handle = HandleConstants(lanes, Factor.of(np.full(256, plus), "A_plus"), Factor.of(np.full(256, minus), "A_minus"),
                             np.zeros(256, dtype=np.int64), np.full(256, w_max), multiplicative)
    program = check_kernel(stdp_kernel([handle]), observables(), Layout(2, 0, (256,), (256,), (1,)))
    host = _Sensors(weights=np.full((256, 256), w0))
    machine = libnux_vm.Machine(program, host=host)
    machine.call("PLASTICITY_RULE_KERNEL", 0, 0, 0, cycle_budget=10 ** 9)
    host.weights[:] = w0
    host.causal[:] = 200 - causal_drop
    host.acausal[:] = 200 - acausal_drop
    start = machine.cycles
    machine.call("PLASTICITY_RULE_KERNEL", 0, 0, 1, cycle_budget=10 ** 9)
    assert np.all(host.causal == 200) and np.all(host.acausal == 200)       # read and reset
    saturated = int(np.asarray(machine.read_global("recording_stdp_saturated"))[0])
    return host.weights.astype(float), machine.cycles - start, saturated


def _kernel_weights(*args, **kwargs):
    return _kernel_run(*args, **kwargs)[0]


def test_kernel_rounds_fractions_without_bias_and_clamps():
    # 0.16 LSB per CADC LSB: a drop of 10 is 1.6 LSB, rounded to 1 or 2 at random, 1.6 on average
    up = _kernel_weights(0.16, 0.16, 10, 0)
    assert set(np.unique(up)) == {21.0, 22.0} and up.mean() == pytest.approx(21.6, abs=0.05)
    down = _kernel_weights(0.16, 0.16, 0, 10)
    assert down.mean() == pytest.approx(18.4, abs=0.05)
    # 0.013 LSB per CADC LSB: drops of 7 make 0.091 LSB, kept on average, not dropped
    assert _kernel_weights(0.013, 0.0, 7, 0).mean() == pytest.approx(20.091, abs=0.03)
    assert np.all(_kernel_weights(5.0, 0.0, 30, 0, w_max=50) == 50)                  # clamped to w_max
    assert np.all(_kernel_weights(0.0, 5.0, 0, 30) == 0)                             # and to w_min
    # multiplicative: A_plus (w_max - w) c = 0.01 * 40 * 10 = 4 LSB
    mult = _kernel_weights(0.64, 0.0, 10, 0, multiplicative=True)
    assert mult.mean() == pytest.approx(24.0, abs=0.1)


def test_kernel_cost_fits_the_period_and_saturation_is_counted():
    for multiplicative in (False, True):
        weights, cycles, saturated = _kernel_run(0.1, 0.1, 5, 5, multiplicative=multiplicative)
        # PPU cycles (deterministic), not wall time: the period is planned with these
        assert cycles <= CYCLES_PER_CALL + 256 * CYCLES_PER_ROW[multiplicative]
        assert saturated == 0
    assert _kernel_run(0.1, 0.1, 110, 0)[2] == 256          # a drop beyond DROP_LIMIT
    assert _kernel_run(0.1, 0.1, 0, 195)[2] == 256          # a reading below READ_FLOOR


def test_factor_out_of_range_raises():
    with pytest.raises(ParameterValueError, match="A_plus"):
        Factor.of(np.array([500.0]), "A_plus")
    with pytest.raises(ParameterValueError, match="resolution"):
        Factor.of(np.array([1.0, 1e-5]), "A_plus")


def test_example_causal_pairs_potentiate_acausal_depress(tmp_path_factory, calib_cache):
    """examples/pynn/stdp.py, one run of 10 pairings: the chip's weights, read back."""
    result = run_example("stdp", tmp_path_factory, cache=calib_cache, steps=1)
    before, after = result["weights"][0], result["weights"][-1]
    assert after[0].mean() > before[0].mean()
    assert after[1].mean() < before[1].mean()


@pytest.fixture
def hw():
    """The backend in hardware units (weights in LSB, times in hardware ms)."""
    pynn.setup()
    yield pynn
    pynn.end()


def _hw_projection(hw, connector=None, w_max=20.0, tau=0.02, post_type=None, **kw):
    pre = hw.Population(3, hw.SpikeSourceArray(spike_times=[]))
    post = hw.Population(2, post_type if post_type is not None else hw.CalibHXNeuronCuba())
    stdp = hw.STDPMechanism(hw.SpikePairRule(tau_plus=tau, tau_minus=tau, A_plus=0.1, A_minus=0.1),
                            kw.pop("weight_dependence", hw.AdditiveWeightDependence(w_min=0.0, w_max=w_max)),
                            weight=5.0)
    return hw.Projection(pre, post, connector if connector is not None else hw.AllToAllConnector(), stdp)


def test_kernel_is_generated_from_the_projections(hw):
    """Hardware units: w_max in LSB, tau in hardware ms; the period grows with the rows."""
    projection = _hw_projection(hw)
    rule = projection.synapse_type.plasticity_rule
    assert rule is _hw_projection(hw).synapse_type.plasticity_rule          # one rule for all STDP projections
    kernel = rule.generate_kernel()
    check_kernel(kernel, rule.observables)
    assert "stdp_cols_1" in kernel and rule.tau_hardware_s == pytest.approx(20e-6)
    assert rule.timer.period == pytest.approx(kernel_period_us(6) / 1000.0)     # 2 x 3 pre cells: 6 rows


@pytest.mark.parametrize("change, error, match", [
    (dict(w_max=70.0), ParameterValueError, "w_max = 70 is 70 hardware LSB, more than one synapse's 63"),
    (dict(tau=20.0), ParameterValueError, r"tau_plus/tau_minus = 20 hardware ms .* reach of 0.00489.*5 hardware ms"),
    (dict(post_type="HXNeuron"), PlasticityRuleError, "calibrated cell types"),
])
def test_mapping_checks_raise(hw, change, error, match):
    if change.get("post_type") == "HXNeuron":
        change["post_type"] = hw.HXNeuron()
    projection = _hw_projection(hw, **change)
    with pytest.raises(error, match=match):
        projection.synapse_type.plasticity_rule.generate_kernel()


def test_heterogeneous_parameters_and_duplicates_raise(hw):
    projection = _hw_projection(hw)
    projection.set(A_plus=np.array([[0.1, 0.2], [0.1, 0.1], [0.1, 0.1]]))
    with pytest.raises(ParameterValueError, match="A_plus differs between connections"):
        projection.synapse_type.plasticity_rule.generate_kernel()
    hw.end()
    hw.setup()
    _hw_projection(hw, connector=hw.FromListConnector([(0, 0), (0, 0)]))
    with pytest.raises(PlasticityRuleError, match="two connections between the same cells"):
        stdp_rule(pynn.simulator.state).generate_kernel()


def test_views_must_be_filled_by_the_projection():
    placed = np.zeros(3, dtype=[("connection", "i8"), ("synapse_row", "i8"), ("synapse_on_row", "i8")])
    placed["synapse_row"] = [0, 0, 1]
    placed["synapse_on_row"] = [0, 1, 0]
    rule = STDPRule()
    with pytest.raises(PlasticityRuleError, match="only 3 of those synapses.*AllToAllConnector"):
        rule.check_routed_views({(0, 0): (0, np.array([0, 1]), np.array([0, 1]))}, {0: placed}, None)
    rule.check_routed_views({(0, 0): (0, np.array([0, 1]), np.array([0, 1]))}, {0: np.concatenate(
        [placed, placed[2:]])}, None)


def test_saturated_sensors_warn():
    rule = STDPRule()
    rule._results = [{SATURATED: [ObservableEntry(FPGATime(0), np.array([0, 0]), 0)]}]
    rule.warn_saturated()                                   # nothing saturated: no warning
    rule._results = [{SATURATED: [ObservableEntry(FPGATime(0), np.array([3, 0]), 0),
                                  ObservableEntry(FPGATime(9), np.array([0, 0]), 1)]}]
    with pytest.warns(RuntimeWarning, match="in 1 of 2 kernel periods .* up to 3 columns"):
        rule.warn_saturated()


def test_weight_change_matches_the_pair_rule_on_average(calib_cache):
    """64 synapses, 10 causal pairs each (the post spikes as recorded): the mean weight change
    [LSB] is A_plus w_max sum(exp(-dt/tau_plus)) within 15 % (the sensors' amplitude and time
    constant as set; A_minus = 0)."""
    bio.setup(calibration_cache=calib_cache)
    try:
        teach = np.arange(20.0, 420.0, 40.0)
        teacher = bio.Population(1, bio.SpikeSourceArray(spike_times=teach))
        pre = bio.Population(1, bio.SpikeSourceArray(spike_times=teach + 1.0))
        post = bio.Population(64, bio.IF_curr_exp())
        bio.Projection(teacher, post, bio.AllToAllConnector(), bio.StaticSynapse(weight=10.0))
        stdp = bio.STDPMechanism(bio.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.05, A_minus=0.0),
                                 bio.AdditiveWeightDependence(w_min=0.0, w_max=1.0), weight=0.2)
        projection = bio.Projection(pre, post, bio.AllToAllConnector(), stdp)
        post.record("spikes")
        bio.run(420.0)
        lsb = lsb_per_unit(pynn.simulator.state, projection)
        change = projection.get("weight", format="array")[0] * lsb - np.round(0.2 * lsb)
        pairs = np.array([sum(np.exp(-(t - teach[teach + 1.0 < t][-1] - 1.0) / 20.0) for t in s.magnitude
                              if np.any(teach + 1.0 < t)) for s in post.get_data().segments[0].spiketrains])
        assert pairs.mean() > 5                          # the teacher made the neurons fire
        assert np.mean(change) / np.mean(0.05 * lsb * pairs) == pytest.approx(1.0, abs=0.15)
    finally:
        bio.end()
