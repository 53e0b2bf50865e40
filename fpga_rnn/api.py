"""The public Python API. Every CLI command is a thin layer over these functions.

Typical use from a training script::

    import fpga_rnn
    ir = fpga_rnn.import_model(keras_model, out="build/ir")   # or a .keras/.h5 path
    y = fpga_rnn.predict(ir, x_test)                          # bit-exact golden model
    report = fpga_rnn.compare(keras_model, ir, x_test)        # vs the float model
    info = fpga_rnn.generate_rtl(ir, "build/rtl", reuse=4)     # Verilog + ROMs + rtl.json
    res = fpga_rnn.verify(ir, x_test, targets=("golden", "rtl"))  # bit-exact check
"""

from __future__ import annotations

import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.errors import FpgaRnnError, InputError
from fpga_rnn.golden import predict as golden_predict
from fpga_rnn.ir import Model
from fpga_rnn.precision import DEFAULT_PRECISION, DEFAULT_TABLE_SIZE

KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")
TARGETS = ("golden", "float")


def is_ir_dir(path: str | Path) -> bool:
    return (Path(path) / "ir.json").is_file()


def import_model(
    model: Any,
    out: str | Path | None = None,
    *,
    precision: str = DEFAULT_PRECISION,
    table_size: int = DEFAULT_TABLE_SIZE,
    force: bool = False,
) -> Model:
    """Import a Keras/QKeras model (object or file) into the IR; save it to ``out``."""
    if out is not None and Path(out).exists() and not force:
        from fpga_rnn.outputs import check_writable

        check_writable(Path(out), force=False)  # fail before the slow import
    from fpga_rnn.keras_import import import_keras

    ir = import_keras(model, precision=precision, table_size=table_size)
    if out is not None:
        ir.save(out, force=force)
    return ir


def load_model(src: str | Path | Model, **import_options: Any) -> Model:
    """An IR from an IR directory, a ``.keras``/``.h5`` file, or an IR itself."""
    if isinstance(src, Model):
        return src
    p = Path(src)
    if is_ir_dir(p):
        return Model.load(p)
    if p.suffix in KERAS_SUFFIXES:
        return import_model(p, **import_options)
    if not p.exists():
        raise FpgaRnnError(f"{p} does not exist")
    raise FpgaRnnError(f"{p} is neither an IR directory (with ir.json) nor a .keras/.h5 model file")


def predict(
    model: Model | str | Path, x: np.ndarray, *, target: str = "golden", saturate: bool = False
) -> np.ndarray:
    """Model output for a float batch ``x`` (B, T, F) or token ids (B, T).

    ``target="golden"``: the bit-exact fixed-point model; ``"float"``: the Keras
    model the IR came from (needs the model file). Inputs outside the input
    format's range are refused unless ``saturate`` (clipped, as the hardware would).
    """
    if target not in TARGETS:
        raise FpgaRnnError(f"unknown target {target!r}; use one of {', '.join(TARGETS)}")
    if target == "golden":
        return golden_predict(load_model(model), x, saturate=saturate)
    from fpga_rnn.golden import prepare_input
    from fpga_rnn.keras_import import keras_predict

    keras_model = _keras_source(model)
    # A model file is read once: the IR comes from the already-loaded Keras model.
    is_file = isinstance(model, str | Path) and Path(model).suffix in KERAS_SUFFIXES
    ir = import_model(keras_model) if is_file else load_model(model)
    prepare_input(ir, x, saturate=saturate)  # same input checks for both targets
    return keras_predict(keras_model, np.asarray(x))


def _keras_source(model: Model | str | Path | Any):
    from fpga_rnn.keras_import import load_keras_model

    if isinstance(model, str | Path) and Path(model).suffix in KERAS_SUFFIXES:
        return load_keras_model(model)
    ir = load_model(model)
    f = ir.source.get("file")
    if not f or not Path(f).exists():
        raise FpgaRnnError(
            "the float target needs the Keras model: pass the .keras/.h5 file "
            "instead of the IR directory"
        )
    return load_keras_model(f)


@dataclass(frozen=True)
class Comparison:
    """Golden fixed-point model vs the float Keras model on the same inputs."""

    samples: int
    max_abs_error: float
    mean_abs_error: float
    argmax_agreement: float | None
    golden_seconds: float
    float_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare(keras_model: Any, ir: Model, x: np.ndarray) -> Comparison:
    """Max/mean abs error and argmax agreement of golden vs float on ``x``."""
    from fpga_rnn.keras_import import keras_predict

    if isinstance(keras_model, str | Path):
        keras_model = _keras_source(keras_model)
    t0 = time.perf_counter()
    g = golden_predict(ir, x)
    t1 = time.perf_counter()
    f = keras_predict(keras_model, np.asarray(x))
    t2 = time.perf_counter()
    if g.shape != f.shape:
        raise InputError(f"golden output {g.shape} and float output {f.shape} differ in shape")
    err = np.abs(g - f)
    agree = float(np.mean(g.argmax(-1) == f.argmax(-1))) if g.shape[-1] > 1 else None
    return Comparison(
        samples=len(x),
        max_abs_error=float(err.max()),
        mean_abs_error=float(err.mean()),
        argmax_agreement=agree,
        golden_seconds=t1 - t0,
        float_seconds=t2 - t1,
    )


def load_array(path: str | Path) -> np.ndarray:
    """Inputs from ``.npy``, or ``.npz`` (key ``x``, else the only array): real numbers only."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"input file {p} does not exist")
    try:
        data = np.load(p, allow_pickle=False)
        if isinstance(data, np.lib.npyio.NpzFile):
            with data:
                keys = data.files
                key = "x" if "x" in keys else keys[0] if len(keys) == 1 else None
                if key is None:
                    raise InputError(f"{p} holds {keys}; name the input array 'x'")
                data = data[key]  # read now: an object array fails here, as a ValueError
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"cannot read {p} as .npy/.npz ({why})") from None
    if data.dtype.kind not in "biuf":
        raise InputError(f"{p}: inputs must be real numbers, got dtype {data.dtype}")
    return data


def generate_rtl(
    model: Model | str | Path,
    out: str | Path,
    *,
    reuse: int | None = None,
    multipliers: int | None = None,
    max_timesteps: int | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Write synthesizable Verilog for ``model`` to ``out``; returns rtl.json's content.

    Give either ``reuse`` (cycles each multiplier may take per MAC pass; 1 = fully
    parallel) or ``multipliers`` (the fastest design within that many).
    """
    import json

    from fpga_rnn.outputs import check_writable
    from fpga_rnn.rtlgen import build

    if reuse is not None and multipliers is not None:
        raise FpgaRnnError("give --reuse or --multipliers, not both")
    check_writable(Path(out), force=force)
    ir = load_model(model)
    if multipliers is not None:
        d = build.design_for_multipliers(ir, multipliers, max_timesteps)
    else:
        d = build.design(ir, build.DEFAULT_REUSE if reuse is None else reuse, max_timesteps)
    path = build.write(d, Path(out), force=force)
    return json.loads((path / "rtl.json").read_text())


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
    force: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """Write the hls4ml project (our kernels from ``hls/``, every precision explicit,
    the board's part and clock) to ``out``; returns hls.json's content.

    ``csim=True`` also compiles the C-simulation library with g++ (as hls4ml's
    ``compile()``), which checks the project builds.
    """
    from fpga_rnn.hls.project import build_project

    ir = load_model(model)
    p = build_project(
        ir,
        out,
        board=board,
        backend=backend,
        reuse=reuse,
        io=io,
        timesteps=timesteps,
        csim=csim,
        force=force,
        progress=progress,
    )
    return p.info


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
    import shutil
    import tempfile

    from fpga_rnn import cgen, ctarget
    from fpga_rnn.outputs import check_writable

    check_writable(Path(out), force=force)
    ir = load_model(model)
    files, info = cgen.generate(ir, max_timesteps)
    if check:  # before writing: a failed check leaves nothing behind
        say = progress or (lambda _m: None)
        with tempfile.TemporaryDirectory(prefix="frnn-c-") as d:
            ctarget.place(Path(d), files)
            say("c: compiling for the host (gcc -Wall -Wextra -Werror -pedantic)")
            ctarget.build(Path(d), "host")
            if shutil.which("arm-none-eabi-gcc"):
                say("c: measuring the Cortex-M4 footprint (arm-none-eabi-gcc -O2)")
                info["cortex_m4"] = ctarget.footprint(Path(d))
    return cgen.save(files, info, out, force=force)


def verify(
    model: Model | str | Path,
    x: np.ndarray | None = None,
    *,
    samples: int = 1000,
    seed: int = 0,
    targets: tuple[str, ...] = ("golden", "rtl"),
    reuse: int | None = None,
    multipliers: int | None = None,
    backpressure: int = 25,
    gap: int = 10,
    progress: Any = None,
) -> dict[str, Any]:
    """Run ``targets`` on the same inputs and compare each with golden, bit for bit.

    ``x``: float inputs (B, T, F) or token ids (B, T); default ``samples`` random
    sequences. Adds a float-model comparison when ``model`` is (or came from) a
    Keras file that still exists. See :func:`fpga_rnn.verification.verify` for the result.
    """
    from fpga_rnn import verification as v

    ir = load_model(model)
    keras_model = None
    src = model if isinstance(model, str | Path) and Path(model).suffix in KERAS_SUFFIXES else None
    src = src or ir.source.get("file")
    if src and Path(src).exists():
        keras_model = _keras_source(Path(src))
    return v.verify(
        ir,
        x,
        samples=samples,
        seed=seed,
        targets=targets,
        reuse=reuse,
        multipliers=multipliers,
        backpressure=backpressure,
        gap=gap,
        keras_model=keras_model,
        progress=progress,
    )


def train_model(
    dataset: str,
    out: str | Path,
    *,
    arch: str = "lstm",
    units: int = 32,
    layers: int = 1,
    bits: int = 8,
    int_bits: int = 0,
    epochs: int = 100,
    seed: int = 0,
    float_baseline: bool = False,
    force: bool = False,
    progress: Any = None,
    **options: Any,
) -> dict[str, Any]:
    """QAT-train a QKeras model on ``dataset`` (a built-in name or a ``.npz``), import it,
    and score float vs golden on the test set; writes ``out/`` and returns metrics.json.

    ``options``: batch_size, learning_rate, patience, validation, precision
    (see :class:`fpga_rnn.train.TrainConfig`).
    """
    from fpga_rnn.models import ModelSpec
    from fpga_rnn.train import TrainConfig, train

    spec = ModelSpec(
        arch=arch,
        units=units,
        layers=layers,
        bits=bits,
        int_bits=int_bits,
        float_baseline=float_baseline,
    )
    cfg = TrainConfig(dataset=dataset, model=spec, epochs=epochs, seed=seed, **options)
    return train(cfg, out, force=force, progress=progress)


def synthesize(
    rtl_dir: str | Path,
    board: str | Path,
    *,
    out: str | Path | None = None,
    pnr: bool = True,
    force: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """Synthesize a generated RTL directory for ``board`` with yosys (and nextpnr for
    iCE40/ECP5); writes ``out`` (default ``RTL_DIR/synth-BOARD``) and returns synth.json.

    Resources are LUT/FF/DSP/BRAM counts of the mapped netlist; ``fmax_mhz`` is the
    placed-and-routed clock where the family has an open flow, else None.
    """
    from fpga_rnn.synth import synthesize as run

    return run(rtl_dir, board, out=out, pnr=pnr, force=force, progress=progress).to_dict()


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
