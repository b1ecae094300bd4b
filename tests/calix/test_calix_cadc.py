"""The CADC calibration (calix.common.cadc) brings the ramps of the four quadrants and the digital
offsets of all 1024 channels to a common transfer function. Checked against the emulator's
ground truth (``Readout.channel_codes``: every channel's noise-free code for a voltage), not
against the reads the calibration itself used."""

from __future__ import annotations

import logging
import pickle
import time

import numpy as np
import pytest

import calix
import halco
import haldls
import lola
import stadls
from calix.common import cadc, cadc_helpers
from emulator import Emulator, transfer

#: the reference voltages of the default target: 70, 310 (the middle) and 550 CapMem LSB
LOWER, MIDDLE, UPPER = (float(transfer.shared_voltage(x)) for x in (70, 310, 550))
CHIP_IDS = range(5)


def initialized(chip_id: int) -> Emulator:
    emulator = Emulator(chip_id=chip_id)
    builder, _ = stadls.generate(stadls.SystemInit())
    stadls.run(emulator, builder.done())
    return emulator


@pytest.fixture(scope="module")
def calibrated() -> dict:
    """Per chip id: the noise-free codes of the middle voltage before (nominal ramps) and after
    the calibration, the emulator and the result, and the calibration's wall time."""
    out = {}
    for chip_id in CHIP_IDS:
        emulator = initialized(chip_id)
        before = emulator.chip.readout.channel_codes(MIDDLE)
        start = time.perf_counter()
        result = cadc.calibrate(emulator)
        seconds = time.perf_counter() - start
        out[chip_id] = dict(emulator=emulator, result=result, seconds=seconds, before=before,
                            after=emulator.chip.readout.channel_codes(MIDDLE))
    return out


# -- acceptance ---------------------------------------------------------------------------------
@pytest.mark.parametrize("chip_id", CHIP_IDS)
def test_one_voltage_reads_within_one_code_on_all_channels_after_and_spreads_before(calibrated, chip_id):
    run = calibrated[chip_id]
    before, after = run["before"], run["after"]
    assert np.ptp(before) >= 20 and before.std() > 3          # several LSB uncalibrated
    assert np.ptp(after) <= 1                                   # all 1024 channels, noise-free
    causal = (np.arange(1024) // 256) % 2 == 0                 # the 512 that read the neurons
    assert np.ptp(after[causal]) <= 1
    assert run["result"].success_mask().all()
    # the unrounded readings: integer offsets leave each within half a code, plus the
    # measurement's error (100 averaged reads)
    exact = run["emulator"].chip.readout.channel_codes(MIDDLE, rounded=False)
    assert exact.std() < 0.4 and np.ptp(exact) < 2.0


@pytest.mark.parametrize("chip_id", CHIP_IDS)
def test_the_dynamic_range_reads_the_read_range(calibrated, chip_id):
    readout = calibrated[chip_id]["emulator"].chip.readout
    quadrant = cadc_helpers.quadrant_of_channel()
    for volts, code in ((LOWER, 20), (UPPER, 220)):
        exact = readout.channel_codes(volts, rounded=False)
        means = [exact[quadrant == q].mean() for q in range(4)]
        assert np.allclose(means, code, atol=1.0)
        assert np.ptp(exact) < 3.0              # the quadrants' ramps agree too


def test_a_calibration_is_fast(calibrated):
    assert max(run["seconds"] for run in calibrated.values()) < 5.0


def test_noisy_reads_average_to_the_common_code(calibrated):
    emulator = calibrated[0]["emulator"]
    builder = stadls.PlaybackProgramBuilder()
    cadc_helpers.configure_chip(builder)
    cadc_helpers.configure_readout_cadc_debug(builder)
    cadc_helpers.capmem_set_quadrant_cells(builder, {cadc_helpers.REFERENCE_CELL: 310})
    cadc_helpers.set_channel_offsets(builder, calibrated[0]["result"].channel_offset)
    reads = cadc_helpers.read_cadcs(builder, 50)
    calix.common.helpers.run(emulator, builder)
    means = reads().mean(axis=0)
    assert means.std() < 0.45 and np.ptp(means) < 3.0
    stadls.run(emulator, cadc_helpers.disconnect_readout_cadc_debug(stadls.PlaybackProgramBuilder()).done())


# -- the result ---------------------------------------------------------------------------------
def test_the_result_has_the_ramps_per_quadrant_and_the_offsets_per_channel(calibrated):
    result = calibrated[1]["result"]
    assert result.v_ramp_offset.shape == result.i_ramp_slope.shape == (4,)
    assert result.channel_offset.shape == result.success.shape == (1024,)
    assert ((result.v_ramp_offset > 0) & (result.v_ramp_offset < 1022)).all()
    assert ((result.i_ramp_slope > 300) & (result.i_ramp_slope < 700)).all()
    assert result.channel_offset.std() > 2                       # channels differ
    assert isinstance(result.target, calix.CADCCalibTarget)
    assert isinstance(result.options, calix.CADCCalibOptions)


def test_applied_to_a_fresh_chip_it_gives_the_calibrated_transfer(calibrated):
    run = calibrated[2]
    fresh = initialized(2)
    builder = stadls.PlaybackProgramBuilder()
    run["result"].apply(builder)
    stadls.run(fresh, builder.done())
    assert np.array_equal(fresh.chip.readout.channel_codes(MIDDLE), run["after"])
    for volts in (0.3, 0.9):
        assert np.array_equal(fresh.chip.readout.channel_codes(volts),
                              run["emulator"].chip.readout.channel_codes(volts))
    assert fresh.chip.fields(haldls.CADCConfig)["enable"].all()


def test_it_applies_to_a_dumper_and_becomes_a_chip_and_pickles(calibrated):
    result = calibrated[3]["result"]
    dumper = stadls.PlaybackProgramBuilderDumper()
    result.apply(dumper)
    writes = dict(dumper.done().squash())
    assert writes[halco.CADCChannelConfigOnDLS(halco.CADCChannelConfigOnSynram(
        halco.CADCChannelColumnOnSynram(5), halco.CADCChannelType(1)), halco.SynramOnDLS(1))].offset \
        == result.channel_offset[512 + 256 + 5]
    chip = result.to_chip()
    assert isinstance(chip, lola.Chip)
    cell = halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock.cadc_i_ramp_slope, halco.CapMemBlockOnDLS(2))
    leaves = dict(chip.leaves())
    assert leaves[cell].value == result.i_ramp_slope[2]
    assert leaves[halco.CADCConfigOnDLS(1)].enable
    copy = pickle.loads(pickle.dumps(result))
    assert np.array_equal(copy.channel_offset, result.channel_offset)
    assert np.array_equal(copy.success, result.success) and copy.target == result.target
    with pytest.raises(calix.TargetError, match="builder"):
        result.apply("builder")


def test_the_cadc_is_left_reading_its_columns(calibrated):
    emulator = calibrated[4]["emulator"]
    switches = emulator.chip.fields(haldls.ColumnCorrelationQuad)
    assert not switches["enable_debug_causal"].any() and not switches["enable_debug_acausal"].any()
    pads = emulator.chip.fields(haldls.PadMultiplexerConfig)
    assert not pads["synapse_intermediate_mux_to_pad"].any()
    blocks = emulator.chip.fields(haldls.CapMemBlockConfig)
    assert blocks["enable_capmem"].all() and not blocks["debug_readout_enable"].any()


# -- dispatch, cache, options -------------------------------------------------------------------
def test_calix_calibrate_dispatches_and_caches(tmp_path):
    target = calix.CADCCalibTarget()
    with stadls.ManagedConnection(chip_id=7) as connection:
        result = calix.calibrate(target, cache_paths=[tmp_path], connection=connection)
        assert isinstance(result, calix.CADCCalibResult) and result.success_mask().all()
        assert len(list(tmp_path.glob("*.pkl"))) == 1
        start = time.perf_counter()
        again = calix.calibrate(calix.CADCCalibTarget(dynamic_range=(70, 550)),
                                cache_paths=[tmp_path], connection=connection)
        assert time.perf_counter() - start < 1.0
    assert np.array_equal(again.channel_offset, result.channel_offset)
    assert np.array_equal(again.v_ramp_offset, result.v_ramp_offset)


def test_a_fresh_chip_without_init_is_calibrated_too():
    emulator = Emulator(chip_id=5)                # the CapMem is off after reset
    result = cadc.calibrate(emulator)
    assert result.success_mask().all()
    assert np.ptp(emulator.chip.readout.channel_codes(MIDDLE)) <= 1


def test_without_offsets_the_channels_keep_their_spread():
    emulator = initialized(0)
    result = cadc.calibrate(emulator, options=calix.CADCCalibOptions(calibrate_offsets=False,
                                                                     ramp_passes=1))
    assert (result.channel_offset == 0).all() and result.success_mask().all()
    assert np.ptp(emulator.chip.readout.channel_codes(MIDDLE)) > 10


def test_another_target_range():
    emulator = initialized(1)
    target = calix.CADCCalibTarget(dynamic_range=(150, 340), read_range=(30, 200))
    result = calix.calibrate(target, cache_paths=[], connection=emulator)
    readout = emulator.chip.readout
    assert result.success_mask().all()
    assert np.ptp(readout.channel_codes(float(transfer.shared_voltage(245)))) <= 1
    lower = readout.channel_codes(float(transfer.shared_voltage(150)), rounded=False).mean()
    upper = readout.channel_codes(float(transfer.shared_voltage(340)), rounded=False).mean()
    assert lower == pytest.approx(30, abs=1.0) and upper == pytest.approx(200, abs=1.0)


def test_a_target_out_of_reach_fails_and_names_the_quadrants(caplog):
    emulator = initialized(0)
    # 0 V cannot read 100: the ramp would have to start below 0 V
    target = calix.CADCCalibTarget(dynamic_range=(0, 550), read_range=(100, 220))
    with caplog.at_level(logging.WARNING, logger="calix"):
        result = cadc.calibrate(emulator, target, calix.CADCCalibOptions(ramp_passes=1))
    assert not result.success_mask().any()
    assert "quadrants [0, 1, 2, 3]" in caplog.text and "did not reach" in caplog.text


# -- bad input ----------------------------------------------------------------------------------
def test_the_target_defaults_and_accepts_pairs():
    target = calix.CADCCalibTarget()
    assert target.dynamic_range == (70, 550) and target.read_range == (20, 220)
    assert target.dynamic_range.lower == 70 and target.read_range.upper == 220
    other = calix.CADCCalibTarget(dynamic_range=np.array([100, 500]), read_range=[10, 240])
    assert other.dynamic_range == calix.ParameterRange(100, 500)
    assert pickle.loads(pickle.dumps(other)) == other
    assert isinstance(target, calix.TopLevelCalibTarget)


@pytest.mark.parametrize("kwargs, match", [
    ({"dynamic_range": 70}, r"dynamic_range must be two ints \(lower, upper\) in CapMem LSB 0..1022"),
    ({"dynamic_range": (70, 300, 550)}, r"dynamic_range must be two ints"),
    ({"dynamic_range": "70,550"}, r"dynamic_range must be two ints"),
    ({"dynamic_range": (70.0, 550)}, r"dynamic_range must be two ints"),
    ({"dynamic_range": (True, 550)}, r"dynamic_range must be two ints"),
    ({"dynamic_range": (70, 1023)}, r"dynamic_range = \(70, 1023\) lies outside the allowed 0..1022 CapMem LSB"),
    ({"dynamic_range": (-1, 550)}, r"outside the allowed 0..1022"),
    ({"dynamic_range": (550, 70)}, r"dynamic_range = \(550, 70\): the lower end must lie below"),
    ({"dynamic_range": (300, 300)}, r"the lower end must lie below the upper one"),
    ({"read_range": (20, 256)}, r"read_range = \(20, 256\) lies outside the allowed 0..255 CADC LSB"),
    ({"read_range": (220, 20)}, r"read_range = \(220, 20\): the lower end"),
    ({"read_range": None}, r"read_range must be two ints"),
])
def test_a_bad_target_is_a_target_error_naming_the_field_and_range(kwargs, match):
    with pytest.raises(calix.TargetError, match=match):
        calix.CADCCalibTarget(**kwargs)


def test_assignment_is_validated_too():
    target = calix.CADCCalibTarget()
    with pytest.raises(calix.TargetError, match="read_range"):
        target.read_range = (20, 300)
    target.read_range = (25, 210)
    assert target.read_range == (25, 210)


def test_outside_the_feasible_range_is_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="calix"):
        calix.CADCCalibTarget(dynamic_range=(40, 600), read_range=(5, 250))
    assert "dynamic_range = (40, 600)" in caplog.text and "feasible 70..550" in caplog.text
    assert "read_range = (5, 250)" in caplog.text and "feasible 20..220" in caplog.text


@pytest.mark.parametrize("kwargs, match", [
    ({"calibrate_offsets": 1}, r"calibrate_offsets must be True or False"),
    ({"ramp_passes": 0}, r"ramp_passes must be an int 1..5"),
    ({"ramp_passes": 2.0}, r"ramp_passes must be an int 1..5"),
    ({"offset_reads": 1001}, r"offset_reads must be an int 1..1000"),
])
def test_bad_options_are_target_errors(kwargs, match):
    with pytest.raises(calix.TargetError, match=match):
        calix.CADCCalibOptions(**kwargs)


def test_calibrate_checks_its_target_and_options():
    emulator = Emulator(chip_id=0)
    with pytest.raises(calix.TargetError, match="needs a calix.CADCCalibTarget or None, not NeuronCalibTarget"):
        cadc.calibrate(emulator, calix.NeuronCalibTarget())
    with pytest.raises(calix.TargetError, match="CADCCalibOptions or None, not NeuronCalibOptions"):
        calix.CADCCalibTarget().calibrate(emulator, calix.NeuronCalibOptions())
