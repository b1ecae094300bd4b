"""Revision 3 (HICANN-X v3) containers and address map: everything revision-specific lives here."""

REVISION = 3

from .capmem import *  # noqa: E402,F401,F403
from .fpga import *  # noqa: E402,F401,F403
from .neuron import *  # noqa: E402,F401,F403
from .ppu import *  # noqa: E402,F401,F403
from .readout import *  # noqa: E402,F401,F403
from .routing import *  # noqa: E402,F401,F403
from .synapse import *  # noqa: E402,F401,F403
