"""``run(executor, graph, configs, input_data, hooks)``: every execution instance of a graph,
just in time, independent ones concurrently through the executor's ``concurrent.futures``
executor, dependent ones in topological order, each fed the host data of those before it.

Everything that can be checked before the hardware runs is checked for every instance before
the first one starts (arguments, input data, runtimes, hooks, plasticity programs), so that a
mistake in a later instance does not surface after the earlier ones have run.
"""

from __future__ import annotations

import concurrent.futures
import logging
from typing import Any, Mapping

import lola
from ..common import ExecutionInstanceID, as_execution_instance
from ..errors import ArgumentTypeError, ExecutionError, GrenadeError, InputDataError
from ..signal_flow import vertex as v
from ..signal_flow.data import InputData, OutputData
from ..signal_flow.graph import Graph
from .executor import JITGraphExecutor
from .hooks import ExecutionInstanceHooks
from .instance import InstanceResult, InstanceRun

log = logging.getLogger(__name__)


def _per_instance(values: Any, kind: type, what: str, instances: set[ExecutionInstanceID]) -> dict[ExecutionInstanceID, Any]:
    """``values`` (one for instance 0, or a dict by instance) by instance; every instance must
    be one of the graph's."""
    if values is None:
        return {}
    if isinstance(values, kind):
        values = {ExecutionInstanceID(0): values}
    if not isinstance(values, Mapping):
        raise ArgumentTypeError(f"{what} is a {kind.__name__} or a dict ExecutionInstanceID -> "
                                f"{kind.__name__}, not {type(values).__name__}")
    out = {}
    for key, value in values.items():
        if value is None and kind is lola.Chip:
            continue                               # None: the default configuration
        if not isinstance(value, kind):
            raise ArgumentTypeError(f"{what} of {key!r} must be a {kind.__name__}, not {type(value).__name__}")
        out[as_execution_instance(key)] = value
    unknown = set(out) - instances
    if unknown:
        raise InputDataError(f"{what} for {sorted(unknown)}, which the graph does not have (it has "
                             f"{sorted(instances)})")
    return out


def _check_input_data(graph: Graph, input_data: InputData, instances: set[ExecutionInstanceID]) -> int:
    """The batch size; data only for ExternalInput vertices, runtimes only for instances of the
    graph."""
    for d in input_data.data:
        if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d < len(graph):
            raise InputDataError(f"input data for vertices [{d!r}] that the graph does not have (it has "
                                 f"vertices 0..{len(graph) - 1})")
        if not isinstance(graph.vertex(d), v.ExternalInput):
            raise InputDataError(f"input data for vertex {d}, a {type(graph.vertex(d)).__name__}: data enter "
                                 "the graph at ExternalInput vertices only")
    batch_size = input_data.batch_size()
    for entry in range(batch_size):
        unknown = set(input_data.runtimes(entry)) - instances
        if unknown:
            raise InputDataError(f"a runtime for {sorted(unknown)}, which the graph does not have (it has "
                                 f"{sorted(instances)})")
    unknown = {as_execution_instance(k) for k in input_data.inter_batch_entry_wait} - instances
    if unknown:
        raise InputDataError(f"a wait between batch entries for {sorted(unknown)}, which the graph does "
                             f"not have")
    return batch_size


def _named(err: BaseException, instance: ExecutionInstanceID) -> GrenadeError:
    """The error, as a grenade error whose message names the instance."""
    if isinstance(err, GrenadeError):
        if repr(instance) in str(err):
            return err
        named = type(err)(f"{instance}: {err}")
    else:
        named = ExecutionError(f"{instance} failed: {type(err).__name__}: {err}")
    named.__cause__ = err
    return named


def run(executor: JITGraphExecutor, graph: Graph, configs: Any = None,
        input_data: InputData | None = None, hooks: Any = None, *,
        copy_configs: bool = True) -> OutputData:
    """Run ``graph``: ``configs`` is the initial ``lola.Chip`` of each execution instance (one
    for instance 0, or a dict by instance; default ``lola.Chip()``), ``input_data`` the values of
    its external inputs and the runtimes (every instance with vertices on a chip needs one),
    ``hooks`` user commands (one :class:`ExecutionInstanceHooks`, or a dict by instance).

    Before any instance runs, every instance is checked (the error names it); during the run,
    an instance that fails raises a grenade error naming it, and no instance is started after
    a failure. ``copy_configs=False`` lets the run complete the given configurations in place
    (for callers that made them for this run)."""
    if not isinstance(executor, JITGraphExecutor):
        raise ArgumentTypeError(f"run needs a grenade JITGraphExecutor, not {type(executor).__name__}")
    if not isinstance(graph, Graph):
        raise ArgumentTypeError(f"run needs a grenade signal-flow Graph, not {type(graph).__name__}")
    input_data = InputData() if input_data is None else input_data
    if not isinstance(input_data, InputData):
        raise ArgumentTypeError(f"input_data must be a grenade InputData, not {type(input_data).__name__}")
    order = graph.execution_instances()
    instances = set(order)
    configs = _per_instance(configs, lola.Chip, "configs", instances)
    hooks = _per_instance(hooks, ExecutionInstanceHooks, "hooks", instances)
    batch_size = _check_input_data(graph, input_data, instances)
    for chip in {graph.chip_of(i) for i in order}:
        executor.state(chip)                  # every chip exists before anything runs
    tasks = {}
    for instance in order:
        task = InstanceRun(graph, instance, configs.get(instance), input_data, {},
                           hooks.get(instance, ExecutionInstanceHooks()), batch_size,
                           copy_config=copy_configs)
        try:
            task.check()
        except GrenadeError as err:
            raise _named(err, instance) from err.__cause__
        tasks[instance] = task

    # only this thread touches the output: the tasks hand their values back through futures
    output = OutputData(batch_size=batch_size)
    done: set[ExecutionInstanceID] = set()
    running: dict[concurrent.futures.Future, ExecutionInstanceID] = {}
    failure: BaseException | None = None
    pending = list(order)
    while pending or running:
        if failure is None:
            for instance in [i for i in pending if graph.execution_instance_dependencies(i) <= done]:
                pending.remove(instance)
                task = tasks[instance]
                task.upstream = dict(output.data)
                running[executor.executor.submit(task.run, executor.state(graph.chip_of(instance)))] = instance
        if not running:
            break
        finished, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
        for future in finished:
            instance = running.pop(future)
            try:
                result: InstanceResult = future.result()
            except BaseException as err:           # noqa: BLE001 - re-raised below, once
                if failure is None:
                    failure = _named(err, instance)
                continue
            output.data.update(result.values)
            output.observables.update(result.observables)
            output.timing[instance] = result.timing
            output.health[instance] = result.health
            done.add(instance)
    if failure is not None:
        raise failure
    return output
