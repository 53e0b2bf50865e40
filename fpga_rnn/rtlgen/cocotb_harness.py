"""cocotb test for the simulation harness (frnn_tb.v): clock it until ``done``.

The harness streams its stimulus in Verilog, so Python is not called per cycle
and Verilator runs at full speed; results come back through files.
"""

from __future__ import annotations

import os

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout


@cocotb.test()
async def stream(dut) -> None:
    max_cycles = int(os.environ.get("FRNN_MAX_CYCLES", "100000000"))
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    await with_timeout(RisingEdge(dut.done), max_cycles * 10, "ns")
    await ClockCycles(dut.clk, 2)  # the harness writes its result files
