"""calix.calibrate dispatches on the target: any TopLevelCalibTarget calibrates itself."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import calix
import halco
import haldls
from calix.common.base import CalibResult, TopLevelCalibTarget
from emulator import Emulator


SHARED_CELL = halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock.syn_i_bias_dac, halco.CapMemBlockOnDLS(1))


@dataclass
class CountingResult(CalibResult):
    value: int = 0

    def apply(self, builder):
        self.check_builder(builder)
        builder.write(SHARED_CELL, haldls.CapMemCell(value=self.value))


@dataclass
class CountingTarget(TopLevelCalibTarget):
    """A toy target: 'calibrating' counts its calls and remembers the options."""
    value: int = 7
    calls: int = 0

    def calibrate(self, connection, options=None):
        CountingTarget.calls += 1
        return CountingResult(target=self, options=options, value=self.value)


@dataclass
class OtherTarget(CountingTarget):
    pass


def test_any_top_level_target_is_calibrated_and_cached(tmp_path):
    CountingTarget.calls = 0
    chip = Emulator(chip_id=4)
    first = calix.calibrate(CountingTarget(3), options={"x": 1}, cache_paths=[tmp_path], connection=chip)
    assert isinstance(first, CountingResult) and first.value == 3 and first.options == {"x": 1}
    again = calix.calibrate(CountingTarget(3), options={"x": 1}, cache_paths=[tmp_path], connection=chip)
    assert again.value == 3 and CountingTarget.calls == 1              # from the cache
    calix.calibrate(CountingTarget(4), cache_paths=[tmp_path], connection=chip)
    assert CountingTarget.calls == 2                                   # another target: a miss
    chip_config = first.to_chip()                                     # results become a Chip
    assert dict(chip_config.leaves())[SHARED_CELL].value == 3


def test_targets_of_different_types_do_not_share_cache_entries():
    chip = Emulator(chip_id=4)
    identity = calix.common.cache.chip_identity(chip)

    assert calix.common.cache.cache_key(CountingTarget(3), None, identity) != \
        calix.common.cache.cache_key(OtherTarget(3), None, identity)


def test_calibrate_refuses_what_is_not_a_target():
    @dataclass
    class LocalTarget(CountingTarget):     # a local class does not pickle: no cache key
        pass

    with pytest.raises(calix.TargetError, match="target must be picklable"):
        calix.calibrate(LocalTarget(), cache_paths=[], connection=Emulator())
    with pytest.raises(calix.TargetError, match="takes a calibration target"):
        calix.calibrate({"leak": 80}, cache_paths=[])
    with pytest.raises(calix.TargetError, match="takes a calibration target"):
        calix.calibrate(None, cache_paths=[])


def test_neuron_calib_options_are_checked():
    assert calix.NeuronCalibOptions().seed == 0
    with pytest.raises(calix.TargetError, match="seed must be an int >= 0"):
        calix.NeuronCalibOptions(seed=-1)
    with pytest.raises(calix.TargetError, match="NeuronCalibOptions or None"):
        calix.NeuronCalibTarget().calibrate(Emulator(), options={"seed": 1})
