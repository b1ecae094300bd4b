"""Mistakes that used to pass silently or fail deep inside, each refused at once by the
project's own error naming what was wrong (issue: the first hour of a new user)."""

from __future__ import annotations

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
