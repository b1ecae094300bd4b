"""The same AdEx network in the emulator and in Brian2: wall time of each, and their ratio.

512 AdEx neurons; each receives 256 synapses from Poisson input rows (512 rows, 20 kHz each =
20 Hz biological), for 1 ms of hardware time (1 s biological) at an integration step of 0.1 us
(0.1 ms biological) on both sides. The emulator runs the network as a real experiment would: a
playback program injects the input spikes, the crossbar and synapse drivers route them, the
synapses (weight 5, labels selecting the row) charge the neurons' exponential current inputs.
Brian2 runs the equivalent equations with the emulator's nominal parameters (no mismatch, no
noise), for the numpy, cython and C++ standalone targets, in its own virtual environment
(``make bench`` creates ``.venv-bench`` with Python 3.13). Both sides' spike counts are printed so
that the comparison is one of equal work.

Run: ``make bench`` or ``python benchmarks/emulator_vs_brian2.py [--brian2-python PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import halco
import haldls
import stadls
from emulator import Emulator, Mismatch, core

DT_US = 0.1
DURATION_US = 1000.0
RATE_HZ = 20e3
WEIGHT = 10
CAPMEM = {
    "v_leak": 500, "i_bias_leak": 150, "v_threshold": 420, "v_reset": 400, "i_bias_reset": 1022,
    "v_exp": 560, "i_bias_exp": 100, "i_bias_adapt_a": 20, "i_bias_adapt_b": 50,
    "i_bias_adapt_tau": 100, "v_adapt_leak": 500, "i_bias_synin_exc_tau": 500,
    "i_bias_synin_exc_gm": 500,
}
REFRACTORY_TICKS = 20  # of the 7.8 MHz backend clock: 2.56 us


def _capmem_words() -> tuple[np.ndarray, np.ndarray]:
    cells, values = [], []
    for name, value in CAPMEM.items():
        row = halco.CAPMEM_ROW_NAMES[name]
        for block in range(4):
            cells.append(block * 3120 + row * 130 + np.arange(128))
            values.append(np.full(128, value))
    return np.concatenate(cells), np.concatenate(values)


def configuration() -> stadls.PlaybackProgram:
    init = stadls.SystemInit()
    init.chip.common_neuron_backend = haldls.CommonNeuronBackendConfig(clock_scale_slow=4)
    builder, _ = stadls.generate(init)
    for h in range(2):
        builder.write(halco.CommonPADIBusConfigOnDLS(h), haldls.CommonPADIBusConfig(enable_spl1=[True] * 4))
    # L2 input 0 -> PADI bus (label bits 13..11), not back to the FPGA
    for o in range(8):
        node = halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(o), halco.CrossbarInputOnDLS(8))
        builder.write(node, haldls.CrossbarNode(mask=0b111 << 11, target=o << 11))
    builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8), halco.CrossbarInputOnDLS(8)),
                  haldls.CrossbarNode.drop_all())
    # neuron spikes go to the FPGA only, not back onto the PADI buses (no recurrent connections)
    for inp in range(8):
        for out in (inp % 4, 4 + inp % 4):
            builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(out), halco.CrossbarInputOnDLS(inp)),
                          haldls.CrossbarNode.drop_all())
    RowMode = haldls.SynapseDriverConfig.RowMode
    builder.write_array(haldls.SynapseDriverConfig, np.arange(256), haldls.SynapseDriverConfig.encode_array(
        256, enable_receiver=True, row_mode_top=int(RowMode.excitatory), row_mode_bottom=int(RowMode.excitatory)))
    # every synapse: weight 5; label 0 in top (odd) rows, 1 in bottom (even) rows
    n = halco.SynapseQuadOnDLS.size
    row = (np.arange(n) % 16384) // 64
    labels = np.repeat((row % 2 == 0).astype(int)[:, None], 4, axis=1)
    builder.write_array(haldls.SynapseQuad, np.arange(n), haldls.SynapseQuad.encode_array(
        n, weights=np.full((n, 4), WEIGHT), labels=labels))
    cells, values = _capmem_words()
    builder.write_array(haldls.CapMemCell, cells, haldls.CapMemCell.encode_array(len(cells), value=values))
    neurons = np.arange(512)
    builder.write_array(haldls.NeuronConfig, neurons, haldls.NeuronConfig.encode_array(
        512, membrane_capacitor_size=63, enable_threshold_comparator=True, enable_fire=True,
        enable_reset_multiplication=True, enable_synaptic_input_excitatory=True,
        enable_synaptic_input_excitatory_small_capacitance=True, enable_exponential=True,
        enable_adaptation=True))
    builder.write_array(haldls.NeuronBackendConfig, neurons, haldls.NeuronBackendConfig.encode_array(
        512, address_out=neurons % 256, refractory_time=REFRACTORY_TICKS, reset_holdoff=0,
        enable_spike_out=True, enable_adaptation_pulse=True))
    return builder.done()


def experiment(seed: int = 1) -> tuple[stadls.PlaybackProgram, int]:
    """Poisson spikes on all 512 input rows, injected by the FPGA; returns (program, input count)."""
    rng = np.random.default_rng(seed)
    cycles = int(DURATION_US * 125)
    counts = rng.poisson(RATE_HZ * DURATION_US * 1e-6, 512)
    rows = np.repeat(np.arange(512), counts)
    times = rng.integers(0, cycles, rows.size)
    order = np.argsort(times, kind="stable")
    rows, times = rows[order], times[order]
    h, r = np.divmod(rows, 256)
    d = r // 2
    labels = (h << 13) | ((d % 4) << 11) | ((d // 4) << 6) | (r % 2 == 0)
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    packs = {1: (halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip),
             2: (halco.SpikePack2ToChipOnDLS(), haldls.SpikePack2ToChip),
             3: (halco.SpikePack3ToChipOnDLS(), haldls.SpikePack3ToChip)}
    i = 0
    while i < len(times):
        j = i
        while j < len(times) and times[j] == times[i] and j - i < 3:
            j += 1
        builder.wait_until(int(times[i]) + 1)
        coord, pack = packs[j - i]
        builder.write(coord, pack([int(x) for x in labels[i:j]]))
        i = j
    builder.wait_until(cycles + 1)
    return builder.done(), len(times)


def run_emulator(mismatch: Mismatch | None, noise: bool) -> dict:
    emulator = Emulator(dt_us=DT_US, mismatch=mismatch, noise=noise)
    stadls.run(emulator, configuration())
    program, n_inputs = experiment()
    t0 = time.perf_counter()
    info = stadls.run(emulator, program)
    wall = time.perf_counter() - t0
    neuron_spikes = program.spikes[(program.spikes["label"] >> 14) < 4]
    return {"wall_run_s": wall, "wall_evolve_s": info["wall_evolve_s"], "spikes": len(neuron_spikes),
            "inputs": n_inputs, "dropped": info["dropped_events"], "parameters": emulator.chip.P}


def brian2_parameters(P: np.ndarray) -> dict:
    """The emulator's nominal parameters of neuron 0 in SI units for the Brian2 model."""
    n = 0
    return {
        "c_mem": P[core.P_C_MEM, n], "g_leak": P[core.P_G_LEAK, n], "v_leak": P[core.P_V_LEAK, n],
        "v_exp": P[core.P_V_EXP, n], "delta_t": P[core.P_DELTA_T, n], "i_exp_0": P[core.P_I_EXP, n],
        "a": P[core.P_A, n], "v_adapt": P[core.P_V_ADAPT, n], "tau_w": P[core.P_TAU_W, n],
        "tau_syn": P[core.P_TAU_EXC, n], "v_threshold": P[core.P_V_THRESHOLD, n],
        "v_reset": P[core.P_V_RESET, n], "b": P[core.P_B, n],
        "t_ref": P[core.P_T_REFRACTORY, n] * core.CYCLE_S, "amp_per_weight": P[core.P_AMP_EXC, n],
        "i_sat": P[core.P_I_SAT_EXC, n],
        "weight": WEIGHT, "n_neurons": 512, "n_inputs": 512, "input_rate_hz": RATE_HZ,
        "dt_us": DT_US, "duration_us": DURATION_US,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent / ".venv-bench" / "bin" / "python"
    parser.add_argument("--brian2-python", default=os.environ.get("BRIAN2_PYTHON", str(default)))
    parser.add_argument("--targets", default="numpy,cython,cpp_standalone")
    args = parser.parse_args()

    run_emulator(Mismatch.ideal(), False)  # warm-up: numba cache
    ideal = run_emulator(Mismatch.ideal(), False)
    real = run_emulator(None, True)
    print(f"network: 512 AdEx neurons x 256 synapses, {ideal['inputs']} input spikes "
          f"({RATE_HZ / 1e3:.0f} kHz per row), {DURATION_US:.0f} us hardware = 1 s biological, dt {DT_US} us")
    print(f"emulator (nominal, no noise):          run {ideal['wall_run_s'] * 1e3:7.1f} ms, time evolution "
          f"{ideal['wall_evolve_s'] * 1e3:7.1f} ms, {ideal['spikes']} spikes, {ideal['dropped']} events dropped")
    print(f"emulator (mismatch + noise, chip 0):   run {real['wall_run_s'] * 1e3:7.1f} ms, time evolution "
          f"{real['wall_evolve_s'] * 1e3:7.1f} ms, {real['spikes']} spikes")

    python = Path(args.brian2_python)
    if not python.exists():
        print(f"Brian2 side skipped: no interpreter at {python} (run `make bench`, which creates it)")
        return
    params = brian2_parameters(ideal["parameters"])
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(params, f)
    proc = subprocess.run([str(python), str(Path(__file__).with_name("_brian2_network.py")), f.name,
                           *args.targets.split(",")], capture_output=True, text=True)
    if proc.returncode != 0:
        print("Brian2 side failed:\n" + proc.stderr[-3000:])
        sys.exit(1)
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        extra = f" (+{r['compile_s']:.1f} s first compile)" if "compile_s" in r else \
            f" (build+run {r['wall_build_and_run_s']:.1f} s)" if "wall_build_and_run_s" in r else ""
        ratio = r["run_s"] / ideal["wall_evolve_s"]
        print(f"brian2 {r['target']:>14}: run {r['run_s'] * 1e3:7.1f} ms{extra}, {r['spikes']} spikes; "
              f"brian2 / emulator time evolution = {ratio:.2f}")


if __name__ == "__main__":
    main()
