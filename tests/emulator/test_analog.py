"""The analog core: AdEx features, mismatch and noise, readouts, correlation sensors, STP.

Each test runs one of the examples (or a small program) on the emulated chip.
"""

from __future__ import annotations

import numpy as np
import pytest

import adex_firing_patterns
import correlation_sensors
import fixed_pattern_noise
import halco
import haldls
import membrane_time_constant
import psp_amplitude
import refractory_period
import short_term_plasticity
import stadls
from _neuron_setup import atomic, configure_neuron, init_builder
from emulator import Emulator, Mismatch, errors, transfer

IDEAL = dict(mismatch=Mismatch.ideal(), noise=False)


def test_membrane_decays_with_the_time_constant_the_leak_bias_sets():
    c_mem = transfer.C_MEM_MIN + 63 * transfer.C_MEM_PER_STEP
    for bias in (150, 600):
        tau = membrane_time_constant.measure_tau(bias, **IDEAL)
        assert tau == pytest.approx(c_mem / (bias * transfer.G_PER_LSB) * 1e6, rel=0.05)
    taus = [membrane_time_constant.measure_tau(b) for b in (150, 300, 600)]   # chip 0, mismatch
    assert taus[0] > 1.6 * taus[1] > 1.6 * 1.6 * taus[2]
    divided = membrane_time_constant.measure_tau(300, division=True)
    assert divided / taus[1] == pytest.approx(8.0, rel=0.15)


def test_psp_amplitude_grows_with_weight_and_saturates():
    a8, a16, a32, a63, a252 = psp_amplitude.psp_vs_weight([8, 16, 32, 63, 252])
    assert 0 < a8 < a16 < a32 < a63 < a252
    assert a16 / a8 == pytest.approx(2.0, rel=0.35)
    assert a252 / a63 < 0.65 * 4              # four times the summed weight: about 2.4x


def test_coba_psps_shrink_towards_the_reversal_potential():
    amplitudes = psp_amplitude.coba_psp_vs_leak([300, 450, 600])
    assert amplitudes[0] > amplitudes[1] > amplitudes[2] > 0


def test_coba_is_cuba_at_its_reference_and_nothing_beyond_its_reversal():
    # the example's reference (e_synin_exc_rev 454) is the potential of v_leak 400; its slope
    # puts the reversal at 0.82 V, below the potential of v_leak 800 (0.87 V)
    ideal = dict(mismatch=Mismatch.ideal(), noise=False)
    cuba = psp_amplitude.psp_vs_weight([40], **ideal)[0]
    coba = psp_amplitude.coba_psp_vs_leak([400, 800], **ideal)
    assert coba[0] == pytest.approx(cuba, rel=0.05)
    assert abs(coba[1]) < 0.05 * cuba


def test_adaptation_gives_spike_frequency_adaptation_and_none_without_it():
    tonic = np.diff(adex_firing_patterns.run_pattern("tonic")["spikes_us"])
    adapting = np.diff(adex_firing_patterns.run_pattern("adapting")["spikes_us"])
    assert len(tonic) > 10 and np.std(tonic[1:]) < 0.1 * np.mean(tonic[1:])
    assert adapting[-1] > 2.5 * adapting[0]


def test_bursting_pattern_has_short_and_long_intervals():
    isi = np.diff(adex_firing_patterns.run_pattern("bursting")["spikes_us"])
    assert np.count_nonzero(isi < 8) >= 6 and np.count_nonzero(isi > 50) >= 2


def test_exponential_term_produces_the_upswing_before_a_spike():
    r = adex_firing_patterns.run_pattern("tonic", **IDEAL)
    t, v = r["t_us"], r["madc"]
    upswings = 0
    for s in r["spikes_us"][2:8]:
        late = v[(t > s - 0.8) & (t < s - 0.1)]
        mid = v[(t > s - 6.0) & (t < s - 5.3)]
        upswings += (late[-1] - late[0]) > (mid[-1] - mid[0])   # slope rises towards the spike
    assert upswings == 6


def test_refractory_period_matches_counter_and_clock_scale():
    for tr, scale in ((50, 3), (100, 4)):
        isi = refractory_period.isi(tr, scale)
        expected = refractory_period.expected_us(tr, scale)
        assert expected < isi < expected + 0.5
    assert refractory_period.isi(100, 2, fast_clock=True) == pytest.approx(refractory_period.expected_us(100, 2), abs=0.5)


def test_identical_configuration_spreads_by_chip():
    a = fixed_pattern_noise.cadc_leak_potentials([500], chip_id=0)[0]
    b = fixed_pattern_noise.cadc_leak_potentials([500], chip_id=0)[0]
    c = fixed_pattern_noise.cadc_leak_potentials([500], chip_id=1)[0]
    assert 3 < a.std() < 15 and a.max() - a.min() > 20        # tens of CADC LSB
    assert np.corrcoef(a, b)[0, 1] > 0.9                        # the same chip: the same pattern
    assert abs(np.corrcoef(a, c)[0, 1]) < 0.3                   # another chip: another pattern
    ideal = fixed_pattern_noise.cadc_leak_potentials([500], **IDEAL)[0]
    assert ideal.max() - ideal.min() <= 1


def test_cadc_reads_are_monotonic_in_the_membrane_potential():
    sweep = fixed_pattern_noise.cadc_leak_potentials([150, 300, 450, 600, 750])
    assert np.mean(np.all(np.diff(sweep, axis=0) > 0, axis=0)) > 0.99


def test_temporal_noise_on_membrane_and_readouts():
    sweep = fixed_pattern_noise.cadc_leak_potentials([500, 500])
    assert np.any(sweep[0] != sweep[1]) and np.abs(sweep[0] - sweep[1]).mean() < 4
    quiet = fixed_pattern_noise.cadc_leak_potentials([500, 500], **IDEAL)
    assert np.array_equal(quiet[0], quiet[1])


def _madc_program(config: haldls.MADCConfig, selection: haldls.ReadoutSourceSelection,
                  neurons=(atomic(60),), wait_us: float = 50.0):
    builder = init_builder()
    for n in neurons:
        configure_neuron(builder, n, dict(v_leak=500, i_bias_leak=300), dict(membrane_capacitor_size=63,
                                                                            enable_readout=True))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.write(halco.ReadoutSourceSelectionOnDLS(), selection)
    builder.write(halco.MADCConfigOnDLS(), config)
    builder.write(halco.MADCControlOnDLS(), haldls.MADCControl(wake_up=True, start_recording=True))
    builder.wait_until(int(wait_us * 125))
    return builder.done()


def _select(*lines_per_mux):
    """A ReadoutSourceSelection whose multiplexer m connects the readout lines
    ``lines_per_mux[m]``, each (SourceMultiplexer member, hemisphere)."""
    selection = haldls.ReadoutSourceSelection()
    for mux, lines in enumerate(lines_per_mux):
        source = selection.get_buffer(halco.SourceMultiplexerOnReadoutSourceSelection(mux))
        for member, hemisphere in lines:
            getattr(source, member)[hemisphere] = True
        selection.set_buffer(halco.SourceMultiplexerOnReadoutSourceSelection(mux), source)
    return selection


@pytest.mark.parametrize("fields, cycles", [
    ({}, 4.25),                                               # 500 MHz / 17: 29.4 MHz
    ({"sample_duration_adjust": 0}, 3.0),                     # 500 MHz / 12
    ({"sample_duration_adjust": 7, "conversion_cycles_offset": 0}, 4.75),   # the offset: no effect
    ({"enable_madc_clock_scaling": True, "madc_clock_scale_value": 1}, 17.0),  # / (2 * 2)
])
def test_madc_samples_at_the_rate_the_real_formula_gives(fields, cycles):
    """The emulated MADC's sample spacing is 1 / MADCConfig.calculate_sample_rate (the default
    PLL's 500 MHz), to the FPGA cycle the sample times are rounded to."""
    config = haldls.MADCConfig(number_of_samples=201, **fields)
    spacing = 125e6 / config.calculate_sample_rate(haldls.DEFAULT_MADC_BASE_FREQUENCY)
    assert spacing == cycles                                   # the hand-computed period
    with stadls.ManagedConnection() as conn:
        program = _madc_program(config, _select([("neuron_even", 0)]))
        stadls.run(conn, program)
    t = program.madc_samples["fpga_time"].astype(float)
    assert len(t) == 201 and np.all(program.madc_samples["channel"] == 0)
    # sample k within one FPGA cycle of the first + k * spacing (both rounded to the cycle)
    assert np.abs(t - t[0] - spacing * np.arange(201)).max() <= 1.0
    assert set(np.diff(t)) <= {np.floor(spacing), np.ceil(spacing)}
    assert (t[-1] - t[0]) == pytest.approx(200 * spacing, abs=1.0)


def test_madc_two_sources_alternate_between_even_and_odd_columns():
    with stadls.ManagedConnection() as conn:
        program = _madc_program(
            haldls.MADCConfig(number_of_samples=400, active_mux_input_select_length=10),
            _select([("neuron_even", 0)], [("neuron_odd", 0)]), neurons=(atomic(60), atomic(61)))
        stadls.run(conn, program)
        channels = program.madc_samples["channel"]
        assert len(channels) == 400 and np.array_equal(channels[:20], [0] * 10 + [1] * 10)


def test_madc_bad_configurations_fail_clearly():
    with stadls.ManagedConnection() as conn:
        with pytest.raises(errors.ConfigurationError, match="one even and one odd"):
            stadls.run(conn, _madc_program(
                haldls.MADCConfig(number_of_samples=100, active_mux_input_select_length=4),
                _select([("neuron_even", 0)], [("neuron_even", 1)])))
    with stadls.ManagedConnection() as conn:
        with pytest.raises(errors.ConfigurationError, match="number_of_samples = 0"):
            stadls.run(conn, _madc_program(haldls.MADCConfig(number_of_samples=0), _select([("neuron_even", 0)])))
    with stadls.ManagedConnection() as conn:
        with pytest.raises(errors.ConfigurationError, match="same readout line"):
            stadls.run(conn, _madc_program(haldls.MADCConfig(number_of_samples=10), _select([("neuron_even", 0)]),
                                           neurons=(atomic(60), atomic(62))))
    with pytest.raises(haldls.errors.FieldValueError, match="number_of_samples"):
        haldls.MADCConfig(number_of_samples=70000)


def test_correlation_falls_with_causal_pairs_and_recovers_after_reset():
    readings = [correlation_sensors.run(n) for n in (0, 5, 15)]
    causal = [r["after"][0] for r in readings]
    assert causal[0] >= readings[0]["before"][0] - 2 > causal[1] > causal[2]
    for r in readings:
        assert abs(r["after_reset"][0] - r["before"][0]) <= 3
    anti = correlation_sensors.run(0, 10)
    assert anti["after"][1] < anti["before"][1] - 10 and abs(anti["after"][0] - anti["before"][0]) <= 3


def test_stp_depresses_successive_psps():
    static = short_term_plasticity.step_heights(stp=False)
    depressing = short_term_plasticity.step_heights()
    facilitating = short_term_plasticity.step_heights(facilitating=True)
    assert np.std(static) < 0.1 * np.mean(static)
    assert depressing[1] < 0.8 * depressing[0] and depressing[3] < 0.5 * depressing[0]
    assert facilitating[3] > 1.5 * facilitating[0]


def test_exponential_blow_up_is_clamped_at_the_rail_never_nan():
    neuron = atomic(70)
    builder = init_builder()
    configure_neuron(builder, neuron, dict(v_leak=500, i_bias_leak=100, v_exp=0, i_bias_exp=1022),
                     dict(membrane_capacitor_size=0, enable_exponential=True))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 20)
    emulator = Emulator()
    stadls.run(emulator, builder.done())
    assert np.all(np.isfinite(emulator.chip.S)) and np.all(np.isfinite(emulator.chip.P))
    assert emulator.chip.S[0, neuron.to_enum()] == pytest.approx(1.2, abs=0.01)   # at the rail, up to noise


def test_spike_counter_saturates_with_overflow_flag():
    neuron = refractory_period.NEURON
    builder = init_builder(clock_scale_slow=0)
    configure_neuron(builder, neuron, dict(v_leak=1022, i_bias_leak=1000, v_threshold=100, v_reset=200,
                                           i_bias_reset=1022),
                     dict(membrane_capacitor_size=5, enable_threshold_comparator=True, enable_fire=True,
                          enable_leak_multiplication=True, enable_reset_multiplication=True),
                     dict(refractory_time=10, reset_holdoff=0))
    builder.write(neuron.to_spike_counter_reset_on_dls(), haldls.SpikeCounterReset())
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 5)
    few = builder.read(neuron.to_spike_counter_read_on_dls())
    builder.wait_until(125 * 100)
    many = builder.read(neuron.to_spike_counter_read_on_dls())
    builder.write(neuron.to_spike_counter_reset_on_dls(), haldls.SpikeCounterReset())
    cleared = builder.read(neuron.to_spike_counter_read_on_dls())
    with stadls.ManagedConnection() as conn:
        stadls.run(conn, builder.done())
    assert 0 < few.get().count < 255 and not few.get().overflow
    assert many.get().count == 255 and many.get().overflow
    assert cleared.get().count == 0 and not cleared.get().overflow


def test_mismatch_is_keyed_by_chip_id():
    a, b, c = Mismatch.for_chip(3), Mismatch.for_chip(3), Mismatch.for_chip(4)
    assert np.array_equal(a.offset["v_leak"], b.offset["v_leak"])
    assert np.array_equal(a.synapse_gain, b.synapse_gain)
    assert not np.array_equal(a.offset["v_leak"], c.offset["v_leak"])
    assert 0.15 < np.std(np.log(a.gain["g_leak"])) < 0.35     # time constants: tens of percent
