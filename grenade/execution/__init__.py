"""Execution of signal-flow graphs on (emulated) chips: :class:`JITGraphExecutor` and
:func:`run` (grenade's ``execution``)."""

from .executor import JITGraphExecutor
from .hooks import ExecutionInstanceHooks
from .instance import configuration
from .run import run

__all__ = ["ExecutionInstanceHooks", "JITGraphExecutor", "configuration", "run"]
