"""Neuron containers: NeuronConfig, NeuronBackendConfig, CommonNeuronBackendConfig, triggers, counters."""

from __future__ import annotations

import enum

import numpy as np

import halco
from .._container import Container
from .._fields import Array, Bool, Enum, UInt, at
from . import addresses as A


def _per_backend_neuron(base: np.ndarray, enums: np.ndarray) -> np.ndarray:
    """One word per neuron at ``base[block] + 4 n`` (n = neuron within its backend block)."""
    block, n = np.divmod(enums, 256)
    return (base[block] + 4 * n)[:, None]


class NeuronConfig(Container, coordinate=halco.NeuronConfigOnDLS, words=6, differential_write=True):
    """Switches of one neuron circuit: 6 words, low 8 bits used, at quadrant base + 2 + 8n + i."""

    class ReadoutSource(enum.IntEnum):
        membrane = 0
        exc_synin = 1
        inh_synin = 2
        adaptation = 3

    enable_reset_degeneration = Bool(at(0, 0))
    enable_reset_division = Bool(at(0, 1))
    enable_reset_multiplication = Bool(at(0, 2))
    enable_leak_degeneration = Bool(at(0, 3))
    enable_leak_division = Bool(at(0, 4))
    enable_leak_multiplication = Bool(at(0, 5))
    enable_strong_fire = Bool(at(0, 6))
    enable_synaptic_input_inhibitory_coba_mode = Bool(at(1, 1))
    enable_synaptic_input_excitatory_coba_mode = Bool(at(1, 2))
    enable_unbuffered_access = Bool(at(1, 3))
    enable_readout_amplifier = Bool(at(1, 4))
    readout_source = Enum(ReadoutSource, 2, at(1, 5))
    enable_readout = Bool(at(1, 7))
    invert_adaptation_b = Bool(at(2, 0))
    invert_adaptation_a = Bool(at(2, 1))
    enable_adaptation = Bool(at(2, 2))
    enable_exponential = Bool(at(2, 3))
    enable_synaptic_input_inhibitory_small_capacitance = Bool(at(2, 4))
    enable_synaptic_input_excitatory_small_capacitance = Bool(at(2, 5))
    enable_synaptic_input_inhibitory_high_resistance = Bool(at(2, 6))
    enable_synaptic_input_excitatory_high_resistance = Bool(at(2, 7))
    enable_membrane_offset = Bool(at(3, 0))
    membrane_capacitor_size = UInt(6, at(3, 2))
    invert_membrane_offset = Bool(at(4, 0))
    enable_fire = Bool(at(4, 2))
    enable_threshold_comparator = Bool(at(4, 3))
    enable_synaptic_input_inhibitory = Bool(at(4, 4))
    enable_synaptic_input_excitatory = Bool(at(4, 5))
    enable_bypass_inhibitory = Bool(at(4, 6))
    enable_bypass_excitatory = Bool(at(4, 7))
    connect_soma_right = Bool(at(5, 0))
    connect_bottom = Bool(at(5, 1))
    enable_multicomp_conductance = Bool(at(5, 2))
    connect_membrane_right = Bool(at(5, 3))
    connect_soma = Bool(at(5, 4))
    enable_multiply_multicomp_conductance_bias = Bool(at(5, 5))
    enable_divide_multicomp_conductance_bias = Bool(at(5, 6))
    enable_pause = Bool(at(5, 7))

    @classmethod
    def _addresses(cls, enums):
        block, n = np.divmod(enums, 128)
        return A.NEURON_SRAM[block][:, None] + 2 + 8 * n[:, None] + np.arange(6)


class NeuronBackendConfig(
    Container, coordinate=halco.NeuronBackendConfigOnDLS, words=4, differential_write=True
):
    """Digital backend of one neuron: spike output, label, refractory counter, Bayesian logic.

    Quirks of the real layout: ``address_out`` and ``refractory_time`` are stored inverted and
    split over two words; ``reset_holdoff`` is split over w0[7:6] and w1[7:6].
    """

    address_out = UInt(8, at(0, 0, 6, value_lo=2), at(1, 4, 2, value_lo=0), invert=True)
    reset_holdoff = UInt(4, at(0, 6, 2, value_lo=0), at(1, 6, 2, value_lo=2), default=15)
    refractory_time = UInt(8, at(1, 0, 4, value_lo=4), at(2, 2, 4, value_lo=0), invert=True)
    post_overwrite = Bool(at(2, 0))
    select_input_clock = UInt(1, at(2, 1))
    enable_adaptation_pulse = Bool(at(2, 6))
    enable_bayesian_extension = Bool(at(2, 7), default=True)
    enable_neuron_slave = Bool(at(3, 0))
    connect_fire_bottom = Bool(at(3, 1))
    connect_fire_from_right = Bool(at(3, 2))
    connect_fire_to_right = Bool(at(3, 3))
    enable_spike_out = Bool(at(3, 4))
    enable_neuron_master = Bool(at(3, 5))
    enable_bayesian_1 = Bool(at(3, 6))
    enable_bayesian_0 = Bool(at(3, 7))

    @classmethod
    def _addresses(cls, enums):
        block, n = np.divmod(enums, 256)
        return A.NEURON_BACKEND_SRAM[block][:, None] + 4 * n[:, None] + np.arange(4)


class CommonNeuronBackendConfig(Container, coordinate=halco.CommonNeuronBackendConfigOnDLS, words=2):
    """Clocks and timing shared by one backend block. ClockScale s gives 250 MHz / 2**(s+1)."""

    enable_event_registers = Bool(at(0, 0), default=True)
    force_reset = Bool(at(0, 1))
    enable_clocks = Bool(at(0, 2), default=True)
    clock_scale_slow = UInt(4, at(0, 4))
    clock_scale_fast = UInt(4, at(0, 8))
    sample_positive_edge = Array(Bool(at(0, 0), default=True), 4, lambda e: [at(0, 12 + e)])
    clock_scale_adaptation_pulse = UInt(4, at(0, 16))
    clock_scale_post_pulse = UInt(4, at(0, 20))
    wait_global_post_pulse = UInt(8, at(1, 0), default=1)
    wait_spike_counter_reset = UInt(8, at(1, 8), default=4)
    wait_spike_counter_read = UInt(8, at(1, 16), default=112)
    wait_fire_neuron = UInt(8, at(1, 24), default=4)

    @classmethod
    def _addresses(cls, enums):
        return A.COMMON_NEURON_BACKEND[enums][:, None] + np.arange(2)


class NeuronReset(Container, coordinate=halco.NeuronResetOnDLS, words=1, readable=False):
    """Trigger: writing any value resets the neuron's membrane."""

    @classmethod
    def _addresses(cls, enums):
        return _per_backend_neuron(A.NEURON_RESET, enums)


class SpikeCounterReset(Container, coordinate=halco.SpikeCounterResetOnDLS, words=1, readable=False):
    """Trigger: writing any value clears the neuron's spike counter."""

    @classmethod
    def _addresses(cls, enums):
        return _per_backend_neuron(A.SPIKE_COUNTER_RESET, enums)


class SpikeCounterRead(Container, coordinate=halco.SpikeCounterReadOnDLS, words=1, writable=False):
    """8-bit spike counter of one neuron; ``overflow`` is set once it passed 255."""

    count = UInt(8, at(0, 0))
    overflow = Bool(at(0, 8))

    @classmethod
    def _addresses(cls, enums):
        return _per_backend_neuron(A.SPIKE_COUNTER_READ, enums)


class BlockPostPulse(Container, coordinate=halco.BlockPostPulseOnDLS, words=1, readable=False):
    """Trigger: a post pulse to every neuron of one backend block (for plasticity)."""

    @classmethod
    def _addresses(cls, enums):
        return A.BLOCK_POST_PULSE[enums][:, None]


class NeuronResetQuad(Container, coordinate=halco.NeuronResetQuadOnDLS, words=1, readable=False):
    """Trigger (v3): reset the four neurons below a quad column, at a pseudo-row of the correlation reset."""

    @classmethod
    def _addresses(cls, enums):
        synram, quad = np.divmod(enums, 64)
        return (A.CORRELATION_RESET[synram] + 256 * 64 + quad)[:, None]
