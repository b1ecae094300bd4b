"""The emulator's ground truth helpers: the PSP peak against its closed form, the membrane
channels, the parameters of a configured chip."""

from __future__ import annotations

import numpy as np
import pytest

import stadls
from emulator import Emulator, Mismatch, core, ground_truth


def _parameters(tau_s: float, tau_m: float) -> np.ndarray:
    P = np.zeros((core.N_PARAMS, 1))
    P[core.P_C_MEM] = 1e-12
    P[core.P_G_LEAK] = 1e-12 / tau_m
    P[core.P_TAU_EXC] = tau_s
    P[core.P_AMP_EXC] = 1e-9
    return P


def test_psp_peaks_follow_the_closed_form_and_its_equal_time_constant_limit():
    tau_s, tau_m = 2e-6, 10e-6
    peak = np.log(tau_m / tau_s) * tau_s * tau_m / (tau_m - tau_s)
    expected = 1e-9 * tau_s / 1e-12 * tau_m / (tau_m - tau_s) * (np.exp(-peak / tau_m) - np.exp(-peak / tau_s))
    assert ground_truth.psp_heights(_parameters(tau_s, tau_m), "excitatory")[0] == pytest.approx(expected, rel=1e-6)
    equal = ground_truth.psp_heights(_parameters(5e-6, 5e-6), "excitatory")[0]
    near = ground_truth.psp_heights(_parameters(5e-6, 5.0001e-6), "excitatory")[0]
    assert equal == pytest.approx(near, rel=1e-3) and equal == pytest.approx(1e-9 * 5e-6 / 1e-12 / np.e, rel=1e-6)
    assert ground_truth.event_charges(_parameters(tau_s, tau_m), "excitatory")[0] == pytest.approx(2e-3)   # V


def test_membrane_channels_and_reads_of_an_ideal_chip():
    channels = ground_truth.membrane_channels()
    assert channels[[0, 255, 256, 511]].tolist() == [0, 255, 512, 767]     # causal, column by column
    emulator = Emulator(chip_id=0, mismatch=Mismatch.ideal(), noise=False)
    builder, _ = stadls.generate(stadls.SystemInit())
    stadls.run(emulator, builder.done())
    # the nominal ramp: 0.1 V reads 0, 4 mV per code
    assert ground_truth.cadc_reads(emulator.chip, np.full(512, 0.5)) == pytest.approx(np.full(512, 100.0))
    assert ground_truth.parameters(emulator.chip).shape[1] == 512


def _initialized(chip_id: int = 0, **kwargs) -> Emulator:
    emulator = Emulator(chip_id=chip_id, **kwargs)
    builder, _ = stadls.generate(stadls.SystemInit())
    stadls.run(emulator, builder.done())
    return emulator


def test_synapse_driver_gains_and_stp_efficacies():
    import halco
    import haldls

    ideal = _initialized(mismatch=Mismatch.ideal(), noise=False)
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.SynapseDriverOnDLS(5), haldls.SynapseDriverConfig(offset=15))
    stadls.run(ideal, builder.done())
    assert ground_truth.synapse_driver_gains(ideal.chip) == pytest.approx(np.ones(256))
    efficacy = ground_truth.stp_efficacies(ideal.chip)
    assert efficacy[5] == pytest.approx(1.5) and np.delete(efficacy, 5) == pytest.approx(np.ones(255))
    chip = _initialized().chip
    gains = ground_truth.synapse_driver_gains(chip)
    # driver 130: the second block's driver 2, rows 4 and 5 of the bottom synram
    assert gains[130] == pytest.approx(chip.mismatch.synapse_gain[1, 4:6].mean())
    assert 0.05 < np.std(gains) < 0.2                      # the drivers' own deviation, 10 %


def test_correlation_truth_is_what_the_sensors_read():
    import halco
    import haldls

    emulator = _initialized(mismatch=Mismatch.ideal(), noise=False)
    cell = halco.CapMemCellOnCapMemBlock
    builder = stadls.PlaybackProgramBuilder()
    for name, value in ((cell.syn_i_bias_store, 511), (cell.syn_i_bias_ramp, 500)):
        builder.write(halco.CapMemCellOnDLS(name, halco.CapMemBlockOnDLS(0)), haldls.CapMemCell(value=value))
    builder.write(halco.SynapseDriverOnDLS(0), haldls.SynapseDriverConfig(
        enable_receiver=True, row_mode_top=haldls.SynapseDriverConfig.RowMode.excitatory))
    quad = halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(0), halco.SynapseRowOnSynram(1))
    builder.write(halco.SynapseQuadOnDLS(quad, halco.SynramOnDLS(0)), haldls.SynapseQuad(labels=[9] * 4))
    builder.write(halco.CADCConfigOnDLS(0), haldls.CADCConfig(enable=True))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    reads = [builder.read(halco.CADCSampleQuadOnDLS.of(quad, 0, 0, 0))]
    for pair in range(5):                  # pre, then post 2 us later, 50 us apart
        builder.wait_until(125 * (10 + 50 * pair))
        builder.write(halco.PADIEventOnDLS(0), haldls.PADIEvent(fire_bus=[True] + [False] * 3, event_address=9))
        builder.wait_until(125 * (12 + 50 * pair))
        builder.write(halco.BlockPostPulseOnDLS(0), haldls.BlockPostPulse())
    builder.wait_until(125 * 300)
    reads.append(builder.read(halco.CADCSampleQuadOnDLS.of(quad, 0, 0, 0)))
    stadls.run(emulator, builder.done())
    amplitude = ground_truth.correlation_amplitudes(emulator.chip)
    tau = ground_truth.correlation_time_constants(emulator.chip)
    assert amplitude.shape == (2, 2, 256, 256) and amplitude[0, 0, 1, 0] == pytest.approx(16e-3)
    assert amplitude[0, 0, 1, 200] == 0.0 and tau[0] == pytest.approx(10e-6)   # store 0 on the right
    per_volt = ground_truth.cadc_codes_per_volt(emulator.chip)
    assert per_volt == pytest.approx(np.full(1024, 250.0))          # the nominal ramp: 4 mV per code
    drop = reads[0].get().samples[0] - reads[1].get().samples[0]
    assert drop == pytest.approx(5 * amplitude[0, 0, 1, 0] * np.exp(-2e-6 / tau[0]) * per_volt[0], abs=1.0)
