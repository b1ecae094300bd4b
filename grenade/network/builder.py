"""``NetworkBuilder``: add network elements one by one, each validated at once, then ``done()``.

Every ``add`` raises :class:`~grenade.errors.InvalidNetworkError` naming the element and what is
wrong, and leaves the builder as it was: nothing half-added.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

import halco
from ..common import ExecutionInstanceID, as_execution_instance, toposort
from ..errors import GrenadeError, InvalidNetworkError
from ..signal_flow.vertex.plasticity import compile_kernel
from .network import (
    BackgroundSourcePopulation, CADCRecording, ExecutionInstance, ExternalSourcePopulation,
    InterExecutionInstanceProjection, MADCRecording, Network, PlasticityRule, PlasticityTimer,
    Population, Projection, ReadoutSource, Receptor,
)


def _fail(what: str, message: str) -> None:
    raise InvalidNetworkError(f"{what}: {message}")


class NetworkBuilder:
    """Builds a :class:`Network`: ``add(element, execution_instance=0) -> descriptor``."""

    def __init__(self) -> None:
        self._network = Network()
        #: (instance, atomic neuron enum) -> population descriptor using it
        self._used: dict[tuple[ExecutionInstanceID, int], int] = {}
        #: (instance, hemisphere, PADI bus) taken by a background population
        self._background: set[tuple[ExecutionInstanceID, int, int]] = set()

    def _instance(self, execution_instance: Any) -> tuple[ExecutionInstanceID, ExecutionInstance]:
        eid = as_execution_instance(execution_instance)
        return eid, self._network.execution_instances.setdefault(eid, ExecutionInstance())

    # -- populations ----------------------------------------------------------------------------
    def add(self, element: Any, execution_instance: Any = 0) -> Any:
        """Add a population, projection, recording or plasticity rule to ``execution_instance``
        (an ExecutionInstanceID or int; default 0), or an inter-instance projection; returns its
        descriptor (the index in its instance)."""
        adders = {Population: self._add_population, ExternalSourcePopulation: self._add_external,
                  BackgroundSourcePopulation: self._add_background, Projection: self._add_projection,
                  MADCRecording: self._add_madc, CADCRecording: self._add_cadc,
                  PlasticityRule: self._add_plasticity_rule}
        if isinstance(element, InterExecutionInstanceProjection):
            return self._add_inter_instance_projection(element)
        adder = adders.get(type(element))
        if adder is None:
            raise InvalidNetworkError(f"NetworkBuilder.add takes a Population, ExternalSourcePopulation, "
                                      f"BackgroundSourcePopulation, Projection, MADCRecording, "
                                      f"CADCRecording, PlasticityRule or "
                                      f"InterExecutionInstanceProjection, not {type(element).__name__}")
        return adder(element, *self._instance(execution_instance))

    def _add_population(self, pop: Population, eid: ExecutionInstanceID, inst: ExecutionInstance) -> int:
        what = f"population {len(inst.populations)} of {eid}"
        if not len(pop.neurons):
            _fail(what, "has no neurons")
        claimed: dict[int, int] = {}
        for i, neuron in enumerate(pop.neurons):
            placed = neuron.coordinate.get_placed_compartments()
            if set(placed) != set(neuron.compartments):
                _fail(what, f"neuron {i} describes compartments {sorted(c.value() for c in neuron.compartments)} "
                            f"but is placed with {sorted(c.value() for c in placed)}")
            for comp, description in neuron.compartments.items():
                atoms = placed[comp]
                if description.receptors and len(description.receptors) != len(atoms):
                    _fail(what, f"neuron {i} compartment {comp.value()} lists receptors for "
                                f"{len(description.receptors)} atomic neurons, it has {len(atoms)}")
                master = description.spike_master
                if master is not None and not 0 <= master.neuron_on_compartment < len(atoms):
                    _fail(what, f"neuron {i} compartment {comp.value()}: spike master "
                                f"{master.neuron_on_compartment} is not one of its {len(atoms)} atomic neurons")
            for atom in neuron.coordinate.get_atomic_neurons():
                e = atom.to_enum()
                other = self._used.get((eid, e), claimed.get(e))
                if other is not None:
                    owner = "itself" if (eid, e) not in self._used else f"population {other}"
                    _fail(what, f"neuron {i} uses atomic neuron {atom!r}, already used by {owner}: two "
                                "populations cannot share a neuron circuit")
                claimed[e] = len(inst.populations)
        for e, p in claimed.items():
            self._used[(eid, e)] = p
        inst.populations.append(pop)
        return len(inst.populations) - 1

    def _add_external(self, pop: ExternalSourcePopulation, eid: ExecutionInstanceID,
                      inst: ExecutionInstance) -> int:
        what = f"external source population {len(inst.populations)} of {eid}"
        if isinstance(pop.size, bool) or not isinstance(pop.size, (int, np.integer)) or pop.size < 1:
            _fail(what, f"size must be an int >= 1, not {pop.size!r}")
        if len(pop.enable_record_spikes) != pop.size:
            _fail(what, f"enable_record_spikes has {len(pop.enable_record_spikes)} entries for "
                        f"{pop.size} neurons")
        inst.populations.append(pop)
        return len(inst.populations) - 1

    def _add_background(self, pop: BackgroundSourcePopulation, eid: ExecutionInstanceID,
                        inst: ExecutionInstance) -> int:
        what = f"background source population {len(inst.populations)} of {eid}"
        size = pop.size
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            _fail(what, f"size must be an int >= 1, not {size!r}")
        if pop.config.enable_random:
            if size & (size - 1) or size > 64:
                _fail(what, f"a random (Poisson) background population spreads over a power of two "
                            f"of labels, 1..64, not {size}")
        elif size != 1:
            _fail(what, f"a regular background population has one neuron, not {size} (use "
                        "enable_random for more)")
        if not pop.coordinate:
            _fail(what, "needs a PADI bus on at least one hemisphere (coordinate)")
        taken = []
        for hemisphere, bus in pop.coordinate.items():
            if not isinstance(hemisphere, halco.HemisphereOnDLS) or not isinstance(bus, halco.PADIBusOnPADIBusBlock):
                _fail(what, "coordinate maps halco.HemisphereOnDLS -> halco.PADIBusOnPADIBusBlock")
            key = (eid, hemisphere.value(), bus.value())
            if key in self._background:
                _fail(what, f"PADI bus {bus.value()} of hemisphere {hemisphere.value()} already carries "
                            "a background population")
            taken.append(key)
        cfg = pop.config
        for name, value, hi in (("period", cfg.period, 0xFFFF), ("rate", cfg.rate, 255),
                                ("seed", cfg.seed, 0xFFFFFFFF)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= hi:
                _fail(what, f"config.{name} must be an int 0..{hi}, not {value!r}")
        self._background.update(taken)
        inst.populations.append(pop)
        return len(inst.populations) - 1

    # -- projections ----------------------------------------------------------------------------
    def _add_projection(self, proj: Projection, eid: ExecutionInstanceID, inst: ExecutionInstance) -> int:
        what = f"projection {len(inst.projections)} of {eid}"
        n_pops = len(inst.populations)
        for role, index in (("pre", proj.population_pre), ("post", proj.population_post)):
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < n_pops:
                _fail(what, f"population_{role} {index!r} does not exist ({eid} has {n_pops} "
                            "populations)")
        pre, post = inst.populations[proj.population_pre], inst.populations[proj.population_post]
        if not isinstance(post, Population):
            _fail(what, f"the post population {proj.population_post} is a {type(post).__name__}; "
                        "projections end on neurons on the chip")
        if not isinstance(proj.receptor, Receptor):
            _fail(what, f"receptor must be a grenade Receptor, not {proj.receptor!r}")
        c = proj.connections
        if len(c) == 0:
            _fail(what, "has no connections")
        if (c["weight"] < 0).any():
            bad = int(np.flatnonzero(c["weight"] < 0)[0])
            _fail(what, f"connection {bad} has weight {int(c['weight'][bad])}: weights are whole "
                        "numbers >= 0 (the receptor's type gives the sign)")
        for role, pop, index, comp in (("pre", pre, c["index_pre"], c["compartment_pre"]),
                                       ("post", post, c["index_post"], c["compartment_post"])):
            bad = np.flatnonzero((index < 0) | (index >= len(pop)))
            if len(bad):
                _fail(what, f"connection {int(bad[0])}: {role} neuron {int(index[bad[0]])} does not "
                            f"exist (population {getattr(proj, 'population_' + role)} has {len(pop)})")
            if not isinstance(pop, Population):
                bad = np.flatnonzero(comp != 0)
                if len(bad):
                    _fail(what, f"connection {int(bad[0])}: a source population off the chip has "
                                f"only compartment 0, not {int(comp[bad[0]])}")
        self._check_compartments(what, pre, c["index_pre"], c["compartment_pre"], "pre") \
            if isinstance(pre, Population) else None
        self._check_receptor(what, post, c, proj.receptor)
        keys = np.stack([c["index_pre"], c["compartment_pre"], c["index_post"], c["compartment_post"]], axis=1)
        unique, first = np.unique(keys, axis=0, return_index=True)
        if len(unique) != len(keys):
            dup = sorted(set(range(len(keys))) - set(first.tolist()))[0]
            _fail(what, f"connection {dup} repeats the pair pre {keys[dup][0]} -> post {keys[dup][2]}; "
                        "a projection connects each pair once")
        if isinstance(pre, BackgroundSourcePopulation):
            reach = {h.value() for h in pre.coordinate}
            posts = np.unique(c["index_post"])
            for p in posts.tolist():
                rows = {a.to_enum() // 256 for a in post.neurons[p].coordinate.get_atomic_neurons()}
                if not rows & reach:
                    _fail(what, f"background population {proj.population_pre} reaches hemispheres "
                                f"{sorted(reach)}, post neuron {p} lies on {sorted(rows)}")
        inst.projections.append(copy.copy(proj))
        return len(inst.projections) - 1

    @staticmethod
    def _check_compartments(what: str, pop: Population, index: np.ndarray, comp: np.ndarray,
                            role: str) -> None:
        for n, c in set(zip(index.tolist(), comp.tolist())):
            compartments = pop.neurons[n].compartments
            if not 0 <= c < halco.CompartmentOnLogicalNeuron.size or \
                    halco.CompartmentOnLogicalNeuron(c) not in compartments:
                _fail(what, f"{role} neuron {n} has no compartment {c}")
            if role == "pre" and compartments[halco.CompartmentOnLogicalNeuron(c)].spike_master is None:
                _fail(what, f"pre neuron {n} compartment {c} has no spike master: it does not spike")

    def _check_receptor(self, what: str, post: Population, c: np.ndarray, receptor: Receptor) -> None:
        self._check_compartments(what, post, c["index_post"], c["compartment_post"], "post")
        for n, comp in set(zip(c["index_post"].tolist(), c["compartment_post"].tolist())):
            description = post.neurons[n].compartments[halco.CompartmentOnLogicalNeuron(comp)]
            if not any(receptor in rs for rs in description.receptors):
                _fail(what, f"post neuron {n} compartment {comp} has no receptor {receptor!r}")

    # -- recordings and rules ------------------------------------------------------------------------
    def _recorded(self, what: str, inst: ExecutionInstance, neurons: tuple) -> list[int]:
        """The AtomicNeuronOnDLS enums of recorded neurons (each checked to exist, once)."""
        atoms = []
        for r in neurons:
            if not hasattr(r, "coordinate") or not hasattr(r, "source"):
                _fail(what, f"records RecordedNeuron objects, not {type(r).__name__} {r!r}")
            c = r.coordinate
            if not 0 <= c.population < len(inst.populations) or not isinstance(
                    inst.populations[c.population], Population):
                _fail(what, f"{c!r}: population {c.population} is not a population on the chip")
            pop = inst.populations[c.population]
            if not 0 <= c.neuron_on_population < len(pop):
                _fail(what, f"{c!r}: population {c.population} has {len(pop)} neurons")
            comps = pop.compartment_atoms()[c.neuron_on_population]
            atoms_of = comps.get(c.compartment_on_neuron)
            if atoms_of is None or not 0 <= c.atomic_neuron_on_compartment < len(atoms_of):
                _fail(what, f"{c!r}: no such compartment or atomic neuron (the neuron has compartments "
                            f"{ {k: len(v) for k, v in comps.items()} } (compartment: atomic neurons))")
            atoms.append(atoms_of[c.atomic_neuron_on_compartment])
        if len(set(atoms)) != len(atoms):
            _fail(what, "records a neuron twice")
        return atoms

    @staticmethod
    def _sources_agree(what: str, atoms: list[int], neurons: tuple, other: tuple[list[int], tuple] | None,
                       other_name: str) -> None:
        """A neuron has one readout source: a neuron recorded by the MADC and the CADC must be
        recorded with the same source (the readout's multiplexer shows one potential)."""
        if other is None:
            return
        theirs = dict(zip(other[0], (r.source for r in other[1])))
        for atom, r in zip(atoms, neurons):
            if atom in theirs and theirs[atom] != r.source:
                _fail(what, f"{r.coordinate!r} is recorded with source {r.source.name} here and "
                            f"{theirs[atom].name} by the {other_name}: a neuron's readout shows one "
                            "potential; record it with the same source")

    def _add_madc(self, rec: MADCRecording, eid: ExecutionInstanceID, inst: ExecutionInstance) -> None:
        what = f"MADC recording of {eid}"
        if inst.madc_recording is not None:
            _fail(what, "an execution instance has one MADC recording")
        if not 1 <= len(rec.neurons) <= 2:
            _fail(what, f"the MADC records one or two neurons, not {len(rec.neurons)}")
        atoms = self._recorded(what, inst, rec.neurons)
        if len(atoms) == 2 and (atoms[0] % 2) == (atoms[1] % 2):
            _fail(what, "two neurons must lie in columns of different parity (the two readout "
                        "multiplexers serve even and odd columns)")
        cadc = inst.cadc_recording
        self._sources_agree(what, atoms, rec.neurons, None if cadc is None else (
            self._recorded(what, inst, cadc.neurons), cadc.neurons), "CADC recording")
        inst.madc_recording = rec

    def _add_cadc(self, rec: CADCRecording, eid: ExecutionInstanceID, inst: ExecutionInstance) -> None:
        what = f"CADC recording of {eid}"
        if inst.cadc_recording is not None:
            _fail(what, "an execution instance has one CADC recording")
        if not rec.neurons:
            _fail(what, "records no neurons")
        period = rec.period_us
        if isinstance(period, bool) or not isinstance(period, (int, float, np.integer, np.floating)) \
                or not np.isfinite(period) or period < 0 or (0 < period < 1 / 125):
            _fail(what, f"period_us is 0 (one read after the run) or a period of at least one FPGA "
                        f"cycle (0.008 us), not {period!r}")
        atoms = self._recorded(what, inst, rec.neurons)
        for r in rec.neurons:
            if r.source is not ReadoutSource.membrane:
                _fail(what, f"{r.coordinate!r} has source {r.source.name}: the CADC reads membranes "
                            f"(its neuron readout connects to the membrane); record "
                            f"{r.source.name} with the MADC")
        madc = inst.madc_recording
        self._sources_agree(what, atoms, rec.neurons, None if madc is None else (
            self._recorded(what, inst, madc.neurons), madc.neurons), "MADC recording")
        inst.cadc_recording = rec

    def _add_plasticity_rule(self, rule: PlasticityRule, eid: ExecutionInstanceID,
                             inst: ExecutionInstance) -> int:
        what = f"plasticity rule {len(inst.plasticity_rules)} of {eid}"
        for p in rule.projections:
            if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not 0 <= p < len(inst.projections):
                _fail(what, f"projection {p!r} does not exist ({len(inst.projections)} in {eid})")
        for p in rule.populations:
            if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not 0 <= p < len(inst.populations) \
                    or not isinstance(inst.populations[p], Population):
                _fail(what, f"population {p!r} is not a population on the chip")
        if len(set(rule.projections)) != len(rule.projections) or len(set(rule.populations)) != len(rule.populations):
            _fail(what, "names a projection or population twice (each gets one handle)")
        if not isinstance(rule.timer, PlasticityTimer):
            _fail(what, f"timer is a grenade PlasticityTimer, not {rule.timer!r}")
        compile_kernel(rule.kernel, observables=rule.observables, error=InvalidNetworkError, what=what)
        if not rule.projections and not rule.populations:
            _fail(what, "names no projection and no population: a kernel works on their synapses and "
                        "neurons through handles")
        inst.plasticity_rules.append(rule)
        return len(inst.plasticity_rules) - 1

    def _add_inter_instance_projection(self, proj: InterExecutionInstanceProjection) -> int:
        what = f"inter-execution-instance projection {len(self._network.inter_execution_instance_projections)}"
        try:
            (pre_id, pre_pop), (post_id, post_pop) = proj.population_pre, proj.population_post
            pre_id, post_id = as_execution_instance(pre_id), as_execution_instance(post_id)
        except (TypeError, ValueError, GrenadeError) as err:
            raise InvalidNetworkError(f"{what}: population_pre and population_post are (execution "
                                      f"instance, population) pairs ({err})") from None
        if pre_id == post_id:
            _fail(what, "connects an instance to itself; use a Projection")
        pops = {}
        for role, eid, index in (("pre", pre_id, pre_pop), ("post", post_id, post_pop)):
            inst = self._network.execution_instances.get(eid)
            if inst is None:
                _fail(what, f"the {role} instance {eid} has nothing in it yet (instances "
                            f"{sorted(e.value for e in self._network.execution_instances)}); add its "
                            "populations first")
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(inst.populations):
                _fail(what, f"population_{role} {index!r} does not exist ({eid} has "
                            f"{len(inst.populations)} populations)")
            pops[role] = inst.populations[index]
        pre, post = pops["pre"], pops["post"]
        if not isinstance(post, ExternalSourcePopulation):
            _fail(what, f"the post population {post_pop} of {post_id} is a {type(post).__name__}: spikes "
                        "relayed from an earlier instance enter through an ExternalSourcePopulation "
                        "(project from it onto the chip's neurons)")
        delay = proj.delay_us
        if isinstance(delay, bool) or not isinstance(delay, (int, float, np.integer, np.floating)) \
                or not np.isfinite(delay) or delay < 0:
            _fail(what, f"delay_us is a number of us >= 0 (spikes go forward in time), not {delay!r}")
        c = proj.connections
        if len(c) == 0:
            _fail(what, "has no connections")
        if (c["weight"] != 1).any():
            bad = int(np.flatnonzero(c["weight"] != 1)[0])
            _fail(what, f"connection {bad} has weight {int(c['weight'][bad])}: a relay copies spikes (give "
                        "(pre, post) pairs, or weight 1); the weights are those of the later "
                        "instance's projections from the source population")
        for role, pop, index in (("pre", pre, c["index_pre"]), ("post", post, c["index_post"])):
            bad = np.flatnonzero((index < 0) | (index >= len(pop)))
            if len(bad):
                _fail(what, f"connection {int(bad[0])}: {role} neuron {int(index[bad[0]])} does not exist "
                            f"(the {role} population has {len(pop)})")
        bad = np.flatnonzero(c["compartment_post"] != 0)
        if len(bad):
            _fail(what, f"connection {int(bad[0])}: an external source has only compartment 0, not "
                        f"{int(c['compartment_post'][bad[0]])}")
        if isinstance(pre, Population):
            self._check_compartments(what, pre, c["index_pre"], c["compartment_pre"], "pre")
        else:
            bad = np.flatnonzero(c["compartment_pre"] != 0)
            if len(bad):
                _fail(what, f"connection {int(bad[0])}: a source population has only compartment 0, "
                            f"not {int(c['compartment_pre'][bad[0]])}")
        order = self._order_with(pre_id, post_id)
        if order is None:
            _fail(what, f"{pre_id} -> {post_id} closes a cycle between execution instances")
        self._network.inter_execution_instance_projections.append(proj)
        return len(self._network.inter_execution_instance_projections) - 1

    def _order_with(self, pre: ExecutionInstanceID, post: ExecutionInstanceID) -> list | None:
        edges = {(as_execution_instance(p.population_pre[0]), as_execution_instance(p.population_post[0]))
                 for p in self._network.inter_execution_instance_projections} | {(pre, post)}
        return toposort(set(self._network.execution_instances) | {pre, post}, edges)

    def done(self) -> Network:
        """The network (the builder is empty afterwards)."""
        network = self._network
        edges = {(as_execution_instance(p.population_pre[0]), as_execution_instance(p.population_post[0]))
                 for p in network.inter_execution_instance_projections}
        network.topologically_sorted_execution_instance_ids = toposort(
            set(network.execution_instances), edges) or []
        self.__init__()
        return network
