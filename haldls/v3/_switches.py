"""Per-column switch values of the column-switch quads (``ColumnCorrelationQuad``,
``ColumnCurrentQuad``): the real containers hold four ``ColumnCorrelationSwitch`` /
``ColumnCurrentSwitch`` values, ours one bool array of four entries per switch; these give the
one-switch view of an entry (``get_switch``, ``set_switch``)."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np

import halco
from ..errors import FieldTypeError, FieldValueError


def _bool(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise FieldTypeError(f"{type(instance).__qualname__}.{attribute.name} must be a bool "
                             f"(True or False), got {type(value).__name__} {value!r}")


def switch_type(name: str, qualname: str, fields: tuple[str, ...], doc: str, module: str) -> type:
    """A frozen value class ``name`` of the bool ``fields`` (all off by default), known to pickle
    as ``module``'s ``qualname``."""
    cls = attrs.make_class(name, {f: attrs.field(default=False, validator=_bool, converter=None)
                                  for f in fields}, frozen=True, slots=True)
    cls.__qualname__ = qualname
    cls.__module__ = module
    cls.__doc__ = doc
    return cls


def _entry(entry: Any) -> int:
    """The EntryOnQuad enum of ``entry`` (an EntryOnQuad or an int 0..3)."""
    if isinstance(entry, halco.EntryOnQuad):
        return entry.to_enum()
    if isinstance(entry, (bool, np.bool_)) or not isinstance(entry, (int, np.integer)):
        raise FieldTypeError(f"entry must be a halco.EntryOnQuad or an int in [0, 3], got "
                             f"{type(entry).__name__} {entry!r}")
    if not 0 <= entry < halco.EntryOnQuad.size:
        raise FieldValueError(f"entry = {int(entry)} is out of range [0, 3]")
    return int(entry)


class SwitchQuad:
    """``get_switch``/``set_switch`` for a quad whose fields are the switch type's, four each."""

    switch_type: ClassVar[type]

    def get_switch(self, entry: Any) -> Any:
        """The switches of column ``entry`` (EntryOnQuad or 0..3) as one ``switch_type`` value."""
        e = _entry(entry)
        return self.switch_type(**{f.name: getattr(self, f.name)[e]
                                   for f in attrs.fields(self.switch_type)})

    def set_switch(self, entry: Any, value: Any) -> None:
        """Set the switches of column ``entry`` (EntryOnQuad or 0..3) from ``value``."""
        e = _entry(entry)
        if not isinstance(value, self.switch_type):
            raise FieldTypeError(f"{type(self).__qualname__}.set_switch takes a "
                                 f"{self.switch_type.__qualname__}, got {type(value).__name__}")
        for f in attrs.fields(self.switch_type):
            getattr(self, f.name)[e] = getattr(value, f.name)
