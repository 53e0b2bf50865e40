"""A designer job's process: ``python -m fpga_rnn.designer.worker KIND FOLDER ...``.

Prints one JSON object per line on stdout: progress events, then ``{"result": ...}``
or ``{"error": "..."}``. KIND ``train`` (design.json, dataset, epochs, seed): QAT
training, import and scoring (:func:`fpga_rnn.train.train`) into FOLDER/run.
KIND ``synth`` (ir folder, board, reuse, mac stages, lane stages): the RTL at that
candidate and its yosys synthesis into FOLDER/rtl and FOLDER/synth. KIND ``flow``
(a finished training's run folder, dataset, board): `fpga-rnn flow` on that trained
model (fit, RTL/HLS verification, report.html) into FOLDER/flow.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from fpga_rnn.errors import FpgaRnnError


def _say(**ev: Any) -> None:
    print(json.dumps(ev), flush=True)


def _train(folder: Path, design_file: str, dataset: str, epochs: str, seed: str) -> dict:
    from fpga_rnn.train import TrainConfig, read_design, train

    cfg = TrainConfig(
        dataset=dataset, epochs=int(epochs), seed=int(seed), design=read_design(design_file)
    )
    metrics = train(
        cfg,
        folder / "run",
        progress=lambda m: _say(message=m),
        on_epoch=lambda e, logs: _say(epoch=e, **logs),
    )
    return {k: metrics[k] for k in ("model", "float", "golden", "epochs_run", "parameters")}


def _synth(folder: Path, ir: str, board: str, reuse: str, mac: str, lane: str) -> dict:
    from fpga_rnn.backends.rtl import target
    from fpga_rnn.ir import Model
    from fpga_rnn.synth import synthesize

    rtl = target.generate(
        Model.load(ir),
        folder / "rtl",
        reuse=int(reuse),
        mac_stages=int(mac),
        lane_stages=int(lane),
        progress=lambda m: _say(message=m),
    )
    syn = synthesize(
        folder / "rtl", board, out=folder / "synth", progress=lambda m: _say(message=m)
    )
    return {
        "board": board,
        "reuse": int(reuse),
        "multipliers": rtl["multipliers"],
        "resources": syn.resources,
        "utilisation": syn.utilisation,
        "fmax_mhz": syn.fmax_mhz,
    }


def _flow(folder: Path, run: str, dataset: str, board: str) -> dict:
    from fpga_rnn.flow import flow

    r = flow(
        folder / "flow",
        dataset=dataset,
        board=board,
        trained=Path(run),
        progress=lambda m: _say(message=m),
    )
    return r["summary"]


def main(argv: list[str]) -> int:
    kind, folder, *args = argv
    try:
        fn = {"train": _train, "synth": _synth, "flow": _flow}[kind]
        _say(result=fn(Path(folder), *args))
        return 0
    except FpgaRnnError as e:
        _say(error=str(e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
