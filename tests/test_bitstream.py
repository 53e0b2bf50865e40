"""A real bitstream with the pinned tools (iCEBreaker, a small model: CI builds it):
yosys -> nextpnr at the chosen clock -> icepack; bitstream.json; program's refusals."""

from __future__ import annotations

import hashlib
import json

import pytest
from runcli import cli

import fpga_rnn
from fpga_rnn.backends.batch import random_inputs
from fpga_rnn.device.program import find_loader
from fpga_rnn.errors import FpgaRnnError, ToolError
from fpga_rnn.ir import random as rir

SMALL = [{"kind": "simple_rnn", "units": 8}, {"kind": "dense", "units": 2}]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("bit")
    m = rir.model(SMALL, features=2, seed=3, precision="ap_fixed<8,3>")
    m.save(d / "model")
    r = cli(
        "bitstream", str(d / "model"), "--board", "icebreaker", "--out", str(d / "ice"),
        "--max-timesteps", "16", "--max-utilisation", "1", "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return m, d, json.loads(r.stdout)


@pytest.mark.slow
def test_icebreaker_bitstream_meets_its_clock(built) -> None:
    m, d, r = built
    assert r == json.loads((d / "ice" / "bitstream.json").read_text())
    image = (d / "ice" / "frnn.bin").read_bytes()
    assert r["bitstream"] == "frnn.bin" and len(image) == r["bitstream_bytes"] > 10_000
    assert hashlib.sha256(image).hexdigest() == r["bitstream_sha256"]
    # the PLL makes a whole number of clock cycles per bit near the requested baud
    assert r["clock"]["pll"] and r["clock"]["osc_mhz"] == 12
    assert abs(r["baud"] - 1e6) / 1e6 < 0.02
    assert r["fmax_mhz"] >= r["clock"]["mhz"] and r["meets_clock"]
    assert r["fmax_basis"] == "measured (nextpnr)"
    assert 0 < r["resources"]["dsp"] <= 8 and r["resources"]["lut"] <= 5280
    assert r["digest"] == m.digest() and r["pins"]["uart_tx"] == "9"
    pcf = (d / "ice" / "board" / "board.pcf").read_text()
    assert "set_io -nowarn clk_in 35" in pcf and "uart_rx 6" in pcf
    assert "SB_PLL40_PAD" in (d / "ice" / "board" / "pll.v").read_text()


@pytest.mark.slow
def test_the_bitstreams_design_runs_bit_exact_on_the_simulated_board(built) -> None:
    m, d, _ = built
    x = random_inputs(m, 20, 9)[:, :16]
    with fpga_rnn.open_device("sim", m, design=d / "ice") as dev:
        pr = dev.predict(x)
    assert pr.mismatches() == 0


@pytest.mark.slow
def test_a_clock_the_design_cannot_meet_is_an_error_and_writes_nothing(built, tmp_path) -> None:
    m, _, _ = built
    with pytest.raises(ToolError, match=r"below the .* MHz clock"):
        fpga_rnn.build_bitstream(
            m, "icebreaker", tmp_path / "fast", clock_mhz=90, max_timesteps=16,
            max_utilisation=1.0,
        )  # fmt: skip
    assert not (tmp_path / "fast").exists()


@pytest.mark.slow
def test_program_without_a_board_is_a_one_line_error(built) -> None:
    _, d, _ = built
    find_loader()  # installed by scripts/dev.sh (Debian's openfpgaloader)
    r = cli("program", str(d / "ice"), "--board", "icebreaker")
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1
    assert "no icebreaker found on USB" in r.stderr
    r = cli("program", str(d / "ice"), "--board", "ulx3s-85f")
    assert r.returncode == 1 and "built for icebreaker" in r.stderr


def test_boards_without_an_open_flow_or_a_pin_map_are_refused(tmp_path) -> None:
    m = rir.model(SMALL, features=2, seed=3, precision="ap_fixed<8,3>")
    with pytest.raises(FpgaRnnError, match="no bitstream flow"):
        fpga_rnn.build_bitstream(m, "pynq-z2", tmp_path / "x")
    assert not (tmp_path / "x").exists()
