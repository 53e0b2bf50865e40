"""QKeras quantization-aware model builders for sequence tasks.

Only what the hardware path implements bit-exactly: real tanh/sigmoid cell
activations (hls4ml rejects hard_sigmoid / quantized_tanh defaults), quantized
weights/biases ``quantized_bits(bits, int_bits, alpha=1)``, optionally a quantized
state (``state_quantizer quantized_bits(state_bits, 0)``: the importer takes it as the
hardware's state format), a Keras ``Masking``
for padded variable-length data, softmax (classification) or linear heads.
TensorFlow/QKeras are imported when a model is built, not at import time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fpga_rnn.errors import InputError

ARCHS = ("lstm", "gru", "rnn", "bilstm", "bigru", "conv-lstm", "conv-gru")
# the recurrent layer class of each architecture (conv-*: a Conv1D front-end first)
BASE = {
    "lstm": "LSTM",
    "gru": "GRU",
    "rnn": "SimpleRNN",
    "bilstm": "LSTM",
    "bigru": "GRU",
    "conv-lstm": "LSTM",
    "conv-gru": "GRU",
}
EMBEDDING_DIM = 16  # word vectors for text datasets


@dataclass(frozen=True)
class ModelSpec:
    arch: str = "lstm"
    units: int = 32
    layers: int = 1
    bits: int = 8
    int_bits: int = 0
    state_bits: int = 0  # 0: state kept at the hardware precision; else quantized in training
    float_baseline: bool = False  # same architecture without quantizers
    # conv-* front-end: Conv1D(filters, kernel, causal, relu), then MaxPooling1D(pool)
    conv_filters: int = 16
    conv_kernel: int = 3
    pool: int = 2
    # lstm / conv-lstm: a projected LSTM (fpga_rnn.keras_import.layers.QLSTMProjected)
    # with (input projector, output projector) sizes; input 0: no input projector
    projection: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.arch not in ARCHS:
            raise InputError(f"unknown --arch {self.arch!r}; choose from {', '.join(ARCHS)}")
        if self.units < 1 or self.layers < 1:
            raise InputError("--units and --layers must be >= 1")
        if not 2 <= self.bits <= 32 or not 0 <= self.int_bits < self.bits:
            raise InputError(
                f"--bits {self.bits} --int-bits {self.int_bits}: need 2 <= bits <= 32 and "
                "0 <= int-bits < bits"
            )
        if self.state_bits and not 2 <= self.state_bits <= 32:
            raise InputError(f"--state-bits {self.state_bits}: need 0 (off) or 2..32")
        if not (1 <= self.conv_filters <= 1024 and 1 <= self.conv_kernel <= 64):
            raise InputError("--conv-filters must be 1..1024 and --conv-kernel 1..64")
        if not 1 <= self.pool <= 64:
            raise InputError(f"--pool {self.pool}: need 1 (none) to 64")
        if self.projection is not None:
            pi, po = self.projection
            if BASE[self.arch] != "LSTM" or self.arch.startswith("bi"):
                raise InputError(
                    f"--projection needs --arch lstm or conv-lstm, not {self.arch} (a projected "
                    "layer is an LSTM, and each Bidirectional direction would need its own)"
                )
            if not (0 <= pi <= 1024 and 1 <= po <= 1024):
                raise InputError(
                    f"--projection {pi},{po}: need 0..1024 input (0: none), 1..1024 output"
                )
            if self.state_bits:
                raise InputError("--projection takes no --state-bits (h' is not quantized)")

    @property
    def conv(self) -> bool:
        return self.arch.startswith("conv-")

    def to_dict(self) -> dict:
        return asdict(self)


def __getattr__(name: str) -> Any:
    """``QLSTMProjected``: the quantized projected LSTM Keras layer, made on first use
    (importing this module does not import TensorFlow)."""
    if name == "QLSTMProjected":
        from fpga_rnn.keras_import.layers import projected_lstm

        return projected_lstm()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_projection(text: str) -> tuple[int, int] | None:
    """``IN,OUT`` (``--projection``): the projector sizes; "" or "0,0": none."""
    if not text:
        return None
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise InputError(f"--projection {text!r:.40}: give IN,OUT sizes, e.g. 8,8 (IN 0: none)")
    pi, po = (int(p) for p in parts)
    return None if (pi, po) == (0, 0) else (pi, po)


def recurrent_layer(
    kind: str,
    units: int,
    quantizer: str | None,
    *,
    return_sequences: bool,
    reset_after: bool = True,
    projection: tuple[int, int] | None = None,
    state_quantizer: str | None = None,
) -> Any:
    """One recurrent Keras layer as the hardware path takes it: ``kind`` LSTM, GRU or
    SimpleRNN with real tanh/sigmoid, every weight through ``quantizer`` (QKeras ``Q*``
    layers; None: the float Keras layer); an LSTM with ``projection`` (input, output
    projector sizes) is a :class:`QLSTMProjected`."""
    from fpga_rnn.keras_import.importer import _tf

    tf, qkeras = _tf()
    if projection is not None:
        from fpga_rnn.keras_import.layers import QUANTIZERS, projected_lstm

        pi, po = projection
        qs = dict.fromkeys(QUANTIZERS, quantizer) if quantizer else {}
        return projected_lstm()(units, po, pi, return_sequences=return_sequences, **qs)
    kw: dict[str, Any] = {"return_sequences": return_sequences, "activation": "tanh"}
    if kind != "SimpleRNN":
        kw["recurrent_activation"] = "sigmoid"
    if kind == "GRU":
        kw["reset_after"] = reset_after
    if quantizer is None:
        return getattr(tf.keras.layers, kind)(units, **kw)
    if state_quantizer:
        kw["state_quantizer"] = state_quantizer
    return getattr(qkeras, "Q" + kind)(
        units, kernel_quantizer=quantizer, recurrent_quantizer=quantizer,
        bias_quantizer=quantizer, **kw,
    )  # fmt: skip


def build(
    spec: ModelSpec,
    timesteps: int,
    features: int,
    outputs: int,
    *,
    task: str,
    mask_value: float | None = None,
    sequence_output: bool = False,
    vocabulary: int | None = None,
) -> Any:
    """A compiled-ready (uncompiled) Keras model for ``spec``; with ``vocabulary`` the
    input is token ids into an ``Embedding`` (``EMBEDDING_DIM``, mask_zero)."""
    from fpga_rnn.keras_import.importer import _tf

    tf, qkeras = _tf()
    q = f"quantized_bits({spec.bits},{spec.int_bits},alpha=1)"
    base = BASE[spec.arch]
    bidir = spec.arch.startswith("bi")

    def rnn(return_sequences: bool):
        # h (and c) quantized in training as in hardware, [-1, 1), with --state-bits
        sq = f"quantized_bits({spec.state_bits},0,alpha=1)" if spec.state_bits else None
        return recurrent_layer(
            base,
            spec.units,
            None if spec.float_baseline else q,
            return_sequences=return_sequences,
            projection=spec.projection,
            state_quantizer=sq,
        )

    if vocabulary:
        inp = tf.keras.Input((timesteps,))
        h = tf.keras.layers.Embedding(vocabulary, EMBEDDING_DIM, mask_zero=True)(inp)
    else:
        inp = tf.keras.Input((timesteps, features))
        h = tf.keras.layers.Masking(mask_value)(inp) if mask_value is not None else inp
    if spec.conv:
        if mask_value is not None or vocabulary:
            raise InputError(
                f"--arch {spec.arch} needs fixed-length feature sequences: a Conv1D takes no "
                "mask (this dataset pads variable lengths or is text); use a recurrent arch"
            )
        L = tf.keras.layers
        conv_kw: dict[str, Any] = {"padding": "causal", "activation": "relu"}
        if spec.float_baseline:
            h = L.Conv1D(spec.conv_filters, spec.conv_kernel, **conv_kw)(h)
        else:
            h = qkeras.QConv1D(
                spec.conv_filters, spec.conv_kernel, kernel_quantizer=q, bias_quantizer=q, **conv_kw
            )(h)
        if spec.pool > 1:
            h = L.MaxPooling1D(spec.pool)(h)
    for i in range(spec.layers):
        rs = sequence_output or i < spec.layers - 1
        layer = rnn(rs)
        h = tf.keras.layers.Bidirectional(layer)(h) if bidir else layer(h)
    act = "softmax" if task == "classification" else "linear"
    if spec.float_baseline:
        out = tf.keras.layers.Dense(outputs, activation=act)(h)
    else:
        out = qkeras.QDense(outputs, kernel_quantizer=q, bias_quantizer=q, activation=act)(h)
    arch = spec.arch.replace("-", "_")  # model names are identifiers
    name = f"{'f' if spec.float_baseline else 'q'}{arch}{spec.units}x{spec.layers}"
    if spec.state_bits and not spec.float_baseline:
        name += f"s{spec.state_bits}"
    if spec.projection is not None:
        name += f"p{spec.projection[0]}_{spec.projection[1]}"
    return tf.keras.Model(inp, out, name=name)


def build_stack(
    design: dict[str, Any],
    *,
    outputs: int | None = None,
    task: str | None = None,
    float_baseline: bool = False,
) -> Any:
    """The Keras/QKeras model of a designer document (:mod:`fpga_rnn.designer.spec`):
    its input (features and timesteps, Masking(0) when ``masked``, an Embedding of
    ``vocabulary`` token ids), then each layer with ``quantized_bits(bits, 0)`` weights
    (without quantizers when ``float_baseline``). ``outputs`` and ``task`` (a dataset's)
    are checked against the last layer: a classifier ends in a softmax Dense of that
    many units."""
    from fpga_rnn.designer.spec import RECURRENT, parse
    from fpga_rnn.keras_import.importer import _tf

    d, problems = parse(design)
    if d is None:
        where = "; ".join(
            (f"layer {p.layer + 1}: " if p.layer is not None else "") + p.message for p in problems
        )
        raise InputError(f"the design is not valid: {where}")
    last = d.layers[-1]
    if outputs is not None and (last["kind"] != "dense" or last["units"] != outputs):
        raise InputError(
            f"the dataset has {outputs} outputs: end the design with a Dense of {outputs} units"
        )
    if task == "classification" and last.get("activation") != "softmax":
        raise InputError("a classification dataset needs a softmax on the last Dense")
    tf, qkeras = _tf()
    L = tf.keras.layers
    if d.vocabulary:
        inp = tf.keras.Input((d.timesteps,))
        h = L.Embedding(d.vocabulary, EMBEDDING_DIM, mask_zero=True)(inp)
    else:
        inp = tf.keras.Input((d.timesteps, d.features))
        h = L.Masking(0.0)(inp) if d.masked else inp
    for i, la in enumerate(d.layers):
        kind = la["kind"]
        q = f"quantized_bits({la.get('bits', 8)},0,alpha=1)"
        wq = {} if float_baseline else {"kernel_quantizer": q, "bias_quantizer": q}
        if kind in RECURRENT:
            layer = recurrent_layer(
                {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}[kind],
                la["units"],
                None if float_baseline else q,
                return_sequences=d.returns_sequences(i),
                reset_after=la.get("reset_after", True),
                projection=(0, la["projection"]) if la.get("projection") else None,
            )
            h = L.Bidirectional(layer)(h) if la["bidirectional"] else layer(h)
        elif kind == "dense":
            cls_d = L.Dense if float_baseline else qkeras.QDense
            h = cls_d(la["units"], activation=la["activation"], **wq)(h)
        elif kind == "conv1d":
            cls_c = L.Conv1D if float_baseline else qkeras.QConv1D
            h = cls_c(la["units"], la["kernel"], padding="causal", activation="relu", **wq)(h)
        else:
            h = L.MaxPooling1D(la["pool"])(h)
    return tf.keras.Model(inp, h, name=d.name)
