"""``make demo``: the most complete experiment that exists, on the emulated chip.

Leak-over-threshold neurons fire regularly; their rates rise with the leak potential and fall with
the refractory time. Then a bypass neuron relays an input spike train.
"""

from __future__ import annotations

import bypass_relay
import leak_over_threshold

if __name__ == "__main__":
    leak_over_threshold.main()
    print()
    bypass_relay.main()
