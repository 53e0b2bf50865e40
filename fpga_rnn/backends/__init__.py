"""The backends (``rtl``, ``hls``, ``c``) and the one registry of verification targets.

Every backend package has a ``target`` module with the same two entry points:

- ``generate(model, out, *, force=False, progress=None, **options) -> dict``: write the
  design to ``out`` atomically and return its JSON record (rtl.json, hls.json, c.json);
- ``run(model, batch, options, variant) -> dict``: run a :class:`~fpga_rnn.backends.batch.Batch`
  and compare its outputs with golden bit for bit (``bit_exact``, ``mismatches``, ...).
- ``run_streams(model, streams, options, variant) -> dict``: the same for a stateful
  :class:`~fpga_rnn.backends.streams.StreamBatch` (chunked streams, state kept between
  chunks), compared with golden's whole streams.

:data:`TARGETS` names what ``verify``, ``flow``, the CLI and the API can run; golden is
the reference every target is compared with, not a target.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fpga_rnn.errors import InputError

if TYPE_CHECKING:
    from fpga_rnn.backends.batch import Batch
    from fpga_rnn.backends.streams import StreamBatch
    from fpga_rnn.ir.model import Model

REFERENCE = "golden"
BACKENDS = ("rtl", "hls", "c")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunOptions:
    """What a verification run may set; each backend reads the fields it has a use for."""

    reuse: int | None = None  # rtl: cycles per multiplier per MAC pass (None: the default)
    multipliers: int | None = None  # rtl: the fastest design within this many multipliers
    mac_stages: int = 0  # rtl: MAC pipeline registers (0..6)
    lane_stages: int = 0  # rtl: cell lane pipeline depth (0..3)
    backpressure: int = 25  # rtl: percent of output cycles the sink stalls
    gap: int = 10  # rtl: percent of input cycles the source idles
    seed: int = 0
    board: Any = "pynq-z2"  # hls: the part and clock of the project
    workdir: Path | None = None  # hls: write the project here (default: the build cache)
    progress: Progress | None = field(default=None, compare=False)

    def say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


@dataclass(frozen=True)
class Target:
    """One thing ``verify`` can compare with golden: a backend and its variant."""

    name: str
    backend: str  # a package under fpga_rnn.backends
    summary: str
    variant: str = ""  # passed to the backend's run (the C toolchain: host or arm)

    def run(self, model: Model, batch: Batch, options: RunOptions) -> dict[str, Any]:
        return backend(self.backend).run(model, batch, options, self.variant)

    def run_streams(
        self, model: Model, streams: StreamBatch, options: RunOptions
    ) -> dict[str, Any]:
        """Stateful: the streams chunk by chunk, state kept between chunks."""
        return backend(self.backend).run_streams(model, streams, options, self.variant)


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("rtl", "rtl", "our Verilog in Verilator (cocotb), random backpressure and gaps"),
        Target("hls", "hls", "the hls4ml project's C-simulation (our kernels, g++)"),
        Target("c", "c", "the embedded C export on the host (gcc)", "host"),
        Target("c-arm", "c", "the C export on a Cortex-M4 (arm-none-eabi-gcc, QEMU)", "arm"),
    )
}


def backend(name: str) -> Any:
    """The ``target`` module of backend ``name`` (imported on first use: the HLS and RTL
    backends pull in hls4ml and cocotb only when they run)."""
    if name not in BACKENDS:
        raise InputError(f"unknown backend {name!r}; choose from {', '.join(BACKENDS)}")
    return importlib.import_module(f"fpga_rnn.backends.{name}.target")


def select(names: Iterable[str]) -> tuple[Target, ...]:
    """The targets named (golden, the reference, may be listed and is skipped)."""
    names = tuple(names)
    unknown = [n for n in names if n not in TARGETS and n != REFERENCE]
    if unknown:
        raise InputError(f"unknown target(s) {unknown}; choose from {', '.join(TARGETS)}")
    chosen = tuple(TARGETS[n] for n in dict.fromkeys(names) if n != REFERENCE)
    if not chosen:  # golden compared with itself is no evidence
        raise InputError(
            f"nothing to compare with {REFERENCE} (the reference): add a target from "
            f"{', '.join(TARGETS)}"
        )
    return chosen
