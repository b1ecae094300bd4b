"""PyNN's renewal spike sources beyond Poisson: ``SpikeSourceGamma`` (gamma-distributed
intervals) and ``SpikeSourcePoissonRefractory`` (a dead time, then exponential intervals).

Like ``SpikeSourcePoisson`` they are drawn on the host and played in by the FPGA (spike times on
its 8 ns clock), from a generator seeded by ``setup(rng_seed=...)``, the cell's ID, its
parameters and the run's window: a cell replays the same train until its parameters change.
Each run (snippet) starts the renewal process anew at the window's start, so an interval across
the border of two continued runs is not drawn from the process.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from pyNN.standardmodels import build_translations
from pyNN.standardmodels import cells as pynn_cells

from ..errors import ParameterValueError
from .cells import ExternalNeuron


def _renewal_trains(parameters: dict[str, np.ndarray], names: tuple[str, ...], ids: np.ndarray,
                    begin: float, end: float, seed: int,
                    intervals: Callable[[np.random.Generator, np.ndarray, int], np.ndarray],
                    mean_interval: Callable[[np.ndarray], float]) -> list[np.ndarray]:
    """Per cell the spikes in [max(begin, start), min(end, start + duration)) [ms] of a renewal
    process whose ``n`` intervals [ms] ``intervals(rng, cell parameters, n)`` draws."""
    n_cells = len(ids)
    values = {k: np.broadcast_to(np.asarray(parameters[k], dtype=float), (n_cells,)) for k in names}
    out = []
    for i in range(n_cells):
        cell = np.array([values[k][i] for k in names])
        start, duration = values["start"][i], values["duration"][i]
        lo, hi = max(begin, start), min(end, start + duration)
        mean = mean_interval(cell)
        if hi <= lo or not np.isfinite(mean):
            out.append(np.zeros(0))
            continue
        key = [int(seed), int(ids[i]), *np.array([*cell, lo, hi]).view(np.uint64).tolist()]
        rng = np.random.default_rng(key)
        expected = (hi - lo) / mean
        times = lo + np.cumsum(intervals(rng, cell, int(expected + 5.0 * np.sqrt(expected) + 10)))
        while times[-1] < hi:            # rarely: more intervals than the margin
            times = np.concatenate([times, times[-1] + np.cumsum(intervals(rng, cell, int(expected) + 10))])
        out.append(times[times < hi])
    return out


def _check(parameters: dict[str, np.ndarray], cells: Sequence[int] | None, positive: tuple[str, ...]) -> dict:
    for name, values in parameters.items():
        arr = np.asarray(values, dtype=float)
        ok = np.isfinite(arr) & ((arr > 0) if name in positive else (arr >= 0))
        if not ok.all():
            bad = int(np.flatnonzero(~ok.ravel())[0])
            cell = f" (cell {int(cells[bad])})" if cells is not None and arr.ndim else ""
            bound = "> 0" if name in positive else ">= 0"
            raise ParameterValueError(f"{name} = {float(arr.ravel()[bad]):g}{cell} must be finite and {bound}")
    return parameters


class SpikeSourceGamma(ExternalNeuron, pynn_cells.SpikeSourceGamma):
    __doc__ = pynn_cells.SpikeSourceGamma.__doc__ + """
    ``alpha`` (the intervals' shape, > 0), ``beta`` [Hz of the module's time] (their rate: the
    mean interval is alpha / beta), ``start`` and ``duration`` [ms]; drawn on the host (module
    docstring of :mod:`pynn_frontend.standardmodels.renewal_sources`)."""

    translations = build_translations(("alpha", "alpha"), ("beta", "beta"), ("start", "start"),
                                      ("duration", "duration"))
    _names = ("alpha", "beta", "start", "duration")

    def check_parameters(self, parameters: dict[str, np.ndarray], cells: Sequence[int] | None = None) -> dict:
        return _check(parameters, cells, positive=("alpha",))

    def spike_times(self, parameters: dict[str, np.ndarray], ids: np.ndarray, begin: float,
                    end: float, seed: int) -> list[np.ndarray]:
        def intervals(rng: np.random.Generator, cell: np.ndarray, n: int) -> np.ndarray:
            return rng.gamma(cell[0], 1000.0 / cell[1], n)

        return _renewal_trains(parameters, self._names, ids, begin, end, seed, intervals,
                               lambda cell: 1000.0 * cell[0] / cell[1] if cell[1] > 0 else np.inf)


class SpikeSourcePoissonRefractory(ExternalNeuron, pynn_cells.SpikeSourcePoissonRefractory):
    __doc__ = pynn_cells.SpikeSourcePoissonRefractory.__doc__ + """
    ``rate`` [Hz of the module's time], ``tau_refrac`` [ms] (each interval is the dead time plus
    an exponential one of mean ``1000 / rate - tau_refrac``; a rate of ``1000 / tau_refrac`` or
    more raises), ``start`` and ``duration`` [ms]; drawn on the host (module docstring)."""

    translations = build_translations(("rate", "rate"), ("tau_refrac", "tau_refrac"), ("start", "start"),
                                      ("duration", "duration"))
    _names = ("rate", "tau_refrac", "start", "duration")

    def check_parameters(self, parameters: dict[str, np.ndarray], cells: Sequence[int] | None = None) -> dict:
        parameters = _check(parameters, cells, positive=())
        if "rate" in parameters and "tau_refrac" in parameters:
            rate, tau = np.broadcast_arrays(np.asarray(parameters["rate"], dtype=float),
                                            np.asarray(parameters["tau_refrac"], dtype=float))
            too_fast = rate * tau >= 1000.0
            if too_fast.any():
                bad = int(np.flatnonzero(too_fast.ravel())[0])
                raise ParameterValueError(
                    f"rate = {rate.ravel()[bad]:g} Hz with tau_refrac = {tau.ravel()[bad]:g} ms: the rate must "
                    f"stay below 1000 / tau_refrac = {1000.0 / tau.ravel()[bad]:g} Hz")
        return parameters

    def spike_times(self, parameters: dict[str, np.ndarray], ids: np.ndarray, begin: float,
                    end: float, seed: int) -> list[np.ndarray]:
        # a rate set alone after the dead time (set(rate=...)) is checked here, when it is used
        self.check_parameters({k: parameters[k] for k in ("rate", "tau_refrac")}, ids)

        def intervals(rng: np.random.Generator, cell: np.ndarray, n: int) -> np.ndarray:
            return cell[1] + rng.exponential(1000.0 / cell[0] - cell[1], n)

        return _renewal_trains(parameters, self._names, ids, begin, end, seed, intervals,
                               lambda cell: 1000.0 / cell[0] if cell[0] > 0 else np.inf)


__all__ = ["SpikeSourceGamma", "SpikeSourcePoissonRefractory"]
