"""Peak memory of ``fpga-rnn predict`` on a large batch, this checkout next to another.

    python benchmarks/predict_memory.py [--samples 20000] [--repo OTHER_CHECKOUT ...]

JapaneseVowels test sequences (aeon's bundled copy, 29 steps x 12 features, zero
padded) tiled to ``--samples``, through an LSTM(16) -> Dense(9, softmax) IR at
``ap_fixed<16,6>`` (random weights: memory does not depend on them). Each run is a
fresh ``python -m fpga_rnn.cli predict`` process; its peak resident set size is read
with ``getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper process per run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WRAPPER = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
dt = time.perf_counter() - t0
if r.returncode:
    sys.exit(r.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, dt)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=20_000)
    ap.add_argument("--repo", type=Path, nargs="*", default=[], help="other checkouts to compare")
    a = ap.parse_args()
    from fpga_rnn.datasets import japanese_vowels
    from fpga_rnn.ir import random as rir

    x = japanese_vowels().x_test
    x = np.resize(x, (a.samples, *x.shape[1:])).astype(np.float64)
    model = rir.model(
        [{"kind": "lstm", "units": 16}, {"kind": "dense", "units": 9, "activation": "softmax"}],
        features=x.shape[-1],
        name="jv_lstm16",
    )
    print(f"input {x.shape} ({x.nbytes / 2**20:.0f} MiB float64)")
    with tempfile.TemporaryDirectory(prefix="frnn-mem-") as tmp:
        d = Path(tmp)
        model.save(d / "ir")
        np.save(d / "x.npy", x)
        outputs = {}
        for repo in [ROOT, *a.repo]:
            env = {**os.environ, "PYTHONPATH": str(repo.resolve())}
            y = d / f"y{len(outputs)}.npy"
            cmd = [sys.executable, "-m", "fpga_rnn.cli", "predict", str(d / "ir")]
            cmd += ["--input", str(d / "x.npy"), "--out", str(y)]
            r = subprocess.run(
                [sys.executable, "-c", WRAPPER, *cmd],
                env=env,
                capture_output=True,
                text=True,
                cwd=d,
            )
            if r.returncode:
                sys.exit(f"{repo}: {r.stderr.strip()}")
            kb, secs = r.stdout.split()
            outputs[repo] = np.load(y)
            print(f"{repo}: peak RSS {int(kb) / 1024:,.0f} MiB, {float(secs):.1f} s")
        first = next(iter(outputs.values()))
        same = all(np.array_equal(first, v) for v in outputs.values())
        print(f"outputs identical across checkouts: {same}")


if __name__ == "__main__":
    main()
