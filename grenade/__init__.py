"""grenade: experiments as signal-flow graphs, abstract networks, place-and-route and
just-in-time execution on one or many (emulated) chips."""

from . import common, errors, execution, network, signal_flow
from .common import ExecutionInstanceID

__all__ = ["ExecutionInstanceID", "common", "errors", "execution", "network", "signal_flow"]
