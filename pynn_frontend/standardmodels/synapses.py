"""Synapse types: :class:`StaticSynapse`, the chip's 6-bit synapses.

Weights are whole numbers (rounded as Python rounds: 42.5 -> 42); their magnitude is the
hardware weight and their sign is fixed by the projection's receptor type (excitatory >= 0,
inhibitory <= 0). Weights above 63 are spread by grenade's router over several synapses in
parallel. The synapses have no programmable delay: the delay is 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyNN.standardmodels import build_translations
from pyNN.standardmodels import synapses as pynn_synapses

from ..errors import DelayError, ParameterValueError, WeightSignError

#: the largest weight of one hardware synapse
MAX_SYNAPSE_WEIGHT = 63


def rounded_weights(weights: Any) -> np.ndarray:
    """Weights as the hardware takes them: whole numbers, rounded half to even (as Python's
    ``round``); NaN and infinities raise."""
    arr = np.asarray(weights, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ParameterValueError(f"weight must be a finite number, not {arr[~np.isfinite(arr)].ravel()[0]!r}")
    return np.round(arr)


def check_weight_sign(weights: np.ndarray, receptor_type: str, what: str = "projection") -> None:
    """Excitatory weights are >= 0, inhibitory weights <= 0 (the receptor gives the sign on
    the chip; the magnitude is the hardware weight)."""
    arr = np.asarray(weights)
    if receptor_type == "excitatory" and np.any(arr < 0):
        raise WeightSignError(f"{what}: weight {arr[arr < 0].ravel()[0]:g} is negative on an excitatory "
                              "projection; excitatory weights are >= 0 (use receptor_type='inhibitory' "
                              "with weights <= 0 for inhibition)")
    if receptor_type == "inhibitory" and np.any(arr > 0):
        raise WeightSignError(f"{what}: weight {arr[arr > 0].ravel()[0]:g} is positive on an inhibitory "
                              "projection; inhibitory weights are <= 0 (the magnitude is the hardware weight)")


def check_delays(delays: Any, what: str = "projection") -> None:
    arr = np.asarray(delays, dtype=float)
    if np.any(arr != 0):
        bad = arr[arr != 0].ravel()[0]
        raise DelayError(f"{what}: delay = {float(bad)!r}, but the chip's synapses have no programmable delay: "
                         "the only delay is 0")


class StaticSynapse(pynn_synapses.StaticSynapse):
    __doc__ = (pynn_synapses.StaticSynapse.__doc__ or "") + """
    On the chip: ``weight`` is rounded to a whole number; its magnitude is the hardware weight
    (above 63: several synapses in parallel), its sign must match the receptor type
    (excitatory >= 0, inhibitory <= 0; ``pyNN.errors.ConnectionError`` otherwise). ``delay``
    is 0 (anything else raises ``ValueError``)."""

    translations = build_translations(("weight", "weight"), ("delay", "delay"))
    # the backend checks weights itself (rounding, sign by receptor), whatever the connector
    parameter_checks: dict = {}

    def __init__(self, weight: Any = 0.0, delay: Any = None, **parameters: Any) -> None:
        super().__init__(weight=weight, delay=delay, **parameters)
        value = self.parameter_space["delay"].base_value
        if isinstance(value, (int, float, np.integer, np.floating, np.ndarray, list)):
            check_delays(value, "StaticSynapse")

    def _get_minimum_delay(self) -> float:
        return 0.0


__all__ = ["MAX_SYNAPSE_WEIGHT", "StaticSynapse", "check_delays", "check_weight_sign", "rounded_weights"]
