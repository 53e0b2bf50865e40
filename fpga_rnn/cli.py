"""``fpga-rnn`` command line: thin wrappers over :mod:`fpga_rnn.api`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fpga_rnn import api
from fpga_rnn.errors import FpgaRnnError
from fpga_rnn.outputs import check_writable, save_npy, write_json
from fpga_rnn.precision import DEFAULT_PRECISION, DEFAULT_TABLE_SIZE

app = typer.Typer(
    help="Quantized RNNs (LSTM/GRU/SimpleRNN) from Keras/QKeras to FPGA firmware, "
    "verified bit-exact.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

ModelArg = Annotated[
    Path, typer.Argument(help="A Keras model file (.keras/.h5) or an IR directory.")
]
Force = Annotated[bool, typer.Option("--force", help="Overwrite existing outputs.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


@app.command("import")
def import_cmd(
    model: Annotated[Path, typer.Argument(help="Keras/QKeras model file (.keras or .h5).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="IR directory to write.")],
    precision: Annotated[
        str,
        typer.Option(
            help="Data precision for what the model does not quantize itself "
            "(inputs, float layers), e.g. 'ap_fixed<16,6>'."
        ),
    ] = DEFAULT_PRECISION,
    table_size: Annotated[
        int, typer.Option(help="Entries per activation table (power of two).")
    ] = DEFAULT_TABLE_SIZE,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Import a Keras/QKeras model into the IR (ir.json + weights.npz)."""
    check_writable(out_dir, force=force)
    ir = api.import_model(model, out_dir, precision=precision, table_size=table_size, force=force)
    result = {
        "ir": str(out_dir),
        "name": ir.name,
        "layers": ir.summary(),
        "input": {"shape": list(ir.input.shape), "format": str(ir.input.fmt)},
        "output_format": str(ir.output_format),
    }
    _emit(result, as_json, lambda: _print_summary(ir, f"wrote {out_dir}"))


@app.command()
def info(model: ModelArg, as_json: AsJson = False) -> None:
    """Show layers, shapes, parameters and fixed-point formats of a model."""
    ir = api.load_model(model)
    _emit(
        {"name": ir.name, "layers": ir.summary(), "source": ir.source},
        as_json,
        lambda: _print_summary(ir, ir.name),
    )


@app.command()
def predict(
    model: ModelArg,
    input_file: Annotated[
        Path, typer.Option("--input", "-i", help="Inputs: .npy (B,T,F) or .npz with 'x'.")
    ],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Output .npy file.")],
    target: Annotated[
        str, typer.Option(help="golden (bit-exact fixed point) or float (the Keras model).")
    ] = "golden",
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Run a model on a batch of sequences; writes OUT.npy and OUT.json (summary)."""
    check_writable(out_file, force=force)
    meta = out_file.with_suffix(".json")
    check_writable(meta, force=force)
    x = api.load_array(input_file)
    t0 = time.perf_counter()
    y = api.predict(model, x, target=target)
    dt = time.perf_counter() - t0
    save_npy(out_file, y, force=force)
    summary = {
        "target": target,
        "input": str(input_file),
        "output": str(out_file),
        "samples": len(x),
        "output_shape": list(y.shape),
        "seconds": dt,
        "samples_per_second": len(x) / dt if dt > 0 else None,
    }
    write_json(meta, summary, force=force)
    _emit(
        summary,
        as_json,
        lambda: out.print(
            f"{target}: {len(x)} samples -> {out_file} {tuple(y.shape)} in {dt:.3f} s"
        ),
    )


@app.command()
def boards(as_json: AsJson = False) -> None:
    """List the built-in board profiles (part, clock, resources)."""
    from fpga_rnn.boards import available_boards, load_board

    rows = [load_board(n).to_dict() for n in available_boards()]

    def pretty() -> None:
        t = Table(title="board profiles (boards/*.yaml; --board also takes your own .yaml)")
        for col in ("name", "part", "MHz", "LUT", "FF", "DSP", "BRAM"):
            t.add_column(col, no_wrap=True)
        for b in rows:
            r = b["resources"]
            t.add_row(
                b["name"],
                b["part"],
                f"{b['clock_mhz']:g}",
                str(r["lut"]),
                str(r["ff"]),
                str(r["dsp"]),
                f"{r['bram']} x {b['bram_kbits']} Kb",
                b["synth"],
            )
        out.print(t)

    _emit({"boards": rows}, as_json, pretty)


def _emit(result: dict, as_json: bool, pretty) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
    else:
        pretty()


def _print_summary(ir, title: str) -> None:
    t = Table(title=title)
    for col in ("layer", "kind", "output shape", "params", "formats"):
        t.add_column(col)
    fmts = ir.formats()
    for row, la, fin in zip(ir.summary(), ir.layers, fmts, strict=True):
        t.add_row(
            row["name"],
            row["kind"],
            str(row["output_shape"]),
            str(row["params"]),
            _formats(la, fin),
        )
    out.print(t)
    out.print(
        f"input {ir.input.shape} {ir.input.fmt or 'token ids'}; "
        f"output {ir.output_shape} {ir.output_format}"
    )


def _formats(la, fin) -> str:
    parts = []
    for key in ("kernel", "accum", "gate", "state", "cell", "result"):
        v = getattr(la, key, None)
        if v is not None:
            parts.append(f"{key}={getattr(v, 'fmt', v)}")
    if getattr(la, "forward", None) is not None:
        parts.append(f"forward=[{_formats(la.forward, fin)}]")
    return "\n".join(parts)


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 1."""
    try:
        app(standalone_mode=False)
    except FpgaRnnError as e:
        err.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as e:  # click usage errors
        import click

        if isinstance(e, click.ClickException):
            e.show()
            sys.exit(e.exit_code)
        raise


if __name__ == "__main__":
    main()
