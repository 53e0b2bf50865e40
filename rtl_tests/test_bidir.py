"""frnn_bidir + frnn_seqrev: Bidirectional with different forward/backward layers,
concat and sum merges, sequence and last-step outputs; standalone go_backwards."""

from __future__ import annotations

import pytest
from rtlsim import check_model

from fpga_rnn.ir import random as rir

CASES = {
    "lstm+gru concat last": [
        {
            "kind": "bidirectional",
            "merge": "concat",
            "forward": {"kind": "lstm", "units": 4},
            "backward": {"kind": "gru", "units": 3},
        }
    ],
    "gru+rnn sum seq, go_backwards gru": [
        {
            "kind": "bidirectional",
            "merge": "sum",
            "forward": {"kind": "gru", "units": 4, "return_sequences": True},
            "backward": {"kind": "simple_rnn", "units": 4, "return_sequences": True},
        },
        {"kind": "gru", "units": 3, "go_backwards": True},
    ],
}


@pytest.mark.parametrize("name", list(CASES))
def test_bidirectional(name) -> None:
    m = rir.model(CASES[name], features=3, seed=5)
    check_model(m, reuse=2, lengths=(1, 16), max_timesteps=16)
