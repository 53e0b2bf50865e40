"""What clock a design can run at before it is placed and routed: an estimate per
FPGA family and pipeline depth, from nextpnr runs of our own designs.

``timing_model.json`` (beside this module) holds the Fmax nextpnr measured for
``benchmarks/fmax_table.py``'s designs, per family and ``(mac_stages, lane_stages)``;
``benchmarks/fmax_table.py --write`` refreshes it. The estimate is the lowest of them
(the cores' critical paths are per lane and per MAC row, so they barely depend on the
layer's size). Families without measurements (Xilinx: no open place-and-route) get the
board's clock, labelled as an assumption, never as a measurement.
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


def estimate(board: Board, mac_stages: int = 0, lane_stages: int = 0) -> ClockEstimate:
    """The clock to expect for a design with these pipeline stages on ``board``: the
    lowest Fmax nextpnr measured for such designs on its family; else the board's
    clock, as an assumption."""
    fam = family_kind(board)
    runs = _model().get("families", {}).get(fam, {}).get(key(mac_stages, lane_stages), [])
    if not runs:
        return ClockEstimate(
            board.clock_mhz,
            "assumed",
            f"the board clock: no timing measurements for {fam} designs "
            f"with mac_stages={mac_stages}, lane_stages={lane_stages}",
        )
    low = min(runs, key=lambda r: r["fmax_mhz"])
    return ClockEstimate(
        round(float(low["fmax_mhz"]), 1),
        "estimate",
        f"lowest nextpnr Fmax of {len(runs)} {fam} design(s) with these stages "
        f"({low['layer']}, benchmarks/fmax_table.py)",
    )
