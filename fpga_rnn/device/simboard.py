"""The simulated board: the board design (link, UART, core) compiled by Verilator
with a small C++ main that puts it behind a pseudo-terminal.

The host runtime opens the terminal with pyserial exactly as it opens a board's USB
serial port; every byte crosses the design's UART pins as bits. One binary per
design and link configuration, cached (built once, under a lock).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from fpga_rnn.backends.rtl.build import Design, core_files, include_dir
from fpga_rnn.backends.rtl.sim import MAKE_FIX, cached_build, find_verilator
from fpga_rnn.device.top import (
    LINK_HEADER,
    SIM_MAIN,
    SIM_TOP,
    LinkConfig,
    board_dir,
    board_sources,
    sim_top,
)
from fpga_rnn.errors import ToolError
from fpga_rnn.outputs import cache_dir

VERILATOR_ARGS = ["-O3", "-Wno-fatal", "-Wno-lint", "-Wno-style", "--x-initial", "0"]
START_TIMEOUT = 30.0  # seconds for the simulator to print its terminal's path


def _key(d: Design, cfg: LinkConfig) -> str:
    h = hashlib.sha256(d.top.encode() + sim_top(cfg).encode())
    for name in sorted(d.mems):
        h.update(name.encode() + d.mems[name].encode())
    extra = [board_dir() / LINK_HEADER, board_dir() / SIM_MAIN, include_dir() / "frnn_codes.vh"]
    for f in [*core_files(), *board_sources(), *extra]:
        h.update(f.read_bytes())
    h.update(" ".join([*VERILATOR_ARGS, MAKE_FIX]).encode())
    return h.hexdigest()[:16]


def build(d: Design, cfg: LinkConfig, *, progress: Callable[[str], None] | None = None) -> Path:
    """The simulated board's folder (binary and ROM images), built if not cached."""
    entry = cache_dir() / "board-sim" / _key(d, cfg)

    def compile_into(tmp: Path) -> None:
        (tmp / "frnn_top.v").write_text(d.top)
        (tmp / f"{SIM_TOP}.v").write_text(sim_top(cfg))
        (tmp / "mem").mkdir()
        for name, text in d.mems.items():
            (tmp / "mem" / name).write_text(text)
        sources = [*core_files(), *board_sources(), tmp / "frnn_top.v", tmp / f"{SIM_TOP}.v"]
        cmd = [
            str(find_verilator()),
            "--cc",
            "--exe",
            "--build",
            "-j",
            "2",
            *VERILATOR_ARGS,
            "--top-module",
            SIM_TOP,
            f"-I{include_dir()}",
            f"-I{board_dir()}",
            "--Mdir",
            str(tmp / "obj"),
            "-o",
            str(tmp / SIM_TOP),
            *map(str, sources),
            str(board_dir() / SIM_MAIN),
        ]
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
        if r.returncode != 0 or not (tmp / SIM_TOP).exists():
            tail = (r.stdout + r.stderr)[-2000:]
            raise ToolError(f"Verilator build of the simulated board failed:\n{tail}")
        shutil.rmtree(tmp / "obj")

    cached_build(
        entry, SIM_TOP, compile_into, say=progress, what="board: building the simulated board"
    )
    return entry


class SimulatedBoard:
    """A running simulated board: ``port`` is its terminal's path. Stops on ``close``
    (or at the end of a ``with`` block)."""

    def __init__(self, folder: Path, cfg: LinkConfig) -> None:
        self.cfg = cfg
        self._proc = subprocess.Popen(
            [str(folder / SIM_TOP), str(cfg.clks_per_bit)],
            cwd=folder,  # the ROM images are read from mem/ at start
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(self._proc.stdout, selectors.EVENT_READ)
        ready = sel.select(START_TIMEOUT)
        line = self._proc.stdout.readline().strip() if ready else ""
        if not line.startswith("/dev/"):
            self.close()
            raise ToolError(f"the simulated board did not start: {line or 'no terminal path'}")
        self.port = line
        self.cycles: int | None = None  # clock cycles simulated, known after close

    def close(self) -> None:
        if self._proc.poll() is None:
            try:  # communicate closes the simulator's stdin, which stops it
                tail, _ = self._proc.communicate(timeout=5)
                found = re.search(r"^cycles (\d+)$", tail, re.M)
                self.cycles = int(found.group(1)) if found else None
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> SimulatedBoard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
