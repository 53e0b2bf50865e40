"""The JapaneseVowels model on the simulated board: every test sequence through
pyserial -> pty -> Verilator (UART pins, frnn_link, the core) -> back, compared with
golden; the link's throughput beside the UART's limit; optionally the bitstream.

    python benchmarks/board_link.py [--model IR_DIR] [--board ulx3s-85f] [--bitstream]

Without --model it trains the flow's default model (LSTM(16), 8 bits) first.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

import fpga_rnn
from fpga_rnn.device.protocol import REQUEST_HEADER, RESPONSE_HEADER, beat_bytes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, help="an IR directory (default: train one)")
    ap.add_argument("--x", type=Path, help="inputs .npy (default: the training run's x_test)")
    ap.add_argument("--board", default="ulx3s-85f")
    ap.add_argument("--bitstream", action="store_true", help="also place, route and pack")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    work = a.out or Path(tempfile.mkdtemp(prefix="frnn-board-"))
    model, x = a.model, a.x
    if model is None:
        t0 = time.perf_counter()
        fpga_rnn.train_model("japanese-vowels", work / "train", units=16, progress=print)
        print(f"trained in {time.perf_counter() - t0:.0f} s")
        model, x = work / "train" / "ir", work / "train" / "x_test.npy"
    assert x is not None, "--x is needed with --model"
    xs = np.load(x)
    # the board design first (enough for the simulated board), the bitstream after it
    r = fpga_rnn.build_bitstream(model, a.board, work / "board", design_only=True, force=True)
    t0 = time.perf_counter()
    with fpga_rnn.open_device("sim", model, design=work / "board") as dev:
        t_start = time.perf_counter() - t0
        pr = dev.predict(xs, saturate=True, progress=print)
        info = dev.info
    # the simulated line's time scaled to the real baud rate: simulated cycles are bit
    # times of CLKS_PER_BIT (the INFO exchange included) plus the core's own cycles
    cpb = info.clks_per_bit
    chip = int(pr.cycles.sum())
    line_cycles = (dev.simulated_cycles or 0) - chip
    s = pr.to_dict()
    t_build = None
    if a.bitstream:
        t0 = time.perf_counter()
        r = fpga_rnn.build_bitstream(
            model, a.board, work / "bitstream", force=True, progress=print,
            allow_timing_fail=True,
        )  # fmt: skip
        t_build = round(time.perf_counter() - t0, 1)
    frame_in = 2 + REQUEST_HEADER + 2  # sync, header, CRC
    frame_out = 2 + RESPONSE_HEADER + 4 + 2
    payload_out = len(pr.codes) * beat_bytes(info.out_width) * info.max_out
    line_bytes = s["bytes_sent"] + s["bytes_received"]
    print(
        json.dumps(
            {
                "board": a.board,
                "design": r["design"],
                "clock_mhz": r["clock"]["mhz"],
                "baud": r["baud"],
                "fmax_mhz": r.get("fmax_mhz"),
                "bitstream_seconds": r.get("seconds"),
                "bitstream_build_seconds": t_build,
                "meets_clock": r.get("meets_clock"),
                "critical_path": r.get("critical_path"),
                "resources": r.get("resources"),
                "sim_start_seconds": round(t_start, 1),
                **s,
                "frame_overhead_bytes": [frame_in, frame_out],
                "payload_out_bytes": payload_out,
                # at the real baud rate, 10 bits a byte on each direction in turn
                "uart_seconds_at_baud": round(line_bytes * 10 / r["baud"], 3),
                "uart_sequences_per_second_at_baud": round(
                    len(pr.codes) / (line_bytes * 10 / r["baud"]), 1
                ),
                "on_chip_us_mean": round(float(pr.us.mean()), 2),
                "simulated_cycles": dev.simulated_cycles,
                "simulated_line_seconds_at_baud": round(
                    line_cycles / cpb / r["baud"] + chip / (r["clock"]["mhz"] * 1e6), 3
                ),
                "simulated_sequences_per_second_at_baud": round(
                    len(pr.codes)
                    / (line_cycles / cpb / r["baud"] + chip / (r["clock"]["mhz"] * 1e6)),
                    1,
                ),
            },
            indent=2,
        )
    )
    assert s["mismatches"] == 0, "the board's outputs differ from golden"


if __name__ == "__main__":
    main()
