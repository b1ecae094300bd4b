"""Injection hooks: user configuration written at fixed points of every run
(:class:`InjectedConfiguration`, grenade's ``ExecutionInstanceHooks``) and coordinates read
before and after it (:class:`InjectedReadout`)."""

from __future__ import annotations

import dataclasses
from typing import Any

import stadls
from grenade.execution import ExecutionInstanceHooks


def _builder(value: Any, what: str) -> stadls.PlaybackProgramBuilder | None:
    if value is None:
        return None
    if isinstance(value, dict):
        builder = stadls.PlaybackProgramBuilder()
        for coordinate, container in value.items():
            builder.write(coordinate, container)
        return builder
    if isinstance(value, stadls.PlaybackProgramBuilder):
        return value
    raise TypeError(f"InjectedConfiguration.{what} takes a dict coordinate -> container or a "
                    f"stadls.PlaybackProgramBuilder, not {type(value).__name__}")


@dataclasses.dataclass
class InjectedConfiguration:
    """Configuration written in every run: ``pre_non_realtime`` (before the static
    configuration), ``pre_realtime``, ``inside_realtime_begin`` (just before the realtime
    section), ``inside_realtime`` (a ``stadls.AbsoluteTimePlaybackProgramBuilder`` of commands
    at times in the realtime section), ``inside_realtime_end`` and ``post_realtime``. The
    others take a dict coordinate -> container (lola or haldls) or a write-only
    ``stadls.PlaybackProgramBuilder``."""

    pre_non_realtime: Any = dataclasses.field(default_factory=dict)
    pre_realtime: Any = dataclasses.field(default_factory=dict)
    inside_realtime_begin: Any = dataclasses.field(default_factory=dict)
    inside_realtime: Any = None
    inside_realtime_end: Any = dataclasses.field(default_factory=dict)
    post_realtime: Any = dataclasses.field(default_factory=dict)
    ppu_symbols: Any = dataclasses.field(default_factory=dict)

    def to_hooks(self) -> ExecutionInstanceHooks:
        if self.ppu_symbols:
            raise NotImplementedError("InjectedConfiguration.ppu_symbols: PPU programs (plasticity rules) "
                                      "are not supported by this backend yet")
        return ExecutionInstanceHooks(
            pre_static_config=_builder(self.pre_non_realtime, "pre_non_realtime"),
            pre_realtime=_builder(self.pre_realtime, "pre_realtime"),
            inside_realtime_begin=_builder(self.inside_realtime_begin, "inside_realtime_begin"),
            inside_realtime=self.inside_realtime,
            inside_realtime_end=_builder(self.inside_realtime_end, "inside_realtime_end"),
            post_realtime=_builder(self.post_realtime, "post_realtime"))


@dataclasses.dataclass
class InjectedReadout:
    """Coordinates read in every run: ``pre_realtime`` just before it and ``post_realtime``
    just after it (``get_pre_realtime_read()`` / ``get_post_realtime_read()`` give coordinate
    -> container of the last run)."""

    pre_realtime: set = dataclasses.field(default_factory=set)
    inside_realtime_begin: set = dataclasses.field(default_factory=set)
    inside_realtime_end: set = dataclasses.field(default_factory=set)
    post_realtime: set = dataclasses.field(default_factory=set)
    ppu_symbols: set = dataclasses.field(default_factory=set)

    def check(self) -> None:
        for name in ("inside_realtime_begin", "inside_realtime_end", "ppu_symbols"):
            if getattr(self, name):
                raise NotImplementedError(f"InjectedReadout.{name} is not supported by this backend yet "
                                          "(pre_realtime and post_realtime are)")


__all__ = ["InjectedConfiguration", "InjectedReadout"]
