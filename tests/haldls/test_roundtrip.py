"""Property tests over every registered container: a new container is covered automatically."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, strategies as st

import halco
import haldls
from haldls._container import Container
from haldls.errors import CoordinateMismatchError, DecodeError, FieldTypeError, FieldValueError

CONTAINERS = haldls.containers()
IDS = [c.__qualname__ for c in CONTAINERS]
ADDRESSED = [c for c in CONTAINERS if c.has_addresses()]
FIXED = [c for c in CONTAINERS if c is not haldls.PPUMemoryBlock]


def _equal_values(a, b) -> bool:
    if isinstance(b, halco.Coordinate):          # decode_array gives a coordinate's enum
        return int(a) == b.to_enum()
    return list(a) == list(b) if isinstance(a, (list, np.ndarray)) else a == b


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_container_subclass_is_registered():
    registered = set(CONTAINERS)
    missing = [c.__qualname__ for c in _all_subclasses(Container)
               if c not in registered and not c.__qualname__.startswith("_")]
    assert not missing, f"containers not in the registry: {missing}"


def test_registry_maps_coordinates_to_containers():
    for c in CONTAINERS:
        if c.is_block_until:
            continue
        assert haldls.container_for(c.coordinate_type) is c
        assert haldls.container_by_name(c.__qualname__) is c
    with pytest.raises(haldls.errors.UnknownContainerError, match="NeuronColumnOnDLS"):
        haldls.container_for(halco.NeuronColumnOnDLS)
    with pytest.raises(LookupError, match="NoSuchThing"):
        haldls.container_by_name("NoSuchThing")


@pytest.mark.parametrize("cls", CONTAINERS, ids=IDS)
def test_default_constructible_and_round_trips(cls):
    c = cls()
    words = c.encode()
    back = cls.decode(words)
    assert back == c and np.array_equal(back.encode(), words)
    # read back from its words, the default holds every field's declared default
    fields = getattr(cls, "fields", {})
    for name, field in fields.items():
        expected = field.default if field.count is None or isinstance(field.default, list) \
            else [field.default] * field.count
        assert getattr(back, name) == expected, (cls.__name__, name)


@pytest.mark.parametrize("cls", CONTAINERS, ids=IDS)
@given(data=st.data())
def test_encode_decode_identity(cls, data):
    c = data.draw(cls.strategy())
    words = c.encode()
    assert words.dtype == np.uint32
    assert cls.decode(words) == c


@pytest.mark.parametrize("cls", CONTAINERS, ids=IDS)
@given(data=st.data())
def test_pickle_and_json_round_trip(cls, data):
    c = data.draw(cls.strategy())
    assert pickle.loads(pickle.dumps(c)) == c
    assert haldls.from_json(haldls.to_json(c)) == c


@pytest.mark.parametrize("cls", FIXED, ids=[c.__qualname__ for c in FIXED])
@given(data=st.data())
def test_decode_array_agrees_with_scalar_decode(cls, data):
    items = data.draw(st.lists(cls.strategy(), min_size=1, max_size=5))
    words = np.stack([c.encode() for c in items])
    fields = cls.decode_array(words)
    assert set(fields) == set(cls.fields)
    for i, c in enumerate(items):
        for name in cls.fields:
            assert _equal_values(fields[name][i], getattr(c, name)), name
    # and the vectorized encoder reproduces the words
    assert np.array_equal(cls.encode_array(len(items), **fields), words)


@pytest.mark.parametrize("cls", FIXED, ids=[c.__qualname__ for c in FIXED])
def test_wrong_word_count_raises(cls):
    with pytest.raises(DecodeError, match=cls.__name__):
        cls.decode(np.zeros(cls.n_words + 1, dtype=np.uint32))
    with pytest.raises(DecodeError):
        cls.decode_array(np.zeros((2, cls.n_words + 1), dtype=np.uint32))


@pytest.mark.parametrize("cls", FIXED, ids=[c.__qualname__ for c in FIXED])
def test_out_of_range_fields_raise_on_construction_and_assignment(cls):
    for name, f in cls.fields.items():
        bad = True if f.kind == "bool" else f.maximum + 1
        if f.kind == "bool":
            bad_value = 2
        else:
            bad_value = bad
        value = [bad_value] * f.count if f.count else bad_value
        with pytest.raises((FieldValueError, FieldTypeError), match=name):
            cls(**{name: value})
        c = cls()
        with pytest.raises((FieldValueError, FieldTypeError), match=name):
            setattr(c, name, value)
        if f.count:
            with pytest.raises((FieldValueError, FieldTypeError), match=name):
                getattr(c, name)[0] = bad_value
            with pytest.raises(FieldTypeError, match=name):
                getattr(c, name).append(0)
        if f.kind not in ("bool",):
            with pytest.raises(FieldValueError, match=r"out of range|not one of"):
                cls(**{name: [f.minimum - 1] * f.count if f.count else f.minimum - 1})
        assert getattr(c, name) == (f.default if not f.count else [f.default] * f.count) or f.count


@pytest.mark.parametrize("cls", ADDRESSED, ids=[c.__qualname__ for c in ADDRESSED])
@given(data=st.data())
def test_addresses(cls, data):
    ctype = cls.coordinate_type
    enum = data.draw(st.sampled_from(list(ctype.enum_values())) if ctype.size < 5000
                     else st.integers(0, ctype.size - 1))
    coord = ctype.from_enum(enum)
    addresses = cls.addresses(coord)
    assert addresses.dtype == np.uint32 and addresses.shape == (cls.n_words,)
    assert len(set(addresses.tolist())) == cls.n_words
    assert np.array_equal(cls.addresses_array([enum])[0], addresses)


@pytest.mark.parametrize("cls", ADDRESSED, ids=[c.__qualname__ for c in ADDRESSED])
def test_wrong_coordinate_type_raises(cls):
    wrong = halco.NeuronColumnOnDLS(0) if cls.coordinate_type is not halco.NeuronColumnOnDLS else halco.SynramOnDLS(0)
    with pytest.raises(CoordinateMismatchError) as info:
        cls.addresses(wrong)
    assert isinstance(info.value, TypeError)
    assert cls.coordinate_type.__name__ in str(info.value) and "NeuronColumnOnDLS" in str(info.value)


def test_addresses_of_all_containers_are_distinct():
    """No two coordinates of any two word containers share an address (the map has no collisions)."""
    seen = []
    for cls in ADDRESSED:
        if cls is haldls.Timer:
            continue
        enums = np.fromiter(cls.coordinate_type.enum_values(), dtype=np.int64)
        seen.append(cls.addresses_array(enums).ravel())
    all_addresses = np.concatenate(seen)
    unique, counts = np.unique(all_addresses, return_counts=True)
    assert not np.any(counts > 1), [hex(a) for a in unique[counts > 1][:10]]


def test_ppu_memory_block_matches_its_coordinate():
    coord = halco.PPUMemoryBlockOnDLS(halco.PPUMemoryBlockOnPPU(10, 13), halco.PPUOnDLS(1))
    block = haldls.PPUMemoryBlock.for_coordinate(coord)
    assert block.words.size == 4
    assert haldls.PPUMemoryBlock.addresses(coord).tolist() == [0x0380_0000 + i for i in range(10, 14)]
    with pytest.raises(DecodeError, match="4 words"):
        haldls.PPUMemoryBlock([1, 2]).encode_write(coord)
    with pytest.raises(FieldValueError, match="32-bit"):
        haldls.PPUMemoryBlock([1 << 32])
    with pytest.raises(FieldValueError, match="1..4096"):
        haldls.PPUMemoryBlock(np.zeros(4097, dtype=np.uint32))


def _invalid_value(f):
    """A value whose raw bits fit the field but lie outside its range (None if there is none)."""
    lo, hi = -f.offset, f.mask - f.offset            # what the raw bits can express
    if f.kind == "enum":
        members = {int(m) for m in f.enum_type}
        return next((v for v in range(lo, hi + 1) if v not in members), None)
    if f.kind in ("bool", "coord"):
        # a coordinate's bits that encode none are no value: tests/haldls/test_capmem_golden.py
        return None
    return f.maximum + 1 if f.maximum < hi else (f.minimum - 1 if f.minimum > lo else None)


def _words_with(cls, name, value):
    """Default words of ``cls`` with field ``name`` (its first entry) holding ``value``'s bits."""
    f = cls.fields[name]
    words = [int(w) for w in cls().encode()]
    for word, bits in f.used_bits().items():
        words[word] &= ~bits
    f.encode_into(words, value if f.count is None else [value] + [f.default] * (f.count - 1))
    return np.array(words, dtype=np.uint32)


@pytest.mark.parametrize("cls", FIXED, ids=[c.__qualname__ for c in FIXED])
def test_bits_outside_a_field_range_raise_in_both_decoders(cls):
    for name, f in cls.fields.items():
        bad = _invalid_value(f)
        if bad is None:
            continue
        words = _words_with(cls, name, bad)
        with pytest.raises(FieldValueError, match=name):
            cls.decode(words)
        with pytest.raises(FieldValueError, match=rf"{name}: the bits of container 1 decode to "
                                                  rf"{bad}"):
            cls.decode_array(np.stack([cls().encode(), words]))


def test_bits_outside_a_field_range_examples():
    words = haldls.CapMemBlockConfig().encode()
    words[2] |= 0b11                                   # debug_v_ref_select: 2 bits, 3 members
    with pytest.raises(FieldValueError, match="debug_v_ref_select"):
        haldls.CapMemBlockConfig.decode(words)
    with pytest.raises(FieldValueError, match="not a valid member of VRefSelect"):
        haldls.CapMemBlockConfig.decode_array(words[None, :])
    assert _invalid_value(haldls.CapMemCell.fields["value"]) is None   # 1023 disables refresh


def test_bool_fields_reject_non_bools():
    with pytest.raises(FieldTypeError, match="enable_receiver"):
        haldls.SynapseDriverConfig(enable_receiver="yes")
    with pytest.raises(FieldTypeError, match="utilization"):
        haldls.SynapseDriverConfig(utilization=1.5)


def test_encode_array_rejects_floats_and_bools_for_integer_fields():
    with pytest.raises(FieldTypeError, match="SynapseWeightQuad.values"):
        haldls.SynapseWeightQuad.encode_array(1, values=np.full((1, 4), 2.7))
    with pytest.raises(FieldTypeError, match="utilization"):
        haldls.SynapseDriverConfig.encode_array(2, utilization=np.array([True, False]))
    with pytest.raises(FieldTypeError, match="utilization"):
        haldls.SynapseDriverConfig.encode_array(2, utilization=2.5)
    with pytest.raises(FieldValueError, match="utilization"):
        haldls.SynapseDriverConfig.encode_array(2, utilization=[1, 16])
