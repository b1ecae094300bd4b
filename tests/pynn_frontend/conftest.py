"""Fixtures shared by the pynn_frontend tests' modules."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def calib_cache(tmp_path_factory) -> str:
    """One calibration cache for the test session (all modules): each set of targets is
    calibrated once."""
    return str(tmp_path_factory.mktemp("calix"))
