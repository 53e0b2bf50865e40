"""Design-space sweeps on Ray: train every configuration of a grid (architecture ×
units × bits × integer bits × layers × seeds), score its fixed-point model, and fit it
to each board with the plan and the resource model; then the accuracy / latency /
resource trade-off as tables, Pareto fronts and a page.

Writes into ``out``: ``trials/ID/`` (each trial's training run and ``result.json``),
``sweep.csv`` and ``sweep.json`` (one row per trial and board), ``pareto.json``,
``sweep.html`` and ``plots/``.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fpga_rnn.errors import FpgaRnnError, OutputExistsError
from fpga_rnn.outputs import atomic_file, write_json
from fpga_rnn.sweep import engine, results
from fpga_rnn.sweep.page import write_page
from fpga_rnn.sweep.spec import SweepSpec, load_spec

__all__ = ["SweepSpec", "load_spec", "sweep"]


def sweep(
    spec: SweepSpec | dict[str, Any],
    out: str | Path,
    *,
    address: str | None = None,
    max_concurrent: int | None = None,
    resume: bool = False,
    synthesize_front: bool = False,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run (or, with ``resume``, finish) a sweep in ``out``; returns sweep.json's content.

    ``address``: a Ray cluster's head (``HOST:PORT``); default a local Ray instance.
    ``max_concurrent``: trials at a time (default: the cluster's CPUs).
    ``synthesize_front``: synthesize each board's Pareto-optimal designs (quality vs
    µs) with ``fit`` (yosys, nextpnr on ECP5/iCE40), as Ray tasks, into ``out/front/``.
    """
    s = spec if isinstance(spec, SweepSpec) else SweepSpec(**spec)
    s.validate()
    if address:
        engine.check_address(address)
    out = Path(out)
    state = out / "spec.json"
    if out.exists() and any(out.iterdir()):
        if force:
            shutil.rmtree(out)
        elif not resume:
            raise OutputExistsError(
                f"{out} holds a sweep: --resume to finish it, or --force to start again"
            )
        elif state.exists() and json.loads(state.read_text()) != s.to_dict():
            raise OutputExistsError(
                f"{out} holds a sweep with another grid: use another --out, or --force"
            )
    out.mkdir(parents=True, exist_ok=True)
    write_json(state, s.to_dict())
    say = progress or (lambda _m: None)
    trials = s.grid()
    done = engine.finished(out, trials)
    todo = [t for t in trials if t["id"] not in done]
    if done:
        say(f"sweep: {len(done)} of {len(trials)} trials already ran; running {len(todo)}")
    t0 = time.perf_counter()
    best: list[tuple[float, str]] = []

    def on_result(res: dict[str, Any]) -> None:
        running = res.pop("_running", 0)
        engine.save_result(out, res)
        done[res["id"]] = res
        q = results.quality(res.get("golden"))
        if q is not None:
            best.append((q, res["id"]))
        failed = sum(r["status"] != "ok" for r in done.values())
        top = max(best) if best else None
        say(
            f"sweep: {len(done)}/{len(trials)} done, {running} running, {failed} failed"
            + (f"; best so far {top[0]:.4f} ({top[1]})" if top else "")
            + (f"; {res['id']} failed: {res.get('error')}" if res["status"] != "ok" else "")
        )

    ray_where = address or "local"
    if todo:
        engine.run(
            out, todo, s.boards, address=address, max_concurrent=max_concurrent,
            on_result=on_result, progress=say,
        )  # fmt: skip
    ordered = [done[t["id"]] for t in trials if t["id"] in done]
    table = results.rows(ordered, s.boards)
    agg = results.aggregate(table)
    fronts = results.fronts(agg, s.boards)
    qname = results.quality_name(ordered)
    synthesized = _synthesize_front(out, agg, fronts, address, say) if synthesize_front else {}
    summary = {
        "spec": s.to_dict(),
        "trials": len(trials),
        "ok": sum(r["status"] == "ok" for r in ordered),
        "failed": sum(r["status"] != "ok" for r in ordered),
        "missing": len(trials) - len(ordered),
        "ran_now": len(todo),
        "seconds": round(time.perf_counter() - t0, 1),
        "ray": ray_where,
        "quality": qname,
        "rows": table,
        "configurations": agg,
        "front_synthesized": synthesized,
    }
    write_json(out / "sweep.json", summary)
    write_json(out / "pareto.json", {"quality": qname, "fronts": fronts})
    with atomic_file(out / "sweep.csv", force=True) as tmp:
        tmp.write_text(results.to_csv(table))
    write_page(out, summary, agg, fronts, qname)
    if summary["missing"]:
        raise SweepIncomplete(
            f"{summary['missing']} of {len(trials)} trials did not finish (interrupted?); "
            f"the tables hold the rest: rerun with --resume to finish"
        )
    return summary


def _synthesize_front(
    out: Path,
    agg: list[dict[str, Any]],
    fronts: dict[str, dict[str, list[str]]],
    address: str | None,
    say: Callable[[str], None],
) -> dict[str, dict[str, Any]]:
    """board -> configuration -> fit's figures, for each board's µs front."""
    from fpga_rnn.sweep.trial import synthesize_point

    calls, keys = [], []
    for board, by_cost in fronts.items():
        for cfg in by_cost["us_per_sequence"]:
            point = next(a for a in agg if a["board"] == board and a["config"] == cfg)
            ir = out / "trials" / point["ids"][0] / "ir"
            calls.append((str(ir.resolve()), board, str((out / "front" / board / cfg).resolve())))
            keys.append((board, cfg))
    if not calls:
        return {}
    done = engine.run_tasks(
        synthesize_point, calls, address=address, progress=say, what="front syntheses"
    )
    res: dict[str, dict[str, Any]] = {}
    for (board, cfg), r in zip(keys, done, strict=True):
        res.setdefault(board, {})[cfg] = r
    return res


class SweepIncomplete(FpgaRnnError):
    """Some trials did not run (the sweep was stopped); --resume finishes it."""
