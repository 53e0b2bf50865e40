"""frnn_dense + frnn_act / frnn_softmax / frnn_div: dense heads with every activation,
per step (after return_sequences) and per sequence, vs golden."""

from __future__ import annotations

import pytest
from rtlsim import check_model

from fpga_rnn.ir import random as rir


@pytest.mark.parametrize(
    "activation,reuse,seq",
    [
        ("softmax", 1, False),
        ("sigmoid", 3, True),
        ("tanh", 2, False),
        ("relu", 5, True),
        ("linear", 1, False),
    ],
)
def test_dense_head(activation, reuse, seq) -> None:
    m = rir.model(
        [
            {"kind": "gru", "units": 5, "return_sequences": seq},
            {"kind": "dense", "units": 4, "activation": activation},
        ],
        features=3,
        seed=len(activation),
    )
    check_model(m, reuse=reuse, lengths=(1, 10), samples=600)
