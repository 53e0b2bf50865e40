"""Streaming: a forecaster fed one sensor sample at a time, its state kept between calls,
flags the events of a synthetic multi-sensor stream; golden and the simulated RTL agree
bit for bit, sample by sample, and the RTL's per-sample latency is measured.

    python examples/streaming.py --out runs/streaming

A small 8-bit QKeras LSTM learns to predict the next sample of three sensors from
windows of normal operation. It is imported, then run as a stream
(``fpga_rnn.Stream``: ``step`` per sample, state kept, no window): where the forecast
error leaves its normal band, an event is flagged. The same stream goes through the
RTL streaming design in Verilator one sample per burst (``fpga_rnn.verify(...,
stateful=True, chunk=1)``), which must equal golden on every sample. Writes
``model.keras``, ``ir/``, ``streaming.png`` (input, forecast, error and detections)
and ``streaming.json`` (forecast error, detected events, RTL mismatches, per-sample
latency in cycles and in ns at the estimated ULX3S clock).

Then the bundled airline series (monthly passengers, 1949-1960): an LSTM forecaster
trained with ``fpga_rnn.train_model`` on 24-month windows is streamed over the whole
series month by month, state kept (``airline.png``, and an ``airline`` entry in
``streaming.json``: forecast error in passengers vs the naive last-month forecast,
RTL mismatches).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import fpga_rnn

SENSORS, WINDOW = 3, 16
LENGTH, TRAIN = 3000, 1800  # samples in the stream; the first TRAIN have no events
EVENT_LEN = 25


def make_stream(rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Three periodic sensors with noise, and events (a level shift on one sensor with
    its rhythm lost) at known places after the training part."""
    t = np.arange(LENGTH)[:, None]
    periods = np.array([40.0, 25.0, 60.0])
    x = 0.6 * np.sin(2 * np.pi * t / periods) + rng.normal(0, 0.05, (LENGTH, SENSORS))
    starts = np.linspace(TRAIN + 100, LENGTH - 2 * EVENT_LEN, 8).astype(int)
    events = []
    for k, s in enumerate(starts):
        e = s + EVENT_LEN
        x[s:e, k % SENSORS] = 0.8 * np.sign(np.sin(k + 1.0)) + rng.normal(0, 0.05, e - s)
        events.append((int(s), int(e)))
    return x.astype(np.float32), events


def windows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    idx = np.arange(len(x) - WINDOW)[:, None] + np.arange(WINDOW)[None]
    return x[idx], x[WINDOW:]


def build_model():
    from fpga_rnn.keras_import.importer import _tf

    tf, qkeras = _tf()
    q8 = "quantized_bits(8,0,alpha=1)"
    inp = tf.keras.Input((None, SENSORS))
    h = qkeras.QLSTM(
        16,
        kernel_quantizer=q8,
        recurrent_quantizer=q8,
        bias_quantizer=q8,
        activation="tanh",
        recurrent_activation="sigmoid",
    )(inp)
    out = qkeras.QDense(SENSORS, kernel_quantizer=q8, bias_quantizer=q8)(h)
    m = tf.keras.Model(inp, out, name="streaming_forecaster")
    m.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse")
    return m, tf


def detect(err: np.ndarray, threshold: float, events: list[tuple[int, int]], offset: int) -> dict:
    """Flags where the error exceeds ``threshold``; an event counts as found when a flag
    falls inside it (or WINDOW samples after it); flags elsewhere are false alarms."""
    flags = np.flatnonzero(err > threshold) + offset
    found = [any(s <= f < e + WINDOW for f in flags) for s, e in events]
    inside = np.zeros(LENGTH, bool)
    for s, e in events:
        inside[s : e + WINDOW] = True
    return {
        "events": len(events),
        "detected": int(sum(found)),
        "false_alarm_samples": int((~inside[flags]).sum()),
        "flagged_samples": len(flags),
    }


def plot(path: Path, x, pred, err, threshold, events, offset) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.arange(LENGTH)
    ts = t[offset : offset + len(pred)]
    fig, ax = plt.subplots(3, 1, figsize=(11, 7), sharex=True)
    for k in range(SENSORS):
        ax[0].plot(t, x[:, k], lw=0.7, label=f"sensor {k}")
    ax[0].set_ylabel("input")
    ax[0].legend(loc="upper left", ncol=3, fontsize=8)
    ax[1].plot(t[1:], x[1:, 0], lw=0.8, color="0.5", label="sensor 0, next sample")
    ax[1].plot(ts, pred[:, 0], lw=0.8, color="C3", label="forecast (golden = RTL)")
    ax[1].set_ylabel("sensor 0")
    ax[1].legend(loc="upper left", fontsize=8)
    ax[2].plot(ts, err, lw=0.8, color="C0", label="forecast error")
    ax[2].axhline(threshold, color="C3", ls="--", lw=1, label="threshold")
    hit = err > threshold
    ax[2].plot(ts[hit], err[hit], "r.", ms=3, label="detection")
    ax[2].set_ylabel("|error|")
    ax[2].set_xlabel("sample")
    ax[2].legend(loc="upper left", fontsize=8)
    for a in ax:
        a.axvline(TRAIN, color="k", lw=0.8, ls=":")
        for s, e in events:
            a.axvspan(s, e, color="orange", alpha=0.25, lw=0)
    ax[0].set_title("Streaming event detection: one sample per call, state kept (events shaded)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def airline_stream(out: Path, epochs: int, reuse: int, force: bool) -> dict:
    """Train a forecaster on the airline windows, stream the whole series through it
    (golden, then the RTL streaming design), score and plot the forecasts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from fpga_rnn.datasets import airline_series

    fpga_rnn.train_model(
        "airline", out / "airline", arch="lstm", units=8, epochs=epochs, force=force
    )
    ir = fpga_rnn.load_model(out / "airline" / "ir")
    z, split, mu, sd = airline_series()
    forecast = fpga_rnn.Stream(ir).run(z[:-1, None])[:, 0]
    passengers = np.exp(z * sd + mu)
    pred = np.exp(forecast * sd + mu)  # forecast[t] is for month t + 1
    test = slice(split - 1, len(z) - 1)
    err = np.abs(pred[test] - passengers[1:][test])
    naive = np.abs(passengers[:-1][test] - passengers[1:][test])
    ver = fpga_rnn.verify(
        ir, z[None, :-1, None], targets=("rtl",), reuse=reuse, stateful=True, chunk=1
    )
    fig, ax = plt.subplots(figsize=(10, 4))
    months = np.arange(len(z))
    ax.plot(months, passengers, color="0.4", lw=1.2, label="passengers")
    ax.plot(months[1:], pred, color="C3", lw=1.0, label="streamed forecast (golden = RTL)")
    ax.axvline(split, color="k", ls=":", lw=0.8)
    ax.text(split + 1, passengers.max() * 0.95, "test part", fontsize=8)
    ax.set_xlabel("month since Jan 1949")
    ax.set_ylabel("passengers (thousands)")
    ax.set_title("Airline series streamed month by month, state kept between calls")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "airline.png", dpi=110)
    plt.close(fig)
    r = ver["targets"]["rtl"]
    return {
        "months": len(z),
        "test_months": int(err.size),
        "mean_abs_error_passengers": float(err.mean()),
        "naive_mean_abs_error_passengers": float(naive.mean()),
        "rtl_mismatches": r["mismatches"],
        "rtl_bit_exact": r["bit_exact"],
        "rtl_sample_latency_cycles": r["sample_latency_cycles"],
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("runs/streaming"))
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--reuse", type=int, default=8, help="RTL reuse factor")
    ap.add_argument("--airline-epochs", type=int, default=150, help="0: skip the airline part")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(0)
    x, events = make_stream(rng)
    xw, yw = windows(x[:TRAIN])
    model, tf = build_model()
    tf.keras.utils.set_random_seed(0)
    model.fit(xw, yw, epochs=args.epochs, batch_size=64, validation_split=0.1, verbose=2)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save(args.out / "model.keras")
    ir = fpga_rnn.import_model(model, args.out / "ir", force=args.force)

    # golden: one sample per call, the state kept from call to call (no window)
    stream = fpga_rnn.Stream(ir)
    pred = np.stack([stream.step(s) for s in x[:-1]])
    err_all = np.abs(pred - x[1:]).max(axis=1)
    # the normal band: the error on the training part, after the first window
    threshold = float(np.quantile(err_all[WINDOW:TRAIN], 0.999) * 1.5)
    offset = TRAIN  # detections are scored on the part after training
    err = err_all[offset - 1 :]
    found = detect(err, threshold, events, offset)

    # the whole stream through the RTL streaming design, one sample per tlast burst
    rtl_part = x[:-1][None]
    stages = {"mac_stages": 6, "lane_stages": 3}  # the deepest pipeline: the fastest clock
    ver = fpga_rnn.verify(
        ir, rtl_part, targets=("rtl",), reuse=args.reuse, stateful=True, chunk=1, **stages
    )
    r = ver["targets"]["rtl"]
    clock = fpga_rnn.estimate_clock("ulx3s-85f", **stages)
    plot(args.out / "streaming.png", x, pred[offset - 1 :], err, threshold, events, offset)
    result = {
        "stream_samples": LENGTH,
        "train_windows": len(xw),
        "forecast_median_abs_error_normal": float(np.median(err_all[WINDOW:TRAIN])),
        "threshold": threshold,
        **found,
        "rtl": {
            "samples": r["samples"],
            "chunks": r["chunks"],
            "mismatches": r["mismatches"],
            "bit_exact": r["bit_exact"],
            "sample_latency_cycles": r["sample_latency_cycles"],
            "cycles_per_sample": r["cycles_per_sample"],
            "clock_mhz": clock["mhz"],
            "clock_basis": clock["basis"],
            "sample_latency_ns": round(r["sample_latency_cycles"] * 1e3 / clock["mhz"], 1),
        },
    }
    if args.airline_epochs:
        result["airline"] = airline_stream(args.out, args.airline_epochs, args.reuse, args.force)
    (args.out / "streaming.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
