"""Size-2 coordinates of the hemisphere family: top (0) and bottom (1) halves of the chip.

All of them convert into each other by identity of enum (``SynramOnDLS(1).to_ppu_on_dls()``).
"""

from __future__ import annotations

from ._core import RangedInt, add_constants, link


def _hemisphere_type(name: str, doc: str) -> type[RangedInt]:
    cls = type(name, (RangedInt,), {"__slots__": (), "__doc__": doc, "__module__": __name__}, size=2)
    add_constants(cls, top=0, bottom=1)
    return cls


HemisphereOnDLS = _hemisphere_type("HemisphereOnDLS", "One half of the chip: top (0) or bottom (1).")
SynramOnDLS = _hemisphere_type("SynramOnDLS", "One of the two synapse arrays (256 x 256).")
NeuronRowOnDLS = _hemisphere_type("NeuronRowOnDLS", "Row of neuron circuits; Y axis of AtomicNeuronOnDLS.")
SynapseBlockOnDLS = _hemisphere_type("SynapseBlockOnDLS", "Synapse array together with its biases.")
SynapseMatrixOnDLS = _hemisphere_type("SynapseMatrixOnDLS", "Whole synapse matrix of one synram.")
SynapseWeightMatrixOnDLS = _hemisphere_type("SynapseWeightMatrixOnDLS", "Weights of one synram.")
SynapseLabelMatrixOnDLS = _hemisphere_type("SynapseLabelMatrixOnDLS", "Labels of one synram.")
SynapseCorrelationCalibMatrixOnDLS = _hemisphere_type(
    "SynapseCorrelationCalibMatrixOnDLS", "Correlation calibration bits of one synram."
)
ColumnCorrelationRowOnDLS = _hemisphere_type("ColumnCorrelationRowOnDLS", "Column correlation switches.")
ColumnCurrentRowOnDLS = _hemisphere_type("ColumnCurrentRowOnDLS", "Column current switches.")
CommonSynramConfigOnDLS = _hemisphere_type("CommonSynramConfigOnDLS", "Synram timing configuration.")
CommonCorrelationConfigOnDLS = _hemisphere_type(
    "CommonCorrelationConfigOnDLS", "Correlation sensor timing of one synram."
)
PPUOnDLS = _hemisphere_type("PPUOnDLS", "One of the two embedded SIMD processors.")
PPUMemoryOnDLS = _hemisphere_type("PPUMemoryOnDLS", "The whole 16 KiB memory of one PPU.")
PPUControlRegisterOnDLS = _hemisphere_type("PPUControlRegisterOnDLS", "A PPU's control register.")
PPUStatusRegisterOnDLS = _hemisphere_type("PPUStatusRegisterOnDLS", "A PPU's status register.")
CADCOnDLS = _hemisphere_type("CADCOnDLS", "Columnar ADC of one hemisphere.")
CADCConfigOnDLS = _hemisphere_type("CADCConfigOnDLS", "Configuration of one CADC.")
PADIEventOnDLS = _hemisphere_type("PADIEventOnDLS", "Event-injection register of one PADI bus block.")
PADIBusBlockOnDLS = _hemisphere_type("PADIBusBlockOnDLS", "The four PADI buses of one hemisphere.")
CommonPADIBusConfigOnDLS = _hemisphere_type("CommonPADIBusConfigOnDLS", "PADI bus block config.")
CommonSTPConfigOnDLS = _hemisphere_type("CommonSTPConfigOnDLS", "Short-term plasticity clock config.")
SynapseDriverBlockOnDLS = _hemisphere_type("SynapseDriverBlockOnDLS", "128 synapse drivers of a synram.")
SynapseDriverSRAMTimingConfigOnDLS = _hemisphere_type(
    "SynapseDriverSRAMTimingConfigOnDLS", "SRAM timing of one synapse driver block."
)
CommonSynapseDriverConfigOnDLS = _hemisphere_type(
    "CommonSynapseDriverConfigOnDLS", "Common configuration of one synapse driver block."
)

HEMISPHERE_FAMILY = (
    HemisphereOnDLS, SynramOnDLS, NeuronRowOnDLS, SynapseBlockOnDLS, SynapseMatrixOnDLS,
    SynapseWeightMatrixOnDLS, SynapseLabelMatrixOnDLS, SynapseCorrelationCalibMatrixOnDLS,
    ColumnCorrelationRowOnDLS, ColumnCurrentRowOnDLS, CommonSynramConfigOnDLS,
    CommonCorrelationConfigOnDLS, PPUOnDLS, PPUMemoryOnDLS, PPUControlRegisterOnDLS,
    PPUStatusRegisterOnDLS, CADCOnDLS, CADCConfigOnDLS, PADIEventOnDLS, PADIBusBlockOnDLS,
    CommonPADIBusConfigOnDLS, CommonSTPConfigOnDLS, SynapseDriverBlockOnDLS,
    SynapseDriverSRAMTimingConfigOnDLS, CommonSynapseDriverConfigOnDLS,
)
link(*HEMISPHERE_FAMILY)
