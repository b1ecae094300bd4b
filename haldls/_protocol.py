"""The container protocol that stadls drives: shared by haldls containers and lola's word-level
containers.

A container that knows its word ``addresses(coord)`` (classmethod), ``encode()`` and ``decode()``
gets writes, reads, coordinate checks and read decoding from :class:`WordContainer`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from . import wire
from .errors import AccessError, CoordinateMismatchError


class WordContainer:
    """Mixin: ``coordinate_type``, ``n_words``, ``readable`` and ``writable`` are class data."""

    __slots__ = ()

    coordinate_type: ClassVar[type]
    n_words: ClassVar[int]
    readable: ClassVar[bool] = True
    writable: ClassVar[bool] = True
    is_block_until: ClassVar[bool] = False
    #: a write is the container's words at its addresses (False for a timer reset, a spike
    #: pack: their own instructions), so words may be written as an array
    plain_write: ClassVar[bool] = True

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
