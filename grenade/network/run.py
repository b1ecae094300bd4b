"""``run(executor, network_graph, configs, input_data)``: a routed network on the chips, each
execution instance's configuration completed with the routing's static settings."""

from __future__ import annotations

from typing import Any

import lola
from ..common import as_execution_instance
from ..errors import GrenadeError
from ..execution import JITGraphExecutor
from ..execution import run as run_graph
from ..signal_flow.data import InputData, OutputData
from .graph_builder import NetworkGraph


def run(executor: JITGraphExecutor, network_graph: NetworkGraph, configs: Any = None,
        input_data: InputData | None = None, hooks: Any = None) -> OutputData:
    """Run a network graph; ``configs`` as for :func:`grenade.execution.run` (the neurons'
    parameters, e.g. from a calibration), to which the routing's settings are added."""
    if not isinstance(network_graph, NetworkGraph):
        raise GrenadeError(f"run takes a NetworkGraph (build_network_graph), not {type(network_graph).__name__}")
    if configs is None or isinstance(configs, lola.Chip):
        configs = {i: configs for i in network_graph.translations}
    completed = {}
    for instance in network_graph.translations:
        given = {as_execution_instance(k): c for k, c in configs.items()}.get(instance)
        completed[instance] = network_graph.chip_config(instance, given)
    # the completed configurations are this run's own: no second copy
    return run_graph(executor, network_graph.graph, completed, input_data, hooks, copy_configs=False)
