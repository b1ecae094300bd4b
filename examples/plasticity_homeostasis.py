"""Homeostasis on the PPU: a kernel drives every neuron's firing rate towards a target.

256 neurons of the top hemisphere receive the same 16 Poisson inputs (25 kHz each, hardware
time) through synapses whose weights start spread over 4..63, so the neurons start at very
different rates. The PPU of the top hemisphere runs the kernel below every 100 us: it reads and
resets the neurons' rate counters and moves all weights of a neuron's column one step up when
the neuron fired less than the target in that period, one step down when it fired more (the
homeostasis rule of the brainscales2-demos, with a step of 2). The kernel records each period's
counts and the weights of one row in global arrays, which the host reads back by name.

``main()`` prints the spread of the rates in the first and the last periods and saves
``plasticity_homeostasis.png`` (rates and weights over time).
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
N_PERIODS = 20
TARGET = 4            # spikes per period (40 kHz hardware, 40 Hz biological)

KERNEL = f"""
uint8 target = {TARGET};          // spikes per period; the host may write it
uint8 step = 2;
vec_u8 rate_log[{N_PERIODS}];     // counts of each period, per neuron column
vec_u8 weight_log[{N_PERIODS}];   // weights of the first input row after each period

int32 input_row(int32 i) {{ return 8 * (i / 2) + 1 - i % 2; }}

void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {{
    vec_u8 counts = get_rate_counters(neurons, true);
    vec_u8 too_high = counts > target;
    vec_u8 too_low = counts < target;
    vec_u8 low_limit = step;
    vec_u8 high_limit = 63 - step;
    for (int32 i = 0; i < {N_INPUTS}; i++) {{
        int32 row = input_row(i);
        vec_u8 w = get_weights(synapses, row);
        vec_u8 down = select(w > low_limit, w - step, 0);
        vec_u8 up = select(w < high_limit, w + step, 63);
        set_weights(synapses, row, select(too_high, down, select(too_low, up, w)));
    }}
    if (period < {N_PERIODS}) {{
        rate_log[period] = counts;
        weight_log[period] = get_weights(synapses, input_row(0));
    }}
}}
"""


def program(period_us: float = PERIOD_US, n_periods: int = N_PERIODS) -> libnux_vm.Program:
    """The compiled kernel, called every ``period_us`` from ``period_us`` on."""
    return libnux_vm.compile(KERNEL, timers=[libnux_vm.Timer.from_us(period_us, period_us, n_periods)])


def initial_weights(seed: int = 3) -> np.ndarray:
    """[N_INPUTS, 256]: one random weight 4..63 per neuron column, the same in every row."""
    column_weight = np.random.default_rng(seed).integers(4, 64, 256)
    return np.tile(column_weight, (N_INPUTS, 1))


def run(target: int = TARGET, n_periods: int = N_PERIODS, homeostasis: bool = True,
        chip_id: int = 0, **connection) -> dict:
    """Counts per period [n_periods, 256] from the kernel and from the recorded spikes, the
    weights of the first row [n_periods, 256] and the runtime's status."""
    kernel = program(PERIOD_US, n_periods)
    builder = network_builder(initial_weights())
    stadls.load_ppu_program(builder, kernel, TOP)
    stadls.write_symbol(builder, kernel, "target", target, TOP)
    if not homeostasis:
        stadls.write_symbol(builder, kernel, "step", 0, TOP)
    stadls.start_ppu(builder, TOP)
    builder.write(halco.TimerOnDLS(), haldls.Timer())   # t = 0: the PPU's start
    end_us = PERIOD_US * (n_periods + 1)
    poisson_input(builder, np.full(N_INPUTS, INPUT_RATE_KHZ), 0.0, end_us, seed=chip_id + 1)
    builder.wait_until(int(end_us * 125))
    stadls.wait_for_ppu_sleep(builder, TOP)
    rates = stadls.read_symbol(builder, kernel, "rate_log", TOP)
    weights = stadls.read_symbol(builder, kernel, "weight_log", TOP)
    status = stadls.read_runtime_status(builder, kernel, TOP)
    playback = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        info = stadls.run(conn, playback)
    edges = PERIOD_US * np.arange(n_periods + 1)
    return {"counts": rates.get()[:n_periods].astype(int), "weights": weights.get()[:n_periods].astype(int),
            "recorded": spike_counts(playback, edges), "status": status.get(),
            "target": target, "wall_evolve_s": info["wall_evolve_s"]}


def plot(result: dict, path: Path) -> None:
    """Rates [kHz of hardware time, biological Hz on the right] and weights over hardware time
    [us, biological ms on top]; the target (spikes per period) as the same rate."""
    plt = _plotting.pyplot()
    counts, weights = result["counts"], result["weights"]
    t_us = PERIOD_US * (np.arange(len(counts)) + 1)          # the end of each period
    rate_khz = counts / PERIOD_US * 1000.0                     # spikes per period -> kHz
    target_khz = result["target"] / PERIOD_US * 1000.0
    fig, (ax_r, ax_w) = plt.subplots(1, 2, figsize=(11, 4.6))
    for c in range(0, 256, 16):
        ax_r.plot(t_us, rate_khz[:, c], color="0.75", lw=0.8, label="every 16th neuron" if c == 0 else None)
        ax_w.plot(t_us, weights[:, c], color="0.75", lw=0.8, label="every 16th neuron" if c == 0 else None)
    mean, sd = rate_khz.mean(axis=1), rate_khz.std(axis=1)
    ax_r.fill_between(t_us, mean - sd, mean + sd, color="C0", alpha=0.3, label="mean ± s.d. of 256")
    ax_r.plot(t_us, mean, color="C0", lw=2, label="mean of 256")
    ax_r.axhline(target_khz, color="C3", ls="--",
                 label=f"target: {result['target']} spikes per {PERIOD_US:g} us = {target_khz:g} kHz")
    ax_r.set(xlabel="hardware time [us]", ylabel="rate in each period [kHz of hardware time]",
             title="rates of the 256 neurons")
    _plotting.biological_time_axis(ax_r)
    _plotting.biological_rate_axis(ax_r, "y")
    ax_r.legend(loc="upper right", fontsize=7)
    ax_w.plot(t_us, weights.mean(axis=1), color="C0", lw=2, label="mean of 256")
    ax_w.set(xlabel="hardware time [us]", ylabel="weight (row 1) [LSB]", ylim=(0, 64),
             title="weights set by the PPU kernel")
    _plotting.biological_time_axis(ax_w)
    ax_w.legend(loc="upper right", fontsize=7)
    _plotting.save(fig, path)


def main(path: Path | None = None) -> dict:
    """Run the kernel, print the spread of the counts and plot rates and weights to ``path``
    (default ``plasticity_homeostasis.png`` in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "plasticity_homeostasis.png")
    result = run()
    counts, status = result["counts"], result["status"]
    first, last = counts[0], counts[-3:].mean(axis=0)
    print(f"homeostasis on the PPU: {status.calls} kernel calls, {status.missed} missed periods, "
          f"state {status.state}")
    print(f"spikes per {PERIOD_US:g} us period (target {TARGET}): first period mean {first.mean():.2f} "
          f"s.d. {first.std():.2f}; last three periods mean {last.mean():.2f} s.d. {last.std():.2f}")
    print(f"neurons within 1 spike of the target: first period {np.mean(np.abs(first - TARGET) <= 1):.0%}, "
          f"last three periods {np.mean(np.abs(last - TARGET) <= 1):.0%}")
    plot(result, path)
    print(f"rates and weights over time saved as {path}")
    return result


if __name__ == "__main__":
    main()
