"""``fpga-rnn`` command line: thin wrappers over :mod:`fpga_rnn.api`."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from fpga_rnn import api
from fpga_rnn.backends import TARGETS
from fpga_rnn.backends.rtl.build import (
    DEFAULT_LANE_STAGES,
    DEFAULT_MAC_STAGES,
)
from fpga_rnn.cli_common import (
    AsJson,
    Force,
    LaneStages,
    MacStages,
    ModelArg,
    Multipliers,
    Reuse,
    _emit,
    _fail,
    _progress,
    out,
)
from fpga_rnn.errors import FpgaRnnError
from fpga_rnn.escape import printable
from fpga_rnn.ir.layers import MAX_TABLE, MIN_TABLE
from fpga_rnn.ir.precision import DEFAULT_PRECISION, DEFAULT_TABLE_SIZE
from fpga_rnn.limits import MAX_REUSE, MAX_SAMPLES, MAX_STALL_PERCENT, MAX_TIMESTEPS
from fpga_rnn.models import parse_projection
from fpga_rnn.outputs import check_writable, save_npy, write_json
from fpga_rnn.synth import format_resources

app = typer.Typer(
    help="Quantized RNNs (LSTM/GRU/SimpleRNN) from Keras/QKeras to FPGA firmware, "
    "verified bit-exact.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


HLS_HELP = (
    "Write the hls4ml HLS project and hls.json; check its C-simulation builds.\n\n"
    "The project uses our bit-exact RNN kernels (hls/), an explicit precision for "
    "every value, and the board's part and clock."
)

C_HELP = (
    "Export the model as portable C99 for microcontrollers and CPUs, and c.json.\n\n"
    "Integer arithmetic only, no allocation, weights and tables const (flash): "
    "fpga_rnn_model.h/.c and the runtime frnn_rt.h/.c; c.json has the flash/RAM footprint."
)

FLOW_HELP = (
    "The whole job: train, fit + synthesize, verify RTL and HLS, write report.html.\n\n"
    "Stages: QAT training, fit to the board (yosys), RTL verification (Verilator), the "
    "hls4ml project and its C-simulation, with --c-export the embedded C on the host and "
    "a Cortex-M4 (QEMU); report.html. Finished stages are reused unless --force."
)


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
        int,
        typer.Option(
            min=MIN_TABLE, max=MAX_TABLE, help="Entries per activation table (power of two)."
        ),
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
    saturate: Annotated[
        bool,
        typer.Option(
            "--saturate",
            help="Clip inputs outside the input format's range (as the hardware's input cast "
            "would) instead of refusing them.",
        ),
    ] = False,
    stateful: Annotated[
        bool,
        typer.Option(
            "--stateful",
            help="Each input row is a stream: the state is kept from sample to sample and "
            "the output has one entry per sample (B, T, ...). Golden only.",
        ),
    ] = False,
    chunk: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="With --stateful: feed N samples per call (the outputs do not depend on it).",
        ),
    ] = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Run a model on a batch of sequences; writes OUT.npy and OUT.json (summary)."""
    check_writable(out_file, force=force)
    meta = out_file.with_suffix(".json")
    check_writable(meta, force=force)
    x = api.load_array(input_file)
    t0 = time.perf_counter()
    y = api.predict(model, x, target=target, saturate=saturate, stateful=stateful, chunk=chunk)
    dt = time.perf_counter() - t0
    save_npy(out_file, y, force=force)
    summary = {
        "target": target,
        "stateful": stateful,
        "chunk": chunk,
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
        for col in ("name", "part", "MHz", "LUT", "FF", "DSP", "BRAM", "synthesis", "bitstream"):
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
                "yes (fpga-rnn bitstream)" if b["io"] else "-",
            )
        out.print(t)

    _emit({"boards": rows}, as_json, pretty)


@app.command()
def rtl(
    model: ModelArg,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Directory to write.")],
    reuse: Reuse = None,
    multipliers: Multipliers = None,
    mac_stages: MacStages = DEFAULT_MAC_STAGES,
    lane_stages: LaneStages = DEFAULT_LANE_STAGES,
    max_timesteps: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_TIMESTEPS,
            help="Longest sequence the Bidirectional/go_backwards buffers hold "
            "(default: the model's length, else 64).",
        ),
    ] = None,
    stream: Annotated[
        bool,
        typer.Option(
            "--stream",
            help="Stateful streaming design: the state carries on across tlast (which only "
            "closes an output chunk), s_axis_tuser clears it before a beat, every input beat "
            "gives an output beat. Not for Bidirectional or go_backwards layers.",
        ),
    ] = False,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Generate synthesizable Verilog: cores, top module (AXI-Stream), ROM images, rtl.json."""
    info = api.generate_rtl(
        model,
        out_dir,
        reuse=reuse,
        multipliers=multipliers,
        mac_stages=mac_stages,
        lane_stages=lane_stages,
        max_timesteps=max_timesteps,
        stream=stream,
        force=force,
    )

    def pretty() -> None:
        mode = ", streaming" if info["stream"] else ""
        t = Table(title=f"{out_dir} (top {info['top']}, reuse {info['reuse']}{mode})")
        for col in ("layer", "kind", "multipliers", "cycles/step", "bound/step", "sample latency"):
            t.add_column(col)
        for la in info["layers"]:
            t.add_row(
                la["name"],
                la["kind"],
                str(la.get("multipliers", 0)),
                str(la.get("cycles_per_step", "")),
                str(la.get("lower_bound_cycles_per_step", "")),
                str(la.get("sample_latency_cycles", "")),
            )
        out.print(t)
        out.print(
            f"s_axis_tdata {info['s_axis_tdata_width']} bits, m_axis_tdata "
            f"{info['m_axis_tdata_width']} bits; {len(info['files'])} Verilog files "
            f"(filelist.f), ROMs in mem/"
        )

    _emit(info, as_json, pretty)


@app.command()
def verify(
    model: ModelArg,
    input_file: Annotated[
        Path | None, typer.Option("--input", "-i", help="Inputs .npy/.npz; default random.")
    ] = None,
    samples: Annotated[
        int, typer.Option(min=1, max=MAX_SAMPLES, help="Random sequences when no --input.")
    ] = 1000,
    seed: Annotated[int, typer.Option(min=0, help="Seed for random inputs and stimulus.")] = 0,
    targets: Annotated[
        str,
        typer.Option(
            help="Comma-separated targets compared bit for bit with golden (the reference, "
            "always run): " + "; ".join(f"{t.name}: {t.summary}" for t in TARGETS.values()) + "."
        ),
    ] = "rtl",
    reuse: Reuse = None,
    multipliers: Multipliers = None,
    mac_stages: MacStages = DEFAULT_MAC_STAGES,
    lane_stages: LaneStages = DEFAULT_LANE_STAGES,
    backpressure: Annotated[
        int,
        typer.Option(
            min=0, max=MAX_STALL_PERCENT, help="Percent of cycles with m_axis_tready low (RTL run)."
        ),
    ] = 25,
    gap: Annotated[
        int,
        typer.Option(
            min=0, max=MAX_STALL_PERCENT, help="Percent of cycles with s_axis_tvalid low (RTL run)."
        ),
    ] = 10,
    stateful: Annotated[
        bool,
        typer.Option(
            "--stateful",
            help="Each input row (or random sample) is a stream fed in chunks with the state "
            "kept between them (RTL: a streaming design, tlast per chunk, tuser clears; C: "
            "get_state/set_state at each chunk end); compared with golden's whole streams.",
        ),
    ] = False,
    chunk: Annotated[
        str | None,
        typer.Option(
            help="With --stateful: samples per chunk, or 'random' (the default) for random "
            "chunk boundaries.",
        ),
    ] = None,
    stream_length: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_TIMESTEPS,
            help="With --stateful and no --input: samples per random stream "
            "(default: the model's length, else 24).",
        ),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the result JSON here.")
    ] = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Run targets on the same inputs; exit 0 only if all are bit-exact with golden."""
    if out_file is not None:
        check_writable(out_file, force=force)
    x = api.load_array(input_file) if input_file is not None else None
    names = tuple(t.strip() for t in targets.split(",") if t.strip())
    res = api.verify(
        model,
        x,
        samples=samples,
        seed=seed,
        targets=names,
        reuse=reuse,
        multipliers=multipliers,
        mac_stages=mac_stages,
        lane_stages=lane_stages,
        backpressure=backpressure,
        gap=gap,
        stateful=stateful,
        chunk=chunk,
        stream_length=stream_length,
        progress=_progress,
    )
    if out_file is not None:
        write_json(out_file, res, force=force)

    def pretty() -> None:
        what = (
            f"{res['streams']} streams of {res['stream_length']} samples in {res['chunks']} "
            f"chunks ({res['resets']} clears)"
            if stateful
            else f"{res['samples']} sequences"
        )
        t = Table(title=f"verify {res['model']}: {what} vs golden")
        for col in ("target", "mismatches", "bit-exact", "details"):
            t.add_column(col)
        for name, r in res["targets"].items():
            if not r.get("available", True):
                t.add_row(name, "-", Text("no", style="red"), r["reason"])
                continue
            det = ""
            if "latency_cycles" in r:
                det = (
                    f"latency {r['latency_cycles']} cycles ({r['timesteps']} steps, "
                    f"bound {r['lower_bound_cycles']}), II {r['initiation_interval_cycles']}, "
                    f"{r['samples_per_second_simulated']:.0f} seq/s simulated"
                )
            elif "sample_latency_cycles" in r:
                det = (
                    f"per-sample latency {r['sample_latency_cycles']} cycles, "
                    f"{r['cycles_per_sample']} cycles per sample streaming"
                )
            elif "csim_seconds" in r:
                det = f"C-simulation of {r['timesteps']} steps, {r['csim_seconds']:.2f} s"
            ok = Text("yes", style="green") if r["bit_exact"] else Text("no", style="red")
            t.add_row(name, str(r["mismatches"]), ok, det)
        out.print(t)
        if "float" in res:
            f = res["float"]
            out.print(
                f"float model: max |error| {f['max_abs_error']:.4g}, argmax agreement "
                f"{f['argmax_agreement']}"
            )

    _emit(res, as_json, pretty)
    if not res["bit_exact"]:
        raise typer.Exit(1)


# training options shared by `train` and `flow`
DatasetOpt = Annotated[
    str, typer.Option(help="Built-in dataset (fpga-rnn datasets) or a .npz file.")
]
ArchOpt = Annotated[
    str,
    typer.Option(
        help="lstm, gru, rnn, bilstm, bigru, or conv-lstm / conv-gru (a Conv1D + MaxPooling1D "
        "front-end first; fixed-length feature data)."
    ),
]
UnitsOpt = Annotated[int, typer.Option(min=1, max=4096, help="Units per recurrent layer.")]
BitsOpt = Annotated[int, typer.Option(min=2, max=32, help="Weight/bias bits (quantized_bits).")]
EpochsOpt = Annotated[int, typer.Option(min=1, help="Maximum epochs (early stopping).")]
SeedOpt = Annotated[int, typer.Option(min=0, help="Seed for weights, split and shuffling.")]
BoardOpt = Annotated[
    str,
    typer.Option(help="A built-in board name (see `fpga-rnn boards`) or your own .yaml profile."),
]


@app.command(help=HLS_HELP)
def hls(
    model: ModelArg,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Project directory to write.")],
    board: BoardOpt = "pynq-z2",
    backend: Annotated[str, typer.Option(help="hls4ml backend: vitis or vivado.")] = "vitis",
    reuse: Annotated[
        int,
        typer.Option(
            min=1, max=MAX_REUSE, help="hls4ml reuse factor (initiation interval of a time step)."
        ),
    ] = 1,
    io: Annotated[str, typer.Option(help="Interface: parallel (arrays).")] = "parallel",
    timesteps: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_TIMESTEPS,
            help="Sequence length of the design (default: the model's, else 24).",
        ),
    ] = None,
    csim: Annotated[
        bool, typer.Option("--csim/--no-csim", help="Also build the C-simulation (g++).")
    ] = True,
    stateful: Annotated[
        bool,
        typer.Option(
            "--stateful",
            help="Streaming project: each call is a chunk of --timesteps samples, the "
            "recurrent state kept between calls; a second input frnn_flags (per step: bit 0 "
            "valid, bit 1 clear the state first) drives it. Not for Bidirectional or "
            "go_backwards layers.",
        ),
    ] = False,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Write the hls4ml HLS project and hls.json; check its C-simulation builds."""
    info = api.generate_hls(
        model,
        out_dir,
        board=board,
        backend=backend,
        reuse=reuse,
        io=io,
        timesteps=timesteps,
        csim=csim,
        stateful=stateful,
        force=force,
        progress=_progress,
    )

    def pretty() -> None:
        t = Table(title=f"{out_dir} ({info['backend']}, {info['part']}, {info['clock_mhz']:g} MHz)")
        for col in ("layer", "kernel", "output", "type"):
            t.add_column(col)
        for la in info["layers"]:
            t.add_row(la["name"], la["kernel"], str(la["output_shape"]), la["output_type"])
        out.print(t)
        out.print(f"build with: cd {out_dir} && {info['build_command']}")

    _emit(info, as_json, pretty)


@app.command(name="c", help=C_HELP)
def c_export(
    model: ModelArg,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Directory to write.")],
    max_timesteps: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_TIMESTEPS,
            help="Longest sequence run_sequence() accepts (default: the model's, else 64).",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check/--no-check", help="Compile it (-Werror) and measure the footprint."),
    ] = True,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Export the model as portable C99 for microcontrollers and CPUs, and c.json."""
    info = api.export_c(
        model, out_dir, max_timesteps=max_timesteps, check=check, force=force, progress=_progress
    )

    def pretty() -> None:
        fp = info.get("cortex_m4")
        out.print(
            f"{out_dir}: {', '.join(info['files'])}; weights and tables "
            f"{info['flash_bytes_weights']:,} bytes (flash), buffers {info['ram_bytes_buffers']:,} "
            "bytes (RAM)"
        )
        if fp:
            out.print(
                f"Cortex-M4 (arm-none-eabi-gcc -O2): flash {fp['flash_bytes']:,} bytes, "
                f"static RAM {fp['ram_bytes']:,} bytes"
            )
        step = "step() and run_sequence()" if info["can_step"] else "run_sequence() only"
        out.print(f"API: fpga_rnn_model_reset(), {step}; see fpga_rnn_model.h")

    _emit(info, as_json, pretty)


@app.command()
def synth(
    rtl_dir: Annotated[Path, typer.Argument(help="A directory written by `fpga-rnn rtl`.")],
    board: BoardOpt,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results folder (default RTL_DIR/synth-BOARD)."),
    ] = None,
    pnr: Annotated[
        bool,
        typer.Option(help="Place and route with nextpnr where the family has it (iCE40, ECP5)."),
    ] = True,
    clock_mhz: Annotated[
        float | None,
        typer.Option(
            min=1,
            max=2000,
            help="Clock nextpnr's timing-driven placement aims at (default: the board's).",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=1,
            help="Seconds yosys and nextpnr may each run before they are stopped "
            "(default $FPGA_RNN_TOOL_TIMEOUT or 4 hours); earlier results are kept.",
        ),
    ] = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Synthesize generated RTL with yosys (+ nextpnr): LUT/FF/DSP/BRAM, Fmax, synth.json."""

    r = api.synthesize(
        rtl_dir,
        board,
        out=out_dir,
        pnr=pnr,
        clock_mhz=clock_mhz,
        timeout=timeout,
        force=force,
        progress=_progress,
    )

    def pretty() -> None:
        t = Table(title=f"{rtl_dir} on {r['board']} ({r['part']}), top {r['top']}")
        for col in ("resource", "used", "available", "utilisation"):
            t.add_column(col, justify="right")
        for k, v in r["resources"].items():
            lim = r["limits"].get(k)
            util = f"{100 * v / lim:.1f} %" if lim else "-"
            t.add_row(k.upper(), f"{v:g}", str(lim or "-"), util)
        out.print(t)
        fmax = r["fmax_mhz"]
        timing = (
            f"Fmax {fmax:.1f} MHz (board clock {r['clock_mhz']:g} MHz: "
            f"{'met' if r['meets_clock'] else 'NOT met'})"
            if fmax is not None
            else "no open place-and-route for this family: Fmax not measured"
        )
        out.print(f"{'fits' if r['fits'] else 'DOES NOT FIT'}; {timing}")
        cp = r.get("critical_path")
        if cp:
            out.print(
                f"critical path {cp['delay_ns']} ns ({cp['logic_ns']} logic, "
                f"{cp['routing_ns']} routing): {cp['from']} -> {cp['to']}"
            )
        lv = r.get("logic_levels")
        if lv:
            out.print(f"deepest logic: {lv['levels']} levels, {lv['from']} -> {lv['to']}")

    _emit(r, as_json, pretty)


@app.command()
def fit(
    model: ModelArg,
    board: BoardOpt,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for rtl/, synth-BOARD/ and fit.json.")
    ],
    max_utilisation: Annotated[
        float,
        typer.Option(min=0.01, max=1.0, help="Share of each board resource the design may use."),
    ] = 0.8,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Pick the fastest parallelism that fits the board, and prove it by synthesis.

    DSP is predicted exactly; on Xilinx parts LUT/FF/BRAM come from the per-core
    resource model, whose error against yosys is printed and written to fit.json.
    """

    r = api.fit_board(
        model, board, out_dir, max_utilisation=max_utilisation, force=force, progress=_progress
    )

    def pretty() -> None:
        c = r["chosen"]
        out.print(
            f"{r['board']}: reuse {c['reuse']}, pipeline stages MAC {c['mac_stages']} / "
            f"lane {c['lane_stages']}, {c['multipliers']} multipliers, "
            f"{c['cycles_per_step']} cycles/step = {r['latency_us_per_step']:g} µs/step at "
            f"{r['clock_mhz']:g} MHz ({r['clock_basis']}); synthesized "
            f"{format_resources(c['resources'])} -> {out_dir}"
        )
        rm = r.get("resource_model")
        if rm:
            errs = ", ".join(
                f"{k.upper()} {100 * v:+.1f} %" for k, v in rm["error"].items() if v is not None
            )
            out.print(f"resource model vs synthesis: {errs}")

    _emit(r, as_json, pretty)


@app.command(help=FLOW_HELP)
def flow(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Flow folder.")] = Path("runs/flow"),
    dataset: DatasetOpt = "japanese-vowels",
    board: BoardOpt = "pynq-z2",
    arch: ArchOpt = "lstm",
    units: UnitsOpt = 16,
    bits: BitsOpt = 8,
    epochs: EpochsOpt = 100,
    seed: SeedOpt = 0,
    int_bits: Annotated[int, typer.Option(min=0, max=31, help="Integer bits of weights.")] = 0,
    layers: Annotated[int, typer.Option(min=1, max=8, help="Recurrent layers.")] = 1,
    state_bits: Annotated[
        int, typer.Option(min=0, max=32, help="Recurrent state bits in training (0: off).")
    ] = 0,
    c_export: Annotated[
        bool,
        typer.Option(
            "--c-export/--no-c-export",
            help="Also export embedded C and verify it (host gcc, Cortex-M4 under QEMU).",
        ),
    ] = False,
    from_sweep: Annotated[
        Path | None,
        typer.Option(help="A sweep folder: build one of its points (its trained model)."),
    ] = None,
    pick: Annotated[
        str,
        typer.Option(
            help="With --from-sweep: a trial id, a configuration, best, or best-under-us=X "
            "(the most accurate within X µs on --board)."
        ),
    ] = "best",
    design: Annotated[
        Path | None,
        typer.Option(
            help="A designer.json (fpga-rnn designer's export) to train instead of --arch."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Redo every stage instead of reusing finished ones.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """The whole job: train, fit + synthesize, verify RTL and HLS, write report.html."""
    opts = {"dataset": dataset, "arch": arch, "units": units, "bits": bits, "epochs": epochs}
    opts |= {"seed": seed, "int_bits": int_bits, "layers": layers, "trained": None}
    opts["state_bits"] = state_bits
    opts["design"] = design
    if from_sweep is not None:
        from fpga_rnn.sweep.pick import pick as pick_point

        chosen = pick_point(from_sweep, pick, board)
        c = chosen["config"]
        opts = {k: c[k] for k in ("dataset", "arch", "units", "bits", "epochs", "seed")}
        opts |= {"int_bits": c["int_bits"], "layers": c["layers"]}
        opts["state_bits"] = c.get("state_bits", 0)
        opts["trained"] = Path(chosen["run_dir"])
        _progress(f"flow: sweep point {chosen['id']} ({pick})")
    r = api.run_flow(out_dir, c_export=c_export, board=board, force=force, progress=_progress,
                     **opts)  # fmt: skip

    def pretty() -> None:
        s = r["summary"]
        out.print(
            f"accuracy float {s['accuracy']['float']} / fixed {s['accuracy']['golden']}; "
            f"bit-exact {s['bit_exact']}; latency {s['latency_cycles']} cycles at reuse "
            f"{s['reuse']}; {s['board']}: {format_resources(s['resources'])}"
        )
        out.print(f"report: {s['report']}")

    _emit(r, as_json, pretty)


@app.command()
def datasets(as_json: AsJson = False) -> None:
    """List the built-in datasets (shapes, classes); all ship offline."""
    from fpga_rnn.datasets import DATASETS, load_dataset

    rows = [load_dataset(n).summary() for n in DATASETS]

    def pretty() -> None:
        t = Table(title="built-in datasets (--dataset NAME, or your own .npz)")
        for col in ("name", "task", "train/test", "steps", "features", "outputs", "about"):
            t.add_column(col)
        for r in rows:
            steps = (
                str(r["timesteps"])
                if r["min_length"] == r["timesteps"]
                else (f"{r['min_length']}-{r['timesteps']}")
            )
            t.add_row(
                r["name"],
                r["task"],
                f"{r['train']}/{r['test']}",
                steps,
                str(r["features"]),
                str(r["outputs"]),
                r["description"],
            )
        out.print(t)

    _emit({"datasets": rows}, as_json, pretty)


@app.command()
def train(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Run directory to write.")],
    dataset: DatasetOpt = "japanese-vowels",
    arch: ArchOpt = "lstm",
    units: UnitsOpt = 32,
    layers: Annotated[int, typer.Option(min=1, max=16, help="Stacked recurrent layers.")] = 1,
    bits: BitsOpt = 8,
    int_bits: Annotated[int, typer.Option(min=0, help="Integer bits of the weights.")] = 0,
    state_bits: Annotated[
        int,
        typer.Option(
            min=0,
            max=32,
            help="Quantize the recurrent state (h, and c) to this many bits in training, "
            "[-1, 1) (QKeras state_quantizer); the hardware keeps it in that format. 0: off.",
        ),
    ] = 0,
    precision: Annotated[
        str,
        typer.Option(
            help="Hardware format of inputs, state and activations, e.g. ap_fixed<8,3> "
            "(the activation bits; weights take --bits)."
        ),
    ] = DEFAULT_PRECISION,
    epochs: EpochsOpt = 100,
    seed: SeedOpt = 0,
    patience: Annotated[int, typer.Option(min=0, help="Early-stopping patience (epochs).")] = 20,
    float_baseline: Annotated[
        bool, typer.Option("--float", help="Train the same architecture without quantizers.")
    ] = False,
    conv_filters: Annotated[
        int, typer.Option(min=1, max=1024, help="conv-* archs: Conv1D filters.")
    ] = 16,
    conv_kernel: Annotated[
        int, typer.Option(min=1, max=64, help="conv-* archs: Conv1D kernel size (causal).")
    ] = 3,
    pool: Annotated[
        int, typer.Option(min=1, max=64, help="conv-* archs: MaxPooling1D size (1: none).")
    ] = 2,
    projection: Annotated[
        str,
        typer.Option(
            metavar="IN,OUT",
            help="--arch lstm/conv-lstm: a projected LSTM (MATLAB's lstmProjectedLayer) with "
            "input and output projector sizes, e.g. 8,8; IN 0: no input projector.",
        ),
    ] = "",
    design: Annotated[
        Path | None,
        typer.Option(
            help="A designer.json (fpga-rnn designer's export) to train instead of --arch; "
            "its input must match the dataset."
        ),
    ] = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Quantization-aware training, then the golden fixed-point model on the test set."""
    metrics = api.train_model(
        dataset,
        out_dir,
        arch=arch,
        units=units,
        layers=layers,
        bits=bits,
        int_bits=int_bits,
        state_bits=state_bits,
        precision=precision,
        epochs=epochs,
        seed=seed,
        float_baseline=float_baseline,
        conv_filters=conv_filters,
        conv_kernel=conv_kernel,
        pool=pool,
        projection=parse_projection(projection),
        design=design,
        patience=patience,
        force=force,
        progress=_progress,
    )

    def pretty() -> None:
        f, g = metrics["float"], metrics["golden"]
        key = "accuracy" if "accuracy" in f else "rmse"
        out.print(
            f"{metrics['model']} on {metrics['dataset']['name']}: {key} float "
            f"{f[key]:.4f}, fixed point (golden) {g[key]:.4f}; "
            f"{metrics['epochs_run']} epochs in {metrics['train_seconds']:.0f} s -> {out_dir}"
        )

    _emit(metrics, as_json, pretty)


@app.command()
def designer(
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")
    ] = 0,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Only print the URL; open no browser.")
    ] = False,
    model: Annotated[
        Path | None,
        typer.Option(help="Open this .keras/.h5 model, IR directory or designer.json."),
    ] = None,
) -> None:
    """Compose a recurrent model in the browser and see its hardware cost on every edit.

    Serves a page on 127.0.0.1 only; the first line printed is its URL, with a random
    token every request must carry. Ctrl-C stops it (and any training or synthesis).
    """
    api.designer(port, open_browser=not no_browser, model=model, announce=_announce)


def _announce(url: str) -> None:
    print(url, flush=True)  # the first line: scripts and tests read it


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
            # one line per format: each escaped, the line breaks kept
            Text("\n".join(printable(p) for p in _formats(la, fin).split("\n"))),
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
    pj = getattr(la, "projector", None)
    if pj is not None:  # projected LSTM: h' = Qo^T h feeds U
        po = pj.kernel.shape[1]
        parts.insert(0, f"projection Po={po} (h'={pj.result}, sums {pj.accum})")
    if getattr(la, "forward", None) is not None:
        parts.append(f"forward=[{_formats(la.forward, fin)}]")
    w = getattr(la, "window", None)
    if w is not None:  # Conv1D / pooling geometry
        parts.insert(0, f"window={w.taps} strides={w.strides} dilation={w.dilation} {w.padding}")
    return "\n".join(parts)


def _interrupt(signum: int, _frame: object) -> None:
    from fpga_rnn.procs import stop_descendants

    stop_descendants()  # build tools started by libraries would outlive us otherwise
    raise KeyboardInterrupt


# the board commands (bitstream, run, program) and sweep (registered on this module's app, also
# when it runs as __main__)
from fpga_rnn.cli_device import register as _register_device  # noqa: E402
from fpga_rnn.cli_sweep import register as _register_sweep  # noqa: E402

_register_device(app)
_register_sweep(app)


def main() -> None:
    """Entry point: every failure is one line on stderr and a non-zero exit code.

    Usage errors exit 2 (as click's), user errors 1, an interrupt 130; anything else
    is a bug in fpga-rnn, shown as one line too (FPGA_RNN_DEBUG=1 shows the traceback).
    """
    for sig in (signal.SIGTERM, signal.SIGHUP):  # clean up (temp folders, tools) as on Ctrl-C
        signal.signal(sig, _interrupt)
    try:
        rv = app(
            standalone_mode=False, prog_name="fpga-rnn"
        )  # click returns (not raises) typer.Exit's code here
        if rv == 130:  # typer turns KeyboardInterrupt (and so SIGTERM) into exit code 130
            _fail("interrupted", 130)
        if isinstance(rv, int) and rv:
            sys.exit(rv)
    except FpgaRnnError as e:
        _fail(str(e))
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", 130)
    except typer.TyperException as e:  # typer's click: usage errors, bad option values
        code = getattr(e, "exit_code", 2)
        if not e.format_message().strip():  # no arguments: the help was printed
            sys.exit(code)
        hint = ""
        ctx = getattr(e, "ctx", None)
        if ctx is not None:
            hint = f" (see `{ctx.command_path} --help`)"
        _fail(f"{e.format_message()}{hint}", code)
    except OSError as e:  # a path that is a folder, not writable, a full disk
        where = f": {e.filename}" if e.filename else ""
        _fail(f"{e.strerror or e}{where}")
    except MemoryError:
        _fail("out of memory; process the data in smaller batches")
    except Exception as e:
        if os.environ.get("FPGA_RNN_DEBUG"):
            raise
        _fail(
            f"internal error ({type(e).__name__}: {e}); this is a bug in fpga-rnn, please "
            "report it (FPGA_RNN_DEBUG=1 shows the traceback)"
        )


if __name__ == "__main__":
    main()
