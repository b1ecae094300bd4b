"""Tests that kill surviving mutants of stadls/builder.py (`make mutation`): what the builders
promise (reads of both halves of a merge land in their own tickets, absolute-time reads give
the value at their time, errors name the call and what was wrong), each checked against the
emulated chip or the documented message, not against the builder's own bookkeeping."""

from __future__ import annotations

import pytest

import halco
import haldls
import lola
import stadls
from stadls.errors import ArgumentTypeError, BuilderError

BACKEND = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(3), halco.NeuronRowOnDLS(0)) \
    .to_neuron_backend_config_on_dls()


@pytest.fixture(scope="module")
def connection():
    with stadls.ManagedConnection() as conn:
        yield conn


def test_merge_front_with_reads_on_both_sides_fills_each_ticket(connection):
    """The front program's reads come first in the merged stream; each ticket still reads its
    own container (a slot offset by the wrong count would hand one the other's words)."""
    back, front = stadls.PlaybackProgramBuilder(), stadls.PlaybackProgramBuilder()
    cell = halco.CapMemCellOnDLS(12)
    back_ticket = back.read(cell)                       # after the front's write: 44
    back_second = back.read(BACKEND)                    # the back's second read: its own slot
    front.write(cell, haldls.CapMemCell(value=44))
    front.write(BACKEND, haldls.NeuronBackendConfig(address_out=0x2A))
    front_ticket = front.read(BACKEND)
    front_cell = front.read(cell)
    back.merge_front(front)
    assert front.empty()
    later = back.read(cell)
    stadls.run(connection, back.done())
    assert front_ticket.get().address_out == 0x2A
    assert front_cell.get().value == 44
    assert back_ticket.get().value == 44 and later.get().value == 44
    assert back_second.get().address_out == 0x2A


def test_merge_front_then_more_writes_keeps_the_instruction_count(connection):
    """After merge_front the builder is not empty and its program runs the front's commands."""
    back, front = stadls.PlaybackProgramBuilder(), stadls.PlaybackProgramBuilder()
    cell = halco.CapMemCellOnDLS(13)
    front.write(cell, haldls.CapMemCell(value=77))
    back.merge_front(front)
    assert not back.empty()
    ticket = back.read(cell)
    stadls.run(connection, back.done())
    assert ticket.get().value == 77


@pytest.mark.parametrize("method", ["merge_back", "merge_front", "copy_back"])
def test_combining_with_a_non_builder_names_the_call_and_the_type(method):
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(BuilderError,
                       match=rf"^{method}: expected a PlaybackProgramBuilder, got dict$"):
        getattr(builder, method)({})


@pytest.mark.parametrize("method", ["merge_back", "merge_front"])
def test_merging_a_builder_into_itself_is_refused_by_name(method):
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(BuilderError, match=rf"^{method}: cannot merge a builder into itself$"):
        getattr(builder, method)(builder)


def test_copy_back_of_a_builder_with_reads_says_to_merge():
    builder, reads = stadls.PlaybackProgramBuilder(), stadls.PlaybackProgramBuilder()
    reads.read(halco.CapMemCellOnDLS(1))
    with pytest.raises(BuilderError,
                       match=r"^copy_back: the other builder contains reads; use merge_back$"):
        builder.copy_back(reads)


def test_combining_builders_of_two_revisions_names_both():
    with pytest.raises(BuilderError, match=r"^cannot combine builders of revisions 3 and 4$"):
        stadls.PlaybackProgramBuilder(revision=3).merge_back(stadls.PlaybackProgramBuilder(revision=4))


def _neuron():
    morphology = lola.Morphology()
    at = lambda x: halco.AtomicNeuronOnLogicalNeuron(  # noqa: E731
        halco.NeuronColumnOnLogicalNeuron(x), halco.NeuronRowOnLogicalNeuron(0))
    morphology.create_compartment([at(0), at(1)])
    compartments, neuron = morphology.done()
    place = lambda x: halco.LogicalNeuronOnDLS(  # noqa: E731
        compartments, halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(x), halco.NeuronRowOnDLS(0)))
    return place, neuron


@pytest.mark.parametrize("method", ["merge_back", "merge_front", "copy_back"])
def test_an_overlapping_placement_names_the_combining_call(method):
    place, neuron = _neuron()
    builder, other = stadls.PlaybackProgramBuilder(), stadls.PlaybackProgramBuilder()
    builder.write(place(20), neuron)
    other.write(place(21), neuron)
    with pytest.raises(BuilderError, match=rf"^{method}: the logical neuron at .* overlaps"):
        getattr(builder, method)(other)


def test_an_overlapping_absolute_time_write_names_write():
    place, neuron = _neuron()
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    timed.write(0, place(30), neuron)
    with pytest.raises(BuilderError, match=r"^write: the logical neuron at .* overlaps"):
        timed.write(10, place(31), neuron)


def test_wait_until_names_itself_in_its_errors():
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(ArgumentTypeError, match=r"^wait_until must be an integer number of FPGA"):
        builder.wait_until(1.5)
    with pytest.raises(BuilderError, match=r"^wait_until must lie in 0\.\."):
        builder.wait_until(-1)


def test_a_bad_command_time_is_named_the_command_time():
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    with pytest.raises(ArgumentTypeError, match=r"^the command time must be an integer"):
        timed.read(2.0, halco.CapMemCellOnDLS(0))


def test_absolute_time_reads_of_both_kinds_give_their_values(connection):
    """A read at an absolute time gives the container's value at that time; a write-only
    container cannot be read at any time."""
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    cell = halco.CapMemCellOnDLS(21)
    timed.write(100, cell, haldls.CapMemCell(value=9))
    first = timed.read(200, cell)
    timed.write(300, cell, haldls.CapMemCell(value=10))
    second = timed.read(400, cell)
    assert not first.valid()
    stadls.run(connection, timed.done().done())
    assert first.get().value == 9 and second.get().value == 10
    assert first.get_coordinate() == cell


def test_an_absolute_time_read_of_a_write_only_container_fails_at_the_read():
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    with pytest.raises(haldls.errors.AccessError, match="MADCControl"):
        timed.read(10, halco.MADCControlOnDLS())


def _relative(*steps):
    """The program the documented interleaving gives: a timer reset, then ``steps`` in order
    (("spikes", times, labels), ("wait", t) or ("write", coord, config))."""
    builder = stadls.PlaybackProgramBuilder()
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    for kind, *args in steps:
        {"spikes": builder.write_spike_train, "wait": builder.wait_until,
         "write": builder.write}[kind](*args)
    return builder.instructions()


CELL = halco.CapMemCellOnDLS(40)


def test_absolute_spike_trains_are_sorted_and_split_around_commands():
    """Spikes of several trains come out sorted by time (a spike at a command's time after the
    command), each before the first command later than it."""
    import numpy as np
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    timed.write_spike_train(100, [0, 50, 10], [1, 2, 3])          # at 100, 150, 110
    timed.write_spike_train(0, [120, 200], [4, 5])
    timed.write(120, CELL, haldls.CapMemCell(value=9))
    expected = _relative(("spikes", [100, 110], [1, 3]), ("wait", 120),
                         ("write", CELL, haldls.CapMemCell(value=9)),
                         ("spikes", [120, 150, 200], [4, 2, 5]))
    assert np.array_equal(timed.done().instructions(), expected)
    assert timed.empty()


def test_absolute_spikes_only_and_commands_only():
    import numpy as np
    spikes = stadls.AbsoluteTimePlaybackProgramBuilder()
    spikes.write_spike_train(7, [0, 3], [8, 9])
    assert np.array_equal(spikes.done().instructions(), _relative(("spikes", [7, 10], [8, 9])))
    writes = stadls.AbsoluteTimePlaybackProgramBuilder()
    writes.write(30, CELL, haldls.CapMemCell(value=2))
    writes.write(30, CELL, haldls.CapMemCell(value=3))             # same time: insertion order
    assert np.array_equal(writes.done().instructions(), _relative(
        ("wait", 30), ("write", CELL, haldls.CapMemCell(value=2)),
        ("wait", 30), ("write", CELL, haldls.CapMemCell(value=3))))


def test_absolute_spikes_at_one_time_keep_the_order_given():
    """Forty spikes at one time from two trains, a later train given first: sorting by time
    must keep the given order of equal times (documented: labels in the order given)."""
    import numpy as np
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    timed.write_spike_train(0, [900], [99])
    timed.write_spike_train(0, [500] * 40, list(range(40)))
    expected = _relative(("spikes", [500] * 40 + [900], list(range(40)) + [99]))
    assert np.array_equal(timed.done().instructions(), expected)


def test_absolute_merge_back_shifts_commands_and_spikes_and_empties_the_other():
    import numpy as np
    target, other = stadls.AbsoluteTimePlaybackProgramBuilder(), stadls.AbsoluteTimePlaybackProgramBuilder()
    other.write(50, CELL, haldls.CapMemCell(value=4))
    other.write_spike_train(60, [0], [7])
    target.merge_back(other, offset=-10)
    assert other.empty()
    other.write(5, CELL, haldls.CapMemCell(value=1))               # the other is usable again
    other.write_spike_train(0, [1], [2])
    assert np.array_equal(target.done().instructions(), _relative(
        ("wait", 40), ("write", CELL, haldls.CapMemCell(value=4)), ("spikes", [50], [7])))
    unshifted = stadls.AbsoluteTimePlaybackProgramBuilder()
    unshifted.merge_back(other)                                    # offset 0 by default
    assert np.array_equal(unshifted.done().instructions(), _relative(
        ("spikes", [1], [2]), ("wait", 5), ("write", CELL, haldls.CapMemCell(value=1))))


def test_absolute_merge_back_refuses_moves_before_zero_and_bad_arguments():
    target = stadls.AbsoluteTimePlaybackProgramBuilder()
    spikes = stadls.AbsoluteTimePlaybackProgramBuilder()
    spikes.write_spike_train(0, [0], [1])
    target.merge_back(spikes, offset=0)                            # time 0 itself is fine
    spikes.write_spike_train(5, [0], [1])
    with pytest.raises(BuilderError, match=r"^merge_back: offset -6 moves a spike before time 0$"):
        target.merge_back(spikes, offset=-6)
    with pytest.raises(BuilderError,
                       match=r"^merge_back: expected an AbsoluteTimePlaybackProgramBuilder, got list$"):
        target.merge_back([])
    with pytest.raises(BuilderError, match=r"^merge_back: cannot merge a builder into itself$"):
        target.merge_back(target)
    with pytest.raises(ArgumentTypeError, match=r"^merge_back: offset must be an integer number "
                                                r"of FPGA cycles, not float 1\.5$"):
        target.merge_back(stadls.AbsoluteTimePlaybackProgramBuilder(), offset=1.5)
    place, neuron = _neuron()
    target.write(0, place(40), neuron)
    other = stadls.AbsoluteTimePlaybackProgramBuilder()
    other.write(0, place(41), neuron)
    with pytest.raises(BuilderError, match=r"^merge_back: the logical neuron at .* overlaps"):
        target.merge_back(other)


def test_block_until_refuses_what_is_not_a_wait_condition_by_type():
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(BuilderError, match=r"^block_until: int is not a wait condition$"):
        builder.block_until(halco.TimerOnDLS(), 5)


def test_write_errors_name_what_was_given():
    builder = stadls.PlaybackProgramBuilder()
    cell = halco.CapMemCellOnDLS(0)
    with pytest.raises(BuilderError, match=r"^write: CapMemCell is a container class; write an "
                                           r"instance, e\.g\. CapMemCell\(\)$"):
        builder.write(cell, haldls.CapMemCell)
    with pytest.raises(BuilderError, match=r"^write: int is not a container$"):
        builder.write(cell, 3)
    with pytest.raises(BuilderError, match=r"^differential write: reference is Timer, "
                                           r"config is CapMemCell$"):
        builder.write(cell, haldls.CapMemCell(), haldls.Timer())
    with pytest.raises(BuilderError, match=r"^Timer does not support differential writes$"):
        builder.write(halco.TimerOnDLS(), haldls.Timer(), haldls.Timer())
    assert builder.empty()


def test_array_access_errors_name_the_call_and_the_range():
    builder = stadls.PlaybackProgramBuilder()
    size = halco.CapMemCellOnDLS.size
    with pytest.raises(BuilderError, match=r"^write_array: 3 is not a haldls container type$"):
        builder.write_array(3, [0], [[0]])
    with pytest.raises(BuilderError, match=rf"^write_array: enums must lie in \[0, {size - 1}\] "
                                           r"for CapMemCellOnDLS$"):
        builder.write_array(haldls.CapMemCell, [size], [[0]])
    with pytest.raises(ArgumentTypeError, match=r"^write_array: enums must be integers, not float64$"):
        builder.write_array(haldls.CapMemCell, [1.0], [[0]])
    with pytest.raises(ArgumentTypeError, match=r"^write_array: words must be integers, not float64$"):
        builder.write_array(haldls.CapMemCell, [1], [[1.0]])
    builder.write_array(haldls.CapMemCell, [[size - 1]], [[5]])   # enums of any shape, flattened
    assert not builder.empty()


def test_a_logical_neuron_cannot_be_read_whole():
    place, _ = _neuron()
    with pytest.raises(haldls.errors.AccessError,
                       match=r"at LogicalNeuronOnDLS cannot be read \(read its atomic neurons instead\)$"):
        stadls.PlaybackProgramBuilder().read(place(0))


def test_a_revision_of_the_wrong_type_is_named():
    with pytest.raises(ArgumentTypeError, match=r"^revision must be an int chip revision \(this "
                                                r"stack: 3\), not str '3'$"):
        stadls.PlaybackProgramBuilder(revision="3")


def test_same_time_absolute_commands_run_in_insertion_order(connection):
    """A write and a read at one time: the read, given second, sees the write."""
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    cell = halco.CapMemCellOnDLS(41)
    timed.write(30, cell, haldls.CapMemCell(value=17))
    ticket = timed.read(30, cell)
    stadls.run(connection, timed.done().done())
    assert ticket.get().value == 17


def test_builders_are_usable_again_after_done():
    place, neuron = _neuron()
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    timed.write(0, CELL, haldls.CapMemCell(value=1))
    timed.done()
    timed.write(5, CELL, haldls.CapMemCell(value=2))
    timed.write_spike_train(0, [1], [1])
    assert not timed.empty()
    builder = stadls.PlaybackProgramBuilder()
    builder.write(place(50), neuron)
    builder.done()
    builder.write(place(50), neuron)                   # placements start afresh
    with pytest.raises(BuilderError, match=r"^write: the logical neuron at .* overlaps"):
        builder.write(place(51), neuron)


def test_absolute_copy_back_shifts_a_copy_and_checks_its_input():
    import numpy as np
    source = stadls.AbsoluteTimePlaybackProgramBuilder()
    source.write(50, CELL, haldls.CapMemCell(value=4))
    source.write_spike_train(0, [0], [7])
    target = stadls.AbsoluteTimePlaybackProgramBuilder()
    target.copy_back(source)                                       # offset 0 by default
    assert not source.empty()
    assert np.array_equal(target.done().instructions(), _relative(
        ("spikes", [0], [7]), ("wait", 50), ("write", CELL, haldls.CapMemCell(value=4))))
    shifted = stadls.AbsoluteTimePlaybackProgramBuilder()
    shifted.copy_back(source, offset=10)
    assert np.array_equal(shifted.done().instructions(), _relative(
        ("spikes", [10], [7]), ("wait", 60), ("write", CELL, haldls.CapMemCell(value=4))))
    with pytest.raises(BuilderError, match=r"^copy_back: offset -1 moves a spike before time 0$"):
        target.copy_back(source, offset=-1)
    with pytest.raises(BuilderError,
                       match=r"^copy_back: expected an AbsoluteTimePlaybackProgramBuilder, got int$"):
        target.copy_back(3)
    reads = stadls.AbsoluteTimePlaybackProgramBuilder()
    reads.read(0, CELL)
    with pytest.raises(BuilderError, match=r"^copy_back: the other builder contains reads; use merge_back$"):
        target.copy_back(reads)
    with pytest.raises(BuilderError, match=r"^cannot combine builders of revisions 3 and 4$"):
        target.copy_back(stadls.AbsoluteTimePlaybackProgramBuilder(revision=4))
    with pytest.raises(BuilderError, match=r"^a command at 50 shifted by -60 must lie in 0\.\."):
        stadls.AbsoluteTimePlaybackProgramBuilder().copy_back(
            _only_writes(), offset=-60)
    place, neuron = _neuron()
    occupied, other = stadls.AbsoluteTimePlaybackProgramBuilder(), stadls.AbsoluteTimePlaybackProgramBuilder()
    occupied.write(0, place(60), neuron)
    other.write(0, place(61), neuron)
    with pytest.raises(BuilderError, match=r"^copy_back: the logical neuron at .* overlaps"):
        occupied.copy_back(other)


def _only_writes():
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    timed.write(50, CELL, haldls.CapMemCell(value=4))
    return timed


def test_an_absolute_differential_write_keeps_only_the_changed_words():
    import numpy as np
    coord = halco.SynapseDriverOnDLS(3)
    old = haldls.SynapseDriverConfig()
    new = haldls.SynapseDriverConfig(enable_renewing=True)
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    timed.write(20, coord, new, old)
    assert np.array_equal(timed.done().instructions(),
                          _relative(("wait", 20), ("write", coord, new, old)))


def test_an_absolute_spike_past_the_timer_range_is_named():
    timed = stadls.AbsoluteTimePlaybackProgramBuilder()
    with pytest.raises(BuilderError, match=r"^the last spike time must lie in 0\.\.4294967295 "
                                           r"FPGA cycles, not 4294967296$"):
        timed.write_spike_train(4294967295, [0, 1], [1, 2])


def test_relative_spike_trains_are_sorted_and_grouped_by_distinct_time():
    import numpy as np
    def program(*trains):
        builder = stadls.PlaybackProgramBuilder()
        for times, labels in trains:
            builder.write_spike_train(times, labels)
        return builder.instructions()
    assert np.array_equal(program(([10, 30, 20], [1, 3, 2])), program(([10, 20, 30], [1, 2, 3])))
    assert np.array_equal(program(([10, 20, 20], [1, 2, 3])), program(([10], [1]), ([20, 20], [2, 3])))
    # equal times keep the order given, also when the train has to be sorted
    assert np.array_equal(program(([900] + [500] * 40, [99] + list(range(40)))),
                          program(([500] * 40, list(range(40))), ([900], [99])))
    program(([4294967295], [0xFFFF]))                     # both range ends are allowed


def test_read_array_errors_name_read_array():
    builder = stadls.PlaybackProgramBuilder()
    with pytest.raises(BuilderError, match=r"^read_array: 3 is not a haldls container type$"):
        builder.read_array(3, [0])
    with pytest.raises(BuilderError, match=r"^read_array: Timer is not plain words; read it with read\(\)$"):
        builder.read_array(haldls.Timer, [0])


def test_the_repr_counts_instructions_and_reads_after_merges():
    back, front = stadls.PlaybackProgramBuilder(), stadls.PlaybackProgramBuilder()
    back.read(halco.CapMemCellOnDLS(1))
    back.read_array(haldls.CapMemCell, [2, 3])
    front.write(halco.CapMemCellOnDLS(1), haldls.CapMemCell(value=3))
    front.read(halco.CapMemCellOnDLS(1))
    back.merge_front(front)
    n = len(back.instructions())
    reads = sum(1 for _ in range(4))                      # four one-word reads
    assert repr(back) == f"PlaybackProgramBuilder({n} instructions, {reads} reads)"


def test_write_array_flattens_enums_of_any_shape():
    builder = stadls.PlaybackProgramBuilder()
    builder.write_array(haldls.CapMemCell, [[1, 2]], [[5], [6]])     # two enums in one row
    flat = stadls.PlaybackProgramBuilder()
    flat.write_array(haldls.CapMemCell, [1, 2], [[5], [6]])
    assert (builder.instructions() == flat.instructions()).all()


def _row_neuron(width):
    morphology = lola.Morphology()
    morphology.create_compartment([halco.AtomicNeuronOnLogicalNeuron(
        halco.NeuronColumnOnLogicalNeuron(x), halco.NeuronRowOnLogicalNeuron(0)) for x in range(width)])
    compartments, neuron = morphology.done()
    place = lambda x: halco.LogicalNeuronOnDLS(  # noqa: E731
        compartments, halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(x), halco.NeuronRowOnDLS(0)))
    return place, neuron


def test_an_overlap_lists_at_most_eight_atomic_neurons():
    place, neuron = _row_neuron(10)
    builder = stadls.PlaybackProgramBuilder()
    builder.write(place(100), neuron)                                 # columns 100..109
    with pytest.raises(BuilderError, match=r"\(atomic neurons \[101, 102, 103, 104, 105, 106, 107, "
                                           r"108\] \.\.\.\); a second placement"):
        builder.write(place(101), neuron)                             # 9 shared: 101..109
    with pytest.raises(BuilderError, match=r"\(atomic neurons \[102, 103, 104, 105, 106, 107, 108, "
                                           r"109\]\); a second placement would rewrite the first "
                                           r"one's compartment switches: place it elsewhere, or in "
                                           r"another program$"):
        builder.write(place(102), neuron)                             # 8 shared: 102..109
