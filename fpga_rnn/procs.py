"""Child processes: when fpga-rnn is told to stop, nothing it started keeps running.

A build tool (make, g++, Verilator, yosys) started through a library we do not
control would survive our exit if only its direct parent were killed, and go on
writing into a cache. On SIGTERM the CLI stops every descendant first (found in
/proc, Linux), then unwinds as on Ctrl-C so temporary folders are removed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path


def _children() -> dict[int, list[tuple[int, str]]]:
    """ppid -> [(pid, state)] of every process, from /proc."""
    out: dict[int, list[tuple[int, str]]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # exited meanwhile
            continue
        fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...
        out.setdefault(int(fields[1]), []).append((int(text.split(" ", 1)[0]), fields[0]))
    return out


def descendants(pid: int | None = None) -> list[int]:
    """Every running (not zombie) process below ``pid`` (default: this one)."""
    children = _children()
    out, todo = [], [os.getpid() if pid is None else pid]
    while todo:
        for c, state in children.get(todo.pop(), []):
            todo.append(c)
            if state != "Z":
                out.append(c)
    return out


def stop_descendants(grace: float = 3.0) -> None:
    """SIGTERM every descendant (so gcc and make delete their temporary files), then
    SIGKILL what is still running after ``grace`` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in descendants():
            with contextlib.suppress(OSError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while descendants() and time.monotonic() < deadline:
            time.sleep(0.05)
