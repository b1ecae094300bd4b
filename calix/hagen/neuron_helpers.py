"""Measurements of the HAGEN calibration on all 512 neurons as integrators (calix's
``hagen.neuron_helpers``): events onto every neuron's excitatory or inhibitory input, the
amplitude it integrates read with the CADC as the difference to a read right after a reset.

The events take the synaptic-input calibration's path (:mod:`calix.spiking.synaptic_input`:
FPGA events on L2 input 0, the 32 synapse drivers of PADI bus 0 in each hemisphere in four
groups, one synapse of weight 1 per driver and column). Unlike there, the membranes start at
their reset potential (the calibrated baseline of the integration, in the middle of the HAGEN
CADC range) and integrate many events, spaced so that the input stays linear.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import halco
import haldls
import stadls
from ..common import helpers as h
from ..spiking.synaptic_input import DRIVER_GROUPS, KINDS, send_event

#: time from the resets to the baseline read [FPGA cycles]: 128 NeuronResetQuad words take 512
BASELINE_TIME = 600
#: time of the first event [FPGA cycles]: the baseline read (a burst of 128 quads) is done
FIRST_EVENT_TIME = 2000
#: quadrant (CapMemBlockOnDLS) of each neuron: its synapses and their DAC bias cell
QUADRANT = halco.enum_map(halco.AtomicNeuronOnDLS, halco.CapMemBlockOnDLS)


def integrator_settings(kind: str, gm: Any, leak_i_bias: Any = 0) -> dict[str, Any]:
    """The neuron as an integrator of its ``kind`` input at strength ``gm``: no threshold, the
    other input off, the leak at ``leak_i_bias`` (0: none)."""
    if kind not in KINDS:
        raise ValueError(f"kind is one of {KINDS}, not {kind!r}")
    other = KINDS[1 - KINDS.index(kind)]
    return {"leak_i_bias": leak_i_bias, "threshold_enable": False,
            f"{kind}_input_enable": True, f"{kind}_input_i_bias_gm": gm,
            f"{other}_input_enable": False}


def quadrant_medians(values: np.ndarray) -> np.ndarray:
    """The median [4] of per-neuron ``values`` [512] over each quadrant's 128 neurons."""
    values = np.asarray(values, dtype=float)
    return np.array([np.median(values[QUADRANT == q]) for q in range(halco.CapMemBlockOnDLS.size)])


def integrate(builder: stadls.PlaybackProgramBuilder, send: Callable[[stadls.PlaybackProgramBuilder, int], None],
              n_events: int, spacing_us: float, quiet_us: float) -> tuple[Callable[[], np.ndarray], Callable[[], np.ndarray]]:
    """Append one integration: after ``quiet_us`` (the previous currents have died away), reset
    every membrane, read it, call ``send(builder, i)`` for ``n_events`` events ``spacing_us``
    apart and read again ``quiet_us`` after the last. Returns the functions giving the reads
    [512] before and after, once the program has run."""
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.wait_until(int(round(quiet_us * 125)))
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    h.reset_neurons(builder)
    builder.wait_until(BASELINE_TIME)
    before = h.read_membranes(builder)
    time = FIRST_EVENT_TIME
    for i in range(int(n_events)):
        time = FIRST_EVENT_TIME + int(round(i * spacing_us * 125))
        builder.wait_until(time)
        send(builder, i)
    builder.wait_until(time + int(round(quiet_us * 125)))
    return before, h.read_membranes(builder)


def read_amplitudes(builder: stadls.PlaybackProgramBuilder, kind: str, n_events: int,
                    spacing_us: float, quiet_us: float, repetitions: int = 1) -> Callable[[], np.ndarray]:
    """Append ``repetitions`` integrations (:func:`integrate`) of ``n_events`` events through
    the driver groups in turn onto every neuron's ``kind`` input. Returns a function giving the
    mean integrated amplitude [512] (CADC LSB, positive for either kind) once the program has
    run."""
    sign = 1.0 if kind == "excitatory" else -1.0
    reads = [integrate(builder, lambda b, i: send_event(b, kind, i % DRIVER_GROUPS), n_events,
                       spacing_us, quiet_us) for _ in range(repetitions)]

    def values() -> np.ndarray:
        return sign * np.mean([after() - before() for before, after in reads], axis=0)
    return values
