"""The CADC as a single-slope ADC (emulator/MODEL.md, Readouts): a ramp per quadrant from its
CapMem cells, comparator offsets per channel, the digital offset, saturation, a ramp that is off,
and the debug lines that carry a CapMem cell's voltage to every channel."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import haldls
import stadls
from emulator import Emulator, Mismatch, readout, transfer
from emulator.errors import ConfigurationError

IDEAL = {"mismatch": Mismatch.ideal(), "noise": False}
CELL = halco.CapMemCellOnCapMemBlock


def initialized(**options) -> Emulator:
    emulator = Emulator(**options)
    builder, _ = stadls.generate(stadls.SystemInit())
    stadls.run(emulator, builder.done())
    return emulator


def read_top_membranes(emulator: Emulator, volts: np.ndarray, setup=None) -> np.ndarray:
    """CADC codes of the 256 top membranes held at ``volts`` (after ``setup(builder)``)."""
    builder = stadls.PlaybackProgramBuilder()
    stadls.enable_cadc_recording(builder)
    if setup is not None:
        setup(builder)
    membranes = stadls.read_cadc_membranes(builder, halco.SynramOnDLS.top)
    emulator.chip.S[0, :256] = volts          # the membranes' voltage where the reads happen
    emulator.chip.S[0, 256:] = volts
    program = builder.done()
    # no leak: nothing moves the membranes between the writes and the reads
    stadls.run(emulator, program)
    return membranes()


def write_cell(builder, cell, value, blocks=range(4)) -> None:
    for b in blocks:
        builder.write(halco.CapMemCellOnDLS(cell, halco.CapMemBlockOnDLS(b)), haldls.CapMemCell(value=value))


def test_the_nominal_ramp_of_the_init_gives_0_1_volt_at_code_0_and_4_mv_per_code():
    assert stadls.NOMINAL_CADC_RAMP == {"cadc_v_ramp_offset": readout.NOMINAL_RAMP_OFFSET,
                                        "cadc_i_ramp_slope": readout.NOMINAL_RAMP_SLOPE}
    emulator = initialized(**IDEAL)
    volts = np.linspace(0.05, 1.25, 256)
    codes = read_top_membranes(emulator, volts)
    expected = np.clip(np.floor((volts - 0.1) / 0.004 + 0.5), 0, 255)
    assert np.array_equal(codes, expected)
    assert np.array_equal(emulator.chip.readout.channel_codes(0.5), np.full(1024, 100))


def test_each_quadrant_converts_with_its_own_ramp_cells():
    emulator = initialized(**IDEAL)

    def setup(builder):
        write_cell(builder, CELL.cadc_v_ramp_offset, 60, blocks=[1])     # NE: start 0.12 V
        write_cell(builder, CELL.cadc_i_ramp_slope, 800, blocks=[0])     # NW: 8 mV per code
    codes = read_top_membranes(emulator, np.full(256, 0.5), setup)
    assert (codes[:128] == 50).all()            # (0.5 - 0.1) / 8 mV
    assert (codes[128:] == 95).all()            # (0.5 - 0.12) / 4 mV
    truth = emulator.chip.readout.channel_codes(0.5)
    assert (truth[512:] == 100).all()           # the bottom quadrants keep the nominal ramp


def test_the_count_saturates_before_the_digital_offset_is_added():
    emulator = initialized(**IDEAL)
    offsets = np.zeros(1024, dtype=np.int64)
    offsets[:256] = np.where(np.arange(256) % 2, 10, -10)     # top causal channels

    def setup(builder):
        builder.write_array(haldls.CADCChannelConfig, np.arange(1024),
                            haldls.CADCChannelConfig.encode_array(1024, offset=offsets))
    low = read_top_membranes(emulator, np.full(256, 0.02), setup)      # below the ramp start
    high = read_top_membranes(emulator, np.full(256, 1.2), setup)      # at the ramp's top
    assert np.array_equal(low, np.where(np.arange(256) % 2, 10, 0))
    assert np.array_equal(high, np.where(np.arange(256) % 2, 255, 245))


@pytest.mark.parametrize("off", ["block disabled", "slope 0"])
def test_a_ramp_that_is_off_reads_255_above_its_start_and_0_below(off):
    emulator = initialized(**IDEAL)

    def setup(builder):
        if off == "slope 0":
            write_cell(builder, CELL.cadc_i_ramp_slope, 0, blocks=[0])
        else:
            builder.write(halco.CapMemBlockConfigOnDLS(0), haldls.CapMemBlockConfig(enable_capmem=False))
    codes = read_top_membranes(emulator, np.r_[np.full(128, 0.6), np.full(128, 0.6)], setup)
    assert (codes[:128] == 255).all() and (codes[128:] == 125).all()
    truth = emulator.chip.readout.channel_codes(0.05)
    expected_off = 0 if off == "slope 0" else 255      # 0.05 V lies below 0.1 V but above 0 V
    assert (truth[:128] == expected_off).all()
    assert np.isnan(emulator.chip.readout.channel_codes(0.5, rounded=False)[:128]).all()


def test_a_fresh_chip_without_init_has_no_ramp():
    emulator = Emulator(**IDEAL)                # CapMem off after reset
    codes = read_top_membranes(emulator, np.full(256, 0.6))
    assert (codes == 255).all()


def test_mismatch_is_per_quadrant_ramp_and_per_channel_offset_and_fixed_by_the_chip_id():
    a, b = Mismatch.for_chip(0), Mismatch.for_chip(1)
    assert a.cadc_ramp_start.shape == (4,) and a.cadc_ramp_slope.shape == (4,)
    assert a.cadc_offset.shape == (2, 2, 256)
    assert not np.allclose(a.cadc_ramp_start, b.cadc_ramp_start)
    assert np.array_equal(a.cadc_ramp_slope, Mismatch.for_chip(0).cadc_ramp_slope)
    assert 0.010 < a.cadc_offset.std() < 0.022                 # V, about 4 LSB
    spreads = []
    for chip_id in range(5):
        codes = initialized(chip_id=chip_id, noise=False).chip.readout.channel_codes(0.6)
        spreads.append(np.ptp(codes))
        assert 3 < codes.std() < 9                              # several LSB, uncalibrated
    assert min(spreads) > 15


def test_reads_have_one_lsb_of_noise_around_the_noise_free_code():
    emulator = initialized(chip_id=3)
    truth = emulator.chip.readout.channel_codes(0.6, rounded=False)[:256]
    reads = np.array([read_top_membranes(emulator, np.full(256, 0.6)) for _ in range(30)])
    assert reads.std(axis=0).mean() == pytest.approx(1.0, abs=0.25)
    assert np.abs(reads.mean(axis=0) - truth).max() < 1.0


def debug_setup(builder, cell_value=300, pad=0, blocks=(0,), lines=("causal", "acausal"),
                channels=True):
    write_cell(builder, halco.CapMemCellOnCapMemBlock.stp_v_charge_0, cell_value)
    builder.write(halco.PadMultiplexerConfigOnDLS(pad), haldls.PadMultiplexerConfig(
        capmem_v_out_mux=[b in blocks for b in range(4)],
        capmem_v_out_mux_to_capmem_intermediate_mux=True, capmem_intermediate_mux_to_pad=True,
        cadc_debug_causal_to_synapse_intermediate_mux="causal" in lines,
        cadc_debug_acausal_to_synapse_intermediate_mux="acausal" in lines,
        synapse_intermediate_mux_to_pad=True))
    for b in blocks:
        builder.write(halco.CapMemBlockConfigOnDLS(b), haldls.CapMemBlockConfig(
            debug_readout_enable=True,
            debug_capmem_coord=halco.CapMemCellOnCapMemBlock.stp_v_charge_0.to_enum()))
    if channels:
        builder.write_array(haldls.ColumnCorrelationQuad, np.arange(128), np.repeat(
            np.asarray(haldls.ColumnCorrelationQuad(enable_debug_causal=[True] * 4,
                                                    enable_debug_acausal=[True] * 4,
                                                    enable_cadc_neuron_readout_causal=[True] * 4).encode(),
                       dtype=np.uint32)[None], 128, axis=0))


def test_a_capmem_cell_reaches_every_channel_through_a_pad_and_the_debug_lines():
    emulator = initialized(**IDEAL)
    codes = read_top_membranes(emulator, np.linspace(0.3, 0.9, 256), debug_setup)
    assert (codes == 125).all()                 # 300 * 2 mV = 0.6 V: the line wins over the membranes
    truth = emulator.chip.readout.channel_codes(transfer.shared_voltage(300))
    assert (truth == 125).all()


@pytest.mark.parametrize("broken", ["no synapse mux", "capmem block 1 not enabled for debug",
                                    "other pad without capmem"])
def test_without_a_closed_path_the_channels_read_their_columns(broken):
    emulator = initialized(**IDEAL)

    def setup(builder):
        if broken == "no synapse mux":
            debug_setup(builder, lines=())
        elif broken == "capmem block 1 not enabled for debug":
            debug_setup(builder, blocks=(0,))
            builder.write(halco.PadMultiplexerConfigOnDLS(0), haldls.PadMultiplexerConfig(
                capmem_v_out_mux=[False, True, False, False],
                capmem_v_out_mux_to_capmem_intermediate_mux=True, capmem_intermediate_mux_to_pad=True,
                cadc_debug_causal_to_synapse_intermediate_mux=True, synapse_intermediate_mux_to_pad=True))
        else:
            debug_setup(builder, pad=0)
            builder.write(halco.PadMultiplexerConfigOnDLS(0), haldls.PadMultiplexerConfig(
                cadc_debug_causal_to_synapse_intermediate_mux=True, synapse_intermediate_mux_to_pad=True))
    volts = np.linspace(0.3, 0.9, 256)
    codes = read_top_membranes(emulator, volts, setup)
    assert np.array_equal(codes, np.floor((volts - 0.1) / 0.004 + 0.5))


def test_two_capmem_outputs_on_one_debug_line_are_a_configuration_error():
    emulator = initialized(**IDEAL)
    with pytest.raises(ConfigurationError, match=r"causal CADC debug line .* blocks \[0, 2\]"):
        read_top_membranes(emulator, np.full(256, 0.5),
                           lambda b: debug_setup(b, blocks=(0, 2)))


def test_the_capmem_output_reaches_the_debug_lines_on_any_pad():
    emulator = initialized(**IDEAL)

    def setup(builder):
        debug_setup(builder)
        # pad 0 shows the CapMem output alone; pad 1 joins it with the causal debug line
        builder.write(halco.PadMultiplexerConfigOnDLS(0), haldls.PadMultiplexerConfig(
            capmem_v_out_mux=[True, False, False, False],
            capmem_v_out_mux_to_capmem_intermediate_mux=True, capmem_intermediate_mux_to_pad=True))
        builder.write(halco.PadMultiplexerConfigOnDLS(1), haldls.PadMultiplexerConfig(
            cadc_debug_causal_to_synapse_intermediate_mux=True, synapse_intermediate_mux_to_pad=True,
            capmem_v_out_mux=[True, False, False, False],
            capmem_v_out_mux_to_capmem_intermediate_mux=True, capmem_intermediate_mux_to_pad=True))
    codes = read_top_membranes(emulator, np.full(256, 0.3), setup)
    assert (codes == 125).all()                 # block 0's output reaches the line via pad 1
