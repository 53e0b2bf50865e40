"""The public Python API. Every CLI command is a thin layer over these functions.

Typical use from a training script::

    import fpga_rnn
    ir = fpga_rnn.import_model(keras_model, out="build/ir")   # or a .keras/.h5 path
    y = fpga_rnn.predict(ir, x_test)                          # bit-exact golden model
    s = fpga_rnn.Stream(ir); y_t = s.step(x_t)                # stateful, sample by sample
    report = fpga_rnn.compare(keras_model, ir, x_test)        # vs the float model
    info = fpga_rnn.generate_rtl(ir, "build/rtl", reuse=4)     # Verilog + ROMs + rtl.json
    res = fpga_rnn.verify(ir, x_test, targets=("golden", "rtl"))  # bit-exact check
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.backends import backend as _backend
from fpga_rnn.backends.streams import RANDOM
from fpga_rnn.errors import FpgaRnnError
from fpga_rnn.golden import predict as golden_predict
from fpga_rnn.golden.stream import Stream, check_stream_batch
from fpga_rnn.ir import Model
from fpga_rnn.limits import check_int
from fpga_rnn.loading import (
    KERAS_SUFFIXES,
    import_model,
    is_ir_dir,
    keras_source,
    load_array,
    load_model,
)
from fpga_rnn.train import train_model
from fpga_rnn.verification import Comparison, compare_float

PREDICTORS = ("golden", "float")  # what predict() runs: the fixed-point model or Keras

# The facade: what scripts import (also as ``fpga_rnn.X``); the modules below hold the work.
__all__ = [
    "Comparison",
    "Stream",
    "build_bitstream",
    "compare",
    "designer",
    "estimate_clock",
    "export_c",
    "fit_board",
    "generate_hls",
    "generate_rtl",
    "import_model",
    "is_ir_dir",
    "load_array",
    "load_model",
    "open_device",
    "package",
    "predict",
    "program_board",
    "run_flow",
    "synthesize",
    "train_model",
    "verify",
]


def predict(
    model: Model | str | Path,
    x: np.ndarray,
    *,
    target: str = "golden",
    saturate: bool = False,
    stateful: bool = False,
    chunk: int | None = None,
) -> np.ndarray:
    """Model output for a float batch ``x`` (B, T, F) or token ids (B, T).

    ``target="golden"``: the bit-exact fixed-point model; ``"float"``: the Keras
    model the IR came from (needs the model file). Inputs outside the input
    format's range are refused unless ``saturate`` (clipped, as the hardware would).
    ``stateful``: each row of ``x`` is a stream of samples of any length, fed
    ``chunk`` samples at a time (default: all at once) to a :class:`Stream` that
    keeps the state between chunks; the output has one entry per sample (B, T, ...),
    the same for every ``chunk``. Golden only.
    """
    if target not in PREDICTORS:
        raise FpgaRnnError(f"unknown target {target!r}; use one of {', '.join(PREDICTORS)}")
    if stateful:
        if target != "golden":
            raise FpgaRnnError("stateful prediction runs the golden model; use target='golden'")
        return _predict_stream(load_model(model), x, saturate, chunk)
    if chunk is not None:
        raise FpgaRnnError("chunk applies to stateful prediction; pass stateful=True")
    if target == "golden":
        return golden_predict(load_model(model), x, saturate=saturate)
    from fpga_rnn.golden import prepare_input
    from fpga_rnn.keras_import import keras_predict

    keras_model = keras_source(model)
    # A model file is read once: the IR comes from the already-loaded Keras model.
    is_file = isinstance(model, str | Path) and Path(model).suffix in KERAS_SUFFIXES
    ir = import_model(keras_model) if is_file else load_model(model)
    prepare_input(ir, x, saturate=saturate)  # same input checks for both targets
    return keras_predict(keras_model, np.asarray(x))


def _predict_stream(ir: Model, x: np.ndarray, saturate: bool, chunk: int | None) -> np.ndarray:
    arr = check_stream_batch(ir, x)
    t = arr.shape[1]
    step = t if chunk is None else check_int(chunk, "chunk", 1)
    s = Stream(ir, batch=arr.shape[0], saturate=saturate)
    parts = [s.run(arr[:, lo : lo + step]) for lo in range(0, t, step)]
    return np.concatenate(parts, axis=1) if parts else s.run(arr)  # T = 0: no samples


def compare(keras_model: Any, ir: Model, x: np.ndarray) -> Comparison:
    """Max/mean abs error and argmax agreement of golden vs float on ``x``."""
    if isinstance(keras_model, str | Path):
        keras_model = keras_source(keras_model)
    return compare_float(keras_model, ir, x)


def generate_rtl(
    model: Model | str | Path,
    out: str | Path,
    *,
    reuse: int | None = None,
    multipliers: int | None = None,
    mac_stages: int = 0,
    lane_stages: int = 0,
    max_timesteps: int | None = None,
    stream: bool = False,
    force: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """Write synthesizable Verilog for ``model`` to ``out``; returns rtl.json's content.

    Give either ``reuse`` (cycles each multiplier may take per MAC pass; 1 = fully
    parallel) or ``multipliers`` (the fastest design within that many). ``mac_stages``
    (0..6) and ``lane_stages`` (0..3): pipeline registers in the MAC engines and the
    cell lanes, for a higher clock at a few cycles per step (docs/latency.md).
    ``stream``: a stateful streaming design (docs/streaming.md): the state carries on
    across tlast, s_axis_tuser clears it, one output beat per input beat.
    """
    return _backend("rtl").generate(
        load_model(model),
        out,
        reuse=reuse,
        multipliers=multipliers,
        mac_stages=mac_stages,
        lane_stages=lane_stages,
        max_timesteps=max_timesteps,
        stream=stream,
        force=force,
        progress=progress,
    )


def generate_hls(
    model: Model | str | Path,
    out: str | Path,
    *,
    board: str = "pynq-z2",
    backend: str = "vitis",
    reuse: int = 1,
    io: str = "parallel",
    timesteps: int | None = None,
    csim: bool = False,
    stateful: bool = False,
    force: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """Write the hls4ml project (our kernels, every precision explicit, the board's part
    and clock) to ``out``; returns hls.json's content.

    ``backend``: hls4ml's (``vitis`` or ``vivado``). ``csim=True`` also compiles the
    C-simulation library with g++ (as hls4ml's ``compile()``), which checks the project builds.
    ``stateful``: a streaming project (state kept between calls, docs/streaming.md).
    """
    return _backend("hls").generate(
        load_model(model),
        out,
        board=board,
        backend=backend,
        reuse=reuse,
        io=io,
        timesteps=timesteps,
        csim=csim,
        stateful=stateful,
        force=force,
        progress=progress,
    )


def export_c(
    model: Model | str | Path,
    out: str | Path,
    *,
    max_timesteps: int | None = None,
    check: bool = True,
    force: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """Write the embedded C export (C99, integer arithmetic, no allocation) to ``out``;
    returns c.json's content.

    ``check=True`` also compiles it with ``-Wall -Wextra -Werror -pedantic`` for the
    host and, when arm-none-eabi-gcc is installed, measures the Cortex-M4 flash/RAM
    footprint (added to c.json).
    """
    return _backend("c").generate(
        load_model(model),
        out,
        max_timesteps=max_timesteps,
        check=check,
        force=force,
        progress=progress,
    )


def verify(
    model: Model | str | Path,
    x: np.ndarray | None = None,
    *,
    samples: int = 1000,
    seed: int = 0,
    targets: tuple[str, ...] = ("rtl",),
    reuse: int | None = None,
    multipliers: int | None = None,
    mac_stages: int = 0,
    lane_stages: int = 0,
    backpressure: int = 25,
    gap: int = 10,
    stateful: bool = False,
    chunk: int | str | None = None,
    stream_length: int | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Run ``targets`` (names in :data:`fpga_rnn.backends.TARGETS`: rtl, hls, c, c-arm) on
    the same inputs and compare each with golden (the reference), bit for bit.

    ``x``: float inputs (B, T, F) or token ids (B, T); default ``samples`` random
    sequences. Adds a float-model comparison when ``model`` is (or came from) a
    Keras file that still exists. See :func:`fpga_rnn.verification.verify` for the result.

    ``stateful=True``: each row is a stream fed in chunks of ``chunk`` samples (default
    "random" boundaries) with the state kept between chunks (docs/streaming.md); the
    RTL result adds the measured per-sample latency (``sample_latency_cycles``).
    """
    from fpga_rnn import verification as v

    if not stateful and (chunk is not None or stream_length is not None):
        raise FpgaRnnError(
            "chunk and stream_length apply to stateful verification; "
            "pass stateful=True (--stateful)"
        )
    ir = load_model(model)
    keras_model = None
    src = model if isinstance(model, str | Path) and Path(model).suffix in KERAS_SUFFIXES else None
    src = src or ir.source.get("file")
    if src and Path(src).exists():
        keras_model = keras_source(Path(src))
    return v.verify(
        ir,
        x,
        samples=samples,
        seed=seed,
        targets=targets,
        reuse=reuse,
        multipliers=multipliers,
        mac_stages=mac_stages,
        lane_stages=lane_stages,
        backpressure=backpressure,
        gap=gap,
        keras_model=None if stateful else keras_model,
        stateful=stateful,
        chunk=RANDOM if chunk is None else chunk,
        stream_length=stream_length,
        progress=progress,
    )


def estimate_clock(
    board: str | Path, *, mac_stages: int = 0, lane_stages: int = 0
) -> dict[str, Any]:
    """The clock to expect for a design with these pipeline stages on ``board``, from
    the nextpnr runs recorded with the package (timing_model.json): ``mhz``, ``basis``
    ("estimate", or "assumed" when only the board clock is known) and a ``note``."""
    from fpga_rnn.boards import load_board
    from fpga_rnn.timing import estimate

    return estimate(load_board(board), mac_stages, lane_stages).to_dict()


def synthesize(
    rtl_dir: str | Path,
    board: str | Path,
    *,
    out: str | Path | None = None,
    pnr: bool = True,
    clock_mhz: float | None = None,
    timeout: float | None = None,
    force: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """Synthesize a generated RTL directory for ``board`` with yosys (and nextpnr for
    iCE40/ECP5); writes ``out`` (default ``RTL_DIR/synth-BOARD``) and returns synth.json.

    Resources are LUT/FF/DSP/BRAM counts of the mapped netlist; ``fmax_mhz`` is the
    placed-and-routed clock where the family has an open flow, else None, and
    ``critical_path`` where it starts and ends. ``clock_mhz``: the target of nextpnr's
    timing-driven placement (default the board's clock); ``timeout``: seconds per tool.
    """
    from fpga_rnn.synth import synthesize as run

    return run(
        rtl_dir,
        board,
        out=out,
        pnr=pnr,
        clock_mhz=clock_mhz,
        timeout=timeout,
        force=force,
        progress=progress,
    ).to_dict()


def fit_board(
    model: Model | str | Path,
    board: str | Path,
    out: str | Path,
    *,
    max_utilisation: float = 0.8,
    force: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """The fastest parallelism of ``model`` that fits ``board`` (DSP predicted, then
    synthesized to check every resource); writes ``out`` and returns fit.json."""
    from fpga_rnn.fit import fit

    return fit(
        load_model(model),
        board,
        out,
        max_utilisation=max_utilisation,
        force=force,
        progress=progress,
    )


def run_flow(out: str | Path, **options: Any) -> dict[str, Any]:
    """Train -> import -> fit + synthesize -> verify -> report.html in ``out``; finished
    stages are reused unless ``force``. Options: see :func:`fpga_rnn.flow.flow`."""
    from fpga_rnn.flow import flow

    return flow(out, **options)


def build_bitstream(
    model: Model | str | Path, board: str | Path, out: str | Path, **options: Any
) -> dict[str, Any]:
    """The board design (core, serial link, board top, PLL, pins) and, unless
    ``design_only``, its bitstream for an open-toolchain board (ulx3s-85f, icebreaker):
    yosys -> nextpnr at the chosen clock -> ecppack/icepack. Writes ``out`` and returns
    bitstream.json. Options: see :func:`fpga_rnn.device.bitstream.build_bitstream`."""
    from fpga_rnn.device.bitstream import build_bitstream as run

    return run(load_model(model), board, out, **options)


def designer(
    port: int = 0,
    *,
    open_browser: bool = True,
    model: str | Path | None = None,
    announce: Any = print,
) -> None:
    """Serve the interactive designer on 127.0.0.1 (see ``fpga-rnn designer``) until
    interrupted; ``announce`` gets its URL (with the session token) first."""
    from fpga_rnn.designer.server import serve

    serve(port, open_browser=open_browser, model=model, announce=announce)


def package(model: Model | str | Path, board: str | Path, out: str | Path, **options: Any) -> Any:
    """The Zynq / PYNQ deployment package (docs/zynq.md) for ``model`` on a Zynq board
    (pynq-z2, zcu104, kv260): the design in its AXI wrapper (AXI-Stream for the AXI
    DMA, AXI4-Lite registers), Vivado scripts for the IP, block design and bitstream,
    and a PYNQ driver. Returns a :class:`~fpga_rnn.device.zynq.PackageResult`;
    ``package.json`` in ``out`` has the same and more. Options (``route`` rtl or hls,
    ``reuse``, ``multipliers``, ``mac_stages``, ``lane_stages``, ``timesteps``,
    ``dma_bits``, ``clock_mhz``, ``force``): see :func:`fpga_rnn.device.zynq.package`."""
    from fpga_rnn.device.zynq import package as run

    return run(load_model(model), board, Path(out), **options)


def open_device(
    port: str,
    model: Model | str | Path | None = None,
    *,
    design: str | Path | None = None,
    **options: Any,
) -> Any:
    """A :class:`fpga_rnn.device.runtime.Device` on a serial port, or with ``port="sim"``
    the simulated board of the board design directory ``design`` (started here, stopped
    by the device's ``close``). A board or design of another model is refused."""
    from fpga_rnn.device.runtime import Device

    ir = load_model(model) if model is not None else None
    if port == "sim":
        if design is None:
            raise FpgaRnnError(
                "--port sim needs the board design: --design DIR (fpga-rnn bitstream)"
            )
        return Device.simulated(design, ir, **options)
    return Device(port, ir, **options)


def program_board(folder: str | Path, board: str | Path, *, flash: bool = False) -> dict[str, Any]:
    """Load a bitstream directory onto a board with openFPGALoader."""
    from fpga_rnn.device.program import program

    return program(folder, board, flash=flash)
