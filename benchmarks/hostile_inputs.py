"""Hostile and malformed input, tried through the CLI as a user (or an attacker) would.

    python benchmarks/hostile_inputs.py [--repo DIR] [--json out.json] [--timeout S]

Each case runs ``python -m fpga_rnn.cli ...`` in a fresh folder and records the exit
code, the last line of stderr, whether a traceback was printed, whether the run was
killed by the timeout (a hang), and whether an injected command left its marker file
(code ran). ``--repo`` runs another checkout of fpga-rnn (its package first on
PYTHONPATH), so an older version can be measured side by side with this one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _ir(d: Path) -> Path:
    from fpga_rnn.ir import random as rir

    m = rir.model(
        [{"kind": "lstm", "units": 4}, {"kind": "dense", "units": 3, "activation": "softmax"}],
        features=3,
        name="m",
    )
    return m.save(d / "ir")


def _edit_ir(src: Path, dst: Path, edit) -> Path:
    import shutil

    shutil.copytree(src, dst)
    doc = json.loads((dst / "ir.json").read_text())
    edit(doc)
    (dst / "ir.json").write_text(json.dumps(doc))
    return dst


def _board(d: Path, fname: str, **changes) -> Path:
    data = yaml.safe_load((ROOT / "boards" / "pynq-z2.yaml").read_text())
    data.update(changes)
    p = d / f"{fname}.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


def _npz(d: Path, name: str, **arrays) -> Path:
    rng = np.random.default_rng(0)
    base = {
        "x_train": rng.normal(size=(40, 6, 3)),
        "y_train": rng.integers(0, 2, 40),
        "x_test": rng.normal(size=(10, 6, 3)),
        "y_test": rng.integers(0, 2, 10),
    }
    base.update(arrays)
    p = d / f"{name}.npz"
    np.savez(p, **base)
    return p


Marker = Path | tuple[Path, str] | None


def cases(d: Path) -> list[tuple[str, list[str], Marker]]:
    """(description, CLI arguments, marker): a file that appears if injected code ran, or
    (folder, text) where the text in a generated file would run in a vendor tool."""
    ir = _ir(d)
    rng = np.random.default_rng(1)
    np.save(d / "x.npy", rng.uniform(-1, 1, (20, 8, 3)))
    np.save(d / "big.npy", rng.uniform(-1, 1, (20, 8, 3)) * 1000)
    np.save(d / "c.npy", np.ones((4, 8, 3)) * (1 + 2j))
    (d / "empty.npy").write_bytes(b"")
    obj = np.empty(2, dtype=object)
    obj[:] = [1, 2]
    np.savez(d / "obj.npz", x=obj)
    (d / "afile").write_text("x")
    pwn_c = d / "PWNED_C"
    c_name = (
        "m */\n#include <stdlib.h>\n__attribute__((constructor)) static void pwn(void) "
        f'{{ system("touch {pwn_c}"); }}\n/* '
    )
    evil_c = _edit_ir(ir, d / "evil_c", lambda doc: doc.update(name=c_name))
    pwn_hls = d / "PWNED_HLS"
    hls_name = f'lstm_0\n#include <cstdlib>\nstatic int pwn = std::system("touch {pwn_hls}");\n//'
    evil_hls = _edit_ir(ir, d / "evil_hls", lambda doc: doc["layers"][0].update(name=hls_name))
    esc_name = "lstm\x1b]0;pwned\x07\x1b[2J"
    evil_term = _edit_ir(ir, d / "evil_term", lambda doc: doc["layers"][0].update(name=esc_name))
    bad_layers = _edit_ir(ir, d / "bad_layers", lambda doc: doc.update(layers=5))
    huge_table = _edit_ir(
        ir, d / "huge_table", lambda doc: doc["layers"][0]["table"].update(size=1 << 40)
    )
    pwn_pnr = d / "PWNED_PNR"
    evil_pnr = _board(
        d,
        "evil_pnr",
        name="evilpnr",
        vendor="lattice",
        family="ice40",
        synth="synth_ice40",
        pnr=f"sh -c touch${{IFS}}{pwn_pnr}",
    )
    evil_tcl = _board(d, "evil_tcl", part='xc7z020"; exec touch PWNED_TCL; "')
    evil_html = _board(d, "evil_html", part="<script>alert(1)</script>")
    nan_clock = _board(d, "nan_clock", clock_mhz=float("nan"))
    zero = _npz(d, "zero", x_train=np.zeros((0, 6, 3)), y_train=np.zeros(0, np.int64))
    strings = _npz(d, "strings", y_train=np.array(["a", "b"] * 20), y_test=np.array(["a"] * 10))
    floats = _npz(d, "floats", y_train=np.zeros(40) + 1.0, y_test=np.zeros(10))
    huge_label = _npz(d, "huge_label", y_train=np.full(40, 100_000))
    rtl = d / "rtl"
    subprocess.run([sys.executable, "-m", "fpga_rnn.cli", "rtl", str(ir), "--out", str(rtl)])
    return [
        ("C: model name closes /* */", ["verify", str(evil_c), "--targets", "golden,c", "--samples", "4"], pwn_c),
        ("HLS: layer name ends // comment", ["verify", str(evil_hls), "--targets", "golden,hls", "--samples", "4"], pwn_hls),
        ("board pnr runs a shell", ["synth", str(rtl), "--board", str(evil_pnr), "--out", str(d / "s1")], pwn_pnr),
        ("Tcl: board part with exec", ["hls", str(ir), "--board", str(evil_tcl), "--out", str(d / "h1"), "--no-csim"], (d / "h1", "exec touch PWNED_TCL")),
        ("HTML: board part <script>", ["hls", str(ir), "--board", str(evil_html), "--out", str(d / "h2"), "--no-csim"], None),
        ("terminal: escape codes in a layer name", ["info", str(evil_term)], None),
        ("terminal: [/] in a path", ["predict", str(ir), "--input", str(d / "a[/]b.npy"), "--out", str(d / "y.npy")], None),
        ("usage: unknown option", ["verify", str(ir), "--bogus"], None),
        ("usage: missing argument", ["rtl"], None),
        ("usage: bad integer", ["verify", str(ir), "--samples", "abc"], None),
        ("object array in .npz", ["predict", str(ir), "--input", str(d / "obj.npz"), "--out", str(d / "y1.npy")], None),
        ("0-byte .npy", ["predict", str(ir), "--input", str(d / "empty.npy"), "--out", str(d / "y2.npy")], None),
        ("complex input", ["predict", str(ir), "--input", str(d / "c.npy"), "--out", str(d / "y3.npy")], None),
        ("ir.json layers is a number", ["info", str(bad_layers)], None),
        ("table size 2^40 in ir.json", ["predict", str(huge_table), "--input", str(d / "x.npy"), "--out", str(d / "y4.npy")], None),
        ("dataset: zero training samples", ["train", "--dataset", str(zero), "--epochs", "1", "--out", str(d / "t1")], None),
        ("dataset: string labels", ["train", "--dataset", str(strings), "--epochs", "1", "--out", str(d / "t2")], None),
        ("dataset: float labels 0/1", ["train", "--dataset", str(floats), "--epochs", "1", "--out", str(d / "t3")], None),
        ("dataset: label 100000", ["train", "--dataset", str(huge_label), "--epochs", "1", "--out", str(d / "t4")], None),
        ("verify --samples -5", ["verify", str(ir), "--samples", "-5"], None),
        ("verify --samples 0", ["verify", str(ir), "--samples", "0"], None),
        ("verify --gap 100", ["verify", str(ir), "--samples", "4", "--gap", "100"], None),
        ("verify --gap -10", ["verify", str(ir), "--samples", "4", "--gap", "-10"], None),
        ("verify --backpressure 150", ["verify", str(ir), "--samples", "4", "--backpressure", "150"], None),
        ("rtl --reuse 0", ["rtl", str(ir), "--out", str(d / "r1"), "--reuse", "0"], None),
        ("rtl --max-timesteps 0", ["rtl", str(ir), "--out", str(d / "r2"), "--max-timesteps", "0"], None),
        ("predict: inputs out of range", ["predict", str(ir), "--input", str(d / "big.npy"), "--out", str(d / "y5.npy")], None),
        ("board clock_mhz NaN", ["hls", str(ir), "--board", str(nan_clock), "--out", str(d / "h3"), "--no-csim"], None),
        ("--out .", ["rtl", str(ir), "--out", ".", "--force"], None),
        ("--out is a file", ["rtl", str(ir), "--out", str(d / "afile"), "--force"], None),
        ("--out not writable", ["rtl", str(ir), "--out", "/proc/frnn/out"], None),
    ]  # fmt: skip


def _injected(marker: Marker) -> bool | str:
    if isinstance(marker, Path):
        return marker.exists()
    if marker is None:
        return False
    folder, text = marker
    if folder.is_dir() and any(
        text in f.read_text(errors="replace") for f in folder.rglob("*") if f.is_file()
    ):
        return "written into generated code"
    return False


def run(repo: Path, timeout: float, only: set[str] | None) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(repo), "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("FPGA_RNN_DEBUG", None)
    rows = []
    with tempfile.TemporaryDirectory(prefix="frnn-hostile-") as tmp:
        d = Path(tmp)
        for what, args, marker in cases(d):
            if only and what not in only:
                continue
            cwd = Path(tempfile.mkdtemp(dir=d))
            try:
                r = subprocess.run(
                    [sys.executable, "-m", "fpga_rnn.cli", *args],
                    cwd=cwd,
                    env=env,
                    capture_output=True,
                    timeout=timeout,
                    start_new_session=True,
                )
                code: int | str = r.returncode
                err = r.stderr.decode(errors="replace")
                outp = r.stdout.decode(errors="replace")
            except subprocess.TimeoutExpired as e:
                code, err, outp = "hang", (e.stderr or b"").decode(errors="replace"), ""
            lines = [ln for ln in err.splitlines() if ln.strip()]
            ran = _injected(marker)
            rows.append(
                {
                    "case": what,
                    "exit": code,
                    "traceback": "Traceback (most recent call last)" in err,
                    "stderr_lines": len(lines),
                    "message": (lines[-1] if lines else "")[:150],
                    "escape_codes_printed": "\x1b" in outp + err,
                    "code_ran": ran,
                }
            )
            print(f"{what}: exit {code}", file=sys.stderr, flush=True)
    return rows


def _ran(v: bool | str) -> str:
    return v if isinstance(v, str) else "YES" if v else "no"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, default=ROOT, help="checkout of fpga-rnn to run")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before a hang")
    ap.add_argument("--only", nargs="*", help="run only these cases (by description)")
    a = ap.parse_args()
    rows = run(a.repo.resolve(), a.timeout, set(a.only) if a.only else None)
    print("| case | exit | traceback | code ran | escapes | message |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        msg = r["message"].replace("|", "\\|").replace("\x1b", "\\x1b")
        print(
            f"| {r['case']} | {r['exit']} | {'yes' if r['traceback'] else 'no'} | "
            f"{_ran(r['code_ran'])} | {'yes' if r['escape_codes_printed'] else 'no'}"
            f" | {msg} |"
        )
    if a.json:
        a.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
