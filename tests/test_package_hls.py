"""fpga-rnn package --route hls: the hls4ml project under the frnn_axi C++ top,
C-simulated with g++ on words packed by the package's own driver module (1,000 random
sequences of every length per case, bit-exact against golden), its registers and error
flags, and the Vitis HLS / Vivado scripts checked structurally (neither runs here)."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from runcli import cli

from fpga_rnn import api
from fpga_rnn.backends.batch import random_inputs
from fpga_rnn.boards import load_board
from fpga_rnn.device import hls_axi
from fpga_rnn.device.zynq import load_words_module
from fpga_rnn.golden.model import predict_codes, prepare_input
from fpga_rnn.ir import random as rir

STEPS = 12
SEQUENCES = 1000
# (name, layers, features, dma bits, precision, masked)
CASES = {
    "gru_softmax_w32": (
        [{"kind": "gru", "units": 4}, {"kind": "dense", "units": 3, "activation": "softmax"}],
        5, 32, "ap_fixed<16,6>", False,
    ),
    "bilstm_seq_masked_w64": (
        [{"kind": "bidirectional", "forward": {"kind": "lstm", "units": 3,
          "return_sequences": True}, "backward": {"kind": "lstm", "units": 3,
          "return_sequences": True}}],
        5, 64, "ap_fixed<12,4>", True,
    ),
}  # fmt: skip


def _model(name: str):
    layers, features, _, precision, masked = CASES[name]
    m = rir.model(layers, features=features, seed=7, precision=precision)
    if masked:
        m = dataclasses.replace(m, input=dataclasses.replace(m.input, mask_value=0.0))
    return m


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, tmp_path_factory):
    name = request.param
    m = _model(name)
    out = tmp_path_factory.mktemp(name) / "pkg"
    r = api.package(m, "pynq-z2", out, route="hls", timesteps=STEPS, dma_bits=CASES[name][2])
    return name, m, r


def _sequences(m, n: int, seed: int, masked: bool):
    """n random sequences of 1..STEPS steps (masked models: a masked step inside some)."""
    rng = np.random.default_rng(seed)
    xs = []
    for _ in range(n):
        t = int(rng.integers(1, STEPS + 1))
        x = random_inputs(m, 1, int(rng.integers(1 << 30)), length=STEPS, pad=False)[:, :t]
        if masked and t > 2 and rng.random() < 0.5:
            x[0, rng.integers(0, t - 1)] = 0.0
        xs.append(x)
    return xs


def test_axi_top_equals_golden_on_every_length(case) -> None:
    name, m, r = case
    words_mod = load_words_module(r.out / "driver" / "frnn_words.py")
    doc = json.loads((r.out / "driver" / "format.json").read_text())
    fmt = words_mod.WordFormat.from_dict(doc)
    assert doc["route"] == "hls" and doc["max_steps"] == STEPS
    seq_out = len(m.output_shape) == 2
    xs = _sequences(m, SEQUENCES, 3, CASES[name][4])
    codes = [prepare_input(m, x).codes[0] for x in xs]
    gold = [g if seq_out else g[None] for g in (predict_codes(m, x)[0] for x in xs)]
    words, last = fmt.pack(codes)
    res = hls_axi.csim(r.out / "hls", list(words), list(last))
    beats = [len(g) for g in gold]
    assert res.last == [i in set(np.cumsum([fmt.words_per_output * b for b in beats]) - 1)
                        for i in range(len(res.words))]  # fmt: skip
    outs = fmt.unpack(np.array(res.words, np.uint64), beats)
    bad = [i for i in range(SEQUENCES) if not np.array_equal(outs[i], gold[i])]
    assert not bad, f"{len(bad)}/{SEQUENCES} sequences differ; first {bad[0]}"
    regs = res.registers
    assert regs["magic"] == words_mod.MAGIC
    assert regs["format"] & 0xFF == words_mod.FORMAT_VERSION
    assert (regs["format"] >> 8) & 0xFF == fmt.dma_bits
    assert f"{regs['digest_hi']:08x}{regs['digest_lo']:08x}" == r.digest
    assert regs["in_shape"] == fmt.in_elements | fmt.in_width << 16
    assert regs["out_shape"] == fmt.out_elements | fmt.out_width << 16 | fmt.out_signed << 24
    assert regs["sequences"] == SEQUENCES and regs["status"] == 0


def test_error_flags_partial_step_too_long_and_clear(case) -> None:
    _, m, r = case
    words_mod = load_words_module(r.out / "driver" / "frnn_words.py")
    fmt = words_mod.WordFormat.from_dict(json.loads((r.out / "driver" / "format.json").read_text()))
    x = _sequences(m, 1, 5, False)[0]
    xl = random_inputs(m, 1, 9, length=STEPS + 3, pad=False)
    w, last = fmt.pack([prepare_input(m, xl).codes[0]])
    res = hls_axi.csim(r.out / "hls", list(w), list(last))
    assert res.registers["status"] & words_mod.STATUS_ERR_TOO_LONG
    # the first STEPS steps were run: a sequence output has STEPS vectors, equal golden's
    seq_out = len(m.output_shape) == 2
    got = fmt.unpack(np.array(res.words, np.uint64), [STEPS if seq_out else 1])[0]
    want = predict_codes(m, xl[:, :STEPS])[0]
    assert np.array_equal(got, want if seq_out else want[None])
    # a clear on the next call resets the flag
    w2, last2 = fmt.pack([prepare_input(m, x).codes[0]])
    both_w, both_l = list(w) + list(w2), list(last) + list(last2)
    res = hls_axi.csim(r.out / "hls", both_w, both_l, control={1: words_mod.CONTROL_CLEAR_ERRORS})
    assert res.registers["status"] == 0 and res.registers["sequences"] == 2
    if fmt.words_per_step > 1:  # tlast after a step's first word: zero-padded, flagged
        res = hls_axi.csim(r.out / "hls", [int(w[0])], [True])
        assert res.registers["status"] & words_mod.STATUS_ERR_PARTIAL_STEP


def test_scripts_are_relative_and_name_the_profile(case) -> None:
    _, _, r = case
    out = r.out
    part = load_board("pynq-z2").part
    texts = {p.name: p.read_text() for p in out.glob("*.tcl")}
    assert set(texts) == {"hls_ip.tcl", "block_design.tcl", "build_bitstream.tcl"}
    for name, text in texts.items():
        assert str(out) not in text and "/tmp" not in text and "/work" not in text, name
        for src in re.findall(r"source \[file join \$here (\S+?)\]", text):
            assert (out / src).is_file(), f"{name} sources a missing {src}"
    hls = texts["hls_ip.tcl"]
    added = re.findall(r"add_files (?:-tb )?\[file join \$(here|fw) ([^\]]+)\]", hls)
    assert len(added) == 3  # the top, the model, the testbench
    for var, rel in added:
        base = out if var == "here" else out / "hls" / "firmware"
        assert (base / Path(*rel.split())).is_file(), rel
    assert f"set_part {{{part}}}" in hls and f"set_top {hls_axi.TOP}" in hls
    assert "export_design -format ip_catalog" in hls
    bd = texts["block_design.tcl"]
    assert hls_axi.IP_VLNV in bd and f"frnn/{hls_axi.IN_STREAM}" in bd
    assert f"frnn/{hls_axi.OUT_STREAM}" in bd and f"frnn/{hls_axi.LITE}" in bd
    assert "component.xml" in texts["build_bitstream.tcl"]
    doc = json.loads((out / "package.json").read_text())
    assert doc["route"] == "hls" and doc["max_steps"] == STEPS and doc["ip_vlnv"] == hls_axi.IP_VLNV
    assert "vitis_hls -f hls_ip.tcl" in (out / "README.md").read_text()


def test_driver_refuses_a_sequence_longer_than_the_design(case) -> None:
    r = case[2]
    drv = r.out / "driver"
    code = (
        "import numpy as np, frnn_driver\n"
        "f = frnn_driver.PackageFormat()\n"
        f"f.check_lengths([np.zeros(({STEPS}, 1))])\n"
        f"f.check_lengths([np.zeros(({STEPS + 1}, 1))])\n"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=drv, capture_output=True, text=True)
    assert p.returncode != 0 and "at most 12" in p.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--route", "hls", "--mac-stages", "6"], "shapes the RTL cores"),
        (["--route", "vhdl"], "unknown route"),
        (["--timesteps", "8"], "the RTL route takes any length"),
    ],
)
def test_route_options_are_checked(tmp_path, args, message) -> None:
    _model("gru_softmax_w32").save(tmp_path / "m.json")
    p = cli("package", str(tmp_path / "m.json"), "--out", str(tmp_path / "o"), *args)
    assert p.returncode != 0
    assert message in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert not (tmp_path / "o").exists()
