"""The Verilator simulator cache stays small: a built entry keeps its binary, not the
compiler's intermediates, and the least recently used entries go beyond the limit."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from fpga_rnn.backends.rtl import sim
from fpga_rnn.backends.rtl.build import design
from fpga_rnn.errors import ToolError
from fpga_rnn.golden.model import predict_codes, prepare_input
from fpga_rnn.ir import random as rir


def test_a_built_entry_keeps_the_binary_only(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FPGA_RNN_CACHE", str(tmp_path / "cache"))
    m = rir.model([{"kind": "gru", "units": 3}], features=2, seed=3)
    d = design(m, 2)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 4, 2))
    codes = list(prepare_input(m, x).codes)
    first = sim.simulate(d, codes, [1, 1])
    (entry,) = [e for e in (tmp_path / "cache" / "verilator").iterdir() if e.is_dir()]
    names = {f.name for f in entry.iterdir()}
    assert "frnn_tb" in names and ".frnn-built" in names
    assert not [n for n in names if n.endswith((".gch", ".o", ".a", ".cpp", ".h"))], names
    size = sum(f.stat().st_size for f in entry.rglob("*") if f.is_file())
    assert size < 20 << 20  # the binary, not ~150 MB of precompiled headers
    built = (entry / "frnn_tb").stat().st_mtime_ns
    again = sim.simulate(d, codes, [1, 1])  # served from the stripped entry
    assert (entry / "frnn_tb").stat().st_mtime_ns == built
    # an entry another Python environment built is rebuilt, not run (its simulator
    # would load that environment's cocotb libraries)
    (entry / ".frnn-built").write_text("/elsewhere/venv cocotb 0")
    third = sim.simulate(d, codes, [1, 1])
    assert (entry / ".frnn-built").read_text() == sim.env_tag()
    assert np.array_equal(np.stack(third.outputs)[:, 0], predict_codes(m, x))
    want = predict_codes(m, x)
    assert np.array_equal(np.stack(first.outputs)[:, 0], want)
    assert np.array_equal(np.stack(again.outputs)[:, 0], want)


def _entry(parent, name: str, size: int, age: float):
    e = parent / name
    e.mkdir()
    (e / "bin").write_bytes(b"\0" * size)
    (e / ".frnn-built").touch()
    t = time.time() - age
    os.utime(e / ".frnn-built", (t, t))
    return e


def test_prune_drops_least_recently_used_first(tmp_path, monkeypatch) -> None:
    old = _entry(tmp_path, "old", 400, 300)
    mid = _entry(tmp_path, "mid", 400, 200)
    new = _entry(tmp_path, "new", 400, 100)
    building = tmp_path / ".new-entry.tmp"  # an entry being built has no marker yet
    building.mkdir()
    assert sim.prune(tmp_path, keep=old, limit=900) == [mid]  # old is kept: in use
    assert old.exists() and new.exists() and building.exists()
    assert sim.prune(tmp_path, limit=500) == [old]
    assert new.exists()
    monkeypatch.setenv("FPGA_RNN_CACHE_MAX_MB", "lots")
    with pytest.raises(ToolError, match="FPGA_RNN_CACHE_MAX_MB"):
        sim.cache_limit()
