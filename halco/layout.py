"""The chip's layout: every conversion between coordinate types that is not structural.

Structural conversions come with the primitives (a grid to its axes, a nested coordinate to its
local part and parent, the identity within a linked family, see :mod:`halco._core`). The rest is
declared here, once, as functions of enums: ``@conversion(Source, Target)`` over a function that
takes an enum (an int or an array of them) and gives the target's enum. From each declaration
follow the ``Source.to_<target>()`` method and the vectorized table
``halco.enum_map(Source, Target)``, which the emulator and calix index instead of re-deriving
the layout by hand. This module is loaded last, so it sees every type and no coordinate module
needs another one at call time.

Layout facts (BSS-2 revision 3):

- ``AtomicNeuronOnDLS`` enum = row*256 + column; NeuronConfig and CapMem blocks are the four
  quadrants (``enum // 128``); backend blocks are west/east halves, a backend enum is
  ``block*256 + row*128 + column % 128``.
- Synapse quads interleave: even columns in quad columns 0..31, odd ones in 32..63; for column
  ``s``: ``quad = (s % 2)*32 + s // 8`` and ``entry = (s // 2) % 4``.
- Synapse driver ``d`` feeds rows ``2d+1`` (its top row) and ``2d``; it sits on PADI bus
  ``d % 4`` of its hemisphere.
- Crossbar inputs 0..7 are the neuron event outputs, 8..11 the L2 inputs (SPL1 addresses),
  12..19 the background sources; outputs 0..7 are the PADI buses, 8..11 the L2 outputs.
"""

from __future__ import annotations

import numpy as np

from ._core import conversion, link
from .capmem import (
    _UNUSED, CapMemBlockOnDLS, CapMemBlockOnHemisphere, CapMemCellOnCapMemBlock, CapMemCellOnDLS,
    CapMemColumnOnCapMemBlock, CapMemRowOnCapMemBlock, UnusedCapMemCellOnDLS,
)
from .hemisphere import HemisphereOnDLS, SynramOnDLS
from .neuron import (
    AtomicNeuronOnDLS, NeuronBackendConfigBlockOnDLS, NeuronBackendConfigOnDLS,
    NeuronColumnOnDLS, NeuronConfigBlockOnDLS, NeuronConfigOnDLS, NeuronEventOutputOnDLS,
    NeuronResetOnDLS, NeuronResetQuadOnDLS, SpikeCounterReadOnDLS, SpikeCounterResetOnDLS,
)
from .ppu import PPUMemoryBlockOnPPU, PPUMemoryBlockSize, PPUMemoryWordOnPPU
from .readout import CADCChannelColumnOnSynram
from .routing import (
    BackgroundSpikeSourceOnDLS, CrossbarInputOnDLS, CrossbarL2OutputOnDLS, CrossbarOutputOnDLS,
    SPL1Address,
)
from .synapse import (
    ColumnCorrelationQuadOnSynram, ColumnCurrentQuadOnSynram, CorrelationResetOnDLS, EntryOnQuad,
    PADIBusOnDLS, PADIBusOnPADIBusBlock, SynapseCorrelationCalibQuadOnDLS,
    SynapseDriverOnDLS, SynapseDriverOnPADIBus, SynapseDriverOnSynapseDriverBlock,
    SynapseLabelQuadOnDLS, SynapseOnSynapseRow, SynapseOnSynram, SynapseQuadColumnOnDLS,
    SynapseQuadOnDLS, SynapseQuadOnSynram, SynapseRowOnDLS, SynapseRowOnSynapseDriver,
    SynapseRowOnSynram, SynapseWeightQuadOnDLS,
)

_ENTRIES = range(EntryOnQuad.size)

# -- columns: neurons, synapses, quads, CADC channels -------------------------------------------
link(NeuronColumnOnDLS, SynapseOnSynapseRow, CADCChannelColumnOnSynram)
# the column switches of a quad are indexed like the synapse quad columns
link(SynapseQuadColumnOnDLS, ColumnCorrelationQuadOnSynram, ColumnCurrentQuadOnSynram)


@conversion(NeuronColumnOnDLS, CapMemColumnOnCapMemBlock)
def _(column):
    return column % 128


@conversion(NeuronColumnOnDLS, NeuronEventOutputOnDLS)
def _(column):
    return column // 32


@conversion(NeuronColumnOnDLS, NeuronBackendConfigBlockOnDLS)
def _(column):
    return column // 128


@conversion(SynapseOnSynapseRow, SynapseQuadColumnOnDLS)
def _(column):
    return (column % 2) * 32 + column // 8


@conversion(SynapseOnSynapseRow, EntryOnQuad)
def _(column):
    return (column // 2) % 4


def _quad_columns(quad):
    """The four synapse columns of a quad column, by EntryOnQuad."""
    return [((quad % 32) * 4 + entry) * 2 + quad // 32 for entry in _ENTRIES]


conversion(SynapseQuadColumnOnDLS, SynapseOnSynapseRow, many=4)(_quad_columns)
conversion(SynapseQuadColumnOnDLS, NeuronColumnOnDLS, many=4)(_quad_columns)


@conversion(SynapseOnSynram, SynapseQuadOnSynram)
def _(synapse):
    column, row = synapse % 256, synapse // 256
    return row * SynapseQuadColumnOnDLS.size + (column % 2) * 32 + column // 8


def _quad_block(quad):
    """The NeuronConfig (quadrant) block under a quad of a synram: the left half of the array
    holds quad columns 0..15 and 32..47."""
    synram, column = quad // SynapseQuadOnSynram.size, quad % SynapseQuadColumnOnDLS.size
    return synram * 2 + (column % 32 >= 16)


for _quad in (SynapseQuadOnDLS, SynapseWeightQuadOnDLS, SynapseLabelQuadOnDLS,
              SynapseCorrelationCalibQuadOnDLS, CorrelationResetOnDLS):
    conversion(_quad, NeuronConfigBlockOnDLS)(_quad_block)


# -- atomic neurons and their blocks -------------------------------------------------------------
def _backend(neuron):
    """Backend enum of an atomic neuron: block*256 + row*128 + column % 128."""
    column, row = neuron % 256, neuron // 256
    return (column // 128) * 256 + row * 128 + column % 128


def _atomic(backend):
    """Atomic neuron of a backend enum (the inverse of :func:`_backend`)."""
    block, local = backend // 256, backend % 256
    return (local // 128) * 256 + block * 128 + local % 128


for _target in (NeuronBackendConfigOnDLS, NeuronResetOnDLS, SpikeCounterReadOnDLS,
                SpikeCounterResetOnDLS):
    conversion(AtomicNeuronOnDLS, _target)(_backend)
    conversion(_target, AtomicNeuronOnDLS)(_atomic)
link(AtomicNeuronOnDLS, NeuronConfigOnDLS)


@conversion(AtomicNeuronOnDLS, NeuronConfigBlockOnDLS)
def _(neuron):
    return neuron // 128


@conversion(AtomicNeuronOnDLS, CapMemBlockOnDLS)
def _(neuron):
    return neuron // 128


@conversion(AtomicNeuronOnDLS, CapMemColumnOnCapMemBlock)
def _(neuron):
    return neuron % 128


@conversion(AtomicNeuronOnDLS, CapMemCellOnDLS, many=CapMemRowOnCapMemBlock.size)
def _(neuron):
    """The neuron's 24 cells, by CapMemRowOnCapMemBlock: its block's column ``column % 128``."""
    base = (neuron // 128) * CapMemCellOnCapMemBlock.size + neuron % 128
    return [base + row * CapMemColumnOnCapMemBlock.size for row in range(CapMemRowOnCapMemBlock.size)]


@conversion(AtomicNeuronOnDLS, NeuronEventOutputOnDLS)
def _(neuron):
    return neuron % 256 // 32


@conversion(AtomicNeuronOnDLS, NeuronBackendConfigBlockOnDLS)
def _(neuron):
    return neuron % 256 // 128


@conversion(AtomicNeuronOnDLS, HemisphereOnDLS)
def _(neuron):
    return neuron // 256


@conversion(AtomicNeuronOnDLS, SynramOnDLS)
def _(neuron):
    return neuron // 256


link(NeuronConfigBlockOnDLS, CapMemBlockOnDLS)


@conversion(CapMemBlockOnDLS, CapMemBlockOnHemisphere)
def _(block):
    return block % 2


@conversion(CapMemBlockOnDLS, HemisphereOnDLS)
def _(block):
    return block // 2


_UNUSED_CELLS = np.array(_UNUSED, dtype=np.int64)


@conversion(UnusedCapMemCellOnDLS, CapMemCellOnDLS)
def _(unused):
    return _UNUSED_CELLS[unused]


@conversion(NeuronEventOutputOnDLS, NeuronColumnOnDLS, many=32)
def _(output):
    """The 32 columns whose spikes leave through this output."""
    return [32 * output + i for i in range(32)]


@conversion(NeuronResetQuadOnDLS, NeuronResetOnDLS, many=EntryOnQuad.size)
def _(reset):
    """The four neurons under the quad column, by EntryOnQuad."""
    synram, quad = reset // SynapseQuadColumnOnDLS.size, reset % SynapseQuadColumnOnDLS.size
    return [_backend(synram * 256 + column) for column in _quad_columns(quad)]


# -- synapse rows, drivers, PADI buses -----------------------------------------------------------
@conversion(SynapseRowOnSynram, SynapseDriverOnSynapseDriverBlock)
def _(row):
    return row // 2


@conversion(SynapseRowOnSynram, SynapseRowOnSynapseDriver)
def _(row):
    """Odd rows are the driver's top row (0), even rows its bottom row (1)."""
    return 1 - row % 2


@conversion(SynapseRowOnDLS, SynapseDriverOnDLS)
def _(row):
    return row // 2


@conversion(SynapseDriverOnSynapseDriverBlock, SynapseRowOnSynram, many=2)
def _(driver):
    """By SynapseRowOnSynapseDriver: (top = 2d+1, bottom = 2d)."""
    return [2 * driver + 1, 2 * driver]


@conversion(SynapseDriverOnSynapseDriverBlock, PADIBusOnPADIBusBlock)
def _(driver):
    return driver % 4


@conversion(SynapseDriverOnSynapseDriverBlock, SynapseDriverOnPADIBus)
def _(driver):
    return driver // 4


@conversion(SynapseDriverOnDLS, SynapseRowOnDLS, many=2)
def _(driver):
    """The two rows in plain order (2d, 2d+1), as in halco."""
    return [2 * driver, 2 * driver + 1]


@conversion(SynapseDriverOnDLS, PADIBusOnDLS)
def _(driver):
    return (driver // 128) * 4 + driver % 4


@conversion(SynapseDriverOnDLS, CapMemBlockOnDLS)
def _(driver):
    return 2 * (driver // 128) + driver % 2


@conversion(SynapseDriverOnDLS, HemisphereOnDLS)
def _(driver):
    return driver // 128


# -- crossbar ------------------------------------------------------------------------------------
@conversion(PADIBusOnDLS, CrossbarOutputOnDLS)
def _(bus):
    return bus


@conversion(NeuronEventOutputOnDLS, CrossbarInputOnDLS)
def _(output):
    return output


@conversion(CrossbarInputOnDLS, NeuronEventOutputOnDLS, optional=True)
def _(inp):
    return np.where(inp < 8, inp, -1)


@conversion(CrossbarInputOnDLS, SPL1Address, optional=True)
def _(inp):
    return np.where((inp >= 8) & (inp < 12), inp - 8, -1)


@conversion(CrossbarInputOnDLS, BackgroundSpikeSourceOnDLS, optional=True)
def _(inp):
    return np.where(inp >= 12, inp - 12, -1)


@conversion(CrossbarOutputOnDLS, PADIBusOnDLS, optional=True)
def _(out):
    return np.where(out < 8, out, -1)


@conversion(CrossbarOutputOnDLS, CrossbarL2OutputOnDLS, optional=True)
def _(out):
    return np.where(out >= 8, out - 8, -1)


@conversion(CrossbarL2OutputOnDLS, CrossbarOutputOnDLS)
def _(out):
    return out + 8


@conversion(SPL1Address, CrossbarInputOnDLS)
def _(address):
    return address + 8


@conversion(BackgroundSpikeSourceOnDLS, CrossbarInputOnDLS)
def _(source):
    return source + 12


# -- PPU memory ----------------------------------------------------------------------------------
@conversion(PPUMemoryBlockOnPPU, PPUMemoryBlockSize)
def _(block):
    """Number of words, max - min + 1."""
    n = PPUMemoryWordOnPPU.size
    return block % n - block // n + 1
