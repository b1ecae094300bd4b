"""Helpers shared by the examples: one neuron's CapMem cells and switches, an input routed to it.

The general helpers (MADC and CADC recording, routing, all-neuron CapMem writes) are public in
:mod:`stadls.helpers`; these are the examples' shorthands built on them.
"""

from __future__ import annotations

import math

import halco
import haldls
import stadls


def write_capmem(builder: stadls.PlaybackProgramBuilder, neuron: halco.AtomicNeuronOnDLS,
                 **values: int) -> None:
    """Write CapMem parameters of one neuron, e.g. ``v_leak=1000, i_bias_leak=150``."""
    stadls.write_neuron_capmem(builder, values, neuron)


def madc_samples(duration_us: float) -> int:
    """The number of MADC samples that covers ``duration_us`` [us] at the default MADCConfig
    and PLL (29.4 samples per us, the real chip's rate)."""
    rate = haldls.MADCConfig().calculate_sample_rate(haldls.DEFAULT_MADC_BASE_FREQUENCY)
    return math.ceil(duration_us * 1e-6 * rate)


def atomic(column: int, row: int = 0) -> halco.AtomicNeuronOnDLS:
    return halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(column), halco.NeuronRowOnDLS(row))


def init_builder(clock_scale_slow: int = 4) -> stadls.PlaybackProgramBuilder:
    """SystemInit with the neuron backends' slow clock at 250 MHz / 2**(scale+1) (4: 7.8 MHz)."""
    init = stadls.SystemInit()
    init.chip.common_neuron_backend = haldls.CommonNeuronBackendConfig(clock_scale_slow=clock_scale_slow)
    builder, _ = stadls.generate(init)
    return builder


def configure_neuron(builder: stadls.PlaybackProgramBuilder, neuron: halco.AtomicNeuronOnDLS,
                     capmem: dict[str, int], config: dict, backend: dict | None = None) -> None:
    """CapMem cells, NeuronConfig and NeuronBackendConfig of one neuron."""
    write_capmem(builder, neuron, **capmem)
    builder.write(neuron.to_neuron_config_on_dls(), haldls.NeuronConfig(**config))
    builder.write(neuron.to_neuron_backend_config_on_dls(), haldls.NeuronBackendConfig(**(backend or {})))


def route_input(builder: stadls.PlaybackProgramBuilder, column: int, weight: int,
                synapse_label: int = 5, inhibitory: bool = False,
                driver: haldls.SynapseDriverConfig | None = None) -> int:
    """Route FPGA spikes with the returned label to the neuron in ``column`` (top hemisphere).

    L2 input 0 -> PADI bus 0 (not looped back to the FPGA) -> synapse driver 0, whose top row
    (synapse row 1) is excitatory or inhibitory -> the synapse in ``column`` with ``weight`` and
    ``synapse_label``. ``driver`` replaces the driver configuration (e.g. to enable STP).
    """
    row = halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(1), halco.SynramOnDLS.top)
    mode = haldls.SynapseDriverConfig.RowMode.inhibitory if inhibitory else haldls.SynapseDriverConfig.RowMode.excitatory
    stadls.route_input(builder, row, mode, driver=driver)
    set_weight(builder, column, weight, synapse_label)
    return stadls.input_label(row, synapse_label)


def set_weight(builder: stadls.PlaybackProgramBuilder, column: int, weight: int, synapse_label: int = 5) -> None:
    """Weight and label of the synapse in row 1, ``column`` (the other three of its quad: weight 0)."""
    synapse = halco.SynapseOnSynapseRow(column)
    quad = haldls.SynapseQuad()
    quad.weights[synapse.to_entry_on_quad().value()] = weight
    quad.labels[synapse.to_entry_on_quad().value()] = synapse_label
    builder.write(halco.SynapseQuadOnDLS(halco.SynapseQuadOnSynram(
        synapse.to_synapse_quad_column_on_dls(), halco.SynapseRowOnSynram(1)), halco.SynramOnDLS.top), quad)


def spike(builder: stadls.PlaybackProgramBuilder, time_us: float, label: int) -> None:
    """Wait until ``time_us`` after the timer reset and send one spike."""
    builder.wait_until(int(round(time_us * 125)))
    builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([label]))
