"""A sweep's results as tables: one row per trial and board (``sweep.csv``,
``sweep.json``), the seeds of a configuration aggregated (mean ± std), and the Pareto
front per board of fixed-point quality against estimated µs (``pareto.json``)."""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np

from fpga_rnn.sweep.spec import config_key

COLUMNS = [
    "id", "config", "arch", "units", "layers", "bits", "int_bits", "state_bits", "seed", "status",
    "board",
    "quality", "float_quality", "fits", "reuse", "mac_stages", "lane_stages", "multipliers",
    "cycles_per_step", "cycles_per_sequence_bound", "clock_mhz", "clock_basis",
    "us_per_sequence", "dsp", "lut", "ff", "bram", "why", "error", "seconds", "trial_dir",
]  # fmt: skip


HW_KEYS = (
    "why", "reuse", "mac_stages", "lane_stages", "multipliers", "cycles_per_step",
    "us_per_sequence", "clock_mhz", "clock_basis", "dsp", "lut", "ff", "bram",
)  # fmt: skip


def quality(scores: dict[str, Any] | None) -> float | None:
    """One number, higher is better: accuracy for classification, -RMSE otherwise."""
    if not scores:
        return None
    if "accuracy" in scores:
        return float(scores["accuracy"])
    if "rmse" in scores:
        return -float(scores["rmse"])
    return None


def quality_name(results: list[dict[str, Any]]) -> str:
    tasks = {r.get("task") for r in results if r.get("task")}
    return "accuracy" if tasks <= {"classification"} else "-RMSE"


def rows(results: list[dict[str, Any]], boards: list[str]) -> list[dict[str, Any]]:
    """One row per trial and board."""
    out = []
    for r in results:
        c = r["config"]
        base = {k: c[k] for k in ("arch", "units", "layers", "bits", "int_bits", "seed")}
        base["state_bits"] = c.get("state_bits", 0)
        base |= {"id": r["id"], "config": config_key(c), "status": r["status"]}
        base |= {"quality": quality(r.get("golden")), "float_quality": quality(r.get("float"))}
        base |= {"error": r.get("error"), "seconds": r.get("seconds")}
        base |= {"trial_dir": r.get("trial_dir")}
        for b in boards:
            hw = (r.get("boards") or {}).get(b, {})
            out.append({**base, "board": b, **hw})
    return out


def to_csv(table: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore")
    w.writeheader()
    for row in table:
        w.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in COLUMNS})
    return buf.getvalue()


def aggregate(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per configuration and board: quality mean ± std over the seeds that finished;
    the hardware figures (the same for every seed: the design depends on the shapes)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in table:
        groups.setdefault((row["config"], row["board"]), []).append(row)
    out = []
    for (cfg, board), members in groups.items():
        ok = [m for m in members if m["status"] == "ok" and m["quality"] is not None]
        q = np.array([m["quality"] for m in ok], float)
        fq = np.array([m["float_quality"] for m in ok if m["float_quality"] is not None], float)
        hw = next((m for m in ok if m.get("fits")), ok[0] if ok else members[0])
        out.append(
            {
                "config": cfg,
                "board": board,
                **{k: hw.get(k) for k in ("arch", "units", "layers", "bits", "int_bits")},
                "state_bits": hw.get("state_bits", 0),
                "seeds": len(members),
                "seeds_ok": len(ok),
                "quality_mean": float(q.mean()) if len(q) else None,
                "quality_std": float(q.std()) if len(q) else None,
                "float_quality_mean": float(fq.mean()) if len(fq) else None,
                "fits": bool(hw.get("fits")),
                **{k: hw.get(k) for k in HW_KEYS},
                "ids": [m["id"] for m in members],
            }
        )
    return out


def pareto(points: list[dict[str, Any]], cost: str) -> list[str]:
    """Configurations not beaten on both quality (higher) and ``cost`` (lower)."""
    usable = [
        p for p in points if p["fits"] and p["quality_mean"] is not None and p.get(cost) is not None
    ]
    front = []
    for p in usable:
        beaten = any(
            (o[cost] <= p[cost] and o["quality_mean"] >= p["quality_mean"])
            and (o[cost] < p[cost] or o["quality_mean"] > p["quality_mean"])
            for o in usable
        )
        if not beaten:
            front.append(p["config"])
    return sorted(front, key=lambda c: next(p[cost] for p in usable if p["config"] == c))


COSTS = ("us_per_sequence", "dsp", "lut")


def fronts(agg: list[dict[str, Any]], boards: list[str]) -> dict[str, dict[str, list[str]]]:
    """Per board, per cost: the Pareto-optimal configurations (cheapest first)."""
    return {b: {c: pareto([a for a in agg if a["board"] == b], c) for c in COSTS} for b in boards}
