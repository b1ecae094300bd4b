"""Multi-compartment connections of the neuron circuits.

Circuits joined by direct switches (``connect_membrane_right``, ``connect_bottom``, and
``connect_soma`` onto the same piece of somatic line) share one membrane: after each step their
potentials are set to the capacitance-weighted mean. A circuit with
``enable_multicomp_conductance`` exchanges current with its piece of the somatic line through a
conductance ``g = i_bias_nmda * 1 nS`` (divided or multiplied by 4 with the division and
multiplication switches); a line piece tied to a membrane by ``connect_soma`` has that membrane's
potential, an untied one the conductance-weighted mean of the membranes it connects. The
exchange is integrated exactly per pair over the step (a relaxation towards the line), with the
charge taken from or given to the tied membrane, so it conserves charge and is stable for any
conductance. There is no switch across the column 127/128 boundary between the backend blocks.
"""

from __future__ import annotations

import numba
import numpy as np

G_NMDA_PER_LSB = 1e-9
DIVISION = 0.25
MULTIPLICATION = 4.0


def _find(parent: np.ndarray, a: int) -> int:
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


#: the NeuronConfig switches that join membranes and line pieces (:func:`connections` reads
#: only these; the conductances also read the ``enable_multicomp_conductance*`` switches)
CONNECTION_FIELDS = ("connect_membrane_right", "connect_bottom", "connect_soma_right", "connect_soma")


def connections(config: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shared membranes and line pieces from the NeuronConfig switches of
    :data:`CONNECTION_FIELDS` (atomic-neuron order): per circuit its membrane group and its
    piece of somatic line, and per line piece the group tied to it by ``connect_soma`` (-1:
    none). Depends on nothing else, so a chip recomputes it only when these switches change."""
    n = 512
    parent = np.arange(n)
    column = np.arange(n) % 256
    no_boundary = (column != 127) & (column != 255)
    right = np.flatnonzero(config["connect_membrane_right"] & no_boundary)
    bottom = np.flatnonzero(config["connect_bottom"])
    for a in right:
        parent[_find(parent, a)] = _find(parent, a + 1)
    for a in bottom:
        parent[_find(parent, a)] = _find(parent, (a + 256) % 512)
    # pieces of somatic line: one per circuit position, joined by connect_soma_right
    line = np.arange(n)
    for a in np.flatnonzero(config["connect_soma_right"] & no_boundary):
        line[_find(line, a)] = _find(line, a + 1)
    segment = np.array([_find(line, a) for a in range(n)])
    # direct soma connections short the membranes on one line piece
    tied_member = -np.ones(n, dtype=np.int64)
    for a in np.flatnonzero(config["connect_soma"]):
        s = segment[a]
        if tied_member[s] >= 0:
            parent[_find(parent, a)] = _find(parent, tied_member[s])
        else:
            tied_member[s] = a
    group = np.array([_find(parent, a) for a in range(n)])
    tied_group = np.where(tied_member >= 0, group[np.maximum(tied_member, 0)], -1)
    return group.astype(np.int64), segment.astype(np.int64), tied_group.astype(np.int64)


def conductances(config: dict[str, np.ndarray], i_bias_nmda: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Each circuit's conductance to its piece of somatic line [S] from its
    ``enable_multicomp_conductance*`` switches, its driven ``i_bias_nmda`` value [CapMem LSB]
    and its fixed-pattern ``gain`` (0 where the conductance is off)."""
    scale = np.where(config["enable_divide_multicomp_conductance_bias"] & ~config["enable_multiply_multicomp_conductance_bias"],
                     DIVISION, 1.0)
    scale = np.where(config["enable_multiply_multicomp_conductance_bias"] & ~config["enable_divide_multicomp_conductance_bias"],
                     MULTIPLICATION, scale)
    return np.where(config["enable_multicomp_conductance"], i_bias_nmda * G_NMDA_PER_LSB * scale * gain, 0.0)


def is_active(group: np.ndarray, g: np.ndarray) -> bool:
    """Whether any circuit shares its membrane or has a conductance to the line (else
    :func:`couple` has nothing to do)."""
    return bool(np.any(group != np.arange(len(group))) or np.any(g > 0))


def topology(config: dict[str, np.ndarray], i_bias_nmda: np.ndarray, gain: np.ndarray) -> tuple:
    """Arrays for :func:`couple` from NeuronConfig fields (atomic-neuron order) and the driven
    ``i_bias_nmda`` CapMem values; ``active`` is False when no circuit is connected to another."""
    group, segment, tied_group = connections(config)
    g = conductances(config, i_bias_nmda, gain)
    return group, segment, tied_group, g, is_active(group, g)


@numba.njit(cache=True, error_model="numpy")
def couple(v, c_mem, group, segment, tied_group, g, h, c_group, v_group, g_sum, gv_sum):
    """Apply shared membranes and conductances for one step of length ``h`` seconds."""
    n = v.shape[0]
    c_group[:] = 0.0
    v_group[:] = 0.0
    for i in range(n):
        c_group[group[i]] += c_mem[i]
        v_group[group[i]] += c_mem[i] * v[i]
    for i in range(n):
        if group[i] == i:
            v_group[i] /= c_group[i]
    # untied line pieces sit at the conductance-weighted mean of their membranes
    g_sum[:] = 0.0
    gv_sum[:] = 0.0
    for i in range(n):
        if g[i] > 0.0:
            g_sum[segment[i]] += g[i]
            gv_sum[segment[i]] += g[i] * v_group[group[i]]
    for i in range(n):
        if g[i] <= 0.0:
            continue
        s = segment[i]
        tied = tied_group[s]
        mine = group[i]
        if tied == mine:
            continue
        v_line = v_group[tied] if tied >= 0 else gv_sum[s] / g_sum[s]
        c_eff = c_group[mine]
        if tied >= 0:
            c_eff = c_group[mine] * c_group[tied] / (c_group[mine] + c_group[tied])
        dv = (v_line - v_group[mine]) * (1.0 - np.exp(-g[i] * h / c_eff))
        if tied >= 0:
            # charge moves between the two membranes; relax both towards their common level
            q = dv * c_eff
            v_group[mine] += q / c_group[mine]
            v_group[tied] -= q / c_group[tied]
        else:
            v_group[mine] += dv
    for i in range(n):
        v[i] = v_group[group[i]]
