"""Random IR models of every layer kind, for tests and benchmarks (no TensorFlow).

Weights are uniform in ±``scale`` and quantized with the importer's default
formats (``fpga_rnn.ir.precision``), so the models look like imported ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fpga_rnn.fixed import FixedFormat
from fpga_rnn.ir import precision as prec
from fpga_rnn.ir.conv import Conv1D, Pooling1D
from fpga_rnn.ir.layers import (
    GRU,
    LSTM,
    Bidirectional,
    Dense,
    Embedding,
    Layer,
    QArray,
    Recurrent,
    SimpleRNN,
)
from fpga_rnn.ir.model import InputSpec, Model

GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


def _q(
    rng: np.random.Generator, shape: tuple[int, ...], p: FixedFormat, scale: float, bits: int = 0
) -> QArray:
    """Uniform weights in ±scale: in the importer's default format, or with ``bits`` in
    QKeras's ``quantized_bits(bits, 0)`` grid (ap_fixed<bits, 1>)."""
    v = rng.uniform(-scale, scale, shape)
    fmt = FixedFormat(bits, 1, True) if bits else prec.weight_format(v, p)
    return QArray.from_float(v, fmt)


def recurrent(
    kind: str,
    units: int,
    x_fmt: FixedFormat,
    inputs: int,
    rng: np.random.Generator,
    *,
    name: str,
    precision: str = prec.DEFAULT_PRECISION,
    return_sequences: bool = False,
    go_backwards: bool = False,
    reset_after: bool = True,
    activation: str = "tanh",
    projection: int = 0,
    scale: float = 0.5,
    bits: int = 0,
) -> Recurrent:
    """A recurrent layer; an LSTM with ``projection`` Po > 0 is a projected LSTM."""
    p = FixedFormat.parse(precision)
    g = GATES[kind]
    kernel = _q(rng, (inputs, g * units), p, scale, bits)
    rec = _q(rng, (projection or units, g * units), p, scale, bits)
    bias = _q(rng, (g * units,), p, scale, bits)
    rbias = _q(rng, (g * units,), p, scale, bits) if kind == "gru" and reset_after else None
    bounded = activation == "tanh"
    state = prec.bounded_state(p) if bounded else prec.result_format(p)
    proj: dict[str, Any] = {}
    h_fmt = state  # the format of the vector U multiplies
    if projection:
        qo = _q(rng, (units, projection), p, scale, bits)
        h_fmt = prec.result_format(p)
        proj = dict(
            projection=qo, projection_accum=prec.accumulator([(state, qo)], []), projected=h_fmt
        )
    common: dict[str, Any] = dict(
        name=name,
        units=units,
        kernel=kernel,
        recurrent_kernel=rec,
        bias=bias,
        state=state,
        gate=prec.TABLE_FORMAT,
        table=prec.table_spec(),
        return_sequences=return_sequences,
        go_backwards=go_backwards,
        accum=prec.accumulator([(x_fmt, kernel), (h_fmt, rec)], [bias, rbias]),
    )
    if kind == "lstm":
        return LSTM(**common, cell=prec.cell_format(p), **proj)
    assert not projection, "only an LSTM takes a projection"
    if kind == "gru":
        return GRU(**common, reset_after=reset_after, recurrent_bias=rbias)
    return SimpleRNN(**common, activation=activation)


def dense(
    x_fmt: FixedFormat,
    inputs: int,
    outputs: int,
    rng: np.random.Generator,
    *,
    name: str,
    activation: str = "linear",
    precision: str = prec.DEFAULT_PRECISION,
    scale: float = 0.5,
    bits: int = 0,
) -> Dense:
    p = FixedFormat.parse(precision)
    kernel = _q(rng, (inputs, outputs), p, scale, bits)
    bias = _q(rng, (outputs,), p, scale, bits)
    table = prec.table_spec() if activation in ("tanh", "sigmoid", "softmax") else None
    if activation in ("tanh", "sigmoid", "softmax"):
        result = prec.bounded_state(p)
    else:
        result = prec.result_format(p)
    return Dense(
        name=name,
        kernel=kernel,
        bias=bias,
        accum=prec.accumulator([(x_fmt, kernel)], [bias]),
        result=result,
        activation=activation,
        table=table,
    )


def conv1d(
    x_fmt: FixedFormat,
    inputs: int,
    filters: int,
    rng: np.random.Generator,
    *,
    name: str,
    kernel_size: int = 3,
    strides: int = 1,
    dilation: int = 1,
    padding: str = "valid",
    activation: str = "relu",
    precision: str = prec.DEFAULT_PRECISION,
    scale: float = 0.5,
    bits: int = 0,
) -> Conv1D:
    d = dense(
        x_fmt,
        kernel_size * inputs,
        filters,
        rng,
        name=name,
        activation=activation,
        precision=precision,
        scale=scale,
        bits=bits,
    )
    kernel = QArray(codes=d.kernel.codes.reshape(kernel_size, inputs, filters), fmt=d.kernel.fmt)
    return Conv1D(
        name=name,
        kernel=kernel,
        bias=d.bias,
        accum=d.accum,
        result=d.result,
        activation=activation,
        table=d.table,
        strides=strides,
        dilation=dilation,
        padding=padding,
    )


def model(
    layers: list[dict[str, Any]],
    *,
    features: int = 3,
    timesteps: int | None = None,
    seed: int = 0,
    precision: str = prec.DEFAULT_PRECISION,
    vocabulary: int | None = None,
    name: str = "random",
) -> Model:
    """A model from layer specs, e.g. ``[{"kind": "lstm", "units": 8}, {"kind": "dense",
    "units": 4, "activation": "softmax"}]``. Recurrent specs take return_sequences,
    reset_after, activation, go_backwards (an LSTM also ``projection``, Po);
    ``{"kind": "bidirectional", "forward": {...},
    "backward": {...}, "merge": "concat"}``; an ``embedding`` spec (first) takes
    ``units`` (dimension) and uses ``vocabulary``; ``conv1d`` takes ``units`` (filters),
    kernel_size, strides, dilation, padding, activation; ``pooling1d`` op, pool, strides.
    """
    rng = np.random.default_rng(seed)
    p = FixedFormat.parse(precision)
    fmt: FixedFormat = p
    n_in = features
    out: list[Layer] = []
    tokens = bool(layers) and layers[0]["kind"] == "embedding"
    for i, spec in enumerate(layers):
        spec = dict(spec)
        kind = spec.pop("kind")
        lname = f"{kind}_{i}"
        if kind == "embedding":
            assert vocabulary is not None, "embedding needs a vocabulary size"
            v = rng.uniform(-1, 1, (vocabulary, spec["units"]))
            tf = prec.weight_format(v, p).with_modes(overflow=prec.RESULT_MODES["overflow"])
            out.append(Embedding(name=lname, table=QArray.from_float(v, tf)))
            fmt, n_in = tf, spec["units"]
        elif kind in GATES:
            units = spec.pop("units")
            la = recurrent(kind, units, fmt, n_in, rng, name=lname, precision=precision, **spec)
            out.append(la)
            fmt, n_in = la.state, units
        elif kind == "bidirectional":
            f, b = dict(spec["forward"]), dict(spec["backward"])
            fk, fu = f.pop("kind"), f.pop("units")
            bk, bu = b.pop("kind"), b.pop("units")
            fl = recurrent(fk, fu, fmt, n_in, rng, name=f"{lname}_f", precision=precision, **f)
            bl = recurrent(
                bk,
                bu,
                fmt,
                n_in,
                rng,
                name=f"{lname}_b",
                precision=precision,
                go_backwards=True,
                **b,
            )
            merge = spec.get("merge", "concat")
            result = None if merge == "concat" else prec.result_format(p)
            la2 = Bidirectional(name=lname, forward=fl, backward=bl, merge=merge, result=result)
            out.append(la2)
            fmt = la2.result_format(fmt)
            n_in = fu + bu if merge == "concat" else fu
        elif kind == "dense":
            units = spec.pop("units")
            d = dense(fmt, n_in, units, rng, name=lname, precision=precision, **spec)
            out.append(d)
            fmt, n_in = d.result, units
        elif kind == "conv1d":
            units = spec.pop("units")
            c = conv1d(fmt, n_in, units, rng, name=lname, precision=precision, **spec)
            out.append(c)
            fmt, n_in = c.result, units
        elif kind == "pooling1d":
            op = spec.get("op", "max")
            pool = spec.get("pool", 2)
            result = prec.result_format(p) if op == "average" else None
            pl = Pooling1D(
                name=lname, op=op, pool=pool, strides=spec.get("strides", pool), result=result
            )
            out.append(pl)
            fmt = pl.result_format(fmt) or fmt
        else:
            raise ValueError(f"unknown layer kind {kind!r}")
    spec_in = (
        InputSpec(features=1, timesteps=timesteps, tokens=True)
        if tokens
        else InputSpec(features=features, timesteps=timesteps, fmt=p)
    )
    return Model(name=name, input=spec_in, layers=tuple(out))
