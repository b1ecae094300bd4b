"""LIF parameters and a current step (cns_01_lif_parameters) on the emulated chip: the offset
current switched on and off between realtime snippets of one run
(``run(runtime, RunCommand.APPEND)`` ... ``RunCommand.EXECUTE``). The segment holds one signal
per snippet; the membrane rests higher during the step than before and after it. (Each snippet
of the emulated chip starts with a neuron reset, so the membrane does not carry over from one
snippet into the next as on the real chip.)

``main()`` saves ``lif_parameters.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from pynn_frontend import RunCommand
from _pynn_setup import figure
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

STEP = 0.03                                  # each snippet [hardware ms]


def current_step(leak_i_bias: int = 200, current: int = 600) -> dict[str, Any]:
    """The three snippets' signals (times [ms], values [MADC]) and the resting level at the end
    of each [MADC]."""
    pynn.setup()
    pop = pynn.Population(1, pynn.cells.HXNeuron(leak_v_leak=300, leak_i_bias=leak_i_bias,
                                                 membrane_capacitance_capacitance=63,
                                                 constant_current_i_offset=current))
    pop.record("v")
    pop.set(constant_current_enable=False)
    pynn.run(STEP, RunCommand.APPEND)
    pop.set(constant_current_enable=True)
    pynn.run(STEP, RunCommand.APPEND)
    pop.set(constant_current_enable=False)
    pynn.run(STEP, RunCommand.EXECUTE)
    signals = pop.get_data().segments[0].irregularlysampledsignals
    pynn.end()
    parts = [(s.times.magnitude, s.magnitude[:, 0]) for s in signals]
    return {"signals": parts, "starts": [float(s.times[0]) for s in signals],
            "levels": [float(v[-50:].mean()) for _, v in parts]}


def plot(results: dict[str, Any], path: Path) -> None:
    fig, axes = figure(1, 1, (7, 4.6))
    for (t, v), label in zip(results["signals"], ("off", "on", "off")):
        axes[0, 0].plot(t * 1e3, _plotting.units.madc_code_to_mv(v), lw=0.8, label=f"offset current {label}")
    axes[0, 0].set(title="a current step in three realtime snippets",
                   xlabel="hardware time [us]", ylabel="membrane [mV]")
    _plotting.biological_time_axis(axes[0, 0])
    _plotting.lsb_axis(axes[0, 0], "madc")
    axes[0, 0].legend(fontsize=8)
    _plotting.save(fig, path, dpi=80)


def main(path: Path | str | None = None) -> dict[str, Any]:
    """The current step in three snippets, plotted to ``path`` (default ``lif_parameters.png``
    in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "lif_parameters.png")
    results = current_step()
    plot(results, path)
    levels = ", ".join(f"{v:.0f}" for v in results["levels"])
    print(f"three snippets starting at {np.round(results['starts'], 4).tolist()} ms, resting at {levels} MADC; "
          f"plot: {path}")
    return results


if __name__ == "__main__":
    main()
