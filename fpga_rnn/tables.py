"""Activation look-up tables, computed once here and shared by every backend.

The golden model indexes these arrays; the HLS project gets them as C++ arrays
and the RTL as ``.mem`` ROM images, so all three use the same numbers by
construction (no libm on the hardware side).

**Index rule** (hls4ml's, kept so the HLS kernels stay close to hls4ml's):
for an input code ``m`` with ``F`` fractional bits, a table of ``N`` entries
(power of two) over ``[-R, R)``::

    idx = trunc0(m * N / (2R * 2^F)) + N/2,  clamped to [0, N-1]

``trunc0`` rounds toward zero, so the bin at 0 covers ``(-d, d)`` with
``d = 2R/N`` (twice as wide as the others); negative inputs round up. With N
and R powers of two this is a shift, and for negative m an add of ``2^s - 1``
before the shift: cheap in RTL. R = 8 for sigmoid, 4 for tanh.

**Entry values** (our choice, not hls4ml's): each entry holds the function at
the *centre* of the input interval that maps to it -- ``(k + 1/2)d`` for
``k = idx - N/2 > 0``, ``0`` for ``k = 0``, ``(k - 1/2)d`` for ``k < 0`` --
computed in float64 and quantized with the table format's rounding mode.
hls4ml stores the value at the bin edge nearest zero, which doubles the
worst-case table error; we emit our own tables, so nothing forces that.

**Softmax** uses an exp table over ``(-R, 0]`` (R = 8) indexed by
``idx = min(floor(-d * N / (R * 2^F)), N-1)`` on ``d = x - max(x) <= 0``; entry
``idx`` holds ``exp(-(idx + 1/2) R / N)``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from fpga_rnn.ir.kinds import TABLE_RANGES
from fpga_rnn.ir.kinds import log2 as _log2
from fpga_rnn.ir.layers import TableSpec

RANGES = TABLE_RANGES  # sigmoid/tanh over [-R, R), exp over (-R, 0]


@lru_cache(maxsize=64)
def _table(kind: str, size: int, fmt_text: str) -> np.ndarray:
    from fpga_rnn.fixed import FixedFormat

    fmt = FixedFormat.parse(fmt_text)
    r = RANGES[kind]
    n = size
    if kind == "exp":
        x = -(np.arange(n) + 0.5) * r / n
        v = np.exp(x)
    else:
        k = np.arange(n) - n // 2
        d = 2 * r / n
        x = np.where(k > 0, (k + 0.5) * d, np.where(k < 0, (k - 0.5) * d, 0.0))
        v = np.tanh(x) if kind == "tanh" else 1.0 / (1.0 + np.exp(-x))
    codes = fmt.quantize(v)
    codes.setflags(write=False)
    return codes


def table(kind: str, spec: TableSpec) -> np.ndarray:
    """Integer codes (in ``spec.fmt``) of the ``kind`` table: sigmoid, tanh or exp."""
    if kind not in RANGES:
        raise ValueError(f"no table for {kind!r}")
    return _table(kind, spec.size, str(spec.fmt))


def index(kind: str, codes: np.ndarray, frac: int, size: int) -> np.ndarray:
    """Table index for input codes with ``frac`` fractional bits (see module doc)."""
    # Inputs far outside the range all clamp to an end entry; clipping first keeps
    # the left shift below inside int64.
    m = np.clip(np.asarray(codes, dtype=np.int64), -(1 << 40), 1 << 40)
    if kind == "exp":
        # m = x - max(x) <= 0; floor(-m * N / (R * 2^F))
        s = _log2(RANGES[kind]) + frac - _log2(size)
        neg = -m
        idx = neg >> s if s >= 0 else neg << -s
        return np.minimum(idx, size - 1)
    s = _log2(2 * RANGES[kind]) + frac - _log2(size)
    if s >= 0:
        a = np.abs(m) >> s
        k = np.where(m < 0, -a, a)
    else:
        k = m << -s
    return np.clip(k + size // 2, 0, size - 1)


def lookup(kind: str, codes: np.ndarray, frac: int, spec: TableSpec) -> np.ndarray:
    """Table codes (format ``spec.fmt``) for inputs ``codes * 2**-frac``."""
    return table(kind, spec)[index(kind, codes, frac, spec.size)]
