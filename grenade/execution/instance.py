"""One execution instance, just in time: its host values, its chip configuration, one playback
program per batch entry (built just before it runs), and the decoding of what came back.

The program of a batch entry follows grenade's realtime timeline: (first entry only: init if
the chip is new, ``pre_static_config``, the configuration, which is only what changed since
the last run on this chip, and the PPU programs; later entries of an instance with plasticity
rules: the configured synapse weights and the PPU programs again, so that every entry starts
from the same state), ``pre_realtime``, the spike counters of every neuron view's neurons
cleared, a reset of the neurons of every neuron view that enables it,
``inside_realtime_begin``, the timer reset; at time 0 the event recording, the MADC and the
PPUs start; the input spikes at their times (with ``inside_realtime``'s commands
and the reads of periodic CADC readouts), the wait until the runtime, the end of the event
recording, ``inside_realtime_end``, the CADC reads of readouts at the end, the MADC and PPUs
stopped and their observables and runtime states read, ``post_realtime``, and the wait between
batch entries.

:meth:`InstanceRun.check` checks everything that can be known before any instance runs (input
data, runtimes, hooks, PPU programs); :meth:`InstanceRun.run` runs the instance once the
instances it takes data from have run.
"""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

import attrs
import numpy as np

import halco
import haldls
import libnux_vm
import lola
import stadls
from libnux_vm.views import view_words
from ..common import ExecutionInstanceID, as_execution_instance
from ..errors import ExecutionError, InputDataError, InvalidVertexError
from ..signal_flow import vertex as v
from ..signal_flow.data import (MADC_SAMPLE_DTYPE, SPIKE_FROM_CHIP_DTYPE,
                                ExecutionHealth, ExecutionTime, InputData, cadc_sample_dtype,
                                port_values)
from ..signal_flow.graph import Graph, Input
from ..signal_flow.port import ConnectionType
from ..signal_flow.vertex.plasticity import compile_kernel
from .executor import ChipState
from .hooks import ExecutionInstanceHooks

log = logging.getLogger(__name__)

#: spikes are recorded during the realtime section only (not while the chip is configured)
_RECORDING_ON = haldls.EventRecordingConfig(enable_event_recording=True)
_RECORDING_OFF = haldls.EventRecordingConfig(enable_event_recording=False)
#: the longest single wait: the FPGA aborts a wait of more than its instruction timeout (1 s)
_WAIT_STEP = 62_500_000
#: a PPU program's view table and timers hold this many views of a rule at most (one timer
#: per view reserves its table entry, plus the rule's own timer: libnux_vm's 32 timers)
_MAX_RULE_VIEWS = 31
#: the CADC code that is 0 as Int8 (the real software's offset conversion, ``x - 128``)
_CADC_ZERO = 128


def _cadc_quads(synram: int, columns: list[int]) -> tuple[list[halco.CADCSampleQuadOnDLS], np.ndarray]:
    """Triggered causal CADC reads of row 0 for the quads that hold ``columns`` of ``synram``,
    and per column its (quad index in that list, entry in the quad)."""
    quad_of = halco.enum_map(halco.SynapseOnSynapseRow, halco.SynapseQuadColumnOnDLS)
    entry_of = halco.enum_map(halco.SynapseOnSynapseRow, halco.EntryOnQuad)
    quads = sorted({int(quad_of[c]) for c in columns})
    coords = [halco.CADCSampleQuadOnDLS.of(
        halco.SynapseQuadOnSynram(q, halco.SynapseRowOnSynram(0)), halco.CADCChannelType.causal,
        halco.CADCReadoutType.trigger_read, synram) for q in quads]
    position = np.array([[quads.index(int(quad_of[c])), int(entry_of[c])] for c in columns], dtype=np.int64)
    return coords, position


def _restricted(value: Any, inp: Input) -> Any:
    """A host value ``[batch, size]`` restricted to an edge's channels."""
    if inp.restriction is None or not isinstance(value, np.ndarray):
        return value
    return value[..., inp.restriction.min:inp.restriction.max + 1]


@attrs.frozen
class RuleProgram:
    """The program one PPU runs for a plasticity rule: compiled with placeholder views, whose
    table ``views`` (in handle order) is written after the image is loaded."""

    program: Any
    views: tuple
    num_periods: int


@attrs.define
class InstanceResult:
    values: dict[int, Any]
    observables: dict[int, dict[str, list]]
    timing: ExecutionTime
    health: ExecutionHealth


class InstanceRun:
    """Runs one execution instance of ``graph`` on its chip; ``upstream`` holds the host values
    of the instances it takes data from (set before :meth:`run`)."""

    def __init__(self, graph: Graph, instance: ExecutionInstanceID, config: lola.Chip | None,
                 input_data: InputData, upstream: dict[int, Any], hooks: ExecutionInstanceHooks,
                 batch_size: int, copy_config: bool = True) -> None:
        self.graph, self.instance = graph, instance
        self.base_config = config
        self.copy_config = copy_config
        self.input_data, self.upstream, self.hooks = input_data, upstream, hooks
        self.batch_size = batch_size
        self.vertices = graph.vertices_of(instance)
        self.values: dict[int, Any] = {}
        self._external: dict[int, Any] | None = None
        self._programs: dict[int, dict[int, RuleProgram]] | None = None
        self._runtimes: list[int] | None = None

    # -- checks before anything runs ------------------------------------------------------------
    def check(self) -> None:
        """Everything that can be checked before any instance runs: the external input data,
        the runtimes (> 0 for an instance on a chip), the hooks (inside the runtime), input
        spikes before the runtime, and the plasticity rules' programs."""
        self._external = {d: self._external_value(d, self.graph.vertex(d)) for d in self.vertices
                          if isinstance(self.graph.vertex(d), v.ExternalInput)}
        self.input_data.inter_batch_entry_wait_of(self.instance)
        if not self.on_chip():
            if not self.hooks.empty():
                raise InputDataError(f"hooks for {self.instance}, which has no vertex on a chip: its "
                                     "hooks would never run")
            return
        runtimes = [self.input_data.runtime_of(self.instance, entry) for entry in range(self.batch_size)]
        for entry, runtime in enumerate(runtimes):
            if runtime <= 0:
                raise InputDataError(f"{self.instance} runs on a chip and needs a runtime > 0 in every batch "
                                     f"entry (InputData.runtime {{{self.instance}: FPGA cycles}}, "
                                     f"InputGenerator.set_runtime); batch entry {entry} has none")
        last = self.hooks.last_realtime_time()
        if last is not None and last >= min(runtimes):
            raise InputDataError(f"{self.instance}: the inside_realtime hook has a command or spike at "
                                 f"cycle {last}, at or after the runtime ({min(runtimes)} cycles): the "
                                 "realtime section ends at the runtime (use inside_realtime_end or "
                                 "post_realtime for later commands)")
        for d, value in self._external.items():
            if self.graph.vertex(d).type is not ConnectionType.DataTimedSpikeToChipSequence:
                continue
            for entry, (spikes, runtime) in enumerate(zip(value, runtimes)):
                if len(spikes) and int(spikes["time"].max()) >= runtime:
                    raise InputDataError(f"{self.instance}, batch entry {entry}: ExternalInput vertex {d} "
                                         f"has an input spike at cycle {int(spikes['time'].max())}, at or "
                                         f"after the runtime ({runtime} cycles)")
        self._runtimes = runtimes
        self._programs = self._plasticity_programs()

    # -- host side ------------------------------------------------------------------------------
    def _input_value(self, inp: Input) -> Any:
        d = inp.descriptor
        value = self.values[d] if d in self.values else self.upstream[d]
        return _restricted(value, inp)

    def host_values(self) -> None:
        """External inputs, loads and transformations of the instance (their inputs are input
        data, or values of earlier instances)."""
        if self._external is None:
            self.check()
        for d in self.vertices:
            vertex = self.graph.vertex(d)
            if isinstance(vertex, v.ExternalInput):
                self.values[d] = self._external[d]
            elif isinstance(vertex, v.DataInput):
                self.values[d] = self._input_value(self.graph.inputs(d)[0])
            elif isinstance(vertex, v.Transformation):
                inputs = [self._input_value(i) for i in self.graph.inputs(d)]
                if not any(isinstance(value, list) for value in inputs):
                    inputs = [np.asarray(value) for value in inputs]
                self.values[d] = vertex.function.apply(inputs)

    def _external_value(self, d: int, vertex: v.ExternalInput) -> Any:
        if d not in self.input_data.data:
            raise InputDataError(f"no input data for ExternalInput vertex {d} ({vertex.type.name}) of "
                                 f"{self.instance}")
        return port_values(self.input_data.data[d], vertex.type, vertex.size, self.batch_size,
                           f"ExternalInput vertex {d} of {self.instance}")

    # -- the chip -------------------------------------------------------------------------------
    def on_chip(self) -> list[int]:
        return [d for d in self.vertices if isinstance(self.graph.vertex(d), v.EntityOnChip)]

    def _on_chip_of(self, kind: type | tuple[type, ...]) -> list[int]:
        return [d for d in self.on_chip() if isinstance(self.graph.vertex(d), kind)]

    def chip_config(self) -> lola.Chip:
        """The given configuration (default ``lola.Chip()``) with every on-chip vertex's
        configuration applied."""
        if self.base_config is None:
            chip = lola.Chip()
        else:
            chip = copy.deepcopy(self.base_config) if self.copy_config else self.base_config
        for d in self.on_chip():
            self.graph.vertex(d).apply_config(chip)
        return chip

    def _config_builder(self, state: ChipState, chip: lola.Chip) -> stadls.PlaybackProgramBuilder:
        if not state.initialized:
            builder, _ = stadls.generate(stadls.SystemInit())
        else:
            builder = stadls.PlaybackProgramBuilder()
        builder.copy_back(self.hooks.pre_static_config)
        # the words that differ from what the chip holds (all of them the first time)
        builder.write(halco.ChipOnDLS(), chip, reference=state.config)
        return builder

    def _rule_views(self, d: int) -> dict[int, tuple[list, list]]:
        """Per hemisphere: the synapse views and the neuron views (libnux_vm views) of rule
        vertex ``d``, in the order of its inputs. A synapse view holds the rows and the columns
        of its synapses, so that the rule reaches no synapse of another projection in the
        columns of its neuron view."""
        views: dict[int, tuple[list, list]] = {}
        for inp in self.graph.inputs(d):
            source = self.graph.vertex(inp.descriptor)
            if isinstance(source, v.SynapseArrayViewSparse):
                hemisphere = source.synram.value()
                columns = source.columns[np.unique(source.synapses["index_column"])]
                views.setdefault(hemisphere, ([], []))[0].append(libnux_vm.SynapseView(
                    hemisphere, source.rows[np.unique(source.synapses["index_row"])].tolist(), columns.tolist()))
            elif isinstance(source, v.SynapseArrayView):
                hemisphere = source.synram.value()
                views.setdefault(hemisphere, ([], []))[0].append(libnux_vm.SynapseView(
                    hemisphere, source.rows.tolist(), source.columns.tolist()))
            elif isinstance(source, v.NeuronView):
                hemisphere = source.row.value()
                views.setdefault(hemisphere, ([], []))[1].append(libnux_vm.NeuronView(
                    hemisphere, source.columns.tolist()))
        return views

    def _plasticity_programs(self) -> dict[int, dict[int, RuleProgram]]:
        """Per plasticity rule vertex: PPU (hemisphere) -> its program over the rule's views on
        that hemisphere. The kernel's handles ``synapses + k`` and ``neurons + k`` are the
        k-th views (see :mod:`grenade.signal_flow.vertex.plasticity`): the program is compiled
        with one never-running timer per view, so that the view table has an entry per view
        in handle order, and the table is written after the image with the real views (two
        projections may have equal views: the compiler would merge them)."""
        programs: dict[int, dict[int, RuleProgram]] = {}
        for d in self._on_chip_of(v.PlasticityRule):
            rule = self.graph.vertex(d)
            what = f"{self.instance}: plasticity rule vertex {d}"
            programs[d] = {}
            for hemisphere, (synapses, neurons) in sorted(self._rule_views(d).items()):
                # a kind of handle without views here names a view of the other hemisphere:
                # using it stops the kernel (a trap), it never reaches synapses of others
                guard_synapses = [] if synapses else [libnux_vm.SynapseView(1 - hemisphere, [0], [0])]
                guard_neurons = [] if neurons else [libnux_vm.NeuronView(1 - hemisphere, [0])]
                views = synapses + guard_synapses + neurons + guard_neurons
                if len(views) > _MAX_RULE_VIEWS:
                    raise InvalidVertexError(f"{what} has {len(views)} views on hemisphere {hemisphere}; "
                                             f"a PPU program holds at most {_MAX_RULE_VIEWS}")
                placeholders = [libnux_vm.SynapseView(hemisphere, [i], [0]) if isinstance(view, libnux_vm.SynapseView)
                                else libnux_vm.NeuronView(hemisphere, [i]) for i, view in enumerate(views)]
                n_synapses = len(synapses) + len(guard_synapses)
                reserve = [libnux_vm.Timer(0, rule.timer.period, 0, synapses=p) if isinstance(p, libnux_vm.SynapseView)
                           else libnux_vm.Timer(0, rule.timer.period, 0, neurons=p) for p in placeholders]
                timer = libnux_vm.Timer(rule.timer.start, rule.timer.period, rule.timer.num_periods,
                                        synapses=placeholders[0], neurons=placeholders[n_synapses])
                program = compile_kernel(rule.kernel, reserve + [timer], rule.observables, what=what)
                programs[d][hemisphere] = RuleProgram(program, tuple(views), rule.timer.num_periods)
        used: dict[int, int] = {}
        for d, rule_programs in programs.items():
            for hemisphere in rule_programs:
                if hemisphere in used:
                    raise InvalidVertexError(
                        f"{self.instance}: plasticity rule vertices {used[hemisphere]} and {d} both have "
                        f"views on hemisphere {hemisphere}; its PPU runs one program (merge the rules' "
                        "kernels into one rule)")
                used[hemisphere] = d
        return programs

    @staticmethod
    def _load_programs(builder: stadls.PlaybackProgramBuilder, programs: dict[int, dict[int, RuleProgram]]) -> None:
        """Each PPU's image (its globals at their initial values) and its rule's view table."""
        for rule in programs.values():
            for hemisphere, rp in rule.items():
                ppu = halco.PPUOnDLS(hemisphere)
                stadls.load_ppu_program(builder, rp.program, ppu)
                table = np.concatenate([view_words(view) for view in rp.views]).astype(np.uint32)
                stadls.write_symbol(builder, rp.program, "__views", table, ppu)

    # -- one batch entry --------------------------------------------------------------------------
    def _spike_inputs(self, entry: int) -> tuple[np.ndarray, np.ndarray]:
        times, labels = [], []
        for d in self._on_chip_of(v.CrossbarL2Input):
            for inp in self.graph.inputs(d):
                spikes = self._input_value(inp)[entry]
                times.append(spikes["time"])
                labels.append(spikes["label"])
        if not times:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(times).astype(np.int64), np.concatenate(labels).astype(np.int64)

    def _neuron_resets(self) -> np.ndarray:
        """NeuronResetOnDLS enums of the neurons whose view enables their reset."""
        atoms = [n.to_enum() for d in self._on_chip_of(v.NeuronView)
                 for n, config in zip(self.graph.vertex(d).atomic_neurons(), self.graph.vertex(d).configs)
                 if config.enable_reset]
        backend = halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronResetOnDLS)
        return np.unique(backend[atoms]) if atoms else np.zeros(0, dtype=np.int64)

    def _spike_counters(self) -> np.ndarray:
        """SpikeCounterResetOnDLS enums of the neurons of every neuron view."""
        atoms = [n.to_enum() for d in self._on_chip_of(v.NeuronView) for n in self.graph.vertex(d).atomic_neurons()]
        backend = halco.enum_map(halco.AtomicNeuronOnDLS, halco.SpikeCounterResetOnDLS)
        return np.unique(backend[atoms]) if atoms else np.zeros(0, dtype=np.int64)

    def _entry_program(self, entry: int, builder: stadls.PlaybackProgramBuilder,
                       programs: dict[int, dict[int, RuleProgram]]) -> tuple[stadls.PlaybackProgram, dict, int]:
        """The program of batch entry ``entry`` (appended to ``builder``), its tickets and the
        number of input spikes dropped because they came at or after the runtime."""
        runtime = self._runtimes[entry]
        builder.copy_back(self.hooks.pre_realtime)
        builder.write(halco.EventRecordingConfigOnFPGA(), _RECORDING_OFF)
        # the rate counters count every spike since their last reset, also those of the
        # configuration, a calibration or an earlier run (the real grenade leaves them so): cleared
        # here, a PPU reading them in the realtime section sees its spikes (and those of the bus
        # words until the timer reset, one per reset neuron). Before the membranes' reset, so
        # that these words do not lengthen the time the membranes run before time 0.
        counters = self._spike_counters()
        if len(counters):
            builder.write_array(haldls.SpikeCounterReset, counters,
                                haldls.SpikeCounterReset.encode_array(len(counters)))
        resets = self._neuron_resets()
        if len(resets):
            builder.write_array(haldls.NeuronReset, resets, haldls.NeuronReset.encode_array(len(resets)))
        builder.copy_back(self.hooks.inside_realtime_begin)
        # the realtime section: from the timer reset on, the MADC and the PPUs start at time 0
        realtime = stadls.AbsoluteTimePlaybackProgramBuilder()
        realtime.write(0, halco.EventRecordingConfigOnFPGA(), _RECORDING_ON)
        madc = self._on_chip_of(v.MADCReadoutView)
        if madc:
            realtime.write(0, halco.MADCControlOnDLS(), haldls.MADCControl(
                wake_up=True, enable_pre_amplifier=True, enable_continuous_sampling=True,
                start_recording=True))
        for rule in programs.values():
            for hemisphere in rule:
                realtime.write(0, halco.PPUControlRegisterOnDLS(hemisphere),
                               haldls.PPUControlRegister(inhibit_reset=True))
        times, labels = self._spike_inputs(entry)
        # what reaches the chip late here was relayed from an earlier instance (an
        # ExternalInput's late spikes were refused by check()): dropped and counted
        late = times >= runtime
        dropped = int(np.count_nonzero(late))
        if dropped:
            times, labels = times[~late], labels[~late]
        realtime.write_spike_train(0, times, labels)
        tickets: dict[str, Any] = {"cadc": {}, "periodic": {}, "observables": {}, "status": {}}
        for d in self._on_chip_of(v.CADCMembraneReadoutView):
            vertex = self.graph.vertex(d)
            if vertex.mode is v.CADCMode.periodic:
                coords, _ = _cadc_quads(vertex.synram.value(), vertex.all_columns())
                sample_times = np.arange(0, runtime, vertex.period_cycles())
                tickets["periodic"][d] = (sample_times, [[realtime.read(int(t), c) for c in coords]
                                                         for t in sample_times.tolist()])
        realtime.copy_back(self.hooks.inside_realtime)
        builder.merge_back(realtime.done())
        for t in list(range(_WAIT_STEP, runtime, _WAIT_STEP)) + [runtime]:
            builder.wait_until(t)
        builder.write(halco.EventRecordingConfigOnFPGA(), _RECORDING_OFF)
        builder.copy_back(self.hooks.inside_realtime_end)
        for d in self._on_chip_of(v.CADCMembraneReadoutView):
            vertex = self.graph.vertex(d)
            if vertex.mode is v.CADCMode.end:
                coords, _ = _cadc_quads(vertex.synram.value(), vertex.all_columns())
                tickets["cadc"][d] = builder.read_array(haldls.CADCSampleQuad, [c.to_enum() for c in coords])
        if madc:
            builder.write(halco.MADCControlOnDLS(), haldls.MADCControl(stop_recording=True))
        for d, rule in programs.items():
            for hemisphere, rp in rule.items():
                ppu = halco.PPUOnDLS(hemisphere)
                stadls.stop_ppu(builder, ppu)
                tickets["status"][(d, hemisphere)] = stadls.read_runtime_status(builder, rp.program, ppu)
                for name in self.graph.vertex(d).observables:
                    tickets["observables"][(d, hemisphere, name)] = stadls.read_symbol(builder, rp.program, name, ppu)
        builder.copy_back(self.hooks.post_realtime)
        wait = self.input_data.inter_batch_entry_wait_of(self.instance)
        if wait:
            builder.wait_until(runtime + wait)
        builder.block_until(halco.BarrierOnFPGA(), haldls.Barrier.omnibus)
        return builder.done(), tickets, dropped

    # -- running ----------------------------------------------------------------------------------
    def run(self, state: ChipState) -> InstanceResult:
        t0 = time.perf_counter()
        self.host_values()
        on_chip = self.on_chip()
        observables: dict[int, dict[str, list]] = {}
        build = run = decode = 0.0
        cycles = dropped = late = missed = 0
        traps: list = []
        if on_chip:
            chip = self.chip_config()
            programs = self._programs
            rule_hemispheres = sorted({h for rule in programs.values() for h in rule})
            per_entry: dict[int, list] = {}
            with state.lock:
                prefix = self._config_builder(state, chip)
                self._load_programs(prefix, programs)
                build += time.perf_counter() - t0
                for entry in range(self.batch_size):
                    t1 = time.perf_counter()
                    builder = prefix if entry == 0 else stadls.PlaybackProgramBuilder()
                    if entry and programs:
                        # every entry starts where entry 0 did: the configured weights (a rule
                        # changed them) and the kernels' initial globals
                        for hemisphere in rule_hemispheres:
                            builder.write(halco.SynapseWeightMatrixOnDLS(hemisphere), lola.SynapseWeightMatrix(
                                values=chip.synapse_matrices[hemisphere].weights))
                        self._load_programs(builder, programs)
                    program, tickets, entry_late = self._entry_program(entry, builder, programs)
                    t2 = time.perf_counter()
                    build += t2 - t1
                    try:
                        info = stadls.run(state.connection, program)
                    except Exception as err:
                        state.config = None           # the chip's state is unknown now
                        raise ExecutionError(f"{self.instance}, batch entry {entry}: the run on chip "
                                             f"{getattr(state.connection, 'chip_id', '?')} failed: {err}") from err
                    if entry == 0:
                        state.initialized = True
                        # a PPU may change weights: write the whole configuration next time
                        state.config = None if programs else chip
                    t3 = time.perf_counter()
                    run += t3 - t2
                    cycles += int(info.get("fpga_cycles", 0))
                    dropped += int(info.get("dropped_events", 0))
                    late += entry_late
                    traps.extend(info.get("ppu_traps", ()))
                    missed += self._decode(entry, program, tickets, per_entry, observables, programs)
                    decode += time.perf_counter() - t3
            for d, values in per_entry.items():
                vertex = self.graph.vertex(d)
                is_array = isinstance(vertex, v.CADCMembraneReadoutView) and vertex.mode is v.CADCMode.end
                self.values[d] = np.stack(values) if is_array else values
        t4 = time.perf_counter()
        for d in self.vertices:
            if isinstance(self.graph.vertex(d), v.DataOutput):
                self.values[d] = self._input_value(self.graph.inputs(d)[0])
        decode += time.perf_counter() - t4
        if dropped:
            log.warning("%s: %d events were dropped on the chip (bus or link bandwidth)", self.instance, dropped)
        if late:
            log.warning("%s: %d spikes relayed from earlier instances were dropped: with their delay they "
                        "came at or after the runtime", self.instance, late)
        if missed:
            log.warning("%s: %d periods of plasticity rules did not run to their end (skipped while the "
                        "PPU was busy, cut off by the end of the runtime, or stopped by a trap)",
                        self.instance, missed)
        return InstanceResult(self.values, observables, ExecutionTime(build, run, decode, cycles),
                              ExecutionHealth(dropped + late, tuple(traps), missed))

    def _decode(self, entry: int, program: stadls.PlaybackProgram, tickets: dict,
                per_entry: dict[int, list], observables: dict[int, dict[str, list]],
                programs: dict[int, dict[int, RuleProgram]]) -> int:
        """The entry's values into ``per_entry`` and ``observables``; returns the periods of
        plasticity rules that did not run."""
        for d in self.on_chip():
            vertex = self.graph.vertex(d)
            if isinstance(vertex, v.CrossbarL2Output):
                spikes = np.zeros(len(program.spikes), dtype=SPIKE_FROM_CHIP_DTYPE)
                spikes["time"] = program.spikes["fpga_time"]
                spikes["label"] = program.spikes["label"]
                per_entry.setdefault(d, []).append(spikes)
            elif isinstance(vertex, v.MADCReadoutView):
                samples = np.zeros(len(program.madc_samples), dtype=MADC_SAMPLE_DTYPE)
                samples["time"] = program.madc_samples["fpga_time"]
                samples["value"] = program.madc_samples["value"]
                samples["channel"] = program.madc_samples["channel"]
                per_entry.setdefault(d, []).append(samples)
            elif isinstance(vertex, v.CADCMembraneReadoutView):
                _, position = _cadc_quads(vertex.synram.value(), vertex.all_columns())
                if vertex.mode is v.CADCMode.end:
                    quads = tickets["cadc"][d].get()["samples"].reshape(-1, 4)
                    codes = quads[position[:, 0], position[:, 1]].astype(np.int64)
                    per_entry.setdefault(d, []).append((codes - _CADC_ZERO).astype(np.int8))
                else:
                    sample_times, reads = tickets["periodic"][d]
                    quads = np.array([[ticket.get().samples for ticket in row] for row in reads],
                                     dtype=np.int64).reshape(len(reads), -1, 4)
                    out = np.zeros(len(reads), dtype=cadc_sample_dtype(len(position)))
                    out["time"] = sample_times
                    out["value"] = quads[:, position[:, 0], position[:, 1]] - _CADC_ZERO
                    per_entry.setdefault(d, []).append(out)
        for (d, hemisphere, name), ticket in tickets["observables"].items():
            entry_values = observables.setdefault(d, {}).setdefault(name, [])
            if len(entry_values) <= entry:
                entry_values.append({})
            entry_values[entry][hemisphere] = ticket.get()
        missed = 0
        for (d, hemisphere), ticket in tickets["status"].items():
            # every period whose call did not end: skipped while the PPU was busy, not reached
            # or not finished before the runtime ended, or stopped by a trap
            missed += max(0, programs[d][hemisphere].num_periods - ticket.get().calls)
        return missed


def configuration(graph: Graph, instance: Any = 0, config: lola.Chip | None = None) -> lola.Chip:
    """The whole chip configuration an execution instance writes: ``config`` (default
    ``lola.Chip()``, not changed) with every on-chip vertex's configuration applied."""
    run = InstanceRun(graph, as_execution_instance(instance), config, InputData(), {},
                      ExecutionInstanceHooks(), 1)
    return run.chip_config()
