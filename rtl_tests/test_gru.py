"""frnn_gru_cell / frnn_gru_update: GRU with reset_after True (one pass) and False
(two passes), vs golden on 1,000 sequences with gaps and backpressure."""

from __future__ import annotations

import pytest
from rtlsim import check_model

from fpga_rnn.ir import random as rir

CASES = [
    # units, inputs, precision, reuse, reset_after
    (6, 3, "ap_fixed<16,6>", 1, True),
    (5, 4, "ap_fixed<8,3>", 6, True),
    (4, 3, "ap_fixed<16,6>", 1, False),
    (7, 2, "ap_fixed<10,4>", 9, False),
    # split second pass; W*x in two parts (2 and 1 blocks); padded lane groups
    (7, 2, "ap_fixed<12,4>", 28, False),
]


@pytest.mark.parametrize("units,inputs,precision,reuse,reset_after", CASES)
def test_gru(units, inputs, precision, reuse, reset_after) -> None:
    m = rir.model(
        [{"kind": "gru", "units": units, "reset_after": reset_after, "return_sequences": True}],
        features=inputs,
        precision=precision,
        seed=units,
    )
    check_model(m, reuse=reuse, lengths=(1, 14))
