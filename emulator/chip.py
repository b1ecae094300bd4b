"""The emulated chip: word memory, the state it configures, and its evolution in time.

Writes land in :class:`~emulator.memory.Region` word arrays and decoded fields (through the haldls
declarations, vectorized per region). Some regions are views of one physical memory (the synapse
SRAM is seen as SynapseQuad, SynapseWeightQuad, SynapseLabelQuad, SynapseCorrelationCalibQuad),
some are triggers (NeuronReset, SpikeCounterReset, CorrelationReset, MADCControl, ...) and some
are read-only counters and samples computed from the dynamic state (spike counters, crossbar
counters, CADC samples). Everything time-dependent happens in :func:`emulator.core.evolve`;
:meth:`Chip.advance_to` brings the chip to a given FPGA cycle.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import numpy as np

import halco
import haldls
from . import compartments, core, ppu, readout, transfer
from .errors import ArgumentError, NumericalError
from .memory import Region, address_map
from .mismatch import Mismatch

#: default integration step: 0.05 us of hardware time
DEFAULT_DT_US = 0.05

#: container -> {field: Chip attribute of the physical synapse memory it shows}
_SYNAPSE_VIEWS: dict[type, dict[str, str]] = {
    haldls.SynapseQuad: {"weights": "weights", "labels": "labels", "time_calibs": "time_calibs",
                         "amp_calibs": "amp_calibs"},
    haldls.SynapseWeightQuad: {"values": "weights"},
    haldls.SynapseLabelQuad: {"values": "labels"},
    haldls.SynapseCorrelationCalibQuad: {"time_calibs": "time_calibs", "amp_calibs": "amp_calibs"},
}


#: backend enum (NeuronBackendConfigOnDLS, NeuronResetOnDLS, SpikeCounter*) -> atomic neuron
_ATOMIC_OF_BACKEND = halco.enum_map(halco.NeuronBackendConfigOnDLS, halco.AtomicNeuronOnDLS)
_NEURONS_OF_RESET_QUAD = halco.enum_map(halco.NeuronResetQuadOnDLS, halco.NeuronResetOnDLS,
                                        halco.AtomicNeuronOnDLS)


def _switch_layout(quad: type, local: type) -> tuple[np.ndarray, np.ndarray]:
    """Synram [n, 1] and synapse columns [n, 4] of every column-switch quad (ColumnCurrentQuad,
    ColumnCorrelationQuad), for fancy-indexing a [synram, column] array."""
    return (halco.enum_map(quad, halco.SynramOnDLS)[:, None],
            halco.enum_map(quad, local, halco.SynapseQuadColumnOnDLS, halco.SynapseOnSynapseRow))


_CURRENT_SWITCHES = _switch_layout(halco.ColumnCurrentQuadOnDLS, halco.ColumnCurrentQuadOnSynram)
_CORRELATION_SWITCHES = _switch_layout(halco.ColumnCorrelationQuadOnDLS,
                                       halco.ColumnCorrelationQuadOnSynram)


_CELLS_PER_BLOCK = halco.CapMemCellOnCapMemBlock.size


def _cell_in_blocks(cell: int) -> np.ndarray:
    """The CapMemCellOnDLS enums of CapMemCellOnCapMemBlock enum ``cell`` in the four blocks
    (block-major: ``block * cells per block + cell``, without building halco coordinates)."""
    return cell + _CELLS_PER_BLOCK * np.arange(halco.CapMemBlockOnDLS.size)


_ROW_NMDA = halco.CAPMEM_ROW_NAMES["i_bias_nmda"]
_ROW_GM_EXC = halco.CAPMEM_ROW_NAMES["i_bias_synin_exc_gm"]
_ROW_GM_INH = halco.CAPMEM_ROW_NAMES["i_bias_synin_inh_gm"]
_CELL_DAC = halco.CapMemCellOnCapMemBlock.syn_i_bias_dac.to_enum()
#: per CapMemCellOnCapMemBlock: whether the correlation sensors read it
_FEEDS_CORRELATION = np.zeros(_CELLS_PER_BLOCK, dtype=bool)
_FEEDS_CORRELATION[[halco.CapMemCellOnCapMemBlock.syn_i_bias_store.to_enum(),
                    halco.CapMemCellOnCapMemBlock.syn_i_bias_ramp.to_enum()]] = True
#: per CapMemCellOnCapMemBlock: whether the CADC ramps read it
_FEEDS_CADC_RAMP = np.zeros(_CELLS_PER_BLOCK, dtype=bool)
_FEEDS_CADC_RAMP[[halco.CapMemCellOnCapMemBlock.cadc_v_ramp_offset.to_enum(),
                  halco.CapMemCellOnCapMemBlock.cadc_i_ramp_slope.to_enum()]] = True
#: the containers whose fields the derived parameters read (Chip._recompute_parameters and what
#: it calls, readout.CADCRamps); a write of any other (the synapse memory, triggers such as the
#: membrane and counter resets, readout, PPU and FPGA registers) leaves them as they are, and a
#: CapMem cell updates only what depends on it (Chip._update_capmem)
FEEDS_PARAMETERS = frozenset((
    haldls.NeuronConfig, haldls.NeuronBackendConfig, haldls.CommonNeuronBackendConfig,
    haldls.CapMemBlockConfig, haldls.CrossbarNode, haldls.CrossbarOutputConfig,
    haldls.CommonPADIBusConfig, haldls.BackgroundSpikeSource, haldls.ColumnCurrentQuad,
    haldls.SynapseDriverConfig, haldls.CommonSTPConfig, haldls.ColumnCorrelationQuad,
    haldls.PadMultiplexerConfig))
#: the parameters core.step_factors reads (besides P_C_MEM and P_NOISE, which no CapMem cell sets)
_DECAY_PARAMETERS = frozenset((core.P_G_LEAK, core.P_G_RESET, core.P_TAU_EXC, core.P_TAU_INH,
                               core.P_TAU_W))


#: chip ids: a 32-bit hardware identity (it seeds the mismatch and the noise)
CHIP_ID_MAX = 2 ** 32 - 1
#: the longest integration step [us]: events and spikes are resolved to it
DT_US_MAX = 1.0


def _check_arguments(chip_id: Any, dt_us: Any, mismatch: Any, noise: Any,
                     ppu_quantum_us: Any) -> None:
    if isinstance(chip_id, (bool, np.bool_)) or not isinstance(chip_id, (int, np.integer)) \
            or not 0 <= chip_id <= CHIP_ID_MAX:
        raise ArgumentError(f"chip_id must be an integer 0..{CHIP_ID_MAX}, not {chip_id!r}")
    for name, value, lo, hi in (("dt_us", dt_us, 0.0, DT_US_MAX),
                                ("ppu_quantum_us", ppu_quantum_us, 0.0, 1000.0)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
                or not math.isfinite(value):
            raise ArgumentError(f"{name} must be a finite number of microseconds, not "
                                     f"{value!r}")
    if not 0.0 < dt_us <= DT_US_MAX:
        raise ArgumentError(f"the integration step dt_us must lie in (0, {DT_US_MAX}] us, "
                                 f"got {dt_us}")
    if not 0.0 <= ppu_quantum_us <= 1000.0:
        raise ArgumentError(f"ppu_quantum_us must be in 0..1000 us (0: exact), got "
                                 f"{ppu_quantum_us}")
    if mismatch is not None and not isinstance(mismatch, Mismatch):
        raise ArgumentError(f"mismatch must be an emulator.Mismatch (Mismatch.for_chip(id), "
                                 f"Mismatch.ideal()) or None, not {type(mismatch).__name__}")
    if not isinstance(noise, (bool, np.bool_)):
        raise ArgumentError(f"noise must be True or False, not {noise!r}")


class Chip:
    """All hardware state of one emulated BSS-2 chip (revision 3) and its FPGA registers.

    ``mismatch`` overrides the chip's fixed-pattern deviations (default: drawn from ``chip_id``;
    :meth:`Mismatch.ideal` for none); ``noise=False`` switches temporal noise off.

    ``ppu_quantum_us`` trades the PPUs' timing for speed: 0 (default) carries out every chip
    built-in a kernel calls at its own FPGA cycle, splitting the analog evolution there (about
    0.1 ms of wall time each); a quantum q carries them out at the next multiple of q instead,
    in their order, so that a kernel's many row accesses cost one split per quantum.
    """

    def __init__(self, chip_id: int = 0, dt_us: float = DEFAULT_DT_US, mismatch: Mismatch | None = None,
                 noise: bool = True, ppu_quantum_us: float = 0.0) -> None:
        _check_arguments(chip_id, dt_us, mismatch, noise, ppu_quantum_us)
        self.ppu_quantum_cycles = int(round(ppu_quantum_us * haldls.wire.FPGA_CLOCK_CYCLES_PER_US))
        self.chip_id = int(chip_id)
        self.dt_cycles = dt_us * haldls.wire.FPGA_CLOCK_CYCLES_PER_US
        self.mismatch = mismatch if mismatch is not None else Mismatch.for_chip(chip_id)
        self.noise = bool(noise)
        self.rng = np.random.default_rng([self.chip_id, 0x5EED])
        self._noise_table = core.noise_table(self.chip_id)
        containers = tuple(c for c in haldls.containers() if c.has_addresses())
        self.address_map = address_map(containers)
        # power-on state where it is not haldls's default (MODEL.md, "Synaptic input"): CapMem off;
        # the column switches pass the synaptic currents to the neurons and connect the
        # correlation sensors to the CADC (haldls's switches default off)
        on = [True] * 4
        reset_words = {
            haldls.CapMemBlockConfig: haldls.CapMemBlockConfig(enable_capmem=False).encode(),
            haldls.ColumnCurrentQuad: haldls.ColumnCurrentQuad(
                enable_synaptic_current_excitatory=on, enable_synaptic_current_inhibitory=on).encode(),
            haldls.ColumnCorrelationQuad: haldls.ColumnCorrelationQuad(
                enable_internal_causal=on, enable_internal_acausal=on).encode(),
        }
        self.regions = [Region(c, reset_words.get(c)) for c in containers]
        self.region_of = {c: r for c, r in zip(containers, self.regions)}
        self._capmem_region_id = containers.index(haldls.CapMemCell)
        self.readout = readout.Readout(self)
        self.on_write: dict[type, Callable[[np.ndarray], None]] = {
            **{c: self._write_synapse_view(c) for c in _SYNAPSE_VIEWS},
            haldls.CapMemCell: self._write_capmem,
            haldls.NeuronReset: self._trigger_neuron_reset,
            haldls.NeuronResetQuad: self._trigger_neuron_reset_quad,
            haldls.SpikeCounterReset: self._trigger_spike_counter_reset,
            haldls.CorrelationReset: self._trigger_correlation_reset,
            haldls.BackgroundSpikeSource: self._write_background,
            haldls.MADCControl: self.readout.madc_control,
            haldls.PPUControlRegister: self._write_ppu_control,
            haldls.PADIEvent: self._write_padi_event,
            haldls.BlockPostPulse: self._block_post_pulse,
        }
        self.on_read: dict[type, Callable[[np.ndarray], np.ndarray]] = {
            **{c: self._read_synapse_view(c) for c in _SYNAPSE_VIEWS},
            haldls.SpikeCounterRead: self._read_spike_counter,
            haldls.CrossbarInputDropCounter: lambda rows: self.drop_counter[rows, None].astype(np.uint32),
            haldls.CrossbarOutputEventCounter: lambda rows: self.out_counter[rows, None].astype(np.uint32),
            haldls.CADCSampleQuad: self.readout.cadc_read,
            haldls.PPUStatusRegister: lambda rows: ppu.status_words(self.ppus, rows),
        }
        #: the two embedded processors, top and bottom
        self.ppus = [ppu.PPU(self, 0), ppu.PPU(self, 1)]
        #: triggers that act on the evolving state (counters, membranes, sensors): the chip
        #: evolves to the first word of a run of them before they act
        self._timed_triggers = frozenset(containers.index(c) for c in (
            haldls.SpikeCounterReset, haldls.NeuronReset, haldls.NeuronResetQuad,
            haldls.CorrelationReset))
        self._one_word_segments = np.array([containers.index(c) for c in (
            haldls.PPUControlRegister, haldls.PADIEvent, haldls.BlockPostPulse)])
        self._quad_synram = halco.enum_map(halco.SynapseQuadOnDLS, halco.SynramOnDLS)
        self._quad_row = halco.enum_map(halco.SynapseQuadOnDLS, halco.SynapseQuadOnSynram,
                                        halco.SynapseRowOnSynram)
        self._quad_columns = halco.enum_map(halco.SynapseQuadOnDLS, halco.SynapseQuadOnSynram,
                                            halco.SynapseQuadColumnOnDLS, halco.SynapseOnSynapseRow)
        self._atomic_from_backend = _ATOMIC_OF_BACKEND
        self._backend_from_atomic = halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronBackendConfigOnDLS)

        # physical memories that several views share
        self.weights = np.zeros((2, 256, 256), dtype=np.int64)
        #: the synapse labels; written only through the synapse memory views, which drop the
        #: label index (:meth:`_label_index`) built from them
        self.labels = np.zeros((2, 256, 256), dtype=np.int64)
        self._labels_by_row: tuple[np.ndarray, np.ndarray] | None = None
        self.time_calibs = np.zeros((2, 256, 256), dtype=np.int64)
        self.amp_calibs = np.zeros((2, 256, 256), dtype=np.int64)
        self.capmem_driven = np.zeros(halco.CapMemCellOnDLS.size, dtype=np.int64)
        self._neuron_block = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemBlockOnDLS)
        #: [row, neuron]: the CapMem cell of each neuron parameter
        self._capmem_index = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemCellOnDLS).T
        #: per CapMemCellOnDLS: the neuron (-1: a shared cell) and the row of the cell
        self._cell_neuron = np.full(halco.CapMemCellOnDLS.size, -1, dtype=np.int64)
        self._cell_row = np.full(halco.CapMemCellOnDLS.size, -1, dtype=np.int64)
        rows, neurons = np.indices(self._capmem_index.shape)
        self._cell_neuron[self._capmem_index] = neurons
        self._cell_row[self._capmem_index] = rows
        #: [block, neuron within the block]: the neurons each CapMem block drives
        self._block_neurons = np.stack([np.flatnonzero(self._neuron_block == b) for b in range(4)])
        #: driven CapMem cells whose value changed since the parameters were last computed
        self._capmem_changes: list[np.ndarray] = []
        #: (the connection switches, compartments.connections of them) of the last recomputation
        self._connections: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]] | None = None

        # dynamic state
        self.time = 0  # FPGA cycles since power-on (where the analog core has been evolved to)
        self.write_time = 0  # FPGA cycle of the write segment being applied (see write_words)
        self.S = np.zeros((core.N_STATE, 512))
        self.S[core.S_LAST_SPIKE] = -1.0
        self.spike_count = np.zeros(512, dtype=np.int64)
        self.drop_counter = np.zeros(20, dtype=np.int64)
        self.out_counter = np.zeros(12, dtype=np.int64)
        self.counters = np.zeros(core.N_COUNTERS, dtype=np.int64)
        self.bus_free = np.zeros(8, dtype=np.int64)
        self.l2_free = np.zeros(4, dtype=np.int64)
        self.bg_state = np.zeros((8, 2), dtype=np.int64)
        self._bg_enabled = np.zeros(8, dtype=bool)
        self.drv_state = np.zeros((256, core.N_DS))
        self.drv_state[:, core.DS_R] = 1.0
        self.drv_state[:, core.DS_LAST] = -1.0
        self.causal = np.zeros((2, 256, 256))
        self.acausal = np.zeros((2, 256, 256))
        self.last_pre = np.full((2, 256, 256), -1.0)
        self.pending = np.zeros((1024, 3), dtype=np.int64)
        self.n_pending = np.zeros(1, dtype=np.int64)
        self.records = np.zeros((4096, 2), dtype=np.int64)
        self.n_records = np.zeros(1, dtype=np.int64)
        self.madc_buf = np.zeros((4096, 3), dtype=np.int64)
        self.n_madc = np.zeros(1, dtype=np.int64)
        self.ext_events = np.zeros((0, 2), dtype=np.int64)
        self._injected: list[np.ndarray] = []
        self._params_dirty = True
        self._update_parameters()

    # -- memory access ---------------------------------------------------------------------------
    def write_words(self, addresses: np.ndarray, data: np.ndarray,
                    times: np.ndarray | None = None,
                    advance: Callable[[int], None] | None = None) -> None:
        """Apply a burst of word writes, in order (a later write to the same word wins).

        ``times`` (FPGA cycles, one per word) is when each word crosses the bus. Configuration
        words of a burst take effect at its start; a trigger that starts something (a PPU's
        reset release, the MADC, a background source, a PADI event) starts at its own word's
        time (:attr:`write_time` during its handler). Given ``advance`` (evolve the chip to a
        time, the PPUs acting on the way), the chip evolves to the first word of a run of resets
        (spike counters, membranes, correlation sensors) before they act, and a PPU due between
        two words of the burst acts between them: a kernel sees the words written before its
        time, not those after."""
        region_ids, rows, word_ids = self.address_map.resolve(addresses)
        data = np.asarray(data, dtype=np.uint32)
        # consecutive words of one region form a segment; segments apply in program order, so
        # that triggers (MADCControl, resets) see the configuration written before them. Every
        # word of a trigger whose every word acts (PPUControlRegister: stop then start; a
        # PADIEvent, a BlockPostPulse: each is an event) is a segment of its own.
        cut = np.diff(region_ids) != 0
        control = np.isin(region_ids, self._one_word_segments)
        cut |= control[1:] | control[:-1]
        bounds = np.flatnonzero(cut) + 1
        starts = np.concatenate([[0], bounds]).tolist()
        stops = np.concatenate([bounds, [len(region_ids)]]).tolist()
        for a, b in zip(starts, stops):
            if advance is not None and times is not None and region_ids[a] in self._timed_triggers:
                advance(int(times[a]))       # a reset acts on the state at its own time
            while a < b:
                c = b
                if advance is not None and times is not None:
                    due = self.next_ppu_time()
                    if due is not None and due <= times[b - 1]:
                        c = a + int(np.searchsorted(times[a:b], due, side="left"))
                        if c == a:                  # a PPU acts before this word arrives
                            advance(int(times[a]))
                            continue
                self._write_segment(region_ids[a], rows[a:c], word_ids[a:c], data[a:c],
                                    None if times is None else int(times[a]))
                a = c

    def _write_segment(self, region_id: int, rows: np.ndarray, word_ids: np.ndarray,
                       data: np.ndarray, time: int | None) -> None:
        self.write_time = self.time if time is None else max(time, self.time)
        region = self.regions[region_id]
        touched = region.store(rows, word_ids, data)
        handler = self.on_write.get(region.container)
        if handler is not None:
            handler(touched)
        # before any evolution between the burst's segments. Only configuration the derived
        # parameters read makes them stale; CapMem cells (the bulk of timed writes: current
        # sources, calibration searches, PPU kernels) note what they changed instead, and only
        # what depends on those cells is recomputed (_update_capmem)
        if region.container in FEEDS_PARAMETERS:
            self._params_dirty = True

    def next_ppu_time(self) -> int | None:
        """FPGA cycle of the next action of a running PPU, or None."""
        times = [p.next_time for p in self.ppus if p.next_time is not None]
        return min(times) if times else None

    def read_words(self, addresses: np.ndarray) -> np.ndarray:
        """The words the hardware returns for a burst of reads."""
        region_ids, rows, word_ids = self.address_map.resolve(addresses)
        out = np.zeros(len(region_ids), dtype=np.uint32)
        for rid in np.unique(region_ids):
            sel = region_ids == rid
            region = self.regions[rid]
            reader = self.on_read.get(region.container)
            if reader is None:
                out[sel] = region.words[rows[sel], word_ids[sel]]
            else:
                # one read of a container is a run of its words (word index 0 starts one): a
                # read with an effect (a CADC conversion, fresh noise) happens once per read
                r, w = rows[sel], word_ids[sel]
                starts = np.ones(len(r), dtype=bool)
                starts[1:] = (w[1:] <= w[:-1]) | (r[1:] != r[:-1])
                read_index = np.cumsum(starts) - 1
                out[sel] = reader(r[starts])[read_index, w]
        return out

    def fields(self, container: type[haldls.Container]) -> dict[str, np.ndarray]:
        """Decoded field arrays of a stored container type over all its coordinates."""
        return self.region_of[container].fields

    # -- synapse SRAM views ----------------------------------------------------------------------
    def _synapse_index(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._quad_synram[rows][:, None], self._quad_row[rows][:, None], self._quad_columns[rows]

    def _write_synapse_view(self, container: type[haldls.Container]) -> Callable[[np.ndarray], None]:
        def write(rows: np.ndarray) -> None:
            fields = self.region_of[container].fields
            idx = self._synapse_index(rows)
            for field, memory in _SYNAPSE_VIEWS[container].items():
                getattr(self, memory)[idx] = fields[field][rows]
                if memory == "labels":
                    self._labels_by_row = None      # the label index is rebuilt before the next evolution
        return write

    def _read_synapse_view(self, container: type[haldls.Container]) -> Callable[[np.ndarray], np.ndarray]:
        def read(rows: np.ndarray) -> np.ndarray:
            idx = self._synapse_index(rows)
            values = {field: getattr(self, memory)[idx] for field, memory in _SYNAPSE_VIEWS[container].items()}
            return container.encode_array(len(rows), **values)
        return read

    # -- CapMem ----------------------------------------------------------------------------------
    def _write_capmem(self, rows: np.ndarray) -> None:
        values = self.region_of[haldls.CapMemCell].fields["value"][rows]
        refreshed = values != haldls.CapMemCell.DisableRefresh
        cells, values = rows[refreshed], values[refreshed]      # rows are unique
        changed = cells[self.capmem_driven[cells] != values]
        self.capmem_driven[cells] = values
        if len(changed):
            self._capmem_changes.append(changed)

    def write_neuron_capmem(self, neurons: np.ndarray, row: int, values: np.ndarray) -> None:
        """Writes of CapMem row ``row`` of ``neurons`` (AtomicNeuronOnDLS enums) to ``values``
        from inside the chip (a PPU over its bus): the same cells and effect as the FPGA's."""
        enums = self._capmem_index[row, np.asarray(neurons, dtype=np.int64)]
        words = haldls.CapMemCell.encode_array(len(enums), value=np.asarray(values, dtype=np.int64))
        self._write_segment(self._capmem_region_id, enums, np.zeros(len(enums), dtype=np.int64),
                            np.asarray(words, dtype=np.uint32).reshape(-1), None)

    def capmem_value(self, cell: halco.CapMemCellOnCapMemBlock) -> np.ndarray:
        """The value a shared cell drives in each of the four blocks (0 where the block is off)."""
        enums = _cell_in_blocks(cell.to_enum())
        enabled = self.fields(haldls.CapMemBlockConfig)["enable_capmem"]
        return np.where(enabled, self.capmem_driven[enums], 0)

    # -- triggers --------------------------------------------------------------------------------
    def _trigger_neuron_reset(self, rows: np.ndarray) -> None:
        self._reset_membranes(self._atomic_from_backend[rows])

    def _trigger_neuron_reset_quad(self, rows: np.ndarray) -> None:
        self._reset_membranes(_NEURONS_OF_RESET_QUAD[rows].ravel())

    def _reset_membranes(self, neurons: np.ndarray) -> None:
        self._update_parameters()
        self.S[core.S_V, neurons] = self.P[core.P_V_RESET, neurons]

    def _trigger_spike_counter_reset(self, rows: np.ndarray) -> None:
        self.spike_count[self._atomic_from_backend[rows]] = 0

    def _trigger_correlation_reset(self, rows: np.ndarray) -> None:
        idx = self._synapse_index(rows)
        self.causal[idx] = 0.0
        self.acausal[idx] = 0.0
        self.last_pre[idx] = -1.0

    def _read_spike_counter(self, rows: np.ndarray) -> np.ndarray:
        counts = self.spike_count[self._atomic_from_backend[rows]]
        return haldls.SpikeCounterRead.encode_array(
            len(rows), count=np.minimum(counts, 255), overflow=counts > 255)

    def _write_padi_event(self, rows: np.ndarray) -> None:
        """An event put onto the PADI buses of one hemisphere directly, at its word's time."""
        f = self.fields(haldls.PADIEvent)
        for hemisphere in rows.tolist():
            label = (int(f["row_select_address"][hemisphere]) << 6) | int(f["event_address"][hemisphere])
            for bus in np.flatnonzero(f["fire_bus"][hemisphere]).tolist():
                n = int(self.n_pending[0])
                if n >= len(self.pending):
                    self.pending = np.concatenate([self.pending, np.zeros_like(self.pending)])
                self.pending[n] = (self.write_time, hemisphere * 4 + bus, label)
                self.n_pending[0] = n + 1

    def _block_post_pulse(self, rows: np.ndarray) -> None:
        """A post pulse to the correlation sensors of every neuron of a backend block (columns
        0..127 or 128..255 of both hemispheres) at the word's time: what a spike of each does
        to them (``core._correlate_post``)."""
        self._update_parameters()
        param, causal_en, _ = self._correlation_config
        for block in rows.tolist():
            for hemisphere in range(2):
                for column in range(128 * block, 128 * (block + 1)):
                    core._correlate_post(hemisphere * 256 + column, float(self.write_time), self.S,
                                         self.causal, self.last_pre, param, causal_en)

    def _write_ppu_control(self, rows: np.ndarray) -> None:
        inhibit = self.fields(haldls.PPUControlRegister)["inhibit_reset"]
        for r in rows.tolist():
            self.ppus[r].set_inhibit_reset(bool(inhibit[r]))

    def _write_background(self, rows: np.ndarray) -> None:
        f = self.region_of[haldls.BackgroundSpikeSource].fields
        for b in rows:
            now_enabled = bool(f["enable"][b])
            if now_enabled and not self._bg_enabled[b]:
                # the seed loads on the disable -> enable edge; the first bin starts now
                self.bg_state[b, 0] = self.write_time + int(f["period"][b]) + 1
                self.bg_state[b, 1] = int(f["seed"][b]) or 0x9E3779B9
            self._bg_enabled[b] = now_enabled

    # -- parameters ------------------------------------------------------------------------------
    def _update_parameters(self) -> None:
        """Bring the derived parameters (P, D, F, the routing, driver, correlation, amplitude,
        compartment and CADC arrays) up to date with the configuration: all of them after a
        write of a container they read (FEEDS_PARAMETERS), else only what the CapMem cells
        written since feed; either way bit-identical to a full recomputation."""
        if self._params_dirty:
            self._capmem_changes = []
            self._recompute_parameters()
        elif self._capmem_changes:
            cells = np.unique(np.concatenate(self._capmem_changes))
            self._capmem_changes = []
            self._update_capmem(cells)

    def _recompute_parameters(self) -> None:
        config = self.fields(haldls.NeuronConfig)
        backend = {k: v[self._backend_from_atomic] for k, v in self.fields(haldls.NeuronBackendConfig).items()}
        common = self.fields(haldls.CommonNeuronBackendConfig)
        capmem = self.capmem_driven[self._capmem_index]
        capmem_enabled = self.fields(haldls.CapMemBlockConfig)["enable_capmem"][self._neuron_block]
        self.P, self.F = transfer.neuron_parameters(config, backend, common, capmem, capmem_enabled,
                                                    self.mismatch)
        # the synapses of a neuron's column lie in its quadrant: their DAC's bias scales its input
        dac = transfer.synapse_dac_factor(self.capmem_value(halco.CapMemCellOnCapMemBlock.syn_i_bias_dac),
                                          self.mismatch.synapse_dac_gain)
        self.P[core.P_AMP_EXC] *= dac[self._neuron_block]
        self.P[core.P_AMP_INH] *= dac[self._neuron_block]
        if not self.noise:
            self.P[core.P_NOISE] = 0.0
        self.D = core.step_factors(self.P, self.dt_cycles)
        self._routing_config = self._routing_arrays()
        self._driver_config = self._driver_arrays()
        self._correlation_config = self._correlation_arrays()
        self._synaptic_amplitudes = self._amplitude_arrays()
        # the union-find over the connection switches is most of a recomputation: redone only
        # when one of them changed
        switches = tuple(config[f] for f in compartments.CONNECTION_FIELDS)
        if self._connections is None or not all(
                np.array_equal(a, b) for a, b in zip(switches, self._connections[0])):
            self._connections = (tuple(a.copy() for a in switches), compartments.connections(config))
        self._compartment_config = self._compartment_arrays(config, capmem_enabled)
        self._cadc_ramps = readout.CADCRamps(self)
        self._params_dirty = False

    def _compartment_arrays(self, config: dict[str, np.ndarray], capmem_enabled: np.ndarray) -> tuple:
        """(active, group, segment, tied group, conductance) for compartments.couple, from the
        cached connections and the driven i_bias_nmda cells."""
        group, segment, tied = self._connections[1]
        nmda = self.capmem_driven[self._capmem_index[_ROW_NMDA]]
        g = compartments.conductances(config, np.where(capmem_enabled, nmda, 0), self.mismatch.gain["g_nmda"])
        return compartments.is_active(group, g), group, segment, tied, g

    def _update_capmem(self, cells: np.ndarray) -> None:
        """Recompute what depends on the CapMem ``cells`` (CapMemCellOnDLS enums, unique) whose
        driven values changed, bit-identical to a full recomputation: the parameters of the
        neurons whose cells they are, those rows only, with their decay factors and synaptic
        amplitudes; a quadrant's synaptic amplitudes after its syn_i_bias_dac; the correlation
        parameters after syn_i_bias_store or syn_i_bias_ramp; the inter-compartment
        conductances after i_bias_nmda; the CADC ramps after a ramp cell or a cell on a block's
        debug output. Other shared cells feed nothing the model reads."""
        config = self.fields(haldls.NeuronConfig)
        blocks = self.fields(haldls.CapMemBlockConfig)
        block_enabled = blocks["enable_capmem"]
        neuron, row = self._cell_neuron[cells], self._cell_row[cells]
        block, cell = np.divmod(cells, halco.CapMemCellOnCapMemBlock.size)
        # row -> neurons whose parameters of that row are recomputed
        todo = {int(r): neuron[row == r] for r in np.unique(row[neuron >= 0])}
        dac = None
        dac_blocks = block[cell == _CELL_DAC]
        if len(dac_blocks) or _ROW_GM_EXC in todo or _ROW_GM_INH in todo:
            dac = transfer.synapse_dac_factor(self.capmem_value(halco.CapMemCellOnCapMemBlock.syn_i_bias_dac),
                                              self.mismatch.synapse_dac_gain)
        if len(dac_blocks):
            # a quadrant's DAC bias scales the amplitudes of all its neurons: recompute them
            # from their gm cells, as the full computation does
            moved = self._block_neurons[dac_blocks].ravel()
            for r in (_ROW_GM_EXC, _ROW_GM_INH):
                todo[r] = np.union1d(todo.get(r, np.zeros(0, dtype=np.int64)), moved)
        decays, amplitudes = [], []
        for r, neurons in todo.items():
            written = transfer.update_neuron_parameters(
                self.P, r, neurons, self.capmem_driven[self._capmem_index[r, neurons]],
                block_enabled[self._neuron_block[neurons]], config, self.mismatch)
            for p in written:
                if p in (core.P_AMP_EXC, core.P_AMP_INH):
                    self.P[p, neurons] *= dac[self._neuron_block[neurons]]
                    amplitudes.append(neurons)
                if p in _DECAY_PARAMETERS:
                    decays.append(neurons)
        if decays:
            neurons = np.unique(np.concatenate(decays))
            self.D[:, neurons] = core.step_factors(self.P[:, neurons], self.dt_cycles)
        if amplitudes:
            self._set_amplitudes(self._synaptic_amplitudes[0], np.unique(np.concatenate(amplitudes)))
        if _ROW_NMDA in todo:
            self._compartment_config = self._compartment_arrays(
                config, block_enabled[self._neuron_block])
        if _FEEDS_CORRELATION[cell].any():
            self._correlation_config = self._correlation_arrays()
        debug_cells = blocks["debug_capmem_coord"]
        if _FEEDS_CADC_RAMP[cell].any() or np.any(cell == debug_cells[block]):
            self._cadc_ramps = readout.CADCRamps(self)

    def _routing_arrays(self) -> tuple:
        node = self.fields(haldls.CrossbarNode)
        valid = np.zeros((20, 12), dtype=np.bool_)
        mask = np.zeros((20, 12), dtype=np.int64)
        target = np.zeros((20, 12), dtype=np.int64)
        drop_en = np.zeros((20, 12), dtype=np.bool_)
        table = np.array(halco.CrossbarNodeOnDLS._table)  # (output, input) per enum
        valid[table[:, 1], table[:, 0]] = True
        mask[table[:, 1], table[:, 0]] = node["mask"]
        target[table[:, 1], table[:, 0]] = node["target"]
        drop_en[table[:, 1], table[:, 0]] = node["enable_drop_counter"]
        out_count_en = self.fields(haldls.CrossbarOutputConfig)["enable_event_counter"][0].astype(np.bool_)
        bus_enable = self.fields(haldls.CommonPADIBusConfig)["enable_spl1"].reshape(8).astype(np.bool_)
        bg = self.fields(haldls.BackgroundSpikeSource)
        bg_config = np.stack([bg["enable"], bg["enable_random"], bg["period"], bg["rate"], bg["mask"],
                              bg["neuron_label"]], axis=1).astype(np.int64)
        col_current = self.fields(haldls.ColumnCurrentQuad)
        col_exc = np.zeros((2, 256), dtype=np.bool_)
        col_inh = np.zeros((2, 256), dtype=np.bool_)
        synram, cols = _CURRENT_SWITCHES
        col_exc[synram, cols] = col_current["enable_synaptic_current_excitatory"]
        col_inh[synram, cols] = col_current["enable_synaptic_current_inhibitory"]
        return (valid, mask, target, drop_en, out_count_en, bus_enable), bg_config, col_exc, col_inh

    def _amplitude_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Synaptic input amplitude per weight LSB [kind, neuron], zero where an event cannot charge
        the input (input disabled, column current switch off, bypass mode); bypass per hemisphere."""
        amp = np.zeros((2, 512))
        self._set_amplitudes(amp, slice(None))
        bypass = (self.F[core.F_BYPASS_EXC] != 0) | (self.F[core.F_BYPASS_INH] != 0)
        return amp, bypass.reshape(2, 256).any(axis=1)

    def _set_amplitudes(self, amp: np.ndarray, neurons: slice | np.ndarray) -> None:
        """Write the synaptic input amplitudes [kind, neuron] of ``neurons`` into ``amp``."""
        _, _, col_exc, col_inh = self._routing_config
        for kind, col in enumerate((col_exc, col_inh)):
            on = ((self.F[core.F_SYNIN_EXC + kind, neurons] != 0)
                  & (self.F[core.F_BYPASS_EXC + kind, neurons] == 0) & col.reshape(512)[neurons])
            amp[kind, neurons] = np.where(on, self.P[core.P_AMP_EXC + kind, neurons], 0.0)

    def _driver_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        drv = self.fields(haldls.SynapseDriverConfig)
        stp = self.fields(haldls.CommonSTPConfig)
        block = halco.enum_map(halco.SynapseDriverOnDLS, halco.SynapseDriverBlockOnDLS)
        d_int = np.zeros((256, core.N_DI), dtype=np.int64)
        d_int[:, core.DI_RECEIVER] = drv["enable_receiver"]
        d_int[:, core.DI_MASK] = drv["row_address_compare_mask"]
        d_int[:, core.DI_MODE_TOP] = drv["row_mode_top"]
        d_int[:, core.DI_MODE_BOTTOM] = drv["row_mode_bottom"]
        d_int[:, core.DI_STP] = drv["enable_stp"]
        d_int[:, core.DI_FACILITATE] = drv["enable_renewing"]
        d_int[:, core.DI_RECOVERY] = drv["enable_recovery"] & stp["enable_recovery_clock"][block]
        d_int[:, core.DI_HAGEN] = drv["enable_hagen_modulation"]
        d_float = np.zeros((256, core.N_DF))
        d_float[:, core.DF_U] = drv["utilization"] / 15.0
        d_float[:, core.DF_OFFSET] = drv["offset"] / 30.0
        # recovery: (recovery + 1) ticks of a clock of 250 MHz / 2**(speed + 7) (~1 MHz at speed 1)
        tick_cycles = transfer.FPGA_CLOCK_HZ / (transfer.PPU_CLOCK_HZ / 2.0 ** (stp["recovery_clock_speed"][block] + 7))
        d_float[:, core.DF_TAU_REC] = (drv["recovery"] + 1) * tick_cycles
        d_float[:, core.DF_HAGEN_SHIFT] = transfer.hagen_activation_shift(
            drv["enable_hagen_dac"], drv["hagen_dac_offset"], self.mismatch.hagen_dac_offset)
        return d_int, d_float

    def _correlation_arrays(self) -> tuple:
        store = self.capmem_value(halco.CapMemCellOnCapMemBlock.syn_i_bias_store)
        ramp = self.capmem_value(halco.CapMemCellOnCapMemBlock.syn_i_bias_ramp)
        param = np.zeros((4, core.N_CP))
        param[:, core.CP_ETA] = readout.CORRELATION_ETA_PER_LSB * store
        param[:, core.CP_TAU] = np.where(ramp > 0, readout.CORRELATION_TAU_CHARGE / np.maximum(ramp, 1), 1e9)
        switches = self.fields(haldls.ColumnCorrelationQuad)
        causal_en = np.zeros((2, 256), dtype=np.bool_)
        acausal_en = np.zeros((2, 256), dtype=np.bool_)
        synram, cols = _CORRELATION_SWITCHES
        causal_en[synram, cols] = switches["enable_internal_causal"]
        acausal_en[synram, cols] = switches["enable_internal_acausal"]
        return param, causal_en, acausal_en

    # -- time ------------------------------------------------------------------------------------
    def inject(self, time: int, labels: list[int]) -> None:
        """Spikes from the FPGA entering the chip at absolute cycle ``time``."""
        self.inject_many(np.full(len(labels), time), np.asarray(labels))

    def inject_many(self, times: np.ndarray, labels: np.ndarray) -> None:
        """Spikes from the FPGA entering the chip at absolute cycles ``times``."""
        self._injected.append(np.stack([np.asarray(times, dtype=np.int64),
                                        np.asarray(labels, dtype=np.int64)], axis=1))

    def advance_to(self, time: int, record: bool) -> tuple[np.ndarray, np.ndarray]:
        """Evolve the chip until absolute cycle ``time``, the PPUs acting at their times on the
        way. Returns the spikes recorded on the L2 outputs, (cycle, label) rows, and the MADC
        samples, (cycle, value, channel) rows."""
        spikes, samples = [], []
        while True:
            due = [p for p in self.ppus if p.next_time is not None and p.next_time <= time]
            if not due:
                break
            first = min(due, key=lambda p: p.next_time)      # top first on a tie
            if not first.needs_chip_time:
                first.act()           # nothing the evolution changes: no split needed
                continue
            at = first.next_time
            if self.ppu_quantum_cycles > 1:
                at = min(time, -(-at // self.ppu_quantum_cycles) * self.ppu_quantum_cycles)
            rec, mad = self._evolve(at, record)
            spikes.append(rec)
            samples.append(mad)
            while due:       # every action due by now, earliest first (top first on a tie)
                min(due, key=lambda p: p.next_time).act()
                due = [p for p in self.ppus if p.next_time is not None and p.next_time <= at]
        if not spikes:
            return self._evolve(time, record)
        rec, mad = self._evolve(time, record)
        return np.concatenate(spikes + [rec]), np.concatenate(samples + [mad])

    def _label_index(self) -> tuple[np.ndarray, np.ndarray]:
        """The synapse rows' columns grouped by label (:func:`core.label_index`), rebuilt when a
        write changed labels since the last evolution (the PPUs write weights only)."""
        if self._labels_by_row is None:
            self._labels_by_row = core.label_index(self.labels)
        return self._labels_by_row

    def _evolve(self, time: int, record: bool) -> tuple[np.ndarray, np.ndarray]:
        """The analog core and the event routing from :attr:`time` to ``time``."""
        empty = np.zeros((0, 2), dtype=np.int64), np.zeros((0, 3), dtype=np.int64)
        if time <= self.time:
            return empty
        self._update_parameters()
        (valid, mask, target, drop_en, out_count_en, bus_enable), bg_config, col_exc, col_inh = self._routing_config
        d_int, d_float = self._driver_config
        amp_eff, any_bypass = self._synaptic_amplitudes
        corr_param, causal_en, acausal_en = self._correlation_config
        if self._injected:
            # kept sorted by time (stable: injection order within a cycle), sorted only when
            # events arrive: a PPU splits the evolution into many short calls
            new = np.concatenate(self._injected)
            self._injected = []
            merged = np.concatenate([self.ext_events, new]) if len(self.ext_events) else new
            self.ext_events = merged[np.argsort(merged[:, 0], kind="stable")]
        ext = self.ext_events
        ext_pos = np.zeros(1, dtype=np.int64)
        self.n_records[0] = 0
        self.n_madc[0] = 0
        seed = int(self.rng.integers(0, 2**31 - 1))
        self.pending, self.records, self.madc_buf = core.evolve(
            float(self.time), float(time), self.dt_cycles, seed,
            (self.P, self.D, self.F, self.S, self.spike_count, self._noise_table),
            (valid, mask, target, drop_en, out_count_en, bus_enable, self.bus_free, self.l2_free,
             self.drop_counter, self.out_counter, self.counters),
            (d_int, d_float, self.drv_state),
            (self.weights, *self._label_index(), self.mismatch.synapse_gain, col_exc, col_inh, amp_eff, any_bypass),
            (self.causal, self.acausal, self.last_pre, corr_param, causal_en, acausal_en),
            (ext, ext_pos, bg_config, self.bg_state),
            (self.readout.madc_config, self.readout.madc_state),
            (self.pending, self.n_pending, bool(record), self.records, self.n_records,
             self.madc_buf, self.n_madc),
            self._compartment_config)
        self.ext_events = ext[ext_pos[0]:]
        self.time = int(time)
        if not np.isfinite(self.S).all():       # never passed on silently (the clamps keep NaN)
            rows, neurons = np.nonzero(~np.isfinite(self.S))
            raise NumericalError(
                f"the state of neurons {sorted(set(neurons.tolist()))[:10]} (state rows "
                f"{sorted(set(rows.tolist()))}) became NaN or infinite at FPGA cycle {self.time}")
        return self.records[:self.n_records[0]].copy(), self.madc_buf[:self.n_madc[0]].copy()
