"""The RTL backend's entry points: write a design, and simulate one against golden."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.backends import Progress, RunOptions
from fpga_rnn.backends.batch import Batch, compare_outputs
from fpga_rnn.backends.streams import StreamBatch
from fpga_rnn.errors import InputError
from fpga_rnn.ir.model import Model


def _design(
    model: Model,
    reuse: int | None,
    multipliers: int | None,
    max_timesteps: int | None,
    mac_stages: int,
    lane_stages: int,
    stream: bool = False,
):
    from fpga_rnn.backends.rtl import build

    if reuse is not None and multipliers is not None:
        raise InputError("give --reuse or --multipliers, not both")
    if multipliers is not None:
        return build.design_for_multipliers(
            model, multipliers, max_timesteps, mac_stages, lane_stages, stream=stream
        )
    r = build.DEFAULT_REUSE if reuse is None else reuse
    return build.design(model, r, max_timesteps, mac_stages, lane_stages, stream=stream)


def generate(
    model: Model,
    out: str | Path,
    *,
    reuse: int | None = None,
    multipliers: int | None = None,
    mac_stages: int = 0,
    lane_stages: int = 0,
    max_timesteps: int | None = None,
    stream: bool = False,
    force: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the Verilog design to ``out``; returns rtl.json's content. ``stream``: a
    stateful streaming design (docs/streaming.md)."""
    from fpga_rnn.backends.rtl import build
    from fpga_rnn.outputs import check_writable

    check_writable(Path(out), force=force)
    d = _design(model, reuse, multipliers, max_timesteps, mac_stages, lane_stages, stream)
    if progress:
        progress(f"rtl: writing {d.info['multipliers']} multipliers' design to {out}")
    path = build.write(d, Path(out), force=force)
    return json.loads((path / "rtl.json").read_text())


def run(model: Model, batch: Batch, options: RunOptions, variant: str = "") -> dict[str, Any]:
    """Simulate the RTL on the batch (with random backpressure and idle gaps), then
    measure latency on a clean run; compare with golden."""
    from fpga_rnn.backends.rtl.plan import sequence_lower_bound
    from fpga_rnn.backends.rtl.sim import simulate

    o = options
    d = _design(model, o.reuse, o.multipliers, None, o.mac_stages, o.lane_stages)
    maxt = int(d.info["max_timesteps"])
    longest = max(len(c) for c in batch.codes)
    if d.info["buffers_sequences"] and longest > maxt:
        raise InputError(
            f"a sequence has {longest} steps; this design buffers at most {maxt} "
            "(regenerate with a larger --max-timesteps)"
        )
    beats = [len(g) for g in batch.golden]
    bp, gap = options.backpressure, options.gap
    say = options.say
    say(f"rtl: simulating {len(beats)} sequences (backpressure {bp}%, gaps {gap}%)")
    r = simulate(
        d, batch.codes, beats, gap=gap, backpressure=bp, seed=options.seed + 1, progress=say
    )
    res = compare_outputs(r.outputs, batch.golden)
    res["tlast_errors"] = r.tlast_errors
    res["bit_exact"] = res["bit_exact"] and r.tlast_errors == 0
    say(f"rtl: {res['mismatches']} mismatches; measuring latency on a clean stream")
    k = min(len(beats), 64)
    clean = simulate(d, batch.codes[:k], beats[:k])
    t0 = len(batch.codes[0])
    latency = int(clean.last_out[0] - clean.first_in[0])
    ii = int(np.median(np.diff(clean.first_in))) if k > 1 else latency
    res |= {
        "latency_cycles": latency,
        "timesteps": t0,
        "cycles_per_timestep": latency / t0,
        "initiation_interval_cycles": ii,
        "lower_bound_cycles": sequence_lower_bound(d.info["layers"], t0),
        "samples_per_second_simulated": len(beats) / r.seconds if r.seconds > 0 else None,
        "simulated_cycles": r.cycles,
        "build_seconds": r.build_seconds,
        "simulator_built": r.built,  # False: this design's simulator came from the cache
        "reuse": d.info["reuse"],
        "mac_stages": d.info["mac_stages"],
        "lane_stages": d.info["lane_stages"],
        "multipliers": d.info["multipliers"],
    }
    return res


LATENCY_SAMPLES = 8  # isolated samples whose latency a stateful run measures


def isolated_samples(d: Any, codes: np.ndarray, clears: np.ndarray) -> tuple[np.ndarray, Any]:
    """Feed a streaming design the samples ``codes`` (T, F) one burst each, every one
    offered once the one before it is out (``clears`` (T,): tuser); returns each
    sample's latency in cycles (input beat accepted -> output beat) and the run."""
    from fpga_rnn.backends.rtl.sim import simulate

    n = len(codes)
    r = simulate(
        d,
        [codes[t : t + 1] for t in range(n)],
        [1] * n,
        clears=[clears[t : t + 1] for t in range(n)],
        serial=True,
    )
    return (r.last_out - r.first_in).astype(int), r


def run_streams(
    model: Model, streams: StreamBatch, options: RunOptions, variant: str = ""
) -> dict[str, Any]:
    """Simulate the streaming design on ``streams``: every chunk a tlast-closed burst,
    the streams back to back (s_axis_tuser clears the state at each stream's start and
    at its flagged samples), random backpressure and gaps; compare every stream's
    outputs with golden's whole-stream codes. Then measure the per-sample latency on
    isolated samples (each enters once the one before it is out)."""
    from fpga_rnn.backends.rtl.sim import simulate

    o = options
    d = _design(model, o.reuse, o.multipliers, None, o.mac_stages, o.lane_stages, True)
    bursts = streams.bursts()
    say = o.say
    say(
        f"rtl: streaming {streams.streams} streams in {len(bursts)} chunks "
        f"(backpressure {o.backpressure}%, gaps {o.gap}%)"
    )
    r = simulate(
        d,
        [streams.codes[i, c] for i, c in bursts],
        [c.stop - c.start for _, c in bursts],
        clears=[streams.resets[i, c] for i, c in bursts],
        gap=o.gap,
        backpressure=o.backpressure,
        seed=o.seed + 1,
        progress=say,
    )
    got: list[list[np.ndarray]] = [[] for _ in range(streams.streams)]
    for (i, _), out in zip(bursts, r.outputs, strict=True):
        got[i].append(out)
    res = compare_outputs([np.concatenate(g) for g in got], list(streams.golden))
    res["tlast_errors"] = r.tlast_errors  # a chunk's tlast must close its last output
    res["bit_exact"] = res["bit_exact"] and r.tlast_errors == 0
    k = min(LATENCY_SAMPLES, streams.codes.shape[1])
    say(f"rtl: {res['mismatches']} mismatches; measuring the latency of {k} isolated samples")
    lat, _ = isolated_samples(d, streams.codes[0, :k], streams.resets[0, :k])
    res |= {
        "chunks": len(bursts),
        "samples": int(streams.codes.shape[0] * streams.codes.shape[1]),
        "sample_latency_cycles": int(lat.max()),
        "sample_latency_cycles_min": int(lat.min()),
        "cycles_per_sample": d.cycles_per_step,
        "simulated_cycles": r.cycles,
        "build_seconds": r.build_seconds,
        "simulator_built": r.built,
        "reuse": d.info["reuse"],
        "mac_stages": d.info["mac_stages"],
        "lane_stages": d.info["lane_stages"],
        "multipliers": d.info["multipliers"],
    }
    return res
