"""Experiment helpers: the playback-program writes every experiment repeats.

Each helper appends writes (or reads) of haldls containers to a :class:`PlaybackProgramBuilder`;
none runs anything. They cover four chores:

- **MADC recording** of one neuron's membrane (:func:`enable_madc_recording`,
  :func:`madc_trace`): the source multiplexer, the MADC configuration and its wake-up and start;
- **CADC recording** of the membranes (:func:`enable_cadc_recording`,
  :func:`read_cadc_membranes`): the column switches that put each membrane on the causal CADC
  channel of its column, and the reads of those channels;
- **input routing** (:func:`route_input`, :func:`input_label`, :func:`synapse_driver_of_row`,
  :func:`write_synapse_row`): FPGA spikes through the crossbar onto a PADI bus (``enable_spl1``)
  to the synapse driver of a synapse row, whose row mode makes the row excitatory or inhibitory;
- **all-neuron CapMem writes** (:func:`write_neuron_capmem`): one CapMem row (``v_leak``,
  ``i_bias_leak``, ...) of every neuron in one vectorized write, one value or one per neuron.

The row-mode rule: synapse driver ``d`` of a hemisphere (``SynapseDriverOnSynapseDriverBlock``)
drives the synapse rows ``2d + 1`` (its ``row_mode_top``) and ``2d`` (its ``row_mode_bottom``).
It sits on PADI bus ``d % 4`` and accepts an event whose row-select address (label bits 10..6)
equals ``d // 4``; the synapses of the row then match the event's low six bits against their
labels.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

import halco
import haldls
from .errors import ArgumentTypeError, ArgumentValueError
from .program import PlaybackProgram

RowMode = haldls.SynapseDriverConfig.RowMode

#: FPGA clock: 125 MHz, 125 cycles per microsecond (the unit of ``fpga_time``)
FPGA_CYCLES_PER_US = 125.0
_BUSES = halco.PADIBusOnPADIBusBlock.size
_L2_INPUT_BASE = 8          # crossbar inputs 8..11 are the L2 inputs (SPL1 addresses 0..3)
_L2_OUTPUT_BASE = 8         # crossbar outputs 8..11 are the L2 outputs towards the FPGA


# -- argument checks ------------------------------------------------------------------------------

def _check_type(what: str, value: Any, expected: type) -> None:
    if isinstance(value, type) or not isinstance(value, expected):
        shown = value.__qualname__ + " (a class)" if isinstance(value, type) else repr(value)
        package = expected.__module__.split(".")[0]          # haldls.v3.readout -> haldls
        raise ArgumentTypeError(f"{what} must be a {package}.{expected.__qualname__}, not {shown}")


def _check_builder(function: str, builder: Any, array: bool = False) -> None:
    needed = ("write", "write_array") if array else ("write",)
    if isinstance(builder, type) or not all(hasattr(builder, m) for m in needed):
        raise ArgumentTypeError(f"{function}: builder must be a stadls.PlaybackProgramBuilder, not "
                                f"{builder!r}")


def _check_int(what: str, value: Any, low: int, high: int) -> int:
    """``value`` as an int in [low, high]; a bool or a float is refused (not silently read as 0/1
    or truncated)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"{what} must be an integer in [{low}, {high}], not {value!r}")
    if not low <= value <= high:
        raise ArgumentValueError(f"{what} must lie in [{low}, {high}], not {value}")
    return int(value)


def _int_array(what: str, values: Any, n: int, low: int, high: int) -> np.ndarray:
    """``values`` (one integer or ``n``) as an int64 array [n] in [low, high]."""
    array = np.asarray(values)
    if array.dtype == np.bool_ or array.dtype.kind not in "iu":
        raise ArgumentTypeError(f"{what} must be integers in [{low}, {high}] (one, or {n}), "
                                f"not {array.dtype} values")
    if array.ndim == 0:
        array = np.full(n, int(array))
    elif array.shape != (n,):
        raise ArgumentValueError(f"{what} must be one value or {n} values, not shape {array.shape}")
    array = array.astype(np.int64)
    bad = (array < low) | (array > high)
    if bad.any():
        first = int(np.argmax(bad))
        raise ArgumentValueError(f"{what} must lie in [{low}, {high}]; entry {first} is {array[first]}")
    return array


# -- MADC -----------------------------------------------------------------------------------------

def _source_member(neuron: halco.AtomicNeuronOnDLS) -> str:
    """The SourceMultiplexer member of the readout line ``neuron`` is on (``neuron_odd`` or
    ``neuron_even``, indexed by the neuron's hemisphere)."""
    return "neuron_odd" if neuron.x.value() % 2 else "neuron_even"


def enable_madc_recording(builder: Any, neuron: halco.AtomicNeuronOnDLS, number_of_samples: int,
                          config: haldls.MADCConfig | None = None) -> None:
    """Record ``number_of_samples`` (1..65535) MADC samples of ``neuron``'s readout line.

    Writes the ReadoutSourceSelection (source multiplexer 0 connects the line of the neuron's
    hemisphere and column parity), the MADCConfig (``config``, default haldls's, with
    ``number_of_samples`` set) and an MADCControl that wakes the MADC up, enables its
    pre-amplifier and starts the recording. The samples arrive in ``program.madc_samples``
    (:func:`madc_trace`). At the default configuration a sample is taken every 4.25 FPGA
    cycles (34 ns, 29.4 MHz: ``config.calculate_sample_rate(haldls.DEFAULT_MADC_BASE_FREQUENCY)``).

    The neuron itself must drive the line: its NeuronConfig needs ``enable_readout=True`` and
    the wanted ``readout_source`` (``lola.AtomicNeuron.Readout.Source``, e.g. ``membrane``);
    only one neuron per line (hemisphere and column parity) may have ``enable_readout``.
    """
    _check_builder("enable_madc_recording", builder)
    _check_type("enable_madc_recording: neuron", neuron, halco.AtomicNeuronOnDLS)
    samples = _check_int("enable_madc_recording: number_of_samples", number_of_samples, 1, 0xFFFF)
    if config is None:
        config = haldls.MADCConfig()
    _check_type("enable_madc_recording: config", config, haldls.MADCConfig)
    selection = haldls.ReadoutSourceSelection()
    mux = halco.SourceMultiplexerOnReadoutSourceSelection(0)
    source = selection.get_buffer(mux)
    getattr(source, _source_member(neuron))[neuron.y.value()] = True
    selection.set_buffer(mux, source)
    builder.write(halco.ReadoutSourceSelectionOnDLS(), selection)
    config = copy.deepcopy(config)             # the caller's container stays as it was
    config.number_of_samples = samples
    builder.write(halco.MADCConfigOnDLS(), config)
    builder.write(halco.MADCControlOnDLS(), haldls.MADCControl(
        wake_up=True, enable_pre_amplifier=True, start_recording=True))


def madc_trace(program: PlaybackProgram) -> tuple[np.ndarray, np.ndarray]:
    """(time [us since the last timer reset], value [MADC LSB, 10 bit]) of the MADC samples a
    run of ``program`` recorded."""
    _check_type("madc_trace: program", program, PlaybackProgram)
    samples = program.madc_samples
    return (samples["fpga_time"].astype(np.int64) / FPGA_CYCLES_PER_US,
            samples["value"].astype(float))


# -- CADC -----------------------------------------------------------------------------------------

def _synrams(what: str, synrams: Any) -> list[halco.SynramOnDLS]:
    if synrams is None:
        return list(halco.iter_all(halco.SynramOnDLS))
    if isinstance(synrams, halco.SynramOnDLS):
        return [synrams]
    if isinstance(synrams, (str, bytes)) or not isinstance(synrams, Iterable):
        raise ArgumentTypeError(f"{what} must be a halco.SynramOnDLS, several, or None (both), "
                                f"not {synrams!r}")
    out = list(synrams)
    for s in out:
        _check_type(f"{what} entry", s, halco.SynramOnDLS)
    return out


def enable_cadc_recording(builder: Any, synrams: halco.SynramOnDLS | Iterable[halco.SynramOnDLS]
                          | None = None) -> None:
    """Put every neuron membrane of the hemispheres ``synrams`` (default both) on the causal
    CADC channel of its column, and enable those hemispheres' CADCs.

    Writes each ColumnCorrelationQuad of the hemispheres with ``enable_cadc_neuron_readout_causal``
    and the sensor switches ``enable_internal_causal``/``acausal`` set (the correlation sensors
    stay connected to the acausal channels), the debug switches off, and the CADCConfig with
    ``enable``. Read with
    :func:`read_cadc_membranes`.
    """
    _check_builder("enable_cadc_recording", builder)
    chosen = _synrams("enable_cadc_recording: synrams", synrams)
    switches = haldls.ColumnCorrelationQuad(enable_cadc_neuron_readout_causal=[True] * 4,
                                            enable_internal_causal=[True] * 4,
                                            enable_internal_acausal=[True] * 4)
    for synram in chosen:
        for quad in halco.iter_all(halco.ColumnCorrelationQuadOnSynram):
            builder.write(halco.ColumnCorrelationQuadOnDLS(quad, synram), switches)
    for synram in chosen:
        builder.write(halco.CADCConfigOnDLS(synram.value()), haldls.CADCConfig(enable=True))


@functools.lru_cache(maxsize=None)
def _cadc_layout(synram: int) -> tuple[np.ndarray, np.ndarray]:
    """The triggered causal reads of synapse row 0 of each quad column of ``synram``
    (CADCSampleQuadOnDLS enums [64]) and the neuron column of each sample [64, 4]."""
    reads, columns = [], []
    for q in halco.iter_all(halco.SynapseQuadColumnOnDLS):
        quad = halco.SynapseQuadOnSynram(q, halco.SynapseRowOnSynram(0))
        reads.append(halco.CADCSampleQuadOnDLS.of(
            quad, halco.CADCChannelType.causal, halco.CADCReadoutType.trigger_read, synram).to_enum())
        columns.append([c.value() for c in q.to_synapse_on_synapse_row()])
    return np.array(reads), np.array(columns)


def read_cadc_membranes(builder: Any, synram: halco.SynramOnDLS | None = None) -> Callable[[], np.ndarray]:
    """Append a triggered read of the membranes on the causal CADC channels
    (:func:`enable_cadc_recording` connects them); returns a function giving the values
    [CADC LSB, 0..255] once the program has run.

    ``synram`` None: all 512 neurons, in ``AtomicNeuronOnDLS`` enum order (row * 256 + column),
    the top hemisphere read first; a ``halco.SynramOnDLS``: that hemisphere's 256 neurons in
    column order. One read covers the four channels of a quad, so a read of one hemisphere takes
    64 reads, of both 128.
    """
    if isinstance(builder, type) or not hasattr(builder, "read_array"):
        raise ArgumentTypeError(f"read_cadc_membranes: builder must be a stadls.PlaybackProgramBuilder, "
                                f"not {builder!r}")
    if synram is not None and (isinstance(synram, type) or not isinstance(synram, halco.SynramOnDLS)):
        raise ArgumentTypeError(f"read_cadc_membranes: synram must be a halco.SynramOnDLS or None "
                                f"(both), not {synram!r}")
    chosen = _synrams("read_cadc_membranes: synram", synram)
    layouts = [_cadc_layout(s.value()) for s in chosen]
    ticket = builder.read_array(haldls.CADCSampleQuad, np.concatenate([r for r, _ in layouts]))
    targets = np.concatenate([s.value() * halco.NeuronColumnOnDLS.size * (synram is None) + c
                              for s, (_, c) in zip(chosen, layouts)])
    n = halco.NeuronColumnOnDLS.size * len(chosen)

    def values() -> np.ndarray:
        out = np.zeros(n)
        out[targets] = ticket.get()["samples"]
        return out
    return values


# -- routing --------------------------------------------------------------------------------------

def synapse_driver_of_row(row: halco.SynapseRowOnDLS) -> tuple[halco.SynapseDriverOnDLS,
                                                                halco.SynapseRowOnSynapseDriver]:
    """The synapse driver that drives synapse ``row`` and which of its two rows it is: synapse
    row ``r`` of a hemisphere belongs to driver ``r // 2`` of that hemisphere, as its top row
    (``row_mode_top``) when ``r`` is odd, its bottom row (``row_mode_bottom``) when even."""
    _check_type("synapse_driver_of_row: row", row, halco.SynapseRowOnDLS)
    return row.to_synapse_driver_on_dls(), row.local.to_synapse_row_on_synapse_driver()


def input_label(row: halco.SynapseRowOnDLS, synapse_label: int, spl1: int = 0) -> int:
    """The 16-bit event label an FPGA spike needs (``SpikePack1ToChip``, ``write_spike_train``) to
    reach the synapses of ``row`` labelled ``synapse_label`` (0..63) through L2 input ``spl1``
    (0..3) once :func:`route_input` has routed the row: SPL1 address (bits 15..14), the row
    driver's row-select address ``driver // 4`` (bits 10..6), the synapse label (bits 5..0)."""
    driver, _ = synapse_driver_of_row(row)
    label = _check_int("input_label: synapse_label", synapse_label, 0, halco.SynapseLabel.size - 1)
    l2 = _check_int("input_label: spl1", spl1, 0, halco.SPL1Address.size - 1)
    return (l2 << 14) | (driver.local.to_synapse_driver_on_padi_bus().value() << 6) | label


def _rows(what: str, rows: Any) -> list[halco.SynapseRowOnDLS]:
    if isinstance(rows, halco.SynapseRowOnDLS):
        return [rows]
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
        raise ArgumentTypeError(f"{what} must be a halco.SynapseRowOnDLS or several, not {rows!r}")
    out = list(rows)
    if not out:
        raise ArgumentValueError(f"{what} is empty: give at least one halco.SynapseRowOnDLS")
    for r in out:
        _check_type(f"{what} entry", r, halco.SynapseRowOnDLS)
    return out


def route_input(builder: Any, rows: halco.SynapseRowOnDLS | Sequence[halco.SynapseRowOnDLS],
                row_mode: RowMode = RowMode.excitatory, spl1: int = 0,
                driver: haldls.SynapseDriverConfig | None = None, loopback: bool = False) -> None:
    """Route FPGA spikes entering at L2 input ``spl1`` (0..3) to the synapse ``rows``, which act
    with ``row_mode`` (``haldls.SynapseDriverConfig.RowMode``: excitatory, inhibitory or both) on
    the neurons of their columns. The spikes need the labels :func:`input_label` gives.

    Writes, for each row's PADI bus (bus ``d % 4`` of its driver ``d``, see
    :func:`synapse_driver_of_row`): the crossbar node from L2 input ``spl1`` to the bus set to
    pass every event; per hemisphere with rows, the CommonPADIBusConfig with ``enable_spl1`` on
    exactly the buses of its rows (the other buses of that hemisphere stop accepting crossbar
    events); per driver, ``driver`` (default haldls's SynapseDriverConfig) with
    ``enable_receiver`` and ``row_mode`` on its listed rows, its other row ``disabled``. Unless
    ``loopback``, the node from L2 input ``spl1`` back to the FPGA drops every event (so the
    input spikes do not show up among the recorded spikes).

    The synapses of the rows (weights and labels) are not written: :func:`write_synapse_row`.
    An event label carries no bus or hemisphere: an event from L2 input ``spl1`` reaches every
    PADI bus that accepts it, and every receiving driver there whose row-select address matches
    (the drivers 4k .. 4k + 3 of a hemisphere, one per bus, all have row-select address k).
    Rows routed from one L2 input whose drivers share a row-select address are told apart by
    their synapse labels only.
    """
    _check_builder("route_input", builder)
    chosen = _rows("route_input: rows", rows)
    if isinstance(row_mode, bool) or not isinstance(row_mode, (RowMode, int)) or \
            int(row_mode) not in {m.value for m in RowMode}:
        raise ArgumentTypeError(f"route_input: row_mode must be a haldls.SynapseDriverConfig.RowMode "
                                f"({', '.join(m.name for m in RowMode)}), not {row_mode!r}")
    row_mode = RowMode(int(row_mode))
    l2 = _check_int("route_input: spl1", spl1, 0, halco.SPL1Address.size - 1)
    if driver is None:
        driver = haldls.SynapseDriverConfig()
    _check_type("route_input: driver", driver, haldls.SynapseDriverConfig)
    if not isinstance(loopback, (bool, np.bool_)):
        raise ArgumentTypeError(f"route_input: loopback must be a bool, not {loopback!r}")

    halves: dict[int, set[int]] = {}          # driver enum -> its rows' halves (0 top, 1 bottom)
    for row in chosen:
        d, half = synapse_driver_of_row(row)
        halves.setdefault(d.to_enum(), set()).add(half.value())
    buses = sorted({halco.SynapseDriverOnDLS.from_enum(d).to_padi_bus_on_dls().to_enum() for d in halves})

    source = halco.CrossbarInputOnDLS(_L2_INPUT_BASE + l2)
    for bus in buses:                          # PADIBusOnDLS enum == crossbar output
        builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(bus), source), haldls.CrossbarNode())
    builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(_L2_OUTPUT_BASE + l2), source),
                  haldls.CrossbarNode() if loopback else haldls.CrossbarNode.drop_all())
    for hemisphere in sorted({b // _BUSES for b in buses}):
        enable = [hemisphere * _BUSES + b in buses for b in range(_BUSES)]
        builder.write(halco.CommonPADIBusConfigOnDLS(hemisphere),
                      haldls.CommonPADIBusConfig(enable_spl1=enable))
    top, bottom = halco.SynapseRowOnSynapseDriver.top.value(), halco.SynapseRowOnSynapseDriver.bottom.value()
    for d, used in sorted(halves.items()):
        config = copy.deepcopy(driver)          # the caller's template stays as it was
        config.enable_receiver = True
        config.row_mode_top = row_mode if top in used else RowMode.disabled
        config.row_mode_bottom = row_mode if bottom in used else RowMode.disabled
        builder.write(halco.SynapseDriverOnDLS.from_enum(d), config)


def write_synapse_row(builder: Any, row: halco.SynapseRowOnDLS, weights: int | Sequence[int] | np.ndarray,
                      labels: int | Sequence[int] | np.ndarray) -> None:
    """Write the 256 synapses of ``row``: ``weights`` (0..63) and ``labels`` (0..63), each one
    value for the whole row or 256 in column order (``SynapseOnSynapseRow``). The row's
    correlation calibration bits are written as 0."""
    _check_builder("write_synapse_row", builder, array=True)
    _check_type("write_synapse_row: row", row, halco.SynapseRowOnDLS)
    n = halco.SynapseOnSynapseRow.size
    w = _int_array("write_synapse_row: weights", weights, n, 0, halco.SynapseLabel.size - 1)
    lab = _int_array("write_synapse_row: labels", labels, n, 0, halco.SynapseLabel.size - 1)
    columns = _quad_columns()                                         # [64, 4]
    quads = np.array([halco.SynapseQuadOnDLS(halco.SynapseQuadOnSynram(
        halco.SynapseQuadColumnOnDLS(q), row.local), row.parent).to_enum() for q in range(len(columns))])
    builder.write_array(haldls.SynapseQuad, quads, haldls.SynapseQuad.encode_array(
        len(quads), weights=w[columns], labels=lab[columns]))


@functools.lru_cache(maxsize=None)
def _quad_columns() -> np.ndarray:
    """The synapse columns [64, 4] of each SynapseQuadColumnOnDLS's four entries."""
    return np.array([[c.value() for c in q.to_synapse_on_synapse_row()]
                     for q in halco.iter_all(halco.SynapseQuadColumnOnDLS)])


# -- CapMem ---------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _neuron_cells() -> np.ndarray:
    """CapMemCellOnDLS enum of (neuron, CapMem row) [512, 24]: the neuron's block and column."""
    out = np.zeros((halco.AtomicNeuronOnDLS.size, halco.CapMemRowOnCapMemBlock.size), dtype=np.int64)
    rows = [halco.CapMemRowOnCapMemBlock(r) for r in range(halco.CapMemRowOnCapMemBlock.size)]
    for neuron in halco.iter_all(halco.AtomicNeuronOnDLS):
        column, block = neuron.to_capmem_column_on_capmem_block(), neuron.to_capmem_block_on_dls()
        out[neuron.to_enum()] = [
            halco.CapMemCellOnDLS(halco.CapMemCellOnCapMemBlock(column, r), block).to_enum() for r in rows]
    return out


def _neurons(what: str, neurons: Any) -> np.ndarray:
    if neurons is None:
        return np.arange(halco.AtomicNeuronOnDLS.size)
    if isinstance(neurons, halco.AtomicNeuronOnDLS):
        return np.array([neurons.to_enum()])
    if isinstance(neurons, (str, bytes)) or not isinstance(neurons, Iterable):
        raise ArgumentTypeError(f"{what} must be halco.AtomicNeuronOnDLS coordinates or None (all "
                                f"512), not {neurons!r}")
    out = list(neurons)
    if not out:
        raise ArgumentValueError(f"{what} is empty: give at least one halco.AtomicNeuronOnDLS")
    for n in out:
        _check_type(f"{what} entry", n, halco.AtomicNeuronOnDLS)
    enums = np.array([n.to_enum() for n in out])
    if len(np.unique(enums)) != len(enums):
        raise ArgumentValueError(f"{what} lists a neuron twice; each neuron's cell is written once")
    return enums


def write_neuron_capmem(builder: Any, values: Mapping[str, int | Sequence[int] | np.ndarray],
                        neurons: Iterable[halco.AtomicNeuronOnDLS] | halco.AtomicNeuronOnDLS | None = None
                        ) -> None:
    """Write CapMem rows of many neurons in one vectorized write.

    ``values`` maps a neuron CapMem row by its name (``halco.CAPMEM_ROW_NAMES``: ``"v_leak"``,
    ``"i_bias_leak"``, ...) to one value for every neuron or one per neuron of ``neurons``, in
    its order; ``neurons`` default: all 512, in ``AtomicNeuronOnDLS`` enum order (row * 256 +
    column). Values are CapMem LSB, 0..1022 (about 0..1.2 V for a voltage, 0..1 uA for a
    current; 1023 = ``haldls.CapMemCell.DisableRefresh`` lets the cell float and is refused here).
    The cells are written row by row, each row in ``neurons`` order.
    """
    _check_builder("write_neuron_capmem", builder, array=True)
    if not isinstance(values, Mapping):
        raise ArgumentTypeError(f"write_neuron_capmem: values must map CapMem row names to values, "
                                f"e.g. {{'v_leak': 400}}, not {values!r}")
    enums = _neurons("write_neuron_capmem: neurons", neurons)
    cells, cell_values = [], []
    for name, value in values.items():
        if name not in halco.CAPMEM_ROW_NAMES:
            raise ArgumentValueError(f"write_neuron_capmem: {name!r} is not a neuron CapMem row; use one "
                                     f"of {sorted(halco.CAPMEM_ROW_NAMES)}")
        cells.append(_neuron_cells()[enums, halco.CAPMEM_ROW_NAMES[name]])
        cell_values.append(_int_array(f"write_neuron_capmem: {name}", value, len(enums), 0,
                                      haldls.CapMemCell.DisableRefresh - 1))
    if not cells:
        return
    cells_all = np.concatenate(cells)
    builder.write_array(haldls.CapMemCell, cells_all,
                        haldls.CapMemCell.encode_array(len(cells_all), value=np.concatenate(cell_values)))
