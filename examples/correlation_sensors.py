"""Correlation sensors: causal pre/post pairs lower the causal reading, anti-causal pairs the
acausal one; a correlation reset brings them back to the baseline.

The synapse under test (row 1, column 30) receives "pre" events (label 5, weight 0: it sees the
spike but does not drive the neuron). A second synapse of the same neuron (row 3, label 6,
weight 63) makes the neuron, in bypass mode, fire a "post" spike whenever an event with label 6
arrives. Pairs are 2 us apart, 50 us between pairs. The CADC reads the sensor (row 1, causal and
acausal channels) before the pairs, after them and after a CorrelationReset of the quad.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls
from _neuron_setup import atomic, init_builder, spike

COLUMN = 30
NEURON = atomic(COLUMN)
PRE, POST = 5, 6


def _setup(builder) -> None:
    builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8), halco.CrossbarInputOnDLS(8)),
                  haldls.CrossbarNode.drop_all())
    builder.write(halco.CommonPADIBusConfigOnDLS.top,
                  haldls.CommonPADIBusConfig(enable_spl1=[True, True, False, False]))
    for driver in (0, 1):   # drivers 0 and 1: top rows 1 and 3
        builder.write(halco.SynapseDriverOnDLS(driver), haldls.SynapseDriverConfig(
            enable_receiver=True, row_mode_top=haldls.SynapseDriverConfig.RowMode.excitatory))
    synapse = halco.SynapseOnSynapseRow(COLUMN)
    entry = synapse.to_entry_on_quad().value()
    for row, label, weight in ((1, PRE, 0), (3, POST, 63)):
        quad = haldls.SynapseQuad()
        quad.labels[entry], quad.weights[entry] = label, weight
        builder.write(halco.SynapseQuadOnDLS(halco.SynapseQuadOnSynram(
            synapse.to_synapse_quad_column_on_dls(), halco.SynapseRowOnSynram(row)), halco.SynramOnDLS.top), quad)
    builder.write(NEURON.to_neuron_config_on_dls(), haldls.NeuronConfig(enable_bypass_excitatory=True))
    for cell, value in ((halco.CapMemCellOnCapMemBlock.syn_i_bias_store, 500),
                        (halco.CapMemCellOnCapMemBlock.syn_i_bias_ramp, 500)):
        builder.write(halco.CapMemCellOnDLS(cell, halco.CapMemBlockOnDLS(0)), haldls.CapMemCell(value=value))
    builder.write(halco.CADCConfigOnDLS.top, haldls.CADCConfig(enable=True))


def _read(builder) -> tuple:
    synapse = halco.SynapseOnSynapseRow(COLUMN)
    quad = halco.SynapseQuadOnSynram(synapse.to_synapse_quad_column_on_dls(), halco.SynapseRowOnSynram(1))
    return tuple(builder.read(halco.CADCSampleQuadOnDLS.of(quad, kind, halco.CADCReadoutType.trigger_read, 0))
                 for kind in (halco.CADCChannelType.causal, halco.CADCChannelType.acausal))


def run(n_causal: int, n_acausal: int = 0, chip_id: int = 0, **connection) -> dict:
    """CADC readings (causal, acausal) before, after the pairs and after a reset."""
    builder = init_builder()
    _setup(builder)
    synapse = halco.SynapseOnSynapseRow(COLUMN)
    reset = halco.CorrelationResetOnDLS(halco.SynapseQuadOnSynram(
        synapse.to_synapse_quad_column_on_dls(), halco.SynapseRowOnSynram(1)), halco.SynramOnDLS.top)
    builder.write(reset, haldls.CorrelationReset())
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    before = _read(builder)
    t = 20.0
    for k in range(n_causal + n_acausal):
        first, second = (PRE, POST) if k < n_causal else (POST, PRE)
        spike(builder, t, first)
        spike(builder, t + 2.0, second)
        t += 50.0
    builder.wait_until(int((t + 20) * 125))
    after = _read(builder)
    builder.write(reset, haldls.CorrelationReset())
    after_reset = _read(builder)
    program = builder.done()
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, program)
    entry = synapse.to_entry_on_quad().value()
    value = lambda pair: tuple(ticket.get().samples[entry] for ticket in pair)  # noqa: E731
    return {"before": value(before), "after": value(after), "after_reset": value(after_reset),
            "post_spikes": int(np.count_nonzero((program.spikes["label"] & 0xFF) == 0))}


def main() -> None:
    for n in (0, 5, 10, 20):
        r = run(n)
        print(f"{n:2d} causal pairs: causal/acausal reading {r['before']} -> {r['after']}, "
              f"after reset {r['after_reset']}")
    r = run(0, 10)
    print(f"10 anti-causal pairs: {r['before']} -> {r['after']}, after reset {r['after_reset']}")


if __name__ == "__main__":
    main()
