"""The synaptic input OTAs' reference (``i_bias_synin_*_shift``): the idle current an enabled
input drives with no event, its mismatch, and the reset value that drives none
(emulator/MODEL.md, "Reference potential")."""

from __future__ import annotations

import numpy as np
import pytest

import lola
import stadls
from calix.common import helpers
from emulator import Emulator, Mismatch, core, ground_truth, mismatch, transfer

KINDS = ("excitatory", "inhibitory")


def configured(neurons: lola.AtomicNeuronArray, **kwargs) -> Emulator:
    emulator = Emulator(**kwargs)
    builder, _ = stadls.generate(stadls.SystemInit())
    helpers.enable_cadc_membranes(builder)
    neurons.write(builder)
    stadls.run(emulator, builder.done())
    return emulator


def neurons(shift: int, enabled: tuple[str, ...] = KINDS, gm: int = 500) -> lola.AtomicNeuronArray:
    array = lola.AtomicNeuronArray()
    array["leak_v_leak"] = 500
    array["leak_i_bias"] = 100
    for kind in KINDS:
        array[f"{kind}_input_enable"] = kind in enabled
        array[f"{kind}_input_i_bias_gm"] = gm
        array[f"{kind}_input_i_shift_reference"] = shift
    return array


def test_the_offset_is_the_shift_and_the_mismatch_and_needs_the_input_enabled():
    P = ground_truth.parameters(configured(neurons(410), chip_id=2).chip)
    offset = Mismatch.for_chip(2).offset
    for kind, parameter in (("exc", core.P_REF_EXC), ("inh", core.P_REF_INH)):
        # 100 LSB above the nominal 310: the reference 10 mV higher, the offset 10 mV lower
        assert P[parameter] == pytest.approx(-0.010 + offset[f"synin_ref_{kind}"])
    off = ground_truth.parameters(configured(neurons(410, enabled=()), chip_id=2).chip)
    assert not off[core.P_REF_EXC].any() and not off[core.P_REF_INH].any()


def test_the_reset_value_drives_no_idle_current_and_changes_nothing():
    reset = ground_truth.parameters(configured(neurons(0), chip_id=2).chip)
    assert not reset[core.P_REF_EXC].any() and not reset[core.P_REF_INH].any()
    # a chip that never writes the cells behaves as one that writes 0
    unset = neurons(0)
    for kind in KINDS:
        unset[f"{kind}_input_i_shift_reference"] = 0
    assert np.array_equal(ground_truth.parameters(configured(unset, chip_id=2).chip), reset)


def test_the_idle_current_moves_the_rest_as_the_model_says():
    # ideal chip, no noise: the rest with only the excitatory input enabled at shift 100 (the
    # reference 21 mV low: an exciting idle current), against the input disabled
    def rest(array):
        emulator = configured(array, mismatch=Mismatch.ideal(), noise=False)
        builder = stadls.PlaybackProgramBuilder()
        helpers.wait_us(builder, 100.0)
        read = helpers.read_membranes(builder)
        helpers.run(emulator, builder)
        return read(), ground_truth.parameters(emulator.chip), emulator

    on, P, emulator = rest(neurons(100, enabled=("excitatory",)))
    off, _, _ = rest(neurons(100, enabled=()))
    expected = ground_truth.idle_rest_shifts(P, "excitatory")
    assert expected[0] == pytest.approx(500 * 0.1e-9 * 0.021 / 0.3 / (1 + 0.021 / 0.3) / 100e-9)
    predicted = (ground_truth.cadc_reads(emulator.chip, P[core.P_V_LEAK] + expected)
                 - ground_truth.cadc_reads(emulator.chip, P[core.P_V_LEAK]))
    assert np.median(on - off) == pytest.approx(np.median(predicted), abs=0.6)
    assert np.median(on - off) > 6                                  # 8 LSB: it excites
    # the inhibitory input's idle current at the same shift inhibits
    inhibited, _, _ = rest(neurons(100, enabled=("inhibitory",)))
    assert np.median(inhibited - off) == pytest.approx(-np.median(on - off), abs=0.6)


def test_the_mismatch_has_a_stream_of_its_own():
    for chip_id in (0, 4):
        drawn = Mismatch.for_chip(chip_id)
        stream = np.random.default_rng([chip_id, 0x5EF])
        for name in ("synin_ref_exc", "synin_ref_inh"):
            assert drawn.offset[name] == pytest.approx(stream.normal(0.0, mismatch.SYNIN_REFERENCE_OFFSET_SD, 512))
    assert not Mismatch.ideal().offset["synin_ref_exc"].any()
    assert transfer.SYNIN_SHIFT_NOMINAL == 310           # calix's default reference shift
