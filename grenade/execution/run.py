"""``run(executor, graph, configs, input_data, hooks)``: every execution instance of a graph,
just in time, independent ones concurrently through the executor's ``concurrent.futures``
executor, dependent ones in topological order, each fed the host data of those before it."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from typing import Any, Mapping

import lola
from ..common import ExecutionInstanceID, as_execution_instance
from ..errors import ExecutionError, GrenadeError, InputDataError
from ..signal_flow.data import InputData, OutputData
from ..signal_flow.graph import Graph
from .executor import JITGraphExecutor
from .hooks import ExecutionInstanceHooks
from .instance import InstanceResult, InstanceRun

log = logging.getLogger(__name__)


def _per_instance(values: Any, kind: type, what: str) -> dict[ExecutionInstanceID, Any]:
    if values is None:
        return {}
    if isinstance(values, kind):
        return {ExecutionInstanceID(0): values}
    if not isinstance(values, Mapping):
        raise GrenadeError(f"{what} is a {kind.__name__} or a dict ExecutionInstanceID -> "
                           f"{kind.__name__}, not {type(values).__name__}")
    out = {}
    for key, value in values.items():
        if not isinstance(value, kind):
            raise GrenadeError(f"{what} of {key!r} must be a {kind.__name__}, not {type(value).__name__}")
        out[as_execution_instance(key)] = value
    return out


def run(executor: JITGraphExecutor, graph: Graph, configs: Any = None,
        input_data: InputData | None = None, hooks: Any = None, *,
        copy_configs: bool = True) -> OutputData:
    """Run ``graph``: ``configs`` is the initial ``lola.Chip`` of each execution instance (one
    for instance 0, or a dict by instance; default ``lola.Chip()``), ``input_data`` the values of
    its external inputs and the runtimes, ``hooks`` user commands (one
    :class:`ExecutionInstanceHooks`, or a dict by instance). Raises
    :class:`~grenade.errors.ExecutionError` naming the instance that failed; the other
    instances are not started after a failure. ``copy_configs=False`` lets the run complete
    the given configurations in place (for callers that made them for this run)."""
    if not isinstance(executor, JITGraphExecutor):
        raise GrenadeError(f"run needs a grenade JITGraphExecutor, not {type(executor).__name__}")
    if not isinstance(graph, Graph):
        raise GrenadeError(f"run needs a grenade signal-flow Graph, not {type(graph).__name__}")
    input_data = InputData() if input_data is None else input_data
    if not isinstance(input_data, InputData):
        raise InputDataError(f"input_data must be a grenade InputData, not {type(input_data).__name__}")
    configs = _per_instance(configs, lola.Chip, "configs")
    hooks = _per_instance(hooks, ExecutionInstanceHooks, "hooks")
    unknown = set(input_data.data) - {d for d in graph.vertex_descriptors()}
    if unknown:
        raise InputDataError(f"input data for vertices {sorted(unknown)} that the graph does not have")
    batch_size = input_data.batch_size()
    for chip in {graph.chip_of(i) for i in graph.execution_instances()}:
        executor.state(chip)                  # every chip exists before anything runs
    output = OutputData(batch_size=batch_size)
    lock = threading.Lock()
    order = graph.execution_instances()
    done: set[ExecutionInstanceID] = set()
    running: dict[concurrent.futures.Future, ExecutionInstanceID] = {}
    failure: BaseException | None = None

    def start(instance: ExecutionInstanceID) -> concurrent.futures.Future:
        with lock:
            upstream = dict(output.data)
        task = InstanceRun(graph, instance, configs.get(instance), input_data, upstream,
                           hooks.get(instance, ExecutionInstanceHooks()), batch_size,
                           copy_config=copy_configs)
        return executor.executor.submit(task.run, executor.state(graph.chip_of(instance)))

    pending = list(order)
    while pending or running:
        if failure is None:
            for instance in [i for i in pending if graph.execution_instance_dependencies(i) <= done]:
                pending.remove(instance)
                running[start(instance)] = instance
        if not running:
            break
        finished, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
        for future in finished:
            instance = running.pop(future)
            try:
                result: InstanceResult = future.result()
            except BaseException as err:           # noqa: BLE001 - re-raised below, once
                if failure is None:
                    failure = err if isinstance(err, GrenadeError) else ExecutionError(
                        f"{instance} failed: {type(err).__name__}: {err}")
                    if failure is not err:
                        failure.__cause__ = err
                continue
            with lock:
                output.data.update(result.values)
                output.observables.update(result.observables)
                output.timing[instance] = result.timing
                output.health[instance] = result.health
            done.add(instance)
    if failure is not None:
        raise failure
    return output
