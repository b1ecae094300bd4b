"""A PyNN script as written for pyNN.nest, run on the emulated chip by changing its import
(``import pynn_frontend.biological as sim``): biological milliseconds, mV, nA and PyNN's
IF_curr_exp, on neurons calix calibrates to those parameters (1 ms of biological time is 1 us on
the chip).

An excitatory (80) and an inhibitory (20) population of IF_curr_exp cells, driven by 40 Poisson
sources at 20 Hz, excite and inhibit each other at random (delays 0 between neurons on the chip;
the inputs arrive 1 ms after their sources fire). A second, unconnected population gets offset
currents and fires regularly at the rates the LIF equation predicts.

``main()`` prints the rates and saves ``biological_network.png`` (raster and membranes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend.biological as sim
from _pynn_setup import figure
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

N_EXC, N_INH, N_SOURCES = 80, 20, 40
RUNTIME = 300.0                                 # ms (biological)
RATE, W_IN = 50.0, 1.0                          # the sources: Hz, nA
CURRENTS = np.array([0.5, 0.9, 1.2, 1.6, 2.0])  # nA


def lif_period(current: np.ndarray, tau_m: float = 20.0, cm: float = 1.0, threshold: float = 15.0,
               tau_refrac: float = 0.1) -> np.ndarray:
    """The ISI [ms] of a LIF neuron with an offset ``current`` [nA] (NaN below the rheobase)."""
    drive = current * tau_m / cm
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(drive > threshold, tau_m * np.log(drive / (drive - threshold)) + tau_refrac, np.nan)


def run(cache: Any = None, seed: int = 7) -> dict[str, Any]:
    sim.setup(timestep=0.1, calibration_cache=cache)
    rng = sim.NumpyRNG(seed=seed)
    exc = sim.Population(N_EXC, sim.IF_curr_exp(), label="exc")
    inh = sim.Population(N_INH, sim.IF_curr_exp(), label="inh")
    driven = sim.Population(len(CURRENTS), sim.IF_curr_exp(i_offset=CURRENTS), label="driven")
    noise = sim.Population(N_SOURCES, sim.SpikeSourcePoisson(rate=RATE), label="noise")
    sim.Projection(noise, exc + inh, sim.FixedProbabilityConnector(0.5, rng=rng),
                   sim.StaticSynapse(weight=W_IN, delay=1.0))
    sim.Projection(exc, exc + inh, sim.FixedProbabilityConnector(0.1, rng=rng), sim.StaticSynapse(weight=0.2))
    sim.Projection(inh, exc + inh, sim.FixedProbabilityConnector(0.2, rng=rng), sim.StaticSynapse(weight=-0.6),
                   receptor_type="inhibitory")
    (exc + inh).record("spikes")
    exc[0:2].record("v")
    driven.record(["spikes", "v"])
    sim.run(RUNTIME)
    out = {"exc": exc.get_data().segments[0], "inh": inh.get_data().segments[0],
           "driven": driven.get_data().segments[0]}
    sim.end()
    return out


def main(path: Path | str | None = None, cache: Any = None) -> dict[str, Any]:
    """Run the network in biological time and plot it to ``path`` (default
    ``biological_network.png`` in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "biological_network.png")
    data = run(cache)
    rates = {k: float(np.mean([len(s) for s in data[k].spiketrains])) / RUNTIME * 1e3 for k in ("exc", "inh")}
    isis = [np.mean(np.diff(s.magnitude)) if len(s) > 1 else np.nan for s in data["driven"].spiketrains]
    # biological time (pynn_frontend.biological) with the hardware time it ran in on top
    fig, axes = figure(1, 3, (16, 4.6))
    for offset, key, color in ((0, "exc", "tab:red"), (N_EXC, "inh", "tab:blue")):
        for i, train in enumerate(data[key].spiketrains):
            axes[0, 0].plot(train.magnitude, np.full(len(train), i + offset), "|", ms=2, color=color,
                            label=f"{'excitatory' if key == 'exc' else 'inhibitory'} spike" if i == 0 else None)
    axes[0, 0].set(title=f"raster: exc {rates['exc']:.1f} Hz, inh {rates['inh']:.1f} Hz",
                   xlabel="biological time [ms]", ylabel="neuron")
    axes[0, 0].legend(loc="upper right", fontsize=7)
    signal = data["exc"].analogsignals[0]
    axes[0, 1].plot(signal.times, signal.magnitude, lw=0.6)
    axes[0, 1].set(title="two excitatory membranes (one colour each)", xlabel="biological time [ms]",
                   ylabel="v [mV, biological]")
    for ax in (axes[0, 0], axes[0, 1]):
        _plotting.hardware_time_axis(ax)
    axes[0, 2].plot(CURRENTS, lif_period(CURRENTS), "k--", label="LIF equation")
    axes[0, 2].plot(CURRENTS, isis, "o", label="chip")
    axes[0, 2].set(title="offset current: interspike interval", xlabel="i_offset [nA]",
                   ylabel="ISI [biological ms]")
    _plotting.hardware_time_axis(axes[0, 2], which="y").set_ylabel("ISI [hardware us]", fontsize=8)
    axes[0, 2].legend()
    _plotting.save(fig, path, dpi=80)
    print(f"rates: excitatory {rates['exc']:.1f} Hz, inhibitory {rates['inh']:.1f} Hz; ISIs with offset currents "
          f"{np.round(isis, 1).tolist()} ms (LIF equation {np.round(lif_period(CURRENTS), 1).tolist()}); plot: {path}")
    return {"rates_hz": rates, "isi_ms": isis, "data": data}


if __name__ == "__main__":
    main()
