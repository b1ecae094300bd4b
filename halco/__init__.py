"""halco: typed coordinates of the BrainScaleS-2 chip (revision 3) and its FPGA.

Every coordinate is a small immutable value with an enum, built from one of four primitives
(ranged integer, grid, nested, interval). ``iter_all(T)`` yields every value of ``T`` in enum
order; conversions are ``to_<target>()`` methods, each declared once as a function of enums
(:mod:`halco.layout`), and ``enum_map(Source, Target)`` gives a whole conversion as one
numpy array for vectorized code.

>>> import halco
>>> n = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(3), halco.NeuronRowOnDLS(1))
>>> n.to_enum(), n.to_neuron_column_on_dls()
(259, NeuronColumnOnDLS(3))
>>> int(halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronBackendConfigOnDLS)[259])
131
"""

from . import capmem, errors, fpga, hemisphere, neuron, ppu, readout, routing, synapse
from ._core import (
    Conversion, Coordinate, Grid, Interval, Nested, RangedInt, all_coordinate_types, conversions,
    enum_map, iter_all, snake_case,
)
from .capmem import CAPMEM_BLOCK_CELL_NAMES, CAPMEM_DLS_CELL_NAMES, CAPMEM_ROW_NAMES
from .logical_neuron import LogicalNeuronCompartments, LogicalNeuronOnDLS
from . import layout  # noqa: E402  - last: it declares the layout over every type

# every concrete coordinate type is part of the public surface
globals().update({t.__name__: t for t in all_coordinate_types()})
