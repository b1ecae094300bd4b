"""Single-instance coordinates of the FPGA and of chip-level triggers, and event-pack counters."""

from __future__ import annotations

from ._core import RangedInt


def _single(name: str, doc: str) -> type[RangedInt]:
    return type(name, (RangedInt,), {"__slots__": (), "__doc__": doc, "__module__": __name__}, size=1)


TimerOnDLS = _single("TimerOnDLS", "The FPGA's playback timer (125 MHz).")
WaitUntilOnFPGA = _single("WaitUntilOnFPGA", "The executor's wait-until unit.")
SystimeSyncOnFPGA = _single("SystimeSyncOnFPGA", "System-time synchronisation trigger.")
SystimeSyncBaseOnDLS = _single("SystimeSyncBaseOnDLS", "System-time base register of the chip.")
BarrierOnFPGA = _single("BarrierOnFPGA", "The executor's barrier unit.")
PollingOmnibusBlockOnFPGA = _single("PollingOmnibusBlockOnFPGA", "Polling wait on a chip word.")
PollingOmnibusBlockConfigOnFPGA = _single(
    "PollingOmnibusBlockConfigOnFPGA", "Address, mask and target of the polling wait."
)
EventRecordingConfigOnFPGA = _single("EventRecordingConfigOnFPGA", "Spike/MADC recording switch.")
InstructionTimeoutConfigOnFPGA = _single(
    "InstructionTimeoutConfigOnFPGA", "Cycles after which a blocking instruction times out."
)
FPGADeviceDNAOnFPGA = _single("FPGADeviceDNAOnFPGA", "The FPGA's 57-bit device identifier.")
NullPayloadReadableOnFPGA = _single("NullPayloadReadableOnFPGA", "A read that returns nothing.")
ChipOnDLS = _single("ChipOnDLS", "The whole chip (for lola.Chip).")
ResetChipOnDLS = _single("ResetChipOnDLS", "The chip's reset line.")
JTAGIdCodeOnDLS = _single("JTAGIdCodeOnDLS", "The chip's JTAG id code.")
SpikePack1ToChipOnDLS = _single("SpikePack1ToChipOnDLS", "Injection of one spike label.")
SpikePack2ToChipOnDLS = _single("SpikePack2ToChipOnDLS", "Injection of two spike labels at once.")
SpikePack3ToChipOnDLS = _single("SpikePack3ToChipOnDLS", "Injection of three spike labels at once.")


class SpikePackFromFPGAOnDLS(RangedInt, min=1, max=3):
    """Size of a spike pack from the FPGA (1..3), used to index pack counters."""

    __slots__ = ()


class MADCSamplePackFromFPGAOnDLS(RangedInt, min=1, max=3):
    """Size of an MADC sample pack from the FPGA (1..3)."""

    __slots__ = ()
