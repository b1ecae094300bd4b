"""The real tutorials' AdEx and network flows (reference: pynn_brainscales.md section 6, items
10 and 11), run as the examples in examples/pynn/ run them (each example's main() once per
module, its plot saved), each asserting what the tutorial expects: the four AdEx firing
patterns (common_task_adex_complex_dynamics), the synfire chain's travelling pulse packet
(fp_synfireChain), a solved sudoku (fp_sudoku) and the integrator's staircase (tp_00). Runs
are shortened through main()'s parameters where the tutorial's are longer than needed."""

from __future__ import annotations

import numpy as np
import pytest

from _pynn_helpers import example, run_example
from _pynn_setup import window

#: the AdEx current step, shortened from the tutorial's 0.1 / 0.6 / 0.3 ms [hardware ms]
ADEX_TIMING = (0.05, 0.4, 0.1)


@pytest.fixture(scope="module")
def adex(tmp_path_factory):
    return run_example("adex_patterns", tmp_path_factory, timing=ADEX_TIMING)


@pytest.fixture(scope="module")
def synfire(tmp_path_factory):
    return run_example("synfire_chain", tmp_path_factory)


def _step(adex, name):
    r = adex[name]
    return r, r["step"][0], r["step"][1]


def test_adex_records_adaptation_and_the_shorted_membrane_on_the_two_madc_channels(adex):
    """The two MADC channels: ``adaptation`` of neuron 0 and ``v`` of the dummy neuron 1 it is
    shorted onto, one signal per snippet, both over the whole run; the dummy shows the AdEx
    neuron's membrane (the exponential term's upswing and reset at every spike)."""
    r, on, off = _step(adex, "adaptation")
    assert r["t"][0] < 0.001 and r["t"][-1] > off + 0.09
    assert r["t_w"][0] < 0.001 and r["t_w"][-1] > off + 0.09
    for s in r["spikes"]:
        upswing = window(r["t"], r["v"], s - 0.002, s + 0.0005).max()
        assert upswing - window(r["t"], r["v"], s + 0.001, s + 0.003).min() > 150
    # spike-triggered adaptation: the adaptation readout grows during the spiking
    assert window(r["t_w"], r["w"], off - 0.1, off).mean() > window(r["t_w"], r["w"], 0.0, on).mean() + 20


def test_adex_subthreshold_damped_response(adex):
    """Strong sub-threshold adaptation: no spike; the membrane overshoots at the step's onset,
    swings below its level (the adaptation current lags) and settles; after the step it
    undershoots its resting level."""
    r, on, off = _step(adex, "subthreshold")
    t, v = r["t"], r["v"]
    assert len(r["spikes"]) == 0
    level = window(t, v, off - 0.1, off).mean()
    rest = window(t, v, on - 0.02, on).mean()
    peak_time = on + np.argmax(window(t, v, on, on + 0.1)) * np.median(np.diff(t))
    assert window(t, v, on, on + 0.1).max() > level + 50                    # the overshoot
    dip = np.convolve(window(t, v, peak_time, peak_time + 0.1), np.ones(25) / 25, mode="valid").min()
    assert dip < level - 5                                                  # the swing below: ringing
    assert window(t, v, off, off + 0.05).min() < rest - 50                  # the undershoot after


def test_adex_transient_spiking(adex):
    """Sub-threshold adaptation that outgrows the step: a few spikes at its onset, then
    silence for the rest of it."""
    r, on, off = _step(adex, "transient")
    spikes = r["spikes"]
    assert len(spikes) >= 3
    assert spikes.min() > on and spikes.max() < on + 0.12
    assert off - spikes.max() > 0.25                                        # silent most of the step


def test_adex_spike_frequency_adaptation(adex):
    """Spike-triggered adaptation: the intervals grow from spike to spike and level off; the
    neuron keeps firing to the step's end."""
    r, on, off = _step(adex, "adaptation")
    isi = np.diff(r["spikes"])
    assert len(r["spikes"]) >= 6 and r["spikes"].min() > on
    assert np.all(np.diff(isi[:5]) > 0)                                     # growing intervals
    assert isi[-1] > 2.5 * isi[0]
    assert r["spikes"].max() > off - 0.1                                    # not transient


def test_adex_bursting(adex):
    """A reset above the exponential term's onset: groups of spikes a microsecond or two apart,
    separated by pauses of tens of microseconds: a bimodal interval distribution."""
    r, on, off = _step(adex, "bursting")
    isi = np.diff(r["spikes"])
    short, long = isi[isi < 0.01], isi[isi >= 0.01]
    assert len(long) >= 2 and long.min() > 20 * short.max()                 # two modes, far apart
    bursts = np.split(r["spikes"], np.flatnonzero(isi >= 0.01) + 1)
    assert len(bursts) >= 3 and all(len(b) >= 4 for b in bursts)


def test_synfire_chain_pulse_packet(synfire):
    """fp_synfireChain: the stimulus starts link 0; each link fires once, a little after the
    previous one: a synchronous pulse packet travels down all eight links."""
    times = synfire["exc_times"]
    assert len(times) == 8 and not np.any(np.isnan(times))
    assert np.all(np.diff(times) > 0.0003)                                  # link after link
    for link in synfire["exc"]:
        counts = [len(train) for train in link]
        assert sum(counts) >= 5 and max(counts) == 1                        # most fire, each once
        spread = np.concatenate(link)
        assert spread.max() - spread.min() < 0.003                          # synchronous
    # feed-forward inhibition: each link's inhibitory neurons fire after its excitatory ones
    assert np.all(synfire["inh_times"] > times)


def test_synfire_chain_needs_its_inhibition(synfire):
    """Without the feed-forward inhibition the excitatory neurons fire again and again: the
    activity grows from link to link instead of travelling as one packet."""
    free = synfire["without_inhibition"]["exc"]
    with_inhibition = sum(len(t) for link in synfire["exc"] for t in link)
    assert sum(len(t) for link in free for t in link) > 3 * with_inhibition
    counts = [sum(len(t) for t in link) for link in free]
    assert counts[-1] > 2 * counts[0]


def test_sudoku_solved_from_spike_counts(tmp_path_factory):
    """fp_sudoku: 64 neurons with Poisson noise, self-excitation and the rules as inhibition;
    the digit that fires most in each cell gives a valid sudoku that keeps the clues."""
    module = example("sudoku")
    results = run_example("sudoku", tmp_path_factory)
    solution = results["solution"]
    assert results["valid"] and module.is_solution(solution, module.PUZZLE)
    clues = module.PUZZLE > 0
    assert np.array_equal(solution[clues], module.PUZZLE[clues])
    # each cell decided: its digit fires clearly more than the cell's other digits
    counts = np.sort(results["counts"], axis=2)
    assert np.all(counts[:, :, -1] > counts[:, :, -2])


def test_integrator_staircase(tmp_path_factory):
    """tp_00: an integrator neuron (no leak) under 12 excitatory and 3 inhibitory spikes: each
    excitatory spike lifts the membrane a step, each inhibitory one lowers it, and it holds
    its level between the spikes."""
    module = example("integrator")
    results = run_example("integrator", tmp_path_factory)
    steps = np.diff(results["levels"])
    kinds = np.array(list(module.ORDER))
    assert len(steps) == 15 and (kinds == "e").sum() == 12 and (kinds == "i").sum() == 3
    assert np.all(steps[kinds == "e"] > 20) and np.all(steps[kinds == "i"] < -5)
    t, v = results["t"], results["v"]
    inputs = sorted(results["excitatory"] + results["inhibitory"])
    for begin, end in zip(inputs, inputs[1:] + [inputs[-1] + module.GRID]):
        settled = window(t, v, end - module.GRID / 3, end)
        half = len(settled) // 2
        assert abs(settled[half:].mean() - settled[:half].mean()) < 6          # a flat stair
    assert results["levels"][-1] - results["levels"][0] > 250               # the staircase climbs
