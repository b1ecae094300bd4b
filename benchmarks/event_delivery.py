"""Event delivery: the emulator's wall time per input event in a sparse random network.

512 AdEx neurons (the configuration of ``emulator_vs_brian2.py``), every synapse driver receiving,
top rows excitatory and bottom rows inhibitory; each synapse has a random 6-bit label and, with
probability 0.2, a random weight 1..63. Poisson events on all 512 rows, each with a random
synapse label (so it reaches about 4 of a row's 256 synapses), for 1 ms of hardware time.
Printed per input rate: events, output spikes, the evolution's wall time (the fastest of 3 runs)
and the time per event over the run without input. An event visits only the synapses of its
label (``emulator.core.label_index``); before, each event scanned both 256-column rows of its
driver.

Run: ``python benchmarks/event_delivery.py [--rates 20e3,100e3,400e3]`` (hardware Hz per row).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

# benchmarks/ holds files named after the packages they measure: keep the folder from shadowing them
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402

import halco  # noqa: E402
import haldls  # noqa: E402
import stadls  # noqa: E402
from emulator import Emulator  # noqa: E402

_SPEC = importlib.util.spec_from_file_location("_emulator_vs_brian2", Path(__file__).with_name("emulator_vs_brian2.py"))
network = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(network)
#: the fraction of synapses with a weight
CONNECTIVITY = 0.2


def configuration(seed: int = 5) -> list[stadls.PlaybackProgram]:
    """The base network of emulator_vs_brian2.py with sparse random synapses and labels."""
    rng = np.random.default_rng(seed)
    builder = stadls.PlaybackProgramBuilder()
    row_mode = haldls.SynapseDriverConfig.RowMode
    builder.write_array(haldls.SynapseDriverConfig, np.arange(256), haldls.SynapseDriverConfig.encode_array(
        256, enable_receiver=True, row_mode_top=int(row_mode.excitatory), row_mode_bottom=int(row_mode.inhibitory)))
    n = halco.SynapseQuadOnDLS.size
    weights = np.where(rng.random((n, 4)) < CONNECTIVITY, rng.integers(1, 64, (n, 4)), 0)
    builder.write_array(haldls.SynapseQuad, np.arange(n), haldls.SynapseQuad.encode_array(
        n, weights=weights, labels=rng.integers(0, 64, (n, 4))))
    neurons = np.arange(512)
    builder.write_array(haldls.NeuronConfig, neurons, haldls.NeuronConfig.encode_array(
        512, membrane_capacitor_size=63, enable_threshold_comparator=True, enable_fire=True,
        enable_reset_multiplication=True, enable_synaptic_input_excitatory=True,
        enable_synaptic_input_inhibitory=True, enable_exponential=True, enable_adaptation=True))
    return [network.configuration(), builder.done()]


def experiment(rate_hz: float, seed: int = 1) -> tuple[stadls.PlaybackProgram, int]:
    """Poisson events at ``rate_hz`` per row with random synapse labels; (program, events)."""
    rng = np.random.default_rng(seed)
    cycles = int(network.DURATION_US * 125)
    rows = np.repeat(np.arange(512), rng.poisson(rate_hz * network.DURATION_US * 1e-6, 512))
    times = np.sort(rng.integers(0, cycles, rows.size))
    rows = rng.permutation(rows)
    hemisphere, row = np.divmod(rows, 256)
    driver = row // 2
    labels = (hemisphere << 13) | ((driver % 4) << 11) | ((driver // 4) << 6) | rng.integers(0, 64, rows.size)
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    for t, label in zip(times.tolist(), labels.tolist()):
        builder.wait_until(t + 1)
        builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([label]))
    builder.wait_until(cycles + 1)
    return builder.done(), len(times)


def measure(rate_hz: float, repeats: int = 3) -> tuple[int, int, float]:
    """(events, output spikes, the fastest evolution's wall time [s]) at ``rate_hz``."""
    emulator = Emulator(dt_us=network.DT_US)
    for program in configuration():
        stadls.run(emulator, program)
    walls = []
    for _ in range(repeats):
        program, events = experiment(rate_hz)
        walls.append(stadls.run(emulator, program)["wall_evolve_s"])
    return events, len(program.spikes), min(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="20e3,100e3,400e3",
                        help="comma-separated input rates per row [hardware Hz]")
    args = parser.parse_args()
    try:
        rates = [float(r) for r in args.rates.split(",")]
    except ValueError:
        parser.error(f"--rates takes comma-separated numbers, not {args.rates!r}")
    if any(not r >= 0 for r in rates):
        parser.error(f"--rates must be >= 0, not {args.rates!r}")
    _, _, idle = measure(0.0)
    print(f"sparse random network ({CONNECTIVITY:.0%} of synapses, random labels), 1 ms of hardware time; "
          f"evolution without input {idle * 1e3:.1f} ms")
    for rate in rates:
        events, spikes, wall = measure(rate)
        print(f"  {rate / 1e3:6.0f} kHz per row: {events:7d} events, {spikes:5d} spikes out, evolution "
              f"{wall * 1e3:7.1f} ms, {(wall - idle) / max(events, 1) * 1e6:.2f} us per event")


if __name__ == "__main__":
    main()
