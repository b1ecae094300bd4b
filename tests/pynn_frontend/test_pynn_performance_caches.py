"""The caches and shortcuts that keep pynn_frontend's overhead over grenade small, each against
stale data: ``placed_connections`` built lazily per routing, snippet chips sharing the
simulator's own base configuration, HXNeuron's neurons built once per distinct cell, and the
calibrated base chip kept across ``setup()`` calls."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import grenade.network as gn
import halco
import lola
from lola.chip import _SHARED_CELLS
from pynn_frontend import RunCommand, calibration, mapping, simulator
from _pynn_helpers import sim  # noqa: F401

_CELL = halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock.syn_i_bias_dac, halco.CapMemBlockOnDLS(0))


def _expected_placement(projection, plan, routing):
    """Per connection of ``projection`` its (row enum, column) pairs, straight from the routing."""
    routed = routing.execution_instances[gn.ExecutionInstanceID(0)].connections
    parts = next(p for proj, p in plan.projections if proj is projection)
    out = [[] for _ in range(len(projection))]
    for index, members, inverse in parts:
        synapses = routed[index]
        for member, merged in zip(members.tolist(), inverse.tolist()):
            out[member] = [(int(r), int(c)) for k, r, c in zip(synapses["connection"], synapses["synapse_row"],
                                                                synapses["synapse_on_row"]) if k == merged]
    return out


def _pairs(placed):
    return [[(s.synapse_row.to_enum(), s.synapse_on_row.value()) for s in p] for p in placed]


# -- placed_connections ----------------------------------------------------------------------------

def test_placed_connections_are_built_when_read_and_follow_each_routing(sim, monkeypatch):
    sim.setup()
    pre = sim.Population(6, sim.SpikeSourceArray(spike_times=[0.01]))
    a, b = sim.Population(4, sim.cells.HXNeuron()), sim.Population(3, sim.cells.HXNeuron())
    rows = [(0, 0, 40), (0, 0, 40), (1, 2, 100), (5, 3, 7)] + [(i, j, 10 + i + j) for i in range(2, 5) for j in range(4)]
    proj = sim.Projection(pre, a, sim.FromListConnector(rows, column_names=["weight"]))
    both = sim.Projection(pre, sim.Assembly(a, b), sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(5)),
                          sim.StaticSynapse(weight=-30), receptor_type="inhibitory")
    built = []
    real = mapping.PlacedSynapse
    monkeypatch.setattr(mapping, "PlacedSynapse", lambda *args: built.append(1) or real(*args))
    sim.run(None, RunCommand.PREPARE)
    assert not built                                    # nothing per synapse until read
    state = simulator.state
    plan = mapping.build_network(state)
    for projection in (proj, both):
        placed = projection.placed_connections
        assert all(type(s) is real for p in placed for s in p)
        assert _pairs(placed) == _expected_placement(projection, plan, state.routed[1])
    assert _pairs(proj.placed_connections)[0] == _pairs(proj.placed_connections)[1]   # merged: 80 = 63 + 17
    assert len(proj.placed_connections[0]) == 2 and len(proj.placed_connections[2]) == 2
    count = len(built)
    proj.placed_connections
    assert len(built) == count                          # kept for the routing
    # a weight that needs another synapse: a new routing, whose synapses are read anew
    proj.set(weight=100)
    sim.run(None, RunCommand.PREPARE)
    plan = mapping.build_network(state)
    placed = proj.placed_connections
    assert [len(p) for p in placed] == [4, 4] + [2] * (len(proj) - 2)      # 200 = 63 + 63 + 63 + 11
    assert _pairs(placed) == _expected_placement(proj, plan, state.routed[1])


# -- snippet chips on a shared base ----------------------------------------------------------------

def test_queued_snippets_keep_their_own_neurons_and_the_shared_base_stays_unchanged(sim):
    sim.setup()
    pop = sim.Population(3, sim.cells.HXNeuron(leak_v_leak=400, threshold_enable=True))
    sim.DCSource(amplitude=100, start=0.0, stop=0.005).inject_into(pop[0:1])   # replaces neuron 0
    sim.run(0.01, RunCommand.APPEND)
    pop[1:2].set(leak_v_leak=700)
    sim.run(0.01, RunCommand.APPEND)
    first, second = (s.chip.neuron_block.atomic_neurons for s in simulator.state.snippets)
    atoms = [int(a) for a in pop.atomic_neurons]
    assert [first[a].leak.v_leak for a in atoms] == [400, 400, 400]
    assert [second[a].leak.v_leak for a in atoms] == [400, 700, 400]
    # equal cells share one neuron object (a deep copy of the chip gives each circuit its own,
    # test_equal_cells_send_spikes_of_their_own); the changed cell has its own
    assert first[atoms[1]] is first[atoms[2]] and second[atoms[1]] is not second[atoms[2]]
    assert simulator.preset("default") == lola.Chip()   # the snippets replaced neurons, changed none
    sim.run(None)


def test_equal_cells_send_spikes_of_their_own(sim):
    """Each of three equal firing cells (one AtomicNeuron object in the snippet's chip) gets its
    own event label on the chip: every cell's spikes are its own (when a deep copy of the chip
    kept the object shared, the last label won and all spikes went to the last cell)."""
    sim.setup()
    pop = sim.Population(3, sim.cells.HXNeuron(leak_v_leak=1000, leak_i_bias=300, threshold_v_threshold=300,
                                               threshold_enable=True, reset_v_reset=400, reset_i_bias=1022,
                                               refractory_period_refractory_time=40))
    pop.record("spikes")
    sim.run(0.05)
    trains = pop.get_data("spikes").segments[0].spiketrains
    assert [int(t.annotations["source_index"]) for t in trains] == [0, 1, 2]
    assert all(len(t) >= 3 for t in trains), [len(t) for t in trains]
    # spikes of one cell only would repeat its times in every train
    assert not np.array_equal(trains[0].magnitude, trains[1].magnitude)
    sim.end()


def test_a_user_initial_config_changed_after_a_snippet_reaches_only_later_snippets(sim):
    config = lola.Chip()
    index = _SHARED_CELLS.index(_CELL)
    config.capmem.shared_cells[index] = lola.chip.haldls.CapMemCell(value=100)
    sim.setup(initial_config=config)
    sim.Population(2, sim.cells.HXNeuron())
    sim.run(0.01, RunCommand.APPEND)
    config.capmem.shared_cells[index] = lola.chip.haldls.CapMemCell(value=300)
    sim.run(0.01, RunCommand.APPEND)
    values = [s.chip.capmem.shared_cells[index].value for s in simulator.state.snippets]
    assert values == [100, 300]


def test_neurons_of_equal_parameters_keep_their_circuit_s_own_base_fields(sim):
    config = lola.Chip()
    neuron = config.neuron_block.atomic_neurons[1]
    readout = neuron.readout
    readout.enable_amplifier = True
    neuron.readout = readout
    sim.setup(initial_config=config, neuronPermutation=[0, 1, 2])
    pop = sim.Population(3, sim.cells.HXNeuron(leak_v_leak=500))
    sim.run(None, RunCommand.PREPARE)
    chip = mapping.build_chip(simulator.state, mapping.build_network(simulator.state))
    neurons = [chip.neuron_block.atomic_neurons[a] for a in range(3)]
    assert [n.readout.enable_amplifier for n in neurons] == [False, True, False]
    assert [n.leak.v_leak for n in neurons] == [500, 500, 500]
    pop[2:3].set(leak_v_leak=20)
    chip = mapping.build_chip(simulator.state, mapping.build_network(simulator.state))
    assert [chip.neuron_block.atomic_neurons[a].leak.v_leak for a in range(3)] == [500, 500, 20]


# -- the calibrated base chip ------------------------------------------------------------------------

class _Result:
    """A stand-in for a calix result: ``to_chip`` sets one shared CapMem cell to ``value``."""

    applied = 0

    def __init__(self, value: int) -> None:
        self.value = value

    def to_chip(self, chip: lola.Chip) -> lola.Chip:
        type(self).applied += 1
        out = copy.deepcopy(chip)
        out.capmem.shared_cells[_SHARED_CELLS.index(_CELL)] = lola.chip.haldls.CapMemCell(value=self.value)
        return out


def _cell(chip: lola.Chip) -> int:
    return chip.capmem.shared_cells[_SHARED_CELLS.index(_CELL)].value


def test_the_calibrated_chip_is_kept_for_an_equal_result_on_an_equal_base(sim, monkeypatch):
    monkeypatch.setattr(calibration, "_CHIPS", [])
    monkeypatch.setattr(_Result, "applied", 0)
    sim.setup()
    state = simulator.state
    chip = calibration._base_chip(state, _Result(200), {})
    assert _cell(chip) == 200 and _Result.applied == 1
    sim.setup()                                          # a new simulation, the result again
    assert calibration._base_chip(simulator.state, _Result(200), {}) is chip and _Result.applied == 1
    other = calibration._base_chip(simulator.state, _Result(201), {})       # another result
    assert _cell(other) == 201 and _Result.applied == 2
    # another base: the user's initial_config, then the same object changed in place
    config = lola.Chip()
    config.capmem.shared_cells[0] = lola.chip.haldls.CapMemCell(value=77)
    sim.setup(initial_config=config)
    on_config = calibration._base_chip(simulator.state, _Result(200), {})
    assert on_config is not chip and on_config.capmem.shared_cells[0].value == 77 and _Result.applied == 3
    config.capmem.shared_cells[0] = lola.chip.haldls.CapMemCell(value=78)
    changed = calibration._base_chip(simulator.state, _Result(200), {})
    assert changed.capmem.shared_cells[0].value == 78 and _Result.applied == 4
    sim.setup(enable_neuron_bypass=True)
    bypass = calibration._base_chip(simulator.state, _Result(200), {})
    assert bypass.neuron_block.atomic_neurons[0] == simulator.preset("bypass").neuron_block.atomic_neurons[0]
    assert _Result.applied == 5
    assert len(calibration._CHIPS) == calibration.CHIP_CACHE_SIZE
    sim.setup()                                # the oldest (200 on lola's default) was dropped
    assert calibration._base_chip(simulator.state, _Result(200), {}) is not chip and _Result.applied == 6


def test_presets_are_named(sim):
    with pytest.raises(ValueError, match="preset must be one of \\['bypass', 'default'\\], not 'nope'"):
        simulator.preset("nope")
    assert simulator.preset("default") is simulator.preset("default")


# -- populations are freed ---------------------------------------------------------------------------

def test_a_population_is_freed_once_nothing_refers_to_it(sim):
    import gc
    import weakref

    from pynn_frontend import errors

    sim.setup()
    pop = sim.Population(2, sim.cells.HXNeuron())
    pop.record("spikes")
    sim.run(0.01)
    cell = pop[1]
    assert cell.parent is pop and cell.celltype is pop.celltype
    ref = weakref.ref(pop)
    sim.end()
    sim.setup()                                   # the old simulation's state is gone
    del pop
    gc.collect()
    assert ref() is None                          # its cells referred to it: kept until the process ended
    with pytest.raises(errors.SimulationStateError, match="population of cell 1 no longer exists"):
        cell.parent


def test_merging_connections_sorted_or_not_is_numpy_s_unique():
    import numpy as np

    rng = np.random.default_rng(3)
    for keys in (np.sort(rng.integers(0, 50, 300)), rng.integers(0, 50, 300), np.zeros(0, dtype=np.int64),
                 np.array([7])):
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        got_first, got_inverse = mapping._first_and_inverse(keys)
        assert np.array_equal(got_first, first) and np.array_equal(got_inverse, inverse.ravel())
