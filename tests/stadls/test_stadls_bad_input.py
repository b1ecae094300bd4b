"""Wrong use of builders, dumpers, programs and run: a clear stadls error, never a hang, a
silent truncation, lost commands or stale results."""

from __future__ import annotations

import json

import numpy as np
import pytest

import halco
import haldls
import lola
import stadls
from emulator import Emulator, Mismatch
from stadls.errors import (ArgumentTypeError, BuilderError, FPGAError, SerializationError,
                           TicketNotReadyError)

CONFIG = halco.NeuronBackendConfigOnDLS()


def builder_with_a_write() -> stadls.PlaybackProgramBuilder:
    b = stadls.PlaybackProgramBuilder()
    b.write(CONFIG, haldls.NeuronBackendConfig(refractory_time=5))
    return b


def test_a_builder_combined_with_itself():
    b = builder_with_a_write()
    n = b.size_to_fpga()
    b.copy_back(b)                                     # its commands twice
    assert b.size_to_fpga() == 2 * n
    for merge in (b.merge_back, b.merge_front):
        with pytest.raises(BuilderError, match="into itself"):
            merge(b)
    assert b.size_to_fpga() == 2 * n                   # nothing lost
    for merge in (b.merge_back, b.merge_front, b.copy_back):
        with pytest.raises(BuilderError, match="expected a PlaybackProgramBuilder"):
            merge(5)


@pytest.mark.parametrize("time, error, match", [
    (1.9, ArgumentTypeError, "float"), (True, ArgumentTypeError, "bool"),
    ("12", ArgumentTypeError, "str"), (float("nan"), ArgumentTypeError, "float"),
    (-1, BuilderError, r"0\.\.4294967295"), (2 ** 32, BuilderError, r"0\.\.4294967295"),
])
def test_wait_until_takes_whole_cycles(time, error, match):
    for b in (stadls.PlaybackProgramBuilder(), stadls.PlaybackProgramBuilderDumper()):
        with pytest.raises(error, match=match):
            b.wait_until(time)
    with pytest.raises(error, match=match):
        stadls.AbsoluteTimePlaybackProgramBuilder().write(time, CONFIG, haldls.NeuronBackendConfig())


def test_absolute_time_builder_checks_at_once():
    a = stadls.AbsoluteTimePlaybackProgramBuilder()
    with pytest.raises(haldls.errors.CoordinateMismatchError):
        a.write(10, halco.NeuronConfigOnDLS(), haldls.NeuronBackendConfig())
    with pytest.raises(BuilderError, match="not a container"):
        a.write(10, CONFIG, 5)
    other = stadls.AbsoluteTimePlaybackProgramBuilder()
    other.write(5, CONFIG, haldls.NeuronBackendConfig())
    with pytest.raises(ArgumentTypeError, match="offset"):
        a.merge_back(other, offset=2.7)
    with pytest.raises(BuilderError, match=r"shifted by -20 must lie in 0\.\."):
        a.merge_back(other, offset=-20)
    assert not other.empty()                           # a refused merge takes nothing
    with pytest.raises(BuilderError, match="revisions"):
        a.merge_back(stadls.AbsoluteTimePlaybackProgramBuilder(revision=99))
    for bad in (5, a):
        with pytest.raises(BuilderError):
            a.merge_back(bad)
    a.merge_back(other, offset=-5)
    assert other.empty() and not a.empty()
    with pytest.raises(ArgumentTypeError, match="revision"):
        stadls.PlaybackProgramBuilder(revision="x")


def test_write_array_takes_integers_and_plain_words_only():
    b = stadls.PlaybackProgramBuilder()
    words = haldls.NeuronBackendConfig.encode_array(2)
    with pytest.raises(ArgumentTypeError, match="enums must be integers"):
        b.write_array(haldls.NeuronBackendConfig, [1.7, 2.2], words)
    with pytest.raises(ArgumentTypeError, match="words must be integers"):
        b.write_array(haldls.NeuronBackendConfig, [1, 2], words + 0.5)
    with pytest.raises(BuilderError, match="Timer is not written as plain words"):
        b.write_array(haldls.Timer, [0], np.zeros((1, 1), dtype=np.uint32))
    assert b.empty()


def test_reading_a_logical_neuron_is_an_access_error():
    compartments = halco.LogicalNeuronCompartments({0: [halco.AtomicNeuronOnLogicalNeuron()]})
    with pytest.raises(haldls.errors.AccessError, match="read its atomic neurons"):
        stadls.PlaybackProgramBuilder().read(halco.LogicalNeuronOnDLS(compartments, halco.AtomicNeuronOnDLS()))


def test_run_checks_its_arguments():
    program = builder_with_a_write().done()
    with stadls.ManagedConnection() as conn:
        with pytest.raises(ArgumentTypeError, match="expected a connection"):
            stadls.run(None, program)
        with pytest.raises(ArgumentTypeError, match="expected a PlaybackProgram"):
            stadls.run(conn, None)
        with pytest.raises(BuilderError, match="got 0 programs"):
            stadls.run(conn, [])


def test_a_failed_run_leaves_no_stale_results():
    emulator = Emulator(mismatch=Mismatch.ideal(), noise=False)
    b = stadls.PlaybackProgramBuilder()
    b.write(halco.TimerOnDLS(), haldls.Timer())
    b.wait_until(1000)
    ticket = b.read(halco.TimerOnDLS())
    program = b.done()
    stadls.run(emulator, program)
    assert ticket.get().value >= 1000 and ticket.fpga_time >= 1000
    # the next run of the same program times out at its wait: the first run's data is gone
    timeout = stadls.PlaybackProgramBuilder()
    timeout.write(halco.InstructionTimeoutConfigOnFPGA(), haldls.InstructionTimeoutConfig(value=10))
    stadls.run(emulator, timeout.done())
    with pytest.raises(FPGAError, match="timeout"):
        stadls.run(emulator, program)
    with pytest.raises(TicketNotReadyError):
        ticket.get()


def test_symbol_tickets_give_their_time_like_container_tickets():
    import libnux_vm

    kernel = libnux_vm.compile("int x = 7;")
    b = stadls.PlaybackProgramBuilder()
    stadls.load_ppu_program(b, kernel, halco.PPUOnDLS(0))
    symbol = stadls.read_symbol(b, kernel, "x", halco.PPUOnDLS(0))
    stadls.run(Emulator(mismatch=Mismatch.ideal(), noise=False), b.done())
    assert symbol.get() == 7 and isinstance(symbol.fpga_time, int) and symbol.fpga_time > 0


def test_the_dumper_checks_like_the_builder():
    d = stadls.PlaybackProgramBuilderDumper()
    with pytest.raises(BuilderError, match="not a container"):
        d.write(CONFIG, 5)
    with pytest.raises(BuilderError, match="not a wait condition"):
        d.block_until(CONFIG, haldls.NeuronBackendConfig())
    d.write(CONFIG, haldls.NeuronBackendConfig())
    d.copy_back(d)
    assert len(d._values) == 2
    for merge in (d.merge_back, d.merge_front):
        with pytest.raises(BuilderError, match="into itself"):
            merge(d)
        with pytest.raises(BuilderError, match="expected a PlaybackProgramBuilderDumper"):
            merge(stadls.PlaybackProgramBuilder())
    with pytest.raises(BuilderError, match="revisions"):
        d.merge_back(stadls.PlaybackProgramBuilderDumper(revision=99))
    assert len(d.done()) == 2
    with pytest.raises(ArgumentTypeError):
        stadls.convert_to_builder(5)
    with pytest.raises(ArgumentTypeError, match="SystemInit"):
        stadls.generate(5)
    with pytest.raises(ArgumentTypeError, match="builder class"):
        stadls.generate(stadls.SystemInit(), int)


def test_the_dumper_records_a_chip_as_its_parts_and_replays_it_exactly():
    chip = lola.Chip.default_neuron_bypass()
    d = stadls.PlaybackProgramBuilderDumper()
    d.write(halco.ChipOnDLS(), chip)
    done = d.done()
    assert len(done) == len(list(chip.leaves()))
    direct = stadls.PlaybackProgramBuilder()
    direct.write(halco.ChipOnDLS(), chip)
    assert stadls.convert_to_builder(done).done() == direct.done()


def test_archived_programs_that_cannot_replay_are_refused():
    d = stadls.PlaybackProgramBuilderDumper()
    d.write(CONFIG, haldls.NeuronBackendConfig())
    d.write(halco.PPUMemoryBlockOnDLS(halco.PPUMemoryBlockOnPPU(0, 1), halco.PPUOnDLS(0)),
            haldls.PPUMemoryBlock([1, 2]))
    d.wait_until(100)
    done = d.done()
    data = json.loads(done.to_json())

    def with_change(change) -> str:
        copy = json.loads(json.dumps(data))
        change(copy)
        return json.dumps(copy)

    for text, match in [
        (with_change(lambda x: x.update(revision=3.7)), "revision must be an int"),
        (with_change(lambda x: x.update(revision="3")), "revision must be an int"),
        (with_change(lambda x: x["values"][0][1].update(fields={})), "missing"),
        (with_change(lambda x: x["values"][0].__setitem__(0, {"type": "NeuronConfigOnDLS", "enum": 0})),
         "lives at"),
        (with_change(lambda x: x["values"][1][1]["fields"].update(words=[1])), "PPUMemoryBlock of 1 words"),
        ("{", "not a serialized DumperDone"),
    ]:
        with pytest.raises(SerializationError, match=match):
            stadls.DumperDone.from_json(text)
    raw = bytearray(done.to_bytes())
    assert stadls.DumperDone.from_bytes(bytes(raw)) == done
    header = 20 + int.from_bytes(raw[16:20], "little") + 4
    raw[header] = 7                                    # the first entry's kind byte
    with pytest.raises(SerializationError, match="checksum"):
        stadls.DumperDone.from_bytes(bytes(raw))       # a changed byte: refused by the checksum
    with pytest.raises(SerializationError, match="kind 7"):     # edited on purpose, sealed again
        stadls.DumperDone.from_bytes(haldls.archive.seal(bytes(raw[:-4])))
    with pytest.raises(ArgumentTypeError):
        stadls.DumperDone(5)
    with pytest.raises(BuilderError, match="pair"):
        stadls.DumperDone([5])


def test_an_absolute_time_write_keeps_the_configuration_as_written():
    a = stadls.AbsoluteTimePlaybackProgramBuilder()
    config = haldls.NeuronBackendConfig(refractory_time=5)
    a.write(10, CONFIG, config)
    config.refractory_time = 99                          # after the write: not in the program
    expected = stadls.PlaybackProgramBuilder()
    expected.write(halco.TimerOnDLS(), haldls.Timer())
    expected.wait_until(10)
    expected.write(CONFIG, haldls.NeuronBackendConfig(refractory_time=5))
    assert a.done().done() == expected.done()
