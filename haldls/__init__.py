"""haldls: bit-level configuration containers of the BrainScaleS-2 chip and the FPGA wire format.

Every container type registers itself (``containers()``, ``container_for(coord)``,
``container_by_name(name)``) and describes itself with ``schema()``: its fields, each a
:class:`FieldInfo` with type, shape and range (see :mod:`haldls._protocol`, shared with lola).
"""

from . import errors, wire
from ._protocol import FieldInfo, Registry, WordContainer
from ._container import (
    Container, FieldArray, container_by_name, container_for, containers, register,
)
from .v3 import *  # noqa: F401,F403
from .serialization import converter, from_json, to_json
from .v3 import REVISION
