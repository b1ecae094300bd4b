"""Golden addresses and words, computed by hand from the documented v3 layouts."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import haldls
from haldls import wire


def check(container, coord, addresses, words):
    assert [hex(a) for a in type(container).addresses(coord)] == [hex(a) for a in addresses]
    assert [hex(w) for w in container.encode()] == [hex(w) for w in words]
    assert type(container).decode(np.array(words, dtype=np.uint32)) == container


def atomic(col, row):
    return halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(col), halco.NeuronRowOnDLS(row))


def test_neuron_backend_config_inverted_and_split_fields():
    c = haldls.NeuronBackendConfig(address_out=0b1011_0111, refractory_time=0x5A)
    # address ~0b10110111 = 0b01001000: [7:2] -> w0[5:0] = 0x12, [1:0] -> w1[5:4] = 0
    # reset_holdoff 15: [1:0] -> w0[7:6], [3:2] -> w1[7:6]; refractory ~0x5A = 0xA5: [7:4] -> w1[3:0],
    # [3:0] -> w2[5:2]; bayesian extension (default on) w2[7]
    coord = atomic(129, 1).to_neuron_backend_config_on_dls()  # east block, local 128 + 1
    check(c, coord, [0x1A_9000 + 4 * 129 + i for i in range(4)], [0xD2, 0xCA, 0x94, 0x00])


def test_neuron_config():
    c = haldls.NeuronConfig(
        enable_leak_division=True, readout_source=haldls.NeuronConfig.ReadoutSource.adaptation,
        enable_readout=True, membrane_capacitor_size=63, enable_fire=True,
        enable_threshold_comparator=True, enable_synaptic_input_excitatory=True,
        connect_soma=True, enable_pause=True,
    )
    coord = atomic(130, 1).to_neuron_config_on_dls()  # SE quadrant, neuron 2
    check(c, coord, [0x17_8000 + 2 + 8 * 2 + i for i in range(6)], [0x10, 0xE0, 0x00, 0xFC, 0x2C, 0x90])


def test_synapse_driver_config_quirks():
    c = haldls.SynapseDriverConfig(
        utilization=5, offset=10, row_address_compare_mask=0b10101, enable_receiver=True,
        recovery=0b0011, row_mode_top=haldls.SynapseDriverConfig.RowMode.excitatory,
        row_mode_bottom=haldls.SynapseDriverConfig.RowMode.inhibitory, enable_stp=True,
    )
    # address_out (on) is stored inverted -> w0[14] = 0; recovery bit-reversed -> 0b1100;
    # hagen_dac_offset 0 stored inverted -> w1[13:8] = 0x3F; charge sharing off stored inverted -> w2[6]
    coord = halco.SynapseDriverOnDLS(halco.SynapseDriverOnSynapseDriverBlock(3), halco.SynapseDriverBlockOnDLS(1))
    check(c, coord, [0x11_8400 + 12 + i for i in range(3)], [0xAAA5, 0x3F6C, 0x50])


def test_synapse_quad_msb_first_and_permuted_weights():
    c = haldls.SynapseQuad(weights=[1, 2, 3, 63], labels=[5, 6, 7, 8], time_calibs=[1, 0, 0, 2],
                           amp_calibs=[0, 3, 0, 0])
    # weight bit 5 stays, bits 0..4 reversed: 1 -> 0x10, 2 -> 0x08, 3 -> 0x18; entry 0 in byte 3
    quad = halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(5), halco.SynapseRowOnSynram(2))
    coord = halco.SynapseQuadOnDLS(quad, halco.SynramOnDLS(1))
    check(c, coord, [0x03CF_0000 + 2 * 128 + 5, 0x03CF_0000 + 2 * 128 + 5 + 64], [0x500818BF, 0x05C60708])


def test_synapse_weight_quad():
    c = haldls.SynapseWeightQuad(values=[32, 16, 0, 1])
    quad = halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(63), halco.SynapseRowOnSynram(255))
    coord = halco.SynapseWeightQuadOnDLS(quad, halco.SynramOnDLS(0))
    # 32 = bit 5 stays -> 0x20; 16 = bit 4 -> bit 0 -> 0x01; 1 -> 0x10
    check(c, coord, [0x02C0_0000 + 255 * 64 + 63], [0x20010010])


def test_background_spike_source_word_order():
    # the real haldls golden test (tests/sw/haldls/vx/test-background_spike_source.cpp): seed at
    # base+1, then mask/rate/label at base+2, the enable/period word at base, written last
    c = haldls.BackgroundSpikeSource(enable=True, enable_random=False, period=12, rate=13, seed=14,
                                     mask=15, neuron_label=16)
    base = 0x13_0001 + 3 * 3
    check(c, halco.BackgroundSpikeSourceOnDLS(3), [base + 1, base + 2, base],
          [14, 15 | 13 << 8 | 16 << 16, 1 | 12 << 16])
    c = haldls.BackgroundSpikeSource(enable=True, enable_random=True, period=1000, seed=0xDEADBEEF,
                                     mask=0xFF, rate=128, neuron_label=0x1234)
    base = 0x13_0001 + 3 * 2
    check(c, halco.BackgroundSpikeSourceOnDLS(2), [base + 1, base + 2, base],
          [0xDEADBEEF, 0x123480FF, 0x03E80003])


def test_capmem_cell_disable_refresh():
    coord = halco.CapMemCellOnDLS(
        halco.CapMemCellOnCapMemBlock(halco.CapMemColumnOnCapMemBlock(5), halco.CapMemRowOnCapMemBlock.i_bias_leak),
        halco.CapMemBlockOnDLS(2))
    c = haldls.CapMemCell(value=haldls.CapMemCell.DisableRefresh)
    check(c, coord, [0x15_0000 + 5 * 32 + 8], [0x3FF])
    assert haldls.CapMemCell.decode([0x3FF]).is_refresh_disabled()
    assert not haldls.CapMemCell(value=1022).is_refresh_disabled()


def test_crossbar_node():
    coord = halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(9), halco.CrossbarInputOnDLS(13))
    c = haldls.CrossbarNode(mask=0x3FFF, target=0x0123, enable_drop_counter=True)
    check(c, coord, [0x13_0019 + 63], [0x81233FFF])
    assert haldls.CrossbarNode.drop_all().encode().tolist() == [0x1 << 16]


def test_cadc_channel_config_offset():
    column = halco.CADCChannelColumnOnSynram(200)
    channel = halco.CADCChannelConfigOnSynram(column, halco.CADCChannelType.acausal)
    coord = halco.CADCChannelConfigOnDLS(channel, halco.SynramOnDLS(1))
    check(haldls.CADCChannelConfig(offset=-5), coord, [0x0340_0000 + 2 * 72 + 1], [123])


def test_common_neuron_backend_config_defaults():
    check(haldls.CommonNeuronBackendConfig(), halco.CommonNeuronBackendConfigOnDLS(1),
          [0x1A_9800, 0x1A_9801], [0xF005, 0x04700401])


def test_spike_counter_read():
    c = haldls.SpikeCounterRead.decode([0x1FF])
    assert c.count == 255 and c.overflow
    assert haldls.SpikeCounterRead.addresses(atomic(3, 0).to_spike_counter_read_on_dls()).tolist() == [0x12_280C]
    assert haldls.SpikeCounterReset.addresses(atomic(3, 1).to_spike_counter_reset_on_dls()).tolist() == [
        0x12_2C00 + 4 * (128 + 3)]


def test_cadc_sample_quad_buffered_acausal():
    quad = halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(2), halco.SynapseRowOnSynram(10))
    coord = halco.CADCSampleQuadOnDLS.of(quad, halco.CADCChannelType.acausal, halco.CADCReadoutType.buffered, 0)
    c = haldls.CADCSampleQuad(samples=[1, 2, 3, 255])
    check(c, coord, [(0x02CC_0000 + 10 * 64 + 2) | 0x20_0000], [0x010203FF])


def test_ppu_registers_and_memory():
    word = halco.PPUMemoryWordOnDLS(halco.PPUMemoryWordOnPPU.return_code, halco.PPUOnDLS(1))
    check(haldls.PPUMemoryWord(value=0xCAFE), word, [0x0380_0BFF], [0xCAFE])
    check(haldls.PPUControlRegister(inhibit_reset=True), halco.PPUControlRegisterOnDLS(0), [0x02A0_0000], [1])
    check(haldls.PPUStatusRegister(sleep=True), halco.PPUStatusRegisterOnDLS(0), [0x02A0_0001], [1])


def test_common_synram_config_defaults():
    check(haldls.CommonSynramConfig(), halco.CommonSynramConfigOnDLS(1),
          [0x0300_0000, 0x0300_0001, 0x0300_0002], [0x88, 0x0303, 0x4])


def test_timer_write_only_zero_and_read_address():
    assert haldls.Timer().encode_write(halco.TimerOnDLS()).tolist() == [(wire.Opcode.TIMER_RESET, 0, 0)]
    with pytest.raises(haldls.errors.FieldValueError, match="only be written with value 0"):
        haldls.Timer(value=5).encode_write(halco.TimerOnDLS())
    assert haldls.Timer.encode_read(halco.TimerOnDLS()).tolist() == [(wire.Opcode.READ, 0x8800_000C, 0)]
    assert haldls.Timer.Value(1250).encode_block_until(halco.TimerOnDLS()).tolist() == [
        (wire.Opcode.WAIT_UNTIL, 0, 1250)]


def test_spike_pack_instruction():
    labels = [halco.SpikeLabel(0x0102).value(), 0xFFFF, 7]
    out = haldls.SpikePack3ToChip(labels).encode_write(halco.SpikePack3ToChipOnDLS())
    assert out.tolist() == [(wire.Opcode.SPIKE_PACK, 3, 0x0102 | 0xFFFF << 16 | 7 << 32)]
    assert wire.unpack_labels(3, int(out[0]["data"])) == labels


def test_barrier_constants():
    assert haldls.Barrier.omnibus.encode_block_until(halco.BarrierOnFPGA()).tolist() == [
        (wire.Opcode.BARRIER, 0, int(wire.BarrierMask.omnibus))]
    assert haldls.Barrier.systime.encode().tolist() == [int(wire.BarrierMask.systime)]


def test_access_rules():
    with pytest.raises(haldls.errors.AccessError, match="SpikeCounterRead"):
        haldls.SpikeCounterRead().encode_write(atomic(0, 0).to_spike_counter_read_on_dls())
    with pytest.raises(haldls.errors.AccessError, match="NeuronReset"):
        haldls.NeuronReset.encode_read(atomic(0, 0).to_neuron_reset_on_dls())


def test_bss2_names_and_hagen_aliases():
    event = haldls.PADIEvent(event_address=0b100101)
    assert (event.hagen_address, event.hagen_activation) == (1, 0b00101)
    assert "select_target_voltages" in haldls.SynapseDriverConfig.fields
    backend = haldls.CommonNeuronBackendConfig(sample_positive_edge=[True, False, True, False])
    assert (int(backend.encode()[0]) >> 12) & 0xF == 0b0101
