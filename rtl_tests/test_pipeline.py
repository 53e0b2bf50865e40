"""Pipelined MAC engines (mac_stages 1 to 6: products, then multiplier inputs, the
pass request, the adder tree's sum, the operands registered) and cell lanes
(lane_stages 1, and 2 with pipelined products): every layer kind stays bit-exact with
golden under idle gaps and backpressure, back to back, stacked and Bidirectional."""

from __future__ import annotations

import pytest
from rtlsim import check_model

from fpga_rnn.ir import random as rir

HEAD = {"kind": "dense", "units": 3, "activation": "softmax"}
CASES = {  # layers, reuse
    "lstm": ([{"kind": "lstm", "units": 5, "return_sequences": True}], 1),
    "lstm_tiled": ([{"kind": "lstm", "units": 6}, HEAD], 7),
    "gru": ([{"kind": "gru", "units": 5, "return_sequences": True}], 4),
    "gru_rb_split": ([{"kind": "gru", "units": 7, "reset_after": False}, HEAD], 28),
    "simple_rnn": ([{"kind": "simple_rnn", "units": 4, "return_sequences": True}], 2),
    "stacked": (
        [
            {"kind": "gru", "units": 4, "return_sequences": True},
            {"kind": "lstm", "units": 3},
            HEAD,
        ],
        3,
    ),
    "bidirectional": (
        [
            {
                "kind": "bidirectional",
                "forward": {"kind": "lstm", "units": 3},
                "backward": {"kind": "gru", "units": 3},
            },
            HEAD,
        ],
        2,
    ),
}


STAGES = ((1, 0), (2, 1), (3, 1), (4, 1), (5, 2), (6, 3))  # (MAC stages, lane stages)


@pytest.mark.parametrize("stages", STAGES, ids=[f"mac{m}lane{n}" for m, n in STAGES])
@pytest.mark.parametrize("case", sorted(CASES))
def test_pipelined_engines_are_bit_exact(case, stages) -> None:
    layers, reuse = CASES[case]
    m = rir.model(layers, features=3, precision="ap_fixed<12,4>", seed=len(case) + stages[0])
    check_model(
        m,
        reuse=reuse,
        lengths=(1, 12),
        samples=300,
        mac_stages=stages[0],
        lane_stages=stages[1],
    )


@pytest.mark.parametrize("case", ["lstm", "gru", "gru_rb_split"])
def test_split_lane_products_are_bit_exact(case) -> None:
    """At ap_fixed<16,6> the cell state and U*h sums are wider than one DSP block's
    operand: lane_stages 2 splits those products into registered partial products."""
    layers, reuse = CASES[case]
    m = rir.model(layers, features=3, precision="ap_fixed<16,6>", seed=5)
    check_model(m, reuse=reuse, lengths=(1, 12), samples=300, mac_stages=5, lane_stages=2)
