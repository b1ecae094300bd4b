"""Measurements of all 512 neurons at once for the calibrations: membrane resets, spike counters,
CADC membrane reads, waits, in ``AtomicNeuronOnDLS`` enum order (row * 256 + column). The
neurons' configuration is written as a ``lola.AtomicNeuronArray``."""

from __future__ import annotations

import functools
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
    """Connect every membrane to the causal CADC channel of its column; enable both CADCs."""
    for quad in halco.iter_all(halco.ColumnCorrelationQuadOnDLS):
        builder.write(quad, haldls.ColumnCorrelationQuad(enable_cadc_neuron_readout_causal=[True] * 4))
    for cadc in halco.iter_all(halco.CADCConfigOnDLS):
        builder.write(cadc, haldls.CADCConfig(enable=True))


@functools.lru_cache(maxsize=None)
def _cadc_layout() -> tuple[np.ndarray, np.ndarray]:
    """The triggered causal reads of row 0 of every quad column (128 CADCSampleQuadOnDLS enums)
    and the atomic neurons [128, 4] whose membranes they convert."""
    coords, neurons = [], []
    column = halco.enum_map(halco.SynapseQuadColumnOnDLS, halco.NeuronColumnOnDLS)
    for synram in halco.iter_all(halco.SynramOnDLS):
        for q in halco.iter_all(halco.SynapseQuadColumnOnDLS):
            quad = halco.SynapseQuadOnSynram(q, halco.SynapseRowOnSynram(0))
            coords.append(halco.CADCSampleQuadOnDLS.of(
                quad, halco.CADCChannelType.causal, halco.CADCReadoutType.trigger_read,
                synram).to_enum())
            neurons.append(synram.value() * halco.NeuronColumnOnDLS.size + column[q.value()])
    return np.array(coords), np.array(neurons)


def read_membranes(builder: stadls.PlaybackProgramBuilder) -> Callable[[], np.ndarray]:
    """Append a CADC read of all 512 membranes; returns a function giving them [512] (CADC
    LSB) once the program has run."""
    coords, neurons = _cadc_layout()
    ticket = builder.read_array(haldls.CADCSampleQuad, coords)

    def values() -> np.ndarray:
        out = np.zeros(N_NEURONS)
        out[neurons] = ticket.get()["samples"]
        return out
    return values


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
