"""The whole job in one call: train (QAT) -> import -> fit + synthesize -> RTL verify
-> HLS project + C-simulation -> report.

Each stage writes its results under ``out/`` (train/, fit/, verify.json, hls/ and
hls.json, report.html) and records a key of its inputs in ``out/flow.json``; a re-run reuses
every stage whose key and outputs are unchanged, unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.backends import TARGETS, RunOptions, backend
from fpga_rnn.backends.batch import prepare
from fpga_rnn.loading import load_model
from fpga_rnn.outputs import read_json, write_json

Progress = Callable[[str], None]
# The package files each stage's result depends on: a stage key holds their digest, so
# a changed core, kernel or generator reruns the stage (no stale bit_exact: true).
ARITHMETIC = ("fixed.py", "tables.py", "golden/*.py", "ir/*.py")
VERIFY = ("verification.py", "backends/*.py")
RTL = (
    "backends/rtl/*.py",
    "backends/rtl/verilog/*.v",
    "backends/rtl/verilog/*.vh",
    "backends/rtl/verilog/shell/*.v",
    "backends/rtl/verilog/tb/*",
)
STAGE_SOURCES = {
    "train": (*ARITHMETIC, "train.py", "models.py", "datasets.py", "keras_import/*.py"),
    "fit": (*ARITHMETIC, "fit.py", "synth.py", "resources.py", "resource_model.json", *RTL),
    "verify": (*ARITHMETIC, *VERIFY, *RTL),
    "hls": (*ARITHMETIC, *VERIFY, "backends/hls/*.py", "hls_kernels/*.h"),
    "c": (*ARITHMETIC, *VERIFY, "backends/c/*.py", "backends/c/src/*"),
    "bitstream": (
        *ARITHMETIC, *RTL, "synth.py", "timing.py", "device/*.py", "backends/rtl/verilog/board/*"
    ),
}  # fmt: skip


def sources_digest(stage: str) -> str:
    """Digest of the installed package files ``stage`` depends on."""
    from fpga_rnn.datadirs import shipped_dir

    root = Path(__file__).parent
    kernels = shipped_dir("hls_kernels")
    h = hashlib.sha256()
    for pattern in STAGE_SOURCES[stage]:
        base = kernels if pattern.startswith("hls_kernels/") else root
        for f in sorted(base.glob(pattern.removeprefix("hls_kernels/"))):
            h.update(f"{pattern}:{f.name}:".encode() + f.read_bytes())
    return h.hexdigest()[:16]


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _file_key(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def flow(
    out: str | Path,
    *,
    dataset: str = "japanese-vowels",
    board: str = "pynq-z2",
    arch: str = "lstm",
    units: int = 16,
    bits: int = 8,
    int_bits: int = 0,
    state_bits: int = 0,
    layers: int = 1,
    epochs: int = 100,
    seed: int = 0,
    max_utilisation: float = 0.8,
    c_export: bool = False,
    trained: Path | None = None,
    design: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run (or resume) the flow in ``out``; returns flow.json's content. ``trained``: a
    training run directory (a sweep trial's) to use instead of training; ``design``: a
    designer.json to train instead of ``arch`` (fpga-rnn designer's export)."""
    from fpga_rnn.boards import load_board
    from fpga_rnn.fit import fit
    from fpga_rnn.report import write_report
    from fpga_rnn.train import train_model

    say = progress or (lambda _m: None)
    b = load_board(board)  # fail fast on an unknown board, before training
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state_path = out / "flow.json"
    state: dict[str, Any] = {} if force else read_json(state_path)
    stages: dict[str, Any] = state.get("stages", {})

    cfg = {"dataset": dataset, "board": board, "arch": arch, "units": units, "bits": bits}
    cfg |= {"int_bits": int_bits, "state_bits": state_bits, "layers": layers}
    cfg |= {"epochs": epochs, "seed": seed, "max_utilisation": max_utilisation}
    cfg |= {"c_export": c_export, "design": str(design) if design else None}

    def run(name: str, key: str, done: Path, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        prev = stages.get(name)
        if prev and prev["key"] == key and done.exists():  # force: stages start empty
            say(f"{name}: up to date (inputs unchanged), reusing {done}")
            return prev["result"]
        say(f"{name}: running")
        t0 = time.perf_counter()
        result = fn()
        stages[name] = {"key": key, "seconds": round(time.perf_counter() - t0, 1), "result": result}
        write_json(state_path, {"stages": stages, "config": cfg})
        return result

    train_dir = out / "train"

    def train_stage() -> dict[str, Any]:
        if trained is None:
            return train_model(
                dataset, train_dir, arch=arch, units=units, layers=layers, bits=bits,
                int_bits=int_bits, state_bits=state_bits, epochs=epochs, seed=seed, force=True,
                design=design, progress=say,
            )  # fmt: skip
        say(f"train: taking the trained model of {trained}")
        shutil.rmtree(train_dir, ignore_errors=True)
        shutil.copytree(trained, train_dir)
        return read_json(train_dir / "metrics.json")

    train_key = [dataset, arch, units, bits, int_bits, state_bits, layers, epochs, seed]
    if design is not None:
        train_key = [dataset, _file_key(Path(design)), epochs, seed]
    if trained is not None:
        train_key = [_file_key(Path(trained) / "model.keras")]
    metrics = run(
        "train",
        _key(*train_key, sources_digest("train")),
        train_dir / "metrics.json",
        train_stage,
    )
    model_file = train_dir / "model.keras"
    ir = load_model(train_dir / "ir")  # the one IR every stage uses
    fit_dir = out / "fit"
    fitted = run(
        "fit",
        _key(_file_key(model_file), b.to_dict(), max_utilisation, sources_digest("fit")),
        fit_dir / "fit.json",
        lambda: fit(ir, b, fit_dir, max_utilisation=max_utilisation, force=True, progress=say),
    )
    design = {k: fitted["chosen"][k] for k in ("reuse", "mac_stages", "lane_stages")}
    x_file = train_dir / "x_test.npy"
    x_test = np.load(x_file)
    verified = run(
        "verify",
        _key(_file_key(model_file), design, _file_key(x_file), sources_digest("verify")),
        out / "verify.json",
        lambda: _verify(ir, model_file, x_test, design, out / "verify.json", say),
    )
    hls = run(
        "hls",
        _key(_file_key(model_file), b.to_dict(), _file_key(x_file), sources_digest("hls")),
        out / "hls.json",
        lambda: _hls(ir, b, x_test, out, say),
    )
    if c_export:
        c_res = run(
            "c",
            _key(_file_key(model_file), _file_key(x_file), sources_digest("c")),
            out / "c.json",
            lambda: _c(ir, x_test, out, say),
        )
    else:
        c_res = {}
        (out / "c.json").unlink(missing_ok=True)
    if b.io is not None:  # an open-toolchain board: its bitstream, tried on the simulated board
        board_res = run(
            "bitstream",
            _key(_file_key(model_file), b.to_dict(), design, fitted["clock_mhz"],
                 _file_key(x_file), sources_digest("bitstream")),
            out / "bitstream" / "bitstream.json",
            lambda: _bitstream(ir, b, design, fitted["clock_mhz"], x_test, out, say),
        )  # fmt: skip
    else:
        board_res = {}
    report = write_report(out, board=b)
    say(f"report: {report}")
    summary = {
        "out": str(out),
        "report": str(report),
        "accuracy": {"float": metrics["float"], "golden": metrics["golden"]},
        "reuse": design["reuse"],
        "bit_exact": {t: v.get("bit_exact") for t, v in verified["targets"].items()}
        | ({"hls": hls["bit_exact"]} if hls.get("available") else {})
        | {t: c_res["targets"][t]["bit_exact"] for t in c_res.get("targets", {})},
        "latency_cycles": verified["targets"]["rtl"].get("latency_cycles"),
        "resources": fitted["chosen"]["resources"],
        "board": b.name,
    }
    if board_res:
        summary["bitstream"] = {
            k: board_res.get(k) for k in ("bitstream", "fmax_mhz", "meets_clock", "clock")
        }
        summary["bit_exact"]["board (simulated)"] = board_res["simulated_board"]["mismatches"] == 0
    state = {"stages": stages, "config": cfg, "summary": summary}
    write_json(state_path, state)
    return state


def _bitstream(
    ir: Any,
    board: Any,
    design: dict[str, int],
    fmax_mhz: float,
    x: np.ndarray,
    out: Path,
    say: Progress,
) -> dict[str, Any]:
    """The design fit chose as a bitstream in out/bitstream (at CLOCK_MARGIN of the Fmax
    fit measured), then the test set through its simulated board (UART and all)."""
    from fpga_rnn.device.bitstream import CLOCK_MARGIN, build_bitstream
    from fpga_rnn.device.runtime import Device

    res = build_bitstream(
        ir,
        board,
        out / "bitstream",
        clock_mhz=CLOCK_MARGIN * fmax_mhz,
        max_timesteps=x.shape[1],
        force=True,
        progress=say,
        **design,
    )
    with Device.simulated(out / "bitstream", ir, progress=say) as dev:
        pr = dev.predict(x, saturate=True, progress=say)
    res["simulated_board"] = pr.to_dict()
    write_json(out / "bitstream" / "bitstream.json", res, force=True)
    return res


def _hls(ir: Any, board: Any, x: np.ndarray, out: Path, say: Progress) -> dict[str, Any]:
    """The hls4ml project for the board in out/hls, its C-simulation on the test set."""
    if board.vendor != "xilinx":
        res: dict[str, Any] = {
            "available": False,
            "bit_exact": None,
            "reason": f"{board.name} is a {board.vendor} part; hls4ml's backends target Xilinx",
        }
    else:
        options = RunOptions(board=board, workdir=out / "hls", progress=say)
        res = TARGETS["hls"].run(ir, prepare(ir, x), options)
    write_json(out / "hls.json", res)
    return res


def _c(ir: Any, x: np.ndarray, out: Path, say: Progress) -> dict[str, Any]:
    """The C export in out/c, verified on the test set on the host and a Cortex-M4."""
    info = backend("c").generate(ir, out / "c", max_timesteps=x.shape[1], check=False, force=True)
    batch, options = prepare(ir, x), RunOptions(progress=say)
    targets = {t.name: t.run(ir, batch, options) for t in TARGETS.values() if t.backend == "c"}
    res = {"export": info, "targets": targets}
    write_json(out / "c.json", res)
    return res


def _verify(
    ir: Any, model_file: Path, x: np.ndarray, design: dict[str, int], path: Path, say: Progress
):
    """RTL (the design fit chose: reuse and pipeline stages) vs golden on the test set,
    and golden vs the float model (its own file): the IR is the flow's, imported once
    at the training precision."""
    from fpga_rnn.keras_import import load_keras_model
    from fpga_rnn.verification import verify

    keras_model = load_keras_model(model_file)
    res = verify(ir, x, targets=("rtl",), keras_model=keras_model, progress=say, **design)
    write_json(path, res)
    return res
