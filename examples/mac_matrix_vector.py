"""Non-spiking mode: the analog core multiplies a vector with a matrix (seed 001, section 3.4).

The 256 neurons of the top hemisphere are integrators (no leak, no threshold, no exponential
term, no adaptation). Each of the 128 synapse drivers of the hemisphere carries one entry of the
input vector, a 5-bit activation 0..31, in the low bits of its events' addresses: with
``enable_hagen_modulation`` the driver turns them into a pulse whose charge is proportional to
the activation. A signed weight -63..63 is an excitatory synapse in the driver's top row and an
inhibitory one in its bottom row. After the events, each membrane holds the column's
multiply-accumulate, and the CADC reads all 256 at once; the result is the reading minus the
baseline read right after the reset, as the real HAGEN mode computes it on the PPU.

The activation encoding is hxtorch's: activation 0 sends no event, ``a`` sends address
``32 - a`` on the driver's bus (SPL1 address ``driver % 4``) with row select ``driver // 4``.

The emulated chip has its mismatch: every neuron's excitatory and inhibitory inputs differ, so
the raw result follows ``x @ W`` only roughly. :func:`calibrate` matches them per neuron through
the CapMem (what calix's HAGEN calibration does), and the result becomes nearly linear.

``main()`` multiplies random vectors with a random matrix before and after the calibration, fits
the gain (CADC LSB per activation x weight) as hxtorch's ``measure_mock_parameter`` does, prints
how well the analog result follows ``x @ W`` and saves ``mac_matrix_vector.png``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import halco
import haldls
import lola
import stadls
from _neuron_setup import (cadc_columns, enable_cadc_membrane_readout, init_builder,
                           read_cadc_membranes, write_capmem_rows)

N_INPUTS = 128            # one per synapse driver of the top hemisphere
N_OUTPUTS = 256           # one per neuron column
ACTIVATION_MAX = 31
WEIGHT_MAX = 63
#: FPGA cycles between two events: the synaptic currents of events that overlap within tau_syn
#: add up, and the synaptic input OTAs saturate when they add up too much
EVENT_INTERVAL = 125
#: FPGA cycles from the last event to the CADC read: the synaptic currents decay (5 tau_syn)
SETTLE_CYCLES = 125 * 12
#: times each vector is sent (the result grows with it, as in hxtorch)
NUM_SENDS = 4
#: CapMem of the integrators: no leak; reset to the middle of the CADC range; the shortest
#: tau_syn; gm for about hxtorch's gain (0.002 CADC LSB per activation x weight and send)
NEURON_CAPMEM = {"i_bias_leak": 0, "v_reset": 555, "i_bias_reset": 1022, "v_leak": 555,
                 "i_bias_synin_exc_tau": 1022, "i_bias_synin_inh_tau": 1022,
                 "i_bias_synin_exc_gm": 300, "i_bias_synin_inh_gm": 300}


def event_labels(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(driver, spike label) of every event that sends activation vector ``x`` [128] once."""
    drivers = np.flatnonzero(x)
    labels = (drivers % 4) << 14 | (drivers // 4) << 6 | (32 - x[drivers])
    return drivers, labels


def configure(builder: stadls.PlaybackProgramBuilder, weights: np.ndarray,
              gm: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Routing, drivers, synapses and integrator neurons for ``weights`` [128, 256] (-63..63);
    ``gm`` the excitatory and inhibitory synaptic input strength (CapMem, [256] each) per
    column, the defaults of NEURON_CAPMEM if None."""
    weights = np.asarray(weights)
    if weights.shape != (N_INPUTS, N_OUTPUTS) or weights.dtype.kind not in "iu":
        raise ValueError(f"weights must be integers of shape ({N_INPUTS}, {N_OUTPUTS}), not "
                         f"{weights.dtype} {weights.shape}")
    if np.abs(weights).max() > WEIGHT_MAX:
        raise ValueError(f"weights must lie in -{WEIGHT_MAX}..{WEIGHT_MAX} (6 bits and a sign), "
                         f"got {weights.min()}..{weights.max()}")
    # SPL1 address j -> PADI bus j of the top hemisphere only; nothing back to the FPGA
    for j in range(4):
        for out in range(8):
            if out != j:
                builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(out),
                                                      halco.CrossbarInputOnDLS(8 + j)),
                              haldls.CrossbarNode.drop_all())
        builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8 + j),
                                              halco.CrossbarInputOnDLS(8 + j)),
                      haldls.CrossbarNode.drop_all())
    builder.write(halco.CommonPADIBusConfigOnDLS.top,
                  haldls.CommonPADIBusConfig(enable_spl1=[True] * 4))
    mode = haldls.SynapseDriverConfig.RowMode
    builder.write_array(haldls.SynapseDriverConfig, np.arange(N_INPUTS),
                        haldls.SynapseDriverConfig.encode_array(
                            N_INPUTS, enable_receiver=True, enable_hagen_modulation=True,
                            row_mode_top=int(mode.excitatory), row_mode_bottom=int(mode.inhibitory)))
    # driver d: excitatory row 2d + 1, inhibitory row 2d; every synapse label 0
    synapses = lola.SynapseMatrix()
    synapses.weights[1::2] = np.maximum(weights, 0)
    synapses.weights[0::2] = np.maximum(-weights, 0)
    builder.write(halco.SynapseMatrixOnDLS(0), synapses)
    capmem = dict(NEURON_CAPMEM)
    if gm is not None:
        capmem["i_bias_synin_exc_gm"], capmem["i_bias_synin_inh_gm"] = gm
    write_capmem_rows(builder, capmem)
    builder.write_array(haldls.NeuronConfig, np.arange(N_OUTPUTS), haldls.NeuronConfig.encode_array(
        N_OUTPUTS, membrane_capacitor_size=63, enable_synaptic_input_excitatory=True,
        enable_synaptic_input_inhibitory=True,
        enable_synaptic_input_excitatory_small_capacitance=True,
        enable_synaptic_input_inhibitory_small_capacitance=True))
    enable_cadc_membrane_readout(builder)


def send_vector(builder: stadls.PlaybackProgramBuilder, x: np.ndarray, start: int,
                num_sends: int = 1) -> int:
    """Send ``x`` ``num_sends`` times, one event every EVENT_INTERVAL FPGA cycles from cycle
    ``start``; returns the cycle after the last event."""
    _, labels = event_labels(x)
    t = start
    for label in np.tile(labels, num_sends).tolist():
        builder.wait_until(t)
        builder.write(halco.SpikePack1ToChipOnDLS(), haldls.SpikePack1ToChip([label]))
        t += EVENT_INTERVAL
    return t


def multiply(x: np.ndarray, weights: np.ndarray, num_sends: int = 1,
             gm: tuple[np.ndarray, np.ndarray] | None = None, chip_id: int = 0,
             **connection) -> np.ndarray:
    """The analog results [n_vectors, 256] (CADC LSB, reading minus baseline) of the vectors
    ``x`` [n_vectors, 128] (activations 0..31) times ``weights`` [128, 256] (-63..63), each
    vector sent ``num_sends`` times; ``gm`` as for :func:`configure`."""
    x = np.atleast_2d(np.asarray(x))
    if x.shape[1:] != (N_INPUTS,) or x.dtype.kind not in "iu":
        raise ValueError(f"x must be integers of shape (n, {N_INPUTS}), not {x.dtype} {x.shape}")
    if x.min() < 0 or x.max() > ACTIVATION_MAX:
        raise ValueError(f"activations must lie in 0..{ACTIVATION_MAX} (5 bits), got "
                         f"{x.min()}..{x.max()}")
    if not isinstance(num_sends, int) or num_sends < 1:
        raise ValueError(f"num_sends must be a positive int, not {num_sends!r}")
    builder = init_builder()
    configure(builder, weights, gm)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    t = 125 * 20                                     # the configuration settles
    reads = []
    for vector in x:
        builder.wait_until(t)
        for quad in range(64):
            builder.write(halco.NeuronResetQuadOnDLS(quad), haldls.NeuronResetQuad())
        baseline = read_cadc_membranes(builder, 0)
        t = send_vector(builder, vector, t + 200, num_sends) + SETTLE_CYCLES
        builder.wait_until(t)
        reads.append((baseline, read_cadc_membranes(builder, 0)))
        t += 100
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        stadls.run(conn, builder.done())
    return np.array([cadc_columns(after) - cadc_columns(before) for before, after in reads])


def fit_gain(x: np.ndarray, weights: np.ndarray, result: np.ndarray) -> float:
    """CADC LSB per activation x weight: the median ratio of analog to exact results, over the
    results well inside the CADC range (as hxtorch's ``measure_mock_parameter``)."""
    exact = x @ weights
    usable = (np.abs(exact) > 0.2 * np.abs(exact).max()) & (np.abs(result) < 100)
    return float(np.median(result[usable] / exact[usable]))


def calibrate(target: float = 40.0, iterations: int = 2, chip_id: int = 0,
              **connection) -> tuple[np.ndarray, np.ndarray]:
    """Per-column excitatory and inhibitory synaptic input strengths (CapMem gm) that give the
    same response, ``target`` CADC LSB, to the same probe of either sign, as calix's HAGEN
    calibration matches the two inputs of every neuron. Without it, a neuron's excitatory and
    inhibitory inputs differ by its mismatch (amplitude and time constant, ~25 %), and the
    difference of two large sums that is the MAC result drowns in it."""
    weights = np.zeros((N_INPUTS, N_OUTPUTS), dtype=np.int64)
    weights[:N_INPUTS // 2], weights[N_INPUTS // 2:] = 32, -32
    probe = np.zeros((2, N_INPUTS), dtype=np.int64)
    probe[0, :N_INPUTS // 2:4] = probe[1, N_INPUTS // 2::4] = 20
    gm = [np.full(N_OUTPUTS, NEURON_CAPMEM[f"i_bias_synin_{k}_gm"]) for k in ("exc", "inh")]
    for _ in range(iterations):
        response = multiply(probe, weights, num_sends=2, gm=tuple(gm), chip_id=chip_id, **connection)
        for k, measured in enumerate((response[0], -response[1])):
            gm[k] = np.clip(np.round(gm[k] * target / np.maximum(measured, 1)), 1, 1022).astype(np.int64)
    return gm[0], gm[1]


def main(path: Path = Path("mac_matrix_vector.png")) -> dict:
    rng = np.random.default_rng(7)
    weights = rng.integers(-WEIGHT_MAX, WEIGHT_MAX + 1, (N_INPUTS, N_OUTPUTS))
    x = rng.integers(0, ACTIVATION_MAX + 1, (4, N_INPUTS)) * (rng.random((4, N_INPUTS)) < 0.25)
    exact = x @ weights
    print(f"MAC on the analog core: {len(x)} vectors of {N_INPUTS} activations (5 bit) x a "
          f"{N_INPUTS} x {N_OUTPUTS} matrix (6 bit and sign), each vector sent {NUM_SENDS} times")
    out = {"x": x, "weights": weights}
    for name, gm in (("uncalibrated", None), ("calibrated", calibrate())):
        result = multiply(x, weights, NUM_SENDS, gm)
        gain = fit_gain(x, weights, result)
        corr = float(np.corrcoef(exact.ravel(), result.ravel())[0, 1])
        print(f"{name:>12}: gain {gain * 1000 / NUM_SENDS:.2f} CADC LSB per 1000 activation x "
              f"weight and send; correlation with x @ W {corr:.3f}; residual s.d. "
              f"{(result - gain * exact).std():.1f} LSB")
        out[name] = {"result": result, "gain": gain, "correlation": corr}
    _plot(exact, out, path)
    print(f"analog results vs x @ W saved as {path}")
    return out


def _plot(exact: np.ndarray, out: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
    span = np.array([exact.min(), exact.max()])
    for ax, name in zip(axes, ("uncalibrated", "calibrated")):
        run = out[name]
        ax.plot(exact.ravel(), run["result"].ravel(), ".", ms=2, alpha=0.4)
        ax.plot(span, run["gain"] * span, color="C3", lw=1, label=f"r = {run['correlation']:.3f}")
        ax.set(xlabel="x @ W (activation x weight)", title=f"{name} (chip 0)")
        ax.legend(loc="upper left")
    axes[0].set_ylabel("membrane - baseline [CADC LSB]")
    fig.suptitle("matrix-vector multiplication on the analog core, 128 x 256")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
