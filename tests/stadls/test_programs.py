"""Builders, tickets, run, dumper and init against the emulated chip."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import haldls
import stadls
from stadls.errors import (
    BuilderError, FPGAError, RevisionMismatchError, SerializationError, TicketNotReadyError,
)

NEURON = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(5), halco.NeuronRowOnDLS(1))
BACKEND = NEURON.to_neuron_backend_config_on_dls()


@pytest.fixture(scope="module")
def connection():
    with stadls.ManagedConnection() as conn:
        yield conn


def test_ticket_invalid_before_run_valid_after_with_written_value(connection):
    builder = stadls.PlaybackProgramBuilder()
    written = haldls.NeuronBackendConfig(address_out=0x5C, refractory_time=77, enable_spike_out=True)
    builder.write(BACKEND, written)
    ticket = builder.read(BACKEND)
    program = builder.done()
    assert not ticket.valid()
    with pytest.raises(TicketNotReadyError, match="NeuronBackendConfig"):
        ticket.get()
    stadls.run(connection, program)
    assert ticket.valid()
    assert ticket.get() == written
    assert ticket.get_coordinate() == BACKEND
    assert ticket.fpga_time > 0


def test_merge_back_keeps_tickets_of_both_programs_valid(connection):
    first, second = stadls.PlaybackProgramBuilder(), stadls.PlaybackProgramBuilder()
    cell = halco.CapMemCellOnDLS(7)
    first.write(cell, haldls.CapMemCell(value=321))
    t1 = first.read(cell)
    second.write(BACKEND, haldls.NeuronBackendConfig(address_out=9))
    t2 = second.read(BACKEND)
    t3 = second.read(cell)
    first.merge_back(second)
    assert second.empty()
    program = first.done()
    stadls.run(connection, program)
    assert t1.get().value == 321 and t2.get().address_out == 9 and t3.get().value == 321


def test_merge_front_and_copy_back(connection):
    a, b = stadls.PlaybackProgramBuilder(), stadls.PlaybackProgramBuilder()
    cell = halco.CapMemCellOnDLS(11)
    a_ticket = a.read(cell)
    b.write(cell, haldls.CapMemCell(value=5))
    a.merge_front(b)          # the write now precedes the read
    writes = stadls.PlaybackProgramBuilder()
    writes.write(cell, haldls.CapMemCell(value=6))
    a.copy_back(writes)
    assert not writes.empty()
    t2 = a.read(cell)
    stadls.run(connection, a.done())
    assert a_ticket.get().value == 5 and t2.get().value == 6
    reads = stadls.PlaybackProgramBuilder()
    reads.read(cell)
    with pytest.raises(BuilderError, match="reads"):
        a.copy_back(reads)


def test_differential_write_emits_only_changed_words():
    builder = stadls.PlaybackProgramBuilder()
    reference = haldls.NeuronConfig()
    changed = haldls.NeuronConfig(enable_fire=True)  # word 4 only
    builder.write(NEURON.to_neuron_config_on_dls(), changed, reference)
    instructions = builder.done().instructions
    assert len(instructions) == 1
    assert instructions[0]["address"] == haldls.NeuronConfig.addresses(NEURON.to_neuron_config_on_dls())[4]
    with pytest.raises(BuilderError, match="differential"):
        stadls.PlaybackProgramBuilder().write(halco.TimerOnDLS(), haldls.Timer(), haldls.Timer())


def test_access_errors_when_building():
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(haldls.errors.AccessError, match="NeuronReset"):
        builder.read(NEURON.to_neuron_reset_on_dls())
    with pytest.raises(haldls.errors.AccessError, match="SpikeCounterRead"):
        builder.write(NEURON.to_spike_counter_read_on_dls(), haldls.SpikeCounterRead())
    with pytest.raises(haldls.errors.FieldValueError, match="Timer"):
        builder.write(halco.TimerOnDLS(), haldls.Timer(value=3))
    with pytest.raises(haldls.errors.CoordinateMismatchError, match="NeuronConfigOnDLS"):
        builder.write(BACKEND, haldls.NeuronConfig())
    with pytest.raises(BuilderError, match="wait condition"):
        builder.block_until(halco.TimerOnDLS(), haldls.Timer())
    assert builder.empty()


def test_revision_mismatch(connection):
    builder = stadls.PlaybackProgramBuilder(revision=4)
    builder.wait_until(10)
    with pytest.raises(RevisionMismatchError, match="revision 4"):
        stadls.run(connection, builder.done())


def test_waiting_forever_is_an_instruction_timeout(connection):
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.InstructionTimeoutConfigOnFPGA(), haldls.InstructionTimeoutConfig(value=125 * 50))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(0xFFFF_FFFF)
    ticket = builder.read(halco.CapMemCellOnDLS(0))
    with pytest.raises(FPGAError, match="timeout"):
        stadls.run(connection, builder.done())
    assert not ticket.valid()     # a partial result is never presented as complete
    restore = stadls.PlaybackProgramBuilder()
    restore.write(halco.InstructionTimeoutConfigOnFPGA(), haldls.InstructionTimeoutConfig())
    stadls.run(connection, restore.done())


def test_polling_block_waits_for_a_condition_or_times_out(connection):
    cell = halco.CapMemCellOnDLS(3)
    address = int(haldls.CapMemCell.addresses(cell)[0])
    builder = stadls.PlaybackProgramBuilder()
    builder.write(cell, haldls.CapMemCell(value=42))
    builder.write(halco.PollingOmnibusBlockConfigOnFPGA(),
                  haldls.PollingOmnibusBlockConfig(address=address, mask=0x3FF, target=42))
    builder.block_until(halco.PollingOmnibusBlockOnFPGA(), haldls.PollingOmnibusBlock())
    stadls.run(connection, builder.done())
    builder.write(halco.InstructionTimeoutConfigOnFPGA(), haldls.InstructionTimeoutConfig(value=1250))
    builder.write(halco.PollingOmnibusBlockConfigOnFPGA(),
                  haldls.PollingOmnibusBlockConfig(address=address, mask=0x3FF, target=43))
    builder.block_until(halco.PollingOmnibusBlockOnFPGA(), haldls.PollingOmnibusBlock())
    with pytest.raises(FPGAError, match="POLLING_BLOCK"):
        stadls.run(connection, builder.done())
    builder.write(halco.InstructionTimeoutConfigOnFPGA(), haldls.InstructionTimeoutConfig())
    stadls.run(connection, builder.done())


def test_full_reconfiguration_takes_milliseconds(connection):
    builder = stadls.PlaybackProgramBuilder()
    n = halco.SynapseQuadOnDLS.size
    builder.write_array(haldls.SynapseQuad, np.arange(n),
                        haldls.SynapseQuad.encode_array(n, weights=np.full((n, 4), 17)))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    ticket = builder.read(halco.TimerOnDLS())
    quad = halco.SynapseWeightQuadOnDLS(12345)
    weights = builder.read(quad)
    info = stadls.run(connection, builder.done())
    assert info["fpga_cycles"] / 125 > 500          # > 0.5 ms for 65536 words
    assert ticket.get().value < 125                  # timer was reset after the configuration
    assert list(weights.get().values) == [17] * 4    # the weight view shows the SynapseQuad writes


def test_write_array_checks_its_input():
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(BuilderError, match="shape"):
        builder.write_array(haldls.SynapseQuad, [0, 1], np.zeros((2, 1)))
    with pytest.raises(BuilderError, match="enums must lie"):
        builder.write_array(haldls.CapMemCell, [12480], np.zeros((1, 1)))
    with pytest.raises(haldls.errors.AccessError, match="SpikeCounterRead"):
        builder.write_array(haldls.SpikeCounterRead, [0], np.zeros((1, 1)))
    words = np.stack([haldls.CapMemBlockConfig().encode()] * 2)
    words[1, 2] |= 0b11                                 # no VRefSelect member has these bits
    with pytest.raises(haldls.errors.FieldValueError, match="container 1 decode to 3"):
        builder.write_array(haldls.CapMemBlockConfig, [0, 1], words)
    with pytest.raises(haldls.errors.DecodeError, match="32-bit"):
        builder.write_array(haldls.CapMemCell, [0], np.full((1, 1), -1))
    assert builder.done().instructions.size == 0        # nothing was appended


def test_absolute_time_builder_sorts_commands(connection):
    abs_builder = stadls.AbsoluteTimePlaybackProgramBuilder()
    cell = halco.CapMemCellOnDLS(20)
    late = abs_builder.read(haldls.Timer.Value(2000), halco.TimerOnDLS())
    abs_builder.write(1000, cell, haldls.CapMemCell(value=7))
    early = abs_builder.read(500, cell)
    after = abs_builder.read(1500, cell)
    builder = abs_builder.done()
    stadls.run(connection, builder.done())
    assert 2000 <= late.get().value < 2100
    assert early.get().value != 7 and after.get().value == 7


def test_dumper_archive_replays_bit_identically(tmp_path):
    import bypass_relay

    dumper = stadls.PlaybackProgramBuilderDumper()
    dumper.write(halco.CapMemCellOnDLS(1), haldls.CapMemCell(value=3))
    dumper.write(halco.TimerOnDLS(), haldls.Timer())
    dumper.wait_until(100)
    dumper.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([5]))
    done = dumper.done()
    assert len(done) == 4
    assert stadls.DumperDone.from_json(done.to_json()) == done
    assert stadls.DumperDone.from_bytes(done.to_bytes()) == done
    assert len(done.remove_block_until()) == 3
    assert len(done.squash()) == 3
    assert stadls.convert_to_builder(done).done() == stadls.convert_to_builder(
        stadls.DumperDone.from_bytes(done.to_bytes())).done()
    with pytest.raises(BuilderError, match="reads"):
        stadls.PlaybackProgramBuilderDumper().read(halco.CapMemCellOnDLS(0))
    with pytest.raises(SerializationError, match="magic"):
        stadls.DumperDone.from_bytes(b"nonsense")
    with pytest.raises(SerializationError):
        stadls.DumperDone.from_bytes(done.to_bytes()[:-3])

    # a whole experiment, archived and replayed, gives identical results
    times = np.array([10.0, 20.0, 35.0])
    program = bypass_relay.build_program(times)
    archive = tmp_path / "experiment.bin"
    archive.write_bytes(bypass_relay.build_program(times, stadls.PlaybackProgramBuilderDumper).to_bytes())
    replayed = stadls.convert_to_builder(stadls.DumperDone.from_bytes(archive.read_bytes())).done()
    assert np.array_equal(replayed.instructions, program.instructions)
    results = []
    for p in (program, replayed):
        with stadls.ManagedConnection() as conn:
            stadls.run(conn, p)
        results.append(p.spikes)
    assert len(results[0]) == 3 and np.array_equal(results[0], results[1])


def test_system_init_brings_chip_out_of_reset(connection):
    with stadls.ManagedConnection() as fresh:
        builder = stadls.PlaybackProgramBuilder()
        before = builder.read(halco.CapMemBlockConfigOnDLS(0))
        recording = builder.read(halco.EventRecordingConfigOnFPGA())
        stadls.run(fresh, builder.done())
        assert not before.get().enable_capmem and not recording.get().enable_event_recording
        builder, _ = stadls.generate(stadls.SystemInit())
        after = builder.read(halco.CapMemBlockConfigOnDLS(3))
        recording = builder.read(halco.EventRecordingConfigOnFPGA())
        stadls.run(fresh, builder.done())
        assert after.get().enable_capmem and recording.get().enable_event_recording


def test_dumper_archives_lola_containers():
    import lola

    neuron = lola.AtomicNeuron()
    neuron.leak.v_leak = 650
    neuron.event_routing.address = 77
    morphology = lola.Morphology()
    morphology.create_compartment([halco.AtomicNeuronOnLogicalNeuron(0, 0), halco.AtomicNeuronOnLogicalNeuron(1, 0)])
    compartments, logical = morphology.done()
    placement = halco.LogicalNeuronOnDLS(compartments, halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(4), halco.NeuronRowOnDLS(0)))
    dumper = stadls.PlaybackProgramBuilderDumper()
    dumper.write(NEURON, neuron)
    dumper.write(placement, logical)          # recorded as its two placed atomic neurons
    done = dumper.done()
    assert len(done) == 3 and done.values[0] == (NEURON, neuron)
    assert stadls.DumperDone.from_json(done.to_json()) == done
    assert stadls.DumperDone.from_bytes(done.to_bytes()) == done
    builder = stadls.PlaybackProgramBuilder()
    builder.write(NEURON, neuron)
    builder.write(placement, logical)
    assert stadls.convert_to_builder(stadls.DumperDone.from_bytes(done.to_bytes())).done() == builder.done()
