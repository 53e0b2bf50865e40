"""A board design directory: everything a bitstream is built from, and what the
simulated board and the host runtime read back.

Layout (written atomically)::

    model/              the IR (ir.json, weights.npz): what the runtime quantizes with
    rtl/                the core (fpga-rnn rtl's output)
    board/              the link's Verilog, the board top, its PLL and pin constraints
    board.json          the link's parameters, the clock, the baud rate, the pin map
    bitstream.json      (fpga-rnn bitstream) the figures; with the image (frnn.bit or
                        frnn.bin) and the yosys/nextpnr logs unless --design-only
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fpga_rnn.backends.rtl.build import Design
from fpga_rnn.device.top import LINK_HEADER, LinkConfig, board_dir, board_sources
from fpga_rnn.errors import InputError
from fpga_rnn.ir.model import Model
from fpga_rnn.outputs import atomic_dir

BOARD_JSON = "board.json"
SCHEMA = 1


@dataclass(frozen=True)
class BoardDesign:
    model: Model
    design: Design
    link: LinkConfig
    meta: dict[str, Any]  # board.json beyond the link: board, clock basis, pins

    def simulate(self, progress: Callable[[str], None] | None = None) -> Any:
        """Build (once, cached) and start the simulated board; returns a
        :class:`~fpga_rnn.device.simboard.SimulatedBoard`."""
        from fpga_rnn.device import simboard

        cfg = self.link.simulated()
        folder = simboard.build(self.design, cfg, progress=progress)
        return simboard.SimulatedBoard(folder, cfg)


def write_design(
    out: Path,
    model: Model,
    d: Design,
    link: LinkConfig,
    meta: dict[str, Any],
    extra: dict[str, str],
    *,
    force: bool = False,
) -> Path:
    """Write a board design directory; ``extra`` are generated files for board/
    (the top, the PLL, the constraints)."""
    with atomic_dir(out, force=force) as tmp:
        fill(tmp, model, d, link, meta, extra)
    return out


def fill(
    tmp: Path,
    model: Model,
    d: Design,
    link: LinkConfig,
    meta: dict[str, Any],
    extra: dict[str, str],
) -> None:
    """Write a board design's files into the (new, empty) folder ``tmp``."""
    from fpga_rnn.backends.rtl import build

    model.save(tmp / "model")
    build.write(d, tmp / "rtl")
    bd = tmp / "board"
    bd.mkdir()
    for f in [*board_sources(), board_dir() / LINK_HEADER]:
        shutil.copy(f, bd / f.name)
    for name, text in extra.items():
        (bd / name).write_text(text)
    doc = {"schema_version": SCHEMA, "link": asdict(link), **meta}
    doc["link"]["baud"] = link.baud
    (tmp / BOARD_JSON).write_text(json.dumps(doc, indent=2) + "\n")


def load_design(folder: Path) -> BoardDesign:
    """A board design directory as written by :func:`write_design`.

    Nothing in it is trusted as code: the core and the link are generated again from
    the model and the parameters (validated numbers), and must equal the files there
    (a directory from another model or another version is refused)."""
    from fpga_rnn.backends.rtl import build
    from fpga_rnn.device.top import link_config
    from fpga_rnn.limits import check_float, check_int

    bj = folder / BOARD_JSON
    rtl = folder / "rtl"
    if not bj.is_file() or not (rtl / "rtl.json").is_file():
        raise InputError(
            f"{folder} is not a board design directory (no board.json/rtl): make one with "
            "`fpga-rnn bitstream MODEL --board B --out DIR`"
        )
    try:
        doc = json.loads(bj.read_text())
        info = json.loads((rtl / "rtl.json").read_text())
        stored = doc["link"]
        clock_hz = check_float(stored["clock_hz"], "clock_hz", 1e5, 2e9)
        baud = check_float(stored["baud"], "baud", 300, 1e8)
        params = [info[k] for k in ("reuse", "max_timesteps", "mac_stages", "lane_stages")]
        for v in params:
            check_int(v, "rtl.json parameter", 0)
    except (ValueError, KeyError, TypeError) as e:
        raise InputError(f"{folder}: not a valid board design ({e}); rebuild it") from None
    model = Model.load(folder / "model")
    d = build.design(model, *params)
    link = link_config(model, d, clock_hz, baud)
    same = (rtl / "frnn_top.v").is_file() and (rtl / "frnn_top.v").read_text() == d.top
    if not same or asdict(link) | {"baud": link.baud} != stored:
        raise InputError(
            f"{folder}: its core or link does not match its model and parameters (another "
            "model, an edited file, or another fpga-rnn version): rebuild the directory"
        )
    meta = {k: v for k, v in doc.items() if k not in ("link", "schema_version")}
    return BoardDesign(model, d, link, meta)
