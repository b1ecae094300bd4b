"""A dendritic tree (seed 001, Figure 9): a main branch of two compartments that splits into two
sub-branches of two compartments each, built with ``lola.Morphology`` exactly as in the seed.

Compartments (pattern columns, rows): 0 = (0-1, 0), 1 = (2-3, 0) + (3, 1) | row 0 branch:
2 = (4-5, 0), 3 = (6-7, 0) | row 1 branch: 4 = (4-5, 1), 5 = (6-7, 1). Neighbouring compartments
are coupled through conductances (``i_bias_nmda``) to the somatic line.

One strong input (three events at once) excites one compartment; the CADC reads all membranes every microsecond and
each compartment's PSP amplitude is its mean depolarisation over the first 12 us. Input at the first
compartment attenuates along the chain and reaches both sub-branches alike; input at the end of
one sub-branch depolarises its own branch and the main branch, but hardly the sister branch. A
larger conductance means less attenuation. ``main()`` saves ``dendritic_branches.png``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import _plotting
import halco
import haldls
import lola
import stadls
from stadls import enable_cadc_recording, read_cadc_membranes
from _neuron_setup import init_builder, route_input

coord = halco.AtomicNeuronOnLogicalNeuron
row = halco.NeuronRowOnLogicalNeuron
column = halco.NeuronColumnOnLogicalNeuron
ANCHOR = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(0), halco.NeuronRowOnDLS(0))
INPUT_US = 30.0
SNAPSHOTS_US = np.arange(INPUT_US - 4, INPUT_US + 30, 1.0)


def morphology() -> lola.Morphology:
    """The seed's example, as written there."""
    m = lola.Morphology()
    m.create_compartment([coord(0, 0), coord(1, 0)])
    m.create_compartment([coord(2, 0), coord(3, 0), coord(3, 1)])
    for row_coord in [0, 1]:
        for column_coord in [4, 6]:
            m.create_compartment([coord(column_coord, row_coord), coord(column_coord + 1, row_coord)])
    m.connect_resistor_to_soma(coord(1, 0))
    for row_coord in [0, 1]:
        for column_coord in [3, 5]:
            m.connect_resistor_to_soma(coord(column_coord, row_coord))
    m.connect_to_soma(coord(2, 0))
    for row_coord in [0, 1]:
        for column_coord in [4, 6]:
            m.connect_to_soma(coord(column_coord, row_coord))
    m.connect_soma_line(start=column(1), end=column(2), row=row(0))
    for row_coord in [row(0), row(1)]:
        m.connect_soma_line(column(3), column(4), row_coord)
        m.connect_soma_line(column(5), column(6), row_coord)
    return m


def psp_amplitudes(input_compartment: int, i_bias_nmda: int = 300, chip_id: int = 0, **connection) -> np.ndarray:
    """PSP amplitude [CADC LSB] of each compartment (mean over its circuits) for one input spike
    onto the first circuit of ``input_compartment`` (a top-row compartment)."""
    compartments, neuron = morphology().done()
    for c, circuits in neuron.morphology.items():
        for circuit in circuits:
            circuit.leak.v_leak = 400
            circuit.leak.i_bias = 100
            circuit.membrane_capacitance.capacitance = 20
            circuit.excitatory_input.enable = True
            circuit.excitatory_input.i_bias_tau = 150
            circuit.excitatory_input.i_bias_gm = 1000
            circuit.multicompartment.i_bias_nmda = i_bias_nmda
    placement = halco.LogicalNeuronOnDLS(compartments, ANCHOR)
    target = placement.get_placed_compartments()[halco.CompartmentOnLogicalNeuron(input_compartment)][0]
    if target.y.value() != 0:
        raise ValueError("the input is routed to top-row circuits only")
    builder = init_builder()
    enable_cadc_recording(builder)
    label = route_input(builder, target.x.value(), 63)
    builder.write(placement, neuron)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    snapshots = []
    for t in SNAPSHOTS_US:
        builder.wait_until(int(t * 125))
        if t == INPUT_US:   # three events at once: one strong input
            builder.write(halco.SpikePack3ToChipOnDLS(), haldls.SpikePack3ToChip([label] * 3))
        snapshots.append(read_cadc_membranes(builder))          # all 512, row * 256 + column
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, builder.done())
    values = np.array([snapshot() for snapshot in snapshots], dtype=float)
    rest = values[SNAPSHOTS_US < INPUT_US].mean(axis=0)
    # mean depolarisation over the PSP's first 12 us: robust against the read noise
    peak = values[(SNAPSHOTS_US > INPUT_US) & (SNAPSHOTS_US <= INPUT_US + 12)].mean(axis=0)
    amplitudes = []
    for c, circuits in placement.get_placed_compartments().items():
        amplitudes.append(np.mean([peak[n.to_enum()] - rest[n.to_enum()] for n in circuits]))
    return np.array(amplitudes)


def main(path: Path | None = None) -> None:
    """Measure the PSP amplitudes for input at compartments 0 and 3 and two conductances and
    plot them to ``path`` (default ``dendritic_branches.png`` in the plot folder,
    examples/_plotting.py)."""
    path = _plotting.plot_path(path, "dendritic_branches.png")
    results = {}
    for site in (0, 3):
        for g in (100, 400):
            results[(site, g)] = psp_amplitudes(site, g)
            print(f"input at compartment {site}, i_bias_nmda={g}: PSP amplitudes by compartment "
                  f"{np.round(results[(site, g)], 1).tolist()} CADC LSB")
    plt = _plotting.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for ax, site in zip(axes, (0, 3)):
        for g in (100, 400):
            # the nominal CADC (SystemInit's ramp): 4 mV per code
            ax.plot(range(6), stadls.units.cadc_lsb_to_mv(results[(site, g)]), "o-", label=f"i_bias_nmda={g}")
        ax.set_title(f"input at compartment {site}")
        ax.set_xlabel("compartment")
    axes[0].set_ylabel("PSP amplitude [mV] (mean over 12 us)")
    _plotting.lsb_axis(axes[1], "cadc", difference=True)
    axes[0].legend(fontsize=8)
    fig.suptitle("0-1 main branch, 2-3 and 4-5 sub-branches", fontsize=9)
    _plotting.save(fig, path)
    print(f"plot saved to {path}")


if __name__ == "__main__":
    main()
