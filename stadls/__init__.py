"""stadls: timed playback programs for the BrainScaleS-2 FPGA, tickets, connections and ``run``.

>>> builder = PlaybackProgramBuilder()
>>> builder.write(halco.TimerOnDLS(), haldls.Timer())
>>> ticket = builder.read(halco.SpikeCounterReadOnDLS())
>>> program = builder.done()
>>> with ManagedConnection() as connection:
...     run(connection, program)
"""

from . import errors
from .builder import AbsoluteTimePlaybackProgramBuilder, PlaybackProgramBuilder
from .connection import Connection, ManagedConnection
from .dumper import Dumper, DumperDone, PlaybackProgramBuilderDumper, convert_to_builder
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
    "start_ppu", "stop_ppu", "wait_for_ppu_sleep", "write_symbol",
]
