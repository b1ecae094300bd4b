"""Fixed-pattern deviations of one emulated chip, drawn from its chip id.

Every analog circuit on a real chip deviates from its nominal behaviour in its own way: offsets on
potentials, gain errors on currents, time constants and capacitances, per-synapse amplitude, the
synapse DACs' currents per quadrant and the HAGEN DACs' offsets per driver, the CADC's ramps
(start and slope per quadrant) and channel offsets, the MADC's offset and gain. The
same chip id always gives the same deviations (like a hardware database entry); different chip
ids give different ones. Sizes are documented in ``MODEL.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

N = 512
# standard deviations
VOLTAGE_OFFSET_SD = 0.020        # V, on every potential of a neuron
CONDUCTANCE_GAIN_SD = 0.25       # relative (log-normal), leak and reset conductance
TIME_CONSTANT_GAIN_SD = 0.20     # synaptic and adaptation time constants
AMPLITUDE_GAIN_SD = 0.15         # synaptic input strength, adaptation a and b, exponential
CAPACITANCE_GAIN_SD = 0.03
OFFSET_CURRENT_GAIN_SD = 0.15
SYNAPSE_GAIN_SD = 0.05           # per synapse
DRIVER_GAIN_SD = 0.10            # per synapse driver (both its rows)
CADC_OFFSET_SD = 0.016           # V per channel (comparator offset: 4 LSB at the nominal 4 mV/LSB)
CADC_RAMP_START_SD = 0.010       # V per quadrant (the ramp start buffer)
CADC_RAMP_SLOPE_SD = 0.03        # relative (log-normal) per quadrant (ramp current, capacitor)
CORRELATION_BASELINE_SD = 6.0    # LSB per synapse and channel type
CORRELATION_GAIN_SD = 0.15
MADC_OFFSET_SD = 5.0             # LSB
MADC_GAIN_SD = 0.02

#: the conductance-based modulation's strength (drawn from a stream of its own, after every
#: other deviation: it came later, and every chip id keeps the deviations it had)
COBA_GAIN_SD = 0.15
#: the synaptic input OTAs' input offset (V, per neuron and input; its own stream, after every
#: other deviation): the current an enabled input drives with no event (MODEL.md)
SYNIN_REFERENCE_OFFSET_SD = 0.010

VOLTAGES = ("v_leak", "v_reset", "v_threshold", "v_exp", "e_rev_exc", "e_rev_inh", "v_adapt")
LATE_VOLTAGES = {"synin_ref_exc": SYNIN_REFERENCE_OFFSET_SD, "synin_ref_inh": SYNIN_REFERENCE_OFFSET_SD}
ALL_VOLTAGES = (*VOLTAGES, *LATE_VOLTAGES)
GAINS = {
    "g_leak": CONDUCTANCE_GAIN_SD, "g_reset": CONDUCTANCE_GAIN_SD,
    "tau_exc": TIME_CONSTANT_GAIN_SD, "tau_inh": TIME_CONSTANT_GAIN_SD, "tau_w": TIME_CONSTANT_GAIN_SD,
    "amp_exc": AMPLITUDE_GAIN_SD, "amp_inh": AMPLITUDE_GAIN_SD, "a": AMPLITUDE_GAIN_SD,
    "b": AMPLITUDE_GAIN_SD, "i_exp": AMPLITUDE_GAIN_SD, "c_mem": CAPACITANCE_GAIN_SD,
    "i_offset": OFFSET_CURRENT_GAIN_SD, "g_nmda": CONDUCTANCE_GAIN_SD,
}
LATE_GAINS = {"coba_exc": COBA_GAIN_SD, "coba_inh": COBA_GAIN_SD}

#: the synapse DAC's bias (``syn_i_bias_dac``, one CapMem cell per quadrant) drives a current
#: of its own in each quadrant: relative (log-normal) per quadrant
SYNAPSE_DAC_GAIN_SD = 0.08
#: the HAGEN-mode DAC of each synapse driver: an offset of the activation it turns into a pulse
#: [activation LSB] per driver (``hagen_dac_offset`` compensates it)
HAGEN_DAC_OFFSET_SD = 1.0
N_QUADRANTS = 4
N_DRIVERS = 256
ALL_GAINS = {**GAINS, **LATE_GAINS}


@dataclass
class Mismatch:
    """Deviations of one chip. ``offset[name]`` in volts, ``gain[name]`` multiplicative, per neuron."""

    chip_id: int
    offset: dict[str, np.ndarray]
    gain: dict[str, np.ndarray]
    synapse_gain: np.ndarray          # [synram, row, column]
    cadc_offset: np.ndarray           # [synram, channel type, column] V, comparator offsets
    cadc_ramp_start: np.ndarray       # [CapMem block] V added to the ramp start
    cadc_ramp_slope: np.ndarray       # [CapMem block] factor on the ramp's volts per code
    correlation_baseline: np.ndarray  # [channel type, synram, row, column] LSB
    correlation_gain: np.ndarray      # [channel type, synram, row, column]
    madc_offset: float
    madc_gain: float
    #: [CapMem block] factor on the current the synapse DAC bias drives in each quadrant
    synapse_dac_gain: np.ndarray = field(default_factory=lambda: np.ones(N_QUADRANTS))
    #: [SynapseDriverOnDLS] offset of each driver's HAGEN activation [activation LSB]
    hagen_dac_offset: np.ndarray = field(default_factory=lambda: np.zeros(N_DRIVERS))

    @classmethod
    def for_chip(cls, chip_id: int) -> "Mismatch":
        rng = np.random.default_rng([int(chip_id), 0xB55_2])
        offset = {name: rng.normal(0.0, VOLTAGE_OFFSET_SD, N) for name in VOLTAGES}
        gain = {name: rng.lognormal(0.0, sd, N) for name, sd in GAINS.items()}
        driver = rng.lognormal(0.0, DRIVER_GAIN_SD, (2, 128))
        # rows 2d and 2d+1 belong to driver d
        synapse_gain = rng.lognormal(0.0, SYNAPSE_GAIN_SD, (2, 256, 256)) * np.repeat(driver, 2, axis=1)[:, :, None]
        cadc_offset = rng.normal(0.0, CADC_OFFSET_SD, (2, 2, 256))
        # where per-channel CADC gains were drawn before the CADC had its per-quadrant ramp:
        # still drawn, so that every draw after it is what it was
        rng.standard_normal((2, 2, 256))
        correlation_baseline = rng.normal(0.0, CORRELATION_BASELINE_SD, (2, 2, 256, 256))
        correlation_gain = rng.lognormal(0.0, CORRELATION_GAIN_SD, (2, 2, 256, 256))
        madc_offset = float(rng.normal(0.0, MADC_OFFSET_SD))
        madc_gain = float(rng.lognormal(0.0, MADC_GAIN_SD))
        ramp = np.random.default_rng([int(chip_id), 0xCAD_C])      # the CADC ramps' own stream
        late = np.random.default_rng([int(chip_id), 0xC0BA])
        gain.update({name: late.lognormal(0.0, sd, N) for name, sd in LATE_GAINS.items()})
        dac = np.random.default_rng([int(chip_id), 0xDAC])          # the synapse DACs' own stream
        reference = np.random.default_rng([int(chip_id), 0x5EF])    # the input OTAs' offsets
        offset.update({name: reference.normal(0.0, sd, N) for name, sd in LATE_VOLTAGES.items()})
        return cls(
            chip_id=int(chip_id), offset=offset, gain=gain, synapse_gain=synapse_gain,
            cadc_offset=cadc_offset,
            cadc_ramp_start=ramp.normal(0.0, CADC_RAMP_START_SD, 4),
            cadc_ramp_slope=ramp.lognormal(0.0, CADC_RAMP_SLOPE_SD, 4),
            correlation_baseline=correlation_baseline, correlation_gain=correlation_gain,
            madc_offset=madc_offset, madc_gain=madc_gain,
            synapse_dac_gain=dac.lognormal(0.0, SYNAPSE_DAC_GAIN_SD, N_QUADRANTS),
            hagen_dac_offset=dac.normal(0.0, HAGEN_DAC_OFFSET_SD, N_DRIVERS),
        )

    @classmethod
    def ideal(cls) -> "Mismatch":
        """No deviations at all (for tests of the nominal model)."""
        return cls(
            chip_id=-1, offset={name: np.zeros(N) for name in ALL_VOLTAGES},
            gain={name: np.ones(N) for name in ALL_GAINS}, synapse_gain=np.ones((2, 256, 256)),
            cadc_offset=np.zeros((2, 2, 256)), cadc_ramp_start=np.zeros(4), cadc_ramp_slope=np.ones(4),
            correlation_baseline=np.zeros((2, 2, 256, 256)),
            correlation_gain=np.ones((2, 2, 256, 256)), madc_offset=0.0, madc_gain=1.0,
        )
