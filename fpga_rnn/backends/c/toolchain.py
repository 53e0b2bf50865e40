"""Compile the C export and run it: on the host (gcc) and on a Cortex-M4 under QEMU
(arm-none-eabi-gcc + newlib semihosting, ``qemu-system-arm -M mps2-an386``).

Both builds use ``-std=c99 -Wall -Wextra -Werror -pedantic``; one run feeds a whole
batch through the harness (``fpga_rnn/backends/c/src/frnn_harness.c``) via files.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.backends.c import writer
from fpga_rnn.errors import ToolError
from fpga_rnn.ir.model import Model

# the C targets and what runs them (verify's result names it)
TARGETS = {"host": "x86-64 gcc", "arm": "Cortex-M4 (arm-none-eabi-gcc, qemu mps2-an386)"}
WARNINGS = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic"]
ARM = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft"]
APT_HINT = "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
QEMU = [
    "qemu-system-arm", "-M", "mps2-an386", "-cpu", "cortex-m4", "-nographic",
    "-semihosting-config", "enable=on,target=native", "-kernel",
]  # fmt: skip
SOURCES = ["fpga_rnn_model.c", "frnn_rt.c"]


def _tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if not path:
        raise ToolError(f"{name} not found; install it: {hint}")
    return path


def _run(cmd: list[str], cwd: Path, what: str, timeout: float = 1800) -> str:
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        tail = (r.stderr or r.stdout).strip().splitlines()[-5:]
        raise ToolError(f"{what} failed (exit {r.returncode}): {' | '.join(tail)}")
    return r.stdout


def place(work: Path, files: dict[str, str]) -> None:
    """Generated sources, the runtime and the harness files into ``work``."""
    for name, text in files.items():
        (work / name).write_text(text)
    for name in (*writer.RUNTIME, "frnn_harness.c", "frnn_vectors.c", "mps2_an386.ld"):
        shutil.copy(writer.runtime_dir() / name, work / name)


def write_sources(model: Model, work: Path, max_timesteps: int | None) -> dict[str, Any]:
    files, info = writer.generate(model, max_timesteps)
    place(work, files)
    return info


def build(work: Path, target: str) -> Path:
    """Compile the harness for ``target``; returns the executable."""
    if target == "host":
        cc = _tool("gcc", "apt-get install gcc")
        exe = work / "harness"
        _run([cc, *WARNINGS, *SOURCES, "frnn_harness.c", "-o", exe.name], work, "gcc")
        return exe
    cc = _tool("arm-none-eabi-gcc", APT_HINT)
    exe = work / "harness.elf"
    cmd = [cc, *ARM, *WARNINGS, "--specs=rdimon.specs", "-T", "mps2_an386.ld"]
    _run([*cmd, *SOURCES, "frnn_harness.c", "frnn_vectors.c", "-o", exe.name], work, cc)
    return exe


def footprint(work: Path) -> dict[str, int]:
    """Flash (code + const) and static RAM of the model and runtime for Cortex-M4."""
    cc = _tool("arm-none-eabi-gcc", APT_HINT)
    size = _tool("arm-none-eabi-size", APT_HINT)
    objs = []
    for src in SOURCES:
        obj = src.replace(".c", ".o")
        _run([cc, *ARM, *WARNINGS, "-c", src, "-o", obj], work, cc)
        objs.append(obj)
    out = _run([size, "-t", *objs], work, "arm-none-eabi-size").strip().splitlines()[-1].split()
    text, data, bss = (int(v) for v in out[:3])
    return {
        "flash_bytes": text + data,
        "ram_bytes": data + bss,
        "text": text,
        "data": data,
        "bss": bss,
    }


def _inputs(codes: np.ndarray, target: str) -> np.ndarray:
    """Input codes as (B, T, F) int64 (token ids get a feature axis); the target checked."""
    if target not in TARGETS:
        raise ToolError(f"unknown C target {target!r}; choose from {', '.join(TARGETS)}")
    x = np.asarray(codes, np.int64)
    return x[..., None] if x.ndim == 2 else x


def _execute(exe: Path, work: Path, target: str, what: str, say: Callable[[str], None]) -> float:
    """Run the built harness in ``work`` (under QEMU for arm); its seconds."""
    say(f"c: {what}" + (" under qemu-system-arm" if target == "arm" else ""))
    cmd = [str(exe)] if target == "host" else [*QEMU, exe.name]
    if target == "arm":
        _tool("qemu-system-arm", APT_HINT)
    t0 = time.perf_counter()
    _run(cmd, work, f"the {target} build")
    return time.perf_counter() - t0


def run(
    model: Model,
    codes: np.ndarray,
    target: str = "host",
    *,
    max_timesteps: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the exported C on a padded batch of input codes (B, T, F) or token ids (B, T).

    Returns outputs (B, T, N) or (B, N) codes, per-sequence return codes, whether
    step-by-step use gave the same outputs, timings and the Cortex-M4 footprint.
    ``max_timesteps``: the export's limit (default: the batch's length).
    """
    x = _inputs(codes, target)
    say = progress or (lambda _m: None)
    n, t, f = x.shape
    with tempfile.TemporaryDirectory(prefix="frnn-c-") as d:
        work = Path(d)
        info = write_sources(model, work, max_timesteps or t)
        say(f"c: compiling for {target} ({'gcc' if target == 'host' else 'arm-none-eabi-gcc'})")
        exe = build(work, target)
        header = np.array([n, t, f], np.int32)
        (work / "in.bin").write_bytes(header.tobytes() + x.astype(np.int32).tobytes())
        seconds = _execute(exe, work, target, f"running {n} sequences", say)
        raw = np.frombuffer((work / "out.bin").read_bytes(), np.int32)
        size = int(info["output"]["size"]) * (t if info["output"]["per_step"] else 1)
        rec = raw.reshape(-1, size + 2) if raw.size % (size + 2) == 0 else None
        if rec is None or rec.shape[0] != n:
            raise ToolError(
                f"the {target} build wrote {raw.size} values, expected {n * (size + 2)}"
            )
        fp = footprint(work) if shutil.which("arm-none-eabi-gcc") else None
    y = rec[:, 1 : 1 + size].astype(np.int64)
    y = y.reshape(n, t, -1) if info["output"]["per_step"] else y
    return {
        "outputs": y,
        "rc": rec[:, 0],
        "step_ok": rec[:, -1],
        "seconds": seconds,
        "info": info,
        "footprint": fp,
    }


# stream.bin flags of the harness (frnn_harness.c): before a sample
STREAM_SAVE_RESTORE, STREAM_RESET, STREAM_BAD_STATE = 1, 2, 4


def run_stream(
    model: Model,
    codes: np.ndarray,
    flags: np.ndarray,
    target: str = "host",
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Feed B streams of input codes (B, T, F) (or token ids (B, T)) sample by sample
    to the exported C's ``step``, with the state operations ``flags`` (B, T) asks for
    before each sample (``STREAM_*``: a get_state / reset / set_state round trip, a
    reset, a refused out-of-range set_state). No length limit: the harness reads
    sample by sample. Returns the per-sample outputs (B, T, N) and statuses (B, T)."""
    x = _inputs(codes, target)
    say = progress or (lambda _m: None)
    n, t, f = x.shape
    with tempfile.TemporaryDirectory(prefix="frnn-c-") as d:
        work = Path(d)
        info = write_sources(model, work, None)
        say(f"c: compiling for {target}")
        exe = build(work, target)
        body = np.concatenate([np.asarray(flags, np.int64)[..., None], x], axis=-1)
        head = np.array([n, t, f], np.int32).tobytes()
        (work / "stream.bin").write_bytes(head + body.astype(np.int32).tobytes())
        seconds = _execute(exe, work, target, f"streaming {n} x {t} samples", say)
        size = int(info["output"]["size"])
        raw = np.frombuffer((work / "stream_out.bin").read_bytes(), np.int32)
        if raw.size != n * t * (size + 1):
            raise ToolError(
                f"the {target} build wrote {raw.size} values, expected {n * t * (size + 1)}"
            )
    rec = raw.reshape(n, t, size + 1).astype(np.int64)
    return {"outputs": rec[..., 1:], "status": rec[..., 0], "seconds": seconds, "info": info}
