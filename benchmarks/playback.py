"""Playback benchmark: configure the whole synapse array and 512 neurons, then emulate 1 ms.

Writes every synapse quad of both synrams (65536 words), the NeuronConfig, NeuronBackendConfig and
24 CapMem cells of all 512 neurons (leak over threshold, so every neuron fires), resets the timer
and waits 1 ms of hardware time. Prints the wall time of encoding, of instruction execution in the
emulated FPGA, and of the analog time evolution, and the instruction rate.
Run: ``python benchmarks/playback.py`` (or ``make bench``).
"""

from __future__ import annotations

import time

import numpy as np

import halco
import haldls
import stadls


def build_configuration() -> stadls.PlaybackProgram:
    rng = np.random.default_rng(0)
    builder, _ = stadls.generate(stadls.SystemInit())
    n_quads = halco.SynapseQuadOnDLS.size
    builder.write_array(haldls.SynapseQuad, np.arange(n_quads), haldls.SynapseQuad.encode_array(
        n_quads, weights=rng.integers(0, 64, (n_quads, 4)), labels=rng.integers(0, 64, (n_quads, 4))))
    neurons = np.arange(512)
    builder.write_array(haldls.NeuronConfig, neurons, haldls.NeuronConfig.encode_array(
        512, membrane_capacitor_size=63, enable_threshold_comparator=True, enable_fire=True,
        enable_reset_multiplication=True, enable_synaptic_input_excitatory=True))
    builder.write_array(haldls.NeuronBackendConfig, neurons, haldls.NeuronBackendConfig.encode_array(
        512, address_out=neurons % 256, refractory_time=100, enable_spike_out=True))
    # CapMem: the 24 cells of every neuron (columns 0..127 of all four blocks)
    values = {"v_leak": 1000, "i_bias_leak": 150, "v_threshold": 300, "v_reset": 400, "i_bias_reset": 1022}
    cells, cell_values = [], []
    for row in range(24):
        name = halco.CapMemRowOnCapMemBlock(row).name()
        for block in range(4):
            base = block * 3120 + row * 130
            cells.append(base + np.arange(128))
            cell_values.append(np.full(128, values.get(name, 0)))
    builder.write_array(haldls.CapMemCell, np.concatenate(cells), haldls.CapMemCell.encode_array(
        512 * 24, value=np.concatenate(cell_values)))
    return builder.done()


def build_experiment() -> stadls.PlaybackProgram:
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 1000)
    return builder.done()


def main() -> None:
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, build_configuration())  # warm-up: numba compilation / cache load
        stadls.run(connection, build_experiment())
    with stadls.ManagedConnection() as connection:
        t0 = time.perf_counter()
        config = build_configuration()
        t_encode = time.perf_counter() - t0
        info = stadls.run(connection, config)
        experiment = build_experiment()
        t0 = time.perf_counter()
        info_exp = stadls.run(connection, experiment)
        t_exp = time.perf_counter() - t0
    n = len(config.instructions)
    print(f"configuration: {n} instructions = {info['fpga_cycles'] / 125:.0f} us of hardware time")
    print(f"  encode:             {t_encode * 1e3:8.1f} ms")
    print(f"  execute (FPGA+mem): {info['wall_execute_s'] * 1e3:8.1f} ms  "
          f"({n / info['wall_execute_s'] / 1e6:.2f} M instructions/s)")
    print(f"  time evolution:     {info['wall_evolve_s'] * 1e3:8.1f} ms  (the chip runs while it is configured)")
    print(f"experiment: 1 ms of hardware time, 512 neurons firing: {t_exp * 1e3:.1f} ms wall "
          f"({info_exp['wall_evolve_s'] * 1e3:.1f} ms of it time evolution), "
          f"{len(experiment.spikes)} spikes recorded ({len(experiment.spikes) / 512:.1f} per neuron)")


if __name__ == "__main__":
    main()
