"""Mistakes that used to pass silently or fail deep inside, each refused at once by the
project's own error naming what was wrong (issue: the first hour of a new user)."""

from __future__ import annotations

import contextlib
import math

import pytest

import halco
import haldls
import libnux_vm
import lola
import stadls
from emulator import errors as emulator_errors


def test_a_closed_managed_connection_refuses_programs():
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, builder.done())                       # open: runs
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    with pytest.raises(emulator_errors.ConnectionClosedError, match="is closed"):
        stadls.run(connection, builder.done())
    assert connection.chip is not None                                # its state can still be looked at


def test_a_class_where_an_instance_belongs_is_named():
    with pytest.raises(stadls.errors.ArgumentTypeError, match=r"stadls.SystemInit\(\), not the class SystemInit"):
        stadls.generate(stadls.SystemInit)
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(stadls.errors.BuilderError, match=r"NeuronBackendConfig is a container class.*NeuronBackendConfig\(\)"):
        builder.write(halco.NeuronBackendConfigOnDLS(), haldls.NeuronBackendConfig)


def test_none_is_never_a_coordinate():
    assert halco.PPUOnDLS() == halco.PPUOnDLS(0)                     # no value: the first
    with pytest.raises(halco.errors.CoordinateTypeError, match=r"PPUOnDLS\(None\).*\[0, 1\]"):
        halco.PPUOnDLS(None)


@pytest.mark.parametrize("value", [math.nan, math.inf, "10", True])
def test_timer_times_must_be_finite_numbers(value):
    with pytest.raises(libnux_vm.errors.HostValueError, match=r"start_us must be a finite number of microseconds"):
        libnux_vm.Timer.from_us(value, 20.0, 1)


def test_deeply_nested_json_is_not_a_chip():
    with pytest.raises(lola.errors.LolaValueError, match="nested too deeply"):
        lola.Chip.from_json("[" * 100_000 + "]" * 100_000)


def test_bool_and_int_are_told_apart_in_every_layer():
    with pytest.raises(haldls.errors.FieldTypeError, match=r"enable_spike_out must be a bool \(True or False\), got int 1"):
        haldls.NeuronBackendConfig(enable_spike_out=1)
    program = libnux_vm.compile("int32 g; bool b; int32 f(int32 x) { return x + 1; }")
    machine = libnux_vm.Machine(program)
    assert machine.call("f", 3) == 4
    with pytest.raises(libnux_vm.errors.HostValueError, match="argument 1 of 'f' must be an integer of type int32, not True"):
        machine.call("f", True)
    with pytest.raises(libnux_vm.errors.HostValueError, match="global 'g' must be an integer"):
        stadls.write_symbol(stadls.PlaybackProgramBuilder(), program, "g", True)
    with pytest.raises(libnux_vm.errors.HostValueError, match=r"global 'b' must be a bool \(True or False\)"):
        program.encode_global("b", 1)
    assert program.encode_global("b", True)[:1] == b"\x01"


_TOP = halco.PPUOnDLS(0)
_KERNEL = "int x = 0; void start() { x = 1; }"


@pytest.mark.parametrize("case, reason", [
    ("never started", r"PPU top is held in reset \(start_ppu releases it"),
    ("never loaded", r"PPU top: no program: .*magic word \(load_ppu_program writes one before start_ppu\)"),
])
def test_waiting_for_a_ppu_that_cannot_sleep_fails_at_once_naming_it(case, reason):
    from emulator import Emulator

    program = libnux_vm.compile(_KERNEL)
    emulator = Emulator(chip_id=0)
    builder = stadls.generate(stadls.SystemInit())[0]
    if case != "never loaded":
        stadls.load_ppu_program(builder, program, _TOP)
    if case != "never started":
        stadls.start_ppu(builder, _TOP)
    stadls.wait_for_ppu_sleep(builder, _TOP)
    chip_time = emulator.chip.time
    # a PPU started on memory without a program is also reported as a PPU fault
    reported = (pytest.warns(stadls.errors.PPUTrapWarning, match="PPU top: no program")
                if case == "never loaded" else contextlib.nullcontext())
    with reported, pytest.raises(stadls.errors.FPGAError,
                                 match=r"POLLING_BLOCK.*aborted \(waiting for the PPU to sleep: " + reason):
        stadls.run(emulator, builder.done())
    # at once: the chip was not evolved through the (long) instruction timeout
    timeout = int(emulator.chip.fields(haldls.InstructionTimeoutConfig)["value"][0])
    assert emulator.chip.time - chip_time < timeout // 10
    # a loaded and started program sleeps, and the same wait passes
    builder = stadls.PlaybackProgramBuilder()
    stadls.load_ppu_program(builder, program, _TOP)
    stadls.start_ppu(builder, _TOP)
    stadls.wait_for_ppu_sleep(builder, _TOP)
    value = stadls.read_symbol(builder, program, "x", _TOP)
    stadls.run(emulator, builder.done())
    assert value.get() == 1


def test_ppu_memory_without_the_program_reads_no_program():
    from emulator import Emulator

    program = libnux_vm.compile(_KERNEL)
    other = libnux_vm.compile("int y = 0; int z = 2; void start() { y = 1; }")
    builder = stadls.generate(stadls.SystemInit())[0]
    never_loaded = stadls.read_runtime_status(builder, program, _TOP)
    stadls.load_ppu_program(builder, other, _TOP)
    another = stadls.read_runtime_status(builder, program, _TOP)
    own = stadls.read_runtime_status(builder, other, _TOP)
    stadls.run(Emulator(chip_id=0), builder.done())
    assert never_loaded.get().state == "no program"          # zeros used to read as "loaded"
    assert another.get().state == "another program"
    assert own.get().state == "loaded"


def test_a_changed_or_lost_byte_of_an_archive_is_refused():
    chip = lola.Chip()
    chip.neuron_block.atomic_neurons[3].leak.v_leak = 700
    raw = chip.to_bytes()
    assert lola.Chip.from_bytes(raw) == chip
    for position in (30, len(raw) // 2, len(raw) - 8):           # the table, an entry, the last word
        flipped = bytearray(raw)
        flipped[position] ^= 0x04                                # one bit
        with pytest.raises(lola.errors.LolaValueError, match="checksum .* does not match"):
            lola.Chip.from_bytes(bytes(flipped))
    with pytest.raises(lola.errors.LolaValueError, match="not an archive of a Chip"):
        lola.Chip.from_bytes(raw[:-1])                           # truncated
    done = stadls.PlaybackProgramBuilderDumper()
    done.write(halco.TimerOnDLS(), haldls.Timer())
    archived = bytearray(done.done().to_bytes())
    archived[-5] ^= 1
    with pytest.raises(stadls.errors.SerializationError, match="checksum"):
        stadls.DumperDone.from_bytes(bytes(archived))


def _two_compartment_neuron():
    morphology = lola.Morphology()
    at = lambda x, y: halco.AtomicNeuronOnLogicalNeuron(halco.NeuronColumnOnLogicalNeuron(x),  # noqa: E731
                                                        halco.NeuronRowOnLogicalNeuron(y))
    morphology.create_compartment([at(0, 0), at(1, 0)])
    morphology.create_compartment([at(2, 0)])
    morphology.connect_to_soma(at(1, 0))
    morphology.connect_resistor_to_soma(at(2, 0))
    morphology.connect_soma_line(1, 2, 0)
    return morphology.done()


def test_overlapping_logical_neuron_placements_in_one_program_are_refused():
    compartments, neuron = _two_compartment_neuron()
    place = lambda x: halco.LogicalNeuronOnDLS(  # noqa: E731
        compartments, halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(x), halco.NeuronRowOnDLS(0)))
    builder = stadls.PlaybackProgramBuilder()
    builder.write(place(10), neuron)
    builder.write(place(10), neuron)                  # the same placement again: an update
    builder.write(place(13), neuron)                  # next to it: columns 13..15
    with pytest.raises(stadls.errors.BuilderError, match=r"overlaps the one at .*NeuronColumnOnDLS\(10\).*atomic neurons \[12, 13, 14\]"):
        builder.write(place(12), neuron)              # column 12 belongs to the first
    other = stadls.PlaybackProgramBuilder()
    other.write(place(11), neuron)
    with pytest.raises(stadls.errors.BuilderError, match="merge_back: the logical neuron at .* overlaps"):
        builder.merge_back(other)
    builder.done()
    builder.write(place(12), neuron)                  # a new program: free again
    dumper = stadls.PlaybackProgramBuilderDumper()
    dumper.write(place(10), neuron)
    with pytest.raises(stadls.errors.BuilderError, match="overlaps"):
        dumper.write(place(11), neuron)
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    timed.write(0, place(10), neuron)
    with pytest.raises(stadls.errors.BuilderError, match="overlaps"):
        timed.write(100, place(9), neuron)
