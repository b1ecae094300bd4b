"""User playback commands injected into an execution instance's program (grenade's
``ExecutionInstanceHooks``)."""

from __future__ import annotations

import attrs

import stadls
from haldls import wire
from ..errors import ArgumentTypeError


def _builder(value: object) -> stadls.PlaybackProgramBuilder:
    builder = stadls.PlaybackProgramBuilder() if value is None else value
    if not isinstance(builder, stadls.PlaybackProgramBuilder) or not builder.is_write_only():
        raise ArgumentTypeError(f"a hook is a write-only stadls.PlaybackProgramBuilder (it is copied "
                           f"into every batch entry), not {type(value).__name__}")
    return builder


def _absolute(value: object) -> stadls.AbsoluteTimePlaybackProgramBuilder:
    builder = stadls.AbsoluteTimePlaybackProgramBuilder() if value is None else value
    if not isinstance(builder, stadls.AbsoluteTimePlaybackProgramBuilder):
        raise ArgumentTypeError(f"inside_realtime is a write-only stadls.AbsoluteTimePlaybackProgramBuilder, "
                           f"not {type(value).__name__}")
    return builder


@attrs.define
class ExecutionInstanceHooks:
    """Builders copied into the program of every batch entry, in this order: ``pre_static_config``
    (once, before the configuration), ``pre_realtime``, ``inside_realtime_begin`` (just before
    the realtime section's timer reset), ``inside_realtime`` (commands at times after the
    reset, interleaved with the input spikes; all before the runtime), ``inside_realtime_end``
    (after the runtime), ``post_realtime`` (after the readouts)."""

    pre_static_config: stadls.PlaybackProgramBuilder = attrs.field(default=None, converter=_builder)
    pre_realtime: stadls.PlaybackProgramBuilder = attrs.field(default=None, converter=_builder)
    inside_realtime_begin: stadls.PlaybackProgramBuilder = attrs.field(default=None, converter=_builder)
    inside_realtime: stadls.AbsoluteTimePlaybackProgramBuilder = attrs.field(default=None, converter=_absolute)
    inside_realtime_end: stadls.PlaybackProgramBuilder = attrs.field(default=None, converter=_builder)
    post_realtime: stadls.PlaybackProgramBuilder = attrs.field(default=None, converter=_builder)

    def empty(self) -> bool:
        """Whether no hook holds a command."""
        return all(getattr(self, a.name).empty() for a in attrs.fields(type(self)))

    def last_realtime_time(self) -> int | None:
        """The time [FPGA cycles] of the last command or spike of ``inside_realtime`` (None if
        it is empty): it must lie before the runtime, where the realtime section ends."""
        if self.inside_realtime.empty():
            return None
        probe = stadls.AbsoluteTimePlaybackProgramBuilder()
        probe.copy_back(self.inside_realtime)            # the hook itself stays as it is
        instructions = probe.done().instructions()
        waits = instructions["data"][instructions["opcode"] == wire.Opcode.WAIT_UNTIL]
        return int(waits.max()) if len(waits) else 0
