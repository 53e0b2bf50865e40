"""Arithmetic building blocks of the golden model, on int64 code arrays.

Every function states its rounding: products and sums are exact; a value is
rounded or wrapped only where it is cast into a declared format.
"""

from __future__ import annotations

import numpy as np

from fpga_rnn.errors import FormatError
from fpga_rnn.fixed import INT64_SAFE_BITS, FixedFormat, Overflow
from fpga_rnn.ir.conv import Window
from fpga_rnn.ir.layers import QArray, TableSpec
from fpga_rnn.tables import lookup

# float64 matmul is exact while every partial sum stays below 2**53.
_FLOAT_EXACT = 2.0**53


def _bound(fmt_codes_max: int, w: np.ndarray) -> int:
    """Largest |sum_i x_i w_ij| for |x_i| <= fmt_codes_max (per column, max over j)."""
    if w.size == 0:
        return 0
    return int(fmt_codes_max) * int(np.abs(w).sum(axis=0).max())


def _matmul(x: np.ndarray, w: np.ndarray, bound: int) -> np.ndarray:
    """Exact integer x @ w; uses BLAS in float64 when that is provably exact."""
    if bound < _FLOAT_EXACT:
        return np.matmul(x.astype(np.float64), w.astype(np.float64)).astype(np.int64)
    return np.matmul(x, w)


def dense(
    x: np.ndarray, x_fmt: FixedFormat, w: QArray, b: QArray | None, accum: FixedFormat
) -> np.ndarray:
    """``W·x + b`` over the last axis of ``x``, in format ``accum``.

    Specification (hls4ml's ``dense`` in ``nnet_dense_latency.h``)::

        acc_j = cast(b_j -> accum)
        for i in 0 .. n_in-1:                      # ascending order
            acc_j = cast(acc_j + cast(x_i * w_ij -> accum) -> accum)

    Each product is exact, then cast (rounded with accum's mode, overflow with
    accum's mode); each running sum is cast again. With WRAP the order of the
    sum does not matter (wrapping is modular), nor does it when no partial sum
    can overflow, so those cases are computed as one exact matmul; saturating
    accumulators that can overflow are summed in order, term by term.
    """
    xf, wf = x_fmt.frac, w.fmt.frac
    pf = xf + wf  # fractional bits of an exact product
    xmax = max(abs(x_fmt.min_code), abs(x_fmt.max_code))
    wmax = int(np.abs(w.codes).max()) if w.codes.size else 0
    if (xmax * wmax).bit_length() + max(accum.frac - pf, 0) + int(x.shape[-1]).bit_length() > (
        INT64_SAFE_BITS
    ):
        raise FormatError(
            f"accumulator {accum} with {x_fmt} x {w.fmt} over {x.shape[-1]} inputs "
            "exceeds int64; use narrower formats"
        )
    acc0 = np.zeros(w.shape[1], np.int64) if b is None else accum.cast(b.codes, b.fmt.frac)
    exact_products = accum.frac >= pf
    bound = _bound(xmax, w.codes) << max(accum.frac - pf, 0)
    no_overflow = bound + int(np.abs(acc0).max(initial=0)) <= accum.max_code and exact_products
    if exact_products and (accum.overflow is Overflow.WRAP or no_overflow):
        s = _matmul(x, w.codes, _bound(xmax, w.codes)) << (accum.frac - pf)
        return accum.cast(s + acc0, accum.frac)
    # Products rounded one by one: (..., n_in, n_out) tensor of cast products.
    prods = accum.cast(x[..., :, None] * w.codes, pf)
    if accum.overflow is Overflow.WRAP:
        return accum.cast(prods.sum(axis=-2) + acc0, accum.frac)
    acc = np.broadcast_to(acc0, (*x.shape[:-1], w.shape[1])).copy()
    for i in range(x.shape[-1]):
        acc = accum.cast(acc + prods[..., i, :], accum.frac)
    return acc


def add(*terms: tuple[np.ndarray, int]) -> tuple[np.ndarray, int]:
    """Exact sum of values ``codes * 2**-frac`` -> (codes, common frac)."""
    f = max(t[1] for t in terms)
    return sum(np.asarray(c, np.int64) << (f - cf) for c, cf in terms), f


def mul(a: tuple[np.ndarray, int], b: tuple[np.ndarray, int]) -> tuple[np.ndarray, int]:
    """Exact product -> (codes, frac)."""
    return a[0] * b[0], a[1] + b[1]


def table_act(
    kind: str, codes: np.ndarray, frac: int, table: TableSpec, out: FixedFormat
) -> np.ndarray:
    """``cast(TABLE_kind[idx(codes, frac)] -> out)`` (index rule in fpga_rnn.tables)."""
    return out.cast(lookup(kind, codes, frac, table), table.fmt.frac)


def activation(
    act: str, codes: np.ndarray, fmt: FixedFormat, table: TableSpec | None, out: FixedFormat
) -> np.ndarray:
    """Activation of ``codes`` (format ``fmt``) cast into ``out``.

    - linear: ``cast(x -> out)``; relu: ``cast(max(x, 0) -> out)``
    - sigmoid/tanh: table value cast into ``out``
    - softmax over the last axis: ``d = x - max(x)`` (exact); ``e = EXP[idx(d)]``;
      ``y = floor(e * 2^F_out / sum(e))`` then cast into ``out``: an integer
      division, so HLS and RTL can reproduce it exactly.
    """
    f = fmt.frac
    if act == "linear":
        return out.cast(codes, f)
    if act == "relu":
        return out.cast(np.maximum(codes, 0), f)
    if act in ("sigmoid", "tanh"):
        assert table is not None
        return table_act(act, codes, f, table, out)
    if act == "softmax":
        assert table is not None
        d = codes - codes.max(axis=-1, keepdims=True)
        e = lookup("exp", d, f, table)
        total = e.sum(axis=-1, keepdims=True)
        fq = max(out.frac, 0)
        y = (e << fq) // np.maximum(total, 1)
        return out.cast(y, fq)
    raise ValueError(f"unknown activation {act!r}")


def windows(x: np.ndarray, w: Window) -> np.ndarray:
    """(B, T, X) codes -> (B, T', taps, X): every window's taps, oldest first, over the
    sequence zero-padded by ``w`` (code 0 is the value 0 in every format)."""
    b, t, f = x.shape
    xp = np.zeros((b, w.pad_left + t + w.pad_right, f), np.int64)
    xp[:, w.pad_left : w.pad_left + t] = x
    starts = np.arange(w.steps(t)) * w.strides
    idx = starts[:, None] + np.arange(w.taps)[None, :] * w.dilation
    return xp[:, idx]
