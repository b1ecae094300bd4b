"""``make demo``: the most complete experiments that exist, on the emulated chip.

1. Leak-over-threshold neurons fire regularly; their rates follow leak potential and refractory time.
2. A bypass neuron relays an input spike train.
3. AdEx firing patterns (tonic, adapting, bursting) under a current step; the MADC traces are saved
   as ``adex_firing_patterns.png``.
4. The dendritic tree of seed 001, Figure 9, built with ``lola.Morphology``: PSPs attenuate along
   the compartments; the amplitudes are saved as ``dendritic_branches.png``.
"""

from __future__ import annotations

import adex_firing_patterns
import bypass_relay
import dendritic_branches
import leak_over_threshold

if __name__ == "__main__":
    leak_over_threshold.main()
    print()
    bypass_relay.main()
    print()
    adex_firing_patterns.main()
    print()
    dendritic_branches.main()
