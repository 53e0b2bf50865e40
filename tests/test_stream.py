"""Stateful streaming on the golden model (fpga_rnn.Stream): chunked == whole, bit for
bit, whatever the chunk boundaries; each output equals the whole model's on the
stream so far; resets, refusals and bad input; Keras stateful=True models."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from runcli import cli

import fpga_rnn
from fpga_rnn.errors import InputError, UnsupportedError
from fpga_rnn.golden.model import predict_codes
from fpga_rnn.ir import random as rir

HEAD = {"kind": "dense", "units": 3, "activation": "softmax"}
KINDS = {
    "lstm": [{"kind": "lstm", "units": 5}, HEAD],
    "gru": [{"kind": "gru", "units": 5}, HEAD],
    "gru_rb": [{"kind": "gru", "units": 5, "reset_after": False}, HEAD],
    "simple_rnn": [{"kind": "simple_rnn", "units": 5, "return_sequences": True}],
    "stacked": [
        {"kind": "gru", "units": 4, "return_sequences": True},
        {"kind": "lstm", "units": 3},
        HEAD,
    ],
    "lstm_projected": [{"kind": "lstm", "units": 5, "projection": 2}, HEAD],
}
STREAMS = 1000


def model(kind: str, **kw):
    return rir.model(KINDS[kind], features=3, seed=len(kind), **kw)


def random_chunks(rng: np.random.Generator, t: int) -> list[int]:
    """Chunk lengths summing to t: single samples, long runs, and a zero-length one."""
    sizes, left = [0], t
    while left:
        n = int(min(left, rng.choice([1, 2, 3, int(rng.integers(1, t + 1))])))
        sizes.append(n)
        left -= n
    return sizes


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_chunked_equals_whole_on_random_streams(kind) -> None:
    """1000 streams, each cut at its own random boundaries, give exactly the codes of
    the whole stream; and every output is the whole model's on the stream so far."""
    m = model(kind)
    rng = np.random.default_rng(1)
    t = 24
    x = rng.uniform(-1, 1, (STREAMS, t, 3))
    whole = fpga_rnn.Stream(m, batch=STREAMS).run_codes(x)
    bad = 0
    for i in range(STREAMS):
        s = fpga_rnn.Stream(m)
        parts, lo = [], 0
        for n in random_chunks(rng, t):
            parts.append(s.run_codes(x[i, lo : lo + n]))
            lo += n
        bad += not np.array_equal(np.concatenate(parts), whole[i])
    assert bad == 0, f"{bad} of {STREAMS} streams differ when chunked"
    for k in (0, 7, t - 1):  # the output after sample k = the model on samples 0..k
        want = predict_codes(m, x[:, : k + 1])
        if want.ndim == whole.ndim:  # a sequence output: its last step
            want = want[:, -1]
        assert np.array_equal(whole[:, k], want)


def test_step_by_step_and_state_round_trip() -> None:
    m = model("stacked")
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (40, 3))
    s = fpga_rnn.Stream(m)
    whole = s.run(x)
    s.reset()
    steps = [s.step(x_t) for x_t in x[:25]]
    saved = s.state
    rest = s.run(x[25:])
    assert np.array_equal(np.concatenate([np.stack(steps), rest]), whole)
    # the state is integer codes; setting it back replays the tail exactly
    assert set(saved) == {"gru_0", "lstm_1"} and set(saved["lstm_1"]) == {"h", "c"}
    s.state = saved
    assert np.array_equal(s.run(x[25:]), rest)


def test_resets_clear_a_stream_where_flagged() -> None:
    m = model("lstm")
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (4, 30, 3))
    resets = np.zeros((4, 30), bool)
    resets[1, 10] = resets[3, 0] = resets[3, 29] = True
    got = fpga_rnn.Stream(m, batch=4).run_codes(x, resets)
    fresh = fpga_rnn.Stream(m, batch=4).run_codes(x)
    assert np.array_equal(got[[0, 2]], fresh[[0, 2]])
    assert np.array_equal(got[1, :10], fresh[1, :10])
    after = fpga_rnn.Stream(m).run_codes(x[1, 10:])
    assert np.array_equal(got[1, 10:], after)
    assert np.array_equal(got[3, 29], fpga_rnn.Stream(m).run_codes(x[3, 29:])[0])


def test_masked_samples_hold_the_state() -> None:
    m = rir.model(KINDS["gru"], features=3, seed=4)
    masked = dataclasses.replace(m, input=dataclasses.replace(m.input, mask_value=0.0))
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, (50, 20, 3))
    x[rng.random((50, 20)) < 0.3] = 0.0  # masked samples
    s = fpga_rnn.Stream(masked, batch=50)
    first = s.run_codes(x[:, :9])
    rest = s.run_codes(x[:, 9:])
    whole = np.concatenate([first, rest], axis=1)
    for k in (0, 8, 19):
        assert np.array_equal(whole[:, k], predict_codes(masked, x[:, : k + 1]))


def test_a_long_stream_has_no_limit() -> None:
    """100,000 samples in random chunks: the same codes as one run, none saturated by
    length (the state stays in its format by construction; nothing counts steps)."""
    m = model("lstm")
    rng = np.random.default_rng(5)
    t = 100_000
    x = rng.uniform(-1, 1, (t, 3))
    whole = fpga_rnn.Stream(m).run_codes(x)
    s, parts, lo = fpga_rnn.Stream(m), [], 0
    while lo < t:
        n = int(rng.integers(1, 5000))
        parts.append(s.run_codes(x[lo : lo + n]))
        lo += n
    assert np.array_equal(np.concatenate(parts), whole)
    assert whole.shape == (t, 3)


@pytest.mark.parametrize(
    "layers,name",
    [
        (
            [
                {
                    "kind": "bidirectional",
                    "forward": {"kind": "lstm", "units": 3},
                    "backward": {"kind": "lstm", "units": 3},
                },
                HEAD,
            ],
            "bidirectional",
        ),
        ([{"kind": "gru", "units": 3, "go_backwards": True}, HEAD], "go_backwards"),
    ],
)
def test_layers_that_cannot_stream_are_refused(layers, name) -> None:
    m = rir.model(layers, features=3)
    with pytest.raises(UnsupportedError, match=f"layer '{m.layers[0].name}'.*cannot stream") as e:
        fpga_rnn.Stream(m)
    assert name in str(e.value) and "\n" not in str(e.value)


def test_bad_samples_and_states_are_one_line_errors() -> None:
    m = model("lstm")
    s = fpga_rnn.Stream(m)
    for bad, pattern in (
        (np.zeros(4), "3 features, got 4"),
        (np.zeros((2, 3)), "1 stream"),  # a batch of 2 for a stream of 1
        (np.array([0.1, np.nan, 0.2]), "NaN"),
        (np.full(3, 100.0), "outside the input format"),
    ):
        with pytest.raises(InputError, match=pattern) as e:
            s.step(bad)
        assert "\n" not in str(e.value)
    st = s.state
    fmt = m.layers[0].state
    st["lstm_0"]["h"][0, 0] = fmt.max_code + 1
    with pytest.raises(InputError, match="outside its format"):
        s.state = st
    with pytest.raises(InputError, match="shape"):
        s.state = {"lstm_0": {"h": np.zeros((2, 5)), "c": np.zeros((1, 5))}}
    with pytest.raises(InputError, match="every recurrent layer"):
        s.state = {}
    with pytest.raises(InputError, match="batch"):
        fpga_rnn.Stream(m, batch=0)


def test_cli_predict_stateful_chunks(tmp_path) -> None:
    m = model("gru")
    m.save(tmp_path / "ir")
    x = np.random.default_rng(6).uniform(-1, 1, (3, 17, 3))
    np.save(tmp_path / "x.npy", x)
    outs = []
    for chunk in ("1", "5", "17"):
        out = tmp_path / f"y{chunk}.npy"
        r = cli(
            "predict", str(tmp_path / "ir"), "--input", str(tmp_path / "x.npy"),
            "--out", str(out), "--stateful", "--chunk", chunk, "--json",
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        summary = json.loads(r.stdout)
        assert summary["stateful"] and summary["chunk"] == int(chunk)
        outs.append(np.load(out))
    assert outs[0].shape == (3, 17, 3)
    assert all(np.array_equal(o, outs[0]) for o in outs)
    assert np.array_equal(outs[0], fpga_rnn.Stream(m, batch=3).run(x))
    r = cli(
        "predict", str(tmp_path / "ir"), "--input", str(tmp_path / "x.npy"),
        "--out", str(tmp_path / "z.npy"), "--chunk", "4",
    )  # fmt: skip
    assert r.returncode != 0 and "stateful" in r.stderr and r.stderr.count("\n") <= 1


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_keras_stateful_model_fed_chunk_by_chunk(kind, tfq) -> None:
    """A Keras stateful=True layer, fed chunk by chunk by Keras itself: our stream of
    the imported model stays within the float tolerance of Keras's outputs."""
    tf, _ = tfq
    layers = tf.keras.layers
    cls = layers.LSTM if kind == "lstm" else layers.GRU
    inp = tf.keras.Input(batch_shape=(4, None, 3))
    h = cls(6, stateful=True, return_sequences=True)(inp)
    km = tf.keras.Model(inp, layers.Dense(2)(h))
    ir = fpga_rnn.import_model(km)
    x = np.random.default_rng(7).uniform(-1, 1, (4, 30, 3)).astype(np.float32)
    s = fpga_rnn.Stream(ir, batch=4)
    worst = 0.0
    lo = 0
    for n in (1, 4, 10, 15):
        want = km.predict(x[:, lo : lo + n], verbose=0)
        worst = max(worst, float(np.abs(s.run(x[:, lo : lo + n]) - want).max()))
        lo += n
    print(f"{kind}: max |stream - keras stateful| = {worst:.5f}")
    assert worst <= 0.02


def test_cli_verify_stateful(tmp_path) -> None:
    """verify --stateful on the C export and the HLS C-simulation: random and fixed
    chunks, JSON record, and one-line refusals (bad chunk, --chunk without --stateful,
    Bidirectional)."""
    m = model("stacked")
    m.save(tmp_path / "ir")
    ir = str(tmp_path / "ir")
    for chunk, chunks in (("random", None), ("4", 20 * 3)):
        r = cli(
            "verify", ir, "--stateful", "--chunk", chunk, "--samples", "20",
            "--stream-length", "10", "--targets", "c,hls", "--json",
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        res = json.loads(r.stdout)
        assert res["stateful"] and res["streams"] == 20 and res["stream_length"] == 10
        assert res["targets"]["c"]["mismatches"] == 0 and res["bit_exact"]
        assert res["targets"]["hls"]["mismatches"] == 0
        assert chunks is None or res["chunks"] == chunks
    bad = [
        (["--stateful", "--chunk", "0"], "chunk must be a positive"),
        (["--chunk", "4"], "stateful"),
    ]
    for args, msg in bad:
        r = cli("verify", ir, "--samples", "2", *args)
        assert r.returncode != 0 and msg in r.stderr and r.stderr.count("\n") <= 1, r.stderr
    bi = rir.model(
        [{"kind": "bidirectional", "forward": {"kind": "gru", "units": 2},
          "backward": {"kind": "gru", "units": 2}}],
        features=3,
    )  # fmt: skip
    bi.save(tmp_path / "bi")
    r = cli("verify", str(tmp_path / "bi"), "--stateful", "--targets", "c")
    assert r.returncode != 0 and "cannot stream" in r.stderr and r.stderr.count("\n") <= 1
    r = cli("rtl", str(tmp_path / "bi"), "--stream", "-o", str(tmp_path / "rtl"))
    assert r.returncode != 0 and "cannot stream" in r.stderr and not (tmp_path / "rtl").exists()


def test_rtl_stream_design_records(tmp_path) -> None:
    r = cli("rtl", "--help")
    assert "--stream" in r.stdout
    m = model("lstm")
    m.save(tmp_path / "ir")
    r = cli("rtl", str(tmp_path / "ir"), "--stream", "-o", str(tmp_path / "rtl"), "--json")
    info = json.loads(r.stdout)
    assert info["stream"] is True
    lat = info["layers"][0]["sample_latency_cycles"]
    assert lat > info["layers"][0]["cycles_per_step"]  # the sample's W*x pass comes first
    top = (tmp_path / "rtl" / "frnn_top.v").read_text()
    assert "s_axis_tuser" in top and "{s_axis_tuser, s_axis_tlast}" in top


def test_initial_state_inputs_refused_with_the_way_to_set_a_state(tmp_path, tfq) -> None:
    """A layer called with initial_state from extra model inputs: a one-line refusal
    naming the layer and the inputs, pointing to Stream.state / set_state."""
    tf, _ = tfq
    x = tf.keras.Input((5, 3))
    h0, c0 = tf.keras.Input((4,), name="h0"), tf.keras.Input((4,), name="c0")
    y = tf.keras.layers.LSTM(4, name="enc")(x, initial_state=[h0, c0])
    tf.keras.Model([x, h0, c0], y).save(tmp_path / "m.keras")
    r = cli("import", str(tmp_path / "m.keras"), "--out", str(tmp_path / "ir"))
    assert r.returncode != 0 and r.stderr.count("\n") <= 1
    assert "'enc'" in r.stderr and "'h0', 'c0'" in r.stderr and "Stream(ir).state" in r.stderr
