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


def test_both_directions_run_at_once() -> None:
    """The input is buffered for the forward core, so the backward core starts when
    the sequence is in: a Bi-LSTM(32) over 29 steps of 12 features (JapaneseVowels'
    shape) takes at most 1.3x its bound (before: the backward pass waited for the
    forward-paced input, about 2x)."""
    import numpy as np

    from fpga_rnn.backends.rtl.build import design
    from fpga_rnn.backends.rtl.plan import sequence_lower_bound
    from fpga_rnn.backends.rtl.sim import simulate
    from fpga_rnn.golden.model import predict_prepared, prepare_input

    t = 29
    lstm = {"kind": "lstm", "units": 32}
    m = rir.model(
        [
            {"kind": "bidirectional", "forward": lstm, "backward": lstm},
            {"kind": "dense", "units": 9, "activation": "softmax"},
        ],
        features=12,
        timesteps=t,
        seed=3,
    )
    d = design(m, 8)
    prep = prepare_input(m, np.random.default_rng(0).uniform(-1, 1, (4, t, 12)))
    gold = predict_prepared(m, prep)
    r = simulate(d, list(prep.codes), [1] * 4)
    assert all(np.array_equal(r.outputs[i], gold[i][None]) for i in range(4))
    latency = int(r.last_out[0] - r.first_in[0])
    assert latency <= 1.3 * sequence_lower_bound(d.info["layers"], t)
