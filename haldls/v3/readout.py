"""Readout containers: CADC configuration and samples, MADC, readout source selection."""

from __future__ import annotations

import numpy as np

import halco
from .._container import Container
from .._fields import Array, Bool, Int, UInt, at
from . import addresses as A


class CADCConfig(Container, coordinate=halco.CADCConfigOnDLS, words=1):
    """enable[0], reset_wait[11:4] and dead_time[19:12], both in PPU cycles."""

    enable = Bool(at(0, 0))
    reset_wait = UInt(8, at(0, 4), default=100)
    dead_time = UInt(8, at(0, 12), default=20)

    @classmethod
    def _addresses(cls, enums):
        return A.CADC_CONFIG[enums][:, None]


class CADCChannelConfig(Container, coordinate=halco.CADCChannelConfigOnDLS, words=1):
    """Per-channel digital offset added to the sample, -128..127 (stored as value + 128)."""

    offset = Int(8, at(0, 0), offset=128)

    @classmethod
    def _addresses(cls, enums):
        synram, local = np.divmod(enums, 512)
        channel_type, column = np.divmod(local, 256)
        east = column // 128
        base = np.where(east == 1, A.CADC_OFFSET_SRAM_EAST[synram], A.CADC_OFFSET_SRAM_WEST[synram])
        return (base + 2 * (column % 128) + channel_type)[:, None]


class CADCSampleQuad(Container, coordinate=halco.CADCSampleQuadOnDLS, words=1, writable=False):
    """Four 8-bit CADC samples (entry 0 in the MSB) at causal/acausal base + row*64 + quad column.

    A triggered read converts at the moment of the read; a buffered read (address | 0x20_0000)
    returns the last conversion.
    """

    samples = Array(UInt(8, at(0, 0)), 4, lambda k: [at(0, 8 * (3 - k))])

    @classmethod
    def _addresses(cls, enums):
        synram, local = np.divmod(enums, 65536)
        readout_type, local = np.divmod(local, 32768)
        channel_type, quad = np.divmod(local, 16384)
        row, column = np.divmod(quad, 64)
        base = np.where(channel_type == 1, A.CADC_ACAUSAL[synram], A.CADC_CAUSAL[synram])
        return ((base + row * 64 + column) | np.where(readout_type == 1, A.CADC_BUFFERED_BIT, 0))[:, None]


class MADCControl(Container, coordinate=halco.MADCControlOnDLS, words=1, readable=False):
    """Commands to the MADC state machine (write-only)."""

    enable_iconv_amplifier = Bool(at(0, 6))
    enable_pre_amplifier = Bool(at(0, 5))
    enable_continuous_sampling = Bool(at(0, 4))
    enable_power_down_after_sampling = Bool(at(0, 3))
    stop_recording = Bool(at(0, 2))
    start_recording = Bool(at(0, 1))
    wake_up = Bool(at(0, 0))

    @classmethod
    def _addresses(cls, enums):
        return np.full((len(enums), 1), A.MADC)


class MADCConfig(Container, coordinate=halco.MADCConfigOnDLS, words=10):
    """Configuration of the 10-bit membrane ADC.

    Sample rate: the MADC clock is 500 MHz, divided by ``2 * (madc_clock_scale_value + 1)`` when
    ``enable_madc_clock_scaling`` is set; one conversion takes ``sample_duration_adjust +
    conversion_cycles_offset + 10`` MADC clock cycles. ``number_of_samples`` samples are taken per
    recording (0 with continuous sampling means: until stopped). Two sources alternate when
    ``active_mux_input_select_length`` > 0, switching after that many samples.
    (designed) bit layout, one group per word; words 7..9 are reserved.
    """

    active_mux_initially_selected_input = UInt(1, at(0, 0))
    active_mux_input_select_length = UInt(4, at(0, 1))
    sample_duration_adjust = UInt(3, at(0, 5), default=5)
    enable_sar_reset_on_fall = Bool(at(0, 8))
    sar_reset_wait = UInt(2, at(0, 9))
    sar_reset_length = UInt(2, at(0, 11))
    number_of_samples = UInt(16, at(1, 0))
    powerup_wait_value = UInt(10, at(2, 0), default=96)
    conversion_cycles_offset = UInt(4, at(2, 16), default=12)
    calibration_wait_value = UInt(8, at(2, 24))
    preamp_sampling_window_start = UInt(5, at(3, 0), default=3)
    preamp_sampling_window_end = UInt(5, at(3, 8), default=15)
    iconv_sampling_window_start = UInt(5, at(3, 16), default=7)
    iconv_sampling_window_end = UInt(5, at(3, 24), default=11)
    sample_on_positive_edge = Bool(at(4, 0), default=True)
    enable_dummy_data = Bool(at(4, 1))
    connect_preamp_to_madc = Bool(at(4, 2), default=True)
    connect_pads_to_madc = Bool(at(4, 3))
    connect_preamp_to_pads = Bool(at(4, 4))
    preamp_gain_capacitor_size = UInt(5, at(4, 8), default=31)
    enable_calibration = Bool(at(4, 16))
    enable_madc_clock_scaling = Bool(at(5, 0))
    madc_clock_scale_value = UInt(12, at(5, 4))
    enable_active_mux_amplifiers = Bool(at(6, 0), default=True)
    enable_pseudo_differential_reference = Array(Bool(at(0, 0)), 2, lambda h: [at(6, 1 + h)])
    signal_selection_connect_current_meter = Bool(at(6, 3))
    signal_selection_connect_active_mux = Bool(at(6, 4), default=True)
    signal_selection_connect_debug = Bool(at(6, 5))
    signal_selection_connect_preamp = Bool(at(6, 6), default=True)
    enable_iconv_amplifier = Bool(at(6, 7))
    connect_iconv_neuron = Array(Bool(at(0, 0)), 2, lambda h: [at(6, 8 + h)])
    connect_iconv_synapse = Array(Bool(at(0, 0)), 2, lambda s: [at(6, 10 + s)])

    @classmethod
    def _addresses(cls, enums):
        return A.MADC + 1 + np.zeros((len(enums), 1), dtype=np.int64) + np.arange(10)


def _mux(bit: int):
    return lambda m: [at(0, 16 * m + bit)]


class ReadoutSourceSelection(Container, coordinate=halco.ReadoutSourceSelectionOnDLS, words=1):
    """What each of the two source multiplexers (the MADC's channels 0 and 1) connects to.

    A neuron reaches the readout when its NeuronConfig has ``enable_readout`` set and the
    multiplexer connects the line of its hemisphere and column parity (``neuron_even_top`` ...).
    (designed) multiplexer m uses bits [16m + 10 : 16m].
    """

    neuron_odd_top = Array(Bool(at(0, 0)), 2, _mux(0))
    neuron_odd_bottom = Array(Bool(at(0, 0)), 2, _mux(1))
    neuron_even_top = Array(Bool(at(0, 0)), 2, _mux(2))
    neuron_even_bottom = Array(Bool(at(0, 0)), 2, _mux(3))
    debug_plus = Array(Bool(at(0, 0)), 2, _mux(4))
    debug_minus = Array(Bool(at(0, 0)), 2, _mux(5))
    cadc_debug_causal = Array(Bool(at(0, 0)), 2, _mux(6))
    cadc_debug_acausal = Array(Bool(at(0, 0)), 2, _mux(7))
    synin_debug_excitatory = Array(Bool(at(0, 0)), 2, _mux(8))
    synin_debug_inhibitory = Array(Bool(at(0, 0)), 2, _mux(9))
    enable_buffer_to_pad = Array(Bool(at(0, 0)), 2, _mux(10))

    @classmethod
    def _addresses(cls, enums):
        return np.full((len(enums), 1), A.READOUT_SOURCE_SELECTION)


class PadMultiplexerConfig(Container, coordinate=halco.PadMultiplexerConfigOnDLS, words=1):
    """What one analog pad connects to: the real haldls fields, which join the chip's analog
    debug nets (the CapMem blocks' debug outputs, the CADC ramps, the synapse array's CADC and
    synaptic-input debug lines, the readout buffers) to the pad and through it to each other.

    A CapMem cell's voltage reaches the CADC debug lines (calix's CADC calibration) when one pad
    connects ``capmem_v_out_mux[block]``, ``capmem_v_out_mux_to_capmem_intermediate_mux``,
    ``capmem_intermediate_mux_to_pad`` and ``cadc_debug_*_to_synapse_intermediate_mux``,
    ``synapse_intermediate_mux_to_pad`` (see ``emulator/MODEL.md``). Arrays over CapMem blocks
    are indexed by CapMemBlockOnDLS, ``neuron_i_stim_mux`` by hemisphere, ``buffer_to_pad`` by
    readout source multiplexer.

    (designed) the real container's two 16-bit words in one: its word 0 in bits 15..0 (the
    quadrant arrays with block 3 in the lowest bit, as the real bitfield), its word 1 in bits
    31..16.
    """

    cadc_v_ramp_mux = Array(Bool(at(0, 0)), 4, lambda q: [at(0, 3 - q)])
    cadc_v_ramp_mux_to_pad = Bool(at(0, 4))
    capmem_i_out_mux = Array(Bool(at(0, 0)), 4, lambda q: [at(0, 8 - q)])
    capmem_i_out_mux_to_capmem_intermediate_mux = Bool(at(0, 9))
    capmem_intermediate_mux_to_pad = Bool(at(0, 10))
    capmem_v_out_mux = Array(Bool(at(0, 0)), 4, lambda q: [at(0, 14 - q)])
    capmem_v_out_mux_to_capmem_intermediate_mux = Bool(at(0, 15))
    capmem_v_ref_mux = Array(Bool(at(0, 0)), 4, lambda q: [at(0, 19 - q)])
    capmem_v_ref_mux_to_capmem_intermediate_mux = Bool(at(0, 20))
    neuron_i_stim_mux = Array(Bool(at(0, 0)), 2, lambda h: [at(0, 21 + h)])
    cadc_debug_causal_to_synapse_intermediate_mux = Bool(at(0, 23))
    cadc_debug_acausal_to_synapse_intermediate_mux = Bool(at(0, 24))
    synin_debug_inhibitory_to_synapse_intermediate_mux = Bool(at(0, 25))
    synin_debug_excitatory_to_synapse_intermediate_mux = Bool(at(0, 26))
    synapse_intermediate_mux_to_pad = Bool(at(0, 27))
    buffer_to_pad = Array(Bool(at(0, 0)), 2, lambda m: [at(0, 29 - m)])
    debug_to_pad = Bool(at(0, 30))
    neuron_i_stim_mux_to_pad = Bool(at(0, 31))

    @classmethod
    def _addresses(cls, enums):
        return (A.PAD_MULTIPLEXER_CONFIG + enums)[:, None]
