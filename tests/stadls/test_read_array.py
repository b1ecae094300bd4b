"""Vectorized reads: ``PlaybackProgramBuilder.read_array`` and its ``ArrayTicket``."""

import numpy as np
import pytest

import halco
import haldls
import stadls
from stadls.errors import ArgumentTypeError, BuilderError, TicketNotReadyError


def test_read_array_returns_what_write_array_wrote():
    enums = np.array([5, 1, 300])
    words = haldls.CapMemCell.encode_array(3, value=[11, 22, 33])
    builder = stadls.PlaybackProgramBuilder()
    builder.write_array(haldls.CapMemCell, enums, words)
    ticket = builder.read_array(haldls.CapMemCell, enums)
    before = builder.read(halco.CapMemCellOnDLS.from_enum(1))
    assert not ticket.valid()
    with pytest.raises(TicketNotReadyError, match="3 CapMemCell"):
        ticket.words()
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, builder.done())
    assert ticket.valid()
    assert np.array_equal(ticket.words(), words)
    assert ticket.get()["value"].tolist() == [11, 22, 33]
    assert ticket.enums.tolist() == [5, 1, 300]
    assert before.get().value == 22            # the slots of other reads are kept apart


def test_read_array_refuses_what_cannot_be_read_as_words():
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(BuilderError, match="not a haldls container type"):
        builder.read_array(int, [0])
    with pytest.raises(haldls.errors.AccessError, match="write-only"):
        builder.read_array(haldls.NeuronReset, [0])
    with pytest.raises(BuilderError, match=r"enums must lie in \[0, 12479\]"):
        builder.read_array(haldls.CapMemCell, [12480])
    with pytest.raises(ArgumentTypeError, match="enums must be integers"):
        builder.read_array(haldls.CapMemCell, [1.0])
    assert builder.empty()
