"""CapMem containers: analog storage cells, block configuration, reference generator."""

from __future__ import annotations

import enum

import numpy as np

import halco
from .._container import Container
from .._fields import Array, Bool, Coordinate, Enum, Gate, UInt, at
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


_ROWS = halco.CapMemRowOnCapMemBlock.size          # 24
_COLUMNS = halco.CapMemColumnOnCapMemBlock.size    # 130
#: the row select word: one hot bit per row, row 0 at the top bit (bit 23)
_ROW_BITS = (1 << _ROWS) - 1


def _debug_cell_to_raw(enums: np.ndarray) -> np.ndarray:
    """Raw select bits of CapMemCellOnCapMemBlock enums: bits 0..23 the row's hot bit
    ``1 << (23 - row)``, bits 24..55 the column."""
    row, column = np.divmod(np.asarray(enums, dtype=np.int64), _COLUMNS)
    hot = np.uint64(1) << (_ROWS - 1 - row).astype(np.uint64)
    return hot | (column.astype(np.uint64) << np.uint64(_ROWS))


def _debug_cell_from_raw(raw: np.ndarray) -> np.ndarray:
    """CapMemCellOnCapMemBlock enums of raw select bits; -1 where they select no single cell
    (no row or several rows, or a column past 129)."""
    raw = np.asarray(raw, dtype=np.uint64)
    hot = raw & np.uint64(_ROW_BITS)
    column = (raw >> np.uint64(_ROWS)).astype(np.int64)
    one_row = (hot != 0) & ((hot & (hot - np.uint64(1))) == 0)
    # the hot bit's position: exact in float64 for powers of two below 2**53
    position = np.log2(np.where(one_row, hot, 1).astype(np.float64)).astype(np.int64)
    enums = (_ROWS - 1 - position) * _COLUMNS + column
    return np.where(one_row & (column < _COLUMNS), enums, -1)


#: the cell on the block's debug output, stored as the chip selects it: a one-hot row word
#: (word 0, bits 0..23) and the column (word 1); both zero while the readout is off
_DEBUG_CELL = Coordinate(
    halco.CapMemCellOnCapMemBlock, _ROWS + 32, at(0, 0, _ROWS), at(1, 0, 32, value_lo=_ROWS),
    to_raw=_debug_cell_to_raw, from_raw=_debug_cell_from_raw,
    doc="the cell on the block's debug output (while debug_readout_enable)")


class CapMemBlockConfig(Container, coordinate=halco.CapMemBlockConfigOnDLS, words=10,
                        differential_write=True):
    """Configuration of one CapMem block: refresh timing, boost, debug readout.

    The real haldls layout, ten words at block base + 0x4000 + i:

    ====  =====================================================================================
    word  bits
    ====  =====================================================================================
    0     [23:0] debug row select, one hot: ``1 << (23 - row)`` of ``debug_capmem_coord``
    1     [31:0] column of ``debug_capmem_coord``
    2     [1:0] ``debug_v_ref_select``
    3     [3:0] ``v_global_bias``, [7:4] ``debug_level_shifter_bias``,
          [11:8] ``debug_source_follower_bias``, [15:12] ``debug_out_amp_bias``
    4     [5:0] ``current_cell_res``
    5     [1:0] ``debug_i_out_select``
    6     [15:0] ``sub_counter``, [16] ``enable_capmem``, [17] ``enable_boost``,
          [18] ``enable_autoboost``, [23:20] ``prescale_ramp``, [27:24] ``prescale_pause``,
          [31:28] ``boost_factor``
    7     [15:0] ``pulse_b``, [31:16] ``pulse_a``
    8     [15:0] ``boost_b``, [31:16] ``boost_a``
    9     [31:0] ``pause_counter``
    ====  =====================================================================================

    The chip has no enable bit for the debug readout: it is on while a row is selected.
    ``debug_readout_enable`` writes the select words of ``debug_capmem_coord``, or zeros while it
    is off; so a block written with the readout off reads back with the default cell (as in the
    real haldls). The prescalers are 4 bits wide and take 0..6 (the real range). Timing fields
    count CapMem clock cycles; the biases are DAC codes.
    """

    class VRefSelect(enum.IntEnum):
        disabled = 0
        v_ref_v = 1
        v_ref_i = 2

    class IOutSelect(enum.IntEnum):
        disabled = 0
        i_out_mux = 1
        i_out_ramp = 2

    enable_capmem = Bool(at(6, 16), default=True)
    debug_readout_enable = Gate(_DEBUG_CELL, at(0, 0, _ROWS),
                                doc="the debug output shows debug_capmem_coord (no bit of its own)")
    debug_capmem_coord = _DEBUG_CELL
    debug_v_ref_select = Enum(VRefSelect, 2, at(2, 0))
    debug_i_out_select = Enum(IOutSelect, 2, at(5, 0))
    debug_out_amp_bias = UInt(4, at(3, 12), default=7)
    debug_source_follower_bias = UInt(4, at(3, 8), default=3)
    debug_level_shifter_bias = UInt(4, at(3, 4), default=3)
    v_global_bias = UInt(4, at(3, 0), default=7)
    current_cell_res = UInt(6, at(4, 0), default=8)
    enable_boost = Bool(at(6, 17))
    boost_factor = UInt(4, at(6, 28))
    enable_autoboost = Bool(at(6, 18))
    prescale_pause = UInt(4, at(6, 24), default=3, maximum=6)
    prescale_ramp = UInt(4, at(6, 20), default=3, maximum=6)
    sub_counter = UInt(16, at(6, 0), default=16)
    pause_counter = UInt(32, at(9, 0), default=8096)
    pulse_a = UInt(16, at(7, 16), default=4)
    pulse_b = UInt(16, at(7, 0), default=7)
    boost_a = UInt(16, at(8, 16))
    boost_b = UInt(16, at(8, 0))

    @classmethod
    def _addresses(cls, enums):
        return A.CAPMEM_BLOCK_CONFIG[enums][:, None] + np.arange(10)


def _two_per_word(first_word: int):
    """Placement of the four per-block entries: two 6-bit entries per word, from ``first_word``."""
    return lambda block: [at(first_word + block // 2, 6 * (block % 2))]


class ReferenceGeneratorConfig(Container, coordinate=halco.ReferenceGeneratorConfigOnDLS, words=9):
    """Reference current generator of the CapMem, with the CapMem's per-block bias currents.

    The real haldls layout, nine words at MADC base + 18 + i: word 0 [12] enable_internal_reference,
    [13] enable_reference_output, [14] enable_reference_input, [15] enable_reset; word 1 [11:6]
    reference_control; word 2 [5:0] resistor_control; words 3-4 capmem_amplifier, 5-6
    capmem_offset, 7-8 capmem_slope, one entry per CapMemBlockOnDLS, two per word (block 2k at
    [5:0], block 2k+1 at [11:6] of word +k). All values are DAC codes 0..63.
    """

    enable_internal_reference = Bool(at(0, 12), default=True)
    enable_reference_output = Bool(at(0, 13), doc="the reference current out to the pad")
    enable_reference_input = Bool(at(0, 14), doc="the reference current in from the pad")
    capmem_amplifier = Array(UInt(6, at(0, 0), default=40), 4, _two_per_word(3))
    capmem_offset = Array(UInt(6, at(0, 0), default=1), 4, _two_per_word(5))
    capmem_slope = Array(UInt(6, at(0, 0), default=11), 4, _two_per_word(7))
    reference_control = UInt(6, at(1, 6), default=10)
    resistor_control = UInt(6, at(2, 0), default=40)
    enable_reset = Bool(at(0, 15), doc="resets the resistor control (after power-up)")

    @classmethod
    def _addresses(cls, enums):
        return A.REFERENCE_GENERATOR_CONFIG + enums[:, None] * 9 + np.arange(9)
