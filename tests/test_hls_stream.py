"""Stateful streaming through the hls4ml project's C-simulation: the recurrent state
kept between calls (static registers), cleared by a per-step flag; 1,000 random
streams per recurrent kind in random chunks (a chunk spans calls or is padded)
equal golden's whole streams bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from test_stream import KINDS

from fpga_rnn.backends import RunOptions
from fpga_rnn.backends.hls import target
from fpga_rnn.backends.hls.project import FLAG_VALID, compiled_project
from fpga_rnn.backends.streams import prepare_streams, random_streams
from fpga_rnn.errors import UnsupportedError
from fpga_rnn.ir import random as rir

pytestmark = pytest.mark.slow

STREAMS = 1000


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_hls_streams_equal_golden(kind) -> None:
    m = rir.model(KINDS[kind], features=3, seed=len(kind))
    sb = random_streams(m, STREAMS, seed=len(kind), length=20)
    r = target.run_streams(m, sb, RunOptions())
    assert r["mismatches"] == 0 and r["bit_exact"], r
    # chunks longer than a call span calls, shorter ones are padded
    assert r["calls"] > r["chunks"] > STREAMS


def test_the_hls_state_really_persists() -> None:
    """Control: a chunk after the first, fed alone to a fresh stream, differs from
    what the stream gives; fed after the first chunk (no clear flag), it equals it."""
    m = rir.model(KINDS["lstm"], features=3, seed=4)
    x = np.random.default_rng(2).uniform(-1, 1, (1, 16, 3))
    sb = prepare_streams(m, x)
    p = compiled_project(m, target.CHUNK_STEPS, stateful=True)
    t = target.CHUNK_STEPS
    f = np.full((2, t), FLAG_VALID)
    f[0, 0] |= 2  # clear before the stream's first sample
    y = m.output_format.quantize(p.predict_chunks(x[0].reshape(2, t, 3), f))
    assert np.array_equal(y.reshape(16, -1), sb.golden[0])
    fresh = f[1:].copy()
    fresh[0, 0] |= 2
    y2 = m.output_format.quantize(p.predict_chunks(x[0, t:][None], fresh))
    assert not np.array_equal(y2[0], sb.golden[0, t:])


def test_stateful_hls_project_refuses_bidirectional(tmp_path) -> None:
    from fpga_rnn.backends.hls.project import build_project

    m = rir.model(
        [{"kind": "bidirectional", "forward": {"kind": "gru", "units": 2},
          "backward": {"kind": "gru", "units": 2}}],
        features=3,
    )  # fmt: skip
    with pytest.raises(UnsupportedError, match="cannot stream"):
        build_project(m, tmp_path / "p", stateful=True)
    assert not (tmp_path / "p").exists()
