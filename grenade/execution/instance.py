"""One execution instance, just in time: its host values, its chip configuration, one playback
program per batch entry (built just before it runs), and the decoding of what came back.

The program of a batch entry follows grenade's realtime timeline: (first entry only: init if
the chip is new, ``pre_static_config``, the configuration, which is only what changed since
the last run on this chip, and the PPU programs), ``pre_realtime``, a reset of the neurons of
every neuron view, ``inside_realtime_begin``, the timer reset; at time 0 the event recording,
the MADC and the PPUs start; the input spikes at their times (with ``inside_realtime``'s
commands), the wait until the runtime, the end of the event recording,
``inside_realtime_end``, the CADC reads, the MADC and PPUs stopped and their observables read,
``post_realtime``, and the wait between batch entries.
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
from ..common import ExecutionInstanceID, as_execution_instance
from ..errors import ExecutionError, InputDataError
from ..signal_flow import vertex as v
from ..signal_flow.data import (MADC_SAMPLE_DTYPE, SPIKE_FROM_CHIP_DTYPE, SPIKE_TO_CHIP_DTYPE,
                                ExecutionHealth, ExecutionTime, InputData)
from ..signal_flow.graph import Graph, Input
from ..signal_flow.port import ConnectionType
from .executor import ChipState
from .hooks import ExecutionInstanceHooks

log = logging.getLogger(__name__)

#: spikes are recorded during the realtime section only (not while the chip is configured)
_RECORDING_ON = haldls.EventRecordingConfig(enable_event_recording=True)
_RECORDING_OFF = haldls.EventRecordingConfig(enable_event_recording=False)
#: the longest single wait: the FPGA aborts a wait of more than its instruction timeout (1 s)
_WAIT_STEP = 62_500_000


def _cadc_quads(synram: int) -> tuple[np.ndarray, np.ndarray]:
    """Triggered causal CADC reads of row 0 of the 64 quad columns of ``synram``
    (CADCSampleQuadOnDLS enums) and the column of each of their entries [64, 4]."""
    coords = [halco.CADCSampleQuadOnDLS.of(
        halco.SynapseQuadOnSynram(q, halco.SynapseRowOnSynram(0)), halco.CADCChannelType.causal,
        halco.CADCReadoutType.trigger_read, synram).to_enum()
        for q in halco.iter_all(halco.SynapseQuadColumnOnDLS)]
    return np.array(coords), halco.enum_map(halco.SynapseQuadColumnOnDLS, halco.SynapseOnSynapseRow)


def _restricted(value: Any, inp: Input) -> Any:
    """A host value ``[batch, size]`` restricted to an edge's channels."""
    if inp.restriction is None or not isinstance(value, np.ndarray):
        return value
    return value[..., inp.restriction.min:inp.restriction.max + 1]


@attrs.define
class InstanceResult:
    values: dict[int, Any]
    observables: dict[int, dict[str, list]]
    timing: ExecutionTime
    health: ExecutionHealth


class InstanceRun:
    """Runs one execution instance of ``graph`` on its chip."""

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

    # -- host side ------------------------------------------------------------------------------
    def _input_value(self, inp: Input) -> Any:
        d = inp.descriptor
        value = self.values[d] if d in self.values else self.upstream[d]
        return _restricted(value, inp)

    def host_values(self) -> None:
        """External inputs, loads and transformations of the instance (their inputs are input
        data, or values of earlier instances)."""
        for d in self.vertices:
            vertex = self.graph.vertex(d)
            if isinstance(vertex, v.ExternalInput):
                self.values[d] = self._external(d, vertex)
            elif isinstance(vertex, v.DataInput):
                self.values[d] = self._input_value(self.graph.inputs(d)[0])
            elif isinstance(vertex, v.Transformation):
                inputs = [np.asarray(self._input_value(i)) for i in self.graph.inputs(d)]
                self.values[d] = vertex.function.apply(inputs)

    def _external(self, d: int, vertex: v.ExternalInput) -> Any:
        if d not in self.input_data.data:
            raise InputDataError(f"no input data for ExternalInput vertex {d} ({vertex.type.name})")
        value = self.input_data.data[d]
        if len(value) != self.batch_size:
            raise InputDataError(f"ExternalInput vertex {d} has {len(value)} batch entries, the run "
                                 f"{self.batch_size}")
        if vertex.type is ConnectionType.DataTimedSpikeToChipSequence:
            for entry, spikes in enumerate(value):
                if not isinstance(spikes, np.ndarray) or spikes.dtype != SPIKE_TO_CHIP_DTYPE:
                    raise InputDataError(f"ExternalInput vertex {d}, batch entry {entry}: spikes must be "
                                         f"a grenade.signal_flow.data.SPIKE_TO_CHIP_DTYPE array "
                                         f"(spike_sequence(times, labels) makes one)")
            return list(value)
        arr = np.asarray(value)
        if arr.ndim != 2 or arr.shape[1] != vertex.size:
            raise InputDataError(f"ExternalInput vertex {d}: values must have shape (batch, "
                                 f"{vertex.size}), not {arr.shape}")
        return arr

    # -- the chip -------------------------------------------------------------------------------
    def on_chip(self) -> list[int]:
        return [d for d in self.vertices if isinstance(self.graph.vertex(d), v.EntityOnChip)]

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

    def _plasticity_programs(self) -> dict[int, dict[int, Any]]:
        """Per plasticity rule vertex: PPU (hemisphere) -> compiled program with its timer over
        the rule's views on that hemisphere."""
        programs: dict[int, dict[int, Any]] = {}
        for d in self.on_chip():
            rule = self.graph.vertex(d)
            if not isinstance(rule, v.PlasticityRule):
                continue
            synapses: dict[int, tuple[set, set]] = {}
            neurons: dict[int, set] = {}
            for inp in self.graph.inputs(d):
                source = self.graph.vertex(inp.descriptor)
                if isinstance(source, (v.SynapseArrayView, v.SynapseArrayViewSparse)):
                    rows, cols = synapses.setdefault(source.synram.value(), (set(), set()))
                    rows.update(source.rows.tolist())
                    cols.update(source.columns.tolist())
                elif isinstance(source, v.NeuronView):
                    neurons.setdefault(source.row.value(), set()).update(source.columns.tolist())
            programs[d] = {}
            for hemisphere in sorted(set(synapses) | set(neurons)):
                syn = synapses.get(hemisphere)
                timer = libnux_vm.Timer(
                    rule.timer.start, rule.timer.period, rule.timer.num_periods,
                    synapses=libnux_vm.SynapseView(hemisphere, sorted(syn[0]), sorted(syn[1])) if syn else None,
                    neurons=libnux_vm.NeuronView(hemisphere, sorted(neurons[hemisphere]))
                    if hemisphere in neurons else None)
                try:
                    programs[d][hemisphere] = libnux_vm.compile(rule.kernel, timers=[timer])
                except libnux_vm.CompileError as err:
                    raise ExecutionError(f"plasticity rule vertex {d}: the kernel does not compile:\n{err}") from err
        if len({h for p in programs.values() for h in p}) < sum(len(p) for p in programs.values()):
            raise ExecutionError("two plasticity rules of one execution instance use one PPU; a PPU "
                                 "runs one program (merge the rules' kernels)")
        return programs

    # -- one batch entry --------------------------------------------------------------------------
    def _spike_inputs(self, entry: int) -> tuple[np.ndarray, np.ndarray]:
        times, labels = [], []
        for d in self.on_chip():
            if isinstance(self.graph.vertex(d), v.CrossbarL2Input):
                for inp in self.graph.inputs(d):
                    spikes = self._input_value(inp)[entry]
                    times.append(spikes["time"])
                    labels.append(spikes["label"])
        if not times:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(times).astype(np.int64), np.concatenate(labels).astype(np.int64)

    def _neuron_resets(self) -> np.ndarray:
        atoms = [n for d in self.on_chip() if isinstance(self.graph.vertex(d), v.NeuronView)
                 for n in self.graph.vertex(d).atomic_neurons()]
        backend = halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronResetOnDLS)
        return np.unique(backend[[a.to_enum() for a in atoms]]) if atoms else np.zeros(0, dtype=np.int64)

    def _entry_program(self, entry: int, prefix: stadls.PlaybackProgramBuilder | None,
                       programs: dict[int, dict[int, Any]]) -> tuple[stadls.PlaybackProgram, dict]:
        runtime = self.input_data.runtime_of(self.instance, entry)
        builder = prefix if prefix is not None else stadls.PlaybackProgramBuilder()
        builder.copy_back(self.hooks.pre_realtime)
        builder.write(halco.EventRecordingConfigOnFPGA(), _RECORDING_OFF)
        resets = self._neuron_resets()
        if len(resets):
            builder.write_array(haldls.NeuronReset, resets, haldls.NeuronReset.encode_array(len(resets)))
        builder.copy_back(self.hooks.inside_realtime_begin)
        # the realtime section: from the timer reset on, the MADC and the PPUs start at time 0
        realtime = stadls.AbsoluteTimePlaybackProgramBuilder()
        realtime.write(0, halco.EventRecordingConfigOnFPGA(), _RECORDING_ON)
        madc = [d for d in self.on_chip() if isinstance(self.graph.vertex(d), v.MADCReadoutView)]
        if madc:
            realtime.write(0, halco.MADCControlOnDLS(), haldls.MADCControl(
                wake_up=True, enable_pre_amplifier=True, enable_continuous_sampling=True,
                start_recording=True))
        for rule in programs.values():
            for hemisphere in rule:
                realtime.write(0, halco.PPUControlRegisterOnDLS(hemisphere),
                               haldls.PPUControlRegister(inhibit_reset=True))
        times, labels = self._spike_inputs(entry)
        late = np.flatnonzero(times >= runtime) if runtime else np.zeros(0, dtype=int)
        if len(late):
            raise InputDataError(f"{self.instance}, batch entry {entry}: an input spike at cycle "
                                 f"{int(times[late[0]])} lies at or after the runtime ({runtime} cycles)")
        realtime.write_spike_train(0, times, labels)
        realtime.copy_back(self.hooks.inside_realtime)
        builder.merge_back(realtime.done())
        for t in list(range(_WAIT_STEP, runtime, _WAIT_STEP)) + [runtime]:
            builder.wait_until(t)
        builder.write(halco.EventRecordingConfigOnFPGA(), _RECORDING_OFF)
        builder.copy_back(self.hooks.inside_realtime_end)
        tickets: dict[str, Any] = {"cadc": {}, "observables": {}}
        for d in self.on_chip():
            vertex = self.graph.vertex(d)
            if isinstance(vertex, v.CADCMembraneReadoutView):
                coords, _ = _cadc_quads(vertex.synram.value())
                tickets["cadc"][d] = builder.read_array(haldls.CADCSampleQuad, coords)
        if madc:
            builder.write(halco.MADCControlOnDLS(), haldls.MADCControl(stop_recording=True))
        for d, rule in programs.items():
            for hemisphere, program in rule.items():
                ppu = halco.PPUOnDLS(hemisphere)
                stadls.stop_ppu(builder, ppu)
                for name in self.graph.vertex(d).observables:
                    tickets["observables"][(d, hemisphere, name)] = stadls.read_symbol(builder, program, name, ppu)
        builder.copy_back(self.hooks.post_realtime)
        wait = int(self.input_data.inter_batch_entry_wait.get(self.instance, 0))
        if wait:
            builder.wait_until(runtime + wait)
        builder.block_until(halco.BarrierOnFPGA(), haldls.Barrier.omnibus)
        return builder.done(), tickets

    # -- running ----------------------------------------------------------------------------------
    def run(self, state: ChipState) -> InstanceResult:
        t0 = time.perf_counter()
        self.host_values()
        on_chip = self.on_chip()
        observables: dict[int, dict[str, list]] = {}
        build = run = decode = 0.0
        cycles = dropped = 0
        traps: list = []
        if on_chip:
            chip = self.chip_config()
            programs = self._plasticity_programs()
            per_entry: dict[int, list] = {}
            with state.lock:
                prefix = self._config_builder(state, chip)
                for rule in programs.values():
                    for hemisphere, program in rule.items():
                        stadls.load_ppu_program(prefix, program, halco.PPUOnDLS(hemisphere))
                build += time.perf_counter() - t0
                for entry in range(self.batch_size):
                    t1 = time.perf_counter()
                    program, tickets = self._entry_program(entry, prefix if entry == 0 else None, programs)
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
                    traps.extend(info.get("ppu_traps", ()))
                    self._decode(entry, program, tickets, per_entry, observables)
                    decode += time.perf_counter() - t3
            for d, values in per_entry.items():
                vertex = self.graph.vertex(d)
                self.values[d] = np.stack(values) if isinstance(vertex, v.CADCMembraneReadoutView) else values
        t4 = time.perf_counter()
        for d in self.vertices:
            if isinstance(self.graph.vertex(d), v.DataOutput):
                self.values[d] = self._input_value(self.graph.inputs(d)[0])
        decode += time.perf_counter() - t4
        if dropped:
            log.warning("%s: %d events were dropped on the chip (bus or link bandwidth)", self.instance, dropped)
        return InstanceResult(self.values, observables, ExecutionTime(build, run, decode, cycles),
                              ExecutionHealth(dropped, tuple(traps)))

    def _decode(self, entry: int, program: stadls.PlaybackProgram, tickets: dict,
                per_entry: dict[int, list], observables: dict[int, dict[str, list]]) -> None:
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
                _, columns = _cadc_quads(vertex.synram.value())
                codes = np.zeros(256, dtype=np.int64)
                codes[columns] = tickets["cadc"][d].get()["samples"]
                per_entry.setdefault(d, []).append(codes[vertex.all_columns()].astype(np.uint8))
        for (d, hemisphere, name), ticket in tickets["observables"].items():
            entry_values = observables.setdefault(d, {}).setdefault(name, [])
            if len(entry_values) <= entry:
                entry_values.append({})
            entry_values[entry][hemisphere] = ticket.get()


def configuration(graph: Graph, instance: Any = 0, config: lola.Chip | None = None) -> lola.Chip:
    """The whole chip configuration an execution instance writes: ``config`` (default
    ``lola.Chip()``, not changed) with every on-chip vertex's configuration applied."""
    run = InstanceRun(graph, as_execution_instance(instance), config, InputData(), {},
                      ExecutionInstanceHooks(), 1)
    return run.chip_config()
