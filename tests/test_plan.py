"""The RTL parallelism planner: within the reuse factor, and within 1.2x of
the lower bound (docs/latency.md) for every recurrent kind, size and reuse."""

from __future__ import annotations

import pytest

from fpga_rnn.backends.rtl.plan import plan_recurrent

GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3, "gru_rb": 3}
REUSE = (1, 2, 3, 5, 8, 12, 16, 24, 32, 64, 128)


@pytest.mark.parametrize("kind", list(GATES))
def test_recurrent_plans_respect_reuse_and_stay_within_1_2x_of_bound(kind) -> None:
    for units in (2, 3, 5, 8, 16, 33):
        for inputs in (1, 3, 12, 32):
            # a step's passes take a tile each at least: the fully parallel engine
            least = plan_recurrent(kind, GATES[kind], units, inputs, 1).mac_cycles
            for reuse in REUSE:
                p = plan_recurrent(kind, GATES[kind], units, inputs, reuse)
                case = (kind, units, inputs, reuse, p.to_json())
                assert p.mac_cycles <= max(reuse, least), case
                assert p.step_cycles <= 1.2 * p.step_lower_bound, case


def test_gru_reset_after_false_overlaps_the_first_input_part_with_pass_one_lanes() -> None:
    # GRU(32), 12 inputs, reuse 8: W*x's z|r part (2 cycles) fills the 2-cycle wait
    # for r.h, its h part (1 cycle) sits beside the final chain
    p = plan_recurrent("gru_rb", 3, 32, 12, 8)
    xa, xb = p.x_parts
    assert (p.h.cycles, xa.cycles, p.h2.cycles, xb.cycles) == (2, 2, 2, 1)
    assert p.step_cycles == 2 + 2 + 2 + 2 and p.mac_cycles == 7
