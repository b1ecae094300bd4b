"""AtomicNeuronArray: 512 neurons as struct of arrays, derived from the AtomicNeuron declaration."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import halco
import haldls
import lola
import stadls
from lola.errors import LolaTypeError, LolaValueError
from lola.neuron_array import FLAT_FIELDS, AtomicNeuronArray


def test_fields_are_the_flattened_hxneuron_parameters():
    names = AtomicNeuronArray.field_names()
    # the names PyNN's HXNeuron uses (reference pynn_brainscales.md 2.1)
    for name in ("leak_v_leak", "leak_i_bias", "threshold_enable", "excitatory_input_i_bias_tau",
                 "membrane_capacitance_capacitance", "refractory_period_reset_holdoff",
                 "event_routing_analog_output", "bayesian_operation", "constant_current_type"):
        assert name in names
    assert len(names) == sum(len(t.field_specs()) for t in lola.AtomicNeuron.member_types().values())
    schema = AtomicNeuronArray.schema()
    assert list(schema) == list(names)
    assert schema["leak_v_leak"].shape == (512,) and schema["leak_v_leak"].maximum == 1022
    assert schema["bayesian_operation"].type is lola.AtomicNeuron.Bayesian.Operation
    defaults = AtomicNeuronArray()
    assert defaults["refractory_period_reset_holdoff"][0] == 15
    assert defaults["excitatory_input_enable_small_capacitance"].all()


def _random_array(data) -> AtomicNeuronArray:
    array = AtomicNeuronArray()
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    for name, f in FLAT_FIELDS.items():
        if f.spec.kind == "bool":
            array[name] = rng.integers(0, 2, 512).astype(bool)
        elif f.spec.kind == "enum":
            array[name] = rng.choice([int(m) for m in f.spec.enum_type], 512)
        else:
            array[name] = rng.integers(0, f.spec.maximum + 1, 512)
    return array


@settings(max_examples=5, deadline=None)
@given(st.data())
def test_words_are_those_of_the_atomic_neurons(data):
    array = _random_array(data)
    neurons = array.to_atomic_neurons()
    for e in (0, 130, 511):
        words = neurons[e].encode()
        assert np.array_equal(array.encode_neuron_configs([e])[0], words[:6])
        assert np.array_equal(array.capmem_values([e])[0][[halco.CAPMEM_ROW_NAMES[r] for r in
                                                          lola.neuron.CAPMEM_ROWS]], words[6:30])
        assert np.array_equal(array.encode_backend_configs([e])[0], words[30:])
    assert AtomicNeuronArray.from_atomic_neurons(neurons) == array
    assert AtomicNeuronArray.decode(array.encode_neuron_configs(), array.capmem_values(),
                                    array.encode_backend_configs()) == array


def test_write_and_read_back_through_the_emulator():
    array = AtomicNeuronArray()
    array["leak_v_leak"] = np.arange(512) % 1000
    array["event_routing_analog_output"] = lola.AtomicNeuron.EventRouting.AnalogOutputMode.strong
    array.set("bayesian_operation", [1, 3], neurons=[halco.AtomicNeuronOnDLS.from_enum(5), 6])
    builder = stadls.PlaybackProgramBuilder()
    array.write(builder)
    back = AtomicNeuronArray.read(builder)
    single = builder.read(halco.AtomicNeuronOnDLS.from_enum(6))
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, builder.done())
    assert back() == array
    assert single.get() == array.atomic_neuron(6)
    assert single.get().bayesian.operation == lola.AtomicNeuron.Bayesian.Operation.MULLER_C


def test_a_field_restricted_write_writes_only_its_cells():
    array = AtomicNeuronArray()
    builder = stadls.PlaybackProgramBuilder()
    array.write(builder, neurons=[3, 4], fields=["leak_v_leak"])
    addresses = builder.done().instructions["address"]
    cells = [halco.AtomicNeuronOnDLS.from_enum(n).to_capmem_cell_on_dls()[halco.CAPMEM_ROW_NAMES["v_leak"]]
             for n in (3, 4)]
    assert sorted(addresses.tolist()) == sorted(
        haldls.CapMemCell.addresses_array([c.to_enum() for c in cells]).ravel().tolist())


def test_a_dumper_gets_atomic_neurons():
    array = AtomicNeuronArray()
    array["leak_v_leak"] = 321
    dumper = stadls.PlaybackProgramBuilderDumper()
    array.write(dumper, neurons=[7, 8])
    pairs = dumper.done().tolist()
    assert [c for c, _ in pairs] == [halco.AtomicNeuronOnDLS.from_enum(7), halco.AtomicNeuronOnDLS.from_enum(8)]
    assert pairs[0][1].leak.v_leak == 321


def test_bad_values_name_the_field_and_the_neuron():
    array = AtomicNeuronArray()
    values = np.zeros(512, dtype=int)
    values[77] = 1023
    with pytest.raises(LolaValueError, match=r"leak_v_leak = 1023 at neuron 77 is out of range \[0, 1022\]"):
        array["leak_v_leak"] = values
    with pytest.raises(LolaValueError, match="at neuron 9 is not a whole number"):
        array.set("leak_i_bias", [1.5], neurons=[9])
    with pytest.raises(LolaTypeError, match="must be bool"):
        array["threshold_enable"] = 1
    with pytest.raises(LolaValueError, match="is not one of"):
        array["bayesian_operation"] = 7
    with pytest.raises(LolaValueError, match="has no field 'leak_v_lek'"):
        array["leak_v_lek"] = 3
    with pytest.raises(LolaValueError, match="3 values for 2 neurons"):
        array.set("leak_v_leak", [1, 2, 3], neurons=[0, 1])
    with pytest.raises(LolaValueError, match="given twice"):
        array.set("leak_v_leak", 1, neurons=[4, 4])
    with pytest.raises(LolaTypeError, match="AtomicNeuronOnDLS"):
        array.set("leak_v_leak", 1, neurons=[halco.NeuronColumnOnDLS(3)])
    assert (array["leak_v_leak"] == 0).all()          # nothing changed on an error
    with pytest.raises(ValueError):
        array["leak_v_leak"][0] = 5                   # the views are read-only


def test_decode_refuses_a_capmem_value_that_disables_the_refresh():
    array = AtomicNeuronArray()
    capmem = array.capmem_values()
    capmem[12, 0] = 1023
    with pytest.raises(LolaValueError, match="out of range"):
        AtomicNeuronArray.decode(array.encode_neuron_configs(), capmem, array.encode_backend_configs())


@settings(max_examples=20, deadline=None)
@given(st.lists(lola.AtomicNeuron.strategy(), min_size=1, max_size=4))
def test_the_vectorized_encoder_gives_each_neurons_words(neurons):
    words = lola.AtomicNeuron.encode_many(neurons)
    assert words.shape == (len(neurons), 34)
    for row, neuron in zip(words, neurons):
        assert np.array_equal(row, neuron.encode())


def test_a_deep_copy_of_a_neuron_is_equal_and_independent():
    import copy

    neuron = lola.AtomicNeuron()
    neuron.leak.v_leak = 500
    twin = copy.deepcopy(neuron)
    assert twin == neuron and twin.leak is not neuron.leak
    twin.leak.v_leak = 7
    assert neuron.leak.v_leak == 500
    with pytest.raises(LolaValueError):
        twin.leak.v_leak = 5000                     # the copy still validates
    chip = lola.Chip()
    copied = copy.deepcopy(chip)
    copied.neuron_block.atomic_neurons[3].threshold.enable = True
    assert not chip.neuron_block.atomic_neurons[3].threshold.enable
