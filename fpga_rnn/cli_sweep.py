"""``fpga-rnn sweep``: a thin wrapper over :func:`fpga_rnn.sweep.sweep`, added to the CLI
by :func:`register`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fpga_rnn.cli_common import AsJson, Force, _emit, _progress, out
from fpga_rnn.errors import InputError

SWEEP_HELP = (
    "Design-space sweep on Ray: train every configuration of a grid, score its fixed-point "
    "model, fit it to each board (plan + resource model, no synthesis).\n\n"
    "Lists are comma-separated (--units 8,16,32). Runs on a local Ray instance, or on a Ray "
    "cluster with --address HOST:PORT (every node needs fpga-rnn installed as here). "
    "Writes sweep.csv, sweep.json, pareto.json and sweep.html; --resume finishes an "
    "interrupted sweep without rerunning finished trials."
)


def sweep_cmd(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Sweep folder.")],
    dataset: Annotated[str | None, typer.Option(help="Built-in dataset or .npz.")] = None,
    arch: Annotated[str | None, typer.Option(help="Architectures, e.g. lstm,gru.")] = None,
    units: Annotated[str | None, typer.Option(help="Units per layer, e.g. 8,16,32.")] = None,
    bits: Annotated[str | None, typer.Option(help="Weight bits, e.g. 4,6,8.")] = None,
    int_bits: Annotated[str | None, typer.Option(help="Integer bits (default 0).")] = None,
    state_bits: Annotated[
        str | None, typer.Option(help="State bits, 0 = not quantized (default 0).")
    ] = None,
    layers: Annotated[str | None, typer.Option(help="Recurrent layers (default 1).")] = None,
    seeds: Annotated[int | None, typer.Option(min=1, max=100, help="Seeds per point.")] = None,
    boards: Annotated[str | None, typer.Option(help="Boards, e.g. pynq-z2,ulx3s-85f.")] = None,
    epochs: Annotated[int | None, typer.Option(min=1, help="Maximum epochs per trial.")] = None,
    spec_file: Annotated[
        Path | None, typer.Option("--spec", help="A YAML file with these keys (options win).")
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="A Ray cluster's head, HOST:PORT (default: local Ray).")
    ] = None,
    max_concurrent: Annotated[
        int | None, typer.Option(min=1, help="Trials at a time (default: the CPUs).")
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Finish a sweep in --out.")] = False,
    synthesize_front: Annotated[
        bool,
        typer.Option(
            "--synthesize-front",
            help="Synthesize each board's Pareto-optimal designs (fit: yosys, nextpnr).",
        ),
    ] = False,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    from fpga_rnn.sweep import load_spec, sweep
    from fpga_rnn.sweep.spec import parse_list

    data = load_spec(spec_file) if spec_file else {}
    lists = {"arch": (arch, str), "units": (units, int), "bits": (bits, int)}
    lists |= {"int_bits": (int_bits, int), "layers": (layers, int), "boards": (boards, str)}
    lists["state_bits"] = (state_bits, int)
    for key, (text, kind) in lists.items():
        if text is not None:
            data[key] = parse_list(text, kind, key.replace("_", "-"))
    for key, value in {"dataset": dataset, "seeds": seeds, "epochs": epochs}.items():
        if value is not None:
            data[key] = value
    missing = [k for k in ("dataset", "arch", "units", "bits") if k not in data]
    if missing:
        raise InputError(f"sweep: give --{missing[0].replace('_', '-')} (or it in --spec)")
    r = sweep(
        data,
        out_dir,
        address=address,
        max_concurrent=max_concurrent,
        resume=resume,
        synthesize_front=synthesize_front,
        force=force,
        progress=_progress,
    )

    def pretty() -> None:
        out.print(
            f"{r['trials']} trials ({r['ok']} finished, {r['failed']} failed, {r['ran_now']} "
            f"run now) in {r['seconds']:.0f} s -> {out_dir}/sweep.html"
        )
        for b in r["spec"]["boards"]:
            pts = [c for c in r["configurations"] if c["board"] == b and c["fits"]]
            pts = [c for c in pts if c["quality_mean"] is not None]
            if pts:
                top = max(pts, key=lambda c: (c["quality_mean"], -(c["us_per_sequence"] or 0)))
                out.print(
                    f"{b}: best {top['config']} {r['quality']} {top['quality_mean']:.4f} ± "
                    f"{top['quality_std']:.4f}, {top['us_per_sequence']} µs (est.), "
                    f"{top['dsp']} DSP"
                )

    _emit(r, as_json, pretty)


def register(app: typer.Typer) -> None:
    app.command("sweep", help=SWEEP_HELP)(sweep_cmd)
