"""Each hls4ml 1.3.0 RNN defect (docs/hls.md): shown on hls4ml's stock path
(``convert_from_keras_model``), and fixed on ours (our kernels through the
extension API: C-sim equal to golden, golden close to the Keras model)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from models import build

import fpga_rnn
from fpga_rnn.backends.hls.project import compiled_project
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.ir.layers import TableSpec
from fpga_rnn.verification import verify

pytestmark = pytest.mark.slow

TOLERANCE = 0.02  # golden vs float, as in test_golden_vs_keras
N = 300


def stock(model, path, compile_: bool = True, **precision):
    """hls4ml's own conversion of a Keras model (Vitis, io_parallel)."""
    import hls4ml

    cfg = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    for layer, prec in precision.items():
        cfg["LayerName"][layer]["Precision"].update(prec)
    h = hls4ml.converters.convert_from_keras_model(
        model, hls_config=cfg, backend="Vitis", output_dir=str(path), io_type="io_parallel"
    )
    if compile_:
        h.compile()
    return h


def stock_error(h, model, x) -> float:
    y = np.asarray(h.predict(np.ascontiguousarray(x.reshape(len(x), -1))))
    return float(np.abs(y.reshape(len(x), -1) - model.predict(x, verbose=0)).max())


def ours_ok(model, x) -> float:
    """Our path: C-sim bit-exact with golden; returns golden's max error vs Keras."""
    ir = fpga_rnn.import_model(model)
    r = verify(ir, x, targets=("golden", "hls"))
    assert r["targets"]["hls"]["mismatches"] == 0
    return fpga_rnn.compare(model, ir, x).max_abs_error


@pytest.fixture
def x(rng):
    return rng.uniform(-1, 1, (N, 12, 5))


def test_simple_rnn_outputs_garbage_on_stock(tfq, x, tmp_path):
    model = build("simple_rnn", *tfq)
    assert stock_error(stock(model, tmp_path), model, x) > 0.2  # no kernel call is generated
    assert ours_ok(model, x) <= TOLERANCE


def test_gru_reset_before_is_wrong_on_stock(tfq, x, tmp_path):
    model = build("gru_reset_before", *tfq)
    assert stock_error(stock(model, tmp_path), model, x) > 0.1  # reset_after=True formula
    assert ours_ok(model, x) <= TOLERANCE


def test_qlstm_with_state_quantizer_does_not_compile_on_stock(tfq, x, tmp_path):
    model = build("qlstm_state", *tfq)
    with pytest.raises(Exception, match="Failed to compile"):
        stock(model, tmp_path)
    ir = fpga_rnn.import_model(model)
    assert verify(ir, x, targets=("golden", "hls"))["targets"]["hls"]["mismatches"] == 0


def test_lstm_without_bias_crashes_stock_converter(tfq, x, tmp_path):
    model = build("no_bias", *tfq)
    with pytest.raises(AttributeError):
        stock(model, tmp_path, compile_=False)
    assert ours_ok(model, x) <= TOLERANCE


def test_masking_is_unsupported_on_stock(tfq, rng, tmp_path):
    tf, _ = tfq
    L = tf.keras.layers
    tf.keras.utils.set_random_seed(3)
    inp = L.Input((12, 5))
    h = L.Bidirectional(L.LSTM(6), backward_layer=L.GRU(5, go_backwards=True))(L.Masking(0.0)(inp))
    model = tf.keras.Model(inp, L.Dense(3, activation="softmax")(h))
    with pytest.raises(Exception, match="Masking"):
        stock(model, tmp_path, compile_=False)
    lengths = rng.integers(2, 13, N)
    x = rng.uniform(-1, 1, (N, 12, 5)) * (np.arange(12)[None, :, None] < lengths[:, None, None])
    assert ours_ok(model, x) <= TOLERANCE


def _qkeras_kernel(layer) -> np.ndarray:
    return layer.cell.kernel_quantizer_internal(layer.get_weights()[0]).numpy()


def test_qkeras_weights_truncated_on_stock_rounded_on_ours(tfq, tmp_path):
    model = build("qlstm", *tfq)
    layer = next(la for la in model.layers if la.__class__.__name__ == "QLSTM")
    want = _qkeras_kernel(layer)
    h = stock(model, tmp_path / "stock", compile_=False)
    stock_w = h.graph[layer.name].get_weights("weight").data.reshape(want.shape)
    assert not np.array_equal(stock_w, want)  # truncated where QKeras rounds
    ir = fpga_rnn.import_model(model)
    p = compiled_project(ir)
    var = p.graph.graph[layer.name].get_weights("w")
    text = (p.path / "firmware" / "weights" / f"{var.name}.txt").read_text()
    ours = np.array([float(v) for v in text.split(",")]).reshape(want.shape)
    assert np.array_equal(ours, want)


def test_table_precision_ignored_on_stock_used_on_ours(tfq, tmp_path):
    model = build("gru", *tfq)
    gru = next(la for la in model.layers if la.__class__.__name__ == "GRU")
    h = stock(model, tmp_path / "stock", compile_=False, **{gru.name: {"table": "ap_fixed<10,2>"}})
    h.write()
    defines = (tmp_path / "stock" / "firmware" / "defines.h").read_text()
    assert "ap_fixed<18,8>" in defines and "ap_fixed<10,2>" not in defines
    ir = fpga_rnn.import_model(model)
    table = TableSpec(size=1024, fmt=FixedFormat.parse("ap_fixed<10,2>"))
    layers = tuple(
        dataclasses.replace(la, table=table) if la.kind == "gru" else la for la in ir.layers
    )
    ir = dataclasses.replace(ir, layers=layers)
    p = compiled_project(ir)
    params = (p.path / "firmware" / "parameters.h").read_text()
    assert re.search(r"typedef ap_fixed<10,2> table_t;", params)
    x = np.random.default_rng(0).uniform(-1, 1, (N, 12, 5))
    assert verify(ir, x, targets=("golden", "hls"))["targets"]["hls"]["mismatches"] == 0
