"""The CapMem debug output as the chip selects it (haldls CapMemBlockConfig, the real layout): a
one-hot row word and a column word. The readout is on while a row is selected; select words that
select no single cell (two rows, a column past the last) leave the output undriven, and the
CADC channels on the debug line read their own columns."""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls
from emulator import Emulator, Mismatch
from haldls import wire

IDEAL = {"mismatch": Mismatch.ideal(), "noise": False}
CELL = halco.CapMemCellOnCapMemBlock.stp_v_charge_0
VOLTS = np.linspace(0.3, 0.9, 256)
#: what the channels read of their own columns (the debug line floats): 0.1 V + 4 mV per code
COLUMNS = np.floor((VOLTS - 0.1) / 0.004 + 0.5)


def debug_setup(builder) -> None:
    """Cell stp_v_charge_0 of block 0 at 300 (0.6 V) on the causal and acausal debug lines of
    every channel, through pad 0; block 0's readout on, selecting that cell."""
    builder.write(halco.CapMemCellOnDLS(CELL, halco.CapMemBlockOnDLS(0)), haldls.CapMemCell(value=300))
    builder.write(halco.PadMultiplexerConfigOnDLS(0), haldls.PadMultiplexerConfig(
        capmem_v_out_mux=[True, False, False, False],
        capmem_v_out_mux_to_capmem_intermediate_mux=True, capmem_intermediate_mux_to_pad=True,
        cadc_debug_causal_to_synapse_intermediate_mux=True,
        cadc_debug_acausal_to_synapse_intermediate_mux=True, synapse_intermediate_mux_to_pad=True))
    builder.write(halco.CapMemBlockConfigOnDLS(0), haldls.CapMemBlockConfig(
        debug_readout_enable=True, debug_capmem_coord=CELL))
    builder.write_array(haldls.ColumnCorrelationQuad, np.arange(128), np.repeat(
        np.asarray(haldls.ColumnCorrelationQuad(enable_debug_causal=[True] * 4,
                                                enable_debug_acausal=[True] * 4,
                                                enable_cadc_neuron_readout_causal=[True] * 4).encode(),
                   dtype=np.uint32)[None], 128, axis=0))


def read_with_select_words(row_word: int | None, column_word: int | None) -> np.ndarray:
    """CADC codes of the top membranes held at VOLTS after debug_setup, with block 0's select
    words then overwritten on the bus (None: left as debug_setup wrote them)."""
    emulator = Emulator(**IDEAL)
    builder, _ = stadls.generate(stadls.SystemInit())
    stadls.run(emulator, builder.done())
    builder = stadls.PlaybackProgramBuilder()
    stadls.enable_cadc_recording(builder)
    debug_setup(builder)                # after the recording setup, which sets the column switches
    stadls.run(emulator, builder.done())
    if row_word is not None:
        addresses = haldls.CapMemBlockConfig.addresses(halco.CapMemBlockConfigOnDLS(0))[:2]
        emulator.run(wire.omnibus_writes(addresses, np.array([row_word, column_word], dtype=np.uint32)))
    builder = stadls.PlaybackProgramBuilder()
    membranes = stadls.read_cadc_membranes(builder, halco.SynramOnDLS.top)
    emulator.chip.S[0, :] = np.concatenate([VOLTS, VOLTS])
    stadls.run(emulator, builder.done())
    return membranes()


def test_the_selected_cell_drives_the_line_and_bad_select_words_drive_nothing():
    assert (read_with_select_words(None, None) == 125).all()        # 300 * 2 mV = 0.6 V
    row = 1 << (23 - CELL.y.value())
    column = CELL.x.value()
    # the same cell written as raw select words: the same reading
    assert (read_with_select_words(row, column) == 125).all()
    for bad in [(row | 1, column), (row, 130), (0, column)]:     # two rows, no column, no row
        assert np.array_equal(read_with_select_words(*bad), COLUMNS), bad
