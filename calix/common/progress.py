"""A progress bar for calibrations a person waits on: one line on stderr, redrawn per step
(``neuron calibration [#####.....] 5/9 tau_mem 12 s``).

On by default when stderr is a terminal; :func:`set_progress` (or the environment variable
``CALIX_PROGRESS=0``/``1``) switches it off or on. It is not part of a calibration's options,
so it does not change what the cache keys.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

_ENABLED: bool | None = None
WIDTH = 20


def set_progress(enabled: bool | None) -> None:
    """Show progress bars (True), never (False), or when stderr is a terminal (None)."""
    global _ENABLED
    if enabled is not None and not isinstance(enabled, bool):
        raise TypeError(f"set_progress takes True, False or None, not {enabled!r}")
    _ENABLED = enabled


def progress_enabled(stream: TextIO | None = None) -> bool:
    """Whether a progress bar is shown on ``stream`` (default stderr)."""
    if _ENABLED is not None:
        return _ENABLED
    env = os.environ.get("CALIX_PROGRESS")
    if env is not None:
        return env.strip().lower() not in ("0", "false", "no", "off", "")
    stream = sys.stderr if stream is None else stream
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    """``with Progress("neuron calibration", total) as bar: bar.step("leak")``: the bar before
    each step and once more when done; nothing if progress is off."""

    def __init__(self, description: str, total: int, stream: TextIO | None = None) -> None:
        self.description = description
        self.total = int(total)
        self.stream = sys.stderr if stream is None else stream
        self.enabled = progress_enabled(self.stream)
        self.done = 0
        self.start = time.perf_counter()

    def _draw(self, label: str) -> None:
        if not self.enabled:
            return
        filled = WIDTH * self.done // max(self.total, 1)
        elapsed = time.perf_counter() - self.start
        self.stream.write(f"\r{self.description} [{'#' * filled}{'.' * (WIDTH - filled)}] "
                          f"{self.done}/{self.total} {label:<24.24} {elapsed:4.0f} s")
        self.stream.flush()

    def step(self, label: str) -> None:
        """Step ``label`` starts (after the previous ones)."""
        self._draw(label)
        self.done += 1

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.done = self.total if exc[0] is None else self.done
        self._draw("done" if exc[0] is None else "failed")
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
