"""frnn_cast: every rounding and overflow mode, exhaustively over an 8-bit input,
against fpga_rnn.fixed (the ap_fixed reference), in one bank of instances."""

from __future__ import annotations

import itertools
import json
import os

import cocotb
import numpy as np
from cocotb.triggers import Timer

from fpga_rnn.fixed import FixedFormat, Overflow, Rounding

IW = 8
# (input frac, input signed, out width, out frac, out signed): narrowing with rounding,
# widening (exact shift up), unsigned output, and a drop of more bits than the width
SHAPES = [(4, 1, 5, 2, 1), (3, 1, 6, 5, 1), (6, 0, 4, 1, 0), (2, 1, 3, -2, 1), (5, 0, 6, 5, 1)]
CONFIGS = [
    (ifr, isg, ow, of, osg, r, o)
    for (ifr, isg, ow, of, osg), r, o in itertools.product(SHAPES, range(7), range(4))
]


def bank() -> str:
    lines, off = [], 0
    for n, (ifr, isg, ow, of, osg, r, o) in enumerate(CONFIGS):
        lines.append(
            f"  frnn_cast #(.IW({IW}), .IF({ifr}), .IS({isg}), .OW({ow}), .OF({of}), "
            f".OS({osg}), .RND({r}), .OVF({o})) c{n} "
            f"(.din(din), .dout(dout[{off + ow - 1}:{off}]));"
        )
        off += ow
    body = "\n".join(lines)
    return (
        "`default_nettype none\n"
        f"module cast_bank (input wire [{IW - 1}:0] din, output wire [{off - 1}:0] dout);\n"
        f"{body}\nendmodule\n"
    )


@cocotb.test()
async def exhaustive(dut) -> None:
    configs = json.loads(os.environ["CAST_CONFIGS"])
    mismatches = 0
    for code in range(1 << IW):
        dut.din.value = code
        await Timer(1, unit="ns")
        word = int(dut.dout.value)
        off = 0
        for ifr, isg, ow, of, osg, r, o in configs:
            x = code - (1 << IW) if isg and code >> (IW - 1) else code
            fmt = FixedFormat(ow, ow - of, bool(osg), list(Rounding)[r], list(Overflow)[o])
            want = int(fmt.cast(np.int64(x), ifr)) & ((1 << ow) - 1)
            got = (word >> off) & ((1 << ow) - 1)
            if got != want:
                mismatches += 1
                if mismatches < 10:
                    dut._log.error(f"x={x} cfg={(ifr, isg, ow, of, osg, r, o)}: {got} != {want}")
            off += ow
    assert mismatches == 0, f"{mismatches} mismatches"


def test_cast_all_modes(tmp_path) -> None:
    from rtlsim import run_cocotb

    run_cocotb(
        "test_cast",
        "cast_bank",
        extra_sources={"cast_bank.v": bank()},
        env={"CAST_CONFIGS": json.dumps(CONFIGS)},
        work=tmp_path,
    )
