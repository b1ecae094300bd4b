"""Tests that kill the mutants ``make mutation MODULES=emulator.readout`` found surviving: the
MADC's wiring checks with their exact messages, the alternation's threshold, the neuron a
multiplexer sees in either hemisphere (benchmarks/mutation_equivalents.md lists what is left)."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import haldls
import stadls
from _neuron_setup import atomic, configure_neuron, init_builder
from emulator import Emulator, errors


def _program(config: haldls.MADCConfig, lines_per_mux, neurons) -> stadls.PlaybackProgram:
    """Neurons with their readout on, the multiplexers connecting ``lines_per_mux[m]``
    ((member, hemisphere) each), the MADC started for 20 us."""
    builder = init_builder()
    for n in neurons:
        configure_neuron(builder, atomic(n % 256, n // 256), dict(v_leak=500, i_bias_leak=300),
                         dict(membrane_capacitor_size=63, enable_readout=True))
    selection = haldls.ReadoutSourceSelection()
    for mux, lines in enumerate(lines_per_mux):
        source = selection.get_buffer(mux)
        for member, hemisphere in lines:
            getattr(source, member)[hemisphere] = True
        selection.set_buffer(mux, source)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.write(halco.ReadoutSourceSelectionOnDLS(), selection)
    builder.write(halco.MADCConfigOnDLS(), config)
    builder.write(halco.MADCControlOnDLS(), haldls.MADCControl(wake_up=True, start_recording=True))
    builder.wait_until(20 * 125)
    return builder.done()


def _run(config, lines_per_mux, neurons=()) -> stadls.PlaybackProgram:
    program = _program(config, lines_per_mux, neurons)
    stadls.run(Emulator(chip_id=0, noise=False), program)
    return program


@pytest.mark.parametrize("member, word", [("neuron_even", "even"), ("neuron_odd", "odd")])
@pytest.mark.parametrize("hemispheres", [(0, 0), (1, 1), (0, 1)])
def test_alternating_sources_of_one_parity_are_refused_with_the_full_message(member, word, hemispheres):
    message = ("MADC with two alternating sources: both multiplexers connect neuron readout lines of "
               f"{word} columns; two sources must be one even and one odd column")
    lines = [[(member, hemispheres[0])], [(member, hemispheres[1])]]
    with pytest.raises(errors.ConfigurationError) as caught:
        _run(haldls.MADCConfig(number_of_samples=10, active_mux_input_select_length=1), lines)
    assert str(caught.value) == message
    # without alternation the same wiring records (source 0 only)
    program = _run(haldls.MADCConfig(number_of_samples=10, active_mux_input_select_length=0), lines)
    assert len(program.madc_samples) == 10 and np.all(program.madc_samples["channel"] == 0)


def test_two_lines_on_one_multiplexer_are_refused_with_the_full_message():
    with pytest.raises(errors.ConfigurationError) as caught:
        _run(haldls.MADCConfig(number_of_samples=10), [[("neuron_even", 0), ("neuron_odd", 0)]])
    assert str(caught.value) == ("MADC source 0: ReadoutSourceSelection connects 2 neuron readout lines "
                                 "[(0, 0), (0, 1)] (hemisphere, parity) to one multiplexer; connect at most one")
    with pytest.raises(errors.ConfigurationError) as caught:
        _run(haldls.MADCConfig(number_of_samples=10), [[], [("neuron_odd", 1), ("neuron_even", 1)]])
    assert str(caught.value).startswith("MADC source 1: ReadoutSourceSelection connects 2 neuron readout "
                                        "lines [(1, 0), (1, 1)]")


@pytest.mark.parametrize("neurons, member, hemisphere, text", [
    ((60, 62), "neuron_even", 0, "neurons [60, 62] all have enable_readout on the same readout line "
                                 "(hemisphere 0, even columns); enable one"),
    ((301, 303), "neuron_odd", 1, "neurons [301, 303] all have enable_readout on the same readout line "
                                  "(hemisphere 1, odd columns); enable one"),
])
def test_two_neurons_on_one_line_are_refused_with_the_full_message(neurons, member, hemisphere, text):
    with pytest.raises(errors.ConfigurationError) as caught:
        _run(haldls.MADCConfig(number_of_samples=10), [[(member, hemisphere)]], neurons)
    assert str(caught.value) == "MADC source 0: " + text


def test_no_samples_without_continuous_sampling_is_refused_with_the_full_message():
    with pytest.raises(errors.ConfigurationError) as caught:
        _run(haldls.MADCConfig(number_of_samples=0), [[("neuron_even", 0)]])
    assert str(caught.value) == (
        "MADC started with MADCConfig.number_of_samples = 0 and continuous sampling off: nothing would be "
        "recorded; set 1..65535 samples or enable continuous sampling")


@pytest.mark.parametrize("neuron, member, hemisphere", [
    (60, "neuron_even", 0), (61, "neuron_odd", 0), (300, "neuron_even", 1), (301, "neuron_odd", 1)])
def test_each_multiplexer_sees_the_neuron_of_its_line_in_either_hemisphere(neuron, member, hemisphere):
    """The neuron's membrane (charging towards its leak) reaches the multiplexer whose line it is
    on, in either hemisphere and on either multiplexer; a line without a neuron reads 0."""
    for mux in range(2):
        lines = [[], []]
        lines[mux] = [(member, hemisphere)]
        config = haldls.MADCConfig(number_of_samples=20, active_mux_initially_selected_input=mux)
        high = _run(config, lines, (neuron,))
        other = (member.replace("even", "x").replace("odd", "even").replace("x", "odd"), hemisphere)
        lines[mux] = [other]
        low = _run(config, lines, (neuron,))
        assert len(high.madc_samples) == 20 and np.all(high.madc_samples["channel"] == mux)
        assert high.madc_samples["value"].min() > 20 and np.all(low.madc_samples["value"] == 0)


# -- the CADC's codes (Readout._codes through the ground truth Readout.channel_codes) -------------

def _ideal_chip(offsets: dict[int, float] | None = None, digital: dict[int, int] | None = None) -> Emulator:
    """An ideal, noise-free chip after SystemInit (nominal ramps: code = (V - 0.1 V) / 4 mV), with
    comparator offsets [V] and digital offsets on the given channels (CADCChannelConfigOnDLS)."""
    from emulator import Mismatch

    mismatch = Mismatch.ideal()
    for channel, volts in (offsets or {}).items():
        synram, rest = divmod(channel, 512)
        mismatch.cadc_offset[synram, rest // 256, rest % 256] = volts
    emulator = Emulator(chip_id=0, mismatch=mismatch, noise=False)
    builder = stadls.generate(stadls.SystemInit())[0]
    for channel, value in (digital or {}).items():
        builder.write(halco.CADCChannelConfigOnDLS(channel), haldls.CADCChannelConfig(offset=value))
    stadls.run(emulator, builder.done())
    return emulator


def test_cadc_codes_add_the_comparator_offset_and_the_digital_offset():
    emulator = _ideal_chip(offsets={3: 0.04, 700: -0.02}, digital={5: 7, 6: -9})
    codes = emulator.chip.readout.channel_codes(0.1 + 0.004 * 100)      # code 100 without offsets
    assert codes.dtype == np.int64
    assert codes[[0, 3, 700, 5, 6]].tolist() == [100, 110, 95, 107, 91]
    raw = emulator.chip.readout.channel_codes(0.1 + 0.004 * 100.25, rounded=False)
    assert raw[[0, 3, 5]] == pytest.approx([100.25, 110.25, 107.25])


def test_cadc_codes_saturate_after_the_digital_offset():
    """The counter saturates at 255 before the digital offset is added (a count of 256 minus 10
    reads 245), and the sum saturates at 0 and 255 again."""
    emulator = _ideal_chip(digital={1: -10, 2: 10, 4: -10})
    codes = emulator.chip.readout.channel_codes(0.1 + 0.004 * 255.8)   # counts to 256 when unsaturated
    assert codes[[0, 1, 2]].tolist() == [255, 245, 255]
    low = emulator.chip.readout.channel_codes(0.1 - 0.004 * 3)           # below the ramp's start
    assert low[[0, 4, 2]].tolist() == [0, 0, 10]
