"""Calibration of the neurons' synaptic inputs: the time constant ``tau_syn`` and the strength
(the OTA bias ``i_bias_gm``) of the excitatory and the inhibitory input of all 512 neurons.

Both are measured with the neuron as an integrator: the leak is off (``leak_i_bias = 0``), so
after a reset to a fixed potential the membrane integrates the current of one input event,

    V(t) = V_0 + Q (1 - exp(-t / tau_syn)) / C,   Q = I_0 tau_syn,

and the CADC reads all 512 membranes at once. The event reaches every neuron through the
same synapse rows per hemisphere (FPGA spikes on L2 input 0, PADI bus 0 of both hemispheres,
whose 32 synapse drivers form four groups of eight, one per row address; their top rows are
excitatory, their bottom rows inhibitory; label 0 excitatory, label 1 inhibitory). The time
constant is measured with one event through one group, the strength with one through each
group (so that it averages over 32 drivers' mismatch). The currents are kept far below the input OTA's saturation, where the
input is linear.

- :class:`SynTimeConstantCalib`: ``*_input_i_bias_tau`` (inverted: a larger bias, a shorter
  time constant) so that the rise of ``V`` towards its final value has the target time
  constant (the log distance's slope, as for the membrane time constant).
- :class:`SynAmplitudeCalib`: ``*_input_i_bias_gm`` so that the charge ``Q / C`` of one event,
  which with calibrated time constants sets a PSP's height, is the same for every neuron: the
  median of all neurons at a reference bias (calix's "calibrated matching" CUBA input).

The synapses, drivers and bus used for the measurement are cleared afterwards.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

import halco
import haldls
import lola
import stadls
from ..common import helpers as h
from ..common.algorithms import NoisyBinarySearch
from ..common.base import Calib, ParameterRange
from ..errors import CalibError
from .targets import (CalibratedMatchingCubaSynapticInput, UncalibratedCubaSynapticInput,
                      per_input)

log = logging.getLogger(__name__)

KINDS = ("excitatory", "inhibitory")
#: the synapse label of an event onto each kind of input
LABEL = {"excitatory": 0, "inhibitory": 1}
#: the synapse drivers per hemisphere one measurement event reaches (of PADI bus 0's 32): the
#: charge averages over their (and their synapses') mismatch, which the strength calibration
#: would otherwise fold into the neuron's own
DRIVERS_PER_EVENT = 8
#: the groups of ``DRIVERS_PER_EVENT`` drivers (all of bus 0's): an event's row address selects
#: one (the drivers compare its two upper bits); the strengths are matched with an event to
#: each group, the average over 32 drivers per hemisphere
DRIVER_GROUPS = 4
_GROUP_MASK = 0b11000
#: the weight of each measurement synapse: the summed current of one event's drivers stays
#: below a tenth of the input OTA's saturation, where the input is linear
WEIGHT = 1
#: the membrane capacitance while measuring: the smallest, so that one event's charge moves the
#: membrane by tens of CADC LSB (the capacitance's mismatch is a factor, the same at every size)
CAPACITANCE = 0
#: the membrane's start (a reset) below (excitatory) or above (inhibitory) the integrated charge
#: (``reset_v_reset`` near its ends: ~20 and ~220 CADC LSB, room for twice ``CHARGE_FOR_TAU``)
V_START = {"excitatory": 50, "inhibitory": 1000}
#: the charge one event integrates while the time constant is measured [CADC LSB]: the fit of a
#: rise by ~100 LSB resolves the time constant to a few percent with reads of 1 LSB noise
CHARGE_FOR_TAU = 100.0
#: the nominal charge [CADC LSB] per ``i_bias_gm`` LSB and microsecond of time constant, with
#: ``DRIVERS_PER_EVENT`` synapses of ``WEIGHT`` and ``CAPACITANCE`` (to choose the strength for
#: ``CHARGE_FOR_TAU``)
CHARGE_PER_GM_US = 0.016
#: the first read after the event [us]
FIRST_READ_US = 0.1
#: a synaptic input's strength to which all neurons are matched (calix: 500)
REFERENCE_GM = 500
#: the charge the events through all driver groups integrate at the reference strength while
#: strengths are matched [CADC LSB]: the search reaches about twice it below the CADC's end
CHARGE_FOR_GM = 60.0
#: the nominal membrane capacitance per ``membrane_capacitance`` step, relative to the smallest
#: (to choose the capacitance that keeps ``CHARGE_FOR_GM`` for long time constants)
CAPACITANCE_PER_STEP = 0.34
#: the time from the resets to the event [FPGA cycles]: 128 NeuronResetQuad words take 512
EVENT_TIME = 600
_DRIVERS = [halco.SynapseDriverOnDLS(halco.SynapseDriverOnSynapseDriverBlock(4 * i),
                                     halco.SynapseDriverBlockOnDLS(h))
            for h in range(2) for i in range(DRIVERS_PER_EVENT * DRIVER_GROUPS)]


def configure_synapses(builder: stadls.PlaybackProgramBuilder, weight: int = WEIGHT) -> None:
    """The 32 synapse drivers of PADI bus 0 in each hemisphere receive its events, a group of
    ``DRIVERS_PER_EVENT`` per row address (:func:`send_event`); their top rows hold excitatory
    synapses of label 0, their bottom rows inhibitory ones of label 1, every column with
    ``weight``."""
    mode = haldls.SynapseDriverConfig.RowMode
    for block in halco.iter_all(halco.CommonPADIBusConfigOnDLS):
        builder.write(block, haldls.CommonPADIBusConfig(enable_spl1=[True, False, False, False]))
    for driver in _DRIVERS:
        builder.write(driver, haldls.SynapseDriverConfig(
            enable_receiver=True, row_address_compare_mask=_GROUP_MASK, row_mode_top=mode.excitatory,
            row_mode_bottom=mode.inhibitory))
        for row, kind in zip(driver.to_synapse_row_on_dls(), ("inhibitory", "excitatory")):
            synapses = lola.SynapseRow()
            synapses.weights = np.full(256, weight)
            synapses.labels = np.full(256, LABEL[kind])
            builder.write(row, synapses)


def clear_synapses(builder: stadls.PlaybackProgramBuilder) -> None:
    """Undo :func:`configure_synapses`: no weights, drivers and bus off."""
    for block in halco.iter_all(halco.CommonPADIBusConfigOnDLS):
        builder.write(block, haldls.CommonPADIBusConfig())
    for driver in _DRIVERS:
        builder.write(driver, haldls.SynapseDriverConfig())
        for row in driver.to_synapse_row_on_dls():
            builder.write(row, lola.SynapseRow())


def send_event(builder: stadls.PlaybackProgramBuilder, kind: str, group: int = 0) -> None:
    """One event onto every neuron's ``kind`` input (through L2 input 0), through driver group
    ``group`` (0..3) of each hemisphere."""
    row_address = group * (_GROUP_MASK & -_GROUP_MASK)        # the mask's lowest bit
    builder.write(halco.SpikePack1ToChipOnDLS(),
                  haldls.SpikePack1ToChip([LABEL[kind] | row_address << 6]))


def integrator_settings(kind: str, gm: Any, capacitance: int = CAPACITANCE) -> dict[str, Any]:
    """The neuron as an integrator of its ``kind`` input: no leak, no threshold, the other input
    off, a reset to the start potential."""
    other = KINDS[1 - KINDS.index(kind)]
    return {"leak_i_bias": 0, "threshold_enable": False, "reset_v_reset": V_START[kind],
            "reset_i_bias": 1022, "membrane_capacitance_capacitance": capacitance,
            f"{kind}_input_enable": True, f"{kind}_input_i_bias_gm": gm,
            f"{other}_input_enable": False}


def measurement_capacitance(gm: float, tau_syn: float) -> int:
    """The membrane capacitance (0..63) at which one event through each driver group
    integrates about ``CHARGE_FOR_GM`` at strength ``gm`` and time constant ``tau_syn`` [s]
    (nominally)."""
    nominal = CHARGE_PER_GM_US * gm * tau_syn * 1e6 * DRIVER_GROUPS
    return int(np.clip(np.ceil((nominal / CHARGE_FOR_GM - 1.0) / CAPACITANCE_PER_STEP), 0, 63))


class _IntegratorCalib(Calib):
    """Search one field of the ``kind`` input of every neuron, measuring the integrated charge of
    one event; ``state`` holds the neurons as calibrated so far."""

    field_name: str = ""

    def __init__(self, state: lola.AtomicNeuronArray, kind: str, inverted: bool) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind is one of {KINDS}, not {kind!r}")
        self.kind = kind
        self.field = f"{kind}_input_{self.field_name}"
        super().__init__(ParameterRange(*h.CAPMEM_RANGE), h.N_NEURONS, inverted=inverted,
                         errors=(f"{self.field} of neurons {{0}} reached the lower bound {{1}}",
                                 f"{self.field} of neurons {{0}} reached the upper bound {{1}}"))
        self.state = state
        self.measurement = state.copy()

    def settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def prelude(self, connection: stadls.Connection) -> None:
        self.measurement = self.state.copy()
        for name, value in self.settings().items():
            self.measurement[name] = value
        builder = stadls.PlaybackProgramBuilder()
        self.measurement.write(builder)
        configure_synapses(builder)
        h.run(connection, builder)

    def configure_parameters(self, builder, parameters):
        self.measurement.set(self.field, parameters)
        self.measurement.write(builder, fields=[self.field])
        h.wait_us(builder, 20.0)             # the new biases settle
        return builder

    def _charge(self, builder: stadls.PlaybackProgramBuilder, delay_us: float,
                quiet_us: float, groups: tuple[int, ...] = (0,), spacing_us: float = 0.0) -> Any:
        """After ``quiet_us`` (the previous event's current has died away: an integrating
        membrane would collect its rest), reset every membrane, an event through each driver
        group of ``groups``, ``spacing_us`` apart (none: the membranes at their start), a read
        ``delay_us`` after the last."""
        builder.write(halco.TimerOnDLS(), haldls.Timer())
        builder.wait_until(int(round(quiet_us * 125)))
        builder.write(halco.TimerOnDLS(), haldls.Timer())
        h.reset_neurons(builder)
        time = EVENT_TIME
        for i, group in enumerate(groups):
            time = EVENT_TIME + int(round(i * spacing_us * 125))
            builder.wait_until(time)
            send_event(builder, self.kind, group)
        builder.wait_until(time + int(round(delay_us * 125)))
        return h.read_membranes(builder)

    def postlude(self, connection: stadls.Connection) -> None:
        self.state[self.field] = self.result.calibrated_parameters
        builder = stadls.PlaybackProgramBuilder()
        clear_synapses(builder)
        h.run(connection, builder)


class SynTimeConstantCalib(_IntegratorCalib):
    """``*_input_i_bias_tau`` so that the synaptic current decays with time constant ``target``
    seconds: after one event the integrating membrane approaches its final value with that time
    constant; results within 10 % count as reached."""

    field_name = "i_bias_tau"
    tolerance = 0.1
    relative_tolerance = True

    def __init__(self, state: lola.AtomicNeuronArray, kind: str) -> None:
        super().__init__(state, kind, inverted=True)

    def settings(self) -> dict[str, Any]:
        longest_us = float(np.max(self.target)) * 1e6
        gm = int(np.clip(round(CHARGE_FOR_TAU / (CHARGE_PER_GM_US * longest_us)), 100, 1022))
        return integrator_settings(self.kind, gm)

    def delays_us(self) -> np.ndarray:
        """Read delays after the event [us]: one right after it (the whole charge still to
        come, whatever the time constant: a neuron far faster than its target still shows a
        clear slope rather than reads settled into noise, whose flat fit would look slow), then
        through three of the longest target time constants, spaced finely enough for the
        shortest."""
        target = np.asarray(self.target, dtype=float) * 1e6
        shortest, longest = float(target.min()), float(target.max())
        n = int(np.clip(np.ceil(3.0 * longest / (shortest / 3.0)), 5, 19))
        return np.concatenate([[FIRST_READ_US], np.linspace(shortest / 3.0, 3.0 * longest, n)])

    def measure_results(self, connection, builder):
        delays = self.delays_us()
        # the final value 8 target time constants after the event; before each event, 12 of
        # them: the previous event's current has died away (to 1 % where it is 2.6 times the
        # target, and a search leaves such neurons after its first steps)
        final_us = 8.0 * float(np.max(self.target)) * 1e6
        quiet_us = 1.5 * final_us
        final = [self._charge(builder, final_us, quiet_us) for _ in range(2)]
        samples = [self._charge(builder, d, quiet_us) for d in delays.tolist()]
        h.run(connection, builder)
        values = np.array([r() for r in samples])
        end = np.mean([r() for r in final], axis=0)
        valid = (values > 1.0) & (values < 254.0)          # reads clipped at a CADC end: no distance
        sign = 1.0 if self.kind == "excitatory" else -1.0   # the inhibitory charge pulls down
        fitted = h.fit_time_constant(delays * 1e-6, sign * values, sign * end, valid)
        # a final value clipped at a CADC end: the charge, proportional to the time constant, is
        # far above the target's, and the fit against a wrong end would be meaningless
        return np.where((end <= 1.0) | (end >= 254.0), np.inf, fitted)


class SynAmplitudeCalib(_IntegratorCalib):
    """``*_input_i_bias_gm`` so that one event's integrated charge ``Q / C`` is the same for
    every neuron: the median over all neurons at ``reference_gm`` (calix's "calibrated" CUBA
    input), or the target of the input it matches (:attr:`match`, calix's "calibrated
    matching"). With calibrated synaptic and membrane time constants this matches the neurons'
    PSP heights (the capacitance's mismatch is a factor, the same at every size, so the match
    holds at the neuron's own capacitance). ``tau_syn`` [s] is the longest synaptic time
    constant calibrated (the charge settles within 8 of them; a larger one asks for a larger
    capacitance, so that the charge stays within the CADC's range). Results within 3 % count as
    reached."""

    field_name = "i_bias_gm"
    tolerance = 0.03
    relative_tolerance = True
    #: reads averaged per measurement (the CADC's noise is about 1 LSB)
    repetitions = 4

    def __init__(self, state: lola.AtomicNeuronArray, kind: str, reference_gm: int = REFERENCE_GM,
                 tau_syn: float = 10e-6) -> None:
        super().__init__(state, kind, inverted=False)
        self.reference_gm = int(reference_gm)
        self.tau_syn = float(tau_syn)
        if not 0 < self.tau_syn <= 1e-3:
            raise CalibError(f"tau_syn is the longest synaptic time constant in seconds, "
                             f"0 < tau_syn <= 1e-3, not {tau_syn!r}")
        #: the measurement's membrane capacitance (the same for inputs that match)
        self.capacitance = measurement_capacitance(self.reference_gm, self.tau_syn)
        #: another input's calibration whose target (and capacitance) this one takes
        self.match: SynAmplitudeCalib | None = None

    def settings(self) -> dict[str, Any]:
        return integrator_settings(self.kind, self.reference_gm, self.capacitance)

    def charge_per_weight(self, capacitance: int) -> float:
        """The potential [CADC LSB] one event through one synapse of weight 1 integrates on a
        calibrated neuron of membrane capacitance ``capacitance`` (0..63; nominal capacitance
        ratio), from the target: the measurement's charge came from one event through each of
        ``DRIVER_GROUPS * DRIVERS_PER_EVENT`` synapses of ``WEIGHT``."""
        if self.target is None:
            raise CalibError(f"{self.field} has no target yet: run the calibration first")
        synapses = DRIVER_GROUPS * DRIVERS_PER_EVENT * WEIGHT
        ratio = (1.0 + CAPACITANCE_PER_STEP * self.capacitance) / (1.0 + CAPACITANCE_PER_STEP * capacitance)
        return float(self.target) / synapses * ratio

    def measure_results(self, connection, builder):
        # one event through each driver group, the currents apart (their sum stays linear)
        settle_us = 8.0 * self.tau_syn * 1e6
        groups, spacing_us = tuple(range(DRIVER_GROUPS)), 3.0 * self.tau_syn * 1e6
        start = [self._charge(builder, 0.0, settle_us, ()) for _ in range(self.repetitions)]
        end = [self._charge(builder, settle_us, settle_us, groups, spacing_us)
               for _ in range(self.repetitions)]
        h.run(connection, builder)
        end_reads = np.array([r() for r in end])
        #: neurons whose charge reached a CADC end (the charge then reads smaller than it is)
        self.clipped = ((end_reads <= 1.0) | (end_reads >= 254.0)).any(axis=0)
        charge = end_reads.mean(axis=0) - np.mean([r() for r in start], axis=0)
        return charge if self.kind == "excitatory" else -charge

    def prelude(self, connection: stadls.Connection) -> None:
        if self.match is not None:
            if self.match.target is None:
                raise CalibError(f"{self.field} matches {self.match.field}, which has no target "
                                 f"yet: calibrate it first")
            self.target = self.match.target
            self.capacitance = self.match.capacitance
        super().prelude(connection)
        if self.target is None:         # the median neuron at the reference strength
            charge = self.measure_results(connection, stadls.PlaybackProgramBuilder())
            if np.mean(self.clipped) > 0.5:
                raise CalibError(
                    f"{self.field}: at i_bias_gm {self.reference_gm} most neurons' charge reaches "
                    f"the CADC's end: are the synaptic time constants calibrated (longer than "
                    f"tau_syn = {self.tau_syn:g} s)?")
            if not np.median(charge) > 3.0:
                raise CalibError(f"{self.field}: the synaptic inputs integrate no charge "
                                 f"({np.median(charge):.1f} LSB median): are they connected?")
            self.target = float(np.median(charge))
            log.info("%s: matching every neuron to %.1f LSB per event", self.field, self.target)


def synaptic_input_steps(state: lola.AtomicNeuronArray, tau_syn: np.ndarray,
                         cuba_synin: Any) -> list[tuple[str, Calib, Any]]:
    """The calibrations of both inputs in calix's order, as (name, calibration, target):
    the time constants (``tau_syn``: [2][512] seconds, exc and inh), then the strengths as
    ``cuba_synin`` (a :mod:`~calix.spiking.targets` CUBA variant) asks. An uncalibrated input
    gets its ``i_synin_gm`` in ``state`` directly."""
    steps: list[tuple[str, Calib, Any]] = [
        (f"tau_syn {kind}", SynTimeConstantCalib(state, kind), tau_syn[i]) for i, kind in enumerate(KINDS)]
    gm = per_input(cuba_synin.i_synin_gm).astype(np.int64)
    for i, kind in enumerate(KINDS):
        state[f"{kind}_input_i_bias_gm"] = gm[i]
        state[f"{kind}_input_enable"] = True
    if isinstance(cuba_synin, UncalibratedCubaSynapticInput):
        return steps
    longest = float(np.max(tau_syn))
    excitatory = SynAmplitudeCalib(state, "excitatory", int(gm[0, 0]), longest)
    inhibitory = SynAmplitudeCalib(state, "inhibitory", int(gm[1, 0]), longest)
    if isinstance(cuba_synin, CalibratedMatchingCubaSynapticInput):
        inhibitory.match = excitatory             # the excitatory median, once it is measured
    return steps + [("i_synin_gm excitatory", excitatory, None),
                    ("i_synin_gm inhibitory", inhibitory, None)]


def calibrate_synaptic_inputs(connection: stadls.Connection, state: lola.AtomicNeuronArray,
                              tau_syn: Any, cuba_synin: Any = None, seed: int = 0) -> np.ndarray:
    """Calibrate both inputs' time constants (``tau_syn``: seconds, anything
    :func:`~calix.spiking.targets.per_input` takes) and strengths (``cuba_synin``, default
    :class:`~calix.spiking.targets.CalibratedMatchingCubaSynapticInput`); ``state`` is updated
    with the results. Returns whether each neuron reached every target."""
    cuba_synin = CalibratedMatchingCubaSynapticInput() if cuba_synin is None else cuba_synin
    success = np.ones(h.N_NEURONS, dtype=bool)
    for i, (name, calib, target) in enumerate(synaptic_input_steps(state, per_input(tau_syn), cuba_synin)):
        success &= calib.run(connection, NoisyBinarySearch(seed=seed + i), target).success
    return success
