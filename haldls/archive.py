"""A compact binary form of (coordinate, container) lists: what reaches the hardware, as words.

Layout (little endian): magic ``b"BSS2DUMP"``, u32 version, u32 revision, u32 length of a JSON
name table, the table (``{"coordinates": [...], "containers": [...]}``), u32 entry count, then per
entry: u8 kind (0 configuration, 1 wait condition), u16 coordinate type index, u32 coordinate
enum, u16 container type index, u32 word count, the words (u32 each); last, the u32 CRC-32
(``zlib.crc32``) of everything before it, so that a changed or truncated byte is refused rather
than decoded into a different configuration.

Containers of upper layers (lola) are stored by their qualified name and words as well; whoever
loads them passes a ``lookup`` that knows their types.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any, Callable, Iterable

import numpy as np

import halco
from ._container import container_by_name
from .errors import DecodeError

MAGIC = b"BSS2DUMP"
VERSION = 2
_CHECKSUM = struct.Struct("<I")
_ENTRY = struct.Struct("<BHIHI")
_COORDINATES = {t.__name__: t for t in halco.all_coordinate_types()}


def dump(pairs: Iterable[tuple[Any, Any]], revision: int) -> bytes:
    """Bytes of ``(coordinate, container)`` pairs; containers need ``encode()``."""
    coord_index: dict[str, int] = {}
    cont_index: dict[str, int] = {}
    body = bytearray()
    count = 0
    for coord, value in pairs:
        cn, vn = type(coord).__name__, type(value).__qualname__
        ci = coord_index.setdefault(cn, len(coord_index))
        ki = cont_index.setdefault(vn, len(cont_index))
        words = np.asarray(value.encode()).astype("<u4")
        kind = 1 if getattr(value, "is_block_until", False) else 0
        body += _ENTRY.pack(kind, ci, coord.to_enum(), ki, words.size)
        body += words.tobytes()
        count += 1
    table = json.dumps({"coordinates": list(coord_index), "containers": list(cont_index)}).encode()
    return seal(MAGIC + struct.pack("<III", VERSION, revision, len(table)) + table
                + struct.pack("<I", count) + body)


def seal(payload: bytes) -> bytes:
    """``payload`` followed by its CRC-32 checksum, as :func:`dump` ends an archive."""
    return bytes(payload) + _CHECKSUM.pack(zlib.crc32(payload))


def load(data: bytes, lookup: Callable[[str], type] = container_by_name) -> tuple[list[tuple[Any, Any]], int]:
    """``(pairs, revision)`` from :func:`dump`'s bytes; raises :class:`DecodeError` when corrupt."""
    try:
        if data[:8] != MAGIC:
            raise DecodeError("not a BSS-2 archive (bad magic)")
        version, revision, n_table = struct.unpack_from("<III", data, 8)
        if version != VERSION:
            raise DecodeError(f"archive version {version}, this reader knows {VERSION}")
        (stored,) = _CHECKSUM.unpack_from(data, len(data) - _CHECKSUM.size)
        data = data[:-_CHECKSUM.size]
        if zlib.crc32(data) != stored:
            raise DecodeError(f"corrupt archive: its CRC-32 checksum 0x{stored:08x} does not match its "
                              f"contents (0x{zlib.crc32(data):08x}): a byte was changed or lost")
        pos = 20
        table = json.loads(data[pos:pos + n_table])
        pos += n_table
        coord_types = [_COORDINATES[n] for n in table["coordinates"]]
        cont_types = [lookup(n) for n in table["containers"]]
        (count,) = struct.unpack_from("<I", data, pos)
        pos += 4
        pairs = []
        for i in range(count):
            kind, ci, enum, ki, n = _ENTRY.unpack_from(data, pos)
            pos += _ENTRY.size
            words = np.frombuffer(data, dtype="<u4", count=n, offset=pos).astype(np.uint32)
            pos += 4 * n
            value = cont_types[ki].decode(words)
            if kind != int(bool(getattr(value, "is_block_until", False))):
                raise DecodeError(f"entry {i}: kind {kind} does not match its "
                                  f"{type(value).__qualname__} (0 configuration, 1 wait condition)")
            pairs.append((coord_types[ci].from_enum(enum), value))
        if pos != len(data):
            raise DecodeError(f"{len(data) - pos} trailing bytes in archive")
        return pairs, revision
    except DecodeError:
        raise
    except (struct.error, KeyError, IndexError, ValueError, LookupError, TypeError,
            OverflowError) as err:
        raise DecodeError(f"corrupt archive: {err}") from err
