"""lola containers declared by their parts: registration, the declaration, placement, and that
everything derived from it agrees with the leaves' own haldls/lola encoding."""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import pickle
import pkgutil

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import halco
import haldls
import lola
from haldls.errors import AbstractContainerError
from lola._composite import REGISTRY, Aggregate, Composite, Part, Placement
from lola.errors import LolaTypeError, LolaValueError
from lola.synapse import _SynapseArrayContainer


def _lola_modules():
    return [importlib.import_module(m.name) for m in pkgutil.iter_modules(lola.__path__, "lola.")]


def test_every_lola_container_class_is_registered():
    defined = {obj for module in _lola_modules() for _, obj in inspect.getmembers(module, inspect.isclass)
               if obj.__module__ == module.__name__ and hasattr(obj, "coordinate_type")
               and hasattr(obj, "encode_write")}
    assert {lola.AtomicNeuron, lola.LogicalNeuron, lola.SynapseMatrix, lola.CorrelationResetRow,
            lola.SynapseDriverBlock, lola.NeuronBlock, lola.CADCReadoutChain, lola.Chip} <= defined
    missing = [c.__qualname__ for c in defined if c not in REGISTRY]
    assert not missing, f"lola containers not registered: {missing}"
    assert set(lola.container_types()) == defined
    for c in defined:
        assert lola.container_by_name(c.__qualname__) is c
        assert lola.container_for(c.coordinate_type) is c
    assert lola.container_for(halco.NeuronConfigOnDLS) is haldls.NeuronConfig       # falls back to haldls
    assert lola.container_by_name("NeuronConfig") is haldls.NeuronConfig
    with pytest.raises(haldls.errors.UnknownContainerError, match="no lola or haldls container is named 'Nope'"):
        lola.container_by_name("Nope")
    with pytest.raises(haldls.errors.UnknownContainerError, match="NeuronColumnOnDLS"):
        lola.container_for(halco.NeuronColumnOnDLS(3))


COMPOSITES = [c for c in lola.container_types() if issubclass(c, Composite)]


@pytest.mark.parametrize("cls", [c for c in lola.container_types() if c is not lola.LogicalNeuron],
                         ids=lambda c: c.__name__)
def test_lola_schema_gives_every_declared_attribute(cls):
    schema = cls.schema()
    value = cls._template(cls.coordinate_type.from_enum(cls.coordinate_type.size - 1)) \
        if issubclass(cls, Composite) else cls()
    assert list(schema) == [a.name for a in attrs.fields(cls)]       # every attribute, in order
    assert all(isinstance(i, haldls.FieldInfo) and i.name == n for n, i in schema.items())
    for name, info in schema.items():
        got = getattr(value, name)
        if info.coordinate is not None and info.type is not int:      # a part
            entries = [got] if info.shape == () else got
            assert len(entries) == (info.shape or (1,))[0]
            assert all(isinstance(e, info.type) for e in entries)
            assert info.type.coordinate_type is info.coordinate
        elif info.shape and info.type is int:                          # a synapse array
            assert got.shape == info.shape and info.minimum == 0
            with pytest.raises(LolaValueError, match=rf"{name}\[0(, 0)?\] = {info.maximum + 1} is out of range"):
                setattr(value, name, np.full(info.shape, info.maximum + 1))
        elif isinstance(info.type, type) and hasattr(info.type, "schema"):     # an AtomicNeuron member
            member = got
            for field, finfo in info.type.schema().items():
                if finfo.type is int:
                    setattr(member, field, finfo.maximum)
                    with pytest.raises(LolaValueError, match=rf"{name}.{field} = {finfo.maximum + 1} is out"):
                        setattr(member, field, finfo.maximum + 1)
                elif finfo.type is bool:
                    with pytest.raises(LolaTypeError, match=rf"{name}.{field} must be a bool"):
                        setattr(member, field, 1.0)
        elif info.shape and isinstance(info.type, type) and info.type is not int:   # values (switch rows)
            assert len(got) == info.shape[0] and all(isinstance(e, info.type) for e in got)
            with pytest.raises(LolaTypeError, match=rf"{name}\[0\] must be a"):
                got[0] = object()
        else:                                                          # a placement
            assert info.type is int and info.coordinate is cls.coordinate_type
            assert got == info.maximum == cls.coordinate_type.size - 1
    assert lola.LogicalNeuron.schema()["compartments"].type is halco.LogicalNeuronCompartments


def test_the_declaration_places_the_parts():
    chain = lola.CADCReadoutChain(hemisphere=1)
    leaves = list(chain.leaves())
    assert leaves[0][0] == halco.CADCConfigOnDLS(1) and leaves[1][0] == halco.CommonCorrelationConfigOnDLS(1)
    channels = [c for c, _ in leaves if isinstance(c, halco.CADCChannelConfigOnDLS)]
    assert [c.to_enum() for c in channels] == list(range(512, 1024))
    quads = [c for c, _ in leaves if isinstance(c, halco.ColumnCorrelationQuadOnDLS)]
    assert [c.to_enum() for c in quads] == list(range(64, 128))
    assert [c.to_enum() for c, _ in lola.CADCReadoutChain().leaves()][2:4] == [0, 1]
    # a chip's chains lie where their index says; the leaves follow the parts in write order
    coords = [c for c, _ in lola.Chip().leaves()]
    assert coords.index(halco.CADCConfigOnDLS(1)) > coords.index(halco.CADCChannelConfigOnDLS.from_enum(511))
    assert coords[0] == halco.ReferenceGeneratorConfigOnDLS()
    assert coords[-1] == halco.PadMultiplexerConfigOnDLS(1)
    assert len(coords) == len(set(coords))


def test_a_placed_composite_is_written_and_read_where_it_lies():
    chain = lola.CADCReadoutChain(hemisphere=1)
    chain.channels[3] = haldls.CADCChannelConfig(offset=-7)
    with pytest.raises(LolaValueError, match=r"CADCReadoutChain of hemisphere 1 lies at CADCOnDLS\(1\), "
                                             r"not at CADCOnDLS\(0\)"):
        chain.encode_write(halco.CADCOnDLS(0))
    words = chain.encode_write(halco.CADCOnDLS(1))["data"]
    back = lola.CADCReadoutChain.decode_read(halco.CADCOnDLS(1), words)
    assert back == chain and back.hemisphere == 1
    assert lola.CADCReadoutChain.decode(words).hemisphere == 0
    assert lola.CADCReadoutChain.from_json(chain.to_json()) == chain
    assert lola.CADCReadoutChain.from_bytes(chain.to_bytes()) == chain
    top = lola.CADCReadoutChain(hemisphere=0)
    assert top.diff(lola.CADCReadoutChain(hemisphere=0)) == []
    assert top.diff(lola.CADCReadoutChain(hemisphere=1)) == [c for c, _ in top.leaves()]
    with pytest.raises(LolaValueError, match=r"0 \(top\) or 1 \(bottom\), not 2"):
        chain.hemisphere = 2


def test_declarations_are_checked_against_halco():
    with pytest.raises(TypeError, match="CrossbarNode lives at CrossbarNodeOnDLS, not CrossbarOnDLS"):
        class Wrong(Composite, coordinate=halco.CrossbarOnDLS):
            nodes = Part(haldls.CrossbarNode, halco.CrossbarOnDLS, 76)
    with pytest.raises(TypeError, match="75 CrossbarNodeOnDLS per CrossbarOnDLS do not make up its 76"):
        class Short(Composite, coordinate=halco.CrossbarOnDLS):
            nodes = Part(haldls.CrossbarNode, halco.CrossbarNodeOnDLS, 75)
    with pytest.raises(TypeError, match="needs a Placement"):
        class Unplaced(Composite, coordinate=halco.CADCOnDLS):
            config = Part(haldls.CADCConfig, halco.CADCConfigOnDLS)
    with pytest.raises(TypeError, match="not written as a fixed number of words"):
        class Waits(Composite, coordinate=halco.ChipOnDLS):
            timer = Part(haldls.Timer, halco.TimerOnDLS)
    with pytest.raises(TypeError, match="declares no parts"):
        class Empty(Composite, coordinate=halco.ChipOnDLS):
            where = Placement("nothing")


def _leaf_words(value) -> np.ndarray:
    return np.concatenate([leaf.encode() for _, leaf in value.leaves()])


def _leaf_addresses(value) -> np.ndarray:
    return np.concatenate([type(leaf).addresses(c) for c, leaf in value.leaves()])


@pytest.mark.parametrize("cls", [lola.Crossbar, lola.CapMem, lola.CADCReadoutChain, lola.ReadoutChain,
                                 lola.SynapseDriverBlock], ids=lambda c: c.__name__)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_vectorized_words_are_the_leaves_words(cls, data):
    """A composite's words (encode_array per list of haldls containers) are its leaves' own
    words, one after the other, at their own addresses; decoding gives the value back."""
    enum = data.draw(st.integers(0, cls.coordinate_type.size - 1))
    value = data.draw(cls._strategy(enum))
    coord = cls.coordinate_type.from_enum(enum)
    instructions = value.encode_write(coord)
    if issubclass(cls, Composite):
        assert np.array_equal(instructions["data"], _leaf_words(value))
        assert np.array_equal(instructions["address"], _leaf_addresses(value))
    else:
        parts = [value.synapse_drivers[i].encode() for i in range(128)] + [value.padi_bus.encode(), value.stp.encode()]
        assert np.array_equal(instructions["data"], np.concatenate(parts))
    assert cls.decode_read(coord, instructions["data"]) == value


def test_chip_words_are_the_leaves_words():
    chip = lola.Chip.default_neuron_bypass()
    chip.synapse_matrices[1].weights[3, 4] = 17
    chip.neuron_block.atomic_neurons[77].leak.v_leak = 333
    chip.cadc_readout_chains[1].channels[5] = haldls.CADCChannelConfig(offset=-5)
    instructions = chip.encode_write(halco.ChipOnDLS())
    assert np.array_equal(instructions["data"], _leaf_words(chip))
    assert np.array_equal(instructions["address"], _leaf_addresses(chip))
    assert len(instructions) == lola.Chip.n_words == lola.Chip.read_response_count(halco.ChipOnDLS())
    assert lola.Chip.decode_read(halco.ChipOnDLS(), instructions["data"]) == chip


def test_leaves_are_replaced_in_place_checked_and_by_coordinate():
    chip = lola.Chip()
    node = halco.CrossbarNodeOnDLS.from_enum(3)
    with pytest.raises(LolaTypeError, match=r"Crossbar.nodes\[3\] must be a haldls.CrossbarNode, got CADCConfig"):
        chip.with_leaves([(node, haldls.CADCConfig())])
    with pytest.raises(LolaValueError, match="Chip has no leaf at"):
        chip.with_leaves([(halco.NeuronConfigOnDLS.from_enum(0), haldls.NeuronConfig())])
    neuron_block = chip.neuron_block
    chip._replace_leaves([(halco.CADCConfigOnDLS(1), haldls.CADCConfig(enable=True)),
                          (node, haldls.CrossbarNode(mask=3, target=1)),
                          (halco.SynapseDriverBlockOnDLS(1), lola.SynapseDriverBlock()),
                          (halco.AtomicNeuronOnDLS.from_enum(9), lola.AtomicNeuron())])
    assert chip.cadc_readout_chains[1].config.enable and chip.crossbar.nodes[3].mask == 3
    assert chip.neuron_block is neuron_block
    assert chip.diff(lola.Chip()) == [node, halco.CADCConfigOnDLS(1)]


def test_archives_check_the_containers_at_each_coordinate():
    data = json.loads(lola.Crossbar().to_json())
    data[1][1] = json.loads(lola.Crossbar().to_json())[0][1]      # a CrossbarOutputConfig as node 0
    with pytest.raises(LolaTypeError, match=r"Crossbar.nodes\[0\] must be a haldls.CrossbarNode"):
        lola.Crossbar.from_json(json.dumps(data))


def test_composites_pickle_and_copy_as_values():
    chip = lola.Chip()
    chip.crossbar.nodes[7] = haldls.CrossbarNode(mask=1, target=2)
    part = lola.Chip.parts["background_spike_sources"]
    assert pickle.loads(pickle.dumps(part)) is part and copy.deepcopy(part) is part
    for clone in (pickle.loads(pickle.dumps(chip)), copy.copy(chip), copy.deepcopy(chip)):
        assert clone == chip
        assert isinstance(clone.background_spike_sources, haldls.FieldArray)
        clone.crossbar.nodes[7].mask = 0
        with pytest.raises(LolaTypeError, match="background_spike_sources"):
            clone.background_spike_sources[0] = 5
    assert chip.crossbar.nodes[7].mask == 1


@pytest.mark.parametrize("base", [Aggregate, Composite, _SynapseArrayContainer], ids=lambda c: c.__name__)
def test_abstract_lola_container_bases_cannot_be_instantiated(base):
    with pytest.raises(AbstractContainerError, match=rf"lola.{base.__qualname__} is an abstract container base"):
        base()


def test_one_schema_protocol_for_haldls_and_lola():
    """The same question gets the same kind of answer at every level."""
    assert haldls.SynapseQuad.schema()["weights"] == haldls.FieldInfo("weights", int, (4,), 0, 63)
    assert lola.SynapseMatrix.schema()["weights"].shape == (256, 256)
    assert lola.SynapseMatrix.schema()["weights"].maximum == 63
    assert lola.AtomicNeuron.schema()["leak"].type is lola.AtomicNeuron.Leak
    assert lola.AtomicNeuron.Leak.schema()["v_leak"].maximum == 1022
    assert lola.SynapseDriverBlock.schema()["synapse_drivers"] == haldls.FieldInfo(
        "synapse_drivers", haldls.SynapseDriverConfig, (128,), doc="Indexed by SynapseDriverOnSynapseDriverBlock.",
        coordinate=halco.SynapseDriverOnDLS)
    assert list(lola.Chip.schema()) == ["capmem", "crossbar", "background_spike_sources",
                                        "synapse_driver_blocks", "synapse_matrices", "neuron_block",
                                        "cadc_readout_chains", "readout_chain"]
    assert np.all([isinstance(i, haldls.FieldInfo) for c in lola.container_types()
                   for i in c.schema().values()])
