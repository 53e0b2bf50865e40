"""One sweep trial, as a Ray worker runs it: QAT training, the golden fixed-point score
on the test set, then for each board the fastest design predicted to fit (the plan and
the resource model: no synthesis) with its cycles, clock estimate, µs and resources.

Whatever happens, a trial returns a result: a failure is recorded with its error (one
line) and the sweep goes on.
"""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path
from typing import Any


def run_trial(cfg: dict[str, Any], boards: list[str], trial_dir: str) -> dict[str, Any]:
    """Train ``cfg`` in ``trial_dir`` and fit it to ``boards``; the trial's result row."""
    # one core per trial: concurrent trials would otherwise each use every core
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    t0 = time.perf_counter()
    result: dict[str, Any] = {"id": cfg["id"], "config": cfg, "status": "ok"}
    try:
        from fpga_rnn.ir.model import Model
        from fpga_rnn.keras_import.importer import _tf
        from fpga_rnn.train import train_model

        tf, _ = _tf()
        try:  # a worker process that already ran TensorFlow keeps its settings
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:
            pass

        out = Path(trial_dir)
        metrics = train_model(
            cfg["dataset"],
            out,
            arch=cfg["arch"],
            units=cfg["units"],
            layers=cfg["layers"],
            bits=cfg["bits"],
            int_bits=cfg["int_bits"],
            state_bits=cfg.get("state_bits", 0),
            epochs=cfg["epochs"],
            seed=cfg["seed"],
            force=True,
        )
        result["task"] = metrics["dataset"]["task"]
        result["float"] = metrics["float"]
        result["golden"] = metrics["golden"]
        result["parameters"] = metrics["parameters"]
        result["epochs_run"] = metrics["epochs_run"]
        result["timesteps"] = metrics["dataset"]["timesteps"]
        model = Model.load(out / "ir")
        result["boards"] = {b: board_row(model, b) for b in boards}
    except Exception as e:  # recorded, not raised: the sweep goes on
        result["status"] = "failed"
        result["error"] = " ".join(f"{type(e).__name__}: {e}".split())[:500]
        result["traceback"] = traceback.format_exc()[-2000:]
    result["seconds"] = round(time.perf_counter() - t0, 1)
    result["trial_dir"] = str(trial_dir)
    return result


def board_row(model: Any, board: str) -> dict[str, Any]:
    """The fastest design predicted to fit ``board``, or why none does."""
    from fpga_rnn.boards import load_board
    from fpga_rnn.errors import FpgaRnnError
    from fpga_rnn.fit import ranked

    b = load_board(board)
    try:
        fitting, _ = ranked(model, b)
    except FpgaRnnError as e:
        return {"fits": False, "why": str(e)}
    cand, _design = fitting[0]
    clock = cand.get("clock", {})
    # the plan's lower bound per sequence (the RTL measures within 1.2x of it) at the
    # family's clock estimate: an estimate, labelled so
    us = cand["lower_bound_cycles"] / clock["mhz"] if clock.get("mhz") else None
    pred = cand.get("predicted", {})
    return {
        "fits": True,
        "reuse": cand["reuse"],
        "mac_stages": cand["mac_stages"],
        "lane_stages": cand["lane_stages"],
        "multipliers": cand["multipliers"],
        "cycles_per_step": cand["cycles_per_step"],
        "cycles_per_sequence_bound": cand["lower_bound_cycles"],
        "clock_mhz": clock.get("mhz"),
        "clock_basis": clock.get("basis"),
        "us_per_sequence": round(us, 3) if us is not None else None,
        "dsp": cand["predicted_dsp"],
        "lut": pred.get("lut"),
        "ff": pred.get("ff"),
        "bram": pred.get("bram"),
        "resources_basis": "resource model (no synthesis)" if pred else "DSP from the plan only",
    }


def synthesize_point(ir_dir: str, board: str, out: str) -> dict[str, Any]:
    """``fit`` one front point on ``board`` (yosys, and nextpnr where the family has it):
    the synthesized resources and, on ECP5/iCE40, the measured Fmax."""
    from fpga_rnn.errors import FpgaRnnError
    from fpga_rnn.fit import fit
    from fpga_rnn.ir.model import Model

    try:
        r = fit(Model.load(Path(ir_dir)), board, out, force=True)
    except FpgaRnnError as e:
        return {"status": "failed", "error": " ".join(str(e).split())[:500]}
    c = r["chosen"]
    return {
        "status": "ok",
        "reuse": c["reuse"],
        "resources": c["resources"],
        "fmax_mhz": c.get("fmax_mhz"),
        "clock_mhz": r["clock_mhz"],
        "clock_basis": r["clock_basis"],
        "us_per_step": r["latency_us_per_step"],
        "fit_dir": out,
    }
