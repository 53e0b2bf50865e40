"""``sweep.html``: per board, fixed-point quality against estimated µs, DSP and LUT,
the Pareto front highlighted, and a table linking every configuration to its runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpga_rnn.escape import html_text as esc
from fpga_rnn.html_page import Safe, document, image, table
from fpga_rnn.outputs import atomic_file
from fpga_rnn.sweep.results import COSTS

LABELS = {"us_per_sequence": "µs per sequence (estimate)", "dsp": "DSP", "lut": "LUT (model)"}


def _plot(points: list[dict[str, Any]], front: list[str], cost: str, qname: str, path: Path,
          title: str) -> Path | None:  # fmt: skip
    from fpga_rnn.plots import _plt

    pts = [
        p for p in points if p["fits"] and p.get(cost) is not None and p["quality_mean"] is not None
    ]
    if not pts:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.8, 3.4), dpi=100)
    for arch in sorted({p["arch"] for p in pts}):
        mine = [p for p in pts if p["arch"] == arch]
        ax.errorbar(
            [p[cost] for p in mine], [p["quality_mean"] for p in mine],
            yerr=[p["quality_std"] or 0 for p in mine], fmt="o", ms=4, alpha=0.7,
            capsize=2, label=arch,
        )  # fmt: skip
    on = sorted((p for p in pts if p["config"] in front), key=lambda p: p[cost])
    ax.plot([p[cost] for p in on], [p["quality_mean"] for p in on], "k--", lw=1,
            label="Pareto front")  # fmt: skip
    ax.scatter([p[cost] for p in on], [p["quality_mean"] for p in on], s=90,
               facecolors="none", edgecolors="k")  # fmt: skip
    for p in on:
        ax.annotate(p["config"], (p[cost], p["quality_mean"]), fontsize=6,
                    xytext=(3, 3), textcoords="offset points")  # fmt: skip
    lo, hi = min(p[cost] for p in pts), max(p[cost] for p in pts)
    if lo > 0 and hi / lo > 20:  # sizes spanning decades
        ax.set_xscale("log")
    ax.set_xlabel(LABELS[cost])
    ax.set_ylabel(f"fixed-point {qname}\n(mean ± std over seeds)")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _synth_cell(syn: dict[str, Any] | None) -> str:
    """What fit measured for a front point (--synthesize-front), else blank."""
    if not syn:
        return ""
    if syn.get("status") != "ok":
        return f"failed: {syn.get('error', '')}"[:120]
    r = syn["resources"]
    fmax = f", Fmax {syn['fmax_mhz']:g} MHz" if syn.get("fmax_mhz") else ""
    return f"reuse {syn['reuse']}: LUT {r.get('lut', 0):g}, DSP {r.get('dsp', 0):g}{fmax}"


def write_page(out: Path, summary: dict[str, Any], agg: list[dict[str, Any]],
               fronts: dict[str, dict[str, list[str]]], qname: str) -> Path:  # fmt: skip
    plots = out / "plots"
    plots.mkdir(exist_ok=True)
    parts = [
        f"<h1>fpga-rnn sweep: {esc(summary['spec']['dataset'])}</h1>",
        f"<p class='sub'>{summary['trials']} trials ({summary['ok']} finished, "
        f"{summary['failed']} failed) in {summary['seconds']:.0f} s on Ray "
        f"({esc(summary['ray'])}); quality is the golden fixed-point model's {esc(qname)} on "
        "the test set; µs, DSP and LUT are estimates from the plan, the resource model and "
        "the family's clock estimate (no synthesis).</p>",
    ]
    for board, by_cost in fronts.items():
        pts = [a for a in agg if a["board"] == board]
        parts.append(f"<h2>{esc(board)}</h2><div class='imgs'>")
        for cost in COSTS:
            png = _plot(pts, by_cost[cost], cost, qname, plots / f"{board}-{cost}.png",
                        f"{board}: {qname} vs {LABELS[cost]}")  # fmt: skip
            if png:
                parts.append(image(png, f"{board} {cost}"))
        parts.append("</div>")
        rows = []
        for p in sorted(
            pts, key=lambda p: (-(p["quality_mean"] or -1e9), p.get("us_per_sequence") or 0)
        ):
            links = Safe(" ".join(f"<a href='trials/{esc(i)}/'>{esc(i.rsplit('-', 2)[1])}</a>"
                                  for i in p["ids"]))  # fmt: skip
            q = (
                "-"
                if p["quality_mean"] is None
                else f"{p['quality_mean']:.4f} ± {p['quality_std']:.4f}"
            )
            star = Safe("<b>front</b>") if p["config"] in by_cost["us_per_sequence"] else ""
            if p["fits"]:
                hw = [p["reuse"], p["cycles_per_step"], f"{p['us_per_sequence']:.2f}",
                      p["dsp"], p["lut"] if p["lut"] is not None else "-"]  # fmt: skip
            else:
                hw = [Safe("<span class='bad'>does not fit</span>")] + ["-"] * 4
            syn = summary.get("front_synthesized", {}).get(board, {}).get(p["config"])
            rows.append([p["config"], q, *hw, star, _synth_cell(syn), links])
        head = ["configuration", qname, "reuse", "cycles/step", "µs (est.)", "DSP",
                "LUT (model)", "Pareto (µs)", "synthesized (fit)", "runs (seeds)"]  # fmt: skip
        parts.append(table(head, rows))
    path = out / "sweep.html"
    with atomic_file(path, force=True) as tmp:
        tmp.write_text(document("fpga-rnn sweep", "\n".join(parts)))
    return path
