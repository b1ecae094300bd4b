"""Synapse-array containers. Entry k of a quad sits in byte 3-k (entry 0 in the most significant byte).

Weights are stored bit-permuted: bit 5 stays, bits 0..4 are reversed (on encode and decode).
"""

from __future__ import annotations

import enum

import numpy as np

import halco
from .._container import Container
from .._fields import Array, Bool, Enum, UInt, at
from . import addresses as A
from ._switches import SwitchQuad, switch_type

#: value bit i of a weight goes to raw bit WEIGHT_PERMUTATION[i]
WEIGHT_PERMUTATION = (4, 3, 2, 1, 0, 5)


def _byte(word: int, lo: int = 0, width: int | None = None):
    """Placement of entry k in byte 3-k of ``word`` at bit offset ``lo`` within the byte."""
    return lambda k: [at(word, 8 * (3 - k) + lo, width)]


def _quad_rows(enums, base, row_stride=64, extra=0):
    synram, local = np.divmod(enums, 256 * 64)
    row, quad = np.divmod(local, 64)
    return base[synram] + extra + row * row_stride + quad


_WEIGHT = UInt(6, at(0, 0), permutation=WEIGHT_PERMUTATION)
_LABEL = UInt(6, at(0, 0))
_CALIB = UInt(2, at(0, 0))


class SynapseQuad(Container, coordinate=halco.SynapseQuadOnDLS, words=2):
    """Four synapses: 6-bit weights and labels, 2-bit time and amplitude calibration of correlation.

    w0 byte(3-k): weight[5:0] (permuted), time_calib[7:6]; w1 byte(3-k): label[5:0], amp_calib[7:6].
    Words at synapse-quad base + row*128 + quad column and +64.
    """

    weights = Array(_WEIGHT, 4, _byte(0, 0))
    labels = Array(_LABEL, 4, _byte(1, 0))
    time_calibs = Array(_CALIB, 4, _byte(0, 6))
    amp_calibs = Array(_CALIB, 4, _byte(1, 6))

    @classmethod
    def _addresses(cls, enums):
        a = _quad_rows(enums, A.SYNAPSE_QUAD, row_stride=128)
        return np.stack([a, a + 64], axis=1)


class SynapseWeightQuad(Container, coordinate=halco.SynapseWeightQuadOnDLS, words=1):
    """Weights of four synapses (permuted bits) at weight base + row*64 + quad column."""

    values = Array(_WEIGHT, 4, _byte(0, 0))

    @classmethod
    def _addresses(cls, enums):
        return _quad_rows(enums, A.SYNAPSE_WEIGHTS)[:, None]


class SynapseLabelQuad(Container, coordinate=halco.SynapseLabelQuadOnDLS, words=1):
    """Labels of four synapses at label base + row*64 + quad column."""

    values = Array(_LABEL, 4, _byte(0, 0))

    @classmethod
    def _addresses(cls, enums):
        return _quad_rows(enums, A.SYNAPSE_LABELS)[:, None]


class SynapseCorrelationCalibQuad(Container, coordinate=halco.SynapseCorrelationCalibQuadOnDLS, words=2):
    """Correlation calibration of four synapses: bits [1:0] of each byte of the even/odd-2MSB words."""

    time_calibs = Array(_CALIB, 4, _byte(0, 0))
    amp_calibs = Array(_CALIB, 4, _byte(1, 0))

    @classmethod
    def _addresses(cls, enums):
        return np.stack([_quad_rows(enums, A.SYNAPSE_EVEN_2MSB), _quad_rows(enums, A.SYNAPSE_ODD_2MSB)], axis=1)


def _column_quad(enums, base, pseudo_row):
    synram, quad = np.divmod(enums, 64)
    return base[synram] + pseudo_row * 64 + quad


#: the synapse quads of one synram (256 rows of 64 quads): the column switches follow them
_QUADS_PER_SYNRAM = halco.SynapseQuadOnSynram.size


class ColumnCorrelationQuad(SwitchQuad, Container, coordinate=halco.ColumnCorrelationQuadOnDLS,
                            words=4, differential_write=True):
    """The correlation switches (``ColumnCorrelationSwitch``) of four synapse columns.

    Layout of the real ``ColumnCorrelationQuad``: switch k sits in byte 3-k of each word; w0
    internal (causal bit 6, acausal bit 7), w1 debug line (causal bit 6, acausal bit 7), w2 CADC
    neuron readout causal (bit 5), w3 CADC neuron readout acausal (bit 5). Words w0 and w1 lie in
    the raw synapse space after the synapse quads and the current switches (raw base + 2 * 16384 +
    2 * 64 + quad column, then + 64), w2 and w3 in the weight and label spaces after the synapse
    rows (+ 16384 + quad column). All switches default off, as in haldls. ``get_switch(entry)``
    and ``set_switch(entry, switch)`` view one column's switches as a ``ColumnCorrelationSwitch``.
    """

    ColumnCorrelationSwitch = switch_type(
        "ColumnCorrelationSwitch", "ColumnCorrelationQuad.ColumnCorrelationSwitch",
        ("enable_internal_causal", "enable_internal_acausal", "enable_debug_causal",
         "enable_debug_acausal", "enable_cadc_neuron_readout_causal",
         "enable_cadc_neuron_readout_acausal"),
        "The correlation switches of one column: its sensors to the CADC channels (internal), to "
        "the shared debug lines, and the neuron's membrane to the CADC channels.", __name__)
    switch_type = ColumnCorrelationSwitch

    enable_internal_causal = Array(Bool(at(0, 0)), 4, _byte(0, 6))
    enable_internal_acausal = Array(Bool(at(0, 0)), 4, _byte(0, 7))
    enable_debug_causal = Array(Bool(at(0, 0)), 4, _byte(1, 6))
    enable_debug_acausal = Array(Bool(at(0, 0)), 4, _byte(1, 7))
    enable_cadc_neuron_readout_causal = Array(Bool(at(0, 0)), 4, _byte(2, 5))
    enable_cadc_neuron_readout_acausal = Array(Bool(at(0, 0)), 4, _byte(3, 5))

    @classmethod
    def _addresses(cls, enums):
        synram, quad = np.divmod(enums, halco.ColumnCorrelationQuadOnSynram.size)
        raw = (A.SYNAPSE_QUAD[synram] + quad + _QUADS_PER_SYNRAM * SynapseQuad.n_words
               + halco.ColumnCurrentQuadOnSynram.size * ColumnCurrentQuad.n_words)
        return np.stack([raw, raw + halco.ColumnCorrelationQuadOnSynram.size,
                         A.SYNAPSE_WEIGHTS[synram] + _QUADS_PER_SYNRAM + quad,
                         A.SYNAPSE_LABELS[synram] + _QUADS_PER_SYNRAM + quad], axis=1)


class ColumnCurrentQuad(SwitchQuad, Container, coordinate=halco.ColumnCurrentQuadOnDLS, words=2,
                        differential_write=True):
    """The synaptic-current switches (``ColumnCurrentSwitch``) of four synapse columns.

    Layout of the real ``ColumnCurrentQuad``: switch k sits in byte 3-k of each word; w0 the
    synaptic current onto the neuron's inputs (excitatory bit 0, inhibitory bit 1), w1 the
    shared debug line (excitatory bit 0, inhibitory bit 1). Words at even/odd-2MSB base + 16384
    + quad column. Synaptic currents reach the neurons only where enabled; all switches default
    off, as in haldls. ``get_switch``/``set_switch`` view one column as a ``ColumnCurrentSwitch``.
    """

    ColumnCurrentSwitch = switch_type(
        "ColumnCurrentSwitch", "ColumnCurrentQuad.ColumnCurrentSwitch",
        ("enable_synaptic_current_excitatory", "enable_synaptic_current_inhibitory",
         "enable_debug_excitatory", "enable_debug_inhibitory"),
        "The current switches of one column: its synaptic currents onto the neuron's inputs and "
        "onto the shared debug lines.", __name__)
    switch_type = ColumnCurrentSwitch

    enable_synaptic_current_excitatory = Array(Bool(at(0, 0)), 4, _byte(0, 0))
    enable_synaptic_current_inhibitory = Array(Bool(at(0, 0)), 4, _byte(0, 1))
    enable_debug_excitatory = Array(Bool(at(0, 0)), 4, _byte(1, 0))
    enable_debug_inhibitory = Array(Bool(at(0, 0)), 4, _byte(1, 1))

    @classmethod
    def _addresses(cls, enums):
        synram, quad = np.divmod(enums, halco.ColumnCurrentQuadOnSynram.size)
        return np.stack([A.SYNAPSE_EVEN_2MSB[synram] + _QUADS_PER_SYNRAM + quad,
                         A.SYNAPSE_ODD_2MSB[synram] + _QUADS_PER_SYNRAM + quad], axis=1)


class CommonSynramConfig(Container, coordinate=halco.CommonSynramConfigOnDLS, words=3):
    """Synram SRAM timing: precharge and write configuration per half, wait counter."""

    pc_conf_west = UInt(4, at(0, 0), default=8)
    pc_conf_east = UInt(4, at(0, 4), default=8)
    w_conf_west = UInt(8, at(1, 0), default=3)
    w_conf_east = UInt(8, at(1, 8), default=3)
    wait_ctr_clear = UInt(3, at(2, 0), default=4)

    @classmethod
    def _addresses(cls, enums):
        return A.COMMON_SYNRAM_CONFIG[enums][:, None] + np.arange(3)


#: CapMem block -> nibble in SynapseBiasSelection (block 1 lowest, then 0, 3, 2)
_BIAS_GROUP = {1: 0, 0: 1, 3: 2, 2: 3}


class SynapseBiasSelection(Container, coordinate=halco.SynapseBiasSelectionOnDLS, words=1):
    """Internal (CapMem) vs external synapse biases, per CapMem block.

    Bit order from the LSB: output, store, ramp, dac for block 1, then block 0, then 3, then 2.
    """

    enable_internal_output_bias = Array(Bool(at(0, 0), default=True), 4, lambda b: [at(0, 4 * _BIAS_GROUP[b] + 0)])
    enable_internal_store_bias = Array(Bool(at(0, 0), default=True), 4, lambda b: [at(0, 4 * _BIAS_GROUP[b] + 1)])
    enable_internal_ramp_bias = Array(Bool(at(0, 0), default=True), 4, lambda b: [at(0, 4 * _BIAS_GROUP[b] + 2)])
    enable_internal_dac_bias = Array(Bool(at(0, 0), default=True), 4, lambda b: [at(0, 4 * _BIAS_GROUP[b] + 3)])

    @classmethod
    def _addresses(cls, enums):
        return np.full((len(enums), 1), A.SYNAPSE_BIAS_SELECTION)



class CommonCorrelationConfig(Container, coordinate=halco.CommonCorrelationConfigOnDLS, words=4):
    """Correlation sensor timing of one synram (in PPU clock cycles) and the CADC ramp offsets.

    Layout of the real ``CommonCorrelationConfig`` (base + 0..3): w0 sense_delay[11:0],
    w1 reset_duration[11:0], w2 reset_fall_time[11:0], w3 reset_mode[0],
    cadc_v_offset_assignment: the right block's entry in bit 1 stored inverted, the left
    block's in bit 2 as it is (so the default assignment, each block its own offset, is 0b000).
    """

    class ResetMode(enum.IntEnum):
        normal = 0
        auto_calibrating = 1

    sense_delay = UInt(12, at(0, 0), default=1,
                       doc="wait between connecting the sensors to the CADC and the CADC read [PPU cycles]")
    reset_duration = UInt(12, at(1, 0), default=200,
                          doc="how long the sensors' capacitors see the reset voltage [PPU cycles]")
    reset_fall_time = UInt(12, at(2, 0), default=5,
                           doc="wait after disconnecting the reset voltage [PPU cycles]")
    reset_mode = Enum(ResetMode, 1, at(3, 0))
    #: per CapMemBlockOnHemisphere (left, right) the block whose CADC ramp offset voltage it uses
    #: (a CapMemBlockOnHemisphere enum: 0 left, 1 right)
    cadc_v_offset_assignment = Array(
        UInt(1, at(0, 0), doc="CapMemBlockOnHemisphere enum (0 left, 1 right) of the offset used"),
        2, lambda block: [at(3, 2 - block)], invert_entries=(False, True), default=(0, 1))

    @classmethod
    def _addresses(cls, enums):
        return A.COMMON_CORRELATION_CONFIG[enums][:, None] + np.arange(4)


class CorrelationReset(Container, coordinate=halco.CorrelationResetOnDLS, words=1, readable=False):
    """Trigger: reset the correlation sensors of four synapses."""

    @classmethod
    def _addresses(cls, enums):
        return _quad_rows(enums, A.CORRELATION_RESET)[:, None]


# -- synapse drivers and PADI ---------------------------------------------------------------------

class SynapseDriverConfig(Container, coordinate=halco.SynapseDriverOnDLS, words=3, differential_write=True):
    """One synapse driver: receiver, row-select mask, STP, row modes, Hagen-mode DAC.

    Quirks: ``enable_address_out`` is stored inverted (w0[14]), ``recovery`` bit-reversed
    (w1[3:0]), ``hagen_dac_offset`` inverted (w1[13:8]), ``enable_charge_sharing`` inverted (w2[6]).
    """

    class RowMode(enum.IntEnum):
        disabled = 0
        excitatory = 1
        inhibitory = 2
        excitatory_and_inhibitory = 3

    utilization = UInt(4, at(0, 0))
    offset = UInt(4, at(0, 4))
    enable_hagen_dac = Bool(at(0, 8))
    row_address_compare_mask = UInt(5, at(0, 9), default=0b11111)
    enable_address_out = Bool(at(0, 14), default=True, invert=True)
    enable_receiver = Bool(at(0, 15))
    recovery = UInt(4, at(1, 0), reverse=True)
    hagen_dac_offset = UInt(6, at(1, 8), invert=True)
    select_target_voltages = UInt(1, at(2, 0))
    enable_readout = Bool(at(2, 1))
    enable_renewing = Bool(at(2, 2))
    enable_hagen_modulation = Bool(at(2, 3))
    enable_stp = Bool(at(2, 4))
    enable_charge_sharing = Bool(at(2, 6), invert=True)
    enable_recovery = Bool(at(2, 7))
    # row modes: w1 exc_bottom[4], exc_top[5], inh_bottom[6], inh_top[7]
    row_mode_bottom = Enum(RowMode, 2, at(1, 4, 1, value_lo=0), at(1, 6, 1, value_lo=1))
    row_mode_top = Enum(RowMode, 2, at(1, 5, 1, value_lo=0), at(1, 7, 1, value_lo=1))

    @classmethod
    def _addresses(cls, enums):
        block, d = np.divmod(enums, 128)
        return A.SYNAPSE_DRIVER_SRAM[block][:, None] + 4 * d[:, None] + np.arange(3)


class PADIEvent(Container, coordinate=halco.PADIEventOnDLS, words=1, readable=False):
    """Inject an event onto PADI buses directly: fire_bus[3:0], event_address[21:16], row_select[26:22]."""

    fire_bus = Array(Bool(at(0, 0)), 4, lambda b: [at(0, b)])
    event_address = UInt(6, at(0, 16))
    row_select_address = UInt(5, at(0, 22))

    @property
    def hagen_address(self) -> int:
        """Bit 5 of ``event_address``: what the synapses match in the non-spiking mode."""
        return self.event_address >> 5

    @property
    def hagen_activation(self) -> int:
        """Bits 4..0 of ``event_address``: the activation code (32 - activation) that a
        driver with ``enable_hagen_modulation`` turns into a pulse."""
        return self.event_address & 0x1F

    @classmethod
    def _addresses(cls, enums):
        return A.PADI[enums][:, None]


class CommonPADIBusConfig(Container, coordinate=halco.CommonPADIBusConfigOnDLS, words=1):
    """Per bus: accept events from the L1 crossbar, extended timing, DAC enable pulse extension."""

    enable_spl1 = Array(Bool(at(0, 0)), 4, lambda b: [at(0, b)])
    enable_extended_timing = Array(Bool(at(0, 0)), 4, lambda b: [at(0, 4 + b)])
    dacen_pulse_extension = Array(UInt(4, at(0, 0)), 4, lambda b: [at(0, 16 + 4 * b)])

    @classmethod
    def _addresses(cls, enums):
        return A.PADI[enums][:, None] + 1


class CommonSTPConfig(Container, coordinate=halco.CommonSTPConfigOnDLS, words=1):
    """Recovery clock of the short-term plasticity circuits of one driver block."""

    recovery_clock_speed = UInt(4, at(0, 0))
    enable_recovery_clock = Bool(at(0, 4))

    @classmethod
    def _addresses(cls, enums):
        return A.PADI[enums][:, None] + 2
