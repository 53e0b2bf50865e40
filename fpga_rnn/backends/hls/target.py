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
from fpga_rnn.errors import InputError
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
    stateful: bool = False,
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
        stateful=stateful,
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


CHUNK_STEPS = 8  # steps per call of the stateful project (a model's fixed length wins)


def run_streams(
    model: Model, streams: StreamBatch, options: RunOptions, variant: str = ""
) -> dict[str, Any]:
    """C-simulate the stateful project (state kept between calls, cleared by a flag) on
    the streams: each chunk is one or more calls of its steps (a chunk longer than the
    project's steps spans calls; a shorter one is padded with steps that hold the
    state), in stream order, the streams back to back. Compare with golden's whole
    streams."""
    from fpga_rnn.backends.hls.project import FLAG_CLEAR, FLAG_VALID, compiled_project

    t = model.input.timesteps or CHUNK_STEPS
    p = compiled_project(model, t, stateful=True, progress=options.progress)
    x = np.asarray(streams.x)
    pad = np.zeros_like(x[0, :1])
    calls_x, calls_f, pieces = [], [], []  # pieces: (stream, first sample, samples)
    for i, c in streams.bursts():
        for a in range(c.start, c.stop, t):
            b = min(a + t, c.stop)
            n = b - a
            calls_x.append(np.concatenate([x[i, a:b], np.repeat(pad, t - n, axis=0)]))
            f = np.zeros(t, np.int64)
            f[:n] = FLAG_VALID | np.where(streams.resets[i, a:b], FLAG_CLEAR, 0)
            calls_f.append(f)
            pieces.append((i, a, n))
    options.say(f"hls: C-simulating {len(pieces)} stateful calls of {t} steps")
    t0 = time.perf_counter()
    y = model.output_format.quantize(p.predict_chunks(np.stack(calls_x), np.stack(calls_f)))
    seconds = time.perf_counter() - t0
    got = np.zeros_like(streams.golden)
    for (i, a, n), out in zip(pieces, y, strict=True):
        got[i, a : a + n] = out[:n]
    res = compare_outputs(list(got), list(streams.golden))
    res |= {
        "available": True,
        "calls": len(pieces),
        "steps_per_call": t,
        "chunks": int(streams.ends.sum()),
        "samples": int(streams.ends.size),
        "compile_seconds": p.info.get("compile_seconds"),
        "csim_seconds": round(seconds, 3),
        "project_dir": str(p.path),
    }
    return res
