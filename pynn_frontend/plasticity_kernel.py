"""The kernel of a plasticity rule as the PPUs run it: the observables' declarations
(:class:`ObservablePerSynapse`, :class:`ObservablePerNeuron`, :class:`ObservableArray`), the
layout of their recordings in the PPU's memory (:class:`Layout`), and the code the backend adds
after the user's kernel (the view helpers ``view_row``, the ``record_<name>`` functions and
``recording_<name>`` arrays, the entry point that calls the user's ``PLASTICITY_RULE_KERNEL``
and keeps each call's recordings), compiled with libnux_vm and checked (:func:`check_kernel`).
See :mod:`pynn_frontend.plasticity` for what a kernel sees.
"""

from __future__ import annotations

import enum
import re
import textwrap
from typing import Any, Sequence

import attrs
import numpy as np

import libnux_vm
from .errors import KernelCompileError, PlasticityRuleError

#: the real backend's placeholder name of the entry point, and what the backend renames it to
#: (the same length: line and column numbers of errors stay the user's)
PLACEHOLDER = "PLASTICITY_RULE_KERNEL"
RENAMED = "plasticity_rule_kernel"
#: the signature the kernel must have
SIGNATURE = f"void {PLACEHOLDER}(int32 synapses, int32 neurons, int32 period)"
#: an empty kernel (the default of ``PlasticityRule.generate_kernel``)
EMPTY_KERNEL = SIGNATURE + " {}\n"
#: names of observables: identifiers of the kernel language
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_PLACEHOLDER_RE = re.compile(r"\b" + PLACEHOLDER + r"\b")
_RENAMED_RE = re.compile(r"\b" + RENAMED + r"\b")


# -- observables ------------------------------------------------------------------------------------

class ObservableType(enum.Enum):
    """The element type of an observable."""

    int8 = "int8"
    uint8 = "uint8"
    int16 = "int16"
    uint16 = "uint16"

    @property
    def signed(self) -> bool:
        return self.value.startswith("int")

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(self.value)


def _enum_value(cls: type, value: Any, what: str) -> Any:
    if isinstance(value, cls):
        return value
    if isinstance(value, str) and value in cls.__members__:
        return cls[value]
    raise ValueError(f"{what} is one of {[m.name for m in cls]}, not {value!r}")


@attrs.define
class ObservablePerSynapse:
    """A value per synapse and call: ``type`` (``Type.int8``, ``uint8``, ``int16``,
    ``uint16``), ``layout_per_row`` (``LayoutPerRow.complete_rows``: all 256 columns of each
    row kept in the PPU's memory; ``packed_active_columns``: only the view's columns)."""

    class LayoutPerRow(enum.Enum):
        complete_rows = "complete_rows"
        packed_active_columns = "packed_active_columns"

    Type = ObservableType

    type: Any = ObservableType.int8
    layout_per_row: Any = LayoutPerRow.complete_rows

    def checked(self, name: str) -> tuple[ObservableType, bool]:
        """(type, packed)."""
        kind = _enum_value(ObservableType, self.type, f"observable {name!r}: type")
        layout = _enum_value(self.LayoutPerRow, self.layout_per_row, f"observable {name!r}: layout_per_row")
        return kind, layout is self.LayoutPerRow.packed_active_columns


@attrs.define
class ObservablePerNeuron:
    """A value per neuron and call: ``type`` as :class:`ObservablePerSynapse`, ``layout``
    (``Layout.complete_row``: 256 columns kept; ``packed_active_columns``: the view's)."""

    class Layout(enum.Enum):
        complete_row = "complete_row"
        packed_active_columns = "packed_active_columns"

    Type = ObservableType

    type: Any = ObservableType.int8
    layout: Any = Layout.complete_row

    def checked(self, name: str) -> tuple[ObservableType, bool]:
        kind = _enum_value(ObservableType, self.type, f"observable {name!r}: type")
        layout = _enum_value(self.Layout, self.layout, f"observable {name!r}: layout")
        return kind, layout is self.Layout.packed_active_columns


@attrs.define
class ObservableArray:
    """``size`` values of ``type`` per call, written by the kernel into ``recording_<name>``."""

    Type = ObservableType

    type: Any = ObservableType.int8
    size: int = 0

    def checked(self, name: str) -> tuple[ObservableType, int]:
        kind = _enum_value(ObservableType, self.type, f"observable {name!r}: type")
        if isinstance(self.size, bool) or not isinstance(self.size, (int, np.integer)) or self.size < 1:
            raise ValueError(f"observable {name!r}: size is a whole number >= 1, not {self.size!r}")
        return kind, int(self.size)


# -- the generated part -------------------------------------------------------------

@attrs.frozen
class Layout:
    """Where a rule's recordings lie in the PPU's memory, for one snippet: ``calls`` slots (one
    per period of the snippet, the first being period ``first_period``); per synapse handle
    position the rows and columns allocated for its view (the largest over both hemispheres),
    per neuron handle position its columns; ``packed_synapses`` / ``packed_neurons``: whether
    per-synapse / per-neuron recordings keep only the view's columns (else all 256)."""

    calls: int
    first_period: int
    synapse_rows: tuple[int, ...] = ()
    synapse_columns: tuple[int, ...] = ()
    neuron_columns: tuple[int, ...] = ()
    packed_synapses: bool = True
    packed_neurons: bool = True

    @property
    def synapse_slots(self) -> tuple[tuple[int, int], ...]:
        """(offset, size) of each synapse handle's values in one call's slot."""
        sizes = [r * (c if self.packed_synapses else 256) for r, c in zip(self.synapse_rows, self.synapse_columns)]
        return tuple(zip(np.cumsum([0, *sizes])[:-1].tolist(), sizes))

    @property
    def neuron_slots(self) -> tuple[tuple[int, int], ...]:
        sizes = [c if self.packed_neurons else 256 for c in self.neuron_columns]
        return tuple(zip(np.cumsum([0, *sizes])[:-1].tolist(), sizes))

    @property
    def synapse_slot(self) -> int:
        return sum(size for _, size in self.synapse_slots)

    @property
    def neuron_slot(self) -> int:
        return sum(size for _, size in self.neuron_slots)


_VECTOR = {True: "vec_s8", False: "vec_u8"}


def _array(kind: str, name: str, values: Sequence[int]) -> str:
    return f"{kind} {name}[{len(values)}] = {{{', '.join(str(int(v)) for v in values)}}};"


def _view_code(kind: str, handle: str, rows: Sequence[int] | None, columns: Sequence[int]) -> list[str]:
    """The lazily filled tables of one kind of view (its columns; for synapse views also its
    rows) and the function that finds a handle's position ``k``, filling them on first use:
    walking 256 rows and lanes costs ~12000 PPU cycles (48 us) once per handle and snippet."""
    k = len(columns)
    lines = [f"int32 pynn_{kind}s = 0;", _array("int16", f"pynn_{kind}_ncols", [-1] * k),
             _array("int16", f"pynn_{kind}_colbase", np.cumsum([0, *columns])[:-1]),
             f"uint8 pynn_{kind}_cols[{max(1, sum(columns))}];"]
    fill_rows = ""
    if rows is not None:
        lines += [_array("int16", f"pynn_{kind}_nrows", [0] * k), _array("int16", f"pynn_{kind}_maxrows", rows),
                  _array("int16", f"pynn_{kind}_rowbase", np.cumsum([0, *rows])[:-1]),
                  f"uint8 pynn_{kind}_rows[{max(1, sum(rows))}];"]
        fill_rows = f"""
        int32 n = 0;
        for (int32 r = 0; r < 256; r++) {{
            if (has_row({handle}, r)) {{
                if (n >= (int32) pynn_{kind}_maxrows[k]) {{ pynn_trap[n + 1000] = 0; }}  // more rows than allocated
                pynn_{kind}_rows[(int32) pynn_{kind}_rowbase[k] + n] = (uint8) r;
                n++;
            }}
        }}
        pynn_{kind}_nrows[k] = (int16) n;"""
        fill_rows = textwrap.indent(fill_rows, "        ")     # the body of the if below
    lines += textwrap.dedent(f"""\
        int32 pynn_{kind}_view(int32 {handle}) {{
            int32 k = {handle} - pynn_{kind}s;
            if (k < 0 || k >= {k}) {{ pynn_trap[k + 1000] = 0; }}  // not one of the rule's {kind} handles
            if (pynn_{kind}_ncols[k] < 0) {{{fill_rows}
                vec_u8 mask = column_mask({handle});
                int32 m = 0;
                for (int32 c = 0; c < 256; c++) {{
                    if (mask[c] != 0) {{ pynn_{kind}_cols[(int32) pynn_{kind}_colbase[k] + m] = (uint8) c; m++; }}
                }}
                pynn_{kind}_ncols[k] = (int16) m;
            }}
            return k;
        }}""").split("\n")
    return lines


def _generated(observables: dict[str, Any], layout: Layout) -> str:
    """The code the backend adds after the user's kernel: the recordings, the view helpers and
    the entry point."""
    n = max(1, layout.calls)
    lines = ["", "// ---- generated by pynn_frontend: view helpers, observables and the entry point ----",
             "uint32 recording_time = 0;", f"uint32 pynn_time[{n}];", f"uint8 pynn_ran[{n}];",
             "int32 pynn_call = 0;", "uint8 pynn_trap[1];"]
    if layout.synapse_rows:
        lines += _view_code("synapse", "synapses", layout.synapse_rows, layout.synapse_columns)
        lines += textwrap.dedent("""\
            // the i-th row (0..255) of the synapse view, -1 past the last one
            int32 view_row(int32 synapses, int32 i) {
                int32 k = pynn_synapse_view(synapses);
                if (i < 0 || i >= (int32) pynn_synapse_nrows[k]) { return -1; }
                return (int32) pynn_synapse_rows[(int32) pynn_synapse_rowbase[k] + i];
            }""").split("\n")
    if layout.neuron_columns:
        lines += _view_code("neuron", "neurons", None, layout.neuron_columns)
    for name, observable in observables.items():
        if isinstance(observable, ObservableArray):
            kind, size = observable.checked(name)
            lines += [f"{kind.value} recording_{name}[{size}];", f"{kind.value} pynn_obs_{name}[{n * size}];"]
            continue
        kind, _ = observable.checked(name)
        vector = _VECTOR[kind.signed]
        if isinstance(observable, ObservablePerSynapse):
            packed = layout.packed_synapses
            slot = layout.synapse_slot
            if not slot:
                continue
            width = "ncols" if packed else "256"
            lane = "i" if packed else "c"
            lines += [f"{kind.value} pynn_obs_{name}[{n * slot}];"]
            lines += textwrap.dedent(f"""\
                // the values of the view's columns of row `row` (one of the view `synapses`)
                void record_{name}(int32 synapses, int32 row, {vector} values) {{
                    int32 k = pynn_synapse_view(synapses);
                    int32 rows = (int32) pynn_synapse_nrows[k];
                    int32 base = (int32) pynn_synapse_rowbase[k];
                    int32 j = 0;
                    while (j < rows && (int32) pynn_synapse_rows[base + j] != row) {{ j++; }}
                    // record_{name}: the row is not one of the view's rows
                    if (j == rows) {{ pynn_trap[row + 1000] = 0; }}
                    int32 ncols = (int32) pynn_synapse_ncols[k];
                    int32 at = pynn_call * {slot} + pynn_synapse_offset[k] + j * {width};
                    for (int32 i = 0; i < ncols; i++) {{
                        int32 c = (int32) pynn_synapse_cols[(int32) pynn_synapse_colbase[k] + i];
                        pynn_obs_{name}[at + {lane}] = ({kind.value}) values[c];
                    }}
                }}""").split("\n")
        else:
            slot = layout.neuron_slot
            if not slot:
                continue
            lane = "i" if layout.packed_neurons else "c"
            lines += [f"{kind.value} pynn_obs_{name}[{n * slot}];"]
            lines += textwrap.dedent(f"""\
                // the values of the view's neuron columns
                void record_{name}(int32 neurons, {vector} values) {{
                    int32 k = pynn_neuron_view(neurons);
                    int32 ncols = (int32) pynn_neuron_ncols[k];
                    int32 at = pynn_call * {slot} + pynn_neuron_offset[k];
                    for (int32 i = 0; i < ncols; i++) {{
                        int32 c = (int32) pynn_neuron_cols[(int32) pynn_neuron_colbase[k] + i];
                        pynn_obs_{name}[at + {lane}] = ({kind.value}) values[c];
                    }}
                }}""").split("\n")
    if layout.synapse_rows:
        lines.append(_array("int32", "pynn_synapse_offset", [o for o, _ in layout.synapse_slots]))
    if layout.neuron_columns:
        lines.append(_array("int32", "pynn_neuron_offset", [o for o, _ in layout.neuron_slots]))
    arrays = [(name, o.checked(name)[1]) for name, o in observables.items() if isinstance(o, ObservableArray)]
    zero = [f"    for (int32 i = 0; i < {size}; i++) {{ recording_{name}[i] = 0; }}" for name, size in arrays]
    keep = [f"        for (int32 i = 0; i < {size}; i++) {{ pynn_obs_{name}[pynn_call * {size} + i] = "
            f"recording_{name}[i]; }}" for name, size in arrays]
    lines += [f"void {PLACEHOLDER}(int32 synapses, int32 neurons, int32 period) {{",
              *(["    pynn_synapses = synapses;"] if layout.synapse_rows else []),
              *(["    pynn_neurons = neurons;"] if layout.neuron_columns else []),
              "    pynn_call = period;", *zero, "    recording_time = now();",
              f"    {RENAMED}(synapses, neurons, period + {layout.first_period});",
              f"    if (period < {n}) {{", "        pynn_time[period] = recording_time;", *keep,
              "        pynn_ran[period] = 1;", "    }", "}", ""]
    return "\n".join(lines)


def kernel_source(kernel: str, observables: dict[str, Any], layout: Layout) -> str:
    """The program a rule's PPUs run: the user's kernel, its entry point renamed, then the
    generated code."""
    return _PLACEHOLDER_RE.sub(RENAMED, kernel) + "\n" + _generated(observables, layout)


def check_kernel(kernel: Any, observables: dict[str, Any], layout: Layout | None = None) -> libnux_vm.Program:
    """Compile the kernel with its generated part; :class:`KernelCompileError` (naming the
    kernel's line, with the source line and a caret) if it does not compile, does not define
    ``PLASTICITY_RULE_KERNEL`` with :data:`SIGNATURE`, or clashes with the generated names;
    :class:`PlasticityRuleError` if the program does not fit the PPU's memory."""
    if not isinstance(kernel, str):
        raise TypeError(f"a kernel is libnux_vm source text (str), not {type(kernel).__name__}")
    if layout is None:          # before mapping: one call, one view of each kind of one row and column
        layout = Layout(1, 0, (1,), (1,), (1,))
    if not _PLACEHOLDER_RE.search(kernel):
        raise KernelCompileError(f"the kernel defines no {PLACEHOLDER}; it needs {SIGNATURE}")
    if _RENAMED_RE.search(kernel):
        raise KernelCompileError(f"the kernel uses the name {RENAMED!r}, which the backend gives its "
                                 f"{PLACEHOLDER}; rename it")
    source = kernel_source(kernel, observables, layout)
    user_lines = kernel.count("\n") + 1
    try:
        program = libnux_vm.compile(source)
    except libnux_vm.CompileError as err:
        if err.line is None or (err.line > user_lines and "PPU memory holds" in err.reason):
            raise PlasticityRuleError(f"the plasticity rule's program does not fit the PPU: {err.reason} "
                                      f"(its observables take {_observable_bytes(observables, layout)} bytes for "
                                      f"{layout.calls} calls: record fewer periods or fewer synapses)") from err
        if err.line <= user_lines:
            reason = err.reason.replace(RENAMED, PLACEHOLDER)
            raise KernelCompileError(reason, kernel, err.line, err.column) from err
        raise KernelCompileError(f"the kernel clashes with the code the backend generates for its observables "
                                 f"(names recording_*, record_*, pynn_*) or its {PLACEHOLDER} is not "
                                 f"{SIGNATURE}: {err.reason}") from err
    symbol = program.symbols.get(RENAMED)
    if symbol is None or symbol.kind != "function":
        raise KernelCompileError(f"the kernel defines no {PLACEHOLDER} function; it needs {SIGNATURE}")
    if str(symbol.type.ret) != "void" or [str(p) for p in symbol.type.params] != ["int32"] * 3:
        raise KernelCompileError(f"{PLACEHOLDER} is {symbol.type}; it must be {SIGNATURE}")
    return program


def _observable_bytes(observables: dict[str, Any], layout: Layout) -> int:
    total = 0
    for name, o in observables.items():
        kind, extra = o.checked(name)
        per_call = extra if isinstance(o, ObservableArray) else (
            layout.synapse_slot if isinstance(o, ObservablePerSynapse) else layout.neuron_slot)
        total += kind.dtype.itemsize * per_call * max(1, layout.calls)
    return total


__all__ = ["EMPTY_KERNEL", "IDENTIFIER", "Layout", "ObservableArray", "ObservablePerNeuron", "ObservablePerSynapse",
           "ObservableType", "PLACEHOLDER", "RENAMED", "SIGNATURE", "check_kernel", "kernel_source"]
