"""The signal-flow graph: typed vertices in execution instances, edges checked when added.

``Graph.add(vertex, execution_instance, inputs)`` runs grenade's four checks on the inputs:

1. **count**: as many inputs as the vertex has input ports (a variadic vertex repeats its last
   port any number of times, at least ``len(inputs()) - 1`` inputs);
2. **port**: input ``i`` must match port ``min(i, n - 1)``: the source's output port (or its
   restriction) has the same size and connection type;
3. **source**: the vertex accepts that source (``Vertex.input_problem``; on-chip vertices only
   from the same chip);
4. **execution instance**: host data (``Data*``) between two vertices that both may cross
   instances must cross to a *different* instance; every other edge stays in its instance.

A second graph of execution instances records which instance takes data from which; it must
stay acyclic (data goes forward in time). Cycles inside one instance (recurrent routing on the
chip) are allowed. An execution instance runs on one chip. Nothing is changed when a check
fails: the error names the vertex, the input and what was wrong.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

import attrs

from ..common import ExecutionInstanceID, as_execution_instance, toposort
from ..errors import ArgumentTypeError, ExecutionInstanceError, InvalidInputError
from .port import PortRestriction
from .vertex.base import EntityOnChip, Vertex


def _descriptor(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(f"an input's descriptor is a vertex descriptor (int), not "
                                f"{type(value).__name__} {value!r}")
    return value


def _restriction(value: Any) -> PortRestriction | None:
    if value is None or isinstance(value, PortRestriction):
        return value
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return PortRestriction(*value)          # (min, max), both inclusive
    raise ArgumentTypeError(f"an input's restriction is a grenade PortRestriction(min, max), a pair "
                            f"(min, max) or None, not {type(value).__name__} {value!r}")


@attrs.frozen
class Input:
    """An edge into a vertex: from vertex ``descriptor``, optionally only the channels of
    ``restriction`` (a :class:`PortRestriction` or a pair ``(min, max)``, both inclusive)."""

    descriptor: int = attrs.field(converter=_descriptor)
    restriction: PortRestriction | None = attrs.field(default=None, converter=_restriction)


def _as_input(value: Any) -> Input:
    if isinstance(value, Input):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(f"an input is a vertex descriptor (int) or a grenade Input, not "
                                f"{type(value).__name__} {value!r}")
    return Input(value)


class Graph:
    """Vertices with their execution instance and input edges, and the DAG of execution
    instances."""

    def __init__(self) -> None:
        self._vertices: list[Vertex] = []
        self._instances: list[ExecutionInstanceID] = []
        self._inputs: list[tuple[Input, ...]] = []
        self._outputs: list[list[int]] = []
        #: execution instance -> instances it takes data from (counted per edge)
        self._instance_edges: dict[tuple[ExecutionInstanceID, ExecutionInstanceID], int] = {}
        self._instance_chips: dict[ExecutionInstanceID, int] = {}
        #: (instance, vertex type name) -> the descriptor of a one-per-instance vertex
        self._unique: dict[tuple[ExecutionInstanceID, str], int] = {}

    # -- reading ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._vertices)

    def vertex_descriptors(self) -> range:
        return range(len(self._vertices))

    def vertex(self, descriptor: int) -> Vertex:
        return self._vertices[self._check_descriptor(descriptor)]

    def execution_instance(self, descriptor: int) -> ExecutionInstanceID:
        return self._instances[self._check_descriptor(descriptor)]

    def inputs(self, descriptor: int) -> tuple[Input, ...]:
        return self._inputs[self._check_descriptor(descriptor)]

    def out_edges(self, descriptor: int) -> list[int]:
        """Descriptors of the vertices that take ``descriptor`` as an input."""
        return list(self._outputs[self._check_descriptor(descriptor)])

    def execution_instances(self) -> list[ExecutionInstanceID]:
        """Every execution instance in an order in which each comes after those it takes data
        from (ties by id)."""
        return toposort(set(self._instances), set(self._instance_edges))

    def execution_instance_dependencies(self, instance: Any) -> set[ExecutionInstanceID]:
        """The instances ``instance`` takes data from."""
        instance = as_execution_instance(instance)
        return {a for a, b in self._instance_edges if b == instance}

    def vertices_of(self, instance: Any) -> list[int]:
        """Descriptors of the vertices of one execution instance, in insertion order."""
        instance = as_execution_instance(instance)
        return [d for d, i in enumerate(self._instances) if i == instance]

    def chip_of(self, instance: Any) -> int:
        """The chip (connection on the executor) an execution instance runs on (0 if it has no
        on-chip vertex)."""
        return self._instance_chips.get(as_execution_instance(instance), 0)

    def _check_descriptor(self, descriptor: Any) -> int:
        if isinstance(descriptor, bool) or not isinstance(descriptor, int) or \
                not 0 <= descriptor < len(self._vertices):
            raise InvalidInputError(f"vertex {descriptor!r} does not exist (the graph has "
                                    f"{len(self._vertices)} vertices)")
        return descriptor

    # -- building -----------------------------------------------------------------------------
    def add(self, vertex: Vertex, execution_instance: Any = 0,
            inputs: Sequence[Input | int] = ()) -> int:
        """Add ``vertex`` to ``execution_instance`` with ``inputs`` (descriptors or
        :class:`Input`); returns its descriptor. Raises (and adds nothing) if a check fails."""
        if not isinstance(vertex, Vertex):
            raise ArgumentTypeError(f"Graph.add takes a grenade vertex, not {type(vertex).__name__}")
        instance = as_execution_instance(execution_instance)
        inputs = tuple(_as_input(i) for i in inputs)
        new_edges = self._check(vertex, instance, inputs, None)
        descriptor = len(self._vertices)
        self._vertices.append(vertex)
        self._instances.append(instance)
        self._inputs.append(inputs)
        self._outputs.append([])
        for i in inputs:
            self._outputs[i.descriptor].append(descriptor)
        self._commit(instance, vertex, new_edges, descriptor)
        return descriptor

    def update(self, descriptor: int, vertex: Vertex) -> None:
        """Replace a vertex (same instance and inputs); its inputs and the vertices it feeds are
        checked again, and nothing changes if a check fails."""
        self.update_and_relocate(descriptor, vertex, self.inputs(descriptor))

    def update_and_relocate(self, descriptor: int, vertex: Vertex, inputs: Sequence[Input | int]) -> None:
        """Replace a vertex and its input edges (checked as in :meth:`add`, and its outputs'
        checks again)."""
        descriptor = self._check_descriptor(descriptor)
        if not isinstance(vertex, Vertex):
            raise ArgumentTypeError(f"Graph.update takes a grenade vertex, not {type(vertex).__name__}")
        instance = self._instances[descriptor]
        inputs = tuple(_as_input(i) for i in inputs)
        old_vertex, old_inputs = self._vertices[descriptor], self._inputs[descriptor]
        self._remove_instance_edges(descriptor)
        try:
            new_edges = self._check(vertex, instance, inputs, descriptor)
            self._vertices[descriptor] = vertex
            for target in self._outputs[descriptor]:
                self._check(self._vertices[target], self._instances[target], self._inputs[target], target)
        except Exception:
            self._vertices[descriptor] = old_vertex
            self._add_instance_edges(descriptor)
            raise
        for i in old_inputs:
            self._outputs[i.descriptor].remove(descriptor)
        self._inputs[descriptor] = inputs
        for i in inputs:
            self._outputs[i.descriptor].append(descriptor)
        if type(old_vertex) is not type(vertex) and old_vertex.one_per_execution_instance:
            del self._unique[(instance, type(old_vertex).__name__)]
        self._commit(instance, vertex, new_edges, descriptor)
        if isinstance(vertex, EntityOnChip):
            # the checks let a vertex move to another chip only if it is the instance's one
            # on-chip vertex: the instance then runs on the new vertex's chip
            self._instance_chips[instance] = vertex.chip_on_executor
        elif isinstance(old_vertex, EntityOnChip) and self._only_chip_vertex(instance, descriptor):
            del self._instance_chips[instance]

    def _instance_edges_of(self, descriptor: int) -> list[tuple[ExecutionInstanceID, ExecutionInstanceID]]:
        target = self._instances[descriptor]
        return [(self._instances[i.descriptor], target) for i in self._inputs[descriptor]
                if self._instances[i.descriptor] != target]

    def _remove_instance_edges(self, descriptor: int) -> None:
        for edge in self._instance_edges_of(descriptor):
            self._instance_edges[edge] -= 1
            if not self._instance_edges[edge]:
                del self._instance_edges[edge]

    def _add_instance_edges(self, descriptor: int) -> None:
        for edge in self._instance_edges_of(descriptor):
            self._instance_edges[edge] = self._instance_edges.get(edge, 0) + 1

    def _commit(self, instance: ExecutionInstanceID, vertex: Vertex,
                new_edges: list[tuple[ExecutionInstanceID, ExecutionInstanceID]], descriptor: int) -> None:
        for edge in new_edges:
            self._instance_edges[edge] = self._instance_edges.get(edge, 0) + 1
        if isinstance(vertex, EntityOnChip):
            self._instance_chips.setdefault(instance, vertex.chip_on_executor)
        if vertex.one_per_execution_instance:
            self._unique[(instance, type(vertex).__name__)] = descriptor

    def _check(self, vertex: Vertex, instance: ExecutionInstanceID, inputs: tuple[Input, ...],
               descriptor: int | None) -> list[tuple[ExecutionInstanceID, ExecutionInstanceID]]:
        """The four input checks; returns the execution-instance edges the inputs add."""
        name = type(vertex).__name__ + ("" if descriptor is None else f" (vertex {descriptor})")
        ports = vertex.inputs()
        if vertex.variadic_input:
            if len(inputs) < len(ports) - 1:
                raise InvalidInputError(f"{name} takes at least {len(ports) - 1} inputs, got {len(inputs)}")
        elif len(inputs) != len(ports):
            raise InvalidInputError(f"{name} takes {len(ports)} inputs "
                                    f"({', '.join(map(str, ports)) or 'none'}), got {len(inputs)}")
        if vertex.one_per_execution_instance:
            other = self._unique.get((instance, type(vertex).__name__))
            if other is not None and other != descriptor:
                raise ExecutionInstanceError(
                    f"{name}: {instance} already has a {type(vertex).__name__} (vertex {other}); an "
                    f"execution instance has one ({vertex.one_per_execution_instance}): connect "
                    f"every source to that one")
        if isinstance(vertex, EntityOnChip):
            chip = self._instance_chips.get(instance)
            if chip is not None and chip != vertex.chip_on_executor and not (
                    descriptor is not None and self._only_chip_vertex(instance, descriptor)):
                raise ExecutionInstanceError(
                    f"{name} lies on chip {vertex.chip_on_executor}, but {instance} runs on chip "
                    f"{chip}: an execution instance uses one chip")
        edges = []
        for index, inp in enumerate(inputs):
            self._check_descriptor(inp.descriptor)
            source = self._vertices[inp.descriptor]
            port = ports[min(index, len(ports) - 1)]
            out = source.output()
            what = f"{name} input {index} (from {type(source).__name__} {inp.descriptor})"
            if source.no_output:
                raise InvalidInputError(f"{what}: {source.no_output}")
            if inp.restriction is None:
                if out != port:
                    raise InvalidInputError(f"{what}: the source gives {out}, the port takes {port}")
            else:
                if not isinstance(inp.restriction, PortRestriction) or not inp.restriction.is_restriction_of(out):
                    raise InvalidInputError(f"{what}: restriction {inp.restriction} does not lie in the "
                                            f"source's {out}")
                if out.type != port.type or inp.restriction.size() != port.size:
                    raise InvalidInputError(f"{what}: the restricted source gives "
                                            f"{inp.restriction.size()}x{out.type.name}, the port takes {port}")
            problem = vertex.input_problem(index, source, inp.restriction)
            if problem:
                raise InvalidInputError(f"{what}: {problem}")
            source_instance = self._instances[inp.descriptor]
            crossing = (port.type.is_data and vertex.can_connect_different_execution_instances
                        and source.can_connect_different_execution_instances)
            if crossing and source_instance == instance:
                raise ExecutionInstanceError(
                    f"{what}: host data between {type(source).__name__} and {type(vertex).__name__} "
                    f"must go to a later execution instance, not stay in {instance}")
            if not crossing and source_instance != instance:
                raise ExecutionInstanceError(
                    f"{what}: a {port.type.name} edge stays in one execution instance; the source "
                    f"is in {source_instance}, the vertex in {instance}")
            if source_instance != instance:
                edges.append((source_instance, instance))
        if edges:
            all_edges = set(self._instance_edges) | set(edges)
            if toposort(set(self._instances) | {instance}, all_edges) is None:
                a, b = edges[0]
                raise ExecutionInstanceError(
                    f"{name}: data from {a} into {b} closes a cycle between execution instances "
                    "(data must go forward in time)")
        return edges

    def _only_chip_vertex(self, instance: ExecutionInstanceID, descriptor: int) -> bool:
        others = [d for d in self.vertices_of(instance)
                  if d != descriptor and isinstance(self._vertices[d], EntityOnChip)]
        return not others

    # -- comparison and printing ----------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Graph):
            return NotImplemented
        return (self._vertices == other._vertices and self._instances == other._instances
                and self._inputs == other._inputs)

    def __iter__(self) -> Iterator[tuple[int, Vertex]]:
        return iter(enumerate(self._vertices))

    def to_graphviz(self) -> str:
        """The graph in graphviz's dot language: one cluster per execution instance."""
        lines = ["digraph grenade {", "  rankdir=LR;"]
        for instance in self.execution_instances():
            lines.append(f'  subgraph "cluster_{instance.value}" {{')
            lines.append(f'    label="execution instance {instance.value}";')
            for d in self.vertices_of(instance):
                v = self._vertices[d]
                lines.append(f'    v{d} [label="{d}: {type(v).__name__}\\n{v.output()}"];')
            lines.append("  }")
        for d, inputs in enumerate(self._inputs):
            for i in inputs:
                label = f' [label="{i.restriction}"]' if i.restriction is not None else ""
                lines.append(f"  v{i.descriptor} -> v{d}{label};")
        lines.append("}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Graph({len(self._vertices)} vertices in "
                f"{len(set(self._instances))} execution instances)")

    # -- serialization -----------------------------------------------------------------------------
    def to_json(self) -> str:
        """JSON text of the graph (vertices, instances, edges); :meth:`from_json` restores it."""
        from .serialization import graph_to_json

        return graph_to_json(self)

    @classmethod
    def from_parts(cls, entries: Iterable[tuple[Vertex, Any, Sequence[Input | int]]]) -> "Graph":
        """A graph of ``entries`` (vertex, execution instance, inputs), vertex i getting
        descriptor i; every check of :meth:`add` runs, once all vertices exist, so that an input
        may come from a later vertex (recurrent routing, vertices relocated onto later ones)."""
        graph = cls()
        for vertex, instance, inputs in entries:
            if not isinstance(vertex, Vertex):
                raise ArgumentTypeError(f"a graph holds grenade vertices, not {type(vertex).__name__}")
            graph._vertices.append(vertex)
            graph._instances.append(as_execution_instance(instance))
            graph._inputs.append(tuple(_as_input(i) for i in inputs))
            graph._outputs.append([])
        for d, inputs in enumerate(graph._inputs):
            for i in inputs:
                graph._outputs[graph._check_descriptor(i.descriptor)].append(d)
        for d, (vertex, instance, inputs) in enumerate(zip(graph._vertices, graph._instances, graph._inputs)):
            edges = graph._check(vertex, instance, inputs, d)
            graph._commit(instance, vertex, edges, d)
        return graph

    @classmethod
    def from_json(cls, text: str) -> "Graph":
        from .serialization import graph_from_json

        return graph_from_json(text)

