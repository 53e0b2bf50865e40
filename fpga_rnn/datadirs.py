"""Folders the package ships as data: the HLS kernels and the board profiles.

In the repository they are the top-level ``hls/`` and ``boards/``; an installed wheel
(or the editable install) carries them as ``fpga_rnn.hls_kernels`` and
``fpga_rnn.board_profiles``. A source tree put on ``sys.path`` by hand has no such
packages, so the repository folder is used then.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SHIPPED = {"hls_kernels": "hls", "board_profiles": "boards"}


def shipped_dir(name: str) -> Path:
    """The folder of ``fpga_rnn.<name>`` (``hls_kernels`` or ``board_profiles``)."""
    try:
        return Path(str(files(f"fpga_rnn.{name}")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / SHIPPED[name]
