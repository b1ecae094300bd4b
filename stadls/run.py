"""``run(connection, program)``: execute a playback program and deliver its results."""

from __future__ import annotations

import warnings
from typing import Any

from haldls import wire
from .errors import (ArgumentTypeError, BuilderError, FPGAError, IncompleteResultError,
                     PPUTrapWarning, RevisionMismatchError)
from .program import PlaybackProgram


def run(connection: Any, program: PlaybackProgram | list[PlaybackProgram]) -> dict[str, Any]:
    """Run ``program`` on ``connection``; afterwards its tickets, ``spikes`` and ``madc_samples``
    hold the results. Raises if the revision differs, the FPGA reports an error, or any ticket got
    no data; partial results are never presented as complete. A PPU that trapped is reported
    as a :class:`~stadls.errors.PPUTrapWarning` (and in ``info["ppu_traps"]``). Returns run-time
    information."""
    if isinstance(program, list):
        if len(program) != 1:
            raise BuilderError(f"run takes one program per FPGA; this connection has one FPGA, "
                               f"got {len(program)} programs")
        program = program[0]
    if not isinstance(program, PlaybackProgram):
        raise ArgumentTypeError(f"run: expected a PlaybackProgram (from builder.done()), got "
                                f"{type(program).__name__}")
    if not (hasattr(connection, "run") and hasattr(connection, "revision")):
        raise ArgumentTypeError(f"run: expected a connection (stadls.ManagedConnection, or an "
                                f"emulator.Emulator), got {type(connection).__name__}")
    program._clear_results()
    if program.revision != connection.revision:
        raise RevisionMismatchError(
            f"program built for chip revision {program.revision}, connection is to revision "
            f"{connection.revision} (chip {connection.chip_id})"
        )
    result = connection.run(program.instructions)
    # before any error below: a PPU's trap is reported even when the program failed
    for message in result.info.get("ppu_traps", ()):
        warnings.warn(message, PPUTrapWarning, stacklevel=2)
    timeouts = result.responses[result.responses["kind"] == wire.ResponseKind.TIMEOUT]
    if len(timeouts):
        index = int(timeouts["data"][0])
        op = wire.Opcode(int(program.instructions["opcode"][index])).name
        reason = result.info.get("timeout_reason")
        raise FPGAError(
            f"instruction timeout: instruction {index} ({op}) blocked longer than the "
            f"InstructionTimeoutConfig allows; the program was aborted"
            + (f" ({reason})" if reason else "")
        )
    n_read = int((result.responses["kind"] == wire.ResponseKind.READ_DATA).sum())
    if n_read != program.n_reads:
        raise IncompleteResultError(
            f"Not all response data to PlaybackPrograms valid: {n_read} read words arrived, "
            f"{program.n_reads} expected"
        )
    program._set_results(result.responses, result.spikes, result.madc_samples, result.info)
    return result.info
