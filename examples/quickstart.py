"""Quickstart: train a tiny 8-bit QKeras LSTM, import it, run the bit-exact golden model,
generate its Verilog and its hls4ml project, and prove (Verilator, C-simulation) that
both compute exactly the same; then run it on the simulated ULX3S board over its serial
link, as the host runtime would on a real board.

    python examples/quickstart.py --out runs/quickstart

Shows the Python API a training script uses: ``fpga_rnn.import_model``,
``fpga_rnn.predict``, ``fpga_rnn.compare``, ``fpga_rnn.generate_rtl``,
``fpga_rnn.generate_hls``, ``fpga_rnn.verify``, ``fpga_rnn.build_bitstream``,
``fpga_rnn.open_device`` and ``fpga_rnn.package``. Writes ``model.keras``, ``ir/``,
``rtl/``, ``hls/``, ``board/``, ``pynq/``, ``x_test.npy`` and ``quickstart.json``
(accuracy of float vs fixed point, RTL, HLS and board mismatches, RTL latency).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import fpga_rnn


def make_data(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Noisy sine sequences (20 steps, 2 channels); label = which of 3 frequencies."""
    t = np.arange(20)[None, :]
    y = rng.integers(0, 3, n)
    freq = np.array([0.05, 0.12, 0.2])[y][:, None]
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    s = np.sin(2 * np.pi * freq * t + phase)
    x = np.stack([s, np.cos(2 * np.pi * freq * t + phase)], -1) + rng.normal(0, 0.2, (n, 20, 2))
    return x.astype(np.float32), y


def build_model():
    from fpga_rnn.keras_import.importer import _tf

    tf, qkeras = _tf()
    q8 = "quantized_bits(8,0,alpha=1)"
    inp = tf.keras.Input((20, 2))
    h = qkeras.QLSTM(
        12,
        kernel_quantizer=q8,
        recurrent_quantizer=q8,
        bias_quantizer=q8,
        activation="tanh",
        recurrent_activation="sigmoid",
    )(inp)
    out = qkeras.QDense(3, kernel_quantizer=q8, bias_quantizer=q8, activation="softmax")(h)
    m = tf.keras.Model(inp, out, name="quickstart_qlstm")
    m.compile(
        optimizer=tf.keras.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return m, tf


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("runs/quickstart"))
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--reuse", type=int, default=4, help="RTL reuse factor")
    ap.add_argument("--rtl-samples", type=int, default=200, help="test sequences run in RTL")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(0)
    x_train, y_train = make_data(1500, rng)
    x_test, y_test = make_data(500, rng)
    model, tf = build_model()
    tf.keras.utils.set_random_seed(0)
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=64, verbose=2)

    args.out.mkdir(parents=True, exist_ok=True)
    model.save(args.out / "model.keras")
    np.save(args.out / "x_test.npy", x_test)

    ir = fpga_rnn.import_model(model, args.out / "ir", force=args.force)
    golden = fpga_rnn.predict(ir, x_test)
    cmp = fpga_rnn.compare(model, ir, x_test)
    floats = model.predict(x_test, verbose=0)

    # Verilog for the same IR, then a cycle-level check of it against golden
    rtl = fpga_rnn.generate_rtl(ir, args.out / "rtl", reuse=args.reuse, force=args.force)
    # the hls4ml project for the PYNQ-Z2 (Vitis), C-simulated on the same inputs
    hls = fpga_rnn.generate_hls(ir, args.out / "hls", board="pynq-z2", force=args.force)
    ver = fpga_rnn.verify(ir, x_test[: args.rtl_samples], targets=("golden", "rtl", "hls"))
    r = ver["targets"]["rtl"]
    # the board design for a ULX3S (no synthesis here: design_only), run on the simulated
    # board through its serial link, as on a real board with port="/dev/ttyUSB0"
    fpga_rnn.build_bitstream(
        ir, "ulx3s-85f", args.out / "board", design_only=True, force=args.force
    )
    with fpga_rnn.open_device("sim", ir, design=args.out / "board") as dev:
        board = dev.predict(x_test[: args.rtl_samples])
    # the Zynq package for the PYNQ-Z2: AXI DMA wrapper, Vivado scripts, PYNQ driver
    pynq = fpga_rnn.package(ir, "pynq-z2", args.out / "pynq", reuse=args.reuse, force=args.force)
    result = {
        "float_accuracy": float(np.mean(floats.argmax(-1) == y_test)),
        "golden_accuracy": float(np.mean(golden.argmax(-1) == y_test)),
        **cmp.to_dict(),
        "rtl": {
            "sequences": ver["samples"],
            "mismatches": r["mismatches"],
            "bit_exact": r["bit_exact"],
            "latency_cycles": r["latency_cycles"],
            "lower_bound_cycles": r["lower_bound_cycles"],
            "multipliers": rtl["multipliers"],
        },
        "board_simulated": {
            "mismatches": board.mismatches(),
            "cycles_mean": float(board.cycles.mean()),
            "clock_mhz": board.clock_mhz,
        },
        "pynq_package": {"digest": pynq.digest, "word_format": pynq.word_format},
        "hls": {
            "part": hls["part"],
            "mismatches": ver["targets"]["hls"]["mismatches"],
            "bit_exact": ver["targets"]["hls"]["bit_exact"],
        },
    }
    (args.out / "quickstart.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
