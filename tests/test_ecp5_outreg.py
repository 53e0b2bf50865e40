"""Block RAM output registers on ECP5: a real yosys netlist's flip-flops after a RAM
read move into the RAM (REGMODE OUTREG), only where that is the same circuit, and
nextpnr places and routes the result."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from fpga_rnn import ecp5_outreg
from fpga_rnn.synth import find_tool

# Two 18-bit tables of 1,024 words (block RAM sized): one read into a plain
# register, one into a register with an enable (the RAM's register has none here).
SOURCE = """
module t(input clk, input en, input [9:0] a, output reg [17:0] y, output reg [17:0] z);
  reg [17:0] tab0 [0:1023];
  reg [17:0] tab1 [0:1023];
  reg [17:0] r0, r1;
  integer i;
  initial for (i = 0; i < 1024; i = i + 1) begin
    tab0[i] = (i * 97 + 5) & 18'h3ffff;
    tab1[i] = (i * 31 + 9) & 18'h3ffff;
  end
  always @(posedge clk) begin
    r0 <= tab0[a];
    r1 <= tab1[a];
    y <= r0;  // plain: becomes the RAM's output register
    if (en) z <= r1;  // enabled: stays in the fabric
  end
endmodule
"""


def _netlist(tmp: Path) -> dict:
    (tmp / "t.v").write_text(SOURCE)
    (tmp / "s.ys").write_text("read_verilog t.v\nsynth_ecp5 -top t\nwrite_json net.json\n")
    subprocess.run([*find_tool("yosys"), "-q", "s.ys"], cwd=tmp, check=True, timeout=600)
    return json.loads((tmp / "net.json").read_text())


def _cells(net: dict, kind: str) -> list[dict]:
    return [c for c in net["modules"]["t"]["cells"].values() if c["type"] == kind]


def test_plain_registers_after_a_ram_read_move_into_the_ram(tmp_path) -> None:
    net = _netlist(tmp_path)
    rams = _cells(net, "DP16KD")
    assert len(rams) == 2
    ffs = len(_cells(net, "TRELLIS_FF"))
    ybits = set(net["modules"]["t"]["ports"]["y"]["bits"])
    y_ffs = [ff for ff in _cells(net, "TRELLIS_FF") if set(ff["connections"]["Q"]) & ybits]
    assert len(y_ffs) >= 16  # y's register, less any bit synthesis made constant
    assert ecp5_outreg.absorb(net, "t") == len(y_ffs)  # y's, not z's
    assert len(_cells(net, "TRELLIS_FF")) == ffs - len(y_ffs)
    modes = sorted(
        (c["parameters"]["REGMODE_A"], c["parameters"]["REGMODE_B"]) for c in _cells(net, "DP16KD")
    )
    assert modes == [("NOREG", "NOREG"), ("OUTREG", "NOREG")]
    # the output port y is now driven by the RAM's data pins, not by a flip-flop
    outreg = next(c for c in _cells(net, "DP16KD") if c["parameters"]["REGMODE_A"] == "OUTREG")
    driven = {b for p, bits in outreg["connections"].items() if p.startswith("DOA") for b in bits}
    assert {b for ff in y_ffs for b in ff["connections"]["Q"]} <= driven
    for ff in _cells(net, "TRELLIS_FF"):
        assert not set(ff["connections"]["Q"]) & ybits
    assert ecp5_outreg.absorb(net, "t") == 0  # nothing left to fold


def test_the_result_places_and_routes(tmp_path) -> None:
    net = _netlist(tmp_path)
    assert ecp5_outreg.absorb(net, "t") >= 16
    (tmp_path / "net.json").write_text(json.dumps(net))
    cmd = [*find_tool("nextpnr-ecp5"), "--85k", "--package", "CABGA381", "--json", "net.json"]
    cmd += ["--lpf-allow-unconstrained", "--report", "report.json", "--freq", "125"]
    subprocess.run(cmd, cwd=tmp_path, check=True, timeout=900, capture_output=True)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["fmax"]  # routed, with a timing report
