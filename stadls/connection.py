"""Connections: anything with ``run(instructions) -> result``, ``revision`` and ``chip_id``.

:class:`ManagedConnection` opens the default backend, an in-process emulated chip; the backend can
be chosen by argument or by the ``BSS2_BACKEND`` environment variable (only ``emulator`` exists).
"""

from __future__ import annotations

import os
from typing import Any, Protocol

from .errors import StadlsError


class Connection(Protocol):
    revision: int
    chip_id: int

    def run(self, instructions: Any) -> Any: ...


class ManagedConnection:
    """Context manager giving a connection: ``with ManagedConnection() as connection: ...``.

    ``chip_id`` selects the emulated chip (its fixed-pattern mismatch and noise seeds);
    ``dt_us`` the emulator's integration step.
    """

    def __init__(self, backend: str | None = None, chip_id: int = 0, **options: Any) -> None:
        self.backend = backend or os.environ.get("BSS2_BACKEND", "emulator")
        if self.backend != "emulator":
            raise StadlsError(f"unknown backend {self.backend!r}; available: 'emulator'")
        self.chip_id = chip_id
        self.options = options
        self.connection: Any = None

    def __enter__(self) -> Any:
        from emulator import Emulator  # the hardware layer, imported only when a chip is needed

        self.connection = Emulator(chip_id=self.chip_id, **self.options)
        return self.connection

    def __exit__(self, *exc: Any) -> None:
        # the connection handed out refuses programs from now on, as a closed hxcomm one does
        if self.connection is not None:
            self.connection.close()
        self.connection = None
