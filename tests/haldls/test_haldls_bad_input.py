"""Wrong values for containers: a clear haldls error, never a silent truncation or a typo kept."""

from __future__ import annotations

import json

import numpy as np
import pytest

import halco
import haldls
from haldls.errors import (CoordinateMismatchError, DecodeError, FieldTypeError, FieldValueError,
                           NotSerializableError)


def test_a_misspelt_field_is_an_error_naming_the_right_one():
    config = haldls.NeuronBackendConfig()
    with pytest.raises(FieldTypeError, match="no field 'refactory_time'; did you mean 'refractory_time'"):
        config.refactory_time = 20
    assert config == haldls.NeuronBackendConfig()


@pytest.mark.parametrize("value, error", [(1.0, FieldTypeError), ("x", FieldTypeError),
                                          (None, FieldTypeError), (7, FieldValueError)])
def test_enum_fields_take_their_members_or_ints(value, error):
    with pytest.raises(error, match="readout_source"):
        haldls.NeuronConfig(readout_source=value)
    assert haldls.NeuronConfig(readout_source=np.uint8(1)).readout_source == 1


def test_array_fields_are_indexed_by_ints_and_built_from_sequences():
    quad = haldls.SynapseQuad()
    with pytest.raises(FieldTypeError, match="indexed by an integer, not float"):
        quad.weights[1.5] = 1
    with pytest.raises(FieldTypeError, match="needs a sequence of 4 entries, got int"):
        haldls.SynapseQuad(weights=5)
    quad.weights[np.int64(2)] = 9
    assert quad.weights == [0, 0, 9, 0]


def test_words_and_enums_must_be_integers_in_range():
    with pytest.raises(DecodeError, match="words must be integers"):
        haldls.NeuronBackendConfig.decode(np.zeros(4) + 1.5)
    with pytest.raises(DecodeError, match="words must be integers"):
        haldls.NeuronBackendConfig.decode_array(np.zeros((2, 4), dtype=bool))
    with pytest.raises(FieldTypeError, match="enums must be integers"):
        haldls.NeuronBackendConfig.addresses_array([1.7])
    for bad in ([-1], [512]):
        with pytest.raises(halco.errors.OutOfRangeError, match=r"outside 0\.\.511"):
            haldls.NeuronBackendConfig.addresses_array(bad)


def test_encode_array_checks_every_value_and_shape():
    with pytest.raises(FieldTypeError, match="got float 1.7"):
        haldls.SynapseQuad.encode_array(1, weights=np.array([[1.7, 2, 3, 4]], dtype=object))
    with pytest.raises(FieldTypeError, match=r"shape \(3,\) do not fit 2 containers"):
        haldls.SynapseQuad.encode_array(2, weights=np.array([1, 2, 3]))
    with pytest.raises(FieldTypeError, match="n must be a count"):
        haldls.SynapseQuad.encode_array(-1)
    np.testing.assert_array_equal(
        haldls.SynapseQuad.decode_array(haldls.SynapseQuad.encode_array(
            1, weights=np.array([[1, 2, 3, 4]], dtype=object)))["weights"], [[1, 2, 3, 4]])


def test_ppu_memory_blocks_never_truncate():
    block = haldls.PPUMemoryBlock
    with pytest.raises(FieldTypeError, match="list of ints"):
        block.from_dict({"words": [1.9]})
    with pytest.raises(FieldValueError, match="got 1099511627776"):
        block.from_dict({"words": [2 ** 40]})
    with pytest.raises(FieldTypeError):
        block.encode_array(1, words=[1.9, 2.2])
    with pytest.raises(FieldValueError, match="32-bit unsigned"):
        block.encode_array(1, words=[-1])
    with pytest.raises(FieldTypeError, match="exactly words="):
        block.encode_array(1)
    with pytest.raises(CoordinateMismatchError, match="PPUMemoryBlockOnDLS"):
        block([1]).encode_write(halco.NeuronConfigOnDLS())
    np.testing.assert_array_equal(block.encode_array(2, words=[1, 2]), [[1, 2], [1, 2]])


def test_json_must_be_complete_and_of_the_right_kind():
    with pytest.raises(FieldTypeError, match=r"field\(s\) \['value'\] missing"):
        haldls.from_json('{"type": "Timer", "fields": {}}')
    with pytest.raises(FieldTypeError, match="needs a dict"):
        haldls.from_json('{"type": "Timer", "fields": "ab"}')
    with pytest.raises(DecodeError, match="not JSON"):
        haldls.from_json("{")
    with pytest.raises(NotSerializableError, match="int"):
        haldls.to_json(5)
    with pytest.raises(FieldTypeError, match="readout_source"):
        haldls.from_json(json.dumps({"type": "NeuronConfig", "fields": dict(
            haldls.NeuronConfig().to_dict(), readout_source=2.0)}))


def test_a_logical_neuron_placement_round_trips_through_json():
    a = halco.AtomicNeuronOnLogicalNeuron
    x, y = halco.NeuronColumnOnLogicalNeuron, halco.NeuronRowOnLogicalNeuron
    compartments = halco.LogicalNeuronCompartments({0: [a(x(0), y(0)), a(x(1), y(0))], 1: [a(x(2), y(1))]})
    placement = halco.LogicalNeuronOnDLS(compartments, halco.AtomicNeuronOnDLS.from_enum(3))
    text = haldls.to_json(placement)
    assert haldls.from_json(text, halco.Coordinate) == placement
    assert haldls.from_json(text, halco.LogicalNeuronOnDLS) == placement
    with pytest.raises(DecodeError, match="LogicalNeuronOnDLS"):
        haldls.from_json('{"type": "LogicalNeuronOnDLS", "anchor": 0}', halco.LogicalNeuronOnDLS)
