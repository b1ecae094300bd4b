"""lola.diagnose: the switches that stop a neuron from spiking or being recorded, each named
with its fix; checked against what the emulated chip then does."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import lola
import stadls
from calix.common import helpers
from emulator import Emulator

Mode = lola.AtomicNeuron.EventRouting.AnalogOutputMode
COORD = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(5), halco.NeuronRowOnDLS(1))


def leak_over_threshold(**changes) -> lola.AtomicNeuron:
    neuron = lola.AtomicNeuron()
    neuron.leak.v_leak, neuron.leak.i_bias = 1000, 500
    neuron.reset.v_reset, neuron.reset.i_bias = 300, 1000
    neuron.threshold.v_threshold, neuron.threshold.enable = 400, True
    neuron.event_routing.analog_output, neuron.event_routing.enable_digital = Mode.normal, True
    neuron.refractory_period.refractory_time = 100
    for path, value in changes.items():
        member, field = path.split("__")
        setattr(getattr(neuron, member), field, value)
    return neuron


def spikes(neuron: lola.AtomicNeuron) -> int:
    """The spike counter of COORD after 100 us with ``neuron`` there."""
    emulator = Emulator(chip_id=0)
    builder = stadls.generate(stadls.SystemInit())[0]
    builder.write(COORD, neuron)
    helpers.reset_spike_counters(builder)
    helpers.wait_us(builder, 100.0)
    counts = helpers.read_spike_counts(builder)
    helpers.run(emulator, builder)
    return int(counts()[COORD.to_enum()])


def test_a_working_neuron_has_no_finding_and_spikes():
    neuron = leak_over_threshold()
    diagnosis = lola.diagnose(neuron)
    assert diagnosis.can_spike and not diagnosis.spike_output
    assert "leak over threshold" in diagnosis.notes[0]
    assert spikes(neuron) > 5


@pytest.mark.parametrize("change, finding", [
    ({"threshold__enable": False}, "threshold.enable = True"),
    ({"event_routing__analog_output": Mode.off}, "event_routing.analog_output = AnalogOutputMode.normal"),
    ({"leak__i_bias": 0}, "nothing drives the membrane"),
])
def test_each_switch_that_stops_spiking_is_named_and_the_chip_agrees(change, finding):
    neuron = leak_over_threshold(**change)
    diagnosis = lola.diagnose(neuron)
    assert not diagnosis.can_spike and finding in str(diagnosis)
    assert spikes(neuron) == 0


def test_output_and_recording_switches_are_named():
    neuron = leak_over_threshold(event_routing__enable_digital=False)
    diagnosis = lola.diagnose(neuron)
    assert diagnosis.can_spike and "event_routing.enable_digital = True" in str(diagnosis.spike_output[0])
    assert "readout.enable_buffered_access = True" in str(diagnosis.madc[0])
    assert diagnosis.cadc == ()                     # without a chip: nothing known of the CADC
    chip = lola.Chip()
    chip.neuron_block.atomic_neurons[COORD.to_enum()] = leak_over_threshold(readout__enable_buffered_access=True)
    on_chip = lola.diagnose(chip=chip, coord=COORD)
    assert "source_selection.neuron_odd[1] = True" in str(on_chip.madc[0])     # column 5, row 1
    assert "column_switches[1].enable_cadc_neuron_readout_causal[1] = True" in str(on_chip.cadc[0])
    assert "cadc_readout_chains[1].config.enable = True" in str(on_chip.cadc[1])
    chip.readout_chain.source_selection.neuron_odd = [False, True, False, False]
    chip.cadc_readout_chains[1].column_switches[1].enable_cadc_neuron_readout_causal = [False, True, False, False]
    chip.cadc_readout_chains[1].config.enable = True
    fixed = lola.diagnose(chip=chip, coord=COORD)
    assert fixed.madc == () and fixed.cadc == ()
    assert str(fixed).splitlines()[:4] == ["spiking: ok", "spike output: ok", "MADC recording: ok", "CADC recording: ok"]


def test_bad_arguments_are_named():
    with pytest.raises(lola.errors.LolaTypeError, match="give the AtomicNeuron, or chip= and coord="):
        lola.diagnose()
    with pytest.raises(lola.errors.LolaTypeError, match="neuron must be a lola.AtomicNeuron, not int"):
        lola.diagnose(5)
    with pytest.raises(lola.errors.LolaTypeError, match="coord must be a halco.AtomicNeuronOnDLS"):
        lola.diagnose(chip=lola.Chip(), coord=3)
    with pytest.raises(lola.errors.LolaTypeError, match="chip must be a lola.Chip"):
        lola.diagnose(chip=object(), coord=COORD)
