"""CapMem containers: analog storage cells, block configuration, reference generator."""

from __future__ import annotations

import enum

import numpy as np

import halco
from .._container import Container
from .._fields import Bool, Enum, UInt, at
from . import addresses as A

#: The raw value meaning "do not refresh this cell".
DISABLE_REFRESH = 1023


class CapMemCell(Container, coordinate=halco.CapMemCellOnDLS, words=1, differential_write=True):
    """One analog cell: ``value`` 0..1022, or 1023 = :data:`DISABLE_REFRESH` (the cell floats).

    At CapMem block base + column*32 + row.
    """

    DisableRefresh = DISABLE_REFRESH
    value = UInt(10, at(0, 0))

    def is_refresh_disabled(self) -> bool:
        return self.value == DISABLE_REFRESH

    @classmethod
    def _addresses(cls, enums):
        block, cell = np.divmod(enums, 130 * 24)
        row, col = np.divmod(cell, 130)
        return (A.CAPMEM[block] + col * 32 + row)[:, None]


class CapMemBlockConfig(Container, coordinate=halco.CapMemBlockConfigOnDLS, words=10):
    """Configuration of one CapMem block (refresh timing, boost, debug readout).

    (designed) one parameter group per word, at block base + 0x4000 + i.
    """

    class VRefSelect(enum.IntEnum):
        disabled = 0
        v_ref_v = 1
        v_ref_i = 2

    class IOutSelect(enum.IntEnum):
        disabled = 0
        i_out_mux = 1
        i_out_ramp = 2

    enable_capmem = Bool(at(0, 0), default=True)
    debug_readout_enable = Bool(at(0, 1))
    debug_capmem_coord = UInt(24, at(1, 0))
    debug_v_ref_select = Enum(VRefSelect, 2, at(2, 0))
    debug_i_out_select = Enum(IOutSelect, 2, at(2, 2))
    debug_out_amp_bias = UInt(4, at(2, 4), default=7)
    debug_source_follower_bias = UInt(4, at(2, 8), default=3)
    debug_level_shifter_bias = UInt(4, at(2, 12), default=3)
    v_global_bias = UInt(4, at(3, 0), default=7)
    current_cell_res = UInt(6, at(3, 4), default=8)
    enable_boost = Bool(at(3, 12))
    boost_factor = UInt(4, at(3, 16))
    enable_autoboost = Bool(at(3, 20))
    prescale_pause = UInt(3, at(4, 0), default=3)
    prescale_ramp = UInt(3, at(4, 4), default=3)
    sub_counter = UInt(16, at(5, 0), default=16)
    pause_counter = UInt(32, at(6, 0), default=8096)
    pulse_a = UInt(16, at(7, 0), default=4)
    pulse_b = UInt(16, at(7, 16), default=7)
    boost_a = UInt(16, at(8, 0))
    boost_b = UInt(16, at(8, 16))

    @classmethod
    def _addresses(cls, enums):
        return A.CAPMEM_BLOCK_CONFIG[enums][:, None] + np.arange(10)


class ReferenceGeneratorConfig(Container, coordinate=halco.ReferenceGeneratorConfigOnDLS, words=9):
    """Reference current generator of the CapMem. (designed) one parameter per word."""

    enable_internal_reference = Bool(at(0, 0), default=True)
    enable_reference_output = Bool(at(1, 0))
    enable_reference_input = Bool(at(2, 0))
    capmem_amplifier = UInt(6, at(3, 0), default=40)
    capmem_offset = UInt(6, at(4, 0), default=1)
    capmem_slope = UInt(6, at(5, 0), default=11)
    reference_control = UInt(6, at(6, 0), default=10)
    resistor_control = UInt(6, at(7, 0))
    enable_reset = Bool(at(8, 0))

    @classmethod
    def _addresses(cls, enums):
        return A.REFERENCE_GENERATOR_CONFIG + enums[:, None] * 9 + np.arange(9)
