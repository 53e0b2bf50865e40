"""A design's hardware cost, from the planner and the resource model (no synthesis).

The numbers are `fpga-rnn fit`'s for the same IR: :func:`fpga_rnn.fit.ranked` gives
every candidate (reuse × pipeline stages) with its multipliers, cycles per step, clock
estimate and predicted LUT/FF/BRAM, and the ones predicted to fit the board, fastest
first. The designer shows the fastest that fits (fit's first choice), or the reuse the
person picked, and the Pareto front of all candidates.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache
from typing import Any

from fpga_rnn import timing
from fpga_rnn.backends.rtl.build import design as rtl_design
from fpga_rnn.backends.rtl.plan import sequence_lower_bound
from fpga_rnn.boards import available_boards, load_board
from fpga_rnn.designer.spec import Design, parse, to_ir
from fpga_rnn.errors import FpgaRnnError
from fpga_rnn.fit import FitError, candidate_row, ranked
from fpga_rnn.synth import family_kind

RESOURCES = ("lut", "ff", "dsp", "bram")


def boards() -> list[dict[str, Any]]:
    """The built-in boards: name, part and resources."""
    out = []
    for name in sorted(available_boards()):
        b = load_board(name)
        out.append({"name": b.name, "part": b.part, "resources": dict(b.resources)})
    return out


def pareto(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Candidates no other beats on both multipliers and time per step."""
    key = "est_us_per_step"
    front = []
    for r in sorted(rows, key=lambda r: (r["multipliers"], r.get(key, r["cycles_per_step"]))):
        t = r.get(key, r["cycles_per_step"])
        if not front or t < front[-1].get(key, front[-1]["cycles_per_step"]):
            front.append(r)
    return front


@lru_cache(maxsize=64)
def _ranked(doc_key: str, board: str, max_utilisation: float) -> tuple[Any, ...]:
    d, _ = parse(json.loads(doc_key))
    assert d is not None
    ir = to_ir(d)
    b = load_board(board)
    try:
        fitting, rows = ranked(ir, b, max_utilisation)
        return ir, b, [c for c, _ in fitting], rows, None
    except FitError as e:
        return ir, b, [], [], str(e)


def cost(
    doc: Any,
    board: str,
    *,
    timesteps: int | None = None,
    reuse: int | None = None,
    max_utilisation: float = 0.8,
) -> dict[str, Any]:
    """The cost of a design on ``board``: problems (and nothing else) when it is not
    valid; else parameters, the chosen candidate (``reuse`` or fit's first choice),
    cycles per step and per sequence of ``timesteps`` (default: the design's), µs at
    the clock estimate, resources and utilisation against the board, whether it fits
    and why not, and the Pareto front of the candidates."""
    t0 = time.perf_counter()
    d, problems = parse(doc)
    if d is None:
        return {"ok": False, "problems": [p.to_json() for p in problems]}
    if board not in available_boards():
        raise FpgaRnnError(f"unknown board {board!r:.40}; see `fpga-rnn boards`")
    key = json.dumps(d.to_json(), sort_keys=True)
    ir, b, fitting, rows, no_fit = _ranked(key, board, max_utilisation)
    steps = timesteps or d.timesteps
    out: dict[str, Any] = {
        "ok": True,
        "problems": [],
        "model": _model_summary(d, ir),
        "board": {"name": b.name, "part": b.part, "resources": dict(b.resources)},
        "max_utilisation": max_utilisation,
        "candidates": len(rows),
        "pareto": pareto(rows),
    }
    chosen = _chosen(ir, b, fitting, rows, reuse, steps)
    if chosen is not None:
        row, dsg = chosen
        per_step = int(row["cycles_per_step"])
        seq = max(sequence_lower_bound(dsg.info["layers"], steps), per_step * ir.steps(steps))
        mhz = row.get("clock", {}).get("mhz")
        used = {**row.get("predicted", {}), "dsp": row["multipliers"]}
        util = {k: used[k] / b.resources[k] for k in RESOURCES if k in used and b.resources[k]}
        over = [k.upper() for k, u in util.items() if u > max_utilisation]
        out |= {
            "chosen": {k: v for k, v in row.items() if k != "predicted"},
            "multipliers": row["multipliers"],
            "cycles_per_step": per_step,
            "timesteps": steps,
            "cycles_per_sequence": seq,
            "clock_mhz": mhz,
            "clock_basis": row.get("clock", {}).get("basis"),
            "us_per_sequence": round(seq / mhz, 3) if mhz else None,
            "resources": used,
            "utilisation": {k: round(v, 4) for k, v in util.items()},
            "fits": not over and no_fit is None,
            "why_not": no_fit
            or (
                f"over {max_utilisation:.0%} of the board on {', '.join(over)} at reuse "
                f"{row['reuse']}; raise the reuse or shrink the model"
                if over
                else None
            ),
        }
    else:
        out |= {"fits": False, "why_not": no_fit}
    out["seconds"] = round(time.perf_counter() - t0, 4)
    return out


def _chosen(ir, b, fitting, rows, reuse, steps):
    """(row, design): the candidate at ``reuse`` (unpipelined, as `fpga-rnn rtl
    --reuse`), else fit's first choice, else the smallest candidate."""
    if reuse is not None:
        dsg = rtl_design(ir, reuse)
        row = candidate_row(dsg, steps, timing.estimate(b, 0, 0), family_kind(b))
        return row, dsg
    pick = fitting[0] if fitting else (min(rows, key=lambda r: r["multipliers"]) if rows else None)
    if pick is None:
        return None
    return pick, rtl_design(ir, pick["reuse"], None, pick["mac_stages"], pick["lane_stages"])


def _model_summary(d: Design, ir: Any) -> dict[str, Any]:
    rows = ir.summary()
    return {
        "parameters": int(sum(r["params"] for r in rows)),
        "layers": [
            {
                "name": r["name"],
                "kind": r["kind"],
                "output_shape": list(r["output_shape"]),
                "params": int(r["params"]),
            }
            for r in rows
        ],
        "output_shape": list(ir.output_shape),
    }
