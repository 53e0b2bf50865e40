"""ROM images (``$readmemh`` hex files) for the RTL cores, from the IR's codes.

Weights go out tile by tile in the MAC engine's schedule order, so the engine
reads one ROM word per cycle; tables come from :mod:`fpga_rnn.tables`, the same
arrays the golden model indexes.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from fpga_rnn.backends.rtl.plan import Tile
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.ir.layers import TableSpec
from fpga_rnn.tables import table


def hex_words(words: list[int], width: int) -> str:
    """One two's-complement word of ``width`` bits per line."""
    digits = max(1, -(-width // 4))
    mask = (1 << width) - 1
    return "".join(f"{w & mask:0{digits}x}\n" for w in words)


def rom_columns(text: str) -> int:
    """Bit columns of a ROM image (``hex_words``) that are neither constant nor
    equal or complementary to another: the logic a LUT ROM of this content needs,
    since synthesis drops constant columns and shares equal ones (the high bits of
    small weights are all copies of the sign). The resource model's ROM size."""
    lines = text.split()
    if len(lines) < 2:
        return 0
    digits = len(lines[0]) + len(lines[0]) % 2
    raw = b"".join(bytes.fromhex(line.rjust(digits, "0")) for line in lines)
    bits = np.unpackbits(np.frombuffer(raw, np.uint8)).reshape(len(lines), -1)
    cols = bits.T ^ bits.T[:, :1]  # a column and its complement alike
    cols = cols[cols.any(axis=1)]  # constant columns need no logic
    # each column as one byte string: a 1-D unique (fit builds many designs; a
    # fully parallel layer's ROM is thousands of columns wide)
    packed = np.ascontiguousarray(np.packbits(cols, axis=1))
    return len(np.unique(packed.view(np.dtype((np.void, packed.shape[1])))))


def pack(values: np.ndarray, width: int) -> int:
    """Concatenate codes into one word, element 0 in the lowest bits."""
    mask = (1 << width) - 1
    word = 0
    for i, v in enumerate(np.asarray(values, dtype=np.int64).ravel().tolist()):
        word |= (int(v) & mask) << (i * width)
    return word


def unpack(words: list[int], width: int, n: int, signed: bool) -> np.ndarray:
    """(len(words), n) codes of ``width`` bits each: the inverse of :func:`pack`."""
    mask = (1 << width) - 1
    out = np.empty((len(words), n), np.int64)
    for b, w in enumerate(words):
        for e in range(n):
            v = (w >> (e * width)) & mask
            if signed and v >> (width - 1):
                v -= 1 << width
            out[b, e] = v
    return out


def weight_rom(w: np.ndarray, t: Tile, width: int) -> str:
    """ROM of a row-major weight matrix ``w`` (rows, K) for tile ``t``.

    Word ``blk * kb + kb_i`` holds lane ``r * pk + p`` = w[blk*pr + r, kb_i*pk + p]
    (zero beyond the matrix).
    """
    rows, k = w.shape
    padded = np.zeros((t.nb * t.pr, t.kb * t.pk), np.int64)
    padded[:rows, :k] = w
    words = []
    for b in range(t.nb):
        for kb in range(t.kb):
            tile = padded[b * t.pr : (b + 1) * t.pr, kb * t.pk : (kb + 1) * t.pk]
            words.append(pack(tile, width))
    return hex_words(words, t.pr * t.pk * width)


def vector_rom(codes: np.ndarray, width: int) -> str:
    return hex_words([int(v) for v in np.asarray(codes, dtype=np.int64).ravel()], width)


@lru_cache(maxsize=32)
def table_rom(kind: str, spec: TableSpec) -> str:
    """An activation table's ROM image (the same for every layer with that table: kept,
    as fit and the designer build dozens of candidate designs)."""
    return vector_rom(table(kind, spec), spec.fmt.width)


def format_params(prefix: str, fmt: FixedFormat) -> dict[str, int]:
    """Verilog parameters ``<prefix>_W/_F/_S/_Q/_O`` for a format (see frnn_cast)."""
    from fpga_rnn.ir.kinds import OVERFLOW_CODES, ROUNDING_CODES

    rnd = ROUNDING_CODES[fmt.rounding]
    ovf = OVERFLOW_CODES[fmt.overflow]
    return {
        f"{prefix}_W": fmt.width,
        f"{prefix}_F": fmt.frac,
        f"{prefix}_S": int(fmt.signed),
        f"{prefix}_Q": rnd,
        f"{prefix}_O": ovf,
    }
