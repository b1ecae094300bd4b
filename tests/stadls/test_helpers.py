"""stadls.helpers on the emulated chip: each helper's writes have their effect (an MADC trace of
the chosen neuron, CADC reads of the membranes, an input spike reaching the right synapse row,
CapMem cells holding the written values), and bad input gets a stadls error naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

import halco
import haldls
import stadls
from stadls.errors import ArgumentTypeError, ArgumentValueError

RowMode = haldls.SynapseDriverConfig.RowMode
TOP, BOTTOM = halco.SynramOnDLS.top, halco.SynramOnDLS.bottom


def neuron(column: int, row: int = 0) -> halco.AtomicNeuronOnDLS:
    return halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(column), halco.NeuronRowOnDLS(row))


def synapse_row(row: int, synram: halco.SynramOnDLS = TOP) -> halco.SynapseRowOnDLS:
    return halco.SynapseRowOnDLS(halco.SynapseRowOnSynram(row), synram)


def init() -> stadls.PlaybackProgramBuilder:
    builder, _ = stadls.generate(stadls.SystemInit())
    return builder


def run(builder: stadls.PlaybackProgramBuilder) -> stadls.PlaybackProgram:
    program = builder.done()
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, program)
    return program


# -- MADC -----------------------------------------------------------------------------------------

def _leaky(builder, n: halco.AtomicNeuronOnDLS, v_leak: int) -> None:
    stadls.write_neuron_capmem(builder, {"v_leak": v_leak, "i_bias_leak": 500}, n)
    builder.write(n.to_neuron_config_on_dls(), haldls.NeuronConfig(
        membrane_capacitor_size=63, enable_readout=True,
        readout_source=haldls.NeuronConfig.ReadoutSource.membrane))


@pytest.mark.parametrize("recorded, other", [(3, 2), (2, 3)])   # odd and even readout lines
def test_madc_records_the_chosen_neuron_s_membrane(recorded, other):
    builder = init()
    _leaky(builder, neuron(recorded, 1), 800)            # bottom hemisphere, high rest
    _leaky(builder, neuron(other, 1), 200)               # the other parity's line, low rest
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 50)                        # settle
    stadls.enable_madc_recording(builder, neuron(recorded, 1), number_of_samples=400)
    builder.wait_until(125 * 100)
    high = run(builder)
    t, v = stadls.madc_trace(high)
    assert len(v) == 400
    assert np.all(np.diff(t) > 0) and t[0] >= 50.0           # microseconds after the timer reset
    # 29.4 MHz: 399 intervals of 4.25 FPGA cycles, sample times rounded to the cycle (1/125 us)
    rate = haldls.MADCConfig().calculate_sample_rate(haldls.DEFAULT_MADC_BASE_FREQUENCY)
    assert abs((t[-1] - t[0]) - 399 / rate * 1e6) <= 1 / 125 + 1e-9

    builder = init()                                     # the same with the leak potentials swapped
    _leaky(builder, neuron(recorded, 1), 200)
    _leaky(builder, neuron(other, 1), 800)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 50)
    stadls.enable_madc_recording(builder, neuron(recorded, 1), number_of_samples=400)
    builder.wait_until(125 * 100)
    _, low = stadls.madc_trace(run(builder))
    assert np.median(v) > np.median(low) + 100          # it follows the recorded neuron only


def test_madc_recording_keeps_the_caller_s_config_and_sets_the_sample_count():
    config = haldls.MADCConfig(number_of_samples=7)
    builder = init()
    _leaky(builder, neuron(0), 500)
    stadls.enable_madc_recording(builder, neuron(0), 25, config=config)
    builder.wait_until(125 * 20)
    assert len(run(builder).madc_samples) == 25
    assert config.number_of_samples == 7


# -- CADC -----------------------------------------------------------------------------------------

def _cadc_program(v_leak: np.ndarray, connect: bool):
    builder = init()
    stadls.write_neuron_capmem(builder, {"v_leak": v_leak, "i_bias_leak": 500})
    builder.write_array(haldls.NeuronConfig, np.arange(512),
                        haldls.NeuronConfig.encode_array(512, membrane_capacitor_size=63))
    if connect:
        stadls.enable_cadc_recording(builder)
    else:                                               # only the CADCs on, the switches not
        for cadc in halco.iter_all(halco.CADCConfigOnDLS):
            builder.write(cadc, haldls.CADCConfig(enable=True))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 100)
    reads = (stadls.read_cadc_membranes(builder), stadls.read_cadc_membranes(builder, TOP),
             stadls.read_cadc_membranes(builder, BOTTOM))
    run(builder)
    return [r() for r in reads]


def test_cadc_reads_every_membrane_in_atomic_neuron_order():
    # a pattern over columns and rows, the two levels ~100 CADC LSB apart: far more than the
    # leak potentials' mismatch spreads them (20 mV = 5 LSB s.d.)
    v_leak = np.where(np.arange(512) % 3 == 0, 800, 300)
    both, top, bottom = _cadc_program(v_leak, connect=True)
    assert both.shape == (512,) and top.shape == bottom.shape == (256,)
    high, low = both[v_leak == 800], both[v_leak == 300]
    assert high.min() > low.max() + 20                      # each read is its own neuron's
    # the per-hemisphere reads: columns in order, the same neurons (taken a little later)
    middle = (high.min() + low.max()) / 2
    assert np.array_equal(np.concatenate([top, bottom]) > middle, v_leak == 800)


def test_without_the_column_switches_the_cadc_does_not_see_the_membranes():
    v_leak = np.where(np.arange(512) % 3 == 0, 650, 350)
    both, _, _ = _cadc_program(v_leak, connect=False)
    assert np.ptp(both[v_leak == 650]) + np.ptp(both[v_leak == 350]) >= 0
    assert not both[v_leak == 650].min() > both[v_leak == 350].max() + 20


def test_cadc_recording_of_one_hemisphere_writes_only_its_switches():
    builder = stadls.PlaybackProgramBuilder()
    stadls.enable_cadc_recording(builder, BOTTOM)
    quads = builder.read_array(haldls.ColumnCorrelationQuad, np.arange(halco.ColumnCorrelationQuadOnDLS.size))
    configs = [builder.read(c) for c in halco.iter_all(halco.CADCConfigOnDLS)]
    run(builder)
    switches = quads.get()["enable_cadc_neuron_readout_causal"].reshape(2, 64, 4)
    assert not switches[0].any() and switches[1].all()
    assert [c.get().enable for c in configs] == [False, True]


# -- routing --------------------------------------------------------------------------------------

def _bypass(builder, column: int, synram: halco.SynramOnDLS, inhibitory: bool = False) -> None:
    """The neuron in ``column`` of ``synram``'s hemisphere relays each input event as a spike
    with label ``column``."""
    n = neuron(column, synram.value())
    builder.write(n.to_neuron_config_on_dls(), haldls.NeuronConfig(
        enable_bypass_excitatory=not inhibitory, enable_bypass_inhibitory=inhibitory))
    builder.write(n.to_neuron_backend_config_on_dls(), haldls.NeuronBackendConfig(
        address_out=column, enable_spike_out=True))


def _send(builder, labels: list[int]) -> None:
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    for k, label in enumerate(labels):
        builder.wait_until(100 + 200 * k)
        builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([label]))
    builder.wait_until(100 + 200 * len(labels) + 500)


def _relayed(program, column: int) -> int:
    return int(((program.spikes["label"] & 0xFF) == column).sum())


def test_synapse_driver_of_row_follows_the_row_mode_rule():
    driver, half = stadls.synapse_driver_of_row(synapse_row(37, BOTTOM))
    assert driver == halco.SynapseDriverOnDLS(halco.SynapseDriverOnSynapseDriverBlock(18),
                                              halco.SynapseDriverBlockOnDLS(1))
    assert half == halco.SynapseRowOnSynapseDriver.top
    assert stadls.synapse_driver_of_row(synapse_row(36, BOTTOM)) == (driver, halco.SynapseRowOnSynapseDriver.bottom)
    # driver 18: bus 2, row-select address 4; SPL1 address in bits 15..14
    assert stadls.input_label(synapse_row(37, BOTTOM), 9, spl1=2) == (2 << 14) | (4 << 6) | 9


@pytest.mark.parametrize("row, synram", [(37, BOTTOM), (36, BOTTOM), (1, TOP), (254, TOP)])
def test_an_input_spike_reaches_the_routed_row_and_no_other(row, synram):
    builder = init()
    routed, neighbour = synapse_row(row, synram), synapse_row(row ^ 1, synram)   # same driver
    stadls.route_input(builder, routed)
    stadls.write_synapse_row(builder, routed, weights=np.where(np.arange(256) == 10, 63, 0), labels=9)
    stadls.write_synapse_row(builder, neighbour, weights=np.where(np.arange(256) == 20, 63, 0), labels=9)
    _bypass(builder, 10, synram)
    _bypass(builder, 20, synram)
    label = stadls.input_label(routed, 9)
    _send(builder, [label, label ^ 1, label ^ (1 << 6), label])   # wrong synapse label, row select
    program = run(builder)
    assert _relayed(program, 10) == 2                # the routed row's synapse relays both matches
    assert _relayed(program, 20) == 0                # the driver's other row stays disabled
    assert not np.isin(program.spikes["label"], [label, label ^ 1]).any()   # no loopback


def test_the_row_mode_decides_which_synaptic_input_the_row_drives():
    row = synapse_row(5)
    for mode, inhibitory_neuron, relayed in ((RowMode.inhibitory, True, 1), (RowMode.inhibitory, False, 0),
                                             (RowMode.excitatory, True, 0)):
        builder = init()
        stadls.route_input(builder, row, mode)
        stadls.write_synapse_row(builder, row, 63, 3)
        _bypass(builder, 0, TOP, inhibitory=inhibitory_neuron)
        _send(builder, [stadls.input_label(row, 3)])
        assert _relayed(run(builder), 0) == relayed, mode


def test_several_rows_over_several_buses_and_another_l2_input_with_loopback():
    rows = [synapse_row(3), synapse_row(9), synapse_row(10, BOTTOM)]    # drivers 1, 4 (bus 1, 0), 5 (bus 1)
    builder = init()
    stadls.route_input(builder, rows, spl1=3, loopback=True)
    for k, r in enumerate(rows):                # distinct synapse labels: see the next assertion
        stadls.write_synapse_row(builder, r, np.where(np.arange(256) == 30 + k, 63, 0), 11 + k)
        _bypass(builder, 30 + k, r.parent)
    labels = [stadls.input_label(r, 11 + k, spl1=3) for k, r in enumerate(rows)]
    _send(builder, labels)
    padi = builder.read(halco.CommonPADIBusConfigOnDLS.top)
    program = run(builder)
    assert [_relayed(program, 30 + k) for k in range(3)] == [1, 1, 1]
    assert list(padi.get().enable_spl1) == [True, True, False, False]
    looped = program.spikes["label"][program.spikes["label"] >> 14 == 3]   # L2 output 3
    assert sorted(looped.tolist()) == sorted(labels)    # the inputs came back to the FPGA


def test_an_input_reaches_every_routed_bus_whose_driver_has_its_row_select():
    """Rows 9 (top, driver 4 on bus 0) and 10 (bottom, driver 5 on bus 1) share the row-select
    address 1: one event reaches both, as on the chip; only synapse labels tell them apart."""
    rows = [synapse_row(9), synapse_row(10, BOTTOM)]
    assert stadls.input_label(rows[0], 11) == stadls.input_label(rows[1], 11)
    builder = init()
    stadls.route_input(builder, rows)
    for k, r in enumerate(rows):
        stadls.write_synapse_row(builder, r, np.where(np.arange(256) == 30 + k, 63, 0), 11)
        _bypass(builder, 30 + k, r.parent)
    _send(builder, [stadls.input_label(rows[0], 11)])
    program = run(builder)
    assert [_relayed(program, 30), _relayed(program, 31)] == [1, 1]


def test_route_input_keeps_the_driver_template_and_the_caller_s_container():
    template = haldls.SynapseDriverConfig(enable_stp=True, utilization=9)
    builder = init()
    stadls.route_input(builder, synapse_row(1), driver=template)
    ticket = builder.read(halco.SynapseDriverOnDLS(0))
    run(builder)
    written = ticket.get()
    assert written.enable_stp and written.utilization == 9 and written.enable_receiver
    assert written.row_mode_top == RowMode.excitatory and written.row_mode_bottom == RowMode.disabled
    assert not template.enable_receiver


def test_write_synapse_row_writes_weights_and_labels_in_column_order():
    row = synapse_row(100, BOTTOM)
    builder = init()
    stadls.write_synapse_row(builder, row, np.arange(256) % 64, (np.arange(256) * 7) % 64)
    quads = builder.read_array(haldls.SynapseQuad, [
        halco.SynapseQuadOnDLS(halco.SynapseQuadOnSynram(q, row.local), BOTTOM).to_enum()
        for q in halco.iter_all(halco.SynapseQuadColumnOnDLS)])
    run(builder)
    fields = quads.get()
    columns = np.array([[c.value() for c in q.to_synapse_on_synapse_row()]
                        for q in halco.iter_all(halco.SynapseQuadColumnOnDLS)])
    weights, labels = np.zeros(256, int), np.zeros(256, int)
    weights[columns] = fields["weights"]
    labels[columns] = fields["labels"]
    assert np.array_equal(weights, np.arange(256) % 64)
    assert np.array_equal(labels, (np.arange(256) * 7) % 64)


# -- CapMem ---------------------------------------------------------------------------------------

def test_write_neuron_capmem_writes_each_neuron_s_cell():
    values = (np.arange(512) * 3) % 1000
    builder = init()
    stadls.write_neuron_capmem(builder, {"v_threshold": values, "i_bias_reset": 321})
    stadls.write_neuron_capmem(builder, {"v_leak": [11, 22]}, [neuron(5, 1), neuron(200)])
    cells = np.array([[n.to_capmem_cell_on_dls()[halco.CAPMEM_ROW_NAMES[r]].to_enum()
                       for r in ("v_threshold", "i_bias_reset", "v_leak")]
                      for n in halco.iter_all(halco.AtomicNeuronOnDLS)])
    ticket = builder.read_array(haldls.CapMemCell, cells.ravel())
    run(builder)
    read = ticket.get()["value"].reshape(512, 3)
    assert np.array_equal(read[:, 0], values)
    assert np.all(read[:, 1] == 321)
    assert read[neuron(5, 1).to_enum(), 2] == 11 and read[neuron(200).to_enum(), 2] == 22


# -- bad input ------------------------------------------------------------------------------------

B = stadls.PlaybackProgramBuilder


@pytest.mark.parametrize("call, error, match", [
    (lambda: stadls.enable_madc_recording(B(), 3, 10), ArgumentTypeError, "neuron must be a halco.AtomicNeuronOnDLS"),
    (lambda: stadls.enable_madc_recording(B(), halco.AtomicNeuronOnDLS, 10), ArgumentTypeError, "a class"),
    (lambda: stadls.enable_madc_recording(B(), neuron(0), 0), ArgumentValueError, r"number_of_samples .*\[1, 65535\]"),
    (lambda: stadls.enable_madc_recording(B(), neuron(0), 70000), ArgumentValueError, "number_of_samples"),
    (lambda: stadls.enable_madc_recording(B(), neuron(0), 10.0), ArgumentTypeError, "number_of_samples"),
    (lambda: stadls.enable_madc_recording(B(), neuron(0), True), ArgumentTypeError, "number_of_samples"),
    (lambda: stadls.enable_madc_recording(B(), neuron(0), 5, config=haldls.MADCControl()), ArgumentTypeError,
     "config must be a haldls.*MADCConfig"),
    (lambda: stadls.enable_madc_recording("builder", neuron(0), 5), ArgumentTypeError, "builder"),
    (lambda: stadls.madc_trace(B()), ArgumentTypeError, "program must be a stadls.*PlaybackProgram"),
    (lambda: stadls.enable_cadc_recording(B(), 0), ArgumentTypeError, "synrams"),
    (lambda: stadls.enable_cadc_recording(B(), [TOP, 1]), ArgumentTypeError, "synrams entry"),
    (lambda: stadls.read_cadc_membranes(B(), 1), ArgumentTypeError, "synram must be a halco.SynramOnDLS"),
    (lambda: stadls.read_cadc_membranes(stadls.Dumper(), None), ArgumentTypeError, "builder"),
    (lambda: stadls.synapse_driver_of_row(halco.SynapseRowOnSynram(3)), ArgumentTypeError,
     "row must be a halco.SynapseRowOnDLS"),
    (lambda: stadls.input_label(synapse_row(3), 64), ArgumentValueError, r"synapse_label must lie in \[0, 63\]"),
    (lambda: stadls.input_label(synapse_row(3), 1, spl1=4), ArgumentValueError, r"spl1 must lie in \[0, 3\]"),
    (lambda: stadls.route_input(B(), 3), ArgumentTypeError, "rows must be a halco.SynapseRowOnDLS"),
    (lambda: stadls.route_input(B(), []), ArgumentValueError, "rows is empty"),
    (lambda: stadls.route_input(B(), [synapse_row(1), 2]), ArgumentTypeError, "rows entry"),
    (lambda: stadls.route_input(B(), synapse_row(1), "excitatory"), ArgumentTypeError, "row_mode"),
    (lambda: stadls.route_input(B(), synapse_row(1), 7), ArgumentTypeError, "row_mode"),
    (lambda: stadls.route_input(B(), synapse_row(1), spl1=-1), ArgumentValueError, "spl1"),
    (lambda: stadls.route_input(B(), synapse_row(1), spl1=True), ArgumentTypeError, "spl1"),
    (lambda: stadls.route_input(B(), synapse_row(1), driver=haldls.SynapseDriverConfig), ArgumentTypeError,
     "driver"),
    (lambda: stadls.route_input(B(), synapse_row(1), loopback=1), ArgumentTypeError, "loopback must be a bool"),
    (lambda: stadls.write_synapse_row(B(), synapse_row(1), 64, 0), ArgumentValueError,
     r"weights must lie in \[0, 63\]; entry 0 is 64"),
    (lambda: stadls.write_synapse_row(B(), synapse_row(1), np.zeros(255, int), 0), ArgumentValueError,
     r"weights must be one value or 256 values"),
    (lambda: stadls.write_synapse_row(B(), synapse_row(1), 1.5, 0), ArgumentTypeError, "weights must be integers"),
    (lambda: stadls.write_synapse_row(B(), synapse_row(1), 1, [True] * 256), ArgumentTypeError, "labels"),
    (lambda: stadls.write_synapse_row(B(), 1, 1, 1), ArgumentTypeError, "row"),
    (lambda: stadls.write_neuron_capmem(B(), {"v_leek": 3}), ArgumentValueError, "'v_leek' is not a neuron CapMem row"),
    (lambda: stadls.write_neuron_capmem(B(), {"v_leak": 1023}), ArgumentValueError, r"v_leak must lie in \[0, 1022\]"),
    (lambda: stadls.write_neuron_capmem(B(), {"v_leak": np.zeros(511, int)}), ArgumentValueError,
     "one value or 512 values"),
    (lambda: stadls.write_neuron_capmem(B(), {"v_leak": [1, 2]}, [neuron(0)]), ArgumentValueError,
     "one value or 1 values"),
    (lambda: stadls.write_neuron_capmem(B(), {"v_leak": 3}, [neuron(0), neuron(0)]), ArgumentValueError, "twice"),
    (lambda: stadls.write_neuron_capmem(B(), {"v_leak": 3}, [0]), ArgumentTypeError, "neurons entry"),
    (lambda: stadls.write_neuron_capmem(B(), {"v_leak": 3}, []), ArgumentValueError, "neurons is empty"),
    (lambda: stadls.write_neuron_capmem(B(), [("v_leak", 3)]), ArgumentTypeError, "values must map"),
    (lambda: stadls.write_neuron_capmem(B(), {"v_leak": 2.5}), ArgumentTypeError, "v_leak must be integers"),
])
def test_bad_input_is_refused_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()
