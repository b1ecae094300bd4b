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

The emulated chip has its mismatch: every neuron's excitatory and inhibitory inputs differ, the
synapse DAC of each quadrant drives its own current and every driver's HAGEN DAC shifts the
activation by its own offset, so the raw result follows ``x @ W`` only roughly.
:func:`calibrate` runs calix's HAGEN calibration (``calix.HagenCalibTarget``: the CADC, the
synapse DAC biases, the neurons' two inputs matched, the drivers' DAC offsets), whose result
:func:`multiply` applies, and the result becomes nearly linear.

``main()`` multiplies random vectors with a random matrix before and after the calibration, fits
the gain (CADC LSB per activation x weight) as hxtorch's ``measure_mock_parameter`` does, prints
how well the analog result follows ``x @ W`` and saves ``mac_matrix_vector.png``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import _plotting
import calix
import halco
import haldls
import lola
import stadls
from stadls import enable_cadc_recording, read_cadc_membranes, write_neuron_capmem
from _neuron_setup import init_builder

N_INPUTS = 128            # one per synapse driver of the top hemisphere
N_OUTPUTS = 256           # one per neuron column
ACTIVATION_MAX = 31
WEIGHT_MAX = 63
#: FPGA cycles between two events (2 us): the synaptic currents of events that overlap within
#: tau_syn (about 2.5 us on the emulated chip) add up, and the synaptic input OTAs saturate when
#: they add up too much
EVENT_INTERVAL = 250
#: FPGA cycles from the last event to the CADC read: the synaptic currents decay (5 tau_syn)
SETTLE_CYCLES = 125 * 12
#: times each vector is sent (the result grows with it, as in hxtorch), on the uncalibrated chip
#: and on the calibrated one (calix's synapse DAC bias, 1022, doubles the charge per event)
NUM_SENDS = 4
CALIBRATED_SENDS = 2
#: CapMem of the uncalibrated integrators: no leak; reset to the middle of the CADC range; the
#: shortest tau_syn; gm for about hxtorch's gain (0.002 CADC LSB per activation x weight and send)
NEURON_CAPMEM = {"i_bias_leak": 0, "v_reset": 555, "i_bias_reset": 1022, "v_leak": 555,
                 "i_bias_synin_exc_tau": 1022, "i_bias_synin_inh_tau": 1022,
                 "i_bias_synin_exc_gm": 300, "i_bias_synin_inh_gm": 300}
#: the neurons of the top hemisphere (AtomicNeuronOnDLS enums 0..255), one per column
TOP_NEURONS = [halco.AtomicNeuronOnDLS.from_enum(c) for c in range(N_OUTPUTS)]


def event_labels(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(driver, spike label) of every event that sends activation vector ``x`` [128] once."""
    drivers = np.flatnonzero(x)
    labels = (drivers % 4) << 14 | (drivers // 4) << 6 | (32 - x[drivers])
    return drivers, labels


def configure(builder: stadls.PlaybackProgramBuilder, weights: np.ndarray,
              calibration: calix.HagenCalibResult | None = None) -> None:
    """Routing, drivers, synapses and integrator neurons for ``weights`` [128, 256] (-63..63).
    With ``calibration`` (applied before), the drivers keep their calibrated HAGEN DAC offsets
    and the neurons are the calibrated ones; without, the neurons are NEURON_CAPMEM's."""
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
            builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(out),
                                                  halco.CrossbarInputOnDLS(8 + j)),
                          haldls.CrossbarNode() if out == j else haldls.CrossbarNode.drop_all())
        builder.write(halco.CrossbarNodeOnDLS(halco.CrossbarOutputOnDLS(8 + j),
                                              halco.CrossbarInputOnDLS(8 + j)),
                      haldls.CrossbarNode.drop_all())
    builder.write(halco.CommonPADIBusConfigOnDLS.top,
                  haldls.CommonPADIBusConfig(enable_spl1=[True] * 4))
    mode = haldls.SynapseDriverConfig.RowMode
    dac = {} if calibration is None else {
        "enable_hagen_dac": True,
        "hagen_dac_offset": calibration.synapse_driver_result.hagen_dac_offset[:N_INPUTS]}
    builder.write_array(haldls.SynapseDriverConfig, np.arange(N_INPUTS),
                        haldls.SynapseDriverConfig.encode_array(
                            N_INPUTS, enable_receiver=True, enable_hagen_modulation=True,
                            row_mode_top=int(mode.excitatory), row_mode_bottom=int(mode.inhibitory),
                            **dac))
    # driver d: excitatory row 2d + 1, inhibitory row 2d; every synapse label 0
    synapses = lola.SynapseMatrix()
    synapses.weights[1::2] = np.maximum(weights, 0)
    synapses.weights[0::2] = np.maximum(-weights, 0)
    builder.write(halco.SynapseMatrixOnDLS(0), synapses)
    if calibration is None:
        write_neuron_capmem(builder, NEURON_CAPMEM, TOP_NEURONS)
        builder.write_array(haldls.NeuronConfig, np.arange(N_OUTPUTS), haldls.NeuronConfig.encode_array(
            N_OUTPUTS, membrane_capacitor_size=63, enable_synaptic_input_excitatory=True,
            enable_synaptic_input_inhibitory=True,
            enable_synaptic_input_excitatory_small_capacitance=True,
            enable_synaptic_input_inhibitory_small_capacitance=True))
    enable_cadc_recording(builder)


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
             calibration: calix.HagenCalibResult | None = None, chip_id: int = 0,
             **connection) -> np.ndarray:
    """The analog results [n_vectors, 256] (CADC LSB, reading minus baseline) of the vectors
    ``x`` [n_vectors, 128] (activations 0..31) times ``weights`` [128, 256] (-63..63), each
    vector sent ``num_sends`` times, on the chip as ``calibration`` (of this chip:
    :func:`calibrate`) leaves it, or uncalibrated."""
    x = np.atleast_2d(np.asarray(x))
    if x.shape[1:] != (N_INPUTS,) or x.dtype.kind not in "iu":
        raise ValueError(f"x must be integers of shape (n, {N_INPUTS}), not {x.dtype} {x.shape}")
    if x.min() < 0 or x.max() > ACTIVATION_MAX:
        raise ValueError(f"activations must lie in 0..{ACTIVATION_MAX} (5 bits), got "
                         f"{x.min()}..{x.max()}")
    if not isinstance(num_sends, int) or num_sends < 1:
        raise ValueError(f"num_sends must be a positive int, not {num_sends!r}")
    if calibration is not None and not isinstance(calibration, calix.HagenCalibResult):
        raise ValueError(f"calibration must be a calix.HagenCalibResult (from calibrate()), not "
                         f"{type(calibration).__name__}")
    builder = init_builder()
    if calibration is not None:
        calibration.apply(builder)
    configure(builder, weights, calibration)
    builder.write(halco.TimerOnDLS(), haldls.Timer())
    t = 125 * 20                                     # the configuration settles
    reads = []
    for vector in x:
        builder.wait_until(t)
        for quad in range(64):
            builder.write(halco.NeuronResetQuadOnDLS(quad), haldls.NeuronResetQuad())
        baseline = read_cadc_membranes(builder, halco.SynramOnDLS.top)
        t = send_vector(builder, vector, t + 200, num_sends) + SETTLE_CYCLES
        builder.wait_until(t)
        reads.append((baseline, read_cadc_membranes(builder, halco.SynramOnDLS.top)))
        t += 100
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        if calibration is not None:
            calibration.check_connection(conn)       # a calibration of another chip is refused
        stadls.run(conn, builder.done())
    return np.array([after() - before() for before, after in reads])


def fit_gain(x: np.ndarray, weights: np.ndarray, result: np.ndarray) -> float:
    """CADC LSB per activation x weight: the median ratio of analog to exact results, over the
    results well inside the CADC range (as hxtorch's ``measure_mock_parameter``)."""
    exact = x @ weights
    usable = (np.abs(exact) > 0.2 * np.abs(exact).max()) & (np.abs(result) < 100)
    return float(np.median(result[usable] / exact[usable]))


def calibrate(chip_id: int = 0, target: calix.HagenCalibTarget | None = None,
              cache_paths: list | None = None, **connection) -> calix.HagenCalibResult:
    """calix's HAGEN calibration of the chip (default ``calix.HagenCalibTarget()``, calix's
    defaults), cached as ``calix.calibrate`` caches (``cache_paths``; ``[]``: no cache). It
    brings every neuron's excitatory and inhibitory input to the same strength (without it they
    differ by the neurons' mismatch, ~25 %, and the difference of two large sums that is the
    MAC result drowns in it), the quadrants' synapse DAC currents together and every driver's
    activation to its nominal pulse."""
    with stadls.ManagedConnection(chip_id=chip_id, **connection) as conn:
        return calix.calibrate(calix.HagenCalibTarget() if target is None else target,
                               cache_paths=cache_paths, connection=conn)


def main(path: Path | None = None, calibration: calix.HagenCalibResult | None = None) -> dict:
    """Multiply before and after the calibration (``calibration``: of chip 0; default: run it)
    and plot both against x @ W to ``path`` (default ``mac_matrix_vector.png`` in the plot
    folder, examples/_plotting.py)."""
    path = _plotting.plot_path(path, "mac_matrix_vector.png")
    rng = np.random.default_rng(7)
    weights = rng.integers(-WEIGHT_MAX, WEIGHT_MAX + 1, (N_INPUTS, N_OUTPUTS))
    x = rng.integers(0, ACTIVATION_MAX + 1, (4, N_INPUTS)) * (rng.random((4, N_INPUTS)) < 0.25)
    exact = x @ weights
    print(f"MAC on the analog core: {len(x)} vectors of {N_INPUTS} activations (5 bit) x a "
          f"{N_INPUTS} x {N_OUTPUTS} matrix (6 bit and sign), one event every "
          f"{EVENT_INTERVAL / 125:g} us")
    out = {"x": x, "weights": weights}
    calibration = calibrate() if calibration is None else calibration
    for name, sends, calib in (("uncalibrated", NUM_SENDS, None),
                               ("calibrated", CALIBRATED_SENDS, calibration)):
        result = multiply(x, weights, sends, calib)
        gain = fit_gain(x, weights, result)
        corr = float(np.corrcoef(exact.ravel(), result.ravel())[0, 1])
        print(f"{name:>12}: each vector sent {sends} times; gain {gain * 1000 / sends:.2f} CADC "
              f"LSB per 1000 activation x weight and send; correlation with x @ W {corr:.3f}; "
              f"residual s.d. {(result - gain * exact).std():.1f} LSB")
        out[name] = {"result": result, "gain": gain, "correlation": corr}
    _plot(exact, out, path)
    print(f"analog results vs x @ W saved as {path}")
    return out


def _plot(exact: np.ndarray, out: dict, path: Path) -> None:
    plt = _plotting.pyplot()
    # a code difference in mV: the nominal CADC's 4 mV per LSB uncalibrated, the calibrated
    # CADC's (calix's default HagenCalibTarget.cadc_target) after; the codes on the right
    mv_per_lsb = {"uncalibrated": stadls.units.CADC_MV_PER_LSB,
                  "calibrated": _plotting.calibrated_cadc_transfer(calix.HagenCalibTarget().cadc_target)[0]}
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
    span = np.array([exact.min(), exact.max()])
    for ax, name in zip(axes, ("uncalibrated", "calibrated")):
        run, scale = out[name], mv_per_lsb[name]
        ax.plot(exact.ravel(), scale * run["result"].ravel(), ".", ms=2, alpha=0.4, label="one output")
        ax.plot(span, scale * run["gain"] * span, color="C3", lw=1,
                label=f"fit, r = {run['correlation']:.3f}")
        ax.set(xlabel="x @ W (activation x weight)", title=f"{name} (chip 0), {scale:g} mV per CADC LSB",
               ylabel="membrane - baseline [mV]")
        _plotting.linear_lsb_axis(ax, scale, 0.0, "membrane - baseline [CADC LSB]")
        ax.legend(loc="upper left", fontsize=8)
    fig.suptitle("matrix-vector multiplication on the analog core, 128 x 256")
    _plotting.save(fig, path)


if __name__ == "__main__":
    main()
