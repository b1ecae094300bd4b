"""The offset current onto the membrane (``constant_current``), measured on the calibrated
neurons: how far one CapMem LSB of ``i_offset`` moves each neuron's resting potential [CADC
LSB]. A current ``I`` moves the rest by ``I / g_leak``; with the leak calibrated (its
potential and time constant) that shift is what a model's offset current means, so this
per-neuron factor turns any offset current, in CADC LSB of shift (or through
:class:`~calix.spiking.biological.BiologicalUnits` in nA), into each neuron's CapMem value.
Beyond the real calix, whose neuron calibration leaves the offset current off.

The emulated (and real) source is linear in its bias, so one probe suffices: the rest with
the source off and with ``PROBE`` LSB of source current. A neuron whose shift is too small to
measure (a dead source) is reported as a failure.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

import lola
import stadls
from ..common import helpers as h

log = logging.getLogger(__name__)

#: the probe's source current [CapMem LSB]: a shift of tens of CADC LSB at tau_mem 10 us
PROBE = 200
#: reads averaged per rest (the CADC's and the membrane's noise: about 1 LSB each)
READS = 10
#: the median shift [CADC LSB] the probe aims at
AIMED_SHIFT = 30.0
#: the least shift [CADC LSB] of the probe that counts as a working source
LEAST_SHIFT = 3.0


def _rest(builder: stadls.PlaybackProgramBuilder, settle_us: float) -> Any:
    h.wait_us(builder, settle_us)
    reads = [h.read_membranes(builder) for _ in range(READS)]
    return lambda: np.mean([r() for r in reads], axis=0)


def _shift(connection: stadls.Connection, state: lola.AtomicNeuronArray, probe: int,
           settle_us: float) -> tuple[np.ndarray, np.ndarray]:
    """(shift [CADC LSB], clipped) of every neuron's rest for ``probe`` LSB of source current."""
    measurement = state.copy()
    measurement["threshold_enable"] = False
    # the leak conductance alone (an adaptation's a would add to it)
    measurement["adaptation_enable"] = False
    measurement["exponential_enable"] = False
    measurement["constant_current_enable"] = False
    builder = stadls.PlaybackProgramBuilder()
    measurement.write(builder)
    off = _rest(builder, settle_us)
    measurement["constant_current_enable"] = True
    measurement["constant_current_type"] = lola.AtomicNeuron.ConstantCurrent.Type.source
    measurement["constant_current_i_offset"] = probe
    measurement.write(builder, fields=["constant_current_enable", "constant_current_type",
                                       "constant_current_i_offset"])
    on = _rest(builder, settle_us)
    state.write(builder)                     # as configured before
    h.run(connection, builder)
    return on() - off(), on() >= 254.0


def measure_offset_current(connection: stadls.Connection, state: lola.AtomicNeuronArray,
                           settle_us: float = 60.0) -> tuple[np.ndarray, np.ndarray]:
    """(shift [CADC LSB per CapMem LSB of ``i_offset``], success) [512] of the neurons as
    ``state`` configures them (threshold off meanwhile), the source's direction: positive. The
    probe aims at a median shift of ``AIMED_SHIFT`` (a second probe if the first is far off:
    the shift per LSB grows with the membrane time constant and shrinks with the capacitance).
    The configured offset current is restored afterwards."""
    probe = PROBE
    shift, clipped = _shift(connection, state, probe, settle_us)
    median = float(np.median(shift))
    if not AIMED_SHIFT / 3.0 <= median <= 2.0 * AIMED_SHIFT:
        probe = int(np.clip(round(probe * AIMED_SHIFT / max(median, 0.1)), 5, 1022))
        shift, clipped = _shift(connection, state, probe, settle_us)
    success = (shift >= LEAST_SHIFT) & ~clipped
    if not success.all():
        log.warning("offset current: neurons %s move by less than %g LSB with %d LSB of current, "
                    "or reach the CADC's end", np.flatnonzero(~success)[:20].tolist(), LEAST_SHIFT, probe)
    return shift / probe, success
