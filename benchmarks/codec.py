"""Codec throughput: vectorized decode of every synapse quad of both synrams, and encoding a full
set of 512 neuron configurations (NeuronConfig + NeuronBackendConfig + 24 CapMem cells each).

Prints words per second; run with ``make bench`` or ``python benchmarks/codec.py``.
"""

from __future__ import annotations

import time

import numpy as np

import halco
import haldls


def best_of(n: int, fn) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rng = np.random.default_rng(1)
    n_quads = halco.SynapseQuadOnDLS.size
    quad_words = haldls.SynapseQuad.encode_array(
        n_quads, weights=rng.integers(0, 64, (n_quads, 4)), labels=rng.integers(0, 64, (n_quads, 4)))
    t = best_of(5, lambda: haldls.SynapseQuad.decode_array(quad_words))
    print(f"SynapseQuad.decode_array, {n_quads} quads ({quad_words.size} words): "
          f"{t * 1e3:.2f} ms, {quad_words.size / t / 1e6:.1f} M words/s")
    t = best_of(5, lambda: haldls.SynapseQuad.encode_array(
        n_quads, weights=rng.integers(0, 64, (n_quads, 4)), labels=rng.integers(0, 64, (n_quads, 4))))
    print(f"SynapseQuad.encode_array, {n_quads} quads: {t * 1e3:.2f} ms, {quad_words.size / t / 1e6:.1f} M words/s")
    t = best_of(3, lambda: [haldls.SynapseQuad.decode(w) for w in quad_words[:2000]])
    print(f"SynapseQuad.decode (scalar), 2000 quads: {2000 * 2 / t / 1e3:.1f} k words/s")

    n = 512
    neuron_words = {}

    def encode_neurons_vectorized() -> None:
        neuron_words["config"] = haldls.NeuronConfig.encode_array(
            n, enable_fire=True, membrane_capacitor_size=rng.integers(0, 64, n))
        neuron_words["backend"] = haldls.NeuronBackendConfig.encode_array(
            n, address_out=np.arange(n) % 256, refractory_time=20, enable_spike_out=True)
        neuron_words["capmem"] = haldls.CapMemCell.encode_array(n * 24, value=rng.integers(0, 1023, n * 24))
        enums = np.arange(n)
        neuron_words["addresses"] = (haldls.NeuronConfig.addresses_array(enums),
                                     haldls.NeuronBackendConfig.addresses_array(enums))

    t = best_of(5, encode_neurons_vectorized)
    total = n * (6 + 4 + 24)
    print(f"512 neurons vectorized (NeuronConfig + NeuronBackendConfig + 24 CapMemCell, with addresses): "
          f"{t * 1e3:.2f} ms, {total / t / 1e6:.2f} M words/s")

    configs = [haldls.NeuronConfig(enable_fire=True, membrane_capacitor_size=i % 64) for i in range(n)]
    backends = [haldls.NeuronBackendConfig(address_out=i % 256, refractory_time=20) for i in range(n)]
    cells = [haldls.CapMemCell(value=int(v)) for v in rng.integers(0, 1023, n * 24)]

    def encode_neurons_scalar() -> None:
        for c in configs:
            c.encode()
        for b in backends:
            b.encode()
        for c in cells:
            c.encode()

    t = best_of(3, encode_neurons_scalar)
    print(f"512 neurons one container at a time (encode()): {t * 1e3:.1f} ms, {total / t / 1e3:.1f} k words/s")


if __name__ == "__main__":
    main()
