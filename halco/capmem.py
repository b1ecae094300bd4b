"""CapMem coordinates: 4 blocks x 130 columns x 24 rows of analog storage cells.

Blocks: 0 = NW, 1 = NE, 2 = SW, 3 = SE (the NeuronConfig quadrant order). Columns 0..127 belong
to the 128 neurons of the quadrant, columns 128 and 129 hold shared (global) cells.
Row and cell names are those of halco v3.
"""

from __future__ import annotations

from ._core import Grid, Nested, RangedInt, add_constants


class CapMemBlockOnHemisphere(RangedInt, size=2):
    """Left (0) or right (1) CapMem block of a hemisphere."""

    __slots__ = ()


add_constants(CapMemBlockOnHemisphere, left=0, right=1)


class CapMemBlockOnDLS(RangedInt, size=4):
    """CapMem block: 0 = NW, 1 = NE, 2 = SW, 3 = SE."""

    __slots__ = ()


class CapMemColumnOnCapMemBlock(RangedInt, size=130):
    """Column 0..127 (one neuron each) or 128..129 (shared cells)."""

    __slots__ = ()

    def is_shared(self) -> bool:
        return self._enum >= 128


#: Rows in halco v3 order: name -> row.
CAPMEM_ROW_NAMES: dict[str, int] = {
    "v_leak": 0, "v_reset": 1, "v_threshold": 2, "e_synin_exc_rev": 3, "e_synin_inh_rev": 4,
    "v_adapt_leak": 5, "v_exp": 6, "v_adapt_ref": 7, "i_bias_leak": 8, "i_bias_reset": 9,
    "i_bias_synin_exc_tau": 10, "i_bias_synin_exc_coba": 11, "i_bias_synin_exc_shift": 12,
    "i_bias_synin_exc_gm": 13, "i_bias_synin_inh_tau": 14, "i_bias_synin_inh_coba": 15,
    "i_bias_synin_inh_shift": 16, "i_bias_synin_inh_gm": 17, "i_bias_adapt_tau": 18,
    "i_bias_adapt_a": 19, "i_bias_adapt_b": 20, "i_bias_exp": 21, "i_mem_offset": 22,
    "i_bias_nmda": 23,
}


class CapMemRowOnCapMemBlock(RangedInt, size=24):
    """One of the 24 rows; named after the neuron parameter it holds (``CapMemRowOnCapMemBlock.v_leak``)."""

    __slots__ = ()

    def name(self) -> str:
        return _ROW_BY_VALUE[self._enum]


_ROW_BY_VALUE = {v: k for k, v in CAPMEM_ROW_NAMES.items()}
add_constants(CapMemRowOnCapMemBlock, **CAPMEM_ROW_NAMES)

#: Shared cells that every block has: name -> (column, row).
CAPMEM_BLOCK_CELL_NAMES: dict[str, tuple[int, int]] = {
    "stp_v_charge_0": (128, 0), "stp_v_charge_1": (128, 1), "stp_v_recover_0": (128, 2),
    "stp_v_recover_1": (128, 3), "cadc_v_ramp_offset": (128, 4), "cadc_v_bias_ramp_buf": (128, 5),
    "neuron_v_bias_casc_n": (128, 7), "syn_i_bias_dac": (128, 8), "syn_i_bias_ramp": (128, 9),
    "syn_i_bias_store": (128, 10), "syn_i_bias_corout": (128, 11),
    "stp_i_bias_comparator": (128, 12), "stp_i_ramp": (128, 13), "stp_i_calib": (128, 14),
    "cadc_i_ramp_slope": (128, 15), "cadc_i_bias_comp": (128, 16),
    "cadc_i_bias_vreset_buf": (128, 17), "neuron_i_bias_readout_amp": (128, 18),
    "neuron_i_bias_leak_source_follower": (128, 19), "neuron_i_bias_spike_comparator": (128, 20),
    "neuron_i_bias_synin_drop": (129, 0),
}


class CapMemCellOnCapMemBlock(Grid, x=CapMemColumnOnCapMemBlock, y=CapMemRowOnCapMemBlock):
    """One cell of a block: (column, row); 3120 cells."""

    __slots__ = ()

    def is_shared(self) -> bool:
        return self.x.is_shared()


add_constants(CapMemCellOnCapMemBlock, **CAPMEM_BLOCK_CELL_NAMES)


class CapMemCellOnDLS(Nested, local=CapMemCellOnCapMemBlock, parent=CapMemBlockOnDLS):
    """One of the 12480 CapMem cells of the chip."""

    __slots__ = ()


#: Chip-wide named cells: name -> (column, row, block).
CAPMEM_DLS_CELL_NAMES: dict[str, tuple[int, int, int]] = {
    "readout_sc_amp_v_ref": (128, 6, 0), "readout_pseudo_diff_v_ref": (128, 6, 1),
    "readout_iconv_test_voltage": (128, 6, 2), "readout_iconv_sc_amp_v_ref": (128, 6, 3),
    "readout_iconv_sc_amp_i_bias": (128, 21, 0), "readout_pseudo_diff_buffer_bias": (128, 22, 0),
    "readout_out_amp_i_bias_0": (128, 23, 0), "readout_out_amp_i_bias_1": (129, 8, 0),
    "readout_idac_i_bias": (129, 9, 0), "readout_idac_i_bias_casc": (129, 10, 0),
    "readout_iconv_i_bias_buffer": (129, 11, 0), "readout_ac_mux_i_bias": (129, 12, 0),
    "readout_madc_in_500na": (129, 13, 0), "readout_sc_amp_i_bias": (129, 14, 0),
    "stp_ibias_readout_top": (128, 21, 1), "stp_ibias_readout_bottom": (128, 21, 3),
    "hagen_ibias_dac_top": (128, 22, 1), "hagen_ibias_dac_bottom": (128, 22, 3),
}
for _name, (_c, _r, _b) in CAPMEM_DLS_CELL_NAMES.items():
    setattr(CapMemCellOnDLS, _name, CapMemCellOnDLS(
        CapMemCellOnCapMemBlock(CapMemColumnOnCapMemBlock(_c), CapMemRowOnCapMemBlock(_r)),
        CapMemBlockOnDLS(_b)))


def _unused_cells() -> tuple[int, ...]:
    """Enums of shared cells that no named cell uses, in enum order."""
    used = {
        CapMemCellOnDLS(CapMemCellOnCapMemBlock(c, r), CapMemBlockOnDLS(b))._enum
        for b in range(4) for (c, r) in CAPMEM_BLOCK_CELL_NAMES.values()
    }
    used |= {getattr(CapMemCellOnDLS, n)._enum for n in CAPMEM_DLS_CELL_NAMES}
    cells = []
    for b in range(4):
        for r in range(24):
            for c in (128, 129):
                e = CapMemCellOnDLS(CapMemCellOnCapMemBlock(c, r), CapMemBlockOnDLS(b))._enum
                if e not in used:
                    cells.append(e)
    return tuple(sorted(cells))


_UNUSED = _unused_cells()


class UnusedCapMemCellOnDLS(RangedInt, size=len(_UNUSED)):
    """A shared CapMem cell that no circuit uses (kept so a full CapMem write covers every cell)."""

    __slots__ = ()


class CapMemBlockConfigOnDLS(RangedInt, size=4):
    """Configuration of one CapMem block."""

    __slots__ = ()


class CapMemSRAMTimingConfigOnDLS(RangedInt, size=4):
    """SRAM timing of one CapMem block."""

    __slots__ = ()


class ReferenceGeneratorConfigOnDLS(RangedInt, size=1):
    """The reference current generator feeding the CapMem."""

    __slots__ = ()


class CapMemOnDLS(RangedInt, size=1):
    """The whole CapMem."""

    __slots__ = ()
