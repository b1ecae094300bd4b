"""The spread of the 512 neurons of one chip before and after calibration, by the emulated
chip's ground truth (``emulator.ground_truth``: what its circuits truly are, which a real chip
never tells): leak and threshold potentials (as each neuron's own calibrated CADC channel reads
them), membrane time constants and the heights of one weight's PSP.

"Before" is every neuron at the same CapMem values (the calibrated medians), "after" is each
neuron at its own, from ``calix.SpikingCalibTarget`` (the CADC, then the neurons with their
synaptic inputs). Saves ``calibration_spread.png``.

Run: ``python examples/calibration_spread.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import _plotting
import calix
import lola
import stadls
from emulator import Emulator, ground_truth
from emulator.core import P_V_LEAK, P_V_THRESHOLD

TARGET = calix.SpikingCalibTarget(neuron_target=calix.NeuronCalibTarget(
    leak=80, reset=70, threshold=140, tau_mem=10e-6, tau_syn=5e-6))
#: the CapMem fields calibrated per neuron: "before" sets each to its median
CALIBRATED_FIELDS = ("leak_v_leak", "leak_i_bias", "reset_v_reset", "threshold_v_threshold",
                     "excitatory_input_i_bias_tau", "excitatory_input_i_bias_gm",
                     "inhibitory_input_i_bias_tau", "inhibitory_input_i_bias_gm")


def quantities(connection: Emulator, neurons: lola.AtomicNeuronArray,
               result: calix.SpikingCalibResult) -> dict[str, np.ndarray]:
    """The true leak and threshold [CADC LSB], tau_mem [us] and excitatory PSP height [CADC LSB
    per weight LSB] of ``neurons`` on the calibrated CADC."""
    builder = stadls.PlaybackProgramBuilder()
    result.cadc_result.apply(builder)
    neurons.write(builder)
    stadls.run(connection, builder.done())
    P = ground_truth.parameters(connection.chip)
    chip = connection.chip
    leak = ground_truth.cadc_reads(chip, P[P_V_LEAK])
    volts_per_lsb = 1.0 / (ground_truth.cadc_reads(chip, P[P_V_LEAK] + 0.01) - leak) * 0.01
    return {"leak [CADC LSB]": leak,
            "threshold [CADC LSB]": ground_truth.cadc_reads(chip, P[P_V_THRESHOLD]),
            "tau_mem [us]": ground_truth.membrane_time_constants(P) * 1e6,
            "PSP height [CADC LSB / weight]": ground_truth.psp_heights(P, "excitatory") / volts_per_lsb}


def run(chip_id: int = 0, cache_paths: list | None = None) -> dict:
    connection = Emulator(chip_id=chip_id)
    result = calix.calibrate(TARGET, cache_paths=cache_paths, connection=connection)
    calibrated = lola.AtomicNeuronArray.from_atomic_neurons(result.neurons)
    uniform = calibrated.copy()
    for name in CALIBRATED_FIELDS:
        uniform[name] = int(np.median(calibrated[name]))
    return {"result": result, "before": quantities(connection, uniform, result),
            "after": quantities(connection, calibrated, result)}


def main(path: Path | None = None, chip_id: int = 0) -> dict:
    """Calibrate chip ``chip_id``, print the true spreads and plot them to ``path`` (default
    ``calibration_spread.png`` in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "calibration_spread.png")
    out = run(chip_id)
    print(f"calibration of chip {chip_id} ({out['result'].success_mask().mean():.0%} of the 512 "
          f"neurons reached every target), the ground truth's spread (s.d.):")
    for name in out["before"]:
        before, after = out["before"][name], out["after"][name]
        relative = "PSP" in name or "tau" in name
        spread = (lambda v: f"{v.std() / v.mean():6.1%}") if relative else (lambda v: f"{v.std():6.2f}")
        print(f"  {name:<31} before {spread(before)}, after {spread(after)} (median {np.median(after):.3g})")
    _plot(out, path)
    print(f"histograms saved as {path}")
    return out


def _plot(out: dict, path: Path) -> None:
    plt = _plotting.pyplot()
    # CADC codes in mV through the calibrated CADC's transfer (calix's CADC target), the codes on
    # a second axis; the time constant in hardware us with biological ms on a second axis
    mv_per_lsb, mv_at_zero = _plotting.calibrated_cadc_transfer()
    in_mv = {"leak [CADC LSB]": ("leak [mV]", mv_at_zero, "leak [CADC LSB]"),
             "threshold [CADC LSB]": ("threshold [mV]", mv_at_zero, "threshold [CADC LSB]"),
             "PSP height [CADC LSB / weight]": ("PSP height [mV per weight LSB]", 0.0, "[CADC LSB / weight]")}
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.6))
    for ax, name in zip(axes.flat, out["before"]):
        before, after = out["before"][name], out["after"][name]
        label = name
        if name in in_mv:
            label, zero, codes = in_mv[name]
            before, after = zero + mv_per_lsb * before, zero + mv_per_lsb * after
            _plotting.linear_lsb_axis(ax, mv_per_lsb, zero, codes, which="x")
        elif name == "tau_mem [us]":
            label = "tau_mem [us of hardware time]"
            _plotting.biological_time_axis(ax)
        bins = np.linspace(min(before.min(), after.min()), max(before.max(), after.max()), 60)
        ax.hist(before, bins=bins, alpha=0.6, label="same CapMem values")
        ax.hist(after, bins=bins, alpha=0.8, label="calibrated")
        ax.set(xlabel=label, ylabel="neurons")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(f"512 neurons before and after calix (the emulator's ground truth); calibrated "
                 f"CADC: {mv_at_zero:g} mV + {mv_per_lsb:g} mV per LSB", fontsize=10)
    _plotting.save(fig, path)


if __name__ == "__main__":
    main()
