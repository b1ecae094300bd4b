"""The search algorithms on a model calibration (a linear, monotonic response per instance):
each finds the parameter that gives the target, the inverted case too, and failures at the
bounds are reported."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calix.common.algorithms import (BinarySearch, LinearPrediction, LinearSearch, NoisyBinarySearch,
                              PolynomialPrediction)
from calix.common.base import Calib, ParameterRange
from calix.errors import AlgorithmError, ExcessiveNoiseError, TargetError


class Model(Calib):
    """result = offset + slope * parameter (slope < 0: inverted); no chip needed."""

    def __init__(self, offset: np.ndarray, slope: float = 0.25, low: int = 0, high: int = 1022):
        super().__init__(ParameterRange(low, high), len(offset), inverted=slope < 0)
        self.offset, self.slope = np.asarray(offset, dtype=float), slope
        self.configured = None
        self.measurements = 0

    def configure_parameters(self, builder, parameters):
        self.configured = np.asarray(parameters).copy()
        return builder

    def measure_results(self, connection, builder):
        self.measurements += 1
        return self.offset + self.slope * self.configured

    def ideal(self, target) -> np.ndarray:
        return (target - self.offset) / self.slope


ALGORITHMS = [lambda: BinarySearch(), lambda: NoisyBinarySearch(noise_amplitude=5, seed=1),
              lambda: LinearSearch(step_size=1, max_steps=1100)]


@pytest.mark.parametrize("make", ALGORITHMS, ids=["binary", "noisy_binary", "linear"])
@pytest.mark.parametrize("slope", [0.25, -0.25])
def test_the_target_is_found_per_instance(make, slope):
    offset = np.random.default_rng(0).normal(0, 20, 64) + (0 if slope > 0 else 255)
    calib = Model(offset, slope)
    result = calib.run(None, make(), target=120.0)
    assert result.success.all()
    assert np.abs(result.calibrated_parameters - calib.ideal(120.0)).max() <= 2
    np.testing.assert_array_equal(calib.configured, result.calibrated_parameters)   # left set


def test_binary_search_takes_log2_steps_plus_two():
    calib = Model(np.zeros(4))
    calib.run(None, BinarySearch(), target=100.0)
    assert calib.measurements == 12                     # 1023 values: ceil(log2) = 10, + 2


@settings(max_examples=30, deadline=None)
@given(st.floats(-500, 500), st.floats(0.05, 2.0))
def test_binary_search_is_within_one_step_of_the_ideal(offset, slope):
    calib = Model(np.array([offset]), slope)
    ideal = calib.ideal(100.0)[0]
    result = calib.run(None, BinarySearch(), target=100.0)
    if 1 <= ideal <= 1021:
        assert abs(result.calibrated_parameters[0] - ideal) <= 1.0 and result.success[0]
    elif ideal < 0 or ideal > 1022:
        assert not result.success[0]


def test_unreachable_targets_fail_at_the_bound():
    calib = Model(np.array([0.0, 500.0]))               # instance 1 is above the target anywhere
    result = calib.run(None, BinarySearch(), target=100.0)
    assert result.success.tolist() == [True, False]
    assert result.calibrated_parameters[1] == 0


def test_predictions_need_one_measurement():
    offset = np.array([3.0, -7.0, 11.0])
    calib = Model(offset, slope=0.5)
    result = calib.run(None, LinearPrediction(probe_parameters=500, offset=0.0, slope=2.0), target=100)
    assert calib.measurements == 1
    np.testing.assert_allclose(result.calibrated_parameters, np.rint(calib.ideal(100.0)))
    params = np.arange(0, 1000, 100)
    fitted = PolynomialPrediction.from_data(params, 0.5 * params, degree=1)
    calib = Model(offset, slope=0.5)
    result = calib.run(None, fitted, target=100)
    np.testing.assert_allclose(result.calibrated_parameters, np.rint(calib.ideal(100.0)))


def test_algorithms_and_calibrations_refuse_misuse():
    with pytest.raises(TargetError, match="at least two values"):
        Model(np.zeros(2), low=5, high=5)
    with pytest.raises(ExcessiveNoiseError, match="exceeds the first step"):
        Model(np.zeros(2), low=0, high=10).run(None, NoisyBinarySearch(noise_amplitude=5), target=1)
    with pytest.raises(TargetError, match="noise_amplitude"):
        NoisyBinarySearch(noise_amplitude=0)
    with pytest.raises(TargetError, match="no target"):
        Model(np.zeros(2)).run(None, BinarySearch())
    with pytest.raises(AlgorithmError, match="not hooked"):
        BinarySearch().run(None, np.zeros(2))
    algorithm = BinarySearch()
    algorithm.hook_to_calibration(Model(np.zeros(2)))
    with pytest.raises(AlgorithmError, match="already hooked"):
        algorithm.hook_to_calibration(Model(np.zeros(2)))


def test_linear_search_keeps_each_instances_last_two():
    calib = Model(np.array([-391.4, -400.0]), slope=1.0)
    result = calib.run(None, LinearSearch(step_size=1, max_steps=100), target=120.0)
    alone = [Model(np.array([o]), slope=1.0).run(None, LinearSearch(step_size=1, max_steps=100),
                                                 target=120.0).calibrated_parameters[0]
             for o in (-391.4, -400.0)]
    assert result.calibrated_parameters.tolist() == alone == [511, 520]


class Tolerant(Model):
    tolerance = 1.0


def test_a_result_off_its_target_is_a_failure_even_inside_the_range():
    # a step of 10 per parameter: the nearest result is up to 5 away from the target
    calib = Tolerant(np.array([0.0, 3.0]), slope=10.0, high=100)
    result = calib.run(None, BinarySearch(), target=500.0)
    assert result.success.tolist() == [True, False]     # 500 exactly; 503 or 493 at best


@pytest.mark.parametrize("make, match", [
    (lambda: LinearSearch(step_size="a"), "step_size"), (lambda: LinearSearch(step_size=1.5), "step_size"),
    (lambda: LinearSearch(initial_parameters=[1.5]), "initial_parameters"),
    (lambda: NoisyBinarySearch(seed="a"), "seed"), (lambda: LinearPrediction("a"), "probe_parameters"),
    (lambda: PolynomialPrediction(1, "x"), "Polynomial"),
    (lambda: PolynomialPrediction.from_data([1, 2], [1, 2], degree=-1), "degree"),
    (lambda: LinearPrediction(1, slope="s"), "slope"),
    (lambda: Model(np.zeros(2), low=0, high="a"), "parameter_range must be two ints"),
])
def test_bad_arguments_are_calix_errors(make, match):
    with pytest.raises(TargetError, match=match):
        make()


def test_bad_targets_and_algorithms_for_run():
    calib = Model(np.zeros(2))
    for target, match in (("abc", "a number"), ([1, 2, 3], "2 numbers"), (float("nan"), "finite")):
        with pytest.raises(TargetError, match=match):
            calib.run(None, BinarySearch(), target=target)
    with pytest.raises(TargetError, match="algorithm"):
        calib.run(None, "x", target=1.0)
    with pytest.raises(TargetError, match="initial_parameters must lie"):
        calib.run(None, LinearSearch(initial_parameters=5000), target=1.0)


class SlopedModel(Model):
    """result = slope[i] * parameter: each instance its own slope (a proportional transfer)."""

    def __init__(self, slope: np.ndarray):
        super().__init__(np.zeros(len(slope)))
        self.slopes = np.asarray(slope, dtype=float)

    def measure_results(self, connection, builder):
        self.measurements += 1
        return self.slopes * self.configured


def test_secant_prediction_finds_each_instance_s_line_in_three_or_four_measurements():
    from calix.common.algorithms import SecantPrediction

    slopes = np.random.default_rng(2).lognormal(0.0, 0.3, 64) * 0.01
    calib = SlopedModel(slopes)
    result = calib.run(None, SecantPrediction((100, 600)), target=4.0)
    assert calib.measurements == 3
    assert np.abs(result.calibrated_parameters - 4.0 / slopes).max() <= 0.51
    np.testing.assert_array_equal(calib.configured, result.calibrated_parameters)
    # beyond the range: clipped, and a failure at the bound
    calib = SlopedModel(np.array([0.01, 0.001]))
    result = calib.run(None, SecantPrediction((100, 600), refinements=1), target=4.0)
    assert calib.measurements == 4
    assert result.calibrated_parameters.tolist() == [400, 1022] and result.success.tolist() == [True, False]
    for bad in ((100,), (5, 5), (1.5, 3)):
        with pytest.raises(TargetError, match="probes are two different ints"):
            SecantPrediction(bad)
    with pytest.raises(TargetError, match="refinements must be an int >= 0"):
        SecantPrediction((1, 2), refinements=-1)
