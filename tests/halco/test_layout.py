"""The layout table: every conversion declared once, its method and its vectorized map agree."""

import ast
import pathlib

import numpy as np
import pytest

import halco
from halco._core import Coordinate, Interval, conversion, register_conversion
from halco.errors import CoordinateTypeError


def _vectorizable():
    for (source, target), conv in sorted(halco.conversions().items(),
                                         key=lambda kv: (kv[0][0].__name__, kv[0][1].__name__)):
        if not issubclass(source, Interval) and not (
                issubclass(source, halco.Nested) and issubclass(source.local_type, Interval)):
            yield pytest.param(source, target, id=f"{source.__name__}->{target.__name__}")


@pytest.mark.parametrize("source,target", list(_vectorizable()))
def test_enum_map_agrees_with_the_method_on_every_coordinate(source, target):
    table = halco.enum_map(source, target)
    method = getattr(source, "to_" + halco.snake_case(target.__name__))
    # every coordinate for small types, an even spread (ends included) for large ones
    enums = np.unique(np.linspace(0, source.size - 1, min(source.size, 600)).astype(int))
    for e in enums.tolist():
        got = method(source.from_enum(e + source._enum_min()))
        expected = table[e]
        if isinstance(got, tuple):
            assert [c.to_enum() for c in got] == expected.tolist()
        elif got is None:
            assert expected == -1
        else:
            assert type(got) is target and got.to_enum() == expected


def test_the_layout_facts_of_the_chip():
    """Values from the real chip's layout, written out independently of the table."""
    # backend enum = block*256 + row*128 + column % 128
    assert halco.enum_map(halco.AtomicNeuronOnDLS, halco.NeuronBackendConfigOnDLS)[256 + 130] == 256 + 128 + 2
    # quad interleaving: column 9 is odd (quads 32..63), 9 // 8 = 1, entry (9 // 2) % 4 = 0
    assert halco.enum_map(halco.SynapseOnSynapseRow, halco.SynapseQuadColumnOnDLS)[9] == 33
    assert halco.enum_map(halco.SynapseQuadColumnOnDLS, halco.SynapseOnSynapseRow)[33].tolist() == [9, 11, 13, 15]
    # a neuron's 24 CapMem cells: block 3 (bottom right), column 200 % 128, rows 0..23
    cells = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemCellOnDLS)[256 + 200]
    assert cells.tolist() == [3 * 3120 + row * 130 + 72 for row in range(24)]
    # driver d feeds rows 2d+1 (top) and 2d; it sits on PADI bus d % 4
    assert halco.enum_map(halco.SynapseDriverOnSynapseDriverBlock, halco.SynapseRowOnSynram)[5].tolist() == [11, 10]
    assert halco.enum_map(halco.SynapseDriverOnDLS, halco.PADIBusOnDLS)[128 + 6] == 6
    # crossbar inputs: 0..7 neuron outputs, 8..11 L2, 12..19 background sources
    assert halco.enum_map(halco.CrossbarInputOnDLS, halco.SPL1Address).tolist() == \
        [-1] * 8 + [0, 1, 2, 3] + [-1] * 8


def test_a_chain_composes_its_steps():
    chain = halco.enum_map(halco.NeuronResetQuadOnDLS, halco.NeuronResetOnDLS, halco.AtomicNeuronOnDLS)
    assert chain.shape == (128, 4)
    # quad column 33 of the bottom synram: the bottom row's columns 9, 11, 13, 15
    assert chain[64 + 33].tolist() == [256 + 9, 256 + 11, 256 + 13, 256 + 15]
    assert sorted(chain.ravel().tolist()) == list(range(512))
    # an optional step keeps -1 through the chain
    inputs = halco.enum_map(halco.CrossbarInputOnDLS, halco.NeuronEventOutputOnDLS, halco.NeuronColumnOnDLS)
    assert inputs.shape == (20, 32)
    assert (inputs[8:] == -1).all() and inputs[1].tolist() == list(range(32, 64))


def test_enum_maps_are_read_only_and_cached():
    table = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemBlockOnDLS)
    assert table is halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemBlockOnDLS)
    with pytest.raises(ValueError):
        table[0] = 3


def test_enum_map_errors_name_what_is_wrong():
    with pytest.raises(CoordinateTypeError, match="no conversion SynapseLabel -> AtomicNeuronOnDLS.*converts to"):
        halco.enum_map(halco.SynapseLabel, halco.AtomicNeuronOnDLS)
    with pytest.raises(CoordinateTypeError, match="interval"):
        halco.enum_map(halco.PPUMemoryBlockOnPPU, halco.PPUMemoryBlockSize)
    with pytest.raises(CoordinateTypeError, match="not a concrete halco coordinate type"):
        halco.enum_map(halco.AtomicNeuronOnDLS, int)
    with pytest.raises(CoordinateTypeError, match="at least one target"):
        halco.enum_map(halco.AtomicNeuronOnDLS)


def test_a_conversion_is_declared_once():
    class SourceForTest(halco.RangedInt, size=2):
        __slots__ = ()

        def to_hemisphere_on_dls(self):
            return halco.HemisphereOnDLS(0)

    class OtherForTest(halco.RangedInt, size=2):
        __slots__ = ()

    with pytest.raises(RuntimeError, match="written by hand and declared"):
        register_conversion(SourceForTest, halco.HemisphereOnDLS, lambda e: e)
    conversion(OtherForTest, halco.HemisphereOnDLS)(lambda e: 1 - e)
    assert OtherForTest(0).to_hemisphere_on_dls() == halco.HemisphereOnDLS(1)
    with pytest.raises(RuntimeError, match="declared twice"):
        register_conversion(OtherForTest, halco.HemisphereOnDLS, lambda e: e)
    # keep the registries of the real types clean for the other tests
    from halco import _core
    for key in [k for k in _core._CONVERSIONS if k[0] in (SourceForTest, OtherForTest)]:
        del _core._CONVERSIONS[key]
    for name in ("SourceForTest", "OtherForTest"):
        _core._REGISTRY.pop(name)


def test_no_coordinate_module_imports_another_at_call_time():
    """The layout lives in one module loaded last: no function-level imports in halco."""
    for path in pathlib.Path(halco.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
                assert not inner, f"{path.name}: {node.name} imports at call time"


def test_conversion_results_have_the_target_type():
    coord = halco.SynapseDriverOnDLS.from_enum(200)
    rows = coord.to_synapse_row_on_dls()
    assert rows == (halco.SynapseRowOnDLS(400), halco.SynapseRowOnDLS(401))
    assert isinstance(coord.to_padi_bus_on_dls(), halco.PADIBusOnDLS)
    assert halco.CrossbarOutputOnDLS(9).to_padi_bus_on_dls() is None
    assert halco.PPUMemoryBlockOnPPU(10, 19).to_ppu_memory_block_size() == halco.PPUMemoryBlockSize(10)
    assert all(isinstance(t, type) and issubclass(t, Coordinate)
               for pair in halco.conversions() for t in pair)
