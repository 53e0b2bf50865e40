"""Run several implementations of a model on the same inputs and compare them.

Targets: ``golden`` (the specification, always run), ``rtl`` (our Verilog in
Verilator through cocotb), ``hls`` (the hls4ml project's C-simulation, our kernels
compiled with g++), ``c`` / ``c-arm`` (the embedded C export on the host, and on a
Cortex-M4 under QEMU). Every target must equal golden bit for bit; the float Keras
model, when available, is compared within a tolerance.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from fpga_rnn.errors import InputError
from fpga_rnn.golden.model import predict_prepared, prepare_input
from fpga_rnn.ir.model import Model
from fpga_rnn.limits import MAX_SAMPLES, MAX_STALL_PERCENT, check_int

TARGETS = ("golden", "rtl", "hls", "c", "c-arm")
DEFAULT_SAMPLES = 1000
DEFAULT_MAX_LENGTH = 24  # length of random sequences of models without a fixed length


@dataclass(frozen=True)
class Batch:
    """Inputs as the golden model sees them, split into unpadded sequences."""

    x: np.ndarray  # (B, T, F) floats or (B, T) token ids, padded
    padded: np.ndarray  # (B, T, F) input codes (token ids: F = 1), padded
    codes: list[np.ndarray]  # per sequence: (L, F) input codes, L = valid length
    golden: list[np.ndarray]  # per sequence: (L, N) or (1, N) output codes


def random_inputs(model: Model, samples: int, seed: int) -> np.ndarray:
    """Random sequences in the input format's range (token ids for embeddings).

    Models without a fixed length get random lengths, padded with the mask value
    when the model masks (else every sequence gets the same random length).
    """
    rng = np.random.default_rng(seed)
    spec = model.input
    t = spec.timesteps or DEFAULT_MAX_LENGTH
    if spec.tokens:
        vocab = model.layers[0].table.shape[0]  # type: ignore[attr-defined]
        x = rng.integers(1, max(vocab, 2), (samples, t))
    else:
        assert spec.fmt is not None
        hi = min(2.0, spec.fmt.max_value)
        lo = max(-2.0, spec.fmt.min_value)
        x = rng.uniform(lo, hi, (samples, t, spec.features))
    if spec.mask_value is not None and spec.timesteps is None:
        lengths = rng.integers(max(1, t // 4), t + 1, samples)
        for i, n in enumerate(lengths):
            x[i, n:] = spec.mask_value
    if spec.mask_value is not None and spec.fmt is not None:
        # a data step must not quantize onto the mask value (see _refuse_ambiguous_padding)
        code = spec.mask_code
        hit = np.any(x != spec.mask_value, axis=-1) & (spec.fmt.quantize(x) == code).all(axis=-1)
        nudge = code + 1 if code < spec.fmt.max_code else code - 1
        x[hit, 0] = spec.fmt.to_float(np.array([nudge]))[0]
    return x


def prepare(model: Model, x: np.ndarray) -> Batch:
    """Quantize, split into valid lengths (padding only at the end), run golden."""
    prep = prepare_input(model, x)
    b, t = prep.codes.shape[:2]
    if prep.mask is None:
        lengths = np.full(b, t)
    else:
        lengths = prep.mask.sum(axis=1)
        prefix = np.arange(t)[None, :] < lengths[:, None]
        if not np.array_equal(prefix, prep.mask):
            i = int(np.argwhere((prefix != prep.mask).any(axis=1))[0][0])
            raise InputError(
                f"sequence {i} has masked steps before its end; hardware ends a sequence "
                "at tlast, so padding must come after the data"
            )
        if (lengths == 0).any():
            raise InputError(f"sequence {int(np.argmax(lengths == 0))} is empty (all padding)")
    g = predict_prepared(model, prep)  # the batch is checked and quantized once
    seq_out = len(model.output_shape) == 2
    codes = [prep.codes[i, : lengths[i]] for i in range(b)]
    golden = [g[i, : lengths[i]] if seq_out else g[i][None] for i in range(b)]
    return Batch(x=np.asarray(x), padded=prep.codes, codes=codes, golden=golden)


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


def _compare(got: list[np.ndarray], want: list[np.ndarray]) -> dict[str, Any]:
    bad = 0
    first = None
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        if a.shape != b.shape or not np.array_equal(a, b):
            bad += 1
            first = i if first is None else first
    out: dict[str, Any] = {"mismatches": bad, "bit_exact": bad == 0}
    if first is not None:
        out["first_mismatch"] = first
    return out


def run_rtl(
    model: Model,
    batch: Batch,
    *,
    reuse: int | None = None,
    multipliers: int | None = None,
    backpressure: int = 25,
    gap: int = 10,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Simulate the RTL on the batch (with random backpressure and idle gaps), then
    measure latency on a clean run; compare with golden."""
    from fpga_rnn.rtlgen.build import DEFAULT_REUSE, design, design_for_multipliers
    from fpga_rnn.rtlgen.plan import sequence_lower_bound
    from fpga_rnn.rtlgen.sim import simulate

    if multipliers is not None:
        d = design_for_multipliers(model, multipliers)
    else:
        d = design(model, DEFAULT_REUSE if reuse is None else reuse)
    maxt = int(d.info["max_timesteps"])
    longest = max(len(c) for c in batch.codes)
    if d.info["buffers_sequences"] and longest > maxt:
        raise InputError(
            f"a sequence has {longest} steps; this design buffers at most {maxt} "
            "(regenerate with a larger --max-timesteps)"
        )
    beats = [len(g) for g in batch.golden]
    say = progress or (lambda _m: None)
    say(f"rtl: simulating {len(beats)} sequences (backpressure {backpressure}%, gaps {gap}%)")
    r = simulate(
        d, batch.codes, beats, gap=gap, backpressure=backpressure, seed=seed + 1, progress=say
    )
    res = _compare(r.outputs, batch.golden)
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
        "multipliers": d.info["multipliers"],
    }
    return res


def _refuse_ambiguous_padding(model: Model, batch: Batch, what: str) -> None:
    """HLS and C mask on the quantized input, Keras (golden) on the floats. They agree
    unless a data step quantizes onto the mask value, which no hardware could tell
    from padding: refuse it before running."""
    code = model.input.mask_code
    if code is None or model.input.tokens:
        return
    for i, c in enumerate(batch.codes):
        if (c == code).all(axis=-1).any():
            raise InputError(
                f"sequence {i} has a data step that quantizes to the mask value "
                f"{model.input.mask_value:g}; the {what} cannot tell it from padding"
            )


def _valid_part(model: Model, y: np.ndarray, batch: Batch) -> list[np.ndarray]:
    """Per sequence, the outputs of a padded run that golden has: the valid steps of a
    sequence output, else the one output vector."""
    if len(model.output_shape) == 2:
        return [y[i][: len(g)] for i, g in enumerate(batch.golden)]
    return [y[i][None] for i in range(len(batch.golden))]


def run_hls(
    model: Model,
    batch: Batch,
    *,
    project: Any = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """C-simulate the hls4ml project on the padded batch; compare the valid part of
    each output with golden. ``project``: a compiled ``HlsProject`` (default: one
    built in the cache, once per model and length)."""
    import time

    from fpga_rnn.hls.project import compiled_project

    say = progress or (lambda _m: None)
    spec = model.input
    x = np.asarray(batch.x)
    if spec.tokens and x.ndim == 3:
        x = x[..., 0]
    _refuse_ambiguous_padding(model, batch, "HLS design")
    p = project or compiled_project(model, x.shape[1], progress=progress)
    if p.info["timesteps"] != x.shape[1]:
        raise InputError(
            f"the HLS design takes {p.info['timesteps']} steps, the inputs have {x.shape[1]}"
        )
    say(f"hls: C-simulating {x.shape[0]} sequences")
    t0 = time.perf_counter()
    y = p.predict(x)
    seconds = time.perf_counter() - t0
    res = _compare(_valid_part(model, model.output_format.quantize(y), batch), batch.golden)
    res |= {
        "available": True,
        "timesteps": int(x.shape[1]),
        "compile_seconds": p.info.get("compile_seconds"),
        "csim_seconds": round(seconds, 3),
        "project_dir": str(p.path),
    }
    return res


def run_c(
    model: Model,
    batch: Batch,
    target: str = "host",
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Compile the C export (host gcc, or Cortex-M4 under QEMU) and run the padded
    batch; compare each sequence's valid part with golden, and step() with
    run_sequence()."""
    from fpga_rnn import ctarget

    _refuse_ambiguous_padding(model, batch, "C export")
    r = ctarget.run(model, batch.padded, target, progress=progress)
    res = _compare(_valid_part(model, r["outputs"], batch), batch.golden)
    step_bad = int((r["step_ok"] == 0).sum())
    res["bit_exact"] = res["bit_exact"] and step_bad == 0 and bool((r["rc"] == 0).all())
    res |= {
        "available": True,
        "target": "x86-64 gcc"
        if target == "host"
        else "Cortex-M4 (arm-none-eabi-gcc, qemu mps2-an386)",
        "step_mismatches": step_bad if r["info"]["can_step"] else None,
        "run_seconds": round(r["seconds"], 3),
        "footprint": r["footprint"],
        "flash_bytes_weights": r["info"]["flash_bytes_weights"],
    }
    return res


def verify(
    model: Model,
    x: np.ndarray | None = None,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    targets: tuple[str, ...] = ("golden", "rtl"),
    reuse: int | None = None,
    multipliers: int | None = None,
    backpressure: int = 25,
    gap: int = 10,
    keras_model: Any = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Compare the requested targets with golden on ``x`` (or random inputs)."""
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        raise InputError(f"unknown target(s) {unknown}; choose from {', '.join(TARGETS)}")
    if not set(targets) - {"golden"}:  # golden is the reference, compared with itself
        raise InputError(
            f"nothing to compare with golden (the reference): add a target from "
            f"{', '.join(TARGETS[1:])}"
        )
    check_int(backpressure, "backpressure (percent)", 0, MAX_STALL_PERCENT)
    check_int(gap, "gap (percent)", 0, MAX_STALL_PERCENT)
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
        "reference": "golden",  # every target below is compared with it, bit for bit
        "targets": {},
    }
    if "rtl" in targets:
        result["targets"]["rtl"] = run_rtl(
            model,
            batch,
            reuse=reuse,
            multipliers=multipliers,
            backpressure=backpressure,
            gap=gap,
            seed=seed,
            progress=progress,
        )
    if "hls" in targets:
        result["targets"]["hls"] = run_hls(model, batch, progress=progress)
    for name, ct in (("c", "host"), ("c-arm", "arm")):
        if name in targets:
            result["targets"][name] = run_c(model, batch, ct, progress=progress)
    if keras_model is not None:
        result["float"] = compare_float(keras_model, model, batch.x).to_dict()
    result["bit_exact"] = all(t["bit_exact"] for t in result["targets"].values())
    return result
