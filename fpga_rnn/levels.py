"""Logic depth of a mapped netlist: the longest chain of combinational cells between
registers, block RAMs and pins (yosys ``ltp``), in cells (logic levels, as vendor
timing reports count them: a LUT, a carry cell, an unregistered multiplier each count
one).

It is what we can say about the clock of a Xilinx design without Vivado: no open
place-and-route exists for those parts, so their Fmax is an estimate from this depth
(fpga_rnn.timing), labelled as such. For ECP5 and iCE40 the same depth sits beside
nextpnr's measured Fmax and is what calibrates that estimate.
"""

from __future__ import annotations

import re
from typing import Any

from fpga_rnn.escape import printable

# Cells that start or end a path, per family (yosys select patterns): flip-flops,
# block RAMs (their reads are registered), shift registers and pins. A DSP48 with any
# internal register is a boundary too; an unregistered one is a level.
_XILINX_DSP_COMB = "t:DSP48E1 r:AREG=0 %i r:BREG=0 %i r:MREG=0 %i r:PREG=0 %i"
BOUNDARIES: dict[str, list[str]] = {
    "xilinx": [
        "t:FD*",
        "t:RAMB*",
        "t:SRL*",
        "t:IBUF",
        "t:OBUF",
        "t:BUFG",
        f"t:DSP48E1 {_XILINX_DSP_COMB} %d",
    ],
    "ecp5": [
        "t:TRELLIS_FF",
        "t:DP16KD",
        "t:PDPW16KD",
        "t:TRELLIS_IO",
        "t:MULT18X18D a:frnn_dsp_regs %i",  # registered inside (fpga_rnn.synth)
    ],
    "ice40": ["t:SB_DFF*", "t:SB_RAM40_4K", "t:SB_SPRAM256KA", "t:SB_IO"],
}
OUTPUT = "ltp.txt"


def yosys_lines(kind: str) -> list[str]:
    """yosys script lines (after synthesis) that write the longest path to OUTPUT."""
    sel = "* " + " ".join(f"{b} %d" for b in BOUNDARIES[kind])
    return ["select -clear", "flatten", f"tee -q -o {OUTPUT} ltp -noff {sel}"]


_HEADER = re.compile(r"Longest topological path in \S+ \(length=(-?\d+)\)")
_NODE = re.compile(r"^\s*\d+:\s+(\S+)", re.M)


def parse(text: str) -> dict[str, Any] | None:
    """``{"levels", "from", "to"}`` of the longest of yosys's ltp paths (one per
    module; the flattened top holds every path of its submodules), with the signal
    names at its ends made printable; None when there is no path."""
    parts = _HEADER.split(text)  # [before, length, path, length, path, ...]
    pairs = zip(parts[1::2], parts[2::2], strict=True)
    paths = [(int(n), _NODE.findall(body)) for n, body in pairs]
    n, nodes = max(paths, key=lambda p: p[0], default=(0, []))
    if n < 1:
        return None
    return {
        "levels": n,
        "from": printable(nodes[0])[:160] if nodes else "?",
        "to": printable(nodes[-1])[:160] if nodes else "?",
    }
