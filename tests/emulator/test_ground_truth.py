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
