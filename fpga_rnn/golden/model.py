"""The golden model: runs an IR model on a batch, bit-exactly, in int64 numpy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fpga_rnn.errors import InputError
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.golden.ops import activation, dense, windows
from fpga_rnn.golden.recurrent import run_recurrent
from fpga_rnn.ir.conv import Conv1D, Pooling1D
from fpga_rnn.ir.kinds import log2
from fpga_rnn.ir.layers import Activation, Bidirectional, Dense, Embedding, Layer, Recurrent
from fpga_rnn.ir.model import Model

# A layer's golden function: (layer, codes, input format, mask) -> codes.
LayerFn = Callable[[Layer, np.ndarray, FixedFormat | None, np.ndarray | None], np.ndarray]


def _embedding(la: Embedding, x, fmt, mask):
    return la.table.codes[x[..., 0]]


def _recurrent(la: Recurrent, x, fmt, mask):
    return run_recurrent(la, x, fmt, mask)


def _bidirectional(la: Bidirectional, x, fmt, mask):
    """Keras semantics: the backward layer (go_backwards) reads the sequence from
    the end; with return_sequences its output is flipped back to input order;
    masked steps output zero inside Bidirectional."""
    zero = mask is not None and la.forward.return_sequences
    f = run_recurrent(la.forward, x, fmt, mask, zero_masked_outputs=zero)
    b = run_recurrent(la.backward, x, fmt, mask, zero_masked_outputs=zero)
    if la.backward.return_sequences:
        b = b[:, ::-1]
    if la.merge == "concat":
        return np.concatenate([f, b], axis=-1)
    sf, sb = la.forward.state.frac, la.backward.state.frac
    m = max(sf, sb)
    assert la.result is not None
    return la.result.cast((f << (m - sf)) + (b << (m - sb)), m)


def _dense(la: Dense, x, fmt, mask):
    acc = dense(x, fmt, la.kernel, la.bias, la.accum)
    return activation(la.activation, acc, la.accum, la.table, la.result)


def _conv1d(la: Conv1D, x, fmt, mask):
    """A Dense over each window's taps flattened tap-major (Keras's kernel order)."""
    win = windows(x, la.window)
    flat = win.reshape(*win.shape[:2], -1)
    acc = dense(flat, fmt, la.flat_kernel, la.bias, la.accum)
    return activation(la.activation, acc, la.accum, la.table, la.result)


def _pooling1d(la: Pooling1D, x, fmt, mask):
    """Max (codes as they are), or the exact sum read with log2(pool) more fraction
    bits (the division by the pool size) cast into ``result``."""
    win = windows(x, la.window)
    if la.op == "max":
        return win.max(axis=2)
    assert la.result is not None
    return la.result.cast(win.sum(axis=2), fmt.frac + log2(la.pool))


def _activation(la: Activation, x, fmt, mask):
    return activation(la.activation, x, fmt, la.table, la.result)


GOLDEN: dict[str, LayerFn] = {
    "embedding": _embedding,
    "simple_rnn": _recurrent,
    "lstm": _recurrent,
    "gru": _recurrent,
    "bidirectional": _bidirectional,
    "dense": _dense,
    "activation": _activation,
    "conv1d": _conv1d,
    "pooling1d": _pooling1d,
}


@dataclass(frozen=True)
class Prepared:
    """Validated, quantized model input."""

    codes: np.ndarray  # (B, T, F) input codes, or (B, T, 1) token ids
    mask: np.ndarray | None  # (B, T) bool: step is valid


def prepare_input(model: Model, x: np.ndarray, *, saturate: bool = False) -> Prepared:
    """Check shape and values of a float (or token-id) batch and quantize it.

    Accepts (B, T, F) features or (B, T) token ids; raises :class:`InputError`
    with the expected shape otherwise. The mask (Keras Masking / mask_zero) is
    taken on the values as given, before quantization, as Keras does. A value
    outside the input format's range is refused unless ``saturate`` (then it is
    clipped to the range, as the input cast in hardware would).
    """
    return quantize_checked(model, check_input(model, x, saturate=saturate), saturate)


def is_whole(arr: np.ndarray) -> bool:
    """Every value a whole number (integer dtype, or finite floats without a fraction)."""
    return bool(
        np.issubdtype(arr.dtype, np.integer)
        or (np.all(np.isfinite(arr)) and np.array_equal(arr, np.round(arr)))
    )


def sample_rank(model: Model) -> int:
    """Axes of one sample of the model's input: 0 for a token id, 1 for features."""
    return 0 if model.input.tokens else 1


def check_input(
    model: Model, x: np.ndarray, *, saturate: bool = False, any_length: bool = False
) -> np.ndarray:
    """The batch as token ids (B, T) int64 or features (B, T, F) float64, validated
    (shape, real finite values, token range, input range unless ``saturate``; the
    model's fixed length unless ``any_length``, as for a chunk of a stream)."""
    spec = model.input
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":  # complex would lose its imaginary part
        raise InputError(f"input must be real numbers, got dtype {arr.dtype}")
    need = model.min_steps()
    if need > 1 and arr.ndim >= 2 and arr.shape[1] < need:  # window layers only
        raise InputError(
            f"sequences of {arr.shape[1]} steps are too short: the model's windows need "
            f"at least {need}"
        )
    if spec.tokens:
        if arr.ndim == 3 and arr.shape[-1] == 1:
            arr = arr[..., 0]
        if arr.ndim != 2:
            raise InputError(f"expected token ids of shape (batch, timesteps), got {arr.shape}")
        if not is_whole(arr):
            raise InputError("token ids must be integers")
        arr = np.asarray(arr, np.int64)
        vocab = model.layers[0].table.shape[0]  # type: ignore[attr-defined]
        if arr.size and (arr.min() < 0 or arr.max() >= vocab):
            raise InputError(f"token ids must be in [0, {vocab - 1}], got {arr.min()}..{arr.max()}")
        return arr
    if arr.ndim == 2 and spec.features == 1 and spec.timesteps not in (None, 1):
        arr = arr[..., None]
    if arr.ndim != 3 or arr.shape[-1] != spec.features:
        raise InputError(
            f"expected input of shape (batch, timesteps, {spec.features}), got {arr.shape}"
        )
    if not any_length and spec.timesteps is not None and arr.shape[1] != spec.timesteps:
        raise InputError(
            f"model expects {spec.timesteps} timesteps, input has {arr.shape[1]}; "
            "pad or crop the sequences"
        )
    arr = np.asarray(arr, np.float64)  # no copy when it already is
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise InputError(f"input contains NaN or inf (first at index {tuple(bad)})")
    assert spec.fmt is not None
    if not saturate:
        _check_range(arr, spec.fmt, spec.mask_value)
    return arr


def quantize_checked(model: Model, arr: np.ndarray, saturate: bool) -> Prepared:
    """Codes and mask of a batch ``check_input`` returned."""
    spec = model.input
    if spec.tokens:
        mask = arr != spec.mask_value if spec.mask_value is not None else None
        return Prepared(codes=arr[..., None], mask=mask)
    mask = np.any(arr != spec.mask_value, axis=-1) if spec.mask_value is not None else None
    assert spec.fmt is not None
    if saturate:  # clip, whatever the format's overflow mode (the default one wraps)
        arr = np.clip(arr, spec.fmt.min_value, spec.fmt.max_value)
    return Prepared(codes=spec.fmt.quantize(arr), mask=mask)


def _check_range(arr: np.ndarray, fmt: FixedFormat, mask_value: float | None) -> None:
    lo, hi = fmt.min_value, fmt.max_value
    bad = (arr < lo) | (arr > hi)
    if mask_value is not None:
        bad &= arr != mask_value
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        raise InputError(
            f"input value {arr[i]:g} at {i} is outside the input format {fmt} "
            f"[{lo:g}, {hi:g}]: scale the data, import with a wider --precision, or "
            "pass --saturate (saturate=True) to clip it as the hardware would"
        )


# sequences per chunk: quantization and a layer's intermediates take ~100 KB per
# sequence, so memory stays bounded (~50 MB) whatever the batch size; rows are
# independent, so chunks give exactly the codes of one whole-batch run.
CHUNK = 512


def run_prepared(model: Model, prep: Prepared) -> np.ndarray:
    """Output codes for an already prepared (validated, quantized) batch."""
    codes, mask = prep.codes, prep.mask
    for la, fmt, shape in zip(model.layers, model.formats(), model.shapes(), strict=True):
        codes = GOLDEN[la.kind](la, codes, fmt, mask)
        if len(shape) < 2:
            mask = None  # sequence consumed: later layers see one vector per sample
    return codes


def _chunks(model: Model, n: int, t: int, chunk_output) -> np.ndarray:
    """``chunk_output(lo, hi)`` for every CHUNK rows, gathered into one output array."""
    out = np.empty((n, *(d or model.steps(t) for d in model.output_shape)), np.int64)
    for lo in range(0, n, CHUNK):
        out[lo : lo + CHUNK] = chunk_output(lo, min(lo + CHUNK, n))
    return out


def predict_codes(model: Model, x: np.ndarray, *, saturate: bool = False) -> np.ndarray:
    """Output codes (format ``model.output_format``) for a float batch ``x``: validated
    once, then quantized and run chunk by chunk."""
    arr = check_input(model, x, saturate=saturate)

    def run(lo: int, hi: int) -> np.ndarray:
        return run_prepared(model, quantize_checked(model, arr[lo:hi], saturate))

    return _chunks(model, arr.shape[0], arr.shape[1], run)


def predict_prepared(model: Model, prep: Prepared) -> np.ndarray:
    """Output codes of a batch :func:`prepare_input` returned, chunk by chunk."""

    def run(lo: int, hi: int) -> np.ndarray:
        mask = None if prep.mask is None else prep.mask[lo:hi]
        return run_prepared(model, Prepared(codes=prep.codes[lo:hi], mask=mask))

    return _chunks(model, prep.codes.shape[0], prep.codes.shape[1], run)


def predict(model: Model, x: np.ndarray, *, saturate: bool = False) -> np.ndarray:
    """Golden model output as floats (exact values of the output codes)."""
    return model.output_format.to_float(predict_codes(model, x, saturate=saturate))
