"""Exact expectations where the emulated hardware is exact, written out as literals from the
documented model (MODEL.md, the FPGA's timing), not computed from the code's own tables: a
slip of one cycle, one code or one tick fails here."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import haldls
import lola
import stadls
from emulator import Emulator, Mismatch

Mode = lola.AtomicNeuron.EventRouting.AnalogOutputMode


def test_the_timer_reads_exactly_the_cycles_waited():
    # a read is issued at the FPGA cycle the wait ends on; the timer counts from its reset
    emulator = Emulator(chip_id=0)
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(1000)
    first = builder.read(halco.TimerOnDLS())
    second = builder.read(halco.TimerOnDLS())       # the first read took 8 cycles to issue
    builder.wait_until(5000)
    late = builder.read(halco.TimerOnDLS())
    stadls.run(emulator, builder.done())
    assert first.get().value == 1000 and late.get().value == 5000
    assert second.get().value == 1008
    assert first.fpga_time == 1100                  # its data arrives 100 cycles later


def test_a_known_membrane_voltage_gives_the_exact_cadc_code():
    # an ideal chip without noise and the nominal ramp reads code = (V - 0.1 V) / 4 mV (MODEL.md)
    emulator = Emulator(chip_id=0, mismatch=Mismatch.ideal(), noise=False)
    builder = stadls.generate(stadls.SystemInit())[0]
    stadls.enable_cadc_recording(builder)
    stadls.run(emulator, builder.done())
    codes = np.array([0, 1, 10, 100, 200, 254])
    voltages = 0.1 + 0.004 * codes + 0.0015          # within the code's step, below its half
    emulator.chip.S[0, :6] = voltages                  # top hemisphere, columns 0..5: no leak holds them
    builder = stadls.PlaybackProgramBuilder()
    read = stadls.read_cadc_membranes(builder, halco.SynramOnDLS.top)
    stadls.run(emulator, builder.done())
    assert read()[:6].tolist() == codes.tolist()


def _isi_us(reset_holdoff: int) -> float:
    """Mean inter-spike interval [us] of a neuron whose leak lies far above its threshold,
    refractory_time 100 ticks of the fast clock at scale 2 (250 MHz / 8: 3.2 us)."""
    neuron = lola.AtomicNeuron()
    neuron.leak.v_leak, neuron.leak.i_bias, neuron.leak.enable_multiplication = 1022, 1000, True
    neuron.reset.v_reset, neuron.reset.i_bias, neuron.reset.enable_multiplication = 200, 1022, True
    neuron.threshold.v_threshold, neuron.threshold.enable = 100, True
    neuron.membrane_capacitance.capacitance = 20
    neuron.event_routing = lola.AtomicNeuron.EventRouting.enabled()
    neuron.event_routing.address = 7
    neuron.refractory_period.refractory_time = 100
    neuron.refractory_period.reset_holdoff = reset_holdoff
    neuron.refractory_period.input_clock = 1
    coord = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(7), halco.NeuronRowOnDLS(0))
    emulator = Emulator(chip_id=0, mismatch=Mismatch.ideal(), noise=False)
    builder = stadls.generate(stadls.SystemInit())[0]
    builder.write(halco.CommonNeuronBackendConfigOnDLS(0),
                  haldls.CommonNeuronBackendConfig(clock_scale_fast=2, clock_scale_slow=0))
    builder.write(coord, neuron)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 100)
    program = builder.done()
    stadls.run(emulator, program)
    times = program.spikes["fpga_time"][(program.spikes["label"] & 0xFF) == 7] / 125.0
    return float(np.mean(np.diff(times[2:])))


def test_the_refractory_period_holds_with_a_reset_holdoff():
    # the reset lasts refractory_time - reset_holdoff ticks; the neuron may fire again only when
    # the whole refractory period (3.2 us) is over, however fast its membrane recharges
    with_holdoff = _isi_us(15)
    assert with_holdoff == pytest.approx(3.2, abs=0.02)      # recharged in the hold-off: at t_ref
    without = _isi_us(0)
    assert 3.2 < without < 3.5                                 # recharges after t_ref


def test_commands_at_the_same_time_run_in_insertion_order():
    coord = halco.NeuronBackendConfigOnDLS(3)
    for first, second in ((5, 9), (9, 5)):
        builder = stadls.AbsoluteTimePlaybackProgramBuilder()
        builder.write(100, coord, haldls.NeuronBackendConfig(refractory_time=first))
        builder.write(100, coord, haldls.NeuronBackendConfig(refractory_time=second))
        ticket = builder.read(100, coord)                     # after both, at the same time
        emulator = Emulator(chip_id=0)
        stadls.run(emulator, builder.done().done())
        assert ticket.get().refractory_time == second
