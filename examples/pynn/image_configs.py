"""Reconfiguration during an experiment (ts_10-multiple_configs, ts_09-inside_realtime_hook) on
the emulated chip, in hardware time: one input spike train drives four bypass neurons (each
relays its input spikes) and an image appears in their raster, one row per 10 us.

- ``per_snippet``: ``projection.set(weight=row)`` then ``run(10 us, RunCommand.APPEND)`` per
  image row; ``run(None)`` runs the queue (one spike train per neuron and snippet);
- ``inside_realtime``: after ``run(None, RunCommand.PREPARE)`` the projection's
  ``placed_connections`` name its synapses; an ``InjectedConfiguration.inside_realtime``
  builder writes the next row's weights into them every 10 us of one run;
- ``plasticity_rule`` (ts_02-plasticity_rate_coding): a ``PlasticSynapse(weight=0)`` and a
  plasticity rule whose kernel holds the image and writes row k into the synapses at the start
  of period k (``Timer(start=0, period=10 us)``), on the PPU during one run.

``main()`` saves ``image_configs.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import halco
import lola
import pynn_frontend as pynn
import stadls
from pynn_frontend import RunCommand
from _pynn_setup import figure, spike_times
import _plotting  # noqa: E402  (examples/, on sys.path through _pynn_setup)

IMAGE = np.array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 1]])
ROW = 0.01                                    # hardware ms per image row
WEIGHT = 32


def _raster(trains: list[np.ndarray]) -> np.ndarray:
    """[row][neuron]: whether the neuron fired in the row's window."""
    return np.array([[np.any((t >= k * ROW) & (t < (k + 1) * ROW)) for t in trains] for k in range(len(IMAGE))])


def per_snippet() -> dict[str, Any]:
    pynn.setup(enable_neuron_bypass=True)
    source = pynn.Population(1, pynn.SpikeSourceArray(spike_times=np.arange(0.001, ROW * len(IMAGE), 0.001)))
    neurons = pynn.Population(IMAGE.shape[1], pynn.cells.HXNeuron())
    proj = pynn.Projection(source, neurons, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=WEIGHT))
    neurons.record("spikes")
    for row in IMAGE:
        proj.set(weight=row * WEIGHT)
        pynn.run(ROW, RunCommand.APPEND)
    pynn.run(None)
    trains = neurons.get_data().segments[0].spiketrains
    per_neuron = [np.concatenate([t.magnitude for t in trains if t.annotations["source_index"] == i])
                  for i in range(IMAGE.shape[1])]
    pynn.end()
    return {"trains": len(trains), "raster": _raster(per_neuron), "spikes": per_neuron}


def inside_realtime() -> dict[str, Any]:
    injected = pynn.InjectedConfiguration()
    pynn.setup(enable_neuron_bypass=True, injected_config=injected)
    source = pynn.Population(1, pynn.SpikeSourceArray(spike_times=np.arange(0.0015, ROW * len(IMAGE), 0.001)))
    neurons = pynn.Population(IMAGE.shape[1], pynn.cells.HXNeuron())
    proj = pynn.Projection(source, neurons, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=WEIGHT))
    neurons.record("spikes")
    pynn.run(None, RunCommand.PREPARE)
    placed = proj.placed_connections
    row = placed[0][0].synapse_row
    builder = stadls.AbsoluteTimePlaybackProgramBuilder()
    for i, pixels in enumerate(IMAGE):
        weights = lola.SynapseWeightRow()
        values = np.zeros(halco.SynapseOnSynapseRow.size, dtype=np.int64)
        for connection, synapses in enumerate(placed):
            values[synapses[0].synapse_on_row.value()] = WEIGHT * pixels[proj[connection].postsynaptic_index]
        weights.values = values
        builder.write(int(i * ROW * 125000), row.to_synapse_weight_row_on_dls(), weights)
    injected.inside_realtime = builder
    pynn.run(ROW * len(IMAGE))
    trains = spike_times(neurons)
    pynn.end()
    rows = {s.synapse_row.to_enum() for synapses in placed for s in synapses}
    return {"rows": len(rows), "synapses_per_connection": [len(s) for s in placed], "raster": _raster(trains),
            "spikes": trains}


class ImageRule(pynn.PlasticityRule):
    """ts_02's rule: the kernel holds the image (weights per row and neuron) and writes row
    ``period`` into the synapse row ``row`` of the projection (known after PREPARE), into the
    neurons' columns ``columns``."""

    def __init__(self, timer: pynn.Timer, columns: Any) -> None:
        super().__init__(timer)
        self.columns = [int(c) for c in columns]
        self.row = 0

    def generate_kernel(self) -> str:
        pixels = ", ".join(str(int(p) * WEIGHT) for p in IMAGE.ravel())
        lanes = "\n".join(f"    row_weights[{c}] = image[period * {IMAGE.shape[1]} + {i}];"
                          for i, c in enumerate(self.columns))
        return (f"uint8 image[{IMAGE.size}] = {{{pixels}}};     // the weight of each pixel, row by row\n"
                "vec_u8 row_weights;\n"
                "void PLASTICITY_RULE_KERNEL(int32 synapses, int32 neurons, int32 period) {\n"
                f"{lanes}\n    set_weights(synapses, {self.row}, row_weights);\n}}\n")


def plasticity_rule() -> dict[str, Any]:
    pynn.setup(enable_neuron_bypass=True)
    # the kernel's write lands about a us into its period (its PPU time): inputs from 2.5 us on
    times = np.concatenate([k * ROW + np.arange(0.0025, ROW, 0.001) for k in range(len(IMAGE))])
    source = pynn.Population(1, pynn.SpikeSourceArray(spike_times=times))
    neurons = pynn.Population(IMAGE.shape[1], pynn.cells.HXNeuron())
    rule = ImageRule(pynn.Timer(start=0, period=ROW, num_periods=len(IMAGE)), neurons.atomic_neurons % 256)
    proj = pynn.Projection(source, neurons, pynn.AllToAllConnector(),
                           pynn.PlasticSynapse(weight=0, plasticity_rule=rule))
    neurons.record("spikes")
    pynn.run(None, RunCommand.PREPARE)
    rule.row = proj.placed_connections[0][0].synapse_row.to_enum() % 256
    pynn.run(ROW * len(IMAGE))
    trains = spike_times(neurons)
    weights = proj.get("weight", format="array")
    pynn.end()
    return {"raster": _raster(trains), "spikes": trains, "weights": weights}


def plot(results: dict[str, Any], path: Path) -> None:
    keys = [k for k in ("per_snippet", "inside_realtime", "plasticity_rule") if k in results]
    fig, axes = figure(1, len(keys), (6 * len(keys), 4))
    for ax, key in zip(axes[0], keys):
        for i, train in enumerate(results[key]["spikes"]):
            ax.plot(np.asarray(train) * 1e3, np.full(len(train), i), "|", color="k",
                    label="spike" if i == 0 else None)
        ax.set(title=key.replace("_", " "), xlabel="hardware time [us]", ylabel="neuron", yticks=range(IMAGE.shape[1]))
        _plotting.biological_time_axis(ax)
        ax.legend(loc="upper right", fontsize=7)
    _plotting.save(fig, path, dpi=80)


def main(path: Path | str | None = None) -> dict[str, Any]:
    """The image written three ways, plotted to ``path`` (default ``image_configs.png`` in the
    plot folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "image_configs.png")
    results = {"per_snippet": per_snippet(), "inside_realtime": inside_realtime(),
               "plasticity_rule": plasticity_rule()}
    plot(results, path)
    same = all(np.array_equal(results[k]["raster"], IMAGE.astype(bool)) for k in results)
    print(f"the three rasters reproduce the image: {same}; plot: {path}")
    return results


if __name__ == "__main__":
    main()
