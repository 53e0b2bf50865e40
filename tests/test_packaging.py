"""The wheel carries everything the tool needs at run time (not only the editable install)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_is_listed():
    listed = set(_config()["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "fpga_rnn").rglob("*")
        if p.suffix in (".py", ".v", ".c") and "__pycache__" not in p.parts
    }
    assert found <= listed, f"not in pyproject's packages: {sorted(found - listed)}"


@pytest.mark.slow
def test_the_wheel_holds_kernels_boards_model_verilog_and_c(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "!!" not in r.stdout + r.stderr, "setuptools warned about the package layout"
    (whl,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    want = {
        "fpga_rnn/resource_model.json",
        "fpga_rnn/hls_kernels/frnn_layers.h",
        "fpga_rnn/board_profiles/pynq-z2.yaml",
        "fpga_rnn/backends/rtl/verilog/frnn_recurrent.v",
        "fpga_rnn/backends/rtl/verilog/tb/frnn_harness.py",
        "fpga_rnn/backends/rtl/verilog/shell/frnn_shell.v",
        "fpga_rnn/backends/c/src/frnn_rt.c",
        "fpga_rnn/backends/rtl/sim.py",
    }
    assert want <= names, sorted(want - names)
    for folder, suffix in ((ROOT / "hls", ".h"), (ROOT / "boards", ".yaml")):
        pkg = "hls_kernels" if folder.name == "hls" else "board_profiles"
        for f in folder.glob(f"*{suffix}"):
            assert f"fpga_rnn/{pkg}/{f.name}" in names
