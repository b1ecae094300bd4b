"""Tests that kill surviving mutants of calix/common/algorithms.py (`make mutation`): the exact
measurement sequence of a binary search written out by hand from its documented rule (halve
the step, then the two neighbours of the last parameter, the best of the last three), the
connection each measurement runs on, and NoisyBinarySearch's documented noise."""

from __future__ import annotations

import numpy as np
import pytest

from calix.common.algorithms import BinarySearch, NoisyBinarySearch
from calix.common.base import Calib, ParameterRange
from calix.errors import ExcessiveNoiseError, TargetError

CONNECTION = object()  # stands for the chip connection: every measurement must run on it


class Recorder(Calib):
    """result = response(parameter); records every measured and configured parameter set
    together with the connection it was handed."""

    def __init__(self, response, low: int, high: int, n: int = 1, inverted: bool = False):
        super().__init__(ParameterRange(low, high), n, inverted=inverted)
        self.response = response
        self.configured = None
        self.measured: list[list[int]] = []
        self.connections: list[object] = []
        self.final: list[int] | None = None

    def configure_parameters(self, builder, parameters):
        self.configured = np.asarray(parameters).copy()
        return builder

    def measure_results(self, connection, builder):
        # the parameters handed to the chip are whole numbers (CapMem codes and the like)
        assert self.configured.dtype.kind in "iu", self.configured.dtype
        self.connections.append(connection)
        self.measured.append(self.configured.tolist())
        return self.response(self.configured.astype(float))

    def configure_parameters_now(self, connection, parameters):
        self.connections.append(connection)
        self.final = np.asarray(parameters).tolist()


def _search(response, low, high, target, inverted=False, algorithm=None):
    calib = Recorder(response, low, high, inverted=inverted)
    algorithm = algorithm or BinarySearch()
    calib.run(CONNECTION, algorithm, target=target)
    assert all(c is CONNECTION for c in calib.connections)
    return [m[0] for m in calib.measured], calib.final, algorithm


def test_a_binary_search_over_16_values_measures_the_documented_sequence():
    # 0..15: start at 7, steps 4, 2, 1, 1; then the mirror of the last move; best of the last 3
    measured, final, algorithm = _search(lambda p: p, 0, 15, 5.3)
    assert measured == [7, 3, 5, 6, 5, 7]
    assert final == [5] and algorithm.final_results.tolist() == [5.0]


def test_an_inverted_response_walks_the_same_way_to_the_same_parameter():
    measured, final, _ = _search(lambda p: 15 - p, 0, 15, 9.7, inverted=True)
    assert measured == [7, 3, 5, 6, 5, 7] and final == [5]


def test_a_search_stuck_at_the_lower_bound_measures_the_upper_neighbour():
    measured, final, _ = _search(lambda p: p, 0, 15, -10.0)
    assert measured == [7, 3, 1, 0, 0, 1] and final == [0]


def test_a_search_stuck_at_the_upper_bound_measures_the_lower_neighbour():
    # 0..16: 17 values, steps 5, 3, 2, 1, 1
    measured, final, _ = _search(lambda p: p, 0, 16, 100.0)
    assert measured == [8, 13, 16, 16, 16, 16, 15] and final == [16]


def test_noisy_binary_search_starts_within_the_amplitude_and_repeats_with_its_seed():
    def starts(seed):
        calib = Recorder(lambda p: p, 0, 1022, n=3000)
        calib.run(CONNECTION, NoisyBinarySearch(noise_amplitude=5, seed=seed), target=100.0)
        return calib.measured[0]
    first = starts(3)
    assert set(first) == set(range(511 - 5, 511 + 6))          # every value of [-5, 5] occurs
    assert starts(3) == first and starts(4) != first


def test_noisy_binary_search_takes_one_step_of_the_amplitude_first():
    measured, _, _ = _search(lambda p: p, 0, 15, 100.0,
                             algorithm=NoisyBinarySearch(noise_amplitude=1, seed=0))
    assert len(measured) == 7                                   # one more than BinarySearch's 6
    assert measured[1] - measured[0] == 1                       # up by the amplitude


def test_noisy_binary_search_amplitude_limits():
    NoisyBinarySearch(noise_amplitude=1)                        # the smallest allowed
    with pytest.raises(TargetError, match=r"noise_amplitude must be a positive int, not 0"):
        NoisyBinarySearch(noise_amplitude=0)
    calib = Recorder(lambda p: p, 0, 15)                        # first step 4: an amplitude of 4 is fine
    calib.run(CONNECTION, NoisyBinarySearch(noise_amplitude=4), target=5.0)
    with pytest.raises(ExcessiveNoiseError,
                       match=r"^noise amplitude 5 exceeds the first step \(4\) of a search over 16 values$"):
        Recorder(lambda p: p, 0, 15).run(CONNECTION, NoisyBinarySearch(noise_amplitude=5), target=5.0)


@pytest.mark.parametrize("amplitude, best_of", [(1, 3), (2, 4), (4, 5), (5, 6)])
def test_noisy_binary_search_chooses_among_ceil_log2_amplitude_more_candidates(amplitude, best_of):
    assert NoisyBinarySearch(noise_amplitude=amplitude).n_steps_best == best_of


def _linear(response, low, high, target, n=1, **options):
    from calix.common.algorithms import LinearSearch
    calib = Recorder(response, low, high, n=n)
    calib.run(CONNECTION, LinearSearch(**options), target=target)
    assert all(c is CONNECTION for c in calib.connections)
    return calib.measured, calib.final


def test_a_linear_search_steps_until_the_result_crosses_the_target():
    measured, final = _linear(lambda p: p, 0, 15, 10.4)          # from the middle, 7
    assert [m[0] for m in measured] == [7, 8, 9, 10, 11] and final == [10]
    measured, final = _linear(lambda p: p, 0, 15, 9.5, initial_parameters=2, step_size=2)
    assert [m[0] for m in measured] == [2, 4, 6, 8, 10] and final == [10]


def test_a_linear_search_stops_at_the_range_end_and_after_max_steps():
    measured, final = _linear(lambda p: p, 0, 15, -5.0, initial_parameters=3)
    assert [m[0] for m in measured] == [3, 2, 1, 0] and final == [0]
    measured, final = _linear(lambda p: p, 0, 15, 100.0, max_steps=2)
    assert [m[0] for m in measured] == [7, 8, 9] and final == [9]


def test_linear_search_instances_stop_on_their_own():
    """Instance 0 climbs from 2, instance 1 descends from 12; the one that crossed first keeps
    its parameter while the other steps on; a tie between the last two keeps the last."""
    measured, final = _linear(lambda p: p, 0, 15, 5.5, n=2, initial_parameters=[2, 12])
    assert measured == [[2, 12], [3, 11], [4, 10], [5, 9], [6, 8], [6, 7], [6, 6], [6, 5]]
    assert final == [6, 5]


def test_linear_search_initial_parameters_are_checked():
    from calix.common.algorithms import LinearSearch
    _linear(lambda p: p, 0, 15, 5.0, initial_parameters=0)      # both range ends are allowed
    _linear(lambda p: p, 0, 15, 5.0, initial_parameters=15)
    _linear(lambda p: p, 0, 15, 5.0, n=2, initial_parameters=np.array([1, 2]))
    for bad in (16, -1):
        with pytest.raises(TargetError, match=r"^initial_parameters must lie in 0\.\.15$"):
            _linear(lambda p: p, 0, 15, 5.0, initial_parameters=bad)
    with pytest.raises(TargetError, match=r"^initial_parameters must be one int or 2$"):
        _linear(lambda p: p, 0, 15, 5.0, n=2, initial_parameters=[1, 2, 3])
    with pytest.raises(TargetError, match=r"^initial_parameters must be an int or ints per instance"):
        LinearSearch(initial_parameters=[[1, 2]])


def test_a_linear_prediction_measures_the_probe_then_configures_the_clipped_prediction():
    from calix.common.algorithms import LinearPrediction
    for target, expected in ((9.4, 9), (20.0, 15), (-3.0, 0)):
        calib = Recorder(lambda p: p, 0, 15)
        calib.tolerance = 1.0                       # a final measurement of the result
        algorithm = LinearPrediction(4)
        calib.run(CONNECTION, algorithm, target=target)
        assert calib.measured == [[4], [expected]] and calib.final == [expected]
        assert all(c is CONNECTION for c in calib.connections)
        assert calib.configured.dtype.kind == "i"
    with pytest.raises(TargetError, match=r"^probe_parameters must be an int or ints per instance"):
        LinearPrediction([[1, 2]])
    LinearPrediction(np.array([1, 2]))              # one probe per instance


def _secant(response, target, probes, refinements=0, low=0, high=63):
    from calix.common.algorithms import SecantPrediction
    calib = Recorder(response, low, high)
    algorithm = SecantPrediction(probes, refinements=refinements)
    calib.run(CONNECTION, algorithm, target=target)
    assert all(c is CONNECTION for c in calib.connections)
    return [m[0] for m in calib.measured], calib.final


def test_a_secant_prediction_interpolates_the_line_through_its_probes():
    # 2p + 1 through (2, 5) and (10, 21): 13 lies at 6
    assert _secant(lambda p: 2 * p + 1, 13.0, (2, 10)) == ([2, 10, 6], [6])


def test_a_secant_refinement_starts_from_the_last_two_measurements():
    # p**2 / 4: probes give 1 and 100, the secant 6 (9), the next secant through (20, 100) and
    # (6, 9) lands at 8.46 -> 8 (16); the best of all four for 25 is 8
    assert _secant(lambda p: p * p / 4, 25.0, (2, 20), refinements=1) == ([2, 20, 6, 8], [8])


def test_a_secant_prediction_clips_to_the_range_and_keeps_a_flat_instance_at_a_probe():
    assert _secant(lambda p: p, 100.0, (2, 4)) == ([2, 4, 63], [63])
    assert _secant(lambda p: p, -50.0, (2, 4)) == ([2, 4, 0], [0])
    measured, _ = _secant(lambda p: 0 * p + 3, 10.0, (2, 20))     # no slope: the nearer probe
    assert measured == [2, 20, 20]


def test_secant_prediction_arguments_are_checked():
    from calix.common.algorithms import SecantPrediction
    with pytest.raises(TargetError, match=r"^probes are two different ints, not \(3, 3\)$"):
        SecantPrediction((3, 3))
    with pytest.raises(TargetError, match=r"^refinements must be an int >= 0, not -1$"):
        SecantPrediction((1, 2), refinements=-1)


def test_a_polynomial_prediction_from_data_probes_the_median_parameter():
    from calix.common.algorithms import PolynomialPrediction
    parameters = np.arange(11)
    algorithm = PolynomialPrediction.from_data(parameters, 2 * parameters + 1, degree=1)
    assert algorithm.probe_parameters == 5
    calib = Recorder(lambda p: 2 * p + 1, 0, 15)
    calib.tolerance = 1.0
    calib.run(CONNECTION, algorithm, target=13.0)
    assert calib.measured == [[5], [6]] and calib.final == [6]
    PolynomialPrediction.from_data([1, 2, 3], [1, 2, 3], degree=2)   # degree + 1 points suffice
    with pytest.raises(TargetError, match=r"^degree must be an int >= 0, not -1$"):
        PolynomialPrediction.from_data(parameters, parameters, degree=-1)
    with pytest.raises(TargetError, match=r"^from_data needs as many results as parameters, more "
                                          r"than degree 2: got 2 and 2$"):
        PolynomialPrediction.from_data([1, 2], [1, 2], degree=2)
    with pytest.raises(TargetError, match=r"^polynomial must be a numpy Polynomial, not list$"):
        PolynomialPrediction(3, [1, 2])


def test_linear_prediction_coefficients_are_checked_by_name():
    from calix.common.algorithms import LinearPrediction
    with pytest.raises(TargetError, match=r"^offset must be a number, not 'a'$"):
        LinearPrediction(3, offset="a")
    with pytest.raises(TargetError, match=r"^slope must be a number, not True$"):
        LinearPrediction(3, slope=True)
    calib = Recorder(lambda p: p, 0, 63)
    calib.run(CONNECTION, LinearPrediction(10, offset=2.0, slope=0.5), target=20.0)
    # parameter = 2 + 0.5 * result, offset from the probe: 10 - (2 + 5) = 3; 2 + 10 + 3 = 15
    assert calib.final == [15]


def test_a_binary_search_over_an_offset_range_measures_the_same_steps_shifted():
    measured, final, _ = _search(lambda p: p, 4, 19, 9.3)     # 16 values again
    assert measured == [11, 7, 9, 10, 9, 11] and final == [9]


def test_a_result_equal_to_the_target_moves_the_binary_search_up():
    measured, final, _ = _search(lambda p: p, 0, 15, 7.0)
    assert measured == [7, 11, 9, 8, 7, 9] and final == [7]


def test_the_mirrored_step_at_the_lower_bound_is_clipped_then_stepped_inside():
    # the last move went up from 0 to 1: its mirror, -1, lies outside; 1 is measured instead
    measured, final, _ = _search(lambda p: p, 0, 15, 0.6)
    assert measured == [7, 3, 1, 0, 1, 1] and final == [1]


def test_a_failed_measurement_is_never_the_best():
    # NaN at 7: the search climbs from it, then 8, NaN at 7 again, 9: the best of 8, 7, 9 is 8
    measured, final, _ = _search(lambda p: np.where(p == 7, np.nan, p), 0, 15, 5.3)
    assert measured == [7, 11, 9, 8, 7, 9] and final == [8]


def test_noisy_binary_search_defaults_are_amplitude_5_and_seed_0():
    def starts(algorithm):
        calib = Recorder(lambda p: p, 0, 1022, n=500)
        calib.run(CONNECTION, algorithm, target=100.0)
        return calib.measured[0]
    default = starts(NoisyBinarySearch())
    assert min(default) == 511 - 5 and max(default) == 511 + 5
    assert default == starts(NoisyBinarySearch(noise_amplitude=5, seed=0))


def test_linear_search_defaults_and_step_limits():
    from calix.common.algorithms import LinearSearch
    measured, final = _linear(lambda p: p, 0, 1022, 1000.0)     # at most 50 steps from 511
    assert len(measured) == 51 and final == [561]
    _linear(lambda p: p, 0, 15, 5.0, max_steps=1)               # one step is allowed
    for bad in ({"step_size": 0}, {"max_steps": 0}, {"step_size": 1.0}):
        with pytest.raises(TargetError, match=r"^LinearSearch needs ints step_size >= 1 and "
                                              r"max_steps >= 1"):
            LinearSearch(**bad)


def test_a_linear_search_result_equal_to_the_target_is_not_a_crossing():
    measured, final = _linear(lambda p: p, 0, 15, 9.0)
    assert [m[0] for m in measured] == [7, 8, 9, 10] and final == [9]
    measured, final = _linear(lambda p: p, 0, 15, 7.0)          # equal at the start: step up
    assert [m[0] for m in measured] == [7, 8] and final == [7]


def test_a_linear_search_stops_at_the_upper_range_end():
    measured, final = _linear(lambda p: p, 0, 15, 100.0, initial_parameters=13)
    assert [m[0] for m in measured] == [13, 14, 15] and final == [15]


def test_a_linear_search_reports_the_result_of_the_parameter_it_chose():
    from calix.common.algorithms import LinearSearch
    calib = Recorder(lambda p: p, 0, 15, n=2)
    algorithm = LinearSearch(initial_parameters=[2, 12])
    calib.run(CONNECTION, algorithm, target=5.5)
    assert calib.final == [6, 5] and algorithm.final_results.tolist() == [6.0, 5.0]


def test_a_prediction_without_tolerance_measures_once_and_reports_nan():
    from calix.common.algorithms import LinearPrediction
    calib = Recorder(lambda p: p, 0, 15)
    assert calib.tolerance is None
    algorithm = LinearPrediction(4)
    calib.run(CONNECTION, algorithm, target=9.0)
    assert calib.measured == [[4]] and calib.final == [9]
    assert algorithm.final_results.dtype.kind == "f" and np.isnan(algorithm.final_results).all()


def test_a_secant_prediction_reports_its_best_result_and_skips_a_failed_measurement():
    from calix.common.algorithms import SecantPrediction
    calib = Recorder(lambda p: 2 * p + 1, 0, 63)
    algorithm = SecantPrediction((2, 10))
    calib.run(CONNECTION, algorithm, target=13.0)
    assert calib.final == [6] and algorithm.final_results.tolist() == [13.0]
    # NaN where the line predicts 6: the probes tie at 8 from 13; the first of them is kept
    assert _secant(lambda p: np.where(p == 6, np.nan, 2 * p + 1), 13.0, (2, 10)) == ([2, 10, 6], [2])


def test_a_flat_secant_keeps_the_probe_nearer_a_negative_target():
    measured, _ = _secant(lambda p: 0 * p + 3, -10.0, (2, 20))       # both 13 away: the last
    assert measured == [2, 20, 20]


def test_a_polynomial_of_degree_zero_can_be_fitted():
    from calix.common.algorithms import PolynomialPrediction
    PolynomialPrediction.from_data([1, 2, 3], [1, 2, 3], degree=0)


def test_a_linear_search_reports_the_previous_result_when_it_was_better():
    from calix.common.algorithms import LinearSearch
    calib = Recorder(lambda p: p, 0, 15)
    algorithm = LinearSearch()
    calib.run(CONNECTION, algorithm, target=10.4)
    assert calib.final == [10] and algorithm.final_results.tolist() == [10.0]


def test_the_mirrored_step_at_the_upper_bound_is_clipped_then_stepped_inside():
    # 0..5: 2, 4, 5, then down to 4; the mirror of 5 -> 4 is 6, outside: 4 is measured again
    measured, final, _ = _search(lambda p: p, 0, 5, 4.05)
    assert measured == [2, 4, 5, 4, 4] and final == [4]
