"""The container protocol that stadls drives, shared by haldls containers and lola's containers.

**Words.** A container that knows its word ``addresses(coord)`` (classmethod), ``encode()`` and
``decode()`` gets writes, reads, coordinate checks and read decoding from :class:`WordContainer`.

**Registration.** Every concrete container registers itself when attrs has built its class: in the
:class:`Registry` of the package that defines it (``haldls``, ``lola``), by qualified name and by
coordinate type. A class is concrete when it has a ``coordinate_type``; a class without one is an
abstract base (``haldls.Container``, ``WordContainer``, lola's ``Composite``) and instantiating it
raises :class:`~haldls.errors.AbstractContainerError`. A container that attrs does not build
registers with ``registry.add`` (a decorator).

**Introspection.** Every container type answers ``schema()``: an ordered dict of
:class:`FieldInfo`, one per declared field (haldls containers, lola's AtomicNeuron members and
synapse arrays) or part (lola's composites), with its value type, its shape, its range and, for a
part, the coordinate type its values live at. It is derived from the same declaration that
validation, encoding and decoding come from.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np

from . import wire
from .errors import AbstractContainerError, AccessError, CoordinateMismatchError, UnknownContainerError


@attrs.frozen
class FieldInfo:
    """One declared field or part of a container, as ``schema()`` gives it.

    ``type`` is the type of one value: ``bool``, ``int``, an ``enum.IntEnum``, a halco coordinate
    type (a coordinate field), a member class (``lola.AtomicNeuron.Leak``) or a container type (a
    part). ``shape`` is ``()`` for one value, ``(count,)`` for a list or a quad's entries,
    ``(256, 256)`` for a synapse matrix. ``minimum`` and ``maximum`` bound integer values and a
    coordinate's enums (``None`` for bools, enums and containers). A part's
    ``coordinate`` is the coordinate type its values live at (``None`` for a field).
    """

    name: str
    type: Any
    shape: tuple = ()
    minimum: int | None = None
    maximum: int | None = None
    doc: str = ""
    coordinate: type | None = None


class Registry:
    """The container types of one package, by qualified name and by coordinate type (wait
    conditions only by name), in registration order."""

    _by_package: ClassVar[dict[str, "Registry"]] = {}

    def __init__(self, package: str) -> None:
        if package in Registry._by_package:
            raise RuntimeError(f"package {package} has a container registry already")
        self.package = package
        self._by_name: dict[str, type] = {}
        self._by_coordinate: dict[type, type] = {}
        Registry._by_package[package] = self

    @classmethod
    def of(cls, container: type) -> "Registry | None":
        """The registry of the package defining ``container`` (None if it has none)."""
        return cls._by_package.get(container.__module__.partition(".")[0])

    def add(self, container: type) -> type:
        """Register ``container`` (returned, so this is also a class decorator)."""
        name = container.__qualname__
        if name in self._by_name:
            raise RuntimeError(f"{self.package} container {name} defined twice")
        if not getattr(container, "is_block_until", False):
            coordinate = container.coordinate_type
            if coordinate in self._by_coordinate:
                raise RuntimeError(f"coordinate {coordinate.__name__} already belongs to "
                                   f"{self._by_coordinate[coordinate].__qualname__}")
            self._by_coordinate[coordinate] = container
        self._by_name[name] = container
        return container

    def __contains__(self, container: Any) -> bool:
        return self._by_name.get(getattr(container, "__qualname__", None)) is container

    def types(self) -> tuple[type, ...]:
        """Every registered container type, in registration (definition) order."""
        return tuple(self._by_name.values())

    def by_name(self, name: str) -> type:
        """The container type of qualified name ``name`` (UnknownContainerError if none)."""
        try:
            return self._by_name[name]
        except (KeyError, TypeError):
            raise UnknownContainerError(f"no {self.package} container is named {name!r}") from None

    def get(self, coordinate: Any) -> type | None:
        """The container type living at a coordinate (instance or type), or None."""
        return self._by_coordinate.get(coordinate if isinstance(coordinate, type) else type(coordinate))

    def for_coordinate(self, coordinate: Any) -> type:
        """The container type living at a coordinate (instance or type); UnknownContainerError
        if none does."""
        found = self.get(coordinate)
        if found is None:
            ctype = coordinate if isinstance(coordinate, type) else type(coordinate)
            raise UnknownContainerError(
                f"no {self.package} container lives at {getattr(ctype, '__name__', ctype)!r}")
        return found


class WordContainer:
    """Base of every container: ``coordinate_type``, ``n_words``, ``readable`` and ``writable``
    are class data. A class without a ``coordinate_type`` is an abstract base."""

    __slots__ = ()

    coordinate_type: ClassVar[type]
    n_words: ClassVar[int]
    readable: ClassVar[bool] = True
    writable: ClassVar[bool] = True
    is_block_until: ClassVar[bool] = False
    #: a write is the container's words at its addresses (False for a timer reset, a spike
    #: pack: their own instructions), so words may be written as an array
    plain_write: ClassVar[bool] = True

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if not hasattr(cls, "coordinate_type"):
            raise AbstractContainerError(
                f"{cls.__module__.partition('.')[0]}.{cls.__qualname__} is an abstract container "
                "base (it lives at no coordinate) and cannot be instantiated; instantiate one of "
                "its container types")
        return object.__new__(cls)

    @classmethod
    def __attrs_init_subclass__(cls) -> None:
        """Register a concrete container (one declaring its ``coordinate_type``) once attrs has
        built its class, in the registry of its package."""
        if "coordinate_type" in cls.__dict__:
            registry = Registry.of(cls)
            if registry is not None:
                registry.add(cls)

    @classmethod
    def schema(cls) -> dict[str, FieldInfo]:
        """Every declared field or part, in declaration order (see the module docstring)."""
        raise NotImplementedError(f"{cls.__qualname__} does not declare its schema")

    @classmethod
    def check_coordinate(cls, coord: Any) -> None:
        """Raise ``haldls.errors.CoordinateMismatchError`` unless ``coord`` is a ``coordinate_type``."""
        if type(coord) is not cls.coordinate_type:
            raise CoordinateMismatchError(
                f"{cls.__name__} lives at {cls.coordinate_type.__name__}, not at {type(coord).__name__}")

    def encode_write(self, coord: Any) -> np.ndarray:
        """FPGA instructions writing the container's words at ``coord``."""
        if not self.writable:
            raise AccessError(f"{type(self).__name__} is read-only and cannot be written")
        return wire.omnibus_writes(self.addresses(coord), self.encode())

    @classmethod
    def encode_read(cls, coord: Any) -> np.ndarray:
        """FPGA instructions reading the same words in the same order."""
        if not cls.readable:
            raise AccessError(f"{cls.__name__} is write-only and cannot be read")
        return wire.omnibus_reads(cls.addresses(coord))

    @classmethod
    def read_response_count(cls, coord: Any) -> int:
        """Read responses of :meth:`encode_read`: ``n_words``."""
        cls.check_coordinate(coord)
        return cls.n_words

    @classmethod
    def decode_read(cls, coord: Any, words: np.ndarray) -> Any:
        """The container from the responses of :meth:`encode_read` at ``coord``."""
        cls.check_coordinate(coord)
        return cls.decode(words)
