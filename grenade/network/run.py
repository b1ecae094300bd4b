"""``run(executor, network_graph, configs, input_data)``: a routed network on the chips, each
execution instance's configuration completed with the routing's static settings."""

from __future__ import annotations

from typing import Any, Mapping

import lola
from ..common import as_execution_instance
from ..errors import ArgumentTypeError, InputDataError
from ..execution import JITGraphExecutor
from ..execution import run as run_graph
from ..signal_flow.data import InputData, OutputData
from .graph_builder import NetworkGraph


def run(executor: JITGraphExecutor, network_graph: NetworkGraph, configs: Any = None,
        input_data: InputData | None = None, hooks: Any = None) -> OutputData:
    """Run a network graph; ``configs`` as for :func:`grenade.execution.run` (one
    ``lola.Chip`` for every instance, or a dict by instance: the neurons' parameters, e.g.
    from a calibration), to which the routing's settings are added."""
    if not isinstance(network_graph, NetworkGraph):
        raise ArgumentTypeError(f"run takes a NetworkGraph (build_network_graph), not "
                                f"{type(network_graph).__name__}")
    instances = set(network_graph.translations)
    if configs is None or isinstance(configs, lola.Chip):
        configs = {i: configs for i in instances}
    if not isinstance(configs, Mapping):
        raise ArgumentTypeError(f"configs is a lola.Chip or a dict ExecutionInstanceID -> lola.Chip, not "
                                f"{type(configs).__name__}")
    given = {as_execution_instance(k): c for k, c in configs.items()}
    unknown = set(given) - instances
    if unknown:
        raise InputDataError(f"configs for {sorted(unknown)}, which the network graph does not have (it "
                             f"has {sorted(instances)})")
    for instance, chip in given.items():
        if chip is not None and not isinstance(chip, lola.Chip):
            raise ArgumentTypeError(f"the config of {instance} must be a lola.Chip, not {type(chip).__name__}")
    # the completed configurations are this run's own: no second copy
    completed = {instance: network_graph.chip_config(instance, given.get(instance)) for instance in instances}
    return run_graph(executor, network_graph.graph, completed, input_data, hooks, copy_configs=False)
