"""Vectorized access to all 512 neurons for the calibrations: their CapMem cells, switches and
CADC membrane reads, in ``AtomicNeuronOnDLS`` enum order (row * 256 + column)."""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

import halco
import haldls
import stadls

N_NEURONS = halco.AtomicNeuronOnDLS.size
#: CapMem value range of a neuron parameter
CAPMEM_RANGE = (0, 1022)


@functools.lru_cache(maxsize=None)
def _neuron_tables() -> dict[str, Any]:
    neurons = list(halco.iter_all(halco.AtomicNeuronOnDLS))
    return {
        "capmem": halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemCellOnDLS),
        "config": halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronConfigOnDLS),
        "backend": halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronBackendConfigOnDLS),
        "counter_resets": [n.to_spike_counter_reset_on_dls() for n in neurons],
        "counter_reads": [n.to_spike_counter_read_on_dls() for n in neurons],
    }


def capmem_cells(row: str) -> np.ndarray:
    """CapMemCellOnDLS enums of parameter ``row`` (a ``halco.CAPMEM_ROW_NAMES`` name) of every
    neuron."""
    return _neuron_tables()["capmem"][:, halco.CAPMEM_ROW_NAMES[row]]


def write_capmem(builder: Any, values: dict[str, Any]) -> None:
    """Write CapMem rows of all neurons: ``values`` maps a row name to one value or 512."""
    cells, data = [], []
    for row, value in values.items():
        cells.append(capmem_cells(row))
        data.append(np.broadcast_to(np.asarray(value, dtype=np.int64), (N_NEURONS,)))
    cells, data = np.concatenate(cells), np.concatenate(data)
    builder.write_array(haldls.CapMemCell, cells, haldls.CapMemCell.encode_array(len(cells), value=data))


def write_neuron_configs(builder: Any, **fields: Any) -> None:
    """Every neuron's NeuronConfig (fields a value or 512 values; the rest defaults)."""
    enums = _neuron_tables()["config"]
    builder.write_array(haldls.NeuronConfig, enums, haldls.NeuronConfig.encode_array(
        N_NEURONS, **{k: np.broadcast_to(np.asarray(v), (N_NEURONS,)) for k, v in fields.items()}))


def write_backend_configs(builder: Any, **fields: Any) -> None:
    """Every neuron's NeuronBackendConfig (fields a value or 512 values)."""
    enums = _neuron_tables()["backend"]
    builder.write_array(haldls.NeuronBackendConfig, enums, haldls.NeuronBackendConfig.encode_array(
        N_NEURONS, **{k: np.broadcast_to(np.asarray(v), (N_NEURONS,)) for k, v in fields.items()}))


def reset_neurons(builder: Any) -> None:
    """Reset every membrane to its reset potential (one NeuronResetQuad per quad column)."""
    for quad in halco.iter_all(halco.NeuronResetQuadOnDLS):
        builder.write(quad, haldls.NeuronResetQuad())


def reset_spike_counters(builder: Any) -> None:
    """Clear every neuron's spike counter."""
    reset = haldls.SpikeCounterReset()
    for coord in _neuron_tables()["counter_resets"]:
        builder.write(coord, reset)


def read_spike_counts(builder: Any) -> Callable[[], np.ndarray]:
    """Append reads of every neuron's spike counter; returns a function giving the counts
    [512] (255 at overflow) once the program has run."""
    tickets = [builder.read(coord) for coord in _neuron_tables()["counter_reads"]]
    return lambda: np.array([t.get().count for t in tickets], dtype=float)


def enable_cadc_membranes(builder: Any) -> None:
    """Connect every membrane to the causal CADC channel of its column; enable both CADCs."""
    for quad in halco.iter_all(halco.ColumnCorrelationQuadOnDLS):
        builder.write(quad, haldls.ColumnCorrelationQuad(enable_cadc_neuron_readout_causal=[True] * 4))
    for cadc in halco.iter_all(halco.CADCConfigOnDLS):
        builder.write(cadc, haldls.CADCConfig(enable=True))


@functools.lru_cache(maxsize=None)
def _cadc_layout() -> tuple[list, np.ndarray]:
    """The triggered causal reads of row 0 of every quad column (128 CADCSampleQuadOnDLS) and
    the atomic neurons [128, 4] whose membranes they convert."""
    coords, neurons = [], []
    column = halco.enum_map(halco.SynapseQuadColumnOnDLS, halco.NeuronColumnOnDLS)
    for synram in halco.iter_all(halco.SynramOnDLS):
        for q in halco.iter_all(halco.SynapseQuadColumnOnDLS):
            quad = halco.SynapseQuadOnSynram(q, halco.SynapseRowOnSynram(0))
            coords.append(halco.CADCSampleQuadOnDLS.of(quad, halco.CADCChannelType.causal,
                                                       halco.CADCReadoutType.trigger_read, synram))
            neurons.append(synram.value() * halco.NeuronColumnOnDLS.size + column[q.value()])
    return coords, np.array(neurons)


def read_membranes(builder: Any) -> Callable[[], np.ndarray]:
    """Append a CADC read of all 512 membranes; returns a function giving them [512] (CADC
    LSB) once the program has run."""
    coords, neurons = _cadc_layout()
    tickets = [builder.read(c) for c in coords]

    def values() -> np.ndarray:
        out = np.zeros(N_NEURONS)
        out[neurons] = np.array([t.get().samples for t in tickets])
        return out
    return values


def set_refractory_clock(connection: Any, clock_scale_slow: int) -> None:
    """Both backend blocks' slow clock (refractory counters) at 250 MHz / 2**(scale + 1)."""
    builder = stadls.PlaybackProgramBuilder()
    for block in halco.iter_all(halco.CommonNeuronBackendConfigOnDLS):
        builder.write(block, haldls.CommonNeuronBackendConfig(clock_scale_slow=clock_scale_slow))
    run(connection, builder)


def run(connection: Any, builder: stadls.PlaybackProgramBuilder) -> dict:
    """Run ``builder`` (a barrier first, so all writes have reached the chip)."""
    builder.block_until(halco.BarrierOnFPGA(), haldls.Barrier.omnibus)
    return stadls.run(connection, builder.done())


def wait_us(builder: Any, microseconds: float) -> None:
    """Reset the timer and wait ``microseconds`` of hardware time."""
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(int(round(microseconds * 125)))
