"""The parameter-transfer table: its consistency checks and the formulas of MODEL.md."""

import dataclasses

import numpy as np
import pytest

import haldls
from emulator import core, transfer
from emulator.mismatch import Mismatch


def _parameters(capmem: dict[str, int], **config):
    """P, F of 512 circuits with every CapMem row 0 except ``capmem``, the given NeuronConfig
    fields, default backends, no mismatch."""
    n = 512
    cap = np.zeros((24, n))
    for row, value in capmem.items():
        cap[transfer.ROW[row]] = value
    fields = haldls.NeuronConfig.decode_array(haldls.NeuronConfig.encode_array(n, **config))
    backend = haldls.NeuronBackendConfig.decode_array(haldls.NeuronBackendConfig.encode_array(n))
    common = {"clock_scale_slow": np.zeros(2, int), "clock_scale_fast": np.zeros(2, int)}
    return transfer.neuron_parameters(fields, backend, common, cap, np.ones(n, bool), Mismatch.ideal())


def test_the_formulas_of_model_md():
    P, F = _parameters({"v_leak": 511, "i_bias_leak": 400, "i_mem_offset": 300,
                        "i_bias_synin_exc_tau": 50, "i_bias_synin_inh_coba": 511},
                       enable_leak_division=True, enable_membrane_offset=True,
                       invert_membrane_offset=True,
                       enable_synaptic_input_excitatory_small_capacitance=True,
                       membrane_capacitor_size=63)
    assert P[core.P_V_LEAK, 7] == pytest.approx(0.20 + 0.85 * 511 / 1022)
    assert P[core.P_G_LEAK, 7] == pytest.approx(400e-9 / 8)          # divided by 8
    assert P[core.P_I_OFFSET, 7] == pytest.approx(-300 * 0.1e-9)      # a sink: negative
    assert P[core.P_TAU_EXC, 7] == pytest.approx(5e-3 / 50 * 0.5)     # small capacitance halves
    assert P[core.P_COBA_INH, 7] == pytest.approx(511 / 1022 * 10.0)     # slope [1/V]
    assert P[core.P_C_MEM, 7] == pytest.approx(0.1e-12 + 63 * 34e-15)
    assert P[core.P_TAU_INH, 7] == pytest.approx(1e-3)                # no bias: the maximum
    off, _ = _parameters({"i_mem_offset": 300})
    assert off[core.P_I_OFFSET, 7] == 0.0                             # not enabled: no current


def test_both_scaling_switches_cancel():
    P, _ = _parameters({"i_bias_reset": 300}, enable_reset_division=True,
                       enable_reset_multiplication=True)
    assert P[core.P_G_RESET, 0] == pytest.approx(300e-9)


def test_the_table_must_cover_every_capmem_row_once(monkeypatch):
    without_leak = tuple(t for t in transfer.TRANSFERS if t.row != "v_leak")
    monkeypatch.setattr(transfer, "TRANSFERS", without_leak)
    with pytest.raises(RuntimeError, match="v_leak"):
        transfer._check_tables()


def test_the_table_must_use_the_mismatch_keys(monkeypatch):
    renamed = tuple(dataclasses.replace(t, gain="g_leek") if t.gain == "g_leak" else t
                    for t in transfer.TRANSFERS)
    monkeypatch.setattr(transfer, "TRANSFERS", renamed)
    with pytest.raises(RuntimeError, match="mismatch keys"):
        transfer._check_tables()


def test_a_parameter_is_set_once(monkeypatch):
    monkeypatch.setattr(transfer, "TRANSFERS", transfer.TRANSFERS + transfer.TRANSFERS[:1])
    with pytest.raises(RuntimeError, match="set twice"):
        transfer._check_tables()
