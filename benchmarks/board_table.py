"""One table: LSTM/GRU layers fitted to boards, with measured latency and resources.

    python benchmarks/board_table.py [--units 16 32 64] [--boards pynq-z2 ulx3s-85f]
                                     [--max-utilisation 0.8] [--out runs/bench]
                                     [--json table.json]

For each layer kind and size (random IR at ap_fixed<16,6>, 12 inputs, 20 steps, softmax head of
5), ``fpga-rnn fit`` picks the fastest parallelism within 80 % of the board (or
``--max-utilisation``: open place-and-route of a nearly full ECP5 takes hours) and
synthesizes it (yosys; nextpnr Fmax on ECP5/iCE40), then Verilator measures the
latency of one 20-step sequence. Figures: reuse, cycles, µs at the board clock (and
at Fmax where measured), LUT, FF, DSP, BRAM, and the resource model's LUT/FF error
against that synthesis (Xilinx).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from fpga_rnn.boards import load_board
from fpga_rnn.fit import FitError, fit
from fpga_rnn.ir import random as rir
from fpga_rnn.verification import verify

X, T, CLASSES = 12, 20, 5


def row(kind: str, units: int, board: str, out: Path, max_utilisation: float = 0.8) -> dict:
    b = load_board(board)
    m = rir.model(
        [
            {"kind": kind, "units": units},
            {"kind": "dense", "units": CLASSES, "activation": "softmax"},
        ],
        features=X,
        timesteps=T,
        seed=units,
        name=f"{kind}{units}",
    )
    t0 = time.perf_counter()
    try:
        f = fit(m, b, out / f"{kind}{units}-{board}", max_utilisation=max_utilisation, force=True)
    except FitError as e:
        return {"kind": kind, "units": units, "board": board, "fits": False, "reason": str(e)}
    c = f["chosen"]
    x = np.random.default_rng(0).uniform(-1, 1, (8, T, X))
    rtl = verify(m, x, targets=("golden", "rtl"), reuse=c["reuse"], backpressure=0, gap=0)
    r = rtl["targets"]["rtl"]
    fmax = c.get("fmax_mhz")
    model_err = (f.get("resource_model") or {}).get("error", {})
    return {
        "kind": kind,
        "units": units,
        "board": board,
        "fits": True,
        "reuse": c["reuse"],
        "latency_cycles": r["latency_cycles"],
        "latency_us": round(r["latency_cycles"] / b.clock_mhz, 3),
        "latency_us_at_fmax": round(r["latency_cycles"] / fmax, 3) if fmax else None,
        "bit_exact": rtl["bit_exact"],
        **{k: c["resources"].get(k) for k in ("lut", "ff", "dsp", "bram")},
        "fmax_mhz": fmax,
        "model_error": model_err,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, nargs="+", default=[16, 32, 64])
    ap.add_argument("--kinds", nargs="+", default=["lstm", "gru"])
    ap.add_argument("--boards", nargs="+", default=["pynq-z2", "ulx3s-85f"])
    ap.add_argument("--max-utilisation", type=float, default=0.8)
    ap.add_argument("--out", type=Path, default=Path("runs/bench"))
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    rows = []
    head = f"{'layer':10s} {'board':10s} {'reuse':>5s} {'cycles':>7s} {'us':>7s} "
    head += f"{'LUT':>7s} {'FF':>7s} {'DSP':>5s} {'BRAM':>5s} {'Fmax':>6s} {'us@Fmax':>7s} "
    head += "model LUT/FF"
    print(head, flush=True)
    for kind in a.kinds:
        for units in a.units:
            for board in a.boards:
                r = row(kind, units, board, a.out, a.max_utilisation)
                rows.append(r)
                name = f"{kind}({units})"
                if not r["fits"]:
                    print(f"{name:10s} {board:10s} does not fit: {r['reason']}", flush=True)
                    continue
                fmax = f"{r['fmax_mhz']:.0f}" if r["fmax_mhz"] else "-"
                at_fmax = f"{r['latency_us_at_fmax']:.2f}" if r["latency_us_at_fmax"] else "-"
                me = r["model_error"]
                err = (
                    f"{100 * me['lut']:+.1f}%/{100 * me['ff']:+.1f}%"
                    if me.get("lut") is not None and me.get("ff") is not None
                    else "-"
                )
                print(
                    f"{name:10s} {board:10s} {r['reuse']:5d} {r['latency_cycles']:7d} "
                    f"{r['latency_us']:7.2f} {r['lut']:7.0f} {r['ff']:7.0f} {r['dsp']:5.0f} "
                    f"{r['bram']:5.1f} {fmax:>6s} {at_fmax:>7s} {err}",
                    flush=True,
                )
    if a.json:
        a.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
