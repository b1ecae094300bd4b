"""The calibration framework: a :class:`Calib` says how to set its parameters and measure its
results; an :class:`Algorithm` searches the parameters that give the target; :meth:`Calib.run`
ties them together and says per instance whether the target was reached.

A calibration works on ``n_instances`` circuits at once (512 neurons, 4 CapMem quadrants, ...)
and on integer parameters in ``parameter_range`` (CapMem values, digital settings), vectorized
over the instances. Each measurement is one playback program on the connection: the chip's
state persists between runs on one connection, so ``configure_parameters`` writes only what
changes.
"""

from __future__ import annotations

import abc
import logging
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

import stadls
from .errors import AlgorithmError, TargetError

log = logging.getLogger(__name__)


class ParameterRange(NamedTuple):
    """Inclusive bounds of an integer parameter."""
    lower: int
    upper: int


@dataclass
class ParameterCalibResult:
    """What :meth:`Calib.run` found: the parameter per instance and whether it reached the
    target (a parameter at a bound of its range counts as a failure: the target may lie
    beyond it)."""
    calibrated_parameters: np.ndarray
    success: np.ndarray


class Calib(abc.ABC):
    """One calibration: ``n_instances`` circuits, an integer ``parameter_range``, ``inverted``
    if a larger parameter gives a smaller result. ``errors`` are two messages (``{0}``: the
    failing instances, ``{1}``: the bound) logged for instances stuck at the lower and the
    upper bound. Subclasses implement :meth:`configure_parameters` and
    :meth:`measure_results`, and may set ``target`` in :meth:`prelude`."""

    def __init__(self, parameter_range: ParameterRange, n_instances: int, inverted: bool = False,
                 errors: tuple[str, str] | None = None) -> None:
        lower, upper = parameter_range
        if upper - lower < 1:
            raise TargetError(f"a calibration needs a parameter range of at least two values, not "
                              f"{lower}..{upper}")
        self.parameter_range = ParameterRange(int(lower), int(upper))
        self.n_instances = int(n_instances)
        self.inverted = bool(inverted)
        self.errors = errors
        #: the target per instance (or one for all); None until given or set by prelude
        self.target: Any = None
        self.result: ParameterCalibResult | None = None

    # -- what subclasses provide --------------------------------------------------------------
    def prelude(self, connection: Any) -> None:
        """Prepare the chip (and the target, if none was given) before the search."""

    @abc.abstractmethod
    def configure_parameters(self, builder: stadls.PlaybackProgramBuilder,
                             parameters: np.ndarray) -> stadls.PlaybackProgramBuilder:
        """Append the writes (and waits) that set ``parameters`` [n_instances]."""

    @abc.abstractmethod
    def measure_results(self, connection: Any, builder: stadls.PlaybackProgramBuilder) -> np.ndarray:
        """Append the reads to ``builder``, run it, and return one result per instance."""

    def postlude(self, connection: Any) -> None:
        """Clean up after the search (the best parameters are configured)."""

    # -- running ----------------------------------------------------------------------------------
    def measure(self, connection: Any, parameters: np.ndarray) -> np.ndarray:
        """Configure ``parameters`` and measure: one program on ``connection``."""
        builder = self.configure_parameters(stadls.PlaybackProgramBuilder(), parameters)
        results = np.asarray(self.measure_results(connection, builder), dtype=float)
        if results.shape != (self.n_instances,):
            raise AlgorithmError(f"{type(self).__name__}.measure_results gave shape "
                                 f"{results.shape}, not ({self.n_instances},)")
        return results

    def configure_parameters_now(self, connection: Any, parameters: np.ndarray) -> None:
        """Configure ``parameters`` on the chip (one program, if there is anything to write)."""
        builder = self.configure_parameters(stadls.PlaybackProgramBuilder(), parameters)
        if not builder.empty():
            stadls.run(connection, builder.done())

    def run(self, connection: Any, algorithm: "Algorithm", target: Any = None) -> ParameterCalibResult:
        """Search the parameters that give ``target`` (or the one :meth:`prelude` sets) with
        ``algorithm``; the best ones stay configured."""
        if target is not None:
            self.target = target
        self.prelude(connection)
        if self.target is None:
            raise TargetError(f"{type(self).__name__} has no target: give one to run()")
        target = np.broadcast_to(np.asarray(self.target, dtype=float), (self.n_instances,))
        algorithm.hook_to_calibration(self)
        try:
            parameters = algorithm.run(connection, target)
        finally:
            algorithm.unhook_from_calibration()
        parameters = np.asarray(parameters, dtype=np.int64)
        low, high = self.parameter_range
        at_low, at_high = parameters <= low, parameters >= high
        for mask, bound, message in ((at_low, low, 0), (at_high, high, 1)):
            if mask.any():
                text = (self.errors[message] if self.errors else
                        "{0} reached the " + ("lower" if message == 0 else "upper")
                        + " bound {1} of the parameter")
                log.warning("%s: %s", type(self).__name__,
                            text.format(np.flatnonzero(mask).tolist(), bound))
        self.result = ParameterCalibResult(np.clip(parameters, low, high), ~(at_low | at_high))
        self.postlude(connection)
        return self.result


class Algorithm(abc.ABC):
    """A search over the parameters of the calibration it is hooked to."""

    def __init__(self) -> None:
        self.calibration: Calib | None = None

    def hook_to_calibration(self, calibration: Calib) -> None:
        if self.calibration is not None:
            raise AlgorithmError(f"{type(self).__name__} is already hooked to "
                                 f"{type(self.calibration).__name__}")
        self.calibration = calibration

    def unhook_from_calibration(self) -> None:
        self.calibration = None

    def _calib(self) -> Calib:
        if self.calibration is None:
            raise AlgorithmError(f"{type(self).__name__} is not hooked to a calibration")
        return self.calibration

    @abc.abstractmethod
    def run(self, connection: Any, target: np.ndarray) -> np.ndarray:
        """The parameters [n_instances] found for ``target``; they are left configured."""


@dataclass
class CalibResult(abc.ABC):
    """A calibration's outcome: ``target`` and ``options`` it was made for; :meth:`apply`
    writes it to a builder (or a Dumper), :meth:`to_chip` gives it as a ``lola.Chip``."""
    target: Any
    options: Any = field(default=None)

    @abc.abstractmethod
    def apply(self, builder: Any) -> None:
        """Append the writes that configure the calibrated state."""

    def to_chip(self, chip: Any = None) -> Any:
        """The calibrated configuration as a ``lola.Chip`` (on top of ``chip``, default:
        ``lola.Chip()``)."""
        import lola

        dumper = stadls.PlaybackProgramBuilderDumper()
        self.apply(dumper)
        out = lola.Chip() if chip is None else chip.with_leaves(iter(()))
        writes = [(c, v) for c, v in dumper.done().squash()]
        leaves = dict(out.leaves())
        unknown = [c for c, _ in writes if c not in leaves]
        if unknown:
            raise TargetError(f"{type(self).__name__}.to_chip: {unknown[0]!r} is not part of a "
                              "lola.Chip")
        out._replace_leaves(iter(writes))
        return out
