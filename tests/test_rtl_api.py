"""RTL generation and verification through the public API and the CLI: outputs,
JSON, and the one-line errors that come before any simulation starts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from runcli import cli

import fpga_rnn
from fpga_rnn.backends.rtl.build import MAX_MAC_STAGES, design, design_for_multipliers
from fpga_rnn.errors import InputError, OutputExistsError, UnsupportedError
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.ir import random as rir

LSTM = [{"kind": "lstm", "units": 4}, {"kind": "dense", "units": 3, "activation": "softmax"}]


@pytest.fixture(scope="module")
def ir_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("m") / "ir"
    rir.model(LSTM, features=3, seed=2).save(d)
    return d


def test_rtl_cli_writes_design_and_refuses_to_overwrite(ir_dir, tmp_path) -> None:
    out = tmp_path / "rtl"
    r = cli("rtl", str(ir_dir), "--out", str(out), "--reuse", "2", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info == json.loads((out / "rtl.json").read_text())
    assert info["reuse"] == 2 and info["top"] == "frnn_top"
    files = (out / "filelist.f").read_text().split()
    assert "frnn_top.v" in files and all((out / f).is_file() for f in files)
    # one engine per recurrent layer: U*h and W*x rows in one ROM, biases in another
    assert (out / "mem" / "l0_w.mem").is_file() and (out / "mem" / "l0_b.mem").is_file()
    lstm = info["layers"][0]
    assert lstm["cycles_per_step"] >= lstm["lower_bound_cycles_per_step"] > 0
    assert {i["module"] for i in info["instances"]} >= {"frnn_recurrent"}
    before = (out / "rtl.json").read_text()
    r = cli("rtl", str(ir_dir), "--out", str(out))
    assert r.returncode == 1 and "already exists" in r.stderr and "--force" in r.stderr
    assert (out / "rtl.json").read_text() == before
    r = cli("rtl", str(ir_dir), "--out", str(tmp_path / "x"), "--reuse", "2", "--multipliers", "9")
    assert r.returncode == 1 and "not both" in r.stderr
    assert not (tmp_path / "x").exists()


def test_multipliers_picks_fastest_design_within_budget() -> None:
    m = rir.model(LSTM, features=3, seed=2)
    d = design_for_multipliers(m, 60)
    assert d.info["multipliers"] <= 60
    assert design(m, d.info["reuse"] - 1).info["multipliers"] > 60


def test_verify_cli_json_and_exit_codes(ir_dir, tmp_path) -> None:
    out = tmp_path / "v.json"
    r = cli("verify", str(ir_dir), "--samples", "300", "--reuse", "3", "--json", "--out", str(out))
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res == json.loads(out.read_text())
    rtl = res["targets"]["rtl"]
    assert res["samples"] == 300 and rtl["mismatches"] == 0 and rtl["bit_exact"] is True
    assert rtl["tlast_errors"] == 0
    assert rtl["latency_cycles"] >= rtl["lower_bound_cycles"] > 0
    assert rtl["cycles_per_timestep"] == rtl["latency_cycles"] / rtl["timesteps"]
    assert rtl["samples_per_second_simulated"] > 0
    # the HLS C-simulation joins the same JSON; an unknown target is an error
    r = cli("verify", str(ir_dir), "--samples", "50", "--targets", "golden,hls", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["targets"]["hls"]["mismatches"] == 0
    r = cli("verify", str(ir_dir), "--samples", "5", "--targets", "golden,fpga")
    assert r.returncode != 0 and "unknown target" in r.stderr


def test_input_outside_format_fails_before_simulation(ir_dir) -> None:
    x = np.zeros((4, 6, 3))
    x[2, 3, 1] = 40.0  # ap_fixed<16,6> holds [-32, 32)
    with pytest.raises(InputError, match="outside the input format"):
        fpga_rnn.verify(ir_dir, x)


def test_padding_must_come_last() -> None:
    from fpga_rnn.ir.model import InputSpec, Model

    m = rir.model(LSTM, features=3, seed=2)
    masked = Model(
        name="m", input=InputSpec(features=3, fmt=m.input.fmt, mask_value=0.0), layers=m.layers
    )
    x = np.ones((2, 5, 3))
    x[1, 2] = 0.0  # a masked step in the middle
    with pytest.raises(InputError, match="padding must come after"):
        fpga_rnn.verify(masked, x)


def test_sequence_longer_than_buffer_fails_before_simulation() -> None:
    m = rir.model(
        [
            {
                "kind": "bidirectional",
                "forward": {"kind": "gru", "units": 2},
                "backward": {"kind": "gru", "units": 2},
            }
        ],
        features=2,
        seed=1,
    )
    from fpga_rnn.backends import TARGETS, RunOptions
    from fpga_rnn.verification import prepare

    batch = prepare(m, np.zeros((2, 70, 2)))
    with pytest.raises(InputError, match="buffers at most 64"):
        TARGETS["rtl"].run(m, batch, RunOptions())


def test_accumulators_the_rtl_cannot_reproduce_are_refused() -> None:
    import dataclasses

    m = rir.model(LSTM, features=3, seed=2)
    la = m.layers[1]  # dense: products have 14 + 16 = 30 fractional bits

    def with_accum(text: str):
        acc = FixedFormat.parse(text)
        return type(m)(
            name="m", input=m.input, layers=(m.layers[0], dataclasses.replace(la, accum=acc))
        )

    with pytest.raises(UnsupportedError, match="needs exact products"):
        design(with_accum("ap_fixed<24,4,AP_TRN,AP_SAT>"))
    with pytest.raises(UnsupportedError, match=r"saturating accumulator .* can overflow"):
        design(with_accum("ap_fixed<32,2,AP_TRN,AP_SAT>"))
    design(with_accum("ap_fixed<32,2,AP_TRN,AP_WRAP>"))  # wrapping is order-free: fine


def test_api_generate_rtl_refuses_existing_dir(ir_dir, tmp_path) -> None:
    (tmp_path / "r").mkdir()
    with pytest.raises(OutputExistsError):
        fpga_rnn.generate_rtl(ir_dir, tmp_path / "r")


def test_mac_stages_from_the_cli_cost_the_cycles_the_plan_says(ir_dir, tmp_path) -> None:
    """--mac-stages reaches the design (rtl.json) and verify: bit-exact, and each stage
    adds one cycle per recurrent step at full parallelism."""
    steps = {}
    for p in (0, 2):
        out = tmp_path / f"p{p}"
        r = cli("rtl", str(ir_dir), "--out", str(out), "--reuse", "1", "--mac-stages", str(p))
        assert r.returncode == 0, r.stderr
        info = json.loads((out / "rtl.json").read_text())
        assert info["mac_stages"] == p and info["layers"][0]["mac_stages"] == p
        steps[p] = info["layers"][0]["cycles_per_step"]
    assert steps[2] == steps[0] + 2
    r = cli("verify", str(ir_dir), "--samples", "30", "--reuse", "1", "--mac-stages", "2", "--json")
    assert r.returncode == 0, r.stderr
    rtl = json.loads(r.stdout)["targets"]["rtl"]
    assert rtl["bit_exact"] and rtl["mac_stages"] == 2
    r = cli(
        "rtl", str(ir_dir), "--out", str(tmp_path / "x"), "--mac-stages", str(MAX_MAC_STAGES + 1)
    )
    assert r.returncode == 2 and "--mac-stages" in r.stderr
