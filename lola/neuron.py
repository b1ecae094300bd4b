"""``AtomicNeuron``: the logical configuration of one neuron circuit (lola v3).

An :class:`AtomicNeuron` groups everything that configures one of the 512 neuron circuits into
members (``leak``, ``reset``, ``threshold``, ...), each a small attrs class nested in
``AtomicNeuron`` (``AtomicNeuron.Leak``). On the chip these values live in three places: the
neuron's :class:`haldls.NeuronConfig` (6 words of switches), 24 :class:`haldls.CapMemCell` (the
analog parameters, one column of the neuron's CapMem block) and its
:class:`haldls.NeuronBackendConfig` (4 words of digital backend).

Two pieces of data describe the whole mapping, and every conversion is derived from them:

* the member classes declare their fields with :func:`analog`, :func:`flag`, :func:`uint` and
  :func:`choice` (type, range, default, one line of documentation), from which validation, the
  docstrings' field lists and the Hypothesis strategies follow;
* :data:`FIELD_MAP` maps each ``(member, field)`` to where it is stored: a :class:`Switch` (one or
  more fields of ``NeuronConfig`` or ``NeuronBackendConfig``, with a value transform where the
  types differ) or a :class:`Cell` (a CapMem row by its ``halco.CAPMEM_ROW_NAMES`` name).
  :data:`CAPMEM_VISIT_ORDER` gives the order of the 24 CapMem cells on the wire.

The mapping is one-to-one except ``event_routing.analog_output``, which sets two NeuronConfig bits:
off -> (enable_fire=False, enable_strong_fire=False), normal -> (True, False), strong -> (True, True).
The inverse (``set_from``) reads enable_fire first: without it the output is ``off``, whatever
enable_strong_fire says, so the haldls state (False, True), which no AtomicNeuron produces, reads
back as ``off`` and is written as (False, False). AtomicNeuron -> haldls -> AtomicNeuron is the
identity for every field.

Values are validated on construction and on assignment, at every level: an out-of-range value
raises :class:`~lola.errors.LolaValueError`, a value of the wrong type
:class:`~lola.errors.LolaTypeError`, both naming the field (``leak.v_leak``), the value and the
allowed range. Assigning a member copies it (value semantics, as in the C++ original)::

    neuron = lola.AtomicNeuron()
    neuron.leak.v_leak = 650          # CapMem value, 0..1022
    neuron.leak.i_bias = 420
    neuron.leak.enable_division = True

Writing an AtomicNeuron at an ``AtomicNeuronOnDLS`` writes, in this order (the visit order of the
real lola): its NeuronConfig, its 24 CapMem cells in :data:`CAPMEM_VISIT_ORDER`, its
NeuronBackendConfig. ``encode()`` gives the same 34 words without addresses.
"""

from __future__ import annotations

import copy
import enum
import functools
from typing import Any, Callable, ClassVar, Iterable, Sequence

import attrs
import numpy as np

import halco
import haldls

from .errors import LolaTypeError, LolaValueError

#: Largest analog (CapMem) value an AtomicNeuron field accepts; 1023 would disable the cell's
#: refresh (``haldls.CapMemCell.DisableRefresh``) and is not exposed.
ANALOG_MAX = 1022


# -- field declarations ------------------------------------------------------------------------

@attrs.frozen
class FieldSpec:
    """Type and range of one member field: ``kind`` is "analog" (CapMem value 0..1022), "bool",
    "uint" (0..``maximum``) or "enum" (a member of ``enum_type``)."""

    kind: str
    doc: str
    maximum: int = 1
    enum_type: Any = None

    def describe(self) -> str:
        if self.kind == "analog":
            return f"CapMem value, int in [0, {ANALOG_MAX}]"
        if self.kind == "bool":
            return "bool"
        if self.kind == "uint":
            return f"int in [0, {self.maximum}]"
        return f"{self.enum_type.__qualname__} ({self._members()})"

    def _members(self) -> str:
        return ", ".join(f"{m.name}={int(m)}" for m in self.enum_type)

    def check(self, path: str, value: Any) -> None:
        """Raise an error naming ``path`` unless ``value`` is valid for this field."""
        if self.kind == "bool":
            if type(value) is not bool:
                raise LolaTypeError(f"{path} must be a bool, got {type(value).__name__} {value!r}")
            return
        if self.kind == "enum":
            if isinstance(value, self.enum_type):
                return
            if type(value) is int:
                raise LolaValueError(f"{path} = {value!r} is not one of {self._members()}")
            raise LolaTypeError(
                f"{path} must be a {self.enum_type.__qualname__} ({self._members()}), "
                f"got {type(value).__name__} {value!r}"
            )
        if type(value) is not int:
            raise LolaTypeError(
                f"{path} must be an int in [0, {self.maximum}], got {type(value).__name__} {value!r}"
            )
        if not 0 <= value <= self.maximum:
            raise LolaValueError(f"{path} = {value} is out of range [0, {self.maximum}]")

    def strategy(self):
        """A Hypothesis strategy drawing every valid value."""
        from hypothesis import strategies as st

        if self.kind == "bool":
            return st.booleans()
        if self.kind == "enum":
            return st.sampled_from(list(self.enum_type))
        return st.integers(0, self.maximum)


def _canonical(value: Any) -> Any:
    """numpy scalars become the Python bool/int they stand for; everything else is left to the
    validator."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _enum_converter(enum_type: type[enum.IntEnum]) -> Callable[[Any], Any]:
    """Plain ints naming a member become that member (as the PyNN layer passes them)."""
    values = {int(m) for m in enum_type}

    def convert(value: Any) -> Any:
        value = _canonical(value)
        if type(value) is int and value in values:
            return enum_type(value)
        return value

    return convert


def _validate(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    attribute.metadata["lola"].check(f"{instance._path}.{attribute.name}", value)


def _field(spec: FieldSpec, default: Any) -> Any:
    converter = _enum_converter(spec.enum_type) if spec.kind == "enum" else _canonical
    return attrs.field(default=default, converter=converter, validator=_validate,
                       metadata={"lola": spec})


def analog(doc: str) -> Any:
    """An analog parameter: a CapMem value, int in [0, 1022], default 0."""
    return _field(FieldSpec("analog", doc, ANALOG_MAX), 0)


def flag(doc: str, default: bool = False) -> Any:
    """A switch: bool, default False unless given."""
    return _field(FieldSpec("bool", doc), default)


def uint(maximum: int, doc: str, default: int = 0) -> Any:
    """A digital value: int in [0, maximum]."""
    return _field(FieldSpec("uint", doc, maximum), default)


def choice(enum_type: type[enum.IntEnum], doc: str, default: Any = None) -> Any:
    """One member of ``enum_type`` (default: its first member)."""
    return _field(FieldSpec("enum", doc, enum_type=enum_type),
                  next(iter(enum_type)) if default is None else default)


@attrs.define(slots=True)
class _Member:
    """Base of the AtomicNeuron members. ``_path`` is the member's name in error messages; the
    AtomicNeuron sets it when the member is attached."""

    _PATH: ClassVar[str] = "member"
    _path: str = attrs.field(default=attrs.Factory(lambda self: type(self)._PATH, takes_self=True),
                             init=False, eq=False, repr=False)

    def __copy__(self) -> Any:
        # the fields are immutable values, checked when they were set: copy them as they are
        out = object.__new__(type(self))
        for name in type(self).__slot_names__:
            object.__setattr__(out, name, getattr(self, name))
        return out

    __deepcopy__ = lambda self, memo: self.__copy__()  # noqa: E731

    @classmethod
    def field_specs(cls) -> dict[str, FieldSpec]:
        """Every field of the member with its FieldSpec (lola's own declaration, with its check
        and strategy), in declaration order; :meth:`schema` is the introspection protocol."""
        return {a.name: a.metadata["lola"] for a in attrs.fields(cls) if "lola" in a.metadata}

    @classmethod
    def schema(cls) -> dict[str, haldls.FieldInfo]:
        """Every field with its type and range (analog values: ``int`` in [0, 1022]), in
        declaration order: the introspection protocol of haldls and lola containers."""
        out = {}
        for name, spec in cls.field_specs().items():
            kind = {"analog": int, "uint": int, "bool": bool}.get(spec.kind, spec.enum_type)
            bounds = (0, spec.maximum) if kind is int else (None, None)
            out[name] = haldls.FieldInfo(name, kind, (), *bounds, doc=spec.doc)
        return out

    @classmethod
    def strategy(cls):
        """A Hypothesis strategy drawing every field of the member."""
        from hypothesis import strategies as st

        return st.builds(cls, **{name: spec.strategy() for name, spec in cls.field_specs().items()})


def _member(path: str) -> Callable[[type], type]:
    """Make a member class: attrs (validating on construction and assignment) with its fields and
    their ranges appended to the docstring."""

    def wrap(cls: type) -> type:
        cls._PATH = path
        cls = attrs.define(cls, slots=True)
        cls.__slot_names__ = tuple(a.name for a in attrs.fields(cls))
        lines = [f"    {name}: {spec.describe()}, default {_default_repr(cls, name)}. {spec.doc}"
                 for name, spec in cls.field_specs().items()]
        cls.__doc__ = (cls.__doc__ or "").rstrip() + "\n\n    Fields:\n\n" + "\n".join(lines) + "\n"
        return cls

    return wrap


def _default_repr(cls: type, name: str) -> str:
    default = attrs.fields_dict(cls)[name].default
    return default.name if isinstance(default, enum.Enum) else repr(default)


def _member_field(name: str, member_type: type) -> Any:
    """An AtomicNeuron attribute holding one member: type-checked, copied on assignment."""

    def attach(value: Any) -> Any:
        if not isinstance(value, member_type):
            raise LolaTypeError(
                f"AtomicNeuron.{name} must be an {member_type.__qualname__}, "
                f"got {type(value).__qualname__} {value!r}"
            )
        value = copy.copy(value)
        value._path = name
        return value

    return attrs.field(factory=member_type, converter=attach, metadata={"member": member_type})


# -- the container -----------------------------------------------------------------------------

@attrs.define(slots=True)
class AtomicNeuron(haldls.WordContainer):
    """Logical configuration of one neuron circuit, at a ``halco.AtomicNeuronOnDLS``.

    Analog values are CapMem values (int 0..1022, default 0); see each member for its fields.
    Defaults give a silent neuron (threshold off, synaptic inputs off, capacitance 0); the
    non-zero defaults are ``*_input.enable_small_capacitance=True``,
    ``bayesian.to_post_pulse=True`` and ``refractory_period.reset_holdoff=15``.

    It follows the container protocol of stadls (``encode_write``, ``encode_read``,
    ``decode_read``, ``read_response_count``, differential writes) without being a haldls
    container: a write is its NeuronConfig, its 24 CapMem cells and its NeuronBackendConfig.
    """

    coordinate_type: ClassVar[type] = halco.AtomicNeuronOnDLS
    readable: ClassVar[bool] = True
    writable: ClassVar[bool] = True
    differential_write: ClassVar[bool] = True
    is_block_until: ClassVar[bool] = False

    @_member("synaptic_input")
    class SynapticInput(_Member):
        """Excitatory or inhibitory synaptic input (an OTA integrating onto the membrane)."""

        enable: bool = flag("Connect the synaptic input to the membrane.")
        i_bias_tau: int = analog("Synaptic time constant; a higher bias gives a shorter tau.")
        i_bias_coba: int = analog("Bias of the conductance-based (COBA) modulation.")
        i_shift_reference: int = analog("Shift of the input's reference potential.")
        i_bias_gm: int = analog("OTA strength, i.e. the PSP amplitude.")
        v_rev_coba: int = analog("Reversal potential in COBA mode.")
        enable_small_capacitance: bool = flag("Small synaptic input capacitance.", default=True)
        enable_high_resistance: bool = flag("High-resistance mode of the time-constant resistor.")
        enable_coba_mode: bool = flag("Conductance-based mode.")

    @_member("leak")
    class Leak(_Member):
        """Leak conductance towards ``v_leak``."""

        v_leak: int = analog("Leak potential.")
        i_bias: int = analog("Leak conductance; a higher bias gives a shorter tau_m.")
        enable_degeneration: bool = flag("Degeneration resistor of the leak OTA.")
        enable_division: bool = flag("Leak conductance divided by 8.")
        enable_multiplication: bool = flag("Leak conductance multiplied by 8.")

    @_member("reset")
    class Reset(_Member):
        """Reset conductance, pulling the membrane to ``v_reset`` while refractory."""

        v_reset: int = analog("Reset potential.")
        i_bias: int = analog("Reset conductance.")
        enable_degeneration: bool = flag("Degeneration resistor of the reset OTA.")
        enable_division: bool = flag("Reset conductance divided by 8.")
        enable_multiplication: bool = flag("Reset conductance multiplied by 8 (stronger reset).")

    @_member("threshold")
    class Threshold(_Member):
        """Spike threshold comparator."""

        enable: bool = flag("Enable the threshold comparator (spiking on/off).")
        v_threshold: int = analog("Threshold potential.")

    @_member("multicompartment")
    class Multicompartment(_Member):
        """Switches connecting this circuit to its neighbours (multi-compartment neurons)."""

        connect_soma: bool = flag("Connect the membrane to the somatic line.")
        connect_soma_right: bool = flag("Connect the somatic line to the right neighbour's.")
        connect_right: bool = flag("Connect the membrane directly to the right neighbour's.")
        connect_vertical: bool = flag("Connect the membrane to the circuit in the other row.")
        enable_conductance: bool = flag("Connect to the somatic line through a conductance.")
        enable_conductance_division: bool = flag("Inter-compartment conductance divided by 4.")
        enable_conductance_multiplication: bool = flag("Inter-compartment conductance multiplied by 4.")
        i_bias_nmda: int = analog("Inter-compartment conductance.")

    @_member("constant_current")
    class ConstantCurrent(_Member):
        """Constant offset current onto the membrane."""

        class Type(enum.IntEnum):
            """Direction of the offset current (sink sets NeuronConfig.invert_membrane_offset)."""

            source = 0
            sink = 1

        enable: bool = flag("Enable the offset current.")
        i_offset: int = analog("Offset current; about linear up to 800.")
        type: Type = choice(Type, "Source (onto the membrane) or sink (off it).")

    @_member("membrane_capacitance")
    class MembraneCapacitance(_Member):
        """Size of the membrane capacitor."""

        capacitance: int = uint(63, "Capacitor size; 63 is about 2.2-2.3 pF.")

    @_member("adaptation")
    class Adaptation(_Member):
        """Adaptation current (the AdEx w)."""

        enable: bool = flag("Enable the adaptation term.")
        enable_pulse: bool = flag("Spike-triggered pulses reach the adaptation circuit.")
        invert_a: bool = flag("Flip the sign of a.")
        invert_b: bool = flag("Flip the sign of b.")
        v_ref: int = analog("Potential the adaptation state relaxes to.")
        i_bias_tau: int = analog("tau_w.")
        i_bias_a: int = analog("Sub-threshold adaptation strength a.")
        i_bias_b: int = analog("Spike-triggered adaptation strength b.")
        v_leak: int = analog("Reference of the adaptation OTA.")

    @_member("exponential")
    class Exponential(_Member):
        """Exponential term (the AdEx upswing)."""

        enable: bool = flag("Enable the exponential term.")
        v_exp: int = analog("Exponential threshold V_T.")
        i_bias: int = analog("Exponential slope Delta_T.")

    @_member("event_routing")
    class EventRouting(_Member):
        """Where spikes go: the analog fire signal, the digital spike output and its address.

        Presets (classmethods, each a new value): ``disabled()`` (the default), ``enabled()``
        (analog output normal, digital output on), ``bypass_exc()`` / ``bypass_inh()`` (as
        ``enabled()``, plus excitatory / inhibitory bypass: every synaptic event fires).
        """

        class AnalogOutputMode(enum.IntEnum):
            """off: no fire signal; normal: enable_fire; strong: enable_fire + enable_strong_fire."""

            off = 0
            normal = 1
            strong = 2

        analog_output: AnalogOutputMode = choice(AnalogOutputMode, "Fire signal of the circuit.")
        enable_digital: bool = flag("Send spikes out through the digital backend (spike_out).")
        enable_bypass_excitatory: bool = flag("Every excitatory synaptic event fires the neuron.")
        enable_bypass_inhibitory: bool = flag("Every inhibitory synaptic event fires the neuron.")
        address: int = uint(255, "Lower 8 bits of the spike's output address (address_out).")
        enable_post_overwrite: bool = flag("Backend post-pulse overwrite.")

        @classmethod
        def disabled(cls) -> "AtomicNeuron.EventRouting":
            return cls()

        @classmethod
        def enabled(cls) -> "AtomicNeuron.EventRouting":
            return cls(analog_output=cls.AnalogOutputMode.normal, enable_digital=True)

        @classmethod
        def bypass_exc(cls) -> "AtomicNeuron.EventRouting":
            return cls(analog_output=cls.AnalogOutputMode.normal, enable_digital=True,
                       enable_bypass_excitatory=True)

        @classmethod
        def bypass_inh(cls) -> "AtomicNeuron.EventRouting":
            return cls(analog_output=cls.AnalogOutputMode.normal, enable_digital=True,
                       enable_bypass_inhibitory=True)

    @_member("readout")
    class Readout(_Member):
        """Connection of the circuit to the analog readout (MADC, CADC)."""

        Source = haldls.NeuronConfig.ReadoutSource

        enable_buffered_access: bool = flag("Buffered access to the readout line (enable_readout).")
        enable_amplifier: bool = flag("Enable the readout amplifier.")
        enable_unbuffered_access: bool = flag("Unbuffered access to the membrane.")
        source: Source = choice(Source, "Which potential is read out.")

    @_member("refractory_period")
    class RefractoryPeriod(_Member):
        """Refractory counter of the digital backend."""

        input_clock: int = uint(1, "Counter clock: 0 = slow, 1 = fast (CommonNeuronBackendConfig).")
        reset_holdoff: int = uint(15, "Cycles the reset is held after refractoriness ends.", default=15)
        refractory_time: int = uint(255, "Counter value; t_ref = value / f_clock.")
        enable_pause: bool = flag("Gate synaptic input and exponential term while in reset.")

    @_member("bayesian")
    class Bayesian(_Member):
        """Fire-signal logic between neighbouring circuits (Bayesian extension)."""

        class Operation(enum.IntEnum):
            """Logic of the Bayesian extension: (enable_bayesian_0, enable_bayesian_1) is
            (0, 0) local, (1, 0) AND, (0, 1) XNOR, (1, 1) MULLER_C."""

            local = 0
            AND = 1
            XNOR = 2
            MULLER_C = 3

        to_post_pulse: bool = flag("Fire signal generates the post pulse (bayesian_extension).",
                                   default=True)
        operation: Operation = choice(Operation, "Logic combining the fire signals.")
        connect_fire_vertical: bool = flag("Connect the fire signal to the other row.")
        connect_fire_to_right: bool = flag("Send the fire signal to the right neighbour.")
        connect_fire_from_right: bool = flag("Receive the fire signal from the right neighbour.")
        enable_master: bool = flag("This circuit is a master.")
        enable_slave: bool = flag("This circuit is a slave.")

    excitatory_input: SynapticInput = _member_field("excitatory_input", SynapticInput)
    inhibitory_input: SynapticInput = _member_field("inhibitory_input", SynapticInput)
    leak: Leak = _member_field("leak", Leak)
    reset: Reset = _member_field("reset", Reset)
    threshold: Threshold = _member_field("threshold", Threshold)
    multicompartment: Multicompartment = _member_field("multicompartment", Multicompartment)
    constant_current: ConstantCurrent = _member_field("constant_current", ConstantCurrent)
    membrane_capacitance: MembraneCapacitance = _member_field("membrane_capacitance", MembraneCapacitance)
    adaptation: Adaptation = _member_field("adaptation", Adaptation)
    exponential: Exponential = _member_field("exponential", Exponential)
    event_routing: EventRouting = _member_field("event_routing", EventRouting)
    readout: Readout = _member_field("readout", Readout)
    refractory_period: RefractoryPeriod = _member_field("refractory_period", RefractoryPeriod)
    bayesian: Bayesian = _member_field("bayesian", Bayesian)

    # -- structure ---------------------------------------------------------------------------
    @classmethod
    def member_types(cls) -> dict[str, type]:
        """Member name -> member class, in declaration order."""
        return {a.name: a.metadata["member"] for a in attrs.fields(cls)}

    @classmethod
    def schema(cls) -> dict[str, haldls.FieldInfo]:
        """Every member with its class (whose ``schema()`` gives its fields), in declaration
        order: the introspection protocol of haldls and lola containers."""
        return {name: haldls.FieldInfo(name, t, doc=(t.__doc__ or "").split("\n")[0])
                for name, t in cls.member_types().items()}

    @classmethod
    def strategy(cls):
        """A Hypothesis strategy drawing every field of every member."""
        from hypothesis import strategies as st

        return st.builds(cls, **{name: t.strategy() for name, t in cls.member_types().items()})

    # -- conversions to and from haldls -------------------------------------------------------
    def _switches_to(self, container: type) -> Any:
        values: dict[str, Any] = {}
        for member, field, switch in _SWITCHES[container]:
            values.update(zip(switch.fields, switch.to_haldls(getattr(getattr(self, member), field))))
        return container(**values)

    def as_neuron_config(self) -> haldls.NeuronConfig:
        """The NeuronConfig these settings give (every NeuronConfig field is set)."""
        return self._switches_to(haldls.NeuronConfig)

    def as_neuron_backend_config(self) -> haldls.NeuronBackendConfig:
        """The NeuronBackendConfig these settings give (every field is set)."""
        return self._switches_to(haldls.NeuronBackendConfig)

    def capmem_values(self) -> dict[str, int]:
        """The 24 analog values by CapMem row name (``halco.CAPMEM_ROW_NAMES``), in visit order."""
        return {row: getattr(getattr(self, member), field) for member, field, row in _CELLS}

    def set_from(
        self,
        neuron_config: haldls.NeuronConfig | None = None,
        backend_config: haldls.NeuronBackendConfig | None = None,
        capmem: dict[Any, Any] | None = None,
    ) -> None:
        """Take the fields stored in the given haldls values; fields of sources not given keep
        their values.

        ``capmem`` maps CapMem rows (names of ``halco.CAPMEM_ROW_NAMES`` or
        ``halco.CapMemRowOnCapMemBlock``) to values (int 0..1022 or ``haldls.CapMemCell``); rows
        not in it keep their values. Nothing changes if any value is invalid.
        """
        updates: dict[str, dict[str, Any]] = {}
        for name, value, container in (("neuron_config", neuron_config, haldls.NeuronConfig),
                                        ("backend_config", backend_config, haldls.NeuronBackendConfig)):
            if value is None:
                continue
            if not isinstance(value, container):
                raise LolaTypeError(f"set_from: {name} must be a haldls.{container.__name__}, "
                                    f"got {type(value).__qualname__}")
            for member, field, switch in _SWITCHES[container]:
                bits = [getattr(value, f) for f in switch.fields]
                updates.setdefault(member, {})[field] = switch.from_haldls(*bits)
        if capmem is not None:
            rows: dict[str, Any] = {}
            for key, value in dict(capmem).items():
                name = _row_name(key)
                if name in rows:
                    raise LolaValueError(f"set_from: CapMem row {name} is given twice")
                rows[name] = _cell_value(value)
            for member, field, row in _CELLS:
                if row in rows:
                    updates.setdefault(member, {})[field] = rows[row]
        members = {}
        for member, values in updates.items():
            new = copy.copy(getattr(self, member))
            for field, value in values.items():
                setattr(new, field, value)  # validates, naming member.field
            members[member] = new
        for member, new in members.items():
            setattr(self, member, new)

    # -- words --------------------------------------------------------------------------------
    #: words: NeuronConfig (6), CapMem cells (24), NeuronBackendConfig (4)
    n_words: ClassVar[int] = 6 + 24 + 4

    def encode(self) -> np.ndarray:
        """The 34 words of a write, in visit order (uint32)."""
        cells = np.array([getattr(getattr(self, m), f) for m, f, _ in _CELLS], dtype=np.int64)
        return np.concatenate([
            self.as_neuron_config().encode(),
            haldls.CapMemCell.encode_array(len(cells), value=cells)[:, 0],
            self.as_neuron_backend_config().encode(),
        ]).astype(np.uint32)

    @classmethod
    def encode_many(cls, neurons: Sequence["AtomicNeuron"]) -> np.ndarray:
        """The words [n, 34] of many AtomicNeurons at once (what :meth:`encode` gives for
        each), through the vectorized codec of :class:`~lola.neuron_array.AtomicNeuronArray`."""
        from .neuron_array import encode_atomic_neurons   # it builds on this module

        return encode_atomic_neurons(neurons)

    def __deepcopy__(self, memo: dict) -> "AtomicNeuron":
        # members hold only immutable values: a copy of each member is a deep copy, and much
        # faster than the generic one (a lola.Chip holds 512)
        out = object.__new__(type(self))
        for name in _MEMBER_NAMES:
            object.__setattr__(out, name, copy.copy(getattr(self, name)))
        return out

    @classmethod
    def decode(cls, words: Any) -> "AtomicNeuron":
        """The AtomicNeuron whose :meth:`encode` gives ``words`` (34 words). Raises
        :class:`~lola.errors.LolaValueError` for a CapMem word outside 0..1022."""
        arr = np.asarray(words)
        if arr.shape != (cls.n_words,):
            raise LolaValueError(f"AtomicNeuron decodes from {cls.n_words} words, got shape {arr.shape}")
        n_config = haldls.NeuronConfig.n_words
        n_cells = len(_CELLS)
        cells = haldls.CapMemCell.decode_array(arr[n_config:n_config + n_cells].reshape(-1, 1))["value"]
        neuron = cls()
        neuron.set_from(
            haldls.NeuronConfig.decode(arr[:n_config]),
            haldls.NeuronBackendConfig.decode(arr[n_config + n_cells:]),
            dict(zip(CAPMEM_ROWS, (int(v) for v in cells))),
        )
        return neuron

    # -- container protocol (stadls): the rest comes from WordContainer -------------------------
    @classmethod
    def addresses(cls, coord: Any) -> np.ndarray:
        """The 34 word addresses at ``coord``, in visit order (read-only uint32 array)."""
        cls.check_coordinate(coord)
        return _addresses(coord.to_enum())


#: the AtomicNeuron's members, in declaration order
_MEMBER_NAMES: tuple[str, ...] = tuple(AtomicNeuron.member_types())


# -- the mapping table ---------------------------------------------------------------------------

def _same(value: Any) -> tuple[Any, ...]:
    return (value,)


def _first(*bits: Any) -> Any:
    return bits[0]


@attrs.frozen
class Switch:
    """An AtomicNeuron field stored in ``fields`` of ``container`` (NeuronConfig or
    NeuronBackendConfig). ``to_haldls(value) -> tuple`` (one entry per haldls field) and
    ``from_haldls(*bits) -> value`` convert where the types differ."""

    container: type
    fields: tuple[str, ...]
    to_haldls: Callable[[Any], tuple[Any, ...]] = _same
    from_haldls: Callable[..., Any] = _first


@attrs.frozen
class Cell:
    """An AtomicNeuron field stored in the CapMem cell of ``row`` (a ``halco.CAPMEM_ROW_NAMES``
    name) in the neuron's column."""

    row: str


def _config(*fields: str, **transform: Any) -> Switch:
    return Switch(haldls.NeuronConfig, fields, **transform)


def _backend(*fields: str, **transform: Any) -> Switch:
    return Switch(haldls.NeuronBackendConfig, fields, **transform)


_N = AtomicNeuron
_SOURCE, _SINK = _N.ConstantCurrent.Type.source, _N.ConstantCurrent.Type.sink
_OUTPUT = _N.EventRouting.AnalogOutputMode
_OP = _N.Bayesian.Operation
#: analog_output -> (enable_fire, enable_strong_fire)
_OUTPUT_BITS = {_OUTPUT.off: (False, False), _OUTPUT.normal: (True, False), _OUTPUT.strong: (True, True)}
#: operation -> (enable_bayesian_0, enable_bayesian_1)
_OPERATION_BITS = {_OP.local: (False, False), _OP.AND: (True, False), _OP.XNOR: (False, True),
                   _OP.MULLER_C: (True, True)}
_OPERATION_BY_BITS = {bits: op for op, bits in _OPERATION_BITS.items()}


def _analog_output_from(fire: bool, strong: bool) -> Any:
    """The chosen inverse: without enable_fire the output is off (see the module docstring)."""
    return _OUTPUT.off if not fire else (_OUTPUT.strong if strong else _OUTPUT.normal)


def _synaptic_input(member: str, polarity: str, short: str) -> dict[tuple[str, str], Any]:
    return {
        (member, "enable"): _config(f"enable_synaptic_input_{polarity}"),
        (member, "i_bias_tau"): Cell(f"i_bias_synin_{short}_tau"),
        (member, "i_bias_coba"): Cell(f"i_bias_synin_{short}_coba"),
        (member, "i_shift_reference"): Cell(f"i_bias_synin_{short}_shift"),
        (member, "i_bias_gm"): Cell(f"i_bias_synin_{short}_gm"),
        (member, "v_rev_coba"): Cell(f"e_synin_{short}_rev"),
        (member, "enable_small_capacitance"): _config(f"enable_synaptic_input_{polarity}_small_capacitance"),
        (member, "enable_high_resistance"): _config(f"enable_synaptic_input_{polarity}_high_resistance"),
        (member, "enable_coba_mode"): _config(f"enable_synaptic_input_{polarity}_coba_mode"),
    }


def _conductance(member: str, row: str, potential: str, v_row: str) -> dict[tuple[str, str], Any]:
    """leak and reset: a potential, a bias and three enables named enable_<member>_*."""
    return {
        (member, potential): Cell(v_row),
        (member, "i_bias"): Cell(row),
        (member, "enable_degeneration"): _config(f"enable_{member}_degeneration"),
        (member, "enable_division"): _config(f"enable_{member}_division"),
        (member, "enable_multiplication"): _config(f"enable_{member}_multiplication"),
    }


#: (member, field) -> where the value lives on the chip. Every member field appears once, every
#: NeuronConfig / NeuronBackendConfig field and every CapMem row exactly once (checked at import).
FIELD_MAP: dict[tuple[str, str], Switch | Cell] = {
    **_synaptic_input("excitatory_input", "excitatory", "exc"),
    **_synaptic_input("inhibitory_input", "inhibitory", "inh"),
    **_conductance("leak", "i_bias_leak", "v_leak", "v_leak"),
    **_conductance("reset", "i_bias_reset", "v_reset", "v_reset"),
    ("threshold", "enable"): _config("enable_threshold_comparator"),
    ("threshold", "v_threshold"): Cell("v_threshold"),
    ("multicompartment", "connect_soma"): _config("connect_soma"),
    ("multicompartment", "connect_soma_right"): _config("connect_soma_right"),
    ("multicompartment", "connect_right"): _config("connect_membrane_right"),
    ("multicompartment", "connect_vertical"): _config("connect_bottom"),
    ("multicompartment", "enable_conductance"): _config("enable_multicomp_conductance"),
    ("multicompartment", "enable_conductance_division"): _config("enable_divide_multicomp_conductance_bias"),
    ("multicompartment", "enable_conductance_multiplication"):
        _config("enable_multiply_multicomp_conductance_bias"),
    ("multicompartment", "i_bias_nmda"): Cell("i_bias_nmda"),
    ("constant_current", "enable"): _config("enable_membrane_offset"),
    ("constant_current", "i_offset"): Cell("i_mem_offset"),
    ("constant_current", "type"): _config(
        "invert_membrane_offset", to_haldls=lambda t: (t == _SINK,),
        from_haldls=lambda invert: _SINK if invert else _SOURCE),
    ("membrane_capacitance", "capacitance"): _config("membrane_capacitor_size"),
    ("adaptation", "enable"): _config("enable_adaptation"),
    ("adaptation", "enable_pulse"): _backend("enable_adaptation_pulse"),
    ("adaptation", "invert_a"): _config("invert_adaptation_a"),
    ("adaptation", "invert_b"): _config("invert_adaptation_b"),
    ("adaptation", "v_ref"): Cell("v_adapt_ref"),
    ("adaptation", "i_bias_tau"): Cell("i_bias_adapt_tau"),
    ("adaptation", "i_bias_a"): Cell("i_bias_adapt_a"),
    ("adaptation", "i_bias_b"): Cell("i_bias_adapt_b"),
    ("adaptation", "v_leak"): Cell("v_adapt_leak"),
    ("exponential", "enable"): _config("enable_exponential"),
    ("exponential", "v_exp"): Cell("v_exp"),
    ("exponential", "i_bias"): Cell("i_bias_exp"),
    ("event_routing", "analog_output"): _config(
        "enable_fire", "enable_strong_fire", to_haldls=_OUTPUT_BITS.__getitem__,
        from_haldls=_analog_output_from),
    ("event_routing", "enable_digital"): _backend("enable_spike_out"),
    ("event_routing", "enable_bypass_excitatory"): _config("enable_bypass_excitatory"),
    ("event_routing", "enable_bypass_inhibitory"): _config("enable_bypass_inhibitory"),
    ("event_routing", "address"): _backend("address_out"),
    ("event_routing", "enable_post_overwrite"): _backend("post_overwrite"),
    ("readout", "enable_buffered_access"): _config("enable_readout"),
    ("readout", "enable_amplifier"): _config("enable_readout_amplifier"),
    ("readout", "enable_unbuffered_access"): _config("enable_unbuffered_access"),
    ("readout", "source"): _config("readout_source"),
    ("refractory_period", "input_clock"): _backend("select_input_clock"),
    ("refractory_period", "reset_holdoff"): _backend("reset_holdoff"),
    ("refractory_period", "refractory_time"): _backend("refractory_time"),
    ("refractory_period", "enable_pause"): _config("enable_pause"),
    ("bayesian", "to_post_pulse"): _backend("enable_bayesian_extension"),
    ("bayesian", "operation"): _backend(
        "enable_bayesian_0", "enable_bayesian_1", to_haldls=_OPERATION_BITS.__getitem__,
        from_haldls=lambda b0, b1: _OPERATION_BY_BITS[(b0, b1)]),
    ("bayesian", "connect_fire_vertical"): _backend("connect_fire_bottom"),
    ("bayesian", "connect_fire_to_right"): _backend("connect_fire_to_right"),
    ("bayesian", "connect_fire_from_right"): _backend("connect_fire_from_right"),
    ("bayesian", "enable_master"): _backend("enable_neuron_master"),
    ("bayesian", "enable_slave"): _backend("enable_neuron_slave"),
}

#: The order of the 24 CapMem cells in a write or read (the visit order of the real lola).
CAPMEM_VISIT_ORDER: tuple[tuple[str, str], ...] = (
    *((synin, f) for synin in ("excitatory_input", "inhibitory_input")
      for f in ("i_bias_tau", "i_bias_coba", "i_shift_reference", "i_bias_gm", "v_rev_coba")),
    ("leak", "v_leak"), ("leak", "i_bias"), ("reset", "v_reset"), ("reset", "i_bias"),
    ("threshold", "v_threshold"), ("constant_current", "i_offset"),
    ("adaptation", "v_leak"), ("adaptation", "i_bias_tau"), ("adaptation", "i_bias_a"),
    ("adaptation", "i_bias_b"), ("adaptation", "v_ref"),
    ("exponential", "v_exp"), ("exponential", "i_bias"), ("multicompartment", "i_bias_nmda"),
)

# derived from the table: the switches per container, the cells in visit order
_SWITCHES: dict[type, list[tuple[str, str, Switch]]] = {
    container: [(m, f, t) for (m, f), t in FIELD_MAP.items()
                if isinstance(t, Switch) and t.container is container]
    for container in (haldls.NeuronConfig, haldls.NeuronBackendConfig)
}
_CELLS: list[tuple[str, str, str]] = [(m, f, FIELD_MAP[m, f].row) for m, f in CAPMEM_VISIT_ORDER]
#: CapMem row names in visit order.
CAPMEM_ROWS: tuple[str, ...] = tuple(row for _, _, row in _CELLS)


def _check_table() -> None:
    """The table must cover every member field, every haldls field and every CapMem row once."""
    member_fields = {(m, f) for m, t in AtomicNeuron.member_types().items() for f in t.field_specs()}
    if member_fields != set(FIELD_MAP):
        raise RuntimeError(f"FIELD_MAP does not match the members: {member_fields ^ set(FIELD_MAP)}")
    for container, entries in _SWITCHES.items():
        used = [name for _, _, switch in entries for name in switch.fields]
        if sorted(used) != sorted(container.fields):
            raise RuntimeError(f"FIELD_MAP does not cover haldls.{container.__name__} exactly once")
    cells = [t.row for t in FIELD_MAP.values() if isinstance(t, Cell)]
    if sorted(cells) != sorted(halco.CAPMEM_ROW_NAMES) or sorted(CAPMEM_ROWS) != sorted(cells):
        raise RuntimeError("FIELD_MAP / CAPMEM_VISIT_ORDER do not cover the 24 CapMem rows once")


_check_table()


def _row_name(key: Any) -> str:
    if isinstance(key, halco.CapMemRowOnCapMemBlock):
        return key.name()
    if isinstance(key, str) and key in halco.CAPMEM_ROW_NAMES:
        return key
    raise LolaValueError(f"set_from: {key!r} is not a CapMem row; use one of {list(halco.CAPMEM_ROW_NAMES)}")


def _cell_value(value: Any) -> Any:
    return value.value if isinstance(value, haldls.CapMemCell) else value


def iter_capmem_cells(coord: halco.AtomicNeuronOnDLS) -> Iterable[halco.CapMemCellOnDLS]:
    """The neuron's 24 CapMem cells, in visit order: its CapMem block and column, one per row."""
    AtomicNeuron.check_coordinate(coord)
    cells = coord.to_capmem_cell_on_dls()          # by CapMemRowOnCapMemBlock
    for row in CAPMEM_ROWS:
        yield cells[halco.CAPMEM_ROW_NAMES[row]]


@functools.lru_cache(maxsize=None)
def _addresses(enum_value: int) -> np.ndarray:
    coord = halco.AtomicNeuronOnDLS.from_enum(enum_value)
    cells = [cell.to_enum() for cell in iter_capmem_cells(coord)]
    out = np.concatenate([
        haldls.NeuronConfig.addresses(coord.to_neuron_config_on_dls()),
        haldls.CapMemCell.addresses_array(cells).ravel(),
        haldls.NeuronBackendConfig.addresses(coord.to_neuron_backend_config_on_dls()),
    ]).astype(np.uint32)
    out.flags.writeable = False
    return out
