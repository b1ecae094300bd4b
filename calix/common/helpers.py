"""Measurements of all 512 neurons at once for the calibrations: membrane resets, spike counters,
CADC membrane reads, waits, in ``AtomicNeuronOnDLS`` enum order (row * 256 + column). The
neurons' configuration is written as a ``lola.AtomicNeuronArray``."""

from __future__ import annotations

from typing import Callable

import numpy as np

import halco
import haldls
import stadls

N_NEURONS = halco.AtomicNeuronOnDLS.size
#: CapMem value range of a neuron parameter
CAPMEM_RANGE = (0, 1022)


_RESET_QUADS = np.arange(halco.NeuronResetQuadOnDLS.size)
_COUNTERS = halco.enum_map(halco.AtomicNeuronOnDLS, halco.SpikeCounterReadOnDLS)
_COUNTER_RESETS = halco.enum_map(halco.AtomicNeuronOnDLS, halco.SpikeCounterResetOnDLS)


def reset_neurons(builder: stadls.PlaybackProgramBuilder) -> None:
    """Reset every membrane to its reset potential (one NeuronResetQuad per quad column)."""
    builder.write_array(haldls.NeuronResetQuad, _RESET_QUADS,
                        haldls.NeuronResetQuad.encode_array(len(_RESET_QUADS)))


def reset_spike_counters(builder: stadls.PlaybackProgramBuilder) -> None:
    """Clear every neuron's spike counter."""
    builder.write_array(haldls.SpikeCounterReset, _COUNTER_RESETS,
                        haldls.SpikeCounterReset.encode_array(N_NEURONS))


def read_spike_counts(builder: stadls.PlaybackProgramBuilder) -> Callable[[], np.ndarray]:
    """Append reads of every neuron's spike counter; returns a function giving the counts
    [512] (255 at overflow) once the program has run."""
    ticket = builder.read_array(haldls.SpikeCounterRead, _COUNTERS)
    return lambda: ticket.get()["count"].astype(float)


def enable_cadc_membranes(builder: stadls.PlaybackProgramBuilder) -> None:
    """Connect every membrane to the causal CADC channel of its column; enable both CADCs
    (``stadls.enable_cadc_recording``)."""
    stadls.enable_cadc_recording(builder)


def read_membranes(builder: stadls.PlaybackProgramBuilder) -> Callable[[], np.ndarray]:
    """Append a CADC read of all 512 membranes; returns a function giving them [512] (CADC
    LSB) once the program has run (``stadls.read_cadc_membranes``)."""
    return stadls.read_cadc_membranes(builder)


def set_refractory_clock(connection: stadls.Connection, clock_scale_slow: int) -> None:
    """Both backend blocks' slow clock (refractory counters) at 250 MHz / 2**(scale + 1)."""
    builder = stadls.PlaybackProgramBuilder()
    for block in halco.iter_all(halco.CommonNeuronBackendConfigOnDLS):
        builder.write(block, haldls.CommonNeuronBackendConfig(clock_scale_slow=clock_scale_slow))
    run(connection, builder)


def run(connection: stadls.Connection, builder: stadls.PlaybackProgramBuilder) -> dict:
    """Run ``builder`` (a barrier first, so all writes have reached the chip)."""
    builder.block_until(halco.BarrierOnFPGA(), haldls.Barrier.omnibus)
    return stadls.run(connection, builder.done())


def wait_us(builder: stadls.PlaybackProgramBuilder, microseconds: float) -> None:
    """Reset the timer and wait ``microseconds`` of hardware time."""
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(int(round(microseconds * 125)))


def fit_time_constant(times: np.ndarray, values: np.ndarray, rest: np.ndarray,
                      valid: np.ndarray | None = None) -> np.ndarray:
    """Time constants [512] from membrane reads ``values[t, n]`` relaxing towards ``rest[n]``:
    the slope of the log distance, least squares weighted by the squared distance (a read's
    noise is about one LSB, so its log is the less certain the closer it is to rest), over the
    reads still 3 LSB away (up to the first that is not) and ``valid`` (default: not clipped
    at 0). A membrane with one such read relaxed faster than the reads resolve: the bound its
    next read gives; none: 0 (faster still)."""
    resolution = 3.0
    distance = rest[None, :] - values
    if valid is None:
        valid = values > 1.0                    # a read clipped at 0 is no distance
    # a read within the resolution has settled into noise: it and every later read (which may
    # stray above the resolution again) say nothing about the slope
    settled = np.logical_or.accumulate(distance <= resolution, axis=0)
    usable = ~settled & valid
    n = usable.sum(axis=0)
    w = np.where(usable, distance, 0.0) ** 2
    y = np.log(np.where(usable, distance, 1.0))
    t = np.broadcast_to(times[:, None], values.shape)
    sw = np.maximum(w.sum(axis=0), 1e-12)
    mt = (w * t).sum(axis=0) / sw
    my = (w * y).sum(axis=0) / sw
    cov = (w * (t - mt) * (y - my)).sum(axis=0)
    var = (w * (t - mt) ** 2).sum(axis=0)
    slope = cov / np.where(var > 0, var, 1.0)
    fitted = np.where(slope < 0, -1.0 / np.where(slope < 0, slope, -1.0), np.inf)
    # fewer than two usable reads: it relaxed within the first step, so it is faster than that
    # (the bound keeps the measurement monotonic for the search)
    spacing = times[1] - times[0]
    bound = np.minimum(spacing / np.log(np.maximum(distance[0], resolution + 1e-9) / resolution),
                       spacing)
    return np.where(n >= 2, fitted, np.where(n == 1, bound, 0.0))
