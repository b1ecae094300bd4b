"""Seed 001 Figure 9 on the emulated chip: attenuation along a dendritic tree of compartments."""

from __future__ import annotations

import numpy as np

import dendritic_branches
from emulator import Mismatch

IDEAL = dict(mismatch=Mismatch.ideal(), noise=False)


def test_input_at_the_first_compartment_attenuates_along_the_chain_and_reaches_both_branches_alike():
    a = dendritic_branches.psp_amplitudes(0, 100, **IDEAL)
    assert a[0] > 3 * a[1] > 0 and a[1] > a[2] > a[3]            # along the main branch into row 0
    assert a[1] > a[4] > a[5]                                      # and into row 1
    assert abs(a[2] - a[4]) < 0.1 * a[1] and abs(a[3] - a[5]) < 0.1 * a[1]   # symmetric sub-branches


def test_input_in_one_sub_branch_spares_the_sister_branch():
    a = dendritic_branches.psp_amplitudes(3, 100, **IDEAL)
    assert a[3] > a[2] > a[1] > a[0]
    assert a[1] > 2 * a[4] and a[2] > 5 * a[5]


def test_larger_conductance_means_less_attenuation():
    weak = dendritic_branches.psp_amplitudes(0, 100, **IDEAL)
    strong = dendritic_branches.psp_amplitudes(0, 400, **IDEAL)
    assert strong[3] / strong[0] > 3 * weak[3] / weak[0]
    assert strong[1] / strong[0] > weak[1] / weak[0]


def test_on_a_mismatched_noisy_chip_the_input_site_dominates():
    a = dendritic_branches.psp_amplitudes(0, 100)
    assert a[0] > 2 * max(a[1:])


def test_figure7_leak_over_threshold_with_lola_atomic_neuron():
    import lola_leak_over_threshold

    result = lola_leak_over_threshold.run([0, 1, 2, 3])
    assert np.all(result["rates_khz"] > 1.0)
    assert np.std(result["rates_khz"]) > 0.05 * np.mean(result["rates_khz"])   # fixed-pattern noise
    assert result["readback"] == lola_leak_over_threshold._expected(0)
