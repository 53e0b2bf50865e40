"""Run several implementations of a model on the same inputs and compare them.

Golden (the specification) runs once per batch; every target of the registry in
:mod:`fpga_rnn.backends` (``rtl``, ``hls``, ``c``, ``c-arm``) must equal it bit for bit.
The float Keras model, when available, is compared with golden within a tolerance.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from fpga_rnn.backends import REFERENCE, RunOptions, Target, select
from fpga_rnn.backends.batch import Batch, prepare, random_inputs
from fpga_rnn.backends.streams import RANDOM, parse_chunk, prepare_streams, random_streams
from fpga_rnn.errors import InputError
from fpga_rnn.ir.model import Model
from fpga_rnn.limits import MAX_SAMPLES, MAX_STALL_PERCENT, MAX_TIMESTEPS, check_int

DEFAULT_SAMPLES = 1000
__all__ = ["Batch", "Comparison", "compare_float", "prepare", "random_inputs", "verify"]


@dataclass(frozen=True)
class Comparison:
    """Golden fixed-point model vs the float Keras model on the same inputs."""

    samples: int
    max_abs_error: float
    mean_abs_error: float
    argmax_agreement: float | None
    golden_seconds: float
    float_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare_float(keras_model: Any, ir: Model, x: np.ndarray) -> Comparison:
    """Golden vs the float Keras model on ``x``: max/mean abs error, argmax agreement."""
    from fpga_rnn.golden import predict as golden_predict
    from fpga_rnn.keras_import import keras_predict

    t0 = time.perf_counter()
    g = golden_predict(ir, x)
    t1 = time.perf_counter()
    f = keras_predict(keras_model, np.asarray(x))
    t2 = time.perf_counter()
    if g.shape != f.shape:
        raise InputError(f"golden output {g.shape} and float output {f.shape} differ in shape")
    err = np.abs(g - f)
    agree = float(np.mean(g.argmax(-1) == f.argmax(-1))) if g.shape[-1] > 1 else None
    return Comparison(
        samples=len(x),
        max_abs_error=float(err.max()),
        mean_abs_error=float(err.mean()),
        argmax_agreement=agree,
        golden_seconds=t1 - t0,
        float_seconds=t2 - t1,
    )


def verify(
    model: Model,
    x: np.ndarray | None = None,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    targets: tuple[str, ...] = ("rtl",),
    reuse: int | None = None,
    multipliers: int | None = None,
    mac_stages: int = 0,
    lane_stages: int = 0,
    backpressure: int = 25,
    gap: int = 10,
    keras_model: Any = None,
    stateful: bool = False,
    chunk: int | str | None = RANDOM,
    stream_length: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Compare the requested targets (names in :data:`fpga_rnn.backends.TARGETS`) with
    golden on ``x`` (or random inputs).

    ``stateful``: each row of ``x`` (default: ``samples`` random streams of
    ``stream_length`` samples, with random mid-stream clears) is a stream fed in chunks
    of ``chunk`` samples (an int, "random" boundaries, or None: whole) with the state
    kept between chunks; every target must give golden's whole-stream codes.
    """
    chosen = select(targets)
    check_int(backpressure, "backpressure (percent)", 0, MAX_STALL_PERCENT)
    check_int(gap, "gap (percent)", 0, MAX_STALL_PERCENT)
    options = RunOptions(
        reuse=reuse,
        multipliers=multipliers,
        mac_stages=mac_stages,
        lane_stages=lane_stages,
        backpressure=backpressure,
        gap=gap,
        seed=seed,
        progress=progress,
    )
    if stateful:
        return _verify_streams(model, x, samples, seed, chosen, chunk, stream_length, options)
    if x is None:
        check_int(samples, "samples", 1, MAX_SAMPLES)
        x = random_inputs(model, samples, seed)
    batch = prepare(model, x)
    if not batch.codes:  # nothing compared is no evidence of bit-exactness
        raise InputError("no sequences to verify: the input batch is empty")
    result: dict[str, Any] = {
        "model": model.name,
        "samples": len(batch.codes),
        "seed": seed,
        "reference": REFERENCE,  # every target below is compared with it, bit for bit
        "targets": {t.name: t.run(model, batch, options) for t in chosen},
    }
    if keras_model is not None:
        result["float"] = compare_float(keras_model, model, batch.x).to_dict()
    result["bit_exact"] = all(t["bit_exact"] for t in result["targets"].values())
    return result


def _verify_streams(
    model: Model,
    x: np.ndarray | None,
    samples: int,
    seed: int,
    chosen: tuple[Target, ...],
    chunk: int | str | None,
    length: int | None,
    options: RunOptions,
) -> dict[str, Any]:
    chunk = parse_chunk(chunk)
    if length is not None:
        check_int(length, "stream length", 1, MAX_TIMESTEPS)
    if x is None:
        check_int(samples, "samples (streams)", 1, MAX_SAMPLES)
        streams = random_streams(model, samples, seed, length=length, chunk=chunk)
    else:
        streams = prepare_streams(model, x, chunk=chunk, seed=seed)
    result: dict[str, Any] = {
        "model": model.name,
        "stateful": True,
        "streams": streams.streams,
        "stream_length": int(streams.codes.shape[1]),
        "chunk": chunk,
        "chunks": int(streams.ends.sum()),
        "resets": int(streams.resets.sum()),
        "seed": seed,
        "reference": REFERENCE,
        "targets": {t.name: t.run_streams(model, streams, options) for t in chosen},
    }
    result["bit_exact"] = all(t["bit_exact"] for t in result["targets"].values())
    return result
