"""PyNN on the chip in biological time: ``import pynn_frontend.biological as sim``.

The same backend as :mod:`pynn_frontend`, but every time is biological: ``run``, spike times,
recorded data, time constants and delays count biological milliseconds, which the chip runs
1000 times faster (1 biological ms is 1 hardware us), and PyNN's standard cell types run on
calibrated neurons (``IF_curr_exp``, ``IF_cond_exp``, ``EIF_cond_exp_isfa_ista``; the alpha
types ``IF_curr_alpha``, ``IF_cond_alpha``, ``EIF_cond_alpha_isfa_ista`` as an approximation;
``TsodyksMarkramSynapse`` is built but refused when run). A script written for ``pyNN.nest``
runs with its import changed, within these limits:

- Parameters are translated by ``calix.BiologicalUnits`` (module
  :mod:`pynn_frontend.standardmodels.biological`): a value the calibration cannot reach raises
  ``InvalidParameterValueError`` naming the parameter and the range (``tau_syn_E``/``_I`` when
  the network is mapped, and only where a projection uses that input). ``i_offset`` runs through
  each neuron's calibrated offset current, and so do the current sources (``DCSource``,
  ``StepCurrentSource``, ``ACSource``, ``NoisyCurrentSource`` in nA: timed writes of that
  source during the run, piecewise constant on the time step; :mod:`pynn_frontend.electrodes`).
- Weights are nA (current-based) or uS (conductance-based), rounded to whole hardware weight
  LSB after translation (about 0.02 nA for ``tau_syn = 5 ms`` and ``cm = 1 nF``); inhibitory
  weights of current-based cells are negative, as PyNN expects. A network's calibrated cells
  are all current-based or all conductance-based (calix switches the inputs chip-wide).
- The chip's synaptic currents are exponential: the alpha types' alpha-shaped currents run as
  exponential ones with the same charge and mean time (time constant ``2 tau_syn``, amplitude
  ``w e / 2``; an ``ApproximationWarning`` per population says so).
- Delays: connections from spike sources get theirs exactly (the source's spikes are played in
  that much later, on the FPGA's 8 us biological clock); connections between neurons on the
  chip have no programmable delay, so theirs must be 0 (the default ``min_delay`` is 0).
- Runs: a ``run`` after a ``run`` without ``reset`` continues the time, the inputs and the
  recordings, but the chip cannot continue its neurons' state: they start again from their
  reset state (a warning says so).
- Recording: ``v`` [mV for the standard cell types] as one ``AnalogSignal`` per population and
  segment, sampled at ``dt`` (or ``sampling_interval``) by interpolating the readout's samples:
  the MADC (every 0.034 ms, at most two neurons) where the cells fit, the CADC (every ``dt``,
  but no faster than its reads take: about 0.1 ms per 8 neurons) for the others. A spike source's recorded spikes are those it sent.
- ``initialize``: ``v`` [mV] is where a run that starts at t = 0 (and the first run after an
  ``initialize``) starts the membrane, through the run's first reset
  (:mod:`pynn_frontend.initial_values`: s.d. 0.12 mV); synaptic currents start at 0.
- The chip is noisy (temporal noise, 8-bit CADC): repeated runs are similar, not identical.
"""

from __future__ import annotations

from typing import Any

from pyNN import common

from . import (  # noqa: F401  (the backend's surface, shared)
    AllToAllConnector, ArrayConnector, Assembly, CalibHXNeuronCoba, CalibHXNeuronCuba, CloneConnector,
    CSAConnector, DisplacementDependentProbabilityConnector, DistanceDependentProbabilityConnector,
    FixedNumberPostConnector, FixedNumberPreConnector, FixedProbabilityConnector, FixedTotalNumberConnector,
    FromFileConnector, FromListConnector, GSLRNG, HXNeuron, IndexBasedProbabilityConnector, InjectedConfiguration,
    InjectedReadout, NativeRNG, Network, NumpyRNG, OneToOneConnector, Population, PopulationView, Projection,
    RandomDistribution, RunCommand, Sequence, SmallWorldConnector, Space, SpikeSourceArray, SpikeSourceGamma, SpikeSourcePoisson,
    SpikeSourcePoissonRefractory,
    StaticSynapse, connect, create, end, errors, get_current_time, get_max_delay, get_min_delay,
    get_time_step, initialize, num_processes, rank, record, reset, run, run_for, run_until, set, simulator,
)
from . import _setup
from .biological_electrodes import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource
from .standardmodels.biological import (EIF_cond_alpha_isfa_ista, EIF_cond_exp_isfa_ista, HH_cond_exp,
                                       IF_cond_alpha, IF_cond_exp, IF_cond_exp_gsfa_grr, IF_curr_alpha,
                                       IF_curr_exp)
from .standardmodels.synapses import TsodyksMarkramSynapse
from .stdp import AdditiveWeightDependence, MultiplicativeWeightDependence, SpikePairRule, STDPMechanism

#: PyNN's default time step [ms]
DEFAULT_TIMESTEP = 0.1


def setup(timestep: float = DEFAULT_TIMESTEP, min_delay: Any = "auto", **extra_params: Any) -> int:
    """Start a new simulation in biological time (see :func:`pynn_frontend.setup` for the
    keywords). ``timestep`` [ms] is the default sampling interval of analog recordings;
    ``min_delay`` "auto" is 0 (delays between neurons on the chip are 0)."""
    return _setup(timestep, min_delay, extra_params, biological=True)


def list_standard_models() -> list[type]:
    """The cell types that run on the chip in biological units (and the chip's own)."""
    return [IF_curr_exp, HXNeuron, CalibHXNeuronCuba]


__all__ = [
    "ACSource", "DCSource", "NoisyCurrentSource", "StepCurrentSource",
    "AdditiveWeightDependence", "MultiplicativeWeightDependence", "SpikePairRule", "STDPMechanism",
    "AllToAllConnector", "ArrayConnector", "Assembly", "CSAConnector", "CalibHXNeuronCoba", "CalibHXNeuronCuba",
    "CloneConnector", "DisplacementDependentProbabilityConnector", "DistanceDependentProbabilityConnector",
    "EIF_cond_exp_isfa_ista", "FixedNumberPostConnector", "FixedNumberPreConnector", "FixedProbabilityConnector",
    "FixedTotalNumberConnector", "FromFileConnector", "FromListConnector", "GSLRNG", "HXNeuron", "IF_cond_exp",
    "IF_curr_exp", "IF_curr_alpha", "IF_cond_alpha", "EIF_cond_alpha_isfa_ista", "IF_cond_exp_gsfa_grr",
    "HH_cond_exp", "IndexBasedProbabilityConnector", "InjectedConfiguration", "InjectedReadout", "NativeRNG",
    "Network", "NumpyRNG", "OneToOneConnector", "Population", "PopulationView", "Projection", "RandomDistribution",
    "RunCommand", "Sequence", "SmallWorldConnector", "Space", "SpikeSourceArray", "SpikeSourceGamma", "SpikeSourcePoisson", "SpikeSourcePoissonRefractory",
    "StaticSynapse", "TsodyksMarkramSynapse", "common", "connect", "create", "end", "errors", "get_current_time", "get_max_delay",
    "get_min_delay", "get_time_step", "initialize", "list_standard_models", "num_processes", "rank", "record",
    "reset", "run", "run_for", "run_until", "set", "setup", "simulator",
]
