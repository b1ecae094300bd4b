"""The calibrated cell types in hardware units: CalibHXNeuronCuba's parameters, ranges and
global parameters, the calibration at mapping time (calix, cached), the accessors
calib_target / calib_hwparams / actual_hwparams, and CalibHXNeuronCoba refused until calix
calibrates conductance-based inputs.

One real calibration serves the module (four cells with the real example's v_rest; cached
for the session); the glue between populations and calix is tested with a stand-in for
``calix.calibrate`` that returns that result."""

from __future__ import annotations

import numpy as np
import pytest
from pyNN import errors as pynn_errors

import calix
import halco
import pynn_frontend as pynn
from lola.chip import _SHARED_CELLS
from pynn_frontend import RunCommand, calibration, errors, simulator
from _pynn_helpers import sim, spike_times, spy  # noqa: F401

#: the four neurons of the real example (pb2/examples/calibhxneuron.py), with the targets of
#: IF_curr_exp's defaults (v_rest -65 mV = 120 LSB, ...): one calibration serves both modules
TARGETS = dict(v_rest=120, v_reset=120, v_thresh=180, tau_m=20, tau_syn_E=5, tau_syn_I=5, tau_refrac=0.1)
V_REST = [120] * 4


def _network(sim, cache, **setup):
    sim.setup(calibration_cache=cache, **setup)
    return sim.Population(4, sim.cells.CalibHXNeuronCuba(**TARGETS))


@pytest.fixture(scope="module")
def result(calib_cache):
    """The calibration of the module's network (calix; about 25 s once per session)."""
    pop = _network(pynn, calib_cache)
    pynn.run(None, RunCommand.PREPARE)
    out = simulator.state.calibration.result
    pynn.end()
    assert pop.calib_target is not None
    return out


# -- parameters ----------------------------------------------------------------------------------

def test_parameters_defaults_and_units(sim):
    cell = sim.cells.CalibHXNeuronCuba
    assert set(cell.get_parameter_names()) == {
        "v_rest", "v_reset", "v_thresh", "tau_m", "tau_syn_E", "tau_syn_I", "cm", "tau_refrac", "i_synin_gm_E",
        "i_synin_gm_I", "synapse_dac_bias", "plasticity_rule_readout_source", "plasticity_rule_enable_readout_source"}
    defaults = cell.default_parameters
    assert (defaults["v_rest"], defaults["v_reset"], defaults["v_thresh"]) == (80, 70, 140)
    assert (defaults["tau_m"], defaults["tau_syn_E"], defaults["tau_refrac"], defaults["cm"]) == (10, 10, 2, 63)
    assert (defaults["i_synin_gm_E"], defaults["i_synin_gm_I"], defaults["synapse_dac_bias"]) == (500, 500, 600)
    assert cell.units["tau_m"] == "us" and cell.units["v_rest"] == "dimensionless"
    assert not cell.conductance_based and sim.cells.CalibHXNeuronCoba.conductance_based
    assert list(cell.receptor_types) == ["excitatory", "inhibitory"]
    assert set(cell.recordable) == {"spikes", "v", "exc_synin", "inh_synin", "adaptation"}
    coba = sim.cells.CalibHXNeuronCoba.default_parameters
    assert (coba["v_rest"], coba["e_rev_E"], coba["e_rev_I"], coba["i_synin_gm_E"]) == (110, 300, 30, 180)
    sim.setup()
    pop = sim.Population(3, cell(tau_m=[10, 20, 30]))
    assert pop.get("v_thresh") == 140 and list(pop.get("tau_m")) == [10, 20, 30]
    pop[1:3].set(v_rest=60)
    assert list(pop.get("v_rest")) == [80, 60, 60]


@pytest.mark.parametrize("name, value, allowed", [
    ("v_thresh", 100, "135..220 CADC LSB"), ("v_rest", 200, "50..160 CADC LSB"), ("tau_m", 1.0, "5..60 us"),
    ("tau_syn_I", 0, "> 0 us"), ("tau_refrac", 0.01, "0.04..32 us"), ("cm", 64, "0..63 \\(whole numbers\\)"),
    ("cm", 30.5, "0..63 \\(whole"), ("i_synin_gm_E", 900, "30..800 CapMem LSB"),
    ("synapse_dac_bias", 10, "30..1022 CapMem LSB"), ("v_reset", np.nan, "50..160")])
def test_values_the_calibration_cannot_reach_raise_naming_the_range(sim, name, value, allowed):
    sim.setup()
    with pytest.raises(pynn_errors.InvalidParameterValueError, match=f"{name} = .*the calibration reaches {allowed}"):
        sim.cells.CalibHXNeuronCuba(**{name: value})
    pop = sim.Population(3, sim.cells.CalibHXNeuronCuba())
    good = sim.cells.CalibHXNeuronCuba.default_parameters[name]
    with pytest.raises(ValueError, match=f"{name} = .*cell 1"):
        pop.set(**{name: [good, value, good]})
    assert pop.get(name) == good


def test_unknown_parameters_and_types(sim):
    sim.setup()
    with pytest.raises(pynn_errors.NonExistentParameterError, match="leak_v_leak"):
        sim.Population(1, sim.cells.CalibHXNeuronCuba()).set(leak_v_leak=3)
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="takes numbers"):
        sim.cells.CalibHXNeuronCuba(v_rest=True)
    with pytest.raises(pynn_errors.InvalidParameterValueError, match=r"reaches \(nominally.*22\.08\.\.199\.2 CADC LSB"):
        sim.Population(1, sim.cells.CalibHXNeuronCuba(), initial_values={"v": 210})


# -- before the calibration; what is refused before calix is asked ---------------------------------

def test_calibration_accessors_raise_attribute_error_before_the_first_mapping(sim):
    sim.setup()
    pop = sim.Population(2, sim.cells.CalibHXNeuronCuba())
    for name in ("calib_target", "calib_hwparams", "actual_hwparams"):
        with pytest.raises(AttributeError, match=f"{name}: population .* not calibrated yet.*PREPARE"):
            getattr(pop, name)
        with pytest.raises(AttributeError, match="not calibrated yet"):
            getattr(pop[0:1], name)
    plain = sim.Population(1, sim.cells.HXNeuron())
    with pytest.raises(AttributeError, match="HXNeuron is not calibrated"):
        plain.actual_hwparams
    assert not hasattr(pop, "calib_target")


@pytest.mark.parametrize("name", ["i_synin_gm_E", "i_synin_gm_I", "synapse_dac_bias", "cm"])
def test_global_parameters_must_agree_within_and_across_populations(sim, name):
    other = {"i_synin_gm_E": 400, "i_synin_gm_I": 400, "synapse_dac_bias": 500, "cm": 40}[name]
    default = sim.cells.CalibHXNeuronCuba.default_parameters[name]
    sim.setup()
    pop = sim.Population(2, sim.cells.CalibHXNeuronCuba(**{name: [default, other]}))
    low, high = sorted([int(default), other])
    with pytest.raises(RuntimeError, match=f"{name} is global.*'{pop.label}' has \\[{low}, {high}\\]"):
        sim.run(None, RunCommand.PREPARE)
    pop.set(**{name: other})
    second = sim.Population(1, sim.cells.CalibHXNeuronCuba(), label="second")
    with pytest.raises(errors.GlobalParameterError, match=f"{name} is global.*has {other} and population 'second' has {int(default)}"):
        sim.run(0.01)
    assert sim.get_current_time() == 0 and second.size == 1       # still usable


def test_inputs_are_conductance_based_for_all_calibrated_cells_or_none(sim, monkeypatch):
    monkeypatch.setattr(calibration.calix, "calibrate", None)          # refused before calix is asked
    sim.setup()
    coba = sim.Population(2, sim.cells.CalibHXNeuronCoba(e_rev_I=[20, 40]), label="coba")
    assert list(coba.get("e_rev_I")) == [20, 40] and coba.get("v_thresh") == 160
    sim.Population(1, sim.cells.CalibHXNeuronCuba(), label="cuba")
    with pytest.raises(RuntimeError, match="conductance-based for all calibrated neurons or none.*'coba' "
                                           r"\(CalibHXNeuronCoba\) is conductance-based, population 'cuba'"):
        sim.run(None, RunCommand.PREPARE)
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="e_rev_E = 700 CADC LSB .* -300..600"):
        coba.set(e_rev_E=700)


def test_reversal_potentials_become_the_coba_targets(sim, spy):
    sim.setup(neuronPermutation=[5, 6])
    pop = sim.Population(2, sim.cells.CalibHXNeuronCoba(e_rev_E=[300, 250], i_synin_gm_E=180))
    sim.run(None, RunCommand.PREPARE)
    target = spy.calls[0]["target"].neuron_target
    reversal = target.per_neuron("e_coba_reversal")
    assert list(reversal[:, 5]) == [300, 30] and list(reversal[:, 6]) == [250, 30]
    assert np.all(reversal[0, 7:] == 300)                               # the first cell's
    assert list(target.per_neuron("e_coba_reference")[:, 5]) == [135, 135]   # calix: (leak + threshold) / 2
    pop.set(e_rev_I=120)                                                # 15 LSB below its reference
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="cannot be calibrated.*inhibitory reversal "
                                                                     "must lie at least 20 CADC LSB below"):
        sim.run(None, RunCommand.PREPARE)
    assert len(spy.calls) == 1


def test_synaptic_time_constants_are_checked_where_a_projection_uses_the_input(sim, spy):
    sim.setup(neuronPermutation=[0, 1])
    pop = sim.Population(2, sim.cells.CalibHXNeuronCuba(tau_syn_E=[2.0, 5.0], tau_syn_I=40), label="cells")
    sim.run(None, RunCommand.PREPARE)              # no projection: nothing reaches either input
    tau_syn = spy.calls[0]["target"].neuron_target.per_neuron("tau_syn")
    assert np.allclose(tau_syn[:, [0, 1]], [[3e-6, 5e-6], [30e-6, 30e-6]])      # the nearest in reach, or kept
    assert list(pop.calib_target["tau_syn_I"]) == [40, 40]                         # the user's values
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.01]))
    sim.Projection(source, pop[1:2], sim.AllToAllConnector(), sim.StaticSynapse(weight=10))
    sim.run(None, RunCommand.PREPARE)              # cell 1's excitatory input: 5 us is in reach
    sim.Projection(source, pop[1:2], sim.AllToAllConnector(), sim.StaticSynapse(weight=-10),
                   receptor_type="inhibitory", label="inh")
    with pytest.raises(pynn_errors.InvalidParameterValueError,
                       match=r"population 'cells': tau_syn_I = 40 us \(cell 1\) cannot be reached on the chip: the "
                             r"calibration reaches 3\.\.30 us; projection 'inh' reaches that cell "
                             r"through its inhibitory input"):
        sim.run(None, RunCommand.PREPARE)
    assert len(spy.calls) == 1                     # the same targets; refused before calix is asked


# -- the glue: targets per cell, when calix is asked ---------------------------------------------------

def test_each_circuit_gets_its_cells_targets(sim, spy, calib_cache):
    sim.setup(neuronPermutation=[10, 3, 300], calibration_cache=calib_cache)
    pop = sim.Population(3, sim.cells.CalibHXNeuronCuba(
        v_rest=[60, 70, 80], v_reset=55, v_thresh=[150, 160, 170], tau_m=[8, 12, 20], tau_refrac=[1, 2, 4],
        tau_syn_E=[5, 6, 7], tau_syn_I=9, i_synin_gm_E=400, i_synin_gm_I=450, cm=50))
    sim.run(None, RunCommand.PREPARE)
    (call,) = spy.calls
    assert call["cache_paths"] == [calib_cache]
    assert call["connection"] is simulator.state.executor().connection(0)
    target = call["target"]
    assert isinstance(target, calix.SpikingCalibTarget)
    neurons = target.neuron_target
    atoms = [10, 3, 300]
    assert list(neurons.per_neuron("leak")[atoms]) == [60, 70, 80]
    assert list(neurons.per_neuron("reset")[atoms]) == [55, 55, 55]
    assert list(neurons.per_neuron("threshold")[atoms]) == [150, 160, 170]
    assert np.allclose(neurons.per_neuron("tau_mem")[atoms], [8e-6, 12e-6, 20e-6])
    assert np.allclose(neurons.per_neuron("refractory_time")[atoms], [1e-6, 2e-6, 4e-6])
    assert np.allclose(neurons.per_neuron("tau_syn")[:, atoms], [[5e-6, 6e-6, 7e-6], [9e-6] * 3])
    others = np.setdiff1d(np.arange(512), atoms)
    assert np.all(neurons.per_neuron("leak")[others] == 60)          # the first cell's targets
    assert np.allclose(neurons.per_neuron("tau_mem")[others], 8e-6)
    assert neurons.membrane_capacitance == 50
    assert isinstance(neurons.cuba_synin, calix.CalibratedCubaSynapticInput)
    assert list(neurons.cuba_synin.i_synin_gm) == [400, 450]
    assert pop.calib_target["tau_m"].evaluate().tolist() == [8, 12, 20]


def test_calix_is_asked_again_only_when_the_targets_change(sim, spy, result):
    sim.setup()
    pop = sim.Population(2, sim.cells.CalibHXNeuronCuba())
    sim.run(None, RunCommand.PREPARE)
    sim.run(None, RunCommand.PREPARE)
    assert len(spy.calls) == 1 and spy.calls[0]["cache_paths"] is None       # calix's default cache
    edited = pop.actual_hwparams[0]
    edited.leak.v_leak = 1000
    sim.run(None, RunCommand.PREPARE)
    assert pop.actual_hwparams[0] is edited and len(spy.calls) == 1          # edits stay
    pop[1:2].set(tau_m=20)
    sim.run(None, RunCommand.PREPARE)
    assert len(spy.calls) == 2
    assert spy.calls[1]["target"].neuron_target.per_neuron("tau_mem")[1] == pytest.approx(20e-6)
    assert pop.actual_hwparams[0] is not edited                               # a new calibration
    assert pop.actual_hwparams[0] == result.neurons[halco.AtomicNeuronOnDLS.from_enum(0)]


def test_an_injected_target_sets_the_other_circuits_and_the_cadc(sim, spy):
    injected = calix.SpikingCalibTarget(cadc_target=calix.CADCCalibTarget(read_range=(30, 210)),
                                        neuron_target=calix.NeuronCalibTarget(leak=100, tau_mem=20e-6))
    options = calix.SpikingCalibOptions(neuron_options=calix.NeuronCalibOptions(seed=3))
    sim.setup(injected_calib_target=injected, injected_calib_options=options)
    sim.Population(1, sim.cells.CalibHXNeuronCuba(v_rest=60))
    sim.run(None, RunCommand.PREPARE)
    call = spy.calls[0]
    assert call["options"] is options
    assert call["target"].cadc_target.read_range == (30, 210)
    leak = call["target"].neuron_target.per_neuron("leak")
    assert leak[0] == 60 and np.all(leak[1:] == 100)
    with pytest.raises(TypeError, match="injected_calib_target must be a calix.SpikingCalibTarget"):
        sim.setup(injected_calib_target=calix.NeuronCalibTarget())
    with pytest.raises(TypeError, match="injected_calib_options must be a calix.SpikingCalibOptions"):
        sim.setup(injected_calib_options=calix.NeuronCalibOptions())
    with pytest.raises(TypeError, match="calibration_cache must be a directory"):
        sim.setup(calibration_cache=3)


def test_synapse_dac_bias_is_calix_target_and_the_calibrated_biases_reach_the_chip(sim, spy):
    sim.setup()
    sim.Population(1, sim.cells.CalibHXNeuronCuba(synapse_dac_bias=700))
    sim.run(None, RunCommand.PREPARE)
    assert spy.calls[-1]["target"].neuron_target.synapse_dac_bias == 700
    chip = simulator.state.base_chip()
    calibrated = spy.result.neuron_result.syn_i_bias_dac
    for block in range(4):
        cell = halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock.syn_i_bias_dac, halco.CapMemBlockOnDLS(block))
        assert chip.capmem.shared_cells[_SHARED_CELLS.index(cell)].value == calibrated[block]


# -- the real calibration -------------------------------------------------------------------------

def test_calibrated_neurons_rest_at_their_targets_and_fire_when_edited(sim, result, calib_cache):
    """pb2/examples/calibhxneuron.py and the hw test: silent without input, each resting at its
    v_rest on the calibrated CADC (with CapMem values of its own: the circuits' mismatch);
    leak_v_leak = 1022 in actual_hwparams makes neurons 0 and 2 fire; views give their cells'
    neurons of the parent."""
    pop = _network(sim, calib_cache)
    pop.record(["v", "spikes"], device="cadc")
    sim.run(None, RunCommand.PREPARE)
    assert np.array_equal(pop.calib_target["v_rest"].evaluate(), V_REST)
    assert np.array_equal(pop[1:3].calib_target["v_rest"].evaluate(), V_REST[1:3])
    hw = pop.calib_hwparams
    assert [n.threshold.enable for n in hw] == [True] * 4
    assert len({n.leak.v_leak for n in hw}) > 1 and len({n.leak.i_bias for n in hw}) > 1
    assert pop[1:3].actual_hwparams[1] is pop.actual_hwparams[2]
    sim.run(0.05)
    rest = pop.get_data().segments[0].irregularlysampledsignals
    means = [float(np.mean(s.magnitude[10:])) for s in rest]
    assert np.allclose(means, V_REST, atol=3)
    assert all(len(s) == 0 for s in spike_times(pop))
    sim.reset()
    pop.actual_hwparams[0].leak.v_leak = 1022
    pop[1:3].actual_hwparams[1].leak.v_leak = 1022
    assert pop.calib_hwparams[0].leak.v_leak == hw[0].leak.v_leak              # copies
    sim.run(0.1)
    counts = [len(s) for s in spike_times(pop)]
    assert counts[0] >= 3 and counts[2] >= 3 and counts[1] == 0 and counts[3] == 0


def test_calibrated_neurons_follow_strong_input(sim, result, calib_cache):
    """hw test calibhxneuron's drive (ten Poisson sources at 1e5 Hz, weight 63): the calibrated
    membranes rise well above rest; inhibition of the same strength pushes them below. (The
    emulated synaptic inputs saturate under such sustained input, so the neurons do not reach
    their threshold as the real chip's do.)"""
    pop = _network(sim, calib_cache)
    sources = sim.Population(10, sim.SpikeSourcePoisson(rate=1e5, start=0, duration=0.1))
    exc = sim.Projection(sources, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=63))
    inh = sim.Projection(sources, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0),
                         receptor_type="inhibitory")
    pop.record("v", device="cadc")
    means = {}
    for kind, (w_exc, w_inh) in {"excitatory": (63, 0), "inhibitory": (0, -63)}.items():
        exc.set(weight=w_exc)
        inh.set(weight=w_inh)
        sim.run(0.1)
        signals = pop.get_data(clear=True).segments[0].irregularlysampledsignals
        means[kind] = np.array([np.mean(s.magnitude[20:]) for s in signals])
        sim.reset()
    assert np.all(means["excitatory"] > np.array(V_REST) + 15)
    assert np.all(means["inhibitory"] < np.array(V_REST) - 10)
