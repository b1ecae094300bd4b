"""Init generators: programs that bring a chip from reset into a working default state.

A generator has ``generate() -> (builder, result)`` as in the real stadls; ``result`` is None for
these generators. ``generate(PlaybackProgramBuilderDumper)`` records the same commands instead.
"""

from __future__ import annotations

from typing import Any

import attrs

import halco
import haldls
from .builder import PlaybackProgramBuilder
from .errors import ArgumentTypeError


#: nominal CADC ramp of every quadrant, written by ChipInit: the ramp starts at 50 * 2 mV = 0.1 V
#: and rises by 400 * 10 uV = 4 mV per code, so a chip without mismatch reads
#: ``(V - 0.1 V) / 4 mV`` (emulator/MODEL.md); a CADC calibration (calix.common.cadc) replaces
#: them per quadrant
NOMINAL_CADC_RAMP = {"cadc_v_ramp_offset": 50, "cadc_i_ramp_slope": 400}


def _shared_cells(value: Any) -> dict[str, int]:
    """``{shared cell name: CapMem value}``, checked."""
    if not isinstance(value, dict):
        raise ArgumentTypeError(f"ChipInit.shared_capmem_cells must be a dict of shared CapMem cell "
                                f"names (halco.CAPMEM_BLOCK_CELL_NAMES) to values 0..1022, not "
                                f"{type(value).__name__}")
    for name, v in value.items():
        if name not in halco.CAPMEM_BLOCK_CELL_NAMES:
            raise ArgumentTypeError(f"ChipInit.shared_capmem_cells: {name!r} is not a shared CapMem "
                                    f"cell; the names are those of halco.CAPMEM_BLOCK_CELL_NAMES")
        haldls.CapMemCell(value=v)          # raises, naming the field and its range
    return dict(value)


@attrs.define
class ChipInit:
    """The chip part: CapMem reference and blocks, the shared CapMem cells
    ``shared_capmem_cells`` (name -> value, written in every block; default: the nominal CADC
    ramp, :data:`NOMINAL_CADC_RAMP`), neuron backend clocks, synram timing, event recording.
    ``enable_capmem`` makes the CapMem drive its cells (it does not after reset)."""

    enable_capmem: bool = True
    reference_generator: haldls.ReferenceGeneratorConfig = attrs.field(factory=haldls.ReferenceGeneratorConfig)
    capmem_block: haldls.CapMemBlockConfig = attrs.field(factory=haldls.CapMemBlockConfig)
    shared_capmem_cells: dict = attrs.field(factory=lambda: dict(NOMINAL_CADC_RAMP),
                                            converter=_shared_cells)
    common_neuron_backend: haldls.CommonNeuronBackendConfig = attrs.field(factory=haldls.CommonNeuronBackendConfig)
    common_synram: haldls.CommonSynramConfig = attrs.field(factory=haldls.CommonSynramConfig)
    event_recording: haldls.EventRecordingConfig = attrs.field(
        factory=lambda: haldls.EventRecordingConfig(enable_event_recording=True))

    def generate(self, builder_type: type = PlaybackProgramBuilder) -> tuple[Any, Any]:
        builder = builder_type()
        builder.write(halco.ReferenceGeneratorConfigOnDLS(), self.reference_generator)
        capmem = attrs.evolve(self.capmem_block, enable_capmem=self.enable_capmem)
        for block in halco.iter_all(halco.CapMemBlockConfigOnDLS):
            builder.write(block, capmem)
        for name, value in self.shared_capmem_cells.items():
            cell = getattr(halco.CapMemCellOnCapMemBlock, name)
            for block in halco.iter_all(halco.CapMemBlockOnDLS):
                builder.write(halco.CapMemCellOnDLS(cell, block), haldls.CapMemCell(value=value))
        for block in halco.iter_all(halco.CommonNeuronBackendConfigOnDLS):
            builder.write(block, self.common_neuron_backend)
        for synram in halco.iter_all(halco.CommonSynramConfigOnDLS):
            builder.write(synram, self.common_synram)
        builder.write(halco.EventRecordingConfigOnFPGA(), self.event_recording)
        builder.block_until(halco.BarrierOnFPGA(), haldls.Barrier.omnibus)
        return builder, None


@attrs.define
class SystemInit:
    """Instruction timeout, then the chip init (renamed from DigitalInit in the real stack)."""

    instruction_timeout: haldls.InstructionTimeoutConfig = attrs.field(factory=haldls.InstructionTimeoutConfig)
    chip: ChipInit = attrs.field(factory=ChipInit)
    enable_chip: bool = True

    def generate(self, builder_type: type = PlaybackProgramBuilder) -> tuple[Any, Any]:
        builder = builder_type()
        builder.write(halco.InstructionTimeoutConfigOnFPGA(), self.instruction_timeout)
        if self.enable_chip:
            chip_builder, _ = self.chip.generate(builder_type)
            builder.merge_back(chip_builder)
        return builder, None


def generate(generator: Any, builder_type: type = PlaybackProgramBuilder) -> tuple[Any, Any]:
    """``generate(SystemInit())`` -> ``(builder, result)``; ``builder_type`` may be the Dumper."""
    if isinstance(generator, type):
        raise ArgumentTypeError(f"generate takes a generator instance, e.g. stadls.{generator.__name__}(), "
                                f"not the class {generator.__name__}")
    if not hasattr(generator, "generate"):
        raise ArgumentTypeError(f"generate takes a generator such as stadls.SystemInit(), not "
                                f"{type(generator).__name__}")
    if not (isinstance(builder_type, type) and hasattr(builder_type, "write")
            and hasattr(builder_type, "block_until")):
        raise ArgumentTypeError(f"generate: builder_type must be a builder class "
                                f"(PlaybackProgramBuilder, PlaybackProgramBuilderDumper), not "
                                f"{builder_type!r}")
    return generator.generate(builder_type)
