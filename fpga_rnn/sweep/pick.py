"""Choosing one point of a finished sweep, to build it end to end (``fpga-rnn flow
--from-sweep DIR --pick ...``): a trial id, a configuration (its best seed), ``best``,
or ``best-under-us=X`` (the most accurate configuration within X µs on the board)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fpga_rnn.errors import InputError


def pick(folder: Path, choice: str, board: str) -> dict[str, Any]:
    """The trial result (``result.json`` content) ``choice`` names in sweep ``folder``."""
    try:
        s = json.loads((Path(folder) / "sweep.json").read_text())
    except (OSError, ValueError):
        raise InputError(f"{folder} holds no finished sweep (no sweep.json)") from None
    rows = [r for r in s["rows"] if r["status"] == "ok"]
    if board not in s["spec"]["boards"]:
        raise InputError(f"the sweep did not fit {board}; it has {', '.join(s['spec']['boards'])}")
    by_id = {r["id"]: r for r in rows if r["board"] == board}
    confs = [c for c in s["configurations"] if c["board"] == board]
    if choice in by_id:
        row = by_id[choice]
    else:
        if choice == "best" or choice.startswith("best-under-us="):
            limit = float("inf")
            if "=" in choice:
                try:
                    limit = float(choice.split("=", 1)[1])
                except ValueError:
                    raise InputError(f"--pick {choice}: the limit must be a number of µs") from None
            ok = [c for c in confs if c["fits"] and c["quality_mean"] is not None]
            ok = [
                c for c in ok if c["us_per_sequence"] is not None and c["us_per_sequence"] <= limit
            ]
            if not ok:
                raise InputError(f"--pick {choice}: no configuration fits {board} within that")
            conf = max(ok, key=lambda c: (c["quality_mean"], -c["us_per_sequence"]))
        else:
            conf = next((c for c in confs if c["config"] == choice), None)
            if conf is None:
                raise InputError(
                    f"--pick {choice}: not a trial id or configuration of this sweep, nor best "
                    "or best-under-us=X"
                )
        seeds = [by_id[i] for i in conf["ids"] if i in by_id]
        if not seeds:
            raise InputError(f"--pick {choice}: none of its trials finished")
        row = max(seeds, key=lambda r: r["quality"])
    res = json.loads((Path(folder) / "trials" / row["id"] / "result.json").read_text())
    run = Path(folder) / "trials" / row["id"]
    if not (run / "ir" / "ir.json").is_file() or not (run / "model.keras").is_file():
        raise InputError(f"trial {row['id']}'s training run is not in {run} (another machine?)")
    return {**res, "run_dir": str(run)}
