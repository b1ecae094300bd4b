"""Exceptions raised by grenade. Every one derives from :class:`GrenadeError` and a builtin."""

from __future__ import annotations


class GrenadeError(Exception):
    """Base class of every grenade error."""


class ArgumentTypeError(GrenadeError, TypeError):
    """An argument of the wrong type (a run without a grenade executor, a hook that is not a
    stadls builder, an index that is not an int, ...); the message names what is expected."""


class InvalidArgumentError(GrenadeError, ValueError):
    """An argument of the right type with a value grenade cannot use (an executor without
    chips, an executor that runs its tasks in another process, an empty router list, ...)."""


class InvalidInputError(GrenadeError, ValueError):
    """A vertex was given inputs it cannot take (wrong count, port type or size, a source it
    cannot be connected to)."""


class ExecutionInstanceError(GrenadeError, ValueError):
    """An edge across execution instances that is not allowed (not data, backwards in time, a
    cycle between instances), or an execution instance that needs two chips."""


class InvalidNetworkError(GrenadeError, ValueError):
    """A network element that is not valid on its own or with what was added before (a
    population on a used neuron, a projection to a population that does not exist, a negative
    weight, ...); the message names the element."""


class UnsuccessfulRouting(GrenadeError, RuntimeError):
    """The router found no hardware configuration for the network; the message names the
    resource that ran out (hemisphere, PADI bus, rows needed vs available)."""


class InputDataError(GrenadeError, ValueError):
    """Input data that does not fit the graph (missing entries, batch sizes that differ, times
    that are not whole FPGA cycles, events at negative times)."""


class ExecutionError(GrenadeError, RuntimeError):
    """An execution failed on a connection (the underlying error is chained)."""


class InvalidVertexError(GrenadeError, ValueError):
    """A vertex constructed with a configuration it cannot have (indices out of range, shapes
    that do not match, values outside the hardware's range)."""


class SerializationError(GrenadeError, ValueError):
    """A graph that cannot be written to JSON, or JSON text that is not a grenade graph."""
