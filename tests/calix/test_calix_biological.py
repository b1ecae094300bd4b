"""The biological-unit translation: both ways, PyNN's defaults, the feasible ranges and the
errors that name a parameter the chip cannot reach."""

from __future__ import annotations

import numpy as np
import pytest

import calix
from calix.spiking.biological import PARAMETERS, BiologicalUnits

UNITS = BiologicalUnits()
#: PyNN's IF_curr_exp defaults (all but cm and i_offset, which are no calix targets)
IF_CURR_EXP = {"v_rest": -65.0, "v_reset": -65.0, "v_thresh": -50.0, "tau_m": 20.0,
               "tau_refrac": 0.1, "tau_syn_E": 5.0, "tau_syn_I": 5.0}


def test_pynn_defaults_translate_to_calix_targets():
    target = UNITS.to_target(IF_CURR_EXP)
    assert target.per_neuron("leak") == pytest.approx(np.full(512, 120.0))
    assert target.per_neuron("reset") == pytest.approx(np.full(512, 120.0))
    assert target.per_neuron("threshold") == pytest.approx(np.full(512, 180.0))
    assert target.per_neuron("tau_mem") == pytest.approx(np.full(512, 20e-6))
    assert target.per_neuron("refractory_time") == pytest.approx(np.full(512, 1e-7))
    assert target.per_neuron("tau_syn") == pytest.approx(np.full((2, 512), 5e-6))
    assert target.membrane_capacitance == 63


def test_both_ways_and_per_neuron():
    rng = np.random.default_rng(1)
    ranges = UNITS.feasible_ranges()
    parameters = {name: rng.uniform(lo, hi, 512) for name, (lo, hi, _) in ranges.items()}
    back = UNITS.from_target(UNITS.to_target(parameters))
    for name, value in parameters.items():
        assert back[name] == pytest.approx(value, rel=1e-12, abs=1e-12)
    # another speed-up and voltage scale are inverted as well
    units = BiologicalUnits(speedup=500.0, v_offset=-90.0, mv_per_lsb=0.3)
    assert units.time_to_biological(units.time_to_hardware(12.5)) == pytest.approx(12.5)
    assert units.potential_to_biological(units.potential_to_hardware(-61.0)) == pytest.approx(-61.0)
    assert units.time_to_hardware(1.0) == pytest.approx(2e-6)
    # only the excitatory time constant given: the inhibitory keeps the default
    target = UNITS.to_target({"tau_syn_E": 8.0})
    assert target.per_neuron("tau_syn")[:, 0] == pytest.approx([8e-6, calix.NeuronCalibTarget().tau_syn])


def test_feasible_ranges_follow_the_targets():
    ranges = UNITS.feasible_ranges()
    assert set(ranges) == set(PARAMETERS)
    assert ranges["v_thresh"] == pytest.approx((-95 + 135 / 4, -95 + 220 / 4, "mV"))
    assert ranges["tau_m"][:2] == pytest.approx((5.0, 60.0))
    assert ranges["tau_syn_E"][2] == "ms"


def test_weights_both_ways():
    hw = UNITS.weight_to_hardware([0.0, 0.5, 1.0], tau_syn=5.0, cm=1.0, charge_per_weight=2.0)
    # 1 nA for 5 ms on 1 nF integrates 5 mV = 20 CADC LSB = 10 weight LSB
    assert hw == pytest.approx([0.0, 5.0, 10.0])
    assert UNITS.weight_to_biological(hw, 5.0, 1.0, 2.0) == pytest.approx([0.0, 0.5, 1.0])


@pytest.mark.parametrize("parameters, message", [
    ({"v_thresh": -70.0}, r"v_thresh = -70 mV cannot be reached on the chip: the calibration "
                          r"reaches -61.25..-40 mV"),
    ({"tau_m": np.where(np.arange(512) == 9, 100.0, 20.0)}, r"tau_m = 100 ms \(neuron 9\) cannot be reached"),
    ({"cm": 1.0}, r"no calix target for the biological parameter\(s\) \['cm'\]"),
    ({"v_rest": [1.0, 2.0]}, r"v_rest must be a number or 512 numbers \(mV\)"),
    ({"v_rest": "low"}, r"v_rest must be a number"),
])
def test_bad_parameters_are_refused_by_name(parameters, message):
    with pytest.raises(calix.TargetError, match=message):
        UNITS.to_target(parameters)


def test_bad_units_and_weights_are_refused():
    with pytest.raises(calix.TargetError, match="speedup must be a positive number"):
        BiologicalUnits(speedup=0)
    with pytest.raises(calix.TargetError, match="v_offset must be a finite number"):
        BiologicalUnits(v_offset=float("nan"))
    with pytest.raises(calix.TargetError, match="not calibrated"):
        UNITS.weight_to_hardware(1.0, 5.0, 1.0, float("nan"))
    with pytest.raises(calix.TargetError, match=r"weight \[nA\] must be >= 0"):
        UNITS.weight_to_hardware(-1.0, 5.0, 1.0, 2.0)
    with pytest.raises(calix.TargetError, match=r"cm \[nF\] must be > 0"):
        UNITS.weight_to_hardware(1.0, 5.0, 0.0, 2.0)
    with pytest.raises(calix.TargetError, match="takes a calix.NeuronCalibTarget"):
        UNITS.from_target({"leak": 80})


def test_offset_currents_both_ways_and_refused_where_uncalibrated():
    per_lsb = np.full(512, 0.1)
    capmem = UNITS.offset_current_to_hardware(np.linspace(-0.2, 0.2, 512), 10.0, 1.0, per_lsb)
    # 0.2 nA on 10 ms and 1 nF: 2 mV = 8 LSB = 80 CapMem LSB of source; negative: a sink
    assert capmem[[0, -1]] == pytest.approx([-80.0, 80.0])
    assert UNITS.offset_current_to_biological(capmem, 10.0, 1.0, per_lsb) == pytest.approx(np.linspace(-0.2, 0.2, 512))
    dead = per_lsb.copy()
    dead[3] = np.nan
    assert UNITS.offset_current_to_hardware(0.0, 10.0, 1.0, dead)[3] == 0.0
    with pytest.raises(calix.TargetError, match="neuron 3's offset current is not calibrated"):
        UNITS.offset_current_to_hardware(0.1, 10.0, 1.0, dead)
    with pytest.raises(calix.TargetError, match=r"cm \[nF\] must be > 0"):
        UNITS.offset_current_to_hardware(0.1, 10.0, 0.0, per_lsb)
