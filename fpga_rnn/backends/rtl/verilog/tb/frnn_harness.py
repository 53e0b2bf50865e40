"""cocotb test for the simulation harness (frnn_tb.v): clock it until ``done``.

The harness makes its own clock and streams its stimulus in Verilog, so Python
is not called per cycle and Verilator runs at full speed; results come back
through files. This file is loaded as a top-level module from its own folder, so
the simulator's Python does not import the fpga_rnn package (numpy and all) at
every start.
"""

from __future__ import annotations

import os

import cocotb
from cocotb.triggers import RisingEdge, Timer, with_timeout


@cocotb.test()
async def stream(dut) -> None:
    max_cycles = int(os.environ.get("FRNN_MAX_CYCLES", "100000000"))
    await with_timeout(RisingEdge(dut.done), max_cycles * 10, "ns")
    await Timer(30, "ns")  # the harness writes its result files on the next edge
