"""RTL latency vs the lower bound (docs/latency.md), and RTL simulation throughput.

    python benchmarks/rtl_latency.py [--units 32] [--json out.json]

For LSTM, GRU and GRU reset_after=False layers (H units, 12 inputs, 25 steps:
JapaneseVowels-sized) at several reuse factors (cycles each multiplier may take
per MAC pass; 1 = fully parallel), one clean Verilator run each: measured cycles
per sequence and per step next to the bound ceil(G*H*(X+H)/M) + chain per step
(M = MAC multipliers).
Then the simulation throughput of the fully parallel LSTM on 2,000 sequences of
7..29 steps (the harness streams in Verilog; Python is not called per cycle).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from fpga_rnn.backends.rtl.build import design
from fpga_rnn.backends.rtl.plan import sequence_lower_bound
from fpga_rnn.backends.rtl.sim import simulate
from fpga_rnn.golden.model import prepare_input
from fpga_rnn.ir import random as rir

X, T = 12, 25


# benchmarked layer kinds: name -> random-IR layer arguments
KINDS = {
    "lstm": {"kind": "lstm"},
    "gru": {"kind": "gru"},
    "gru_rb": {"kind": "gru", "reset_after": False},
}


def measure(kind: str, units: int, reuse: int) -> dict:
    m = rir.model([{**KINDS[kind], "units": units}], features=X, seed=1)
    d = design(m, reuse)
    x = np.random.default_rng(0).uniform(-1, 1, (20, T, X))
    codes = list(prepare_input(m, x).codes)
    r = simulate(d, codes, [1] * len(codes))
    lat = int(r.last_out[0] - r.first_in[0])
    bound = sequence_lower_bound(d.info["layers"], T)
    la = d.info["layers"][0]
    return {
        "kind": kind,
        "units": units,
        "reuse": reuse,
        "mac_multipliers": la["mac_multipliers"],
        "multipliers": la["multipliers"],
        "latency_cycles": lat,
        "cycles_per_step": lat / T,
        "lower_bound_cycles": bound,
        "ratio": lat / bound,
        "ii_cycles": int(np.median(np.diff(r.first_in))),
        "build_seconds": round(r.build_seconds, 1),
    }


def throughput(units: int, n: int = 2000) -> dict:
    m = rir.model([{"kind": "lstm", "units": units}], features=X, seed=1)
    d = design(m, 1)
    rng = np.random.default_rng(1)
    lens = rng.integers(7, 30, n)
    codes = [prepare_input(m, rng.uniform(-1, 1, (1, t, X))).codes[0] for t in lens]
    simulate(d, codes[:10], [1] * 10)  # build (cached) before timing
    t0 = time.perf_counter()
    r = simulate(d, codes, [1] * n)
    wall = time.perf_counter() - t0
    return {
        "sequences": n,
        "simulated_cycles": r.cycles,
        "run_seconds": r.seconds,
        "sequences_per_second": n / r.seconds,
        "cycles_per_second": r.cycles / r.seconds,
        "wall_seconds_incl_setup": wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=32)
    ap.add_argument("--reuse", default="1,2,4,8,16,32")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    rows = []
    print(
        f"{'layer':>10} {'reuse':>5} {'MACs':>6} {'mults':>6} {'cycles':>7} "
        f"{'cyc/step':>8} {'bound':>6} {'ratio':>6} {'II':>6}"
    )
    for kind in KINDS:
        for reuse in (int(r) for r in a.reuse.split(",")):
            row = measure(kind, a.units, reuse)
            rows.append(row)
            print(
                f"{kind + '(' + str(a.units) + ')':>10} {reuse:>5} {row['mac_multipliers']:>6} "
                f"{row['multipliers']:>6} {row['latency_cycles']:>7} "
                f"{row['cycles_per_step']:>8.2f} {row['lower_bound_cycles']:>6} "
                f"{row['ratio']:>6.3f} {row['ii_cycles']:>6}",
                flush=True,
            )
    tp = throughput(a.units)
    print(
        f"simulation: LSTM({a.units}) fully parallel, {tp['sequences']} sequences of 7..29 "
        f"steps: {tp['sequences_per_second']:.0f} sequences/s "
        f"({tp['cycles_per_second'] / 1e3:.0f} k cycles/s)"
    )
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"latency": rows, "throughput": tp}, f, indent=2)


if __name__ == "__main__":
    main()
