"""Analog readout of neurons: the membrane ADC (MADC) and the columnar ADC (CADC)."""

from __future__ import annotations

import copy
import enum
from typing import Any

import attrs
import numpy as np

import halco
import lola
from ...common import FPGA_CYCLES_PER_US
from ...errors import InvalidVertexError
from ..port import ConnectionType, Port, PortRestriction
from .base import EntityOnChip, Vertex, chip_field, restricted
from .neuron import NeuronView

#: what a neuron's readout shows (membrane, exc_synin, inh_synin, adaptation): the one
#: definition of grenade (the network layer uses it too)
ReadoutSource = lola.AtomicNeuron.Readout.Source


def readout_source(value: Any, error: type[Exception] = InvalidVertexError) -> "ReadoutSource":
    """A :data:`ReadoutSource` from itself, its value or its name; ``error`` names the choices."""
    try:
        return ReadoutSource[value] if isinstance(value, str) else ReadoutSource(value)
    except (KeyError, ValueError):
        raise error(f"a readout source is one of {[s.name for s in ReadoutSource]}, not {value!r}") from None


@attrs.frozen
class MADCSource:
    """One neuron the MADC samples and which of its potentials."""

    coord: halco.AtomicNeuronOnDLS
    type: Any = attrs.field(default=ReadoutSource.membrane, converter=readout_source)


@attrs.frozen(eq=False)
class MADCReadoutView(EntityOnChip):
    """The MADC samples ``first_source`` (and, alternating, ``second_source``, a neuron in a
    column of the other parity)."""

    first_source: MADCSource
    second_source: MADCSource | None = None
    chip_on_executor: int = chip_field()
    one_per_execution_instance = "the chip has one MADC; it samples one or two sources"

    def __attrs_post_init__(self) -> None:
        second = self.second_source
        if second is not None and (second.coord.x.value() % 2) == (self.first_source.coord.x.value() % 2):
            raise InvalidVertexError("the MADC's two sources must lie in columns of different parity")

    def sources(self) -> list[MADCSource]:
        return [s for s in (self.first_source, self.second_source) if s is not None]

    def inputs(self) -> tuple[Port, ...]:
        return tuple(Port(1, ConnectionType.MembraneVoltage) for _ in self.sources())

    def output(self) -> Port:
        return Port(1, ConnectionType.TimedMADCSampleFromChipSequence)

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        if isinstance(source, NeuronView):
            wanted = self.sources()[index].coord
            neurons = restricted(np.array([n.to_enum() for n in source.atomic_neurons()]), restriction)
            if neurons.tolist() != [wanted.to_enum()]:
                return f"input {index} is {wanted!r}; the neuron view gives {len(neurons)} other neurons"
        return None

    def apply_config(self, chip: lola.Chip) -> None:
        """Each source's readout connected to its line with its potential selected, source i
        on multiplexer (MADC channel) i; two sources alternate sample by sample; the MADC
        samples continuously (the executor starts and stops it)."""
        selection = copy.deepcopy(chip.readout_chain.source_selection)
        for mux, source in enumerate(self.sources()):
            neuron = chip.neuron_block.atomic_neurons[source.coord.to_enum()]
            readout = neuron.readout
            readout.enable_buffered_access = True
            readout.enable_amplifier = True
            readout.source = source.type
            neuron.readout = readout
            # the multiplexer connects the line of the neuron's column parity and hemisphere
            multiplexer = halco.SourceMultiplexerOnReadoutSourceSelection(mux)
            connection = selection.get_buffer(multiplexer)
            line = "neuron_odd" if source.coord.x.value() % 2 else "neuron_even"
            getattr(connection, line)[source.coord.y.value()] = True
            selection.set_buffer(multiplexer, connection)
        chip.readout_chain.source_selection = selection
        chip.readout_chain.madc_config = attrs.evolve(
            chip.readout_chain.madc_config, number_of_samples=0,
            active_mux_initially_selected_input=0,
            active_mux_input_select_length=1 if self.second_source is not None else 0)


class CADCMode(enum.Enum):
    """``end``: one read of every channel after the run; ``periodic``: a read of every channel
    every ``period_us`` during the run (from time 0 on), each with its time."""

    end = "end"
    periodic = "periodic"


def _period(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value < 0:
        raise InvalidVertexError(f"CADCMembraneReadoutView.period_us is a number of us >= 0, not {value!r}")
    return float(value)


@attrs.frozen(eq=False)
class CADCMembraneReadoutView(EntityOnChip):
    """CADC reads of the membranes of ``columns`` (groups, one input port each) of ``synram``:
    once after the run (``mode`` end), or every ``period_us`` during it (``mode`` periodic:
    the FPGA reads the CADC channels at those times, so that each read has its time). The
    output carries each channel's 8-bit code less 128 (Int8, as the real software's CADC data;
    see :mod:`grenade.signal_flow.data` for the periodic form)."""

    columns: tuple = attrs.field(converter=lambda gs: tuple(tuple(int(c) for c in g) for g in gs))
    synram: halco.SynramOnDLS = attrs.field(
        converter=lambda s: s if isinstance(s, halco.SynramOnDLS) else halco.SynramOnDLS(s))
    mode: CADCMode = attrs.field(default=CADCMode.end, converter=CADCMode)
    period_us: float = attrs.field(default=0.0, converter=_period)
    chip_on_executor: int = chip_field()

    def __attrs_post_init__(self) -> None:
        flat = [c for g in self.columns for c in g]
        if not flat or len(set(flat)) != len(flat) or any(not 0 <= c <= 255 for c in flat):
            raise InvalidVertexError(f"CADC columns must be unique, at least one, and lie in 0..255, "
                                     f"not {flat[:16]}")
        if self.mode is CADCMode.periodic and self.period_cycles() < 1:
            raise InvalidVertexError(f"a periodic CADC readout needs period_us >= 1 FPGA cycle (0.008 us), "
                                     f"not {self.period_us}")
        if self.mode is CADCMode.end and self.period_us:
            raise InvalidVertexError(f"a CADC readout at the end of the run has no period (period_us 0, "
                                     f"not {self.period_us}); use mode=CADCMode.periodic for reads every "
                                     f"period_us")

    def period_cycles(self) -> int:
        """The period of a periodic readout in FPGA cycles (125 per us, rounded)."""
        return int(round(self.period_us * FPGA_CYCLES_PER_US))

    def all_columns(self) -> list[int]:
        return [c for g in self.columns for c in g]

    def inputs(self) -> tuple[Port, ...]:
        return tuple(Port(len(g), ConnectionType.MembraneVoltage) for g in self.columns)

    def output(self) -> Port:
        return Port(len(self.all_columns()), ConnectionType.Int8)

    def input_problem(self, index: int, source: Vertex, restriction: PortRestriction | None) -> str | None:
        problem = super().input_problem(index, source, restriction)
        if problem:
            return problem
        if isinstance(source, NeuronView):
            columns = restricted(source.columns, restriction)
            if source.row.value() != self.synram.value() or columns.tolist() != list(self.columns[index]):
                return (f"input {index} is synram {self.synram.value()} columns {list(self.columns[index])[:8]}, "
                        f"the neuron view gives row {source.row.value()} columns {columns.tolist()[:8]}")
        return None

    def apply_config(self, chip: lola.Chip) -> None:
        """The causal CADC channel of each column connected to its neuron's membrane; the CADC on."""
        chain = chip.cadc_readout_chains[self.synram.value()]
        chain.config = attrs.evolve(chain.config, enable=True)
        quad_of = halco.enum_map(halco.SynapseOnSynapseRow, halco.SynapseQuadColumnOnDLS)
        entry_of = halco.enum_map(halco.SynapseOnSynapseRow, halco.EntryOnQuad)
        for column in self.all_columns():
            quad = chain.column_switches[quad_of[column]]
            enable = list(quad.enable_cadc_neuron_readout_causal)
            enable[entry_of[column]] = True
            chain.column_switches[quad_of[column]] = attrs.evolve(
                quad, enable_cadc_neuron_readout_causal=enable)

