"""``JITGraphExecutor``: the chips an experiment runs on, one connection each, and what each
connection's chip holds.

A chip is named by its index on the executor (``chip_on_executor`` of the on-chip vertices).
Emulated chips are ``stadls`` connections with their own ``chip_id`` (their own mismatch), made
on first use; a connection given in is used as it is. The executor remembers the configuration
last written to each chip, so that a later run writes only what changed (grenade's stateful
connection), and holds one lock per chip: two execution instances never use a chip at once.

Execution instances run as tasks of a ``concurrent.futures.Executor`` (default: a thread pool
with one worker per chip). A task drives a connection of this process and updates what the
executor knows of its chip, so the executor must run tasks in this process: a thread pool (or
Dask's ``Client(processes=False).get_executor()``). A process pool cannot hold these
connections; the executor is checked when the ``JITGraphExecutor`` is made. To spread
experiments over machines, give connections to remote chips (any ``stadls.Connection``): the
threads then only wait for them.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import threading
from typing import Any, Mapping, Sequence

import numpy as np

import stadls
from ..errors import ArgumentTypeError, InvalidArgumentError

#: tokens marked by the probe task of :func:`_check_shares_memory` (in this process only)
_SEEN: set[int] = set()
_TOKENS = itertools.count()
#: how long the probe task may take to be run [s]
_PROBE_TIMEOUT_S = 60.0


def _mark(token: int) -> None:
    _SEEN.add(token)


def _check_shares_memory(executor: concurrent.futures.Executor) -> None:
    """Run a task that marks a token in this process's memory: in another process (a process
    pool, a remote worker) the mark lands in a copy and the token stays unmarked here."""
    token = next(_TOKENS)
    try:
        executor.submit(_mark, token).result(timeout=_PROBE_TIMEOUT_S)
    except Exception as err:             # noqa: BLE001 - any failure means: not usable
        raise InvalidArgumentError(f"the executor {type(executor).__name__} could not run a probe task "
                                   f"({type(err).__name__}: {err}); grenade needs an executor that "
                                   "runs tasks in this process (a thread pool)") from err
    if token not in _SEEN:
        raise InvalidArgumentError(
            f"the executor {type(executor).__name__} runs tasks outside this process: grenade's "
            "execution instances drive the executor's chip connections, which live in this process "
            "(with a lock and the configuration each chip holds), so they need an executor that shares "
            "this process's memory: a thread pool (concurrent.futures.ThreadPoolExecutor, Dask's "
            "Client(processes=False).get_executor()). To use many machines, give connections to "
            "remote chips.")
    _SEEN.discard(token)


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
    per chip; a given one must run tasks in this process, see the module's documentation).

    ``chip_ids`` gives emulated chips (index i on the executor is ``chip_ids[i]``; default
    ``[0]``); ``connections`` gives connections instead (any ``stadls.Connection``).
    """

    def __init__(self, chip_ids: Sequence[int] | None = None,
                 connections: Mapping[int, stadls.Connection] | Sequence[stadls.Connection] | None = None,
                 executor: concurrent.futures.Executor | None = None,
                 **emulator_options: Any) -> None:
        self._managed: list[Any] = []
        self._own_pool = False
        self._chips: dict[int, ChipState] = {}
        try:
            self._open(chip_ids, connections, emulator_options)
            if executor is not None and not isinstance(executor, concurrent.futures.Executor):
                raise ArgumentTypeError(f"executor must be a concurrent.futures.Executor, not "
                                        f"{type(executor).__name__}")
            if executor is not None:
                _check_shares_memory(executor)
            self._own_pool = executor is None
            self.executor = executor or concurrent.futures.ThreadPoolExecutor(
                max_workers=max(1, len(self._chips)), thread_name_prefix="grenade")
        except BaseException:
            self._close_connections()          # nothing opened here outlives a failed init
            raise

    def _open(self, chip_ids: Sequence[int] | None, connections: Any, emulator_options: dict) -> None:
        if connections is not None and chip_ids is not None:
            raise InvalidArgumentError("give either chip_ids (emulated chips) or connections, not both")
        if connections is not None:
            items = connections.items() if isinstance(connections, Mapping) else enumerate(connections)
            for index, connection in items:
                if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)) or index < 0:
                    raise InvalidArgumentError(f"connections are keyed by chip index (int >= 0), not {index!r}")
                if not (hasattr(connection, "run") and hasattr(connection, "revision")):
                    raise ArgumentTypeError(f"connection {index} is not a stadls connection: "
                                            f"{type(connection).__name__}")
                self._chips[int(index)] = ChipState(connection)
            if not self._chips:
                raise InvalidArgumentError("an executor needs at least one connection")
            return
        ids = [0] if chip_ids is None else list(chip_ids)
        if not ids:
            raise InvalidArgumentError("an executor needs at least one chip (chip_ids)")
        for index, chip_id in enumerate(ids):
            managed = stadls.ManagedConnection(chip_id=chip_id, **emulator_options)
            connection = managed.__enter__()
            self._managed.append(managed)
            self._chips[index] = ChipState(connection)

    def chips(self) -> list[int]:
        """The chip indices of the executor."""
        return sorted(self._chips)

    def state(self, chip: int) -> ChipState:
        try:
            return self._chips[chip]
        except KeyError:
            raise InvalidArgumentError(f"the graph uses chip {chip}; this executor has chips "
                                       f"{self.chips()}") from None

    def connection(self, chip: int = 0) -> stadls.Connection:
        return self.state(chip).connection

    def forget_configuration(self, chip: int | None = None) -> None:
        """Write the whole configuration again on the next run (e.g. after something else
        changed the chip)."""
        for index in (self.chips() if chip is None else [chip]):
            self.state(index).config = None

    def _close_connections(self) -> None:
        for managed in reversed(self._managed):
            managed.__exit__(None, None, None)
        self._managed = []

    def close(self) -> None:
        if self._own_pool:
            self.executor.shutdown(wait=True)
        self._close_connections()

    def __enter__(self) -> "JITGraphExecutor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"JITGraphExecutor(chips {self.chips()})"
