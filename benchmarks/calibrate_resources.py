"""Fit the resource model (fpga_rnn/resource_model.json) against yosys.

    python benchmarks/calibrate_resources.py [--jobs 2] [--cache DIR] [--write]
                                             [--only frnn_window,frnn_pool]

Synthesizes a grid of designs (every recurrent kind at several sizes and reuse
factors, with dense/softmax heads, and the stream cores) for a Xilinx 7-series
part, whose netlist keeps the hierarchy, so every core instance has its own
LUT/FF/BRAM count. Fits each module's coefficients by non-negative least squares
and prints, per core, the error of the fit and the leave-one-design-out error
(the model predicting a design it was not fitted on). ``--write`` stores the
coefficients and those errors in the package. ``--only`` synthesizes just the designs
holding those modules and refits only them, keeping every other module's fit (a new
core kind need not re-run the whole grid).
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from fpga_rnn import resources
from fpga_rnn.backends.rtl.build import design, digest, write
from fpga_rnn.ir import random as rir
from fpga_rnn.synth import synthesize

BOARD = "pynq-z2"
PRECISION = "ap_fixed<16,6>"
HEAD = [{"kind": "dense", "units": 5, "activation": "softmax"}]
# name, layers, input features, reuse[, precision (default ap_fixed<16,6>)]
GRID: list[tuple] = []
# (units, reuse) per kind ("gru" serves both reset_after variants); LSTM(16) r14,
# GRU(32) r32, LSTM(64) r132 and GRU(64) r96 are what `fit` picks on the PYNQ-Z2
SIZES = {
    "lstm": ((8, 4), (8, 16), (16, 8), (16, 14), (16, 32), (24, 48), (64, 132)),
    "gru": ((8, 16), (16, 32), (24, 48), (32, 32), (64, 96)),
}
for kind, extra in (("lstm", {}), ("gru", {}), ("gru", {"reset_after": False}), ("simple_rnn", {})):
    for units, reuse in SIZES.get(kind, ((8, 16), (16, 32), (24, 48))):
        name = f"{kind}{'_rb' if extra else ''}{units}_r{reuse}"
        GRID.append((name, [{"kind": kind, "units": units, **extra}, *HEAD], 12, reuse))
GRID += [
    ("gru8_head9", [{"kind": "gru", "units": 8}, {**HEAD[0], "units": 9}], 12, 16),
    ("rnn8_head12", [{"kind": "simple_rnn", "units": 8}, {**HEAD[0], "units": 12}], 12, 16),
    ("lstm12_x6_r6", [{"kind": "lstm", "units": 12}, *HEAD], 6, 6),
    ("gru6_x4_r3", [{"kind": "gru", "units": 6}, *HEAD], 4, 3),
    ("rnn12_x8_r4", [{"kind": "simple_rnn", "units": 12, "activation": "relu"}, *HEAD], 8, 4),
    (
        "gru8_mlp",
        [
            {"kind": "gru", "units": 8},
            {"kind": "dense", "units": 16, "activation": "relu"},
            {"kind": "dense", "units": 4, "activation": "softmax"},
        ],
        6,
        8,
    ),
    (
        "bidir",
        [
            {
                "kind": "bidirectional",
                "merge": "concat",
                "forward": {"kind": "lstm", "units": 6},
                "backward": {"kind": "lstm", "units": 6},
            },
            {"kind": "dense", "units": 4, "activation": "sigmoid"},
        ],
        5,
        8,
    ),
    (
        "stack_act",
        [
            {"kind": "gru", "units": 6, "return_sequences": True},
            {"kind": "simple_rnn", "units": 5, "go_backwards": True},
            {"kind": "dense", "units": 8, "activation": "relu"},
            {"kind": "dense", "units": 3, "activation": "softmax"},
        ],
        4,
        6,
    ),
    # dense cores of other shapes: wide and nearly parallel, narrow and serial
    (
        "rnn4_mlp24_r2",
        [
            {"kind": "simple_rnn", "units": 4},
            {"kind": "dense", "units": 24, "activation": "relu"},
            {"kind": "dense", "units": 10, "activation": "softmax"},
        ],
        4,
        2,
    ),
    (
        "rnn6_mlp12_r12",
        [
            {"kind": "simple_rnn", "units": 6},
            {"kind": "dense", "units": 12, "activation": "relu"},
            {"kind": "dense", "units": 6, "activation": "softmax"},
        ],
        3,
        12,
        "ap_fixed<12,5>",
    ),
    # trained-model-like formats: narrow weights and states, wide accumulators,
    # unsigned softmax outputs
    (
        "lstm16_p8_head9",
        [{"kind": "lstm", "units": 16}, {**HEAD[0], "units": 9}],
        12,
        14,
        "ap_fixed<8,3>",
    ),
    (
        "gru12_p10_head6",
        [{"kind": "gru", "units": 12}, {**HEAD[0], "units": 6}],
        8,
        8,
        "ap_fixed<10,4>",
    ),
    (
        "rnn8_p8_mlp",
        [
            {"kind": "simple_rnn", "units": 8},
            {"kind": "dense", "units": 6, "activation": "relu"},
            {"kind": "dense", "units": 3, "activation": "softmax"},
        ],
        5,
        4,
        "ap_fixed<8,2>",
    ),
    # window front-ends (Conv1D, pooling) before the recurrent layer
    (
        "conv8_k3_pool2_gru8",
        [
            {"kind": "conv1d", "units": 8, "kernel_size": 3, "padding": "causal"},
            {"kind": "pooling1d", "op": "max", "pool": 2},
            {"kind": "gru", "units": 8},
            *HEAD,
        ],
        6,
        8,
    ),
    (
        "conv16_k5_s2_avg2_lstm8",
        [
            {"kind": "conv1d", "units": 16, "kernel_size": 5, "strides": 2},
            {"kind": "pooling1d", "op": "average", "pool": 2},
            {"kind": "lstm", "units": 8},
            *HEAD,
        ],
        12,
        16,
    ),
    (
        "conv4_d2_same_max3_conv6_rnn6",
        [
            {"kind": "conv1d", "units": 4, "kernel_size": 3, "dilation": 2, "padding": "same"},
            {"kind": "pooling1d", "op": "max", "pool": 3, "strides": 1},
            {"kind": "conv1d", "units": 6, "kernel_size": 1},
            {"kind": "simple_rnn", "units": 6},
            *HEAD,
        ],
        3,
        4,
    ),
    (
        "conv8_k7_avg4_gru8_p8",
        [
            {"kind": "conv1d", "units": 8, "kernel_size": 7, "padding": "causal"},
            {"kind": "pooling1d", "op": "average", "pool": 4},
            {"kind": "gru", "units": 8},
            *HEAD,
        ],
        8,
        8,
        "ap_fixed<8,3>",
    ),
]


def _design(cfg: tuple):
    _, layers, features, reuse, *precision = cfg
    m = rir.model(layers, features=features, seed=1, precision=(precision or [PRECISION])[0])
    return design(m, reuse)


def _modules(cfg: tuple) -> set[str]:
    return {i["module"] for i in _design(cfg).info["instances"]}


def run(cfg: tuple, cache: Path) -> dict:
    name = cfg[0]
    d = _design(cfg)
    folder = cache / f"{name}-{digest(d)[:8]}"  # a changed core or plan synthesizes anew
    out = folder / "synth.json"
    if out.exists():
        # same digest, same hardware; the instance records are the current ones
        return {**json.loads(out.read_text()), "instances": d.info["instances"]}
    rtl = write(d, folder / "rtl", force=True)
    r = synthesize(rtl, BOARD, out=folder / "synth", force=True).to_dict()
    rec = {
        "name": name,
        "instances": d.info["instances"],
        "measured": {k: v["synthesized"] for k, v in r["instances"].items()},
    }
    out.write_text(json.dumps(rec))
    print(f"  {name}: {r['resources']} ({r['seconds']['yosys']} s)", flush=True)
    return rec


def samples(records: list[dict]) -> dict[str, list[tuple[str, dict, dict]]]:
    """module -> [(design, features, measured)]"""
    out: dict[str, list] = {}
    for rec in records:
        for inst in rec["instances"]:
            meas = rec["measured"].get(inst["name"])
            if meas is None:
                continue
            f = resources.FEATURES[inst["module"]](inst["params"])
            out.setdefault(inst["module"], []).append((rec["name"], f, meas))
    return out


def fit(rows: list[tuple[str, dict, dict]], resource: str) -> dict[str, float]:
    """Non-negative coefficients minimizing the squared *relative* errors: each core
    instance counts alike (an absolute fit lets the largest cores decide and leaves
    small ones tens of percent off). Block RAM counts (mostly 0 or 1 per core) keep
    the absolute fit."""
    keys = sorted({k for _, f, _ in rows for k in f})
    b = np.array([m[resource] for _, _, m in rows], float)
    w = np.ones_like(b) if resource == "bram" else 1.0 / np.maximum(b, 1.0)
    a = np.array([[f.get(k, 0.0) for k in keys] for _, f, _ in rows]) * w[:, None]
    scale = np.maximum(np.abs(a).max(axis=0), 1e-9)  # conditioning
    c, _ = nnls(a / scale, b * w)
    return {k: float(v / s) for k, v, s in zip(keys, c, scale, strict=True) if v > 0}


def _design_errors(
    rows_by_module: dict[str, list[tuple[str, dict, dict]]], model: dict
) -> dict[str, dict[str, float]]:
    """Per calibration design: (sum of predicted cores - sum of measured) / measured."""
    pred: dict[str, dict[str, float]] = {}
    real: dict[str, dict[str, float]] = {}
    for module, rows in rows_by_module.items():
        for name, f, m in rows:
            for r in ("lut", "ff"):
                pred.setdefault(name, {}).setdefault(r, 0.0)
                real.setdefault(name, {}).setdefault(r, 0.0)
                pred[name][r] += resources.linear(model[module][r], f)
                real[name][r] += m[r]
    return {n: {r: round((pred[n][r] - real[n][r]) / real[n][r], 4) for r in pred[n]} for n in pred}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cache", default="build/calibration")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated modules to refit alone")
    a = ap.parse_args()
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)
    only = {m for m in a.only.split(",") if m}
    grid = [g for g in GRID if not only or _modules(g) & only]
    print(f"synthesizing {len(grid)} designs for {BOARD} (cached in {cache})", flush=True)
    with ProcessPoolExecutor(a.jobs) as ex:
        records = list(ex.map(run, grid, [cache] * len(grid)))
    old = json.loads(resources.MODEL_FILE.read_text()) if only else {}
    model: dict[str, dict] = dict(old.get("families", {}).get("xilinx", {}))
    report: dict[str, dict] = dict(old.get("calibration_errors", {}).get("xilinx", {}))
    print(f"{'core':>16} {'n':>3} {'res':>4} {'fit err':>8} {'LOO err':>8}  (max |pred-real|/real)")
    by_module = samples(records)
    for module, rows in sorted(by_module.items()):
        if only and module not in only:
            continue
        model[module] = {}
        report[module] = {"samples": len(rows)}
        for r in resources.RESOURCES:
            coef = fit(rows, r)
            model[module][r] = coef
            fit_err = [abs(resources.linear(coef, f) - m[r]) / m[r] for _, f, m in rows if m[r]]
            loo = []
            for name in sorted({n for n, _, _ in rows}):
                train = [x for x in rows if x[0] != name]
                if not train:
                    continue
                c = fit(train, r)
                held = [(f, m) for n, f, m in rows if n == name and m[r]]
                loo += [abs(resources.linear(c, f) - m[r]) / m[r] for f, m in held]
            report[module][r] = {
                "fit_max_error": round(max(fit_err), 4) if fit_err else None,
                "fit_mean_error": round(float(np.mean(fit_err)), 4) if fit_err else None,
                "loo_max_error": round(max(loo), 4) if loo else None,
                "loo_mean_error": round(float(np.mean(loo)), 4) if loo else None,
            }
            e = report[module][r]
            fe = "-" if e["fit_max_error"] is None else f"{e['fit_max_error']:.1%}"
            le = "-" if e["loo_max_error"] is None else f"{e['loo_max_error']:.1%}"
            print(f"{module:>16} {len(rows):>3} {r:>4} {fe:>8} {le:>8}")
    designs = _design_errors(by_module, model)
    if only:  # the other designs' errors stand as measured when their cores were fitted
        designs = {**old.get("design_errors", {}).get("xilinx", {}), **designs}
    worst_lut = max(abs(d["lut"]) for d in designs.values())
    worst_ff = max(abs(d["ff"]) for d in designs.values())
    print(f"whole designs (sum of cores): worst LUT {worst_lut:.1%}, worst FF {worst_ff:.1%}")
    if a.write:
        doc = {
            "about": "fitted by benchmarks/calibrate_resources.py against yosys synth_xilinx",
            "board": BOARD,
            "designs": [g[0] for g in GRID if g in grid or not only]
            + [n for n in old.get("designs", []) if n not in {g[0] for g in grid}],
            "families": {"xilinx": model},
            "calibration_errors": {"xilinx": report},
            "design_errors": {"xilinx": designs},
        }
        resources.MODEL_FILE.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {resources.MODEL_FILE}")


if __name__ == "__main__":
    main()
