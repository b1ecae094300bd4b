"""The chip's layout as the router needs it: numpy tables derived once from ``halco.enum_map``
and the crossbar's node table, so that the routing code never re-derives the geometry.

Every table is indexed by enums (ints); ``-1`` marks "no such thing".
"""

from __future__ import annotations

import numpy as np

import halco

#: 16-bit spike label: SPL1 address [15:14], neuron label [13:0], row select [10:6], synapse
#: label [5:0], neuron event output [10:8]
SPL1_SHIFT = 14
ROW_SELECT_SHIFT = 6
EVENT_OUTPUT_SHIFT = 8
ROW_SELECT_MASK = 0x1F
#: NeuronLabel bits of the crossbar scheme (reference section 2.5 step 8)
BIT_BLOCK = 1 << 13          # external: target PADI bus block (hemisphere); background: top block
BIT_EXTERNAL_RECORD = 1 << 12
BIT_BACKGROUND_RECORD = 1 << 11

N_HEMISPHERES = halco.HemisphereOnDLS.size
N_COLUMNS = halco.NeuronColumnOnDLS.size
N_ATOMS = halco.AtomicNeuronOnDLS.size
N_BUSES = halco.PADIBusOnDLS.size
N_BUSES_PER_BLOCK = halco.PADIBusOnPADIBusBlock.size
N_DRIVERS_PER_BUS = halco.SynapseDriverOnPADIBus.size
N_ROWS_PER_BUS = 2 * N_DRIVERS_PER_BUS
N_ROWS_PER_SYNRAM = halco.SynapseRowOnSynram.size
N_EVENT_OUTPUTS = halco.NeuronEventOutputOnDLS.size
N_LABELS_PER_CHUNK = halco.SynapseLabel.size
N_ROW_SELECT = halco.PADIRowSelectAddress.size
N_SPL1 = halco.SPL1Address.size
MAX_WEIGHT = 63


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


# -- neurons ---------------------------------------------------------------------------------------
ATOM_HEMISPHERE = halco.enum_map(halco.AtomicNeuronOnDLS, halco.HemisphereOnDLS)
ATOM_COLUMN = halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronColumnOnDLS)
ATOM_EVENT_OUTPUT = halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronEventOutputOnDLS)


def _atom_of() -> np.ndarray:
    out = np.full((N_HEMISPHERES, N_COLUMNS), -1, dtype=np.int64)
    out[ATOM_HEMISPHERE, ATOM_COLUMN] = np.arange(N_ATOMS)
    return _readonly(out)


#: [hemisphere, column] -> AtomicNeuronOnDLS enum (the neuron a synapse column feeds)
ATOM_OF = _atom_of()

# -- PADI buses and synapse drivers ------------------------------------------------------------------
BUS_HEMISPHERE = halco.enum_map(halco.PADIBusOnDLS, halco.PADIBusBlockOnDLS)
BUS_ON_BLOCK = halco.enum_map(halco.PADIBusOnDLS, halco.PADIBusOnPADIBusBlock)


def _bus_of() -> np.ndarray:
    out = np.full((N_HEMISPHERES, N_BUSES_PER_BLOCK), -1, dtype=np.int64)
    out[BUS_HEMISPHERE, BUS_ON_BLOCK] = np.arange(N_BUSES)
    return _readonly(out)


#: [hemisphere, PADIBusOnPADIBusBlock] -> PADIBusOnDLS enum
BUS_OF = _bus_of()

_DRIVER_BUS = halco.enum_map(halco.SynapseDriverOnDLS, halco.PADIBusOnDLS)
_DRIVER_ON_BUS = halco.enum_map(halco.SynapseDriverOnDLS, halco.SynapseDriverOnSynapseDriverBlock,
                                halco.SynapseDriverOnPADIBus)


def _driver_of() -> np.ndarray:
    out = np.full((N_BUSES, N_DRIVERS_PER_BUS), -1, dtype=np.int64)
    out[_DRIVER_BUS, _DRIVER_ON_BUS] = np.arange(halco.SynapseDriverOnDLS.size)
    return _readonly(out)


#: [PADIBusOnDLS, SynapseDriverOnPADIBus] -> SynapseDriverOnDLS enum
DRIVER_OF = _driver_of()
#: SynapseDriverOnDLS -> its two SynapseRowOnDLS enums, ascending
DRIVER_ROWS = _readonly(np.sort(halco.enum_map(halco.SynapseDriverOnDLS, halco.SynapseRowOnDLS), axis=1))

# -- crossbar ------------------------------------------------------------------------------------------
N_CROSSBAR_INPUTS = halco.CrossbarInputOnDLS.size
N_CROSSBAR_OUTPUTS = halco.CrossbarOutputOnDLS.size


def _node_of() -> np.ndarray:
    out = np.full((N_CROSSBAR_INPUTS, N_CROSSBAR_OUTPUTS), -1, dtype=np.int64)
    inputs = halco.enum_map(halco.CrossbarNodeOnDLS, halco.CrossbarInputOnDLS)
    outputs = halco.enum_map(halco.CrossbarNodeOnDLS, halco.CrossbarOutputOnDLS)
    out[inputs, outputs] = np.arange(halco.CrossbarNodeOnDLS.size)
    return _readonly(out)


#: [CrossbarInputOnDLS, CrossbarOutputOnDLS] -> CrossbarNodeOnDLS enum, -1 where no node exists
NODE_OF = _node_of()
#: CrossbarOutputOnDLS of every PADI bus / L2 output
BUS_OUTPUT = halco.enum_map(halco.PADIBusOnDLS, halco.CrossbarOutputOnDLS)
L2_OUTPUT = halco.enum_map(halco.CrossbarL2OutputOnDLS, halco.CrossbarOutputOnDLS)
#: CrossbarInputOnDLS of every neuron event output / SPL1 address (L2 input) / background source
EVENT_OUTPUT_INPUT = halco.enum_map(halco.NeuronEventOutputOnDLS, halco.CrossbarInputOnDLS)
SPL1_INPUT = halco.enum_map(halco.SPL1Address, halco.CrossbarInputOnDLS)
BACKGROUND_INPUT = halco.enum_map(halco.BackgroundSpikeSourceOnDLS, halco.CrossbarInputOnDLS)


def _reached(inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """[source, target] -> whether the crossbar has a node from the source's input to it."""
    return _readonly(NODE_OF[inputs][:, targets] >= 0)


#: [event output, PADIBusOnDLS]: whether a node connects them (event output i -> buses i % 4)
EVENT_OUTPUT_REACHES_BUS = _reached(EVENT_OUTPUT_INPUT, BUS_OUTPUT)
#: [background source, PADIBusOnDLS]
BACKGROUND_REACHES_BUS = _reached(BACKGROUND_INPUT, BUS_OUTPUT)


def _single(reach: np.ndarray) -> np.ndarray:
    """For each source, per hemisphere, the one bus of that hemisphere it reaches (or -1)."""
    out = np.full((reach.shape[0], N_HEMISPHERES), -1, dtype=np.int64)
    for h in range(N_HEMISPHERES):
        for source in range(reach.shape[0]):
            buses = [b for b in BUS_OF[h] if reach[source, b]]
            if len(buses) == 1:
                out[source, h] = BUS_ON_BLOCK[buses[0]]
    return _readonly(out)


#: [event output, hemisphere] -> the PADIBusOnPADIBusBlock the event output feeds there
EVENT_OUTPUT_BUS = _single(EVENT_OUTPUT_REACHES_BUS)


def _background_of() -> np.ndarray:
    out = np.full(N_BUSES, -1, dtype=np.int64)
    for source in range(BACKGROUND_REACHES_BUS.shape[0]):
        buses = np.flatnonzero(BACKGROUND_REACHES_BUS[source])
        assert len(buses) == 1
        out[buses[0]] = source
    return _readonly(out)


#: PADIBusOnDLS -> the BackgroundSpikeSourceOnDLS enum that feeds it
BACKGROUND_SOURCE_OF_BUS = _background_of()
