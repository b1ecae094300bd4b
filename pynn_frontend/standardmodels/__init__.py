"""The backend's standard models: cell types (:mod:`.cells`) and synapse types
(:mod:`.synapses`)."""

from . import cells, synapses  # noqa: F401
