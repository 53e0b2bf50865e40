"""The HLS backend's entry points: write the hls4ml project, and C-simulate it against
golden."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.backends import Progress, RunOptions
from fpga_rnn.backends.batch import Batch, compare_outputs, refuse_ambiguous_padding, valid_part
from fpga_rnn.backends.streams import StreamBatch
from fpga_rnn.errors import InputError, UnsupportedError
from fpga_rnn.ir.model import Model


def generate(
    model: Model,
    out: str | Path,
    *,
    board: Any = "pynq-z2",
    backend: str = "vitis",
    reuse: int = 1,
    io: str = "parallel",
    timesteps: int | None = None,
    csim: bool = False,
    force: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the hls4ml project (our kernels, every precision explicit, the board's part
    and clock) to ``out``; returns hls.json's content. ``csim=True`` also compiles the
    C-simulation library with g++ (as hls4ml's ``compile()``)."""
    from fpga_rnn.backends.hls.project import build_project

    p = build_project(
        model,
        out,
        board=board,
        backend=backend,
        reuse=reuse,
        io=io,
        timesteps=timesteps,
        csim=csim,
        force=force,
        progress=progress,
    )
    return p.info


def run(model: Model, batch: Batch, options: RunOptions, variant: str = "") -> dict[str, Any]:
    """C-simulate the hls4ml project on the padded batch; compare the valid part of each
    output with golden. The project is built in ``options.workdir`` for ``options.board``
    when given, else in the build cache (once per model and length)."""
    from fpga_rnn.backends.hls.project import build_project, compiled_project

    x = np.asarray(batch.x)
    if model.input.tokens and x.ndim == 3:
        x = x[..., 0]
    refuse_ambiguous_padding(model, batch, "HLS design")
    t = x.shape[1]
    if options.workdir is not None:
        p = build_project(
            model,
            options.workdir,
            board=options.board,
            timesteps=t,
            csim=True,
            force=True,
            progress=options.progress,
        )
    else:
        p = compiled_project(model, t, progress=options.progress)
    if p.info["timesteps"] != t:
        raise InputError(f"the HLS design takes {p.info['timesteps']} steps, the inputs have {t}")
    options.say(f"hls: C-simulating {x.shape[0]} sequences")
    t0 = time.perf_counter()
    y = p.predict(x)
    seconds = time.perf_counter() - t0
    res = compare_outputs(valid_part(model, model.output_format.quantize(y), batch), batch.golden)
    res |= {
        "available": True,
        "timesteps": int(t),
        "compile_seconds": p.info.get("compile_seconds"),
        "csim_seconds": round(seconds, 3),
        "project_dir": str(p.path),
        "project": p.info,
    }
    return res


def run_streams(
    model: Model, streams: StreamBatch, options: RunOptions, variant: str = ""
) -> dict[str, Any]:
    """Stateful streaming is not in the HLS route yet: its project clears the state at
    every call (a sequence per call). Refused rather than compared differently."""
    raise UnsupportedError(
        "hls: stateful verification is not available: the HLS project starts every call "
        "from a zero state; use --targets rtl, c or c-arm"
    )
