"""Window layers (Conv1D, Max/AveragePooling1D): refusals, the IR file, and bit-exact
golden = RTL = HLS = C on 1,000 sequences, of fixed and of variable length."""

from __future__ import annotations

import numpy as np
import pytest
from models import build

import fpga_rnn
from fpga_rnn.backends import RunOptions
from fpga_rnn.backends.batch import compare_outputs, prepare, random_inputs
from fpga_rnn.backends.c import target as c_target
from fpga_rnn.backends.rtl.build import design
from fpga_rnn.backends.rtl.sim import simulate
from fpga_rnn.errors import FpgaRnnError, InputError, IRError, UnsupportedError
from fpga_rnn.golden import predict_codes
from fpga_rnn.golden.model import prepare_input
from fpga_rnn.ir import Model, Window
from fpga_rnn.ir import random as rir
from fpga_rnn.verification import verify

N = 1000
# every window geometry the RTL core has a branch for: padding, strides, dilation,
# a one-step span, both pooling ops
FRONT = [
    {"kind": "conv1d", "units": 4, "kernel_size": 3, "strides": 2, "padding": "causal"},
    {"kind": "pooling1d", "op": "average", "pool": 2},
    {"kind": "conv1d", "units": 3, "kernel_size": 3, "dilation": 2, "padding": "same"},
    {"kind": "pooling1d", "op": "max", "pool": 3, "strides": 1},
    {"kind": "conv1d", "units": 3, "kernel_size": 1, "activation": "tanh"},
    {"kind": "gru", "units": 3, "return_sequences": True},
    {"kind": "dense", "units": 2},
]


@pytest.mark.parametrize(
    ("t", "taps", "strides", "dilation", "padding", "steps"),
    [
        (10, 3, 1, 1, "valid", 8),
        (10, 3, 2, 1, "valid", 4),
        (10, 3, 2, 1, "causal", 5),
        (10, 3, 1, 2, "same", 10),
        (4, 3, 1, 2, "valid", 0),
    ],
)
def test_window_steps_are_keras_output_lengths(t, taps, strides, dilation, padding, steps):
    assert Window(taps, strides, dilation, padding).steps(t) == steps


def test_ir_round_trip_and_min_length(tmp_path):
    m = rir.model(FRONT, features=2, seed=2, name="front")
    m.save(tmp_path / "ir")
    loaded = Model.load(tmp_path / "ir")
    assert loaded.equals(m)
    x = np.random.default_rng(0).uniform(-1, 1, (20, 16, 2))
    assert np.array_equal(predict_codes(loaded, x), predict_codes(m, x))
    assert m.min_steps() == 11 and m.steps(16) == 2
    with pytest.raises(InputError, match=r"too short.*at least 11"):
        predict_codes(m, x[:, :10])


def test_ir_refusals():
    with pytest.raises(IRError, match="padding='same' with strides > 1"):
        rir.model([{"kind": "conv1d", "units": 2, "strides": 2, "padding": "same"}])
    with pytest.raises(IRError, match="not a power of two"):
        rir.model([{"kind": "pooling1d", "op": "average", "pool": 3}])
    with pytest.raises(IRError, match="fewer than one window"):
        rir.model([{"kind": "conv1d", "units": 2, "kernel_size": 5}], timesteps=4)
    m = rir.model([{"kind": "conv1d", "units": 2}, {"kind": "lstm", "units": 2}])
    masked = fpga_rnn.ir.InputSpec(features=3, fmt=m.input.fmt, mask_value=0.0)
    with pytest.raises(IRError, match="cannot follow masked input"):
        Model(name="m", input=masked, layers=m.layers)
    with pytest.raises(UnsupportedError, match="cannot stream yet"):
        fpga_rnn.Stream(m)
    with pytest.raises(UnsupportedError, match="cannot stream yet"):
        design(m, 4, stream=True)


def _keras(tf, layers, features=3):
    tf.keras.utils.set_random_seed(0)
    L = tf.keras.layers
    inp = L.Input((16, features))
    x = inp
    for la in layers:
        x = la(x)
    return tf.keras.Model(inp, L.GRU(2)(x))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda L, q: L.Conv1D(6, 3, groups=3), "groups=3"),
        (lambda L, q: L.MaxPooling1D(2, padding="same"), "padding='same'"),
        (lambda L, q: L.Conv1D(4, 3, strides=2, padding="same"), "strides > 1"),
        (lambda L, q: L.AveragePooling1D(3), "not a power of two"),
    ],
)
def test_unsupported_keras_options_refused(tfq, make, match):
    tf, qkeras = tfq
    model = _keras(tf, [make(tf.keras.layers, qkeras)])
    with pytest.raises(FpgaRnnError, match=match) as e:
        fpga_rnn.import_model(model)
    assert "\n" not in str(e.value)


def test_all_targets_bit_exact_on_qkeras_conv_gru(tfq, rng):
    """Acceptance: golden = RTL (backpressure) = HLS C-sim = C (host, Cortex-M4)."""
    ir = fpga_rnn.import_model(build("qconv_gru", *tfq))
    assert [la.kind for la in ir.layers][:2] == ["conv1d", "pooling1d"]
    x = rng.uniform(-1, 1, (N, 12, 5))
    r = verify(ir, x, targets=("rtl", "hls", "c", "c-arm"), reuse=4)
    assert {t: v["mismatches"] for t, v in r["targets"].items()} == dict.fromkeys(
        ("rtl", "hls", "c", "c-arm"), 0
    )
    assert r["bit_exact"]


def test_variable_length_rtl_and_c_equal_golden_of_the_unpadded_sequence():
    """A sequence ends at tlast: the windows, 'same' padding's right edge included,
    see exactly its steps, as Keras on the unpadded sequence does."""
    m = rir.model(FRONT, features=2, seed=5, name="front")
    rng = np.random.default_rng(7)
    lengths = rng.integers(m.min_steps(), 25, N)
    seqs, gold = [], []
    for n in lengths:
        x = rng.uniform(-1, 1, (1, n, 2))
        seqs.append(prepare_input(m, x).codes[0])
        gold.append(predict_codes(m, x)[0])
    r = simulate(design(m, 4), seqs, [len(g) for g in gold], gap=20, backpressure=30)
    assert compare_outputs(r.outputs, gold) == {"mismatches": 0, "bit_exact": True}
    assert r.tlast_errors == 0
    for n in (m.min_steps(), 17, 24):  # the C harness takes one length per run
        b = prepare(m, random_inputs(m, 100, int(n), length=int(n)))
        assert len(b.golden[0]) == m.steps(int(n))
        res = c_target.run(m, b, RunOptions(), "host")
        assert res["mismatches"] == 0 and res["bit_exact"]


def test_conv_reuse_keeps_pace_with_the_recurrent_layer_it_feeds():
    """A Conv1D before pooling runs more windows than its recurrent layer runs steps:
    it gets reuse // (that ratio), and rtl.json records it."""
    layers = [
        {"kind": "conv1d", "units": 4, "padding": "causal"},
        {"kind": "pooling1d", "op": "max", "pool": 2},
        {"kind": "conv1d", "units": 4, "padding": "causal"},
        {"kind": "pooling1d", "op": "max", "pool": 2},
        {"kind": "gru", "units": 4},
        {"kind": "dense", "units": 2},
    ]
    d = design(rir.model(layers, features=3, timesteps=40), 8)
    got = {la["name"]: la.get("reuse") for la in d.info["layers"]}
    assert got == {
        "conv1d_0": 2, "pooling1d_1": None, "conv1d_2": 4, "pooling1d_3": None,
        "gru_4": None, "dense_5": 8,
    }  # fmt: skip
    alone = design(rir.model(layers[:1] + layers[-2:], features=3, timesteps=40), 8)
    assert alone.info["layers"][0]["reuse"] == 8


def test_zynq_driver_sizes_a_window_models_sequence_output(tmp_path):
    """The shipped driver, run from its own folder, reads the window layers from
    format.json with the shipped fpga_rnn/window.py: its output beats per sequence
    and its shortest sequence are the model's."""
    import json
    import subprocess
    import sys

    from fpga_rnn.api import package

    m = rir.model(FRONT, features=2, seed=5, name="front")
    pkg = package(m, "pynq-z2", tmp_path / "pkg", reuse=8)
    code = (
        "import json, fpga_rnn, frnn_driver\n"
        "f = frnn_driver.PackageFormat()\n"
        "print(json.dumps([f.min_steps, [f.output_steps(n) for n in range(11, 40)]]))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=pkg.out / "driver", capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [m.min_steps(), [m.steps(n) for n in range(11, 40)]]


def test_min_steps_is_traced_back_not_searched():
    """A hostile IR's stack of pools must not make the shortest length slow to find;
    the C and HLS exports refuse a length the windows cannot fill."""
    from fpga_rnn.backends.c import writer
    from fpga_rnn.backends.hls import kinds as hls_kinds

    deep = rir.model([{"kind": "pooling1d", "op": "max", "pool": 64}] * 40, features=1)
    assert deep.min_steps() == 64**40
    m = rir.model(FRONT, features=2, seed=5)
    assert m.steps(m.min_steps()) == 1 and m.steps(m.min_steps() - 1) == 0
    with pytest.raises(InputError, match="at least 11 steps"):
        writer.generate(m, 10)
    with pytest.raises(InputError, match="at least 11 steps"):
        hls_kinds.nodes(m, 10)
