"""``calibrate(target)``: the functional entry point, with a cache of results on disk.

It dispatches on the target: any :class:`~calix.common.base.TopLevelCalibTarget` calibrates
itself (``target.calibrate(connection, options)``). The key is a SHA-256 over the target's type
and key, the options, the chip's identity (its ``chip_id``) and calix's version: the same
calibration of the same chip is computed once. The first hit among ``cache_paths`` is loaded;
on a miss the result is computed and written (atomically: a temporary file renamed) into the
first writable path.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Sequence

import numpy as np

import stadls
from ..errors import CalibError, TargetError
from .base import CalibResult, TopLevelCalibTarget

log = logging.getLogger(__name__)


def _source_version() -> str:
    """A digest of calix's own source: results of another version of the code are not reused."""
    digest = hashlib.sha256()
    package = Path(__file__).parent.parent
    for file in sorted(package.rglob("*.py")):
        digest.update(str(file.relative_to(package)).encode() + file.read_bytes())
    return digest.hexdigest()[:16]


#: part of the cache key
VERSION = _source_version()


def default_cache_paths() -> list[Path]:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [Path(base) / "calix"]


def chip_identity(connection: stadls.Connection) -> Any:
    """What identifies the chip behind ``connection`` (an emulator's id, mismatch and noise)."""
    identity = getattr(connection, "identity", None)
    return identity if identity is not None else ("chip", int(connection.chip_id))


def cache_key(target: TopLevelCalibTarget, options: Any, chip_identity: Any) -> str:
    try:
        target_bytes = target.key()
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise TargetError(f"the calibration target must be picklable (it is part of the cache "
                          f"key): {err}") from None
    try:
        options_bytes = pickle.dumps(options)
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise TargetError(f"calibration options must be picklable (they are part of the cache "
                          f"key): {err}") from None
    if isinstance(chip_identity, (int, np.integer)) and not isinstance(chip_identity, bool):
        chip_identity = ("chip", int(chip_identity))
    digest = hashlib.sha256()
    for part in (type(target).__qualname__.encode(), target_bytes, options_bytes,
                 repr(chip_identity).encode(), VERSION.encode()):
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


def _paths(cache_paths: Any) -> list[Path]:
    if cache_paths is None:
        return default_cache_paths()
    if isinstance(cache_paths, (str, bytes, os.PathLike)) or not hasattr(cache_paths, "__iter__"):
        raise TargetError(f"cache_paths must be a list of directories ([] for no cache), not "
                          f"{cache_paths!r}")
    paths = list(cache_paths)
    if not all(isinstance(p, (str, os.PathLike)) for p in paths):
        raise TargetError(f"cache_paths must hold directory paths, not {paths!r:.80}")
    return [Path(p) for p in paths]


def _load(file: Path) -> CalibResult | None:
    try:
        with open(file, "rb") as f:
            result = pickle.load(f)
    except Exception as err:          # noqa: BLE001 - any broken file is a miss, not a failure
        log.warning("calibration cache file %s is unreadable (%s); calibrating anew", file, err)
        return None
    if not isinstance(result, CalibResult):
        log.warning("calibration cache file %s holds a %s, not a result; calibrating anew", file,
                    type(result).__name__)
        return None
    return result


def calibrate(target: TopLevelCalibTarget, options: Any = None,
              cache_paths: Sequence[str | os.PathLike] | None = None,
              cache_read_only: bool = False,
              connection: stadls.Connection | None = None) -> CalibResult:
    """The calibration result for ``target`` (any :class:`TopLevelCalibTarget`, e.g.
    :class:`calix.NeuronCalibTarget`) on ``connection`` (default: a new
    ``stadls.ManagedConnection()``), from the cache if it holds one (an unreadable cache file is
    a miss). ``cache_paths=[]`` disables the cache; the result is applied on the connection only
    when it was computed (apply it to your experiment's builder). ``options`` are passed to the
    target's ``calibrate`` and are part of the key."""
    if not isinstance(target, TopLevelCalibTarget):
        raise TargetError(f"calibrate takes a calibration target (calix.NeuronCalibTarget, ...), "
                          f"not {type(target).__name__}")
    paths = _paths(cache_paths)
    if connection is None:
        with stadls.ManagedConnection() as own:
            return calibrate(target, options, paths, cache_read_only, own)
    if not (hasattr(connection, "chip_id") and hasattr(connection, "run")):
        raise TargetError(f"calibrate needs a connection (stadls.ManagedConnection), not "
                          f"{type(connection).__name__}")
    identity = chip_identity(connection)
    name = cache_key(target, options, identity) + ".pkl"
    for path in paths:
        file = path / name
        if file.is_file():
            result = _load(file)
            if result is not None:
                if getattr(result, "chip", None) not in (None, identity):
                    raise CalibError(f"the cache file {file} holds a calibration of {result.chip!r}, "
                                     f"not of the connection's {identity!r} (a copied or renamed "
                                     f"file?): remove it")
                log.info("calibration loaded from %s", file)
                return result
    result = target.calibrate(connection, options)
    if isinstance(result, CalibResult):
        result.chip = identity
    if not cache_read_only:
        for path in paths:
            try:
                path.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile("wb", dir=path, delete=False, suffix=".tmp") as f:
                    pickle.dump(result, f)
                os.replace(f.name, path / name)
                log.info("calibration cached in %s", path / name)
                break
            except OSError as err:
                log.info("cache path %s not writable: %s", path, err)
    return result
