"""A batch of sequences as every backend receives it, and how outputs are compared.

Golden runs once per batch (:func:`prepare`); each backend's ``run`` gets the batch and
compares its outputs with ``batch.golden`` bit for bit (:func:`compare_outputs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fpga_rnn.errors import InputError
from fpga_rnn.golden.model import predict_prepared, prepare_input
from fpga_rnn.ir.model import Model

DEFAULT_MAX_LENGTH = 24  # length of random sequences of models without a fixed length


@dataclass(frozen=True)
class Batch:
    """Inputs as the golden model sees them, split into unpadded sequences."""

    x: np.ndarray  # (B, T, F) floats or (B, T) token ids, padded
    padded: np.ndarray  # (B, T, F) input codes (token ids: F = 1), padded
    codes: list[np.ndarray]  # per sequence: (L, F) input codes, L = valid length
    golden: list[np.ndarray]  # per sequence: (L, N) or (1, N) output codes


def random_inputs(
    model: Model, samples: int, seed: int, *, length: int | None = None, pad: bool = True
) -> np.ndarray:
    """Random sequences in the input format's range (token ids for embeddings).

    Models without a fixed length get ``length`` steps (default DEFAULT_MAX_LENGTH),
    and random lengths padded with the mask value when the model masks and ``pad``.
    """
    rng = np.random.default_rng(seed)
    spec = model.input
    t = length or spec.timesteps or DEFAULT_MAX_LENGTH
    if spec.tokens:
        vocab = model.layers[0].table.shape[0]  # type: ignore[attr-defined]
        x = rng.integers(1, max(vocab, 2), (samples, t))
    else:
        assert spec.fmt is not None
        hi = min(2.0, spec.fmt.max_value)
        lo = max(-2.0, spec.fmt.min_value)
        x = rng.uniform(lo, hi, (samples, t, spec.features))
    if pad and spec.mask_value is not None and spec.timesteps is None:
        lengths = rng.integers(max(1, t // 4), t + 1, samples)
        for i, n in enumerate(lengths):
            x[i, n:] = spec.mask_value
    if spec.mask_value is not None and spec.fmt is not None:
        # a data step must not quantize onto the mask value (see refuse_ambiguous_padding)
        code = spec.mask_code
        hit = np.any(x != spec.mask_value, axis=-1) & (spec.fmt.quantize(x) == code).all(axis=-1)
        nudge = code + 1 if code < spec.fmt.max_code else code - 1
        x[hit, 0] = spec.fmt.to_float(np.array([nudge]))[0]
    return x


def prepare(model: Model, x: np.ndarray, *, saturate: bool = False) -> Batch:
    """Quantize, split into valid lengths (padding only at the end), run golden.
    ``saturate``: clip values outside the input format (else they are refused)."""
    prep = prepare_input(model, x, saturate=saturate)
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


def compare_outputs(got: list[np.ndarray], want: list[np.ndarray]) -> dict[str, Any]:
    """Mismatching sequences (shape or any code), ``bit_exact``, the first mismatch."""
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


def refuse_ambiguous_padding(model: Model, batch: Batch, what: str) -> None:
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


def valid_part(model: Model, y: np.ndarray, batch: Batch) -> list[np.ndarray]:
    """Per sequence, the outputs of a padded run that golden has: the valid steps of a
    sequence output, else the one output vector."""
    if len(model.output_shape) == 2:
        return [y[i][: len(g)] for i, g in enumerate(batch.golden)]
    return [y[i][None] for i in range(len(batch.golden))]
