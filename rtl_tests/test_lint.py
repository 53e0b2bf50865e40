"""Verilator -Wall lint of every core (default parameters) and of generated tops
that exercise the other generate branches; yosys reads and synthesizes a design."""

from __future__ import annotations

import subprocess

import pytest

from fpga_rnn.ir import random as rir
from fpga_rnn.rtlgen.build import core_files, design, write
from fpga_rnn.rtlgen.sim import find_verilator

CORES = [f.stem for f in core_files()]
MODELS = {
    "lstm_gru_rb_rnn_softmax": [
        {"kind": "lstm", "units": 4, "return_sequences": True},
        {"kind": "gru", "units": 3, "reset_after": False, "return_sequences": True},
        {"kind": "simple_rnn", "units": 3, "activation": "relu"},
        {"kind": "dense", "units": 3, "activation": "softmax"},
    ],
    "bidir_sum_backwards_sigmoid": [
        {
            "kind": "bidirectional",
            "merge": "sum",
            "forward": {"kind": "gru", "units": 3, "return_sequences": True},
            "backward": {"kind": "lstm", "units": 3, "return_sequences": True},
        },
        {"kind": "simple_rnn", "units": 2, "go_backwards": True, "activation": "linear"},
        {"kind": "dense", "units": 2, "activation": "sigmoid"},
    ],
}


def _lint(top: str, files: list, cwd=None) -> str:
    verilator = find_verilator()
    r = subprocess.run(
        [str(verilator), "--lint-only", "-Wall", "--top-module", top, *map(str, files)],
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    return r.stderr if r.returncode else ""


@pytest.mark.parametrize("core", CORES)
def test_core_lint_clean(core) -> None:
    assert _lint(core, core_files()) == ""


@pytest.mark.parametrize("name", list(MODELS))
def test_generated_top_lint_clean(name, tmp_path) -> None:
    m = rir.model(MODELS[name], features=3, seed=1)
    out = write(design(m, 2, max_timesteps=8), tmp_path / "rtl")
    files = (out / "filelist.f").read_text().split()
    assert _lint("frnn_top", files, cwd=out) == ""
