"""``calibrate(target)``: the functional entry point, with a cache of results on disk.

The key is a SHA-256 over the target, the options, the chip's identity (its ``chip_id``) and
calix's version: the same calibration of the same chip is computed once. The first hit among
``cache_paths`` is loaded; on a miss the result is computed and written (atomically: a
temporary file renamed) into the first writable path.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Sequence

import stadls
from .errors import TargetError
from .neuron import calibrate_neurons
from .results import NeuronCalibResult
from .targets import NeuronCalibTarget, as_target

log = logging.getLogger(__name__)
#: part of the cache key: results of another calix version are not reused
VERSION = "1"


def default_cache_paths() -> list[Path]:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [Path(base) / "calix"]


def cache_key(target: NeuronCalibTarget, options: Any, chip_identity: Any) -> str:
    digest = hashlib.sha256()
    for part in (target.key(), pickle.dumps(options), repr(chip_identity).encode(), VERSION.encode()):
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


def calibrate(target: NeuronCalibTarget | None = None, options: Any = None,
              cache_paths: Sequence[str | os.PathLike] | None = None,
              cache_read_only: bool = False, connection: Any = None) -> NeuronCalibResult:
    """The calibration result for ``target`` (default :class:`NeuronCalibTarget`) on
    ``connection`` (default: a new ``stadls.ManagedConnection()``), from the cache if it holds
    one. ``cache_paths=[]`` disables the cache; the result is applied on the connection only
    when it was computed (apply it to your experiment's builder)."""
    target = as_target(target)
    paths = default_cache_paths() if cache_paths is None else [Path(p) for p in cache_paths]
    if connection is None:
        with stadls.ManagedConnection() as own:
            return calibrate(target, options, paths, cache_read_only, own)
    if not hasattr(connection, "chip_id"):
        raise TargetError(f"calibrate needs a connection with a chip_id, not {type(connection).__name__}")
    name = cache_key(target, options, connection.chip_id) + ".pkl"
    for path in paths:
        file = path / name
        if file.is_file():
            log.info("calibration loaded from %s", file)
            with open(file, "rb") as f:
                return pickle.load(f)
    result = calibrate_neurons(connection, target)
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
