"""Why a configured neuron cannot spike or be recorded: the commonest silent mistakes, found in
its configuration (an :class:`~lola.AtomicNeuron`, or one neuron of a :class:`~lola.Chip`).

A neuron that never fires, or whose trace stays flat, looks the same as one that works but
gets no input; the hardware says nothing. :func:`diagnose` reads the switches a spike and a
recording need and names each one that is off, with the setting that turns it on::

    print(lola.diagnose(neuron))                       # the neuron's own switches
    print(lola.diagnose(chip=chip, coord=coord))       # with the chip's CADC and MADC routing

It checks configuration only: whether the membrane actually crosses its threshold depends on
the analog values and the chip's mismatch (a calibration, or a measurement, tells).
"""

from __future__ import annotations

from typing import Any

import attrs

import halco
from .chip import Chip
from .errors import LolaTypeError
from .neuron import AtomicNeuron

_NORMAL = AtomicNeuron.EventRouting.AnalogOutputMode.normal
#: the ReadoutSourceSelection field of a neuron's readout line, by column parity; multiplexer m
#: connects the line of hemisphere h with entry 2 m + h (SourceMultiplexer.neuron_even/odd[h])
_MADC_LINES = {0: "neuron_even", 1: "neuron_odd"}


@attrs.frozen
class Finding:
    """One switch that stops the neuron: ``problem`` (what happens) and ``fix`` (the setting)."""
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.problem}: set {self.fix}"


@attrs.frozen
class NeuronDiagnosis:
    """What stops a neuron, by purpose: ``spiking`` (its circuit cannot fire), ``spike_output``
    (its spikes do not leave the circuit; the spike counter still counts them), ``madc`` and
    ``cadc`` (its membrane does not reach that converter; checked only with a chip, except the
    neuron's own readout switch; the MADC's wake-up and start are commands of a program, not
    configuration), and ``notes`` (no problem, but worth knowing)."""
    spiking: tuple[Finding, ...] = ()
    spike_output: tuple[Finding, ...] = ()
    madc: tuple[Finding, ...] = ()
    cadc: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def can_spike(self) -> bool:
        return not self.spiking

    def __str__(self) -> str:
        lines = []
        for title, findings in (("spiking", self.spiking), ("spike output", self.spike_output),
                                ("MADC recording", self.madc), ("CADC recording", self.cadc)):
            lines.append(f"{title}: " + ("ok" if not findings else "; ".join(map(str, findings))))
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def _spiking(neuron: AtomicNeuron) -> tuple[list[Finding], list[str]]:
    found, notes = [], []
    if not neuron.threshold.enable:
        found.append(Finding("the threshold comparator is off", "threshold.enable = True"))
    if neuron.event_routing.analog_output == AtomicNeuron.EventRouting.AnalogOutputMode.off:
        found.append(Finding("the fire signal is off (a threshold crossing resets nothing and "
                             "sends nothing)", "event_routing.analog_output = AnalogOutputMode.normal"))
    driven = (neuron.excitatory_input.enable or neuron.inhibitory_input.enable
              or neuron.constant_current.enable or neuron.exponential.enable
              or neuron.event_routing.enable_bypass_excitatory or neuron.event_routing.enable_bypass_inhibitory)
    if not driven:
        if neuron.leak.i_bias == 0:
            found.append(Finding("nothing drives the membrane: no leak conductance (leak.i_bias = 0), "
                                 "no synaptic input, offset current or bypass",
                                 "leak.i_bias > 0 with leak.v_leak above the threshold, or enable an input"))
        else:
            notes.append("only the leak drives the membrane (no synaptic input, offset current or "
                         "bypass is enabled): it spikes only if its leak potential lies above its "
                         "threshold (leak over threshold)")
    return found, notes


def _output(neuron: AtomicNeuron) -> list[Finding]:
    if neuron.event_routing.enable_digital:
        return []
    return [Finding("its spikes do not leave the circuit (no events to the crossbar, the FPGA or "
                    "other neurons)", "event_routing.enable_digital = True")]


def _madc(neuron: AtomicNeuron, chip: Any, coord: halco.AtomicNeuronOnDLS | None) -> list[Finding]:
    found = []
    if not neuron.readout.enable_buffered_access:
        found.append(Finding("its readout switch is open", "readout.enable_buffered_access = True"))
    if chip is not None and coord is not None:
        line, hemisphere = _MADC_LINES[coord.x.value() % 2], coord.y.value()
        entries = getattr(chip.readout_chain.source_selection, line)
        if not (entries[hemisphere] or entries[2 + hemisphere]):
            # entry `hemisphere` is source multiplexer 0's
            found.append(Finding(f"no MADC multiplexer is connected to its readout line ({line} "
                                 f"of hemisphere {hemisphere})",
                                 f"readout_chain.source_selection.{line}[{hemisphere}] = True"))
    return found


def _cadc(chip: Any, coord: halco.AtomicNeuronOnDLS | None) -> list[Finding]:
    if chip is None or coord is None:
        return []
    hemisphere, column = coord.y.value(), coord.x.value()
    chain = chip.cadc_readout_chains[hemisphere]
    found = []
    quad, entry = chain.column_switches[column // 4], column % 4
    if not (quad.enable_cadc_neuron_readout_causal[entry] or quad.enable_cadc_neuron_readout_acausal[entry]):
        found.append(Finding(f"its column's CADC channels read the correlation sensors, not the "
                             f"membrane", f"cadc_readout_chains[{hemisphere}].column_switches[{column // 4}]"
                             f".enable_cadc_neuron_readout_causal[{entry}] = True"))
    if not chain.config.enable:
        found.append(Finding(f"the CADC of hemisphere {hemisphere} is off",
                             f"cadc_readout_chains[{hemisphere}].config.enable = True"))
    return found


def diagnose(neuron: AtomicNeuron | None = None, *, chip: Any = None,
             coord: halco.AtomicNeuronOnDLS | None = None) -> NeuronDiagnosis:
    """What in ``neuron``'s configuration stops it from spiking, sending spikes or being
    recorded. Give the :class:`~lola.AtomicNeuron`, or a :class:`~lola.Chip` and the neuron's
    ``coord`` (then the chip's CADC and MADC routing of that neuron is checked too)."""
    if chip is not None and not isinstance(chip, Chip):
        raise LolaTypeError(f"diagnose: chip must be a lola.Chip, not {type(chip).__name__}")
    if coord is not None and not isinstance(coord, halco.AtomicNeuronOnDLS):
        raise LolaTypeError(f"diagnose: coord must be a halco.AtomicNeuronOnDLS, not {type(coord).__name__}")
    if neuron is None:
        if chip is None or coord is None:
            raise LolaTypeError("diagnose: give the AtomicNeuron, or chip= and coord= of one of its neurons")
        neuron = chip.neuron_block.atomic_neurons[coord.to_enum()]
    elif not isinstance(neuron, AtomicNeuron):
        raise LolaTypeError(f"diagnose: neuron must be a lola.AtomicNeuron, not {type(neuron).__name__}")
    spiking, notes = _spiking(neuron)
    return NeuronDiagnosis(spiking=tuple(spiking), spike_output=tuple(_output(neuron)),
                           madc=tuple(_madc(neuron, chip, coord)), cadc=tuple(_cadc(chip, coord)),
                           notes=tuple(notes))
