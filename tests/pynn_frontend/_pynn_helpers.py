"""Shared pieces of the pynn_frontend tests: a fixture that ends every simulation, neuron
parameter sets of the real tutorials, and small readers of Neo data."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import lola
import pynn_frontend as pynn

#: the leak-over-threshold neuron of the single-neuron tutorial
LOT = dict(leak_v_leak=1000, leak_i_bias=150, threshold_v_threshold=300, threshold_enable=True,
           reset_v_reset=400, reset_i_bias=1022, reset_enable_multiplication=True,
           membrane_capacitance_capacitance=63, refractory_period_refractory_time=255)

#: a neuron integrating synaptic input without spiking (no calibration: plain DAC values)
INTEGRATOR = dict(leak_v_leak=600, leak_i_bias=400, membrane_capacitance_capacitance=63,
                  excitatory_input_enable=True, excitatory_input_i_bias_tau=400,
                  excitatory_input_i_bias_gm=1000, inhibitory_input_enable=True,
                  inhibitory_input_i_bias_tau=400, inhibitory_input_i_bias_gm=1000,
                  threshold_enable=False)


@pytest.fixture
def sim():
    """The backend; every simulation the test started is ended afterwards."""
    yield pynn
    pynn.end()


def trace(population, segment: int = -1, index: int = 0):
    """(times [ms], values) of an analog signal of the last (or given) segment."""
    signal = population.get_data().segments[segment].irregularlysampledsignals[index]
    return signal.times.magnitude, signal.magnitude[:, 0]


def window(times, values, begin, end):
    return values[(times >= begin) & (times < end)]


def spike_times(population, segment: int = -1):
    return [np.asarray(st.magnitude) for st in population.get_data("spikes").segments[segment].spiketrains]


def cadc_chip() -> lola.Chip:
    """A configuration whose CADC ramps cover the membrane's range (uncalibrated values)."""
    chip = lola.Chip()
    cells = halco.CapMemCellOnCapMemBlock
    for cell, value in {cells.cadc_v_bias_ramp_buf: 400, cells.cadc_i_bias_comp: 1022,
                        cells.cadc_i_bias_vreset_buf: 1022, cells.cadc_v_ramp_offset: 50,
                        cells.cadc_i_ramp_slope: 350}.items():
        chip.capmem.set_shared(cell, value)
    return chip


@pytest.fixture
def bio():
    """The backend in biological time; every simulation the test started is ended afterwards."""
    import pynn_frontend.biological as biological

    yield biological
    biological.end()


class CalibrateSpy:
    """Stands in for ``calix.calibrate`` in the backend: records each target and returns a
    given (real) result, so that the glue is tested without calibrating again."""

    def __init__(self, result) -> None:
        self.result = result
        self.calls: list[dict] = []

    def __call__(self, target, options=None, cache_paths=None, cache_read_only=False, connection=None):
        self.calls.append({"target": target, "options": options, "cache_paths": cache_paths,
                           "connection": connection})
        return self.result


@pytest.fixture
def spy(result, monkeypatch):
    """A CalibrateSpy in place of ``calix.calibrate``, returning the requesting module's
    ``result`` fixture (a real calibration)."""
    from pynn_frontend import calibration

    stand_in = CalibrateSpy(result)
    monkeypatch.setattr(calibration.calix, "calibrate", stand_in)
    return stand_in
