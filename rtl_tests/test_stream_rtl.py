"""Stateful streaming in the RTL (docs/streaming.md): a streaming design keeps each
layer's state across tlast, clears it on a tuser beat, and emits one output per sample.

1,000 random streams per recurrent kind (and stacked), cut into random chunks (each a
tlast-closed burst) with random mid-stream clears, back to back under backpressure and
idle gaps: every stream's outputs equal golden's whole-stream codes (``np.array_equal``).
The per-sample latency of isolated samples equals the plan's ``sample_latency_cycles``.
"""

from __future__ import annotations

import numpy as np
import pytest

from fpga_rnn.backends import RunOptions
from fpga_rnn.backends.rtl import target
from fpga_rnn.backends.rtl.build import design
from fpga_rnn.backends.rtl.sim import simulate
from fpga_rnn.backends.streams import prepare_streams, random_streams
from fpga_rnn.errors import UnsupportedError
from fpga_rnn.ir import random as rir

HEAD = {"kind": "dense", "units": 3, "activation": "softmax"}
KINDS = {
    "lstm": [{"kind": "lstm", "units": 5}, HEAD],
    "gru": [{"kind": "gru", "units": 5}, HEAD],
    "gru_rb": [{"kind": "gru", "units": 5, "reset_after": False}],
    "simple_rnn": [{"kind": "simple_rnn", "units": 5, "return_sequences": True}],
    "stacked": [
        {"kind": "gru", "units": 4, "return_sequences": True},
        {"kind": "lstm", "units": 3},
        {"kind": "dense", "units": 2, "activation": "tanh"},
    ],
    # every step's h is projected (the state carries on across tlast)
    "lstm_projected": [{"kind": "lstm", "units": 5, "projection": 2}],
}
STREAMS = 1000
LENGTH = 16


def _model(kind: str):
    return rir.model(KINDS[kind], features=3, seed=len(kind))


# every kind unpipelined; the deepest pipeline for the one- and two-pass cells
RUNS = [(k, (0, 0)) for k in sorted(KINDS)] + [("lstm", (6, 3)), ("gru_rb", (6, 3))]


@pytest.mark.parametrize("kind,stages", RUNS, ids=[f"{k}-mac{m}lane{n}" for k, (m, n) in RUNS])
def test_chunked_streams_equal_golden(kind, stages) -> None:
    m = _model(kind)
    sb = random_streams(m, STREAMS, seed=len(kind), length=LENGTH)
    assert sb.ends.sum() > 3 * STREAMS and sb.resets.sum() > STREAMS  # chunked, cleared
    opts = RunOptions(reuse=3, mac_stages=stages[0], lane_stages=stages[1], backpressure=30, gap=15)
    r = target.run_streams(m, sb, opts)
    assert r["mismatches"] == 0 and r["tlast_errors"] == 0 and r["bit_exact"], r
    assert r["chunks"] == sb.ends.sum()
    # the plan predicts a lone recurrent layer's per-sample latency exactly
    layers = design(m, 3, mac_stages=stages[0], lane_stages=stages[1], stream=True).info["layers"]
    if len(layers) == 1:
        # a projected LSTM's next sample may wait for the last one's projection
        late = layers[0].get("projector_cycles", 0)
        assert r["sample_latency_cycles_min"] == layers[0]["sample_latency_cycles"]
        assert r["sample_latency_cycles"] <= layers[0]["sample_latency_cycles"] + late


def test_the_state_really_carries_across_tlast() -> None:
    """Control: the same streams with the clears dropped (streams run into each other)
    must differ; with them, equal."""
    m = _model("lstm")
    sb = random_streams(m, 40, seed=1, length=LENGTH)
    d = design(m, 3, stream=True)
    bursts = sb.bursts()
    seqs = [sb.codes[i, c] for i, c in bursts]
    beats = [c.stop - c.start for _, c in bursts]
    none = [np.zeros(n, bool) for n in beats]
    r = simulate(d, seqs, beats, clears=none)
    want = np.concatenate(list(sb.golden))
    assert not np.array_equal(np.concatenate(r.outputs), want)
    # the same chunks with their clears: equal
    clears = [sb.resets[i, c] for i, c in bursts]
    r = simulate(d, seqs, beats, clears=clears)
    assert np.array_equal(np.concatenate(r.outputs), want)


@pytest.mark.parametrize(
    "layer,reuse,stages",
    [
        ({"kind": "lstm", "units": 7}, 9, (4, 1)),
        ({"kind": "gru", "units": 7}, 1, (2, 0)),
        ({"kind": "gru", "units": 16, "reset_after": False}, 32, (0, 0)),  # split pass 2
        ({"kind": "gru", "units": 16, "reset_after": False}, 32, (5, 2)),
        ({"kind": "simple_rnn", "units": 6}, 2, (3, 1)),
    ],
    ids=["lstm_r9_4_1", "gru_r1_2_0", "gru_rb_split_0_0", "gru_rb_split_5_2", "rnn_r2_3_1"],
)
def test_sample_latency_matches_the_plan(layer, reuse, stages) -> None:
    m = rir.model([layer], features=5, seed=2)
    d = design(m, reuse, mac_stages=stages[0], lane_stages=stages[1], stream=True)
    sb = prepare_streams(m, np.random.default_rng(0).uniform(-1, 1, (1, 6, 5)), chunk=1)
    lat, iso = target.isolated_samples(d, sb.codes[0], sb.resets[0])
    assert set(lat.tolist()) == {d.info["layers"][0]["sample_latency_cycles"]}
    got = np.concatenate(iso.outputs)
    assert np.array_equal(got, sb.golden[0])


def test_a_long_rtl_stream() -> None:
    """20,000 samples in one stream, one chunk per 1,000: golden's codes, no drift."""
    m = _model("gru")
    sb = prepare_streams(m, np.random.default_rng(3).uniform(-1, 1, (1, 20_000, 3)), chunk=1000)
    r = target.run_streams(m, sb, RunOptions(reuse=3, backpressure=10, gap=5))
    assert r["bit_exact"] and r["chunks"] == 20


def test_streaming_refused_for_bidirectional() -> None:
    m = rir.model(
        [
            {
                "kind": "bidirectional",
                "forward": {"kind": "lstm", "units": 3},
                "backward": {"kind": "lstm", "units": 3},
            }
        ],
        features=3,
    )
    with pytest.raises(UnsupportedError, match=r"bidirectional.*cannot stream"):
        design(m, 4, stream=True)
