"""Shared by the grenade examples: calibrated LIF neurons with current-based synaptic inputs,
random connectivity and Poisson spike trains.

The neurons come from calix (leak 110, reset 70, threshold 140 CADC LSB, tau_mem 10 us,
refractory time 2 us; cached on disk), with both synaptic inputs switched on (the same bias
for every neuron: their time constant and strength are not calibrated yet).
"""

from __future__ import annotations

import numpy as np

import calix
import lola
import stadls

#: synaptic input biases: tau_syn about 4 us (small capacitance), a PSP of a few LSB per weight
SYNIN_TAU, SYNIN_GM = 300, 600
TARGET = calix.NeuronCalibTarget(leak=110, reset=70, threshold=140, tau_mem=10e-6, refractory_time=2e-6)


def lif_chip(chip_id: int = 0, cache_paths: list | None = None) -> lola.Chip:
    """A ``lola.Chip`` whose 512 neurons are calibrated LIF neurons of chip ``chip_id`` with
    excitatory and inhibitory synaptic inputs."""
    with stadls.ManagedConnection(chip_id=chip_id) as connection:
        result = calix.calibrate(TARGET, cache_paths=cache_paths, connection=connection)
    chip = result.to_chip()
    neurons = lola.AtomicNeuronArray.from_atomic_neurons(list(chip.neuron_block.atomic_neurons))
    for kind in ("excitatory", "inhibitory"):
        neurons[f"{kind}_input_enable"] = True
        neurons[f"{kind}_input_i_bias_tau"] = SYNIN_TAU
        neurons[f"{kind}_input_i_bias_gm"] = SYNIN_GM
    chip.neuron_block.atomic_neurons = neurons.to_atomic_neurons()
    return chip


def random_connections(rng: np.random.Generator, n_pre: int, n_post: int, p: float,
                       weight: int, exclude_self: bool = False) -> np.ndarray:
    """(pre, post, weight) rows: each pair connected with probability ``p``."""
    mask = rng.random((n_pre, n_post)) < p
    if exclude_self:
        np.fill_diagonal(mask, False)
    pre, post = np.nonzero(mask)
    return np.stack([pre, post, np.full(len(pre), weight)], axis=1)


def poisson_trains(rng: np.random.Generator, n: int, rate_khz: float, duration_cycles: int,
                   start: int = 0) -> list[np.ndarray]:
    """``n`` Poisson spike trains of ``rate_khz`` (hardware kHz) in FPGA cycles."""
    mean = rate_khz * duration_cycles / 125_000.0
    return [np.sort(rng.integers(start, start + duration_cycles, rng.poisson(mean))) for _ in range(n)]


def raster(ax, spikes: dict, population: int, offset: int = 0, label: str | None = None,
           **style) -> None:
    """Spike times [us] of ``population``'s neurons as dots, neuron index + offset on y."""
    times, neurons = [], []
    for (pop, neuron, _), t in spikes.items():
        if pop == population:
            times.append(np.asarray(t) / 125.0)
            neurons.append(np.full(len(t), neuron + offset))
    if times:
        ax.plot(np.concatenate(times), np.concatenate(neurons), ".", ms=3, label=label, **style)
