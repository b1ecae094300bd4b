"""The synapse DAC bias per quadrant (``syn_i_bias_dac``) and the synapse drivers' HAGEN DAC
offsets (``hagen_dac_offset``, ``enable_hagen_dac``): what they do to the synaptic currents and
the HAGEN activation, and their mismatch (emulator/MODEL.md)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import halco
import haldls
import lola
import stadls
from emulator import Emulator, Mismatch, core, ground_truth, mismatch, transfer

DAC = halco.CapMemCellOnCapMemBlock.syn_i_bias_dac


def initialized(**kwargs) -> Emulator:
    emulator = Emulator(**kwargs)
    builder, _ = stadls.generate(stadls.SystemInit())
    neurons = lola.AtomicNeuronArray()
    neurons["excitatory_input_i_bias_gm"] = 300
    neurons["inhibitory_input_i_bias_gm"] = 300
    neurons.write(builder)
    stadls.run(emulator, builder.done())
    return emulator


def set_dac(emulator: Emulator, values: list[int]) -> None:
    builder = stadls.PlaybackProgramBuilder()
    for block, value in zip(halco.iter_all(halco.CapMemBlockOnDLS), values):
        builder.write(halco.CapMemCellOnDLS(DAC, block), haldls.CapMemCell(value=value))
    stadls.run(emulator, builder.done())


def test_the_reset_value_keeps_the_currents_of_a_chip_that_never_sets_the_bias():
    emulator = initialized(chip_id=3)
    before = ground_truth.parameters(emulator.chip)
    assert ground_truth.synapse_dac_factors(emulator.chip) == pytest.approx(np.ones(4))
    set_dac(emulator, [0, 0, 0, 0])
    assert np.array_equal(ground_truth.parameters(emulator.chip), before)


def test_the_bias_scales_each_quadrants_synaptic_currents_but_not_the_saturation():
    emulator = initialized(chip_id=3)
    nominal = ground_truth.parameters(emulator.chip)
    set_dac(emulator, [600, 300, 1022, 600])
    gain = emulator.chip.mismatch.synapse_dac_gain
    factors = gain * np.array([600, 300, 1022, 600]) / transfer.SYNAPSE_DAC_NOMINAL
    assert ground_truth.synapse_dac_factors(emulator.chip) == pytest.approx(factors)
    P = ground_truth.parameters(emulator.chip)
    quadrant = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemBlockOnDLS)
    for kind in (core.P_AMP_EXC, core.P_AMP_INH):
        assert P[kind] == pytest.approx(nominal[kind] * factors[quadrant])
    assert np.array_equal(P[core.P_I_SAT_EXC], nominal[core.P_I_SAT_EXC])
    assert np.array_equal(P[core.P_TAU_EXC], nominal[core.P_TAU_EXC])


def test_a_quadrants_bias_changes_the_charge_of_its_neurons_only():
    """Events of weight 10 onto every neuron's excitatory input, integrated without leak, at a
    bias of 600 and 300 in quadrant 1 (NE: top hemisphere, columns 128..255)."""
    def integrate(values: list[int]) -> np.ndarray:
        emulator = initialized(chip_id=0, mismatch=Mismatch.ideal(), noise=False)
        set_dac(emulator, values)
        builder = stadls.PlaybackProgramBuilder()
        builder.write(halco.CommonPADIBusConfigOnDLS.top, haldls.CommonPADIBusConfig(enable_spl1=[True] * 4))
        builder.write(halco.SynapseDriverOnDLS(0), haldls.SynapseDriverConfig(
            enable_receiver=True, row_mode_top=haldls.SynapseDriverConfig.RowMode.excitatory))
        row = lola.SynapseRow()
        row.weights = np.full(256, 10)
        builder.write(halco.SynapseDriverOnDLS(0).to_synapse_row_on_dls()[1], row)
        neurons = lola.AtomicNeuronArray()
        neurons["excitatory_input_i_bias_gm"] = 300
        neurons["excitatory_input_i_bias_tau"] = 1022
        neurons["excitatory_input_enable"] = True
        neurons["reset_v_reset"], neurons["reset_i_bias"] = 300, 1022
        neurons["membrane_capacitance_capacitance"] = 63
        neurons.write(builder)
        builder.write(halco.TimerOnDLS(), haldls.Timer())
        builder.wait_until(125 * 20)
        for quad in range(64):
            builder.write(halco.NeuronResetQuadOnDLS(quad), haldls.NeuronResetQuad())
        builder.wait_until(125 * 30)
        for i in range(4):
            builder.wait_until(125 * (30 + 10 * i))
            builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([0]))
        builder.wait_until(125 * 100)
        stadls.run(emulator, builder.done())
        return emulator.chip.S[core.S_V, :256].copy()

    start = transfer.voltage("v_reset", 300)
    nominal = integrate([600, 600, 0, 0]) - start
    lowered = integrate([600, 300, 0, 0]) - start
    assert nominal.min() > 0.01                                # 10 mV and more integrated
    np.testing.assert_allclose(lowered[:128], nominal[:128])
    # half the current: more than half the charge (the input saturates less)
    ratio = lowered[128:] / nominal[128:]
    assert np.all((ratio > 0.5) & (ratio < 0.6))


def test_hagen_offsets_shift_the_activation_within_the_pulse_window():
    shift = transfer.hagen_activation_shift(np.array([False, True, True, True]), np.array([0, 32, 0, 63]),
                                            np.array([0.5, 0.5, -1.0, 0.0]))
    assert shift == pytest.approx([0.5, 0.5, 3.0, -31 * transfer.HAGEN_DAC_OFFSET_STEP])

    ideal = Mismatch.ideal()
    offsets = np.zeros(256)
    offsets[[5, 6]] = 2.5, -1.5
    emulator = Emulator(chip_id=0, mismatch=dataclasses.replace(ideal, hagen_dac_offset=offsets), noise=False)
    builder = stadls.PlaybackProgramBuilder()
    builder.write_array(haldls.SynapseDriverConfig, np.arange(256), haldls.SynapseDriverConfig.encode_array(
        256, enable_hagen_dac=np.arange(256) == 6, hagen_dac_offset=np.full(256, 40)))
    stadls.run(emulator, builder.done())
    truth = ground_truth.hagen_activation_shifts(emulator.chip)
    assert truth[[0, 5, 6]] == pytest.approx([0.0, 2.5, -1.5 - 8 * transfer.HAGEN_DAC_OFFSET_STEP])


def test_the_mismatch_has_a_stream_of_its_own():
    for chip_id in (0, 4):
        drawn = Mismatch.for_chip(chip_id)
        dac = np.random.default_rng([chip_id, 0xDAC])
        assert drawn.synapse_dac_gain == pytest.approx(dac.lognormal(0.0, mismatch.SYNAPSE_DAC_GAIN_SD, 4))
        assert drawn.hagen_dac_offset == pytest.approx(dac.normal(0.0, mismatch.HAGEN_DAC_OFFSET_SD, 256))
        assert 0.5 < drawn.hagen_dac_offset.std() < 1.5
    ideal = Mismatch.ideal()
    assert np.array_equal(ideal.synapse_dac_gain, np.ones(4)) and not ideal.hagen_dac_offset.any()


def test_a_drivers_offset_shifts_the_charge_of_its_activation(monkeypatch):
    """One input of weight 63 onto every column of an ideal chip, its driver's offset shifted:
    each event's charge is that of its shifted activation (through the input's saturation,
    ``ln(1 + u a / 32)`` with ``u`` the event's current over the saturation current)."""
    import mac_matrix_vector as mac

    monkeypatch.setattr(mac, "EVENT_INTERVAL", 1000)          # no pile-up of the currents
    weights = np.zeros((mac.N_INPUTS, mac.N_OUTPUTS), dtype=np.int64)
    weights[5, :] = 63
    x = np.zeros((3, mac.N_INPUTS), dtype=np.int64)
    x[:, 5] = 10, 31, 2
    offsets = np.zeros(256)

    def charges(offset: float) -> np.ndarray:
        offsets[5] = offset
        m = dataclasses.replace(Mismatch.ideal(), hagen_dac_offset=offsets.copy())
        return mac.multiply(x, weights, num_sends=32, mismatch=m, noise=False).mean(axis=1)

    u = 63 * transfer.AMP_PER_WEIGHT_GM / transfer.I_SAT_PER_GM

    def expected(activation: float, nominal: float) -> float:
        return np.log1p(u * min(activation, 32) / 32) / np.log1p(u * nominal / 32)

    nominal, up, down = charges(0.0), charges(2.5), charges(-3.0)
    assert nominal[0] > 30
    assert up[0] / nominal[0] == pytest.approx(expected(12.5, 10), rel=0.02)
    assert up[1] / nominal[1] == pytest.approx(expected(33.5, 31), rel=0.01)      # the window's end
    assert down[1] / nominal[1] == pytest.approx(expected(28, 31), rel=0.01)
    assert abs(down[2]) < 0.5                                                      # below 0: no pulse
