"""From a routed network to a signal-flow graph (grenade's ``build_network_graph``), with the
translation back from vertices and labels to populations and neurons.

Per execution instance, in order: the external input (``ExternalInput`` -> ``DataInput`` ->
``CrossbarL2Input``; spikes of earlier instances merged in by an
:class:`ExternalSourceMerger`), background sources, one ``NeuronView`` per population and
hemisphere, the MADC and CADC readouts, the neurons' event outputs, the crossbar nodes, PADI
buses and synapse drivers the routing uses, one ``SynapseArrayViewSparse`` per projection and
hemisphere (the post ``NeuronView`` relocated onto its synapse views), the spike recording
(``CrossbarL2Output`` -> ``DataOutput``) and the plasticity rules. Routing settings that no
vertex carries (disabled crossbar routes, unused partner rows) are applied to the chip
configuration (:meth:`NetworkGraph.chip_config`).
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

import attrs
import numpy as np

import halco
import haldls
import lola
from ..common import FPGA_CYCLES_PER_US, ExecutionInstanceID, as_execution_instance
from ..errors import InvalidNetworkError
from ..execution.instance import configuration
from ..signal_flow import vertex as v
from ..signal_flow.graph import Graph, Input
from ..signal_flow.data import SPIKE_TO_CHIP_DTYPE, TIME_MAX
from ..signal_flow.port import ConnectionType, Port, PortRestriction
from ..signal_flow.vertex.transformation import Function
from .network import BackgroundSourcePopulation, ExternalSourcePopulation, Network, Population
from .routing import labels as routing_labels
from .routing import layout as routing_layout
from .routing.result import ExecutionInstanceRoutingResult, RoutingResult

_ROW_MODE = haldls.SynapseDriverConfig.RowMode
T = ConnectionType
_EXTERNAL_RECORD, _BACKGROUND_RECORD = routing_layout.BIT_EXTERNAL_RECORD, routing_layout.BIT_BACKGROUND_RECORD
#: the NeuronLabel bits of a spike label (below the L2 link's bits)
_NEURON_LABEL = (1 << routing_layout.SPL1_SHIFT) - 1


def _merger_mapping(mapping: Any) -> dict[tuple[int, int], tuple[int, ...]]:
    out = {}
    for key, targets in dict(mapping).items():
        source, label = (0, key) if isinstance(key, (int, np.integer)) else key
        out[(int(source), int(label))] = tuple(int(t) for t in targets)
    return out


@attrs.frozen
class ExternalSourceMerger(Function):
    """Host side of projections between execution instances: the spikes recorded in earlier
    instances (inputs after the first if ``has_external``), relabelled by ``mapping``
    ((recorded input, recorded 16-bit label) -> labels to send; the recorded input counts the
    recorded inputs from 0, a bare label means recorded input 0) and delayed by ``delay``
    cycles, merged with the external spikes of the first input (if ``has_external``). Keyed
    by input, the spikes of one instance never reach the targets of another that happens to
    record the same label."""

    mapping: dict = attrs.field(converter=_merger_mapping)
    delay: int = 0
    n_recorded: int = 1
    has_external: bool = False

    def inputs(self) -> tuple[Port, ...]:
        own = (Port(1, T.DataTimedSpikeToChipSequence),) if self.has_external else ()
        return own + tuple(Port(1, T.DataTimedSpikeFromChipSequence) for _ in range(self.n_recorded))

    def output(self) -> Port:
        # local: the merged spikes go straight into the chip's L2 input, in the same instance
        return Port(1, T.TimedSpikeToChipSequence)

    def _tables(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per recorded input: its mapped labels (sorted), per label the range of its targets
        in the flat target array, and that array."""
        tables = []
        for r in range(self.n_recorded):
            keys = sorted(label for source, label in self.mapping if source == r)
            targets = [self.mapping[(r, label)] for label in keys]
            counts = np.array([len(t) for t in targets], dtype=np.int64)
            flat = np.array([x for t in targets for x in t], dtype=np.int64)
            tables.append((np.array(keys, dtype=np.int64), np.concatenate([[0], np.cumsum(counts)]), flat))
        return tables

    def apply(self, values: list) -> list:
        out = []
        recorded = values[1:] if self.has_external else values
        tables = self._tables()
        for entry in range(len(values[0])):
            parts = [values[0][entry]] if self.has_external else []
            for (keys, bounds, flat), spikes in zip(tables, (r[entry] for r in recorded)):
                labels = spikes["label"].astype(np.int64)
                at = np.minimum(np.searchsorted(keys, labels), max(len(keys) - 1, 0))
                known = (at < len(keys)) & (keys[at] == labels) if len(keys) else np.zeros(len(labels), bool)
                at, times = at[known], spikes["time"][known].astype(np.int64) + self.delay
                # beyond the FPGA's timer a spike is late anyway (the executor drops and counts
                # spikes at or after the runtime); it must not wrap to an early time
                np.minimum(times, TIME_MAX, out=times)
                # every spike once per target of its label, without a Python loop per spike
                counts = bounds[at + 1] - bounds[at]
                first = np.repeat(bounds[at], counts)
                offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
                part = np.zeros(int(counts.sum()), dtype=SPIKE_TO_CHIP_DTYPE)
                part["time"], part["label"] = np.repeat(times, counts), flat[first + offset]
                parts.append(part)
            merged = np.concatenate(parts) if parts else np.zeros(0, dtype=SPIKE_TO_CHIP_DTYPE)
            out.append(merged[np.argsort(merged["time"], kind="stable")])
        return out


@attrs.define
class GraphTranslation:
    """Where one execution instance's network lives in the graph, and how labels map back.

    ``spike_labels``: recorded 16-bit label (the L2 link in bits 15..14) -> list of
    (population, neuron, compartment);
    ``madc_neurons`` / ``cadc_neurons``: the recorded
    :class:`~grenade.network.AtomicNeuronOnExecutionInstance` per channel."""

    event_input: int | None = None
    spike_input: int | None = None
    event_output: int | None = None
    madc_output: int | None = None
    madc_neurons: list = attrs.field(factory=list)
    cadc_outputs: list = attrs.field(factory=list)
    cadc_neurons: list = attrs.field(factory=list)
    neuron_views: dict = attrs.field(factory=dict)
    synapse_views: dict = attrs.field(factory=dict)
    plasticity_rules: dict = attrs.field(factory=dict)
    spike_labels: dict = attrs.field(factory=dict)


@attrs.define
class NetworkGraph:
    """A network, its routing and the signal-flow graph that realizes it."""

    network: Network
    routing: RoutingResult
    graph: Graph
    translations: dict[ExecutionInstanceID, GraphTranslation]
    #: per instance, (coordinate enum, config) of crossbar nodes no vertex carries
    _static_nodes: dict = attrs.field(factory=dict)
    #: per instance, driver enum -> (compare mask, row modes) of drivers no vertex carries
    _static_drivers: dict = attrs.field(factory=dict)

    def configuration(self, instance: Any = 0, chip: lola.Chip | None = None) -> lola.Chip:
        """The whole configuration the instance writes: :meth:`chip_config` with every vertex's
        configuration applied (what a hand-written program would write)."""
        return configuration(self.graph, instance, self.chip_config(instance, chip))

    def chip_config(self, instance: Any, chip: lola.Chip | None = None) -> lola.Chip:
        """``chip`` (default ``lola.Chip()``, not changed) with the routing's settings that no
        vertex carries. The network owns the event routing: every synapse weight not routed is
        0, the synapse drivers the routing does not use receive nothing, and neurons outside
        the network's populations send no spikes."""
        out = copy.deepcopy(chip) if chip is not None else lola.Chip()
        instance = as_execution_instance(instance)
        for matrix in out.synapse_matrices:
            matrix.weights = np.zeros_like(matrix.weights)
        used = set(self.routing.execution_instances[instance].synapse_driver_compare_masks)
        for block, drivers in enumerate(b.synapse_drivers for b in out.synapse_driver_blocks):
            for local, driver in enumerate(drivers):
                if driver.enable_receiver and block * len(drivers) + local not in used:
                    drivers[local] = attrs.evolve(driver, enable_receiver=False)
        placed = {a.to_enum() for p in self.network.execution_instances[instance].populations
                  if isinstance(p, Population) for a in p.atomic_neurons()}
        for atom, neuron in enumerate(out.neuron_block.atomic_neurons):
            if atom not in placed and neuron.event_routing.enable_digital:
                routing = neuron.event_routing
                routing.enable_digital = False
                neuron.event_routing = routing
        for enum, config in self._static_nodes.get(instance, []):
            out.crossbar.nodes[enum] = config
        for enum, (mask, modes) in self._static_drivers.get(instance, {}).items():
            block, local = divmod(enum, halco.SynapseDriverOnSynapseDriverBlock.size)
            drivers = out.synapse_driver_blocks[block].synapse_drivers
            drivers[local] = attrs.evolve(drivers[local], enable_receiver=True,
                                          row_address_compare_mask=mask, row_mode_top=modes[0],
                                          row_mode_bottom=modes[1])
        return out


def _l2_link(crossbar_input: halco.CrossbarInputOnDLS) -> int:
    """The L2 output (FPGA link, label bits 15..14 of a recorded spike) through which a
    crossbar input's events are recorded: its one node to an L2 output."""
    return _L2_OF_INPUT[crossbar_input.value()]


#: crossbar input -> the L2 output (0..3) it has a node to (inputs 8..11: their own)
_L2_OF_INPUT = {node.y.value(): node.x.value() - 8 for node in halco.iter_all(halco.CrossbarNodeOnDLS)
                if node.x.value() >= 8}


class _InstanceBuilder:
    def __init__(self, graph: Graph, network: Network, eid: ExecutionInstanceID,
                 routing: ExecutionInstanceRoutingResult, upstream: dict, chip: int) -> None:
        self.graph, self.network, self.eid, self.routing = graph, network, eid, routing
        self.chip = chip
        self.instance = network.execution_instances[eid]
        self.t = GraphTranslation()
        self.upstream = upstream
        self.static_nodes: list = []
        self.static_drivers: dict = {}
        self.event_outputs: int | None = None
        self.l2_input: int | None = None
        self.background: dict[int, int] = {}            # crossbar input -> vertex
        #: population -> per neuron: compartment -> AtomicNeuronOnDLS enums (made once)
        self.atoms = {p: pop.compartment_atoms() for p, pop in enumerate(self.instance.populations)
                      if isinstance(pop, Population)}

    def add(self, vertex: v.Vertex, inputs: list = ()) -> int:
        if isinstance(vertex, v.EntityOnChip) and vertex.chip_on_executor != self.chip:
            vertex = attrs.evolve(vertex, chip_on_executor=self.chip)
        return self.graph.add(vertex, self.eid, list(inputs))

    def build(self) -> GraphTranslation:
        self._external_input()
        self._background_sources()
        self._neuron_views()
        self._readouts()
        self._event_outputs()
        buses = self._crossbar_and_buses()
        drivers = self._drivers(buses)
        self._synapse_views(drivers)
        self._spike_recording()
        self._plasticity_rules()
        return self.t

    # -- sources ---------------------------------------------------------------------------------
    def _external_input(self) -> None:
        has_external = any(isinstance(p, ExternalSourcePopulation) for p in self.instance.populations)
        merged = [p for p in self.network.inter_execution_instance_projections
                  if as_execution_instance(p.population_post[0]) == self.eid]
        if not has_external and not merged:
            return
        inputs: list[int] = []
        if has_external:
            self.t.event_input = self.graph.add(v.ExternalInput(T.DataTimedSpikeToChipSequence), self.eid)
            inputs.append(self.t.event_input)
        if merged:
            # (recorded input, recorded label) -> labels to send: keyed by input, so that two
            # earlier instances recording the same label stay apart
            mapping: dict[tuple[int, int], list[int]] = {}
            sources: list[int] = []
            delays = set()
            for projection in merged:
                pre_eid, pre_pop = as_execution_instance(projection.population_pre[0]), projection.population_pre[1]
                post_pop = projection.population_post[1]
                recorded = self.upstream.get(pre_eid)
                if recorded is None or recorded.event_output is None:
                    raise InvalidNetworkError(f"{pre_eid} records no spikes to project into {self.eid}")
                if recorded.event_output not in sources:
                    sources.append(recorded.event_output)
                source = sources.index(recorded.event_output)
                delays.add(int(round(projection.delay_us * FPGA_CYCLES_PER_US)))
                labels = self.routing.external_spike_labels.get(post_pop, [])
                label_of = {key: label for label, keys in recorded.spike_labels.items() for key in keys}
                for c in projection.connections:
                    key = (pre_pop, int(c["index_pre"]), int(c["compartment_pre"]))
                    if key not in label_of:
                        raise InvalidNetworkError(
                            f"neuron {key[1]} compartment {key[2]} of population {pre_pop} in {pre_eid} "
                            f"has no recorded spikes to project into {self.eid}")
                    mapping.setdefault((source, label_of[key]), []).extend(labels[int(c["index_post"])])
            if len(delays) > 1:
                raise InvalidNetworkError(f"the projections into {self.eid} from earlier instances have "
                                          f"different delays {sorted(delays)} (FPGA cycles); one delay "
                                          f"per instance")
            merger = ExternalSourceMerger(mapping, delays.pop(), len(sources), has_external)
            spikes = self.graph.add(v.Transformation(merger), self.eid, inputs + sources)
        else:
            spikes = self.add(v.DataInput(T.TimedSpikeToChipSequence), [inputs[0]])
        self.t.spike_input = spikes
        self.l2_input = self.add(v.CrossbarL2Input(), [spikes])

    def _background_sources(self) -> None:
        for p, population in enumerate(self.instance.populations):
            if not isinstance(population, BackgroundSourcePopulation):
                continue
            for hemisphere, source in self.routing.background_sources.get(p, {}).items():
                cfg = population.config
                config = haldls.BackgroundSpikeSource(
                    enable=True, enable_random=cfg.enable_random, period=cfg.period, rate=cfg.rate,
                    seed=cfg.seed, mask=self.routing.background_spike_source_masks[p][hemisphere],
                    neuron_label=self.routing.background_spike_source_labels[p][hemisphere])
                vertex = self.add(v.BackgroundSpikeSource(halco.BackgroundSpikeSourceOnDLS(source), config))
                self.background[halco.BackgroundSpikeSourceOnDLS(source).to_crossbar_input_on_dls().value()] = vertex
                # source n's spikes carry n in the random bits; the record bit loops them back
                base = self.routing.background_spike_source_labels[p][hemisphere]
                if base & _BACKGROUND_RECORD:
                    mask = self.routing.background_spike_source_masks[p][hemisphere]
                    link = _l2_link(halco.BackgroundSpikeSourceOnDLS(source).to_crossbar_input_on_dls())
                    for n in range(len(population)):
                        label = link << routing_layout.SPL1_SHIFT | (((base & ~mask) | n) & _NEURON_LABEL)
                        self.t.spike_labels.setdefault(label, []).append((p, n, 0))

    # -- neurons ---------------------------------------------------------------------------------
    def _neuron_views(self) -> None:
        for p, population in enumerate(self.instance.populations):
            if not isinstance(population, Population):
                continue
            labels = self.routing.internal_neuron_labels.get(p, [])
            per_row: dict[int, dict[int, int | None]] = {}
            for n, compartments in enumerate(self.atoms[p]):
                for c, atoms in compartments.items():
                    addresses = labels[n].get(c, [None] * len(atoms)) if n < len(labels) else [None] * len(atoms)
                    for atom, address in zip(atoms, addresses):
                        row, column = divmod(atom, 256)
                        per_row.setdefault(row, {})[column] = address
                        if address is not None:
                            output = halco.AtomicNeuronOnDLS.from_enum(atom).to_neuron_event_output_on_dls()
                            link = _l2_link(output.to_crossbar_input_on_dls())
                            label = (link << routing_layout.SPL1_SHIFT
                                     | routing_labels.internal_spike_label(output.to_enum(), int(address)))
                            self.t.spike_labels.setdefault(label, []).append((p, n, c))
            for row, columns in sorted(per_row.items()):
                cols = sorted(columns)
                view = v.NeuronView(cols, [v.NeuronConfig(columns[c]) for c in cols], row)
                self.t.neuron_views[(p, row)] = self.add(view)

    def _readouts(self) -> None:
        madc, cadc = self.instance.madc_recording, self.instance.cadc_recording
        if madc is not None:
            sources, inputs = [], []
            for r in madc.neurons:
                atom, view, index = self._locate(r.coordinate)
                sources.append(v.MADCSource(halco.AtomicNeuronOnDLS.from_enum(atom), r.source))
                inputs.append(Input(view, _one(index)))
                self.t.madc_neurons.append(r.coordinate)
            vertex = self.add(v.MADCReadoutView(*sources), inputs)
            self.t.madc_output = self.add(v.DataOutput(T.TimedMADCSampleFromChipSequence), [vertex])
        if cadc is not None:
            by_row: dict[int, list] = {}
            for r in cadc.neurons:
                atom, view, index = self._locate(r.coordinate)
                by_row.setdefault(atom // 256, []).append((atom % 256, view, index, r.coordinate))
            mode = v.CADCMode.periodic if cadc.period_us > 0 else v.CADCMode.end
            for row, entries in sorted(by_row.items()):
                entries.sort()
                vertex = self.add(v.CADCMembraneReadoutView([[c] for c, *_ in entries], row, mode, cadc.period_us),
                                  [Input(view, _one(index)) for _, view, index, _ in entries])
                self.t.cadc_outputs.append(self.add(v.DataOutput(T.Int8, len(entries)), [vertex]))
                self.t.cadc_neurons.append([coordinate for *_, coordinate in entries])

    def _locate(self, c: Any) -> tuple[int, int, int]:
        """(atom enum, neuron view vertex, channel in it) of a recorded neuron."""
        atom = self.atoms[c.population][c.neuron_on_population][c.compartment_on_neuron][c.atomic_neuron_on_compartment]
        view = self.t.neuron_views[(c.population, atom // 256)]
        index = int(np.flatnonzero(self.graph.vertex(view).columns == atom % 256)[0])
        return atom, view, index

    def _event_outputs(self) -> None:
        groups: dict[int, list] = {}
        inputs = []
        for (p, row), view in sorted(self.t.neuron_views.items()):
            vertex = self.graph.vertex(view)
            if any(config.label is not None for config in vertex.configs):
                groups.setdefault(row, []).append(vertex.columns.tolist())
                inputs.append(view)
        if inputs:
            self.event_outputs = self.add(v.NeuronEventOutputView(groups), inputs)

    # -- routing ---------------------------------------------------------------------------------
    def _source_of(self, crossbar_input: int) -> int | None:
        if crossbar_input < 8:
            if self.event_outputs is None:
                return None
            outputs = self.graph.vertex(self.event_outputs).event_outputs()
            return self.event_outputs if crossbar_input in outputs else None
        if crossbar_input < 12:
            return self.l2_input
        return self.background.get(crossbar_input)

    def _crossbar_and_buses(self) -> dict[int, int]:
        nodes_into: dict[int, list[int]] = {}
        self.l2_nodes: list[int] = []
        for enum, config in sorted(self.routing.crossbar_nodes.items()):
            coord = halco.CrossbarNodeOnDLS.from_enum(enum)
            source = self._source_of(coord.y.value())
            if source is None or config == haldls.CrossbarNode.drop_all():
                self.static_nodes.append((enum, config))
                continue
            inp = Input(source)
            if source == self.event_outputs:          # one channel per event output
                channel = self.graph.vertex(source).event_outputs().index(coord.y.value())
                inp = Input(source, PortRestriction(channel, channel))
            vertex = self.add(v.CrossbarNode(coord, config), [inp])
            output = coord.x.value()
            (self.l2_nodes if output >= 8 else nodes_into.setdefault(output, [])).append(vertex)
        buses = {}
        for bus in sorted(self.routing.padi_buses):
            buses[bus] = self.add(v.PADIBus(halco.PADIBusOnDLS.from_enum(bus)), nodes_into.get(bus, []))
        return buses

    def _drivers(self, buses: dict[int, int]) -> dict[int, int]:
        modes = self.routing.synapse_row_modes
        drivers = {}
        for enum, mask in sorted(self.routing.synapse_driver_compare_masks.items()):
            coord = halco.SynapseDriverOnDLS.from_enum(enum)
            top, bottom = coord.to_synapse_row_on_dls()[1].to_enum(), coord.to_synapse_row_on_dls()[0].to_enum()
            row_modes = (modes.get(top, _ROW_MODE.disabled), modes.get(bottom, _ROW_MODE.disabled))
            bus = coord.to_padi_bus_on_dls().to_enum()
            if bus not in buses:
                self.static_drivers[enum] = (mask, row_modes)
                continue
            drivers[enum] = self.add(v.SynapseDriver(coord, mask, row_modes), [buses[bus]])
        return drivers

    def _synapse_views(self, drivers: dict[int, int]) -> None:
        relocated: dict[int, list[int]] = {}
        for j, projection in enumerate(self.instance.projections):
            placed = self.routing.connections.get(j)
            if placed is None or not len(placed):
                continue
            hemisphere = placed["synapse_row"] // 256
            for h in np.unique(hemisphere).tolist():
                mine = placed[hemisphere == h]
                view = self.t.neuron_views[(projection.population_post, h)]
                columns = self.graph.vertex(view).columns
                rows = np.unique(mine["synapse_row"] % 256)
                # rows in driver order, so that the view's inputs are its drivers in that order
                synapses = np.zeros(len(mine), dtype=v.SPARSE_SYNAPSE_DTYPE)
                synapses["label"], synapses["weight"] = mine["label"], mine["weight"]
                synapses["index_row"] = np.searchsorted(rows, mine["synapse_row"] % 256)
                synapses["index_column"] = np.searchsorted(columns, mine["synapse_on_row"])
                sview = v.SynapseArrayViewSparse(h, rows, columns, synapses)
                inputs = [drivers[int(d)] for d in sview.drivers()]
                vertex = self.add(sview, inputs)
                self.t.synapse_views[(j, h)] = vertex
                relocated.setdefault(view, []).append(vertex)
        for view, inputs in relocated.items():
            self.graph.update_and_relocate(view, self.graph.vertex(view), inputs)

    def _spike_recording(self) -> None:
        if self.l2_nodes:
            output = self.add(v.CrossbarL2Output(), self.l2_nodes)
            self.t.event_output = self.add(v.DataOutput(T.TimedSpikeFromChipSequence), [output])
        for p, population in enumerate(self.instance.populations):
            if isinstance(population, ExternalSourcePopulation):
                for n, labels in enumerate(self.routing.external_spike_labels.get(p, [])):
                    for label in labels:
                        if label & _EXTERNAL_RECORD:     # the label that loops back, unchanged
                            self.t.spike_labels.setdefault(label, []).append((p, n, 0))

    def _plasticity_rules(self) -> None:
        for r, rule in enumerate(self.instance.plasticity_rules):
            # the views in the rule's order (projections, populations as given), each
            # projection's per hemisphere: the handles the kernel gets follow this order
            synapse_inputs = [self.t.synapse_views[(j, h)] for j in rule.projections for h in (0, 1)
                              if (j, h) in self.t.synapse_views]
            neuron_inputs = [self.t.neuron_views[(p, h)] for p in rule.populations for h in (0, 1)
                             if (p, h) in self.t.neuron_views]
            vertex = v.PlasticityRule(
                rule.kernel, v.Timer(rule.timer.start, rule.timer.period, rule.timer.num_periods),
                synapse_view_sizes=[len(self.graph.vertex(s).columns) for s in synapse_inputs],
                neuron_view_sizes=[len(self.graph.vertex(n).columns) for n in neuron_inputs],
                observables=rule.observables, id=rule.id)
            self.t.plasticity_rules[r] = self.add(vertex, synapse_inputs + neuron_inputs)


def _one(index: int) -> PortRestriction:
    return PortRestriction(index, index)


def build_network_graph(network: Network, routing: RoutingResult,
                        chips: Mapping[Any, int] | None = None) -> NetworkGraph:
    """The signal-flow graph of a routed network; ``chips`` maps execution instances to the
    chip (index on the executor) each runs on (default: chip 0 for all)."""
    graph = Graph()
    translations: dict[ExecutionInstanceID, GraphTranslation] = {}
    static_nodes, static_drivers = {}, {}
    chip_of = {as_execution_instance(k): int(c) for k, c in (chips or {}).items()}
    unknown = set(chip_of) - set(network.execution_instances)
    if unknown:
        raise InvalidNetworkError(f"chips names execution instances the network does not have: "
                                  f"{sorted(unknown)} (it has {sorted(network.execution_instances)})")
    for eid in network.topologically_sorted_execution_instance_ids:
        builder = _InstanceBuilder(graph, network, eid, routing.execution_instances[eid], translations,
                                   chip_of.get(eid, 0))
        translations[eid] = builder.build()
        static_nodes[eid] = builder.static_nodes
        static_drivers[eid] = builder.static_drivers
    return NetworkGraph(network, routing, graph, translations, static_nodes, static_drivers)


__all__ = ["ExternalSourceMerger", "GraphTranslation", "NetworkGraph", "build_network_graph"]
