"""frnn_rnn_cell: SimpleRNN with tanh, relu and linear activations vs golden."""

from __future__ import annotations

import pytest
from rtlsim import check_model

from fpga_rnn.ir import random as rir


@pytest.mark.parametrize("activation,reuse", [("tanh", 1), ("relu", 4), ("linear", 3)])
def test_simple_rnn(activation, reuse) -> None:
    m = rir.model(
        [{"kind": "simple_rnn", "units": 5, "activation": activation}], features=3, seed=3
    )
    check_model(m, reuse=reuse, lengths=(1, 12))
