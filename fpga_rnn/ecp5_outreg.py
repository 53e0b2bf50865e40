"""ECP5 block RAM output registers: fold the fabric register after a block RAM read
into the RAM's own output register (``REGMODE = OUTREG``).

An ECP5 block RAM (DP16KD) without its output register takes 5.6 ns from the clock
to its data (nextpnr's figure), so a table or ROM read into a fabric register
caps a design near 125 MHz whatever the routing. yosys maps memories with the
output register off (its ECP5 memory library has no option for it), so after
synthesis this pass looks for RAM read ports whose every data bit feeds exactly
one plain flip-flop on the same clock (always enabled, no set/reset) and moves
those flip-flops into the RAM: the same register stage, so the same cycles, with
the RAM's 0.8-ns output. Ports used 36 bits wide (pseudo-dual-port mode, whose
halves are configured across both sides) are left as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RAM = "DP16KD"
FF = "TRELLIS_FF"
DATA_BITS = 18  # DOA0..17 / DOB0..17


def _width(cell: dict[str, Any], side: str) -> int:
    raw = str(cell["parameters"].get(f"DATA_WIDTH_{side}", "18"))
    return int(raw, 2) if set(raw) <= {"0", "1"} and len(raw) > 8 else int(raw)


def _plain_ff(ff: dict[str, Any], clk: int) -> bool:
    """A flip-flop on ``clk``, rising edge, always enabled, never set or reset."""
    par, con = ff["parameters"], ff["connections"]
    return (
        con.get("CLK") == [clk]
        and str(par.get("CLKMUX", "CLK")).strip() == "CLK"
        and str(par.get("CEMUX", "1")).strip() == "1"
        and con.get("LSR", ["0"]) == ["0"]
        and str(par.get("GSR", "DISABLED")).strip() == "DISABLED"
    )


def absorb(netlist: dict[str, Any], top: str) -> int:
    """Fold eligible output flip-flops of ``top``'s block RAMs into the RAMs, in
    place; returns how many flip-flops were removed."""
    cells: dict[str, dict[str, Any]] = netlist["modules"][top]["cells"]
    sinks: dict[int, list[tuple[str, str]]] = {}
    for name, c in cells.items():
        for port, bits in c["connections"].items():
            if c["port_directions"].get(port) != "output":
                for b in bits:
                    if isinstance(b, int):
                        sinks.setdefault(b, []).append((name, port))
    # nets a module port reads (an output port of top) count as other readers
    for p in netlist["modules"][top].get("ports", {}).values():
        if p.get("direction") == "output":
            for b in p["bits"]:
                if isinstance(b, int):
                    sinks.setdefault(b, []).append(("<port>", ""))
    removed = 0
    for cell in [c for c in cells.values() if c["type"] == RAM]:
        if 36 in (_width(cell, "A"), _width(cell, "B")):
            continue  # pseudo-dual-port: one read port over both sides
        con = cell["connections"]
        for side in "AB":
            if str(cell["parameters"].get(f"REGMODE_{side}", "NOREG")) != "NOREG":
                continue
            clk = con.get(f"CLK{side}", ["0"])[0]
            if (
                not isinstance(clk, int)
                or con.get(f"OCE{side}", ["1"]) != ["1"]
                or con.get(f"RST{side}", ["0"]) != ["0"]
            ):
                continue
            pins = [f"DO{side}{i}" for i in range(DATA_BITS)]
            # data bits something reads (the rest pass through the register unused)
            used = [(p, con[p][0]) for p in pins if p in con and sinks.get(con[p][0])]
            ffs = []
            for pin, net in used:
                readers = sinks.get(net, [])
                if len(readers) != 1 or readers[0][1] != "DI":
                    break
                ff = cells.get(readers[0][0])
                if ff is None or ff["type"] != FF or not _plain_ff(ff, clk):
                    break
                ffs.append((pin, readers[0][0]))
            if not used or len(ffs) != len(used):
                continue
            for pin, name in ffs:
                con[pin] = list(cells[name]["connections"]["Q"])
                del cells[name]
            cell["parameters"][f"REGMODE_{side}"] = "OUTREG"
            removed += len(ffs)
    return removed


def absorb_file(path: Path, top: str) -> int:
    """:func:`absorb` on a yosys JSON netlist file, rewritten in place."""
    netlist = json.loads(path.read_text())
    n = absorb(netlist, top)
    if n:
        path.write_text(json.dumps(netlist))
    return n
