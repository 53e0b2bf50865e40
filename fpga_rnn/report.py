"""``report.html``: one self-contained page (images embedded) from a flow directory's JSON."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from fpga_rnn.boards import Board
from fpga_rnn.escape import html_text as esc
from fpga_rnn.html_page import Safe, document
from fpga_rnn.html_page import image as _img
from fpga_rnn.html_page import table as _table
from fpga_rnn.outputs import atomic_file, read_json


def _resource_model_html(rm: dict | None) -> str:
    """Per-core LUT/FF/BRAM: the resource model next to yosys."""
    if not rm:
        return "<p>No LUT/FF/BRAM model for this family: synthesis figures only.</p>"

    def pct(e: float | None) -> str:
        return "-" if e is None else f"{100 * e:+.1f} %"

    rows = []
    for name, c in rm.get("cores", {}).items():
        p, r, e = c["predicted"], c["synthesized"], c["error"]
        rows.append(
            [f"{name} ({c['module']})"]
            + [f"{p[k]:g} / {r[k]:g} ({pct(e[k])})" for k in ("lut", "ff", "bram")]
        )
    p, r, e = rm["predicted"], rm["synthesized"], rm["error"]
    rows.append(
        ["whole design"] + [f"{p[k]:g} / {r[k]:g} ({pct(e[k])})" for k in ("lut", "ff", "bram")]
    )
    return "<p>Resource model (predicted / synthesized, error) per core:</p>" + _table(
        ["core", "LUT", "FF", "BRAM"], rows
    )


def _hls_card(hls: dict[str, Any]) -> str:
    if not hls.get("available"):
        return "n/a"
    return "bit-exact" if hls.get("bit_exact") else "MISMATCH"


def _hls_paragraph(hls: dict[str, Any]) -> str:
    prj = hls.get("project")
    if not prj:
        return ""
    return (
        f"<p>HLS project (hls4ml {esc(prj['hls4ml_version'])}, "
        f"{esc(prj['backend'])}, part {esc(prj['part'])}, "
        f"{float(prj['clock_mhz']):g} MHz) in <code>hls/</code>; its C-simulation (our kernels, "
        f"g++) ran the test set in {hls.get('csim_seconds', 0):.2f} s. Build it with "
        f"<code>cd hls &amp;&amp; {esc(prj['build_command'])}</code>.</p>"
    )


def _card_score(d: dict[str, Any]) -> str:
    """A short value for a card: accuracy in %, else the metrics."""
    if "accuracy" in d:
        return f"{100 * d['accuracy']:.2f} %"
    return _score(d)


def _score(d: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:.4g}" for k, v in d.items())


def _board_html(bits: dict[str, Any]) -> str:
    """The bitstream and the simulated board's run (open-toolchain boards only)."""
    if not bits.get("bitstream"):
        return ""
    c, sim = bits.get("clock", {}), bits.get("simulated_board", {})
    pll = f"PLL from the {c.get('osc_mhz')} MHz oscillator" if c.get("pll") else "the oscillator"
    return f"""<h2>On the board</h2>
<p>Bitstream <code>bitstream/{esc(bits["bitstream"])}</code> ({esc(bits.get("bitstream_bytes"))}
bytes): clock {esc(c.get("mhz"))} MHz ({esc(pll)}); nextpnr measured Fmax
{esc(bits.get("fmax_mhz"))} MHz ({"meets" if bits.get("meets_clock") else "MISSES"} the clock);
serial link {float(bits.get("baud", 0)):.0f} baud. On the simulated board (the same link,
UART and core in Verilator, driven through a pseudo-terminal by the host runtime) the
core took {float(sim.get("cycles_mean") or 0):.0f} cycles per sequence
({float(sim.get("us_mean") or 0):.2f} µs at the board clock), counted on the chip.
Load it with <code>fpga-rnn program {esc(str(Path("bitstream")))} --board
{esc(bits.get("board", ""))}</code>.</p>
"""


def write_report(out: Path, *, board: Board) -> Path:
    """Write ``out/report.html`` from train/, fit/, verify.json, hls.json, flow.json."""
    from fpga_rnn import plots

    out = Path(out)
    metrics = read_json(out / "train" / "metrics.json")
    fitted = read_json(out / "fit" / "fit.json")
    verified = read_json(out / "verify.json")
    hls = read_json(out / "hls.json")
    state = read_json(out / "flow.json")
    cfg = state.get("config", {})
    chosen = fitted.get("chosen", {})
    res = chosen.get("resources", {})
    util_png = out / "fit" / "utilisation.png"
    if res:
        plots.utilisation(res, board.resources, util_png, f"{board.name} ({board.part})")
    rtl = verified.get("targets", {}).get("rtl", {})
    lat = rtl.get("latency_cycles")
    bound = rtl.get("lower_bound_cycles")
    fmax = chosen.get("fmax_mhz")
    # the clock the µs figures use: nextpnr's Fmax, else an estimate or the board clock
    clock = float(fitted.get("clock_mhz") or board.clock_mhz)
    basis = fitted.get("clock_basis") or "assumed: the board clock"
    at = f"{clock:g} MHz, {basis}"

    def mark(ok: bool | None) -> Safe:
        if ok is None:
            return Safe('<span class="na">n/a</span>')
        return Safe('<span class="ok">yes</span>' if ok else '<span class="bad">NO</span>')

    ds = metrics.get("dataset", {})
    cards = [
        ("float model", _card_score(metrics.get("float", {}))),
        ("fixed point (golden)", _card_score(metrics.get("golden", {}))),
        ("RTL vs golden", "bit-exact" if rtl.get("bit_exact") else "MISMATCH"),
        ("HLS C-sim vs golden", _hls_card(hls)),
        ("latency", f"{lat} cycles" if lat is not None else "n/a"),
        ("per sequence", f"{lat / clock:.2f} µs ({at})" if lat else "n/a"),
    ]
    for k in ("dsp", "lut"):
        if k in res and board.resources.get(k):
            cards.append(
                (f"{k.upper()} on {board.name}", f"{100 * res[k] / board.resources[k]:.0f} %")
            )
    from fpga_rnn.ir import Model

    layers = [
        [r["name"], r["kind"], str(r["output_shape"]), r["params"]]
        for r in Model.load(out / "train" / "ir").summary()
    ]
    verify_rows = []
    for t, v in verified.get("targets", {}).items():
        verify_rows.append([t, v.get("mismatches", "-"), mark(v.get("bit_exact"))])
    for t, v in read_json(out / "c.json").get("targets", {}).items():
        label = "C, host gcc" if t == "c" else "C, Cortex-M4 (QEMU)"
        verify_rows.append([label, v.get("mismatches", "-"), mark(v.get("bit_exact"))])
    if hls.get("available"):
        verify_rows.append(["hls (C-sim, g++)", hls.get("mismatches", "-"), mark(hls["bit_exact"])])
    else:
        reason = esc(hls.get("reason", "not run"))
        verify_rows.append(["hls (C-sim)", "-", Safe(f'<span class="na">{reason}</span>')])
    bits = read_json(out / "bitstream" / "bitstream.json")
    sim_board = bits.get("simulated_board", {})
    if sim_board:
        verify_rows.append(
            [
                "board (simulated: UART link via pyserial)",
                sim_board.get("mismatches", "-"),
                mark(sim_board.get("mismatches") == 0),
            ]
        )
    floatcmp = verified.get("float", {})
    res_rows = [
        [k.upper(), f"{v:g}", board.resources.get(k, "-"), f"{100 * v / board.resources[k]:.1f} %"]
        for k, v in res.items()
        if board.resources.get(k)
    ]
    cand_rows = [
        [
            c["reuse"],
            f"{c.get('mac_stages', 0)}/{c.get('lane_stages', 0)}",
            c["multipliers"],
            c["cycles_per_step"],
            c["lower_bound_cycles"],
            f"{c['clock']['mhz']:g} ({c['clock']['basis']})" if "clock" in c else "-",
        ]
        for c in fitted.get("candidates", [])
    ]
    model_html = _resource_model_html(fitted.get("resource_model"))
    cmd = ["fpga-rnn", "flow", "--out", str(out)]
    for k in ("dataset", "board", "arch", "units", "bits", "epochs", "seed"):
        if k in cfg:
            cmd += [f"--{k}", str(cfg[k])]
    if cfg.get("c_export"):
        cmd.append("--c-export")
    stage_rows = [[k, f"{v.get('seconds', 0):.1f} s"] for k, v in state.get("stages", {}).items()]
    body = f"""
<h1>fpga-rnn report: {esc(metrics.get("model", "model"))} on {esc(board.name)}</h1>
<p class="sub">{esc(ds.get("name", ""))}: {esc(ds.get("description", ""))};
{esc(ds.get("train", "?"))} train / {esc(ds.get("test", "?"))} test sequences.
Board {esc(board.description)}, part {esc(board.part)}, clock {board.clock_mhz:g} MHz.</p>
<div class="cards">{
        "".join(f"<div class='card'>{esc(k)}<b>{esc(v)}</b></div>" for k, v in cards)
    }</div>

<h2>Model</h2>
{_table(["layer", "kind", "output shape", "parameters"], layers)}
<p>{esc(metrics.get("parameters", "?"))} parameters; {
        esc(json.dumps(metrics.get("config", {}).get("model", {})))
    };
state/activations {esc(metrics.get("config", {}).get("precision", ""))}.</p>

<h2>Training</h2>
<div class="imgs">{_img(out / "train" / "training.png", "training curves")}</div>
<p>{esc(metrics.get("epochs_run", "?"))} epochs (best {esc(metrics.get("best_epoch", "?"))}),
{float(metrics.get("train_seconds", 0)):.0f} s. Float {esc(_score(metrics.get("float", {})))};
fixed point (golden model) {esc(_score(metrics.get("golden", {})))}.</p>
<div class="imgs">{_img(out / "train" / "confusion.png", "confusion matrices")}
{_img(out / "train" / "predictions.png", "predictions")}
{_img(out / "train" / "error_hist.png", "golden vs float error histogram")}</div>

<h2>Verification (same {esc(verified.get("samples", "?"))} test sequences)</h2>
<p>Each target is compared bit for bit with the golden fixed-point model, the reference.</p>
{_table(["target", "mismatches vs golden", "bit-exact"], verify_rows)}
<p>Golden vs float Keras: max |error| {esc(floatcmp.get("max_abs_error", "n/a"))},
argmax agreement {esc(floatcmp.get("argmax_agreement", "n/a"))}.
RTL ran in Verilator with random input gaps and output backpressure.</p>
{_hls_paragraph(hls)}

{_board_html(bits)}
<h2>Latency</h2>
{
        _table(
            ["", "cycles", f"µs at {at}"],
            [
                [
                    "measured (RTL, one sequence)",
                    lat,
                    f"{lat / clock:.2f}" if lat else "-",
                ],
                [
                    "lower bound (docs/latency.md)",
                    bound,
                    f"{bound / clock:.2f}" if bound else "-",
                ],
                ["initiation interval", rtl.get("initiation_interval_cycles", "-"), "-"],
            ],
        )
    }
<p>Measured / bound = {f"{lat / bound:.2f}" if lat and bound else "n/a"};
{float(rtl.get("cycles_per_timestep", 0)):.2f} cycles per time step. The bound counts every
layer's MAC passes and each recurrent step's dependency chain; a softmax head's serial
exp look-ups and dividers come on top of it.</p>

<h2>Resources ({esc(board.part)}, reuse {esc(chosen.get("reuse", "?"))}, pipeline stages
MAC {esc(chosen.get("mac_stages", 0))} / lane {esc(chosen.get("lane_stages", 0))})</h2>
<div class="imgs">{_img(util_png, "utilisation")}</div>
{_table(["resource", "used", "available", "utilisation"], res_rows)}
<p>Synthesized with yosys ({esc(board.synth)}).
Fmax: {
        f"{fmax:.1f} MHz (nextpnr)"
        if fmax
        else "not measured: no open place-and-route for this family"
    }.
DSP model error {esc(fitted.get("dsp_model_error", "n/a"))} (predicted vs synthesized).</p>
{model_html}
<p>Designs considered (fit picks the one with the least time per step at its clock
that fits {100 * float(fitted.get("max_utilisation", 0.8)):.0f} % of the board; a clock
is measured only after place-and-route, before it is an estimate or the board's):</p>
{
        _table(
            [
                "reuse",
                "stages MAC/lane",
                "multipliers",
                "cycles/step",
                "bound (cycles/sequence)",
                "clock MHz",
            ],
            cand_rows,
        )
    }

<h2>Reproduce</h2>
<pre>{esc(shlex.join(cmd))}</pre>
{_table(["stage", "time"], stage_rows)}
"""
    page = document("fpga-rnn report", body)
    path = out / "report.html"
    with atomic_file(path, force=True) as tmp:
        tmp.write_text(page)
    return path
