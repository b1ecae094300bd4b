"""Readouts of the emulated chip: the columnar ADCs (CADC), the membrane ADC (MADC) and the
correlation sensors they digitise.

CADC: 8 bit, all 256 columns of a hemisphere in parallel. Each column has a causal and an acausal
channel; a channel converts the CADC debug line of its type (when the column's
``enable_debug_<type>`` switch is set and a pad connects a CapMem cell to the line), the neuron's
membrane (``enable_cadc_neuron_readout_<type>``) or the correlation sensor of the synapse in the
addressed row. The conversion is a single-slope ADC: each quadrant (CapMem block) has one ramp,
starting at the voltage of its ``cadc_v_ramp_offset`` cell and rising by a step per counter tick
set by its ``cadc_i_ramp_slope`` current; a channel's comparator (with its own offset) latches
the count where the ramp crosses its input. The count gets read noise, saturates at 0 and 255,
and the digital ``CADCChannelConfig.offset`` is added (saturating again). A triggered read
converts now, every channel of its synram at the addressed row (both types, all 256 columns); a
buffered read returns the last conversion of that channel and row.

MADC: 10 bit, one source or two alternating sources (the two readout multiplexers), started and
stopped through ``MADCControl``, configured through ``MADCConfig`` and
``ReadoutSourceSelection``; the samples are taken inside the time evolution.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

import halco
import haldls
from . import core, transfer
from .errors import ConfigurationError

if TYPE_CHECKING:
    from .chip import Chip

CADC_V_MIN = 0.1                  # V at code 0 with the nominal ramp (stadls.ChipInit)
CADC_V_PER_LSB = 0.004            # V per code with the nominal ramp
CADC_RAMP_V_PER_CODE_PER_LSB = 1e-5   # ramp step per counter tick per cadc_i_ramp_slope LSB
CADC_RAMP_TOP = transfer.V_RAIL   # the ramp ends at the rail: an input there never triggers
#: the ramp cells stadls.ChipInit writes: the ideal chip then reads (V - 0.1 V) / 4 mV
NOMINAL_RAMP_OFFSET = 50          # cadc_v_ramp_offset: 50 * 2 mV = 0.1 V
NOMINAL_RAMP_SLOPE = 400          # cadc_i_ramp_slope: 400 * 10 uV = 4 mV per code
CADC_NOISE_LSB = 1.0
CORRELATION_BASELINE = 220.0      # code of a freshly reset correlation sensor
CORRELATION_ETA_PER_LSB = 8.0 / 1022.0   # code decrease per pair at zero delay, per syn_i_bias_store LSB
CORRELATION_TAU_CHARGE = 625.0 * 1000.0  # cycles*LSB: tau = this / syn_i_bias_ramp (1000 -> 5 us)
#: the MADC's base clock: the PLL's madc_clk output with the default PLL setting (ADPLL 0's DCO,
#: 2 * 10 * 50 MHz / 2), which the real SystemInit writes; the PLL itself is not modelled
MADC_CLOCK_HZ = 500e6
#: MADC clock cycles one sample takes at least; MADCConfig.sample_duration_adjust adds to them
MADC_MINIMAL_CLOCK_CYCLES_PER_SAMPLE = 12
MADC_V_PER_LSB = 1.2 / 1023.0
MADC_NOISE_LSB = 1.5


@functools.lru_cache(maxsize=None)
def _cadc_sample_layout() -> tuple[np.ndarray, ...]:
    """Per CADCSampleQuadOnDLS: synram, readout type (1: buffered), channel type, synapse row and
    the four synapse columns [n, 4] (by EntryOnQuad)."""
    sample, on_synram = halco.CADCSampleQuadOnDLS, halco.CADCSampleQuadOnSynram
    channel, quad = halco.CADCSampleQuadUnspecifiedReadoutOnSynram, halco.SynapseQuadOnSynram
    return (halco.enum_map(sample, halco.SynramOnDLS),
            halco.enum_map(sample, on_synram, halco.CADCReadoutType),
            halco.enum_map(sample, on_synram, channel, halco.CADCChannelType),
            halco.enum_map(sample, on_synram, channel, quad, halco.SynapseRowOnSynram),
            halco.enum_map(sample, on_synram, channel, quad, halco.SynapseQuadColumnOnDLS,
                           halco.SynapseOnSynapseRow))


#: per pad: (field, node a, node b) of the switches that join the analog debug nets; "capmem{b}"
#: is CapMem block b's debug output, "causal"/"acausal" the CADC debug lines (both hemispheres)
_PAD_SWITCHES = tuple(
    [(f"capmem_v_out_mux[{b}]", f"capmem{b}", "v_out_mux") for b in range(4)]
    + [("capmem_v_out_mux_to_capmem_intermediate_mux", "v_out_mux", "capmem_intermediate"),
       ("capmem_intermediate_mux_to_pad", "capmem_intermediate", "pad"),
       ("cadc_debug_causal_to_synapse_intermediate_mux", "causal", "synapse_intermediate"),
       ("cadc_debug_acausal_to_synapse_intermediate_mux", "acausal", "synapse_intermediate"),
       ("synapse_intermediate_mux_to_pad", "synapse_intermediate", "pad")])
_CHIP_WIDE_NODES = {"capmem0", "capmem1", "capmem2", "capmem3", "causal", "acausal"}


#: the neuron readout lines, (hemisphere, column parity), in the order the checks name them
_NEURON_LINES = ((0, 0), (0, 1), (1, 0), (1, 1))
#: ReadoutSourceSelection's field of a column parity; multiplexer m connects the line of
#: hemisphere h with entry 2 m + h (the real SourceMultiplexer's neuron_even/neuron_odd[h])
_NEURON_LINE_FIELD = {0: "neuron_even", 1: "neuron_odd"}


class CADCRamps:
    """What the CADC converts with, from the configuration: per CapMem block the ramp start [V]
    and step per code [V] (0: the ramp does not rise), and per channel type (causal, acausal)
    the debug line's voltage (NaN: floating) or the reason it has none (two sources)."""

    def __init__(self, chip: "Chip") -> None:
        mm = chip.mismatch
        start = chip.capmem_value(halco.CapMemCellOnCapMemBlock.cadc_v_ramp_offset)
        slope = chip.capmem_value(halco.CapMemCellOnCapMemBlock.cadc_i_ramp_slope)
        self.start = transfer.shared_voltage(start) + mm.cadc_ramp_start
        self.step = slope * CADC_RAMP_V_PER_CODE_PER_LSB * mm.cadc_ramp_slope
        self.debug = np.full(2, np.nan)
        self.debug_error: list[str | None] = [None, None]
        self._debug_lines(chip)

    def _debug_lines(self, chip: "Chip") -> None:
        """Join the nets the pads' switches connect (a union-find over a dozen nodes) and give
        each CADC debug line the voltage of the CapMem debug output on its net."""
        pads = chip.fields(haldls.PadMultiplexerConfig)
        parent: dict[str, str] = {}

        def find(node: str) -> str:
            while parent.setdefault(node, node) != node:
                node = parent[node]
            return node

        for pad in range(halco.PadMultiplexerConfigOnDLS.size):
            for field, a, b in _PAD_SWITCHES:
                name, _, entry = field.partition("[")
                on = pads[name][pad][int(entry[:-1])] if entry else pads[name][pad]
                if on:
                    a = a if a in _CHIP_WIDE_NODES else f"{a}@{pad}"
                    b = b if b in _CHIP_WIDE_NODES else f"{b}@{pad}"
                    parent[find(a)] = find(b)
        blocks = chip.fields(haldls.CapMemBlockConfig)
        sources: dict[str, list[tuple[int, float]]] = {}
        for block in range(4):
            if not blocks["debug_readout_enable"][block]:
                continue
            cell = int(blocks["debug_capmem_coord"][block])
            if cell >= halco.CapMemCellOnCapMemBlock.size:
                continue                    # not a cell: the debug output stays undriven
            value = chip.capmem_driven[block * halco.CapMemCellOnCapMemBlock.size + cell] \
                if blocks["enable_capmem"][block] else 0
            sources.setdefault(find(f"capmem{block}"), []).append(
                (block, float(transfer.shared_voltage(value))))
        for line, name in enumerate(("causal", "acausal")):
            on_net = sources.get(find(name), [])
            if len(on_net) == 1:
                self.debug[line] = on_net[0][1]
            elif len(on_net) > 1:
                self.debug_error[line] = (
                    f"the {name} CADC debug line is connected to the debug outputs of CapMem "
                    f"blocks {[b for b, _ in on_net]} at once (PadMultiplexerConfig, "
                    f"CapMemBlockConfig.debug_readout_enable): connect one voltage source")


class Readout:
    """CADC conversion and MADC control for one :class:`Chip`."""

    def __init__(self, chip: "Chip") -> None:
        self.chip = chip
        self.cadc_buffer = np.zeros((2, 2, 256, 256), dtype=np.int64)  # [synram, type, row, column]
        # the noise of the channels a trigger converts besides the read quad: its own stream, so
        # filling the buffer leaves the noise of the returned conversions as it was
        self._buffer_rng = np.random.default_rng([chip.chip_id, 0xCAD0])
        self.madc_config = np.zeros(core.N_MC)
        self.madc_config[core.MC_NEURON_0:core.MC_NEURON_1 + 1] = -1
        self.madc_state = np.zeros(core.N_MS)

    # -- CADC ------------------------------------------------------------------------------------
    def cadc_read(self, rows: np.ndarray) -> np.ndarray:
        """Words of CADCSampleQuad coordinates (enums ``rows``)."""
        chip = self.chip
        synram, buffered, ctype, row, cols = (part[rows] for part in _cadc_sample_layout())
        s, t, r = synram[:, None], ctype[:, None], row[:, None]
        triggered = buffered == 0
        codes = np.zeros((len(rows), 4), dtype=self.cadc_buffer.dtype)
        if not len(rows):
            return haldls.CADCSampleQuad.encode_array(0, samples=codes)
        # in order: a buffered read returns the conversion of the last triggered read before it
        bounds = np.flatnonzero(np.diff(triggered.astype(np.int8))) + 1
        for a, b in zip(np.concatenate([[0], bounds]), np.concatenate([bounds, [len(rows)]])):
            sel = np.arange(a, b)
            if triggered[a]:
                codes[sel] = self._convert(synram[sel], ctype[sel], row[sel], cols[sel])
                self._convert_rows(synram[sel], row[sel], ctype[sel], cols[sel])
                self.cadc_buffer[s[sel], t[sel], r[sel], cols[sel]] = codes[sel]
            else:
                codes[sel] = self.cadc_buffer[s[sel], t[sel], r[sel], cols[sel]]
        enabled = chip.fields(haldls.CADCConfig)["enable"][synram]
        codes[~enabled] = 0
        return haldls.CADCSampleQuad.encode_array(len(rows), samples=codes)

    def _convert_rows(self, synram: np.ndarray, row: np.ndarray, ctype: np.ndarray, cols: np.ndarray) -> None:
        """Fill the buffer with a conversion of every channel (both types, all 256 columns) of
        each (synram, row) triggered: a triggered read converts the whole row of its synram, as
        the real chip does (lola's CADCSampleRow and CADCSamples read one triggered quad and the
        other 127 buffered). Channels the triggered reads (``ctype``, ``cols`` [n, 4]) convert
        themselves are left out: their codes, stored afterwards, are conversions at the same
        time (calix's reads of every channel convert nothing twice)."""
        pairs, pair = np.unique(np.stack([synram, row], axis=1), axis=0, return_inverse=True)
        need = np.ones((len(pairs), 2, halco.SynapseOnSynapseRow.size), dtype=bool)
        need[pair.reshape(-1)[:, None], ctype[:, None], cols] = False
        p, t, c = np.nonzero(need)
        if not len(p):
            return
        # _convert takes groups of four columns of one synram, type and row: a read quad takes
        # four columns of one type out of a row, so each (row, type) keeps a multiple of four
        # and consecutive fours never straddle two of them
        s, r = pairs[p, 0], pairs[p, 1]
        first = slice(None, None, 4)
        codes = self._convert(s[first], t[first], r[first], c.reshape(-1, 4), rng=self._buffer_rng)
        self.cadc_buffer[s, t, r, c] = codes.ravel()

    def _convert(self, synram: np.ndarray, ctype: np.ndarray, row: np.ndarray, cols: np.ndarray,
                 rng: np.random.Generator | None = None) -> np.ndarray:
        """Codes [n, 4] of triggered conversions of the channels of type ``ctype`` [n] at
        columns ``cols`` [n, 4] and synapse ``row`` [n] of ``synram`` [n]; read noise from
        ``rng`` (the chip's stream if None)."""
        chip = self.chip
        chip._update_parameters()
        mm = chip.mismatch
        s, t, r = synram[:, None], ctype[:, None], row[:, None]
        switches = chip.fields(haldls.ColumnCorrelationQuad)
        quad_of_column = halco.enum_map(halco.SynapseOnSynapseRow, halco.SynapseQuadColumnOnDLS)[cols]
        entry = halco.enum_map(halco.SynapseOnSynapseRow, halco.EntryOnQuad)[cols]
        quad_enum = s * halco.ColumnCorrelationQuadOnSynram.size + quad_of_column
        neuron_readout = np.where(
            t == 0, switches["enable_cadc_neuron_readout_causal"][quad_enum, entry],
            switches["enable_cadc_neuron_readout_acausal"][quad_enum, entry])
        debug = np.where(t == 0, switches["enable_debug_causal"][quad_enum, entry],
                         switches["enable_debug_acausal"][quad_enum, entry])
        ramps: CADCRamps = chip._cadc_ramps
        for line in (0, 1):
            if ramps.debug_error[line] is not None and (debug & (t == line)).any():
                raise ConfigurationError(ramps.debug_error[line])
        line_voltage = ramps.debug[t]
        debug &= ~np.isnan(line_voltage)
        membrane = chip.S[core.S_V, s * 256 + cols]
        accumulated = np.where(t == 0, chip.causal[s, r, cols], chip.acausal[s, r, cols])
        # the sensor's voltage: its baseline less the accumulated correlation (in the LSB of
        # the nominal ramp, as the sensor's amplitude is specified)
        correlation_code = (CORRELATION_BASELINE + mm.correlation_baseline[t, s, r, cols]
                            - accumulated * mm.correlation_gain[t, s, r, cols])
        correlation = CADC_V_MIN + correlation_code * CADC_V_PER_LSB
        voltage = np.where(debug, line_voltage, np.where(neuron_readout, membrane, correlation))
        channel = (s * halco.CADCChannelConfigOnSynram.size + t * halco.CADCChannelColumnOnSynram.size
                   + cols)                     # CADCChannelConfigOnDLS: synram, type, column
        noise = (chip.rng if rng is None else rng).normal(0.0, CADC_NOISE_LSB, voltage.shape) if chip.noise else None
        return self._codes(voltage, channel, noise)

    def _codes(self, voltage: np.ndarray, channel: np.ndarray, noise: np.ndarray | None,
               rounded: bool = True) -> np.ndarray:
        """The codes of CADCChannelConfigOnDLS ``channel`` for input ``voltage`` [V] (same
        shape), with read ``noise`` [LSB] or None; unrounded and unsaturated counts (before the
        digital offset) with ``rounded=False``."""
        ramps: CADCRamps = self.chip._cadc_ramps
        synram, rest = np.divmod(channel, halco.CADCChannelConfigOnSynram.size)
        ctype, column = np.divmod(rest, halco.CADCChannelColumnOnSynram.size)
        block = 2 * synram + column // 128          # CapMemBlockOnDLS: NW, NE, SW, SE
        compared = voltage + self.chip.mismatch.cadc_offset[synram, ctype, column]
        start, step = ramps.start[block], ramps.step[block]
        rising = step > 0
        count = (compared - start) / np.where(rising, step, 1.0)
        if noise is not None:
            count = count + noise
        digital = self.chip.fields(haldls.CADCChannelConfig)["offset"][channel]
        if not rounded:
            return np.where(rising, count, np.nan) + digital
        # a ramp that does not rise never crosses an input above its start: the counter runs
        # to its end; an input at or above the ramp's top never triggers either
        count = np.where(rising, np.clip(np.floor(count + 0.5), 0, 255),
                         np.where(compared > start, 255, 0))
        count = np.where(compared >= CADC_RAMP_TOP, 255, count)
        return np.clip(count + digital, 0, 255).astype(np.int64)

    def channel_codes(self, voltage: float | np.ndarray, rounded: bool = True) -> np.ndarray:
        """Ground truth for tests: the code [1024] (CADCChannelConfigOnDLS order) every channel
        gives for an input of ``voltage`` [V] (one, or one per channel), without read noise,
        with the chip's present ramps and digital offsets; ``rounded=False``: the count before
        the counter's rounding and saturation, plus the digital offset (NaN where the ramp does
        not rise)."""
        self.chip._update_parameters()
        channel = np.arange(halco.CADCChannelConfigOnDLS.size)
        voltage = np.broadcast_to(np.asarray(voltage, dtype=np.float64), channel.shape)
        return self._codes(voltage, channel, None, rounded)

    # -- MADC ------------------------------------------------------------------------------------
    def madc_control(self, rows: np.ndarray) -> None:
        control = self.chip.fields(haldls.MADCControl)
        if control["stop_recording"][0]:
            self.madc_state[core.MS_ACTIVE] = 0.0
        if control["start_recording"][0]:
            self._start()

    def sample_period_cycles(self) -> float:
        """FPGA cycles between two MADC samples for the current MADCConfig: the real chip's
        rate, ``MADC_CLOCK_HZ`` (divided by ``2 (madc_clock_scale_value + 1)`` with clock
        scaling) over ``sample_duration_adjust + 12`` MADC clock cycles per sample; 4.25 FPGA
        cycles (29.4 MHz) by default, the real software's ``MADCConfig.calculate_sample_rate``
        (checked on the real chip against the measured rate). ``conversion_cycles_offset`` does
        not enter it, as it does not enter that formula."""
        cfg = self.chip.fields(haldls.MADCConfig)
        clock = MADC_CLOCK_HZ
        if cfg["enable_madc_clock_scaling"][0]:
            clock /= 2.0 * (int(cfg["madc_clock_scale_value"][0]) + 1)
        cycles_per_sample = int(cfg["sample_duration_adjust"][0]) + MADC_MINIMAL_CLOCK_CYCLES_PER_SAMPLE
        return transfer.FPGA_CLOCK_HZ * cycles_per_sample / clock

    def _neuron_lines(self) -> list[tuple[int, int] | None]:
        """The neuron readout line (hemisphere, parity) each multiplexer connects, or None;
        ConfigurationError where one connects several."""
        sel = self.chip.fields(haldls.ReadoutSourceSelection)
        lines = []
        for mux in range(2):
            connected = [(hemisphere, parity) for hemisphere, parity in _NEURON_LINES
                         if sel[_NEURON_LINE_FIELD[parity]][0][2 * mux + hemisphere]]
            if len(connected) > 1:
                raise ConfigurationError(
                    f"MADC source {mux}: ReadoutSourceSelection connects {len(connected)} neuron readout "
                    f"lines {connected} (hemisphere, parity) to one multiplexer; connect at most one")
            lines.append(connected[0] if connected else None)
        return lines

    def _source_neurons(self) -> tuple[int, int]:
        """The neuron whose readout each multiplexer sees (-1: none), checking the wiring rules."""
        chip = self.chip
        readout_enabled = np.flatnonzero(chip.fields(haldls.NeuronConfig)["enable_readout"])
        neurons = []
        for mux, line in enumerate(self._neuron_lines()):
            if line is None:
                neurons.append(-1)
                continue
            hemisphere, parity = line
            on_line = [int(n) for n in readout_enabled if n // 256 == hemisphere and n % 2 == parity]
            if len(on_line) > 1:
                raise ConfigurationError(
                    f"MADC source {mux}: neurons {on_line} all have enable_readout on the same readout "
                    f"line (hemisphere {hemisphere}, {'odd' if parity else 'even'} columns); enable one")
            neurons.append(on_line[0] if on_line else -1)
        return neurons[0], neurons[1]

    def _start(self) -> None:
        chip = self.chip
        cfg = chip.fields(haldls.MADCConfig)
        n0, n1 = self._source_neurons()
        alternate = int(cfg["active_mux_input_select_length"][0])
        first = int(cfg["active_mux_initially_selected_input"][0])
        if alternate > 0:
            parities = [line[1] for line in self._neuron_lines() if line is not None]
            if len(parities) == 2 and parities[0] == parities[1]:
                raise ConfigurationError(
                    "MADC with two alternating sources: both multiplexers connect neuron readout lines "
                    f"of {'odd' if parities[0] else 'even'} columns; two sources must be one even and "
                    "one odd column")
        continuous = bool(chip.fields(haldls.MADCControl)["enable_continuous_sampling"][0])
        samples = int(cfg["number_of_samples"][0])
        if samples == 0 and not continuous:
            raise ConfigurationError(
                "MADC started with MADCConfig.number_of_samples = 0 and continuous sampling off: "
                "nothing would be recorded; set 1..65535 samples or enable continuous sampling")
        mm = chip.mismatch
        self.madc_config[core.MC_PERIOD] = self.sample_period_cycles()
        self.madc_config[core.MC_ALTERNATE] = alternate
        self.madc_config[core.MC_NEURON_0] = n0
        self.madc_config[core.MC_NEURON_1] = n1
        self.madc_config[core.MC_GAIN] = mm.madc_gain / MADC_V_PER_LSB
        self.madc_config[core.MC_OFFSET] = mm.madc_offset
        self.madc_config[core.MC_NOISE] = MADC_NOISE_LSB if chip.noise else 0.0
        self.madc_state[core.MS_ACTIVE] = 1.0
        self.madc_state[core.MS_NEXT] = chip.write_time     # its MADCControl word's time
        self.madc_state[core.MS_REMAINING] = -1.0 if continuous else samples
        self.madc_state[core.MS_SOURCE] = float(first)
        self.madc_state[core.MS_COUNT] = 0.0
