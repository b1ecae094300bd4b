"""``make demo``: the most complete experiments that exist, on the emulated chip.

1. Leak-over-threshold neurons fire regularly; their rates follow leak potential and refractory time.
2. A bypass neuron relays an input spike train.
3. AdEx firing patterns (tonic, adapting, bursting) under a current step; the MADC traces are saved
   as ``adex_firing_patterns.png``.
4. The dendritic tree of seed 001, Figure 9, built with ``lola.Morphology``: PSPs attenuate along
   the compartments; the amplitudes are saved as ``dendritic_branches.png``.
5. Plasticity on the emulated PPU: a homeostasis kernel drives 256 neurons' rates to a target
   (rates and weights over time saved as ``plasticity_homeostasis.png``), and an additive STDP
   kernel potentiates causally and depresses anti-causally paired synapses.
6. The non-spiking mode: a 128 x 256 matrix-vector product on the analog core, before and after
   matching each neuron's synaptic inputs (saved as ``mac_matrix_vector.png``).
7. Calibration: calix brings the 512 mismatched neurons to common targets; their firing rates
   before and after are saved as ``calibrate_neurons.png``, and the spread of their true leak,
   threshold, membrane time constant and PSP height (the CADC, then the neurons with their
   synaptic inputs) as ``calibration_spread.png``.
8. Networks with grenade: a feed-forward network of excitatory and inhibitory populations and a
   recurrent one, described as populations and projections, routed on the chip and run on
   calibrated neurons; raster plots saved as ``grenade_feedforward.png`` and
   ``grenade_recurrent.png``.
9. PyNN (``examples/pynn/``): the single-neuron tutorial (silent neuron, leak over threshold,
   fixed pattern, PSPs, f-I curve; ``single_neuron.png``) and the homeostasis tutorial (a
   plasticity rule on the PPUs drives 16 neurons to a target rate; ``homeostasis.png``).

Every plot goes to one folder, ``plots/`` under the current directory or ``$BSS2_PLOT_DIR``
(examples/_plotting.py); the demo prints it at the end. Plots show hardware time with biological
time on a second axis (the chip runs 1000x faster than biology) and ADC voltages in mV with the
codes on a second axis (``stadls.units``). They need the ``plot`` extra (matplotlib), which
``make demo`` installs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import _plotting
import adex_firing_patterns
import bypass_relay
import calibrate_neurons
import calibration_spread
import dendritic_branches
import grenade_feedforward
import grenade_recurrent
import leak_over_threshold
import mac_matrix_vector
import plasticity_homeostasis
import plasticity_stdp

sys.path.insert(0, str(Path(__file__).resolve().parent / "pynn"))
import homeostasis  # noqa: E402  (examples/pynn)
import single_neuron  # noqa: E402

if __name__ == "__main__":
    _plotting.require_matplotlib()       # before the first experiment, not after it
    leak_over_threshold.main()
    print()
    bypass_relay.main()
    print()
    adex_firing_patterns.main()
    print()
    dendritic_branches.main()
    print()
    plasticity_homeostasis.main()
    print()
    plasticity_stdp.main()
    print()
    mac_matrix_vector.main()
    print()
    calibrate_neurons.main()
    print()
    calibration_spread.main()
    print()
    grenade_feedforward.main()
    print()
    grenade_recurrent.main()
    print()
    single_neuron.main()
    print()
    homeostasis.main()
    print(f"\nall plots are in {_plotting.plot_dir()} (set {_plotting.PLOT_DIR_ENV} to move them)")
