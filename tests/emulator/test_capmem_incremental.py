"""A CapMem write recomputes only what depends on the cells it changed (Chip._update_capmem), a
write of a container the derived parameters do not read (a trigger, the synapse memory)
recomputes nothing, and the result is bit-identical to a full recomputation of every derived
parameter."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import halco
import haldls
from emulator import Mismatch, core
from emulator.chip import FEEDS_PARAMETERS, Chip

CELLS_PER_BLOCK = halco.CapMemCellOnCapMemBlock.size
#: [row, neuron] -> CapMemCellOnDLS enum
NEURON_CELL = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemCellOnDLS).T
#: shared cells the model reads, and one it does not (column 128 of row 0)
SHARED = [halco.CapMemCellOnCapMemBlock.syn_i_bias_dac, halco.CapMemCellOnCapMemBlock.syn_i_bias_store,
          halco.CapMemCellOnCapMemBlock.syn_i_bias_ramp, halco.CapMemCellOnCapMemBlock.cadc_v_ramp_offset,
          halco.CapMemCellOnCapMemBlock.cadc_i_ramp_slope]
SHARED_CELLS = [c.to_enum() for c in SHARED] + [128]
#: NeuronConfig switches the parameters and the compartments read
SWITCHES = ["connect_membrane_right", "connect_bottom", "connect_soma_right", "connect_soma",
            "enable_multicomp_conductance", "enable_divide_multicomp_conductance_bias",
            "enable_multiply_multicomp_conductance_bias", "enable_leak_division",
            "enable_leak_multiplication", "enable_reset_division", "enable_membrane_offset",
            "invert_membrane_offset", "invert_adaptation_a",
            "enable_synaptic_input_excitatory_small_capacitance",
            "enable_synaptic_input_inhibitory_high_resistance", "enable_synaptic_input_excitatory",
            "enable_synaptic_input_inhibitory", "enable_bypass_excitatory"]
#: everything a recomputation derives
DERIVED = ("P", "F", "D", "_routing_config", "_driver_config", "_correlation_config",
           "_synaptic_amplitudes", "_compartment_config", "_cadc_ramps")


def write(chip: Chip, container: type, enums: np.ndarray, words: np.ndarray) -> None:
    chip.write_words(container.addresses_array(np.asarray(enums)).ravel(),
                     np.asarray(words, dtype=np.uint32).ravel())


def write_cells(chip: Chip, cells: list[int], values: list[int]) -> None:
    write(chip, haldls.CapMemCell, cells, haldls.CapMemCell.encode_array(len(cells), value=np.asarray(values)))


def assert_identical(a, b, path: str = "") -> None:
    """Exact equality (NaN equal to NaN) of arrays, numbers, tuples, lists and objects."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert np.asarray(a).dtype == np.asarray(b).dtype, path
        np.testing.assert_array_equal(a, b, err_msg=path, strict=True)
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), path
        for k, (x, y) in enumerate(zip(a, b)):
            assert_identical(x, y, f"{path}[{k}]")
    elif hasattr(a, "__dict__") and not isinstance(a, type):
        assert type(a) is type(b), path
        for k in set(vars(a)) | set(vars(b)):
            if k != "chip":
                assert_identical(vars(a)[k], vars(b)[k], f"{path}.{k}")
    else:
        assert (a == b) or (a != a and b != b), f"{path}: {a!r} != {b!r}"


def assert_as_full_recomputation(chip: Chip) -> None:
    """The chip's derived state after its (incremental) update equals a full recomputation,
    which starts from nothing cached; the incremental state is put back afterwards, so that
    later writes go on from it."""
    chip._update_parameters()
    incremental = {name: copy.deepcopy(getattr(chip, name)) for name in DERIVED}
    connections = chip._connections
    chip._params_dirty = True
    chip._connections = None
    chip._update_parameters()
    for name in DERIVED:
        assert_identical(incremental[name], getattr(chip, name), name)
    for name, value in incremental.items():
        setattr(chip, name, value)
    chip._connections = connections


#: circuits joined into compartments when the example has multicompartment settings
COMPARTMENT_NEURONS = [0, 1, 2, 3, 130, 131, 300, 44, 450, 451]
#: rows with more than one dependent: the conductance to the line, the amplitudes (times the
#: synapse DAC's factor), the leak (and its decay factors)
ROWS = [halco.CAPMEM_ROW_NAMES[r] for r in ("i_bias_nmda", "i_bias_synin_exc_gm", "i_bias_leak")]
neuron_cell = st.builds(lambda row, neuron: int(NEURON_CELL[row, neuron]),
                        st.one_of(st.integers(0, 23), st.sampled_from(ROWS)),
                        st.one_of(st.integers(0, 511), st.sampled_from(COMPARTMENT_NEURONS)))
shared_cell = st.builds(lambda block, cell: block * CELLS_PER_BLOCK + cell,
                        st.integers(0, 3), st.sampled_from(SHARED_CELLS))
# values: any, including the cell's present one and DisableRefresh (1023, no change)
cell_write = st.tuples(st.one_of(neuron_cell, shared_cell),
                       st.one_of(st.integers(0, 1023), st.sampled_from([0, 1023])))
capmem_burst = st.lists(cell_write, min_size=1, max_size=6).map(lambda w: ("capmem", w))
neuron_configs = st.tuples(st.lists(st.integers(0, 511), min_size=1, max_size=8, unique=True),
                           st.integers(0, 2 ** 31 - 1)).map(lambda c: ("neuron_config", c))
block_config = st.tuples(st.integers(0, 3), st.booleans(), st.booleans(),
                         st.one_of(st.sampled_from(SHARED_CELLS), st.integers(0, CELLS_PER_BLOCK))
                         ).map(lambda c: ("block_config", c))
other_writes = st.integers(0, 2 ** 31 - 1).map(lambda seed: ("other", seed))
steps = st.lists(st.one_of(capmem_burst, capmem_burst, capmem_burst, neuron_configs, block_config,
                           other_writes), min_size=1, max_size=8)


def neuron_config_words(neurons: list[int], seed: int, multicomp: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = len(neurons)
    fields = {name: rng.random(n) < 0.5 for name in SWITCHES
              if multicomp or not (name.startswith("connect") or "multicomp" in name)}
    return haldls.NeuronConfig.encode_array(n, membrane_capacitor_size=rng.integers(0, 64, n), **fields)


def debug_to_causal_line(chip: Chip, block: int) -> None:
    """Join CapMem block ``block``'s debug output to the causal CADC debug line (pad 0)."""
    mux = np.zeros((1, 4), dtype=bool)
    mux[0, block] = True
    write(chip, haldls.PadMultiplexerConfig, [0], haldls.PadMultiplexerConfig.encode_array(
        1, capmem_v_out_mux=mux, capmem_v_out_mux_to_capmem_intermediate_mux=True,
        capmem_intermediate_mux_to_pad=True, synapse_intermediate_mux_to_pad=True,
        cadc_debug_causal_to_synapse_intermediate_mux=True))


@given(chip_id=st.sampled_from([0, 3, None]), multicomp=st.booleans(), noise=st.booleans(),
       debug_block=st.integers(0, 3), script=steps)
def test_capmem_writes_match_a_full_recomputation(chip_id, multicomp, noise, debug_block, script):
    chip = Chip(0 if chip_id is None else chip_id, noise=noise,
                mismatch=Mismatch.ideal() if chip_id is None else None)
    write(chip, haldls.CapMemBlockConfig, np.arange(4), haldls.CapMemBlockConfig.encode_array(
        4, enable_capmem=True, debug_readout_enable=np.arange(4) == debug_block,
        debug_capmem_coord=np.full(4, SHARED_CELLS[-1])))
    debug_to_causal_line(chip, debug_block)
    # both synaptic inputs on everywhere (the amplitudes are 0 where they are off)
    write(chip, haldls.NeuronConfig, np.arange(512), haldls.NeuronConfig.encode_array(
        512, enable_synaptic_input_excitatory=True, enable_synaptic_input_inhibitory=True))
    if multicomp:
        # in every block: membranes joined, a somatic line, conductances (nominal, divided,
        # multiplied) to it
        on = np.ones(len(COMPARTMENT_NEURONS), dtype=bool)
        write(chip, haldls.NeuronConfig, COMPARTMENT_NEURONS, haldls.NeuronConfig.encode_array(
            len(on), enable_synaptic_input_excitatory=on, enable_synaptic_input_inhibitory=on,
            connect_membrane_right=np.isin(COMPARTMENT_NEURONS, [0, 450]),
            connect_soma_right=np.isin(COMPARTMENT_NEURONS, [1, 2, 130]),
            connect_soma=np.isin(COMPARTMENT_NEURONS, [1, 131]),
            connect_bottom=np.isin(COMPARTMENT_NEURONS, [300]), enable_multicomp_conductance=on,
            enable_divide_multicomp_conductance_bias=np.isin(COMPARTMENT_NEURONS, [2, 44]),
            enable_multiply_multicomp_conductance_bias=np.isin(COMPARTMENT_NEURONS, [3, 44])))
    write_cells(chip, [int(NEURON_CELL[r, n]) for r in range(24) for n in COMPARTMENT_NEURONS],
                [100 + 13 * r for r in range(24) for _ in COMPARTMENT_NEURONS])
    assert_as_full_recomputation(chip)
    for kind, arguments in script:
        if kind == "capmem":
            cells, values = zip(*arguments)
            write_cells(chip, list(cells), list(values))
        elif kind == "neuron_config":
            neurons, seed = arguments
            write(chip, haldls.NeuronConfig, neurons, neuron_config_words(neurons, seed, multicomp))
        elif kind == "other":
            # a membrane reset, a synapse quad, a CADC channel's offset: none feeds the parameters
            rng = np.random.default_rng(arguments)
            write(chip, haldls.NeuronResetQuad, [rng.integers(halco.NeuronResetQuadOnDLS.size)],
                  haldls.NeuronResetQuad.encode_array(1))
            write(chip, haldls.SynapseQuad, [rng.integers(halco.SynapseQuadOnDLS.size)],
                  haldls.SynapseQuad.encode_array(1, weights=rng.integers(0, 64, (1, 4))))
            write(chip, haldls.CADCChannelConfig, [rng.integers(halco.CADCChannelConfigOnDLS.size)],
                  haldls.CADCChannelConfig.encode_array(1, offset=rng.integers(-128, 128, 1)))
        else:
            block, enable, debug, coord = arguments
            fields = chip.fields(haldls.CapMemBlockConfig)
            enable_all, debug_all, coord_all = (fields[k].copy() for k in (
                "enable_capmem", "debug_readout_enable", "debug_capmem_coord"))
            enable_all[block], debug_all[block], coord_all[block] = enable, debug, coord
            write(chip, haldls.CapMemBlockConfig, np.arange(4), haldls.CapMemBlockConfig.encode_array(
                4, enable_capmem=enable_all, debug_readout_enable=debug_all, debug_capmem_coord=coord_all))
        assert_as_full_recomputation(chip)


@pytest.fixture
def chip(monkeypatch) -> Chip:
    """A chip whose full recomputations are counted in ``chip.full``."""
    chip = Chip(0)
    write(chip, haldls.CapMemBlockConfig, np.arange(4), haldls.CapMemBlockConfig.encode_array(
        4, enable_capmem=True))
    chip._update_parameters()
    chip.full = 0
    recompute = chip._recompute_parameters

    def counted() -> None:
        chip.full += 1
        recompute()
    monkeypatch.setattr(chip, "_recompute_parameters", counted)
    return chip


def test_a_capmem_write_recomputes_only_what_depends_on_it(chip):
    leak = halco.CAPMEM_ROW_NAMES["i_bias_leak"]
    write_cells(chip, [int(NEURON_CELL[leak, 5]), SHARED_CELLS[0], SHARED_CELLS[1] + CELLS_PER_BLOCK],
                [300, 700, 400])
    chip._update_parameters()
    assert chip.full == 0
    # the written neuron's leak conductance and its decay moved, nothing else
    P, D = chip.P.copy(), chip.D.copy()
    write_cells(chip, [int(NEURON_CELL[leak, 5])], [301])
    chip._update_parameters()
    assert chip.full == 0
    assert np.argwhere(chip.P != P).tolist() == [[core.P_G_LEAK, 5]]
    assert np.argwhere(chip.D != D).tolist() == [[core.D_LEAK, 5], [core.D_NOISE_LEAK, 5]]
    # a trigger or the synapse memory: nothing
    write(chip, haldls.NeuronResetQuad, [3], haldls.NeuronResetQuad.encode_array(1))
    write(chip, haldls.SynapseQuad, [3], haldls.SynapseQuad.encode_array(1, weights=np.array([[1, 2, 3, 4]])))
    chip._update_parameters()
    assert chip.full == 0
    # configuration the parameters read: a full recomputation
    write(chip, haldls.NeuronConfig, [5], haldls.NeuronConfig.encode_array(1, enable_membrane_offset=True))
    chip._update_parameters()
    assert chip.full == 1


def test_the_compartment_connections_are_recomputed_only_when_a_switch_changes(chip, monkeypatch):
    import emulator.compartments as compartments
    calls = []
    connections = compartments.connections
    monkeypatch.setattr(compartments, "connections", lambda config: calls.append(1) or connections(config))
    write(chip, haldls.NeuronConfig, [3], haldls.NeuronConfig.encode_array(1, enable_leak_division=True))
    write_cells(chip, [int(NEURON_CELL[halco.CAPMEM_ROW_NAMES["i_bias_nmda"], 3])], [500])
    chip._update_parameters()
    assert calls == []
    write(chip, haldls.NeuronConfig, [3], haldls.NeuronConfig.encode_array(1, connect_membrane_right=True))
    chip._update_parameters()
    assert calls == [1]
    assert chip._compartment_config[1][3] == chip._compartment_config[1][4]


def test_the_declared_containers_are_those_the_parameters_read(monkeypatch):
    """FEEDS_PARAMETERS (whose writes make the chip recompute) is exactly the set of
    containers a full recomputation and a CapMem update read."""
    chip = Chip(0)
    read = set()
    fields = chip.fields
    monkeypatch.setattr(chip, "fields", lambda container: read.add(container) or fields(container))
    chip._params_dirty = True
    chip._update_parameters()
    everything = [int(NEURON_CELL[r, n]) for r in range(24) for n in (0, 300)] \
        + [b * CELLS_PER_BLOCK + c for b in range(4) for c in SHARED_CELLS]
    write_cells(chip, everything, [500] * len(everything))
    chip._update_parameters()
    assert read == FEEDS_PARAMETERS


def test_a_shared_cell_is_read_in_every_block():
    chip = Chip(0)
    write(chip, haldls.CapMemBlockConfig, np.arange(4), haldls.CapMemBlockConfig.encode_array(
        4, enable_capmem=np.array([True, True, False, True])))
    for cell in SHARED:
        enums = [halco.CapMemCellOnDLS(cell, block).to_enum() for block in halco.iter_all(halco.CapMemBlockOnDLS)]
        write_cells(chip, enums, [11, 22, 33, 44])
        assert chip.capmem_value(cell).tolist() == [11, 22, 0, 44]
