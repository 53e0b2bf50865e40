"""Default fixed-point formats for layers whose Keras model does not fix them.

hls4ml gives every unspecified type ``ap_fixed<16,6>`` with truncation and
wrap-around. We start from the user's data precision ``P`` (default the same
``ap_fixed<16,6>``) and choose, per value:

- weights: P's width, integer bits fitted to the largest |weight|, rounded to
  nearest (hls4ml truncates, which biases every weight by half an LSB);
- accumulators: wide enough that no sum can overflow and no product is rounded
  (F = F_x + F_w, integer bits from the largest possible |sum| for the actual
  weights), so the sum order cannot matter and no saturation logic is needed;
- h of tanh/sigmoid-bounded cells: P's width with 2 integer bits (|h| < 1), so
  the 16 bits are spent on fraction, not on range h never uses;
- LSTM cell state c: P's width + 6 bits, 6 integer bits (|c| grows by < 1 a step);
- table entries and gate outputs: ``ap_fixed<18,2>`` (16 fractional bits), 2048
  entries -- one 18 Kb x 2 BRAM36 per table; measured on random LSTM/GRU/RNN
  models, 2048 entries halve the max error of hls4ml's 1024 (e.g. SimpleRNN
  0.0050 -> 0.0023, BiGRU 0.0120 -> 0.0064), 4096 halve it again;
- every cast of a result or state rounds to nearest and saturates.
"""

from __future__ import annotations

import numpy as np

from fpga_rnn.fixed import FixedFormat, Overflow, Rounding, fit_signed
from fpga_rnn.ir.layers import QArray, TableSpec

DEFAULT_PRECISION = "ap_fixed<16,6>"
DEFAULT_TABLE_SIZE = 2048
TABLE_FORMAT = FixedFormat(18, 2, True, Rounding.RND_CONV, Overflow.SAT)
RESULT_MODES = {"rounding": Rounding.RND_CONV, "overflow": Overflow.SAT}


def result_format(p: FixedFormat) -> FixedFormat:
    return p.with_modes(Rounding.RND_CONV, Overflow.SAT)


def bounded_state(p: FixedFormat) -> FixedFormat:
    """Format for values in (-1, 1): h of LSTM/GRU, tanh outputs."""
    return FixedFormat(p.width, 2, True, **RESULT_MODES)


def cell_format(p: FixedFormat) -> FixedFormat:
    return FixedFormat(p.width + 6, 6, True, **RESULT_MODES)


def weight_format(values: np.ndarray, p: FixedFormat) -> FixedFormat:
    m = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return fit_signed(m, p.width, rounding=Rounding.RND_CONV, overflow=Overflow.SAT)


def table_spec(size: int = DEFAULT_TABLE_SIZE) -> TableSpec:
    return TableSpec(size=size, fmt=TABLE_FORMAT)


def accumulator(
    terms: list[tuple[FixedFormat, QArray]], biases: list[QArray | None]
) -> FixedFormat:
    """The narrowest WRAP accumulator that holds every ``sum_k x_k @ w_k + b`` exactly.

    ``terms`` are (input format, weights) pairs whose products are summed into
    one value (e.g. W·x and U·h of an RNN gate); ``biases`` are added in. Exact products need
    F = F_x + F_w; the integer bits cover the largest |sum| the actual weights allow.
    """
    frac = 0
    bound = 0.0
    for x_fmt, w in terms:
        frac = max(frac, x_fmt.frac + w.fmt.frac)
        xmax = max(abs(x_fmt.min_value), abs(x_fmt.max_value))
        bound += xmax * float(np.abs(w.to_float()).sum(axis=0).max())
    for b in biases:
        if b is not None:
            frac = max(frac, b.fmt.frac)
            bound += float(np.abs(b.to_float()).max(initial=0.0))
    # |sum| <= bound < 2**(I-1) with I = floor(log2(bound)) + 2 (sign bit included)
    integer = max(int(np.floor(np.log2(bound))) + 2, 1) if bound > 0 else 1
    return FixedFormat(integer + frac, integer, True, Rounding.TRN, Overflow.WRAP)
