"""The embedded C export against the golden model, bit for bit: host gcc and a
Cortex-M4 build under QEMU, -Wall -Wextra -Werror -pedantic; its error codes."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from models import RANDOM_IRS, build
from runcli import cli

import fpga_rnn
from fpga_rnn.backends.c import toolchain, writer
from fpga_rnn.errors import InputError
from fpga_rnn.ir import random as rand
from fpga_rnn.verification import verify

pytestmark = pytest.mark.slow

N = 1000  # acceptance: >= 1,000 sequences on each target
TARGETS = ["c", "c-arm"]

RANDOM = RANDOM_IRS


def _check(res: dict, target: str) -> dict:
    r = res["targets"][target]
    assert r["mismatches"] == 0 and r["bit_exact"], r
    assert r["step_mismatches"] in (0, None)
    return r


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("masked", [False, True], ids=["fixed_length", "masked"])
@pytest.mark.parametrize("name", sorted(RANDOM))
def test_random_ir_equals_golden(name, masked, target):
    m = rand.model(RANDOM[name], features=3, seed=len(name), name=name)
    if masked:
        m = dataclasses.replace(m, input=dataclasses.replace(m.input, mask_value=0.0))
    r = _check(verify(m, samples=N, seed=3, targets=("golden", target)), target)
    assert r["footprint"]["flash_bytes"] > r["flash_bytes_weights"] > 0
    if "go_backwards" in name or "bi_" in name:
        assert r["step_mismatches"] is None  # step() needs the whole sequence there
    else:
        assert r["step_mismatches"] == 0  # step() by step == run_sequence()


@pytest.mark.parametrize("target", TARGETS)
def test_text_model_equals_golden(target):
    spec = [
        {"kind": "embedding", "units": 4},
        {"kind": "gru", "units": 4},
        {"kind": "dense", "units": 3},
    ]
    m = rand.model(spec, features=1, vocabulary=40, seed=3, name="text")
    m = dataclasses.replace(m, input=dataclasses.replace(m.input, mask_value=0))
    _check(verify(m, samples=N, seed=4, targets=("golden", target)), target)


@pytest.mark.parametrize("kind", ["qlstm", "qgru_reset_before", "qbilstm", "qsimple_rnn"])
def test_qkeras_models_equal_golden_on_host_and_arm(kind, tfq, rng):
    model = build(kind, *tfq)
    ir = fpga_rnn.import_model(model)
    x = rng.uniform(-1, 1, (N, 12, 5))
    res = verify(ir, x, targets=("golden", "c", "c-arm"))
    for target in TARGETS:
        _check(res, target)


def test_error_codes_in_c():
    """Defined behaviour on bad input: return codes, nothing computed."""
    m = rand.model(RANDOM["lstm_softmax"], features=3, seed=1, name="err")
    fmt = m.input.fmt
    x = np.zeros((3, 5, 3), np.int64)
    x[1, 2, 0] = fmt.max_code + 1  # outside ap_fixed's range
    r = toolchain.run(m, x, "host", max_timesteps=5)
    assert r["rc"].tolist() == [0, -4, 0]  # FRNN_OK, FRNN_ERR_INPUT
    r = toolchain.run(m, x, "host", max_timesteps=4)  # sequences longer than the export's limit
    assert set(r["rc"].tolist()) == {-1}  # FRNN_ERR_LENGTH
    t = rand.model([{"kind": "embedding", "units": 2}, {"kind": "gru", "units": 2}], vocabulary=10)
    ids = np.array([[1, 2, 3], [1, 10, 2], [-1, 0, 0]])
    assert toolchain.run(t, ids, "host")["rc"].tolist() == [0, -2, -2]  # FRNN_ERR_TOKEN


def test_bad_inputs_rejected_in_python():
    m = rand.model(RANDOM["lstm_softmax"], features=3, seed=1)
    x = np.zeros((2, 5, 3))
    x[0, 1, 1] = np.nan
    with pytest.raises(InputError, match="NaN"):
        writer.quantize_inputs(m, x)
    t = rand.model([{"kind": "embedding", "units": 2}, {"kind": "gru", "units": 2}], vocabulary=10)
    with pytest.raises(InputError, match=r"token ids must be in \[0, 9\]"):
        writer.quantize_inputs(t, np.array([[1, 12]]))


def test_c_cli_writes_sources_and_footprint(tmp_path):
    ir = rand.model(RANDOM["gru_reset_before"], features=3, timesteps=7, seed=2).save(
        tmp_path / "ir"
    )
    out = tmp_path / "c"
    r = cli("c", str(ir), "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info == json.loads((out / "c.json").read_text())
    assert sorted(p.name for p in out.iterdir()) == sorted([*info["files"], "c.json"])
    assert info["max_timesteps"] == 7 and info["can_step"] is True
    fp = info["cortex_m4"]
    assert fp["flash_bytes"] > info["flash_bytes_weights"] and fp["ram_bytes"] > 0
    header = (out / "fpga_rnn_model.h").read_text()
    for api in ("fpga_rnn_model_reset", "fpga_rnn_model_step", "fpga_rnn_model_run_sequence"):
        assert api in header
    assert "malloc" not in (out / "frnn_rt.c").read_text() + (out / "fpga_rnn_model.c").read_text()
    r = cli("c", str(ir), "--out", str(out))
    assert r.returncode != 0 and "--force" in r.stderr
