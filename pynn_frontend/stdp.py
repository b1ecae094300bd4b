"""PyNN's standard STDP on the chip: :class:`STDPMechanism` with :class:`SpikePairRule` and
:class:`AdditiveWeightDependence` or :class:`MultiplicativeWeightDependence`.

What runs. Every synapse of the chip has a causal and an acausal correlation sensor: a post
spike after a pre spike (a pre spike after a post spike) lowers the causal (acausal) sensor's
CADC reading by ``a exp(-dt / tau)`` (nearest neighbour: each spike pairs with the other side's
last spike). All of a network's STDP projections share one :class:`STDPRule`, a plasticity
rule (:mod:`pynn_frontend.plasticity`) whose kernel is generated from their parameters. Every
period (:func:`kernel_period_us`: 50 hardware us, or 1.5 times the walk of the rows where that
takes longer: about 6 us per additive, 9 us per multiplicative row of a hemisphere, so 0.84 ms
for 100 rows) the PPU of each hemisphere walks every row of every STDP projection's view and

1. reads both sensors, resets them and reads them again: the drop since the last reset is
   the reset reading minus the first one (so each sensor's fixed offset cancels; no baseline
   is stored), ``c = drop / a`` is "the sum of ``exp(-dt/tau)`` over the pairs";
2. computes the weight change [weight LSB]: additive ``dw = A_plus w_max c_causal - A_minus
   w_max c_acausal``, multiplicative ``dw = A_plus (w_max - w) c_causal - A_minus (w - w_min)
   c_acausal`` (``w_min``, ``w_max`` in LSB: the user's values times the projection's
   translation of weights, per postsynaptic cell);
3. rounds it to whole LSB stochastically (rounds up with the probability of its fraction, so
   that the expected change is exact: the random numbers are a 32-bit xorshift generator on
   the PPU, XORed with a fixed pattern over the lanes; :func:`stdp_kernel`), clamps the weight
   to ``[w_min, w_max]`` and writes it.

Periods, saturation, noise. A period that is skipped while the PPU is busy loses nothing: the
sensors keep what they saw until the next call reads them. A sensor holds about 200 CADC LSB
(about 60 pairs at zero delay at the amplitude of 3.14 LSB per pair) and the kernel takes drops up to
127 LSB; at 50 kHz (hardware) pre and post rates a sensor sees about 2 pairs in 50 us, so
saturation needs high rates and long periods (many rows). Each call counts the columns whose
sensors came near their end (drop above :data:`DROP_LIMIT`, reading below :data:`READ_FLOOR`)
in the observable :data:`SATURATED`; a run with any warns (``RuntimeWarning``). Each drop is
the difference of two CADC reads, so the reads' noise moves the weights by a random walk of
zero mean (larger the larger the learning rate per CADC LSB).

Pairing. The sensors pair each spike with the other side's last spike (nearest neighbour; PyNN's
SpikePairRule and NEST's ``stdp_synapse`` take all pairs). For independent Poisson trains the
causal sensor then sees ``r_post r_pre tau / (1 + r_pre tau)`` and the acausal one
``r_pre r_post tau / (1 + r_post tau)`` per second: inputs that fire faster than the neuron
are depressed on average where all-to-all pairing would balance.

The sensors. The correlation sensors' currents are set for the whole chip
(:meth:`STDPRule.configure_chip`): the ramp current from ``tau_plus`` (= ``tau_minus``: one
current serves both sensors) through calix's nominal ``tau = 5 ms LSB / syn_i_bias_ramp``
(:data:`calix.spiking.correlation.TIME_CONSTANT_TIMES_RAMP`), the store current
:data:`I_BIAS_STORE`, whose amplitude :data:`AMPLITUDE` (CADC LSB per pair) is a measured
constant, not a per-quadrant calibration (calix's correlation calibration is not part of the
network's calibration yet): the learning rates hold on average, each synapse's to its sensor's
gain (+-15 %). A ``tau`` the ramp current cannot reach raises
``ParameterValueError`` naming ``tau_plus``/``tau_minus`` and the range. The sensors are read
through the CADC: the postsynaptic cells must be calibrated cells (the CADC is calibrated
with them).

Weights. Each run starts from the projection's weights; after it the chip's final weights are
read back (:meth:`STDPRule.after_snippet`) and ``projection.get('weight', ...)`` gives them in
the user's units (a connection whose synapse did not change keeps its value as given). Unlike
a :class:`~pynn_frontend.plasticity.PlasticSynapse`, so, an STDP projection's weights are the
learned ones, and the next run continues from them. Snippets queued with
``RunCommand.APPEND`` are mapped when queued: each starts from the weights of that time, and
the weights read back are the last snippet's.

Limits (errors name them): ``delay`` 0 (the rule works on the chip's synapses, which have no
delay), ``dendritic_delay_fraction`` 1, the STDP parameters homogeneous within a projection,
``w_max`` within one hardware synapse (63 LSB), no two connections between the same cells,
every synapse in the view's rows and columns one of the projection's (all-to-all patterns,
checked after routing), excitatory or conductance-based projections, one ``tau`` for every
STDP projection of the network.
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any

import attrs
import numpy as np
from pyNN.standardmodels import build_translations
from pyNN.standardmodels import synapses as pynn_synapses

import grenade.network as gn
import halco
import lola
import stadls
from calix.spiking.correlation import I_BIAS_COROUT, RAMP_RANGE, TIME_CONSTANT_TIMES_RAMP
from . import plasticity_mapping, simulator
from .errors import DelayError, ParameterValueError, PlasticityRuleError
from .plasticity import PPU_CYCLES_PER_MS, ObservableArray, PlasticityRule, Timer
from .projections import resolve
from .standardmodels.calibrated import CalibratedCellType
from .standardmodels.synapses import MAX_SYNAPSE_WEIGHT, ChipSynapse

log = logging.getLogger(__name__)

#: the quadrants' store current: the sensors' amplitude, large against the CADC's noise, small
#: enough that a period's drop stays far below the 127 LSB the kernel takes (calix's nominal
#: amplitude per store LSB makes it 4 CADC LSB per pair)
I_BIAS_STORE = 600
#: the sensors' amplitude at that store current [CADC LSB per pre/post pair at zero delay], as
#: measured on the emulated chip with its calibrated CADC: the weight changes of 64 synapses
#: over 10 causal pairs each against the expected sum of exp(-dt/tau), 3.14 +- 0.11 (calix's
#: nominal 4.0 times 0.785 +- 0.028); tests/pynn_frontend/test_pynn_stdp.py checks it
AMPLITUDE = 3.14
#: the shortest period [hardware us]: at 50 kHz (hardware) pre and post rates a sensor sees
#: about 2 pairs per period, against its range of about 60
MIN_PERIOD_US = 50.0
#: PPU cycles one view row of the kernel takes, additive and multiplicative (measured with
#: libnux_vm, 1490 and 2180: 4 sensor reads, a reset, a weight read and write, the vector
#: arithmetic; tests/pynn_frontend/test_pynn_stdp.py), a call's own cost, and the margin the period
#: keeps over the walk of all rows
CYCLES_PER_ROW = {False: 1500, True: 2200}
CYCLES_PER_CALL = 6000
PERIOD_MARGIN = 1.5
#: the largest learning factor [weight LSB per CADC LSB] the kernel represents, and the worst
#: relative error of its 7-bit factors that is accepted
MAX_FACTOR = 127.0
FACTOR_TOLERANCE = 0.05
#: a sensor whose drop within a period exceeds this [CADC LSB] (the kernel takes up to 127), or
#: whose reading falls below ``READ_FLOOR`` (the CADC's end), counts as saturated
DROP_LIMIT = 100
READ_FLOOR = 10
#: the observable that counts, per call, the columns with a saturated sensor
SATURATED = "stdp_saturated"


def observables() -> dict[str, ObservableArray]:
    """The STDP kernel's observables: the saturated columns of each call."""
    return {SATURATED: ObservableArray(ObservableArray.Type.uint16, 1)}


# -- the PyNN types --------------------------------------------------------------------------------

def _finite(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(float(value))


def _check_scalars(owner: str, parameters: dict[str, Any], rules: dict[str, str]) -> None:
    """Parameters given as numbers: finite, ``positive`` (> 0) or ``non-negative`` (>= 0)."""
    for name, rule in rules.items():
        value = parameters.get(name)
        if value is None or not isinstance(value, (int, float, np.integer, np.floating)):
            continue                 # arrays and random distributions are checked when mapped
        if not _finite(value) or (rule == "positive" and value <= 0) or (rule == "non-negative" and value < 0):
            raise ParameterValueError(f"{owner}.{name} = {value!r}: it must be a finite number "
                                      f"{'> 0' if rule == 'positive' else '>= 0'}")


class SpikePairRule(pynn_synapses.SpikePairRule):
    __doc__ = (pynn_synapses.SpikePairRule.__doc__ or "") + """
    On the chip: the correlation sensors pair each spike with the other side's last spike
    (nearest neighbour, not all pairs); ``tau_plus`` and ``tau_minus`` must be equal (one
    current sets both sensors' time constant) and within the sensors' reach (hardware 4.9 us
    .. 5 ms; ms in biological time); ``A_plus``, ``A_minus`` >= 0."""

    translations = build_translations(*[(n, n) for n in pynn_synapses.SpikePairRule.default_parameters])

    def __init__(self, tau_plus: float = 20.0, tau_minus: float = 20.0, A_plus: float = 0.01,
                 A_minus: float = 0.01) -> None:
        parameters = dict(tau_plus=tau_plus, tau_minus=tau_minus, A_plus=A_plus, A_minus=A_minus)
        _check_scalars("SpikePairRule", parameters, {"tau_plus": "positive", "tau_minus": "positive",
                                                     "A_plus": "non-negative", "A_minus": "non-negative"})
        super().__init__(**parameters)


def _weight_dependence(base: type, doc: str) -> type:
    def __init__(self: Any, w_min: float = 0.0, w_max: float = 1.0) -> None:
        _check_scalars(base.__name__, {"w_min": w_min, "w_max": w_max},
                       {"w_min": "non-negative", "w_max": "non-negative"})
        if _finite(w_min) and _finite(w_max) and w_max < w_min:
            raise ParameterValueError(f"{base.__name__}: w_max = {w_max!r} is below w_min = {w_min!r}")
        base.__init__(self, w_min=w_min, w_max=w_max)

    return type(base.__name__, (base,), {
        "__init__": __init__, "__module__": __name__, "__doc__": (base.__doc__ or "") + doc,
        "translations": build_translations(("w_min", "w_min"), ("w_max", "w_max"))})


AdditiveWeightDependence = _weight_dependence(pynn_synapses.AdditiveWeightDependence, """
    On the chip: ``w_min``, ``w_max`` in the projection's weight units (hardware LSB, or nA / uS
    in biological time), 0 <= w_min <= w_max, ``w_max`` within one hardware synapse (63 LSB).""")
MultiplicativeWeightDependence = _weight_dependence(pynn_synapses.MultiplicativeWeightDependence, """
    On the chip: as AdditiveWeightDependence.""")


class STDPMechanism(ChipSynapse, pynn_synapses.STDPMechanism):
    __doc__ = (pynn_synapses.STDPMechanism.__doc__ or "") + """
    On the chip (module :mod:`pynn_frontend.stdp`): the correlation sensors of each synapse and
    a kernel on the PPUs. ``timing_dependence`` a :class:`SpikePairRule`, ``weight_dependence``
    an :class:`AdditiveWeightDependence` or :class:`MultiplicativeWeightDependence`,
    ``weight`` the initial weight, ``delay`` 0 (anything else raises ``DelayError``),
    ``dendritic_delay_fraction`` 1 (anything else raises ``ParameterValueError``); no voltage
    dependence."""

    base_translations = build_translations(("weight", "weight"), ("delay", "delay"),
                                           ("dendritic_delay_fraction", "dendritic_delay_fraction"))

    def __init__(self, timing_dependence: Any = None, weight_dependence: Any = None, voltage_dependence: Any = None,
                 dendritic_delay_fraction: float = 1.0, weight: Any = 0.0, delay: Any = None) -> None:
        if not isinstance(timing_dependence, SpikePairRule):
            raise TypeError(f"STDPMechanism: timing_dependence is a SpikePairRule of this backend, not "
                            f"{type(timing_dependence).__name__}")
        if not isinstance(weight_dependence, (AdditiveWeightDependence, MultiplicativeWeightDependence)):
            raise TypeError(f"STDPMechanism: weight_dependence is an AdditiveWeightDependence or "
                            f"MultiplicativeWeightDependence of this backend, not {type(weight_dependence).__name__}")
        if voltage_dependence is not None:
            raise NotImplementedError("STDPMechanism: the chip's STDP has no voltage dependence "
                                      "(voltage_dependence=None)")
        if not _finite(dendritic_delay_fraction) or float(dendritic_delay_fraction) != 1.0:
            raise ParameterValueError(f"STDPMechanism: dendritic_delay_fraction = {dendritic_delay_fraction!r}, but "
                                      "the chip's sensors see pre and post spikes where the synapse is: only 1 "
                                      "(PyNN's default) is allowed")
        if delay is not None:
            self._check_plastic_delay(delay)
        super().__init__(timing_dependence, weight_dependence, None, 1.0, weight, delay)
        self._check_plastic_delay(self.delay)

    @staticmethod
    def _check_plastic_delay(delay: Any) -> None:
        if isinstance(delay, (int, float, np.integer, np.floating, np.ndarray, list)) and \
                np.any(np.asarray(delay, dtype=float) != 0):
            bad = np.asarray(delay, dtype=float)
            bad = float(bad[bad != 0].ravel()[0])
            raise DelayError(f"STDPMechanism: delay = {bad!r}, but a plastic synapse has delay 0 (its rule works on "
                             "the chip's synapses, which have no programmable delay)")

    def _build_translations(self) -> None:
        # a copy: PyNN's updates its class attribute in place
        self.translations = dict(self.base_translations)
        for component in (self.timing_dependence, self.weight_dependence):
            self.translations.update(component.translations)

    def connection_parameters(self) -> list[str]:
        return [name for name in self.get_parameter_names() if name not in ("weight", "delay")]

    @property
    def plasticity_rule(self) -> "STDPRule":
        """The network's STDP rule (one for all STDP projections: the PPU runs one program)."""
        return stdp_rule(simulator.state)


# -- the rule ----------------------------------------------------------------------------------------

def stdp_rule(state: Any) -> "STDPRule":
    """The state's STDP rule, made on first use (``setup`` starts a new one)."""
    rules = [r for r in getattr(state, "plasticity_rules", []) if isinstance(r, STDPRule)]
    return rules[0] if rules else STDPRule()


@attrs.frozen
class Factor:
    """A learning factor per lane [weight LSB per CADC LSB] as the kernel computes it:
    ``x << pre`` times ``q / 128`` over ``2 ** n`` (``q`` per lane 0..127)."""

    q: np.ndarray
    n: int
    pre: int

    @classmethod
    def of(cls, factors: np.ndarray, what: str) -> "Factor":
        """Encode ``factors`` (>= 0 per lane); ``ParameterValueError`` naming ``what`` if the
        largest exceeds :data:`MAX_FACTOR` or a non-zero one cannot be represented to
        :data:`FACTOR_TOLERANCE`."""
        factors = np.asarray(factors, dtype=float)
        top = float(factors.max(initial=0.0))
        if top == 0:
            return cls(np.zeros(len(factors), dtype=np.int64), 0, 0)
        if top > MAX_FACTOR:
            raise ParameterValueError(f"{what}: the weight change per CADC LSB of sensor drop is {top:g} weight "
                                      f"LSB, more than the {MAX_FACTOR:g} the kernel represents: lower it")
        scale = int(np.clip(math.floor(math.log2(127.0 / top)), 0, 14))
        q = np.round(factors * 2.0 ** scale).astype(np.int64)
        nonzero = factors > 0
        error = np.abs(q[nonzero] / 2.0 ** scale - factors[nonzero]) / factors[nonzero]
        if error.size and error.max() > FACTOR_TOLERANCE:
            smallest = float(factors[nonzero].min())
            raise ParameterValueError(f"{what}: the weight change per CADC LSB of sensor drop, {smallest:g} "
                                      f"weight LSB, is below the kernel's resolution of {2.0 ** -scale:g} (within "
                                      f"{FACTOR_TOLERANCE:.0%}): raise it")
        return cls(q, max(0, scale - 7), max(0, 7 - scale))


@attrs.frozen
class HandleConstants:
    """What the kernel knows of the k-th synapse handle: its view's columns (lanes), per lane the
    potentiation and depression factors and the weight bounds [LSB], and whether the weight
    dependence is multiplicative."""

    columns: np.ndarray
    plus: Factor
    minus: Factor
    w_min: np.ndarray
    w_max: np.ndarray
    multiplicative: bool


def _table(kind: str, name: str, values: Any) -> str:
    values = [int(v) for v in np.asarray(values).ravel()]
    return f"{kind} {name}[{max(1, len(values))}] = {{{', '.join(str(v) for v in values) or '0'}}};"


def stdp_kernel(handles: list[HandleConstants], seed: int = 1) -> str:
    """The kernel's libnux_vm source for the synapse handles ``synapses + k`` (k = index in
    ``handles``). ``seed``: the random generator's start (mixed with the period index at the
    first call of each snippet, whose globals start afresh)."""
    k_count = len(handles)
    lines = [f"// pynn_frontend.stdp: pair-based STDP on the correlation sensors ({k_count} synapse handles)",
             f"uint32 stdp_rng = {int(seed) & 0x7FFFFFFF or 1};", "bool stdp_ready = false;",
             "vec_u8 stdp_pattern;", f"vec_s8 stdp_qp[{max(1, k_count)}];", f"vec_s8 stdp_qm[{max(1, k_count)}];",
             f"vec_s8 stdp_wmin[{max(1, k_count)}];", f"vec_s8 stdp_wmax[{max(1, k_count)}];",
             f"vec_u8 stdp_clipped[{max(1, k_count)}];   // lanes whose sensors came near their end"]
    for k, h in enumerate(handles):
        lines += [_table("uint8", f"stdp_cols_{k}", h.columns), _table("uint8", f"stdp_qp_{k}", h.plus.q),
                  _table("uint8", f"stdp_qm_{k}", h.minus.q), _table("uint8", f"stdp_wmin_{k}", h.w_min),
                  _table("uint8", f"stdp_wmax_{k}", h.w_max)]
    fill = []
    for k, h in enumerate(handles):
        fill.append(f"""    for (int32 i = 0; i < {len(h.columns)}; i++) {{
        int32 c = (int32) stdp_cols_{k}[i];
        stdp_qp[{k}][c] = (int8) stdp_qp_{k}[i];
        stdp_qm[{k}][c] = (int8) stdp_qm_{k}[i];
        stdp_wmin[{k}][c] = (int8) stdp_wmin_{k}[i];
        stdp_wmax[{k}][c] = (int8) stdp_wmax_{k}[i];
    }}""")
    walk = []
    for k, h in enumerate(handles):
        walk.append(f"""    for (int32 i = 0; view_row(synapses + {k}, i) >= 0; i++) {{
        stdp_update(synapses + {k}, view_row(synapses + {k}, i), {k}, {h.plus.n}, {h.plus.pre}, {h.minus.n}, """
                    f"""{h.minus.pre}, {'true' if h.multiplicative else 'false'});
    }}""")
    lines += ["""
// xorshift32: the random source of the stochastic rounding
uint32 stdp_draw() {
    stdp_rng ^= stdp_rng << 13;
    stdp_rng ^= stdp_rng >> 17;
    stdp_rng ^= stdp_rng << 5;
    return stdp_rng;
}

// x * q / 2^(7 + n) per lane, rounded up with the probability of its fraction (unbiased)
vec_s8 stdp_mul(vec_s8 x, vec_s8 q, int32 n) {
    vec_s8 hi = x * q;                                  // floor(x q / 128)
    // (x q) mod 128: the offset casts add 128 to each factor, which vanishes mod 128
    vec_u8 lo = ((vec_u8) x * (vec_u8) q) & 127;
    uint8 mask = (uint8) ((1 << n) - 1);
    vec_u8 fraction = ((((vec_u8) hi) & mask) << (7 - n)) | (lo >> n);   // 7 bits of the fraction
    vec_u8 random = (stdp_pattern ^ (uint8) (stdp_draw() >> 25)) & 127;
    vec_s8 whole = hi >> n;
    return select(fraction > random, whole + 1, whole);
}

void stdp_setup(int32 period) {
    stdp_rng ^= (uint32) period * 2654435761;
    if (stdp_rng == 0) { stdp_rng = 1; }
    // a fixed lane pattern, so that the lanes of one draw differ
    for (int32 c = 0; c < 256; c++) { stdp_pattern[c] = (uint8) ((c * 89 + 7) & 127); }
""" + "\n".join(fill) + """
}

void stdp_update(int32 handle, int32 row, int32 k, int32 np, int32 pp, int32 nm, int32 pm, bool mult) {
    vec_u8 causal = get_causal_correlation(handle, row);
    vec_u8 acausal = get_acausal_correlation(handle, row);
    reset_correlation(handle, row);
    // the drops since the last reset [CADC LSB]: reset reading minus reading (the offsets cancel)
    vec_s8 dc = (vec_s8) get_causal_correlation(handle, row) - (vec_s8) causal;
    vec_s8 da = (vec_s8) get_acausal_correlation(handle, row) - (vec_s8) acausal;
    // a sensor near its end (a drop beyond what the kernel takes, or a reading near the CADC's
    // floor) has lost pairs: flagged, counted per call in the observable stdp_saturated
    stdp_clipped[k] = stdp_clipped[k] | (dc > DROP_LIMIT) | (da > DROP_LIMIT) | (causal < READ_FLOOR)
        | (acausal < READ_FLOOR);
    vec_s8 w = (vec_s8) (get_weights(handle, row) + 128);       // 0..63 as signed lanes
    vec_s8 up;
    vec_s8 down;
    if (mult) {
        up = stdp_mul(stdp_mul(dc, (stdp_wmax[k] - w) << 1, 0) << pp, stdp_qp[k], np);
        down = stdp_mul(stdp_mul(da, (w - stdp_wmin[k]) << 1, 0) << pm, stdp_qm[k], nm);
    } else {
        up = stdp_mul(dc << pp, stdp_qp[k], np);
        down = stdp_mul(da << pm, stdp_qm[k], nm);
    }
    vec_s8 nw = w + (up - down);
    nw = select(nw > stdp_wmax[k], stdp_wmax[k], nw);
    nw = select(nw < stdp_wmin[k], stdp_wmin[k], nw);
    set_weights(handle, row, (vec_u8) nw + 128);
}

void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {
    if (!stdp_ready) {
        stdp_setup(period);
        stdp_ready = true;
    }
""" + "\n".join(walk) + """
    vec_u8 clipped = 0;
""" + "\n".join(f"    clipped = clipped | (stdp_clipped[{k}] & column_mask(synapses + {k}));\n"
                f"    stdp_clipped[{k}] = 0;" for k in range(k_count)) + """
    int32 count = 0;
    for (int32 c = 0; c < 256; c++) {
        if (clipped[c] != 0) { count++; }
    }
    recording_stdp_saturated[0] = (uint16) count;
}
"""]
    return "\n".join(lines).replace("DROP_LIMIT", str(DROP_LIMIT)).replace("READ_FLOOR", str(READ_FLOOR))


def kernel_period_us(rows: int, multiplicative_rows: int = 0) -> float:
    """The kernel's period [hardware us] for ``rows`` additive and ``multiplicative_rows``
    multiplicative synapse rows on a PPU: at least :data:`MIN_PERIOD_US`, else the walk of all
    rows with a margin."""
    cycles = CYCLES_PER_CALL + CYCLES_PER_ROW[False] * rows + CYCLES_PER_ROW[True] * multiplicative_rows
    return max(MIN_PERIOD_US, PERIOD_MARGIN * cycles / (PPU_CYCLES_PER_MS / 1000.0))


def _homogeneous(projection: Any, name: str) -> float:
    values = np.asarray(projection._extra[name], dtype=float)
    if not len(values):
        return float(projection.synapse_type.parameter_space[name].base_value)
    if not np.all(values == values[0]):
        raise ParameterValueError(f"projection {projection.label!r}: {name} differs between connections; the "
                                  "chip's STDP takes one value per projection")
    return float(values[0])


def stdp_parameters(projection: Any) -> dict[str, float]:
    """A projection's STDP parameters (one value each; ParameterValueError otherwise)."""
    names = ("tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max")
    out = {name: _homogeneous(projection, name) for name in names}
    for name in names:
        value = out[name]
        if not math.isfinite(value) or value < 0 or (name.startswith("tau") and value == 0):
            raise ParameterValueError(f"projection {projection.label!r}: {name} = {value!r}; it must be a finite "
                                      f"number {'> 0' if name.startswith('tau') else '>= 0'}")
    if out["w_max"] < out["w_min"]:
        raise ParameterValueError(f"projection {projection.label!r}: w_max = {out['w_max']!r} is below "
                                  f"w_min = {out['w_min']!r}")
    return out


def lsb_per_unit(state: Any, projection: Any) -> np.ndarray:
    """Per connection, the hardware weight [LSB, unrounded] of a weight of 1 in the user's
    units (1 for hardware weights; the calibration's translation for biological ones)."""
    out = np.ones(len(projection), dtype=float)
    if not projection.biological_weights:
        return out
    post_pops, post_owner, post_index = resolve(projection.post)
    owners, cells = post_owner[projection._post], post_index[projection._post]
    receptor = 0 if projection.receptor_type == "excitatory" else 1
    for t, post in enumerate(post_pops):
        members = owners == t
        if not members.any():
            continue
        reference = state.calibration.reference(receptor)[np.asarray(post.atomic_neurons)[cells[members]]]
        out[members] = post.celltype.hardware_weights(np.ones(int(members.sum())), projection.receptor_type,
                                                      cells[members], post.hardware_parameters(),
                                                      state.calibration.charge_per_weight, reference)
    return out


def _groups(projection: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """The grenade projections of a PyNN projection (one per pre and post population, in the
    mapping's order): their connections and the post cells' atomic neurons."""
    pre_pops, pre_owner, _ = resolve(projection.pre)
    post_pops, post_owner, post_index = resolve(projection.post)
    group = pre_owner[projection._pre] * len(post_pops) + post_owner[projection._post]
    out = []
    for g in np.unique(group).tolist():
        members = np.flatnonzero(group == g)
        post = post_pops[g % len(post_pops)]
        atoms = np.asarray(post.atomic_neurons, dtype=np.int64)[post_index[projection._post[members]]]
        out.append((members, atoms))
    return out


class _OpenTimer(Timer):
    """The STDP rule's timer: periods without end; a window without end (mapping only, nothing
    runs) gets one period, for the layout of the kernel's per-call records."""

    def periods_in(self, begin: float, end: float) -> tuple[int, int]:
        if math.isinf(end):
            first, count = super().periods_in(begin, begin + self.period)
            return first, max(1, count)
        return super().periods_in(begin, end)


class STDPRule(PlasticityRule):
    """The plasticity rule of a network's STDP projections (module documentation): its kernel
    (:func:`stdp_kernel`) and timer are generated from the projections when the network is
    mapped; it sets the correlation sensors' currents of the chip and reads the final weights
    back after each run."""

    def __init__(self) -> None:
        super().__init__(Timer(start=1.0, period=1.0, num_periods=0), observables=observables())
        self.tau_hardware_s = float("nan")

    def projections(self) -> list[Any]:
        return [p for p in simulator.state.projections if isinstance(p.synapse_type, STDPMechanism)]

    # -- mapping ---------------------------------------------------------------------------------------
    def generate_kernel(self) -> str:
        state = simulator.state
        handles: dict[int, list[tuple[Any, np.ndarray, dict]]] = {0: [], 1: []}
        taus = set()
        for projection in self.projections():
            if not len(projection):
                continue
            parameters = stdp_parameters(projection)
            self._check_projection(projection, parameters)
            taus.add((parameters["tau_plus"], parameters["tau_minus"]))
            factor = lsb_per_unit(state, projection)
            for members, atoms in _groups(projection):
                for h in (0, 1):
                    on = atoms // 256 == h
                    if on.any():
                        handles[h].append((projection, members[on], atoms[on] % 256, factor[members[on]], parameters))
        self._set_tau(taus)
        counts = [len(handles[h]) for h in (0, 1)]
        if all(counts) and counts[0] != counts[1]:
            raise PlasticityRuleError(f"the STDP projections have {counts[0]} views on the top hemisphere and "
                                      f"{counts[1]} on the bottom one; the kernel needs the same number on both or "
                                      "all on one: place their postsynaptic cells accordingly")
        constants = [self._constants(k, [handles[h][k] for h in (0, 1) if k < len(handles[h])])
                     for k in range(max(counts))]
        period_us = 0.0
        for h in (0, 1):
            rows = {False: 0, True: 0}
            for projection, members, *_ in handles[h]:
                kind = isinstance(projection.synapse_type.weight_dependence, MultiplicativeWeightDependence)
                rows[kind] += len(np.unique(projection._pre[members]))
            period_us = max(period_us, kernel_period_us(rows[False], rows[True]))
        period_ms = period_us / 1000.0 * state.time_scale
        self._timer = _OpenTimer(start=period_ms, period=period_ms, num_periods=2 ** 31 - 1)
        return stdp_kernel(constants, seed=1 + int(getattr(state, "rng_seed", 0) or 0))

    def _check_projection(self, projection: Any, parameters: dict[str, float]) -> None:
        if projection.receptor_type != "excitatory" and not projection._conductances:
            raise NotImplementedError(f"projection {projection.label!r}: STDP on the chip works on weight "
                                      "magnitudes of excitatory or conductance-based projections, not on the "
                                      f"{projection.receptor_type!r} receptor of current-based cells")
        keys = projection._pre * (int(projection._post.max(initial=0)) + 1) + projection._post
        if len(np.unique(keys)) != len(keys):
            raise PlasticityRuleError(f"projection {projection.label!r}: two connections between the same cells "
                                      "share one synapse on the chip; STDP needs a synapse per connection")
        for post in resolve(projection.post)[0]:
            if not isinstance(post.celltype, CalibratedCellType):
                raise PlasticityRuleError(f"projection {projection.label!r}: STDP reads the correlation sensors "
                                          "through the CADC, which is calibrated with the calibrated cell types; "
                                          f"the postsynaptic {type(post.celltype).__name__} cells are not (use a "
                                          "standard cell type in pynn_frontend.biological, or CalibHXNeuronCuba/Coba)")

    def _set_tau(self, taus: set) -> None:
        if not taus:
            return
        state = simulator.state
        unit = "ms" if state.time_scale != 1.0 else "hardware ms"
        low = TIME_CONSTANT_TIMES_RAMP / RAMP_RANGE.upper * 1e3 * state.time_scale
        high = TIME_CONSTANT_TIMES_RAMP / RAMP_RANGE.lower * 1e3 * state.time_scale
        if len(taus) > 1 or any(plus != minus for plus, minus in taus):
            raise ParameterValueError(f"tau_plus/tau_minus: the STDP projections have {sorted(taus)} (tau_plus, "
                                      "tau_minus); one current sets the time constant of every correlation sensor, "
                                      "so tau_plus must equal tau_minus and be the same for all STDP projections")
        tau = next(iter(taus))[0]
        if not low <= tau <= high:
            raise ParameterValueError(f"tau_plus/tau_minus = {tau:g} {unit} is outside the correlation sensors' "
                                      f"reach of {low:g}..{high:g} {unit}")
        self.tau_hardware_s = tau / state.time_scale * 1e-3

    def _constants(self, k: int, entries: list) -> HandleConstants:
        lanes: dict[int, tuple] = {}
        kinds = set()
        for projection, members, columns, factor, p in entries:
            kinds.add(isinstance(projection.synapse_type.weight_dependence, MultiplicativeWeightDependence))
            w_min, w_max = p["w_min"] * factor, p["w_max"] * factor
            if np.round(w_max).max(initial=0) > MAX_SYNAPSE_WEIGHT:
                raise ParameterValueError(
                    f"projection {projection.label!r}: w_max = {p['w_max']:g} is {float(w_max.max()):.3g} "
                    "hardware LSB, "
                    f"more than one synapse's {MAX_SYNAPSE_WEIGHT}; the largest w_max here is "
                    f"{p['w_max'] * MAX_SYNAPSE_WEIGHT / float(w_max.max()):.4g}")
            if kinds == {True}:
                # dw = A (w_max - w) c: the kernel takes (w_max - w) / 64 in Q0.7, the rest here
                plus, minus = np.full(len(columns), p["A_plus"] * 64.0), np.full(len(columns), p["A_minus"] * 64.0)
            else:
                plus, minus = p["A_plus"] * w_max, p["A_minus"] * w_max
            for i, c in enumerate(columns.tolist()):
                value = (plus[i] / AMPLITUDE, minus[i] / AMPLITUDE, int(round(w_min[i])), int(round(w_max[i])))
                if lanes.setdefault(c, value) != value:
                    raise PlasticityRuleError(
                        f"projection {projection.label!r}: the STDP kernel's view {k} has column {c} on both "
                        "hemispheres "
                        "with different weight scales; place the postsynaptic cells of STDP projections on one "
                        "hemisphere (neuronPermutation) or give them the same parameters")
        if len(kinds) > 1:
            raise PlasticityRuleError(f"the STDP kernel's view {k} mixes additive and multiplicative projections on "
                                      "the two hemispheres; place them on one hemisphere")
        columns = np.array(sorted(lanes), dtype=np.int64)
        values = np.array([lanes[c] for c in columns.tolist()], dtype=float).reshape(-1, 4)
        label = entries[0][0].label
        return HandleConstants(columns, Factor.of(values[:, 0], f"projection {label!r}: A_plus"),
                               Factor.of(values[:, 1], f"projection {label!r}: A_minus"),
                               values[:, 2].astype(np.int64), values[:, 3].astype(np.int64), kinds == {True})

    def configure_chip(self, chip: lola.Chip) -> lola.Chip:
        """The snippet's chip with the correlation sensors' currents set (a copy of its shared
        CapMem): the ramp current for ``tau``, the store current for :data:`I_BIAS_STORE`; and
        every column's sensors connected (``enable_internal_causal``/``acausal``, which haldls's
        default ColumnCorrelationQuad leaves off, as the real one)."""
        if not math.isfinite(self.tau_hardware_s):
            return chip
        for h, chain in enumerate(chip.cadc_readout_chains):
            if not chain.config.enable:
                raise PlasticityRuleError("STDP reads the correlation sensors through the CADC, which the chip's "
                                          "configuration leaves disabled (calibrated cells enable it)")
        capmem = attrs.evolve(chip.capmem, shared_cells=chip.capmem.shared_cells.copy())
        ramp = int(np.clip(round(TIME_CONSTANT_TIMES_RAMP / self.tau_hardware_s), *RAMP_RANGE))
        cell = halco.CapMemCellOnCapMemBlock
        for name, value in ((cell.syn_i_bias_ramp, ramp), (cell.syn_i_bias_store, I_BIAS_STORE),
                            (cell.syn_i_bias_corout, I_BIAS_COROUT)):
            capmem.set_shared(name, value)
        chains = [attrs.evolve(chain, column_switches=[
            attrs.evolve(quad, enable_internal_causal=[True] * 4, enable_internal_acausal=[True] * 4)
            for quad in chain.column_switches]) for chain in chip.cadc_readout_chains]
        return attrs.evolve(chip, capmem=capmem, cadc_readout_chains=chains)

    def check_routed_views(self, views: dict, routed: dict, mapped: Any) -> None:
        """Every synapse in a view's rows and columns must be one of its projection's: the
        kernel updates them all."""
        for (j, h), (_, rows, columns) in views.items():
            placed = routed.get(j)
            mine = placed[placed["synapse_row"] // 256 == h]
            if len(mine) != len(rows) * len(columns):
                raise PlasticityRuleError(
                    f"an STDP projection's synapses (grenade projection {j}) lie on {len(rows)} rows and "
                    f"{len(columns)} columns of hemisphere {h} but are only {len(mine)} of those synapses; the kernel "
                    "updates every synapse of its rows and columns, so the projection must connect all its pre "
                    "cells to all its post cells (AllToAllConnector)")

    def warn_saturated(self) -> None:
        """Warn (RuntimeWarning, and the log) if the last snippet's kernel calls counted
        saturated sensors (observable :data:`SATURATED`)."""
        saturated = [int(entry.data.sum()) for entry in self._results[-1].get(SATURATED, [])] if self._results else []
        if any(saturated):
            message = (f"STDP: in {sum(1 for n in saturated if n)} of {len(saturated)} kernel periods the correlation "
                       f"sensors of up to {max(saturated)} columns came near their end (more pairs within one period "
                       f"of {self.timer.period:g} ms than they hold): those weight changes are cut short; lower the "
                       "rates, or the number of STDP synapse rows (the period grows with them)")
            log.warning(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)

    def after_snippet(self, state: Any, mapped: Any, graph: Any) -> None:
        """Read the chip's final weights of the rule's projections and keep them as their
        weights (user's units; a synapse the rule did not change keeps its given value)."""
        self.warn_saturated()
        routed = graph.routing.execution_instances[gn.ExecutionInstanceID(0)].connections
        builder = stadls.PlaybackProgramBuilder()
        tickets: dict[int, Any] = {}
        placements = list(plasticity_mapping.placed_synapses(mapped, routed))
        for row in sorted({int(r) for *_, synapse in placements for r in np.unique(synapse["synapse_row"])}):
            tickets[row] = builder.read(halco.SynapseWeightRowOnDLS.from_enum(row))
        if not tickets:
            return
        stadls.run(state.executor().connection(0), builder.done())
        weights_on_chip = np.zeros((halco.SynapseWeightRowOnDLS.size, 256))
        for row, ticket in tickets.items():
            weights_on_chip[row] = np.asarray(ticket.get().values)
        for projection, _, members, synapse in placements:
            chip = weights_on_chip[synapse["synapse_row"], synapse["synapse_on_row"]]
            factor = lsb_per_unit(state, projection)[members]
            weights = projection._weights.copy()
            # the weights this snippet started from (the routing's): unchanged synapses keep
            # the user's value as given
            changed = chip != synapse["weight"]
            weights[members[changed]] = chip[changed] / factor[changed]
            if changed.any():
                projection._weights = weights
                projection.version += 1


__all__ = ["AMPLITUDE", "AdditiveWeightDependence", "Factor", "HandleConstants", "MultiplicativeWeightDependence",
           "SATURATED", "STDPMechanism", "STDPRule", "SpikePairRule", "kernel_period_us", "lsb_per_unit", "observables",
           "stdp_kernel", "stdp_parameters", "stdp_rule"]
