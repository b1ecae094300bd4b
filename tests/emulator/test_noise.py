"""The membrane noise: independent across neurons and time (each neuron draws its own table
entry per step, through a counter-based hash), reproducible for a chip id."""

from __future__ import annotations

import numpy as np

import halco
import haldls
import lola
import stadls
from emulator import Emulator

SNAPSHOTS = 1500
SPACING_US = 10.0          # several membrane time constants: the snapshots are independent in time


def membranes_at_rest(chip_id: int = 0, snapshots: int = SNAPSHOTS) -> np.ndarray:
    """[snapshot, neuron] membrane potentials [V] of 512 neurons at rest (noise only), one
    snapshot every SPACING_US of hardware time."""
    emulator = Emulator(chip_id=chip_id)
    builder = stadls.generate(stadls.SystemInit())[0]
    neurons = lola.AtomicNeuronArray()
    neurons["leak_v_leak"], neurons["leak_i_bias"] = 500, 500
    neurons.write(builder)
    builder.wait_until(125 * 50)
    stadls.run(emulator, builder.done())
    out = np.empty((snapshots, 512))
    for k in range(snapshots):
        builder = stadls.PlaybackProgramBuilder()
        builder.write(halco.TimerOnDLS(), haldls.Timer())
        builder.wait_until(int(125 * SPACING_US))
        stadls.run(emulator, builder.done())
        out[k] = emulator.chip.S[0, :512]
    return out


def test_the_noise_of_neuron_pairs_is_uncorrelated():
    x = membranes_at_rest()
    assert np.median(x.std(axis=0)) > 0.5e-3                       # there is noise to correlate
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    c = x.T @ x / len(x)
    off = c[~np.eye(512, dtype=bool)]
    bound = 1.0 / np.sqrt(len(x))                                  # independent: s.d. 1/sqrt(T)
    # a fixed lag per neuron into one noise table gave s.d. 1.3 / sqrt(T) here and a pattern
    # the table predicted (r = 0.6)
    assert abs(off.mean()) < 0.1 * bound
    assert off.std() < 1.1 * bound
    for lag in (1, 2, 3, 7):                                        # neighbours alike
        assert abs(np.mean(np.diagonal(c, lag))) < 0.1 * bound * np.sqrt(512 / (512 - lag)) * 2


def test_the_noise_is_reproducible_for_a_chip_id_and_differs_between_chips():
    a, b, other = (membranes_at_rest(chip_id, snapshots=20) for chip_id in (3, 3, 4))
    assert np.array_equal(a, b)
    assert not np.allclose(a - a.mean(axis=0), other - other.mean(axis=0))
