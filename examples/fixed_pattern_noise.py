"""Fixed-pattern noise: 512 neurons configured identically are not identical.

Every neuron gets the same leak potential and leak bias (no threshold); after the membranes have
settled, the CADC reads all 512 membranes at once. The leak potentials spread by tens of CADC LSB,
and the pattern belongs to the chip: the same chip id gives the same pattern, another chip id a
different one. Sweeping the leak potential shows that each CADC channel reads monotonically.
The leak-over-threshold rates of identically configured neurons spread as well (time constants,
thresholds and resets all deviate).
"""

from __future__ import annotations

import numpy as np

import halco
import haldls
import stadls
from stadls import enable_cadc_recording, read_cadc_membranes, write_neuron_capmem
from _neuron_setup import init_builder


def _configure_all(builder, v_leak: int, i_bias_leak: int = 300) -> None:
    write_neuron_capmem(builder, {"v_leak": v_leak, "i_bias_leak": i_bias_leak})
    builder.write_array(haldls.NeuronConfig, np.arange(512),
                        haldls.NeuronConfig.encode_array(512, membrane_capacitor_size=63))


def cadc_leak_potentials(v_leaks: list[int], chip_id: int = 0, **connection) -> np.ndarray:
    """CADC reads [len(v_leaks), 512] of all membranes, one program per leak potential."""
    out = []
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        for v_leak in v_leaks:
            builder = init_builder()
            enable_cadc_recording(builder)
            _configure_all(builder, v_leak)
            builder.write(halco.TimerOnDLS(), haldls.Timer())
            builder.wait_until(125 * 200)
            membranes = read_cadc_membranes(builder)        # all 512, row * 256 + column
            stadls.run(conn, builder.done())
            out.append(membranes())
    return np.array(out)


def main() -> None:
    for chip in (0, 1):
        reads = cadc_leak_potentials([500], chip_id=chip)[0]
        print(f"chip {chip}: 512 identical neurons, leak potential read by the CADC: mean {reads.mean():.1f}, "
              f"std {reads.std():.1f}, range {reads.min()}..{reads.max()} LSB")
    sweep = cadc_leak_potentials([200, 400, 600, 800])
    monotonic = np.mean(np.all(np.diff(sweep, axis=0) > 0, axis=0))
    print(f"leak potential sweep 200..800: mean CADC {np.round(sweep.mean(axis=1), 1).tolist()}, "
          f"{monotonic * 100:.0f}% of channels strictly monotonic")


if __name__ == "__main__":
    main()
