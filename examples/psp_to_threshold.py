"""Input spikes evoke excitatory PSPs that sum up and push a neuron over its threshold.

The leak potential lies below the threshold, so the neuron is silent on its own. Input spikes
(label 0x0005, routed as in ``bypass_relay.py``) reach the neuron through a synapse of weight 63
onto its current-based excitatory input. Isolated inputs give sub-threshold PSPs; a burst of
closely spaced inputs sums up over the threshold and the neuron fires.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls
from _neuron_setup import atomic, init_builder, write_capmem

COLUMN = 20
INPUT_LABEL = 0x0005


def build_program(input_times_us: np.ndarray, weight: int = 63, runtime_us: float | None = None):
    neuron = atomic(COLUMN)
    builder = init_builder()
    builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8), halco.CrossbarInputOnDLS(8)),
                  haldls.CrossbarNode.drop_all())
    builder.write(halco.CommonPADIBusConfigOnDLS.top,
                  haldls.CommonPADIBusConfig(enable_spl1=[True, False, False, False]))
    builder.write(halco.SynapseDriverOnDLS(0), haldls.SynapseDriverConfig(
        enable_receiver=True, row_mode_top=haldls.SynapseDriverConfig.RowMode.excitatory))
    synapse = halco.SynapseOnSynapseRow(COLUMN)
    quad = haldls.SynapseQuad()
    quad.weights[synapse.to_entry_on_quad().value()] = weight
    quad.labels[synapse.to_entry_on_quad().value()] = INPUT_LABEL & 0x3F
    builder.write(halco.SynapseQuadOnDLS(halco.SynapseQuadOnSynram(
        synapse.to_synapse_quad_column_on_dls(), halco.SynapseRowOnSynram(1)), halco.SynramOnDLS.top), quad)
    write_capmem(builder, neuron, v_leak=400, i_bias_leak=150, v_threshold=300, v_reset=300,
                 i_bias_reset=1022, i_bias_synin_exc_tau=200, i_bias_synin_exc_gm=1000)
    builder.write(neuron.to_neuron_config_on_dls(), haldls.NeuronConfig(
        membrane_capacitor_size=63, enable_threshold_comparator=True, enable_fire=True,
        enable_synaptic_input_excitatory=True, enable_synaptic_input_excitatory_small_capacitance=True))
    builder.write(neuron.to_neuron_backend_config_on_dls(), haldls.NeuronBackendConfig(
        address_out=COLUMN, refractory_time=40, enable_spike_out=True))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    for t in np.round(np.asarray(input_times_us) * 125).astype(int):
        builder.wait_until(int(t))
        builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([INPUT_LABEL]))
    end = runtime_us if runtime_us is not None else max(input_times_us) + 100
    builder.wait_until(int(end * 125))
    return builder.done()


def run(input_times_us, weight: int = 63, chip_id: int = 0) -> np.ndarray:
    """Output spike times [us] of the neuron for the given input times."""
    program = build_program(np.asarray(input_times_us, dtype=float), weight)
    with stadls.ManagedConnection(chip_id=chip_id) as connection:
        stadls.run(connection, program)
    spikes = program.spikes
    mine = (spikes["label"] & 0xFF) == COLUMN
    return spikes["fpga_time"][mine] / 125.0


def main() -> None:
    isolated = [100.0, 300.0, 500.0]
    burst = [700.0 + k for k in range(8)]
    out = run(isolated + burst)
    print(f"inputs at {isolated} (isolated) and {burst} (burst)")
    print(f"output spikes at {np.round(out, 2).tolist()} us: "
          f"{np.count_nonzero(out < 690)} during isolated inputs, {np.count_nonzero(out >= 690)} after the burst")


if __name__ == "__main__":
    main()
