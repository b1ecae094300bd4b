"""Search algorithms, vectorized over a calibration's instances (calix's ``common.algorithms``).

Each works on the integer ``parameter_range`` of the calibration it is hooked to, respects its
``inverted`` flag (a larger parameter gives a smaller result) and leaves the parameters it
returns configured on the chip.
"""

from __future__ import annotations

import abc
import math
from typing import Any

import numpy as np

import stadls
from .base import Algorithm
from ..errors import ExcessiveNoiseError, TargetError


def _not_int(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer))


class BinarySearch(Algorithm):
    """Halve the step every measurement, starting in the middle of the range.

    ``n_steps = ceil(log2(possibilities)) + 2``: after the halving steps, the last two measure
    the neighbours of the best so far, and the best of the last three (closest to the target
    per instance) is configured and returned."""

    n_steps_best = 3

    def _start(self, low: int, high: int, n: int) -> np.ndarray:
        return np.full(n, (low + high) // 2, dtype=np.int64)

    def _increments(self, possibilities: int) -> list[int]:
        """The moves after the first ``n_steps - 2`` measurements."""
        n_steps = math.ceil(math.log2(possibilities)) + 2
        return [math.ceil(possibilities / 2 ** (step + 2)) for step in range(n_steps - 2)]

    def run(self, connection: stadls.Connection, target: np.ndarray) -> np.ndarray:
        calib = self._calib()
        low, high = calib.parameter_range
        parameters = self._start(low, high, calib.n_instances)
        tested, measured = [], []
        for increment in self._increments(high - low + 1):
            results = calib.measure(connection, parameters)
            tested.append(parameters.copy())
            measured.append(results)
            down = (results > target) != calib.inverted      # move the parameter down
            parameters = np.clip(parameters + np.where(down, -increment, increment), low, high)
        tested.append(parameters.copy())
        measured.append(calib.measure(connection, parameters))
        # the last step mirrors the last move: the last three tested are p and its neighbours
        mirrored = np.clip(2 * tested[-2] - tested[-1], low, high)
        stuck = mirrored == tested[-2]
        mirrored = np.where(stuck, np.clip(tested[-2] + np.where(tested[-2] > low, -1, 1), low, high),
                            mirrored)
        tested.append(mirrored)
        measured.append(calib.measure(connection, mirrored))
        return self._best(connection, target, tested, measured)

    def _best(self, connection: stadls.Connection, target: np.ndarray, tested: list, measured: list) -> np.ndarray:
        calib = self._calib()
        k = min(self.n_steps_best, len(tested))
        candidates = np.stack(tested[-k:])                # [k, n]
        results = np.stack(measured[-k:])
        errors = np.abs(results - target)
        choice = np.argmin(np.where(np.isnan(errors), np.inf, errors), axis=0)
        columns = np.arange(calib.n_instances)
        best = candidates[choice, columns]
        self.final_results = results[choice, columns]
        calib.configure_parameters_now(connection, best)
        return best


class NoisyBinarySearch(BinarySearch):
    """A BinarySearch whose start values get uniform integer noise in [-a, a] (``a =
    noise_amplitude``), against CapMem crosstalk when many cells share a value; one extra step
    of size ``a``, and ``ceil(log2 a)`` more candidates for the best."""

    def __init__(self, noise_amplitude: int = 5, seed: int = 0) -> None:
        super().__init__()
        if _not_int(noise_amplitude) or noise_amplitude < 1:
            raise TargetError(f"noise_amplitude must be a positive int, not {noise_amplitude!r}")
        if _not_int(seed) or seed < 0:
            raise TargetError(f"seed must be an int >= 0, not {seed!r}")
        self.noise_amplitude = int(noise_amplitude)
        self.rng = np.random.default_rng(int(seed))
        self.n_steps_best = 3 + math.ceil(math.log2(self.noise_amplitude)) if self.noise_amplitude > 1 else 3

    def _increments(self, possibilities: int) -> list[int]:
        increments = super()._increments(possibilities)
        if self.noise_amplitude > increments[0]:
            raise ExcessiveNoiseError(f"noise amplitude {self.noise_amplitude} exceeds the first "
                                      f"step ({increments[0]}) of a search over {possibilities} values")
        return [self.noise_amplitude] + increments

    def _start(self, low: int, high: int, n: int) -> np.ndarray:
        noise = self.rng.integers(-self.noise_amplitude, self.noise_amplitude + 1, n)
        return np.clip(super()._start(low, high, n) + noise, low, high)


class LinearSearch(Algorithm):
    """Step from ``initial_parameters`` (default: the middle) by ``step_size`` towards the
    target until the result crosses it, the range ends or ``max_steps`` are done; returns the
    better of the last two parameters of each instance."""

    def __init__(self, initial_parameters: Any = None, step_size: int = 1, max_steps: int = 50) -> None:
        super().__init__()
        if _not_int(step_size) or _not_int(max_steps) or step_size < 1 or max_steps < 1:
            raise TargetError(f"LinearSearch needs ints step_size >= 1 and max_steps >= 1, not "
                              f"{step_size!r}, {max_steps!r}")
        if initial_parameters is not None:
            arr = np.asarray(initial_parameters)
            if arr.dtype.kind not in "iu" or arr.ndim > 1:
                raise TargetError(f"initial_parameters must be an int or ints per instance, not "
                                  f"{initial_parameters!r:.60}")
        self.initial_parameters = initial_parameters
        self.step_size = int(step_size)
        self.max_steps = int(max_steps)

    def run(self, connection: stadls.Connection, target: np.ndarray) -> np.ndarray:
        calib = self._calib()
        low, high = calib.parameter_range
        n = calib.n_instances
        parameters = np.full(n, (low + high) // 2, dtype=np.int64)
        if self.initial_parameters is not None:
            try:
                parameters = np.broadcast_to(np.asarray(self.initial_parameters), (n,)).astype(np.int64)
            except ValueError:
                raise TargetError(f"initial_parameters must be one int or {n}") from None
            if parameters.min() < low or parameters.max() > high:
                raise TargetError(f"initial_parameters must lie in {low}..{high}")
        results = calib.measure(connection, parameters)
        direction = np.where((results > target) != calib.inverted, -1, 1)
        previous, previous_results = parameters.copy(), results.copy()
        active = np.ones(n, dtype=bool)
        for _ in range(self.max_steps):
            candidate = np.clip(parameters + direction * self.step_size * active, low, high)
            active &= candidate != parameters
            if not active.any():
                break
            # only the instances still stepping move on; the others keep their last two
            previous = np.where(active, parameters, previous)
            previous_results = np.where(active, results, previous_results)
            parameters = np.where(active, candidate, parameters)
            measured = calib.measure(connection, parameters)
            results = np.where(active, measured, results)
            crossed = ((results > target) != calib.inverted) != (direction < 0)
            active &= ~crossed
            if not active.any():
                break
        better = np.abs(results - target) <= np.abs(previous_results - target)
        best = np.where(better, parameters, previous)
        self.final_results = np.where(better, results, previous_results)
        calib.configure_parameters_now(connection, best)
        return best


class PredictiveModel(Algorithm):
    """Measure once at ``probe_parameters``, predict the parameters for the target, configure
    and return them (clipped to the range)."""

    def __init__(self, probe_parameters: Any) -> None:
        super().__init__()
        arr = np.asarray(probe_parameters)
        if arr.dtype.kind not in "iu" or arr.ndim > 1:
            raise TargetError(f"probe_parameters must be an int or ints per instance, not "
                              f"{probe_parameters!r:.60}")
        self.probe_parameters = probe_parameters

    @abc.abstractmethod
    def _predict(self, probe: np.ndarray, probe_results: np.ndarray,
                 target: np.ndarray) -> np.ndarray:
        """The parameters that give ``target``, from one measurement at ``probe``."""

    def run(self, connection: stadls.Connection, target: np.ndarray) -> np.ndarray:
        calib = self._calib()
        low, high = calib.parameter_range
        probe = np.broadcast_to(np.asarray(self.probe_parameters), (calib.n_instances,)).astype(np.int64)
        results = calib.measure(connection, probe)
        predicted = np.clip(np.rint(self._predict(probe, results, target)), low, high).astype(np.int64)
        calib.configure_parameters_now(connection, predicted)
        self.final_results = calib.measure(connection, predicted) if calib.tolerance is not None \
            else np.full(calib.n_instances, np.nan)
        return predicted


class PolynomialPrediction(PredictiveModel):
    """``parameter = poly(result)`` with an offset per instance from the probe:
    ``offset = probe - poly(probe_result)``, prediction ``poly(target) + offset``."""

    def __init__(self, probe_parameters: Any, polynomial: np.polynomial.Polynomial) -> None:
        super().__init__(probe_parameters)
        if not isinstance(polynomial, np.polynomial.Polynomial):
            raise TargetError(f"polynomial must be a numpy Polynomial, not {type(polynomial).__name__}")
        self.polynomial = polynomial

    @classmethod
    def from_data(cls, parameters: np.ndarray, results: np.ndarray, degree: int) -> "PolynomialPrediction":
        """Fit parameter as a function of result; the probe is the median parameter."""
        if _not_int(degree) or degree < 0:
            raise TargetError(f"degree must be an int >= 0, not {degree!r}")
        parameters, results = np.ravel(parameters), np.ravel(results)
        if parameters.shape != results.shape or parameters.size <= degree:
            raise TargetError(f"from_data needs as many results as parameters, more than "
                              f"degree {degree}: got {parameters.size} and {results.size}")
        polynomial = np.polynomial.Polynomial.fit(results, parameters, degree)
        return cls(int(np.median(parameters)), polynomial)

    def _predict(self, probe, probe_results, target):
        return self.polynomial(target) + (probe - self.polynomial(probe_results))


class LinearPrediction(PolynomialPrediction):
    """:class:`PolynomialPrediction` of degree 1: ``parameter = offset + slope * result``."""

    def __init__(self, probe_parameters: Any, offset: float = 0.0, slope: float = 1.0) -> None:
        for name, value in (("offset", offset), ("slope", slope)):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise TargetError(f"{name} must be a number, not {value!r}")
        super().__init__(probe_parameters, np.polynomial.Polynomial([offset, slope]))


class SecantPrediction(Algorithm):
    """For results linear in the parameter with a slope of their own per instance: measure at
    two ``probes`` (the same for every instance), interpolate each instance's line to its
    target, configure and measure that; ``refinements`` more secant steps from the last two
    measurements (each against the noise of the first). Three or four measurements where a
    binary search takes a dozen; an instance whose two measurements do not differ keeps the
    probe nearer its target."""

    def __init__(self, probes: tuple[int, int], refinements: int = 0) -> None:
        super().__init__()
        if len(probes) != 2 or any(_not_int(p) for p in probes) or probes[0] == probes[1]:
            raise TargetError(f"probes are two different ints, not {probes!r}")
        if _not_int(refinements) or refinements < 0:
            raise TargetError(f"refinements must be an int >= 0, not {refinements!r}")
        self.probes = (int(probes[0]), int(probes[1]))
        self.refinements = int(refinements)

    def run(self, connection: stadls.Connection, target: np.ndarray) -> np.ndarray:
        calib = self._calib()
        low, high = calib.parameter_range
        n = calib.n_instances
        target = np.broadcast_to(np.asarray(target, dtype=float), (n,))
        points = [np.full(n, p, dtype=np.int64) for p in self.probes]
        results = [calib.measure(connection, p) for p in points]
        for _ in range(self.refinements + 1):
            (p0, p1), (r0, r1) = points[-2:], results[-2:]
            slope = (r1 - r0) / np.where(p1 != p0, p1 - p0, 1)
            usable = np.isfinite(slope) & (slope != 0) & (p1 != p0)
            nearer = np.where(np.abs(r1 - target) <= np.abs(r0 - target), p1, p0)
            guess = np.where(usable, p1 + (target - r1) / np.where(usable, slope, 1.0), nearer)
            predicted = np.clip(np.rint(np.where(np.isfinite(guess), guess, nearer)), low, high).astype(np.int64)
            points.append(predicted)
            results.append(calib.measure(connection, predicted))
        # the best of what was measured, per instance
        stacked, measured = np.stack(points), np.stack(results)
        errors = np.abs(measured - target)
        choice = np.argmin(np.where(np.isnan(errors), np.inf, errors), axis=0)
        columns = np.arange(n)
        best = stacked[choice, columns]
        self.final_results = measured[choice, columns]
        calib.configure_parameters_now(connection, best)
        return best
