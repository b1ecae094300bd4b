"""Readout containers: CADC, MADC, readout source selection and pad multiplexers."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

import halco
from .._container import Container, FieldArray
from .._fields import Array, Bool, Field, Int, UInt, at
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


#: Where each member of a source multiplexer sits in its multiplexer's word (multiplexer m in word
#: m of ReadoutSourceSelection, bits 12..0; the real ReadoutSourceSelectionBitfield): member ->
#: bit, or the bits of HemisphereOnDLS 0 (top) and 1 (bottom).
_SOURCE_MULTIPLEXER_BITS: dict[str, int | tuple[int, int]] = {
    "debug_plus": 0,
    "debug_minus": 1,
    "current_dac": 2,
    "synin_debug_inhibitory": 3,
    "synin_debug_excitatory": 4,
    "cadc_debug_causal": 5,
    "cadc_debug_acausal": 6,
    "synapse_driver_debug": (7, 8),
    "neuron_odd": (9, 11),
    "neuron_even": (10, 12),
}

_SOURCE_MULTIPLEXER_DOCS = {
    "debug_plus": "connect the debug_plus line",
    "debug_minus": "connect the debug_minus line",
    "current_dac": "connect the output of the current DAC (idac_i_out)",
    "synin_debug_inhibitory": "connect the inhibitory synaptic input debug line",
    "synin_debug_excitatory": "connect the excitatory synaptic input debug line",
    "cadc_debug_causal": "connect the causal CADC debug line",
    "cadc_debug_acausal": "connect the acausal CADC debug line",
    "synapse_driver_debug": "connect the synapse drivers' debug voltage, by HemisphereOnDLS",
    "neuron_odd": "connect the readout line of the odd neuron columns (1, 3, ..., 255), by "
                  "HemisphereOnDLS",
    "neuron_even": "connect the readout line of the even neuron columns (0, 2, ..., 254), by "
                   "HemisphereOnDLS",
}

_SOURCE_MULTIPLEXER_NAME = "ReadoutSourceSelection.SourceMultiplexer"


def _member_field_of(name: str) -> Field:
    """Unpickle a member field of SourceMultiplexer (it belongs to no container)."""
    return _MEMBER_FIELDS[name]


class _MemberField(Field):
    """A field of :class:`ReadoutSourceSelection.SourceMultiplexer`, placed in the multiplexer's
    own word; it validates the member's values (the container's words hold the multiplexers in
    the per-multiplexer fields derived from the same bit table)."""

    def __reduce__(self) -> tuple:
        return (_member_field_of, (self.name,))


def _member_field(name: str) -> _MemberField:
    bits = _SOURCE_MULTIPLEXER_BITS[name]
    doc = _SOURCE_MULTIPLEXER_DOCS[name]
    if isinstance(bits, int):
        f = _MemberField("bool", 1, [at(0, bits)], doc=doc)
    else:
        f = _MemberField("bool", 1, lambda h: [at(0, bits[h])], count=2, doc=doc)
    f.name, f.owner = name, _SOURCE_MULTIPLEXER_NAME
    return f


_MEMBER_FIELDS = {name: _member_field(name) for name in _SOURCE_MULTIPLEXER_BITS}


def _member(name: str):
    """The attrs attribute of member ``name``, checked on construction and on assignment."""
    f = _MEMBER_FIELDS[name]
    if f.count is None:
        return attrs.field(default=False, converter=f.validate, on_setattr=attrs.setters.convert)
    return attrs.field(factory=lambda: [False] * f.count,
                       converter=lambda values: FieldArray(f, values),
                       on_setattr=attrs.setters.convert)


@attrs.define(eq=True)
class _SourceMultiplexer:
    """What one source multiplexer (one readout buffer, one MADC channel) connects: the real
    ``ReadoutSourceSelection::SourceMultiplexer``, a value (``get_buffer`` gives a copy; change
    it and give it back with ``set_buffer``). All inputs are disconnected by default.

    Flags (bool): ``debug_plus``, ``debug_minus``, ``current_dac`` (the current DAC's output),
    ``synin_debug_inhibitory``, ``synin_debug_excitatory``, ``cadc_debug_causal``,
    ``cadc_debug_acausal``; by HemisphereOnDLS (two bools: top, bottom):
    ``synapse_driver_debug``, ``neuron_odd`` (the readout line of the odd neuron columns) and
    ``neuron_even`` (of the even ones).
    """

    debug_plus = _member("debug_plus")
    debug_minus = _member("debug_minus")
    current_dac = _member("current_dac")
    synin_debug_inhibitory = _member("synin_debug_inhibitory")
    synin_debug_excitatory = _member("synin_debug_excitatory")
    cadc_debug_causal = _member("cadc_debug_causal")
    cadc_debug_acausal = _member("cadc_debug_acausal")
    synapse_driver_debug = _member("synapse_driver_debug")
    neuron_odd = _member("neuron_odd")
    neuron_even = _member("neuron_even")

    #: the members' field descriptions (placements in the multiplexer's own word)
    fields = _MEMBER_FIELDS


_SourceMultiplexer.__name__ = "SourceMultiplexer"
_SourceMultiplexer.__qualname__ = _SOURCE_MULTIPLEXER_NAME


def _per_multiplexer(member: str) -> Field:
    """The container field of ``member`` over both multiplexers: entry m (a flag) or 2m + h (a
    member by HemisphereOnDLS h), in word m at the member's bit."""
    bits = _SOURCE_MULTIPLEXER_BITS[member]
    doc = _SOURCE_MULTIPLEXER_DOCS[member]
    if isinstance(bits, int):
        return Array(Bool(at(0, 0), doc=f"{doc}, by source multiplexer"), 2,
                     lambda m: [at(m, bits)])
    return Array(Bool(at(0, 0), doc=f"{doc}; entry 2 multiplexer + hemisphere"), 4,
                 lambda e: [at(e // 2, bits[e % 2])])


def _multiplexer(method: str, buffer: Any) -> int:
    """The index of source multiplexer ``buffer`` (a SourceMultiplexerOnReadoutSourceSelection or
    its enum) or an error naming ``method``'s parameter."""
    size = halco.SourceMultiplexerOnReadoutSourceSelection.size
    if isinstance(buffer, halco.SourceMultiplexerOnReadoutSourceSelection):
        return buffer.value()
    if isinstance(buffer, (bool, np.bool_)) or not isinstance(buffer, (int, np.integer)):
        raise FieldTypeError(
            f"ReadoutSourceSelection.{method}: buffer must be a "
            f"SourceMultiplexerOnReadoutSourceSelection (or its enum, 0..{size - 1}), got "
            f"{type(buffer).__name__} {buffer!r}")
    if not 0 <= buffer < size:
        raise FieldValueError(f"ReadoutSourceSelection.{method}: buffer = {int(buffer)} is out of "
                              f"range [0, {size - 1}] (the source multiplexers)")
    return int(buffer)


class ReadoutSourceSelection(Container, coordinate=halco.ReadoutSourceSelectionOnDLS, words=2):
    """What each of the two source multiplexers (readout buffers; the MADC's channels 0 and 1)
    connects, and whether each buffer drives the pads: the real haldls layout, two words at MADC
    base + 12 and + 13. Multiplexer m uses bits 12..0 of word m; ``enable_buffer_to_pad[m]`` is
    bit 14 - m of word 1 (bits 15.. of both words are unused). Everything is off by default.

    The real API works on one multiplexer at a time: ``get_buffer(mux)`` gives a
    :class:`SourceMultiplexer` value, ``set_buffer(mux, value)`` stores one. The container's fields
    hold the same bits per member over both multiplexers (the vectorized codec and the emulator
    use them): a flag's entry m is multiplexer m's, a member by hemisphere (``neuron_odd``,
    ``neuron_even``, ``synapse_driver_debug``) has entry 2 m + h for multiplexer m and
    HemisphereOnDLS h.

    A neuron reaches multiplexer m when its NeuronConfig has ``enable_readout`` set and the
    multiplexer connects the line of its hemisphere and column parity (``neuron_even`` or
    ``neuron_odd``).
    """

    SourceMultiplexer = _SourceMultiplexer

    debug_plus = _per_multiplexer("debug_plus")
    debug_minus = _per_multiplexer("debug_minus")
    current_dac = _per_multiplexer("current_dac")
    synin_debug_inhibitory = _per_multiplexer("synin_debug_inhibitory")
    synin_debug_excitatory = _per_multiplexer("synin_debug_excitatory")
    cadc_debug_causal = _per_multiplexer("cadc_debug_causal")
    cadc_debug_acausal = _per_multiplexer("cadc_debug_acausal")
    synapse_driver_debug = _per_multiplexer("synapse_driver_debug")
    neuron_odd = _per_multiplexer("neuron_odd")
    neuron_even = _per_multiplexer("neuron_even")
    # the real bitfield puts buffer 1's enable below buffer 0's
    enable_buffer_to_pad = Array(Bool(at(0, 0), doc="enable the buffer after the multiplexer, "
                                      "driving the pads (see PadMultiplexerConfig.buffer_to_pad)"),
                                 2, lambda m: [at(1, 14 - m)])

    def get_buffer(self, buffer: halco.SourceMultiplexerOnReadoutSourceSelection
                   ) -> _SourceMultiplexer:
        """A copy of what source multiplexer ``buffer`` connects."""
        m = _multiplexer("get_buffer", buffer)
        values = {}
        for name, f in _MEMBER_FIELDS.items():
            entries = getattr(self, name)
            values[name] = entries[m] if f.count is None else entries[2 * m:2 * m + 2]
        return _SourceMultiplexer(**values)

    def set_buffer(self, buffer: halco.SourceMultiplexerOnReadoutSourceSelection,
                   value: _SourceMultiplexer) -> None:
        """Connect source multiplexer ``buffer`` as ``value`` says (a SourceMultiplexer)."""
        m = _multiplexer("set_buffer", buffer)
        if not isinstance(value, _SourceMultiplexer):
            raise FieldTypeError(
                f"ReadoutSourceSelection.set_buffer: value must be a "
                f"ReadoutSourceSelection.SourceMultiplexer, got {type(value).__name__} {value!r:.60}")
        for name, f in _MEMBER_FIELDS.items():
            entries = getattr(self, name)
            if f.count is None:
                entries[m] = getattr(value, name)
            else:
                entries[2 * m:2 * m + 2] = list(getattr(value, name))

    @classmethod
    def _addresses(cls, enums):
        return A.READOUT_SOURCE_SELECTION + np.zeros((len(enums), 1), dtype=np.int64) + np.arange(2)


class PadMultiplexerConfig(Container, coordinate=halco.PadMultiplexerConfigOnDLS, words=2):
    """What one analog pad connects to: the real haldls layout, two words per pad at MADC base +
    14 + 2 pad and + 15 + 2 pad (bits 15..0 each). The fields join the chip's analog debug nets
    (the CapMem blocks' debug outputs, the CADC ramps, the synapse array's CADC and
    synaptic-input debug lines, the readout buffers) to the pad and through it to each other.

    A CapMem cell's voltage reaches the CADC debug lines (calix's CADC calibration) when one pad
    connects ``capmem_v_out_mux[block]``, ``capmem_v_out_mux_to_capmem_intermediate_mux``,
    ``capmem_intermediate_mux_to_pad`` and ``cadc_debug_*_to_synapse_intermediate_mux``,
    ``synapse_intermediate_mux_to_pad`` (see ``emulator/MODEL.md``). Arrays over CapMem blocks
    are indexed by CapMemBlockOnDLS (block 3 in the lowest bit, as the real bitfield),
    ``neuron_i_stim_mux`` by HemisphereOnDLS, ``buffer_to_pad`` by
    SourceMultiplexerOnReadoutSourceSelection. Everything is off by default.
    """

    # word 0
    cadc_v_ramp_mux = Array(Bool(at(0, 0)), 4, lambda q: [at(0, 3 - q)])
    cadc_v_ramp_mux_to_pad = Bool(at(0, 4))
    capmem_i_out_mux = Array(Bool(at(0, 0)), 4, lambda q: [at(0, 8 - q)])
    capmem_i_out_mux_to_capmem_intermediate_mux = Bool(at(0, 9))
    capmem_intermediate_mux_to_pad = Bool(at(0, 10))
    capmem_v_out_mux = Array(Bool(at(0, 0)), 4, lambda q: [at(0, 14 - q)])
    capmem_v_out_mux_to_capmem_intermediate_mux = Bool(at(0, 15))
    # word 1
    capmem_v_ref_mux = Array(Bool(at(0, 0)), 4, lambda q: [at(1, 3 - q)])
    capmem_v_ref_mux_to_capmem_intermediate_mux = Bool(at(1, 4))
    neuron_i_stim_mux = Array(Bool(at(0, 0)), 2, lambda h: [at(1, 5 + h)])
    cadc_debug_causal_to_synapse_intermediate_mux = Bool(at(1, 7))
    cadc_debug_acausal_to_synapse_intermediate_mux = Bool(at(1, 8))
    synin_debug_inhibitory_to_synapse_intermediate_mux = Bool(at(1, 9))
    synin_debug_excitatory_to_synapse_intermediate_mux = Bool(at(1, 10))
    synapse_intermediate_mux_to_pad = Bool(at(1, 11))
    buffer_to_pad = Array(Bool(at(0, 0)), 2, lambda m: [at(1, 13 - m)])
    debug_to_pad = Bool(at(1, 14))
    neuron_i_stim_mux_to_pad = Bool(at(1, 15))

    @classmethod
    def _addresses(cls, enums):
        return A.PAD_MULTIPLEXER_CONFIG + 2 * enums[:, None] + np.arange(2)
