"""Errors of the PyNN backend.

PyNN's own error types (``pyNN.errors``) are re-exported, so that ``pynn_frontend.errors`` can be
used as the real backend's ``errors`` module. The backend's own errors all derive from
:class:`PynnFrontendError` *and* from the type the real ``pynn_brainscales.brainscales2`` (or
PyNN) raises in the same situation, so that code catching either works.
"""

from __future__ import annotations

from pyNN.errors import (  # noqa: F401  (the PyNN error types, as the real backend exports them)
    ConnectionError, InvalidDimensionsError, InvalidModelError, InvalidParameterValueError,
    InvalidWeightError, NonExistentParameterError, NoModelAvailableError, NotLocalError,
    RecordingError,
)


class PynnFrontendError(Exception):
    """Base of every error the backend defines."""


class ParameterValueError(PynnFrontendError, InvalidParameterValueError):
    """A parameter value the hardware cannot take (out of range, not a number, unsorted spike
    times); the message names the parameter, the value and what would be right."""


class PlacementError(PynnFrontendError, ValueError):
    """Neurons do not fit onto the chip's circuits (or the given ``neuronPermutation``)."""


class PermutationValueError(PynnFrontendError, ValueError):
    """``neuronPermutation`` lists a circuit twice."""


class PermutationOverflowError(PynnFrontendError, OverflowError):
    """``neuronPermutation`` names a circuit >= 512 or is longer than the chip."""


class PermutationTypeError(PynnFrontendError, TypeError):
    """``neuronPermutation`` holds a negative number or something that is not an integer."""


class WeightSignError(PynnFrontendError, ConnectionError):
    """A weight whose sign does not match the projection's receptor type (excitatory weights are
    >= 0, inhibitory ones <= 0)."""


class DelayError(PynnFrontendError, ValueError):
    """A synaptic delay other than 0: the chip's synapses have no programmable delay."""


class AnalogRecordingError(PynnFrontendError, ValueError):
    """An analog recording the readout cannot make: two analog variables on one neuron, more
    than two neurons on the MADC, two MADC neurons in columns of the same parity, an unknown
    recording device, a pad that is taken."""


class UnknownRecordableError(PynnFrontendError, RecordingError, RuntimeError):
    """A variable the cell type cannot record (the newest real backend raises RuntimeError, older
    ones ``pyNN.errors.RecordingError``: this is both)."""

    def __init__(self, variable: str, celltype: object, message: str) -> None:
        RecordingError.__init__(self, variable, celltype)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InitialConfigAccessError(PynnFrontendError, RuntimeError):
    """Parameters of a population read or written before the ``initial_config`` was applied to
    it (by ``run`` or ``run(None, RunCommand.PREPARE)``)."""


class NotCalibratedError(PynnFrontendError, NotImplementedError):
    """A model or value the chip could run but calix cannot calibrate yet: conductance-based
    synaptic inputs (``CalibHXNeuronCoba``, ``IF_cond_exp``, ...), offset currents
    (``i_offset`` other than 0, current sources). The message names what is missing."""


class UncalibratedParameterError(NotCalibratedError, ParameterValueError):
    """A parameter value that needs a calibration calix does not have yet (``i_offset`` other
    than 0): both ``NotImplementedError`` and PyNN's ``InvalidParameterValueError``."""


class GlobalParameterError(PynnFrontendError, RuntimeError):
    """A parameter the calibration takes once for the whole chip (``i_synin_gm_E``,
    ``i_synin_gm_I``, ``synapse_dac_bias``, ``cm`` of the calibrated cell types) differs
    between the calibrated neurons."""


class CalibrationAccessError(PynnFrontendError, AttributeError):
    """``calib_target``, ``calib_hwparams`` or ``actual_hwparams`` asked for before the first
    calibration (``run`` or ``run(None, RunCommand.PREPARE)``) or of a population that is not
    calibrated."""


class InitialValueError(PynnFrontendError, NotImplementedError):
    """An initial value the chip cannot start from: its neurons start every run from their
    reset (HXNeuron: no initial values at all; calibrated cells: ``v`` = ``v_reset``, synaptic
    currents and conductances 0)."""


class SimulationStateError(PynnFrontendError, RuntimeError):
    """A call the simulator's state does not allow now: a second run without reset, anything
    before ``setup()``, data asked for before a run."""


class KernelCompileError(PynnFrontendError, RuntimeError):
    """A plasticity rule's kernel that does not compile (the real backend's PPU compiler fails
    with ``RuntimeError``): ``line`` and ``column`` (1-based, of the kernel as given, or None)
    and the source line with a caret in the message."""

    def __init__(self, reason: str, source: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.reason, self.line, self.column = reason, line, column
        text = f"plasticity rule kernel: {reason}"
        if line is not None:
            text = f"plasticity rule kernel, line {line}" + (f", column {column}" if column else "") + f": {reason}"
            lines = (source or "").split("\n")
            if column and 1 <= line <= len(lines):
                from libnux_vm.errors import caret_excerpt
                text += "\n" + caret_excerpt(lines[line - 1].rstrip("\r"), column)
        super().__init__(text)


class ApproximationWarning(UserWarning):
    """A PyNN model the chip runs as a documented approximation (once per population): e.g.
    ``IF_curr_alpha``'s alpha-shaped synaptic currents as the chip's exponential ones with the
    same charge and mean time (:mod:`pynn_frontend.standardmodels.biological`)."""


class PlasticityRuleError(PynnFrontendError, RuntimeError):
    """A plasticity rule the chip cannot run: its recordings do not fit the PPU's memory, two
    rules on one hemisphere, rules with the same ``same_id`` but different kernels."""


__all__ = [
    "AnalogRecordingError", "ApproximationWarning", "CalibrationAccessError", "ConnectionError", "DelayError",
    "GlobalParameterError", "InitialConfigAccessError", "InitialValueError", "KernelCompileError",
    "NotCalibratedError", "PlasticityRuleError",
    "UncalibratedParameterError",
    "InvalidDimensionsError", "InvalidModelError", "InvalidParameterValueError", "InvalidWeightError",
    "NoModelAvailableError", "NonExistentParameterError", "NotLocalError", "ParameterValueError",
    "PermutationOverflowError", "PermutationTypeError", "PermutationValueError", "PlacementError",
    "PynnFrontendError", "RecordingError", "SimulationStateError", "UnknownRecordableError",
    "WeightSignError",
]
