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


def test_a_spike_train_is_the_waits_and_packs_of_its_spikes():
    times = np.array([5, 3, 3, 3, 3, 7, 3])
    labels = np.array([1, 2, 3, 4, 5, 6, 7])
    train = stadls.PlaybackProgramBuilder()
    train.write_spike_train(times, labels)
    by_hand = stadls.PlaybackProgramBuilder()
    for t, ls in [(3, [2, 3, 4]), (None, [5, 7]), (5, [1]), (7, [6])]:
        if t is not None:
            by_hand.wait_until(t)
        pack = {1: haldls.SpikePack1ToChip, 2: haldls.SpikePack2ToChip, 3: haldls.SpikePack3ToChip}[len(ls)]
        coord = {1: halco.SpikePack1ToChipOnDLS, 2: halco.SpikePack2ToChipOnDLS,
                 3: halco.SpikePack3ToChipOnDLS}[len(ls)]
        by_hand.write(coord(), pack(ls))
    assert np.array_equal(train.done().instructions, by_hand.done().instructions)


def test_a_spike_train_reaches_the_chip_at_its_times():
    builder, _ = stadls.generate(stadls.SystemInit())      # event recording on
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    times = np.arange(10, 200, 17)
    labels = (np.arange(len(times)) % 4) << 14        # all four L2 links, looped back by default
    builder.write_spike_train(times, labels)
    builder.wait_until(400)
    program = builder.done()
    with stadls.ManagedConnection() as connection:
        stadls.run(connection, program)
    looped = program.spikes
    assert len(looped) == len(times)
    delay = looped["fpga_time"].astype(np.int64) - times
    assert (delay == delay[0]).all() and 0 < delay[0] < 50      # a constant link latency


def test_a_spike_train_refuses_bad_input():
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(BuilderError, match="one length"):
        builder.write_spike_train(np.array([1, 2]), np.array([1]))
    with pytest.raises(ArgumentTypeError, match="times must be integers"):
        builder.write_spike_train(np.array([1.5]), np.array([1]))
    with pytest.raises(BuilderError, match=r"labels must lie in 0..65535"):
        builder.write_spike_train(np.array([1]), np.array([70000]))
    with pytest.raises(BuilderError, match="times must lie in"):
        builder.write_spike_train(np.array([-1]), np.array([1]))
    assert builder.empty()


def test_an_absolute_time_builder_interleaves_spike_trains_with_its_commands():
    absolute = stadls.AbsoluteTimePlaybackProgramBuilder()
    absolute.write_spike_train(100, np.array([0, 50, 10]), np.array([1, 2, 3]))
    absolute.write(150, halco.CapMemCellOnDLS(), haldls.CapMemCell(value=5))
    absolute.write_spike_train(0, np.array([120]), np.array([4]))
    copied = stadls.AbsoluteTimePlaybackProgramBuilder()
    copied.copy_back(absolute, offset=1000)
    relative = absolute.done()
    expected = stadls.PlaybackProgramBuilder()
    expected.write(halco.TimerOnDLS(), haldls.Timer())
    expected.write_spike_train(np.array([100, 110, 120]), np.array([1, 3, 4]))
    expected.wait_until(150)
    expected.write(halco.CapMemCellOnDLS(), haldls.CapMemCell(value=5))
    expected.write_spike_train(np.array([150]), np.array([2]))      # at the command's time: after it
    assert np.array_equal(relative.done().instructions, expected.done().instructions)
    assert absolute.empty() and not copied.empty()
    with pytest.raises(BuilderError, match="before time 0"):
        stadls.AbsoluteTimePlaybackProgramBuilder().copy_back(copied, offset=-1105)
    shifted = copied.done().done().instructions
    waits = shifted[shifted["opcode"] == 3]["data"].tolist()
    assert waits == [1100, 1110, 1120, 1150, 1150]
