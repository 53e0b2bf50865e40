"""Sweeps on this machine: the same grid on Ray with 1 and with 2 concurrent trials
(wall time, ratio), then (--full) the JapaneseVowels grid of issue #21.

    python benchmarks/sweep_scaling.py [--full] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from fpga_rnn.sweep import sweep

SMALL = {"dataset": "japanese-vowels", "arch": ["lstm", "gru"], "units": [8], "bits": [8],
         "seeds": 2, "boards": ["pynq-z2"]}  # fmt: skip
FULL = {"dataset": "japanese-vowels", "arch": ["lstm", "gru"], "units": [8, 16, 32],
        "bits": [4, 6, 8], "seeds": 3, "boards": ["pynq-z2", "ulx3s-85f"]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    work = a.out or Path(tempfile.mkdtemp(prefix="frnn-sweep-"))
    times = {}
    for n in (1, 2):
        t0 = time.perf_counter()
        sweep(SMALL, work / f"small-{n}", max_concurrent=n, force=True, progress=print)
        times[n] = round(time.perf_counter() - t0, 1)
    report = {"small_grid_trials": 4, "seconds_1_worker": times[1], "seconds_2_workers": times[2],
              "speedup": round(times[1] / times[2], 2)}  # fmt: skip
    print(json.dumps(report, indent=2))
    if not a.full:
        return
    t0 = time.perf_counter()
    s = sweep(FULL, work / "full", force=True, progress=print)
    report["full_seconds"] = round(time.perf_counter() - t0, 1)
    report["full_trials"] = s["trials"]
    report["full_failed"] = s["failed"]
    confs = s["configurations"]
    best = max((c for c in confs if c["board"] == "pynq-z2" and c["bits"] <= 8),
               key=lambda c: c["quality_mean"])  # fmt: skip
    report["best_at_most_8_bits"] = {k: best[k] for k in ("config", "quality_mean", "quality_std")}
    fronts = json.loads((work / "full" / "pareto.json").read_text())["fronts"]
    for board in FULL["boards"]:
        front = fronts[board]["us_per_sequence"]
        rows = [c for c in confs if c["board"] == board and c["config"] in front]
        report[f"front_{board}"] = [
            {
                k: c[k]
                for k in (
                    "config",
                    "quality_mean",
                    "us_per_sequence",
                    "reuse",
                    "dsp",
                    "lut",
                    "clock_mhz",
                    "clock_basis",
                )
            }
            for c in sorted(rows, key=lambda c: c["us_per_sequence"])
        ]
    print(json.dumps(report, indent=2))
    (work / "scaling.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
