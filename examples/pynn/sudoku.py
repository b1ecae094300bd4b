"""A 4x4 sudoku solved by spiking neurons (fp_sudoku, gs_04-2) on the emulated chip, in
hardware time.

Each of the 16 cells has four neurons, one per digit: 64 HXNeurons (DAC values), neuron
``16 row + 4 column + digit``. Every neuron gets Poisson noise of its own
(``SpikeSourcePoisson``, one-to-one) and excites itself (one-to-one); the sudoku's rules are
inhibitory connections: two neurons inhibit each other if they stand for two digits of one
cell, or for one digit in one row, one column or one 2x2 box. The clues are the noise
projection's weights, set through ``connection.weight``: raised for a clue's neuron, 0 for the
other digits of its cell; the clues' cells are clamped (no inhibition reaches them), so their
neurons fire throughout and silence their rivals elsewhere. The network settles into a state
where, in each cell, one digit fires most; the solution is read from the spike counts
(``argmax`` per cell).

The puzzle has eight clues, each open cell following from the clues of its row, column and
box. With four or five clues, where a solver must chain its deductions, this network (DAC
values tuned by hand, no calibration) settles in a wrong state more often than not: a wrong
digit that fires first in one cell keeps the right one silent in another.

``main()`` saves ``sudoku.png``: the raster, and the solution with the clues marked.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np

import pynn_frontend as pynn
from _pynn_setup import figure
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

SIZE = 4                                    # rows, columns and digits
BOX = 2                                     # the boxes' side
#: the puzzle: 0 an empty cell (it has one solution; the clues alone decide every empty cell)
PUZZLE = np.array([[1, 0, 0, 3],
                   [0, 2, 1, 0],
                   [0, 3, 4, 0],
                   [4, 0, 0, 2]])
RUNTIME = 0.3                               # [hardware ms]
NOISE_START = 0.01                          # [hardware ms]
NOISE_RATE = 5e5                            # [hardware Hz]
#: weights (DAC): the noise, the noise of a clue, the self-excitation, the rules' inhibition
WEIGHTS = dict(noise=30, clue=63, self=10, rule=63)
#: a neuron that its noise alone makes fire now and then, which its own spikes keep going and
#: its rivals' inhibition silences
NEURON = dict(leak_v_leak=400, leak_i_bias=100, threshold_v_threshold=250, threshold_enable=True,
              reset_v_reset=300, reset_i_bias=1022, membrane_capacitance_capacitance=20,
              refractory_period_refractory_time=50,
              excitatory_input_enable=True, excitatory_input_i_bias_tau=500, excitatory_input_i_bias_gm=1000,
              inhibitory_input_enable=True, inhibitory_input_i_bias_tau=200, inhibitory_input_i_bias_gm=1000)


def neuron_index(row: int, column: int, digit: int) -> int:
    """The neuron of ``digit`` (0-based) in cell (``row``, ``column``)."""
    return (row * SIZE + column) * SIZE + digit


def rule_pairs(puzzle: np.ndarray = PUZZLE) -> list[tuple[int, int]]:
    """(pre, post) of every inhibitory connection: the neurons of two digits of one cell, of one
    digit in one row, column or box; none onto the neurons of a clue's cell (a clue is given:
    its cell's neurons are clamped, as the visible units of a Boltzmann machine)."""
    cells = list(itertools.product(range(SIZE), range(SIZE)))
    pairs = []
    for (r1, c1), (r2, c2) in itertools.product(cells, cells):
        if puzzle[r2, c2]:
            continue
        same_cell = (r1, c1) == (r2, c2)
        shares_unit = r1 == r2 or c1 == c2 or (r1 // BOX, c1 // BOX) == (r2 // BOX, c2 // BOX)
        for d1, d2 in itertools.product(range(SIZE), range(SIZE)):
            if (same_cell and d1 != d2) or (not same_cell and shares_unit and d1 == d2):
                pairs.append((neuron_index(r1, c1, d1), neuron_index(r2, c2, d2)))
    return pairs


def is_solution(grid: np.ndarray, puzzle: np.ndarray = PUZZLE) -> bool:
    """Whether ``grid`` (digits 1..4) fills every row, column and box with 1..4 and keeps the
    clues of ``puzzle``."""
    digits = set(range(1, SIZE + 1))
    boxes = [grid[r:r + BOX, c:c + BOX].ravel() for r in range(0, SIZE, BOX) for c in range(0, SIZE, BOX)]
    units = list(grid) + list(grid.T) + boxes
    return all(set(unit.tolist()) == digits for unit in units) and bool(np.all(grid[puzzle > 0] == puzzle[puzzle > 0]))


def solve(puzzle: np.ndarray = PUZZLE, runtime: float = RUNTIME, weights: dict[str, int] = WEIGHTS,
          seed: int = 1) -> dict[str, Any]:
    """The network's spike trains (64 arrays [hardware ms]), spike counts per (row, column,
    digit) and the solution read from them (digits 1..4)."""
    pynn.setup(rng_seed=seed)
    pop = pynn.Population(SIZE ** 3, pynn.cells.HXNeuron(**NEURON), label="sudoku")
    noise = pynn.Population(SIZE ** 3, pynn.SpikeSourcePoisson(rate=NOISE_RATE, start=NOISE_START,
                                                              duration=runtime - NOISE_START), label="noise")
    drive = pynn.Projection(noise, pop, pynn.OneToOneConnector(), pynn.StaticSynapse(weight=weights["noise"]),
                            receptor_type="excitatory")
    pynn.Projection(pop, pop, pynn.OneToOneConnector(), pynn.StaticSynapse(weight=weights["self"]),
                    receptor_type="excitatory")
    pynn.Projection(pop, pop, pynn.FromListConnector(rule_pairs(puzzle)), pynn.StaticSynapse(weight=-weights["rule"]),
                    receptor_type="inhibitory")
    # the clues: the noise drives each clue's neuron harder and the other digits of its cell
    # not at all
    clues = {neuron_index(r, c, puzzle[r, c] - 1) for r, c in zip(*np.nonzero(puzzle))}
    clamped = {neuron_index(r, c, d) for r, c in zip(*np.nonzero(puzzle)) for d in range(SIZE)} - clues
    for connection in drive.connections:
        if connection.postsynaptic_index in clues:
            connection.weight = weights["clue"]
        elif connection.postsynaptic_index in clamped:
            connection.weight = 0
    pop.record("spikes")
    pynn.run(runtime)
    trains = [np.asarray(st.magnitude) for st in pop.get_data().segments[0].spiketrains]
    pynn.end()
    counts = np.array([len(t) for t in trains]).reshape(SIZE, SIZE, SIZE)
    return {"trains": trains, "counts": counts, "solution": counts.argmax(axis=2) + 1}


def plot(results: dict[str, Any], puzzle: np.ndarray, path: Path) -> None:
    fig, axes = figure(1, 2, (13, 5.6))
    ax = axes[0, 0]
    for i, train in enumerate(results["trains"]):
        winner = results["solution"].ravel()[i // SIZE] == i % SIZE + 1
        ax.plot(train * 1e3, np.full(len(train), i), "|", ms=3, color="tab:red" if winner else "0.6")
    ax.plot([], [], "|", ms=6, color="tab:red", label="spike of the digit read out for its cell")
    ax.plot([], [], "|", ms=6, color="0.6", label="spike of another digit")
    ax.set(title="raster", xlabel="hardware time [us]", ylabel="neuron (16 row + 4 column + digit)")
    _plotting.biological_time_axis(ax)
    ax.legend(loc="lower right", fontsize=7, framealpha=0.9)
    ax = axes[0, 1]
    ax.imshow(results["counts"].max(axis=2), cmap="Greys", alpha=0.3)
    for r, c in itertools.product(range(SIZE), range(SIZE)):
        clue = puzzle[r, c] > 0
        ax.text(c, r, str(results["solution"][r, c]), ha="center", va="center", fontsize=22,
                color="tab:blue" if clue else "k", weight="bold" if clue else "normal")
    for line in (BOX - 0.5,):
        ax.axhline(line, color="k", lw=2)
        ax.axvline(line, color="k", lw=2)
    valid = "valid" if is_solution(results["solution"], puzzle) else "NOT valid"
    ax.set(title=f"solution from the spike counts ({valid}; blue: clues)", xticks=[], yticks=[])
    _plotting.save(fig, path, dpi=80)


def main(path: Path | str | None = None, runtime: float = RUNTIME) -> dict[str, Any]:
    """Solve the puzzle and plot the raster and the solution to ``path`` (default ``sudoku.png``
    in the plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "sudoku.png")
    results = solve(PUZZLE, runtime)
    results["valid"] = is_solution(results["solution"], PUZZLE)
    plot(results, PUZZLE, path)
    print(f"solution (valid: {results['valid']}):\n{results['solution']}\nplot: {path}")
    return results


if __name__ == "__main__":
    main()
