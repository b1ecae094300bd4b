"""Event routing on the emulated chip: crossbar, PADI buses, drivers, background sources."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import halco
import haldls
import stadls
from _neuron_setup import atomic
from emulator import Emulator

RowMode = haldls.SynapseDriverConfig.RowMode


def node(output: int, inp: int) -> halco.CrossbarNodeOnDLS:
    return halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(output), halco.CrossbarInputOnDLS(inp))


def base_builder() -> stadls.PlaybackProgramBuilder:
    builder, _ = stadls.generate(stadls.SystemInit())
    builder.write(halco.CommonPADIBusConfigOnDLS.top, haldls.CommonPADIBusConfig(enable_spl1=[True] * 4))
    return builder


def play(builder, labels_per_time: list[tuple[int, list[int]]]) -> None:
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    for t, labels in labels_per_time:
        builder.wait_until(t)
        pack = {1: (halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip),
                2: (halco.SpikePack2ToChipOnDLS(), haldls.SpikePack2ToChip),
                3: (halco.SpikePack3ToChipOnDLS(), haldls.SpikePack3ToChip)}[len(labels)]
        builder.write(pack[0], pack[1](labels))


def run(builder):
    program = builder.done()
    with stadls.ManagedConnection() as connection:
        info = stadls.run(connection, program)
    return program, info


def test_crossbar_event_counters_count_200_events():
    builder = base_builder()
    builder.write(halco.CrossbarOutputConfigOnDLS(), haldls.CrossbarOutputConfig(
        enable_event_counter=[o in (0, 8) for o in range(12)]))
    play(builder, [(100 + 50 * i, [0x0001]) for i in range(200)])
    builder.wait_until(100 + 50 * 200 + 500)
    counters = [builder.read(halco.CrossbarOutputOnDLS(o)) for o in (0, 1, 8)]
    program, _ = run(builder)
    assert [c.get().value for c in counters] == [200, 0, 200]
    assert len(program.spikes) == 200   # L2 input 0 -> L2 output 0 loops back to the FPGA
    assert np.all(program.spikes["label"] == 0x0001)


def test_node_with_non_matching_mask_and_target_forwards_nothing():
    builder = base_builder()
    builder.write(halco.CrossbarOutputConfigOnDLS(), haldls.CrossbarOutputConfig(enable_event_counter=[True] * 12))
    builder.write(node(0, 8), haldls.CrossbarNode(mask=0x3FFF, target=0x1234))
    builder.write(node(8, 8), haldls.CrossbarNode(mask=0x00FF, target=0x0012))
    play(builder, [(100 + 20 * i, [0x0001 + (i % 2) * 0x0011]) for i in range(50)])  # 0x0001, 0x0012
    builder.wait_until(2000)
    counters = [builder.read(halco.CrossbarOutputOnDLS(o)) for o in (0, 8)]
    program, _ = run(builder)
    assert counters[0].get().value == 0
    assert counters[1].get().value == 25
    assert set(program.spikes["label"].tolist()) == {0x0012}


def _bypass_neuron(builder, column: int, row: int, synapse_label: int, driver: int = 0,
                   mode: RowMode = RowMode.excitatory, mask: int = 0b11111) -> None:
    builder.write(halco.SynapseDriverOnDLS(driver), haldls.SynapseDriverConfig(
        enable_receiver=True, row_mode_top=mode, row_address_compare_mask=mask))
    syn = halco.SynapseOnSynapseRow(column)
    quad = haldls.SynapseQuad()
    quad.weights[syn.to_entry_on_quad().value()] = 40
    quad.labels[syn.to_entry_on_quad().value()] = synapse_label
    builder.write(halco.SynapseQuadOnDLS(halco.SynapseQuadOnSynram(
        syn.to_synapse_quad_column_on_dls(), halco.SynapseRowOnSynram(2 * (driver % 128) + 1)),
        halco.SynramOnDLS(driver // 128)), quad)
    neuron = atomic(column, row)
    builder.write(neuron.to_neuron_config_on_dls(), haldls.NeuronConfig(
        enable_bypass_excitatory=mode in (RowMode.excitatory, RowMode.excitatory_and_inhibitory),
        enable_bypass_inhibitory=mode in (RowMode.inhibitory, RowMode.excitatory_and_inhibitory)))
    builder.write(neuron.to_neuron_backend_config_on_dls(), haldls.NeuronBackendConfig(
        address_out=column, enable_spike_out=True))


def _relayed(program, column):
    return program.spikes[(program.spikes["label"] & 0xFF) == column]


def test_synapse_label_and_row_select_must_match():
    builder = base_builder()
    builder.write(node(8, 8), haldls.CrossbarNode.drop_all())
    _bypass_neuron(builder, column=3, row=0, synapse_label=7, driver=4)   # bus 0, row select 1
    # label bits: row select [10:6], synapse label [5:0]
    play(builder, [(100, [(1 << 6) | 7]), (200, [(1 << 6) | 8]), (300, [(2 << 6) | 7]),
                   (400, [(1 << 6) | 7])])
    builder.wait_until(1000)
    program, _ = run(builder)
    times = _relayed(program, 3)["fpga_time"]
    assert len(times) == 2 and 100 < times[0] < 120 and 400 < times[1] < 420


def test_row_select_compare_mask():
    builder = base_builder()
    builder.write(node(8, 8), haldls.CrossbarNode.drop_all())
    _bypass_neuron(builder, column=3, row=0, synapse_label=7, driver=4, mask=0b00000)  # ignore row select
    play(builder, [(100, [(1 << 6) | 7]), (200, [(9 << 6) | 7])])
    builder.wait_until(1000)
    program, _ = run(builder)
    assert len(_relayed(program, 3)) == 2


def test_disabled_row_mode_and_receiver_block_events():
    builder = base_builder()
    builder.write(node(8, 8), haldls.CrossbarNode.drop_all())
    _bypass_neuron(builder, column=3, row=0, synapse_label=7, driver=0, mode=RowMode.disabled)
    play(builder, [(100, [7])])
    builder.wait_until(1000)
    program, _ = run(builder)
    assert len(_relayed(program, 3)) == 0


def test_one_event_per_bus_per_clock_delays_simultaneous_events():
    builder = base_builder()
    builder.write(node(8, 8), haldls.CrossbarNode.drop_all())
    for column, label in ((0, 11), (8, 12), (16, 13)):  # one quad each
        syn = halco.SynapseOnSynapseRow(column)
        builder.write(atomic(column).to_neuron_config_on_dls(), haldls.NeuronConfig(enable_bypass_excitatory=True))
        builder.write(atomic(column).to_neuron_backend_config_on_dls(),
                      haldls.NeuronBackendConfig(address_out=column, enable_spike_out=True))
        quad = halco.SynapseQuadOnDLS(halco.SynapseQuadOnSynram(syn.to_synapse_quad_column_on_dls(),
                                                                halco.SynapseRowOnSynram(1)), halco.SynramOnDLS(0))
        q = haldls.SynapseQuad()
        q.weights[syn.to_entry_on_quad().value()] = 63
        q.labels[syn.to_entry_on_quad().value()] = label
        builder.write(quad, q)
    builder.write(halco.SynapseDriverOnDLS(0), haldls.SynapseDriverConfig(
        enable_receiver=True, row_mode_top=RowMode.excitatory))
    play(builder, [(100, [11, 12, 13])])
    builder.wait_until(1000)
    program, _ = run(builder)
    assert len(program.spikes) == 3
    # the three events leave the bus in consecutive cycles; all three arrive
    assert sorted((program.spikes["label"] & 0xFF).tolist()) == [0, 8, 16]
    assert np.array_equal(np.diff(np.sort(program.spikes["fpga_time"].astype(np.int64))), [1, 1])


def test_congestion_drops_are_counted_never_silent():
    builder = base_builder()
    builder.write(halco.CommonPADIBusConfigOnDLS.top, haldls.CommonPADIBusConfig(
        enable_spl1=[True, False, False, False]))
    builder.write(halco.CrossbarOutputConfigOnDLS(), haldls.CrossbarOutputConfig(
        enable_event_counter=[o == 0 for o in range(12)]))
    builder.write(node(0, 8), haldls.CrossbarNode(enable_drop_counter=True))
    builder.write(node(0, 12), haldls.CrossbarNode(enable_drop_counter=True))
    builder.write(node(8, 8), haldls.CrossbarNode.drop_all())
    builder.write(node(8, 12), haldls.CrossbarNode.drop_all())
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    # background source 0: one event per clock cycle onto PADI bus 0 for 2000 cycles
    builder.write(halco.BackgroundSpikeSourceOnDLS(0), haldls.BackgroundSpikeSource(enable=True, period=0))
    builder.wait_until(1000)
    for _ in range(100):                  # plus 300 events from the FPGA within ~100 cycles
        builder.write(halco.SpikePack3ToChipOnDLS(), haldls.SpikePack3ToChip([1, 2, 3]))
    builder.wait_until(2000)
    builder.write(halco.BackgroundSpikeSourceOnDLS(0), haldls.BackgroundSpikeSource(enable=False, period=0))
    builder.wait_until(3000)
    forwarded = builder.read(halco.CrossbarOutputOnDLS(0))
    dropped_fpga = builder.read(halco.CrossbarInputOnDLS(8))
    dropped_bg = builder.read(halco.CrossbarInputOnDLS(12))
    program, info = run(builder)
    drops = dropped_fpga.get().value + dropped_bg.get().value
    assert dropped_fpga.get().value > 0 and dropped_bg.get().value > 0
    assert drops == info["dropped_events"]
    # every offered event was either forwarded or counted as dropped: the background source ran
    # for ~2000 cycles at one event per cycle, the FPGA sent 300
    background = forwarded.get().value + drops - 300
    assert 1990 <= background <= 2010


@pytest.mark.parametrize("random", [False, True])
def test_background_source_rates(random):
    period, rate = 99, 63          # bins of 100 cycles; Poisson: probability 64/256 per bin
    runtime = 125 * 2000           # 2 ms
    builder = base_builder()
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.write(halco.BackgroundSpikeSourceOnDLS(5), haldls.BackgroundSpikeSource(
        enable=True, enable_random=random, period=period, rate=rate, mask=0x0F, neuron_label=0x120,
        seed=1234))
    builder.wait_until(runtime)
    builder.write(halco.BackgroundSpikeSourceOnDLS(5), haldls.BackgroundSpikeSource(enable=False))
    program, _ = run(builder)
    # background source 5 reaches L2 output 5 % 4 = 1
    spikes = program.spikes[(program.spikes["label"] >> 14) == 1]
    bins = runtime / (period + 1)
    expected = bins * ((rate + 1) / 256 if random else 1.0)
    assert abs(len(spikes) - expected) <= 5 * np.sqrt(expected)
    labels = spikes["label"].astype(np.int64) & 0x3FFF
    assert np.all((labels & ~0x0F) == 0x120)
    if random:
        assert len(set((labels & 0x0F).tolist())) > 8     # low bits randomised under the mask
        isi = np.diff(spikes["fpga_time"].astype(np.int64))
        assert np.all(isi % (period + 1) == 0) and np.std(isi) > 0
    else:
        assert np.all(labels == 0x120)
        assert np.all(np.diff(spikes["fpga_time"].astype(np.int64)) == period + 1)


def test_same_program_same_chip_id_identical_spikes():
    import leak_over_threshold

    a = leak_over_threshold.run([900, 1000], [255, 100], chip_id=3)
    b = leak_over_threshold.run([900, 1000], [255, 100], chip_id=3)
    for x, y in zip(a["spike_times_us"], b["spike_times_us"]):
        assert np.array_equal(x, y)


def test_event_recording_off_records_nothing():
    builder = base_builder()
    builder.write(halco.EventRecordingConfigOnFPGA(), haldls.EventRecordingConfig(enable_event_recording=False))
    play(builder, [(100, [0x0001]), (200, [0x0002])])
    builder.wait_until(300)
    builder.write(halco.EventRecordingConfigOnFPGA(), haldls.EventRecordingConfig(enable_event_recording=True))
    play(builder, [(100, [0x0003])])
    builder.wait_until(300)
    program, _ = run(builder)
    assert program.spikes["label"].tolist() == [0x0003]


def test_inhibitory_input_silences_a_firing_neuron():
    import leak_over_threshold

    def rate(inhibit: bool) -> int:
        builder = base_builder()
        builder.write(node(8, 8), haldls.CrossbarNode.drop_all())
        neuron = atomic(4)
        leak_over_threshold.configure(builder, neuron, v_leak=1000, refractory_time=20)
        from _neuron_setup import write_capmem
        write_capmem(builder, neuron, i_bias_synin_inh_tau=200, i_bias_synin_inh_gm=1000)
        builder.write(neuron.to_neuron_config_on_dls(), haldls.NeuronConfig(
            membrane_capacitor_size=63, enable_threshold_comparator=True, enable_fire=True,
            enable_reset_multiplication=True, enable_synaptic_input_inhibitory=True))
        builder.write(halco.SynapseDriverOnDLS(0), haldls.SynapseDriverConfig(
            enable_receiver=True, row_mode_top=RowMode.inhibitory))
        syn = halco.SynapseOnSynapseRow(4)
        quad = haldls.SynapseQuad()
        quad.weights[syn.to_entry_on_quad().value()] = 63
        quad.labels[syn.to_entry_on_quad().value()] = 9
        builder.write(halco.SynapseQuadOnDLS(halco.SynapseQuadOnSynram(
            syn.to_synapse_quad_column_on_dls(), halco.SynapseRowOnSynram(1)), halco.SynramOnDLS(0)), quad)
        play(builder, [(125 * (10 + 2 * i), [9 if inhibit else 0x3F]) for i in range(100)])
        builder.wait_until(125 * 220)
        program, _ = run(builder)
        return np.count_nonzero((program.spikes["label"] & 0xFF) == 4)

    assert rate(False) > 5 and rate(True) <= 1


def test_halt_ends_the_program_and_spike_times_are_exact():
    from haldls import wire

    builder = base_builder()
    play(builder, [(100, [0x0001]), (100, [0x0002]), (350, [0x0003])])
    program = builder.done()
    halted = np.concatenate([program.instructions, wire.single(wire.Opcode.HALT),
                             stadls.PlaybackProgramBuilder().instructions()])
    after = stadls.PlaybackProgramBuilder()
    after.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([0x0004]))
    halted = np.concatenate([halted, after.done().instructions])
    from emulator import Emulator

    result = Emulator().run(halted)
    assert result.spikes["label"].tolist() == [1, 2, 3]                 # nothing after the halt
    t = result.spikes["fpga_time"].astype(np.int64)
    assert t[1] - t[0] == 1 and t[2] - t[0] == 250                      # pack costs one cycle


@pytest.mark.parametrize("kwargs, match", [
    ({"chip_id": 1.7}, "chip_id must be an integer"), ({"chip_id": "3"}, "chip_id"),
    ({"chip_id": -1}, "chip_id"), ({"chip_id": 2 ** 70}, "chip_id"), ({"chip_id": True}, "chip_id"),
    ({"dt_us": 0}, r"dt_us must lie in \(0, 1.0\]"), ({"dt_us": "x"}, "dt_us must be a finite"),
    ({"dt_us": float("inf")}, "dt_us must be a finite"), ({"noise": "no"}, "noise must be True"),
    ({"mismatch": 5}, "mismatch must be an emulator.Mismatch"),
    ({"ppu_quantum_us": float("nan")}, "ppu_quantum_us must be a finite"),
])
def test_emulator_arguments_are_checked(kwargs, match):
    from emulator.errors import ArgumentError

    with pytest.raises(ArgumentError, match=match):
        Emulator(**kwargs)


def test_a_write_wider_than_a_chip_word_is_refused():
    from emulator.errors import InstructionError
    from haldls import wire

    instructions = wire.omnibus_writes(
        haldls.NeuronBackendConfig.addresses(halco.NeuronBackendConfigOnDLS())[:1], np.array([5]))
    instructions["data"] = 2 ** 40 + 5         # the wire's data field is wider than a word
    with pytest.raises(InstructionError, match="does not fit a 32-bit chip word"):
        Emulator().run(instructions)


def test_event_counter_wraps_at_24_bit_and_a_read_does_not_clear_it():
    """As the real counter: modulo 2**24 (grenade takes read differences modulo the width), and a
    read leaves it as it is. Started 3 events short of the wrap, 5 events leave it at 2."""
    builder = base_builder()
    builder.write(halco.CrossbarOutputConfigOnDLS(), haldls.CrossbarOutputConfig(
        enable_event_counter=[o == 8 for o in range(12)]))
    play(builder, [(100 + 50 * i, [0x0001]) for i in range(3)])
    builder.wait_until(400)
    first = builder.read(halco.CrossbarOutputOnDLS(8))
    second = builder.read(halco.CrossbarOutputOnDLS(8))
    play(builder, [(500 + 50 * i, [0x0001]) for i in range(2)])
    builder.wait_until(1000)
    after_wrap = builder.read(halco.CrossbarOutputOnDLS(8))
    emulator = Emulator()
    emulator.chip.out_counter[8] = (1 << 24) - 3
    stadls.run(emulator, builder.done())
    assert first.get().value == second.get().value == 0       # wrapped after 3; two reads agree
    assert after_wrap.get().value == 2


def _congested_fpga_input() -> tuple[stadls.PlaybackProgram, Any]:
    """A background source at one event per cycle and 300 FPGA events onto one bus; the FPGA
    input's drop counter enabled and read at the end."""
    builder = base_builder()
    builder.write(halco.CommonPADIBusConfigOnDLS.top, haldls.CommonPADIBusConfig(
        enable_spl1=[True, False, False, False]))
    builder.write(node(0, 8), haldls.CrossbarNode(enable_drop_counter=True))
    builder.write(node(8, 8), haldls.CrossbarNode.drop_all())
    builder.write(node(8, 12), haldls.CrossbarNode.drop_all())
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.write(halco.BackgroundSpikeSourceOnDLS(0), haldls.BackgroundSpikeSource(enable=True, period=0))
    builder.wait_until(1000)
    for _ in range(100):
        builder.write(halco.SpikePack3ToChipOnDLS(), haldls.SpikePack3ToChip([1, 2, 3]))
    builder.wait_until(2000)
    builder.write(halco.BackgroundSpikeSourceOnDLS(0), haldls.BackgroundSpikeSource(enable=False, period=0))
    builder.wait_until(3000)
    dropped = builder.read(halco.CrossbarInputOnDLS(8))
    return builder.done(), dropped


def test_drop_counter_wraps_at_16_bit():
    """The same congestion from 0 and from 2**16 - 1: n drops, then n - 1 (wrapped, as the real
    16-bit counter; saturating would stay at 2**16 - 1)."""
    program, dropped = _congested_fpga_input()
    stadls.run(Emulator(), program)
    n = dropped.get().value
    assert n > 0
    program, dropped = _congested_fpga_input()
    emulator = Emulator()
    emulator.chip.drop_counter[8] = 0xFFFF
    stadls.run(emulator, program)
    assert dropped.get().value == n - 1
