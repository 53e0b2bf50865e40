"""The whole flow on a tiny model: every stage's JSON, report.html, and stage reuse."""

from __future__ import annotations

import json
import re

import pytest

import fpga_rnn
from fpga_rnn.errors import FpgaRnnError
from fpga_rnn.fit import FitError, fit
from fpga_rnn.ir import random as rir


@pytest.mark.slow
def test_flow_runs_every_stage_then_reuses_them(tmp_path) -> None:
    out = tmp_path / "flow"
    opts = {"dataset": "waveforms", "arch": "gru", "units": 2, "epochs": 2, "board": "pynq-z2"}
    opts |= {"c_export": True}
    msgs: list[str] = []
    r = fpga_rnn.run_flow(out, progress=msgs.append, **opts)
    for f in ("train/metrics.json", "fit/fit.json", "verify.json", "hls.json", "report.html"):
        assert (out / f).exists(), f
    s = r["summary"]
    assert s["bit_exact"] == {"rtl": True, "hls": True, "c": True, "c-arm": True}
    assert (out / "c" / "fpga_rnn_model.c").exists()
    hls = json.loads((out / "hls.json").read_text())
    assert hls["mismatches"] == 0 and hls["project"]["part"] == "xc7z020clg400-1"
    assert (out / "hls" / "firmware" / "frnn_model.cpp").exists()
    fitted = json.loads((out / "fit" / "fit.json").read_text())
    assert s["reuse"] == fitted["chosen"]["reuse"]
    # the fastest candidate whose DSP fit 80 % of the 220 DSP of the XC7Z020
    assert fitted["chosen"]["predicted_dsp"] <= 0.8 * 220
    assert all(v <= 0.8 * fitted_limit for v, fitted_limit in _pairs(fitted))
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 3  # training, error histogram, utilisation
    assert "xc7z020clg400-1" in page and "fpga-rnn flow --out" in page
    assert re.search(r"rtl</td><td>0</td>", page)
    assert re.search(r"hls \(C-sim, g\+\+\)</td><td>0</td>", page)
    assert re.search(r"C, Cortex-M4 \(QEMU\)</td><td>0</td>", page)
    assert r["stages"]["train"]["result"]["dataset"]["name"] == "waveforms"

    msgs.clear()
    again = fpga_rnn.run_flow(out, progress=msgs.append, **opts)
    assert sum("up to date" in m for m in msgs) == 5  # train, fit, verify, hls, c reused
    assert again["summary"] == s


@pytest.mark.slow
def test_flow_on_an_open_board_builds_the_bitstream_and_runs_the_simulated_board(
    tmp_path,
) -> None:
    out = tmp_path / "flow"
    opts = {"dataset": "waveforms", "arch": "rnn", "units": 4, "epochs": 2, "board": "icebreaker"}
    r = fpga_rnn.run_flow(out, **opts)
    s = r["summary"]
    assert s["bit_exact"]["rtl"] and s["bit_exact"]["board (simulated)"]
    bits = json.loads((out / "bitstream" / "bitstream.json").read_text())
    assert (out / "bitstream" / bits["bitstream"]).stat().st_size == bits["bitstream_bytes"]
    assert bits["meets_clock"] and s["bitstream"]["fmax_mhz"] == bits["fmax_mhz"]
    # the design fit chose, at 90 % of the Fmax fit measured (within the PLL's steps)
    fitted = json.loads((out / "fit" / "fit.json").read_text())
    assert bits["design"]["reuse"] == fitted["chosen"]["reuse"]
    assert bits["clock"]["mhz"] <= fitted["clock_mhz"]
    sim = bits["simulated_board"]
    assert sim["mismatches"] == 0 and sim["sequences"] == 500
    page = (out / "report.html").read_text()
    assert "On the board</h2>" in page and "board (simulated" in page


def _pairs(fitted: dict) -> list[tuple[float, float]]:
    lim = {"lut": 53200, "ff": 106400, "dsp": 220, "bram": 140}
    return [(v, lim[k]) for k, v in fitted["chosen"]["resources"].items() if k in lim]


def test_fit_refuses_with_the_reason(tmp_path) -> None:
    m = rir.model([{"kind": "lstm", "units": 24}], features=8, seed=0)
    why = r"needs \d+ DSP at the lowest parallelism .*icebreaker has 8"
    with pytest.raises(FitError, match=why):
        fit(m, "icebreaker", tmp_path / "fit")
    assert not (tmp_path / "fit").exists()
    with pytest.raises(FpgaRnnError, match="max-utilisation"):
        fit(m, "pynq-z2", tmp_path / "fit", max_utilisation=1.5)
