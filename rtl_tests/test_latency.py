"""The latency model is exact: on a clean stream, every extra time step costs the
plan's cycles per step (rtl.json ``cycles_per_step``), for each layer kind at
several parallelisms, and it stays within 1.2x of the lower bound (docs/latency.md)."""

from __future__ import annotations

import numpy as np
import pytest

from fpga_rnn.backends.rtl.build import design
from fpga_rnn.backends.rtl.sim import simulate
from fpga_rnn.golden.model import prepare_input
from fpga_rnn.ir import random as rir

CASES = [  # kind, extra layer arguments, reuse, units, inputs
    ("lstm", {}, 1, 7, 5),
    ("lstm", {}, 9, 7, 5),
    ("gru", {}, 4, 7, 5),
    ("gru", {"reset_after": False}, 6, 7, 5),
    # the second pass split into two lane groups per row block
    ("gru", {"reset_after": False}, 32, 16, 12),
    ("simple_rnn", {}, 2, 7, 5),
]
# (MAC stages, lane stages): every depth is counted exactly by the plan
STAGES = ((0, 0), (1, 0), (2, 0), (2, 1), (3, 1), (4, 1), (0, 2), (5, 2), (6, 3))


@pytest.mark.parametrize("stages", STAGES, ids=[f"mac{m}lane{n}" for m, n in STAGES])
@pytest.mark.parametrize(
    "kind,extra,reuse,units,inputs",
    CASES,
    ids=[f"{c[0]}{'_rb' if c[1] else ''}{c[3]}_r{c[2]}" for c in CASES],
)
def test_cycles_per_step_match_plan(kind, extra, reuse, units, inputs, stages) -> None:
    m = rir.model([{"kind": kind, "units": units, **extra}], features=inputs, seed=2)
    d = design(m, reuse, mac_stages=stages[0], lane_stages=stages[1])
    la = d.info["layers"][0]
    rng = np.random.default_rng(0)
    lat = []
    for t in (10, 30):  # one sequence per run: nothing overlaps it
        codes = prepare_input(m, rng.uniform(-1, 1, (1, t, inputs))).codes
        r = simulate(d, list(codes), [1])
        lat.append(int(r.last_out[0] - r.first_in[0]))
    per_step = (lat[1] - lat[0]) / 20
    assert per_step == la["cycles_per_step"], (per_step, la)
    # the bound counts the pipeline fill on the recurrent path (docs/latency.md)
    assert (la["mac_stages"], la["lane_stages"]) == stages
    assert per_step <= 1.2 * la["lower_bound_cycles_per_step"]
