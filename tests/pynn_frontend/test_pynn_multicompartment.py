"""Multi-compartment neurons (reference pynn_brainscales.md section 5): create_mc_neuron and
Compartment validation, labels, per-circuit parameters and their precedence, placement on the
chip, the compartment a projection reaches (location_selector), recording per compartment
(locations), and the compartment-chain tutorial (examples/pynn/multicompartment.py: the EPSP
largest at the injection site, attenuated along the chain, less so with a larger conductance)."""

from __future__ import annotations

import numpy as np
import pytest
from pyNN import errors as pynn_errors

import lola
from pynn_frontend import RunCommand, mapping, simulator
from pynn_frontend.errors import PlacementError
from pynn_frontend.morphology import (
    Compartment, McCircuitParameters, McNeuronBase, MorphologyError, SharedLineConnection, create_mc_neuron,
)
from _pynn_helpers import LOT, bio, cadc_chip, example, sim  # noqa: F401

C = Compartment
CHAIN = example("multicompartment")


@pytest.fixture(scope="module")
def chain() -> type:
    return CHAIN.chain_type()


def _two(**extra) -> type:
    """A soma of two circuits (its second on the shared line through a conductance) and a
    one-circuit dendrite on the line by a switch."""
    return create_mc_neuron("Two", compartments=[
        C(positions=[0, 1], label="soma", connect_conductance=[(1, 300)], leak_v_leak=[700, 710]),
        C(positions=[2], label="dend", connect_shared_line=[2])],
        connections=[SharedLineConnection(1, 2, 0)], **extra)


# -- building the type ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    (dict(positions=[0, 0]), "non-unique"),
    (dict(positions=[0.5]), "ints"),
    (dict(positions=5), "sequence of ints"),
    (dict(positions=[0, 1], connect_shared_line=[2]), "not in positions"),
    (dict(positions=[0, 1], connect_conductance=[1]), r"\(position, conductance\) tuples"),
    (dict(positions=[0, 1], connect_conductance=[(1,)]), r"\(position, conductance\) tuples"),
    (dict(positions=[0, 1], connect_conductance=[(3, 100)]), "not in positions"),
    (dict(positions=[0, 1], label=3), "label must be a string"),
])
def test_compartment_validation_raises_type_error(kwargs, match):
    with pytest.raises(TypeError, match=match):
        C(**kwargs)


def test_positions_must_lie_on_the_pattern_grid():
    with pytest.raises(ValueError, match="0..255"):
        C(positions=[256])


@pytest.mark.parametrize("kwargs, match", [
    (dict(compartments=5), "sequence of Compartment"),
    (dict(compartments=[1]), "is a int, not a Compartment"),
    (dict(compartments=[C(positions=[0])], connections=[(0, 1, 0)]), "not a SharedLineConnection"),
    (dict(compartments=[C(positions=[0])], connections=3), "sequence of SharedLineConnection"),
    (dict(compartments=[C(positions=[0])], single_active_circuit=1), "bool"),
])
def test_create_mc_neuron_type_errors(kwargs, match):
    with pytest.raises(TypeError, match=match):
        create_mc_neuron("Bad", **kwargs)


@pytest.mark.parametrize("compartments, match", [
    ([C(positions=[0, 1])], None),                                            # valid: one compartment
    ([C(positions=[0, 1]), C(positions=[3])], "not contiguous"),              # no connection between them
    ([C(positions=[0, 1]), C(positions=[1, 2])], "already belong"),           # a circuit in two compartments
    ([C(positions=[0, 2])], "not contiguous"),                                # a gap inside a compartment
    ([C(positions=[0, 1], connect_shared_line=[1], connect_conductance=[(1, 100)])], "directly and through"),
])
def test_invalid_morphologies_raise_runtime_error(compartments, match):
    if match is None:
        assert issubclass(create_mc_neuron("Fine", compartments=compartments), McNeuronBase)
        return
    with pytest.raises(RuntimeError, match=match) as info:
        create_mc_neuron("Bad", compartments=compartments)
    assert isinstance(info.value, MorphologyError)


def test_shared_line_with_two_switch_connections_joins_the_compartments():
    """Two compartments directly on the line (no conductance) would be one membrane: lola
    refuses the morphology."""
    with pytest.raises(MorphologyError, match="larger than on construction"):
        create_mc_neuron("Bad", compartments=[C(positions=[0], connect_shared_line=[0]),
                                              C(positions=[1], connect_shared_line=[1])],
                         connections=[SharedLineConnection(0, 1, 0)])


def test_labels(chain):
    assert chain.get_labels() == ["comp_0", "comp_1", "comp_2", "comp_3"]
    assert chain.get_label(2) == "comp_2"
    assert [c.value() for c in chain.get_compartment_ids(["comp_3", "comp_1"])] == [3, 1]
    with pytest.raises(KeyError, match="no compartment 7"):
        chain.get_label(7)
    with pytest.raises(ValueError, match="no compartment labelled 'nope'"):
        chain.get_compartment_ids(["nope"])
    assert chain.__name__ == "CompartmentChain" and issubclass(chain, McNeuronBase)


# -- parameters -------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 5])
def test_default_parameters_per_compartment_and_circuit(sim, chain, size):
    """Lola's defaults, the conductances as multicompartment_i_bias_nmda of their circuits and
    single_active_circuit's settings of every circuit but a compartment's first."""
    sim.setup()
    pop = sim.Population(size, chain())
    nmda = pop.get("multicompartment_i_bias_nmda")
    assert isinstance(nmda, McCircuitParameters)
    assert nmda == McCircuitParameters([[0, 200], [0, 200], [0, 200], [0, 0]])
    assert pop.get("membrane_capacitance_capacitance") == McCircuitParameters([[0, 0]] * 4)
    assert pop.get("leak_enable_division") == McCircuitParameters([[False, True]] * 4)
    built = chain(leak_i_bias=300, membrane_capacitance_capacitance=63, threshold_enable=True)
    pop = sim.Population(size, built)
    assert pop.get("leak_i_bias") == McCircuitParameters([[300, 0]] * 4)
    assert pop.get("membrane_capacitance_capacitance") == McCircuitParameters([[63, 0]] * 4)
    assert pop.get("threshold_enable") == McCircuitParameters([[True, False]] * 4)


def test_set_and_get_per_cell_compartment_and_circuit(sim, chain):
    sim.setup()
    pop = sim.Population(2, chain())
    pop.set(leak_v_leak=McCircuitParameters([500, [600, 610], 700, 800]))
    assert pop.get("leak_v_leak") == McCircuitParameters([[500, 500], [600, 610], [700, 700], [800, 800]])
    pop[1:2].set(leak_v_leak=300)
    per_cell = pop.get("leak_v_leak")
    assert len(per_cell) == 2 and per_cell[1] == McCircuitParameters([[300, 300]] * 4)
    assert pop[0:1].get("leak_v_leak") == McCircuitParameters([[500, 500], [600, 610], [700, 700], [800, 800]])
    pop.set(multicompartment_i_bias_nmda=500)            # the tutorial's conductance sweep
    assert pop.get("multicompartment_i_bias_nmda") == McCircuitParameters([[500, 500]] * 4)


@pytest.mark.parametrize("value, error, match", [
    (McCircuitParameters([1, 2]), pynn_errors.InvalidParameterValueError, "4 compartments with"),
    (McCircuitParameters([1, [1, 2, 3], 3, 4]), pynn_errors.InvalidParameterValueError, "compartment 1 has 2"),
    (1023, pynn_errors.InvalidParameterValueError, r"outside the hardware range \[0, 1022\]"),
])
def test_bad_values_name_the_parameter(sim, chain, value, error, match):
    sim.setup()
    pop = sim.Population(1, chain())
    with pytest.raises(error, match=match):
        pop.set(leak_v_leak=value)
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="threshold_enable is a flag"):
        pop.set(threshold_enable=2)


def test_morphology_switches_and_backend_fields_are_not_parameters(chain):
    for name in ("multicompartment_connect_soma", "multicompartment_enable_conductance", "readout_source"):
        with pytest.raises(pynn_errors.NonExistentParameterError, match=name):
            chain(**{name: 1})
    assert "multicompartment_i_bias_nmda" in chain.get_parameter_names()
    assert "multicompartment_connect_right" not in chain.get_parameter_names()


def test_bad_compartment_parameters_raise_when_the_type_is_made():
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="leak_i_bias of compartment 0"):
        create_mc_neuron("Bad", compartments=[C(positions=[0, 1], leak_i_bias=2000)])
    with pytest.raises(pynn_errors.InvalidParameterValueError, match="one value for its 2 circuits"):
        create_mc_neuron("Bad", compartments=[C(positions=[0, 1], leak_i_bias=[1, 2, 3])])
    with pytest.raises(pynn_errors.NonExistentParameterError, match="bogus"):
        create_mc_neuron("Bad", compartments=[C(positions=[0, 1], bogus=1)])


def test_initial_config_precedence(sim):
    """calibration < the compartments' parameters < the constructor's; before the first
    mapping the parameters cannot be read."""
    chip = lola.Chip()
    for atom in range(6):
        neuron = chip.neuron_block.atomic_neurons[atom]
        neuron.leak.v_leak, neuron.leak.i_bias = 500 + atom, 300 + atom
        chip.neuron_block.atomic_neurons[atom] = neuron
    sim.setup(initial_config=chip)
    pop = sim.Population(2, _two()(leak_i_bias=222))
    with pytest.raises(RuntimeError, match="initial config is not yet applied"):
        pop.get("leak_v_leak")
    sim.run(None, RunCommand.PREPARE)
    assert pop.atomic_neurons.tolist() == [[0, 1, 2], [3, 4, 5]]
    v_leak = pop.get("leak_v_leak")
    assert v_leak[0] == McCircuitParameters([[700, 710], [502]]) and v_leak[1] == McCircuitParameters([[700, 710], [505]])
    assert pop.get("leak_i_bias") == McCircuitParameters([[222, 222], [222]])
    assert pop.get("multicompartment_i_bias_nmda") == McCircuitParameters([[0, 300], [0]])


# -- placement and the chip configuration --------------------------------------------------------------

def test_placement_next_to_point_neurons(sim, chain):
    sim.setup()
    first = sim.Population(1, sim.cells.HXNeuron())
    chains = sim.Population(2, chain())
    last = sim.Population(1, sim.cells.HXNeuron())
    assert first.atomic_neurons.tolist() == [0]
    assert chains.atomic_neurons.tolist() == [list(range(1, 9)), list(range(9, 17))]
    assert last.atomic_neurons.tolist() == [17]


def test_placement_follows_the_permutation_and_never_crosses_the_half(sim, chain):
    sim.setup(neuronPermutation=list(range(124, 140)) + [300])
    point = sim.Population(1, sim.cells.HXNeuron())
    placed = sim.Population(1, chain())          # 125..132 would cross the 127/128 boundary
    assert point.atomic_neurons.tolist() == [124]
    assert placed.atomic_neurons.tolist() == [list(range(128, 136))]
    assert sim.Population(1, sim.cells.HXNeuron()).atomic_neurons.tolist() == [125]


def test_morphologies_that_do_not_fit_raise_and_take_nothing(sim, chain):
    sim.setup()
    with pytest.raises(PlacementError, match="does not fit"):
        sim.Population(65, chain())              # 520 circuits
    assert simulator.state.placement.used == 0
    sim.setup(neuronPermutation=[0, 1, 2, 3, 5, 6, 7, 8])
    with pytest.raises(PlacementError, match="no free place"):
        sim.Population(1, chain())               # 8 circuits, but not 8 neighbours
    assert sim.Population(2, sim.cells.HXNeuron()).atomic_neurons.tolist() == [0, 1]


def test_chip_configuration_of_the_placed_circuits(sim, chain):
    """The morphology's switches at the placed circuits, the parameters per circuit, the
    recorded compartment's readout."""
    sim.setup()
    sim.Population(1, sim.cells.HXNeuron())
    pop = sim.Population(1, chain(leak_i_bias=555))
    pop.set(leak_v_leak=McCircuitParameters([500, [600, 610], 700, 800]))
    pop.record("v", locations=["comp_2"], device="madc")
    state = simulator.state
    plan = mapping.build_network(state)
    neurons = mapping.build_chip(state, plan).neuron_block.atomic_neurons
    mc = [neurons[a].multicompartment for a in range(1, 9)]
    assert [m.connect_right for m in mc] == [True, False] * 4
    assert [m.enable_conductance for m in mc] == [False, True, False, True, False, True, False, False]
    assert [m.connect_soma for m in mc] == [False, False, True, False, True, False, True, False]
    assert [m.connect_soma_right for m in mc] == [False, True, False, True, False, True, False, False]
    assert [m.i_bias_nmda for m in mc] == [0, 200, 0, 200, 0, 200, 0, 0]
    assert [neurons[a].leak.v_leak for a in range(1, 9)] == [500, 500, 600, 610, 700, 700, 800, 800]
    assert [neurons[a].leak.i_bias for a in range(1, 9)] == [555, 0] * 4
    assert [s.atom for s in plan.sites] == [5] and neurons[5].readout.source == lola.AtomicNeuron.Readout.Source.membrane
    normal = lola.AtomicNeuron.EventRouting.AnalogOutputMode.normal
    assert all(neurons[a].event_routing.analog_output == normal for a in range(1, 9))


def test_multi_compartment_cells_are_hardware_units_only(bio, chain):
    bio.setup()
    with pytest.raises(TypeError, match="pynn_frontend.biological"):
        bio.Population(1, chain())


# -- projections ---------------------------------------------------------------------------------

def test_location_selector_chooses_the_postsynaptic_compartment(sim, chain):
    sim.setup()
    pop = sim.Population(2, chain())
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[0.01]))
    proj = sim.Projection(source, pop, sim.AllToAllConnector(location_selector="comp_2"), sim.StaticSynapse(weight=5))
    default = sim.Projection(source, pop, sim.OneToOneConnector(), sim.StaticSynapse(weight=7))
    network = mapping.build_network(simulator.state).network
    projections = next(iter(network.execution_instances.values())).projections
    assert [p.connections["compartment_post"].tolist() for p in projections] == [[2, 2, 2, 2], [0, 0]]
    assert len(proj) == 4 and len(default) == 2


def test_bad_selectors_raise_value_error(sim, chain):
    sim.setup()
    pop = sim.Population(1, chain())
    point = sim.Population(1, sim.cells.HXNeuron())
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.01]))
    with pytest.raises(ValueError, match="no compartment labelled 'nope'"):
        sim.Projection(source, pop, sim.AllToAllConnector(location_selector="nope"))
    with pytest.raises(ValueError, match="point neurons"):
        sim.Projection(source, point, sim.AllToAllConnector(location_selector="comp_0"))
    with pytest.raises(ValueError, match="point neurons"):
        sim.Projection(source, pop, sim.AllToAllConnector(source_location_selector="comp_0"))
    twice = create_mc_neuron("Twice", compartments=[C(positions=[0], label="x", connect_conductance=[(0, 10)]),
                                                    C(positions=[1], label="x", connect_shared_line=[1])],
                             connections=[SharedLineConnection(0, 1, 0)])
    with pytest.raises(ValueError, match="matches compartments"):
        sim.Projection(source, sim.Population(1, twice()), sim.AllToAllConnector(location_selector="x"))


def test_source_location_selector_picks_the_spiking_compartment(sim):
    """A multi-compartment cell as the source: the chosen compartment's spikes are relayed."""
    sim.setup()
    spiky = create_mc_neuron("Spiky", compartments=[
        C(positions=[0], label="quiet", connect_conductance=[(0, 0)]),
        C(positions=[1], label="loud", connect_shared_line=[1], **LOT)], connections=[SharedLineConnection(0, 1, 0)])
    pre = sim.Population(1, spiky())
    proj = sim.Projection(pre, sim.Population(1, sim.cells.HXNeuron()),
                          sim.AllToAllConnector(source_location_selector="loud"), sim.StaticSynapse(weight=10))
    network = mapping.build_network(simulator.state).network
    connections = next(iter(network.execution_instances.values())).projections[0].connections
    assert connections["compartment_pre"].tolist() == [1] and proj._compartments == (1, 0)


# -- recording ---------------------------------------------------------------------------------------

def test_recording_locations_errors(sim, chain):
    sim.setup()
    pop = sim.Population(2, chain())
    point = sim.Population(1, sim.cells.HXNeuron())
    with pytest.raises(ValueError, match="no compartment labelled 'nope'"):
        pop.record("v", locations=["nope"])
    with pytest.raises(ValueError, match="no compartments"):
        point.record("v", locations=["comp_0"])
    pop[0:1].record("v", locations=["comp_0", "comp_1"])
    with pytest.raises(ValueError, match="at most two neurons via MADC"):
        pop[1:2].record("v", locations=["comp_0"])


def test_madc_records_two_compartments_of_one_cell(sim, chain):
    """Both compartments start in even columns; the second is read at its odd circuit (the
    MADC's channels take columns of different parity); each signal carries its label."""
    sim.setup()
    pop = sim.Population(1, chain(**CHAIN.NEURON))
    source = sim.Population(10, sim.SpikeSourceArray(spike_times=[0.01]))
    sim.Projection(source, pop, sim.AllToAllConnector(location_selector="comp_1"), sim.StaticSynapse(weight=63))
    pop.record("v", locations=["comp_0", "comp_1"])
    sim.run(0.04)
    assert [(s.atom, s.circuit) for s in mapping.build_network(simulator.state).sites] == [(0, 0), (3, 1)]
    signals = pop.get_data().segments[0].irregularlysampledsignals
    assert [s.annotations["source_locations"] for s in signals] == [["comp_0"], ["comp_1"]]
    assert [s.annotations["source_compartments"] for s in signals] == [[0], [1]]
    rises = [float(s.magnitude[s.times.magnitude > 0.01].max() - s.magnitude[s.times.magnitude < 0.01].mean())
             for s in signals]
    assert rises[1] > rises[0] > 10                              # the input's compartment first
    only = pop.get_data(locations=["comp_1"]).segments[0].irregularlysampledsignals
    assert [s.annotations["source_locations"] for s in only] == [["comp_1"]]


def test_cadc_records_every_compartment_at_once(sim, chain):
    """pb2/examples/multicompartment.py: every compartment via the CADC in one run; the EPSP
    is largest where the input arrives."""
    sim.setup(initial_config=cadc_chip())
    pop = sim.Population(1, chain(**CHAIN.NEURON))
    source = sim.Population(5, sim.SpikeSourceArray(spike_times=[0.02]))
    sim.Projection(source, pop, sim.AllToAllConnector(location_selector="comp_2"), sim.StaticSynapse(weight=40))
    pop.record("v", locations=[f"comp_{n}" for n in range(4)], device="cadc")
    sim.run(0.06)
    signals = pop.get_data().segments[0].irregularlysampledsignals
    assert [s.annotations["source_locations"][0] for s in signals] == [f"comp_{n}" for n in range(4)]
    assert all(s.annotations["device"] == "cadc" and len(s) > 20 for s in signals)
    rises = [float(s.magnitude[s.times.magnitude > 0.02].max() - s.magnitude[s.times.magnitude < 0.02].mean())
             for s in signals]
    assert int(np.argmax(rises)) == 2


def test_spikes_per_compartment(sim):
    """Spikes are recorded per compartment (default: the first); trains carry their label."""
    spiky = create_mc_neuron("Spiky", compartments=[
        C(positions=[0], label="quiet", connect_conductance=[(0, 0)]),
        C(positions=[1], label="loud", connect_shared_line=[1], **LOT)], connections=[SharedLineConnection(0, 1, 0)])
    sim.setup()
    pop = sim.Population(1, spiky())
    pop.record("spikes", locations=["quiet", "loud"])
    sim.run(0.05)
    trains = pop.get_data().segments[0].spiketrains
    assert [(t.annotations["source_location"], t.annotations["source_compartment"]) for t in trains] == \
        [("quiet", 0), ("loud", 1)]
    assert len(trains[0]) == 0 and len(trains[1]) >= 2
    assert pop.get_spike_counts() == {int(pop[0]): len(trains[1])}
    sim.reset()
    pop.record(None)
    pop.record("spikes")                                         # the first compartment only
    sim.run(0.05)
    assert [t.annotations["source_location"] for t in pop.get_data().segments[-1].spiketrains] == ["quiet"]


# -- the tutorial ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tutorial(tmp_path_factory):
    path = tmp_path_factory.mktemp("multicompartment") / "multicompartment.png"
    results = CHAIN.main(path)
    assert path.stat().st_size > 10_000
    return results


def test_epsp_largest_at_the_injection_site_and_attenuated_along_the_chain(tutorial):
    """common_task_multicompartment / hw test: the EPSP is largest where the input arrives
    (argmax on the diagonal) and decays with the distance from it, in both directions."""
    for g, heights in tutorial["epsps"].items():
        n = len(heights)
        assert np.array_equal(np.argmax(heights, axis=1), np.arange(n)), (g, heights)
        for i in range(n):
            assert np.all(np.diff(heights[i, i:]) < 0) and np.all(np.diff(heights[i, :i + 1]) > 0), (g, heights)
        assert heights.min() > 5                                   # every compartment sees every input


def test_larger_conductance_attenuates_less(tutorial):
    low, high = (tutorial["epsps"][g] for g in sorted(tutorial["conductances"]))
    n = len(low)
    for i in range(n):
        far = 0 if i >= n / 2 else n - 1
        assert high[i, far] / high[i, i] > 1.5 * low[i, far] / low[i, i]


def test_plastic_synapses_onto_compartments_are_refused(sim, chain):
    sim.setup()
    pop = sim.Population(1, chain())
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.01]))
    rule = sim.PlasticityRule(sim.Timer(start=0.005, period=0.1, num_periods=1))
    sim.Projection(source, pop, sim.AllToAllConnector(location_selector="comp_1"),
                   sim.PlasticSynapse(weight=10, plasticity_rule=rule))
    with pytest.raises(NotImplementedError, match="plasticity rules on the synapses of multi-compartment"):
        sim.run(None, RunCommand.PREPARE)
