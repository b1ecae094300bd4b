"""The whole chip as one value: ``Chip`` and the block containers it is made of.

A ``Chip`` gathers the configuration of every unit: the neuron block (512 ``AtomicNeuron`` and
the two backends), the two synapse matrices and synapse-driver blocks, the crossbar, the eight
background spike sources, the CapMem (block configurations and the shared cells), the two CADC
readout chains and the readout chain. It can be written (all leaves in a fixed order), read back,
compared, diffed (which coordinates differ), serialized (JSON and the compact binary form of
:mod:`haldls.archive`) and used as the initial configuration of an experiment.

Every composite here declares its parts once (:class:`~lola._composite.Part`: type, coordinate
type, count, in write order); the attributes, their checks, the words and addresses of a write,
``leaves()`` (``(coordinate, container)`` pairs in write order), reads, ``diff``, the archives and
``schema()`` are derived from that declaration (see :mod:`lola._composite`).
"""

from __future__ import annotations

import halco
import haldls
from ._composite import Composite, Part, Placement
from .errors import LolaValueError
from .neuron import AtomicNeuron
from .synapse import SynapseDriverBlock, SynapseMatrix


class NeuronBlock(Composite, coordinate=halco.NeuronBlockOnDLS, differential_write=True):
    """The two backend blocks and all 512 AtomicNeurons (in AtomicNeuronOnDLS order)."""

    backends = Part(haldls.CommonNeuronBackendConfig, halco.CommonNeuronBackendConfigOnDLS, 2)
    atomic_neurons = Part(AtomicNeuron, halco.AtomicNeuronOnDLS, 512)


class Crossbar(Composite, coordinate=halco.CrossbarOnDLS, differential_write=True):
    """The output configuration and the 76 crossbar nodes (in CrossbarNodeOnDLS order)."""

    outputs = Part(haldls.CrossbarOutputConfig, halco.CrossbarOutputConfigOnDLS)
    nodes = Part(haldls.CrossbarNode, halco.CrossbarNodeOnDLS, 76)


#: shared CapMem cells: columns 128 and 129 of each block
_SHARED_CELLS = tuple(halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock(
    halco.CapMemColumnOnCapMemBlock(col), halco.CapMemRowOnCapMemBlock(row)), halco.CapMemBlockOnDLS(block))
    for block in range(4) for col in (128, 129) for row in range(24))


class CapMem(Composite, coordinate=halco.CapMemOnDLS, differential_write=True):
    """Reference generator, bias selection, block configurations and the shared (global) cells.

    ``shared_cells`` holds the 192 cells of columns 128/129 (block-major, then column, then row),
    per-neuron cells belong to the AtomicNeurons.
    """

    reference_generator = Part(haldls.ReferenceGeneratorConfig, halco.ReferenceGeneratorConfigOnDLS)
    synapse_bias_selection = Part(haldls.SynapseBiasSelection, halco.SynapseBiasSelectionOnDLS)
    blocks = Part(haldls.CapMemBlockConfig, halco.CapMemBlockConfigOnDLS, 4)
    shared_cells = Part(haldls.CapMemCell, halco.CapMemCellOnDLS, coordinates=_SHARED_CELLS,
                        doc="Columns 128 and 129 of each block.")

    def set_shared(self, cell: halco.CapMemCellOnCapMemBlock, value: int, block: int | None = None) -> None:
        """Set a shared cell (e.g. ``CapMemCellOnCapMemBlock.syn_i_bias_dac``) in one or all blocks."""
        if not isinstance(cell, halco.CapMemCellOnCapMemBlock) or not cell.is_shared():
            raise LolaValueError(f"set_shared takes a shared cell (column 128 or 129 of a block, e.g. "
                                 f"CapMemCellOnCapMemBlock.syn_i_bias_dac), not {cell!r}")
        blocks = range(4) if block is None else (halco.CapMemBlockOnDLS(block).value(),)
        for b in blocks:
            coord = halco.CapMemCellOnDLS(cell, halco.CapMemBlockOnDLS(b))
            self.shared_cells[_SHARED_CELLS.index(coord)] = haldls.CapMemCell(value=value)


class CADCReadoutChain(Composite, coordinate=halco.CADCOnDLS, differential_write=True):
    """One hemisphere's CADC: configuration, correlation timing, channel offsets, column switches.

    The chain of ``hemisphere`` h lies at ``CADCOnDLS(h)``: its channels are
    ``CADCChannelConfigOnDLS`` h*512 .. h*512+511, its column switches
    ``ColumnCorrelationQuadOnDLS`` h*64 .. h*64+63.
    """

    hemisphere = Placement("0 (top) or 1 (bottom)")
    config = Part(haldls.CADCConfig, halco.CADCConfigOnDLS)
    correlation = Part(haldls.CommonCorrelationConfig, halco.CommonCorrelationConfigOnDLS)
    channels = Part(haldls.CADCChannelConfig, halco.CADCChannelConfigOnDLS, 512)
    column_switches = Part(haldls.ColumnCorrelationQuad, halco.ColumnCorrelationQuadOnDLS, 64)


class ReadoutChain(Composite, coordinate=halco.ReadoutChainOnDLS, differential_write=True):
    """MADC configuration, readout source selection and the pads' multiplexers."""

    madc_config = Part(haldls.MADCConfig, halco.MADCConfigOnDLS)
    source_selection = Part(haldls.ReadoutSourceSelection, halco.ReadoutSourceSelectionOnDLS)
    pads = Part(haldls.PadMultiplexerConfig, halco.PadMultiplexerConfigOnDLS, 2)


class Chip(Composite, coordinate=halco.ChipOnDLS, differential_write=True):
    """The whole chip's configuration as one value (written in the order of its parts)."""

    capmem = Part(CapMem, halco.CapMemOnDLS)
    crossbar = Part(Crossbar, halco.CrossbarOnDLS)
    background_spike_sources = Part(haldls.BackgroundSpikeSource, halco.BackgroundSpikeSourceOnDLS, 8)
    synapse_driver_blocks = Part(SynapseDriverBlock, halco.SynapseDriverBlockOnDLS, 2,
                                 doc="Top, then bottom hemisphere.")
    synapse_matrices = Part(SynapseMatrix, halco.SynapseMatrixOnDLS, 2, doc="Top, then bottom synram.")
    neuron_block = Part(NeuronBlock, halco.NeuronBlockOnDLS)
    cadc_readout_chains = Part(CADCReadoutChain, halco.CADCOnDLS, 2,
                               doc="Entry h has hemisphere h.")
    readout_chain = Part(ReadoutChain, halco.ReadoutChainOnDLS)

    @classmethod
    def default_neuron_bypass(cls) -> "Chip":
        """A chip whose neurons relay every excitatory input in bypass mode: all neurons with
        digital output (label = column % 256), all synapse drivers receiving with excitatory rows,
        PADI buses accepting crossbar events, L2 input 0 routed onto the buses, neuron spikes to
        the FPGA; the CapMem enabled."""
        chip = cls()
        for i, neuron in enumerate(chip.neuron_block.atomic_neurons):
            neuron.event_routing = AtomicNeuron.EventRouting.bypass_exc()
            neuron.event_routing.address = i % 256
        RowMode = haldls.SynapseDriverConfig.RowMode
        for block in chip.synapse_driver_blocks:
            block.padi_bus = haldls.CommonPADIBusConfig(enable_spl1=[True] * 4)
            for d in block.synapse_drivers:
                d.enable_receiver = True
                d.row_mode_top = RowMode.excitatory
                d.row_mode_bottom = RowMode.excitatory
        for inp in range(8):   # neuron spikes only to the FPGA
            for out in (inp % 4, 4 + inp % 4):
                chip.crossbar.nodes[halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(out),
                                                            halco.CrossbarInputOnDLS(inp)).to_enum()] = \
                    haldls.CrossbarNode.drop_all()
        return chip

