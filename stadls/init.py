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


@attrs.define
class ChipInit:
    """The chip part: CapMem reference and blocks, neuron backend clocks, synram timing, event
    recording. ``enable_capmem`` makes the CapMem drive its cells (it does not after reset)."""

    enable_capmem: bool = True
    reference_generator: haldls.ReferenceGeneratorConfig = attrs.field(factory=haldls.ReferenceGeneratorConfig)
    capmem_block: haldls.CapMemBlockConfig = attrs.field(factory=haldls.CapMemBlockConfig)
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
    if not hasattr(generator, "generate"):
        raise ArgumentTypeError(f"generate takes a generator such as stadls.SystemInit(), not "
                                f"{type(generator).__name__}")
    if not (isinstance(builder_type, type) and hasattr(builder_type, "write")
            and hasattr(builder_type, "block_until")):
        raise ArgumentTypeError(f"generate: builder_type must be a builder class "
                                f"(PlaybackProgramBuilder, PlaybackProgramBuilderDumper), not "
                                f"{builder_type!r}")
    return generator.generate(builder_type)
