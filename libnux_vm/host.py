"""Hosts: what runs the chip built-ins (:mod:`libnux_vm.builtins`) a kernel calls.

A :class:`~libnux_vm.machine.Machine` dispatches every built-in call that reaches a host
(:attr:`~libnux_vm.builtins.Builtin.reaches_host`) to the method of the same name on its
``host``, with the arguments converted to Python values: ``int`` for ``int32`` and ``uint32``,
``bool`` for ``bool``, a numpy ``uint8`` array of 256 lanes for ``vec_u8``. A method returns
``None`` (void), an ``int`` or an array-like of 256 values 0..255 (``vec_u8``). The machine has
checked a handle argument (its view must lie in the host's ``hemisphere``,
:mod:`libnux_vm.views`) and removed it, checked a row to be in 0..255 and in the view, and
checked the other arguments as the declaration says (a weight above 63, a label above 0xFFFF),
before the method is called. The methods that write (``set_weights``, ``reset_correlation``,
``reset_neurons``, ``get_rate_counters``) get ``columns=`` (256 booleans) when the view does not
cover every column: only those columns may change.

The machine answers ``has_row`` and ``column_mask`` itself, and ``now`` (its cycle count modulo
2**32) unless the host's class overrides :meth:`Host.now`: the override gets the machine's
answer and returns its own. A host without a method for a built-in that reaches it traps with
kind ``"no_chip"``.

:class:`Host` is the base class: every built-in that reaches a host raises
:class:`~libnux_vm.errors.HostError` (a :class:`~libnux_vm.errors.Trap`) with kind
``"no_chip"`` (``now`` returns the machine's answer); a chip binding overrides them.
:class:`MemoryHost` is a standalone model of the chip's state in numpy, for tests.
"""

from __future__ import annotations

from typing import NoReturn

import numpy as np
import numpy.typing as npt

from .builtins import CAPMEM_ROWS, ROWS, WEIGHT_MAX, checked_capmem_cell, checked_label, checked_weights
from .errors import HostError, HostValueError
from .typesys import LANES


def no_chip(host: object, name: str) -> HostError:
    """The ``"no_chip"`` error of a host that cannot carry out built-in ``name``."""
    return HostError("no_chip", f"the kernel needs a chip for '{name}' but "
                                f"{type(host).__name__} does not provide it")


def column_index(columns: np.ndarray | None) -> slice | np.ndarray:
    """An index for the columns a write may change (a view's): all of them for None."""
    return slice(None) if columns is None else columns


class Host:
    """The built-ins, each raising a ``"no_chip"`` trap. Subclass and override.

    ``hemisphere`` (0 top, 1 bottom) is the hemisphere of the PPU the host serves: the only
    handle value its kernels may use."""

    hemisphere: int = 0

    def _no_chip(self, name: str) -> NoReturn:
        raise no_chip(self, name)

    def get_weights(self, row: int) -> np.ndarray:
        self._no_chip("get_weights")

    def set_weights(self, row: int, values: np.ndarray, columns: np.ndarray | None = None) -> None:
        self._no_chip("set_weights")

    def get_causal_correlation(self, row: int) -> np.ndarray:
        self._no_chip("get_causal_correlation")

    def get_acausal_correlation(self, row: int) -> np.ndarray:
        self._no_chip("get_acausal_correlation")

    def reset_correlation(self, row: int, columns: np.ndarray | None = None) -> None:
        self._no_chip("reset_correlation")

    def get_rate_counters(self, reset: bool, columns: np.ndarray | None = None) -> np.ndarray:
        self._no_chip("get_rate_counters")

    def reset_neurons(self, columns: np.ndarray | None = None) -> None:
        self._no_chip("reset_neurons")

    def send_spike(self, label: int) -> None:
        self._no_chip("send_spike")

    def now(self, answer: int) -> int:
        """The machine's answer (its cycle count modulo 2**32). The machine does not call
        this one; override it to give ``now()`` another time base."""
        return answer

    def log_int(self, value: int) -> None:
        self._no_chip("log_int")

    def get_analog_readouts(self) -> np.ndarray:
        self._no_chip("get_analog_readouts")

    def set_capmem(self, cell: int, values: np.ndarray, columns: np.ndarray | None = None) -> None:
        self._no_chip("set_capmem")


def _check_row(row: int) -> int:
    if not 0 <= row < ROWS:
        raise HostError("out_of_bounds", f"row {row} is outside 0..{ROWS - 1}")
    return row


class MemoryHost(Host):
    """A model of one hemisphere in memory: 256 x 256 weights (uint8, 0..63), causal and
    acausal correlations (uint8), 256 rate counters (int64, read saturated to 255), 256 analog
    readouts (uint8), the neurons' CapMem cells (``capmem[cell, column]``), a time base, and
    records of what the kernel did.

    Weights are 0..63 (the synapses hold 6 bits): ``weights=`` outside that range raises
    HostValueError, and a ``set_weights`` lane above 63 is a ``"out_of_range"`` HostError (the
    machine traps before the host sees such a call). ``now`` returns ``time_offset`` plus the
    machine's cycle count modulo 2**32 (``time_offset`` is 0 unless set) and stores it in
    ``time``. ``log`` is the list of ``log_int`` values, ``spikes`` that of ``send_spike``
    labels; ``neuron_resets`` counts ``reset_neurons`` calls and ``reset_columns`` holds the
    columns the last one reset."""

    def __init__(self, weights: npt.ArrayLike | None = None, hemisphere: int = 0) -> None:
        if hemisphere not in (0, 1):
            raise ValueError(f"hemisphere must be 0 (top) or 1 (bottom), not {hemisphere!r}")
        self.hemisphere = hemisphere
        self.weights = np.zeros((ROWS, LANES), dtype=np.uint8)
        if weights is not None:
            weights = np.asarray(weights)
            if weights.shape != (ROWS, LANES) or weights.dtype.kind not in "iu":
                raise HostValueError(f"weights must be {ROWS} x {LANES} integers, not "
                                     f"{weights.dtype} of shape {weights.shape}")
            if weights.min() < 0 or weights.max() > WEIGHT_MAX:
                raise HostValueError(f"weights must lie in 0..{WEIGHT_MAX} (6 bits); got "
                                     f"{int(weights.min())}..{int(weights.max())}")
            self.weights[:] = weights
        self.causal = np.zeros((ROWS, LANES), dtype=np.uint8)
        self.acausal = np.zeros((ROWS, LANES), dtype=np.uint8)
        self.rate_counters = np.zeros(LANES, dtype=np.int64)
        self.analog_readouts = np.zeros(LANES, dtype=np.uint8)
        self.time = 0
        self.time_offset = 0
        self.log: list[int] = []
        self.spikes: list[int] = []
        self.neuron_resets = 0
        self.reset_columns = np.zeros(LANES, dtype=bool)
        #: the neurons' CapMem cells [cell, column] as ``set_capmem`` wrote them
        self.capmem = np.zeros((CAPMEM_ROWS, LANES), dtype=np.int64)

    def get_weights(self, row: int) -> np.ndarray:
        return self.weights[_check_row(row)].copy()

    def set_weights(self, row: int, values: npt.ArrayLike,
                    columns: np.ndarray | None = None) -> None:
        row, cols = _check_row(row), column_index(columns)
        self.weights[row, cols] = checked_weights(values, columns)[cols]

    def get_causal_correlation(self, row: int) -> np.ndarray:
        return self.causal[_check_row(row)].copy()

    def get_acausal_correlation(self, row: int) -> np.ndarray:
        return self.acausal[_check_row(row)].copy()

    def reset_correlation(self, row: int, columns: np.ndarray | None = None) -> None:
        row, cols = _check_row(row), column_index(columns)
        self.causal[row, cols] = 0
        self.acausal[row, cols] = 0

    def get_rate_counters(self, reset: bool, columns: np.ndarray | None = None) -> np.ndarray:
        counts = np.clip(self.rate_counters, 0, 255).astype(np.uint8)
        if reset:
            self.rate_counters[column_index(columns)] = 0
        return counts

    def reset_neurons(self, columns: np.ndarray | None = None) -> None:
        self.neuron_resets += 1
        self.reset_columns = np.ones(LANES, dtype=bool) if columns is None else columns.copy()

    def get_analog_readouts(self) -> np.ndarray:
        return self.analog_readouts.copy()

    def set_capmem(self, cell: int, values: np.ndarray, columns: np.ndarray | None = None) -> None:
        cols = column_index(columns)
        self.capmem[checked_capmem_cell(cell), cols] = 4 * np.asarray(values, dtype=np.int64)[cols]

    def send_spike(self, label: int) -> None:
        self.spikes.append(checked_label(int(label)))

    def now(self, answer: int) -> int:
        self.time = (self.time_offset + int(answer)) & 0xFFFFFFFF
        return self.time

    def log_int(self, value: int) -> None:
        self.log.append(int(value))
