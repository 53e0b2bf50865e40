"""Streaming with the embedded C export: step() sample by sample with the state saved
and restored (get_state / reset / set_state) at random chunk boundaries, resets, and
refused out-of-range states, bit-exact with the golden Stream on the host and on a
Cortex-M4 under QEMU."""

from __future__ import annotations

import numpy as np
import pytest
from test_stream import KINDS

from fpga_rnn.backends.c import toolchain
from fpga_rnn.golden.model import prepare_input
from fpga_rnn.golden.stream import Stream
from fpga_rnn.ir import random as rir

pytestmark = pytest.mark.slow

STREAMS = 1000
T = 24


def flags(rng: np.random.Generator, n: int, t: int) -> np.ndarray:
    """Chunk boundaries (a state save/restore) at random, some resets and bad states."""
    f = np.where(rng.random((n, t)) < 0.25, toolchain.STREAM_SAVE_RESTORE, 0)
    f[rng.random((n, t)) < 0.02] |= toolchain.STREAM_RESET
    f[rng.random((n, t)) < 0.02] |= toolchain.STREAM_BAD_STATE
    return f


@pytest.mark.parametrize("target", ["host", "arm"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_c_streams_equal_golden(kind, target) -> None:
    m = rir.model(KINDS[kind], features=3, seed=len(kind))
    rng = np.random.default_rng(8)
    n = STREAMS
    x = rng.uniform(-1, 1, (n, T, 3))
    f = flags(rng, n, T)
    r = toolchain.run_stream(m, prepare_input(m, x).codes, f, target)
    assert (r["status"] == 0).all(), np.unique(r["status"])  # bad states refused (-5)
    want = Stream(m, batch=n).run_codes(x, resets=(f & toolchain.STREAM_RESET) > 0)
    bad = int((~np.all(r["outputs"] == want, axis=(1, 2))).sum())
    assert bad == 0, f"{bad} of {n} streams differ"
    # the C state vector holds what the golden stream holds (per stream)
    assert r["info"]["state_size"] == sum(
        v.size for d in Stream(m).state.values() for v in d.values()
    )


def test_a_long_c_stream_has_no_limit() -> None:
    """100,000 samples through step() with the state saved and restored at random
    points: the golden Stream's codes, beyond any FRNN_MAX_TIMESTEPS."""
    m = rir.model(KINDS["lstm"], features=3, seed=4)
    rng = np.random.default_rng(9)
    x = rng.uniform(-1, 1, (1, 100_000, 3))
    f = np.where(rng.random((1, 100_000)) < 0.001, toolchain.STREAM_SAVE_RESTORE, 0)
    r = toolchain.run_stream(m, prepare_input(m, x).codes, f, "host")
    assert (r["status"] == 0).all()
    assert np.array_equal(r["outputs"], Stream(m).run_codes(x[0])[None])


def test_streaming_refused_where_the_model_needs_the_sequence() -> None:
    m = rir.model([{"kind": "gru", "units": 3, "go_backwards": True}], features=3)
    x = np.zeros((1, 3, 3), np.int64)
    r = toolchain.run_stream(m, x, np.zeros((1, 3), int), "host")
    assert (r["status"] == -3).all()  # FRNN_ERR_UNSUPPORTED
