"""Calibration: calix brings the mismatched neurons of an emulated chip to common targets.

All 512 neurons are calibrated to the same leak (160 CADC LSB, above the threshold, so they fire
on their own), reset (70) and threshold (140) potentials, membrane time constant (10 us) and
refractory time (2 us). Then they fire at almost the same rate, the one these targets give,
``1 / (t_ref + tau ln((leak - reset) / (leak - threshold)))``. With the same CapMem values for
every neuron instead (the calibrated medians), the chip's fixed-pattern mismatch spreads the
rates widely.

``main()`` prints both spreads and saves ``calibrate_neurons.png`` (the two rate histograms).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import _plotting
import calix
import lola
import stadls
from calix.common import helpers

TARGET = calix.NeuronCalibTarget(leak=160, reset=70, threshold=140, tau_mem=10e-6,
                                 refractory_time=2e-6)
EXPECTED_ISI_US = 2.0 + 10.0 * np.log((160 - 70) / (160 - 140))
WINDOW_US = 800.0


def firing_rates(result: calix.NeuronCalibResult | None = None, capmem: dict | None = None,
                 chip_id: int = 0) -> np.ndarray:
    """Rates [kHz] of the 512 neurons, counted over WINDOW_US on a fresh chip, configured by a
    calibration ``result`` or by one setting of the CapMem fields ``capmem`` (flat
    ``lola.AtomicNeuronArray`` names -> value) for all."""
    builder, _ = stadls.generate(stadls.SystemInit())
    if result is not None:
        result.apply(builder)
    else:
        neurons = lola.AtomicNeuronArray()
        for name, value in {**capmem, **calix.spiking.neuron.FIRING}.items():
            neurons[name] = value
        neurons["membrane_capacitance_capacitance"] = 63
        neurons["refractory_period_refractory_time"] = 250
        neurons["refractory_period_reset_holdoff"] = 0
        neurons.write(builder)
    helpers.reset_spike_counters(builder)
    helpers.wait_us(builder, WINDOW_US)
    counts = helpers.read_spike_counts(builder)
    with stadls.ManagedConnection(chip_id=chip_id) as connection:
        helpers.run(connection, builder)
    return counts() / WINDOW_US * 1e3


def median_capmem(result: calix.NeuronCalibResult) -> dict:
    """The median calibrated value of each calibrated CapMem field: one setting for all."""
    calibrated = lola.AtomicNeuronArray.from_atomic_neurons(result.neurons)
    out = {name: int(np.median(calibrated[name]))
           for name in ("leak_v_leak", "leak_i_bias", "reset_v_reset", "threshold_v_threshold")}
    out["reset_i_bias"] = 1022
    return out


def run(chip_id: int = 0, cache_paths: list | None = None) -> dict:
    with stadls.ManagedConnection(chip_id=chip_id) as connection:
        result = calix.calibrate(TARGET, cache_paths=cache_paths, connection=connection)
    return {"result": result, "calibrated": firing_rates(result, chip_id=chip_id),
            "uncalibrated": firing_rates(capmem=median_capmem(result), chip_id=chip_id)}


def main(path: Path | None = None) -> dict:
    """Calibrate chip 0, print the rate spreads and plot them to ``path`` (default
    ``calibrate_neurons.png`` in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "calibrate_neurons.png")
    out = run(cache_paths=[])
    expected = 1e3 / EXPECTED_ISI_US
    print(f"neuron calibration of chip 0: {out['result'].success_mask().mean():.0%} of the 512 "
          f"neurons reached every target")
    for name in ("uncalibrated", "calibrated"):
        rates = out[name]
        print(f"{name:>12}: rate {np.median(rates):5.1f} kHz median (targets give {expected:.1f}), "
              f"spread {rates.std() / rates.mean():.1%}, {np.count_nonzero(rates == 0)} silent")
    _plot(out, expected, path)
    print(f"rate histograms saved as {path}")
    return out


def _plot(out: dict, expected: float, path: Path) -> None:
    plt = _plotting.pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.8))
    bins = np.linspace(0, max(out["uncalibrated"].max(), out["calibrated"].max()) * 1.05, 60)
    ax.hist(out["uncalibrated"], bins=bins, alpha=0.6, label="same CapMem values")
    ax.hist(out["calibrated"], bins=bins, alpha=0.8, label="calibrated (calix)")
    ax.axvline(expected, color="C3", ls="--", label="the targets' rate")
    ax.set(xlabel="firing rate [kHz of hardware time]", ylabel="neurons", title="512 neurons of chip 0")
    _plotting.biological_rate_axis(ax, "x")
    ax.legend(fontsize=8)
    _plotting.save(fig, path)


if __name__ == "__main__":
    main()
