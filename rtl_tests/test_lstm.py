"""frnn_lstm_cell (in frnn_recurrent): random LSTM layers vs golden, 1,000 sequences
each with idle gaps and backpressure, at full and partial parallelism and 16/8 bits."""

from __future__ import annotations

import pytest
from rtlsim import check_model

from fpga_rnn.ir import random as rir

CASES = [
    # units, inputs, precision, reuse, return_sequences
    (6, 4, "ap_fixed<16,6>", 1, False),
    (5, 3, "ap_fixed<8,3>", 7, True),
]


@pytest.mark.parametrize("units,inputs,precision,reuse,seq", CASES)
def test_lstm(units, inputs, precision, reuse, seq) -> None:
    m = rir.model(
        [{"kind": "lstm", "units": units, "return_sequences": seq}],
        features=inputs,
        precision=precision,
        seed=units,
    )
    check_model(m, reuse=reuse, lengths=(1, 16))
