"""The container protocol (shared with lola, see tests/lola/test_composite.py): abstract bases,
self-registration, schema(), FieldArray."""

from __future__ import annotations

import copy
import enum
import pickle
from typing import ClassVar

import attrs
import pytest

import halco
import haldls
from haldls._container import REGISTRY, _make_array
from haldls.errors import AbstractContainerError, FieldTypeError, FieldValueError


@pytest.mark.parametrize("base", [haldls.Container, haldls.WordContainer], ids=lambda c: c.__name__)
def test_abstract_container_bases_cannot_be_instantiated(base):
    with pytest.raises(AbstractContainerError, match=rf"{base.__qualname__} is an abstract container base"):
        base()
    assert issubclass(AbstractContainerError, haldls.errors.HaldlsError)
    assert issubclass(AbstractContainerError, TypeError)


def test_concrete_containers_still_construct_copy_and_pickle():
    config = haldls.NeuronConfig(membrane_capacitor_size=7)
    assert pickle.loads(pickle.dumps(config)) == config == copy.deepcopy(config)
    block = haldls.PPUMemoryBlock()        # declared abstract=True, given its coordinate later
    assert haldls.container_for(halco.PPUMemoryBlockOnDLS) is haldls.PPUMemoryBlock
    assert pickle.loads(pickle.dumps(block)) == block


def _all_subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub} | _all_subclasses(sub)
    return out


def test_every_haldls_container_registers_itself():
    defined = {c for c in _all_subclasses(haldls.Container)
               if c.__module__.startswith("haldls.") and hasattr(c, "coordinate_type")}
    assert defined and defined == set(haldls.containers())
    for c in defined:
        assert c in REGISTRY and haldls.container_by_name(c.__qualname__) is c
        if not c.is_block_until:
            assert haldls.container_for(c.coordinate_type) is c


def test_containers_register_in_the_registry_of_their_package():
    registry = haldls.Registry("protocol_test_package")
    with pytest.raises(RuntimeError, match="has a container registry already"):
        haldls.Registry("protocol_test_package")

    @attrs.define(slots=True)               # attrs builds a new class: that one is registered
    class Thing(haldls.WordContainer):
        __module__ = "protocol_test_package.things"
        coordinate_type: ClassVar[type] = halco.NeuronBlockOnDLS
        n_words: ClassVar[int] = 1
        value: int = 0

    assert registry.types() == (Thing,) and Thing in registry
    assert registry.for_coordinate(halco.NeuronBlockOnDLS()) is Thing
    assert registry.by_name(Thing.__qualname__) is Thing
    with pytest.raises(haldls.errors.UnknownContainerError, match="no protocol_test_package container"):
        registry.by_name("Other")
    with pytest.raises(RuntimeError, match="coordinate NeuronBlockOnDLS already belongs to .*Thing"):
        @attrs.define
        class Other(haldls.WordContainer):
            __module__ = "protocol_test_package.things"
            coordinate_type: ClassVar[type] = halco.NeuronBlockOnDLS

    @attrs.define
    class Elsewhere(haldls.WordContainer):   # a package without a registry: not registered
        coordinate_type: ClassVar[type] = halco.NeuronBlockOnDLS

    assert Elsewhere not in registry and Elsewhere().coordinate_type is halco.NeuronBlockOnDLS


# -- schema() ---------------------------------------------------------------------------------------

def _too_far(info: haldls.FieldInfo):
    """Values just outside an integer field's range."""
    return [info.minimum - 1, info.maximum + 1]


@pytest.mark.parametrize("cls", [c for c in haldls.containers() if c.fields], ids=lambda c: c.__qualname__)
def test_haldls_schema_gives_every_field_with_type_and_range(cls):
    schema = cls.schema()
    assert list(schema) == [a.name for a in attrs.fields(cls)] == list(cls.fields)
    default = cls()
    for name, info in schema.items():
        f = cls.fields[name]
        assert isinstance(info, haldls.FieldInfo) and info.name == name and info.coordinate is None
        assert info.shape == (() if f.count is None else (f.count,))
        value = getattr(default, name)
        entry = value if f.count is None else value[0]
        if info.type is bool:
            assert type(entry) is bool and info.minimum is None
        elif isinstance(info.type, type) and issubclass(info.type, enum.Enum):
            assert isinstance(entry, info.type)
        elif isinstance(info.type, type) and issubclass(info.type, halco.Coordinate):
            # a coordinate field: its value is the coordinate, minimum and maximum bound its enum
            assert isinstance(entry, info.type)
            assert (info.minimum, info.maximum) == (0, info.type.size - 1)
            target = cls()
            for bad in _too_far(info):
                with pytest.raises(FieldValueError, match=name):
                    setattr(target, name, bad)
            setattr(target, name, info.maximum)
            assert getattr(target, name) == info.type.from_enum(info.maximum)
        else:
            assert info.type is int and info.minimum <= entry <= info.maximum
            target = cls()
            for bad in _too_far(info):
                with pytest.raises(FieldValueError, match=name):
                    if f.count is None:
                        setattr(target, name, bad)
                    else:
                        getattr(target, name)[0] = bad
            if f.count is None:
                setattr(target, name, info.maximum)


def test_fields_pickle_by_reference_and_old_array_pickles_load():
    field = haldls.SynapseQuad.fields["weights"]
    assert pickle.loads(pickle.dumps(field)) is field and copy.deepcopy(field) is field
    quad = haldls.SynapseQuad(weights=[1, 2, 3, 4])
    assert pickle.loads(pickle.dumps(quad)) == quad
    old = _make_array("SynapseQuad", "weights", [4, 3, 2, 1])      # as pickles of before refer to it
    assert isinstance(old, haldls.FieldArray) and old == [4, 3, 2, 1]
    with pytest.raises(FieldValueError):
        old[0] = 64


def test_field_arrays_check_entries_on_assignment_and_again_on_check():
    quad = haldls.SynapseQuad()
    with pytest.raises(FieldTypeError, match="indexed by an integer"):
        quad.weights["0"] = 1
    with pytest.raises(IndexError, match="SynapseQuad.weights has 4 entries, no index 4"):
        quad.weights[4] = 1
    quad.weights[-1] = 9
    assert quad.weights == [0, 0, 0, 9]
    list.__setitem__(quad.weights, 0, 99)          # bypasses the check
    with pytest.raises(FieldValueError):
        quad.weights.check()
