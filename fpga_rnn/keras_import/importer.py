"""Keras / QKeras model -> IR. The only module that imports TensorFlow and QKeras.

Quantized weights are taken from QKeras's own quantizers (their output values,
which are exact multiples of the LSB), so our codes equal what QKeras trained
with; float weights are rounded to nearest in a format fitted to their range.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.errors import FpgaRnnError, InputError, UnsupportedError
from fpga_rnn.escape import check_identifier
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.ir import (
    GRU,
    LSTM,
    Activation,
    Bidirectional,
    Conv1D,
    Dense,
    Embedding,
    InputSpec,
    Layer,
    Model,
    Pooling1D,
    QArray,
    Recurrent,
    SimpleRNN,
)
from fpga_rnn.ir import precision as prec
from fpga_rnn.ir.conv import flatten_taps
from fpga_rnn.keras_import.quantizers import activation_info, describe, quantizer_format

# Layers we read; everything else is refused before the model is deserialized,
# so loading a file never runs code from it (no Lambda, no custom objects).
SUPPORTED_CLASSES = {
    "InputLayer",
    "Masking",
    "Dropout",
    "SpatialDropout1D",
    "GaussianNoise",
    "Embedding",
    "SimpleRNN",
    "LSTM",
    "GRU",
    "QSimpleRNN",
    "QLSTM",
    "QGRU",
    "Bidirectional",
    "QBidirectional",
    "Dense",
    "QDense",
    "Activation",
    "QActivation",
    "TimeDistributed",
    "Conv1D",
    "QConv1D",
    "MaxPooling1D",
    "AveragePooling1D",
    "Sequential",
    "Functional",
    "Model",
    "SimpleRNNCell",
    "LSTMCell",
    "GRUCell",
    "QSimpleRNNCell",
    "QLSTMCell",
    "QGRUCell",
    "QLSTMProjected",  # ours: fpga_rnn.keras_import.layers
}
_QKERAS_RNNS = {"QSimpleRNN", "QLSTM", "QGRU", "QBidirectional", "QLSTMProjected"}
_SKIPPED = {"InputLayer", "Dropout", "SpatialDropout1D", "GaussianNoise"}


def _tf():
    """Import TensorFlow + QKeras once, with the QKeras 0.9 / TF 2.14 shim."""
    import os
    import warnings

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Keras warns on every save/load that QKeras quantizers are not Constraints: harmless
    warnings.filterwarnings("ignore", message=".*keras.constraints.serialize.*")
    import tensorflow as tf
    from tensorflow.python.ops import array_ops
    from tensorflow.python.util import nest

    # QKeras 0.9.0 QGRU/QSimpleRNN call APIs removed in TF 2.14.
    if not hasattr(nest, "is_sequence"):
        nest.is_sequence = nest.is_nested
    if not hasattr(array_ops, "unstack"):
        array_ops.unstack = tf.unstack
    import qkeras

    return tf, qkeras


def custom_objects() -> dict[str, Any]:
    """QKeras layers and quantizers: the only custom objects a model file may name."""
    _, _qkeras = _tf()
    from qkeras.utils import _add_supported_quantized_objects

    from fpga_rnn.keras_import.layers import projected_lstm

    objs: dict[str, Any] = {}
    _add_supported_quantized_objects(objs)
    objs["QLSTMProjected"] = projected_lstm()
    return objs


def _file_config(path: Path) -> dict[str, Any]:
    """The model config stored in a .keras or .h5 file, read without deserializing."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                return json.loads(z.read("config.json"))
        import h5py

        with h5py.File(path, "r") as f:
            raw = f.attrs.get("model_config")
            if raw is None:
                raise FpgaRnnError(f"{path} holds no model config (weights-only file?)")
            return json.loads(raw if isinstance(raw, str) else raw.decode())
    except (OSError, KeyError, ValueError) as e:
        raise FpgaRnnError(f"cannot read model file {path}: {e}") from None


def _check_classes(cfg: Any) -> None:
    """Refuse any layer class outside our allow-list, walking only the layer
    structure (nested models, wrapper layers, cells), never other configs."""
    if not isinstance(cfg, dict):
        return
    cls, inner = cfg.get("class_name"), cfg.get("config")
    if not isinstance(inner, dict):
        return
    if cls not in SUPPORTED_CLASSES:
        raise UnsupportedError(
            f"layer {inner.get('name', '?')!r} of type {cls} is not supported; supported: "
            "Embedding, (Q)Conv1D, Max/AveragePooling1D, (Q)SimpleRNN, (Q)LSTM, (Q)GRU, "
            "QLSTMProjected, "
            "Bidirectional, (Q)Dense, (Q)Activation, Masking, Dropout"
        )
    for key in ("layer", "backward_layer", "cell"):
        _check_classes(inner.get(key))
    for sub in inner.get("layers", []) or []:
        _check_classes(sub)


def load_keras_model(path: str | Path):
    """Load a ``.keras``/``.h5`` file safely (allow-listed classes, safe_mode)."""
    p = Path(path)
    if not p.exists():
        raise FpgaRnnError(f"model file {p} does not exist")
    _check_classes(_file_config(p))
    tf, _ = _tf()
    kwargs: dict[str, Any] = {"custom_objects": custom_objects(), "compile": False}
    try:
        if zipfile.is_zipfile(p):
            with tempfile.TemporaryDirectory() as tmp:
                fixed = _without_rnn_build_configs(p, Path(tmp) / p.name)
                return tf.keras.models.load_model(fixed, safe_mode=True, **kwargs)
        return tf.keras.models.load_model(p, **kwargs)
    except Exception as e:  # Keras raises many types for bad files
        raise FpgaRnnError(f"cannot load Keras model {p}: {type(e).__name__}: {e}") from None


def _without_rnn_build_configs(src: Path, dst: Path) -> Path:
    """Copy of a .keras file whose QKeras RNN layers carry no ``build_config``.

    QKeras 0.9 RNNs store their input shape as a JSON list, which Keras 2.14's
    ``RNN.build`` takes for a list of shapes and fails on ("as_list() is not
    defined on an unknown TensorShape"). Without it the layers are built when the
    functional graph is rebuilt, from the real input shape.
    """
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "config.json":
                cfg = json.loads(data)
                _drop_build_configs(cfg)
                data = json.dumps(cfg).encode()
            zout.writestr(item, data)
    return dst


def _drop_build_configs(cfg: Any) -> None:
    if isinstance(cfg, dict):
        if str(cfg.get("class_name", "")) in _QKERAS_RNNS:
            cfg.pop("build_config", None)
        for v in cfg.values():
            _drop_build_configs(v)
    elif isinstance(cfg, list):
        for v in cfg:
            _drop_build_configs(v)


class _Ctx:
    """Import state: the data precision and the format of the current tensor."""

    def __init__(self, p: FixedFormat, table_size: int) -> None:
        self.p = p
        self.table = prec.table_spec(table_size)
        self.fmt: FixedFormat | None = prec.result_format(p)


def _qweights(values: np.ndarray, quantizer: Any, ctx: _Ctx, where: str) -> QArray:
    """Codes of a weight tensor: QKeras's quantized values, or float rounded to nearest."""
    fmt = quantizer_format(quantizer, where)
    if fmt is None:
        return QArray.from_float(values, prec.weight_format(values, ctx.p))
    q = np.asarray(quantizer(values.astype(np.float32)), dtype=np.float64)
    scaled = np.ldexp(q, fmt.frac)
    codes = np.round(scaled)
    if not np.array_equal(codes, scaled):
        raise UnsupportedError(f"{where}: quantizer output is not on the {fmt} grid")
    return QArray(codes=codes.astype(np.int64), fmt=fmt)


def _check_rnn_options(cfg: dict[str, Any], where: str) -> None:
    for key, fix in (
        ("return_state", "set return_state=False"),
        ("time_major", "use batch-major inputs (time_major=False)"),
    ):
        if cfg.get(key):
            raise UnsupportedError(f"{where}: {key}=True is not supported; {fix}")
    if cfg.get("stateful") and cfg.get("go_backwards"):
        raise UnsupportedError(
            f"{where}: stateful=True cannot stream with go_backwards=True (it reads the "
            "sequence from its end); set one of them False"
        )


def _recurrent(layer: Any, ctx: _Ctx, x_fmt: FixedFormat) -> Recurrent:
    """Build an LSTM/GRU/SimpleRNN IR layer from a Keras or QKeras RNN layer."""
    cls = type(layer).__name__
    cfg = layer.get_config()
    where = f"layer {layer.name!r} ({cls})"
    _check_rnn_options(cfg, where)
    cell = layer.cell
    weights = layer.get_weights()
    units = int(cfg["units"])
    kernel = _qweights(
        weights[0], getattr(cell, "kernel_quantizer_internal", None), ctx, f"{where} kernel"
    )
    rec = _qweights(
        weights[1],
        getattr(cell, "recurrent_quantizer_internal", None),
        ctx,
        f"{where} recurrent kernel",
    )
    bq = getattr(cell, "bias_quantizer_internal", None)
    kind = {
        "SimpleRNN": "simple_rnn",
        "QSimpleRNN": "simple_rnn",
        "LSTM": "lstm",
        "QLSTM": "lstm",
        "GRU": "gru",
        "QGRU": "gru",
    }[cls]
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
    reset_after = kind == "gru" and bool(cfg.get("reset_after", True))
    if cfg.get("use_bias", True):
        braw = np.asarray(weights[2])
    else:
        braw = np.zeros((2, gates * units) if reset_after else (gates * units,))
    if reset_after:
        bias = _qweights(braw[0], bq, ctx, f"{where} bias")
        rbias: QArray | None = _qweights(braw[1], bq, ctx, f"{where} recurrent bias")
    else:
        bias, rbias = _qweights(braw, bq, ctx, f"{where} bias"), None

    act = activation_info(cell.activation, f"{where} activation")
    if (kind != "simple_rnn" or act.name == "tanh") and act.name != "tanh":
        raise UnsupportedError(f"{where}: activation must be tanh, got {act.name}")
    if kind != "simple_rnn":
        ract = activation_info(cell.recurrent_activation, f"{where} recurrent_activation")
        if ract.name != "sigmoid":
            raise UnsupportedError(
                f"{where}: recurrent_activation must be sigmoid (or quantized_sigmoid with "
                f"use_real_sigmoid=True), got {ract.name}"
            )
    sq = quantizer_format(getattr(cell, "state_quantizer_internal", None), f"{where} state")
    bounded = act.name == "tanh"
    state = sq or (prec.bounded_state(ctx.p) if bounded else prec.result_format(ctx.p))
    common: dict[str, Any] = dict(
        name=layer.name,
        units=units,
        kernel=kernel,
        recurrent_kernel=rec,
        bias=bias,
        state=state,
        gate=prec.TABLE_FORMAT,
        table=ctx.table,
        return_sequences=bool(cfg.get("return_sequences", False)),
        go_backwards=bool(cfg.get("go_backwards", False)),
    )
    # Column-wise bound of |W·x| + |U·h| + |b| covers every gate pre-activation,
    # including GRU's r·(U_h h + br) (|r| <= 1) and U_h·(r⊙h) (|r⊙h| <= max|h|).
    accum = prec.accumulator([(x_fmt, kernel), (state, rec)], [bias, rbias])
    common["accum"] = accum
    if kind == "lstm":
        return LSTM(**common, cell=sq or prec.cell_format(ctx.p))
    if kind == "gru":
        return GRU(**common, reset_after=reset_after, recurrent_bias=rbias)
    return SimpleRNN(**common, activation=act.name)


def _projected(layer: Any, ctx: _Ctx, x_fmt: FixedFormat) -> list[Layer]:
    """QLSTMProjected -> [the input projector as a bias-free linear Dense (when it has
    one), an LSTM with a projection]. x' and h' get the data precision's result format,
    as a float Dense's output does."""
    where = f"layer {layer.name!r} (QLSTMProjected)"
    cfg = layer.get_config()
    _check_rnn_options(cfg, where)
    cell = layer.cell
    q = {
        k: getattr(cell, f"{k}_quantizer_internal", None)
        for k in ("kernel", "recurrent", "bias", "projector")
    }
    out: list[Layer] = []
    mid = prec.result_format(ctx.p)
    if cell.input_projector_size:
        qi = _qweights(cell.input_projector.numpy(), q["projector"], ctx, f"{where} projector")
        out.append(
            Dense(
                name=f"{layer.name}_input_projector",
                kernel=qi,
                bias=None,
                accum=prec.accumulator([(x_fmt, qi)], []),
                result=mid,
            )
        )
        x_fmt = mid
    kernel = _qweights(cell.kernel.numpy(), q["kernel"], ctx, f"{where} kernel")
    rec = _qweights(cell.recurrent_kernel.numpy(), q["recurrent"], ctx, f"{where} recurrent")
    bias = _qweights(cell.bias.numpy(), q["bias"], ctx, f"{where} bias")
    qo = _qweights(cell.output_projector.numpy(), q["projector"], ctx, f"{where} projector")
    state = prec.bounded_state(ctx.p)
    out.append(
        LSTM(
            name=layer.name,
            units=int(cfg["units"]),
            kernel=kernel,
            recurrent_kernel=rec,
            bias=bias,
            accum=prec.accumulator([(x_fmt, kernel), (mid, rec)], [bias]),
            state=state,
            gate=prec.TABLE_FORMAT,
            table=ctx.table,
            cell=prec.cell_format(ctx.p),
            return_sequences=bool(cfg.get("return_sequences", False)),
            go_backwards=bool(cfg.get("go_backwards", False)),
            projection=qo,
            projection_accum=prec.accumulator([(state, qo)], []),
            projected=mid,
        )
    )
    return out


def _affine(layer: Any, ctx: _Ctx, x_fmt: FixedFormat) -> dict[str, Any]:
    """The fields a Dense and a Conv1D share: quantized kernel (as Keras stores it) and
    bias, the accumulator of ``W·x + b`` (a Conv1D's kernel read as a Dense's), the
    activation and its result format."""
    where = f"layer {layer.name!r} ({type(layer).__name__})"
    w = layer.get_weights()
    kernel = _qweights(
        w[0], getattr(layer, "kernel_quantizer_internal", None), ctx, f"{where} kernel"
    )
    bias = (
        _qweights(w[1], getattr(layer, "bias_quantizer_internal", None), ctx, f"{where} bias")
        if layer.use_bias
        else None
    )
    act = activation_info(layer.activation, f"{where} activation")
    return dict(
        name=layer.name,
        kernel=kernel,
        bias=bias,
        accum=prec.accumulator([(x_fmt, flatten_taps(kernel))], [bias]),
        result=_act_result(act, ctx),
        activation=act.name,
        table=ctx.table if act.name in ("tanh", "sigmoid", "softmax") else None,
    )


def _dense(layer: Any, ctx: _Ctx, x_fmt: FixedFormat) -> Dense:
    return Dense(**_affine(layer, ctx, x_fmt))


def _one(cfg: dict[str, Any], key: str, where: str) -> int:
    """A 1-D layer's size option (Keras stores a 1-tuple)."""
    v = cfg.get(key)
    v = v[0] if isinstance(v, list | tuple) and len(v) == 1 else v
    if not isinstance(v, int) or isinstance(v, bool):
        raise UnsupportedError(f"{where}: {key}={v!r:.30} is not a single integer")
    return v


def _channels_last(cfg: dict[str, Any], where: str) -> None:
    if cfg.get("data_format", "channels_last") != "channels_last":
        raise UnsupportedError(f"{where}: data_format must be 'channels_last' (time, features)")


def _conv1d(layer: Any, ctx: _Ctx, x_fmt: FixedFormat) -> Conv1D:
    cls = type(layer).__name__
    where = f"layer {layer.name!r} ({cls})"
    cfg = layer.get_config()
    _channels_last(cfg, where)
    if int(cfg.get("groups", 1)) != 1:
        raise UnsupportedError(f"{where}: groups={cfg['groups']} is unsupported; use groups=1")
    return Conv1D(
        **_affine(layer, ctx, x_fmt),
        strides=_one(cfg, "strides", where),
        dilation=_one(cfg, "dilation_rate", where),
        padding=str(cfg.get("padding")),
    )


def _pooling1d(layer: Any, ctx: _Ctx, x_fmt: FixedFormat) -> Pooling1D:
    cls = type(layer).__name__
    where = f"layer {layer.name!r} ({cls})"
    cfg = layer.get_config()
    _channels_last(cfg, where)
    if cfg.get("padding", "valid") != "valid":
        raise UnsupportedError(
            f"{where}: padding={cfg['padding']!r:.20} is unsupported (Keras pools a padded "
            "edge over fewer steps); use padding='valid'"
        )
    pool = _one(cfg, "pool_size", where)
    strides = _one(cfg, "strides", where) if cfg.get("strides") is not None else pool
    op = "max" if cls == "MaxPooling1D" else "average"
    result = prec.result_format(ctx.p) if op == "average" else None
    return Pooling1D(name=layer.name, op=op, pool=pool, strides=strides, result=result)


def _act_result(act, ctx: _Ctx) -> FixedFormat:
    if act.fmt is not None:
        return act.fmt
    if act.name in ("tanh", "sigmoid"):
        return prec.bounded_state(ctx.p)
    if act.name == "softmax":
        return FixedFormat(ctx.p.width, 1, False, **prec.RESULT_MODES)
    return prec.result_format(ctx.p)


def _activation(layer: Any, ctx: _Ctx, x_fmt: FixedFormat) -> Activation:
    where = f"layer {layer.name!r} ({type(layer).__name__})"
    # QActivation keeps the parsed quantizer object in .quantizer (.activation may be text)
    act = activation_info(getattr(layer, "quantizer", None) or layer.activation, where)
    return Activation(
        name=layer.name,
        activation=act.name,
        result=_act_result(act, ctx),
        table=ctx.table if act.name in ("tanh", "sigmoid", "softmax") else None,
    )


def _bidirectional(layer: Any, ctx: _Ctx, x_fmt: FixedFormat) -> Bidirectional:
    where = f"layer {layer.name!r} ({type(layer).__name__})"
    merge = layer.merge_mode
    if merge not in ("concat", "sum"):
        raise UnsupportedError(
            f"{where}: merge_mode={merge!r} is not supported; use 'concat' or 'sum'"
        )
    if layer.forward_layer.get_config().get("stateful"):
        raise UnsupportedError(
            f"{where}: stateful=True cannot stream a Bidirectional layer (its backward "
            "direction needs the whole sequence); set stateful=False"
        )
    if type(layer.forward_layer).__name__ == "QLSTMProjected":
        raise UnsupportedError(
            f"{where}: a Bidirectional QLSTMProjected is not supported (each direction "
            "has its own input projector); use QLSTMProjected alone or a Bidirectional QLSTM"
        )
    fwd = _recurrent(layer.forward_layer, ctx, x_fmt)
    bwd = _recurrent(layer.backward_layer, ctx, x_fmt)
    result = prec.result_format(ctx.p) if merge == "sum" else None
    return Bidirectional(name=layer.name, forward=fwd, backward=bwd, merge=merge, result=result)


_HANDLERS: dict[str, Callable[[Any, _Ctx, FixedFormat], Layer | list[Layer]]] = {
    "QLSTMProjected": _projected,
    **{c: _recurrent for c in ("SimpleRNN", "LSTM", "GRU", "QSimpleRNN", "QLSTM", "QGRU")},
    "Bidirectional": _bidirectional,
    "QBidirectional": _bidirectional,
    "Dense": _dense,
    "QDense": _dense,
    "Activation": _activation,
    "QActivation": _activation,
    "Conv1D": _conv1d,
    "QConv1D": _conv1d,
    "MaxPooling1D": _pooling1d,
    "AveragePooling1D": _pooling1d,
}


def _chain(model: Any) -> list[Any]:
    """The model's layers in order; refuse anything that is not a simple chain."""
    layers = list(model.layers)
    for prev, la in itertools.pairwise(layers):
        nodes = getattr(la, "_inbound_nodes", [])
        if len(nodes) != 1:
            continue
        inbound = nodes[0].inbound_layers
        inbound = inbound if isinstance(inbound, list) else [inbound]
        if len(inbound) != 1 or inbound[0] is not prev:
            raise UnsupportedError(
                f"layer {la.name!r}: only sequential chains of layers are supported "
                "(no branches or merges other than Bidirectional)"
            )
    return layers


def _check_name(name: object, what: str) -> None:
    """Names reach generated code: refuse anything but an identifier, before any work."""
    try:
        check_identifier(name, f"Keras {what} name")
    except InputError as e:
        raise UnsupportedError(f"{e}; rename the {what} in Keras (name=...)") from None


def _several_inputs(model: Any) -> UnsupportedError:
    """The refusal of a multi-input model; names a layer that takes its initial state
    from extra inputs (a state can be given at run time instead)."""
    for la in model.layers:
        nodes = getattr(la, "_inbound_nodes", [])
        inbound = nodes[0].inbound_layers if nodes else []
        inbound = inbound if isinstance(inbound, list) else [inbound]
        if len(inbound) > 1:
            extra = ", ".join(repr(x.name) for x in inbound[1:])
            return UnsupportedError(
                f"layer {la.name!r} ({type(la).__name__}) takes an initial state from inputs "
                f"{extra}; models with several inputs are not supported: import it without "
                "them and set the state at run time (fpga_rnn.Stream(ir).state, or the C "
                "export's set_state; docs/streaming.md)"
            )
    return UnsupportedError("models with several inputs are not supported")


def import_keras(
    model: Any,
    *,
    precision: str | FixedFormat = prec.DEFAULT_PRECISION,
    table_size: int = prec.DEFAULT_TABLE_SIZE,
    name: str | None = None,
) -> Model:
    """Convert a Keras/QKeras model (object or ``.keras``/``.h5`` path) to the IR.

    ``precision`` is the data precision for everything the model does not
    quantize itself (inputs, float layers' outputs); see :mod:`fpga_rnn.ir.precision`.
    """
    if isinstance(model, str | Path):
        source = {"file": str(model)}
        model = load_keras_model(model)
    else:
        source = {"file": None}
        _check_classes({"class_name": "Model", "config": model.get_config()})
    _check_name(name or model.name, "model")
    p = FixedFormat.parse(precision)
    ctx = _Ctx(p, table_size)
    shape = model.input_shape
    if isinstance(shape, list):
        raise _several_inputs(model)
    if len(shape) not in (2, 3):
        raise UnsupportedError(f"input shape {shape} is not a sequence (batch, time, features)")
    layers: list[Layer] = []
    mask_value: float | None = None
    tokens = False
    x_fmt: FixedFormat | None = prec.result_format(p)
    for la in _chain(model):
        cls = type(la).__name__
        if cls in _SKIPPED:
            continue
        _check_name(la.name, "layer")
        where = f"layer {la.name!r} ({cls})"
        if cls == "Masking":
            if layers:
                raise UnsupportedError(f"{where}: Masking must come right after the input")
            mask_value = float(la.mask_value)
            continue
        if cls == "Embedding":
            if layers:
                raise UnsupportedError(f"{where}: Embedding must be the first layer")
            table = la.get_weights()[0]
            tokens = True
            if la.mask_zero:
                mask_value = 0.0
            ir_layer: Layer = Embedding(
                name=la.name,
                table=QArray.from_float(
                    table,
                    prec.weight_format(table, p).with_modes(overflow=prec.RESULT_MODES["overflow"]),
                ),
                mask_zero=bool(la.mask_zero),
            )
        elif cls == "TimeDistributed":
            inner = la.layer
            if type(inner).__name__ not in ("Dense", "QDense"):
                raise UnsupportedError(f"{where}: only TimeDistributed(Dense) is supported")
            ir_layer = _dense(inner, ctx, x_fmt)
            ir_layer = dataclasses.replace(ir_layer, name=la.name)
        elif cls in _HANDLERS:
            made = _HANDLERS[cls](la, ctx, x_fmt)
            if isinstance(made, list):  # QLSTMProjected: its input projector, then the LSTM
                for extra in made[:-1]:
                    layers.append(extra)
                    x_fmt = extra.result_format(x_fmt)
                made = made[-1]
            ir_layer = made
        else:
            raise UnsupportedError(f"{where}: layer type {cls} is not supported")
        layers.append(ir_layer)
        x_fmt = ir_layer.result_format(x_fmt)
    timesteps = shape[1]
    features = 1 if tokens else int(shape[2])
    spec = InputSpec(
        features=features,
        timesteps=timesteps,
        fmt=None if tokens else prec.result_format(p),
        tokens=tokens,
        mask_value=mask_value,
    )
    source |= {"precision": str(p), "table_size": table_size, "keras_name": model.name}
    return Model(name=name or model.name, input=spec, layers=tuple(layers), source=source)


def keras_predict(model: Any, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Float reference output of a Keras model."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float64)


__all__ = ["custom_objects", "describe", "import_keras", "keras_predict", "load_keras_model"]
