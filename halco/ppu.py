"""PPU coordinates: two processors with 4096 32-bit words (16 KiB) of memory each."""

from __future__ import annotations

from ._core import Interval, Nested, RangedInt
from .hemisphere import PPUOnDLS


class PPUMemoryWordOnPPU(RangedInt, size=4096):
    """One 32-bit word of a PPU's memory. ``return_code`` is word 3071 (where real libnux
    keeps its exit code; a libnux_vm program keeps it in its ``__runtime`` global)."""

    __slots__ = ()


PPUMemoryWordOnPPU.return_code = PPUMemoryWordOnPPU(3071)


class PPUMemoryBlockSize(RangedInt, min=1, max=4096):
    """Number of words in a block, 1..4096."""

    __slots__ = ()


class PPUMemoryBlockOnPPU(Interval, bound=PPUMemoryWordOnPPU):
    """A closed range of words ``[min, max]``; ``mailbox`` is words 3072..4095 (real libnux's
    mailbox; a libnux_vm program's is its ``__mailbox`` global, see ``stadls.read_log``)."""

    __slots__ = ()


PPUMemoryBlockOnPPU.mailbox = PPUMemoryBlockOnPPU(3072, 4095)


class PPUMemoryWordOnDLS(Nested, local=PPUMemoryWordOnPPU, parent=PPUOnDLS):
    """One of the 8192 PPU memory words of the chip (enum = ppu*4096 + word)."""

    __slots__ = ()


class PPUMemoryBlockOnDLS(Nested, local=PPUMemoryBlockOnPPU, parent=PPUOnDLS):
    """A block of words on one PPU."""

    __slots__ = ()
