"""Fit a model onto a board: the lowest-latency design whose resources fit.

Candidates are every parallelism (reuse factor) at each pipeline depth of
``PIPELINES``; they are ranked by wall-clock time per step, cycles / the clock the
design can expect on the board's family (``fpga_rnn.timing``: estimated from nextpnr
runs of our designs where the family has open place-and-route, else the board's
clock, labelled as assumed). Place-and-route then measures the chosen one's Fmax.

DSP blocks are predicted exactly from the RTL plan (one DSP per multiplier:
every product in our cores is at most 25x18 bits on Xilinx, 18x18 on ECP5, 16x16
on iCE40 for 16-bit formats). LUT, FF and block RAM come from the per-core
resource model (``fpga_rnn.resources``, fitted against yosys) where the family has
one: candidates predicted over the budget by more than the model's error margin
are skipped. The fastest remaining candidate is synthesized; if synthesis says it
does not fit, the search moves to the next lower parallelism. The answer is
therefore always one that yosys synthesized within the limits, and fit.json
reports the model's error against that synthesis, per core.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fpga_rnn import resources, timing
from fpga_rnn.backends.rtl import build
from fpga_rnn.backends.rtl.plan import sequence_lower_bound
from fpga_rnn.boards import Board, load_board
from fpga_rnn.errors import FpgaRnnError, UnsupportedError
from fpga_rnn.ir import Model
from fpga_rnn.outputs import atomic_dir
from fpga_rnn.resources import relative_error
from fpga_rnn.synth import family_kind, format_resources, synthesize

REUSE_STEPS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
# (mac_stages, lane_stages) fit weighs against each other: the unpipelined cores
# (fewest cycles), the DSP-register ones, and the deepest (highest clock)
PIPELINES = ((0, 0), (2, 1), (4, 1), (5, 2), (6, 3))
MAX_SYNTH_TRIES = 3
# a candidate predicted over budget by more than this is not synthesized (the
# model's worst leave-one-design-out error is within it)
MODEL_MARGIN = 1.25


class FitError(FpgaRnnError):
    """The model does not fit the board at any parallelism."""


def _options(
    model: Model,
    max_timesteps: int | None,
    board: Board | None = None,
    dsp_budget: float | None = None,
) -> list[tuple[dict[str, Any], build.Design]]:
    """Every distinct design over REUSE_STEPS and PIPELINES, plus the fastest one within
    ``dsp_budget`` multipliers at each depth, fastest first (by µs per step at the
    clock estimated for ``board``, else by cycles), with its summary row: reuse,
    pipeline stages, multipliers, cycles per step, lower bound per sequence, the clock
    estimate and (with a fitted resource model for the family) predicted LUT/FF/BRAM."""
    seen, opts = set(), []
    steps = model.input.shape[0] or build.DEFAULT_MAX_TIMESTEPS
    family = family_kind(board) if board is not None else None
    for mac, lane in PIPELINES:
        designs = [build.design(model, r, max_timesteps, mac, lane) for r in REUSE_STEPS]
        # nothing within the budget: the refusal in fit() says so
        with contextlib.suppress(UnsupportedError):
            if dsp_budget is not None:
                designs.append(
                    build.design_for_multipliers(model, int(dsp_budget), max_timesteps, mac, lane)
                )
        clock = timing.estimate(board, mac, lane) if board is not None else None
        for d in designs:
            mults = int(d.info["multipliers"])
            if (mults, mac, lane) in seen:
                continue
            seen.add((mults, mac, lane))
            opts.append((candidate_row(d, steps, clock, family), d))
    opts.sort(
        key=lambda o: (o[0].get("est_us_per_step", o[0]["cycles_per_step"]), o[0]["multipliers"])
    )
    return opts


def candidate_row(
    d: build.Design, steps: int, clock: timing.ClockEstimate | None, family: str | None
) -> dict[str, Any]:
    """A design's summary row: reuse, pipeline stages, multipliers, cycles per step, the
    lower bound for ``steps`` steps, and with a board's ``clock`` and resource ``family``
    µs per step and predicted LUT/FF/BRAM."""
    mults = int(d.info["multipliers"])
    cycles = d.cycles_per_step
    row: dict[str, Any] = {
        "reuse": int(d.info["reuse"]),
        "mac_stages": int(d.info["mac_stages"]),
        "lane_stages": int(d.info["lane_stages"]),
        "multipliers": mults,
        "predicted_dsp": mults,
        "cycles_per_step": cycles,
        "lower_bound_cycles": sequence_lower_bound(d.info["layers"], steps),
    }
    if clock is not None:
        row["clock"] = clock.to_dict()
        row["est_us_per_step"] = round(cycles / clock.mhz, 4)
    pred = resources.predict(family, d.info["instances"]) if family else None
    if pred is not None:
        row["predicted"] = {**pred["total"], "dsp": mults}
    return row


def candidates(model: Model, max_timesteps: int | None = None) -> list[dict[str, Any]]:
    """The rows of every distinct design over REUSE_STEPS and PIPELINES (see :func:`fit`)."""
    return [row for row, _ in _options(model, max_timesteps)]


def ranked(
    model: Model, board: Board, max_utilisation: float = 0.8, max_timesteps: int | None = None
) -> tuple[list[tuple[dict[str, Any], build.Design]], list[dict[str, Any]]]:
    """The candidates predicted to fit ``board`` within ``max_utilisation``, fastest
    first (no synthesis), and the rows of every candidate; FitError if none fits
    even at the lowest parallelism."""
    if not 0 < max_utilisation <= 1:
        raise FpgaRnnError(f"--max-utilisation must be in (0, 1], got {max_utilisation}")
    budget = {k: max_utilisation * v for k, v in board.resources.items()}
    opts = _options(model, max_timesteps, board, budget["dsp"])
    rows = [row for row, _ in opts]
    fitting = [(c, d) for c, d in opts if c["predicted_dsp"] <= budget["dsp"]]
    # the resource model rules out candidates clearly over budget (any resource)
    modelled = [
        (c, d)
        for c, d in fitting
        if all(v <= MODEL_MARGIN * budget.get(k, 0) for k, v in c.get("predicted", {}).items())
    ]
    fitting = modelled or fitting[-1:]
    if not fitting:
        least = min(rows, key=lambda c: c["multipliers"])
        raise FitError(
            f"needs {least['predicted_dsp']} DSP at the lowest parallelism (reuse "
            f"{least['reuse']}); {board.name} has {board.resources['dsp']} "
            f"({max_utilisation:.0%} usable): use a smaller model or a bigger board"
        )
    return fitting, rows


def fit(
    model: Model,
    board: Board | str,
    out: Path | str,
    *,
    max_utilisation: float = 0.8,
    max_timesteps: int | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Choose and synthesize the fastest design of ``model`` that fits ``board``.

    Writes ``out/`` (rtl/, synth-BOARD/, fit.json) atomically; returns fit.json.
    """
    b = board if isinstance(board, Board) else load_board(board)
    fitting, rows = ranked(model, b, max_utilisation, max_timesteps)
    budget = {k: max_utilisation * v for k, v in b.resources.items()}
    tried: list[dict[str, Any]] = []
    with atomic_dir(Path(out), force=force) as tmp:
        for cand, design in fitting[:MAX_SYNTH_TRIES]:
            if progress:
                progress(
                    f"fit: trying reuse {cand['reuse']}, stages {cand['mac_stages']}/"
                    f"{cand['lane_stages']} ({cand['multipliers']} multipliers, "
                    f"{cand['cycles_per_step']} cycles/step, {cand['clock']['basis']} "
                    f"{cand['clock']['mhz']:g} MHz)"
                )
            rtl = tmp / "rtl"
            shutil.rmtree(rtl, ignore_errors=True)
            build.write(design, rtl)
            target = max(b.clock_mhz, cand["clock"]["mhz"])  # timing-driven placement aims here
            syn = synthesize(
                rtl, b, out=tmp / f"synth-{b.name}", clock_mhz=target, force=True, progress=progress
            )
            over = {k: v for k, v in syn.resources.items() if v > budget.get(k, 0) and v > 0}
            tried.append({**cand, "synthesized": syn.resources, "over_budget": sorted(over)})
            if not over:
                # the clock: measured by place-and-route; without one (Xilinx) estimated
                # from this netlist's own logic depth, else the candidate's estimate
                clock = cand["clock"]
                if syn.fmax_mhz is None and syn.logic_levels:
                    clock = timing.from_levels(b, syn.logic_levels["levels"]).to_dict()
                mhz = syn.fmax_mhz or clock["mhz"]
                basis = "measured (nextpnr)" if syn.fmax_mhz else clock["basis"]
                result = {
                    "board": b.name,
                    "max_utilisation": max_utilisation,
                    "chosen": {
                        **cand,
                        "resources": syn.resources,
                        "fmax_mhz": syn.fmax_mhz,
                        "critical_path": syn.critical_path,
                        "logic_levels": syn.logic_levels,
                        "clock": clock,
                    },
                    "clock_mhz": mhz,
                    "clock_basis": basis,
                    "latency_us_per_step": round(cand["cycles_per_step"] / mhz, 4),
                    "dsp_model_error": relative_error(cand["predicted_dsp"], syn.resources["dsp"]),
                    "resource_model": _model_report(cand, syn.resources, syn.instances),
                    "tried": tried,
                    "candidates": rows,
                    "utilisation": syn.utilisation,
                }
                (tmp / "fit.json").write_text(json.dumps(result, indent=2) + "\n")
                return result
        worst = tried[-1]
        raise FitError(
            f"no design fits {b.name} within {max_utilisation:.0%}: reuse {worst['reuse']} "
            f"synthesizes to {format_resources(worst['synthesized'])}, over on "
            f"{', '.join(k.upper() for k in worst['over_budget'])} "
            f"(limits {format_resources(b.resources)})"
        )


def _model_report(
    cand: dict[str, Any], real: dict[str, float], instances: dict[str, Any]
) -> dict[str, Any] | None:
    """The resource model against synthesis: whole design and per core instance."""
    pred = cand.get("predicted")
    if pred is None:
        return None
    cores = {k: v for k, v in instances.items() if "error" in v}
    errs = [v["error"] for v in cores.values()]
    return {
        "predicted": pred,
        "synthesized": {k: real[k] for k in pred},
        "error": {k: relative_error(pred[k], real[k]) for k in pred},
        "cores": cores,
        "worst_core_error": {r: resources.worst(errs, r) for r in resources.RESOURCES},
    }
