"""haldls: bit-level configuration containers of the BrainScaleS-2 chip and the FPGA wire format."""

from . import errors, wire
from ._protocol import WordContainer
from ._container import (
    Container, FieldArray, container_by_name, container_for, containers, register,
)
from .v3 import *  # noqa: F401,F403
from .serialization import converter, from_json, to_json
from .v3 import REVISION
