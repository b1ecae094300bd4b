"""examples/_plotting.py: one output folder, biological time and ADC codes on second axes, and a
clear message when the optional plot extra is missing."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import _plotting
import adex_firing_patterns


def test_plots_go_to_plots_under_the_current_directory_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv(_plotting.PLOT_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert _plotting.plot_path(None, "a.png") == tmp_path / "plots" / "a.png"
    assert (tmp_path / "plots").is_dir()                  # created on demand


def test_the_environment_variable_moves_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(_plotting.PLOT_DIR_ENV, str(tmp_path / "figures" / "run1"))
    assert _plotting.plot_dir() == tmp_path / "figures" / "run1"
    assert _plotting.plot_path(None, "b.png") == tmp_path / "figures" / "run1" / "b.png"


def test_an_explicit_path_wins_and_gets_its_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(_plotting.PLOT_DIR_ENV, str(tmp_path / "unused"))
    assert _plotting.plot_path(tmp_path / "sub" / "c.png", "c.png") == tmp_path / "sub" / "c.png"
    assert (tmp_path / "sub").is_dir() and not (tmp_path / "unused").exists()


def test_second_axes_carry_biological_time_and_adc_codes(tmp_path):
    plt = _plotting.pyplot()
    fig, ax = plt.subplots()
    ax.plot([0.0, 200.0], [100.0, 500.0])
    ax.set_xlim(0.0, 200.0)                      # hardware us
    ax.set_ylim(100.0, 500.0)                    # mV from the nominal CADC
    time = _plotting.biological_time_axis(ax)
    codes = _plotting.lsb_axis(ax, "cadc")
    fig2, ax2 = plt.subplots()
    ax2.set_xlim(0.0, 0.5)                       # hardware ms
    ax2.set_ylim(0.0, 1200.0)                    # mV from the MADC
    time_ms = _plotting.biological_time_axis(ax2, "ms")
    madc = _plotting.lsb_axis(ax2, "madc")
    amplitude_fig, amplitude_ax = plt.subplots()
    amplitude_ax.set_ylim(0.0, 40.0)             # a CADC amplitude in mV: no offset
    amplitude = _plotting.lsb_axis(amplitude_ax, "cadc", difference=True)
    for figure in (fig, fig2, amplitude_fig):
        figure.canvas.draw()
    assert time in ax.child_axes and codes in ax.child_axes
    np.testing.assert_allclose(time.get_xlim(), (0.0, 200.0))          # 1 us -> 1 ms
    np.testing.assert_allclose(codes.get_ylim(), (0.0, 100.0))         # (V - 100 mV) / 4 mV
    np.testing.assert_allclose(time_ms.get_xlim(), (0.0, 500.0))       # 0.5 ms -> 500 ms
    np.testing.assert_allclose(madc.get_ylim(), (0.0, 1023.0))
    np.testing.assert_allclose(amplitude.get_ylim(), (0.0, 10.0))
    assert time.get_xlabel() == "biological time [ms]" and codes.get_ylabel() == "CADC code [LSB]"
    assert amplitude.get_ylabel() == "CADC code difference [LSB]"
    # non-finite limits, which matplotlib passes while laying out, map to themselves
    forward = _plotting._axis_function(_plotting.units.mv_to_cadc_code)
    np.testing.assert_array_equal(forward(np.array([np.nan, 104.0, np.inf])), [np.nan, 1.0, np.inf])
    path = _plotting.save(fig, tmp_path / "axes.png")
    assert path.stat().st_size > 5_000 and _plotting.SPEEDUP_NOTE in [t.get_text() for t in fig.texts]
    for figure in (fig2, amplitude_fig):
        plt.close(figure)


def test_hardware_time_rates_and_a_calibrated_cadc_get_their_axes():
    plt = _plotting.pyplot()
    fig, (bio, rate) = plt.subplots(1, 2)
    bio.set_xlim(0.0, 300.0)                     # biological ms (pynn_frontend.biological)
    rate.set_xlim(0.0, 60.0)                     # kHz of hardware time
    rate.set_ylim(44.0, 140.0)                   # mV through a calibrated CADC
    hardware = _plotting.hardware_time_axis(bio)
    hz = _plotting.biological_rate_axis(rate, "x")
    mv_per_lsb, mv_at_zero = _plotting.calibrated_cadc_transfer()
    codes = _plotting.linear_lsb_axis(rate, mv_per_lsb, mv_at_zero, "leak [CADC LSB]")
    fig.canvas.draw()
    np.testing.assert_allclose(hardware.get_xlim(), (0.0, 300.0))       # 300 ms -> 300 us
    np.testing.assert_allclose(hz.get_xlim(), (0.0, 60.0))              # 60 kHz -> 60 Hz
    # calix's default CADC target: 140 mV reads 20, 1100 mV reads 220
    assert (mv_per_lsb, mv_at_zero) == pytest.approx((4.8, 44.0))
    np.testing.assert_allclose(codes.get_ylim(), (0.0, 20.0))
    assert hardware.get_xlabel() == "hardware time [us]" and hz.get_xlabel() == "biological rate [Hz]"
    plt.close(fig)


def test_unknown_units_are_refused():
    plt = _plotting.pyplot()
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="hardware_unit must be one of"):
        _plotting.biological_time_axis(ax, "hours")
    with pytest.raises(ValueError, match="adc must be 'cadc' or 'madc'"):
        _plotting.lsb_axis(ax, "adc")
    plt.close(fig)


def test_an_example_without_matplotlib_names_the_plot_extra_before_it_runs(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)          # `import matplotlib` fails
    monkeypatch.setattr(adex_firing_patterns, "run_pattern",
                        lambda *a, **k: pytest.fail("the experiment ran before the check"))
    with pytest.raises(_plotting.PlottingUnavailableError, match=r"pip install -e '\.\[plot\]'"):
        adex_firing_patterns.main(tmp_path / "x.png")
