"""Run the fpga-rnn CLI in a subprocess, as a user would (exit codes, stdout/stderr)."""

from __future__ import annotations

import subprocess
import sys


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fpga_rnn.cli", *args], capture_output=True, text=True
    )
