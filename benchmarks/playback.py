"""Playback benchmark: configure the whole synapse array and 512 neurons, then emulate 1 ms.

Writes every synapse quad of both synrams (65536 words), the NeuronConfig, NeuronBackendConfig and
24 CapMem cells of all 512 neurons (leak over threshold, so every neuron fires), resets the timer
and waits 1 ms of hardware time. Prints the wall time of encoding, of instruction execution in the
emulated FPGA, and of the analog time evolution, and the instruction rate.

Then the cost of one timed configuration write inside an experiment (what a PyNN current source
does every time step): 1000 steps of 1 us, each a single write and a wait, against the same
waits without writes; the difference per write, for a neuron's CapMem cell, a shared CapMem cell
(the synapse DAC bias) and a NeuronConfig word (which makes the emulator recompute every derived
parameter; a CapMem write cost as much before its recomputation was made incremental).
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


#: steps of the timed-write figure: one write and a wait of 1 us each
WRITE_STEPS = 1000


def build_timed_writes(container: type | None, enums: np.ndarray, values: np.ndarray) -> stadls.PlaybackProgram:
    """WRITE_STEPS steps of 1 us: a write of ``container`` at ``enums[i % len]`` with a varying
    value (``values[i % len]``: CapMem cell values, or NeuronConfig membrane capacitor sizes),
    then a wait; ``container=None``: the waits alone."""
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    for i in range(WRITE_STEPS):
        if container is haldls.CapMemCell:
            builder.write_array(container, enums[i % len(enums)][None],
                                container.encode_array(1, value=values[i % len(values)][None]))
        elif container is haldls.NeuronConfig:
            builder.write_array(container, enums[i % len(enums)][None], container.encode_array(
                1, membrane_capacitor_size=values[i % len(values)][None], enable_threshold_comparator=True,
                enable_fire=True, enable_reset_multiplication=True, enable_synaptic_input_excitatory=True))
        builder.wait_until(125 * (i + 1))
    return builder.done()


def timed_write_costs() -> None:
    """Print the wall time [ms] one write costs inside an experiment, per kind of write."""
    rng = np.random.default_rng(1)
    offset = halco.CAPMEM_ROW_NAMES["i_mem_offset"]
    neurons = rng.integers(0, 512, 16)
    neuron_cells = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemCellOnDLS)[neurons, offset]
    dac = halco.CapMemCellOnCapMemBlock.syn_i_bias_dac.to_enum()
    shared_cells = dac + halco.CapMemCellOnCapMemBlock.size * np.arange(4)
    kinds = {"waits alone": (None, neurons, neurons),
             "neuron CapMem cell (i_mem_offset)": (haldls.CapMemCell, neuron_cells, rng.integers(0, 1000, 97)),
             "shared CapMem cell (syn_i_bias_dac)": (haldls.CapMemCell, shared_cells, rng.integers(300, 900, 97)),
             "NeuronConfig (full recomputation)": (haldls.NeuronConfig, neurons, rng.integers(0, 64, 97))}
    programs = {name: build_timed_writes(*kind) for name, kind in kinds.items()}
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, build_configuration())
        walls = {}
        for name, program in programs.items():
            t0 = time.perf_counter()
            stadls.run(connection, program)
            walls[name] = time.perf_counter() - t0
    base = walls.pop("waits alone")
    print(f"one timed write in an experiment ({WRITE_STEPS} steps of 1 us; waits alone "
          f"{base / WRITE_STEPS * 1e3:.3f} ms per step):")
    for name, wall in walls.items():
        print(f"  {name + ':':38s} {(wall - base) / WRITE_STEPS * 1e3:6.3f} ms per write")


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
    timed_write_costs()


if __name__ == "__main__":
    main()
