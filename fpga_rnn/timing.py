"""What clock a design can run at before it is placed and routed: an estimate per
FPGA family and pipeline depth, from nextpnr runs of our own designs.

``timing_model.json`` (beside this module) holds the Fmax nextpnr measured for
``benchmarks/fmax_table.py``'s designs, per family and ``(mac_stages, lane_stages)``;
``benchmarks/fmax_table.py --write`` refreshes it. The estimate is the lowest of them
(the cores' critical paths are per lane and per MAC row, so they barely depend on the
layer's size).

Xilinx parts have no open place-and-route. Their estimate comes from logic depth
(fpga_rnn.levels): the runs also record the ECP5 netlist's logic levels and those of the
same design mapped for 7-series, and a Xilinx design's clock is its levels times the
slowest delay per level nextpnr measured on ECP5 (7-series fabric is faster per level,
so this leans low). Every such figure is labelled an estimate; with no calibration
the board's clock is used, labelled as an assumption, never as a measurement. All are
capped at what the family's clock tree can give the fabric.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any

from fpga_rnn.boards import Board
from fpga_rnn.synth import family_kind

MODEL_FILE = "timing_model.json"
CALIBRATION = "ecp5"  # the family whose nextpnr runs calibrate the depth estimate
# the fastest fabric clock each family's clock tree gives (datasheets): ECP5 EHXPLLL
# outputs up to 400 MHz (FPGA-DS-02012), iCE40 UltraPlus PLL up to 275 MHz
# (FPGA-DS-02008), Zynq-7000 PL fabric clocks up to 250 MHz (DS187)
FAMILY_MAX_MHZ = {"ecp5": 400.0, "ice40": 275.0, "xilinx": 250.0}


@dataclass(frozen=True)
class ClockEstimate:
    mhz: float
    basis: str  # "estimate" (from nextpnr runs of other designs) or "assumed" (board clock)
    note: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def _model() -> dict[str, Any]:
    text = resources.files("fpga_rnn").joinpath(MODEL_FILE).read_text()
    return json.loads(text)


def key(mac_stages: int, lane_stages: int) -> str:
    return f"mac{mac_stages}-lane{lane_stages}"


def _runs(family: str, mac_stages: int | None = None, lane_stages: int = 0) -> list[dict]:
    """Measured runs of ``family`` at these stages (all stages if ``mac_stages`` is None)."""
    fam = _model().get("families", {}).get(family, {})
    if mac_stages is None:
        return [r for runs in fam.values() for r in runs]
    return list(fam.get(key(mac_stages, lane_stages), []))


def _depths(runs: list[dict]) -> list[int]:
    """The 7-series logic depths recorded with ``runs``."""
    return [int(r["xilinx_levels"]) for r in runs if r.get("xilinx_levels")]


def _assumed(board: Board, why: str) -> ClockEstimate:
    return ClockEstimate(board.clock_mhz, "assumed", f"the board clock: {why}")


def estimate(board: Board, mac_stages: int = 0, lane_stages: int = 0) -> ClockEstimate:
    """The clock to expect for a design with these pipeline stages on ``board``: the
    lowest Fmax nextpnr measured for such designs on its family; for Xilinx parts the
    deepest 7-series logic of such designs at the calibrated delay per level (see
    :func:`from_levels`); else the board's clock, as an assumption."""
    fam = family_kind(board)
    if fam == "xilinx":
        # no depth for these stages: the deepest of any (the board clock would rank an
        # unmeasured depth above the estimated ones)
        here = _depths(_runs(CALIBRATION, mac_stages, lane_stages)) or _depths(_runs(CALIBRATION))
        if not here:
            return _assumed(board, "no 7-series logic depth recorded in timing_model.json")
        return from_levels(board, max(here))
    runs = _runs(fam, mac_stages, lane_stages)
    if not runs:
        return _assumed(
            board,
            f"no timing measurements for {fam} designs with "
            f"mac_stages={mac_stages}, lane_stages={lane_stages}",
        )
    low = min(runs, key=lambda r: r["fmax_mhz"])
    return ClockEstimate(
        round(min(float(low["fmax_mhz"]), FAMILY_MAX_MHZ[fam]), 1),
        "estimate",
        f"lowest nextpnr Fmax of {len(runs)} {fam} design(s) with these stages "
        f"({low['layer']}, benchmarks/fmax_table.py)",
    )


def ns_per_level() -> tuple[float, int] | None:
    """The slowest delay per logic level of the calibration runs (nextpnr's clock
    period over yosys's logic levels of the same netlist), and how many runs."""
    runs = [r for r in _runs(CALIBRATION) if r.get("levels") and r.get("fmax_mhz")]
    if not runs:
        return None
    return max(1000 / float(r["fmax_mhz"]) / int(r["levels"]) for r in runs), len(runs)


def from_levels(board: Board, levels: int) -> ClockEstimate:
    """The clock of a design whose longest register-to-register path is ``levels``
    logic levels (fpga_rnn.levels) on ``board``'s family, at the calibrated delay per
    level: an estimate, not a timing analysis of the part."""
    cal = ns_per_level()
    if cal is None or levels < 1:
        return _assumed(board, "no calibration runs with logic levels in timing_model.json")
    ns, n = cal
    fam = family_kind(board)
    mhz = min(1000 / (levels * ns), FAMILY_MAX_MHZ[fam])
    return ClockEstimate(
        round(mhz, 1),
        "estimate",
        f"{levels} logic levels (yosys) at {ns:.2f} ns per level, the slowest of {n} "
        f"{CALIBRATION.upper()} nextpnr run(s); not a timing analysis of {board.part}",
    )
