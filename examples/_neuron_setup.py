"""Helpers shared by the examples: write one neuron's 24 CapMem cells and its switches.

(The lola layer will offer ``AtomicNeuron`` for this; these examples use bit-level containers.)
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls


def capmem_cell(neuron: halco.AtomicNeuronOnDLS, row: str) -> halco.CapMemCellOnDLS:
    """The CapMem cell holding parameter ``row`` (a CapMemRowOnCapMemBlock name) of ``neuron``."""
    return halco.CapMemCellOnDLS(
        halco.CapMemCellOnCapMemBlock(neuron.to_capmem_column_on_capmem_block(),
                                      getattr(halco.CapMemRowOnCapMemBlock, row)),
        neuron.to_capmem_block_on_dls())


def write_capmem(builder: stadls.PlaybackProgramBuilder, neuron: halco.AtomicNeuronOnDLS,
                 **values: int) -> None:
    """Write CapMem parameters, e.g. ``v_leak=1000, i_bias_leak=150``."""
    for row, value in values.items():
        builder.write(capmem_cell(neuron, row), haldls.CapMemCell(value=value))


def write_capmem_rows(builder: stadls.PlaybackProgramBuilder, values: dict,
                      hemispheres: tuple[int, ...] = (0,)) -> None:
    """Write CapMem rows of every neuron of ``hemispheres`` (0 top, 1 bottom) at once:
    ``values`` maps a row name (``"v_leak"``) to one value or to one per neuron column
    (256 per hemisphere, in column order)."""
    cells, cell_values = [], []
    for name, value in values.items():
        per_neuron = np.broadcast_to(np.asarray(value), (len(hemispheres) * 256,))
        for h, hemisphere in enumerate(hemispheres):
            for half in range(2):                    # a hemisphere's two CapMem blocks
                block = 2 * hemisphere + half
                cells.append(block * halco.CapMemCellOnCapMemBlock.size
                             + halco.CAPMEM_ROW_NAMES[name] * 130 + np.arange(128))
                cell_values.append(per_neuron[h * 256 + half * 128:h * 256 + (half + 1) * 128])
    cells = np.concatenate(cells)
    builder.write_array(haldls.CapMemCell, cells,
                        haldls.CapMemCell.encode_array(len(cells), value=np.concatenate(cell_values)))


def atomic(column: int, row: int = 0) -> halco.AtomicNeuronOnDLS:
    return halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(column), halco.NeuronRowOnDLS(row))


def init_builder(clock_scale_slow: int = 4) -> stadls.PlaybackProgramBuilder:
    """SystemInit with the neuron backends' slow clock at 250 MHz / 2**(scale+1) (4: 7.8 MHz)."""
    init = stadls.SystemInit()
    init.chip.common_neuron_backend = haldls.CommonNeuronBackendConfig(clock_scale_slow=clock_scale_slow)
    builder, _ = stadls.generate(init)
    return builder


def configure_neuron(builder: stadls.PlaybackProgramBuilder, neuron: halco.AtomicNeuronOnDLS,
                     capmem: dict[str, int], config: dict, backend: dict | None = None) -> None:
    """CapMem cells, NeuronConfig and NeuronBackendConfig of one neuron."""
    write_capmem(builder, neuron, **capmem)
    builder.write(neuron.to_neuron_config_on_dls(), haldls.NeuronConfig(**config))
    builder.write(neuron.to_neuron_backend_config_on_dls(), haldls.NeuronBackendConfig(**(backend or {})))


def madc_record(builder: stadls.PlaybackProgramBuilder, neuron: halco.AtomicNeuronOnDLS,
                samples: int) -> None:
    """Start recording ``samples`` MADC samples of ``neuron``'s readout line (source 0).

    The neuron's NeuronConfig must have ``enable_readout`` and the wanted ``readout_source``.
    At the default MADC settings a sample is taken every 6.75 FPGA cycles (18.5 MHz).
    """
    parity = "odd" if neuron.x.value() % 2 else "even"
    half = "top" if neuron.y.value() == 0 else "bottom"
    selection = haldls.ReadoutSourceSelection()
    getattr(selection, f"neuron_{parity}_{half}")[0] = True
    builder.write(halco.ReadoutSourceSelectionOnDLS(), selection)
    builder.write(halco.MADCConfigOnDLS(), haldls.MADCConfig(number_of_samples=samples))
    builder.write(halco.MADCControlOnDLS(), haldls.MADCControl(
        wake_up=True, enable_pre_amplifier=True, start_recording=True))


def madc_trace(program: stadls.PlaybackProgram) -> tuple[np.ndarray, np.ndarray]:
    """(time [us since the timer reset], 10-bit value) of the recorded MADC samples."""
    samples = program.madc_samples
    return samples["fpga_time"].astype(np.int64) / 125.0, samples["value"].astype(float)


def enable_cadc_membrane_readout(builder: stadls.PlaybackProgramBuilder) -> None:
    """Connect every neuron membrane to the causal CADC channel of its column; enable both CADCs."""
    for quad in halco.iter_all(halco.ColumnCorrelationQuadOnDLS):
        builder.write(quad, haldls.ColumnCorrelationQuad(enable_cadc_neuron_readout_causal=[True] * 4))
    for cadc in halco.iter_all(halco.CADCConfigOnDLS):
        builder.write(cadc, haldls.CADCConfig(enable=True))


def read_cadc_membranes(builder: stadls.PlaybackProgramBuilder, synram: int = 0) -> list:
    """Tickets for the causal CADC channels of all 256 columns of one hemisphere (row 0)."""
    tickets = []
    for q in range(64):
        quad = halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(q), halco.SynapseRowOnSynram(0))
        tickets.append(builder.read(halco.CADCSampleQuadOnDLS.of(
            quad, halco.CADCChannelType.causal, halco.CADCReadoutType.trigger_read, synram)))
    return tickets


def cadc_columns(tickets: list) -> np.ndarray:
    """The 256 column values from :func:`read_cadc_membranes` tickets, in column order."""
    values = np.zeros(256, dtype=int)
    for q, ticket in enumerate(tickets):
        for entry, column in enumerate(halco.SynapseQuadColumnOnDLS(q).to_synapse_on_synapse_row()):
            values[column.value()] = ticket.get().samples[entry]
    return values


def route_input(builder: stadls.PlaybackProgramBuilder, column: int, weight: int,
                synapse_label: int = 5, inhibitory: bool = False,
                driver: haldls.SynapseDriverConfig | None = None) -> int:
    """Route FPGA spikes with the returned label to the neuron in ``column`` (top hemisphere).

    L2 input 0 -> PADI bus 0 (not looped back to the FPGA) -> synapse driver 0, whose top row
    (synapse row 1) is excitatory or inhibitory -> the synapse in ``column`` with ``weight`` and
    ``synapse_label``. ``driver`` replaces the driver configuration (e.g. to enable STP).
    """
    builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8), halco.CrossbarInputOnDLS(8)),
                  haldls.CrossbarNode.drop_all())
    builder.write(halco.CommonPADIBusConfigOnDLS.top,
                  haldls.CommonPADIBusConfig(enable_spl1=[True, False, False, False]))
    mode = haldls.SynapseDriverConfig.RowMode.inhibitory if inhibitory else haldls.SynapseDriverConfig.RowMode.excitatory
    driver = driver or haldls.SynapseDriverConfig()
    driver.enable_receiver = True
    driver.row_mode_top = mode
    builder.write(halco.SynapseDriverOnDLS(0), driver)
    set_weight(builder, column, weight, synapse_label)
    return synapse_label   # row select 0, L2 input 0


def set_weight(builder: stadls.PlaybackProgramBuilder, column: int, weight: int, synapse_label: int = 5) -> None:
    """Weight and label of the synapse in row 1, ``column`` (the other three of its quad: weight 0)."""
    synapse = halco.SynapseOnSynapseRow(column)
    quad = haldls.SynapseQuad()
    quad.weights[synapse.to_entry_on_quad().value()] = weight
    quad.labels[synapse.to_entry_on_quad().value()] = synapse_label
    builder.write(halco.SynapseQuadOnDLS(halco.SynapseQuadOnSynram(
        synapse.to_synapse_quad_column_on_dls(), halco.SynapseRowOnSynram(1)), halco.SynramOnDLS.top), quad)


def spike(builder: stadls.PlaybackProgramBuilder, time_us: float, label: int) -> None:
    """Wait until ``time_us`` after the timer reset and send one spike."""
    builder.wait_until(int(round(time_us * 125)))
    builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([label]))
