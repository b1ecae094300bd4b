"""Current sources (pynn_frontend.electrodes, pynn_frontend.biological_electrodes,
pynn_frontend.current_injection): PyNN's DCSource, StepCurrentSource, ACSource and
NoisyCurrentSource as timed writes of each cell's offset-current source: their waveforms on the
time grid, their checks, the cells they feed, and on the chip: onset and offset on the
membrane, step times, the sine's frequency, noise, several sources adding, the range the
calibration reaches, parameter changes between runs, the hardware-time module in CapMem LSB.

The chip tests share the calibration of IF_curr_exp's defaults (the session's cache)."""

from __future__ import annotations

import numpy as np
import pytest
import quantities as pq
from pyNN import errors as pynn_errors
from pyNN.random import NumpyRNG

import halco
import haldls
import stadls
import pynn_frontend as hardware
from pynn_frontend import RunCommand, current_injection, errors, simulator
from pynn_frontend.electrodes import MIN_UPDATE_US
from _pynn_helpers import INTEGRATOR, bio, sim, window  # noqa: F401


def _mean(signal, column: int, begin: float, end: float) -> float:
    """The mean of an AnalogSignal's column over [begin, end) ms."""
    times = signal.times.rescale(pq.ms).magnitude
    values = signal.magnitude[:, column]
    return float(values[(times >= begin) & (times < end)].mean())


def _lif_rise(shift: float, onset: float, begin: float, end: float, tau: float = 20.0) -> float:
    """The mean over [begin, end) ms of a LIF membrane's rise towards ``shift`` [mV] from
    ``onset`` [ms] on: ``shift (1 - exp(-(t - onset) / tau))``."""
    return shift * (1 - tau / (end - begin) * (np.exp(-(begin - onset) / tau) - np.exp(-(end - onset) / tau)))


# -- the sources' parameters and waveforms (no chip) ---------------------------------------------------

def test_step_times_are_checked_and_rounded_to_the_time_step(bio):
    bio.setup(timestep=0.1)
    for times, amplitudes, match in (([0.4, -0.6, 0.8], [1, 2, 3], "times must be >= 0"),
                                     ([0.4, 0.2, 0.8], [1, 2, 3], "times must increase strictly"),
                                     ([0.4, 0.8], [1.0], r"times \(2\) and amplitudes \(1\)"),
                                     ([0.4], [np.nan], "must be finite")):
        with pytest.raises(pynn_errors.InvalidParameterValueError, match=match):
            bio.StepCurrentSource(times=times, amplitudes=amplitudes)
    step = bio.StepCurrentSource(times=[0.41, 0.42, 0.86], amplitudes=[0.5, -0.5, 0.5])
    # two times on the 0.4 step: the last amplitude counts, as in PyNN's other backends
    assert np.allclose(step.times.evaluate(), [0.4, 0.9]) and step.amplitudes.evaluate().tolist() == [-0.5, 0.5]
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="stop = 1 ms lies before start = 2 ms"):
        bio.DCSource(start=2.0, stop=1.0)
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="amplitude = nan"):
        bio.DCSource(amplitude=np.nan)
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="stdev = -1: must be >= 0"):
        bio.NoisyCurrentSource(stdev=-1.0)
    with pytest.raises(TypeError, match="rng must be a pyNN.random RNG"):
        bio.NoisyCurrentSource(rng=np.random.default_rng(1))
    dc = bio.DCSource(amplitude=0.5)
    dc.amplitude += 0.25                            # PyNN's attribute access sets the parameter
    assert dc.amplitude == 0.75 and dc.get_parameters()["amplitude"] == 0.75


def test_waveforms_on_the_time_grid(bio):
    bio.setup(timestep=0.1)
    dc = bio.DCSource(amplitude=0.5, start=2.04, stop=5.0)        # start rounds to 2.0 ms
    ks, values = dc.waveform(0, 100, 0.1, 1000.0)
    assert ks.tolist() == [0, 20, 50] and values.tolist() == [0.0, 0.5, 0.0]
    ks, values = dc.waveform(30, 40, 0.1, 1000.0)                 # a window inside: its value at the start
    assert ks.tolist() == [30] and values.tolist() == [0.5]
    step = bio.StepCurrentSource(times=[1.0, 3.0], amplitudes=[0.2, -0.1])
    assert [v.tolist() for v in step.waveform(0, 100, 0.1, 1000.0)] == [[0, 10, 30], [0.0, 0.2, -0.1]]
    # a 50 Hz sine from 10 ms to 110 ms, a new value every time step: 5 periods, 0 outside
    ac = bio.ACSource(amplitude=1.0, offset=0.0, frequency=50.0, phase=0.0, start=10.0, stop=110.0)
    ks, values = ac.waveform(0, 1200, 0.1, 1000.0)
    assert ks[0] == 0 and values[0] == 0 and np.all(np.diff(ks[1:-1]) == 1) and ks[1] == 100 and ks[-1] == 1100
    assert values[-1] == 0
    sine = values[1:-1]
    rising = np.flatnonzero((sine[:-1] < 0) & (sine[1:] >= 0))
    # 20 ms = 1 / 50 Hz (sin(2 pi k) rounds to either side of 0: a step either way)
    assert len(rising) == 4 and np.all(np.abs(np.diff(rising) - 200) <= 1)
    ac.phase = 90.0
    assert ac.waveform(100, 101, 0.1, 1000.0)[1][0] == 1.0             # the phase holds at start
    # in hardware time the time step (34 ns) is finer than the chip updates a waveform
    assert ac.update_steps(3.4e-5, 1.0) == int(np.ceil(MIN_UPDATE_US * 1e-3 / 3.4e-5))


def test_noise_statistics_and_draws_kept_per_segment(bio):
    bio.setup(timestep=0.1)
    noise = bio.NoisyCurrentSource(mean=0.5, stdev=0.25, dt=1.0, start=0.0, rng=NumpyRNG(seed=7))
    ks, values = noise.waveform(0, 20000, 0.1, 1000.0)                 # 2000 draws, one every 1 ms
    assert np.all(np.diff(ks[:-1]) == 10) and len(values) == 2000
    assert values.mean() == pytest.approx(0.5, abs=0.02) and values.std() == pytest.approx(0.25, rel=0.08)
    # a continued run goes on with the same draws; a window inside a draw starts with its value
    later = noise.waveform(10005, 10030, 0.1, 1000.0)
    assert later[0].tolist() == [10005, 10010, 10020] and later[1].tolist() == values[1000:1003].tolist()
    again = bio.NoisyCurrentSource(mean=0.5, stdev=0.25, dt=1.0, start=0.0, rng=NumpyRNG(seed=7))
    assert np.array_equal(again.waveform(0, 20000, 0.1, 1000.0)[1], values)
    simulator.state.segment_counter += 1                             # what reset() does: a new segment
    assert not np.array_equal(noise.waveform(0, 20000, 0.1, 1000.0)[1], values)
    with pytest.raises(pynn_errors.InvalidParameterValueError, match=r"dt = 0.05 ms: the chip updates a "
                                                                    r"current at most every 0.1 ms"):
        bio.NoisyCurrentSource(dt=0.05).waveform(0, 10, 0.1, 1000.0)


def test_sources_feed_populations_views_assemblies_and_ids(sim, bio):
    sim.setup()
    a = sim.Population(4, sim.cells.HXNeuron())
    b = sim.Population(2, sim.cells.HXNeuron())
    spikes = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.01]))
    dc = sim.DCSource(amplitude=10)
    a[1:3].inject(dc)
    (a[3:4] + b).inject(dc)
    dc.inject_into([b[0], a[0]])
    fed = {(p.label, tuple(i.tolist())) for p, i in dc.targets()}
    assert fed == {(a.label, (1, 2)), (a.label, (3,)), (b.label, (0, 1)), (b.label, (0,)), (a.label, (0,))}
    assert simulator.state.current_sources == [dc]
    with pytest.raises(TypeError, match="Can't inject current into a spike source"):
        spikes.inject(dc)
    with pytest.raises(TypeError, match="Can't inject current into a spike source"):
        dc.inject_into(a[0:1] + spikes)                     # nothing fed: the check comes first
    assert len(dc.targets()) == 5
    with pytest.raises(ValueError, match="location='soma'.*one compartment"):
        a[0].inject(dc, location="soma")
    with pytest.raises(errors.SimulationStateError, match=r"call record\(\) on the source first"):
        dc.get_data()
    sim.end()
    bio.setup()
    chip_cells = bio.Population(1, bio.HXNeuron())
    with pytest.raises(TypeError, match="DCSource of pynn_frontend.biological counts nA.*HXNeuron.*CapMem LSB"):
        bio.DCSource(amplitude=0.1).inject_into(chip_cells)


def test_timed_writes_join_the_users_hooks():
    """The realtime writes are added to a copy of the user's injected hooks, which stay as
    they were; the end of the realtime section writes the configured values back."""
    cell = halco.CapMemCellOnDLS.from_enum(7)
    user = hardware.InjectedConfiguration(inside_realtime=stadls.AbsoluteTimePlaybackProgramBuilder())
    user.inside_realtime.write(100, cell, haldls.CapMemCell(value=5))
    realtime = stadls.AbsoluteTimePlaybackProgramBuilder()
    realtime.write(200, cell, haldls.CapMemCell(value=9))
    restore = stadls.PlaybackProgramBuilder()
    restore.write(cell, haldls.CapMemCell(value=1))
    hooks = current_injection.Injection(realtime, restore, 1).hooks(user.to_hooks())
    assert not user.inside_realtime.empty() and not realtime.empty()
    assert hooks.last_realtime_time() == 200
    assert not hooks.inside_realtime_end.empty() and hooks.pre_realtime.empty()


def test_writes_that_queue_on_the_bus_are_reported(caplog):
    """Writes due at one time cross the bus one after the other (4 cycles per word): 100
    cells changing at once make the last write land 396 cycles late (over 1 us: a warning)."""
    current_injection._warn_lag(np.zeros(30, dtype=np.int64), np.ones(30, dtype=np.int64), 0.1, 1000.0)
    assert not caplog.records
    current_injection._warn_lag(np.zeros(100, dtype=np.int64), np.ones(100, dtype=np.int64), 0.1, 1000.0)
    assert "land up to 3.17 ms after their time" in caplog.text


# -- on the chip, biological time --------------------------------------------------------------------

def test_dc_and_step_currents_on_the_membrane_and_several_sources_add(bio, calib_cache):
    bio.setup(timestep=0.1, calibration_cache=calib_cache)
    cells = bio.Population(4, bio.IF_curr_exp())
    dc = bio.DCSource(amplitude=0.5, start=20.0, stop=60.0)
    cells[0].inject(dc)
    step = bio.StepCurrentSource(times=[30.0, 70.0], amplitudes=[0.5, 0.0])
    step.inject_into(cells[1:2])
    for _ in range(2):                                       # two sources of 0.25 nA: 0.5 nA
        bio.DCSource(amplitude=0.25, start=20.0, stop=60.0).inject_into([cells[2]])
    dc.record()
    cells.record("v")
    bio.run(100.0)
    v = cells.get_data().segments[0].analogsignals[0]
    rest = [_mean(v, c, 5.0, 19.0) for c in range(4)]
    assert rest == pytest.approx([-65.0] * 4, abs=1.5)
    # 0.5 nA moves the rest by 0.5 nA * 20 ms / 1 nF = 10 mV
    for c in (0, 2):
        assert _mean(v, c, 50.0, 60.0) - rest[c] == pytest.approx(_lif_rise(10.0, 20.0, 50.0, 60.0), abs=1.5)
        assert _mean(v, c, 90.0, 100.0) - rest[c] < 2.5                 # off at 60 ms: back down
    assert abs(_mean(v, 2, 50.0, 60.0) - _mean(v, 0, 50.0, 60.0)) < 1.5
    # onsets: nothing before the source's time, a rise at once after it
    times = v.times.rescale(pq.ms).magnitude
    for c, onset in ((0, 20.0), (1, 30.0)):
        above = times[(times >= 10.0) & (v.magnitude[:, c] > rest[c] + 2.0)]
        assert onset < above[0] < onset + 8.0, (c, above[:3])
    assert _mean(v, 1, 60.0, 70.0) - rest[1] == pytest.approx(_lif_rise(10.0, 30.0, 60.0, 70.0), abs=1.5)
    assert _mean(v, 3, 20.0, 100.0) == pytest.approx(rest[3], abs=1.0)  # no source
    current = dc.get_data()
    assert current.shape == (1001, 1) and current.units == pq.nA and float(current.t_start) == 0.0
    assert np.all(current.magnitude[:200] == 0) and np.all(current.magnitude[200:600] == 0.5)
    assert np.all(current.magnitude[600:] == 0)


def test_ac_frequency_and_noise_on_the_membrane(bio, calib_cache):
    bio.setup(timestep=0.1, calibration_cache=calib_cache)
    cells = bio.Population(3, bio.IF_curr_exp())
    ac = bio.ACSource(amplitude=1.0, offset=0.0, frequency=50.0, start=0.0, stop=100.0)
    cells[0].inject(ac)
    noise = bio.NoisyCurrentSource(mean=0.0, stdev=0.5, dt=1.0, rng=NumpyRNG(seed=3))
    cells[1].inject(noise)
    noise.record()
    cells.record("v")
    bio.run(100.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    trace_ac = v[200:1000, 0] - v[200:1000, 0].mean()          # 20..100 ms: past the reset's transient
    spectrum = np.abs(np.fft.rfft(trace_ac))
    frequencies = np.fft.rfftfreq(len(trace_ac), 0.1e-3)
    assert frequencies[np.argmax(spectrum[1:]) + 1] == 50.0                # 4 periods in 80 ms
    assert np.ptp(trace_ac) > 4.0                               # a 1 nA sine swings the membrane by mV
    assert v[200:, 1].std() > 2.0 * v[200:, 2].std()            # the noise shows on the membrane
    played = noise.get_data().magnitude[:, 0]
    assert len(played) == 1001 and np.all(played[1:10] == played[0])      # constant over its dt
    assert played[::10].mean() == pytest.approx(0.0, abs=0.15) and played[::10].std() == pytest.approx(0.5, rel=0.3)


def test_currents_beyond_the_calibrated_range_are_refused(bio, calib_cache):
    bio.setup(timestep=0.1, calibration_cache=calib_cache)
    cells = bio.Population(2, bio.IF_curr_exp())
    big = bio.DCSource(amplitude=50.0, start=10.0)
    cells[0].inject(big)
    with pytest.raises(pynn_errors.InvalidParameterValueError,
                       match=r"DCSource\(amplitude = 50\) give cell 0 of population .* 50 nA at t = 10 ms; "
                             r"its offset current reaches -\d.*\.\.\d.* nA"):
        bio.run(20.0)
    assert bio.get_current_time() == 0.0
    # the offset current reaches 7..9 nA (IF_curr_exp's defaults on the standard types' capacitance)
    big.amplitude = 6.0
    bio.StepCurrentSource(times=[5.0], amplitudes=[-6.0]).inject_into(cells[1:2])
    bio.StepCurrentSource(times=[5.0], amplitudes=[-6.0]).inject_into(cells[1:2])   # together -12 nA
    with pytest.raises(pynn_errors.InvalidParameterValueError, match=r"StepCurrentSource\(amplitudes = \[-6.0\]\), "
                                                                    r"StepCurrentSource.* -12 nA at t = 5 ms"):
        bio.run(20.0)
    cells[1].inject(bio.StepCurrentSource(times=[5.0], amplitudes=[6.0]))     # -12 + 6: within reach
    cells[0:1].set(i_offset=6.0)                                            # 6 + 6 nA: not
    with pytest.raises(pynn_errors.InvalidParameterValueError, match=r"DCSource\(amplitude = 6\) give cell 0 .* 12 nA "
                                                                    r".* besides its own offset current of 6 nA"):
        bio.run(20.0)


def test_parameter_changes_between_runs_and_the_written_back_configuration(bio, calib_cache):
    bio.setup(timestep=0.1, calibration_cache=calib_cache)
    cells = bio.Population(1, bio.IF_curr_exp())
    step = bio.StepCurrentSource(times=[50.0], amplitudes=[0.5])
    cells.inject(step)
    cells.record("v")
    bio.run(100.0)
    bio.reset()
    bio.run(100.0)            # the chip must start from the configuration again, not the last write
    step.set_parameters(times=[150.0], amplitudes=[-0.5])
    with pytest.warns(RuntimeWarning, match="run\\(\\) after run\\(\\) without reset"):
        bio.run(100.0)        # continued: the new parameters count from now on
    segments = cells.get_data().segments
    first, second = segments[0].analogsignals[0], segments[1].analogsignals[0]
    for signal in (first, second):
        rest = _mean(signal, 0, 10.0, 45.0)
        assert rest == pytest.approx(-65.0, abs=1.5)
        assert _mean(signal, 0, 80.0, 100.0) - rest == pytest.approx(_lif_rise(10.0, 50.0, 80.0, 100.0), abs=1.5)
    assert _mean(second, 0, 170.0, 200.0) - _mean(second, 0, 120.0, 145.0) == \
        pytest.approx(_lif_rise(-10.0, 150.0, 170.0, 200.0), abs=1.5)


# -- on the chip, hardware time: CapMem LSB ------------------------------------------------------------

def test_hardware_sources_in_capmem_lsb_add_to_the_cells_own_offset_current(sim):
    sim.setup()
    parameters = dict(INTEGRATOR, leak_i_bias=600)
    cells = sim.Population(2, sim.cells.HXNeuron(**parameters, constant_current_enable=[False, True],
                                                 constant_current_i_offset=[0, 300]))
    step = sim.StepCurrentSource(times=[0.04], amplitudes=[300])
    step.inject_into(cells[0:1])
    step.record()
    sim.DCSource(amplitude=-300, start=0.04).inject_into(cells[1:2])   # 300 - 300: its own current off
    cells.record("v", device="madc")
    sim.run(0.04, RunCommand.APPEND)        # two snippets: the step is the second one's configuration
    sim.run(0.04)
    played = step.get_data()
    assert played.units == pq.dimensionless and played.annotations["unit"] == "LSB"
    assert set(played.magnitude[played.times < 0.0399 * pq.ms, 0]) == {0} and played.magnitude[-1, 0] == 300
    signals = cells.get_data().segments[0].irregularlysampledsignals       # per snippet and cell
    for index, rises in enumerate((True, False)):       # 300 LSB more; 300 - 300 = 0 LSB
        mine = [sig for sig in signals if sig.array_annotations["channel_index"][0] == index]
        times = np.concatenate([sig.times.magnitude for sig in mine])
        values = np.concatenate([sig.magnitude[:, 0] for sig in mine])
        change = window(times, values, 0.06, 0.08).mean() - window(times, values, 0.025, 0.04).mean()
        assert (change > 20 if rises else change < -20), (index, change)
    sim.reset()
    sim.NoisyCurrentSource(dt=5e-5).inject_into(cells)
    with pytest.raises(pynn_errors.InvalidParameterValueError, match=r"NoisyCurrentSource dt = 5e-05 ms: .* "
                                                                    r"at most every 0.0001 ms"):
        sim.run(0.01)
