"""Word memory of the chip and the FPGA registers, organised by the haldls declarations.

Every container type that lives at bus addresses gets a :class:`Region`: its words for every
coordinate (``words[n_coordinates, n_words]``) and the decoded field arrays, kept in step with the
words. The :class:`AddressMap` resolves any batch of addresses to (region, coordinate enum, word)
with one ``searchsorted``, so a burst of writes is applied region by region without a Python loop
per word.
"""

from __future__ import annotations

import functools

import numpy as np

import haldls
from .errors import UnmappedAddressError


class Region:
    """Words and decoded fields of one container type over all its coordinates."""

    def __init__(self, container: type[haldls.Container], reset_words: np.ndarray | None = None) -> None:
        self.container = container
        self.size = container.coordinate_type.size
        default = container().encode() if reset_words is None else reset_words
        self.words = np.tile(default.astype(np.uint32), (self.size, 1))
        self.fields: dict[str, np.ndarray] = {
            name: np.repeat(values[:1], self.size, axis=0)
            for name, values in container.decode_array(default[None, :]).items()
        }

    def store(self, rows: np.ndarray, word_index: np.ndarray, data: np.ndarray) -> np.ndarray:
        """Store words; returns the unique rows touched, with their fields re-decoded."""
        self.words[rows, word_index] = data
        touched = np.unique(rows)
        if self.container.fields:
            # the hardware keeps whatever bits it is written: no range check here
            for name, values in self.container.decode_array(self.words[touched], check=False).items():
                self.fields[name][touched] = values
        return touched


class AddressMap:
    """address -> (region index, coordinate enum, word index), for every addressed container."""

    def __init__(self, containers: list[type[haldls.Container]]) -> None:
        addresses, region_ids, rows, word_ids = [], [], [], []
        for rid, cls in enumerate(containers):
            enums = np.fromiter(cls.coordinate_type.enum_values(), dtype=np.int64)
            a = cls.addresses_array(enums)
            addresses.append(a.ravel())
            region_ids.append(np.full(a.size, rid, dtype=np.int32))
            rows.append(np.repeat(enums, cls.n_words))
            word_ids.append(np.tile(np.arange(cls.n_words), len(enums)))
        addr = np.concatenate(addresses).astype(np.uint64)
        order = np.argsort(addr, kind="stable")
        self.addresses = addr[order]
        if np.any(np.diff(self.addresses) == 0):
            dup = self.addresses[1:][np.diff(self.addresses) == 0][0]
            raise RuntimeError(f"address map collision at 0x{int(dup):08x}")
        self.region = np.concatenate(region_ids)[order]
        self.row = np.concatenate(rows)[order]
        self.word = np.concatenate(word_ids)[order]

    def resolve(self, addresses: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(region, row, word) for each address; raises for an address no unit occupies."""
        addresses = np.asarray(addresses, dtype=np.uint64)
        idx = np.searchsorted(self.addresses, addresses)
        idx_c = np.minimum(idx, len(self.addresses) - 1)
        bad = self.addresses[idx_c] != addresses
        if np.any(bad):
            first = int(addresses[bad][0])
            raise UnmappedAddressError(
                f"address 0x{first:08x} is not occupied by any hardware unit ({int(bad.sum())} such words)"
            )
        return self.region[idx_c], self.row[idx_c], self.word[idx_c]


@functools.lru_cache(maxsize=None)
def address_map(containers: tuple[type[haldls.Container], ...]) -> AddressMap:
    """The (immutable) address map of a set of container types, built once per process."""
    return AddressMap(list(containers))
