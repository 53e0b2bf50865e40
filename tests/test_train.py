"""Datasets, QAT model builders and `fpga-rnn train`: files, metrics, determinism,
and one-line errors for bad data."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from fpga_rnn.datasets import DATASETS, from_npz, load_dataset
from fpga_rnn.errors import InputError, OutputExistsError
from fpga_rnn.models import ModelSpec


def test_japanese_vowels_is_padded_after_the_data_and_masked() -> None:
    ds = load_dataset("japanese-vowels")
    assert ds.x_train.shape == (270, 29, 12) and ds.x_test.shape == (370, 29, 12)
    assert ds.mask_value == 0.0 and ds.outputs == 9
    valid = np.any(ds.x_train != 0.0, axis=-1)
    lengths = valid.sum(1)
    assert lengths.min() == 7 and lengths.max() <= 29
    # padding only after the data (what the hardware's tlast needs)
    assert np.array_equal(valid, np.arange(29)[None] < lengths[:, None])
    assert sorted(set(ds.y_train.tolist())) == list(range(9))


@pytest.mark.parametrize("name", list(DATASETS))
def test_builtin_datasets_have_consistent_shapes(name) -> None:
    ds = load_dataset(name)
    s = ds.summary()
    assert ds.x_train.shape[1:] == ds.x_test.shape[1:]
    assert ds.x_train.dtype == (np.int32 if ds.vocabulary else np.float32)
    if ds.vocabulary:  # token ids: padding 0 after the words, ids inside the vocabulary
        assert ds.x_train.ndim == 2 and ds.x_train.min() >= 0 and ds.x_train.max() < ds.vocabulary
    assert len(ds.y_train) == len(ds.x_train) and len(ds.y_test) == len(ds.x_test)
    assert np.all(np.isfinite(ds.x_train)) and s["outputs"] >= 1
    if ds.task == "forecast":
        assert ds.y_train.shape == (*ds.x_train.shape[:2], 1)
        # the target at step t is the input at step t+1
        assert np.array_equal(ds.y_train[:, :-1, 0], ds.x_train[:, 1:, 0])


def test_user_npz_is_validated(tmp_path) -> None:
    p = tmp_path / "d.npz"
    np.savez(p, x_train=np.zeros((4, 5, 2)), y_train=np.arange(4), x_test=np.zeros((2, 5, 2)))
    with pytest.raises(InputError, match="lacks \\['y_test'\\]"):
        from_npz(p)
    np.savez(
        p,
        x_train=np.zeros((4, 5)),
        y_train=np.arange(4),
        x_test=np.zeros((2, 5)),
        y_test=np.arange(2),
    )
    with pytest.raises(InputError, match=r"must have shape \(N, T, F\)"):
        from_npz(p)
    x = np.ones((4, 5, 2))
    x[1, 2, 0] = np.nan
    np.savez(p, x_train=x, y_train=np.arange(4), x_test=np.ones((2, 5, 2)), y_test=np.arange(2))
    with pytest.raises(InputError, match="NaN"):
        from_npz(p)
    np.savez(
        p,
        x_train=np.ones((4, 5, 2)),
        y_train=np.array([0, 1, 2, 1]),
        x_test=np.ones((2, 5, 2)),
        y_test=np.array([2, 0]),
    )
    ds = from_npz(p)
    assert ds.task == "classification" and ds.outputs == 3 and ds.mask_value is None
    with pytest.raises(InputError, match="unknown dataset"):
        load_dataset("mnist")


def test_bad_model_spec_is_one_line_error() -> None:
    with pytest.raises(InputError, match="unknown --arch"):
        ModelSpec(arch="transformer")
    with pytest.raises(InputError, match="int-bits"):
        ModelSpec(bits=8, int_bits=8)


@pytest.mark.slow
def test_train_writes_run_and_golden_tracks_float(tmp_path, tfq) -> None:
    import fpga_rnn

    out = tmp_path / "run"
    lines: list[str] = []
    m = fpga_rnn.train_model(
        "waveforms", out, arch="gru", units=8, epochs=3, seed=1, patience=5, progress=lines.append
    )
    for f in (
        "model.keras",
        "ir/ir.json",
        "history.json",
        "metrics.json",
        "training.png",
        "predictions.png",
        "error_hist.png",
    ):
        assert (out / f).is_file(), f
    assert json.loads((out / "metrics.json").read_text()) == json.loads(json.dumps(m))
    assert m["epochs_run"] == 3 and sum("epoch " in x for x in lines) == 3
    assert m["float"]["rmse"] < 0.6  # 3 epochs already learn something
    # 16-bit state and activations: the fixed-point model is close to the float one
    assert abs(m["rmse_difference"]) < 0.01 and m["max_abs_output_difference"] < 0.05
    hist = json.loads((out / "history.json").read_text())
    assert len(hist["loss"]) == 3 and "val_rmse" in hist
    # same seed, same result
    m2 = fpga_rnn.train_model(
        "waveforms", tmp_path / "run2", arch="gru", units=8, epochs=3, seed=1, patience=5
    )
    assert m2["float"] == m["float"] and m2["golden"] == m["golden"]
    with pytest.raises(OutputExistsError):
        fpga_rnn.train_model("waveforms", out, epochs=1)


@pytest.mark.slow
def test_quantized_state_and_activations_reach_the_ir(tmp_path) -> None:
    """`train --state-bits 6 --precision ap_fixed<8,3>`: the state is trained at 6 bits
    (QKeras state_quantizer) and the hardware keeps it at 6 bits; inputs/activations in
    the 8-bit format; golden tracks float."""
    from runcli import cli

    r = cli("train", "--dataset", "japanese-vowels", "--arch", "gru", "--units", "8",
            "--bits", "6", "--state-bits", "6", "--precision", "ap_fixed<8,3>",
            "--epochs", "3", "--out", str(tmp_path / "run"), "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads(r.stdout)
    assert m["model"] == "qgru8x1s6" and m["config"]["model"]["state_bits"] == 6
    ir = json.loads((tmp_path / "run" / "ir" / "ir.json").read_text())
    assert ir["layers"][0]["state"].startswith("ap_fixed<6,1,")
    assert ir["input"]["fmt"].startswith("ap_fixed<8,3,")
    assert abs(m["golden"]["accuracy"] - m["float"]["accuracy"]) <= 0.02
    r = cli("train", "--state-bits", "1", "--out", str(tmp_path / "bad"))
    assert r.returncode in (1, 2) and "state-bits" in r.stderr


def test_datasets_cli_json() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "fpga_rnn.cli", "datasets", "--json"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    names = [d["name"] for d in json.loads(r.stdout)["datasets"]]
    assert names == list(DATASETS)


@pytest.mark.slow
def test_conv_gru_arch_trains_imports_and_refuses_padded_data(tmp_path) -> None:
    """`train --arch conv-gru`: a causal QConv1D + MaxPooling1D front-end, imported as
    window layers; golden equals float on the test set's argmax; padded data is refused."""
    from runcli import cli

    r = cli("train", "--dataset", "basic-motions", "--arch", "conv-gru", "--units", "8",
            "--conv-filters", "6", "--conv-kernel", "5", "--pool", "4", "--epochs", "2",
            "--out", str(tmp_path / "run"), "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads(r.stdout)
    assert m["model"] == "qconv_gru8x1"
    ir = json.loads((tmp_path / "run" / "ir" / "ir.json").read_text())
    conv, pool = ir["layers"][:2]
    assert (conv["kind"], conv["padding"], pool["kind"], pool["pool"]) == (
        "conv1d", "causal", "pooling1d", 4)  # fmt: skip
    assert abs(m["golden"]["accuracy"] - m["float"]["accuracy"]) <= 0.05
    r = cli("train", "--dataset", "japanese-vowels", "--arch", "conv-lstm", "--epochs", "1",
            "--out", str(tmp_path / "bad"))  # fmt: skip
    assert r.returncode != 0 and "needs fixed-length" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
