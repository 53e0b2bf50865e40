"""Clock estimates and fit's ranking by wall-clock time (no synthesis)."""

from __future__ import annotations

import pytest

from fpga_rnn import fit, timing
from fpga_rnn.boards import load_board
from fpga_rnn.ir import random as rir

M = rir.model(
    [{"kind": "lstm", "units": 8}, {"kind": "dense", "units": 3}], features=4, timesteps=10, seed=1
)


@pytest.fixture
def model_with(monkeypatch):
    def use(runs: dict) -> None:
        monkeypatch.setattr(timing, "_model", lambda: {"families": {"ecp5": runs}})

    return use


def test_an_estimate_is_the_lowest_measured_fmax_and_says_so(model_with):
    model_with({"mac2-lane1": [{"layer": "A", "fmax_mhz": 90.0}, {"layer": "B", "fmax_mhz": 70}]})
    c = timing.estimate(load_board("ulx3s-85f"), 2, 1)
    assert (c.mhz, c.basis) == (70.0, "estimate") and "2 ecp5 design(s)" in c.note
    # no runs for these stages, or a family without place-and-route: the board clock
    assert timing.estimate(load_board("ulx3s-85f"), 0, 0).basis == "assumed"
    x = timing.estimate(load_board("pynq-z2"), 2, 1)
    assert (x.mhz, x.basis) == (100.0, "assumed")


def test_fit_ranks_by_microseconds_not_cycles(model_with):
    b = load_board("ulx3s-85f")
    model_with(
        {
            "mac0-lane0": [{"layer": "A", "fmax_mhz": 30}],
            "mac2-lane1": [{"layer": "A", "fmax_mhz": 120}],
        }
    )
    rows = [r for r, _ in fit._options(M, None, b)]
    us = [r["est_us_per_step"] for r in rows]
    assert us == sorted(us)
    first = rows[0]
    assert (first["mac_stages"], first["lane_stages"]) == (2, 1)
    fastest_unpiped = min(r["cycles_per_step"] for r in rows if r["mac_stages"] == 0)
    assert first["cycles_per_step"] > fastest_unpiped  # more cycles, yet less time
    # a slow pipelined clock loses to the unpipelined cores
    model_with(
        {
            "mac0-lane0": [{"layer": "A", "fmax_mhz": 30}],
            "mac2-lane1": [{"layer": "A", "fmax_mhz": 31}],
        }
    )
    first = fit._options(M, None, b)[0][0]
    assert (first["mac_stages"], first["lane_stages"]) == (0, 0)


def test_without_timing_data_fewest_cycles_win(model_with):
    model_with({})
    rows = [r for r, _ in fit._options(M, None, load_board("pynq-z2"))]
    assert {r["clock"]["basis"] for r in rows} == {"assumed"}
    assert rows[0]["cycles_per_step"] == min(r["cycles_per_step"] for r in rows)


def test_the_critical_path_is_the_slowest_register_to_register_one():
    from fpga_rnn.synth import critical_path

    def path(frm: str, to: str, delays: list[float]) -> dict:
        segs = [
            {"type": t, "delay": d, "from": {"cell": f"{frm}_c"}, "to": {"cell": f"{to}_c"}}
            for t, d in zip(("clk-to-q", "routing", "logic", "setup"), delays, strict=False)
        ]
        return {"from": frm, "to": to, "path": segs}

    clk = "posedge clk"
    report = {
        "critical_paths": [
            path("<async>", clk, [0, 9.0, 9.0]),  # a pin of the shell: not what sets Fmax
            path(clk, clk, [0.5, 6.0, 3.0, 0.4]),
            path(clk, "<async>", [0.5, 7.0]),
        ]
    }
    cp = critical_path(report)
    assert cp is not None
    assert (cp["delay_ns"], cp["routing_ns"], cp["logic_ns"]) == (9.9, 6.0, 3.9)
    assert cp["from"] == "posedge clk_c" and cp["segments"] == 4
    assert critical_path({"critical_paths": []}) is None


def test_logic_levels_are_read_from_yosys_ltp_output():
    from fpga_rnn.levels import parse

    text = """
Longest topological path in frnn_cast (length=2):
    0: \\din [3]
    1: $abc$1 (via $lut1)
    2: \\dout [0] (via $lut2)

Longest topological path in frnn_top (length=5):
    0: \\u_l0.u_mv.act
    1: $a (via c1)
    5: \\u_l0.u_mv.wq\x1b[31m (via c5)
"""
    got = parse(text)
    # the longest of the per-module paths; names made printable (no escape codes)
    assert got is not None and got["levels"] == 5 and got["from"] == "\\u_l0.u_mv.act"
    assert "\x1b" not in got["to"] and got["to"].startswith("\\u_l0.u_mv.wq")
    assert parse("Longest topological path in t (length=-1):\n") is None
    assert parse("") is None


def test_xilinx_clocks_are_estimated_from_logic_depth_and_say_so(monkeypatch):
    runs = {
        "mac3-lane1": [
            {"layer": "A", "fmax_mhz": 100.0, "levels": 20, "xilinx_levels": 10},  # 0.5 ns
            {"layer": "B", "fmax_mhz": 50.0, "levels": 25, "xilinx_levels": 16},  # 0.8 ns
        ],
        "mac0-lane0": [{"layer": "A", "fmax_mhz": 30.0}],  # no depth recorded
    }
    monkeypatch.setattr(timing, "_model", lambda: {"families": {"ecp5": runs}})
    assert timing.ns_per_level() == (0.8, 2)  # the slowest per level
    z = load_board("pynq-z2")
    c = timing.from_levels(z, 10)
    assert (c.mhz, c.basis) == (125.0, "estimate") and "not a timing analysis" in c.note
    # before synthesis: the deepest 7-series netlist measured with these stages
    assert timing.estimate(z, 3, 1).mhz == round(1000 / (16 * 0.8), 1)
    # no depth for those stages: the deepest of any, not the (higher) board clock
    assert timing.estimate(z, 0, 0).mhz == timing.estimate(z, 3, 1).mhz
    # capped at what the clock tree gives the fabric (Zynq PL clocks: 250 MHz)
    assert timing.from_levels(z, 1).mhz == timing.FAMILY_MAX_MHZ["xilinx"]
    monkeypatch.setattr(timing, "_model", lambda: {"families": {}})
    assert timing.from_levels(z, 10).basis == "assumed"
