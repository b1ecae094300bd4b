"""ChipInit writes shared CapMem cells in every block: by default the nominal CADC ramp."""

from __future__ import annotations

import pytest

import halco
import stadls
from stadls.errors import ArgumentTypeError


def test_the_init_writes_the_nominal_cadc_ramp_in_every_block():
    builder, _ = stadls.generate(stadls.SystemInit(), stadls.PlaybackProgramBuilderDumper)
    writes = dict(builder.done().squash())
    for name, value in stadls.NOMINAL_CADC_RAMP.items():
        for block in halco.iter_all(halco.CapMemBlockOnDLS):
            cell = halco.CapMemCellOnDLS(getattr(halco.CapMemCellOnCapMemBlock, name), block)
            assert writes[cell].value == value


def test_other_shared_cells_can_be_given():
    init = stadls.ChipInit(shared_capmem_cells={"syn_i_bias_dac": 600})
    builder, _ = init.generate(stadls.PlaybackProgramBuilderDumper)
    writes = dict(builder.done().squash())
    cell = halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock.syn_i_bias_dac, halco.CapMemBlockOnDLS(3))
    assert writes[cell].value == 600
    ramp = halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock.cadc_i_ramp_slope, halco.CapMemBlockOnDLS(0))
    assert ramp not in writes


@pytest.mark.parametrize("cells, error, match", [
    ({"v_leak": 5}, ArgumentTypeError, "'v_leak' is not a shared CapMem cell"),
    ([("cadc_i_ramp_slope", 400)], ArgumentTypeError, "must be a dict"),
    ({"cadc_i_ramp_slope": 1024}, ValueError, r"CapMemCell.value = 1024 is out of range"),
])
def test_bad_shared_cells_are_rejected(cells, error, match):
    with pytest.raises(error, match=match):
        stadls.ChipInit(shared_capmem_cells=cells)
