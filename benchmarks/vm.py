"""libnux_vm interpreter throughput: emulated PPU cycles per second of wall time.

A scalar loop (integer arithmetic and branches) and a vector kernel over 256 synapse rows
(saturating fractional arithmetic and selects, as a plasticity rule would do). The PPU runs at
250 MHz, so a figure above 250 M cycles/s means the emulated PPU is faster than the real one.
Run: ``python benchmarks/vm.py`` (or ``make bench``).
"""

from __future__ import annotations

import time

import libnux_vm

SOURCE = """
int32 scalar_loop(int32 n) {
    int32 acc = 0;
    for (int32 i = 0; i < n; i += 1) {
        acc = acc + (i * 7) % 13;
        if (acc > 100000) { acc = acc - 100000; }
    }
    return acc;
}

vec_s8 weights[4];

int32 vector_kernel(int32 rows) {
    vec_s8 zero = 0;
    vec_s8 step = 3;
    for (int32 r = 0; r < rows; r += 1) {
        vec_s8 w = weights[r % 4];
        w = w + step * step;
        w = select(w < zero, zero, w);
        weights[r % 4] = w;
    }
    return rows;
}
"""


def measure(machine: libnux_vm.Machine, name: str, arg: int) -> tuple[float, int]:
    machine.call(name, 10)  # warm-up: numba compilation / cache load
    before = machine.cycles
    t0 = time.perf_counter()
    machine.call(name, arg)
    return time.perf_counter() - t0, machine.cycles - before


def main() -> None:
    program = libnux_vm.compile(SOURCE)
    machine = libnux_vm.Machine(program, cycle_budget=10**10)
    wall, cycles = measure(machine, "scalar_loop", 1_000_000)
    print(f"scalar loop, 1e6 iterations: {cycles / 1e6:.1f} M PPU cycles in {wall * 1e3:.1f} ms "
          f"= {cycles / wall / 1e6:.0f} M cycles/s ({cycles / 250e3:.1f} ms of PPU time)")
    wall, cycles = measure(machine, "vector_kernel", 256)
    print(f"vector kernel, 256 rows: {cycles / 1e3:.1f} k PPU cycles in {wall * 1e3:.2f} ms "
          f"= {cycles / wall / 1e6:.0f} M cycles/s ({cycles / 250:.1f} us of PPU time)")


if __name__ == "__main__":
    main()
