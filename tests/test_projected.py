"""Projected LSTM (MATLAB's lstmProjectedLayer; ``QLSTMProjected``): the Keras layer
imports to an input-projector Dense and an LSTM with a projection; golden = RTL
(backpressure, variable length) = HLS C-sim = C (host, Cortex-M4) on 1,000
sequences; the RTL's cycles per step are the plan's; refusals are one line."""

from __future__ import annotations

import numpy as np
import pytest
from models import build

import fpga_rnn
from fpga_rnn.backends.rtl.build import design
from fpga_rnn.backends.rtl.plan import PROJ_HANDOFF
from fpga_rnn.backends.rtl.sim import simulate
from fpga_rnn.errors import FpgaRnnError, InputError, IRError
from fpga_rnn.golden import predict_codes
from fpga_rnn.golden.model import prepare_input
from fpga_rnn.ir import InputSpec, Model, QArray
from fpga_rnn.ir import random as rir
from fpga_rnn.models import ModelSpec, parse_projection
from fpga_rnn.verification import verify

N = 1000
STACK = [
    {"kind": "lstm", "units": 6, "projection": 3, "return_sequences": True},
    {"kind": "lstm", "units": 5, "projection": 2},
    {"kind": "dense", "units": 3, "activation": "softmax"},
]


def test_qkeras_projected_lstm_imports_and_is_bit_exact_everywhere(tfq, rng, tmp_path):
    """Acceptance: golden = RTL (backpressure) = HLS C-sim = C (host, Cortex-M4)."""
    model = build("qlstm_projected", *tfq)
    model.save(tmp_path / "m.keras")  # our layer round-trips through a model file
    ir = fpga_rnn.import_model(tmp_path / "m.keras")
    assert [la.kind for la in ir.layers] == ["dense", "lstm", "dense"]
    proj, lstm = ir.layers[0], ir.layers[1]
    assert proj.bias is None and proj.kernel.shape == (5, 3)
    assert lstm.projection.shape == (16, 6) and lstm.recurrent_kernel.shape == (6, 64)
    x = rng.uniform(-1, 1, (N, 12, 5))
    r = verify(ir, x, targets=("rtl", "hls", "c", "c-arm"), reuse=8)
    assert {t: v["mismatches"] for t, v in r["targets"].items()} == dict.fromkeys(
        ("rtl", "hls", "c", "c-arm"), 0
    )


def _masked(seed: int) -> Model:
    m = rir.model(STACK, features=4, seed=seed, name="proj")
    spec = InputSpec(features=4, fmt=m.input.fmt, mask_value=0.0)
    return Model(name=m.name, input=spec, layers=m.layers)


def test_masked_variable_length_bit_exact_on_every_target():
    """Padded sequences of random lengths (Keras masking): the held state's h' is
    the projection of the held h, so every target agrees with golden."""
    m = _masked(3)
    from fpga_rnn.backends.batch import random_inputs

    x = random_inputs(m, N, 5, length=10)
    assert (x == 0).all(axis=-1).any()  # some sequences are padded
    r = verify(m, x, targets=("rtl", "hls", "c", "c-arm"), reuse=4)
    assert {t: v["mismatches"] for t, v in r["targets"].items()} == dict.fromkeys(
        ("rtl", "hls", "c", "c-arm"), 0
    )


def test_rtl_with_gaps_and_backpressure_and_cycles_per_step():
    m = rir.model(STACK[1:], features=4, seed=1, name="proj")
    rng = np.random.default_rng(0)
    seqs, gold = [], []
    for n in rng.integers(1, 9, 300):
        x = rng.uniform(-1, 1, (1, n, 4))
        seqs.append(prepare_input(m, x).codes[0])
        gold.append(predict_codes(m, x))
    d = design(m, 4)
    r = simulate(d, seqs, [1] * len(seqs), gap=20, backpressure=30)
    assert all(np.array_equal(o, g) for o, g in zip(r.outputs, gold, strict=True))
    la = d.info["layers"][0]
    assert la["projector_tile"]["rows"] == 2 and la["projector_tile"]["k"] == 5
    for stages in ((0, 0), (4, 1)):  # the plan's cycles per step, projector pass included
        d = design(m, 4, mac_stages=stages[0], lane_stages=stages[1])
        la = d.info["layers"][0]
        lat = []
        for t in (10, 30):
            codes = prepare_input(m, rng.uniform(-1, 1, (1, t, 4))).codes
            r = simulate(d, list(codes), [1])
            lat.append(int(r.last_out[0] - r.first_in[0]))
        per_step = (lat[1] - lat[0]) / 20
        assert per_step == la["cycles_per_step"]
        # the bound has no hand-off cycles between the cell and the projector
        assert per_step <= 1.2 * la["lower_bound_cycles_per_step"] + PROJ_HANDOFF


def test_projection_cuts_parameters_and_multipliers():
    plain = rir.model([{"kind": "lstm", "units": 16}], features=12)
    proj = rir.model([{"kind": "lstm", "units": 16, "projection": 4}], features=12)
    params = [sum(la["params"] for la in m.summary()) for m in (plain, proj)]
    assert params[1] < params[0]
    mults = [design(m, 16).info["layers"][0]["multipliers"] for m in (plain, proj)]
    assert mults[1] < mults[0]


def test_ir_round_trip_and_refusals(tmp_path):
    m = rir.model(STACK, features=4, seed=2)
    m.save(tmp_path / "ir")
    assert Model.load(tmp_path / "ir").equals(m)
    la = m.layers[1]
    bad = QArray(codes=la.projection.codes[:, :1], fmt=la.projection.fmt)
    with pytest.raises(IRError, match="recurrent_kernel has shape"):
        Model(name="m", input=m.input, layers=(m.layers[0], _with(la, projection=bad)))
    with pytest.raises(IRError, match="go together"):
        Model(name="m", input=m.input, layers=(m.layers[0], _with(la, projected=None)))


def _with(la, **kw):
    import dataclasses

    return dataclasses.replace(la, **kw)


def test_training_options_are_checked():
    assert parse_projection("8,4") == (8, 4) and parse_projection("") is None
    with pytest.raises(InputError, match="IN,OUT"):
        parse_projection("8")
    with pytest.raises(InputError, match="--arch lstm or conv-lstm"):
        ModelSpec(arch="gru", projection=(4, 4))
    with pytest.raises(InputError, match="--arch lstm or conv-lstm"):
        ModelSpec(arch="bilstm", projection=(4, 4))


def test_bidirectional_projected_refused(tfq):
    tf, _ = tfq
    from fpga_rnn.models import QLSTMProjected

    inp = tf.keras.Input((6, 3))
    out = tf.keras.layers.Bidirectional(QLSTMProjected(4, 2, 2))(inp)
    with pytest.raises(FpgaRnnError, match="Bidirectional QLSTMProjected") as e:
        fpga_rnn.import_model(tf.keras.Model(inp, out))
    assert "\n" not in str(e.value)
