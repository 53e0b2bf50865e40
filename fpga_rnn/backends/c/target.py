"""The C backend's entry points: write the embedded C export, and run it against golden
on the host (gcc) or on a Cortex-M4 under QEMU."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.backends import Progress, RunOptions
from fpga_rnn.backends.batch import Batch, compare_outputs, refuse_ambiguous_padding, valid_part
from fpga_rnn.backends.streams import StreamBatch
from fpga_rnn.ir.model import Model


def generate(
    model: Model,
    out: str | Path,
    *,
    max_timesteps: int | None = None,
    check: bool = True,
    force: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the embedded C export to ``out``; returns c.json's content.

    ``check=True`` first compiles it with ``-Wall -Wextra -Werror -pedantic`` for the host
    and, when arm-none-eabi-gcc is installed, measures the Cortex-M4 footprint (added to
    c.json); a failed check leaves nothing behind.
    """
    from fpga_rnn.backends.c import toolchain, writer
    from fpga_rnn.outputs import check_writable

    check_writable(Path(out), force=force)
    files, info = writer.generate(model, max_timesteps)
    if check:
        say = progress or (lambda _m: None)
        with tempfile.TemporaryDirectory(prefix="frnn-c-") as d:
            toolchain.place(Path(d), files)
            say("c: compiling for the host (gcc -Wall -Wextra -Werror -pedantic)")
            toolchain.build(Path(d), "host")
            if shutil.which("arm-none-eabi-gcc"):
                say("c: measuring the Cortex-M4 footprint (arm-none-eabi-gcc -O2)")
                info["cortex_m4"] = toolchain.footprint(Path(d))
    return writer.save(files, info, out, force=force)


def run(model: Model, batch: Batch, options: RunOptions, variant: str = "host") -> dict[str, Any]:
    """Compile the C export for ``variant`` (host or arm) and run the padded batch; compare
    each sequence's valid part with golden, and step() with run_sequence()."""
    from fpga_rnn.backends.c import toolchain

    variant = variant or "host"
    refuse_ambiguous_padding(model, batch, "C export")
    r = toolchain.run(model, batch.padded, variant, progress=options.progress)
    res = compare_outputs(valid_part(model, r["outputs"], batch), batch.golden)
    step_bad = int((r["step_ok"] == 0).sum())
    res["bit_exact"] = res["bit_exact"] and step_bad == 0 and bool((r["rc"] == 0).all())
    res |= {
        "available": True,
        "target": toolchain.TARGETS[variant],
        "step_mismatches": step_bad if r["info"]["can_step"] else None,
        "run_seconds": round(r["seconds"], 3),
        "footprint": r["footprint"],
        "flash_bytes_weights": r["info"]["flash_bytes_weights"],
    }
    return res


def run_streams(
    model: Model, streams: StreamBatch, options: RunOptions, variant: str = "host"
) -> dict[str, Any]:
    """Feed the streams sample by sample to the C export's step(); at every chunk end
    the state goes out through get_state and back through reset + set_state (what a
    caller that keeps it between calls does), flagged samples reset first. Compare
    with golden's whole-stream codes."""
    from fpga_rnn.backends.c import toolchain

    variant = variant or "host"
    flags = np.zeros(streams.ends.shape, np.int64)
    flags[:, 1:] = np.where(streams.ends[:, :-1], toolchain.STREAM_SAVE_RESTORE, 0)
    flags[streams.resets] |= toolchain.STREAM_RESET
    r = toolchain.run_stream(model, streams.codes, flags, variant, progress=options.progress)
    res = compare_outputs(list(r["outputs"]), list(streams.golden))
    status_bad = int((r["status"] != 0).sum())
    res["bit_exact"] = res["bit_exact"] and status_bad == 0
    res |= {
        "available": True,
        "target": toolchain.TARGETS[variant],
        "chunks": int(streams.ends.sum()),
        "samples": int(streams.ends.size),
        "status_errors": status_bad,
        "state_size": r["info"]["state_size"],
        "run_seconds": round(r["seconds"], 3),
    }
    return res
