"""stadls.units: the 1000x speed-up and the nominal CADC and MADC transfers, as the emulator has them."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import grenade.common
import stadls
from emulator import Emulator, readout
from emulator.mismatch import Mismatch
from stadls import units
from stadls.errors import ArgumentTypeError, StadlsError, UnitConversionError


def test_constants_agree_with_the_emulator():
    # stadls may not import the emulator: its copies of the documented numbers are checked here
    assert units.CADC_MV_AT_CODE_0 == pytest.approx(readout.CADC_V_MIN * 1000.0)
    assert units.CADC_MV_PER_LSB == pytest.approx(readout.CADC_V_PER_LSB * 1000.0)
    assert units.MADC_MV_PER_LSB == pytest.approx(readout.MADC_V_PER_LSB * 1000.0)
    assert units.SPEEDUP == grenade.common.SPEEDUP
    assert stadls.NOMINAL_CADC_RAMP is not None and stadls.units is units


def test_cadc_transfer_is_what_an_ideal_chip_reads_after_chip_init():
    connection = Emulator(mismatch=Mismatch.ideal(), noise=False)
    builder, _ = stadls.generate(stadls.ChipInit())
    stadls.run(connection, builder.done())
    volts = np.array([0.2, 0.5, 0.9])
    codes = np.array([connection.chip.readout.channel_codes(v, rounded=False)[0] for v in volts])
    np.testing.assert_allclose(units.cadc_code_to_mv(codes), volts * 1000.0, atol=1e-6)
    np.testing.assert_allclose(units.mv_to_cadc_code(volts * 1000.0), codes, atol=1e-6)


def test_conversions_and_their_inverses():
    t = np.array([0.0, 1.5, 100.0])
    np.testing.assert_allclose(units.hardware_us_to_biological_ms(t), t)      # 1 us -> 1 ms
    np.testing.assert_allclose(units.biological_ms_to_hardware_us(t), t)
    np.testing.assert_allclose(units.hardware_to_biological_time(t), t * 1000.0)
    np.testing.assert_allclose(units.biological_to_hardware_time(t * 1000.0), t)
    np.testing.assert_allclose(units.hardware_khz_to_biological_hz(t), t)     # 40 kHz -> 40 Hz
    np.testing.assert_allclose(units.biological_hz_to_hardware_khz(t), t)
    codes = np.array([0, 10, 255])
    np.testing.assert_allclose(units.cadc_code_to_mv(codes), [100.0, 140.0, 1120.0])
    np.testing.assert_allclose(units.mv_to_cadc_code(units.cadc_code_to_mv(codes)), codes)
    np.testing.assert_allclose(units.cadc_lsb_to_mv(np.array([2.5])), [10.0])   # no offset
    np.testing.assert_allclose(units.mv_to_cadc_lsb(np.array([10.0])), [2.5])
    np.testing.assert_allclose(units.madc_code_to_mv(np.array([0, 1023])), [0.0, 1200.0])
    np.testing.assert_allclose(units.mv_to_madc_code(np.array([600.0])), [511.5])
    # a scalar stays a scalar, an array keeps its shape
    assert isinstance(units.cadc_code_to_mv(3), float)
    assert units.madc_code_to_mv(np.zeros((2, 3))).shape == (2, 3)


@pytest.mark.parametrize("function", [getattr(units, name) for name in units.__all__
                                      if callable(getattr(units, name))])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, [1.0, np.nan]])
def test_non_finite_input_is_refused_by_name(function, bad):
    with pytest.raises(UnitConversionError, match="must be finite") as info:
        function(bad)
    assert isinstance(info.value, StadlsError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("bad", [True, np.array([True, False]), "5", None, np.array(["a"])])
def test_non_numbers_are_refused(bad):
    with pytest.raises(ArgumentTypeError, match="code must be a real number"):
        units.cadc_code_to_mv(bad)


def test_module_docstring_examples_hold():
    assert doctest.testmod(units).failed == 0
