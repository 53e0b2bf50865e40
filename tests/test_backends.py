"""The backends have one shape, and one registry names what verify can run."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import pytest
from runcli import cli

from fpga_rnn.backends import BACKENDS, REFERENCE, TARGETS, backend, select
from fpga_rnn.errors import InputError


@pytest.mark.parametrize("name", BACKENDS)
def test_every_backend_has_the_same_entry_points(name):
    mod = backend(name)
    run = list(inspect.signature(mod.run).parameters)
    assert run == ["model", "batch", "options", "variant"]
    gen = inspect.signature(mod.generate).parameters
    assert list(gen)[:2] == ["model", "out"]
    assert {"force", "progress"} <= set(gen)
    assert all(gen[p].kind is inspect.Parameter.KEYWORD_ONLY for p in list(gen)[2:])


def test_every_target_runs_a_registered_backend():
    assert set(BACKENDS) == {t.backend for t in TARGETS.values()}
    assert REFERENCE not in TARGETS  # golden is what targets are compared with


def test_select_skips_the_reference_and_refuses_unknown_or_empty():
    assert [t.name for t in select(["golden", "rtl", "c", "rtl"])] == ["rtl", "c"]
    with pytest.raises(InputError, match="unknown target"):
        select(["vhdl"])
    with pytest.raises(InputError, match="nothing to compare"):
        select(["golden"])
    with pytest.raises(InputError, match="unknown backend"):
        backend("vhdl")


def test_the_cli_lists_every_target():
    r = cli("verify", "--help")
    text = " ".join(r.stdout.split())
    for t in TARGETS.values():
        assert f"{t.name}:" in text


@pytest.mark.slow
def test_two_verify_runs_at_once_on_an_empty_cache_build_once(tmp_path):
    """Both runs succeed, bit-exact; the cache lock lets exactly one build the simulator."""
    from fpga_rnn.ir import random as rir

    ir = tmp_path / "ir"
    rir.model([{"kind": "gru", "units": 3}], features=2, timesteps=5, seed=11).save(ir)
    env = {**os.environ, "FPGA_RNN_CACHE": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "fpga_rnn.cli", "verify", str(ir), "--samples", "20", "--json"]
    runs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    results = [json.loads(p.communicate(timeout=1200)[0]) for p in runs]
    assert [p.returncode for p in runs] == [0, 0]
    rtl = [r["targets"]["rtl"] for r in results]
    assert all(r["bit_exact"] and r["mismatches"] == 0 for r in rtl)
    assert sorted(r["simulator_built"] for r in rtl) == [False, True]
