"""fpga-rnn package: the Zynq/PYNQ folder's structure, its Vivado scripts (checked
structurally: Vivado does not run here), the driver's float side against golden, and
one-line refusals of bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from runcli import cli

from fpga_rnn import api
from fpga_rnn.boards import load_board
from fpga_rnn.device import axi_words
from fpga_rnn.device.axi import axi_dir, word_format
from fpga_rnn.errors import FpgaRnnError
from fpga_rnn.golden.model import prepare_input
from fpga_rnn.ir import random as rir
from fpga_rnn.verification import random_inputs

LAYERS = [{"kind": "gru", "units": 4}, {"kind": "dense", "units": 3, "activation": "softmax"}]


@pytest.fixture(scope="module")
def model():
    return rir.model(LAYERS, features=5, seed=2)


@pytest.fixture(scope="module")
def pkg(model, tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "pynq"
    return api.package(model, "pynq-z2", out, reuse=4)


def test_register_header_is_generated_from_the_word_module() -> None:
    assert (axi_dir() / "frnn_axi_regs.vh").read_text() == axi_words.verilog_header()


def test_folder_holds_design_wrapper_driver_and_scripts(pkg) -> None:
    out = pkg.out
    doc = json.loads((out / "package.json").read_text())
    assert doc["board"] == "pynq-z2" and doc["route"] == "rtl" and doc["digest"] == pkg.digest
    rtl = json.loads((out / "rtl" / "rtl.json").read_text())
    assert rtl["digest"] == pkg.digest
    for name in ("frnn_top.v", "frnn_axi.v", "frnn_axi_regs.vh", "frnn_codes.vh"):
        assert (out / "rtl" / name).is_file()
    # the shipped code is the package's own, byte for byte
    pkg_dir = Path(axi_words.__file__).parent.parent
    assert (out / "driver" / "frnn_words.py").read_bytes() == Path(axi_words.__file__).read_bytes()
    for name in ("fixed.py", "errors.py"):
        assert (out / "driver" / "fpga_rnn" / name).read_bytes() == (pkg_dir / name).read_bytes()
    readme = (out / "README.md").read_text()
    assert "Verified here" in readme and "Needs Vivado" in readme


def test_tcl_sources_only_its_own_files_and_names_the_profile_part(pkg) -> None:
    out = pkg.out
    part = load_board("pynq-z2").part
    texts = {p.name: p.read_text() for p in out.glob("*.tcl")}
    assert set(texts) == {"package_ip.tcl", "block_design.tcl", "build_bitstream.tcl"}
    for name, text in texts.items():
        for src in re.findall(r"source \[file join \$here (\S+?)\]", text):
            assert (out / src).is_file(), f"{name} sources a missing {src}"
        # no path of this machine: everything is relative to the script's folder
        assert str(out) not in text and "/tmp" not in text and "/work" not in text
    assert "source" in texts["build_bitstream.tcl"]
    assert (
        f"-part {part}" in texts["package_ip.tcl"] and f"-part {part}" in texts["block_design.tcl"]
    )
    assert "processing_system7" in texts["block_design.tcl"]  # a Zynq-7000 board
    assert "axi_dma" in texts["block_design.tcl"] and ".hwh" in texts["build_bitstream.tcl"]
    # every parameter of the wrapper is set on the IP, with the design's digest
    params = json.loads((out / "package.json").read_text())["axi_parameters"]
    for k in params:
        assert f"ipx::get_user_parameters {k} " in texts["package_ip.tcl"]
    assert f"0x{params['DIGEST'].upper()}" in texts["package_ip.tcl"]


def test_zynq_ultrascale_uses_its_processing_system(model, tmp_path) -> None:
    r = api.package(model, "kv260", tmp_path / "kv", reuse=4, dma_bits=64)
    bd = (r.out / "block_design.tcl").read_text()
    assert "zynq_ultra_ps_e" in bd and "xck26" in bd and "tdata_width {64}" in bd
    assert r.word_format["dma_bits"] == 64


def test_driver_encodes_as_golden_and_decodes_outputs(pkg, model) -> None:
    """The shipped driver, run from its own folder (its fpga_rnn copy, not this one)."""
    x = random_inputs(model, 20, 5)[:, :9]
    np.save(pkg.out / "x.npy", x)
    drv, xf, cf = str(pkg.out / "driver"), str(pkg.out / "x.npy"), str(pkg.out / "c.npy")
    code = (
        "import numpy as np, json, fpga_rnn, frnn_driver\n"
        f"assert fpga_rnn.__file__.startswith({drv!r})\n"
        "f = frnn_driver.PackageFormat()\n"
        f"c = f.encode(np.load({xf!r}))\n"
        f"np.save({cf!r}, np.stack(c))\n"
        "print(json.dumps(f.decode([np.array([[1, -2, 3]])])[0].tolist()))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=pkg.out / "driver", capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert np.array_equal(np.load(pkg.out / "c.npy"), prepare_input(model, x).codes)
    lsb = model.output_format.lsb
    assert json.loads(r.stdout) == [[lsb, -2 * lsb, 3 * lsb]]


def test_word_format_round_trips_codes(model) -> None:
    fmt = axi_words.WordFormat(32, 5, 12, 3, 10, True)
    assert (fmt.in_slot, fmt.in_per_word, fmt.words_per_step) == (16, 2, 3)
    rng = np.random.default_rng(0)
    seqs = [rng.integers(-2048, 2048, (t, 5)) for t in (1, 4, 7)]
    words, last = fmt.pack(seqs)
    assert len(words) == 3 * 12 and list(np.flatnonzero(last)) == [2, 14, 35]
    assert words.max() < 1 << 32
    # element 4 of step 0 sits in word 2's low slot, as its low 12 bits
    assert int(words[2]) & 0xFFFF == int(seqs[0][0, 4]) & 0xFFF
    # outputs: signed 10-bit codes in 16-bit slots, sign-extended
    out = np.array([[-1, 5, -512]])
    w = np.array([(0xFFFF | (5 << 16)), 0xFE00], np.uint64)
    assert np.array_equal(fmt.unpack(w, [1])[0], out)
    with pytest.raises(axi_words.WordFormatError, match="expected 4 output words"):
        fmt.unpack(np.zeros(3, np.uint64), [2])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--board", "ulx3s-85f"], "no Zynq processing system"),
        (["--board", "arty-a7-100t"], "no Zynq processing system"),
        (["--dma-bits", "48"], "dma_bits must be one of"),
    ],
)
def test_bad_input_is_one_line(model, tmp_path, args, message) -> None:
    model.save(tmp_path / "m.json")
    r = cli("package", str(tmp_path / "m.json"), "--out", str(tmp_path / "o"), *args)
    assert r.returncode != 0
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "o").exists()


def test_cli_writes_the_package_and_its_json(model, tmp_path) -> None:
    model.save(tmp_path / "m.json")
    r = cli(
        "package", str(tmp_path / "m.json"), "--out", str(tmp_path / "o"), "--reuse", "4", "--json"
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["board"] == "pynq-z2" and doc["word_format"]["dma_bits"] == 32
    assert json.loads((tmp_path / "o" / "package.json").read_text())["digest"] == doc["digest"]


def test_existing_folder_needs_force(pkg, model) -> None:
    with pytest.raises(FpgaRnnError, match="exists"):
        api.package(model, "pynq-z2", pkg.out, reuse=4)


def test_too_wide_for_the_dma_word() -> None:
    """A code wider than the DMA word would have to be split: refused in one line."""
    info = {
        "input_elements": 4,
        "input_element_width": 40,
        "output_elements": 2,
        "m_axis_tdata_width": 32,
        "output_format": "ap_fixed<16,6>",
    }
    with pytest.raises(FpgaRnnError, match="40-bit code does not fit a 32-bit DMA word"):
        word_format(info, 32)
    assert word_format(info, 64).in_slot == 64
