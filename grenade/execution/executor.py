"""``JITGraphExecutor``: the chips an experiment runs on, one connection each, and what each
connection's chip holds.

A chip is named by its index on the executor (``chip_on_executor`` of the on-chip vertices).
Emulated chips are ``stadls`` connections with their own ``chip_id`` (their own mismatch), made
on first use; a connection given in is used as it is. The executor remembers the configuration
last written to each chip, so that a later run writes only what changed (grenade's stateful
connection), and holds one lock per chip: two execution instances never use a chip at once.
"""

from __future__ import annotations

import concurrent.futures
import threading
from typing import Any, Mapping, Sequence

import stadls
from ..errors import GrenadeError


class ChipState:
    """What the executor knows of one chip: its connection, whether it was initialized, the
    ``lola.Chip`` last written, and a lock."""

    def __init__(self, connection: stadls.Connection) -> None:
        self.connection = connection
        self.initialized = False
        self.config: Any = None
        self.lock = threading.Lock()


class JITGraphExecutor:
    """Connections to the chips of an experiment and the ``concurrent.futures.Executor`` that
    runs independent execution instances concurrently (default: a thread pool with one worker
    per chip).

    ``chip_ids`` gives emulated chips (index i on the executor is ``chip_ids[i]``; default
    ``[0]``); ``connections`` gives connections instead (any ``stadls.Connection``).
    """

    def __init__(self, chip_ids: Sequence[int] | None = None,
                 connections: Mapping[int, stadls.Connection] | Sequence[stadls.Connection] | None = None,
                 executor: concurrent.futures.Executor | None = None,
                 **emulator_options: Any) -> None:
        if connections is not None and chip_ids is not None:
            raise GrenadeError("give either chip_ids (emulated chips) or connections, not both")
        self._managed: list[Any] = []
        if connections is not None:
            items = connections.items() if isinstance(connections, Mapping) else enumerate(connections)
            self._chips = {}
            for index, connection in items:
                if not (hasattr(connection, "run") and hasattr(connection, "revision")):
                    raise GrenadeError(f"connection {index} is not a stadls connection: "
                                       f"{type(connection).__name__}")
                self._chips[int(index)] = ChipState(connection)
        else:
            ids = [0] if chip_ids is None else list(chip_ids)
            if not ids:
                raise GrenadeError("an executor needs at least one chip")
            self._chips = {}
            for index, chip_id in enumerate(ids):
                managed = stadls.ManagedConnection(chip_id=chip_id, **emulator_options)
                self._chips[index] = ChipState(managed.__enter__())
                self._managed.append(managed)
        self._own_pool = executor is None
        self.executor = executor or concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, len(self._chips)), thread_name_prefix="grenade")
        if not isinstance(self.executor, concurrent.futures.Executor):
            raise GrenadeError(f"executor must be a concurrent.futures.Executor, not "
                               f"{type(executor).__name__}")

    def chips(self) -> list[int]:
        """The chip indices of the executor."""
        return sorted(self._chips)

    def state(self, chip: int) -> ChipState:
        try:
            return self._chips[chip]
        except KeyError:
            raise GrenadeError(f"the graph uses chip {chip}; this executor has chips "
                               f"{self.chips()}") from None

    def connection(self, chip: int = 0) -> stadls.Connection:
        return self.state(chip).connection

    def forget_configuration(self, chip: int | None = None) -> None:
        """Write the whole configuration again on the next run (e.g. after something else
        changed the chip)."""
        for index in (self.chips() if chip is None else [chip]):
            self.state(index).config = None

    def close(self) -> None:
        if self._own_pool:
            self.executor.shutdown(wait=True)
        for managed in self._managed:
            managed.__exit__(None, None, None)
        self._managed = []

    def __enter__(self) -> "JITGraphExecutor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"JITGraphExecutor(chips {self.chips()})"
