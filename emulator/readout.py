"""Readouts of the emulated chip: the columnar ADCs (CADC), the membrane ADC (MADC) and the
correlation sensors they digitise.

CADC: 8 bit, all 256 columns of a hemisphere in parallel. Each column has a causal and an acausal
channel; a channel converts either the neuron's membrane (when the column's
``enable_cadc_neuron_readout_<type>`` switch is set) or the correlation sensor of the synapse in
the addressed row. Codes get the channel's fixed-pattern offset and gain, its digital
``CADCChannelConfig.offset`` and read noise, and saturate at 0 and 255. A triggered read converts
now; a buffered read returns the last conversion of that channel and row.

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
from . import core
from .errors import ConfigurationError

if TYPE_CHECKING:
    from .chip import Chip

CADC_V_MIN = 0.1                  # V at code 0
CADC_V_PER_LSB = 0.004            # V per code
CADC_NOISE_LSB = 1.0
CORRELATION_BASELINE = 220.0      # code of a freshly reset correlation sensor
CORRELATION_ETA_PER_LSB = 8.0 / 1022.0   # code decrease per pair at zero delay, per syn_i_bias_store LSB
CORRELATION_TAU_CHARGE = 625.0 * 1000.0  # cycles*LSB: tau = this / syn_i_bias_ramp (1000 -> 5 us)
MADC_CLOCK_HZ = 500e6
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


class Readout:
    """CADC conversion and MADC control for one :class:`Chip`."""

    def __init__(self, chip: "Chip") -> None:
        self.chip = chip
        self.cadc_buffer = np.zeros((2, 2, 256, 256), dtype=np.int64)  # [synram, type, row, column]
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
                self.cadc_buffer[s[sel], t[sel], r[sel], cols[sel]] = codes[sel]
            else:
                codes[sel] = self.cadc_buffer[s[sel], t[sel], r[sel], cols[sel]]
        enabled = chip.fields(haldls.CADCConfig)["enable"][synram]
        codes[~enabled] = 0
        return haldls.CADCSampleQuad.encode_array(len(rows), samples=codes)

    def _convert(self, synram: np.ndarray, ctype: np.ndarray, row: np.ndarray, cols: np.ndarray) -> np.ndarray:
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
        membrane = chip.S[core.S_V, s * 256 + cols]
        membrane_code = (membrane - CADC_V_MIN) / CADC_V_PER_LSB
        accumulated = np.where(t == 0, chip.causal[s, r, cols], chip.acausal[s, r, cols])
        correlation_code = (CORRELATION_BASELINE + mm.correlation_baseline[t, s, r, cols]
                            - accumulated * mm.correlation_gain[t, s, r, cols])
        value = np.where(neuron_readout, membrane_code, correlation_code)
        channel = (s * halco.CADCChannelConfigOnSynram.size + t * halco.CADCChannelColumnOnSynram.size
                   + cols)                     # CADCChannelConfigOnDLS: synram, type, column
        channel_offset = chip.fields(haldls.CADCChannelConfig)["offset"][channel]
        value = value * mm.cadc_gain[s, t, cols] + mm.cadc_offset[s, t, cols] + channel_offset
        if chip.noise:
            value = value + chip.rng.normal(0.0, CADC_NOISE_LSB, value.shape)
        return np.clip(np.floor(value + 0.5), 0, 255).astype(np.int64)

    # -- MADC ------------------------------------------------------------------------------------
    def madc_control(self, rows: np.ndarray) -> None:
        control = self.chip.fields(haldls.MADCControl)
        if control["stop_recording"][0]:
            self.madc_state[core.MS_ACTIVE] = 0.0
        if control["start_recording"][0]:
            self._start()

    def sample_period_cycles(self) -> float:
        """FPGA cycles between two MADC samples for the current MADCConfig."""
        cfg = self.chip.fields(haldls.MADCConfig)
        clock = MADC_CLOCK_HZ
        if cfg["enable_madc_clock_scaling"][0]:
            clock /= 2.0 * (int(cfg["madc_clock_scale_value"][0]) + 1)
        cycles_per_sample = int(cfg["sample_duration_adjust"][0]) + int(cfg["conversion_cycles_offset"][0]) + 10
        return 125e6 / (clock / cycles_per_sample)

    def _source_neurons(self) -> tuple[int, int]:
        """The neuron whose readout each multiplexer sees (-1: none), checking the wiring rules."""
        chip = self.chip
        sel = chip.fields(haldls.ReadoutSourceSelection)
        readout_enabled = np.flatnonzero(chip.fields(haldls.NeuronConfig)["enable_readout"])
        lines = []
        for mux in range(2):
            connected = []
            for name, hemisphere, parity in (("neuron_even_top", 0, 0), ("neuron_odd_top", 0, 1),
                                             ("neuron_even_bottom", 1, 0), ("neuron_odd_bottom", 1, 1)):
                if sel[name][0][mux]:
                    connected.append((hemisphere, parity))
            if len(connected) > 1:
                raise ConfigurationError(
                    f"MADC source {mux}: ReadoutSourceSelection connects {len(connected)} neuron readout "
                    f"lines {connected} (hemisphere, parity) to one multiplexer; connect at most one")
            lines.append(connected[0] if connected else None)
        neurons = []
        for mux, line in enumerate(lines):
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
        sel = chip.fields(haldls.ReadoutSourceSelection)
        if alternate > 0:
            parities = []
            for mux in range(2):
                for name, parity in (("neuron_even_top", 0), ("neuron_odd_top", 1),
                                     ("neuron_even_bottom", 0), ("neuron_odd_bottom", 1)):
                    if sel[name][0][mux]:
                        parities.append(parity)
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
