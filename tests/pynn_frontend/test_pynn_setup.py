"""setup, run, reset, end: the simulator's life cycle, run commands and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from pyNN import errors as pynn_errors

import lola
import pynn_frontend as pynn
from pynn_frontend import RunCommand, simulator
from _pynn_helpers import LOT, sim  # noqa: F401


def test_setup_defaults(sim):
    assert sim.setup() == 0
    assert sim.get_time_step() == pytest.approx(3.4e-05)
    assert sim.get_min_delay() == 0 and sim.get_max_delay() == 0
    assert sim.get_current_time() == 0
    assert sim.num_processes() == 1 and sim.rank() == 0
    assert sim.list_standard_models() == [sim.cells.HXNeuron, sim.cells.CalibHXNeuronCuba,
                                          sim.cells.CalibHXNeuronCoba]


def test_setup_refuses_unknown_keywords_and_accepts_pynn_ones(sim):
    with pytest.raises(KeyError, match="unhandled extra_params.*bogus"):
        sim.setup(bogus=1)
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=1.0, threads=2, spike_precision="on_grid")
    assert sim.get_time_step() == 0.1 and sim.get_min_delay() == 0.1


@pytest.mark.parametrize("permutation, error", [
    ([3, 3], ValueError),                # a circuit twice
    ([512], OverflowError),              # not a circuit
    (list(range(512)) + [0], OverflowError),
    ([-1], TypeError),
    ([1.5], TypeError),
])
def test_neuron_permutation_errors(sim, permutation, error):
    with pytest.raises(error, match="neuronPermutation"):
        sim.setup(neuronPermutation=permutation)
    sim.setup()                          # still usable
    sim.Population(1, sim.cells.HXNeuron())


def test_neuron_permutation_places_cells_in_order(sim):
    sim.setup(neuronPermutation=[7, 300, 2])
    a = sim.Population(1, sim.cells.HXNeuron())
    sim.Population(2, sim.SpikeSourceArray())          # sources take no circuit
    b = sim.Population(2, sim.cells.HXNeuron())
    assert a.atomic_neurons.tolist() == [7] and b.atomic_neurons.tolist() == [300, 2]
    with pytest.raises(ValueError, match="does not fit.*0 of neuronPermutation's 3"):
        sim.Population(1, sim.cells.HXNeuron())
    sim.setup(neuronPermutation=list(range(511, -1, -1)))      # a full permutation
    assert sim.Population(512, sim.cells.HXNeuron()).atomic_neurons[0] == 511


def test_population_larger_than_the_chip(sim):
    sim.setup()
    with pytest.raises(ValueError, match="'big' of 513 neurons does not fit: 512 of the chip's 512"):
        sim.Population(513, sim.cells.HXNeuron(), label="big")
    # nothing half-added: the IDs and circuits are still free
    pop = sim.Population(512, sim.cells.HXNeuron())
    assert int(pop.all_cells[0]) == 0 and len(simulator.state.populations) == 1
    assert len(simulator.state.recorders) == 1


def test_ids_are_global_over_populations(sim):
    sim.setup()
    a = sim.Population(3, sim.cells.HXNeuron())
    s = sim.Population(2, sim.SpikeSourceArray())
    b = sim.Population(1, sim.cells.HXNeuron())
    assert [int(i) for i in a.all_cells] + [int(i) for i in s.all_cells] + [int(i) for i in b.all_cells] \
        == list(range(6))


def test_second_run_without_reset_raises_and_reset_starts_a_segment(sim):
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron(**LOT))
    pop.record("spikes")
    assert sim.run(0.02) == pytest.approx(0.02)
    assert sim.get_current_time() == pytest.approx(0.02)
    with pytest.raises(RuntimeError, match="reset"):
        sim.run(0.02)
    with pytest.raises(RuntimeError):
        sim.run(0.02, RunCommand.APPEND)
    for _ in range(2):
        sim.reset()
        assert sim.get_current_time() == 0
        sim.run(0.02)
    block = pop.get_data()
    assert [s.name for s in block.segments] == ["segment000", "segment001", "segment002"]
    assert pop.get_data(clear=True).segments and len(pop.get_data().segments) == 1


def test_empty_network_runs(sim):
    sim.setup()
    sim.run(0.2)
    with pytest.raises(RuntimeError):
        sim.run(0.2)


def test_run_commands(sim):
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron(**LOT))
    pop.record("spikes")
    with pytest.raises(ValueError, match="no snippet queued"):
        sim.run(None)
    with pytest.raises(ValueError, match="needs a runtime"):
        sim.run(None, RunCommand.APPEND)
    assert sim.run(None, RunCommand.PREPARE) == 0
    assert sim.run(0.02, RunCommand.APPEND) == pytest.approx(0.02)
    assert sim.run(0.03, RunCommand.APPEND) == pytest.approx(0.05)
    assert sim.run(0.01) == pytest.approx(0.06)          # appends one more, runs all three
    trains = pop.get_data().segments[0].spiketrains
    bounds = [float(b) for t in trains for b in (t.t_start, t.t_stop)]
    assert bounds == pytest.approx([0, 0.02, 0.02, 0.05, 0.05, 0.06])
    for train in trains:
        assert np.all((train.magnitude >= float(train.t_start)) & (train.magnitude < float(train.t_stop)))
    with pytest.raises(TypeError, match="RunCommand"):
        sim.run(0.1, "EXECUTE")
    with pytest.raises(ValueError, match="32-bit timer"):
        sim.run(1e5, RunCommand.APPEND)
    with pytest.raises(ValueError, match="runtime"):
        sim.run(-1.0, RunCommand.APPEND)


def test_preprocess_is_deprecated_prepare(sim):
    sim.setup()
    sim.Population(1, sim.cells.HXNeuron())
    with pytest.warns(DeprecationWarning):
        sim.preprocess()


def test_run_until_and_run_for(sim):
    sim.setup()
    assert sim.run_for(0.01, RunCommand.APPEND) == pytest.approx(0.01)
    assert sim.run_until(0.03) == pytest.approx(0.03)
    sim.reset()
    with pytest.raises(ValueError, match="in the past"):
        sim.run_until(-1)


def test_nothing_before_setup_and_after_end(sim):
    simulator.state = simulator.State()
    with pytest.raises(RuntimeError, match="setup"):
        sim.Population(1, sim.cells.HXNeuron())
    with pytest.raises(RuntimeError, match="setup"):
        sim.run(0.1)
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron(**LOT))
    pop.record("spikes")
    sim.run(0.02)
    sim.end()
    assert len(pop.get_data().segments[0].spiketrains) == 1     # data stay readable
    with pytest.raises(RuntimeError, match="ended"):
        sim.run(0.1)


def test_setup_after_a_failure_starts_clean(sim):
    sim.setup()
    sim.Population(500, sim.cells.HXNeuron())
    with pytest.raises(ValueError):
        sim.Population(20, sim.cells.HXNeuron())
    sim.setup()
    assert sim.Population(512, sim.cells.HXNeuron()).size == 512


def test_setup_checks_its_arguments(sim):
    with pytest.raises(TypeError, match="initial_config must be a lola.Chip"):
        sim.setup(initial_config="calibration.pbin")
    with pytest.raises(TypeError, match="enable_neuron_bypass"):
        sim.setup(enable_neuron_bypass=1)
    with pytest.raises(ValueError, match="chip_id"):
        sim.setup(chip_id=-1)
    with pytest.raises(TypeError, match="JITGraphExecutor"):
        sim.setup(connection=object())
    with pytest.raises(Exception, match="min_delay"):
        sim.setup(timestep=0.1, min_delay=0.01)


def test_one_connection_over_several_setups(sim):
    from grenade.execution import JITGraphExecutor

    with JITGraphExecutor() as executor:
        counts = []
        for _ in range(3):
            sim.setup(connection=executor)
            pop = sim.Population(2, sim.cells.HXNeuron(**LOT))
            pop.record("spikes")
            sim.run(0.03)
            counts.append(sum(pop.get_spike_counts().values()))
            sim.end()
        assert executor.chips() == [0] and min(counts) > 0


def test_injected_configuration_and_readout(sim):
    import halco
    import haldls

    coordinate = halco.CrossbarOutputConfigOnDLS()
    config = haldls.CrossbarOutputConfig(enable_event_counter=[True] * 12)
    counters = [halco.CrossbarOutputOnDLS(i) for i in (0, 8)]
    sim.setup(enable_neuron_bypass=True,
              injected_config=sim.InjectedConfiguration(pre_realtime={coordinate: config}),
              injected_readout=sim.InjectedReadout(pre_realtime=set(counters), post_realtime=set(counters)))
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(200) * 1e-3 + 0.001))
    neurons = sim.Population(1, sim.cells.HXNeuron())
    sim.Projection(source, neurons, sim.AllToAllConnector(), sim.StaticSynapse(weight=63))
    with pytest.raises(RuntimeError):
        sim.get_post_realtime_read()
    sim.run(0.25)
    before, after = sim.get_pre_realtime_read(), sim.get_post_realtime_read()
    differences = [after[c].value - before[c].value for c in counters]
    assert max(differences) >= 160 and min(differences) >= 0


def test_injection_hooks_are_checked_at_setup(sim):
    with pytest.raises(TypeError, match="InjectedConfiguration"):
        sim.setup(injected_config={})
    with pytest.raises(NotImplementedError, match="ppu_symbols"):
        sim.setup(injected_config=sim.InjectedConfiguration(ppu_symbols={"x": 1}))
    with pytest.raises(NotImplementedError, match="inside_realtime_begin"):
        sim.setup(injected_readout=sim.InjectedReadout(inside_realtime_begin={1}))


def test_a_failed_run_leaves_the_simulation_usable(sim):
    sim.setup(enable_neuron_bypass=True)
    noise = sim.Population(2, sim.SpikeSourcePoissonOnChip(rate=[1e6, 2e6], seed=1))
    neurons = sim.Population(2, sim.cells.HXNeuron())
    sim.Projection(noise, neurons, sim.OneToOneConnector(), sim.StaticSynapse(weight=63))
    neurons.record("spikes")
    with pytest.raises(ValueError, match="rate must be the same for every cell"):
        sim.run(0.02)
    assert sim.get_current_time() == 0
    noise.set(rate=1e6)
    sim.run(0.02)
    assert len(neurons.get_data().segments) == 1 and neurons.mean_spike_count() > 5
