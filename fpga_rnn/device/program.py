"""Load a bitstream onto a board with openFPGALoader (Debian's ``openfpgaloader``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from fpga_rnn.boards import Board, load_board
from fpga_rnn.device.runtime import DeviceError
from fpga_rnn.errors import InputError, ToolError
from fpga_rnn.escape import printable

PROGRAM_TIMEOUT = 300.0  # seconds: writing the flash of an 85F takes about a minute


def find_loader() -> str:
    for name in ("openFPGALoader", "openfpgaloader-cli"):
        found = shutil.which(name)
        if found:
            return found
    raise ToolError(
        "openFPGALoader not found: `apt-get install openfpgaloader` (bash scripts/dev.sh "
        "installs it)"
    )


def program(folder: Path | str, board: Board | str, *, flash: bool = False) -> dict[str, Any]:
    """Load ``folder``'s bitstream (``fpga-rnn bitstream``'s output) onto ``board``:
    into its SRAM, or with ``flash`` into its configuration flash (kept at power-off)."""
    folder = Path(folder)
    b = board if isinstance(board, Board) else load_board(board)
    meta_file = folder / "bitstream.json"
    if not meta_file.is_file():
        raise InputError(f"{folder} has no bitstream.json: build one with `fpga-rnn bitstream`")
    meta = json.loads(meta_file.read_text())
    if meta.get("board") != b.name:
        raise InputError(
            f"{folder} was built for {printable(str(meta.get('board')))}, not {b.name}"
        )
    image = meta.get("bitstream")
    if not isinstance(image, str) or not (folder / image).is_file() or "/" in image:
        raise InputError(f"{folder} holds no bitstream (built with --design-only?)")
    assert b.io is not None  # a bitstream exists only for boards with a pin map
    cmd = [find_loader(), "-b", b.io.programmer, *(["-f"] if flash else []), str(folder / image)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=PROGRAM_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise DeviceError(f"openFPGALoader did not finish in {PROGRAM_TIMEOUT:g} s") from None
    text = printable(r.stdout + r.stderr)
    if r.returncode != 0:
        if "unable to open ftdi device" in text or "No cable" in text or "not found" in text:
            raise DeviceError(
                f"no {b.name} found on USB (openFPGALoader: cable or board not found): plug "
                "it in, and check its USB permissions (udev rules) with `openFPGALoader --detect`"
            )
        last = text.strip().splitlines()[-1] if text.strip() else "no output"
        raise DeviceError(f"openFPGALoader failed (exit {r.returncode}): {last[:200]}")
    return {"board": b.name, "bitstream": image, "flash": flash, "digest": meta.get("digest")}
