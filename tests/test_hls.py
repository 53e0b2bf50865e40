"""The hls4ml project's C-simulation (our kernels in hls/, compiled with g++)
against the golden model, bit for bit, for every layer kind."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from models import KINDS, RANDOM_IRS, build
from runcli import cli

import fpga_rnn
from fpga_rnn.ir import random as rand
from fpga_rnn.verification import random_inputs, verify

pytestmark = pytest.mark.slow

N = 500  # sequences per model (acceptance: >= 500)

RANDOM = RANDOM_IRS


def _hls(result: dict) -> dict:
    hls = result["targets"]["hls"]
    assert hls["available"]
    return hls


@pytest.mark.parametrize("masked", [False, True], ids=["fixed_length", "masked"])
@pytest.mark.parametrize("name", sorted(RANDOM))
def test_random_ir_csim_equals_golden(name, masked):
    m = rand.model(RANDOM[name], features=3, seed=len(name), name=name)
    if masked:
        m = dataclasses.replace(m, input=dataclasses.replace(m.input, mask_value=0.0))
    r = verify(m, samples=N, seed=1, targets=("golden", "hls"))
    hls = _hls(r)
    assert hls["mismatches"] == 0 and hls["bit_exact"], hls


@pytest.mark.parametrize("masked", [False, True], ids=["fixed_length", "mask_zero"])
def test_embedding_csim_equals_golden(masked):
    spec = [
        {"kind": "embedding", "units": 4},
        {"kind": "gru", "units": 4},
        {"kind": "dense", "units": 3, "activation": "softmax"},
    ]
    m = rand.model(spec, features=1, vocabulary=30, seed=3, name="text")
    if masked:
        m = dataclasses.replace(m, input=dataclasses.replace(m.input, mask_value=0))
    r = verify(m, samples=N, seed=2, targets=("golden", "hls"))
    assert _hls(r)["mismatches"] == 0


# Keras models (plain ones imported at ap_fixed<16,6>) and QKeras 8-bit models.
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_keras_models_csim_equals_golden(kind, tfq, rng):
    tf, qkeras = tfq
    model = build(kind, tf, qkeras)
    precision = "ap_fixed<16,6>" if not kind.startswith("q") else None
    opts = {"precision": precision} if precision else {}
    ir = fpga_rnn.import_model(model, **opts)
    x = rng.uniform(-1, 1, (N, 12, 5))
    r = verify(ir, x, targets=("golden", "hls"))
    assert _hls(r)["mismatches"] == 0


@pytest.mark.parametrize("quantized", [False, True], ids=["keras_16_6", "qkeras_8bit"])
def test_keras_text_model_csim_equals_golden(tfq, rng, quantized):
    """Embedding (mask_zero) + GRU text classifier, float at ap_fixed<16,6> or QGRU 8-bit."""
    tf, qkeras = tfq
    L = tf.keras.layers
    tf.keras.utils.set_random_seed(5)
    inp = L.Input((10,))
    x = L.Embedding(50, 8, mask_zero=True)(inp)
    if quantized:
        q8 = "quantized_bits(8,0,alpha=1)"
        qs = {"kernel_quantizer": q8, "recurrent_quantizer": q8, "bias_quantizer": q8}
        rnn = qkeras.QGRU(8, activation="tanh", recurrent_activation="sigmoid", **qs)
        head = qkeras.QDense(2, kernel_quantizer=q8, bias_quantizer=q8, activation="softmax")
    else:
        rnn, head = L.GRU(8), L.Dense(2, activation="softmax")
    model = tf.keras.Model(inp, head(rnn(x)))
    ir = fpga_rnn.import_model(model, **({} if quantized else {"precision": "ap_fixed<16,6>"}))
    lengths = rng.integers(1, 11, N)
    tokens = rng.integers(1, 50, (N, 10)) * (np.arange(10)[None, :] < lengths[:, None])
    r = verify(ir, tokens, targets=("golden", "hls"))
    assert _hls(r)["mismatches"] == 0


def test_csim_detects_a_changed_kernel_weight():
    """The comparison can fail: one changed weight in the HLS model is caught."""
    m = rand.model(RANDOM["lstm_softmax"], features=3, seed=9, name="tamper")
    la = m.layers[0]
    codes = la.kernel.codes.copy()
    codes[0, :] = la.kernel.fmt.max_code if codes[0, 0] < 0 else la.kernel.fmt.min_code
    bad = dataclasses.replace(la, kernel=dataclasses.replace(la.kernel, codes=codes))
    tampered = dataclasses.replace(m, layers=(bad, *m.layers[1:]))
    from fpga_rnn.backends.hls.project import compiled_project
    from fpga_rnn.verification import prepare

    x = random_inputs(m, 200, 0)
    y = compiled_project(tampered, x.shape[1]).predict(x)
    batch = prepare(m, x)
    got = [m.output_format.quantize(y[i][None]) for i in range(len(x))]
    assert sum(not np.array_equal(a, b) for a, b in zip(got, batch.golden, strict=True)) > 0


def test_project_names_board_part_and_clock(tmp_path):
    m = rand.model(RANDOM["gru_reset_before"], features=3, timesteps=8, seed=4)
    for backend in ("vitis", "vivado"):
        out = tmp_path / backend
        info = fpga_rnn.generate_hls(m, out, board="pynq-z2", backend=backend, reuse=2)
        assert info["part"] == "xc7z020clg400-1" and info["clock_period_ns"] == 10.0
        tcl = (out / "project.tcl").read_text()
        assert 'set part "xc7z020clg400-1"' in tcl and "set clock_period 10.0" in tcl
        params = (out / "firmware" / "parameters.h").read_text()
        assert "frnn::cell_gru" in params and "reset_after = false" in params
        assert "static const int reuse_factor = 2;" in params
        assert json.loads((out / "hls.json").read_text())["backend"] == backend
        assert (out / "build_prj.tcl").exists()
        assert (out / "firmware" / "nnet_utils" / "frnn_recurrent.h").exists()


def test_hls_cli_json_and_errors(tmp_path):
    m = rand.model(RANDOM["simple_rnn_tanh"], features=2, timesteps=5, seed=6)
    ir = str(m.save(tmp_path / "ir"))
    out = tmp_path / "prj"
    r = cli("hls", ir, "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["compile_seconds"] > 0 and info["layers"][1]["kernel"] == "frnn::recurrent"
    r = cli("hls", ir, "--out", str(out))  # existing output kept without --force
    assert r.returncode != 0 and "--force" in r.stderr
    cases = {
        "unknown board": (["--board", "nope"], "unknown board"),
        "lattice board": (["--board", "icebreaker"], "Xilinx"),
        "stream io": (["--io", "stream"], "--io parallel"),
        "bad backend": (["--backend", "quartus"], "vitis, vivado"),
        "bad reuse": (["--reuse", "0"], "greater than or equal to 1"),
    }
    for name, (args, text) in cases.items():
        dest = tmp_path / name.replace(" ", "_")
        r = cli("hls", ir, "--out", str(dest), *args)
        assert r.returncode != 0, name
        assert text in r.stderr and len(r.stderr.strip().splitlines()) == 1, (name, r.stderr)
        assert not dest.exists(), name  # nothing half-written


# stateful=True imports (fpga_rnn.Stream, docs/streaming.md); return_state does not
@pytest.mark.parametrize("option", ["return_state"])
def test_unsupported_keras_options_refused(tfq, option, tmp_path):
    tf, _ = tfq
    L = tf.keras.layers
    inp = L.Input((4, 2), batch_size=1)
    out = L.LSTM(3, **{option: True})(inp)
    model = tf.keras.Model(inp, out[0] if option == "return_state" else out)
    path = tmp_path / "m.keras"
    model.save(path)
    r = cli("hls", str(path), "--out", str(tmp_path / "prj"))
    assert r.returncode != 0 and option in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "prj").exists()


def test_model_digest_is_the_content():
    """The compiled-project cache is keyed by Model.digest: same content, same key."""
    m = rand.model(RANDOM["lstm_softmax"], features=3, seed=9)
    same = rand.model(RANDOM["lstm_softmax"], features=3, seed=9)
    assert m.digest() == same.digest() and m.equals(same)
    la = m.layers[0]
    codes = la.kernel.codes.copy()
    codes[0, 0] += 1 if codes[0, 0] < la.kernel.fmt.max_code else -1
    changed = dataclasses.replace(la, kernel=dataclasses.replace(la.kernel, codes=codes))
    assert dataclasses.replace(m, layers=(changed, *m.layers[1:])).digest() != m.digest()
