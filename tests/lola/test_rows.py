"""lola's CADC sample containers (CADCSampleRow, CADCSamples) and column-switch rows
(ColumnCorrelationRow, ColumnCurrentRow): declaration against the real lola's names and shapes,
round trips through words and through the emulated chip, reads compared with CADCSampleQuad reads,
bad input."""

from __future__ import annotations

import copy
import pickle
import re

import numpy as np
import pytest
from hypothesis import given, settings

import halco
import haldls
import lola
import stadls
from haldls.errors import AccessError, CoordinateMismatchError
from lola.errors import LolaTypeError, LolaValueError
from lola.synapse import COLUMN_OF_QUAD_ENTRY
from stadls.errors import BuilderError

SAMPLES = (lola.CADCSampleRow, lola.CADCSamples)
SWITCH_ROWS = (lola.ColumnCorrelationRow, lola.ColumnCurrentRow)
CorrelationSwitch = haldls.ColumnCorrelationQuad.ColumnCorrelationSwitch
CurrentSwitch = haldls.ColumnCurrentQuad.ColumnCurrentSwitch
ROW_COORD = halco.CADCSampleRowOnDLS(halco.SynapseRowOnSynram(37), halco.SynramOnDLS(1))


def _run(builder: stadls.PlaybackProgramBuilder, **options) -> None:
    with stadls.ManagedConnection(**options) as conn:
        stadls.run(conn, builder.done())


def _cadc_on(builder: stadls.PlaybackProgramBuilder) -> None:
    """Both CADCs on, every channel on its column's correlation sensor (through the switch row
    under test; the sensors of each row read their baseline with its per-sensor mismatch) and
    the chip settled for 10 us."""
    readout = lola.ColumnCorrelationRow(values=[CorrelationSwitch(
        enable_internal_causal=True, enable_internal_acausal=True)] * 256)
    for hemisphere in halco.iter_all(halco.ColumnCorrelationRowOnDLS):
        builder.write(halco.CADCConfigOnDLS(hemisphere.value()), haldls.CADCConfig(enable=True))
        builder.write(hemisphere, readout)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    builder.block_until(halco.TimerOnDLS(), haldls.Timer.Value(1250))


def _init_builder() -> stadls.PlaybackProgramBuilder:
    """SystemInit (the nominal CADC ramp), then :func:`_cadc_on`."""
    builder, _ = stadls.generate(stadls.SystemInit())
    _cadc_on(builder)
    return builder


def _quad_enums(row: int, synram: int, ctype: int, readout: int) -> np.ndarray:
    return np.array([halco.CADCSampleQuadOnDLS.of(
        halco.SynapseQuadOnSynram(halco.SynapseQuadColumnOnDLS(q), halco.SynapseRowOnSynram(row)),
        ctype, readout, synram).to_enum() for q in range(64)])


def _by_column(quad_samples: np.ndarray) -> np.ndarray:
    """[64, 4] samples by quad column and entry -> [256] by synapse column."""
    out = np.empty(256, dtype=np.int64)
    out[COLUMN_OF_QUAD_ENTRY] = quad_samples
    return out


# -- declaration ------------------------------------------------------------------------------------

def test_declared_as_the_real_lola():
    assert lola.container_for(halco.CADCSampleRowOnDLS) is lola.CADCSampleRow
    assert lola.container_for(halco.CADCSamplesOnDLS) is lola.CADCSamples
    assert lola.container_for(halco.ColumnCorrelationRowOnDLS) is lola.ColumnCorrelationRow
    assert lola.container_for(halco.ColumnCurrentRowOnDLS) is lola.ColumnCurrentRow
    row, samples = lola.CADCSampleRow.schema(), lola.CADCSamples.schema()
    assert list(row) == list(samples) == ["causal", "acausal"]
    assert all(f.shape == (256,) and (f.minimum, f.maximum) == (0, 255) for f in row.values())
    assert all(f.shape == (2, 256) and (f.minimum, f.maximum) == (0, 255) for f in samples.values())
    assert lola.ColumnCorrelationRow.schema()["values"].type is CorrelationSwitch
    assert lola.ColumnCurrentRow.schema()["values"].shape == (256,)
    assert [c.readable for c in SAMPLES + SWITCH_ROWS] == [True] * 4
    assert [c.writable for c in SAMPLES + SWITCH_ROWS] == [False, False, True, True]
    # one read: 1 triggered + 127 buffered quads for a row, 2 + 254 for both synrams
    assert (lola.CADCSampleRow.n_words, lola.CADCSamples.n_words) == (128, 256)
    assert (lola.ColumnCorrelationRow.n_words, lola.ColumnCurrentRow.n_words) == (256, 128)
    assert lola.ColumnCorrelationRow().values[0] == CorrelationSwitch()     # all off


def test_sample_reads_follow_the_real_read_order():
    row = lola.CADCSampleRow.quad_enums(ROW_COORD.to_enum())
    causal_trigger, causal, acausal = (_quad_enums(37, 1, 0, 0), _quad_enums(37, 1, 0, 1),
                                       _quad_enums(37, 1, 1, 1))
    assert row.tolist() == [causal_trigger[0], *causal[1:], *acausal]
    both = lola.CADCSamples.quad_enums(0).tolist()
    top = [_quad_enums(0, 0, t, r) for t, r in ((0, 0), (0, 1), (1, 1))]
    bottom = [_quad_enums(0, 1, t, r) for t, r in ((0, 0), (0, 1), (1, 1))]
    assert both == [top[0][0], bottom[0][0], *top[1][1:], *top[2], *bottom[1][1:], *bottom[2]]
    assert np.array_equal(lola.CADCSampleRow.addresses(ROW_COORD),
                          haldls.CADCSampleQuad.addresses_array(row).ravel())


def test_switch_rows_write_the_hemispheres_quads_in_column_order():
    row = lola.ColumnCurrentRow()
    row.values[halco.SynapseOnSynapseRow(9)] = CurrentSwitch(enable_debug_inhibitory=True)
    quads = [haldls.ColumnCurrentQuad() for _ in range(64)]
    quad, entry = divmod(int(np.flatnonzero(COLUMN_OF_QUAD_ENTRY.ravel() == 9)[0]), 4)
    quads[quad].set_switch(entry, CurrentSwitch(enable_debug_inhibitory=True))
    assert np.array_equal(row.encode(), np.concatenate([q.encode() for q in quads]))
    enums = 64 + np.arange(64)
    assert np.array_equal(lola.ColumnCurrentRow.addresses(halco.ColumnCurrentRowOnDLS(1)),
                          haldls.ColumnCurrentQuad.addresses_array(enums).ravel())


# -- round trips ------------------------------------------------------------------------------------

@pytest.mark.parametrize("container", SAMPLES + SWITCH_ROWS, ids=lambda c: c.__name__)
def test_words_round_trip(container):
    @settings(max_examples=15, deadline=None)
    @given(container.strategy())
    def check(value):
        assert container.decode(value.encode()) == value
        assert copy.copy(value) == value and pickle.loads(pickle.dumps(value)) == value

    check()


def test_switch_rows_round_trip_through_the_emulator():
    correlation = lola.ColumnCorrelationRow()
    correlation.values[0] = CorrelationSwitch(enable_internal_causal=True, enable_debug_acausal=True)
    correlation.values[255] = CorrelationSwitch(enable_cadc_neuron_readout_acausal=True)
    current = lola.ColumnCurrentRow(values=[CurrentSwitch(enable_synaptic_current_excitatory=True)] * 256)
    current.values[128] = CurrentSwitch(enable_debug_excitatory=True, enable_debug_inhibitory=True)
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.ColumnCorrelationRowOnDLS(1), correlation)
    builder.write(halco.ColumnCurrentRowOnDLS(0), current)
    tickets = [builder.read(halco.ColumnCorrelationRowOnDLS(1)),
               builder.read(halco.ColumnCurrentRowOnDLS(0)),
               builder.read(halco.ColumnCorrelationQuadOnDLS.from_enum(64 + 63))]
    _run(builder)
    assert tickets[0].get() == correlation and tickets[1].get() == current
    # column 255 is entry 3 of quad column 63 (odd columns in quads 32..63)
    assert tickets[2].get().get_switch(3) == correlation.values[255]


def test_switch_rows_write_differentially():
    old = lola.ColumnCurrentRow()
    new = copy.copy(old)
    new.values[2] = CurrentSwitch(enable_synaptic_current_inhibitory=True)
    assert old.values[2] == CurrentSwitch()          # the copy has its own list
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.ColumnCurrentRowOnDLS(0), new, old)
    assert len(builder.done().instructions) == 1     # one word of one quad changed


# -- sample reads on the chip -----------------------------------------------------------------------

def test_sample_row_read_equals_the_quads_read_after_it():
    """The row (one triggered quad, the rest buffered) and a buffered read of all 128 quads of
    the row right after it give the same samples: one conversion of the whole row."""
    builder = _init_builder()
    row_ticket = builder.read(ROW_COORD)
    causal = builder.read_array(haldls.CADCSampleQuad, _quad_enums(37, 1, 0, 1))
    acausal = builder.read_array(haldls.CADCSampleQuad, _quad_enums(37, 1, 1, 1))
    _run(builder)
    row = row_ticket.get()
    assert np.array_equal(row.causal, _by_column(causal.get()["samples"]))
    assert np.array_equal(row.acausal, _by_column(acausal.get()["samples"]))
    assert (row.causal > 0).all() and (row.acausal > 0).all()   # every channel converted
    assert len(np.unique(row.causal)) > 1           # sensors with mismatch, not a constant


def test_sample_row_read_equals_triggered_quad_reads_without_noise():
    """Without temporal noise, every triggered quad read of the row in the same program gives
    the samples of the row read (a triggered read converts every channel of the row)."""
    builder = _init_builder()
    row_ticket = builder.read(ROW_COORD)
    causal = builder.read_array(haldls.CADCSampleQuad, _quad_enums(37, 1, 0, 0))
    acausal = builder.read_array(haldls.CADCSampleQuad, _quad_enums(37, 1, 1, 0))
    _run(builder, noise=False)
    row = row_ticket.get()
    assert np.array_equal(row.causal, _by_column(causal.get()["samples"]))
    assert np.array_equal(row.acausal, _by_column(acausal.get()["samples"]))


def test_cadc_samples_read_both_synrams():
    builder = _init_builder()
    ticket = builder.read(halco.CADCSamplesOnDLS())
    rows = [builder.read(halco.CADCSampleRowOnDLS(halco.SynapseRowOnSynram(0), halco.SynramOnDLS(s)))
            for s in range(2)]
    _run(builder, noise=False)
    samples = ticket.get()
    assert (samples.causal > 0).all() and (samples.acausal > 0).all()   # every channel converted
    for s in range(2):
        assert np.array_equal(samples.causal[s], rows[s].get().causal)
        assert np.array_equal(samples.acausal[s], rows[s].get().acausal)
    assert not np.array_equal(samples.causal[0], samples.causal[1])


def test_disabled_cadc_reads_zero():
    builder, _ = stadls.generate(stadls.SystemInit())
    ticket = builder.read(ROW_COORD)
    _run(builder)
    assert ticket.get() == lola.CADCSampleRow()


# -- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("container", SAMPLES, ids=lambda c: c.__name__)
def test_sample_fields_are_checked(container):
    shape = container.shape
    with pytest.raises(LolaValueError, match=rf"{container.__name__}.causal must have shape "
                                             rf"{re.escape(str(shape))}.*got shape \(255,\)"):
        container(causal=np.zeros(255, dtype=int))
    with pytest.raises(LolaValueError, match=r"acausal\[.*\] = 256 is out of range \[0, 255\]"):
        container(acausal=np.full(shape, 256))
    with pytest.raises(LolaTypeError, match=r"causal must be an integer array.*float64"):
        container(causal=np.zeros(shape))
    value = container()
    value.causal[(0,) * len(shape)] = -1                  # numpy assignment, caught on encode
    with pytest.raises(LolaValueError, match=r"causal\[0(, 0)?\] = -1 is out of range"):
        value.encode()
    with pytest.raises(LolaValueError, match=f"{container.__name__} decodes from {container.n_words} words"):
        container.decode(np.zeros(3, dtype=np.uint32))


@pytest.mark.parametrize("container, coord", [(lola.CADCSampleRow, ROW_COORD),
                                              (lola.CADCSamples, halco.CADCSamplesOnDLS())],
                         ids=["row", "samples"])
def test_sample_containers_are_read_only(container, coord):
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(AccessError, match=f"{container.__name__} is read-only and cannot be written"):
        builder.write(coord, container())
    with pytest.raises(CoordinateMismatchError, match=f"{container.__name__} lives at"):
        container.addresses(halco.SynapseRowOnDLS())


@pytest.mark.parametrize("container", SWITCH_ROWS, ids=lambda c: c.__name__)
def test_switch_values_are_checked(container):
    switch = container.switch_type
    other = CurrentSwitch if switch is CorrelationSwitch else CorrelationSwitch
    name = container.__name__
    with pytest.raises(LolaTypeError, match=rf"{name}.values\[7\] must be a haldls.{switch.__qualname__}, "
                                            rf"got {other.__qualname__}"):
        container().values[7] = other()
    with pytest.raises(LolaTypeError, match=rf"{name}.values\[0\] must be a .*got bool True"):
        container(values=[True] * 256)
    with pytest.raises(LolaTypeError, match=rf"{name}.values needs exactly 256 .*got 255"):
        container(values=[switch()] * 255)
    with pytest.raises(LolaTypeError, match=rf"{name}.values needs a sequence of 256"):
        container(values=5)
    with pytest.raises(LolaTypeError, match=rf"{name}.values has a fixed size of 256"):
        container().values.append(switch())
    with pytest.raises(IndexError, match=rf"{name}.values has 256 entries, no index 256"):
        container().values[256] = switch()
    row = container()
    list.__setitem__(row.values, 3, "on")                # bypasses the check: caught on encode
    with pytest.raises(LolaTypeError, match=rf"{name}.values\[3\] must be a"):
        row.encode()
    with pytest.raises(LolaValueError, match=f"{name} decodes from {container.n_words} words"):
        container.decode(np.zeros(4, dtype=np.uint32))
    with pytest.raises(BuilderError, match=f"reference is .*, config is {name}"):
        stadls.PlaybackProgramBuilder().write(container.coordinate_type(0), container(),
                                              lola.ColumnCurrentRow() if container is lola.ColumnCorrelationRow
                                              else lola.ColumnCorrelationRow())
