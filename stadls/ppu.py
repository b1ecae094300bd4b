"""Running a compiled PPU program on the chip: the recipe of the real ``PPUElfFile`` flow.

Load the program's image into a PPU's memory (the PPU held in reset), release the reset to start
it, let the experiment run, and read (or write) the program's globals by name through PPU memory
reads and writes::

    load_ppu_program(builder, program, ppu)          # reset + image
    write_symbol(builder, program, "target", 12, ppu)
    start_ppu(builder, ppu)
    ...                                              # the experiment: waits, spikes
    wait_for_ppu_sleep(builder, ppu)                 # until the runtime has finished
    weights = read_symbol(builder, program, "w", ppu)
    status = read_runtime_status(builder, program, ppu)
    log = read_log(builder, program, ppu)             # what the kernel logged with log_int
    run(connection, builder.done())
    weights.get(); status.get().raise_for_trap()

``program`` is a compiled kernel (``libnux_vm.compile``). stadls does not import libnux_vm: a
program is anything with ``image`` (bytes), ``symbols`` (name -> symbol with ``kind``,
``address``, ``size``) and ``decode_global``/``encode_global``/``runtime_status``/
``decode_mailbox``, as a real
ELF file is read without its compiler. ``ppu`` is a ``halco.PPUOnDLS``; ``None`` means both
PPUs where that makes sense (load, start, stop: both run the same image, as on the real chip).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import halco
import haldls
from .builder import PlaybackProgramBuilder
from .errors import BuilderError
from .program import ContainerTicket

_WORD_BYTES = 4
#: words of a program image's header (libnux_vm's HEADER_WORDS: magic word first)
_HEADER_WORDS = 16


def _words(ticket: ContainerTicket) -> bytes:
    return np.asarray(ticket.get().words, dtype="<u4").tobytes()


def _ppus(ppu: halco.PPUOnDLS | None) -> list[halco.PPUOnDLS]:
    if ppu is None:
        return list(halco.iter_all(halco.PPUOnDLS))
    if not isinstance(ppu, halco.PPUOnDLS):
        raise BuilderError(f"ppu must be a halco.PPUOnDLS (or None for both), not {ppu!r}")
    return [ppu]


def _one_ppu(ppu: halco.PPUOnDLS) -> halco.PPUOnDLS:
    if not isinstance(ppu, halco.PPUOnDLS):
        raise BuilderError(f"ppu must be a halco.PPUOnDLS, not {ppu!r}")
    return ppu


def _check_program(program: Any) -> None:
    missing = [a for a in ("image", "global_symbol", "decode_global", "encode_global",
                           "runtime_status", "decode_mailbox")
               if not hasattr(program, a)]
    if missing:
        raise BuilderError(f"expected a compiled PPU program (libnux_vm.compile), got "
                           f"{type(program).__name__} without {', '.join(missing)}")


def _block(ppu: halco.PPUOnDLS, first_word: int, n_words: int) -> halco.PPUMemoryBlockOnDLS:
    return halco.PPUMemoryBlockOnDLS(
        halco.PPUMemoryBlockOnPPU(first_word, first_word + n_words - 1), ppu)


def _symbol(program: Any, name: str) -> Any:
    _check_program(program)
    return program.global_symbol(name)      # raises a LookupError naming the globals


def load_ppu_program(builder: PlaybackProgramBuilder, program: Any,
                     ppu: halco.PPUOnDLS | None = None) -> None:
    """Hold the PPU(s) in reset and write the program's image to the start of their memory."""
    _check_program(program)
    image = bytes(program.image)
    image += bytes(-len(image) % _WORD_BYTES)
    words = np.frombuffer(image, dtype="<u4")
    for p in _ppus(ppu):
        builder.write(halco.PPUControlRegisterOnDLS(p.value()),
                      haldls.PPUControlRegister(inhibit_reset=False))
        builder.write(_block(p, 0, len(words)), haldls.PPUMemoryBlock(words))


def start_ppu(builder: PlaybackProgramBuilder, ppu: halco.PPUOnDLS | None = None) -> None:
    """Release the reset: the PPU starts its program (``start()``, then its timers)."""
    for p in _ppus(ppu):
        builder.write(halco.PPUControlRegisterOnDLS(p.value()),
                      haldls.PPUControlRegister(inhibit_reset=True))


def stop_ppu(builder: PlaybackProgramBuilder, ppu: halco.PPUOnDLS | None = None) -> None:
    """Hold the PPU in reset (it stops wherever it is; its memory is kept)."""
    for p in _ppus(ppu):
        builder.write(halco.PPUControlRegisterOnDLS(p.value()),
                      haldls.PPUControlRegister(inhibit_reset=False))


def wait_for_ppu_sleep(builder: PlaybackProgramBuilder, ppu: halco.PPUOnDLS) -> None:
    """Block the playback until the PPU sleeps (its runtime has finished, or trapped); an
    FPGA timeout (``InstructionTimeoutConfig``) ends the program if it never does."""
    p = _one_ppu(ppu)
    address = int(haldls.PPUStatusRegister.addresses(halco.PPUStatusRegisterOnDLS(p.value()))[0])
    sleep = haldls.PPUStatusRegister(sleep=True).encode()[0]
    builder.write(halco.PollingOmnibusBlockConfigOnFPGA(),
                  haldls.PollingOmnibusBlockConfig(address=address, mask=int(sleep),
                                                   target=int(sleep)))
    builder.block_until(halco.PollingOmnibusBlockOnFPGA(), haldls.PollingOmnibusBlock())


class SymbolTicket:
    """A future for a global read from PPU memory: ``get()`` decodes it by the program's type
    (an int, a bool or a numpy array), once the playback program has run."""

    def __init__(self, name: str, ticket: ContainerTicket,
                 decode: Callable[[bytes], Any]) -> None:
        self._name = name
        self._ticket = ticket
        self._decode = decode

    @property
    def name(self) -> str:
        return self._name

    def valid(self) -> bool:
        return self._ticket.valid()

    @property
    def fpga_time(self) -> int:
        """FPGA time of the read (cycles since the last timer reset), as
        ``ContainerTicket.fpga_time``."""
        return self._ticket.fpga_time

    def get(self) -> Any:
        return self._decode(_words(self._ticket))

    def __repr__(self) -> str:
        return f"SymbolTicket({self._name!r}, valid={self.valid()})"


def read_symbol(builder: PlaybackProgramBuilder, program: Any, name: str,
                ppu: halco.PPUOnDLS) -> SymbolTicket:
    """Read global ``name`` from the PPU's memory (at this point of the playback)."""
    return _read(builder, program, name, ppu, lambda raw: program.decode_global(name, raw))


def _read(builder, program, name, ppu, decode) -> SymbolTicket:
    sym = _symbol(program, name)
    block = _block(_one_ppu(ppu), sym.address // _WORD_BYTES, -(-sym.size // _WORD_BYTES))
    return SymbolTicket(name, builder.read(block), decode)


def write_symbol(builder: PlaybackProgramBuilder, program: Any, name: str, value: Any,
                 ppu: halco.PPUOnDLS | None = None) -> None:
    """Write ``value`` (checked against the global's type) to global ``name`` in PPU memory,
    e.g. a kernel's parameters before :func:`start_ppu`."""
    sym = _symbol(program, name)
    raw = program.encode_global(name, value)
    words = np.frombuffer(raw + bytes(-len(raw) % _WORD_BYTES), dtype="<u4")
    for p in _ppus(ppu):
        builder.write(_block(p, sym.address // _WORD_BYTES, len(words)),
                      haldls.PPUMemoryBlock(words))


def read_log(builder: PlaybackProgramBuilder, program: Any, ppu: halco.PPUOnDLS) -> SymbolTicket:
    """Read the PPU's mailbox: ``get()`` gives the values the kernel logged with ``log_int``,
    in order, and the number that did not fit (``Mailbox(values, dropped)``)."""
    return _read(builder, program, "__mailbox", ppu, program.decode_mailbox)


def read_runtime_status(builder: PlaybackProgramBuilder, program: Any,
                        ppu: halco.PPUOnDLS) -> SymbolTicket:
    """Read the PPU runtime's state: ``get()`` gives the program's ``RuntimeStatus`` (state,
    exit code, kernel calls, missed periods, the trap with its source line). The memory's
    header is read with it: a PPU whose memory does not hold ``program`` reads as "no program"
    (never loaded) or "another program"."""
    p = _one_ppu(ppu)
    _check_program(program)
    header = builder.read(_block(p, 0, _HEADER_WORDS))
    return _read(builder, program, "__runtime", p,
                 lambda raw: program.runtime_status(raw, p.value(), header=_words(header)))
