"""Readout containers: CADC configuration and samples, MADC, readout source selection."""

from __future__ import annotations

import numpy as np

import halco
from .._container import Container
from .._fields import Array, Bool, Int, UInt, at
from ..errors import FieldTypeError, FieldValueError
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


#: The cycles of the MADC clock one conversion takes at least; ``sample_duration_adjust`` adds
#: to it (the real haldls ``minimal_madc_clock_cycles_per_sample``).
MINIMAL_MADC_CLOCK_CYCLES_PER_SAMPLE = 12
#: The PLL's reference clock [Hz] (the real haldls ``nominal_pll_f_reference``).
NOMINAL_PLL_F_REFERENCE = 50e6
#: The MADC's base clock [Hz] with the default PLL setting, which SystemInit writes: the
#: ``madc_clk`` output takes ADPLL 0's DCO output, ``pre_div_p0 (2) * loop_div_n (10) *
#: NOMINAL_PLL_F_REFERENCE / pre_div_p2 (2)`` = 500 MHz (the base frequency the real MADC
#: sample-rate test computes from a default ADPLL).
DEFAULT_MADC_BASE_FREQUENCY = 2 * 10 * NOMINAL_PLL_F_REFERENCE / 2


class MADCConfig(Container, coordinate=halco.MADCConfigOnDLS, words=10):
    """Configuration of the 10-bit membrane ADC and its input circuitry (preamplifier, active
    multiplexer, current conversion), the real haldls layout: ten words at MADC base + 1 .. + 10
    (base + 0 is :class:`MADCControl`), each using its bits 15..0.

    The default is usable as it is: the MADC records the preamplifier, which sees the active
    multiplexer, initially source multiplexer 0; only ``number_of_samples`` needs setting
    (0 with continuous sampling means: until stopped). Two sources alternate when
    ``active_mux_input_select_length`` > 0, switching after that many samples (the real software
    warns that above 1 the channel assignment lags one sample on the chip).

    Sample rate (:meth:`calculate_sample_rate`): the MADC clock, divided by
    ``2 (madc_clock_scale_value + 1)`` with ``enable_madc_clock_scaling``, over
    ``sample_duration_adjust + 12`` clock cycles per sample: 500 MHz / 17 = 29.4 MHz by
    default. ``conversion_cycles_offset`` adds to ``sample_duration_adjust`` inside the
    hardware but does not enter the real software's rate formula (which its hardware test
    checks against the measured rate with ``conversion_cycles_offset`` at its default, 12).

    Timing fields count MADC clock cycles: ``powerup_wait_value`` (wake-up to ready),
    ``calibration_wait_value`` (the built-in self-calibration), the sampling windows' start and
    end of the preamplifier (voltage) and of the current conversion circuit (iconv).
    Arrays: ``enable_pseudo_differential_reference`` and ``connect_iconv_neuron`` by
    HemisphereOnDLS, ``connect_iconv_synapse`` by SynapticInputOnNeuron (excitatory,
    inhibitory).
    """

    # word 0 (bits 2..0 unused)
    active_mux_initially_selected_input = UInt(1, at(0, 3))
    active_mux_input_select_length = UInt(4, at(0, 4))
    sample_duration_adjust = UInt(3, at(0, 8), default=5)
    enable_sar_reset_on_fall = Bool(at(0, 11))
    sar_reset_wait = UInt(2, at(0, 12), default=3)
    sar_reset_length = UInt(2, at(0, 14))
    # word 1
    powerup_wait_value = UInt(10, at(1, 0), default=96)
    conversion_cycles_offset = UInt(4, at(1, 12), default=12)
    # word 2
    calibration_wait_value = UInt(10, at(2, 0))
    enable_calibration = Bool(at(2, 15))
    # word 3
    number_of_samples = UInt(16, at(3, 0))
    # words 4 and 5
    preamp_sampling_window_start = UInt(5, at(4, 0), default=3)
    preamp_sampling_window_end = UInt(5, at(4, 5), default=8)
    iconv_sampling_window_start = UInt(5, at(5, 0), default=9)
    iconv_sampling_window_end = UInt(5, at(5, 5), default=14)
    # word 6
    sample_on_positive_edge = Bool(at(6, 0), default=True)
    enable_dummy_data = Bool(at(6, 1))
    # word 7
    connect_preamp_to_madc = Bool(at(7, 0), default=True)
    connect_pads_to_madc = Bool(at(7, 1))
    connect_preamp_to_pads = Bool(at(7, 2))
    preamp_gain_capacitor_size = UInt(5, at(7, 3), default=31)
    # word 8
    enable_madc_clock_scaling = Bool(at(8, 0))
    madc_clock_scale_value = UInt(12, at(8, 1))
    # word 9
    enable_active_mux_amplifiers = Bool(at(9, 0), default=True)
    enable_pseudo_differential_reference = Array(Bool(at(0, 0)), 2, lambda h: [at(9, 1 + h)])
    signal_selection_connect_current_meter = Bool(at(9, 3))
    signal_selection_connect_active_mux = Bool(at(9, 4), default=True)
    signal_selection_connect_debug = Bool(at(9, 5))
    signal_selection_connect_preamp = Bool(at(9, 6), default=True)
    enable_iconv_amplifier = Bool(at(9, 7))
    connect_iconv_neuron = Array(Bool(at(0, 0)), 2, lambda h: [at(9, 8 + h)])
    # the inhibitory input in bit 10, the excitatory (SynapticInputOnNeuron 0) in bit 11
    connect_iconv_synapse = Array(Bool(at(0, 0)), 2, lambda s: [at(9, 11 - s)])

    def calculate_sample_rate(self, madc_base_frequency: float) -> float:
        """The MADC's sample rate [Hz] with this configuration, for the MADC base clock
        ``madc_base_frequency`` [Hz] (the PLL's ``madc_clk``; :data:`DEFAULT_MADC_BASE_FREQUENCY`
        with the default PLL setting): ``madc_base_frequency / (sample_duration_adjust +
        MINIMAL_MADC_CLOCK_CYCLES_PER_SAMPLE)``, divided by ``2 (madc_clock_scale_value + 1)``
        with ``enable_madc_clock_scaling``."""
        if isinstance(madc_base_frequency, (bool, np.bool_)) or not isinstance(
                madc_base_frequency, (int, float, np.integer, np.floating)):
            raise FieldTypeError(
                f"MADCConfig.calculate_sample_rate: madc_base_frequency must be a number of Hz "
                f"(a finite float > 0), got {type(madc_base_frequency).__name__} "
                f"{madc_base_frequency!r}")
        if not (np.isfinite(madc_base_frequency) and madc_base_frequency > 0):
            raise FieldValueError(
                f"MADCConfig.calculate_sample_rate: madc_base_frequency must be a finite "
                f"frequency > 0 Hz, got {madc_base_frequency!r}")
        rate = float(madc_base_frequency) / (
            self.sample_duration_adjust + MINIMAL_MADC_CLOCK_CYCLES_PER_SAMPLE)
        if self.enable_madc_clock_scaling:
            rate /= 2 * (self.madc_clock_scale_value + 1)
        return rate

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
