"""Calibration results: per neuron an AtomicNeuron and whether it reached its target; they
apply to a builder (or a Dumper), become a ``lola.Chip`` and pickle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

import halco
import haldls
import lola
import stadls
from ..common.base import CalibResult
from ..common.cadc_helpers import capmem_set_quadrant_cells


@dataclass
class NeuronCalibResult(CalibResult):
    """``neurons``: AtomicNeuronOnDLS -> calibrated lola.AtomicNeuron (a working LIF neuron:
    threshold on, fire signal, the calibrated potentials, leak and reset biases, capacitance
    and refractory time); ``success``: AtomicNeuronOnDLS -> whether every part reached its
    target; ``clock_scale_slow``: the backend clock the refractory times count (both blocks);
    ``charge_per_weight``: (excitatory, inhibitory) the potential [CADC LSB] one event through
    a synapse of weight 1 integrates on a calibrated neuron (the strengths' matched target at
    the neuron's capacitance, without leak: a PSP's area over its membrane time constant), NaN
    where the strengths are not calibrated; ``offset_current_per_lsb``: [512] how far one
    CapMem LSB of source current (``constant_current.i_offset``) moves each calibrated neuron's
    rest [CADC LSB] (NaN where the source does not work); ``syn_i_bias_dac``: [4] the
    quadrants' calibrated synapse DAC biases (CapMem LSB; None: not calibrated, left as they
    are); ``steps``: (step, wall seconds,
    fraction of neurons that reached it) of the calibration that made it."""
    neurons: dict = field(default_factory=dict)
    success: dict = field(default_factory=dict)
    clock_scale_slow: int = 0
    charge_per_weight: tuple = (float("nan"), float("nan"))
    offset_current_per_lsb: np.ndarray = field(default_factory=lambda: np.full(512, np.nan))
    steps: list = field(default_factory=list)
    syn_i_bias_dac: np.ndarray | None = None

    @classmethod
    def from_array(cls, target: Any, neurons: lola.AtomicNeuronArray, clock_scale_slow: int,
                   success: np.ndarray, options: Any = None,
                   charge_per_weight: tuple = (float("nan"), float("nan")),
                   offset_current_per_lsb: Any = None) -> "NeuronCalibResult":
        """The result of calibrated ``neurons`` (all 512) and ``success`` [512]."""
        coords = list(halco.iter_all(halco.AtomicNeuronOnDLS))
        return cls(target=target, options=options,
                   neurons=dict(zip(coords, neurons.to_atomic_neurons())),
                   success={c: bool(ok) for c, ok in zip(coords, success)},
                   clock_scale_slow=int(clock_scale_slow),
                   charge_per_weight=tuple(float(c) for c in charge_per_weight),
                   offset_current_per_lsb=np.full(512, np.nan) if offset_current_per_lsb is None
                   else np.asarray(offset_current_per_lsb, dtype=float))

    def success_mask(self) -> np.ndarray:
        """[512] booleans in AtomicNeuronOnDLS enum order."""
        return np.array([self.success[n] for n in halco.iter_all(halco.AtomicNeuronOnDLS)])

    def apply(self, builder: stadls.PlaybackProgramBuilder | stadls.PlaybackProgramBuilderDumper) -> None:
        """The quadrants' synapse DAC biases, both backend blocks' refractory clock, then every
        calibrated neuron (vectorized on a PlaybackProgramBuilder, one AtomicNeuron each on a
        Dumper)."""
        self.check_builder(builder)
        if self.syn_i_bias_dac is not None:
            capmem_set_quadrant_cells(builder, {halco.CapMemCellOnCapMemBlock.syn_i_bias_dac:
                                                self.syn_i_bias_dac})
        for block in halco.iter_all(halco.CommonNeuronBackendConfigOnDLS):
            builder.write(block, haldls.CommonNeuronBackendConfig(clock_scale_slow=self.clock_scale_slow))
        lola.AtomicNeuronArray.from_atomic_neurons(self.neurons).write(builder, neurons=list(self.neurons))


@dataclass
class SpikingCalibResult(CalibResult):
    """The spiking mode's whole calibration (calix's ``SpikingCalibResult``): ``cadc_result``
    (a :class:`~calix.common.cadc.CADCCalibResult`), ``neuron_result`` (a
    :class:`NeuronCalibResult` on the calibrated CADC's LSB), ``stp_result`` (a
    :class:`~calix.spiking.stp.STPCalibResult`, None if STP was not calibrated) and
    ``correlation_result`` (a :class:`~calix.spiking.correlation.CorrelationCalibResult` or
    None); :meth:`apply` applies them in that order."""
    cadc_result: Any = None
    neuron_result: Any = None
    stp_result: Any = None
    correlation_result: Any = None

    def success_mask(self) -> np.ndarray:
        """[512] booleans in AtomicNeuronOnDLS enum order: the neuron reached every target."""
        return self.neuron_result.success_mask()

    @property
    def neurons(self) -> dict:
        """The calibrated neurons (AtomicNeuronOnDLS -> lola.AtomicNeuron)."""
        return self.neuron_result.neurons

    def apply(self, builder: stadls.PlaybackProgramBuilder | stadls.PlaybackProgramBuilderDumper) -> None:
        self.check_builder(builder)
        self.cadc_result.apply(builder)
        self.neuron_result.apply(builder)
        for part in (self.stp_result, self.correlation_result):
            if part is not None:
                part.apply(builder)
