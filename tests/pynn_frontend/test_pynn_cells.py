"""Cell types: HXNeuron's parameters (names, defaults, ranges, the initial configuration),
the spike sources' parameters."""

from __future__ import annotations

import numpy as np
import pytest
from pyNN import errors as pynn_errors
from pyNN.parameters import Sequence

import lola
from lola.neuron_array import FLAT_FIELDS
from pynn_frontend import RunCommand
from pynn_frontend.standardmodels.cells import NOT_CONFIGURABLE
from _pynn_helpers import LOT, sim  # noqa: F401


def test_hxneuron_parameter_names_are_lolas_flattened_fields():
    import pynn_frontend as pynn

    names = pynn.cells.HXNeuron.get_parameter_names()
    assert len(names) == 72                       # 70 circuit parameters + 2 plasticity_rule_*
    assert set(names) == (set(FLAT_FIELDS) - set(NOT_CONFIGURABLE)) | {
        "plasticity_rule_readout_source", "plasticity_rule_enable_readout_source"}
    for name in ("leak_v_leak", "threshold_enable", "refractory_period_reset_holdoff",
                 "multicompartment_i_bias_nmda", "bayesian_operation", "constant_current_type"):
        assert name in names


def test_hxneuron_defaults_are_lolas(sim):
    sim.setup()
    pop = sim.Population(2, sim.cells.HXNeuron())
    assert pop.get("leak_v_leak") == 0.0 and pop.get("threshold_enable") is False
    assert pop.get("excitatory_input_enable_small_capacitance") == True  # noqa: E712
    assert pop.get("bayesian_to_post_pulse") == True  # noqa: E712
    assert pop.get("refractory_period_reset_holdoff") == 15.0
    default = lola.AtomicNeuron()
    for name in sim.cells.HXNeuron.get_parameter_names():
        f = FLAT_FIELDS.get(name)
        if f is not None:
            assert pop.get(name) == int(getattr(getattr(default, f.member), f.field)), name


@pytest.mark.parametrize("name", [*NOT_CONFIGURABLE, "readout_i_bias", "leak_reset_i_bias_source_follower"])
def test_not_configurable_parameters_raise(sim, name):
    sim.setup()
    with pytest.raises(pynn_errors.NonExistentParameterError, match=name):
        sim.cells.HXNeuron(**{name: 1})
    pop = sim.Population(1, sim.cells.HXNeuron())
    with pytest.raises(pynn_errors.NonExistentParameterError):
        pop.set(**{name: 1})
    with pytest.raises(pynn_errors.NonExistentParameterError):
        pop.get(name)


def test_unknown_parameter_raises(sim):
    sim.setup()
    with pytest.raises(pynn_errors.NonExistentParameterError, match="tau_m"):
        sim.cells.HXNeuron(tau_m=10)
    with pytest.raises(pynn_errors.NonExistentParameterError, match="tau_m"):
        sim.Population(1, sim.cells.HXNeuron()).set(tau_m=10)


@pytest.mark.parametrize("name, value", [("leak_v_leak", 1023), ("leak_i_bias", -1),
                                         ("membrane_capacitance_capacitance", 64),
                                         ("refractory_period_refractory_time", 256),
                                         ("bayesian_operation", 4), ("leak_v_leak", np.nan)])
def test_values_outside_the_hardware_range_raise_naming_the_parameter(sim, name, value):
    sim.setup()
    with pytest.raises(pynn_errors.InvalidParameterValueError, match=name):
        sim.Population(1, sim.cells.HXNeuron(**{name: value}))
    pop = sim.Population(3, sim.cells.HXNeuron())       # nothing half-added before
    assert int(pop.all_cells[0]) == 0
    with pytest.raises(ValueError, match=f"{name}.*cell 1"):
        pop.set(**{name: [0, value, 0]})
    assert pop.get(name) == 0                              # unchanged


def test_flags_take_bools(sim):
    sim.setup()
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="threshold_enable"):
        sim.Population(1, sim.cells.HXNeuron(threshold_enable=2))


def test_values_per_cell_views_and_ids(sim):
    sim.setup()
    pop = sim.Population(4, sim.cells.HXNeuron(leak_v_leak=[100, 200, 300, 400]))
    assert pop.get("leak_v_leak").tolist() == [100, 200, 300, 400]
    pop[1:3].set(leak_v_leak=700)
    assert pop.get("leak_v_leak").tolist() == [100, 700, 700, 400]
    pop[[0, 3]].set(threshold_enable=[True, False])
    assert pop.get("threshold_enable").tolist() == [True, False, False, False]
    pop[2].leak_i_bias = 55
    assert pop[2].leak_i_bias == 55 and pop.get("leak_i_bias").tolist() == [0, 0, 55, 0]
    assert pop.get(["leak_v_leak", "leak_i_bias"], simplify=False)[1].tolist() == [0, 0, 55, 0]
    view = sim.PopulationView(pop, [1, 3])
    assert view.get("leak_v_leak").tolist() == [700, 400]
    pop.set(leak_v_leak=sim.RandomDistribution("uniform", low=0, high=1022, rng=sim.NumpyRNG(seed=1)))
    assert 0 <= pop.get("leak_v_leak").min() and pop.get("leak_v_leak").max() <= 1022


def test_old_style_cellclass_and_cellparams(sim):
    sim.setup()
    with pytest.warns(DeprecationWarning):
        pop = sim.Population(2, sim.cells.HXNeuron, cellparams={"leak_v_leak": 300})
    assert pop.get("leak_v_leak") == 300


def test_fractional_values_are_truncated_on_the_chip(sim):
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron(leak_v_leak=500.7))
    assert pop.get("leak_v_leak") == 500.7
    assert sim.cells.HXNeuron.create_hw_entity({"leak_v_leak": 500.7}).leak.v_leak == 500


def test_create_hw_entity(sim):
    params = {"leak_v_leak": 650, "leak_i_bias": 420, "leak_enable_division": True, "bayesian_operation": 2}
    a = sim.cells.HXNeuron.create_hw_entity(params)
    b = sim.cells.HXNeuron.create_hw_entity(dict(params))
    assert a == b and isinstance(a, lola.AtomicNeuron)
    assert a.leak.v_leak == 650 and a.leak.enable_division is True
    assert a.bayesian.operation == lola.AtomicNeuron.Bayesian.Operation(2)
    assert a.event_routing.analog_output == lola.AtomicNeuron.EventRouting.AnalogOutputMode.normal
    with pytest.raises(pynn_errors.NonExistentParameterError):
        sim.cells.HXNeuron.create_hw_entity({"readout_source": 1})


def _calibration() -> lola.Chip:
    chip = lola.Chip()
    for atom, (v_leak, i_bias) in enumerate([(666, 420), (555, 321)]):
        neuron = chip.neuron_block.atomic_neurons[atom]
        leak = neuron.leak
        leak.v_leak, leak.i_bias = v_leak, i_bias
        neuron.leak = leak
        chip.neuron_block.atomic_neurons[atom] = neuron
    return chip


def test_initial_config_gives_parameters_after_prepare(sim):
    sim.setup(initial_config=_calibration())
    pop = sim.Population(2, sim.cells.HXNeuron(leak_i_bias=[100, 200]))
    with pytest.raises(RuntimeError, match="initial config is not yet applied"):
        pop.get("leak_v_leak")
    with pytest.raises(RuntimeError, match="initial config"):
        pop.set(leak_v_leak=1)
    sim.run(None, RunCommand.PREPARE)
    assert pop.get("leak_v_leak").tolist() == [666, 555]
    assert pop.get("leak_i_bias").tolist() == [100, 200]         # the constructor's values win
    pop[0:1].set(leak_v_leak=1)
    sim.run(None, RunCommand.PREPARE)                              # later sets survive a mapping
    assert pop.get("leak_v_leak").tolist() == [1, 555]


def test_initial_config_with_a_permutation_follows_the_circuits(sim):
    sim.setup(initial_config=_calibration(), neuronPermutation=[1, 0])
    pop = sim.Population(2, sim.cells.HXNeuron())
    sim.run(None, RunCommand.PREPARE)
    assert pop.get("leak_v_leak").tolist() == [555, 666]


def test_initial_config_threshold_switched_off_silences(sim):
    calibration = lola.Chip()
    for atom in range(2):
        calibration.neuron_block.atomic_neurons[atom] = sim.cells.HXNeuron.create_hw_entity(LOT)
    sim.setup(initial_config=calibration)
    on = sim.Population(1, sim.cells.HXNeuron())
    off = sim.Population(1, sim.cells.HXNeuron(threshold_enable=False))
    on.record("spikes"), off.record("spikes")
    sim.run(0.05)
    assert len(on.get_data().segments[0].spiketrains[0]) > 2
    assert len(off.get_data().segments[0].spiketrains[0]) == 0


def test_bypass_preset_is_the_initial_config(sim):
    sim.setup(enable_neuron_bypass=True)
    pop = sim.Population(1, sim.cells.HXNeuron())
    sim.run(None, RunCommand.PREPARE)
    assert pop.get("event_routing_enable_bypass_excitatory") == True  # noqa: E712


def test_initialize_takes_the_reset_potentials_capmem_value(sim):
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron())
    pop.initialize(v=300)                    # the first reset's reset_v_reset (test_pynn_initial_values)
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="0..1022"):
        pop.initialize(v=1023)
    with pytest.raises(NotImplementedError, match="no state variable 'isyn_exc'"):
        pop.initialize(isyn_exc=0)


# -- spike sources -----------------------------------------------------------------------------------

def test_spike_source_array_forms(sim):
    sim.setup()
    shared = sim.Population(2, sim.SpikeSourceArray(spike_times=[0.1, 0.2]))
    assert shared.get("spike_times") == Sequence([0.1, 0.2])
    own = sim.Population(2, sim.SpikeSourceArray(spike_times=[Sequence([0.1]), Sequence([0.2, 0.3])]))
    assert [s.value.tolist() for s in own.get("spike_times")] == [[0.1], [0.2, 0.3]]
    arrays = sim.Population(2, sim.SpikeSourceArray(spike_times=np.array([0.1, 0.2])))
    arrays.set(spike_times=[Sequence([0.5]), Sequence([0.6])])
    assert [s.value.tolist() for s in arrays.get("spike_times")] == [[0.5], [0.6]]
    arrays[1:2].set(spike_times=Sequence([0.7, 0.8]))
    assert [s.value.tolist() for s in arrays.get("spike_times")] == [[0.5], [0.7, 0.8]]


def test_spike_times_must_be_sorted_and_not_negative(sim):
    sim.setup()
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="sorted"):
        sim.Population(2, sim.SpikeSourceArray(spike_times=[[0.1, 0.2], [0.3, 0.25]]))
    with pytest.raises(pynn_errors.InvalidParameterValueError, match=">= 0"):
        sim.Population(1, sim.SpikeSourceArray(spike_times=[-0.1]))
    pop = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.1]))
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="sorted"):
        pop.set(spike_times=[0.3, 0.2])


def test_poisson_parameters(sim):
    sim.setup()
    pop = sim.Population(2, sim.SpikeSourcePoisson, {"rate": [5, 6], "start": [1, 2]})
    assert pop.get("rate").tolist() == [5, 6] and pop.get("duration") == 1e10
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="rate"):
        pop.set(rate=-1)
    with pytest.raises(pynn_errors.NonExistentParameterError):
        sim.SpikeSourcePoisson(tau_refrac=1)


def test_poisson_on_chip_parameters(sim):
    sim.setup()
    pop = sim.Population(4, sim.SpikeSourcePoissonOnChip(rate=2e5, seed=3))
    assert pop.get("rate") == 2e5 and pop.get("seed") == 3
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="seed"):
        pop.set(seed=-1)
    period, register, achieved = sim.SpikeSourcePoissonOnChip.generator_config(2e5, 4)
    assert achieved == pytest.approx(2e5, rel=0.01) and 0 <= register <= 255 and 0 <= period <= 0xFFFF
    with pytest.raises(RuntimeError, match="below the background generator's clock"):
        sim.SpikeSourcePoissonOnChip.generator_config(5e7, 4)


def test_spike_sources_record_only_spikes(sim):
    sim.setup()
    pop = sim.Population(1, sim.SpikeSourceArray())
    with pytest.raises(RuntimeError, match="cannot record 'v'"):
        pop.record("v")
    with pytest.raises(pynn_errors.RecordingError):
        pop.record("v")
