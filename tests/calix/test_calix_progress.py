"""The progress bar of long calibrations: drawn per step, switched off and on."""

from __future__ import annotations

import io

import pytest

from calix.common import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def automatic(monkeypatch):
    monkeypatch.delenv("CALIX_PROGRESS", raising=False)
    yield
    progress.set_progress(None)


def test_a_terminal_sees_every_step_and_the_end():
    out = Terminal()
    with progress.Progress("neuron calibration", 3, stream=out) as bar:
        for label in ("leak", "tau_mem", "reset"):
            bar.step(label)
    lines = out.getvalue().split("\r")[1:]
    assert [line.split()[3] for line in lines] == ["0/3", "1/3", "2/3", "3/3"]
    assert "[" + "#" * progress.WIDTH + "]" in lines[-1] and "done" in lines[-1]
    assert out.getvalue().endswith("\n")


def test_off_by_default_without_a_terminal_and_switchable(monkeypatch):
    quiet = io.StringIO()
    with progress.Progress("x", 2, stream=quiet) as bar:
        bar.step("a")
    assert quiet.getvalue() == ""
    progress.set_progress(True)
    with progress.Progress("x", 1, stream=quiet) as bar:
        bar.step("a")
    assert "1/1" in quiet.getvalue()
    progress.set_progress(False)
    terminal = Terminal()
    with progress.Progress("x", 1, stream=terminal) as bar:
        bar.step("a")
    assert terminal.getvalue() == ""
    progress.set_progress(None)
    monkeypatch.setenv("CALIX_PROGRESS", "0")
    assert not progress.progress_enabled(Terminal())
    monkeypatch.setenv("CALIX_PROGRESS", "1")
    assert progress.progress_enabled(io.StringIO())
    with pytest.raises(TypeError, match="True, False or None"):
        progress.set_progress("yes")


def test_a_failure_is_shown_as_such():
    out = Terminal()
    with pytest.raises(RuntimeError):
        with progress.Progress("x", 3, stream=out) as bar:
            bar.step("a")
            raise RuntimeError("stop")
    assert "failed" in out.getvalue() and "1/3" in out.getvalue().split("\r")[-1]
