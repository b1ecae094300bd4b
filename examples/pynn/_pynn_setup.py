"""Shared by the PyNN examples: the real tutorials' neuron parameter sets (HXNeuron, DAC
values) and readers of Neo data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

# examples/ (the plot folder and axes of examples/_plotting.py) for a PyNN example run as a script
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parent.parent))

#: ts_00's leak-over-threshold neuron: the leak far above the threshold, a strong reset, the
#: longest refractory time: it fires regularly on its own
LOT = dict(leak_v_leak=1000, leak_i_bias=150, threshold_v_threshold=300, threshold_enable=True,
           reset_v_reset=400, reset_i_bias=1022, reset_enable_multiplication=True,
           membrane_capacitance_capacitance=63, refractory_period_refractory_time=255)

#: a neuron that integrates its synaptic inputs without spiking (plain DAC values, no
#: calibration): the stand-in for the tutorials' calibrated neuron with threshold_enable=False
INTEGRATOR = dict(leak_v_leak=600, leak_i_bias=400, membrane_capacitance_capacitance=63,
                  excitatory_input_enable=True, excitatory_input_i_bias_tau=400,
                  excitatory_input_i_bias_gm=1000, inhibitory_input_enable=True,
                  inhibitory_input_i_bias_tau=400, inhibitory_input_i_bias_gm=1000,
                  threshold_enable=False)


def trace(population: Any, segment: int = -1, index: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(times [ms], values) of an analog signal of a segment (default the last)."""
    signal = population.get_data().segments[segment].irregularlysampledsignals[index]
    return signal.times.magnitude, signal.magnitude[:, 0]


def window(times: np.ndarray, values: np.ndarray, begin: float, end: float) -> np.ndarray:
    """The values in [begin, end)."""
    return values[(times >= begin) & (times < end)]


def spike_times(population: Any, segment: int = -1) -> list[np.ndarray]:
    """The spike times [ms] of each recorded cell in a segment (default the last)."""
    return [np.asarray(st.magnitude) for st in population.get_data("spikes").segments[segment].spiketrains]


def smooth(values: np.ndarray, n: int = 9) -> np.ndarray:
    """A running mean over ``n`` samples (the MADC's noise)."""
    return np.convolve(values, np.ones(n) / n, mode="same")


def sweep(population: Any, values: Any, apply: Callable[[Any], None], runtime: float,
          measure: Callable[[], Any]) -> list:
    """The tutorials' loop: for each value ``apply(value)`` (set parameters or weights), run
    for ``runtime``, ``measure()``, then drop the data and reset; the measurements."""
    import pynn_frontend as pynn

    out = []
    for value in values:
        apply(value)
        pynn.run(runtime)
        out.append(measure())
        population.get_data(clear=True)
        pynn.reset()
    return out


def figure(rows: int, columns: int, size: tuple[float, float]) -> tuple[Any, Any]:
    """A matplotlib figure (no display needed) and its axes."""
    import _plotting

    plt = _plotting.pyplot()
    fig, axes = plt.subplots(rows, columns, figsize=size, squeeze=False)
    return fig, axes


__all__ = ["INTEGRATOR", "LOT", "figure", "smooth", "spike_times", "sweep", "trace", "window"]
