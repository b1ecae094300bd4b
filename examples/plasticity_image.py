"""Rate coding with timed weight writes: a PPU kernel writes an image into the synapses, one
image row per period, and the neurons' output rates draw the image again.

16 Poisson inputs (25 kHz each, hardware time) reach all 256 neurons of the top hemisphere. The
image (16 rows x 256 columns of 6-bit pixels) lives in the kernel's global ``image``, written by
the host before the start. Every 100 us the kernel writes the next image row as the weights of all
16 input rows (the brainscales2-demos rate-coding example: no learning, only timed weight
writes), so in period k neuron c fires at a rate that grows with pixel (k, c).

``main()`` prints how well the output rates match the image and saves
``plasticity_image.png`` (the image and the output rates).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import _plotting
import halco
import haldls
import libnux_vm
import stadls
from _plasticity_setup import TOP, network_builder, poisson_input, spike_counts

N_INPUTS = 16
INPUT_RATE_KHZ = 25.0
PERIOD_US = 100.0
N_ROWS = 16

KERNEL = f"""
vec_u8 image[{N_ROWS}];                    // 6-bit pixels, one row per period

int32 input_row(int32 i) {{ return 8 * (i / 2) + 1 - i % 2; }}

void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {{
    for (int32 i = 0; i < {N_INPUTS}; i++) {{
        set_weights(synapses, input_row(i), image[period]);
    }}
}}
"""


def test_image() -> np.ndarray:
    """[16, 256] pixels 0..63: a ring and two bars."""
    r, c = np.mgrid[0:N_ROWS, 0:256]
    radius = np.hypot((r - 7.5) / 7.0, (c - 128) / 60.0)
    ring = (radius > 0.6) & (radius < 1.0)
    bars = ((c >= 20) & (c < 40)) | ((c >= 216) & (c < 236))
    return np.where(ring | bars, 60, 8)


def run(image: np.ndarray | None = None, chip_id: int = 0, **connection) -> dict:
    """The image and the output spike counts of each period [16, 256]."""
    image = test_image() if image is None else np.asarray(image)
    kernel = libnux_vm.compile(KERNEL, timers=[libnux_vm.Timer.from_us(0, PERIOD_US, N_ROWS)])
    builder = network_builder(np.zeros((N_INPUTS, 256), dtype=int))
    stadls.load_ppu_program(builder, kernel, TOP)
    stadls.write_symbol(builder, kernel, "image", image, TOP)
    stadls.start_ppu(builder, TOP)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    end_us = PERIOD_US * N_ROWS
    poisson_input(builder, np.full(N_INPUTS, INPUT_RATE_KHZ), 0.0, end_us, seed=chip_id + 7)
    builder.wait_until(int(end_us * 125))
    stadls.wait_for_ppu_sleep(builder, TOP)
    status = stadls.read_runtime_status(builder, kernel, TOP)
    playback = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, playback)
    status.get().raise_for_trap()
    # leave out the first 5 us of a period: the weights are being written
    counts = np.stack([spike_counts(playback, np.array([k * PERIOD_US + 5.0, (k + 1) * PERIOD_US]))[0]
                       for k in range(N_ROWS)])
    return {"image": image, "counts": counts}


def match(result: dict) -> dict:
    """Correlation of output counts and pixels; mean count on bright and dark pixels."""
    image, counts = result["image"], result["counts"]
    bright = image > image.mean()
    return {"correlation": float(np.corrcoef(image.ravel(), counts.ravel())[0, 1]),
            "bright": float(counts[bright].mean()), "dark": float(counts[~bright].mean())}


def plot(result: dict, path: Path) -> None:
    """The image (weights) and the output counts, one row per period, over hardware time [us,
    down; biological ms on the right]."""
    plt = _plotting.pyplot()
    fig, (ax_i, ax_o) = plt.subplots(2, 1, figsize=(9, 5.6))
    rows = len(result["image"])
    extent = (-0.5, result["image"].shape[1] - 0.5, rows * PERIOD_US, 0.0)   # period k: k*100..(k+1)*100 us
    image = ax_i.imshow(result["image"], aspect="auto", cmap="gray", interpolation="nearest", extent=extent)
    ax_i.set(title=f"image written into the weights by the PPU (one row per {PERIOD_US:g} us)",
             ylabel="hardware time [us]")
    fig.colorbar(image, ax=ax_i, label="weight [LSB]", pad=0.08)
    counts = ax_o.imshow(result["counts"], aspect="auto", cmap="gray", interpolation="nearest", extent=extent)
    ax_o.set(title="output spikes per neuron and period", xlabel="neuron column", ylabel="hardware time [us]")
    fig.colorbar(counts, ax=ax_o, label="spikes per period", pad=0.08)
    for ax in (ax_i, ax_o):
        _plotting.biological_time_axis(ax, which="y")
    _plotting.save(fig, path)


def main(path: Path | None = None) -> dict:
    """Run the kernel, print how well the output follows the image and plot both to ``path``
    (default ``plasticity_image.png`` in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "plasticity_image.png")
    result = run()
    m = match(result)
    print(f"image into weights: output counts vs pixels correlate with r = {m['correlation']:.2f}; "
          f"{m['bright']:.2f} spikes per period on bright pixels, {m['dark']:.2f} on dark ones")
    plot(result, path)
    print(f"image and output rates saved as {path}")
    return result


if __name__ == "__main__":
    main()
