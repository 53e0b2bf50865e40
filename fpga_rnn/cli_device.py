"""``fpga-rnn bitstream | run | program``: from a model to a board and back (thin
wrappers over :func:`fpga_rnn.api.build_bitstream`, :func:`~fpga_rnn.api.open_device`
and :func:`~fpga_rnn.api.program_board`), added to the CLI by :func:`register`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from fpga_rnn import api
from fpga_rnn.backends.rtl.build import MAX_LANE_STAGES, MAX_MAC_STAGES
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
from fpga_rnn.device.protocol import DEFAULT_BAUD
from fpga_rnn.limits import MAX_REUSE, MAX_TIMESTEPS
from fpga_rnn.outputs import check_writable, save_npy, write_json
from fpga_rnn.synth import format_resources

OpenBoardOpt = Annotated[
    str,
    typer.Option("--board", help="ulx3s-85f or icebreaker (or a .yaml profile with an io: map)."),
]
BaudOpt = Annotated[int, typer.Option(min=300, max=12_000_000, help="Serial link speed (baud).")]

BITSTREAM_HELP = (
    "Build a bitstream for an open-toolchain board, and bitstream.json.\n\n"
    "The fastest design fit predicts to fit, the serial link (UART, framed requests with "
    "CRC-16, on-chip cycle count), a board top with the PLL at the chosen clock, pins from "
    "the board profile; then yosys -> nextpnr (timing-driven at that clock: a miss is an "
    "error) -> ecppack/icepack. --design-only stops before synthesis (enough for "
    "`fpga-rnn run --port sim`)."
)


def bitstream(
    model: ModelArg,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the design and image.")],
    board: OpenBoardOpt = "ulx3s-85f",
    clock_mhz: Annotated[
        float | None,
        typer.Option(min=1, max=1000, help="Design clock (default: 90 % of the Fmax estimate)."),
    ] = None,
    baud: BaudOpt = DEFAULT_BAUD,
    reuse: Annotated[
        int | None, typer.Option(min=1, max=MAX_REUSE, help="Reuse factor (default: fit's).")
    ] = None,
    mac_stages: Annotated[
        int | None,
        typer.Option(min=0, max=MAX_MAC_STAGES, help="MAC pipeline stages (default: fit's)."),
    ] = None,
    lane_stages: Annotated[
        int | None,
        typer.Option(min=0, max=MAX_LANE_STAGES, help="Cell-lane stages (default: fit's)."),
    ] = None,
    max_timesteps: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_TIMESTEPS, help="Longest sequence the link buffers."),
    ] = None,
    max_utilisation: Annotated[
        float, typer.Option(min=0.01, max=1.0, help="Share of each resource fit may plan for.")
    ] = 0.8,
    design_only: Annotated[
        bool, typer.Option("--design-only", help="Write the board design; no synthesis.")
    ] = False,
    allow_timing_fail: Annotated[
        bool,
        typer.Option("--allow-timing-fail", help="Keep a bitstream that misses its clock."),
    ] = False,
    timeout: Annotated[
        float | None, typer.Option(min=1, help="Seconds yosys and nextpnr may each run.")
    ] = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    r = api.build_bitstream(
        model,
        board,
        out_dir,
        clock_mhz=clock_mhz,
        baud=baud,
        reuse=reuse,
        mac_stages=mac_stages,
        lane_stages=lane_stages,
        max_timesteps=max_timesteps,
        max_utilisation=max_utilisation,
        design_only=design_only,
        allow_timing_fail=allow_timing_fail,
        timeout=timeout,
        force=force,
        progress=_progress,
    )

    def pretty() -> None:
        d, c = r["design"], r["clock"]
        out.print(
            f"{r['board']}: reuse {d['reuse']}, stages {d['mac_stages']}/{d['lane_stages']}, "
            f"{d['cycles_per_step']} cycles/step; clock {c['mhz']:g} MHz "
            f"({'PLL from ' if c['pll'] else ''}{c['osc_mhz']:g} MHz oscillator), "
            f"{r['baud']:.0f} baud"
        )
        if r["bitstream"]:
            out.print(
                f"{r['bitstream']} ({r['bitstream_bytes']} bytes): "
                f"{format_resources(r['resources'])}; Fmax {r['fmax_mhz']} MHz measured "
                f"({'meets' if r['meets_clock'] else 'MISSES'} {c['mhz']:g} MHz) -> {out_dir}"
            )
        else:
            out.print(f"design only (no synthesis) -> {out_dir}")

    _emit(r, as_json, pretty)


def run_cmd(
    model: ModelArg,
    port: Annotated[
        str,
        typer.Option(
            help="Serial port of the board (/dev/ttyUSB0), or `sim` for the "
            "simulated board of --design."
        ),
    ],
    input_file: Annotated[Path, typer.Option("--input", "-i", help="Inputs: .npy or .npz 'x'.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Output .npy file.")],
    design: Annotated[
        Path | None, typer.Option(help="The board design folder (fpga-rnn bitstream); for sim.")
    ] = None,
    baud: BaudOpt = DEFAULT_BAUD,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for an answer beyond the transfer.")
    ] = 5.0,
    check: Annotated[
        bool,
        typer.Option("--check", help="Compare with golden; exit 1 on any mismatch."),
    ] = False,
    saturate: Annotated[
        bool,
        typer.Option("--saturate", help="Clip inputs outside the input format's range."),
    ] = False,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Run a model on a board over its serial link; writes OUT.npy and OUT.json.

    The board measures each sequence's latency in clock cycles (first input beat to
    last output beat); OUT.json has them, the µs at the board's clock and the link's
    throughput."""
    check_writable(out_file, force=force)
    meta = out_file.with_suffix(".json")
    check_writable(meta, force=force)
    x = api.load_array(input_file)
    with api.open_device(port, model, design=design, baud=baud, timeout=timeout) as dev:
        pr = dev.predict(x, saturate=saturate, progress=_progress)
        info = dev.info
    save_npy(out_file, pr.y, force=force)
    summary = {
        "port": port,
        "input": str(input_file),
        "output": str(out_file),
        "board_digest": info.digest,
        **pr.to_dict(),
        "cycles": pr.cycles.tolist(),
    }
    write_json(meta, summary, force=force)
    bad = summary.get("mismatches", 0) if check else 0

    def pretty() -> None:
        out.print(
            f"{pr.to_dict()['sequences']} sequences -> {out_file}: {np.mean(pr.cycles):.0f} "
            f"cycles = {np.mean(pr.us):.2f} µs each on chip at {pr.clock_mhz:g} MHz; "
            f"{pr.sequences_per_second:.1f} sequences/s over the link"
        )
        if check:
            out.print(f"golden: {bad} mismatches")

    _emit(summary, as_json, pretty)
    if bad:
        _fail(f"{bad} of {len(pr.codes)} sequences differ from golden")


def program(
    folder: Annotated[Path, typer.Argument(help="A folder written by `fpga-rnn bitstream`.")],
    board: OpenBoardOpt = "ulx3s-85f",
    flash: Annotated[
        bool, typer.Option("--flash", help="Write the configuration flash (kept at power-off).")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Load a bitstream onto a board with openFPGALoader."""
    r = api.program_board(folder, board, flash=flash)
    _emit(r, as_json, lambda: out.print(f"{r['bitstream']} loaded onto {r['board']}"))


PACKAGE_HELP = (
    "Write a Zynq / PYNQ deployment package: the design in an AXI wrapper (AXI-Stream "
    "words for the AXI DMA, AXI4-Lite registers: status, digest, error flags; the RTL "
    "route also a cycle count and a soft reset), Tcl that makes the IP (Vivado for the "
    "RTL route, Vitis HLS for the HLS route), builds the block design (processing "
    "system, AXI DMA, the IP) and the bitstream with its .hwh, and a PYNQ driver. The "
    "wrapper and the driver's word format are verified by fpga-rnn's tests (Verilator, "
    "or g++ C-simulation for the HLS route); the Tcl is not run here. Writes package.json."
)


def package_cmd(
    model: ModelArg,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the package.")],
    board: Annotated[
        str, typer.Option("--board", help="A Zynq board: pynq-z2, zcu104 or kv260 (or a .yaml).")
    ] = "pynq-z2",
    route: Annotated[
        str,
        typer.Option(
            help="rtl: fpga-rnn's Verilog cores; hls: the hls4ml project under a C++ AXI top "
            "(--reuse is then hls4ml's reuse factor, default 1; see --timesteps)."
        ),
    ] = "rtl",
    reuse: Reuse = None,
    multipliers: Multipliers = None,
    mac_stages: MacStages = 0,
    lane_stages: LaneStages = 0,
    timesteps: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="HLS route: the longest sequence (default: the model's length, else 24).",
        ),
    ] = None,
    dma_bits: Annotated[int, typer.Option(help="AXI DMA stream width in bits: 32 or 64.")] = 32,
    clock_mhz: Annotated[
        float | None,
        typer.Option(min=1, max=1000, help="Fabric clock (default: the board profile's)."),
    ] = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    r = api.package(
        model,
        board,
        out_dir,
        route=route,
        reuse=reuse,
        multipliers=multipliers,
        mac_stages=mac_stages,
        lane_stages=lane_stages,
        timesteps=timesteps,
        dma_bits=dma_bits,
        clock_mhz=clock_mhz,
        force=force,
    )
    doc = r.to_json()

    def pretty() -> None:
        wf = r.word_format
        out.print(
            f"{r.board} ({r.part}): design {r.digest}, {wf['dma_bits']}-bit DMA words, "
            f"fabric clock {r.clock_mhz:g} MHz (profile; not timed) -> {out_dir}"
        )
        how = "Verilator" if r.route == "rtl" else "g++ C-simulation"
        first = "" if r.route == "rtl" else "vitis_hls -f hls_ip.tcl, then "
        out.print(
            f"verified here: the AXI wrapper and the driver's word format ({how}); "
            f"needs Vivado: {first}vivado -mode batch -source build_bitstream.tcl"
        )

    _emit(doc, as_json, pretty)


def register(app: typer.Typer) -> None:
    app.command(help=BITSTREAM_HELP)(bitstream)
    app.command("package", help=PACKAGE_HELP)(package_cmd)
    app.command("run")(run_cmd)
    app.command()(program)
