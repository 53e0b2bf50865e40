"""Build the hls4ml project for an IR model and run its C-simulation.

The hls4ml graph is made from the IR directly (``ModelGraph.from_layer_list``), one
``FrnnLayer`` per IR layer plus a node computing the per-step valid flags, so the
Keras converter and its RNN defects are never on the path. Board part and clock
come from the board profile; every format is explicit.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.backends.hls import kinds
from fpga_rnn.boards import Board, load_board
from fpga_rnn.errors import InputError, ToolError, UnsupportedError
from fpga_rnn.escape import check_identifier, tcl_word
from fpga_rnn.ir.kinds import hls_header
from fpga_rnn.ir.model import Model
from fpga_rnn.limits import MAX_REUSE, MAX_TIMESTEPS, check_int
from fpga_rnn.outputs import atomic_dir, cache_dir, write_json

BACKENDS = ("vitis", "vivado")
IO_TYPES = ("parallel",)
HLS_TOOL = {"vitis": "vitis_hls", "vivado": "vivado_hls"}
INPUT_NAME = "frnn_input"
FLAGS_NAME = "frnn_flags"  # stateful projects: per step, bit 0 valid, bit 1 clear the state
FLAGS_TYPE = "ap_uint<2>"
FLAG_VALID, FLAG_CLEAR = 1, 2
PROJECT = "frnn_model"
CODES_HEADER = "frnn_codes.h"
DEFAULT_TIMESTEPS = 24  # designs for models without a fixed length
# hls4ml 1.3.0's build_lib.sh: the line that sets the project folder
_BASEDIR = 'BASEDIR="$(cd "$(dirname "$0")" && pwd)"'
_BASEDIR_ENV = "FRNN_HLS_PROJECT_DIR"


@dataclass
class HlsProject:
    """A written (and possibly compiled) hls4ml project."""

    path: Path
    info: dict[str, Any]  # what hls.json holds
    graph: Any  # hls4ml ModelGraph

    def compile(self, final: Path, progress: Callable[[str], None] | None = None) -> None:
        """Build the C-simulation library in ``self.path`` for a project that will live
        at ``final``: hls4ml's build_lib.sh bakes the absolute folder of the weight
        files into the library (read at the first call), so it is told ``final``."""
        say = progress or (lambda _m: None)
        say("hls: compiling the C-simulation library (g++)")
        if any(c in str(final.resolve()) for c in '"\\$`\n'):
            raise InputError(f"{final}: a path with quotes, $, ` or \\ cannot hold a C-simulation")
        script = self.path / "build_lib.sh"
        text = script.read_text()
        if _BASEDIR not in text:
            raise ToolError(f"unexpected hls4ml build_lib.sh in {self.path} (hls4ml version?)")
        # the folder stays overridable only here; run by hand it is the script's own
        script.write_text(
            text.replace(_BASEDIR, f'BASEDIR="${{{_BASEDIR_ENV}:-$(cd "$(dirname "$0")" && pwd)}}"')
        )
        t0 = time.perf_counter()
        old = os.environ.get(_BASEDIR_ENV)
        os.environ[_BASEDIR_ENV] = str(final.resolve())
        try:
            self.graph._compile()  # hls4ml's compile() would re-write build_lib.sh first
        except Exception as e:  # hls4ml raises bare Exceptions for g++ failures
            raise ToolError(f"HLS C-simulation build failed: {e}") from e
        finally:
            if old is None:
                os.environ.pop(_BASEDIR_ENV, None)
            else:
                os.environ[_BASEDIR_ENV] = old
        self.info["compile_seconds"] = round(time.perf_counter() - t0, 1)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """C-simulation outputs (floats, exact values of the result type) for a
        padded batch shaped like the design's input."""
        n = x.shape[0]
        flat = np.ascontiguousarray(np.asarray(x, np.float64).reshape(n, -1))
        y = np.asarray(self.graph.predict(flat), np.float64)
        return y.reshape(n, *self.info["output_shape"])

    def predict_chunks(self, x: np.ndarray, flags: np.ndarray) -> np.ndarray:
        """Outputs for ``x`` (N, T, ...) with the per-step ``flags`` (N, T) of a project
        that takes them (``flags_input``): FLAG_VALID on the steps (the others hold the
        state); a stateful project carries the state from each call to the next in call
        order, FLAG_CLEAR zeroing it before a step."""
        if "flags_input" not in self.info:
            raise InputError(
                "this HLS project takes no flags input (build it with stateful=True or "
                "flags_input=True)"
            )
        n = x.shape[0]
        flat = np.ascontiguousarray(np.asarray(x, np.float64).reshape(n, -1))
        f = np.ascontiguousarray(np.asarray(flags, np.float64).reshape(n, -1))
        y = np.asarray(self.graph.predict([flat, f]), np.float64)
        return y.reshape(n, *self.info["output_shape"])


def _check_board(board: Board) -> None:
    if board.vendor != "xilinx":
        raise UnsupportedError(
            f"hls4ml's Vivado/Vitis backends target Xilinx parts; board {board.name!r} is "
            f"{board.vendor} {board.family} (use `fpga-rnn rtl` for it)"
        )


def timesteps_for(model: Model, timesteps: int | None) -> int:
    t = model.input.timesteps
    if timesteps is not None:
        check_int(timesteps, "timesteps", 1, MAX_TIMESTEPS)
    if t is not None and timesteps is not None and timesteps != t:
        raise InputError(f"model has a fixed length of {t} steps, not {timesteps}")
    t = t or timesteps or DEFAULT_TIMESTEPS
    if t < 1:
        raise InputError(f"timesteps must be >= 1, got {t}")
    return t


def _layer_list(
    model: Model, nodes: list[kinds.Node], flags_input: bool = False
) -> list[dict[str, Any]]:
    """hls4ml's layer list: the input, the valid-flags node (a project with a flags
    input takes them as a second input instead), then one FrnnLayer per IR layer."""
    spec = model.input
    t = nodes[0].out_shape[0]
    shape = [t] + ([] if spec.tokens else [spec.features])
    for node in nodes:  # hls4ml writes layer names into C++ identifiers and comments
        check_identifier(node.name, "HLS layer name")
    out: list[dict[str, Any]] = [
        {"class_name": "InputLayer", "name": INPUT_NAME, "input_shape": shape}
    ]
    flags = nodes[0].name
    if flags_input:
        out.append({"class_name": "InputLayer", "name": FLAGS_NAME, "input_shape": [t]})
        flags, nodes = FLAGS_NAME, nodes[1:]
    prev = INPUT_NAME
    for node in nodes:
        inputs = [prev, flags] if node.takes_valid else [prev]
        out.append(
            {"class_name": "FrnnLayer", "name": node.name, "inputs": inputs, "frnn_node": node}
        )
        if node.name != flags:
            prev = node.name
    return out


def _config(
    model: Model, path: Path, board: Board, backend: str, reuse: int, flags_input: bool
) -> dict[str, Any]:
    from hls4ml.utils.config import create_config

    cfg = create_config(
        output_dir=str(path),
        project_name=PROJECT,
        backend=backend.capitalize(),
        part=tcl_word(board.part, "board part"),  # hls4ml writes it into project.tcl
        clock_period=round(board.clock_period_ns, 3),
        io_type="io_parallel",
    )
    cfg["HLSConfig"] = {
        "Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": reuse, "Strategy": "Latency"},
        "LayerName": {INPUT_NAME: {"Precision": {"result": kinds.input_type(model)}}},
    }
    if flags_input:
        cfg["HLSConfig"]["LayerName"][FLAGS_NAME] = {"Precision": {"result": FLAGS_TYPE}}
    return cfg


def _kernels_key() -> str:
    from fpga_rnn.backends.hls.extension import kernel_dir

    h = hashlib.sha256()
    for f in sorted(kernel_dir().glob("*.h")):
        h.update(f.read_bytes())
    h.update(Path(kinds.__file__).read_bytes())
    h.update(hls_header().encode())
    return h.hexdigest()[:12]


def build_project(
    model: Model,
    out: str | Path,
    *,
    board: str | Board = "pynq-z2",
    backend: str = "vitis",
    reuse: int = 1,
    timesteps: int | None = None,
    io: str = "parallel",
    csim: bool = False,
    stateful: bool = False,
    flags_input: bool = False,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> HlsProject:
    """Write the hls4ml project for ``model`` to ``out`` (atomically) and hls.json; with
    ``csim`` compile its C-simulation first, so ``out`` appears only complete.
    ``stateful``: the recurrent state is kept between calls, and a second input
    (``frnn_flags``, per step: bit 0 valid, bit 1 clear the state first) drives it;
    every recurrent layer emits each step (docs/streaming.md). ``flags_input``: the same
    second input on a sequence project, bit 0 only (the steps that are not the
    sequence's hold the state: the Zynq package's HLS route, docs/zynq.md)."""
    import hls4ml
    from hls4ml.model.graph import ModelGraph

    from fpga_rnn.backends.hls.extension import register

    say = progress or (lambda _m: None)
    b = board if isinstance(board, Board) else load_board(board)
    _check_board(b)
    if backend not in BACKENDS:
        raise InputError(f"unknown HLS backend {backend!r}; choose from {', '.join(BACKENDS)}")
    if io not in IO_TYPES:
        raise UnsupportedError(f"--io {io} is not supported yet; use --io parallel")
    check_int(reuse, "reuse factor", 1, MAX_REUSE)
    t = timesteps_for(model, timesteps)
    nodes = kinds.nodes(model, t, reuse, stateful)
    flags_input = flags_input or stateful
    register()
    out = Path(out)
    with atomic_dir(out, force=force) as tmp:
        say(f"hls: writing the hls4ml project ({backend}, {b.part}, {b.clock_mhz:g} MHz)")
        graph = ModelGraph.from_layer_list(
            _config(model, tmp, b, backend, reuse, flags_input),
            _layer_list(model, nodes, flags_input),
            inputs=[INPUT_NAME, FLAGS_NAME] if flags_input else None,
        )
        graph.write()
        # the codes the kernels share with every backend, rendered from the kinds table
        (tmp / "firmware" / "nnet_utils" / CODES_HEADER).write_text(hls_header())
        info = {
            "model": model.name,
            "board": b.name,
            "part": b.part,
            "clock_mhz": b.clock_mhz,
            "clock_period_ns": round(b.clock_period_ns, 3),
            "backend": backend,
            "io_type": "io_parallel",
            "reuse_factor": reuse,
            "timesteps": t,
            "stateful": stateful,
            **({"flags_input": f"{FLAGS_NAME}[{t}] {FLAGS_TYPE}"} if flags_input else {}),
            "hls4ml_version": hls4ml.__version__,
            "project_name": PROJECT,
            "input_shape": [t] + ([] if model.input.tokens else [model.input.features]),
            "input_type": kinds.input_type(model),
            "output_shape": list(nodes[-1].out_shape),
            "output_type": nodes[-1].out_type,
            "layers": [
                {
                    "name": n.name,
                    "kernel": n.func,
                    "output_shape": list(n.out_shape),
                    "output_type": n.out_type,
                }
                for n in nodes
            ],
            "build_command": f"{HLS_TOOL[backend]} -f build_prj.tcl",
            "resources_estimate": None,  # hls4ml gives none without the vendor tool
        }
        project = HlsProject(path=tmp, info=info, graph=graph)
        if csim:
            project.compile(out, progress)  # the loaded library stays valid after the rename
        write_json(tmp / "hls.json", info)
    graph.config.config["OutputDir"] = str(out)  # the temporary folder became ``out``
    project.path = out
    return project


_COMPILED: dict[str, HlsProject] = {}


def compiled_project(
    model: Model,
    timesteps: int | None = None,
    *,
    stateful: bool = False,
    progress: Callable[[str], None] | None = None,
) -> HlsProject:
    """A compiled C-simulation of ``model`` (in the build cache; one g++ build per
    model content, length and mode within a process). A stateful project's state
    lives in its loaded library: one caller at a time."""
    t = timesteps_for(model, timesteps)
    mode = "-s" if stateful else ""
    key = f"{_safe(model.name)}-{model.digest()}-t{t}{mode}-{_kernels_key()}"
    if key not in _COMPILED:
        _COMPILED[key] = build_project(
            model,
            cache_dir() / "hls" / key,
            timesteps=t,
            csim=True,
            stateful=stateful,
            force=True,
            progress=progress,
        )
    return _COMPILED[key]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", name)[:40] or "model"
