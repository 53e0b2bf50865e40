"""Small Keras/QKeras models of every supported layer kind, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Callable

Q8 = "quantized_bits(8,0,alpha=1)"
Q8_STATE = "quantized_bits(8,0,alpha=1)"


def build(kind: str, tf, qkeras, timesteps: int = 12, features: int = 5, seed: int = 0):
    """A compiled-free Keras model named ``kind`` (see KINDS)."""
    tf.keras.utils.set_random_seed(seed)
    L = tf.keras.layers
    inp = L.Input((timesteps, features))
    x = KINDS[kind](L, qkeras, inp)
    return tf.keras.Model(inp, x, name=kind)


def _q(qkeras, cls, units, **kw):
    return getattr(qkeras, cls)(
        units,
        kernel_quantizer=Q8,
        recurrent_quantizer=Q8,
        bias_quantizer=Q8,
        activation="tanh",
        **kw,
    )


def _projected(units: int, po: int, pi: int, quantizer: str | None = None):
    from fpga_rnn.models import QLSTMProjected

    qs = ("kernel_quantizer", "recurrent_quantizer", "bias_quantizer", "projector_quantizer")
    return QLSTMProjected(units, po, pi, **(dict.fromkeys(qs, quantizer) if quantizer else {}))


KINDS: dict[str, Callable] = {
    "lstm": lambda L, q, i: L.Dense(4, activation="softmax")(L.LSTM(16)(i)),
    "gru": lambda L, q, i: L.Dense(4)(L.GRU(16)(i)),
    "gru_reset_before": lambda L, q, i: L.Dense(4)(L.GRU(16, reset_after=False)(i)),
    "simple_rnn": lambda L, q, i: L.Dense(3, activation="sigmoid")(L.SimpleRNN(16)(i)),
    "simple_rnn_relu": lambda L, q, i: L.Dense(3)(L.SimpleRNN(8, activation="relu")(i)),
    "bilstm_concat": lambda L, q, i: L.Dense(4, activation="softmax")(
        L.Bidirectional(L.LSTM(8))(i)
    ),
    "bigru_sum_backwards_seq": lambda L, q, i: L.Dense(2, activation="tanh")(
        L.Bidirectional(L.GRU(8, return_sequences=True), merge_mode="sum")(i)
    ),
    "bi_mixed": lambda L, q, i: L.Dense(3)(
        L.Bidirectional(L.LSTM(6), backward_layer=L.GRU(6, go_backwards=True))(i)
    ),
    "stacked": lambda L, q, i: L.Dense(3, activation="relu")(
        L.LSTM(8)(L.GRU(8, return_sequences=True)(i))
    ),
    "seq2seq": lambda L, q, i: L.TimeDistributed(L.Dense(2))(L.LSTM(8, return_sequences=True)(i)),
    "go_backwards": lambda L, q, i: L.Dense(2)(L.LSTM(8, go_backwards=True)(i)),
    "no_bias": lambda L, q, i: L.Dense(2)(L.LSTM(8, use_bias=False)(i)),
    "activation_layers": lambda L, q, i: L.Activation("softmax")(
        L.Dense(3)(L.Activation("tanh")(L.Dense(6)(L.GRU(8)(i))))
    ),
    "qlstm": lambda L, q, i: q.QDense(4, kernel_quantizer=Q8, bias_quantizer=Q8)(
        _q(q, "QLSTM", 16, recurrent_activation="sigmoid")(i)
    ),
    "qlstm_state": lambda L, q, i: q.QDense(4, kernel_quantizer=Q8, bias_quantizer=Q8)(
        _q(q, "QLSTM", 16, recurrent_activation="sigmoid", state_quantizer=Q8_STATE)(i)
    ),
    "qgru": lambda L, q, i: q.QActivation("quantized_relu(8,3)")(
        q.QDense(4, kernel_quantizer=Q8, bias_quantizer=Q8)(
            _q(q, "QGRU", 16, recurrent_activation="sigmoid")(i)
        )
    ),
    "qgru_reset_before": lambda L, q, i: q.QDense(4, kernel_quantizer=Q8, bias_quantizer=Q8)(
        _q(q, "QGRU", 12, recurrent_activation="sigmoid", reset_after=False)(i)
    ),
    "qsimple_rnn": lambda L, q, i: q.QDense(4, kernel_quantizer=Q8, bias_quantizer=Q8)(
        _q(q, "QSimpleRNN", 16)(i)
    ),
    # projected LSTM (fpga_rnn.models.QLSTMProjected): float, and 8-bit QKeras
    "lstm_projected": lambda L, q, i: L.Dense(4, activation="softmax")(_projected(16, 4, 3)(i)),
    "qlstm_projected": lambda L, q, i: q.QDense(4, kernel_quantizer=Q8, bias_quantizer=Q8)(
        _projected(16, 6, 3, quantizer=Q8)(i)
    ),
    # Conv1D front-ends (window layers): float, and 8-bit QKeras
    "conv_gru": lambda L, q, i: L.Dense(4, activation="softmax")(
        L.GRU(8)(
            L.MaxPooling1D(2)(
                L.Conv1D(6, 3, padding="causal", dilation_rate=2, activation="relu")(i)
            )
        )
    ),
    "qconv_gru": lambda L, q, i: q.QDense(4, kernel_quantizer=Q8, bias_quantizer=Q8)(
        _q(q, "QGRU", 8, recurrent_activation="sigmoid")(
            L.AveragePooling1D(2)(
                q.QConv1D(
                    6,
                    3,
                    strides=2,
                    kernel_quantizer=Q8,
                    bias_quantizer=Q8,
                    activation="quantized_relu(8,3)",
                )(i)
            )
        )
    ),
    "qbilstm": lambda L, q, i: q.QDense(4, kernel_quantizer=Q8, bias_quantizer=Q8)(
        L.Bidirectional(_q(q, "QLSTM", 8, recurrent_activation="sigmoid"))(i)
    ),
}


# Random IRs (fpga_rnn.ir.random specs) covering every layer kind and head activation,
# shared by the HLS and C export tests.
RANDOM_IRS: dict[str, list[dict]] = {
    # projected LSTMs in both directions of a Bidirectional (valid in the IR; the Keras
    # import refuses a Bidirectional QLSTMProjected)
    "bi_projected": [
        {
            "kind": "bidirectional",
            "forward": {"kind": "lstm", "units": 4, "projection": 2},
            "backward": {"kind": "lstm", "units": 3, "projection": 3, "return_sequences": False},
        },
        {"kind": "dense", "units": 2},
    ],
    "lstm_softmax": [
        {"kind": "lstm", "units": 6},
        {"kind": "dense", "units": 3, "activation": "softmax"},
    ],
    "gru_reset_after": [{"kind": "gru", "units": 5}],
    "gru_reset_before": [{"kind": "gru", "units": 5, "reset_after": False}],
    "simple_rnn_tanh": [{"kind": "simple_rnn", "units": 4}],
    "simple_rnn_relu": [{"kind": "simple_rnn", "units": 4, "activation": "relu"}],
    "stacked_seq_sigmoid": [
        {"kind": "lstm", "units": 4, "return_sequences": True},
        {"kind": "gru", "units": 3, "return_sequences": True},
        {"kind": "dense", "units": 3, "activation": "sigmoid"},
    ],
    "bi_concat_mixed": [
        {
            "kind": "bidirectional",
            "forward": {"kind": "lstm", "units": 3},
            "backward": {"kind": "gru", "units": 4},
        },
        {"kind": "dense", "units": 4, "activation": "relu"},
    ],
    "bi_sum_seq_tanh": [
        {
            "kind": "bidirectional",
            "merge": "sum",
            "forward": {"kind": "gru", "units": 3, "return_sequences": True},
            "backward": {"kind": "simple_rnn", "units": 3, "return_sequences": True},
        },
        {"kind": "dense", "units": 2, "activation": "tanh"},
    ],
    "go_backwards_linear": [
        {"kind": "lstm", "units": 4, "go_backwards": True},
        {"kind": "dense", "units": 2},
    ],
}


def assert_bit_exact_everywhere(ir_dir, x, targets=("rtl", "hls", "c")) -> dict:
    """verify() on every target: each has 0 mismatches against golden; returns the result."""
    import fpga_rnn

    r = fpga_rnn.verify(ir_dir, x, targets=targets, reuse=4)
    assert r["reference"] == "golden"
    assert {t: v["mismatches"] for t, v in r["targets"].items()} == dict.fromkeys(targets, 0)
    assert r["bit_exact"]
    return r
