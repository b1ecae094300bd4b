"""The real tutorials' flows that need only HXNeuron, spike sources, static synapses and
recording (reference: pynn_brainscales.md section 6), each asserting what the tutorial expects.
Runtimes are short (tens of microseconds of hardware time)."""

from __future__ import annotations

import numpy as np
import pytest

from pynn_frontend import RunCommand
from _pynn_helpers import INTEGRATOR, LOT, sim, spike_times, trace, window  # noqa: F401


def _smooth(values, n=9):
    return np.convolve(values, np.ones(n) / n, mode="same")


def test_leak_over_threshold_sawtooth(sim):
    """ts_00: the membrane charges towards the leak, is reset at the threshold, rests during
    the refractory period: a regular sawtooth and regular spikes."""
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron(**LOT))
    pop.record(["v", "spikes"])
    sim.run(0.1)
    spikes = spike_times(pop)[0]
    assert len(spikes) >= 6
    isi = np.diff(spikes)
    assert isi.std() / isi.mean() < 0.1                         # regular
    t, v = trace(pop)
    for s in spikes[1:-1]:
        before = window(t, v, s - 0.002, s).max()
        after = window(t, v, s + 0.0005, s + 0.002).mean()
        assert before - after > 100                             # the reset
    rising = window(t, _smooth(v), spikes[1] + 0.6 * isi.mean() - 0.003, spikes[1] + 0.6 * isi.mean())
    assert rising[-1] > rising[0]                               # charging between spikes
    plateau = window(t, v, spikes[1] + 0.0002, spikes[1] + 0.0015)
    assert plateau.std() < 15                                   # refractory: held at the reset


def test_silent_neuron_follows_its_leak_potential(sim):
    """ts_00 / cns_01: the membrane of a silent neuron rests at leak_v_leak (set, run, get,
    reset in a loop); the mean voltage rises with it."""
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron(leak_i_bias=1022, membrane_capacitance_capacitance=63))
    pop.record("v")
    means = []
    for v_leak in (200, 400, 600, 800):
        pop.set(leak_v_leak=v_leak)
        sim.run(0.03)
        t, v = trace(pop)
        means.append(window(t, v, 0.01, 0.03).mean())
        pop.get_data(clear=True)
        sim.reset()
    assert np.all(np.diff(means) > 40)
    slope, offset = np.polyfit([200, 400, 600, 800], means, 1)
    assert np.max(np.abs(np.polyval([slope, offset], [200, 400, 600, 800]) - means)) < 30   # ~linear


def test_fixed_pattern_variation(sim):
    """ts_00: ten neurons with equal parameters, each recorded in turn, differ (mismatch)."""
    sim.setup()
    pop = sim.Population(10, sim.cells.HXNeuron(**LOT))
    pop.record("spikes")
    peaks, lows = [], []
    for i in range(0, 10, 3):
        sim.PopulationView(pop, [i]).record(["v"])
        sim.run(0.06)
        t, v = trace(pop)
        peaks.append(v.max())
        lows.append(window(t, v, 0.01, 0.06).min())
        sim.reset()
        pop.record(None)
        pop.record("spikes")
    isis = [np.mean(np.diff(s)) for s in spike_times(pop, 0)]
    assert all(len(s) >= 2 for s in spike_times(pop, 0))
    assert np.std(isis) / np.mean(isis) > 0.01                 # no two neurons alike
    assert np.ptp(peaks) > 3 or np.ptp(lows) > 3


def test_epsps_and_ipsps_stack(sim):
    """ts_00 external stimulation: excitatory and inhibitory inputs give EPSPs and IPSPs that
    stack when the inputs come close together."""
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron(**INTEGRATOR))
    single_exc, burst_exc = [0.03], [0.07, 0.072, 0.074]
    single_inh, burst_inh = [0.05], [0.1, 0.102, 0.104]
    exc = sim.Population(1, sim.SpikeSourceArray(spike_times=single_exc + burst_exc))
    inh = sim.Population(1, sim.SpikeSourceArray(spike_times=single_inh + burst_inh))
    sim.Projection(exc, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=40), receptor_type="excitatory")
    sim.Projection(inh, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=-40), receptor_type="inhibitory")
    pop.record("v")
    sim.run(0.13)
    t, v = trace(pop)
    v = _smooth(v)
    base = window(t, v, 0.02, 0.03).mean()
    epsp = window(t, v, 0.03, 0.045).max() - base
    ipsp = window(t, v, 0.05, 0.065).min() - base
    stacked_e = window(t, v, 0.07, 0.09).max() - base
    stacked_i = window(t, v, 0.1, 0.12).min() - base
    assert epsp > 10 and ipsp < -5
    assert stacked_e > 1.5 * epsp and stacked_i < 1.5 * ipsp


def test_psp_peak_linear_in_weight_with_sign_flip(sim):
    """fp_synapticInput: one input spike, the weight from -63 to 63 with the receptor chosen
    by the sign: the PSP's peak is about linear in the weight and flips sign with it."""
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron(**INTEGRATOR))
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.03]))
    exc = sim.Projection(source, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0), receptor_type="excitatory")
    inh = sim.Projection(source, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0), receptor_type="inhibitory")
    pop.record("v")
    weights = [-63, -42, -21, 21, 42, 63]
    peaks = []
    for w in weights:
        exc.set(weight=max(w, 0))
        inh.set(weight=min(w, 0))
        sim.run(0.06)
        t, v = trace(pop)
        v = _smooth(v)
        response = window(t, v, 0.03, 0.05) - window(t, v, 0.02, 0.03).mean()
        peaks.append(response.max() if w > 0 else response.min())
        pop.get_data(clear=True)
        sim.reset()
    peaks = np.array(peaks)
    assert np.all(np.sign(peaks) == np.sign(weights))
    assert np.corrcoef(weights, peaks)[0, 1] > 0.95
    assert np.all(np.diff(peaks[:3]) > 0) and np.all(np.diff(peaks[3:]) > 0)


def test_f_i_curve_rises_above_the_rheobase(sim):
    """fp_singleNeuron: an offset current swept 0..800: no spikes below the rheobase, then a
    firing rate that rises with the current."""
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron(
        leak_v_leak=300, leak_i_bias=50, threshold_v_threshold=350, threshold_enable=True, reset_v_reset=300,
        reset_i_bias=1022, membrane_capacitance_capacitance=63, refractory_period_refractory_time=50,
        constant_current_enable=True))
    pop.record("spikes")
    counts = []
    for current in (0, 200, 400, 600, 800):
        pop.set(constant_current_i_offset=current)
        sim.run(0.1)
        counts.append(len(spike_times(pop)[0]))
        pop.get_data(clear=True)
        sim.reset()
    assert counts[0] == 0 and counts[-1] >= 5
    above = counts[counts.index(next(c for c in counts if c > 0)):]
    assert np.all(np.diff(above) > 0)


def test_current_step_through_snippets(sim):
    """cns_01: the offset current switched on and off between realtime snippets; the segment
    holds one signal per snippet; the membrane rises during the step and decays after it."""
    sim.setup()
    pop = sim.Population(1, sim.cells.HXNeuron(leak_v_leak=300, leak_i_bias=200, membrane_capacitance_capacitance=63,
                                               constant_current_i_offset=600))
    pop.record("v")
    pop.set(constant_current_enable=False)
    sim.run(0.03, RunCommand.APPEND)
    pop.set(constant_current_enable=True)
    sim.run(0.03, RunCommand.APPEND)
    pop.set(constant_current_enable=False)
    sim.run(0.03, RunCommand.EXECUTE)
    signals = pop.get_data().segments[0].irregularlysampledsignals
    assert len(signals) == 3
    assert [float(s.times[0]) for s in signals] == pytest.approx([0, 0.03, 0.06], abs=2e-4)
    rest, step, after = (s.magnitude[:, 0] for s in signals)
    assert step[-50:].mean() > rest[-50:].mean() + 30
    assert after[-50:].mean() < step[-50:].mean() - 30


def test_bypass_relays_input_spikes(sim):
    """hw test neuron_bypass_mode / recording: in bypass mode every input spike comes out; at
    least 98 % of 1000 input spikes are relayed within 0.01 ms."""
    sim.setup(enable_neuron_bypass=True)
    sources = sim.Population(10, sim.SpikeSourcePoisson(rate=2e5, start=0.0, duration=0.5))
    neurons = sim.Population(10, sim.cells.HXNeuron())
    sim.Projection(sources, neurons, sim.OneToOneConnector(), sim.StaticSynapse(weight=63))
    sources.record("spikes")
    neurons.record("spikes")
    sim.run(0.5)
    inputs, outputs = spike_times(sources), spike_times(neurons)
    total = sum(len(s) for s in inputs)
    assert 850 < total < 1150
    relayed = 0
    for i, o in zip(inputs, outputs):
        if len(o):
            relayed += int(np.sum(np.min(np.abs(o[None, :] - i[:, None]), axis=1) < 0.01))
    assert relayed >= 0.98 * total


def test_poisson_input_counts(sim):
    """hw test poisson_input: host Poisson sources relayed by bypass neurons: no spikes outside
    the window, counts within 5 sqrt(N), the same train for every target; after reset and a new
    rate, the new count."""
    sim.setup(enable_neuron_bypass=True)
    rate, start, duration = 5e5, 0.02, 0.1
    source = sim.Population(2, sim.SpikeSourcePoisson(rate=rate, start=start, duration=duration))
    first = sim.Population(2, sim.cells.HXNeuron())
    second = sim.Population(2, sim.cells.HXNeuron())
    for target in (first, second):
        sim.Projection(source, target, sim.OneToOneConnector(), sim.StaticSynapse(weight=63))
    for p in (source, first, second):
        p.record("spikes")
    sim.run(0.15)
    expected = rate * duration / 1000
    for trains in (spike_times(source), spike_times(first), spike_times(second)):
        for train in trains:
            assert abs(len(train) - expected) < 5 * np.sqrt(expected)
            assert train.min() >= start and train.max() < start + duration + 0.001
    for a, b in zip(spike_times(first), spike_times(second)):
        assert abs(len(a) - len(b)) <= 0.02 * len(a)
    sim.reset()
    source.set(rate=rate / 5)
    sim.run(0.15)
    for train in spike_times(first):
        assert abs(len(train) - expected / 5) < 5 * np.sqrt(expected / 5)


def test_poisson_on_chip(sim):
    """hw test poisson_on_chip_input: the chip's own Poisson sources at the set rate."""
    sim.setup(enable_neuron_bypass=True)
    rate, runtime = 1e6, 0.1
    noise = sim.Population(2, sim.SpikeSourcePoissonOnChip(rate=rate, seed=1234))
    neurons = sim.Population(2, sim.cells.HXNeuron())
    sim.Projection(noise, neurons, sim.OneToOneConnector(), sim.StaticSynapse(weight=63))
    noise.record("spikes")
    neurons.record("spikes")
    sim.run(runtime)
    expected = rate * runtime / 1000
    for own, relayed in zip(spike_times(noise), spike_times(neurons)):
        assert abs(len(own) - expected) < 5 * np.sqrt(expected)
        assert abs(len(relayed) - len(own)) <= 0.02 * len(own) + 1
    with pytest.raises(ValueError, match="same for every cell"):
        noise.set(rate=[1e6, 2e6])
        sim.reset()
        sim.run(0.01)


def test_image_through_weights_per_snippet(sim):
    """ts_10: one input train, a row of weights per snippet (projection.set then APPEND); the
    raster reproduces the image: a neuron relays only where its weight is on."""
    sim.setup(enable_neuron_bypass=True)
    image = np.array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 1]])
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(0.001, 0.03, 0.001)))
    neurons = sim.Population(4, sim.cells.HXNeuron())
    proj = sim.Projection(source, neurons, sim.AllToAllConnector(), sim.StaticSynapse(weight=32))
    neurons.record("spikes")
    for row in image:
        proj.set(weight=row * 32)
        sim.run(0.01, RunCommand.APPEND)
    sim.run(None)
    trains = neurons.get_data().segments[0].spiketrains
    assert len(trains) == 3 * 4
    raster = np.array([[len(t) > 0 for t in trains if t.annotations["source_index"] == i] for i in range(4)]).T
    assert np.array_equal(raster, image.astype(bool))


def test_dynamic_range(sim):
    """ts_06: one input spike, the weight swept 0..288 (above 63: several synapses): the
    membrane's maximum grows with the weight and saturates."""
    sim.setup(neuronPermutation=[5])
    pop = sim.Population(1, sim.cells.HXNeuron(**INTEGRATOR))
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.03]))
    proj = sim.Projection(source, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0))
    pop.record("v")
    heights = []
    for w in (0, 64, 128, 192, 288):
        proj.set(weight=w)
        sim.run(0.05)
        t, v = trace(pop)
        v = _smooth(v)
        heights.append(window(t, v, 0.03, 0.045).max() - window(t, v, 0.02, 0.03).mean())
        pop.get_data(clear=True)
        sim.reset()
    assert np.all(np.diff(heights) > 0)
    assert heights[-1] - heights[-2] < heights[1] - heights[0]          # saturating


def test_iterative_rate_calibration(sim):
    """fp_calibration: leak-over-threshold neurons, the leak conductance scaled by the ratio of
    the target rate to each neuron's rate (set, run, count, reset); the rates' spread narrows."""
    sim.setup()
    n = 16
    pop = sim.Population(n, sim.cells.HXNeuron(**{**LOT, "refractory_period_refractory_time": 20}))
    pop.record("spikes")
    bias = np.full(n, 150.0)
    spreads, target = [], None
    for _ in range(4):
        pop.set(leak_i_bias=bias)
        sim.run(0.1)
        rates = np.array([len(s) for s in pop.get_data(clear=True).segments[0].spiketrains]) / 0.1
        sim.reset()
        target = rates.mean() if target is None else target
        spreads.append(rates.std() / rates.mean())
        bias = np.clip(bias * target / np.maximum(rates, 1.0), 0, 1022)
    assert spreads[0] > 0.1 and spreads[-1] < 0.5 * spreads[0]


def test_image_written_inside_realtime(sim):
    """ts_09: the projection's placed synapses (after PREPARE) get a new weight row every
    10 us through an ``inside_realtime`` builder; the raster reproduces the image."""
    import halco
    import lola
    import stadls

    image = np.array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 1]])
    injected = sim.InjectedConfiguration()
    sim.setup(enable_neuron_bypass=True, injected_config=injected)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(0.0015, 0.03, 0.001)))
    neurons = sim.Population(4, sim.cells.HXNeuron())
    proj = sim.Projection(source, neurons, sim.AllToAllConnector(), sim.StaticSynapse(weight=32))
    neurons.record("spikes")
    sim.run(None, RunCommand.PREPARE)
    placed = proj.placed_connections
    rows = {s.synapse_row.to_enum() for synapses in placed for s in synapses}
    assert len(rows) == 1 and all(len(s) == 1 for s in placed)
    row = placed[0][0].synapse_row
    builder = stadls.AbsoluteTimePlaybackProgramBuilder()
    for i, pixels in enumerate(image):
        weights = lola.SynapseWeightRow()
        values = np.zeros(halco.SynapseOnSynapseRow.size, dtype=np.int64)
        for connection, synapses in enumerate(placed):
            values[synapses[0].synapse_on_row.value()] = 32 * pixels[proj[connection].postsynaptic_index]
        weights.values = values
        builder.write(int(i * 0.01 * 125000), row.to_synapse_weight_row_on_dls(), weights)
    injected.inside_realtime = builder
    sim.run(0.03)
    times = spike_times(neurons)
    raster = np.array([[np.any((t >= k * 0.01) & (t < (k + 1) * 0.01)) for t in times] for k in range(3)])
    assert np.array_equal(raster, image.astype(bool))
