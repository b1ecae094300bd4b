"""stadls: timed playback programs for the BrainScaleS-2 FPGA, tickets, connections and ``run``.

>>> builder = PlaybackProgramBuilder()
>>> builder.write(halco.TimerOnDLS(), haldls.Timer())
>>> ticket = builder.read(halco.SpikeCounterReadOnDLS())
>>> program = builder.done()
>>> with ManagedConnection() as connection:
...     run(connection, program)

The experiment helpers (:mod:`stadls.helpers`) append what every experiment repeats: MADC and
CADC recording (``enable_madc_recording``, ``enable_cadc_recording``), routing an input to a
synapse row (``route_input``, ``input_label``) and all-neuron CapMem writes
(``write_neuron_capmem``).
"""

from . import errors, units
from .builder import AbsoluteTimePlaybackProgramBuilder, PlaybackProgramBuilder
from .connection import Connection, ManagedConnection
from .dumper import Dumper, DumperDone, PlaybackProgramBuilderDumper, convert_to_builder
from .helpers import (enable_cadc_recording, enable_madc_recording, input_label, madc_trace,
                      read_cadc_membranes, route_input, synapse_driver_of_row, write_neuron_capmem,
                      write_synapse_row)
from .init import NOMINAL_CADC_RAMP, ChipInit, SystemInit, generate
from .ppu import (SymbolTicket, load_ppu_program, read_log, read_runtime_status, read_symbol,
                  start_ppu, stop_ppu, wait_for_ppu_sleep, write_symbol)
from .program import ArrayTicket, ContainerTicket, PlaybackProgram
from .run import run

__all__ = [
    "AbsoluteTimePlaybackProgramBuilder", "ArrayTicket", "ChipInit", "Connection", "ContainerTicket", "Dumper",
    "DumperDone", "ManagedConnection", "NOMINAL_CADC_RAMP", "PlaybackProgram", "PlaybackProgramBuilder",
    "PlaybackProgramBuilderDumper", "SystemInit", "SymbolTicket", "convert_to_builder", "errors",
    "generate", "load_ppu_program", "read_log", "read_runtime_status", "read_symbol", "run",
    "start_ppu", "stop_ppu",
    "enable_cadc_recording", "enable_madc_recording", "input_label", "madc_trace", "read_cadc_membranes",
    "route_input", "synapse_driver_of_row", "write_neuron_capmem", "write_synapse_row", "units", "wait_for_ppu_sleep", "write_symbol",
]
