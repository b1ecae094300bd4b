"""Brian2 side of ``emulator_vs_brian2.py``; runs in its own virtual environment (``make bench``).

Reads the network description (JSON, first argument), builds the same AdEx network the emulator
runs, in hardware units (1 ms of hardware time = 1 s of biological time), and prints one JSON
line per code-generation target with its wall times and spike count.
Usage: ``python _brian2_network.py params.json numpy cython cpp_standalone``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time


def build_and_run(params: dict, target: str) -> dict:
    import brian2 as b2

    b2.start_scope()
    b2.prefs.codegen.target = "numpy" if target == "numpy" else "cython"
    build_dir = tempfile.mkdtemp(prefix="brian2_standalone_")
    if target == "cpp_standalone":
        b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
    else:
        b2.set_device("runtime")
    b2.defaultclock.dt = params["dt_us"] * b2.us
    n = params["n_neurons"]
    ns = {k: v for k, v in params.items() if isinstance(v, float)}
    eqs = """
    dv/dt = (g_leak * (v_leak - v) + i_exp_0 * exp((v - v_exp) / delta_t)
             + i_syn / (1 + abs(i_syn) / i_sat) - w) / c_mem : volt (unless refractory)
    dw/dt = (a * (v - v_adapt) - w) / tau_w : amp
    di_syn/dt = -i_syn / tau_syn : amp
    """
    units = {"c_mem": b2.farad, "g_leak": b2.siemens, "v_leak": b2.volt, "v_exp": b2.volt,
             "delta_t": b2.volt, "i_exp_0": b2.amp, "a": b2.siemens, "v_adapt": b2.volt,
             "tau_w": b2.second, "tau_syn": b2.second, "v_threshold": b2.volt, "v_reset": b2.volt,
             "b": b2.amp, "t_ref": b2.second, "amp_per_weight": b2.amp, "i_sat": b2.amp}
    namespace = {k: ns[k] * u for k, u in units.items()}
    neurons = b2.NeuronGroup(n, eqs, threshold="v > v_threshold", reset="v = v_reset; w += b",
                             refractory=namespace["t_ref"], method="exponential_euler",
                             namespace=namespace)
    neurons.v = namespace["v_leak"]
    inputs = b2.PoissonGroup(params["n_inputs"], rates=params["input_rate_hz"] * b2.Hz)
    synapses = b2.Synapses(inputs, neurons, on_pre="i_syn_post += weight * amp_per_weight",
                           namespace={"weight": params["weight"], "amp_per_weight": namespace["amp_per_weight"]})
    # input row r of hemisphere h reaches the 256 neurons of hemisphere h
    per = params["n_inputs"] // 2
    import numpy as np
    pre = np.repeat(np.arange(params["n_inputs"]), 256)
    post = (np.arange(params["n_inputs"]) // per)[:, None] * 256 + np.arange(256)[None, :]
    synapses.connect(i=pre, j=post.ravel())
    spikes = b2.SpikeMonitor(neurons)
    duration = params["duration_us"] * b2.us
    result = {"target": target}
    if target == "cpp_standalone":
        b2.run(duration)
        t0 = time.perf_counter()
        b2.device.build(directory=build_dir, compile=True, run=True)
        result["wall_build_and_run_s"] = time.perf_counter() - t0
        result["run_s"] = float(b2.device._last_run_time)
        result["spikes"] = int(spikes.num_spikes)
        b2.device.reinit()
        b2.device.activate()
        b2.set_device("runtime")
    else:
        t0 = time.perf_counter()
        b2.run(params["dt_us"] * b2.us)     # first step: code generation and compilation
        result["compile_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        b2.run(duration)
        result["run_s"] = time.perf_counter() - t0
    if "spikes" not in result:
        result["spikes"] = int(spikes.num_spikes)
    result["synapses"] = int(len(pre))
    return result


def main() -> None:
    params = json.load(open(sys.argv[1]))
    for target in sys.argv[2:]:
        print(json.dumps(build_and_run(params, target)), flush=True)


if __name__ == "__main__":
    main()
