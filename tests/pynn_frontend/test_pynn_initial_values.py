"""Initial membrane potentials (pynn_frontend.initial_values): ``initialize(v=...)`` through the
run's first reset, against the emulator's ground truth (the true reset potential the initial
CapMem value gives, emulator.ground_truth); later resets go to v_reset, ``reset()`` starts from
the initial value again, continued runs from the reset unless initialized again, and the checks
(what the chip cannot set, values out of reach).

The hardware-time tests run HXNeuron (no calibration); the biological ones share the
calibration of IF_curr_exp's defaults (the session's cache, as test_pynn_biological)."""

from __future__ import annotations

import numpy as np
import pytest
import quantities as pq
from pyNN import errors as pynn_errors

import calix
import halco
import haldls
import stadls
from emulator import Emulator, core, ground_truth
from emulator.readout import MADC_V_PER_LSB
from grenade.execution import JITGraphExecutor
from pynn_frontend import RunCommand, errors, initial_values, simulator
from pynn_frontend.morphology import Compartment, SharedLineConnection, create_mc_neuron
from pynn_frontend.standardmodels.biological import UNITS
from _pynn_helpers import bio, sim  # noqa: F401

#: an HXNeuron with a slow leak (tau about 110 us) below its threshold, reset to 400
SLOW = dict(leak_v_leak=700, leak_i_bias=20, threshold_v_threshold=600, threshold_enable=False,
            reset_v_reset=400, reset_i_bias=1022, membrane_capacitance_capacitance=63,
            refractory_period_refractory_time=40)
#: an HXNeuron whose leak lies above its threshold: it fires regularly
FIRING = dict(SLOW, leak_v_leak=1000, leak_i_bias=300, threshold_v_threshold=300, threshold_enable=True)


def _emulator() -> tuple[Emulator, JITGraphExecutor]:
    """An emulated chip 0 to run on, so that its ground truth can be read."""
    emulator = Emulator(chip_id=0)
    return emulator, JITGraphExecutor(connections=[emulator])


def _true_reset_potentials(emulator: Emulator, atoms: np.ndarray, capmem: np.ndarray) -> np.ndarray:
    """The true reset potentials [V] of ``atoms`` with their ``reset_v_reset`` at ``capmem``
    (written on the chip; then the configured values again)."""
    cells = initial_values._CELL_OF[atoms]
    before = _capmem_on_chip(emulator, atoms)
    out = None
    for written in (capmem, before):
        builder = stadls.PlaybackProgramBuilder()
        builder.write_array(haldls.CapMemCell, cells, haldls.CapMemCell.encode_array(len(cells), value=written))
        stadls.run(emulator, builder.done())
        if out is None:
            out = ground_truth.parameters(emulator.chip)[core.P_V_RESET, atoms]
    return out


def _capmem_on_chip(emulator: Emulator, atoms: np.ndarray) -> np.ndarray:
    """The chip's reset_v_reset CapMem values of ``atoms`` (read back over the bus)."""
    builder = stadls.PlaybackProgramBuilder()
    tickets = [builder.read(halco.CapMemCellOnDLS.from_enum(int(c))) for c in initial_values._CELL_OF[atoms]]
    stadls.run(emulator, builder.done())
    return np.array([int(t.get().value) for t in tickets])


def _madc_trace(population, segment: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """(times [ms], codes [samples, cells]) of a population's MADC recording (hardware time)."""
    signals = population.get_data().segments[segment].irregularlysampledsignals
    times = np.asarray(signals[0].times.rescale(pq.ms).magnitude)
    return times, np.column_stack([np.asarray(s.magnitude).ravel() for s in signals])


# -- HXNeuron in hardware time: v is the reset potential's CapMem value ---------------------------------------

def test_hxneuron_starts_at_its_initial_reset_potential(sim):
    emulator, executor = _emulator()
    sim.setup(connection=executor)
    pop = sim.Population(2, sim.cells.HXNeuron(**SLOW))
    pop.record("v")                                   # both on the MADC
    pop.initialize(v=[200, 900])
    atoms = np.asarray(pop.atomic_neurons)
    starts = []
    for _ in range(2):                                # reset() starts from the initial value again
        sim.run(0.02)
        times, codes = _madc_trace(pop)
        # the first 0.5 us: the membrane leaks by < 0.5 % of its distance to the leak there
        starts.append(codes[times < 0.0005].mean(axis=0))
        # the configured reset potential is back on the chip after the start
        assert _capmem_on_chip(emulator, atoms).tolist() == [400, 400]
        sim.reset()
    mm = emulator.chip.mismatch
    truth = _true_reset_potentials(emulator, atoms, np.array([200, 900]))   # on the configured chip
    expected = truth * mm.madc_gain / MADC_V_PER_LSB + mm.madc_offset       # the MADC's codes of the truth
    # MADC noise 1.5 codes per sample, averaged over ~9; the membrane's leak in 0.5 us < 3 codes
    assert np.all(np.abs(np.array(starts) - expected) < 4), (starts, expected)
    pop[0:1].initialize(v=400)                       # a view: cell 0 from the configured reset
    sim.run(0.02)
    reset_400 = _true_reset_potentials(emulator, atoms[:1], np.array([400]))
    times, codes = _madc_trace(pop)
    start_400 = codes[times < 0.0005, 0].mean()
    assert abs(start_400 - (reset_400[0] * mm.madc_gain / MADC_V_PER_LSB + mm.madc_offset)) < 4
    assert abs(codes[times < 0.0005, 1].mean() - expected[1]) < 4      # cell 1 keeps its 900


def test_later_resets_go_to_v_reset(sim):
    emulator, executor = _emulator()
    sim.setup(connection=executor)
    pop = sim.Population(1, sim.cells.HXNeuron(**FIRING))
    pop.record(["v", "spikes"])
    pop.initialize(v=100)
    sim.run(0.03)
    spikes = np.asarray(pop.get_data().segments[0].spiketrains[0].magnitude)
    times, codes = _madc_trace(pop)
    atoms = np.asarray(pop.atomic_neurons)
    mm = emulator.chip.mismatch
    code = lambda capmem: (_true_reset_potentials(emulator, atoms, np.array([capmem]))[0]  # noqa: E731
                           * mm.madc_gain / MADC_V_PER_LSB + mm.madc_offset)
    assert len(spikes) >= 3
    # the first sample (40 ns after time 0, about 130 ns after the reset): this fast membrane
    # (tau = 2.24 pF / 300 nS = 7.5 us) has covered < 2 % of its 700 codes to the leak
    assert 0 <= codes[0, 0] - code(100) < 20
    # after each spike the membrane sits at the configured reset (400) during its reset, not at 100
    after = codes[times > spikes[0], 0]
    assert abs(np.percentile(after, 1) - code(400)) < 6 and np.percentile(after, 1) > code(100) + 100


# -- the checks --------------------------------------------------------------------------------------------------

def test_what_cannot_be_set_raises(sim, bio):
    sim.setup()
    pop = sim.Population(3, sim.cells.HXNeuron())
    for value, match in ((1023, r"cannot start there: a CapMem cell holds 0\.\.1022 CapMem LSB"),
                         (-1, "0..1022"), (2.5, "whole number"), (np.nan, "whole number")):
        with pytest.raises(pynn_errors.InvalidParameterValueError, match=match) as info:
            pop.initialize(v=value)
        assert "cell 0 (ID 0) of population" in str(info.value)
    with pytest.raises(errors.ParameterValueError, match=r"cell 2 \(ID 2\)"):
        pop[1:3].initialize(v=[10, 2000])
    with pytest.raises(errors.InitialValueError, match="HXNeuron has no state variable 'isyn_exc'.*: v"):
        pop.initialize(isyn_exc=0)
    pop[1:3].initialize(v=[10, 20])                   # a view, and one cell by its ID
    pop[0].set_initial_value("v", 30)
    assert pop._initial_v.tolist() == [30, 10, 20]
    mc = sim.Population(1, create_mc_neuron("Two", compartments=[      # test_pynn_multicompartment's
        Compartment(positions=[0, 1], label="soma", connect_conductance=[(1, 300)]),
        Compartment(positions=[2], label="dend", connect_shared_line=[2])],
        connections=[SharedLineConnection(1, 2, 0)])())
    with pytest.raises(errors.InitialValueError, match="Two cells start from their reset"):
        mc.initialize(v=300)
    sim.end()

    bio.setup()
    cells = bio.Population(2, bio.IF_curr_exp(v_reset=-70), initial_values={"v": -60})     # now settable
    assert cells._initial_v.tolist() == [-60, -60]
    low, high = initial_values.nominal_reach(cells.celltype, calix.CADCCalibTarget())
    assert (low, high) == pytest.approx((-89.48, -45.21), abs=0.01)
    with pytest.raises(pynn_errors.InvalidParameterValueError,
                       match=r"initialize\(v=0 mV\): cell 0 .* reaches \(nominally.*\) -89\.48\.\.-45\.21 mV"):
        cells.initialize(v=0)
    with pytest.raises(errors.InitialValueError, match="starts every run with isyn_inh = 0"):
        cells[1:2].initialize(isyn_inh=0.1)
    with pytest.raises(errors.InitialValueError, match="no state variable 'w'"):
        cells.initialize(w=0)
    cells.initialize(isyn_exc=0)
    hw = bio.Population(1, bio.CalibHXNeuronCuba())
    with pytest.raises(errors.ParameterValueError, match=r"22\.08\.\.199\.2 CADC LSB"):
        hw.initialize(v=300)


# -- calibrated neurons in biological time: v in mV ------------------------------------------------------------

def _first(signal, t: float) -> np.ndarray:
    """An AnalogSignal's first sample at or after ``t`` ms, per cell."""
    times = signal.times.rescale(pq.ms).magnitude
    return signal.magnitude[np.flatnonzero(times >= t - 1e-9)[0]]


@pytest.fixture
def chip(bio, calib_cache):
    """An emulated chip 0 set up in biological time with the session's calibration cache."""
    emulator, executor = _emulator()
    bio.setup(connection=executor, calibration_cache=calib_cache)
    return emulator


def test_the_membrane_starts_at_the_initial_potential(bio, chip):
    n = 8
    pop = bio.Population(n + 1, bio.IF_curr_exp())           # IF_curr_exp's defaults: v_reset = -65 mV
    wanted = np.linspace(-80.0, -52.0, n)
    pop[:n].initialize(v=wanted)                             # the last cell: not initialized
    pop.record("v")
    bio.run(20.0)
    state = simulator.state
    capmem = initial_values.reset_capmem(state, pop, np.arange(n), wanted)
    atoms = np.asarray(pop.atomic_neurons)
    # the truth: the reset potential the initial CapMem value gives, read by each neuron's own
    # CADC channel without noise, against the wanted potential; and the same for the calibrated
    # v_reset. The initial value adds to the calibration's own error of v_reset (chip 0, 128
    # neurons: s.d. 0.48 LSB, at most 2.1) only its rounding to whole CapMem LSB (0.09 LSB) and
    # what the nominal slope misses (chip 0, -85..-48 mV: 0.13 LSB at most)
    def true_error(atoms_, capmem_, wanted_lsb):
        reads = ground_truth.cadc_reads(chip.chip, _full(atoms_, _true_reset_potentials(chip, atoms_, capmem_)))
        return reads[atoms_] - wanted_lsb
    error = true_error(atoms[:n], capmem, UNITS.potential_to_hardware(wanted))
    calibrated = np.array([int(n_.reset.v_reset) for n_ in pop.calib_hwparams])
    reset_error = true_error(atoms[:n], calibrated[:n], UNITS.potential_to_hardware(-65.0))
    assert np.abs(error - reset_error).max() < 0.25, (error, reset_error)
    assert np.abs(error).max() < 2.5, error
    # the recorded membranes start there: within 1 mV (the readouts' noise of 1..1.5 LSB and
    # offsets, the membrane's leak until the first sample); the last cell at v_reset
    start = _first(pop.get_data().segments[0].analogsignals[0], 0.0)
    assert np.all(np.abs(start[:n] - wanted) < 1.0), start
    assert abs(start[n] + 65.0) < 1.0
    assert _capmem_on_chip(chip, atoms).tolist() == calibrated.tolist()     # written back at time 0


def _full(atoms: np.ndarray, volts: np.ndarray) -> np.ndarray:
    out = np.zeros(halco.AtomicNeuronOnDLS.size)
    out[atoms] = volts
    return out


def test_spikes_reset_to_v_reset_and_reset_starts_again(bio, chip):
    pop = bio.Population(2, bio.IF_curr_exp(i_offset=1.5))     # rest -35 mV: above the threshold (-50)
    pop.record(["v", "spikes"])
    trains = []
    for initial in (None, -80.0, -80.0):
        if initial is not None:
            pop.initialize(v=initial)
        bio.run(70.0)
        trains.append([np.asarray(t.magnitude) for t in pop.get_data().segments[-1].spiketrains])
        if initial is not None:
            assert np.all(np.abs(_first(pop.get_data().segments[-1].analogsignals[0], 0.0) - initial) < 1.0)
        bio.reset()
    plain, first, again = trains
    for cell in range(2):
        # from -80 mV the first spike comes later than from v_reset (-65 mV) ...
        assert first[cell][0] > plain[cell][0] + 3.0
        # ... and every later one after the same interval: the resets after spikes go to v_reset
        isi_plain, isi_first = np.diff(plain[cell]), np.diff(first[cell])
        k = min(len(isi_plain), len(isi_first))
        assert k >= 3 and np.allclose(isi_first[:k], isi_plain[:k], atol=0.5), (isi_plain, isi_first)
        # reset() and a run: from the initial value again (the chip's noise: within 0.5 ms)
        assert abs(again[cell][0] - first[cell][0]) < 0.5


def test_continued_runs_start_from_the_reset_unless_initialized_again(bio, chip):
    import warnings

    pop = bio.Population(1, bio.IF_curr_exp())
    pop.record("v")
    pop.initialize(v=-80.0)
    bio.run(10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)       # "run() after run() without reset()"
        bio.run(10.0)                                         # the chip restarts its neurons from v_reset
        pop.initialize(v=-75.0)
        bio.run(0.0)                                          # (a run of no time runs nothing)
        bio.run(10.0)                                         # ... or from what was initialized since
    signal = pop.get_data().segments[0].analogsignals[0]
    assert abs(_first(signal, 0.0)[0] + 80.0) < 1.0
    # (the samples at 10 and 20 ms interpolate across the snippets' boundary: the next ones;
    # the membrane leaks towards -65 mV by 0.5 % of its distance in 0.1 ms)
    assert abs(_first(signal, 9.9)[0] + 74.0) < 1.0 and abs(_first(signal, 10.1)[0] + 65.0) < 1.0
    assert abs(_first(signal, 20.1)[0] + 75.0) < 1.0


def test_each_neurons_reach_is_checked_at_run(bio, chip):
    pop = bio.Population(8, bio.IF_curr_exp())
    bio.run(None, RunCommand.PREPARE)
    state = simulator.state
    atoms = np.asarray(pop.atomic_neurons)
    k = initial_values.capmem_per_lsb(state.calibration.result.target.cadc_target)
    t0 = state.calibration.result.target.neuron_target.per_neuron("reset")[atoms]
    c0 = np.array([n.reset.v_reset for n in pop.calib_hwparams], dtype=float)
    highs = UNITS.potential_to_biological(t0 + (initial_values.MAX_CAPMEM - c0) / k)
    worst = int(np.argmin(highs))
    _, nominal_high = initial_values.nominal_reach(pop.celltype, state.calibration.result.target.cadc_target)
    value = float(highs[worst]) + 0.1
    assert value < nominal_high                     # accepted by initialize, out of this neuron's reach
    pop.initialize(v=value)
    with pytest.raises(pynn_errors.InvalidParameterValueError,
                       match=rf"cell {worst} .*\(neuron {atoms[worst]}\) cannot start there: its calibrated reset "
                             rf"reaches -\d+\.\d+\.\.{highs[worst]:.4g} mV"):
        bio.run(10.0)
