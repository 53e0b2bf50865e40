"""Open synthesis (yosys + nextpnr) of generated RTL: figures, synth.json, errors."""

from __future__ import annotations

import json

import pytest
from runcli import cli

import fpga_rnn
from fpga_rnn.errors import InputError, OutputExistsError, ToolError
from fpga_rnn.ir import random as rir
from fpga_rnn.synth import classify, find_tool

TINY = [{"kind": "simple_rnn", "units": 2}, {"kind": "dense", "units": 2}]


@pytest.fixture(scope="module")
def rtl_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("s")
    m = rir.model(TINY, features=2, seed=3, precision="ap_fixed<8,3>")
    fpga_rnn.generate_rtl(m, d / "rtl", reuse=4)
    return d / "rtl"


@pytest.mark.slow
def test_ecp5_synthesis_and_place_and_route(rtl_dir) -> None:
    msgs: list[str] = []
    r = fpga_rnn.synthesize(rtl_dir, "ulx3s-85f", progress=msgs.append)
    out = rtl_dir / "synth-ulx3s-85f"
    assert json.loads((out / "synth.json").read_text()) == r
    assert "End of script." in (out / "yosys.log").read_text()
    assert (out / "report.json").exists()
    res = r["resources"]
    # 2 units: the weight/bias MACs map to MULT18X18D, tables to DP16KD block RAM
    assert res["lut"] > 0 and res["ff"] > r["shell_ff"] > 0
    assert res["dsp"] >= 1 and res["bram"] >= 1
    assert r["fits"] and r["fmax_mhz"] > 0 and r["meets_clock"] == (r["fmax_mhz"] >= 25)
    assert r["top"] == "frnn_shell"
    assert r["target_mhz"] == 25  # nextpnr aimed at the board clock (no --clock-mhz)
    cp = r["critical_path"]  # the register-to-register path that sets Fmax
    assert cp["delay_ns"] == pytest.approx(cp["logic_ns"] + cp["routing_ns"], abs=0.02)
    assert 1000 / cp["delay_ns"] == pytest.approx(r["fmax_mhz"], rel=0.05)
    assert cp["from"].startswith("dut.") or cp["to"].startswith("dut.")
    assert any(m.startswith("yosys: ") for m in msgs) and any("nextpnr" in m for m in msgs)
    with pytest.raises(OutputExistsError):
        fpga_rnn.synthesize(rtl_dir, "ulx3s-85f")


@pytest.mark.slow
def test_xilinx_cli_json(rtl_dir, tmp_path) -> None:
    out = tmp_path / "syn"
    r = cli("synth", str(rtl_dir), "--board", "pynq-z2", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res == json.loads((out / "synth.json").read_text())
    assert res["part"] == "xc7z020clg400-1" and res["top"] == "frnn_top"
    assert res["fmax_mhz"] is None and res["shell_ff"] == 0
    assert res["resources"]["dsp"] >= 1 and res["resources"]["lut"] > 0
    assert res["utilisation"]["dsp"] == pytest.approx(res["resources"]["dsp"] / 220, abs=1e-4)
    # no place-and-route: the netlist's logic depth is what there is to say about timing
    lv = res["logic_levels"]
    assert lv["levels"] >= 2 and lv["from"] and lv["to"]
    assert (
        f"deepest logic: {lv['levels']} levels"
        in cli("synth", str(rtl_dir), "--board", "pynq-z2", "--out", str(tmp_path / "syn2")).stdout
    )


@pytest.mark.slow
def test_pipeline_stages_make_the_logic_shallower(tmp_path) -> None:
    """yosys's depth of the same LSTM mapped for 7-series: the pipelined cores (MAC and
    lane registers, the pass request registered) cut the deepest path."""
    m = rir.model([{"kind": "lstm", "units": 4}], features=3, seed=5)
    depth = {}
    for mac, lane in ((0, 0), (3, 1)):
        rtl = tmp_path / f"m{mac}"
        fpga_rnn.generate_rtl(m, rtl, reuse=4, mac_stages=mac, lane_stages=lane)
        depth[mac] = fpga_rnn.synthesize(rtl, "pynq-z2")["logic_levels"]["levels"]
    assert depth[3] < depth[0], depth


def test_classify_counts_cells_per_family() -> None:
    cells = {"LUT6": 3, "LUT2": 2, "FDRE": 4, "RAMB18E1": 3, "RAMB36E1": 1, "DSP48E1": 2}
    assert classify(cells, "xilinx") == {"lut": 5, "ff": 4, "dsp": 2, "bram": 2.5}
    assert classify({"CCU2C": 3, "LUT4": 1}, "ecp5")["lut"] == 7


def test_errors_are_one_line(tmp_path) -> None:
    with pytest.raises(ToolError, match="pip install yowasp-nosuchtool"):
        find_tool("nosuchtool")
    with pytest.raises(InputError, match="not an RTL directory"):
        fpga_rnn.synthesize(tmp_path, "pynq-z2")
    r = cli("synth", str(tmp_path), "--board", "no-such-board")
    assert r.returncode == 1
    assert "unknown board 'no-such-board'; known boards: " in r.stderr
    assert "pynq-z2" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_ecp5_multipliers_keep_their_registers_inside_the_dsp_blocks(tmp_path) -> None:
    """At mac_stages >= 2 the MAC products are frnn_mul: on ECP5 the staged version
    puts its input and output registers inside MULT18X18D (yosys would leave them in
    the fabric), with the same multiplier count and fewer fabric flip-flops."""
    from fpga_rnn.boards import load_board
    from fpga_rnn.synth import run_yosys, stage_rtl

    m = rir.model([{"kind": "lstm", "units": 3}], features=2, seed=4)
    fpga_rnn.generate_rtl(m, tmp_path / "rtl", reuse=6, mac_stages=2)
    got = {}
    for kind in (None, "ecp5"):
        work = tmp_path / f"w-{kind}"
        files = stage_rtl(tmp_path / "rtl", work, kind)
        mul = (work / "frnn_mul.v").read_text()
        assert ("frnn_dsp_regs" in mul) == (kind == "ecp5")
        kw = dict(before=[], after=[], what="", seconds={}, progress=None, limit=600)
        _, cells, _ = run_yosys(
            work, files, "frnn_top", load_board("ulx3s-85f"), netlist=True, **kw
        )
        net = json.loads((work / "net.json").read_text())
        regs = [
            c["parameters"]
            for mod in net["modules"].values()
            for c in mod["cells"].values()
            if c["type"] == "MULT18X18D"
        ]
        got[kind] = (
            cells["TRELLIS_FF"],
            len(regs),
            sum(p.get("REG_OUTPUT_CLK") == "CLK0" for p in regs),
        )
    (ff_fabric, n, reg_fabric), (ff_dsp, n_dsp, reg_dsp) = got[None], got["ecp5"]
    assert n == n_dsp > 0 and reg_fabric == 0 and reg_dsp > 0
    assert ff_dsp < ff_fabric  # the operand and product registers moved into the blocks
