"""frnn_matvec: random weights, inputs, tilings and pass ranges (first_blk,
num_blk), back-to-back passes, against an exact numpy reference."""

from __future__ import annotations

import json
import os

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

from fpga_rnn.backends.rtl.mem import vector_rom, weight_rom
from fpga_rnn.backends.rtl.plan import Tile

# K, rows, PR, PK, VW, signed?, WW, SH, MP (pipeline stages)
CASES = [
    (5, 6, 2, 2, 8, 1, 6, 2, 0),
    (7, 4, 4, 7, 6, 0, 5, 0, 0),
    (3, 9, 1, 1, 5, 1, 4, 3, 0),
    (5, 6, 2, 2, 8, 1, 6, 2, 1),
    (7, 4, 4, 7, 6, 0, 5, 0, 2),
    (3, 9, 1, 1, 5, 1, 4, 3, 3),  # the pass request registered too
    (5, 6, 2, 2, 8, 1, 6, 2, 3),
    (7, 4, 4, 7, 6, 0, 5, 0, 4),  # and the adder tree's sum
    (5, 6, 2, 2, 8, 0, 6, 2, 5),  # and the operands before the multipliers
    (7, 4, 4, 7, 6, 1, 5, 0, 6),  # and the weights after the ROM
    (16, 16, 2, 2, 8, 1, 6, 1, 6),  # a 64-word ROM: in block RAM from MP = 6 (ROM_STYLE)
]


def _setup(work, case):
    k, rows, pr, pk, vw, vs, ww, sh, mp = case
    t = Tile(rows=rows, k=k, pr=pr, pk=pk)
    rng = np.random.default_rng(sum(case))
    w = rng.integers(-(1 << (ww - 1)), 1 << (ww - 1), (rows, k))
    b = rng.integers(-1000, 1000, t.nb * pr)
    aw = vw + ww + 12 + sh
    (work / "w.mem").write_text(weight_rom(w, t, ww))
    (work / "b.mem").write_text(vector_rom(b, aw))
    np.save(work / "w.npy", w)
    np.save(work / "b.npy", b)
    params = {
        "K": k,
        "VW": vw,
        "VS": vs,
        "PR": pr,
        "PK": pk,
        "NB": t.nb,
        "KB": t.kb,
        "WW": ww,
        "AW": aw,
        "SH": sh,
        "HAS_BIAS": 1,
        "MP": mp,
        "WFILE": '"w.mem"',
        "BFILE": '"b.mem"',
    }
    return params


@cocotb.test()
async def passes(dut) -> None:
    p = json.loads(os.environ["MV_PARAMS"])
    w, b = np.load("w.npy"), np.load("b.npy")
    k, pr, nb, vw, vs, aw, sh = (p[x] for x in ("K", "PR", "NB", "VW", "VS", "AW", "SH"))
    rng = np.random.default_rng(7)
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    dut.start.value = 0
    dut.first_blk.value = 0
    dut.num_blk.value = nb
    await RisingEdge(dut.clk)
    await RisingEdge(dut.clk)
    dut.rst.value = 0
    lo, hi = (-(1 << (vw - 1)), 1 << (vw - 1)) if vs else (0, 1 << vw)
    for _ in range(12):
        first = int(rng.integers(0, nb))
        num = int(rng.integers(1, nb - first + 1))
        v = rng.integers(lo, hi, k)
        dut.first_blk.value = first
        dut.num_blk.value = num
        await RisingEdge(dut.clk)  # the engine loads the pass while idle
        dut.vec.value = sum((int(x) & ((1 << vw) - 1)) << (i * vw) for i, x in enumerate(v))
        dut.start.value = 1
        await RisingEdge(dut.clk)
        dut.start.value = 0
        got = {}
        while len(got) < num * pr:
            await ReadOnly()
            if int(dut.blk_done.value):
                blk = int(dut.done_blk.value)
                acc = int(dut.acc.value)
                for r in range(pr):
                    a = (acc >> (r * aw)) & ((1 << aw) - 1)
                    got[blk * pr + r] = a - (1 << aw) if a >> (aw - 1) else a
            await RisingEdge(dut.clk)
        for blk in range(first, first + num):
            for r in range(pr):
                row = blk * pr + r
                want = int(b[row]) + ((int(w[row] @ v) if row < len(w) else 0) << sh)
                assert got[row] == want, f"row {row}: {got[row]} != {want}"


@pytest.mark.parametrize(
    "case", CASES, ids=[f"K{c[0]}xR{c[1]}_pr{c[2]}pk{c[3]}_mp{c[8]}" for c in CASES]
)
def test_matvec(tmp_path, case) -> None:
    from rtlsim import run_cocotb

    params = _setup(tmp_path, case)
    run_cocotb(
        "test_matvec",
        "frnn_matvec",
        parameters=params,
        env={"MV_PARAMS": json.dumps(params)},
        work=tmp_path,
    )
