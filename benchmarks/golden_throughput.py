"""Golden-model throughput vs Keras predict vs hls4ml's compiled C-simulation.

    python benchmarks/golden_throughput.py [--batch 1000] [--json out.json]

Model: LSTM(32) on 20x12 inputs with a Dense(5) softmax head, ap_fixed<16,6>.
All three run on the same inputs in one process, so the ratios are side by side.
hls4ml C-sim (Vitis backend, io_parallel, stock LSTM kernel) is compiled once
with g++ (not timed) and then timed on predict().
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--skip-hls", action="store_true", help="omit the hls4ml C-sim column")
    args = ap.parse_args()

    import fpga_rnn
    from fpga_rnn.keras_import.importer import _tf

    tf, _ = _tf()
    tf.keras.utils.set_random_seed(0)
    L = tf.keras.layers
    inp = L.Input((20, 12))
    model = tf.keras.Model(inp, L.Dense(5, activation="softmax")(L.LSTM(32)(inp)))
    x = np.random.default_rng(0).uniform(-1, 1, (args.batch, 20, 12))
    ir = fpga_rnn.import_model(model)

    rows: dict[str, float] = {}
    rows["golden (fpga-rnn, bit-exact)"] = args.batch / best_of(lambda: fpga_rnn.predict(ir, x))
    rows["keras predict (float)"] = args.batch / best_of(
        lambda: model.predict(x, batch_size=args.batch, verbose=0)
    )
    if not args.skip_hls:
        import hls4ml

        cfg = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
        with tempfile.TemporaryDirectory() as d:
            hm = hls4ml.converters.convert_from_keras_model(
                model, hls_config=cfg, output_dir=d, backend="Vitis", io_type="io_parallel"
            )
            t = time.perf_counter()
            hm.compile()
            print(f"hls4ml compile: {time.perf_counter() - t:.1f} s (not counted)")
            xc = np.ascontiguousarray(x.astype(np.float32))
            rows["hls4ml 1.3.0 C-sim"] = args.batch / best_of(lambda: hm.predict(xc), repeats=1)

    base = rows.get("hls4ml 1.3.0 C-sim")
    print(f"\nLSTM(32), 20x12 inputs, batch {args.batch}")
    print(f"{'implementation':34s} {'samples/s':>12s} {'vs hls4ml C-sim':>16s}")
    for name, sps in rows.items():
        ratio = f"{sps / base:.1f}x" if base else "-"
        print(f"{name:34s} {sps:12.0f} {ratio:>16s}")
    if args.json:
        summary = {"batch": args.batch, "samples_per_second": rows}
        args.json.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
