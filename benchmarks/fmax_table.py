"""Clock and latency of the RTL cores, unpipelined vs pipelined, side by side in one run.

    python benchmarks/fmax_table.py [--cases lstm:16:80 gru:16:56 lstm:32:256]
                                    [--board ulx3s-85f] [--variants 0,0 4,1 4,2]
                                    [--clock-mhz 125] [--out runs/fmax] [--json fmax.json]
                                    [--precision "ap_fixed<16,6>"] [--write]
                                    [--xilinx-board pynq-z2]

For each layer (random IR at ap_fixed<16,6>, 12 inputs, 20 steps, softmax head of 5, as
benchmarks/board_table.py) and each pipeline variant ``MAC,LANE`` (``mac_stages``,
``lane_stages``): Verilator measures the cycles of one 20-step sequence (bit-exact
with golden), yosys + nextpnr (timing-driven at ``--clock-mhz``) measure Fmax, the
critical path and LUT4/FF/MULT18/EBR; µs per sequence is cycles / Fmax. yosys also
gives the logic depth (fpga_rnn.levels) of the same design's ECP5 netlist and, mapped
for ``--xilinx-board``'s 7-series part, its 7-series depth with the clock that depth
implies (an estimate: see fpga_rnn.timing). ``--write`` adds the measured Fmax and the
depths to fpga_rnn/timing_model.json (what `fit` estimates clocks from; a run replaces
earlier figures of the same layer and stages). The defaults
are the ULX3S-85F rows of the board table (docs/results.md). A 16-unit ECP5 design
places and routes in about 8-10 minutes on two cores, a 32-unit one in about 25.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from fpga_rnn.backends.rtl.build import design, write
from fpga_rnn.ir import random as rir
from fpga_rnn.synth import synthesize
from fpga_rnn.verification import verify

X, T, CLASSES = 12, 20, 5


def model(kind: str, units: int, precision: str = "ap_fixed<16,6>"):
    layers = [
        {"kind": kind, "units": units},
        {"kind": "dense", "units": CLASSES, "activation": "softmax"},
    ]
    return rir.model(
        layers, features=X, timesteps=T, seed=units, name=f"{kind}{units}", precision=precision
    )


def row(kind: str, units: int, reuse: int, mac: int, lane: int, a: argparse.Namespace) -> dict:
    m = model(kind, units, a.precision)
    tag = f"{kind}{units}-r{reuse}-m{mac}l{lane}"
    d = design(m, reuse, mac_stages=mac, lane_stages=lane)
    rtl = write(d, a.out / tag / "rtl", force=True)
    x = np.random.default_rng(0).uniform(-1, 1, (8, T, X))
    ver = verify(m, x, reuse=reuse, mac_stages=mac, lane_stages=lane, backpressure=0, gap=0)
    r = ver["targets"]["rtl"]
    t0 = time.perf_counter()
    s = synthesize(
        rtl, a.board, clock_mhz=a.clock_mhz, force=True, progress=lambda msg: print(f"  {msg}")
    ).to_dict()
    fmax = s["fmax_mhz"]
    la = d.info["layers"][0]
    xl = None
    if a.xilinx_board:
        xs = synthesize(rtl, a.xilinx_board, out=a.out / tag / "synth-xilinx", force=True)
        xl = (xs.logic_levels or {}).get("levels")
    return {
        "layer": f"{kind.upper()}({units})" + ("" if "16,6" in a.precision else f" {a.precision}"),
        "reuse": reuse,
        "mac_stages": mac,
        "lane_stages": lane,
        "cycles_per_step": la["cycles_per_step"],
        "latency_cycles": r["latency_cycles"],
        "bit_exact": ver["bit_exact"],
        "fmax_mhz": fmax,
        "us_per_sequence": round(r["latency_cycles"] / fmax, 2) if fmax else None,
        "ns_per_step": round(1000 * la["cycles_per_step"] / fmax, 1) if fmax else None,
        "critical_path": s["critical_path"],
        "levels": (s["logic_levels"] or {}).get("levels"),
        "xilinx_levels": xl,
        **{k: s["resources"].get(k) for k in ("lut", "ff", "dsp", "bram")},
        "pnr_seconds": round(time.perf_counter() - t0, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=["lstm:16:80", "gru:16:56", "lstm:32:256"])
    ap.add_argument("--board", default="ulx3s-85f")
    ap.add_argument("--variants", nargs="+", default=["0,0", "4,1", "4,2"])
    ap.add_argument("--clock-mhz", type=float, default=125.0)
    ap.add_argument("--precision", default="ap_fixed<16,6>", help="weights and activations")
    ap.add_argument("--out", type=Path, default=Path("runs/fmax"))
    ap.add_argument("--json", type=Path)
    ap.add_argument("--write", action="store_true", help="update fpga_rnn/timing_model.json")
    ap.add_argument("--xilinx-board", default="pynq-z2", help="7-series depth ('' to skip)")
    a = ap.parse_args()
    rows = []
    head = f"{'layer':9s} {'reuse':>5s} {'mac,lane':>8s} {'cyc/step':>8s} {'cycles':>7s} "
    head += f"{'Fmax':>6s} {'us':>7s} {'ns/step':>7s} {'LUT4':>6s} {'FF':>6s} {'MULT':>4s} "
    head += f"{'EBR':>4s} {'lvl':>4s} {'xlvl':>4s} {'exact':>5s}  critical path"
    print(head, flush=True)
    for case in a.cases:
        kind, units, reuse = case.split(":")
        base = None
        for v in a.variants:
            mac, lane = (int(n) for n in v.split(","))
            r = row(kind, int(units), int(reuse), mac, lane, a)
            rows.append(r)
            base = base or r
            if base["us_per_sequence"] and r["us_per_sequence"]:
                r["speedup_vs_first"] = round(base["us_per_sequence"] / r["us_per_sequence"], 2)
            cp = r["critical_path"] or {}
            print(
                f"{r['layer']:9s} {r['reuse']:5d} {v:>8s} {r['cycles_per_step']:8d} "
                f"{r['latency_cycles']:7d} {r['fmax_mhz'] or 0:6.1f} "
                f"{r['us_per_sequence'] or 0:7.2f} {r['ns_per_step'] or 0:7.1f} "
                f"{r['lut']:6.0f} {r['ff']:6.0f} {r['dsp']:4.0f} {r['bram']:4.0f} "
                f"{r['levels'] or 0:4d} {r['xilinx_levels'] or 0:4d} "
                f"{'yes' if r['bit_exact'] else 'NO':>5s}  {cp.get('delay_ns')} ns "
                f"{cp.get('from', '')[:50]} -> {cp.get('to', '')[:50]}"
                + (f"  ({r['speedup_vs_first']}x)" if "speedup_vs_first" in r else ""),
                flush=True,
            )
    if a.json:
        a.json.write_text(json.dumps(rows, indent=2) + "\n")
    if a.write:
        write_timing_model(rows, a.board)


def write_timing_model(rows: list[dict], board: str) -> None:
    """Merge the measured Fmax into the package's timing model, per family and stages."""
    from fpga_rnn import timing
    from fpga_rnn.boards import load_board
    from fpga_rnn.synth import family_kind

    path = Path(timing.__file__).with_name(timing.MODEL_FILE)
    data = json.loads(path.read_text())
    fam = data.setdefault("families", {}).setdefault(family_kind(load_board(board)), {})
    for r in rows:
        if not r["fmax_mhz"]:
            continue
        runs = fam.setdefault(timing.key(r["mac_stages"], r["lane_stages"]), [])
        runs[:] = [x for x in runs if (x["layer"], x["reuse"]) != (r["layer"], r["reuse"])]
        keep = ("layer", "reuse", "fmax_mhz", "levels", "xilinx_levels")
        runs.append({k: r[k] for k in keep if r.get(k) is not None} | {"board": board})
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"updated {path}")


if __name__ == "__main__":
    main()
