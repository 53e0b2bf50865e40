"""frnn_embedding: token ids -> embedding rows feeding an LSTM (the text path)."""

from __future__ import annotations

from rtlsim import check_model

from fpga_rnn.ir import random as rir


def test_embedding_lstm() -> None:
    m = rir.model(
        [
            {"kind": "embedding", "units": 6},
            {"kind": "lstm", "units": 5},
            {"kind": "dense", "units": 3, "activation": "softmax"},
        ],
        vocabulary=50,
        seed=4,
    )
    check_model(m, reuse=2, lengths=(1, 20))
