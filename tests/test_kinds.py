"""One table of kinds: every registered layer kind has a golden, RTL, HLS and C
implementation, and the codes the backends share come from fpga_rnn.ir.kinds."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest

from fpga_rnn.backends.c import writer
from fpga_rnn.backends.hls import kinds as hls_kinds
from fpga_rnn.backends.rtl.build import design
from fpga_rnn.backends.rtl.emit import EMITTERS
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.golden import GOLDEN, predict_codes
from fpga_rnn.ir import Model
from fpga_rnn.ir import random as rir
from fpga_rnn.ir.kinds import (
    ACTIVATION_CODES,
    CELLS,
    c_header,
    cell_kind,
    hls_header,
    verilog_header,
)
from fpga_rnn.ir.layers import LAYER_KINDS, Activation, Recurrent


def _model_with(kind: str) -> Model:
    """A small model holding a layer of ``kind``."""
    head = {"kind": "dense", "units": 2, "activation": "softmax"}
    specs = {
        "embedding": ([{"kind": "embedding", "units": 3}, {"kind": "lstm", "units": 2}], 7),
        "bidirectional": (
            [{"kind": "bidirectional", "forward": {"kind": "gru", "units": 2},
              "backward": {"kind": "lstm", "units": 2}}, head],
            None,
        ),
        "dense": ([{"kind": "gru", "units": 2}, head], None),
        "activation": ([{"kind": "simple_rnn", "units": 2}], None),
    }  # fmt: skip
    layers, vocab = specs.get(kind, ([{"kind": kind, "units": 3}, head], None))
    m = rir.model(layers, features=2, timesteps=4, vocabulary=vocab, name=f"with_{kind}")
    if kind == "activation":
        act = Activation(name="act", activation="relu", result=FixedFormat.parse("ap_fixed<16,6>"))
        m = Model(name=m.name, input=m.input, layers=(*m.layers, act))
    assert kind in {la.kind for la in m.layers}
    return m


@pytest.mark.parametrize("kind", sorted(LAYER_KINDS))
def test_every_kind_has_every_backend(kind):
    assert kind in GOLDEN and kind in EMITTERS and kind in hls_kinds.HLS_KINDS
    m = _model_with(kind)
    x = np.random.default_rng(0).uniform(-1, 1, (3, 4, 2))
    if m.input.tokens:
        x = np.random.default_rng(0).integers(0, 7, (3, 4))
    assert predict_codes(m, x).shape[0] == 3
    assert design(m, 4).info["layers"]
    assert hls_kinds.nodes(m, 4, 1)
    files, _ = writer.generate(m)
    assert "fpga_rnn_model.c" in files and writer.CODES_HEADER in files


def test_every_recurrent_class_has_a_cell_kind():
    recurrent = [c for c in LAYER_KINDS.values() if issubclass(c, Recurrent)]
    for cls in recurrent:
        for reset_after in (True, False):
            cell = cell_kind(cls.kind, reset_after)
            assert cell.gates == cls.gates
    assert {c.code for c in CELLS.values()} == set(range(len(CELLS)))


def test_generated_headers_hold_the_table(tmp_path):
    """The C header compiles, and its enum values are the table's codes."""
    (tmp_path / "frnn_codes.h").write_text(c_header())
    probe = "\n".join(
        [f'printf("{a} %d\\n", (int)FRNN_{a.upper()});' for a in ACTIVATION_CODES]
        + [f'printf("{c} %d\\n", (int)FRNN_{c.upper()});' for c in CELLS]
    )
    src = f'#include <stdio.h>\n#include "frnn_codes.h"\nint main(void) {{ {probe} return 0; }}\n'
    (tmp_path / "t.c").write_text(src)
    subprocess.run(
        ["gcc", "-std=c99", "-Wall", "-Werror", "-pedantic", "t.c", "-o", "t"],
        cwd=tmp_path,
        check=True,
    )
    out = subprocess.run([str(tmp_path / "t")], capture_output=True, text=True).stdout
    got = dict(line.split() for line in out.splitlines())
    want = {a: str(i) for a, i in ACTIVATION_CODES.items()} | {
        c: str(k.code) for c, k in CELLS.items()
    }
    assert got == want
    hls = hls_header()
    for a, i in ACTIVATION_CODES.items():
        assert f"act_{a} = {i}" in hls
    assert re.search(r"table_sigmoid = 4, table_tanh = 3", hls)


def test_the_verilog_header_is_current():
    """The cores include frnn_codes.vh, rendered from the table: regenerate it with
    python -c "from fpga_rnn.ir.kinds import *; print(verilog_header(), end='')" >
    fpga_rnn/backends/rtl/verilog/frnn_codes.vh"""
    from fpga_rnn.backends.rtl.build import include_dir

    assert (include_dir() / "frnn_codes.vh").read_text() == verilog_header()
