"""The backends have one shape, and one registry names what verify can run."""

from __future__ import annotations

import inspect

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
