"""Readouts and triggers at their own time: CADC reads each convert (fresh noise), a buffered read
returns the conversion before it, PADI events and block post pulses act, the MADC and background
sources start at their own word's time (review of the emulator against its documentation)."""

from __future__ import annotations

import numpy as np
import pytest

import correlation_sensors
import fixed_pattern_noise
import halco
import haldls
import stadls
from stadls import enable_cadc_recording, enable_madc_recording, read_cadc_membranes
from _neuron_setup import init_builder, spike
from emulator import Emulator, Mismatch

IDEAL = {"mismatch": Mismatch.ideal(), "noise": False}
QUAD = halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(0), halco.SynapseRowOnSynram(0))


def cadc_quad(kind: halco.CADCReadoutType) -> halco.CADCSampleQuadOnDLS:
    return halco.CADCSampleQuadOnDLS.of(QUAD, halco.CADCChannelType.causal, kind, 0)


def test_every_triggered_read_converts_with_its_own_noise():
    builder = init_builder()
    enable_cadc_recording(builder)
    fixed_pattern_noise._configure_all(builder, 500)      # membranes settle mid-range
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 200)
    bursts = [read_cadc_membranes(builder, halco.SynramOnDLS.top) for _ in range(20)]   # one burst
    program = builder.done()
    stadls.run(Emulator(chip_id=3), program)
    reads = np.array([t() for t in bursts])
    assert reads.std(axis=0).mean() > 0.5               # ~1 LSB of conversion noise per read


def test_a_buffered_read_returns_the_conversion_just_before_it():
    builder = init_builder()
    enable_cadc_recording(builder)
    fixed_pattern_noise._configure_all(builder, 500)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 200)
    stale = builder.read(cadc_quad(halco.CADCReadoutType.buffered))     # nothing converted yet
    fresh = builder.read(cadc_quad(halco.CADCReadoutType.trigger_read))
    again = builder.read(cadc_quad(halco.CADCReadoutType.buffered))
    stadls.run(Emulator(**IDEAL), builder.done())
    assert stale.get().samples == [0, 0, 0, 0]
    assert again.get().samples == fresh.get().samples and min(fresh.get().samples) > 0


def test_a_padi_event_reaches_the_synapses_like_a_routed_one():
    builder = init_builder()
    correlation_sensors._setup(builder)                 # row 3 (driver 1, bus 1): label 6 fires
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 10)
    builder.write(halco.PADIEventOnDLS.top, haldls.PADIEvent(
        fire_bus=[False, True, False, False], event_address=correlation_sensors.POST,
        row_select_address=0))
    builder.wait_until(125 * 20)
    counter = builder.read(correlation_sensors.NEURON.to_spike_counter_read_on_dls())
    stadls.run(Emulator(**IDEAL), builder.done())
    assert counter.get().count == 1


def test_a_block_post_pulse_pairs_with_earlier_pre_spikes():
    def reading(post_pulse: bool) -> int:
        builder = init_builder()
        correlation_sensors._setup(builder)
        builder.write(halco.TimerOnDLS(), haldls.Timer())
        for k in range(10):                             # pre spikes only, each followed by a pulse
            spike(builder, 20.0 + 50 * k, correlation_sensors.PRE)
            if post_pulse:
                builder.wait_until(int((22.0 + 50 * k) * 125))
                builder.write(halco.BlockPostPulseOnDLS(0), haldls.BlockPostPulse())
        builder.wait_until(125 * 600)
        causal, _ = correlation_sensors._read(builder)
        stadls.run(Emulator(**IDEAL), builder.done())
        entry = halco.SynapseOnSynapseRow(correlation_sensors.COLUMN).to_entry_on_quad().value()
        return causal.get().samples[entry]

    assert reading(True) < reading(False) - 20


def test_the_madc_and_background_sources_start_at_their_own_word():
    builder = init_builder()
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    cells = np.arange(300)                              # a long burst before the triggers
    builder.write_array(haldls.CapMemCell, cells, haldls.CapMemCell.encode_array(300, value=100))
    neuron = halco.AtomicNeuronOnDLS()
    builder.write(neuron.to_neuron_config_on_dls(), haldls.NeuronConfig(enable_readout=True))
    enable_madc_recording(builder, neuron, number_of_samples=20)
    builder.write(halco.BackgroundSpikeSourceOnDLS(0), haldls.BackgroundSpikeSource(
        enable=True, period=100, neuron_label=0x1234))
    builder.write(halco.EventRecordingConfigOnFPGA(), haldls.EventRecordingConfig(enable_event_recording=True))
    builder.wait_until(125 * 40)
    program = builder.done()
    stadls.run(Emulator(**IDEAL), program)
    instructions = program.instructions
    writes = np.flatnonzero(instructions["opcode"] == haldls.wire.Opcode.WRITE)
    madc_control = haldls.MADCControl.addresses(halco.MADCControlOnDLS())[0]
    background = haldls.BackgroundSpikeSource.addresses(halco.BackgroundSpikeSourceOnDLS(0))
    # the FPGA time each word reaches the chip: 1 cycle per write after the timer reset
    position = {int(a): i for i, a in enumerate(instructions["address"][writes])}
    first_write = writes[0]
    assert program.madc_samples["fpga_time"][0] >= position[int(madc_control)] - first_write
    spikes = program.spikes[program.spikes["label"] & 0x3FFF == 0x1234]
    assert len(spikes) and spikes["fpga_time"][0] >= position[int(background[0])] - first_write + 100


def test_back_to_back_padi_events_and_post_pulses_each_act():
    builder = init_builder()
    correlation_sensors._setup(builder)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 10)
    event = haldls.PADIEvent(fire_bus=[False, True, False, False],
                             event_address=correlation_sensors.POST)
    for _ in range(3):                                  # one burst of three events
        builder.write(halco.PADIEventOnDLS.top, event)
    builder.wait_until(125 * 20)
    counter = builder.read(correlation_sensors.NEURON.to_spike_counter_read_on_dls())
    stadls.run(Emulator(**IDEAL), builder.done())
    assert counter.get().count == 3

    def causal_after(pulses_in_one_burst: int) -> int:
        b = init_builder()
        correlation_sensors._setup(b)
        b.write(halco.TimerOnDLS(), haldls.Timer())
        spike(b, 20.0, correlation_sensors.PRE)
        b.wait_until(125 * 22)
        for _ in range(pulses_in_one_burst):
            b.write(halco.BlockPostPulseOnDLS(0), haldls.BlockPostPulse())
        b.wait_until(125 * 100)
        causal, _ = correlation_sensors._read(b)
        stadls.run(Emulator(**IDEAL), b.done())
        entry = halco.SynapseOnSynapseRow(correlation_sensors.COLUMN).to_entry_on_quad().value()
        return 220 - causal.get().samples[entry]

    assert causal_after(2) == pytest.approx(2 * causal_after(1), abs=1)


def test_the_chip_stores_bits_that_no_container_value_has():
    from haldls import wire

    coord = halco.CapMemBlockConfigOnDLS(0)
    words = haldls.CapMemBlockConfig().encode()
    words[2] |= 0b11                                    # debug_v_ref_select: no member has 3
    emulator = Emulator(**IDEAL)
    emulator.run(wire.omnibus_writes(haldls.CapMemBlockConfig.addresses(coord), words))
    read = emulator.run(wire.omnibus_reads(haldls.CapMemBlockConfig.addresses(coord)))
    data = read.responses[read.responses["kind"] == wire.ResponseKind.READ_DATA]["data"]
    assert int(data[2]) & 0b11 == 0b11                 # kept as written; decoding it is the error
    with pytest.raises(haldls.errors.FieldValueError, match="debug_v_ref_select"):
        haldls.CapMemBlockConfig.decode(data.astype(np.uint32))


def test_a_counter_reset_at_the_end_of_a_long_burst_acts_at_its_own_time():
    import leak_over_threshold

    def count(with_long_burst: bool) -> int:
        builder = init_builder()
        neuron = halco.AtomicNeuronOnDLS()
        leak_over_threshold.configure(builder, neuron, v_leak=1000, refractory_time=10)
        builder.write(halco.TimerOnDLS(), haldls.Timer())
        builder.wait_until(125 * 100)                   # firing steadily
        if with_long_burst:                             # 4000 words: 128 us on the bus
            cells = 3 * 3120 + np.arange(4000) % 3000      # block 3: not neuron 0
            builder.write_array(haldls.CapMemCell, cells,
                                haldls.CapMemCell.encode_array(4000, value=300))
        builder.write(neuron.to_spike_counter_reset_on_dls(), haldls.SpikeCounterReset())
        builder.write(halco.TimerOnDLS(), haldls.Timer())
        builder.wait_until(125 * 100)
        counter = builder.read(neuron.to_spike_counter_read_on_dls())
        stadls.run(Emulator(**IDEAL), builder.done())
        return counter.get().count

    # the burst writes cells no neuron 0 parameter uses; its 128 us must not be counted
    assert abs(count(True) - count(False)) <= 1
