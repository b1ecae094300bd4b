"""A neuron in bypass mode relays every input spike: input train in, the same train out.

The FPGA sends spikes with label 0x0005 (L2 input 0, row select 0, synapse label 5). The crossbar
routes L2 input 0 onto PADI bus 0 of the top hemisphere; synapse driver 0 listens on that bus for
row-select address 0 and drives its top row (synapse row 1) as excitatory; the synapse in the
neuron's column has label 5 and a non-zero weight. In bypass mode every such event fires the
neuron, whose spike (label: event output << 8 | address_out) returns through L2 output
(column // 32) % 4 to the FPGA.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls

COLUMN = 10
ADDRESS_OUT = 0x2A
INPUT_LABEL = 0x0005  # spl1 0, row select 0, synapse label 5


def build_program(spike_times_us: np.ndarray, builder_type: type = stadls.PlaybackProgramBuilder):
    """The experiment as a program (or, with the Dumper as ``builder_type``, as a DumperDone)."""
    neuron = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(COLUMN), halco.NeuronRowOnDLS.top)
    builder, _ = stadls.generate(stadls.SystemInit(), builder_type)
    # routing: L2 input 0 -> PADI bus 0 only (not straight back to L2 output 0)
    loopback = halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8), halco.CrossbarInputOnDLS(8))
    builder.write(loopback, haldls.CrossbarNode.drop_all())
    builder.write(halco.CommonPADIBusConfigOnDLS.top,
                  haldls.CommonPADIBusConfig(enable_spl1=[True, False, False, False]))
    driver = halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(1), halco.SynramOnDLS.top).to_synapse_driver_on_dls()
    builder.write(driver, haldls.SynapseDriverConfig(
        enable_receiver=True, row_mode_top=haldls.SynapseDriverConfig.RowMode.excitatory))
    # synapse (row 1, column COLUMN): label 5, weight 63
    synapse = halco.SynapseOnSynapseRow(COLUMN)
    quad_coord = halco.SynapseQuadOnDLS(halco.SynapseQuadOnSynram(
        synapse.to_synapse_quad_column_on_dls(), halco.SynapseRowOnSynram(1)), halco.SynramOnDLS.top)
    quad = haldls.SynapseQuad()
    quad.weights[synapse.to_entry_on_quad().value()] = 63
    quad.labels[synapse.to_entry_on_quad().value()] = INPUT_LABEL & 0x3F
    builder.write(quad_coord, quad)
    builder.write(neuron.to_neuron_config_on_dls(), haldls.NeuronConfig(enable_bypass_excitatory=True))
    builder.write(neuron.to_neuron_backend_config_on_dls(),
                  haldls.NeuronBackendConfig(address_out=ADDRESS_OUT, enable_spike_out=True))
    # experiment: reset the timer, play the input train
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    for t in np.round(np.asarray(spike_times_us) * 125).astype(int):
        builder.wait_until(int(t))
        builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([INPUT_LABEL]))
    builder.wait_until(int(round((max(spike_times_us) + 20) * 125)))
    return builder.done()


def expected_label() -> int:
    event_output = COLUMN // 32
    return ((event_output % 4) << 14) | (event_output << 8) | ADDRESS_OUT


def run(n_spikes: int = 1000, seed: int = 1, chip_id: int = 0) -> dict:
    """Relay ``n_spikes`` Poisson input spikes; returns input times, output times (us) and labels."""
    rng = np.random.default_rng(seed)
    isi_us = 2.0 + rng.exponential(2.0, n_spikes)  # at least 2 us apart
    spike_times_us = 5.0 + np.cumsum(isi_us)
    program = build_program(spike_times_us)
    with stadls.ManagedConnection(chip_id=chip_id) as connection:
        stadls.run(connection, program)
    spikes = program.spikes
    return {"input_us": spike_times_us, "output_us": spikes["fpga_time"] / 125.0,
            "labels": spikes["label"], "expected_label": expected_label()}


def main() -> None:
    result = run()
    n_in, n_out = len(result["input_us"]), len(result["output_us"])
    right = np.count_nonzero(result["labels"] == result["expected_label"])
    latency = result["output_us"][:min(n_in, n_out)] - result["input_us"][:min(n_in, n_out)]
    print(f"bypass relay: {n_in} spikes in, {n_out} out, {right} with label 0x{result['expected_label']:04x}, "
          f"latency {latency.mean() * 1e3:.0f} ns (max {latency.max() * 1e3:.0f} ns)")


if __name__ == "__main__":
    main()
