"""frnn_mul_pipe: exact signed products three cycles later, for operands of one DSP
block and for split ones (17-bit unsigned low parts, a signed top part), on random
and extreme operands fed every cycle."""

from __future__ import annotations

import json
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import RisingEdge, Timer

W = 40  # operand bus width
LATENCY = 3
# (a width, b width): one block, one wide side, both wide, widths at the split points
SHAPES = [(18, 18), (8, 5), (22, 18), (18, 24), (19, 19), (35, 18), (36, 37), (2, 40)]


def bank() -> str:
    lines, off = [], 0
    for n, (aw, bw) in enumerate(SHAPES):
        lines.append(
            f"  frnn_mul_pipe #(.AW({aw}), .BW({bw})) m{n} (.clk(clk), .a(a[{aw - 1}:0]), "
            f".b(b[{bw - 1}:0]), .p(p[{off + aw + bw - 1}:{off}]));"
        )
        off += aw + bw
    body = "\n".join(lines)
    return (
        "`default_nettype none\n"
        f"module mul_bank (input wire clk, input wire [{W - 1}:0] a, input wire [{W - 1}:0] b, "
        f"output wire [{off - 1}:0] p);\n{body}\nendmodule\n"
    )


def signed(v: int, w: int) -> int:
    v &= (1 << w) - 1
    return v - (1 << w) if v >> (w - 1) else v


def operands(n: int) -> list[tuple[int, int]]:
    rng = np.random.default_rng(7)
    extremes = [0, 1, -1, (1 << (W - 1)) - 1, -(1 << (W - 1)), 1 << 17, (1 << 17) - 1, -(1 << 17)]
    pairs = [(x, y) for x in extremes for y in extremes]
    pairs += [(int(x), int(y)) for x, y in rng.integers(-(1 << 62), 1 << 62, (n, 2))]
    return pairs


@cocotb.test()
async def products(dut) -> None:
    shapes = json.loads(os.environ["MUL_SHAPES"])
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    sent: list[tuple[int, int]] = []
    bad = 0
    pairs = operands(2000)
    for cyc in range(len(pairs) + LATENCY - 1):
        if cyc < len(pairs):
            x, y = pairs[cyc]
            dut.a.value = x & ((1 << W) - 1)
            dut.b.value = y & ((1 << W) - 1)
            sent.append((x, y))
        await RisingEdge(dut.clk)
        await Timer(1, unit="ns")
        k = cyc - LATENCY + 1  # the pair whose product is out after this edge
        if k < 0:
            continue
        word, off = int(dut.p.value), 0
        for aw, bw in shapes:
            x, y = sent[k]
            want = (signed(x, aw) * signed(y, bw)) & ((1 << (aw + bw)) - 1)
            got = (word >> off) & ((1 << (aw + bw)) - 1)
            if got != want:
                bad += 1
                if bad < 10:
                    dut._log.error(f"{aw}x{bw} pair {k}: {got:#x} != {want:#x}")
            off += aw + bw
    assert bad == 0, f"{bad} mismatches"


def test_mul_pipe(tmp_path) -> None:
    from rtlsim import run_cocotb

    run_cocotb(
        "test_mul",
        "mul_bank",
        extra_sources={"mul_bank.v": bank()},
        env={"MUL_SHAPES": json.dumps(SHAPES)},
        work=tmp_path,
    )
