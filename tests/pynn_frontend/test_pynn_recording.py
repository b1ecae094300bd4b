"""Recording: spikes of any cell, one analog variable per neuron through the MADC (two
neurons, different column parity) or the CADC, the real backend's errors, Neo output."""

from __future__ import annotations

import neo
import numpy as np
import pytest
import quantities as pq
from pyNN import errors as pynn_errors

from pynn_frontend import RunCommand
from _pynn_helpers import LOT, cadc_chip, sim, trace  # noqa: F401


def _lot(sim, n=4, **setup):
    sim.setup(**setup)
    return sim.Population(n, sim.cells.HXNeuron(**LOT))


def test_spike_trains_and_their_annotations(sim):
    pop = _lot(sim, 3)
    silent = sim.Population(2, sim.cells.HXNeuron())
    pop[0:2].record("spikes")
    silent.record("spikes")
    sim.run(0.05)
    block = pop.get_data()
    assert isinstance(block, neo.Block) and len(block.segments) == 1
    trains = block.segments[0].spiketrains
    assert len(trains) == 2                                     # the recorded cells only
    for index, train in enumerate(trains):
        assert train.units == pq.ms and float(train.t_start) == 0 and float(train.t_stop) == pytest.approx(0.05)
        assert train.annotations["source_population"] == pop.label
        assert train.annotations["source_id"] == int(pop[index]) and train.annotations["source_index"] == index
        assert train.annotations["source_location"] == "unlabeled"
        assert len(train) >= 2 and np.all(np.diff(train.magnitude) > 0)
    empty = silent.get_data().segments[0].spiketrains
    assert [len(t) for t in empty] == [0, 0]                   # empty trains are still returned
    counts = pop.get_spike_counts()
    assert set(counts) == {int(pop[0]), int(pop[1])} and min(counts.values()) >= 2
    assert pop.mean_spike_count() == pytest.approx(np.mean(list(counts.values())))
    assert silent.mean_spike_count() == 0


def test_membrane_via_madc(sim):
    pop = _lot(sim, 2)
    pop[0:1].record(["v", "spikes"])
    sim.run(0.05)
    signals = pop.get_data().segments[0].irregularlysampledsignals
    assert len(signals) == 1
    v = signals[0]
    assert v.name == "v" and v.annotations["device"] == "madc" and v.annotations["source_ids"] == [int(pop[0])]
    assert v.units == pq.dimensionless and v.times.units == pq.ms
    assert v.array_annotations["channel_index"].tolist() == [0]
    assert len(v) > 400 and 0 <= v.magnitude.min() and v.magnitude.max() <= 1023
    assert float(v.times[-1]) < 0.05
    with pytest.raises(IndexError):                             # the other cell recorded nothing
        pop[1:2].get_data().segments[0].irregularlysampledsignals[0]


def test_two_madc_channels(sim):
    pop = _lot(sim, 2)
    pop[0:1].record(["adaptation", "spikes"])
    pop[1:2].record("v")
    sim.run(0.05)
    signals = pop.get_data().segments[0].irregularlysampledsignals
    assert [s.name for s in signals] == ["adaptation", "v"]
    assert signals[0].magnitude.std() < signals[1].magnitude.std()     # the sawtooth is on v


@pytest.mark.parametrize("variables", [["v", "inh_synin"], ["exc_synin", "adaptation"]])
def test_one_analog_variable_per_neuron(sim, variables):
    pop = _lot(sim, 2)
    with pytest.raises(ValueError, match="only one analog variable"):
        pop.record(variables)
    pop[0:1].record(variables[0])
    with pytest.raises(ValueError, match="only one analog variable"):
        pop[0:1].record(variables[1])
    pop.record(None)                                          # resets the whole population
    pop[0:1].record(variables[1])


def test_madc_limits(sim):
    sim.setup(neuronPermutation=[0, 2, 1, 3])
    pop = sim.Population(4, sim.cells.HXNeuron())
    with pytest.raises(ValueError, match="at most two neurons via MADC"):
        pop[0:3].record("v")
    with pytest.raises(ValueError, match="different parity.*columns 0 and 2"):
        pop[0:2].record("v")
    pop[0:1].record("v")
    pop[2:3].record("v")                       # columns 0 and 1
    with pytest.raises(ValueError, match="at most two"):
        pop[3:4].record("exc_synin")
    pop[3:4].record("v", device="cadc")


def test_unknown_variables_and_devices(sim):
    pop = _lot(sim, 1)
    with pytest.raises(RuntimeError, match="cannot record 'gsyn_exc'"):
        pop.record("gsyn_exc")
    with pytest.raises(pynn_errors.RecordingError):
        pop.record(["spikes", "w"])
    with pytest.raises(ValueError, match="unknown recording device 'scope'"):
        pop.record("v", device="scope")
    with pytest.raises(ValueError, match="unknown recording device 'pad_2'"):
        pop.record("v", device="pad_2")
    with pytest.raises(NotImplementedError, match="sampling_interval"):
        pop.record("v", sampling_interval=1e-3)
    with pytest.raises(ValueError, match="locations"):
        pop.record("v", locations=["soma"])
    assert pop.recorder.recorded == {} or all(not v for v in pop.recorder.recorded.values())


def test_pads(sim):
    pop = _lot(sim, 3)
    pop[0:1].record("v", device="pad_0")
    pop[1:2].record("v", device="pad_1_unbuffered")
    with pytest.raises(ValueError, match="pad_0 already shows"):
        pop[2:3].record("v", device="pad_0_buffered")
    with pytest.raises(ValueError, match="one neuron"):
        pop[1:3].record("v", device="pad_1")
    sim.run(0.01)                                               # pads return nothing
    assert len(pop.get_data().segments[0].irregularlysampledsignals) == 0


def test_cadc_records_many_neurons(sim):
    sim.setup(initial_config=cadc_chip())
    leaks = [0, 150, 300, 450, 600]
    pop = sim.Population(5, sim.cells.HXNeuron(leak_v_leak=leaks, leak_i_bias=500,
                                               membrane_capacitance_capacitance=63))
    madc = sim.Population(1, sim.cells.HXNeuron(leak_v_leak=200, leak_i_bias=500))
    pop.record("v", device="cadc")
    madc.record("v")
    sim.run(0.05)
    signals = pop.get_data().segments[0].irregularlysampledsignals
    assert len(signals) == 5 and {s.annotations["device"] for s in signals} == {"cadc"}
    values = [float(s.magnitude[-1, 0]) for s in signals]
    assert np.all(np.diff(values) > 10) and max(values) < 255             # follows the leak potential
    assert len(madc.get_data().segments[0].irregularlysampledsignals[0]) > len(signals[0])


def test_clear_and_segments(sim):
    pop = _lot(sim, 2)
    other = sim.Population(1, sim.cells.HXNeuron(**LOT))
    pop.record("spikes")
    other.record("spikes")
    for _ in range(3):
        sim.run(0.02)
        sim.reset()
    assert len(pop.get_data().segments) == 3
    assert len(pop.get_data(clear=True).segments) == 3
    assert len(pop.get_data().segments) == 0
    assert len(other.get_data().segments) == 3                   # other populations keep theirs
    sim.run(0.02)
    data = pop.get_data(clear=True)
    assert len(data.segments) == 1 and len(data.segments[0].spiketrains) == 2
    sim.reset()
    sim.run(0.02)
    assert len(pop.get_data().segments) == 1


def test_spike_recording_switched_between_snippets(sim):
    sim.setup(enable_neuron_bypass=True)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(0, 0.06, 0.0005)))
    neuron = sim.Population(1, sim.cells.HXNeuron())
    sim.Projection(source, neuron, sim.AllToAllConnector(), sim.StaticSynapse(weight=63))
    for k in range(6):
        if k % 2 == 0:
            neuron.record("spikes")
        else:
            neuron.record(None)
        sim.run(0.01, RunCommand.APPEND)
    sim.run(None, RunCommand.EXECUTE)
    trains = neuron.get_data().segments[0].spiketrains
    assert len(trains) == 3
    assert [float(t.t_start) for t in trains] == pytest.approx([0, 0.02, 0.04])
    assert all(abs(len(t) - 20) <= 1 for t in trains)
    assert all(t.annotations["source_id"] == int(neuron[0]) for t in trains)


def test_views_filter_recorded_data(sim):
    pop = _lot(sim, 4)
    pop.record("spikes")
    pop[0:1].record("v")
    sim.run(0.03)
    sim.reset()
    sim.run(0.03)
    view = pop[1:3]
    for segment in view.get_data().segments:                    # cached segments are filtered too
        assert [t.annotations["source_index"] for t in segment.spiketrains] == [1, 2]
        assert len(segment.irregularlysampledsignals) == 0
    assert len(pop.get_data("v").segments[0].spiketrains) == 0


def test_write_data_and_record_to_file(sim, tmp_path):
    pop = _lot(sim, 2)
    pop.record(["spikes"], to_file=str(tmp_path / "on_end.pkl"))
    pop[0:1].record("v")
    sim.run(0.03)
    path = tmp_path / "now.pkl"
    pop.write_data(str(path))
    back = neo.io.PickleIO(filename=str(path)).read_block()
    assert len(back.segments[0].spiketrains) == 2 and len(back.segments[0].irregularlysampledsignals) == 1
    sim.end()
    assert (tmp_path / "on_end.pkl").exists()


def test_source_spikes_are_recorded(sim):
    sim.setup(enable_neuron_bypass=True)
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[[0.01, 0.02], [0.015]]))
    lonely = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.01]))
    source.record("spikes")
    lonely.record("spikes")                       # connected to nothing: recorded all the same
    sim.run(0.03)
    trains = source.get_data().segments[0].spiketrains
    assert [len(t) for t in trains] == [2, 1]
    assert np.allclose(trains[0].magnitude, [0.01, 0.02], atol=2e-4)
    assert len(lonely.get_data().segments[0].spiketrains[0]) == 1


def test_assembly_recording(sim):
    sim.setup(initial_config=cadc_chip())
    a = sim.Population(1, sim.cells.HXNeuron(**LOT))
    b = sim.Population(1, sim.cells.HXNeuron(**LOT))
    assembly = a + b
    assembly.record("spikes")
    assembly.record("v", device="cadc")
    sim.run(0.02)
    data = assembly.get_data()
    assert len(data.segments[0].spiketrains) == 2 and len(data.segments[0].irregularlysampledsignals) == 2
    assert assembly.mean_spike_count() > 1


def test_forced_settings_of_the_recorded_neurons(sim):
    """The backend sets every neuron's analog output to normal and shows the recorded variable
    on its readout."""
    import lola
    from pynn_frontend import mapping, simulator

    sim.setup()
    pop = sim.Population(3, sim.cells.HXNeuron())
    pop[0:1].record("exc_synin")
    with pytest.raises(ValueError, match="the CADC reads the membrane"):
        pop[1:2].record("adaptation", device="cadc")
    pop[1:2].record("v", device="cadc")
    pop[2:3].record("adaptation", device="pad_0")
    state = simulator.state
    chip = mapping.build_chip(state, mapping.build_network(state))
    neurons = [chip.neuron_block.atomic_neurons[int(a)] for a in pop.atomic_neurons]
    source = lola.AtomicNeuron.Readout.Source
    assert [n.readout.source for n in neurons] == [source.exc_synin, source.membrane, source.adaptation]
    normal = lola.AtomicNeuron.EventRouting.AnalogOutputMode.normal
    assert all(n.event_routing.analog_output == normal for n in neurons)
