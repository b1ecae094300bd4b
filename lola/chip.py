"""The whole chip as one value: ``Chip`` and the block containers it is made of.

A ``Chip`` gathers the configuration of every unit: the neuron block (512 ``AtomicNeuron`` and
the two backends), the two synapse matrices and synapse-driver blocks, the crossbar, the eight
background spike sources, the CapMem (block configurations and the shared cells), the two CADC
readout chains and the readout chain. It can be written (all leaves in a fixed order), read back,
compared, diffed (which coordinates differ), serialized (JSON and the compact binary form of
:mod:`haldls.archive`) and used as the initial configuration of an experiment.

Every composite here is described by its leaves: ``leaves()`` yields ``(coordinate, container)``
pairs in write order, and everything else (writes, reads, words, diff, serialization) is derived
from that one list.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Iterator

import attrs
import numpy as np

import halco
import haldls
from haldls import archive
from haldls.serialization import converter
from .errors import LolaTypeError, LolaValueError
from .neuron import AtomicNeuron


def _list_of(kind: type, n: int):
    def factory() -> list:
        return [kind() for _ in range(n)]
    return factory


def _check_list(kind: type, n: int):
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if not isinstance(value, list) or len(value) != n or not all(isinstance(v, kind) for v in value):
            raise LolaTypeError(f"{type(instance).__name__}.{attribute.name} must be a list of {n} "
                                f"{kind.__qualname__}, got {type(value).__name__}")
    return check


def _check_type(kind: type):
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if not isinstance(value, kind):
            raise LolaTypeError(f"{type(instance).__name__}.{attribute.name} must be a {kind.__qualname__}, "
                                f"got {type(value).__name__}")
    return check


def _items(kind: type, n: int) -> Any:
    return attrs.field(factory=_list_of(kind, n), validator=_check_list(kind, n),
                       on_setattr=attrs.setters.validate)


def _item(kind: type) -> Any:
    return attrs.field(factory=kind, validator=_check_type(kind), on_setattr=attrs.setters.validate)


class _Composite:
    """Derived behaviour of a container that is a list of leaves."""

    readable = True
    writable = True
    differential_write = False
    is_block_until = False

    def leaves(self) -> Iterator[tuple[Any, Any]]:
        raise LolaTypeError(f"{type(self).__name__} does not define its leaves")

    def check_coordinate(self, coord: Any) -> None:
        if type(coord) is not self.coordinate_type:
            raise haldls.errors.CoordinateMismatchError(
                f"{type(self).__name__} lives at {self.coordinate_type.__name__}, not at {type(coord).__name__}")

    def encode_write(self, coord: Any) -> np.ndarray:
        self.check_coordinate(coord)
        self.check()
        return np.concatenate([leaf.encode_write(c) for c, leaf in self.leaves()])

    def encode(self) -> np.ndarray:
        self.check()
        return np.concatenate([leaf.encode() for _, leaf in self.leaves()]).astype(np.uint32)

    def check(self) -> None:
        """Validate every part again (an element put into one of its lists is not checked
        when it happens), raising :class:`~lola.errors.LolaTypeError` naming the part."""
        attrs.validate(self)
        for value in attrs.asdict(self, recurse=False).values():
            for part in (value if isinstance(value, list) else [value]):
                if isinstance(part, _Composite):
                    part.check()

    @classmethod
    def _template(cls, coord: Any) -> "_Composite":
        """A default instance whose leaves lie at ``coord`` (reads are built from its layout)."""
        if type(coord) is not cls.coordinate_type:
            raise haldls.errors.CoordinateMismatchError(
                f"{cls.__name__} lives at {cls.coordinate_type.__name__}, not at {type(coord).__name__}")
        return cls()

    @classmethod
    def encode_read(cls, coord: Any) -> np.ndarray:
        return np.concatenate([type(leaf).encode_read(c) for c, leaf in cls._template(coord).leaves()])

    @classmethod
    def read_response_count(cls, coord: Any) -> int:
        return sum(type(leaf).read_response_count(c) for c, leaf in cls._template(coord).leaves())

    def with_leaves(self, pairs: Iterator[tuple[Any, Any]]) -> "_Composite":
        """A copy (deep: containers are values) with the given leaves replaced (matched by
        coordinate); ``self`` is not changed."""
        out = copy.deepcopy(self)
        out._replace_leaves(pairs)
        return out

    def _replace_leaves(self, pairs: Iterator[tuple[Any, Any]]) -> None:
        """Replace the given leaves of ``self`` in place (matched by coordinate)."""
        index = {c: i for i, (c, _) in enumerate(self.leaves())}
        for coord, leaf in pairs:
            if coord not in index:
                raise LolaValueError(f"{type(self).__name__} has no leaf at {coord!r}")
            self._set_leaf(index[coord], leaf)

    @classmethod
    def decode_read(cls, coord: Any, words: np.ndarray) -> "_Composite":
        template = cls._template(coord)
        pairs, pos = [], 0
        for c, leaf in template.leaves():
            n = type(leaf).read_response_count(c)
            pairs.append((c, type(leaf).decode_read(c, words[pos:pos + n])))
            pos += n
        template._replace_leaves(iter(pairs))     # a fresh template: no copy needed
        return template

    def diff(self, other: "_Composite") -> list[Any]:
        """Coordinates whose configuration differs between ``self`` and ``other``."""
        if type(other) is not type(self):
            raise LolaTypeError(f"cannot diff {type(self).__name__} against {type(other).__name__}")
        self.check()
        other.check()
        theirs = dict(other.leaves())
        return [c for c, a in self.leaves()
                if c not in theirs or not np.array_equal(a.encode(), theirs[c].encode())]

    def to_bytes(self) -> bytes:
        """The compact binary form (:mod:`haldls.archive`)."""
        return archive.dump(self.leaves(), haldls.REVISION)

    @classmethod
    def _from_pairs(cls, pairs: list[tuple[Any, Any]]) -> "_Composite":
        return cls._filled(cls(), pairs)

    @classmethod
    def _filled(cls, out: "_Composite", pairs: list[tuple[Any, Any]]) -> "_Composite":
        """``out`` with the leaves of an archive: its pairs must be every leaf, each once."""
        expected = [c for c, _ in out.leaves()]
        got = [c for c, _ in pairs]
        if got != expected:
            missing = set(expected) - set(got)
            extra = set(got) - set(expected)
            twice = len(got) - len(set(got))
            raise LolaValueError(
                f"not an archive of a {cls.__name__}: {len(got)} parts where it has "
                f"{len(expected)}" + (f"; {len(missing)} missing (e.g. {next(iter(missing))!r})"
                                      if missing else "")
                + (f"; {len(extra)} not its own (e.g. {next(iter(extra))!r})" if extra else "")
                + (f"; {twice} repeated" if twice else "")
                + ("; out of order" if not (missing or extra or twice) else ""))
        out._replace_leaves(iter(pairs))
        return out

    @classmethod
    def from_bytes(cls, data: bytes) -> "_Composite":
        from . import container_by_name

        try:
            pairs, revision = archive.load(data, container_by_name)
        except haldls.errors.HaldlsError as err:
            raise LolaValueError(f"not an archive of a {cls.__name__}: {err}") from err
        if revision != haldls.REVISION:
            raise LolaValueError(f"the archive is of chip revision {revision}; this stack is "
                                 f"revision {haldls.REVISION}")
        return cls._from_pairs(pairs)

    def to_json(self) -> str:
        return json.dumps([[converter.unstructure(c, type(c)), _unstructure(leaf)] for c, leaf in self.leaves()])

    @classmethod
    def from_json(cls, text: str) -> "_Composite":
        from . import container_by_name

        try:
            data = json.loads(text)
            pairs = []
            for c, leaf in data:
                coord = converter.structure(c, halco.Coordinate)
                ctype = container_by_name(leaf["type"])
                if "words" in leaf:
                    words = leaf["words"]
                    if not isinstance(words, list) or not all(
                            type(w) is int and 0 <= w <= 0xFFFFFFFF for w in words):
                        raise LolaValueError(f"the words of a {leaf['type']} must be 32-bit "
                                             f"unsigned ints")
                    value = ctype.decode(np.array(words, dtype=np.uint32))
                else:
                    value = converter.structure(leaf, haldls.Container)
                pairs.append((coord, value))
        except LolaValueError:
            raise
        except (ValueError, TypeError, KeyError, LookupError) as err:
            raise LolaValueError(f"not a JSON archive of a {cls.__name__}: {err}") from err
        return cls._from_pairs(pairs)


def _unstructure(leaf: Any) -> dict:
    if isinstance(leaf, haldls.Container):
        return converter.unstructure(leaf, type(leaf))
    return {"type": type(leaf).__qualname__, "words": [int(w) for w in leaf.encode()]}


def _atomic(enum: int) -> halco.AtomicNeuronOnDLS:
    return halco.AtomicNeuronOnDLS.from_enum(enum)


@attrs.define(eq=True)
class NeuronBlock(_Composite):
    """All 512 AtomicNeurons (in AtomicNeuronOnDLS order) and the two backend blocks."""

    coordinate_type = halco.NeuronBlockOnDLS
    atomic_neurons: list = _items(AtomicNeuron, 512)
    backends: list = _items(haldls.CommonNeuronBackendConfig, 2)

    def leaves(self) -> Iterator[tuple[Any, Any]]:
        for i, b in enumerate(self.backends):
            yield halco.CommonNeuronBackendConfigOnDLS(i), b
        for i, n in enumerate(self.atomic_neurons):
            yield _atomic(i), n

    def _set_leaf(self, index: int, leaf: Any) -> None:
        if index < 2:
            self.backends[index] = leaf
        else:
            self.atomic_neurons[index - 2] = leaf


@attrs.define(eq=True)
class Crossbar(_Composite):
    """The 76 crossbar nodes (in CrossbarNodeOnDLS order) and the output configuration."""

    coordinate_type = halco.CrossbarOnDLS
    nodes: list = _items(haldls.CrossbarNode, 76)
    outputs: haldls.CrossbarOutputConfig = _item(haldls.CrossbarOutputConfig)

    def leaves(self) -> Iterator[tuple[Any, Any]]:
        yield halco.CrossbarOutputConfigOnDLS(), self.outputs
        for i, node in enumerate(self.nodes):
            yield halco.CrossbarNodeOnDLS.from_enum(i), node

    def _set_leaf(self, index: int, leaf: Any) -> None:
        if index == 0:
            self.outputs = leaf
        else:
            self.nodes[index - 1] = leaf


#: shared CapMem cells: columns 128 and 129 of each block
_SHARED_CELLS = [halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock(
    halco.CapMemColumnOnCapMemBlock(col), halco.CapMemRowOnCapMemBlock(row)), halco.CapMemBlockOnDLS(block))
    for block in range(4) for col in (128, 129) for row in range(24)]


@attrs.define(eq=True)
class CapMem(_Composite):
    """Block configurations, the shared (global) cells, bias selection and reference generator.

    ``shared_cells`` holds the 192 cells of columns 128/129 (block-major, then column, then row),
    per-neuron cells belong to the AtomicNeurons.
    """

    coordinate_type = halco.CapMemOnDLS
    blocks: list = _items(haldls.CapMemBlockConfig, 4)
    shared_cells: list = _items(haldls.CapMemCell, len(_SHARED_CELLS))
    synapse_bias_selection: haldls.SynapseBiasSelection = _item(haldls.SynapseBiasSelection)
    reference_generator: haldls.ReferenceGeneratorConfig = _item(haldls.ReferenceGeneratorConfig)

    def leaves(self) -> Iterator[tuple[Any, Any]]:
        yield halco.ReferenceGeneratorConfigOnDLS(), self.reference_generator
        yield halco.SynapseBiasSelectionOnDLS(), self.synapse_bias_selection
        for i, b in enumerate(self.blocks):
            yield halco.CapMemBlockConfigOnDLS(i), b
        yield from zip(_SHARED_CELLS, self.shared_cells)

    def _set_leaf(self, index: int, leaf: Any) -> None:
        if index == 0:
            self.reference_generator = leaf
        elif index == 1:
            self.synapse_bias_selection = leaf
        elif index < 6:
            self.blocks[index - 2] = leaf
        else:
            self.shared_cells[index - 6] = leaf

    def set_shared(self, cell: halco.CapMemCellOnCapMemBlock, value: int, block: int | None = None) -> None:
        """Set a shared cell (e.g. ``CapMemCellOnCapMemBlock.syn_i_bias_dac``) in one or all blocks."""
        if not isinstance(cell, halco.CapMemCellOnCapMemBlock) or not cell.is_shared():
            raise LolaValueError(f"set_shared takes a shared cell (column 128 or 129 of a block, e.g. "
                                 f"CapMemCellOnCapMemBlock.syn_i_bias_dac), not {cell!r}")
        blocks = range(4) if block is None else (halco.CapMemBlockOnDLS(block).value(),)
        for b in blocks:
            coord = halco.CapMemCellOnDLS(cell, halco.CapMemBlockOnDLS(b))
            self.shared_cells[_SHARED_CELLS.index(coord)] = haldls.CapMemCell(value=value)


def _check_hemisphere(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if type(value) is not int or value not in (0, 1):
        raise LolaValueError(f"{type(instance).__name__}.{attribute.name} must be 0 (top) or 1 "
                             f"(bottom), not {value!r}")


@attrs.define(eq=True)
class CADCReadoutChain(_Composite):
    """One hemisphere's CADC: configuration, channel offsets, correlation timing, column switches."""

    coordinate_type = halco.CADCOnDLS
    hemisphere: int = attrs.field(default=0, validator=_check_hemisphere)

    @classmethod
    def _template(cls, coord: Any) -> "CADCReadoutChain":
        super()._template(coord)
        return cls(hemisphere=coord.value())

    @classmethod
    def _from_pairs(cls, pairs: list[tuple[Any, Any]]) -> "CADCReadoutChain":
        hemisphere = next((c.value() for c, _ in pairs if isinstance(c, halco.CADCConfigOnDLS)), 0)
        return cls._filled(cls(hemisphere=hemisphere), pairs)
    config: haldls.CADCConfig = _item(haldls.CADCConfig)
    channels: list = _items(haldls.CADCChannelConfig, 512)
    correlation: haldls.CommonCorrelationConfig = _item(haldls.CommonCorrelationConfig)
    column_switches: list = _items(haldls.ColumnCorrelationQuad, 64)

    def leaves(self) -> Iterator[tuple[Any, Any]]:
        h = self.hemisphere
        yield halco.CADCConfigOnDLS(h), self.config
        yield halco.CommonCorrelationConfigOnDLS(h), self.correlation
        for i, ch in enumerate(self.channels):
            yield halco.CADCChannelConfigOnDLS.from_enum(h * 512 + i), ch
        for i, q in enumerate(self.column_switches):
            yield halco.ColumnCorrelationQuadOnDLS.from_enum(h * 64 + i), q

    def _set_leaf(self, index: int, leaf: Any) -> None:
        if index == 0:
            self.config = leaf
        elif index == 1:
            self.correlation = leaf
        elif index < 514:
            self.channels[index - 2] = leaf
        else:
            self.column_switches[index - 514] = leaf


@attrs.define(eq=True)
class ReadoutChain(_Composite):
    """MADC configuration, readout source selection and the pads' multiplexers."""

    coordinate_type = halco.ReadoutChainOnDLS
    madc_config: haldls.MADCConfig = _item(haldls.MADCConfig)
    source_selection: haldls.ReadoutSourceSelection = _item(haldls.ReadoutSourceSelection)
    pads: list = _items(haldls.PadMultiplexerConfig, 2)

    def leaves(self) -> Iterator[tuple[Any, Any]]:
        yield halco.MADCConfigOnDLS(), self.madc_config
        yield halco.ReadoutSourceSelectionOnDLS(), self.source_selection
        for i, p in enumerate(self.pads):
            yield halco.PadMultiplexerConfigOnDLS(i), p

    def _set_leaf(self, index: int, leaf: Any) -> None:
        if index == 0:
            self.madc_config = leaf
        elif index == 1:
            self.source_selection = leaf
        else:
            self.pads[index - 2] = leaf


def _synapse_types() -> tuple[type, type]:
    from .synapse import SynapseDriverBlock, SynapseMatrix

    return SynapseMatrix, SynapseDriverBlock


def _matrices() -> list:
    return [_synapse_types()[0]() for _ in range(2)]


def _driver_blocks() -> list:
    return [_synapse_types()[1]() for _ in range(2)]


def _cadc_chains() -> list:
    return [CADCReadoutChain(hemisphere=h) for h in range(2)]


def _check_hemisphere_pair(kind: Any) -> Any:
    """A validator: a list of two parts of ``kind()`` (resolved late: lola.synapse imports
    this module), the first for the top hemisphere, the second for the bottom."""
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        cls = kind()
        if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, cls) for v in value):
            raise LolaTypeError(f"{type(instance).__name__}.{attribute.name} must be a list of 2 "
                                f"{cls.__qualname__} (top, bottom), got {type(value).__name__} "
                                f"{[type(v).__name__ for v in value] if isinstance(value, list) else ''}")
        hemispheres = [getattr(v, "hemisphere", h) for h, v in enumerate(value)]
        if hemispheres != [0, 1]:
            raise LolaTypeError(f"{type(instance).__name__}.{attribute.name} must hold hemisphere "
                                f"0 then 1, got {hemispheres}")
    return check


def _pair(factory: Any, kind: Any) -> Any:
    return attrs.field(factory=factory, validator=_check_hemisphere_pair(kind),
                       on_setattr=attrs.setters.validate)


@attrs.define(eq=False)
class Chip(_Composite):
    """The whole chip's configuration as one value (written in this order: CapMem, crossbar,
    background sources, synapse drivers, synapse matrices, neuron block, CADC, readout)."""

    coordinate_type = halco.ChipOnDLS
    capmem: CapMem = _item(CapMem)
    crossbar: Crossbar = _item(Crossbar)
    background_spike_sources: list = _items(haldls.BackgroundSpikeSource, 8)
    synapse_driver_blocks: list = _pair(_driver_blocks, lambda: _synapse_types()[1])
    synapse_matrices: list = _pair(_matrices, lambda: _synapse_types()[0])
    neuron_block: NeuronBlock = _item(NeuronBlock)
    cadc_readout_chains: list = _pair(_cadc_chains, lambda: CADCReadoutChain)
    readout_chain: ReadoutChain = _item(ReadoutChain)

    def _parts(self) -> list[tuple[Any, Any]]:
        """(coordinate, value) of every direct part, in write order."""
        parts: list[tuple[Any, Any]] = [(halco.CapMemOnDLS(), self.capmem), (halco.CrossbarOnDLS(), self.crossbar)]
        parts += [(halco.BackgroundSpikeSourceOnDLS(i), s) for i, s in enumerate(self.background_spike_sources)]
        parts += [(halco.SynapseDriverBlockOnDLS(i), b) for i, b in enumerate(self.synapse_driver_blocks)]
        parts += [(halco.SynapseMatrixOnDLS(i), m) for i, m in enumerate(self.synapse_matrices)]
        parts.append((halco.NeuronBlockOnDLS(), self.neuron_block))
        parts += [(halco.CADCOnDLS(i), c) for i, c in enumerate(self.cadc_readout_chains)]
        parts.append((halco.ReadoutChainOnDLS(), self.readout_chain))
        return parts

    def leaves(self) -> Iterator[tuple[Any, Any]]:
        for coord, part in self._parts():
            if isinstance(part, _Composite):
                yield from part.leaves()
            else:
                yield coord, part

    def _replace_part(self, coord: Any, leaf: Any) -> None:
        if isinstance(coord, halco.BackgroundSpikeSourceOnDLS):
            self.background_spike_sources[coord.value()] = leaf
        elif isinstance(coord, halco.SynapseDriverBlockOnDLS):
            self.synapse_driver_blocks[coord.value()] = leaf
        elif isinstance(coord, halco.SynapseMatrixOnDLS):
            self.synapse_matrices[coord.value()] = leaf
        else:
            raise LolaValueError(f"Chip has no part at {coord!r}")

    def _replace_leaves(self, pairs: Iterator[tuple[Any, Any]]) -> None:
        # one pass over the parts: leaf coordinate -> (part, index in the part) or a direct part
        out = self
        slots: dict[Any, tuple[Any, int]] = {}
        for coord, part in out._parts():
            if isinstance(part, _Composite):
                for j, (c, _) in enumerate(part.leaves()):
                    slots[c] = (part, j)
            else:
                slots[coord] = (None, -1)
        for coord, leaf in pairs:
            if coord not in slots:
                raise LolaValueError(f"Chip has no leaf at {coord!r}")
            part, j = slots[coord]
            if part is None:
                out._replace_part(coord, leaf)
            else:
                part._set_leaf(j, leaf)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Chip):
            return NotImplemented
        return np.array_equal(self.encode(), other.encode())

    @classmethod
    def default_neuron_bypass(cls) -> "Chip":
        """A chip whose neurons relay every excitatory input in bypass mode: all neurons with
        digital output (label = column % 256), all synapse drivers receiving with excitatory rows,
        PADI buses accepting crossbar events, L2 input 0 routed onto the buses, neuron spikes to
        the FPGA; the CapMem enabled."""
        chip = cls()
        for i, neuron in enumerate(chip.neuron_block.atomic_neurons):
            neuron.event_routing = AtomicNeuron.EventRouting.bypass_exc()
            neuron.event_routing.address = i % 256
        RowMode = haldls.SynapseDriverConfig.RowMode
        for block in chip.synapse_driver_blocks:
            block.padi_bus = haldls.CommonPADIBusConfig(enable_spl1=[True] * 4)
            for d in block.synapse_drivers:
                d.enable_receiver = True
                d.row_mode_top = RowMode.excitatory
                d.row_mode_bottom = RowMode.excitatory
        for inp in range(8):   # neuron spikes only to the FPGA
            for out in (inp % 4, 4 + inp % 4):
                chip.crossbar.nodes[halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(out),
                                                            halco.CrossbarInputOnDLS(inp)).to_enum()] = \
                    haldls.CrossbarNode.drop_all()
        return chip

