"""User playback commands injected into an execution instance's program (grenade's
``ExecutionInstanceHooks``)."""

from __future__ import annotations

import attrs

import stadls
from ..errors import GrenadeError


def _builder(value: object) -> stadls.PlaybackProgramBuilder:
    builder = stadls.PlaybackProgramBuilder() if value is None else value
    if not isinstance(builder, stadls.PlaybackProgramBuilder) or not builder.is_write_only():
        raise GrenadeError(f"a hook is a write-only stadls.PlaybackProgramBuilder (it is copied "
                           f"into every batch entry), not {type(value).__name__}")
    return builder


def _absolute(value: object) -> stadls.AbsoluteTimePlaybackProgramBuilder:
    builder = stadls.AbsoluteTimePlaybackProgramBuilder() if value is None else value
    if not isinstance(builder, stadls.AbsoluteTimePlaybackProgramBuilder):
        raise GrenadeError(f"inside_realtime is a write-only stadls.AbsoluteTimePlaybackProgramBuilder, "
                           f"not {type(value).__name__}")
    return builder


@attrs.define
class ExecutionInstanceHooks:
    """Builders copied into the program of every batch entry, in this order: ``pre_static_config``
    (once, before the configuration), ``pre_realtime``, ``inside_realtime_begin`` (just before
    the realtime section's timer reset), ``inside_realtime`` (commands at times after the
    reset, interleaved with the input spikes), ``inside_realtime_end`` (after the runtime),
    ``post_realtime`` (after the readouts)."""

    pre_static_config: stadls.PlaybackProgramBuilder = attrs.field(default=None, converter=_builder)
    pre_realtime: stadls.PlaybackProgramBuilder = attrs.field(default=None, converter=_builder)
    inside_realtime_begin: stadls.PlaybackProgramBuilder = attrs.field(default=None, converter=_builder)
    inside_realtime: stadls.AbsoluteTimePlaybackProgramBuilder = attrs.field(default=None, converter=_absolute)
    inside_realtime_end: stadls.PlaybackProgramBuilder = attrs.field(default=None, converter=_builder)
    post_realtime: stadls.PlaybackProgramBuilder = attrs.field(default=None, converter=_builder)
