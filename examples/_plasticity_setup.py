"""Shared setup of the plasticity examples: 256 LIF neurons of the top hemisphere, each driven by
up to 64 input rows of synapses, Poisson or timed input spikes from the FPGA, and a PPU kernel.

Routing: FPGA spikes enter at L2 input 0 and go to PADI bus 0 of the top hemisphere (not back to
the FPGA); the synapse drivers on that bus (0, 4, ..., 124) pass them to their two rows, where
each input's synapses carry its own 6-bit label, so input ``i`` (event label
:func:`input_label`) reaches row :func:`input_row`.
Neuron spikes go only to the FPGA (no recurrent connections).
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls
from stadls import write_neuron_capmem
from _neuron_setup import atomic, init_builder

N_COLUMNS = 256
MAX_INPUTS = 64
TOP = halco.PPUOnDLS(0)
#: the neurons of the top hemisphere (AtomicNeuronOnDLS enums 0..255), one per column
TOP_NEURONS = [halco.AtomicNeuronOnDLS.from_enum(c) for c in range(N_COLUMNS)]
#: CapMem of every neuron: leak under the threshold, current-based excitatory input
NEURON_CAPMEM = {"v_leak": 400, "i_bias_leak": 150, "v_threshold": 300, "v_reset": 300,
                 "i_bias_reset": 1022, "i_bias_synin_exc_tau": 200, "i_bias_synin_exc_gm": 1000}


def input_row(i: int | np.ndarray) -> int | np.ndarray:
    """Synapse row (top synram) of input ``i`` (0..63): the two rows of driver 4 * (i // 2)."""
    i = np.asarray(i)
    driver = 4 * (i // 2)
    row = 2 * driver + 1 - i % 2
    return int(row) if row.ndim == 0 else row


def input_label(i: int | np.ndarray) -> int | np.ndarray:
    """Event label of input ``i``: row select ``i // 2`` (bits 10..6; driver 4 * (i // 2)
    compares it) and synapse label ``i`` (bits 5..0)."""
    label = (np.asarray(i) // 2) << 6 | np.asarray(i)
    return int(label) if label.ndim == 0 else label


def network_builder(weights: np.ndarray) -> stadls.PlaybackProgramBuilder:
    """A builder with the network configured: ``weights`` [n_inputs, 256] (0..63) from each
    input to each neuron column; the timer is reset at its end."""
    weights = np.asarray(weights)
    n_inputs = weights.shape[0]
    if weights.shape != (n_inputs, N_COLUMNS) or not 1 <= n_inputs <= MAX_INPUTS:
        raise ValueError(f"weights must have shape (1..{MAX_INPUTS}, {N_COLUMNS}), not {weights.shape}")
    builder = init_builder()
    route_inputs(builder, n_inputs)
    set_weights(builder, weights)
    write_neuron_capmem(builder, NEURON_CAPMEM, TOP_NEURONS)
    neurons = np.arange(N_COLUMNS)
    configs = np.array([atomic(c).to_neuron_config_on_dls().to_enum() for c in neurons])
    backends = np.array([atomic(c).to_neuron_backend_config_on_dls().to_enum() for c in neurons])
    builder.write_array(haldls.NeuronConfig, configs, haldls.NeuronConfig.encode_array(
        N_COLUMNS, membrane_capacitor_size=63, enable_threshold_comparator=True, enable_fire=True,
        enable_synaptic_input_excitatory=True, enable_synaptic_input_excitatory_small_capacitance=True))
    builder.write_array(haldls.NeuronBackendConfig, backends, haldls.NeuronBackendConfig.encode_array(
        N_COLUMNS, address_out=neurons, refractory_time=20, enable_spike_out=True))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    return builder


def route_inputs(builder: stadls.PlaybackProgramBuilder, n_inputs: int) -> None:
    """FPGA spikes (L2 input 0) to PADI bus 0 of the top hemisphere only, the rows of inputs
    0..n_inputs-1 excitatory (``stadls.route_input``); neuron spikes to the FPGA only (no loop
    back, no recurrent connections)."""
    rows = [halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(int(r)), halco.SynramOnDLS.top)
            for r in np.atleast_1d(input_row(np.arange(n_inputs)))]
    stadls.route_input(builder, rows, haldls.SynapseDriverConfig.RowMode.excitatory)
    for inp in range(8):           # the valid nodes from neuron outputs to PADI buses
        for out in (inp % 4, 4 + inp % 4):
            builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(out), halco.CrossbarInputOnDLS(inp)),
                          haldls.CrossbarNode.drop_all())


def set_weights(builder: stadls.PlaybackProgramBuilder, weights: np.ndarray) -> None:
    """Weights [n_inputs, 256] of the inputs' rows, each row's synapses labelled with its input."""
    weights = np.asarray(weights)
    n_inputs = weights.shape[0]
    rows = input_row(np.arange(n_inputs))
    quad_col = np.arange(64)
    columns = np.array([[c.value() for c in halco.SynapseQuadColumnOnDLS(q).to_synapse_on_synapse_row()]
                        for q in quad_col])                                   # [64, 4]
    enums = (rows[:, None] * 64 + quad_col[None, :]).ravel()
    builder.write_array(haldls.SynapseQuad, enums, haldls.SynapseQuad.encode_array(
        len(enums), weights=weights[:, columns].reshape(-1, 4),
        labels=np.repeat(np.arange(n_inputs), 64)[:, None].repeat(4, axis=1)))


def poisson_input(builder: stadls.PlaybackProgramBuilder, rates_khz: np.ndarray, start_us: float,
                  stop_us: float, seed: int = 1) -> int:
    """Poisson spikes of each input (rates in kHz of hardware time) between the two times after
    the timer reset; returns the number of spikes."""
    rng = np.random.default_rng(seed)
    rates_khz = np.asarray(rates_khz, dtype=float)
    counts = rng.poisson(rates_khz * (stop_us - start_us) * 1e-3)
    inputs = np.repeat(np.arange(len(rates_khz)), counts)
    times = rng.integers(int(start_us * 125), int(stop_us * 125), inputs.size)
    order = np.argsort(times, kind="stable")
    send_spikes(builder, times[order], inputs[order])
    return int(inputs.size)


def send_spikes(builder: stadls.PlaybackProgramBuilder, times_cycles: np.ndarray, inputs: np.ndarray) -> None:
    """Spikes of inputs ``inputs`` at sorted FPGA cycles after the timer reset (at most one per
    cycle: a later spike of the same cycle waits for the next)."""
    last = -1
    for t, label in zip(np.asarray(times_cycles).tolist(), input_label(np.asarray(inputs)).tolist()):
        t = max(t, last + 1)
        builder.wait_until(t)
        builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([label]))
        last = t


def spike_counts(program: stadls.PlaybackProgram, edges_us: np.ndarray) -> np.ndarray:
    """Output spikes per neuron column in the bins ``edges_us`` [n_bins, 256]."""
    spikes = program.spikes
    t_us = spikes["fpga_time"] / 125.0
    columns = spikes["label"] & 0xFF                  # address_out is the column
    counts, _, _ = np.histogram2d(t_us, columns, bins=(edges_us, np.arange(N_COLUMNS + 1)))
    return counts.astype(int)
