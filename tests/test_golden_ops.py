"""The golden model's building blocks against direct, unvectorised readings of the spec."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fpga_rnn import tables
from fpga_rnn.fixed import FixedFormat, Overflow, Rounding
from fpga_rnn.golden.ops import activation, dense
from fpga_rnn.ir import QArray, TableSpec


def _dense_reference(x, xf, w, b, accum):
    """The spec, scalar by scalar: cast(b), then cast(acc + cast(x_i*w_ij)) in order."""
    out = []
    for j in range(w.shape[1]):
        acc = int(accum.cast(np.array([b.codes[j]]), b.fmt.frac)[0]) if b is not None else 0
        for i in range(len(x)):
            p = int(accum.cast(np.array([int(x[i]) * int(w.codes[i, j])]), xf.frac + w.fmt.frac)[0])
            acc = int(accum.cast(np.array([acc + p]), accum.frac)[0])
        out.append(acc)
    return out


fmts = st.builds(
    FixedFormat,
    width=st.integers(4, 16),
    integer=st.integers(-1, 8),
    signed=st.just(True),
    rounding=st.sampled_from(list(Rounding)),
    overflow=st.sampled_from(list(Overflow)),
)


@settings(max_examples=150, deadline=None)
@given(
    xf=fmts,
    wf=fmts,
    acc=fmts,
    n_in=st.integers(1, 6),
    n_out=st.integers(1, 4),
    seed=st.integers(0, 2**31),
    use_bias=st.booleans(),
)
def test_dense_matches_scalar_spec(xf, wf, acc, n_in, n_out, seed, use_bias):
    """Covers all three code paths: exact matmul, rounded products, ordered saturation."""
    rng = np.random.default_rng(seed)
    x = rng.integers(xf.min_code, xf.max_code + 1, (3, n_in))
    w = QArray(codes=rng.integers(wf.min_code, wf.max_code + 1, (n_in, n_out)), fmt=wf)
    b = (
        QArray(codes=rng.integers(wf.min_code, wf.max_code + 1, n_out), fmt=wf)
        if use_bias
        else None
    )
    got = dense(x, xf, w, b, acc)
    for r in range(3):
        assert got[r].tolist() == _dense_reference(x[r], xf, w, b, acc)


def _trunc0(v: Fraction) -> int:
    return int(v)  # int() of a Fraction truncates toward zero


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["sigmoid", "tanh"]),
    frac=st.integers(0, 30),
    size_log=st.integers(3, 13),
    codes=st.lists(st.integers(-(2**40), 2**40), min_size=1),
)
def test_table_index_rule(kind, frac, size_log, codes):
    n = 1 << size_log
    r = tables.RANGES[kind]
    ref = [min(max(_trunc0(Fraction(m * n, 2 * r * 2**frac)) + n // 2, 0), n - 1) for m in codes]
    assert tables.index(kind, np.array(codes), frac, n).tolist() == ref


def test_table_entries_are_bin_centres_and_symmetric():
    spec = TableSpec(size=256, fmt=FixedFormat.parse("ap_fixed<18,2,AP_RND_CONV,AP_SAT>"))
    t = tables.table("tanh", spec)
    n, d = 256, 8 / 256
    assert t[n // 2] == 0
    k = np.arange(1, n // 2)
    assert np.array_equal(t[n // 2 + k], -t[n // 2 - k])  # odd function, symmetric rounding
    assert t[n // 2 + 3] == spec.fmt.quantize(np.tanh(3.5 * d))
    s = tables.table("sigmoid", spec)
    assert s[n // 2] == spec.fmt.quantize(0.5)


def test_softmax_is_exact_integer_division():
    fmt = FixedFormat.parse("ap_fixed<16,6>")
    out = FixedFormat.parse("ap_ufixed<16,1,AP_RND_CONV,AP_SAT>")
    spec = TableSpec(size=1024)
    x = fmt.quantize(np.array([[1.0, 2.0, -0.5], [0.0, 0.0, 0.0]]))
    y = activation("softmax", x, fmt, spec, out)
    e = tables.lookup("exp", x - x.max(-1, keepdims=True), fmt.frac, spec)
    assert np.array_equal(y, (e << out.frac) // e.sum(-1, keepdims=True))
    f = out.to_float(y)
    ref = np.exp([1.0, 2.0, -0.5]) / np.exp([1.0, 2.0, -0.5]).sum()
    assert np.abs(f[0] - ref).max() < 0.01
    assert np.allclose(f[1], 1 / 3, atol=2**-15)
