"""The current sources of :mod:`pynn_frontend.biological`: PyNN's ``DCSource``,
``StepCurrentSource``, ``ACSource`` and ``NoisyCurrentSource`` in biological ms and nA.

They work as those of :mod:`pynn_frontend.electrodes` (timed writes of each cell's
offset-current source), but their amplitudes are nA, which reach the chip through the cell's
calibration as ``i_offset`` does: a current ``I`` moves the rest by ``I tau_m / cm`` mV, so
a cell gets ``I tau_m / cm / (0.25 mV offset_current_per_lsb)`` CapMem LSB, by the offset
current calix measured on its neuron (about 0.003..0.01 nA per LSB at ``tau_m = 20 ms``,
``cm = 1 nF``). They feed cells of PyNN's standard cell types (``IF_curr_exp``,
``IF_cond_exp``); the chip's own cell types take :mod:`pynn_frontend.electrodes`' sources in
CapMem LSB.
"""

from __future__ import annotations

from typing import Any

from . import electrodes


class _Biological:
    """Amplitudes in nA, for cells with biological units."""

    unit = "nA"

    def check_target(self, population: Any) -> None:
        if not getattr(population.celltype, "biological_weights", False):
            raise TypeError(
                f"{type(self).__name__} of pynn_frontend.biological counts nA, which needs a cell type in "
                f"biological units (IF_curr_exp, IF_cond_exp); population {population.label!r} is "
                f"{type(population.celltype).__name__}: feed it pynn_frontend.{type(self).__name__} (CapMem LSB)")


class DCSource(_Biological, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__


class StepCurrentSource(_Biological, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__


class ACSource(_Biological, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__


class NoisyCurrentSource(_Biological, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__


__all__ = ["ACSource", "DCSource", "NoisyCurrentSource", "StepCurrentSource"]
