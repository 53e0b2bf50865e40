"""Build a bitstream for an open-toolchain board (ECP5, iCE40): the board design
(core, link, board top, PLL, pins), then yosys -> nextpnr (timing-driven at the
design's clock) -> ecppack / icepack, with ``bitstream.json`` beside the image.

The design is the one ``fit`` ranks fastest among those predicted to fit (or the
reuse and pipeline given); the clock is the family's Fmax estimate with a margin
(or ``clock_mhz``), made by the board's PLL from its oscillator. nextpnr measures
the Fmax: a design that misses its clock is an error unless ``allow_timing_fail``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fpga_rnn.backends.rtl.build import Design
from fpga_rnn.boards import Board, load_board
from fpga_rnn.device import design as bdesign
from fpga_rnn.device.protocol import DEFAULT_BAUD
from fpga_rnn.device.top import (
    BOARD_MODULES,
    BOARD_TOP,
    LINK_HEADER,
    Clock,
    board_top,
    constraints,
    link_config,
)
from fpga_rnn.errors import InputError, ToolError
from fpga_rnn.ir.model import Model
from fpga_rnn.limits import check_float
from fpga_rnn.outputs import atomic_dir, check_writable

Progress = Callable[[str], None]
CLOCK_MARGIN = 0.9  # aim this far below the family's Fmax estimate
PLL_RANGE_MHZ = {"ecp5": (10.0, 400.0), "ice40": (16.0, 275.0)}  # outputs the tools make
PLL_TRIES = 20
PACK = {"ecp5": ("ecppack", "frnn.bit"), "ice40": ("icepack", "frnn.bin")}


def _needs_io(board: Board) -> None:
    if board.family not in PACK or board.io is None:
        have = "an io: pin map" if board.family in PACK else "an ECP5 or iCE40 part"
        raise InputError(
            f"board {board.name}: no bitstream flow here (needs {have}); open-toolchain "
            "boards: ulx3s-85f, icebreaker"
        )


def make_clock(board: Board, mhz: float, progress: Progress | None = None) -> Clock:
    """The board's oscillator, or a PLL to at most ``mhz`` made by ecppll/icepll (they
    pick the nearest clock they can make: a request above ``mhz`` is stepped down)."""
    osc = board.clock_mhz
    lo, hi = PLL_RANGE_MHZ[board.family]
    if abs(mhz - osc) < 0.01 * osc or mhz < lo:
        return Clock(osc, osc, None)
    target = min(mhz, hi)
    ask = target
    for _ in range(PLL_TRIES):
        achieved, text = _pll(board, ask)
        if achieved <= target * 1.001:
            break
        ask *= 0.99
    else:
        raise ToolError(f"no PLL setting at or below {target:g} MHz from {osc:g} MHz")
    if progress:
        progress(f"bitstream: PLL {osc:g} -> {achieved:g} MHz (asked {target:g})")
    return Clock(osc, achieved, text)


def _pll(board: Board, mhz: float) -> tuple[float, str]:
    """(achieved MHz, Verilog module ``pll``) of the family's PLL tool for ``mhz``."""
    from fpga_rnn.synth import find_tool

    osc = board.clock_mhz
    tool = "ecppll" if board.family == "ecp5" else "icepll"
    args = ["-i", f"{osc:g}", "-o", f"{mhz:.3f}", "-n", "pll", "-f", "pll.v"]
    if tool == "icepll":
        args += ["-p", "-m", "-q"]  # the clock pin is the PLL's pad (SB_PLL40_PAD)
    with tempfile.TemporaryDirectory(prefix="frnn-pll-") as tmp:  # yowasp sees its cwd
        r = subprocess.run([*find_tool(tool), *args], cwd=tmp, capture_output=True, text=True)
        pll = Path(tmp, "pll.v")
        if r.returncode != 0 or not pll.exists():
            why = r.stderr[-300:]
            raise ToolError(f"{tool} could not make {mhz:g} MHz from {osc:g} MHz: {why}")
        text = pll.read_text()
    found = re.search(r"clkout0, // ([0-9.]+) MHz", text) or re.search(
        r"Achieved output frequency:\s+([0-9.]+) MHz", text
    )
    if not found:
        raise ToolError(f"{tool}'s PLL module does not state its output frequency")
    return float(found.group(1)), text


def choose(
    model: Model,
    board: Board,
    *,
    reuse: int | None,
    mac_stages: int | None,
    lane_stages: int | None,
    max_timesteps: int | None,
    max_utilisation: float,
) -> tuple[Design, dict[str, Any]]:
    """The design: fit's fastest predicted fit, or the reuse/stages given."""
    from fpga_rnn import fit, timing
    from fpga_rnn.backends.rtl import build

    if reuse is not None:
        mac = build.DEFAULT_MAC_STAGES if mac_stages is None else mac_stages
        lane = build.DEFAULT_LANE_STAGES if lane_stages is None else lane_stages
        d = build.design(model, reuse, max_timesteps, mac, lane)
        est = timing.estimate(board, mac, lane)
        return d, {"chosen_by": "options", "clock": est.to_dict()}
    fitting, _ = fit.ranked(model, board, max_utilisation, max_timesteps)
    if mac_stages is not None or lane_stages is not None:
        fitting = [
            (c, d)
            for c, d in fitting
            if mac_stages in (None, c["mac_stages"]) and lane_stages in (None, c["lane_stages"])
        ] or fitting
    cand, d = fitting[0]
    return d, {"chosen_by": "fit (predicted resources, no synthesis)", **cand}


def build_bitstream(
    model: Model,
    board: Board | str,
    out: Path | str,
    *,
    clock_mhz: float | None = None,
    baud: float = DEFAULT_BAUD,
    reuse: int | None = None,
    mac_stages: int | None = None,
    lane_stages: int | None = None,
    max_timesteps: int | None = None,
    max_utilisation: float = 0.8,
    design_only: bool = False,
    allow_timing_fail: bool = False,
    timeout: float | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write ``out/`` (the board design and, unless ``design_only``, the bitstream)
    atomically; returns bitstream.json's content."""
    b = board if isinstance(board, Board) else load_board(board)
    _needs_io(b)
    out = Path(out)
    check_writable(out, force=force)
    baud = check_float(baud, "baud", 300, 12e6)
    d, chosen = choose(
        model,
        b,
        reuse=reuse,
        mac_stages=mac_stages,
        lane_stages=lane_stages,
        max_timesteps=max_timesteps,
        max_utilisation=max_utilisation,
    )
    if clock_mhz is not None:
        want = check_float(clock_mhz, "clock_mhz", 1, 1000)
        basis = "requested (--clock-mhz)"
    else:
        est = chosen["clock"]["mhz"]
        want = est * CLOCK_MARGIN if chosen["clock"]["basis"] == "estimate" else b.clock_mhz
        basis = f"{CLOCK_MARGIN:.0%} of the {chosen['clock']['basis']} Fmax ({est:g} MHz)"
    # a whole number of clock cycles per bit: the baud rate exact where the PLL can
    want = max(math.floor(want * 1e6 / baud), 1) * baud / 1e6
    clock = make_clock(b, want, progress)
    link = link_config(model, d, clock.hz, baud)
    name, text = constraints(b, clock)
    extra = {f"{BOARD_TOP}.v": board_top(link, b, clock), name: text}
    if clock.pll:
        extra["pll.v"] = clock.pll
    info = d.info
    meta: dict[str, Any] = {
        "board": b.name,
        "part": b.part,
        "clock": {"osc_mhz": clock.osc_mhz, "mhz": clock.mhz, "pll": clock.pll is not None},
        "clock_basis": basis,
        "baud": link.baud,
        "baud_requested": baud,
        "clks_per_bit": link.clks_per_bit,
        "pins": b.io.to_dict() if b.io else None,
        "model": model.name,
        "digest": model.digest(),
        "design": {
            "reuse": info["reuse"],
            "mac_stages": info["mac_stages"],
            "lane_stages": info["lane_stages"],
            "multipliers": info["multipliers"],
            "max_timesteps": info["max_timesteps"],
            "cycles_per_step": d.cycles_per_step,
            "chosen_by": chosen["chosen_by"],
        },
    }
    with atomic_dir(out, force=force) as tmp:
        bdesign.fill(tmp, model, d, link, meta, extra)
        if design_only:
            result = {**meta, "bitstream": None, "note": "design only: no synthesis was run"}
        else:
            result = {**meta, **_implement(tmp, b, clock, allow_timing_fail, timeout, progress)}
        (tmp / "bitstream.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def _implement(
    folder: Path,
    b: Board,
    clock: Clock,
    allow_timing_fail: bool,
    timeout: float | None,
    progress: Progress | None,
) -> dict[str, Any]:
    """yosys -> nextpnr -> pack in ``folder`` (a board design); the figures."""
    from fpga_rnn import synth

    limit = synth.tool_timeout(timeout)
    kind = b.family
    work = folder / "work"
    files = synth.stage_rtl(folder / "rtl", work, kind)
    board_files = [*BOARD_MODULES, f"{BOARD_TOP}.v"] + (["pll.v"] if clock.pll else [])
    cons = "board.lpf" if kind == "ecp5" else "board.pcf"
    for f in [*board_files, LINK_HEADER, cons]:
        shutil.copy(folder / "board" / f, work / f)
    seconds: dict[str, float] = {}
    _, cells, _ = synth.run_yosys(
        work,
        [*files, *board_files],
        BOARD_TOP,
        b,
        netlist=True,
        before=[],
        after=[],
        what="core + link + board top",
        seconds=seconds,
        progress=progress,
        limit=limit,
    )
    res = synth.classify(cells, kind)
    over = [k for k, v in res.items() if v > b.resources.get(k, 0)]
    if over:
        raise ToolError(
            f"the design needs more {'/'.join(k.upper() for k in over)} than {b.name} has "
            f"({synth.format_resources(res)}; limits {synth.format_resources(b.resources)}): "
            "use a larger --reuse or a smaller model"
        )
    asm = "out.config" if kind == "ecp5" else "out.asc"
    flags = ["--lpf", cons, "--textcfg", asm] if kind == "ecp5" else ["--pcf", cons, "--asc", asm]
    report = synth.run_nextpnr(
        work, b, clock.mhz, flags, seconds=seconds, progress=progress, limit=limit
    )
    if not (work / asm).exists():
        tail = (work / "nextpnr.log").read_text()[-1500:]
        raise ToolError(f"nextpnr wrote no {asm}:\n{tail}")
    fmax = synth.achieved_fmax(report)
    meets = fmax is not None and fmax >= clock.mhz
    if not meets and not allow_timing_fail:
        raise ToolError(
            f"nextpnr reached {fmax} MHz, below the {clock.mhz:g} MHz clock: lower --clock-mhz "
            "(or pass --allow-timing-fail to keep a bitstream that may misbehave)"
        )
    packer, image = PACK[kind]
    if progress:
        progress(f"{packer}: writing {image}")
    t0 = time.perf_counter()
    pack_args = ["--compress", asm, image] if kind == "ecp5" else [asm, image]
    r = subprocess.run(
        [*synth.find_tool(packer), *pack_args],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=limit,
    )
    seconds[packer] = round(time.perf_counter() - t0, 1)
    if r.returncode != 0 or not (work / image).exists():
        raise ToolError(f"{packer} failed: {(r.stdout + r.stderr)[-500:]}")
    for name in (image, "yosys.log", "nextpnr.log", "report.json", "stat.json"):
        shutil.move(work / name, folder / name)
    shutil.rmtree(work)
    data = (folder / image).read_bytes()
    return {
        "bitstream": image,
        "bitstream_sha256": hashlib.sha256(data).hexdigest(),
        "bitstream_bytes": len(data),
        "resources": res,
        "limits": dict(b.resources),
        "utilisation": {
            k: round(v / b.resources[k], 4) for k, v in res.items() if b.resources.get(k)
        },
        "fmax_mhz": fmax,
        "fmax_basis": "measured (nextpnr)",
        "meets_clock": meets,
        "critical_path": synth.critical_path(report),
        "seconds": seconds,
    }
