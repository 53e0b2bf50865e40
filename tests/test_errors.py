"""Bad inputs give one clear error, a non-zero exit, and lose nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from models import build
from runcli import cli

import fpga_rnn
from fpga_rnn.errors import FormatError, InputError, IRError, OutputExistsError, UnsupportedError
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.ir import SCHEMA_VERSION, Model


@pytest.fixture(scope="module")
def saved(tfq, tmp_path_factory):
    """A saved .keras model, its IR directory, and test inputs."""
    tf, qkeras = tfq
    d = tmp_path_factory.mktemp("saved")
    model = build("qlstm", tf, qkeras)
    model.save(d / "model.keras")
    ir = fpga_rnn.import_model(d / "model.keras", d / "ir")
    x = np.random.default_rng(0).uniform(-1, 1, (20, 12, 5))
    np.save(d / "x.npy", x)
    return d, ir, x


def test_wrong_input_shape(saved):
    _, ir, x = saved
    with pytest.raises(InputError, match=r"expected input of shape \(batch, timesteps, 5\)"):
        fpga_rnn.predict(ir, x[..., :3])
    with pytest.raises(InputError, match="expects 12 timesteps, input has 7"):
        fpga_rnn.predict(ir, x[:, :7])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_inf_input(saved, bad):
    _, ir, x = saved
    x = x.copy()
    x[3, 4, 1] = bad
    with pytest.raises(InputError, match=r"NaN or inf \(first at index \(3, 4, 1\)\)"):
        fpga_rnn.predict(ir, x)


@pytest.mark.parametrize(
    "text", ["ap_fixed<16>", "ap_fixd<16,6>", "ap_fixed<16,6,AP_RUND>", "ap_fixed<99,6>", "16,6"]
)
def test_unknown_precision_string(text):
    with pytest.raises(FormatError):
        FixedFormat.parse(text)


def test_precision_round_trip():
    for t in [
        "ap_fixed<16,6>",
        "ap_ufixed<8,0,AP_RND,AP_SAT>",
        "ap_fixed<18,2,AP_RND_CONV,AP_SAT>",
    ]:
        assert str(FixedFormat.parse(t)) == t
    assert FixedFormat.parse("fixed<8,3,RND,SAT>") == FixedFormat.parse(
        "ap_fixed<8,3,AP_RND,AP_SAT>"
    )
    assert FixedFormat.parse("ap_int<8>") == FixedFormat(8, 8)


def test_corrupt_ir_files(saved, tmp_path):
    d, ir, _ = saved
    broken = tmp_path / "ir"
    ir.save(broken)
    (broken / "ir.json").write_text('{"schema_version": 1, "name": ')
    with pytest.raises(IRError, match="corrupt"):
        Model.load(broken)
    doc = json.loads((d / "ir" / "ir.json").read_text())
    (broken / "ir.json").write_text(json.dumps({**doc, "schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(IRError, match="newer than this fpga-rnn"):
        Model.load(broken)
    (broken / "ir.json").write_text(json.dumps(doc))
    (broken / "weights.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(IRError, match=r"weights\.npz is corrupt"):
        Model.load(broken)
    (broken / "weights.npz").write_bytes((d / "ir" / "weights.npz").read_bytes())
    bad_kind = json.loads(json.dumps(doc))
    bad_kind["layers"][0]["kind"] = "transformer"
    (broken / "ir.json").write_text(json.dumps(bad_kind))
    with pytest.raises(IRError, match="unknown layer kind 'transformer'"):
        Model.load(broken)


def test_codes_outside_format_rejected(saved, tmp_path):
    _, ir, _ = saved
    ir.save(tmp_path / "ir")
    with np.load(tmp_path / "ir" / "weights.npz") as z:
        arrays = {k: z[k] for k in z.files}
    key = next(k for k in arrays if k.endswith(".kernel"))
    arrays[key] = arrays[key] * 1000
    np.savez(tmp_path / "ir" / "weights.npz", **arrays)
    with pytest.raises(IRError, match="outside the range"):
        Model.load(tmp_path / "ir")


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda L: L.Conv1DTranspose(4, 3), "Conv1DTranspose is not supported"),
        (lambda L: L.LSTM(4, stateful=True, go_backwards=True), "stateful=True cannot stream"),
        (
            lambda L: L.Bidirectional(L.GRU(4, stateful=True)),
            "stateful=True cannot stream a Bidirectional",
        ),
        (lambda L: L.Bidirectional(L.LSTM(4), merge_mode="mul"), "merge_mode='mul'"),
        (lambda L: L.LSTM(4, recurrent_activation="hard_sigmoid"), "recurrent_activation"),
        (lambda L: L.SimpleRNN(4, activation="elu"), "activation 'elu' is not supported"),
    ],
)
def test_unsupported_layers(tfq, make, message):
    tf, _ = tfq
    L = tf.keras.layers
    kw = {"batch_size": 2} if "stateful" in message else {}
    inp = L.Input((6, 3), **kw)
    model = tf.keras.Model(
        inp, L.Dense(2)(L.Flatten()(make(L)(inp)) if "Conv" in message else make(L)(inp))
    )
    with pytest.raises(UnsupportedError, match=message):
        fpga_rnn.import_model(model)


def test_return_state_refused(tfq):
    tf, _ = tfq
    L = tf.keras.layers
    inp = L.Input((6, 3))
    out, _h, _c = L.LSTM(4, return_state=True)(inp)
    with pytest.raises(UnsupportedError, match="return_state=True is not supported"):
        fpga_rnn.import_model(tf.keras.Model(inp, out))


def test_hard_quantized_tanh_refused(tfq):
    tf, qkeras = tfq
    L = tf.keras.layers
    inp = L.Input((6, 3))
    out = qkeras.QLSTM(4, activation="quantized_tanh(8)", recurrent_activation="sigmoid")(inp)
    with pytest.raises(UnsupportedError, match="use_real_tanh"):
        fpga_rnn.import_model(tf.keras.Model(inp, out))


def test_alpha_auto_refused(tfq):
    tf, qkeras = tfq
    L = tf.keras.layers
    inp = L.Input((6, 3))
    out = qkeras.QDense(2, kernel_quantizer="quantized_bits(8,0,alpha='auto')")(L.LSTM(4)(inp))
    with pytest.raises(UnsupportedError, match="alpha='auto' is not supported; use alpha=1"):
        fpga_rnn.import_model(tf.keras.Model(inp, out))


def test_token_ids_out_of_range(tfq):
    tf, _ = tfq
    L = tf.keras.layers
    inp = L.Input((5,))
    model = tf.keras.Model(inp, L.LSTM(3)(L.Embedding(10, 4)(inp)))
    ir = fpga_rnn.import_model(model)
    with pytest.raises(InputError, match=r"token ids must be in \[0, 9\], got 0..10"):
        fpga_rnn.predict(ir, np.array([[0, 1, 2, 3, 10]]))


def test_save_does_not_overwrite_without_force(saved, tmp_path):
    _, ir, _ = saved
    target = tmp_path / "ir"
    ir.save(target)
    before = (target / "weights.npz").read_bytes()
    with pytest.raises(OutputExistsError, match="--force"):
        ir.save(target)
    assert (target / "weights.npz").read_bytes() == before
    ir.save(target, force=True)
    assert Model.load(target).equals(ir)


def test_failed_save_leaves_nothing(saved, tmp_path, monkeypatch):
    _, ir, _ = saved

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", boom)
    with pytest.raises(OSError):
        ir.save(tmp_path / "ir")
    assert list(tmp_path.iterdir()) == []


def test_cli_end_to_end_and_errors(saved, tmp_path):
    d, ir, x = saved
    r = cli(
        "predict",
        str(d / "ir"),
        "--input",
        str(d / "x.npy"),
        "--out",
        str(tmp_path / "y.npy"),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    meta = json.loads(r.stdout)
    assert meta["samples"] == 20 and meta["output_shape"] == [20, 4]
    assert json.loads((tmp_path / "y.json").read_text())["target"] == "golden"
    assert np.array_equal(np.load(tmp_path / "y.npy"), fpga_rnn.predict(ir, x))
    # existing output: refused, file untouched
    before = (tmp_path / "y.npy").read_bytes()
    r = cli("predict", str(d / "ir"), "--input", str(d / "x.npy"), "--out", str(tmp_path / "y.npy"))
    assert r.returncode == 1 and "already exists; pass --force" in r.stderr
    assert (tmp_path / "y.npy").read_bytes() == before
    # bad input shape: one line, exit 1
    np.save(tmp_path / "bad.npy", x[..., :2])
    r = cli(
        "predict",
        str(d / "ir"),
        "--input",
        str(tmp_path / "bad.npy"),
        "--out",
        str(tmp_path / "z.npy"),
    )
    assert r.returncode == 1
    assert r.stderr.strip().startswith("error: expected input of shape")
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "z.npy").exists()
    # import: existing IR refused; missing model file
    r = cli("import", str(d / "model.keras"), "--out", str(d / "ir"))
    assert r.returncode == 1 and "already exists" in r.stderr
    r = cli("import", str(tmp_path / "nope.keras"), "--out", str(tmp_path / "ir"))
    assert r.returncode == 1 and "does not exist" in r.stderr
    # help on every command
    for cmd in ("import", "predict", "info"):
        r = cli(cmd, "--help")
        assert r.returncode == 0 and "Usage" in r.stdout


def test_cli_import_and_float_target(saved, tmp_path):
    d, ir, x = saved
    r = cli("import", str(d / "model.keras"), "--out", str(tmp_path / "ir"), "--json")
    assert r.returncode == 0, r.stderr
    assert Model.load(tmp_path / "ir").equals(ir)
    assert json.loads(r.stdout)["layers"][0]["kind"] == "lstm"
    r = cli(
        "predict",
        str(d / "model.keras"),
        "--input",
        str(d / "x.npy"),
        "--out",
        str(tmp_path / "f.npy"),
        "--target",
        "float",
    )
    assert r.returncode == 0, r.stderr
    y = np.load(tmp_path / "f.npy")
    assert np.abs(y - fpga_rnn.predict(ir, x)).max() <= 0.02


def test_keras_file_never_runs_code(tfq, tmp_path):
    """A Lambda layer in a model file is refused before Keras deserializes it."""
    tf, _ = tfq
    L = tf.keras.layers
    inp = L.Input((4, 2))
    model = tf.keras.Model(inp, L.Lambda(lambda t: t * 2)(L.LSTM(3)(inp)))
    model.save(tmp_path / "m.h5")
    with pytest.raises(UnsupportedError, match="Lambda is not supported"):
        fpga_rnn.import_model(Path(tmp_path / "m.h5"))
