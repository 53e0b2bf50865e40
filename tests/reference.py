"""An independent reference for the arithmetic specification (docs/arithmetic.md).

Written from the documentation alone, one scalar at a time, with Python integers and
fractions. It imports nothing from ``fpga_rnn.golden``, ``fpga_rnn.fixed`` or
``fpga_rnn.tables``: formats are read from their text (``ap_fixed<W,I,Q,O>``), tables
are computed here from their definition. The golden model is compared with it bit for
bit (tests/test_reference.py), so a slip in golden's operation order or rounding, which
every backend would copy, does not go unseen.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import numpy as np

RANGE = {"sigmoid": 8, "tanh": 4, "exp": 8}


@dataclass(frozen=True)
class Fmt:
    w: int
    i: int
    signed: bool
    rnd: str
    ovf: str

    @property
    def f(self) -> int:
        return self.w - self.i

    @property
    def lo(self) -> int:
        return -(2 ** (self.w - 1)) if self.signed else 0

    @property
    def hi(self) -> int:
        return 2 ** (self.w - 1) - 1 if self.signed else 2**self.w - 1


def fmt(obj: object) -> Fmt:
    """A format from its text: ``ap_fixed<W,I[,Q,O]>`` / ``ap_ufixed<...>``."""
    m = re.fullmatch(r"(ap_u?fixed)<(-?\d+),(-?\d+)(?:,(\w+),(\w+))?>", str(obj))
    assert m, obj
    return Fmt(int(m[2]), int(m[3]), m[1] == "ap_fixed", m[4] or "AP_TRN", m[5] or "AP_WRAP")


def _round(x: Fraction, mode: str) -> int:
    """Round an exact rational to an integer with an ap_fixed quantization mode."""
    q = math.floor(x)
    r = x - q  # 0 <= r < 1
    half = Fraction(1, 2)
    if r == 0 or mode == "AP_TRN":
        return q
    if mode == "AP_TRN_ZERO":
        return q + 1 if x < 0 else q
    if r != half:
        return q + 1 if r > half else q
    return {  # ties
        "AP_RND": q + 1,
        "AP_RND_ZERO": q + 1 if x < 0 else q,
        "AP_RND_MIN_INF": q,
        "AP_RND_INF": q if x < 0 else q + 1,
        "AP_RND_CONV": q + (q % 2),
    }[mode]


def _overflow(m: int, t: Fmt) -> int:
    if t.ovf == "AP_SAT_SYM" and t.signed:  # symmetric: the most negative code never appears
        return min(max(m, -t.hi), t.hi)
    if t.lo <= m <= t.hi:
        return m
    if t.ovf == "AP_WRAP":
        m %= 2**t.w
        return m - 2**t.w if t.signed and m > t.hi else m
    if t.ovf == "AP_SAT":
        return min(max(m, t.lo), t.hi)
    if t.ovf == "AP_SAT_ZERO":
        return 0
    assert t.ovf == "AP_SAT_SYM"  # unsigned: as AP_SAT
    return min(max(m, t.lo), t.hi)


def cast_value(v: Fraction, t: Fmt) -> int:
    """``cast(v -> T)`` of an exact value: quantize with T's mode, then overflow."""
    return _overflow(_round(v * 2**t.f, t.rnd), t)


def cast(n: int, f: int, t: Fmt) -> int:
    """``cast(n * 2^-f -> T)``."""
    return cast_value(Fraction(n, 2**f) if f >= 0 else Fraction(n * 2**-f), t)


def val(m: int, f: int) -> Fraction:
    return Fraction(m, 2**f) if f >= 0 else Fraction(m * 2**-f)


@cache
def table(kind: str, n: int, text: str) -> tuple[int, ...]:
    """Table entries from their definition (centre of each bin), as codes."""
    t = fmt(text)
    r = RANGE[kind]
    out = []
    for idx in range(n):
        if kind == "exp":
            x = -(idx + 0.5) * r / n
            y = math.exp(x)
        else:
            k, d = idx - n // 2, 2 * r / n
            x = (k + 0.5) * d if k > 0 else (k - 0.5) * d if k < 0 else 0.0
            y = math.tanh(x) if kind == "tanh" else 1.0 / (1.0 + math.exp(-x))
        out.append(cast_value(Fraction(y), t))
    return tuple(out)


def index(kind: str, m: int, f: int, n: int) -> int:
    r = RANGE[kind]
    if kind == "exp":
        return min(math.floor(val(-m, f) * n / r), n - 1)
    k = int(val(m, f) * n / (2 * r))  # int() of a Fraction truncates toward zero
    return min(max(k + n // 2, 0), n - 1)


def table_act(kind: str, m: int, f: int, spec, out: Fmt) -> int:
    """``cast(TABLE[idx(m, f)] -> out)``."""
    tf = fmt(spec.fmt)
    return cast(table(kind, spec.size, str(spec.fmt))[index(kind, m, f, spec.size)], tf.f, out)


def dense(x: list[int], xf: int, w, b, acc: Fmt) -> list[int]:
    """acc_j = cast(b_j -> A); acc_j = cast(acc_j + cast(x_i * w_ij -> A) -> A), i ascending."""
    wf = fmt(w.fmt)
    codes = w.codes
    out = []
    for j in range(codes.shape[1]):
        a = cast(int(b.codes[j]), fmt(b.fmt).f, acc) if b is not None else 0
        for i, xi in enumerate(x):
            p = cast(xi * int(codes[i, j]), xf + wf.f, acc)
            a = cast_value(val(a, acc.f) + val(p, acc.f), acc)
        out.append(a)
    return out


def _columns(w, lo: int, hi: int):
    return type(w)(codes=w.codes[:, lo:hi], fmt=w.fmt)


def activation(act: str, xs: list[int], xf: int, spec, out: Fmt) -> list[int]:
    if act == "linear":
        return [cast(v, xf, out) for v in xs]
    if act == "relu":
        return [cast(max(v, 0), xf, out) for v in xs]
    if act in ("sigmoid", "tanh"):
        return [table_act(act, v, xf, spec, out) for v in xs]
    assert act == "softmax"
    top = max(xs)
    e = [table("exp", spec.size, str(spec.fmt))[index("exp", v - top, xf, spec.size)] for v in xs]
    total = max(sum(e), 1)
    fq = max(out.f, 0)
    return [cast((v * 2**fq) // total, fq, out) for v in e]


def step(la, a: list[int], h: list[int], c: list[int]) -> tuple[list[int], list[int]]:
    """One recurrent step from the documented cell equations."""
    acc, st = fmt(la.accum), fmt(la.state)
    n = la.units
    if la.kind == "simple_rnn":
        u = dense(h, st.f, la.recurrent_kernel, None, acc)
        p = [cast_value(val(a[j], acc.f) + val(u[j], acc.f), acc) for j in range(n)]
        return activation(la.activation, p, acc.f, la.table, st), c
    gt = fmt(la.gate)
    if la.kind == "lstm":
        cl = fmt(la.cell)
        u = dense(h, st.f, la.recurrent_kernel, None, acc)
        p = [cast_value(val(a[j], acc.f) + val(u[j], acc.f), acc) for j in range(4 * n)]
        i = [table_act("sigmoid", v, acc.f, la.table, gt) for v in p[0:n]]
        f = [table_act("sigmoid", v, acc.f, la.table, gt) for v in p[n : 2 * n]]
        g = [table_act("tanh", v, acc.f, la.table, gt) for v in p[2 * n : 3 * n]]
        o = [table_act("sigmoid", v, acc.f, la.table, gt) for v in p[3 * n :]]
        c2 = [
            cast_value(val(g[j], gt.f) * val(i[j], gt.f) + val(c[j], cl.f) * val(f[j], gt.f), cl)
            for j in range(n)
        ]
        tc = [table_act("tanh", v, cl.f, la.table, gt) for v in c2]
        return [cast_value(val(o[j], gt.f) * val(tc[j], gt.f), st) for j in range(n)], c2
    assert la.kind == "gru"
    if la.reset_after:
        u = dense(h, st.f, la.recurrent_kernel, la.recurrent_bias, acc)
    else:
        u = dense(h, st.f, _columns(la.recurrent_kernel, 0, 2 * n), None, acc)
    z = [
        table_act(
            "sigmoid", cast_value(val(a[j], acc.f) + val(u[j], acc.f), acc), acc.f, la.table, gt
        )
        for j in range(n)
    ]
    r = [
        table_act(
            "sigmoid",
            cast_value(val(a[n + j], acc.f) + val(u[n + j], acc.f), acc),
            acc.f,
            la.table,
            gt,
        )
        for j in range(n)
    ]
    if la.reset_after:
        s = [cast_value(val(r[j], gt.f) * val(u[2 * n + j], acc.f), acc) for j in range(n)]
        ph = [cast_value(val(a[2 * n + j], acc.f) + val(s[j], acc.f), acc) for j in range(n)]
    else:
        rh = [cast_value(val(r[j], gt.f) * val(h[j], st.f), st) for j in range(n)]
        uh = dense(rh, st.f, _columns(la.recurrent_kernel, 2 * n, 3 * n), None, acc)
        ph = [cast_value(val(a[2 * n + j], acc.f) + val(uh[j], acc.f), acc) for j in range(n)]
    hh = [table_act("tanh", v, acc.f, la.table, gt) for v in ph]
    one = Fraction(1)
    h2 = [
        cast_value(
            val(hh[j], gt.f) * (one - val(z[j], gt.f)) + val(h[j], st.f) * val(z[j], gt.f), st
        )
        for j in range(n)
    ]
    return h2, c


def recurrent(la, xs: list[list[int]], xf: int, valid: list[bool], zero_masked: bool = False):
    """A recurrent layer over one sequence: outputs per processed step, or the last h."""
    n = la.units
    h, c = [0] * n, [0] * n
    order = range(len(xs) - 1, -1, -1) if la.go_backwards else range(len(xs))
    outs = []
    for t in order:
        a = dense(xs[t], xf, la.kernel, la.bias, fmt(la.accum))
        if valid[t]:
            h, c = step(la, a, h, c)
            outs.append(h)
        else:
            outs.append([0] * n if zero_masked else h)
    return outs if la.return_sequences else h


def run(model, x: np.ndarray) -> list:
    """Output codes of ``model`` (an IR) for one input sequence ``x`` (T, F) or (T,)."""
    spec = model.input
    if spec.tokens:
        seq = [[int(v)] for v in np.asarray(x).reshape(-1)]
        valid = [spec.mask_value is None or v[0] != spec.mask_value for v in seq]
        f = None
    else:
        fin = fmt(spec.fmt)
        rows = np.asarray(x, np.float64).reshape(len(x), -1)
        seq = [[cast_value(Fraction(float(v)), fin) for v in row] for row in rows]
        valid = [
            spec.mask_value is None or any(float(v) != spec.mask_value for v in row) for row in rows
        ]
        f = fin.f
    cur: list = seq  # a list of step vectors, or one vector after a seq-to-one layer
    for la in model.layers:
        if la.kind == "embedding":
            cur = [[int(v) for v in la.table.codes[s[0]]] for s in cur]
            f = fmt(la.table.fmt).f
        elif la.kind in ("simple_rnn", "lstm", "gru"):
            cur = recurrent(la, cur, f, valid)
            f = fmt(la.state).f
        elif la.kind == "bidirectional":
            zero = la.forward.return_sequences
            fw = recurrent(la.forward, cur, f, valid, zero_masked=zero)
            bw = recurrent(la.backward, cur, f, valid, zero_masked=zero)
            if la.backward.return_sequences:
                bw = bw[::-1]
            cur = _merge(la, fw, bw)
            f = fmt(la.result).f if la.merge == "sum" else fmt(la.forward.state).f
        elif la.kind in ("dense", "activation"):
            out = fmt(la.result)
            seqs = cur if isinstance(cur[0], list) else None

            def apply(v: list[int], la=la, out=out, f=f) -> list[int]:
                if la.kind == "dense":
                    acc = fmt(la.accum)
                    return activation(
                        la.activation, dense(v, f, la.kernel, la.bias, acc), acc.f, la.table, out
                    )
                return activation(la.activation, v, f, la.table, out)

            cur = [apply(v) for v in seqs] if seqs is not None else apply(cur)
            f = out.f
        else:
            raise NotImplementedError(la.kind)
    return cur


def _merge(la, fw, bw):
    def one(a: list[int], b: list[int]) -> list[int]:
        if la.merge == "concat":
            return a + b
        fa, fb, out = fmt(la.forward.state).f, fmt(la.backward.state).f, fmt(la.result)
        return [cast_value(val(p, fa) + val(q, fb), out) for p, q in zip(a, b, strict=True)]

    if fw and isinstance(fw[0], list):
        return [one(a, b) for a, b in zip(fw, bw, strict=True)]
    return one(fw, bw)
