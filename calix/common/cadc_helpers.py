"""What the CADC calibration needs around it (calix's ``common.cadc_helpers``): the reference
path from a CapMem cell to every CADC channel, reads of all 1024 channels, and the map from
channels to the quadrants whose ramps they share.

Channels are in ``CADCChannelConfigOnDLS`` enum order (synram, then causal/acausal, then column:
top causal, top acausal, bottom causal, bottom acausal, each left to right). A channel belongs to
the quadrant (CapMem block, ``CapMemBlockOnDLS``) of its hemisphere and half: columns 0..127 the
left (NW, SW) block, 128..255 the right (NE, SE) one.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

import halco
import haldls
import stadls

N_CHANNELS = halco.CADCChannelConfigOnDLS.size
N_QUADRANTS = halco.CapMemBlockOnDLS.size
#: the CapMem cell whose voltage the calibration puts on every channel (as the real calix)
REFERENCE_CELL = halco.CapMemCellOnCapMemBlock.stp_v_charge_0
#: the CapMem block whose debug output drives the reference (CapMemBlockOnDLS())
REFERENCE_BLOCK = halco.CapMemBlockOnDLS(0)
#: ramp bias cells calix writes with fixed values (the emulator stores them without effect)
RAMP_BIASES = {halco.CapMemCellOnCapMemBlock.cadc_v_bias_ramp_buf: 400,
               halco.CapMemCellOnCapMemBlock.cadc_i_bias_comp: 1022,
               halco.CapMemCellOnCapMemBlock.cadc_i_bias_vreset_buf: 1022}


def quadrant_of_channel() -> np.ndarray:
    """[1024] the CapMemBlockOnDLS (0..3) whose ramp each channel converts with."""
    channel = np.arange(N_CHANNELS)
    synram, rest = np.divmod(channel, halco.CADCChannelConfigOnSynram.size)
    column = rest % halco.CADCChannelColumnOnSynram.size
    return 2 * synram + column // (halco.CADCChannelColumnOnSynram.size // 2)


def convert_success_masks(quadrant_mask: np.ndarray) -> np.ndarray:
    """A per-quadrant success mask [4] as one per channel [1024]: every channel of a failed
    quadrant fails."""
    return np.asarray(quadrant_mask, dtype=bool)[quadrant_of_channel()]


def capmem_set_quadrant_cells(builder: Any, cells: dict) -> Any:
    """Write shared CapMem cells in all four blocks: ``{CapMemCellOnCapMemBlock: value or
    [4] values (one per CapMemBlockOnDLS)}``."""
    for cell, values in cells.items():
        values = np.broadcast_to(np.asarray(values, dtype=np.int64), (N_QUADRANTS,))
        for block in halco.iter_all(halco.CapMemBlockOnDLS):
            builder.write(halco.CapMemCellOnDLS(cell, block),
                          haldls.CapMemCell(value=int(values[block.value()])))
    return builder


def set_channel_offsets(builder: Any, offsets: np.ndarray) -> Any:
    """Write the digital offsets [1024] of every channel: vectorized on a
    PlaybackProgramBuilder, one container each on a Dumper."""
    offsets = np.asarray(offsets, dtype=np.int64)
    if hasattr(builder, "write_array"):
        builder.write_array(haldls.CADCChannelConfig, np.arange(N_CHANNELS),
                            haldls.CADCChannelConfig.encode_array(N_CHANNELS, offset=offsets))
    else:
        for coord, offset in zip(halco.iter_all(halco.CADCChannelConfigOnDLS), offsets.tolist()):
            builder.write(coord, haldls.CADCChannelConfig(offset=offset))
    return builder


def enable_cadcs(builder: Any) -> Any:
    """Both hemispheres' CADCs on."""
    for cadc in halco.iter_all(halco.CADCConfigOnDLS):
        builder.write(cadc, haldls.CADCConfig(enable=True))
    return builder


#: every channel on its column's correlation sensor (causal and acausal) and nothing else; haldls's
#: default ColumnCorrelationQuad has every switch off
SENSORS_CONNECTED = haldls.ColumnCorrelationQuad(enable_internal_causal=[True] * 4,
                                                 enable_internal_acausal=[True] * 4)


def write_column_switches(builder: Any, switches: haldls.ColumnCorrelationQuad) -> Any:
    """``switches`` into every ColumnCorrelationQuad: vectorized on a PlaybackProgramBuilder, one
    container each on a Dumper."""
    n = halco.ColumnCorrelationQuadOnDLS.size
    if hasattr(builder, "write_array"):
        builder.write_array(haldls.ColumnCorrelationQuad, np.arange(n),
                            np.repeat(np.asarray(switches.encode(), dtype=np.uint32)[None, :], n, axis=0))
    else:
        for quad in halco.iter_all(halco.ColumnCorrelationQuadOnDLS):
            builder.write(quad, switches)
    return builder


def configure_chip(builder: Any) -> Any:
    """The CADC side of the calibration setup: the ramp biases, both CADCs on, every channel
    (causal and acausal, all columns) switched to its CADC debug line only, digital offsets 0."""
    capmem_set_quadrant_cells(builder, RAMP_BIASES)
    enable_cadcs(builder)
    debug_only = haldls.ColumnCorrelationQuad(
        enable_internal_causal=[False] * 4, enable_internal_acausal=[False] * 4,
        enable_debug_causal=[True] * 4, enable_debug_acausal=[True] * 4)
    write_column_switches(builder, debug_only)
    return set_channel_offsets(builder, np.zeros(N_CHANNELS, dtype=np.int64))


def configure_readout_cadc_debug(builder: Any) -> Any:
    """The reference path: block 0's CapMem debug output shows ``stp_v_charge_0``; pad 0 joins
    it (through the CapMem intermediate multiplexer) with both CADC debug lines (through the
    synapse intermediate multiplexer). Every CapMem block is (re)configured enabled, with
    haldls's default block configuration."""
    pad = haldls.PadMultiplexerConfig(
        capmem_v_out_mux=[b == REFERENCE_BLOCK.value() for b in range(N_QUADRANTS)],
        capmem_v_out_mux_to_capmem_intermediate_mux=True, capmem_intermediate_mux_to_pad=True,
        cadc_debug_causal_to_synapse_intermediate_mux=True,
        cadc_debug_acausal_to_synapse_intermediate_mux=True, synapse_intermediate_mux_to_pad=True)
    builder.write(halco.PadMultiplexerConfigOnDLS(0), pad)
    _capmem_blocks(builder, haldls.CapMemBlockConfig(
        debug_readout_enable=True, debug_capmem_coord=REFERENCE_CELL.to_enum()))
    return builder


def _capmem_blocks(builder: Any, reference: haldls.CapMemBlockConfig) -> None:
    """Every CapMem block enabled with haldls's defaults, the reference block as ``reference``
    (the calibration works on a chip fresh from reset too)."""
    for block in halco.iter_all(halco.CapMemBlockConfigOnDLS):
        builder.write(block, reference if block.value() == REFERENCE_BLOCK.value()
                      else haldls.CapMemBlockConfig())


def disconnect_readout_cadc_debug(builder: Any) -> Any:
    """Undo the calibration setup's switches: the pad and the CapMem debug output off, the
    channels back on their columns' correlation sensors (:data:`SENSORS_CONNECTED`), so that
    the CADC reads what experiments connect to it."""
    builder.write(halco.PadMultiplexerConfigOnDLS(0), haldls.PadMultiplexerConfig())
    _capmem_blocks(builder, haldls.CapMemBlockConfig())
    return write_column_switches(builder, SENSORS_CONNECTED)


@functools.lru_cache(maxsize=None)
def _read_layout() -> tuple[np.ndarray, np.ndarray]:
    """The 256 triggered CADCSampleQuadOnDLS reads of synapse row 0 that cover every channel,
    and the channel (CADCChannelConfigOnDLS enum) of each of their samples [256, 4]."""
    quad_columns = halco.enum_map(halco.SynapseQuadColumnOnDLS, halco.SynapseOnSynapseRow)
    reads, channels = [], []
    for synram in halco.iter_all(halco.SynramOnDLS):
        for ctype in halco.iter_all(halco.CADCChannelType):
            for q in halco.iter_all(halco.SynapseQuadColumnOnDLS):
                quad = halco.SynapseQuadOnSynram(q, halco.SynapseRowOnSynram(0))
                reads.append(halco.CADCSampleQuadOnDLS.of(
                    quad, ctype, halco.CADCReadoutType.trigger_read, synram).to_enum())
                channels.append(synram.value() * halco.CADCChannelConfigOnSynram.size
                                + ctype.value() * halco.CADCChannelColumnOnSynram.size
                                + quad_columns[q.value()])
    return np.array(reads), np.array(channels)


def read_cadcs(builder: stadls.PlaybackProgramBuilder, repetitions: int = 1) -> Callable[[], np.ndarray]:
    """Append ``repetitions`` triggered reads of all 1024 channels (one burst); returns a
    function giving the reads [repetitions, 1024] once the program has run."""
    reads, channels = _read_layout()
    ticket = builder.read_array(haldls.CADCSampleQuad, np.tile(reads, repetitions))

    def values() -> np.ndarray:
        samples = ticket.get()["samples"].reshape(repetitions, len(reads), 4)
        out = np.empty((repetitions, N_CHANNELS))
        out[:, channels] = samples
        return out
    return values


def quadrant_means(reads: np.ndarray) -> np.ndarray:
    """Mean [4] of channel values [1024] (or [..., 1024]) over each quadrant's 256 channels."""
    reads = np.asarray(reads, dtype=float)
    quadrant = quadrant_of_channel()
    return np.stack([reads[..., quadrant == q].mean(axis=-1) for q in range(N_QUADRANTS)], axis=-1)
