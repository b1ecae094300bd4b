"""Projections: PyNN's connectors, weight rounding and sign rules, delay 0, weights above 63,
views and assemblies, weight changes that keep the routing."""

from __future__ import annotations

import numpy as np
import pytest
from pyNN import errors as pynn_errors

import grenade.network as gn
from pynn_frontend import RunCommand, simulator
from _pynn_helpers import sim  # noqa: F401


def _network(sim, n_pre=3, n_post=4, **setup):
    sim.setup(**setup)
    pre = sim.Population(n_pre, sim.SpikeSourceArray(spike_times=[0.01]))
    post = sim.Population(n_post, sim.cells.HXNeuron())
    return pre, post


def test_default_weight_and_delay(sim):
    pre, post = _network(sim)
    proj = sim.Projection(pre, post, sim.AllToAllConnector())
    assert proj.receptor_type == "excitatory"
    assert set(proj.get("weight", format="list", with_address=False)) == {0.0}
    assert set(proj.get("delay", format="list", with_address=False)) == {0.0}


def test_weights_are_rounded_like_python(sim):
    pre, post = _network(sim)
    proj = sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=42.5))
    assert proj.get("weight", format="list") == [(0, 0, 42.0), (1, 1, 42.0), (2, 2, 42.0)]
    proj.set(weight=43.5)
    assert proj.get("weight", format="array")[0, 0] == 44.0


def test_list_format_is_row_major(sim):
    pre, post = _network(sim, 2, 2)
    proj = sim.Projection(pre, post, sim.FromListConnector([(1, 1, 5), (0, 1, 3), (1, 0, 4), (0, 0, 2)],
                                                            column_names=["weight"]))
    assert proj.get("weight", format="list") == [(0, 0, 2.0), (0, 1, 3.0), (1, 0, 4.0), (1, 1, 5.0)]
    assert [(c.presynaptic_index, c.postsynaptic_index) for c in proj] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert len(proj) == 4 and proj.size() == 4


def test_sign_rules(sim):
    pre, post = _network(sim)
    with pytest.raises(pynn_errors.ConnectionError, match="negative on an excitatory"):
        sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=-5), receptor_type="excitatory")
    with pytest.raises(pynn_errors.ConnectionError, match="positive on an inhibitory"):
        sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=5), receptor_type="inhibitory")
    assert simulator.state.projections == []                  # nothing half-added
    inh = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=-5),
                         receptor_type="inhibitory")
    assert set(inh.get("weight", format="list", with_address=False)) == {-5.0}
    with pytest.raises(pynn_errors.ConnectionError):
        inh.set(weight=3)
    exc = sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=5))
    with pytest.raises(pynn_errors.ConnectionError):
        exc.set(weight=[1, -1, 1])
    with pytest.raises(pynn_errors.ConnectionError):
        exc[0].weight = -1
    assert exc.get("weight", format="list", with_address=False) == [5.0, 5.0, 5.0]
    # without a receptor type, PyNN picks it from the weights' sign
    guessed = sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=-7))
    assert guessed.receptor_type == "inhibitory"


def test_unknown_receptor_type(sim):
    pre, post = _network(sim)
    with pytest.raises(pynn_errors.ConnectionError, match="receptor_type"):
        sim.Projection(pre, post, sim.AllToAllConnector(), receptor_type="NMDA")


def test_delay_is_zero_only(sim):
    pre, post = _network(sim)
    with pytest.raises(ValueError, match="delay = 1.0.*no programmable delay"):
        sim.StaticSynapse(weight=1, delay=1.0)
    proj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=1, delay=0))
    with pytest.raises(ValueError, match="delay"):
        proj.set(delay=1)
    with pytest.raises(ValueError, match="delay"):
        proj[0].delay = 0.5
    proj.set(delay=0)
    assert proj.get("delay", format="array").max() == 0
    with pytest.raises(ValueError, match="delay"):
        sim.Projection(pre, post, sim.FromListConnector([(0, 0, 1.0, 0.3)], column_names=["weight", "delay"]))


def test_connectors(sim, tmp_path):
    pre, post = _network(sim, 10, 10)
    rng = sim.NumpyRNG(seed=7)
    assert len(sim.Projection(pre, post, sim.AllToAllConnector())) == 100
    assert len(sim.Projection(pre, post, sim.OneToOneConnector())) == 10
    fixed = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.3, rng=rng))
    assert 10 < len(fixed) < 60
    pre_n = sim.Projection(pre, post, sim.FixedNumberPreConnector(3, rng=rng), sim.StaticSynapse(weight=2))
    assert np.all(np.nansum(pre_n.get("weight", format="array"), axis=0) == 6)
    post_n = sim.Projection(pre, post, sim.FixedNumberPostConnector(2, rng=rng))
    assert len(post_n) == 20
    path = tmp_path / "connections.txt"
    np.savetxt(path, [[0, 1, 5.0, 0.0], [2, 3, 7.0, 0.0]])
    from_file = sim.Projection(pre, post, sim.FromFileConnector(str(path)))
    assert from_file.get("weight", format="list") == [(0, 1, 5.0), (2, 3, 7.0)]
    array = sim.Projection(pre, post, sim.ArrayConnector(np.eye(10, dtype=bool)))
    assert len(array) == 10
    total = sim.Projection(pre, post, sim.FixedTotalNumberConnector(15, rng=rng))
    assert len(total) == 15
    from pyNN.core import IndexBasedExpression

    class Diagonal(IndexBasedExpression):
        def __call__(self, i, j):
            return (i == j).astype(float)

    index = sim.Projection(pre, post, sim.IndexBasedProbabilityConnector(Diagonal()))
    assert len(index) == 10
    distance = sim.Projection(pre, post, sim.DistanceDependentProbabilityConnector("d < 1.5"))
    assert len(distance) == 28
    weights = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(
        weight=sim.RandomDistribution("uniform", low=0, high=63, rng=rng)))
    w = weights.get("weight", format="array")
    assert np.all(w == np.round(w)) and w.max() <= 63
    clone = sim.Projection(pre, post, sim.CloneConnector(fixed))
    assert clone.get("weight", format="list") == fixed.get("weight", format="list")
    sim.run(0.02)                 # every connector's result runs


def test_location_selectors_are_refused_for_point_neurons(sim):
    pre, post = _network(sim)
    with pytest.raises(ValueError, match="location_selector"):
        sim.Projection(pre, post, sim.AllToAllConnector(location_selector="soma"))
    with pytest.raises(ValueError, match="source_location_selector"):
        sim.Projection(pre, post, sim.AllToAllConnector(source_location_selector="soma"))


def test_views_and_assemblies_as_pre_and_post(sim):
    sim.setup(enable_neuron_bypass=True)
    sources = sim.Population(4, sim.SpikeSourceArray(spike_times=[[0.01], [0.02], [0.03], [0.04]]))
    a = sim.Population(3, sim.cells.HXNeuron())
    b = sim.Population(3, sim.cells.HXNeuron())
    sim.Projection(sources[1:3], a[[0, 2]], sim.OneToOneConnector(), sim.StaticSynapse(weight=63))
    sim.Projection(sources[3:4], sim.Assembly(a[1:2], b), sim.AllToAllConnector(), sim.StaticSynapse(weight=63))
    (a + b).record("spikes")
    sim.run(0.06)
    spikes_a = [st.magnitude for st in a.get_data().segments[0].spiketrains]
    spikes_b = [st.magnitude for st in b.get_data().segments[0].spiketrains]
    assert [len(s) for s in spikes_a] == [1, 1, 1] and [len(s) for s in spikes_b] == [1, 1, 1]
    assert spikes_a[0][0] == pytest.approx(0.02, abs=1e-3) and spikes_a[2][0] == pytest.approx(0.03, abs=1e-3)
    assert spikes_a[1][0] == pytest.approx(0.04, abs=1e-3)
    assert all(s[0] == pytest.approx(0.04, abs=1e-3) for s in spikes_b)


def test_duplicate_connections_add_up(sim):
    pre, post = _network(sim, 1, 1)
    proj = sim.Projection(pre, post, sim.FromListConnector([(0, 0, 40), (0, 0, 40)], column_names=["weight"]))
    assert len(proj) == 2
    assert proj.get("weight", format="array")[0, 0] == 80
    assert proj.get("weight", format="array", multiple_synapses="max")[0, 0] == 40
    sim.run(None, RunCommand.PREPARE)
    placed = proj.placed_connections
    assert placed[0] == placed[1] and len(placed[0]) == 2          # 80 = 63 + 17: two synapses
    twins = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=3))
    assert len(twins) == 1          # identical projections are allowed


def test_weights_above_63_use_several_synapses(sim):
    pre, post = _network(sim, 1, 2)
    proj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=123))
    with pytest.raises(RuntimeError, match="not mapped"):
        proj.placed_connections
    sim.run(None, RunCommand.PREPARE)
    placed = proj.placed_connections
    assert [len(p) for p in placed] == [2, 2]
    synapse = placed[0][0]
    assert synapse.synapse_on_row.value() == post.atomic_neurons[0] % 256
    assert synapse.to_synapse_on_dls().to_synram_on_dls().value() == 0


def test_weight_changes_reuse_the_routing(sim, monkeypatch):
    pre, post = _network(sim, 2, 2, enable_neuron_bypass=True)
    proj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=10))
    calls = []
    route = gn.route
    monkeypatch.setattr(gn, "route", lambda network: calls.append(1) or route(network))
    sim.run(0.02)
    assert calls == [1]
    for weight in (20, 63, 0):              # one synapse each: routed once
        sim.reset()
        proj.set(weight=weight)
        sim.run(0.02)
    assert calls == [1]
    sim.reset()
    proj.set(weight=100)                    # two synapses per connection: routed anew
    sim.run(0.02)
    assert calls == [1, 1]
    sim.reset()
    post.record("spikes")                   # another recording: routed anew
    sim.run(0.02)
    assert len(calls) == 3


def test_procedural_connect(sim):
    pre, post = _network(sim, 2, 2)
    with pytest.warns(DeprecationWarning):
        proj = sim.connect(pre, post, weight=5.0, p=1.0)
    assert len(proj) == 4 and proj.receptor_type == "excitatory"
    with pytest.warns(DeprecationWarning):
        single = sim.connect(pre[0], post[1], weight=-3.0, receptor_type="inhibitory")
    assert single.get("weight", format="list") == [(0, 0, -3.0)]


def test_connection_objects(sim):
    pre, post = _network(sim, 2, 2)
    proj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=1))
    proj[3].weight = 17
    assert proj.get("weight", format="array")[1, 1] == 17
    assert proj.get(("weight", "delay"), format="list", with_address=False)[3] == (17.0, 0.0)
    with pytest.raises(IndexError):
        proj[4]
    for c in proj.connections:
        c.weight = 63.
    assert set(proj.get("weight", format="list", with_address=False)) == {63.0}
    proj.setWeights(9)
    assert set(proj.get("weight", format="list", with_address=False)) == {9.0}


def test_foreign_synapse_types_are_refused(sim):
    from pyNN.standardmodels.synapses import TsodyksMarkramSynapse

    pre, post = _network(sim)
    with pytest.raises((TypeError, Exception)):
        sim.Projection(pre, post, sim.AllToAllConnector(), TsodyksMarkramSynapse())


def test_projections_between_neurons_on_the_chip(sim):
    from _pynn_helpers import INTEGRATOR, LOT

    sim.setup()
    driver = sim.Population(1, sim.cells.HXNeuron(**LOT))
    target = sim.Population(1, sim.cells.HXNeuron(**INTEGRATOR))
    sim.Projection(driver, target, sim.AllToAllConnector(), sim.StaticSynapse(weight=63))
    driver.record("spikes")
    target.record("v")
    sim.run(0.08)
    spikes = driver.get_data().segments[0].spiketrains[0].magnitude
    spikes = spikes[(spikes > 0.025) & (spikes < 0.075)]           # the target has settled
    signal = target.get_data().segments[0].irregularlysampledsignals[0]
    t, v = signal.times.magnitude, np.convolve(signal.magnitude[:, 0], np.ones(9) / 9, mode="same")
    assert len(spikes) >= 2
    for s in spikes:
        before = v[(t > s - 0.003) & (t < s)].mean()
        after = v[(t > s) & (t < s + 0.005)].max()
        assert after - before > 4                      # an EPSP after every spike of the driver
