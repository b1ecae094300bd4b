"""Helpers shared by the examples: write one neuron's 24 CapMem cells and its switches.

(The lola layer will offer ``AtomicNeuron`` for this; these examples use bit-level containers.)
"""

from __future__ import annotations

import halco
import haldls
import stadls


def capmem_cell(neuron: halco.AtomicNeuronOnDLS, row: str) -> halco.CapMemCellOnDLS:
    """The CapMem cell holding parameter ``row`` (a CapMemRowOnCapMemBlock name) of ``neuron``."""
    return halco.CapMemCellOnDLS(
        halco.CapMemCellOnCapMemBlock(neuron.to_capmem_column_on_capmem_block(),
                                      getattr(halco.CapMemRowOnCapMemBlock, row)),
        neuron.to_capmem_block_on_dls())


def write_capmem(builder: stadls.PlaybackProgramBuilder, neuron: halco.AtomicNeuronOnDLS,
                 **values: int) -> None:
    """Write CapMem parameters, e.g. ``v_leak=1000, i_bias_leak=150``."""
    for row, value in values.items():
        builder.write(capmem_cell(neuron, row), haldls.CapMemCell(value=value))


def atomic(column: int, row: int = 0) -> halco.AtomicNeuronOnDLS:
    return halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(column), halco.NeuronRowOnDLS(row))


def init_builder(clock_scale_slow: int = 4) -> stadls.PlaybackProgramBuilder:
    """SystemInit with the neuron backends' slow clock at 250 MHz / 2**(scale+1) (4: 7.8 MHz)."""
    init = stadls.SystemInit()
    init.chip.common_neuron_backend = haldls.CommonNeuronBackendConfig(clock_scale_slow=clock_scale_slow)
    builder, _ = stadls.generate(init)
    return builder
