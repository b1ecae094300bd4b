"""Networks for the routing tests: a Hypothesis strategy for small random ones (placed
multi-compartment neurons, external and background sources, several projections) and the large
deterministic ones of the performance targets."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import halco
from grenade.common import ExecutionInstanceID
from grenade.network import (
    EXCITATORY, INHIBITORY, BackgroundSourceConfig, BackgroundSourcePopulation, Compartment,
    ExternalSourcePopulation, Network, NetworkBuilder, Neuron, Population, Projection, SpikeMaster,
)

E0 = ExecutionInstanceID(0)

#: neuron shapes in a 2-column x 2-row slot: compartment -> [(dx, dy)]
SHAPES = [
    {0: [(0, 0)]},
    {0: [(0, 1)]},
    {0: [(0, 0), (1, 0)]},             # one compartment, two circuits in a row
    {0: [(0, 0), (0, 1)]},             # one compartment on both hemispheres
    {0: [(0, 0)], 1: [(1, 1)]},        # two compartments
]
RECEPTOR_SETS = [frozenset({EXCITATORY, INHIBITORY}), frozenset({EXCITATORY}), frozenset({INHIBITORY}),
                 frozenset({EXCITATORY, INHIBITORY})]


def logical_neuron(shape: dict, slot: int) -> halco.LogicalNeuronOnDLS:
    pattern = halco.LogicalNeuronCompartments({c: [halco.AtomicNeuronOnLogicalNeuron(
        halco.NeuronColumnOnLogicalNeuron(dx), halco.NeuronRowOnLogicalNeuron(dy)) for dx, dy in atoms]
        for c, atoms in shape.items()})
    left = min(dx for atoms in shape.values() for dx, _ in atoms)
    top = min(dy for atoms in shape.values() for _, dy in atoms)
    anchor = halco.AtomicNeuronOnDLS(halco.NeuronColumnOnDLS(2 * slot + left), halco.NeuronRowOnDLS(top))
    return halco.LogicalNeuronOnDLS(pattern, anchor)


@st.composite
def neurons(draw, slot: int) -> Neuron:
    shape = SHAPES[draw(st.integers(0, len(SHAPES) - 1))]
    compartments = {}
    for c, atoms in shape.items():
        receptors = [draw(st.sampled_from(RECEPTOR_SETS)) for _ in atoms]
        master = draw(st.integers(-1, 3 * len(atoms) - 1))      # mostly a spike master
        spike_master = None if master < 0 else SpikeMaster(master % len(atoms), draw(st.booleans()))
        compartments[halco.CompartmentOnLogicalNeuron(c)] = Compartment(spike_master, receptors)
    return Neuron(logical_neuron(shape, slot), compartments)


def _targets(pop: Population, receptor, hemispheres=None) -> list[tuple[int, int]]:
    """(neuron, compartment) that carry ``receptor`` (on one of ``hemispheres``)."""
    out = []
    for n, neuron in enumerate(pop.neurons):
        placed = neuron.coordinate.get_placed_compartments()
        for comp, description in neuron.compartments.items():
            ok = [receptor in rs and (hemispheres is None or a.to_enum() // 256 in hemispheres)
                  for rs, a in zip(description.receptors, placed[comp])]
            if any(ok):
                out.append((n, comp.value()))
    return out


def _sources(pop) -> list[tuple[int, int]]:
    if isinstance(pop, Population):
        return [(n, c.value()) for n, neuron in enumerate(pop.neurons)
                for c, d in neuron.compartments.items() if d.spike_master is not None]
    return [(n, 0) for n in range(len(pop))]


@st.composite
def small_networks(draw, max_neurons: int = 14, max_weight: int = 130,
                   max_connections: int = 80) -> Network:
    builder = NetworkBuilder()
    slots = draw(st.lists(st.integers(0, 127), min_size=2, max_size=max_neurons, unique=True))
    split = draw(st.integers(0, len(slots)))
    pops = []
    for part in (slots[:split], slots[split:]):
        if part:
            pop = Population([draw(neurons(s)) for s in part])
            pops.append(pop)
            builder.add(pop)
    for _ in range(draw(st.integers(0, 2))):
        size = draw(st.integers(1, 12))
        pop = ExternalSourcePopulation(size, draw(st.lists(st.booleans(), min_size=size, max_size=size)))
        pops.append(pop)
        builder.add(pop)
    free_buses = [(h, b) for h in range(2) for b in range(4)]
    for _ in range(draw(st.integers(0, 2))):
        hemispheres = draw(st.sampled_from([(0,), (1,), (0, 1)]))
        coordinate = {}
        for h in hemispheres:
            choices = [b for hh, b in free_buses if hh == h]
            b = draw(st.sampled_from(choices))
            free_buses.remove((h, b))
            coordinate[halco.HemisphereOnDLS(h)] = halco.PADIBusOnPADIBusBlock(b)
        random = draw(st.booleans())
        size = draw(st.sampled_from([1, 2, 4, 8])) if random else 1
        pop = BackgroundSourcePopulation(size, coordinate, BackgroundSourceConfig(enable_random=random),
                                         draw(st.lists(st.booleans(), min_size=size, max_size=size)))
        pops.append(pop)
        builder.add(pop)
    on_chip = [i for i, p in enumerate(pops) if isinstance(p, Population)]
    for _ in range(draw(st.integers(1, 5))):
        pre = draw(st.integers(0, len(pops) - 1))
        post = draw(st.sampled_from(on_chip))
        receptor = draw(st.sampled_from([EXCITATORY, INHIBITORY]))
        reach = {h.value() for h in pops[pre].coordinate} \
            if isinstance(pops[pre], BackgroundSourcePopulation) else None
        targets = _targets(pops[post], receptor, reach)
        sources = _sources(pops[pre])
        if not targets or not sources:
            continue
        # a random subset of all pairs: density and seed drawn, so that examples are dense
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        density = draw(st.floats(0.05, 1.0))
        pairs = [(s, t) for s in sources for t in targets]
        chosen = [pair for pair in pairs if rng.random() < density][:max_connections]
        if not chosen:
            continue
        weights = rng.integers(0, max_weight + 1, len(chosen))
        connections = [(s[0], s[1], t[0], t[1], w) for (s, t), w in zip(chosen, weights)]
        builder.add(Projection(receptor, connections, pre, post))
    return builder.done()


# -- large deterministic networks ---------------------------------------------------------------

def all_to_all_external(n_sources: int = 256, n_neurons: int = 256, weight: int = 20,
                        receptor=EXCITATORY) -> Network:
    """``n_sources`` external sources onto the first ``n_neurons`` neurons, all to all."""
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(n_sources))
    pop = builder.add(Population.from_atomic_neurons(range(n_neurons), record_spikes=False))
    pre, post = np.meshgrid(np.arange(n_sources), np.arange(n_neurons), indexing="ij")
    builder.add(Projection(receptor, np.stack([pre.ravel(), post.ravel(),
                                               np.full(pre.size, weight)], axis=1), ext, pop))
    return builder.done()


def random_recurrent(seed: int = 0, p: float = 0.1) -> Network:
    """512 neurons, random recurrent excitatory and inhibitory connections with probability
    ``p``, plus 64 external sources connected with probability ``p``."""
    rng = np.random.default_rng(seed)
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(64, [True] * 8 + [False] * 56))
    pop = builder.add(Population.from_atomic_neurons(range(512), record_spikes=True))
    pre, post = np.nonzero(rng.random((512, 512)) < p)
    exc = pre % 5 != 0
    for receptor, sel in ((EXCITATORY, exc), (INHIBITORY, ~exc)):
        builder.add(Projection(receptor, np.stack([pre[sel], post[sel], rng.integers(0, 64, sel.sum())], 1),
                               pop, pop))
    pre, post = np.nonzero(rng.random((64, 512)) < p)
    builder.add(Projection(EXCITATORY, np.stack([pre, post, rng.integers(0, 64, len(pre))], 1), ext, pop))
    return builder.done()


def full_chip() -> Network:
    """256 external sources onto all 512 neurons: every synapse of both arrays is used
    (131072), half of them excitatory and half inhibitory."""
    builder = NetworkBuilder()
    ext = builder.add(ExternalSourcePopulation(256))
    pop = builder.add(Population.from_atomic_neurons(range(512), record_spikes=False))
    pre, post = np.meshgrid(np.arange(256), np.arange(512), indexing="ij")
    pre, post = pre.ravel(), post.ravel()
    weights = (pre * 7 + post) % 64
    exc = pre < 128
    for receptor, sel in ((EXCITATORY, exc), (INHIBITORY, ~exc)):
        builder.add(Projection(receptor, np.stack([pre[sel], post[sel], weights[sel]], 1), ext, pop))
    return builder.done()
