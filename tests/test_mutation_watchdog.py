"""make mutation's watchdog (benchmarks/mutation.py): a mutant that loops forever is stopped
after HANG_SECONDS; younger ones and other processes' children are left alone."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

MUTATION = Path(__file__).resolve().parent.parent / "benchmarks" / "mutation.py"


@pytest.fixture
def mutation(monkeypatch):
    spec = importlib.util.spec_from_file_location("_mutation_script", MUTATION)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "_mutation_script", module)
    spec.loader.exec_module(module)
    return module


def test_children_older_than_the_limit_are_stopped_and_younger_ones_left(mutation, monkeypatch):
    old = subprocess.Popen(["sleep", "30"])
    time.sleep(2.5)
    young = subprocess.Popen(["sleep", "30"])
    try:
        monkeypatch.setattr(mutation, "HANG_SECONDS", 2.0)
        mutation._stop_hanging_mutants(os.getpid())
        assert old.wait(timeout=5) == -9
        assert young.poll() is None
        mutation._stop_hanging_mutants(young.pid)      # not its parent: nothing to stop
        assert young.poll() is None
    finally:
        for p in (old, young):
            if p.poll() is None:
                p.kill()
                p.wait()
