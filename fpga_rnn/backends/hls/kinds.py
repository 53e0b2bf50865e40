"""What each IR layer kind becomes in the HLS project: the kernel it calls (in
``hls/frnn_layers.h``), its config struct, and the arrays (weights, biases and
activation tables) it is given. No hls4ml import here: ``extension`` turns these
nodes into hls4ml layers.

Every format is written out explicitly (``str(FixedFormat)`` is the ap_types
spelling), so nothing depends on hls4ml's precision inference. Activation
tables are ``fpga_rnn.tables`` arrays, passed like weights.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fpga_rnn import tables
from fpga_rnn.errors import InputError, IRError
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.golden.stream import check_streamable
from fpga_rnn.ir.conv import Conv1D, Pooling1D, Window
from fpga_rnn.ir.kinds import log2 as _log2
from fpga_rnn.ir.layers import (
    GRU,
    LSTM,
    Activation,
    Affine,
    Bidirectional,
    Dense,
    Embedding,
    Layer,
    QArray,
    Recurrent,
    Shape,
    TableSpec,
)
from fpga_rnn.ir.model import Model

CFG = "@CFG@"  # replaced by the layer's config struct name (config<index>)
VALID_T = "ap_uint<1>"
# A weight is written to the project as decimal text; a dyadic value with F
# fractional bits has exactly F decimals, and a double holds it exactly up to 53 bits.
MAX_WEIGHT_BITS = 53


@dataclass(frozen=True)
class Array:
    """A constant array handed to a kernel (weights, biases, tables)."""

    name: str  # short C identifier; the project's variable is name + layer index
    values: np.ndarray  # exact float values
    fmt: FixedFormat


@dataclass(frozen=True)
class Node:
    """One kernel call in the generated project."""

    name: str
    func: str  # frnn:: kernel
    config: str  # C++ struct definition(s), CFG as the struct name
    arrays: list[Array]  # in the kernel's argument order
    out_shape: tuple[int, ...]
    out_type: str  # C++ type of the output
    takes_valid: bool = False  # second input: the per-step valid flags
    args: list[str] = field(default_factory=list)  # array names in argument order


@dataclass(frozen=True)
class Context:
    timesteps: int
    masked: bool  # the model masks padded steps
    reuse: int
    stateful: bool = False  # recurrent state kept between calls (docs/streaming.md)
    in_fmt: FixedFormat | None = None  # the layer's input format (None: token ids)


def _arr(name: str, q: QArray) -> Array:
    if q.fmt.width > MAX_WEIGHT_BITS:
        raise IRError(f"{name}: {q.fmt} is wider than {MAX_WEIGHT_BITS} bits; HLS weights are text")
    return Array(name, q.to_float(), q.fmt)


def _table(name: str, kind: str, spec: TableSpec) -> Array:
    return Array(name, spec.fmt.to_float(tables.table(kind, spec)), spec.fmt)


def _struct(lines: list[str], name: str = CFG) -> str:
    body = "\n".join(f"    {ln}" for ln in lines)
    return f"struct {name} {{\n{body}\n}};\n"


def _b(v: bool) -> str:
    return "true" if v else "false"


def _recurrent_config(la: Recurrent, n_in: int, ctx: Context, name: str, zero: bool) -> str:
    """``zero``: masked steps output zero (Keras does that inside Bidirectional only)."""
    rb = la.recurrent_bias if isinstance(la, GRU) and la.recurrent_bias is not None else la.bias
    cell = la.cell if isinstance(la, LSTM) else la.state
    act = la.candidate_activation
    pj = la.projector if isinstance(la, LSTM) else None
    # projected LSTM: h' = cast(cast(Qo^T h -> proj_accum_t) -> proj_t); else unused slots
    proj = (
        (pj.kernel.fmt, pj.accum, pj.result, pj.kernel.shape[1])
        if pj is not None
        else (la.kernel.fmt, la.accum, la.state, 0)
    )
    lines = [
        f"typedef {la.kernel.fmt} weight_t;",
        f"typedef {la.recurrent_kernel.fmt} recurrent_weight_t;",
        f"typedef {la.bias.fmt} bias_t;",
        f"typedef {rb.fmt} recurrent_bias_t;",
        f"typedef {la.accum} accum_t;",
        f"typedef {la.gate} gate_t;",
        f"typedef {la.state} state_t;",
        f"typedef {cell} cell_t;",
        f"typedef {la.table.fmt} table_t;",
        f"typedef {proj[0]} proj_weight_t;",
        f"typedef {proj[1]} proj_accum_t;",
        f"typedef {proj[2]} proj_t;",
        f"static const int n_proj = {proj[3]};",
        f"static const int kind = frnn::cell_{la.kind};",
        f"static const int n_in = {n_in};",
        f"static const int n_units = {la.units};",
        f"static const int n_gates = {la.gates};",
        f"static const int n_timesteps = {ctx.timesteps};",
        f"static const int reuse_factor = {ctx.reuse};",
        f"static const int activation = frnn::act_{act};",
        f"static const int log2_table_size = {_log2(la.table.size)};",
        f"static const bool return_sequences = {_b(la.return_sequences)};",
        f"static const bool go_backwards = {_b(la.go_backwards)};",
        f"static const bool reset_after = {_b(la.resets_after)};",
        f"static const bool zero_masked_outputs = {_b(zero)};",
        f"static const bool stateful = {_b(ctx.stateful)};",
    ]
    return _struct(lines, name)


def _recurrent_arrays(la: Recurrent, p: str) -> tuple[list[Array], list[str]]:
    """Arrays and the argument order (w, wr, b, br, sigmoid, tanh, projector)."""
    arrays = [
        _arr(p + "w", la.kernel),
        _arr(p + "wr", la.recurrent_kernel),
        _arr(p + "b", la.bias),
        _table(p + "tanh", "tanh", la.table),
    ]
    br = p + "b"
    if isinstance(la, GRU) and la.recurrent_bias is not None:
        arrays.append(_arr(p + "br", la.recurrent_bias))
        br = p + "br"
    sig = p + "tanh"  # a SimpleRNN has no sigmoid; the slot is unused
    if la.gates > 1:
        arrays.append(_table(p + "sig", "sigmoid", la.table))
        sig = p + "sig"
    wp = p + "w"  # without a projector the slot is unused
    if isinstance(la, LSTM) and la.projection is not None:
        arrays.append(_arr(p + "wp", la.projection))
        wp = p + "wp"
    return arrays, [p + "w", p + "wr", p + "b", br, sig, p + "tanh", wp]


def _recurrent(la: Recurrent, in_shape: Shape, ctx: Context) -> Node:
    arrays, args = _recurrent_arrays(la, "")
    shape = la.output_shape(in_shape)
    out = (ctx.timesteps, la.units) if la.return_sequences else tuple(shape)
    return Node(
        la.name,
        "frnn::recurrent",
        _recurrent_config(la, int(in_shape[-1]), ctx, CFG, zero=False),
        arrays,
        tuple(int(s) for s in out),
        str(la.state),
        takes_valid=True,
        args=args,
    )


def _bidirectional(la: Bidirectional, in_shape: Shape, ctx: Context) -> Node:
    n_in = int(in_shape[-1])
    fa, fargs = _recurrent_arrays(la.forward, "f_")
    ba, bargs = _recurrent_arrays(la.backward, "b_")
    zero = ctx.masked and la.forward.return_sequences
    config = (
        _recurrent_config(la.forward, n_in, ctx, CFG + "_fwd", zero)
        + _recurrent_config(la.backward, n_in, ctx, CFG + "_bwd", zero)
        + _struct(
            [
                f"typedef {CFG}_fwd fwd;",
                f"typedef {CFG}_bwd bwd;",
                f"static const bool concat = {_b(la.merge == 'concat')};",
            ]
        )
    )
    width = int(la.output_shape(in_shape)[-1])
    out = (ctx.timesteps, width) if la.forward.return_sequences else (width,)
    return Node(
        la.name,
        "frnn::bidirectional",
        config,
        fa + ba,
        out,
        str(la.result_format(None)),
        takes_valid=True,
        args=fargs + bargs,
    )


def _rows(in_shape: Shape, ctx: Context) -> int:
    return ctx.timesteps if len(in_shape) == 2 else 1


def _act_table(act: str, spec: TableSpec | None, fallback: FixedFormat) -> tuple[Array, int]:
    if spec is None or act not in ("sigmoid", "tanh", "softmax"):
        return Array("t", np.zeros(1), fallback), 0  # unused slot
    kind = "exp" if act == "softmax" else act
    return _table("t", kind, spec), _log2(spec.size)


def _activation_lines(act: str, log2n: int, result: FixedFormat, table: Array) -> list[str]:
    return [
        f"typedef {table.fmt} table_t;",
        f"static const int activation = frnn::act_{act};",
        f"static const int log2_table_size = {log2n};",
        f"static const int softmax_frac = {max(result.frac, 0)};",
    ]


def _affine(la: Affine, kernel: QArray, func: str, shape_lines: list[str], out: tuple) -> Node:
    """A Dense-like kernel call: W (``kernel``: (n_in, n_out)), b, the activation."""
    n_out = kernel.shape[1]
    bias = la.bias or QArray(codes=np.zeros(n_out, np.int64), fmt=la.accum)
    table, log2n = _act_table(la.activation, la.table, la.accum)
    lines = [
        f"typedef {kernel.fmt} weight_t;",
        f"typedef {bias.fmt} bias_t;",
        f"typedef {la.accum} accum_t;",
        *shape_lines,
        f"static const int n_out = {n_out};",
        *_activation_lines(la.activation, log2n, la.result, table),
    ]
    arrays = [_arr("w", kernel), _arr("b", bias), table]
    return Node(la.name, func, _struct(lines), arrays, out, str(la.result), args=["w", "b", "t"])


def _dense(la: Dense, in_shape: Shape, ctx: Context) -> Node:
    n_in, n_out = la.kernel.shape
    shape = [
        f"static const int n_in = {n_in};",
        f"static const int n_rows = {_rows(in_shape, ctx)};",
    ]
    out = (ctx.timesteps, n_out) if len(in_shape) == 2 else (n_out,)
    return _affine(la, la.kernel, "frnn::dense_layer", shape, out)


def _activation(la: Activation, in_shape: Shape, ctx: Context) -> Node:
    n = int(in_shape[-1])
    table, log2n = _act_table(la.activation, la.table, la.result)
    lines = [
        f"static const int n_in = {n};",
        f"static const int n_rows = {_rows(in_shape, ctx)};",
        *_activation_lines(la.activation, log2n, la.result, table),
    ]
    out = (ctx.timesteps, n) if len(in_shape) == 2 else (n,)
    return Node(
        la.name,
        "frnn::activation_layer",
        _struct(lines),
        [table],
        out,
        str(la.result),
        args=["t"],
    )


def _embedding(la: Embedding, in_shape: Shape, ctx: Context) -> Node:
    dim = int(la.table.shape[1])
    lines = [
        f"typedef {la.table.fmt} table_t;",
        f"static const int n_timesteps = {ctx.timesteps};",
        f"static const int n_out = {dim};",
    ]
    return Node(
        la.name,
        "frnn::embedding",
        _struct(lines),
        [_arr("e", la.table)],
        (ctx.timesteps, dim),
        str(la.table.fmt),
        args=["e"],
    )


def _window_lines(w: Window, n_in: int, ctx: Context) -> list[str]:
    return [
        f"static const int n_in = {n_in};",
        f"static const int taps = {w.taps};",
        f"static const int strides = {w.strides};",
        f"static const int dilation = {w.dilation};",
        f"static const int pad_left = {w.pad_left};",
        f"static const int n_rows_in = {ctx.timesteps};",
        f"static const int n_rows_out = {w.steps(ctx.timesteps)};",
    ]


def _conv1d(la: Conv1D, in_shape: Shape, ctx: Context) -> Node:
    shape = _window_lines(la.window, int(in_shape[-1]), ctx)
    out = (la.window.steps(ctx.timesteps), la.filters)
    return _affine(la, la.flat_kernel, "frnn::conv1d_layer", shape, out)


def _pooling1d(la: Pooling1D, in_shape: Shape, ctx: Context) -> Node:
    n = int(in_shape[-1])
    in_fmt = ctx.in_fmt
    out = la.result_format(in_fmt)
    assert in_fmt is not None and out is not None
    lg = _log2(la.pool) if la.op == "average" else 0
    lines = [
        *_window_lines(la.window, n, ctx),
        f"static const bool is_max = {_b(la.op == 'max')};",
        f"static const int out_frac = {in_fmt.frac + lg};",
    ]
    shape = (la.window.steps(ctx.timesteps), n)
    return Node(la.name, "frnn::pool_layer", _struct(lines), [], shape, str(out))


Emitter = Callable[[Layer, Shape, Context], Node]

HLS_KINDS: dict[str, Emitter] = {
    "embedding": _embedding,  # type: ignore[dict-item]
    "simple_rnn": _recurrent,  # type: ignore[dict-item]
    "lstm": _recurrent,  # type: ignore[dict-item]
    "gru": _recurrent,  # type: ignore[dict-item]
    "bidirectional": _bidirectional,  # type: ignore[dict-item]
    "dense": _dense,  # type: ignore[dict-item]
    "activation": _activation,  # type: ignore[dict-item]
    "conv1d": _conv1d,  # type: ignore[dict-item]
    "pooling1d": _pooling1d,  # type: ignore[dict-item]
}


def input_type(model: Model) -> str:
    """C++ type of the model input: its format, or an unsigned id for tokens."""
    if model.input.tokens:
        vocab = int(model.layers[0].table.shape[0])  # type: ignore[attr-defined]
        return f"ap_uint<{max(1, (vocab - 1).bit_length())}>"
    assert model.input.fmt is not None
    return str(model.input.fmt)


def valid_node(model: Model, timesteps: int) -> Node:
    """Per-step valid flags from the quantized input (all-ones without a mask)."""
    spec = model.input
    code = spec.mask_code or 0
    lines = [
        f"static const int n_timesteps = {timesteps};",
        f"static const int n_features = {spec.features};",
        f"static const bool use_mask = {_b(spec.mask_value is not None)};",
        f"static const long long mask_code = {code}LL;",
    ]
    return Node("frnn_valid", "frnn::valid_steps", _struct(lines), [], (timesteps,), VALID_T)


def nodes(model: Model, timesteps: int, reuse: int = 1, stateful: bool = False) -> list[Node]:
    """The kernel calls of ``model`` compiled for sequences of ``timesteps`` steps.
    ``stateful``: chunks of a stream (the state kept between calls, cleared by a flag);
    every recurrent layer then emits each step, as a stream does (golden.stream)."""
    if stateful:
        check_streamable(model)
    if model.min_steps() > timesteps:
        raise InputError(
            f"the model's windows need at least {model.min_steps()} steps; the project is "
            f"compiled for {timesteps} (raise --timesteps)"
        )
    ctx = Context(
        timesteps=timesteps,
        masked=model.input.mask_value is not None,
        reuse=reuse,
        stateful=stateful,
    )
    out = [valid_node(model, timesteps)]
    shape: Shape = (timesteps, model.input.features)
    for la, fmt in zip(model.layers, model.formats(), strict=True):
        if stateful and isinstance(la, Recurrent):
            la = dataclasses.replace(la, return_sequences=True)
        ctx = dataclasses.replace(ctx, in_fmt=fmt)
        out.append(HLS_KINDS[la.kind](la, shape, ctx))
        shape = la.output_shape(shape)
        # later layers run the window layer's steps (the valid flags' first ones:
        # window layers take no mask, so every flag is set)
        ctx = dataclasses.replace(ctx, timesteps=la.out_steps(ctx.timesteps))
    return out
