"""EIF_cond_exp_isfa_ista on calibrated AdEx neurons (calix's AdEx calibration): spike-triggered
adaptation slows the firing as a reference AdEx integration of the same parameters does."""

from __future__ import annotations

import numpy as np
import pytest

from _pynn_helpers import bio  # noqa: F401

PARAMETERS = dict(v_rest=-65.0, v_reset=-68.0, delta_T=1.05, v_thresh=-55.0, v_spike=-45.0, tau_w=100.0,
                  a=2.0, b=[0.02, 0.1, 0.25], i_offset=0.58, tau_syn_E=5.0, tau_syn_I=5.0)
RUNTIME = 500.0     # ms


def reference_adex(b: float) -> np.ndarray:
    """Spike times [ms] of PyNN's EIF_cond_exp_isfa_ista (its default cm, tau_m) with
    :data:`PARAMETERS`, by forward Euler at 10 us."""
    cm, tau_m = 0.281e-9, 9.3667e-3
    g_l, e_l, v_t, d_t = cm / tau_m, -65e-3, -55e-3, 1.05e-3
    a, tau_w, v_r, v_s, current = 2e-9, 100e-3, -68e-3, -45e-3, 0.58e-9
    v, w, dt, spikes = e_l, 0.0, 1e-5, []
    for step in range(int(RUNTIME * 1e-3 / dt)):
        dv = (-g_l * (v - e_l) + g_l * d_t * np.exp(min((v - v_t) / d_t, 50.0)) - w + current) / cm
        w += dt * (a * (v - e_l) - w) / tau_w
        v += dt * dv
        if v > v_s:
            v, w = v_r, w + b * 1e-9
            spikes.append((step + 1) * dt * 1e3)
    return np.array(spikes)


def test_spike_triggered_adaptation_slows_firing_as_the_reference_adex(bio, calib_cache):
    bio.setup(timestep=0.1, calibration_cache=calib_cache)
    cells = bio.Population(3, bio.EIF_cond_exp_isfa_ista(**PARAMETERS))
    cells.record("spikes")
    bio.run(RUNTIME)
    trains = [st.magnitude for st in cells.get_data().segments[0].spiketrains]
    counts = np.array([len(t) for t in trains])
    expected = np.array([len(reference_adex(b)) for b in PARAMETERS["b"]])      # 33, 15, 8
    assert np.all(np.diff(counts) < 0)                                            # more b, fewer spikes
    assert counts == pytest.approx(expected, rel=0.25)                            # 31, 13, 7 seen
    # the adapted (steady) interval: the chip's neurons fire from their configuration on, so
    # they start the run adapted; the reference's last intervals are its steady ones
    for train, b in zip(trains, PARAMETERS["b"]):
        assert np.median(np.diff(train)) == pytest.approx(np.diff(reference_adex(b))[-3:].mean(), rel=0.2)
