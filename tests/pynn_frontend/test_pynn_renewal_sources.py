"""SpikeSourceGamma and SpikeSourcePoissonRefractory: drawn on the host with the right
interval statistics, played in, recorded, and bad parameters refused."""

from __future__ import annotations

import numpy as np
import pytest

import pynn_frontend as pynn
from pynn_frontend.errors import ParameterValueError

T_STOP = 20000.0      # ms of the module's time: thousands of intervals per cell


def _draw(celltype, n: int = 2):
    ps = celltype.native_parameters
    ps.shape = (n,)
    ps.evaluate(simplify=False)
    return celltype.spike_times(dict(ps.items()), np.arange(n), 0.0, T_STOP, seed=1)


def test_gamma_intervals_have_the_shape_and_rate_asked_for():
    trains = _draw(pynn.SpikeSourceGamma(alpha=[4.0, 1.0], beta=[200.0, 50.0]))
    for train, alpha, beta in zip(trains, (4.0, 1.0), (200.0, 50.0)):
        isi = np.diff(train)
        assert np.mean(isi) == pytest.approx(1000.0 * alpha / beta, rel=0.05)
        # a gamma interval's coefficient of variation is 1 / sqrt(alpha)
        assert np.std(isi) / np.mean(isi) == pytest.approx(1.0 / np.sqrt(alpha), rel=0.08)


def test_refractory_poisson_keeps_its_dead_time_and_rate():
    trains = _draw(pynn.SpikeSourcePoissonRefractory(rate=[100.0, 50.0], tau_refrac=[5.0, 0.0]))
    for train, rate, tau in zip(trains, (100.0, 50.0), (5.0, 0.0)):
        isi = np.diff(train)
        assert isi.min() >= tau
        assert len(train) / (T_STOP / 1000.0) == pytest.approx(rate, rel=0.05)
        assert np.mean(isi - tau) == pytest.approx(1000.0 / rate - tau, rel=0.06)   # exponential part


def test_the_same_cell_replays_its_train_and_windows_are_respected():
    source = pynn.SpikeSourceGamma(alpha=2.0, beta=100.0, start=100.0, duration=300.0)
    a, b = _draw(source, 1), _draw(source, 1)
    assert np.array_equal(a[0], b[0])
    assert a[0].min() >= 100.0 and a[0].max() < 400.0


def test_played_in_and_recorded_in_biological_time():
    import pynn_frontend.biological as sim

    sim.setup(timestep=0.1)
    sources = sim.Population(2, sim.SpikeSourcePoissonRefractory(rate=200.0, tau_refrac=2.0))
    sources.record("spikes")
    sim.run(200.0)
    trains = sources.get_data().segments[0].spiketrains
    sim.end()
    for train in trains:
        assert 20 <= len(train) <= 70                   # 40 expected
        assert np.diff(train.magnitude).min() >= 2.0 - 0.01      # the FPGA's clock: 8 us of biology


def test_bad_parameters_are_refused():
    pynn.setup()
    try:
        with pytest.raises(ParameterValueError, match=r"alpha = 0 \(cell 0\) must be finite and > 0"):
            pynn.Population(1, pynn.SpikeSourceGamma(alpha=0.0))
        with pytest.raises(ParameterValueError, match=r"beta = -1 \(cell 0\) must be finite and >= 0"):
            pynn.Population(1, pynn.SpikeSourceGamma(beta=-1.0))
        with pytest.raises(ParameterValueError, match=r"rate must stay below 1000 / tau_refrac = 200 Hz"):
            pynn.Population(1, pynn.SpikeSourcePoissonRefractory(rate=250.0, tau_refrac=5.0))
        # a rate raised later alone, past the dead time's limit
        sources = pynn.Population(1, pynn.SpikeSourcePoissonRefractory(rate=100.0, tau_refrac=5.0))
        sources.set(rate=300.0)
        with pytest.raises(ParameterValueError, match="rate must stay below"):
            pynn.run(0.1)
    finally:
        pynn.end()
