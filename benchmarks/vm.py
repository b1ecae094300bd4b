"""libnux_vm throughput, and what a plasticity kernel on the emulated PPU costs an experiment.

1. Interpreter: bytecode instructions and emulated PPU cycles per second of wall time, for a
   scalar loop (integer arithmetic and branches) and a vector kernel over 256 synapse rows
   (saturating fractional arithmetic and selects, as a plasticity rule would do). The PPU runs at
   250 MHz, so a figure above 250 M cycles/s means the emulated PPU is faster than the real one.
2. Overhead: 1 ms of hardware time of 256 neurons driven by 16 Poisson inputs (the network of
   ``examples/plasticity_homeostasis.py``), without a PPU program and with the homeostasis kernel
   called every 100 us and every 20 us (CPU time, the least of 5 runs); each of its calls reads
   the rate counters and reads and writes 16 weight rows; the analog evolution is split at the
   17 of these 33 built-ins that touch the analog state (the counter read and the weight
   writes). The overhead includes the network's own change: homeostasis changes how many
   spikes there are to route.

Run: ``python benchmarks/vm.py`` (or ``make bench``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import libnux_vm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

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


def measure(machine: libnux_vm.Machine, name: str, arg: int, repeat: int) -> tuple[float, int, int]:
    """Wall time, PPU cycles and instructions of one call (the mean of ``repeat``)."""
    machine.call(name, 10)  # warm-up: numba compilation / cache load
    cycles, instructions = machine.cycles, machine.instructions
    t0 = time.perf_counter()
    for _ in range(repeat):
        machine.call(name, arg)
    return ((time.perf_counter() - t0) / repeat, (machine.cycles - cycles) // repeat,
            (machine.instructions - instructions) // repeat)


def interpreter() -> None:
    program = libnux_vm.compile(SOURCE)
    machine = libnux_vm.Machine(program, cycle_budget=10**10)
    for name, arg, repeat, what in (("scalar_loop", 1_000_000, 1, "scalar loop, 1e6 iterations"),
                                    ("vector_kernel", 256, 50, "vector kernel, 256 rows")):
        wall, cycles, n = measure(machine, name, arg, repeat)
        print(f"{what}: {n / 1e3:.1f} k instructions, {cycles / 1e3:.1f} k PPU cycles "
              f"({cycles / 250:.0f} us of PPU time) in {wall * 1e3:.3f} ms: "
              f"{n / wall / 1e6:.0f} M instructions/s, {cycles / wall / 1e6:.0f} M cycles/s")


def experiment(period_us: float | None, duration_us: float = 1000.0,
               quantum_us: float = 0.0) -> tuple[float, dict]:
    """Wall time of running the 1 ms experiment (after its configuration), with the homeostasis
    kernel every ``period_us`` (None: no PPU program)."""
    import halco
    import haldls
    import stadls
    from emulator import Emulator
    import plasticity_homeostasis as homeostasis
    from _plasticity_setup import TOP, network_builder, poisson_input

    emulator = Emulator(ppu_quantum_us=quantum_us)
    setup = network_builder(homeostasis.initial_weights())
    if period_us is not None:
        n = int(duration_us // period_us)
        kernel = libnux_vm.compile(homeostasis.KERNEL,
                                   timers=[libnux_vm.Timer.from_us(period_us, period_us, n)])
        stadls.load_ppu_program(setup, kernel, TOP)
    stadls.run(emulator, setup.done())
    builder = stadls.PlaybackProgramBuilder()
    if period_us is not None:
        stadls.start_ppu(builder, TOP)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    poisson_input(builder, np.full(homeostasis.N_INPUTS, homeostasis.INPUT_RATE_KHZ), 0.0, duration_us)
    builder.wait_until(int(duration_us * 125) + 100)
    program = builder.done()
    t0 = time.process_time()        # CPU time: this shared machine's steal does not count
    info = stadls.run(emulator, program)
    return time.process_time() - t0, {"spikes": len(program.spikes), **info,
                                      "ppu": emulator.chip.ppus[0].runtime}


#: runs of each experiment; the fastest counts (the others were slowed by the machine)
REPEAT = 5


def best_of(n: int, *args, **kwargs) -> tuple[float, dict]:
    return min((experiment(*args, **kwargs) for _ in range(n)), key=lambda r: r[0])


def overhead() -> None:
    kernel = libnux_vm.compile(__import__("plasticity_homeostasis").KERNEL)
    machine = libnux_vm.Machine(kernel, host=libnux_vm.MemoryHost())
    machine.call("PLASTICITY_RULE_KERNEL", 0, 0, 0)
    print(f"homeostasis kernel: {machine.last_call_cycles} PPU cycles per call "
          f"({machine.last_call_cycles / 250:.1f} us of PPU time), 33 built-ins")
    experiment(None, 100.0)                   # warm-up: numba caches
    base, info = best_of(REPEAT, None)
    print(f"1 ms of hardware time, no PPU program: {base * 1e3:.0f} ms CPU "
          f"({info['spikes']} output spikes)")
    for period, quantum in ((100.0, 0.0), (20.0, 0.0), (20.0, 1.0)):
        wall, info = best_of(REPEAT, period, quantum_us=quantum)
        calls = info["ppu"].get("calls")
        how = "exact timing" if quantum == 0 else f"ppu_quantum_us={quantum:g}"
        print(f"  with homeostasis every {period:g} us ({how}): {wall * 1e3:.0f} ms CPU "
              f"({info['spikes']} output spikes), {calls} "
              f"kernel calls, {info['ppu'].get('missed')} missed: overhead "
              f"{(wall - base) * 1e3:.0f} ms ({(wall - base) / max(calls, 1) * 1e3:.2f} ms per call, "
              f"{wall / base:.2f}x)")


def main() -> None:
    interpreter()
    overhead()


if __name__ == "__main__":
    main()
