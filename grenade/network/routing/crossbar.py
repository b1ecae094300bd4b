"""Stage 2, the crossbar (reference section 2.5 steps 2 and 8). Every one of the 76 nodes is set:

- neuron event output -> PADI bus: pass-all where an on-chip chunk has drivers on that bus,
  drop-all otherwise;
- neuron event output -> L2 output: pass-all (the host keeps the recorded spikes);
- L2 input ``j`` -> PADI bus ``j`` of the top / bottom block: mask bit 13, target 0 / bit 13;
  L2 input -> any other PADI bus: drop-all;
- L2 input ``j`` -> L2 output ``j``: mask = target = bit 12 (recorded external spikes loop back);
- background source -> its PADI bus: pass-all where its population has drivers on the bus,
  drop-all otherwise (also for unused sources);
- background source -> L2 output: mask = target = bit 11 (recorded background spikes).
"""

from __future__ import annotations

import haldls
from . import layout

CrossbarNode = haldls.CrossbarNode


def crossbar_nodes(internal_routes: set[tuple[int, int]],
                   background_routes: set[tuple[int, int]]) -> dict[int, CrossbarNode]:
    """All node configurations; ``internal_routes`` holds (event output, PADIBusOnDLS) pairs
    that carry on-chip chunks, ``background_routes`` (BackgroundSpikeSourceOnDLS, PADIBusOnDLS)."""
    nodes: dict[int, CrossbarNode] = {}
    pass_all, drop_all = CrossbarNode, CrossbarNode.drop_all   # fresh (mutable) containers
    for output in range(layout.N_EVENT_OUTPUTS):
        inp = int(layout.EVENT_OUTPUT_INPUT[output])
        for bus in range(layout.N_BUSES):
            node = int(layout.NODE_OF[inp, layout.BUS_OUTPUT[bus]])
            if node >= 0:
                nodes[node] = (pass_all if (output, bus) in internal_routes else drop_all)()
        for l2 in layout.L2_OUTPUT.tolist():
            if layout.NODE_OF[inp, l2] >= 0:
                nodes[int(layout.NODE_OF[inp, l2])] = pass_all()
    for spl1 in range(layout.N_SPL1):
        inp = int(layout.SPL1_INPUT[spl1])
        for bus in range(layout.N_BUSES):
            node = int(layout.NODE_OF[inp, layout.BUS_OUTPUT[bus]])
            if node < 0:
                continue
            if layout.BUS_ON_BLOCK[bus] == spl1:
                hemisphere = int(layout.BUS_HEMISPHERE[bus])
                nodes[node] = CrossbarNode(mask=layout.BIT_BLOCK,
                                           target=layout.BIT_BLOCK if hemisphere else 0)
            else:
                nodes[node] = drop_all()
        for l2 in layout.L2_OUTPUT.tolist():
            if layout.NODE_OF[inp, l2] >= 0:
                nodes[int(layout.NODE_OF[inp, l2])] = CrossbarNode(
                    mask=layout.BIT_EXTERNAL_RECORD, target=layout.BIT_EXTERNAL_RECORD)
    for source in range(len(layout.BACKGROUND_INPUT)):
        inp = int(layout.BACKGROUND_INPUT[source])
        for bus in range(layout.N_BUSES):
            node = int(layout.NODE_OF[inp, layout.BUS_OUTPUT[bus]])
            if node >= 0:
                nodes[node] = (pass_all if (source, bus) in background_routes else drop_all)()
        for l2 in layout.L2_OUTPUT.tolist():
            if layout.NODE_OF[inp, l2] >= 0:
                nodes[int(layout.NODE_OF[inp, l2])] = CrossbarNode(
                    mask=layout.BIT_BACKGROUND_RECORD, target=layout.BIT_BACKGROUND_RECORD)
    assert len(nodes) == len(layout.NODE_OF[layout.NODE_OF >= 0])
    return dict(sorted(nodes.items()))


__all__ = ["crossbar_nodes"]
