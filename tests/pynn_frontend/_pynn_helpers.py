"""Shared pieces of the pynn_frontend tests: a fixture that ends every simulation, neuron
parameter sets of the real tutorials, and small readers of Neo data."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import halco
import lola
import pynn_frontend as pynn

#: the PyNN examples (their shared module ``_pynn_setup`` holds the tutorials' parameter sets)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pynn"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))
from _pynn_setup import INTEGRATOR, LOT, spike_times, trace, window  # noqa: E402,F401


def example(name: str) -> ModuleType:
    """The example ``examples/pynn/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(f"pynn_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_example(name: str, tmp_path_factory: Any, **kwargs: Any) -> Any:
    """``examples/pynn/<name>.py``'s main() once, its plot saved (and not empty); its results."""
    path = tmp_path_factory.mktemp(name) / f"{name}.png"
    results = example(name).main(path, **kwargs)
    assert path.stat().st_size > 10_000
    return results


@pytest.fixture
def sim():
    """The backend; every simulation the test started is ended afterwards."""
    yield pynn
    pynn.end()


def cadc_chip() -> lola.Chip:
    """A configuration whose CADC ramps cover the membrane's range (uncalibrated values)."""
    chip = lola.Chip()
    cells = halco.CapMemCellOnCapMemBlock
    for cell, value in {cells.cadc_v_bias_ramp_buf: 400, cells.cadc_i_bias_comp: 1022,
                        cells.cadc_i_bias_vreset_buf: 1022, cells.cadc_v_ramp_offset: 50,
                        cells.cadc_i_ramp_slope: 350}.items():
        chip.capmem.set_shared(cell, value)
    return chip


@pytest.fixture
def bio():
    """The backend in biological time; every simulation the test started is ended afterwards."""
    import pynn_frontend.biological as biological

    yield biological
    biological.end()


class CalibrateSpy:
    """Stands in for ``calix.calibrate`` in the backend: records each target and returns a
    given (real) result, so that the glue is tested without calibrating again."""

    def __init__(self, result) -> None:
        self.result = result
        self.calls: list[dict] = []

    def __call__(self, target, options=None, cache_paths=None, cache_read_only=False, connection=None):
        self.calls.append({"target": target, "options": options, "cache_paths": cache_paths,
                           "connection": connection})
        return self.result


@pytest.fixture
def spy(result, monkeypatch):
    """A CalibrateSpy in place of ``calix.calibrate``, returning the requesting module's
    ``result`` fixture (a real calibration)."""
    from pynn_frontend import calibration

    stand_in = CalibrateSpy(result)
    monkeypatch.setattr(calibration.calix, "calibrate", stand_in)
    return stand_in
