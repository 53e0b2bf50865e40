"""Golden vs an independent scalar reference written from docs/arithmetic.md, bit for bit,
on random small models over every rounding and overflow mode and every layer kind."""

from __future__ import annotations

import numpy as np
import reference

from fpga_rnn.fixed import FixedFormat, Overflow, Rounding
from fpga_rnn.golden import predict_codes
from fpga_rnn.ir import Model
from fpga_rnn.ir.layers import (
    GRU,
    LSTM,
    Activation,
    Bidirectional,
    Dense,
    Embedding,
    QArray,
    SimpleRNN,
    TableSpec,
)
from fpga_rnn.ir.model import InputSpec

ROUNDINGS, OVERFLOWS = list(Rounding), list(Overflow)


def _fmt(rng, lo: int, hi: int, ilo: int, ihi: int, signed: bool = True) -> FixedFormat:
    w = int(rng.integers(lo, hi + 1))
    return FixedFormat(
        w,
        int(rng.integers(ilo, ihi + 1)),
        signed,
        ROUNDINGS[rng.integers(len(ROUNDINGS))],
        OVERFLOWS[rng.integers(len(OVERFLOWS))],
    )


def _q(rng, shape, lo=3, hi=8) -> QArray:
    f = _fmt(rng, lo, hi, 0, 3)
    return QArray(codes=rng.integers(f.min_code, f.max_code + 1, shape), fmt=f)


def _table(rng) -> TableSpec:
    return TableSpec(size=int(rng.choice([8, 32, 256])), fmt=_fmt(rng, 6, 12, 1, 3))


def _recurrent(rng, kind: str, x: int, name: str, **kw):
    h = int(rng.integers(1, 4))
    g = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
    common = dict(
        name=name,
        units=h,
        kernel=_q(rng, (x, g * h)),
        recurrent_kernel=_q(rng, (h, g * h)),
        bias=_q(rng, (g * h,)),
        accum=_fmt(rng, 8, 20, 4, 10),
        state=kw.pop("state", None) or _fmt(rng, 4, 12, 1, 3),
        gate=_fmt(rng, 4, 12, 1, 2),
        table=_table(rng),
        **kw,
    )
    if kind == "lstm":
        return LSTM(cell=_fmt(rng, 6, 14, 2, 5), **common)
    if kind == "gru":
        ra = bool(rng.integers(2))
        rb = _q(rng, (3 * h,)) if ra else None
        return GRU(reset_after=ra, recurrent_bias=rb, **common)
    act = ["tanh", "relu", "linear"][rng.integers(3)]
    return SimpleRNN(activation=act, **common)


def random_model(seed: int) -> Model:
    rng = np.random.default_rng(seed)
    kinds = ["simple_rnn", "lstm", "gru"]
    tokens = rng.random() < 0.15
    masked = rng.random() < 0.4
    t = None if masked else int(rng.integers(1, 7))
    layers: list = []
    if tokens:
        emb = _q(rng, (int(rng.integers(3, 9)), int(rng.integers(1, 4))))
        layers.append(Embedding(name="emb", table=emb, mask_zero=masked))
        x = emb.shape[1]
        spec = InputSpec(features=1, timesteps=t, tokens=True, mask_value=0.0 if masked else None)
    else:
        x = int(rng.integers(1, 4))
        spec = InputSpec(
            features=x, timesteps=t, fmt=_fmt(rng, 6, 10, 2, 4), mask_value=0.0 if masked else None
        )
    stacked = rng.random() < 0.3
    seq_out = rng.random() < 0.3
    for i in range(2 if stacked else 1):
        rs = seq_out or (stacked and i == 0)
        kind = kinds[rng.integers(3)]
        if rng.random() < 0.3:
            st = _fmt(rng, 4, 12, 1, 3)
            merge = "concat" if rng.random() < 0.5 else "sum"
            fw = _recurrent(rng, kind, x, f"f{i}", return_sequences=rs, state=st)
            bw = _recurrent(
                rng,
                kinds[rng.integers(3)],
                x,
                f"b{i}",
                return_sequences=rs,
                go_backwards=True,
                state=st,
            )
            if merge == "sum" and fw.units != bw.units:
                merge = "concat"
            result = _fmt(rng, 6, 12, 2, 4) if merge == "sum" else None
            la = Bidirectional(name=f"bi{i}", forward=fw, backward=bw, merge=merge, result=result)
            x = fw.units if merge == "sum" else fw.units + bw.units
        else:
            la = _recurrent(
                rng, kind, x, f"r{i}", return_sequences=rs, go_backwards=bool(rng.random() < 0.2)
            )
            x = la.units
        layers.append(la)
    if rng.random() < 0.8:
        n = int(rng.integers(1, 4))
        act = ["linear", "relu", "sigmoid", "tanh", "softmax"][rng.integers(5)]
        layers.append(
            Dense(
                name="head",
                kernel=_q(rng, (x, n)),
                bias=_q(rng, (n,)) if rng.random() < 0.8 else None,
                accum=_fmt(rng, 10, 20, 4, 10),
                result=_fmt(rng, 6, 12, 1, 4),
                activation=act,
                table=_table(rng) if act in ("sigmoid", "tanh", "softmax") else None,
            )
        )
    if rng.random() < 0.2:
        act = ["relu", "sigmoid", "tanh", "softmax"][rng.integers(4)]
        layers.append(
            Activation(name="act", activation=act, result=_fmt(rng, 6, 12, 1, 3), table=_table(rng))
        )
    return Model(name=f"m{seed}", input=spec, layers=tuple(layers))


def random_inputs(model: Model, rng, n: int = 4) -> np.ndarray:
    spec = model.input
    t = spec.timesteps or 6
    if spec.tokens:
        x = rng.integers(1, model.layers[0].table.shape[0], (n, t))
    else:
        lo, hi = spec.fmt.min_value, spec.fmt.max_value
        x = rng.uniform(lo, hi, (n, t, spec.features))
        x = spec.fmt.to_float(spec.fmt.quantize(x)) if rng.random() < 0.5 else x
        x[x == 0] = spec.fmt.lsb  # zero is the mask value
    if spec.mask_value is not None:
        for i, length in enumerate(rng.integers(1, t + 1, n)):
            x[i, length:] = 0
    return x


def compare(seeds) -> tuple[int, int]:
    """(sequences compared, mismatches) of golden vs the reference."""
    done = bad = 0
    for seed in seeds:
        model = random_model(seed)
        x = random_inputs(model, np.random.default_rng(seed + 1))
        got = predict_codes(model, x)
        for i in range(len(x)):
            want = np.array(reference.run(model, x[i]), np.int64)
            done += 1
            bad += int(not np.array_equal(got[i], want))
    return done, bad


def test_golden_equals_the_independent_reference():
    done, bad = compare(range(300))
    assert done == 1200 and bad == 0


def test_the_reference_covers_every_mode_and_kind():
    """The random models do exercise what they claim to: every rounding and overflow
    mode in some accumulator, every kind, both GRU variants, masking and Bidirectional."""
    seen: set = set()
    for seed in range(300):
        m = random_model(seed)
        seen.add(("masked", m.input.mask_value is not None))
        for la in m.layers:
            for inner in (la.forward, la.backward) if la.kind == "bidirectional" else (la,):
                seen.add(inner.kind)
                if inner.kind == "gru":
                    seen.add(("reset_after", inner.reset_after))
                if hasattr(inner, "accum"):
                    seen.add(inner.accum.rounding)
                    seen.add(inner.accum.overflow)
            seen.add(la.kind)
    assert set(ROUNDINGS) | set(OVERFLOWS) <= seen
    want = {"embedding", "simple_rnn", "lstm", "gru", "bidirectional", "dense", "activation"}
    assert want <= seen and {("reset_after", True), ("reset_after", False)} <= seen
    assert {("masked", True), ("masked", False)} <= seen


def _has_gru(m: Model) -> bool:
    kinds = set()
    for la in m.layers:
        kinds |= {la.forward.kind, la.backward.kind} if la.kind == "bidirectional" else {la.kind}
    return "gru" in kinds


def test_the_reference_catches_a_rounding_order_slip(monkeypatch):
    """Golden with the GRU update rounded term by term (two roundings instead of one):
    every backend would copy it and still be 'bit-exact'; the reference is not fooled."""
    from fpga_rnn.golden import recurrent

    def slipped(la, hh, z, h):
        gf, sf = la.gate.frac, la.state.frac
        a = la.state.cast(hh * ((1 << gf) - z), 2 * gf)
        b = la.state.cast(h * z, sf + gf)
        return la.state.cast(a + b, sf)

    monkeypatch.setattr(recurrent, "_gru_update", slipped)
    gru_seeds = [s for s in range(300) if _has_gru(random_model(s))][:60]
    done, bad = compare(gru_seeds)
    assert bad > 0, "the slip went unnoticed"
    print(f"rounding-order slip: {bad} of {done} sequences differ from the reference")
