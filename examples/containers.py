"""Demo: configure a few hardware units at their coordinates and show the words that go on the wire.

Run with ``make demo``. Everything shown is computed by halco and haldls from the revision-3
layouts; nothing is canned.
"""

from __future__ import annotations

import numpy as np

import halco
import haldls


def show(title: str, coord, container) -> None:
    addresses = type(container).addresses(coord)
    words = container.encode()
    print(f"\n{title}\n  at {coord!r}")
    for a, w in zip(addresses, words):
        print(f"    0x{int(a):08x} <- 0x{int(w):08x}  ({int(w):032b})")
    assert type(container).decode(words) == container


def main() -> None:
    neuron = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(42), halco.NeuronRowOnDLS.bottom)
    print(f"BrainScaleS-2 revision {haldls.REVISION}: {len(haldls.containers())} container types, "
          f"{len(halco.all_coordinate_types())} coordinate types")
    print(f"neuron {neuron!r}\n  -> {neuron.to_neuron_backend_config_on_dls()!r}"
          f"\n  -> {neuron.to_capmem_block_on_dls()!r}, event output {neuron.to_neuron_event_output_on_dls()!r}")

    config = haldls.NeuronConfig(
        enable_fire=True, enable_threshold_comparator=True, enable_leak_division=True,
        enable_synaptic_input_excitatory=True, membrane_capacitor_size=63,
    )
    show("NeuronConfig: leak with division, threshold and firing on", neuron.to_neuron_config_on_dls(), config)

    backend = haldls.NeuronBackendConfig(address_out=0xA5, refractory_time=20, enable_spike_out=True)
    show("NeuronBackendConfig: label 0xA5, refractory 20 (inverted, split fields)",
         neuron.to_neuron_backend_config_on_dls(), backend)

    cell = halco.CapMemCellOnDLS(
        halco.CapMemCellOnCapMemBlock(neuron.to_capmem_column_on_capmem_block(), halco.CapMemRowOnCapMemBlock.v_leak),
        neuron.to_capmem_block_on_dls())
    show("CapMemCell: leak potential 700", cell, haldls.CapMemCell(value=700))

    quad = halco.SynapseQuadOnDLS(
        halco.SynapseQuadOnSynram(halco.SynapseOnSynapseRow(42).to_synapse_quad_column_on_dls(),
                                  halco.SynapseRowOnSynram(17)), halco.SynramOnDLS.bottom)
    show("SynapseQuad: four synapses, weights bit-permuted, entry 0 in the MSB", quad,
         haldls.SynapseQuad(weights=[63, 1, 0, 32], labels=[3, 3, 3, 3]))

    driver = halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(17), halco.SynramOnDLS.bottom).to_synapse_driver_on_dls()
    show("SynapseDriverConfig: receiver on, row 17 excitatory", driver, haldls.SynapseDriverConfig(
        enable_receiver=True, row_mode_top=haldls.SynapseDriverConfig.RowMode.excitatory))

    show("BackgroundSpikeSource: Poisson, label 0x0040 (note the word order)",
         halco.BackgroundSpikeSourceOnDLS(0),
         haldls.BackgroundSpikeSource(enable=True, enable_random=True, period=100, rate=40,
                                      seed=1234, neuron_label=0x40))

    node = halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(9), halco.CrossbarInputOnDLS(13))
    show("CrossbarNode: background source 1 -> L2 output 1", node, haldls.CrossbarNode())

    all_quads = np.arange(halco.SynapseQuadOnDLS.size)
    words = haldls.SynapseQuad.encode_array(all_quads.size, weights=np.full((all_quads.size, 4), 17))
    decoded = haldls.SynapseQuad.decode_array(words)
    print(f"\nall {all_quads.size} synapse quads of both synrams encoded and decoded at once: "
          f"{words.size} words, every weight 17: {bool(np.all(decoded['weights'] == 17))}")
    print("\nJSON:", haldls.to_json(backend))


if __name__ == "__main__":
    main()
