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

from .. import simulator
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


def check_weight_sign(weights: np.ndarray, receptor_type: str, what: str = "projection",
                      conductances: bool = False) -> None:
    """Excitatory weights are >= 0, inhibitory weights <= 0 (the receptor gives the sign on
    the chip; the magnitude is the hardware weight); ``conductances`` (PyNN's conductance-based
    standard cell types): every weight is >= 0, as PyNN has it."""
    arr = np.asarray(weights)
    if conductances and np.any(arr < 0):
        raise WeightSignError(f"{what}: weight {arr[arr < 0].ravel()[0]:g} is negative; the weights of "
                              "conductance-based cells are conductances >= 0 [uS], whatever the receptor type")
    if conductances:
        return
    if receptor_type == "excitatory" and np.any(arr < 0):
        raise WeightSignError(f"{what}: weight {arr[arr < 0].ravel()[0]:g} is negative on an excitatory "
                              "projection; excitatory weights are >= 0 (use receptor_type='inhibitory' "
                              "with weights <= 0 for inhibition)")
    if receptor_type == "inhibitory" and np.any(arr > 0):
        raise WeightSignError(f"{what}: weight {arr[arr > 0].ravel()[0]:g} is positive on an inhibitory "
                              "projection; inhibitory weights are <= 0 (the magnitude is the hardware weight)")


def check_delays(delays: Any, what: str = "projection") -> None:
    """Delays on the chip (hardware time): 0 only."""
    arr = np.asarray(delays, dtype=float)
    if np.any(arr != 0):
        bad = arr[arr != 0].ravel()[0]
        raise DelayError(f"{what}: delay = {float(bad)!r}, but the chip's synapses have no programmable delay: "
                         "the only delay is 0")


def checked_delays(delays: Any, what: str = "projection") -> np.ndarray:
    """Delays in biological time (pynn_frontend.biological): finite and >= 0 [ms]; where they
    can be realized is decided when the network is mapped."""
    arr = np.asarray(delays, dtype=float)
    bad = ~(np.isfinite(arr) & (arr >= 0))
    if bad.any():
        raise DelayError(f"{what}: delay = {float(arr[bad].ravel()[0])!r}; delays are finite numbers of ms >= 0")
    return arr


def biological_time() -> bool:
    """Whether the simulation counts biological time (pynn_frontend.biological)."""
    return bool(simulator.state.biological)


class ChipSynapse:
    """What the backend's synapse types share: the weight checks are the backend's (rounding,
    sign by receptor), delays are checked on construction (0 in hardware time, ms >= 0 in
    biological time; the default delay is ``min_delay`` there, 0 here). ``not_runnable``: why
    the type cannot run yet (None: it runs)."""

    parameter_checks: dict = {}
    not_runnable: str | None = None

    def _check_delay_parameter(self) -> None:
        value = self.parameter_space["delay"].base_value
        if isinstance(value, (int, float, np.integer, np.floating, np.ndarray, list)):
            (checked_delays if biological_time() else check_delays)(value, type(self).__name__)

    def _get_minimum_delay(self) -> float:
        return float(simulator.state.min_delay) if simulator.state.biological else 0.0

    def connection_parameters(self) -> list[str]:
        """The parameters each connection keeps besides weight and delay."""
        return [name for name in self.default_parameters if name not in ("weight", "delay")]


class StaticSynapse(ChipSynapse, pynn_synapses.StaticSynapse):
    __doc__ = (pynn_synapses.StaticSynapse.__doc__ or "") + """
    On the chip: ``weight`` is rounded to a whole number; its magnitude is the hardware weight
    (above 63: several synapses in parallel), its sign must match the receptor type
    (excitatory >= 0, inhibitory <= 0; ``pyNN.errors.ConnectionError`` otherwise). ``delay``
    is 0 (anything else raises ``ValueError``); in ``pynn_frontend.biological`` delays are ms >= 0,
    realized from spike sources and 0 between neurons on the chip."""

    translations = build_translations(("weight", "weight"), ("delay", "delay"))

    def __init__(self, weight: Any = 0.0, delay: Any = None, **parameters: Any) -> None:
        super().__init__(weight=weight, delay=delay, **parameters)
        self._check_delay_parameter()


class TsodyksMarkramSynapse(ChipSynapse, pynn_synapses.TsodyksMarkramSynapse):
    __doc__ = (pynn_synapses.TsodyksMarkramSynapse.__doc__ or "") + """
    On the chip: not yet. The chip's synapse drivers have short-term plasticity, but calix does
    not calibrate it yet: projections of this type are built and their parameters kept (``U``,
    ``tau_rec``, ``tau_facil`` per connection), mapping them raises ``NotImplementedError``."""

    translations = build_translations(*[(name, name) for name in pynn_synapses.TsodyksMarkramSynapse.default_parameters])
    not_runnable = ("short-term plasticity is not calibrated yet (calix has no STP calibration), so "
                    "TsodyksMarkramSynapse projections cannot run; use StaticSynapse")

    def __init__(self, **parameters: Any) -> None:
        super().__init__(**parameters)
        self._check_delay_parameter()


class PlasticSynapse(StaticSynapse):
    __doc__ = """A static synapse whose weights a plasticity rule may change while the network
    runs (pynn_frontend.plasticity): ``weight`` is the initial weight (hardware LSB, rounded; the
    sign by the receptor type), ``delay`` is 0 (anything else raises ``ValueError``),
    ``plasticity_rule`` the ``PlasticityRule`` whose kernel gets this projection's synapses."""

    def __init__(self, weight: Any = 0.0, delay: Any = None, plasticity_rule: Any = None,
                 **parameters: Any) -> None:
        if delay is not None:           # in biological time too: the rule works on its own synapses
            check_delays(delay, "PlasticSynapse")
        super().__init__(weight=weight, delay=delay, **parameters)
        self.plasticity_rule = plasticity_rule

    @property
    def plasticity_rule(self) -> Any:
        return self._plasticity_rule

    @plasticity_rule.setter
    def plasticity_rule(self, value: Any) -> None:
        from ..plasticity import PlasticityRule        # plasticity imports this module
        if value is not None and not isinstance(value, PlasticityRule):
            raise TypeError(f"plasticity_rule is a pynn_frontend.PlasticityRule or None, not {type(value).__name__}")
        self._plasticity_rule = value


__all__ = ["ChipSynapse", "MAX_SYNAPSE_WEIGHT", "PlasticSynapse", "StaticSynapse", "TsodyksMarkramSynapse", "biological_time", "check_delays", "check_weight_sign",
           "checked_delays", "rounded_weights"]
