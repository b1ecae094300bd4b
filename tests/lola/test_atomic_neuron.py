"""lola.AtomicNeuron: fields and validation, the mapping to haldls, the wire order, the chip."""

from __future__ import annotations

import copy
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import halco
import haldls
import lola
import stadls
from haldls import wire
from haldls.errors import CoordinateMismatchError
from lola.errors import LolaError, LolaTypeError, LolaValueError

AN = lola.AtomicNeuron
COORD = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(130), halco.NeuronRowOnDLS(1))

#: the reference visit order of the 24 CapMem cells, as halco row names
REFERENCE_CAPMEM_ORDER = [
    "i_bias_synin_exc_tau", "i_bias_synin_exc_coba", "i_bias_synin_exc_shift", "i_bias_synin_exc_gm",
    "e_synin_exc_rev",
    "i_bias_synin_inh_tau", "i_bias_synin_inh_coba", "i_bias_synin_inh_shift", "i_bias_synin_inh_gm",
    "e_synin_inh_rev",
    "v_leak", "i_bias_leak", "v_reset", "i_bias_reset", "v_threshold", "i_mem_offset",
    "v_adapt_leak", "i_bias_adapt_tau", "i_bias_adapt_a", "i_bias_adapt_b", "v_adapt_ref",
    "v_exp", "i_bias_exp", "i_bias_nmda",
]


def capmem_cell(coord: halco.AtomicNeuronOnDLS, row: str) -> halco.CapMemCellOnDLS:
    return halco.CapMemCellOnDLS(
        halco.CapMemCellOnCapMemBlock(coord.to_capmem_column_on_capmem_block(),
                                      halco.CapMemRowOnCapMemBlock(halco.CAPMEM_ROW_NAMES[row])),
        coord.to_capmem_block_on_dls())


def configured_neuron() -> lola.AtomicNeuron:
    neuron = AN()
    neuron.leak.v_leak = 650
    neuron.leak.i_bias = 420
    neuron.leak.enable_division = True
    neuron.excitatory_input.i_bias_tau = 11
    neuron.inhibitory_input.v_rev_coba = 1022
    neuron.adaptation.v_leak = 7
    neuron.constant_current.type = AN.ConstantCurrent.Type.sink
    neuron.event_routing = AN.EventRouting.enabled()
    neuron.event_routing.address = 0xA5
    neuron.bayesian.operation = AN.Bayesian.Operation.XNOR
    neuron.refractory_period.refractory_time = 77
    neuron.readout.source = AN.Readout.Source.adaptation
    neuron.membrane_capacitance.capacitance = 42
    neuron.multicompartment.i_bias_nmda = 500
    return neuron


@pytest.fixture
def lola_reads(monkeypatch):
    """Until stadls looks lola containers up itself: let builder.read find AtomicNeuron."""
    monkeypatch.setattr(stadls.builder, "_container_type_for_read", lola.container_for)


# -- fields, defaults, value semantics -----------------------------------------------------------

def test_seed_example():
    neuron = lola.AtomicNeuron()
    neuron.leak.v_leak = 650
    neuron.leak.i_bias = 420
    neuron.leak.enable_division = True
    assert (neuron.leak.v_leak, neuron.leak.i_bias, neuron.leak.enable_division) == (650, 420, True)
    assert neuron.capmem_values()["v_leak"] == 650
    assert neuron.as_neuron_config().enable_leak_division


def test_members_and_fields_are_those_of_the_reference():
    synin = ["enable", "i_bias_tau", "i_bias_coba", "i_shift_reference", "i_bias_gm", "v_rev_coba",
             "enable_small_capacitance", "enable_high_resistance", "enable_coba_mode"]
    expected = {
        "excitatory_input": synin, "inhibitory_input": synin,
        "leak": ["v_leak", "i_bias", "enable_degeneration", "enable_division", "enable_multiplication"],
        "reset": ["v_reset", "i_bias", "enable_degeneration", "enable_division", "enable_multiplication"],
        "threshold": ["enable", "v_threshold"],
        "multicompartment": ["connect_soma", "connect_soma_right", "connect_right", "connect_vertical",
                             "enable_conductance", "enable_conductance_division",
                             "enable_conductance_multiplication", "i_bias_nmda"],
        "constant_current": ["enable", "i_offset", "type"],
        "membrane_capacitance": ["capacitance"],
        "adaptation": ["enable", "enable_pulse", "invert_a", "invert_b", "v_ref", "i_bias_tau",
                       "i_bias_a", "i_bias_b", "v_leak"],
        "exponential": ["enable", "v_exp", "i_bias"],
        "event_routing": ["analog_output", "enable_digital", "enable_bypass_excitatory",
                          "enable_bypass_inhibitory", "address", "enable_post_overwrite"],
        "readout": ["enable_buffered_access", "enable_amplifier", "enable_unbuffered_access", "source"],
        "refractory_period": ["input_clock", "reset_holdoff", "refractory_time", "enable_pause"],
        "bayesian": ["to_post_pulse", "operation", "connect_fire_vertical", "connect_fire_to_right",
                     "connect_fire_from_right", "enable_master", "enable_slave"],
    }
    got = {name: list(t.field_specs()) for name, t in AN.member_types().items()}
    assert got == expected
    # the 70 HXNeuron circuit parameters plus the 5 that PyNN does not let users configure
    assert sum(map(len, got.values())) == 70 + 5
    assert AN.member_types()["leak"] is AN.Leak and AN.member_types()["excitatory_input"] is AN.SynapticInput
    assert [m.name for m in AN.ConstantCurrent.Type] == ["source", "sink"]
    assert [m.name for m in AN.EventRouting.AnalogOutputMode] == ["off", "normal", "strong"]
    assert [m.name for m in AN.Bayesian.Operation] == ["local", "AND", "XNOR", "MULLER_C"]
    assert [m.name for m in AN.Readout.Source] == ["membrane", "exc_synin", "inh_synin", "adaptation"]


def test_defaults_are_zero_except_the_documented_ones():
    neuron = AN()
    non_default = {}
    for member in AN.member_types():
        for field, value in attrs_values(getattr(neuron, member)).items():
            if value not in (0, False):
                non_default[f"{member}.{field}"] = value
    assert non_default == {"excitatory_input.enable_small_capacitance": True,
                           "inhibitory_input.enable_small_capacitance": True,
                           "bayesian.to_post_pulse": True,
                           "refractory_period.reset_holdoff": 15}


def attrs_values(member) -> dict:
    return {name: getattr(member, name) for name in type(member).field_specs()}


def test_docstrings_state_ranges():
    assert "v_leak: CapMem value, int in [0, 1022], default 0" in AN.Leak.__doc__
    assert "capacitance: int in [0, 63], default 0" in AN.MembraneCapacitance.__doc__
    assert "reset_holdoff: int in [0, 15], default 15" in AN.RefractoryPeriod.__doc__
    assert "source=0, sink=1" in AN.ConstantCurrent.__doc__


def test_member_assignment_copies_value_semantics():
    leak = AN.Leak(v_leak=100)
    neuron = AN(leak=leak)
    leak.v_leak = 200
    assert neuron.leak.v_leak == 100
    neuron.leak = leak
    leak.v_leak = 300
    assert neuron.leak.v_leak == 200
    neuron.inhibitory_input = neuron.excitatory_input
    neuron.inhibitory_input.i_bias_gm = 5
    assert neuron.excitatory_input.i_bias_gm == 0


def test_event_routing_presets():
    ER = AN.EventRouting
    assert ER.disabled() == ER()
    assert ER.enabled() == ER(analog_output=ER.AnalogOutputMode.normal, enable_digital=True)
    assert ER.bypass_exc().enable_bypass_excitatory and not ER.bypass_exc().enable_bypass_inhibitory
    assert ER.bypass_inh().enable_bypass_inhibitory and ER.bypass_inh().enable_digital
    assert ER.enabled() is not ER.enabled()


def test_numpy_scalars_and_enum_ints_are_accepted():
    neuron = AN()
    neuron.leak.v_leak = np.int64(12)
    neuron.leak.enable_division = np.bool_(True)
    neuron.bayesian.operation = 3
    assert type(neuron.leak.v_leak) is int and neuron.leak.enable_division is True
    assert neuron.bayesian.operation is AN.Bayesian.Operation.MULLER_C


# -- validation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("member, field, value, message", [
    ("leak", "v_leak", 1023, "leak.v_leak = 1023 is out of range [0, 1022]"),
    ("leak", "i_bias", -1, "leak.i_bias = -1 is out of range [0, 1022]"),
    ("excitatory_input", "i_bias_tau", 5000, "excitatory_input.i_bias_tau = 5000 is out of range [0, 1022]"),
    ("inhibitory_input", "v_rev_coba", 1023, "inhibitory_input.v_rev_coba = 1023 is out of range [0, 1022]"),
    ("membrane_capacitance", "capacitance", 64, "membrane_capacitance.capacitance = 64 is out of range [0, 63]"),
    ("refractory_period", "reset_holdoff", 16, "refractory_period.reset_holdoff = 16 is out of range [0, 15]"),
    ("refractory_period", "input_clock", 2, "refractory_period.input_clock = 2 is out of range [0, 1]"),
    ("event_routing", "address", 256, "event_routing.address = 256 is out of range [0, 255]"),
    ("bayesian", "operation", 4, "bayesian.operation = 4 is not one of local=0, AND=1, XNOR=2, MULLER_C=3"),
])
def test_out_of_range_assignment_raises_naming_field_value_and_range(member, field, value, message):
    neuron = AN()
    before = copy.deepcopy(neuron)
    with pytest.raises(LolaValueError, match=re.escape(message)) as info:
        setattr(getattr(neuron, member), field, value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, LolaError)
    assert neuron == before


def test_out_of_range_construction_raises():
    with pytest.raises(LolaValueError, match=re.escape("leak.v_leak = 1023 is out of range [0, 1022]")):
        AN.Leak(v_leak=1023)
    with pytest.raises(LolaValueError, match=re.escape("threshold.v_threshold = 2000")):
        AN(threshold=AN.Threshold(v_threshold=2000))


@pytest.mark.parametrize("member, field, value", [
    ("leak", "v_leak", 650.0), ("leak", "v_leak", "650"), ("leak", "v_leak", True),
    ("leak", "enable_division", 1), ("leak", "enable_division", "yes"), ("leak", "enable_division", None),
    ("constant_current", "type", "sink"), ("bayesian", "operation", 1.0),
    ("readout", "source", AN.Bayesian.Operation.AND),
])
def test_wrong_type_raises_type_error(member, field, value):
    with pytest.raises(LolaTypeError, match=re.escape(f"{member}.{field} must be")) as info:
        setattr(getattr(AN(), member), field, value)
    assert isinstance(info.value, TypeError)
    with pytest.raises(TypeError):
        getattr(AN, type(getattr(AN(), member)).__name__)(**{field: value})


def test_assigning_a_member_of_the_wrong_type_raises():
    neuron = AN()
    with pytest.raises(LolaTypeError, match=r"AtomicNeuron.leak must be an AtomicNeuron.Leak, got AtomicNeuron.Reset"):
        neuron.leak = AN.Reset()
    with pytest.raises(LolaTypeError, match="AtomicNeuron.threshold"):
        neuron.threshold = 5
    with pytest.raises(TypeError):
        AN(readout=AN.Leak())


def test_error_names_the_member_a_shared_type_is_attached_as():
    neuron = AN()
    with pytest.raises(LolaValueError, match=r"^inhibitory_input\.i_bias_gm = 1023"):
        neuron.inhibitory_input.i_bias_gm = 1023
    with pytest.raises(LolaValueError, match=r"^synaptic_input\.i_bias_gm = 1023"):
        AN.SynapticInput(i_bias_gm=1023)


# -- mapping to haldls ----------------------------------------------------------------------------

@given(AN.strategy())
def test_round_trip_through_haldls_is_identity(neuron):
    config, backend, capmem = neuron.as_neuron_config(), neuron.as_neuron_backend_config(), neuron.capmem_values()
    assert isinstance(config, haldls.NeuronConfig) and isinstance(backend, haldls.NeuronBackendConfig)
    assert list(capmem) == REFERENCE_CAPMEM_ORDER
    back = AN()
    back.set_from(neuron_config=config, backend_config=backend, capmem=capmem)
    assert back == neuron


@given(haldls.NeuronConfig.strategy(), haldls.NeuronBackendConfig.strategy())
def test_haldls_to_lola_to_haldls_is_identity_except_strong_fire_without_fire(config, backend):
    neuron = AN()
    neuron.set_from(config, backend)
    assert neuron.as_neuron_backend_config() == backend
    expected = copy.deepcopy(config)
    if not config.enable_fire:       # the chosen inverse: no fire signal means analog_output off
        expected.enable_strong_fire = False
    assert neuron.as_neuron_config() == expected


@pytest.mark.parametrize("fire, strong, mode", [
    (False, False, "off"), (True, False, "normal"), (True, True, "strong"), (False, True, "off"),
])
def test_analog_output_inverse(fire, strong, mode):
    neuron = AN()
    neuron.set_from(neuron_config=haldls.NeuronConfig(enable_fire=fire, enable_strong_fire=strong))
    assert neuron.event_routing.analog_output == AN.EventRouting.AnalogOutputMode[mode]


@pytest.mark.parametrize("operation, bits", [
    ("local", (False, False)), ("AND", (True, False)), ("XNOR", (False, True)), ("MULLER_C", (True, True)),
])
def test_bayesian_operation_bits(operation, bits):
    neuron = AN()
    neuron.bayesian.operation = AN.Bayesian.Operation[operation]
    backend = neuron.as_neuron_backend_config()
    assert (backend.enable_bayesian_0, backend.enable_bayesian_1) == bits


@pytest.mark.parametrize("member, field, value, container, attribute, expected", [
    ("constant_current", "type", AN.ConstantCurrent.Type.sink, "config", "invert_membrane_offset", True),
    ("constant_current", "enable", True, "config", "enable_membrane_offset", True),
    ("event_routing", "analog_output", AN.EventRouting.AnalogOutputMode.normal, "config", "enable_fire", True),
    ("event_routing", "analog_output", AN.EventRouting.AnalogOutputMode.normal, "config", "enable_strong_fire", False),
    ("event_routing", "analog_output", AN.EventRouting.AnalogOutputMode.strong, "config", "enable_strong_fire", True),
    ("event_routing", "enable_digital", True, "backend", "enable_spike_out", True),
    ("event_routing", "address", 0x5C, "backend", "address_out", 0x5C),
    ("event_routing", "enable_post_overwrite", True, "backend", "post_overwrite", True),
    ("event_routing", "enable_bypass_excitatory", True, "config", "enable_bypass_excitatory", True),
    ("readout", "enable_buffered_access", True, "config", "enable_readout", True),
    ("readout", "enable_amplifier", True, "config", "enable_readout_amplifier", True),
    ("readout", "source", AN.Readout.Source.inh_synin, "config", "readout_source",
     haldls.NeuronConfig.ReadoutSource.inh_synin),
    ("threshold", "enable", True, "config", "enable_threshold_comparator", True),
    ("multicompartment", "connect_right", True, "config", "connect_membrane_right", True),
    ("multicompartment", "connect_vertical", True, "config", "connect_bottom", True),
    ("multicompartment", "enable_conductance", True, "config", "enable_multicomp_conductance", True),
    ("multicompartment", "enable_conductance_division", True, "config", "enable_divide_multicomp_conductance_bias", True),
    ("excitatory_input", "enable", True, "config", "enable_synaptic_input_excitatory", True),
    ("inhibitory_input", "enable", True, "config", "enable_synaptic_input_inhibitory", True),
    ("inhibitory_input", "enable_coba_mode", True, "config", "enable_synaptic_input_inhibitory_coba_mode", True),
    ("excitatory_input", "enable_small_capacitance", False, "config",
     "enable_synaptic_input_excitatory_small_capacitance", False),
    ("membrane_capacitance", "capacitance", 63, "config", "membrane_capacitor_size", 63),
    ("adaptation", "enable_pulse", True, "backend", "enable_adaptation_pulse", True),
    ("adaptation", "invert_a", True, "config", "invert_adaptation_a", True),
    ("refractory_period", "enable_pause", True, "config", "enable_pause", True),
    ("refractory_period", "input_clock", 1, "backend", "select_input_clock", 1),
    ("refractory_period", "refractory_time", 200, "backend", "refractory_time", 200),
    ("refractory_period", "reset_holdoff", 3, "backend", "reset_holdoff", 3),
    ("bayesian", "to_post_pulse", False, "backend", "enable_bayesian_extension", False),
    ("bayesian", "connect_fire_vertical", True, "backend", "connect_fire_bottom", True),
    ("bayesian", "enable_master", True, "backend", "enable_neuron_master", True),
    ("bayesian", "enable_slave", True, "backend", "enable_neuron_slave", True),
])
def test_field_mapping(member, field, value, container, attribute, expected):
    neuron = AN()
    setattr(getattr(neuron, member), field, value)
    target = neuron.as_neuron_config() if container == "config" else neuron.as_neuron_backend_config()
    assert getattr(target, attribute) == expected
    default = AN().as_neuron_config() if container == "config" else AN().as_neuron_backend_config()
    differing = {n for n in type(target).fields if getattr(target, n) != getattr(default, n)}
    allowed = {"enable_fire", "enable_strong_fire"} if field == "analog_output" else {attribute}
    assert differing <= allowed                          # nothing else changes
    assert (attribute in differing) == (expected != getattr(default, attribute))


@pytest.mark.parametrize("member, field, row", [
    ("excitatory_input", "i_shift_reference", "i_bias_synin_exc_shift"),
    ("inhibitory_input", "v_rev_coba", "e_synin_inh_rev"),
    ("inhibitory_input", "i_bias_coba", "i_bias_synin_inh_coba"),
    ("adaptation", "v_leak", "v_adapt_leak"), ("adaptation", "v_ref", "v_adapt_ref"),
    ("constant_current", "i_offset", "i_mem_offset"), ("multicompartment", "i_bias_nmda", "i_bias_nmda"),
    ("reset", "i_bias", "i_bias_reset"), ("exponential", "i_bias", "i_bias_exp"),
])
def test_capmem_row_mapping(member, field, row):
    neuron = AN()
    setattr(getattr(neuron, member), field, 777)
    values = neuron.capmem_values()
    assert values[row] == 777 and sum(values.values()) == 777


def test_set_from_accepts_cells_and_row_coordinates_and_is_atomic():
    neuron = AN()
    neuron.set_from(capmem={halco.CapMemRowOnCapMemBlock.v_leak: haldls.CapMemCell(value=300),
                            "i_bias_leak": 20})
    assert (neuron.leak.v_leak, neuron.leak.i_bias) == (300, 20)
    with pytest.raises(LolaValueError, match=re.escape("threshold.v_threshold = 1023")):
        neuron.set_from(capmem={"v_leak": 5, "v_threshold": 1023})
    assert neuron.leak.v_leak == 300
    with pytest.raises(LolaValueError, match="not a CapMem row"):
        neuron.set_from(capmem={"v_nonsense": 5})
    with pytest.raises(LolaTypeError, match="neuron_config must be a haldls.NeuronConfig"):
        neuron.set_from(neuron_config=haldls.NeuronBackendConfig())


# -- words, pickle -------------------------------------------------------------------------------

@given(AN.strategy())
def test_encode_decode_identity(neuron):
    words = neuron.encode()
    assert words.dtype == np.uint32 and words.shape == (34,)
    assert AN.decode(words) == neuron
    assert np.array_equal(words[:6], neuron.as_neuron_config().encode())
    assert np.array_equal(words[6:30], [neuron.capmem_values()[r] for r in REFERENCE_CAPMEM_ORDER])
    assert np.array_equal(words[30:], neuron.as_neuron_backend_config().encode())


@given(AN.strategy())
def test_pickle_copy_repr(neuron):
    assert pickle.loads(pickle.dumps(neuron)) == neuron
    assert copy.copy(neuron) == neuron and copy.deepcopy(neuron) == neuron
    assert repr(neuron).startswith("AtomicNeuron(excitatory_input=AtomicNeuron.SynapticInput(")


def test_pickle_keeps_the_member_name_for_errors():
    neuron = pickle.loads(pickle.dumps(AN()))
    with pytest.raises(LolaValueError, match=r"^inhibitory_input\.i_bias_tau"):
        neuron.inhibitory_input.i_bias_tau = 1023


def test_decode_rejects_disabled_refresh_and_wrong_length():
    words = AN().encode()
    words[6 + REFERENCE_CAPMEM_ORDER.index("v_leak")] = 1023
    with pytest.raises(LolaValueError, match=re.escape("leak.v_leak = 1023 is out of range [0, 1022]")):
        AN.decode(words)
    with pytest.raises(LolaValueError, match="34 words"):
        AN.decode(words[:-1])


def test_not_equal_to_a_different_neuron():
    a, b = AN(), AN()
    b.exponential.v_exp = 1
    assert a != b and a == AN()


# -- container protocol --------------------------------------------------------------------------

def test_container_protocol_attributes():
    assert AN.coordinate_type is halco.AtomicNeuronOnDLS
    assert AN.readable and AN.writable and AN.differential_write and not AN.is_block_until
    assert AN.read_response_count(COORD) == 6 + 24 + 4
    assert lola.container_for(COORD) is AN and lola.container_for(halco.AtomicNeuronOnDLS) is AN
    assert lola.container_for(COORD.to_neuron_config_on_dls()) is haldls.NeuronConfig


def test_golden_first_capmem_write():
    instructions = configured_neuron().encode_write(COORD)
    first_cell = instructions[6]
    expected = halco.CapMemCellOnDLS(
        halco.CapMemCellOnCapMemBlock(halco.CapMemColumnOnCapMemBlock(2),
                                      halco.CapMemRowOnCapMemBlock.i_bias_synin_exc_tau),
        halco.CapMemBlockOnDLS(3))
    assert first_cell["opcode"] == wire.Opcode.WRITE
    assert first_cell["address"] == haldls.CapMemCell.addresses(expected)[0]
    assert first_cell["data"] == 11


@pytest.mark.parametrize("coord", [COORD, halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(0), halco.NeuronRowOnDLS(0)),
                                   halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(255), halco.NeuronRowOnDLS(0)),
                                   halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(77), halco.NeuronRowOnDLS(1))])
def test_write_and_read_order_is_the_reference_visit_order(coord):
    neuron = configured_neuron()
    expected_write = np.concatenate(
        [neuron.as_neuron_config().encode_write(coord.to_neuron_config_on_dls())]
        + [haldls.CapMemCell(value=neuron.capmem_values()[row]).encode_write(capmem_cell(coord, row))
           for row in REFERENCE_CAPMEM_ORDER]
        + [neuron.as_neuron_backend_config().encode_write(coord.to_neuron_backend_config_on_dls())])
    assert np.array_equal(neuron.encode_write(coord), expected_write)
    expected_read = np.concatenate(
        [haldls.NeuronConfig.encode_read(coord.to_neuron_config_on_dls())]
        + [haldls.CapMemCell.encode_read(capmem_cell(coord, row)) for row in REFERENCE_CAPMEM_ORDER]
        + [haldls.NeuronBackendConfig.encode_read(coord.to_neuron_backend_config_on_dls())])
    assert np.array_equal(AN.encode_read(coord), expected_read)


def test_wrong_coordinate_raises():
    with pytest.raises(CoordinateMismatchError, match="AtomicNeuronOnDLS"):
        AN().encode_write(COORD.to_neuron_config_on_dls())
    with pytest.raises(CoordinateMismatchError):
        AN.encode_read(halco.NeuronColumnOnDLS(3))
    with pytest.raises(CoordinateMismatchError):
        stadls.PlaybackProgramBuilder().write(COORD.to_neuron_backend_config_on_dls(), AN())


def test_differential_write_emits_only_changed_words():
    reference = configured_neuron()
    config = copy.deepcopy(reference)
    config.leak.v_leak = 651
    config.event_routing.address = 3
    builder = stadls.PlaybackProgramBuilder()
    builder.write(COORD, config, reference)
    instructions = builder.instructions()
    addresses = AN.addresses(COORD)
    changed = [i for i, (a, b) in enumerate(zip(config.encode(), reference.encode())) if a != b]
    assert list(instructions["address"]) == [addresses[i] for i in changed]
    assert addresses[6 + REFERENCE_CAPMEM_ORDER.index("v_leak")] in instructions["address"]
    assert len(instructions) == 1 + 2      # one CapMem cell, address_out spans two backend words
    same = stadls.PlaybackProgramBuilder()
    same.write(COORD, reference, copy.deepcopy(reference))
    assert same.empty()


def test_lola_imports_only_lower_layers():
    code = "import sys, lola; print(sorted(m for m in ('stadls', 'emulator') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- on the emulated chip ------------------------------------------------------------------------

def test_write_then_read_back_on_the_emulated_chip(lola_reads):
    neurons = {COORD: configured_neuron(),
               halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(3), halco.NeuronRowOnDLS(0)): AN()}
    builder = stadls.PlaybackProgramBuilder()
    for coord, neuron in neurons.items():
        builder.write(coord, neuron)
    tickets = {coord: builder.read(coord) for coord in neurons}
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, builder.done())
    for coord, neuron in neurons.items():
        assert tickets[coord].get() == neuron


@settings(max_examples=10, deadline=None)
@given(neuron=AN.strategy(), column=st.integers(0, 255), row=st.integers(0, 1))
def test_any_neuron_reads_back_equal(neuron, column, row):
    coord = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(column), halco.NeuronRowOnDLS(row))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stadls.builder, "_container_type_for_read", lola.container_for)
        builder = stadls.PlaybackProgramBuilder()
        builder.write(coord, neuron)
        ticket = builder.read(coord)
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, builder.done())
    assert ticket.get() == neuron


def test_leak_over_threshold_neuron_fires():
    coord = COORD
    neuron = AN()
    neuron.leak.v_leak, neuron.leak.i_bias = 1000, 150
    neuron.threshold.enable, neuron.threshold.v_threshold = True, 300
    neuron.reset.v_reset, neuron.reset.i_bias = 400, 1022
    neuron.reset.enable_multiplication = True
    neuron.membrane_capacitance.capacitance = 63
    neuron.refractory_period.refractory_time = 255
    neuron.event_routing.analog_output = AN.EventRouting.AnalogOutputMode.normal
    neuron.event_routing.enable_digital = True

    builder, _ = stadls.generate(stadls.SystemInit())
    builder.write(coord, neuron)
    builder.write(coord.to_spike_counter_reset_on_dls(), haldls.SpikeCounterReset())
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 400)
    counter = builder.read(coord.to_spike_counter_read_on_dls())
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, builder.done())
    assert counter.get().count > 0

    silent = copy.deepcopy(neuron)                 # threshold off: no spikes
    silent.threshold.enable = False
    builder, _ = stadls.generate(stadls.SystemInit())
    builder.write(coord, silent)
    builder.write(coord.to_spike_counter_reset_on_dls(), haldls.SpikeCounterReset())
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(125 * 400)
    counter = builder.read(coord.to_spike_counter_read_on_dls())
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, builder.done())
    assert counter.get().count == 0
