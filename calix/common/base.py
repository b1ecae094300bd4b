"""The calibration framework: a :class:`Calib` says how to set its parameters and measure its
results; an :class:`Algorithm` searches the parameters that give the target; :meth:`Calib.run`
ties them together and says per instance whether the target was reached. A
:class:`TopLevelCalibTarget` is what :func:`calix.calibrate` takes: a target that knows how to
calibrate itself and gives a :class:`CalibResult`.

A calibration works on ``n_instances`` circuits at once (512 neurons, 4 CapMem quadrants, ...)
and on integer parameters in ``parameter_range`` (CapMem values, digital settings), vectorized
over the instances. Each measurement is one playback program on the connection: the chip's
state persists between runs on one connection, so ``configure_parameters`` writes only what
changes.
"""

from __future__ import annotations

import abc
import logging
import pickle
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

import stadls
from ..errors import AlgorithmError, TargetError

log = logging.getLogger(__name__)


def _integer(value: Any, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TargetError(f"{what} must be an int, not {type(value).__name__} {value!r}")
    return int(value)


def checked_target_and_options(caller: str, target: Any, options: Any, target_type: type,
                               options_type: type) -> tuple[Any, Any]:
    """``target`` and ``options`` of a calibration function ``caller``, each its default when
    None; anything else than the expected types raises :class:`calix.TargetError` naming both."""
    target = target_type() if target is None else target
    options = options_type() if options is None else options
    if not isinstance(target, target_type):
        raise TargetError(f"{caller} needs a {target_type.__module__.split('.')[0]}."
                          f"{target_type.__name__} or None, not {type(target).__name__}")
    if not isinstance(options, options_type):
        raise TargetError(f"the options of {caller} are a {options_type.__module__.split('.')[0]}."
                          f"{options_type.__name__} or None, not {type(options).__name__}")
    return target, options


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

    #: how far from the target a final result may be and still count as reached: an absolute
    #: amount (in the result's unit) or, with ``relative_tolerance``, a fraction of the target;
    #: None: only a parameter at a bound of its range is a failure
    tolerance: float | None = None
    relative_tolerance: bool = False

    def __init__(self, parameter_range: ParameterRange, n_instances: int, inverted: bool = False,
                 errors: tuple[str, str] | None = None) -> None:
        try:
            lower, upper = (_integer(v, "the parameter range") for v in parameter_range)
        except (TypeError, ValueError):
            raise TargetError(f"parameter_range must be two ints (lower, upper), not "
                              f"{parameter_range!r}") from None
        if upper - lower < 1:
            raise TargetError(f"a calibration needs a parameter range of at least two values, not "
                              f"{lower}..{upper}")
        self.parameter_range = ParameterRange(lower, upper)
        self.n_instances = _integer(n_instances, "n_instances")
        if self.n_instances < 1:
            raise TargetError(f"n_instances must be at least 1, not {self.n_instances}")
        self.inverted = bool(inverted)
        self.errors = errors
        #: the target per instance (or one for all); None until given or set by prelude
        self.target: Any = None
        self.result: ParameterCalibResult | None = None

    # -- what subclasses provide --------------------------------------------------------------
    def prelude(self, connection: stadls.Connection) -> None:
        """Prepare the chip (and the target, if none was given) before the search."""

    @abc.abstractmethod
    def configure_parameters(self, builder: stadls.PlaybackProgramBuilder,
                             parameters: np.ndarray) -> stadls.PlaybackProgramBuilder:
        """Append the writes (and waits) that set ``parameters`` [n_instances]."""

    @abc.abstractmethod
    def measure_results(self, connection: stadls.Connection, builder: stadls.PlaybackProgramBuilder) -> np.ndarray:
        """Append the reads to ``builder``, run it, and return one result per instance."""

    def postlude(self, connection: stadls.Connection) -> None:
        """Clean up after the search (the best parameters are configured)."""

    # -- running ----------------------------------------------------------------------------------
    def measure(self, connection: stadls.Connection, parameters: np.ndarray) -> np.ndarray:
        """Configure ``parameters`` and measure: one program on ``connection``."""
        builder = self.configure_parameters(stadls.PlaybackProgramBuilder(), parameters)
        results = np.asarray(self.measure_results(connection, builder), dtype=float)
        if results.shape != (self.n_instances,):
            raise AlgorithmError(f"{type(self).__name__}.measure_results gave shape "
                                 f"{results.shape}, not ({self.n_instances},)")
        return results

    def configure_parameters_now(self, connection: stadls.Connection, parameters: np.ndarray) -> None:
        """Configure ``parameters`` on the chip (one program, if there is anything to write)."""
        builder = self.configure_parameters(stadls.PlaybackProgramBuilder(), parameters)
        if not builder.empty():
            stadls.run(connection, builder.done())

    def run(self, connection: stadls.Connection, algorithm: "Algorithm", target: Any = None) -> ParameterCalibResult:
        """Search the parameters that give ``target`` (or the one :meth:`prelude` sets) with
        ``algorithm``; the best ones stay configured."""
        if not isinstance(algorithm, Algorithm):
            raise TargetError(f"run needs a calix algorithm (BinarySearch(), ...), not "
                              f"{type(algorithm).__name__}")
        if target is not None:
            self.target = target
        self.prelude(connection)
        if self.target is None:
            raise TargetError(f"{type(self).__name__} has no target: give one to run()")
        target = self.checked_target(self.target)
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
        success = ~(at_low | at_high)
        if self.tolerance is not None:
            final = algorithm.final_results
            allowed = self.tolerance * (np.abs(target) if self.relative_tolerance else 1.0)
            off = ~(np.abs(final - target) <= allowed)          # NaN counts as off
            if (off & success).any():
                log.warning("%s: instances %s are off their target by more than %g%s",
                            type(self).__name__, np.flatnonzero(off & success).tolist(),
                            self.tolerance, " (relative)" if self.relative_tolerance else "")
            success &= ~off
        self.result = ParameterCalibResult(np.clip(parameters, low, high), success)
        self.postlude(connection)
        return self.result

    def checked_target(self, target: Any) -> np.ndarray:
        """``target`` as one finite number per instance, or a TargetError."""
        arr = np.asarray(target)
        if arr.dtype.kind not in "iuf" or arr.shape not in ((), (self.n_instances,)):
            raise TargetError(f"{type(self).__name__}: the target must be a number or "
                              f"{self.n_instances} numbers, not {arr.dtype} of shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise TargetError(f"{type(self).__name__}: the target must be finite")
        return np.broadcast_to(arr.astype(float), (self.n_instances,))


class Algorithm(abc.ABC):
    """A search over the parameters of the calibration it is hooked to. After :meth:`run`,
    ``final_results`` are the measured results of the parameters it returned."""

    def __init__(self) -> None:
        self.calibration: Calib | None = None
        self.final_results: np.ndarray | None = None

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
    def run(self, connection: stadls.Connection, target: np.ndarray) -> np.ndarray:
        """The parameters [n_instances] found for ``target``; they are left configured."""


@dataclass
class CalibResult(abc.ABC):
    """A calibration's outcome: ``target`` and ``options`` it was made for; :meth:`apply`
    writes it to a builder (or a Dumper), :meth:`to_chip` gives it as a ``lola.Chip``."""
    target: Any
    options: Any = field(default=None)
    #: the identity of the chip it was made on (``calix.common.cache.chip_identity``; None:
    #: unknown), set by :func:`calix.calibrate`
    chip: Any = field(default=None)

    def to_json(self, indent: int | None = None) -> str:
        """This result (with its target and options) as JSON (:mod:`calix.common.serialization`)."""
        from .serialization import to_json

        return to_json(self, indent)

    @classmethod
    def from_json(cls, text: str) -> "CalibResult":
        """The result :meth:`to_json` wrote (of this class or a subclass)."""
        from .serialization import from_json

        result = from_json(text)
        if not isinstance(result, cls):
            raise TargetError(f"the JSON holds a {type(result).__name__}, not a {cls.__name__}")
        return result

    def check_connection(self, connection: stadls.Connection) -> None:
        """Raise :class:`TargetError` if ``connection`` is not the chip this result was made
        on (a calibration is worth nothing on another chip)."""
        from .cache import chip_identity

        if self.chip is not None and chip_identity(connection) != self.chip:
            raise TargetError(f"this {type(self).__name__} was made on {self.chip!r}, not on the "
                              f"connection's {chip_identity(connection)!r}: calibrate that chip")

    @abc.abstractmethod
    def apply(self, builder: stadls.PlaybackProgramBuilder | stadls.PlaybackProgramBuilderDumper) -> None:
        """Append the writes that configure the calibrated state."""

    @staticmethod
    def check_builder(builder: Any) -> None:
        if not (hasattr(builder, "write") and hasattr(builder, "block_until")):
            raise TargetError(f"apply needs a builder (stadls.PlaybackProgramBuilder or a "
                              f"Dumper), not {type(builder).__name__}")

    def apply_to(self, connection: stadls.Connection) -> None:
        """Apply the result to the chip behind ``connection`` now (:meth:`apply` and a run)."""
        from .helpers import run

        builder = stadls.PlaybackProgramBuilder()
        self.apply(builder)
        run(connection, builder)

    def to_chip(self, chip: Any = None) -> Any:
        """The calibrated configuration as a ``lola.Chip`` (on top of ``chip``, default:
        ``lola.Chip()``)."""
        import lola

        if chip is not None and not isinstance(chip, lola.Chip):
            raise TargetError(f"to_chip builds on a lola.Chip, not {type(chip).__name__}")
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


class TopLevelCalibTarget(abc.ABC):
    """A target :func:`calix.calibrate` dispatches on: ``calibrate(connection, options)`` runs
    the calibration it describes and returns its :class:`CalibResult`; ``key()`` identifies it
    in the cache (by default its pickle)."""

    @abc.abstractmethod
    def calibrate(self, connection: stadls.Connection, options: Any = None) -> CalibResult:
        """Calibrate the chip behind ``connection`` to this target; the result is left applied."""

    def key(self) -> bytes:
        """Bytes that identify the target (part of the cache key)."""
        return pickle.dumps(self)
