"""fpga_rnn.fixed against the real ap_types headers, exhaustively for W <= 8."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import numpy as np
import pytest
from aptypes import all_modes, build_cast_harness, run_cast_harness
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fpga_rnn.fixed import FixedFormat, Overflow, Rounding


def _source_values() -> tuple[np.ndarray, np.ndarray, int]:
    """Every code of every format with W <= 8 and integer bits -2..W+2, as exact
    values (codes at a common fractional width)."""
    frac = 12
    codes: set[int] = set()
    for w in range(1, 9):
        for i in range(-2, w + 3):
            for signed in (True, False):
                f = FixedFormat(w, i, signed)
                for m in range(f.min_code, f.max_code + 1):
                    codes.add(m << (frac - f.frac))
    c = np.array(sorted(codes), dtype=np.int64)
    return c, np.ldexp(c.astype(np.float64), -frac), frac


def _dest_formats() -> list[FixedFormat]:
    out: list[FixedFormat] = []
    for w in range(1, 9):
        for i in sorted({-1, 0, 1, w // 2, w, w + 1}):
            for signed in (True, False):
                out += all_modes(w, i, signed)
    return out


@pytest.fixture(scope="module")
def harness_results(pytestconfig):
    workdir = pytestconfig.cache.mkdir("aptypes")
    fmts = _dest_formats()
    codes, values, frac = _source_values()
    half = len(fmts) // 2
    chunks = [fmts[:half], fmts[half:]]
    with ThreadPoolExecutor(2) as pool:
        exes = list(pool.map(lambda ch: build_cast_harness(ch, workdir), chunks))
    results = [
        run_cast_harness(exe, values, len(ch), workdir)
        for exe, ch in zip(exes, chunks, strict=True)
    ]
    return fmts, codes, values, frac, np.concatenate(results)


def test_cast_matches_aptypes_exhaustively(harness_results):
    fmts, codes, values, frac, expected = harness_results
    mismatches = 0
    for k, f in enumerate(fmts):
        ours = f.cast(codes, frac)
        bad = np.flatnonzero(ours != expected[k])
        if bad.size:
            j = bad[0]
            print(f"{f}: value {values[j]!r} -> ours {ours[j]}, ap_types {expected[k][j]}")
        mismatches += bad.size
    n = len(fmts) * len(codes)
    print(
        f"ap_types cast: {n} cases ({len(fmts)} formats x {len(codes)} values), "
        f"{mismatches} mismatches"
    )
    assert mismatches == 0


def test_quantize_from_float_matches_aptypes(harness_results):
    fmts, _codes, values, _frac, expected = harness_results
    mismatches = sum(int(np.sum(f.quantize(values) != expected[k])) for k, f in enumerate(fmts))
    print(f"ap_types T(double): {len(fmts) * len(values)} cases, {mismatches} mismatches")
    assert mismatches == 0


def test_harness_exercises_every_mode(harness_results):
    """The grid must contain ties and overflows, or the comparison proves little."""
    fmts, _codes, values, _frac, expected = harness_results
    f = FixedFormat.parse("ap_fixed<4,2,AP_RND_CONV,AP_SAT>")
    k = fmts.index(f)
    assert expected[k].max() == f.max_code and expected[k].min() == f.min_code
    assert np.any(values == 0.125) and np.any(values == 0.375)  # ties at F=2
    assert len({tuple(expected[k]) for k in range(len(fmts))}) > len(fmts) // 4


def _ref_cast(v: Fraction, f: FixedFormat) -> int:
    """Independent reference: the ap_fixed rules on exact rationals."""
    y = v * Fraction(2) ** f.frac
    fl = y.numerator // y.denominator
    rem = y - fl
    half = Fraction(1, 2)
    mode = f.rounding.name
    if mode == "TRN":
        q = fl
    elif mode == "TRN_ZERO":
        q = fl + (1 if y < 0 and rem else 0)
    elif rem != half:
        q = fl + (1 if rem > half else 0)
    else:
        q = (
            fl
            + {
                "RND": 1,
                "RND_ZERO": 1 if y < 0 else 0,
                "RND_MIN_INF": 0,
                "RND_INF": 0 if y < 0 else 1,
                "RND_CONV": fl & 1,
            }[mode]
        )
    lo, hi = f.min_code, f.max_code
    o = f.overflow.name
    if o == "WRAP":
        q &= (1 << f.width) - 1
        return q - (1 << f.width) if f.signed and q > hi else q
    if lo <= q <= hi:
        return -hi if (o == "SAT_SYM" and f.signed and q < -hi) else q
    if o == "SAT_ZERO":
        return 0
    if o == "SAT_SYM" and f.signed:
        lo = -hi
    return min(max(q, lo), hi)


formats = st.builds(
    FixedFormat,
    width=st.integers(2, 40),
    integer=st.integers(-8, 44),
    signed=st.booleans(),
    rounding=st.sampled_from(list(Rounding)),
    overflow=st.sampled_from(list(Overflow)),
)


@settings(max_examples=400, deadline=None)
@given(
    f=formats,
    frac=st.integers(0, 40),
    codes=st.lists(st.integers(-(2**45), 2**45), min_size=1, max_size=40),
)
# Found by CI: a 64-bit rounding shift (frac -24 from 40) overflowed int64.
@example(f=FixedFormat(2, 26, False, Rounding.TRN, Overflow.WRAP), frac=40, codes=[0, -(2**45)])
def test_cast_wide_formats_against_rational_reference(f, frac, codes):
    ours = f.cast(np.array(codes, dtype=np.int64), frac)
    ref = [_ref_cast(Fraction(c, 2**frac), f) for c in codes]
    assert ours.tolist() == ref


@settings(max_examples=400, deadline=None)
@given(f=formats, xs=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40))
@example(f=FixedFormat(2, 3, False), xs=[-5e-324, 5e-324, -2.2e-308])  # scaled into subnormals
def test_quantize_wide_formats_against_rational_reference(f, xs):
    assert f.quantize(np.array(xs)).tolist() == [_ref_cast(Fraction(x), f) for x in xs]
